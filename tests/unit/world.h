/* Test fixture: a small hub-and-spoke topology built from YAML pieces, its
 * RIB fed with the peers' `announce:` lists, and short helpers to ask what
 * a subnet's effective routes and a peer's advertisements are. */
#ifndef TEST_WORLD_H
#define TEST_WORLD_H

#include "effective.h"
#include "report.h"
#include "rib.h"

struct world_spec {
	const char *b2b;          /* "true" / "false" (default false) */
	const char *pref;         /* routing preference (default expressroute) */
	const char *peers;        /* YAML list items under route_server.peers */
	const char *spoke2_rt;    /* route table name for spoke2/web, or NULL */
	const char *route_tables; /* YAML for the top-level route_tables key */
	const char *extra_vnets;  /* YAML list items appended to vnets */
	const char *extra_peerings; /* YAML list items appended to peerings */
};

struct world {
	struct rsemu_topology *t;
	struct rs_rib *rib;
	struct rs_changes chg;
};

/* The base: hub 10.0.0.0/16 (RouteServerSubnet, nva 10.0.1.0/24,
 * GatewaySubnet 10.0.255.0/27, shared 10.0.2.0/24); spoke1 10.1.0.0/16
 * and spoke2 10.2.0.0/16 peered with use_remote_gateways; spoke3
 * 10.3.0.0/16 peered without it. Fails the test if it does not load. */
struct world *world_new(const struct world_spec *spec);
void world_free(struct world *w);

int world_peer(struct world *w, const char *name);
/* Announce from a peer at run time (AS_SEQUENCE path "65001 65002"). */
int world_announce(struct world *w, const char *peer, const char *prefix,
		   const char *as_path, const char *next_hop);
int world_withdraw(struct world *w, const char *peer, const char *prefix);

/* "VirtualNetworkGateway 10.0.1.4,10.0.1.5" — type and next hops of the
 * active route the host of VNET/SUBNET uses for dst ("" if none). The
 * string lives until the next call. */
const char *world_route_to(struct world *w, const char *subnet,
			   const char *dst);
/* "Active VirtualNetworkGateway 10.0.1.4" for the entry of this prefix and
 * source, or "absent". */
const char *world_entry(struct world *w, const char *subnet,
			const char *prefix, enum rsemu_route_source src);
/* AS path advertised to a peer for a prefix (as listed for instance 0),
 * or "absent". */
const char *world_adv(struct world *w, const char *peer, const char *prefix);

#endif
