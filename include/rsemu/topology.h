/* The topology model: the in-memory form of the YAML file of TOPOLOGY.md,
 * shared by the Route Server, the data plane and the tools. It is built and
 * validated in one go by rs_topology_load*() (control/topology.c) and is
 * read-only afterwards. Every element remembers the line it came from. */
#ifndef RSEMU_TOPOLOGY_H
#define RSEMU_TOPOLOGY_H

#include <stdio.h>

#include "rsemu/types.h"

enum rsemu_peer_kind {
	RSEMU_PEER_NVA = 0,
	RSEMU_PEER_EXPRESSROUTE,
	RSEMU_PEER_VPN,
};

enum rsemu_routing_pref {
	RSEMU_PREF_EXPRESSROUTE = 0, /* default */
	RSEMU_PREF_VPNGATEWAY,
	RSEMU_PREF_ASPATH,
};

/* One route a peer announces in the topology file (`announce:`). */
struct rsemu_announce {
	struct rsemu_prefix prefix;
	uint32_t *as_path;      /* AS_SEQUENCE, leftmost first */
	size_t as_path_len;
	uint32_t *communities;  /* (high << 16) | low */
	size_t n_communities;
	uint32_t next_hop;      /* default: the peer's ip */
	int line;
};

struct rsemu_peer {
	char name[RSEMU_NAME_MAX];
	enum rsemu_peer_kind kind;
	uint32_t ip;
	uint32_t asn;           /* gateway stand-ins default to 65515 */
	uint8_t mac[6];
	bool has_mac;
	char md5[81];           /* "" = no TCP MD5; at most 80 bytes (RFC 2385) */
	uint32_t max_prefixes;  /* 1..4000, default 1000 */
	struct rsemu_announce *announce;
	size_t n_announce;
	int line;
};

struct rsemu_route_server {
	char name[RSEMU_NAME_MAX];
	int vnet;               /* index into topology.vnets */
	uint32_t asn;           /* always 65515 */
	uint32_t instances[2];
	bool branch_to_branch;
	enum rsemu_routing_pref routing_preference;
	uint16_t keepalive;     /* seconds, default 60 */
	uint16_t hold;          /* seconds, default 180; 0 or >= 3 */
	uint16_t port;          /* default 179 */
	struct rsemu_peer *peers;
	size_t n_peers;
	int line;
};

struct rsemu_subnet {
	char name[RSEMU_NAME_MAX];
	struct rsemu_prefix prefix;
	int route_table;        /* index into topology.route_tables, -1 = none */
	int line;
};

struct rsemu_vnet {
	char name[RSEMU_NAME_MAX];
	struct rsemu_prefix *address_space;
	size_t n_address_space;
	struct rsemu_subnet *subnets;
	size_t n_subnets;
	int line;
};

struct rsemu_peering {
	int hub;                /* index into topology.vnets */
	int spoke;
	bool allow_gateway_transit;
	bool use_remote_gateways;
	int line;
};

struct rsemu_udr {
	char name[RSEMU_NAME_MAX];
	struct rsemu_prefix prefix;
	enum rsemu_nh_type next_hop_type; /* never VnetPeering */
	uint32_t next_hop_ip;   /* VirtualAppliance only */
	int line;
};

struct rsemu_route_table {
	char name[RSEMU_NAME_MAX];
	bool propagate_gateway_routes; /* false = disableBgpRoutePropagation */
	struct rsemu_udr *routes;
	size_t n_routes;
	int line;
};

struct rsemu_vm {
	char name[RSEMU_NAME_MAX];
	int vnet;               /* index into topology.vnets */
	int subnet;             /* index into vnets[vnet].subnets */
	uint32_t ip;
	uint8_t mac[6];
	bool has_mac;
	int line;
};

struct rsemu_topology {
	char *file;             /* the name used in messages */
	struct rsemu_route_server rs;
	struct rsemu_vnet *vnets;
	size_t n_vnets;
	struct rsemu_peering *peerings;
	size_t n_peerings;
	struct rsemu_route_table *route_tables;
	size_t n_route_tables;
	struct rsemu_vm *vms;
	size_t n_vms;
};

/* Load and validate a topology. On success return 0 and set *out. On bad
 * input return -EINVAL after writing one line per problem to err, each
 * "FILE:LINE: FIELD: reason"; nothing is returned then. Other negative errno
 * values: the file could not be read (-errno, one message written). */
int rs_topology_load_file(const char *path, struct rsemu_topology **out,
			  FILE *err);
/* The same from a buffer; name is what messages call the file. */
int rs_topology_load_buffer(const char *name, const char *yaml, size_t len,
			    struct rsemu_topology **out, FILE *err);
/* The embedded default topology (tools/default-topology.yaml). */
int rs_topology_load_default(struct rsemu_topology **out, FILE *err);
extern const char rsemu_default_topology_yaml[];
extern const size_t rsemu_default_topology_yaml_len;

void rs_topology_free(struct rsemu_topology *t);

/* Look-ups; return an index or -1. */
int rs_topology_find_vnet(const struct rsemu_topology *t, const char *name);
int rs_topology_find_subnet(const struct rsemu_topology *t, int vnet,
			    const char *name);
int rs_topology_find_peer(const struct rsemu_topology *t, const char *name);
/* "VNET/SUBNET" -> indices; 0 or -ENOENT. */
int rs_topology_find_vnet_subnet(const struct rsemu_topology *t,
				 const char *path, int *vnet, int *subnet);

/* The peering between two VNets, or NULL. */
const struct rsemu_peering *
rs_topology_peering(const struct rsemu_topology *t, int a, int b);

/* True when Route Server routes reach this VNet: the Route Server's own VNet
 * and every spoke peered to it with use_remote_gateways (the hub side
 * allowing gateway transit). AZURE-SEMANTICS.md D1. */
bool rs_topology_in_rs_domain(const struct rsemu_topology *t, int vnet);

const char *rsemu_peer_kind_name(enum rsemu_peer_kind k);
const char *rsemu_routing_pref_name(enum rsemu_routing_pref p);

#endif
