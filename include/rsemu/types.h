/* Basic routing types shared by the control plane, the data plane and the
 * tools: IPv4 prefixes, next-hop types, route sources, Azure's limits.
 * Addresses are IPv4 in host byte order everywhere in rsemu's own structs. */
#ifndef RSEMU_TYPES_H
#define RSEMU_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Azure Route Server facts (AZURE-SEMANTICS.md A1, A6). */
#define RSEMU_RS_ASN 65515u
#define RSEMU_MAX_PEERS 8          /* BGP peers per Route Server */
#define RSEMU_MAX_VNETS 500        /* hub plus peered VNets */
#define RSEMU_MAX_VMS 4000         /* VMs across hub and peered VNets */
#define RSEMU_MAX_PREFIXES 10000   /* on-premises plus VNet prefixes, total */
#define RSEMU_DEFAULT_MAX_PREFIXES 1000u
#define RSEMU_LIMIT_MAX_PREFIXES 4000u
#define RSEMU_NO_ADVERTISE 0xFFFFFF02u /* well-known community 65535:65282 */

#define RSEMU_NAME_MAX 64

struct rsemu_prefix {
	uint32_t addr; /* host byte order, host bits zero */
	uint8_t len;   /* 0..32 */
};

/* Netmask of a prefix length, host byte order. */
static inline uint32_t rsemu_mask(uint8_t len)
{
	return len == 0 ? 0 : (uint32_t)(0xFFFFFFFFu << (32 - len));
}

/* True when prefix a contains prefix b (a is equal to or shorter than b and
 * b lies inside a). */
static inline bool rsemu_prefix_contains(struct rsemu_prefix a,
					 struct rsemu_prefix b)
{
	return a.len <= b.len && (b.addr & rsemu_mask(a.len)) == a.addr;
}

static inline bool rsemu_prefix_overlaps(struct rsemu_prefix a,
					 struct rsemu_prefix b)
{
	return rsemu_prefix_contains(a, b) || rsemu_prefix_contains(b, a);
}

static inline bool rsemu_prefix_eq(struct rsemu_prefix a, struct rsemu_prefix b)
{
	return a.addr == b.addr && a.len == b.len;
}

/* Total order: by address, then by length (shorter first). */
static inline int rsemu_prefix_cmp(struct rsemu_prefix a, struct rsemu_prefix b)
{
	if (a.addr != b.addr)
		return a.addr < b.addr ? -1 : 1;
	return (int)a.len - (int)b.len;
}

/* Next-hop types, named as Azure names them in effective route tables. */
enum rsemu_nh_type {
	RSEMU_NH_VNET_LOCAL = 0,   /* "VnetLocal" */
	RSEMU_NH_VNET_PEERING,     /* "VNetPeering" */
	RSEMU_NH_INTERNET,         /* "Internet" */
	RSEMU_NH_NONE,             /* "None": dropped */
	RSEMU_NH_VIRTUAL_APPLIANCE,/* "VirtualAppliance" */
	RSEMU_NH_VNET_GATEWAY,     /* "VirtualNetworkGateway" */
	RSEMU_NH__COUNT
};

/* Where an effective route comes from. */
enum rsemu_route_source {
	RSEMU_SRC_DEFAULT = 0,     /* "Default": system routes */
	RSEMU_SRC_GATEWAY,         /* "VirtualNetworkGateway": BGP */
	RSEMU_SRC_USER,            /* "User": UDRs */
	RSEMU_SRC__COUNT
};

/* Text helpers; rsemu_*_parse return -1 on an unknown name. */
const char *rsemu_nh_type_name(enum rsemu_nh_type t);
int rsemu_nh_type_parse(const char *s);
const char *rsemu_source_name(enum rsemu_route_source s);

/* "a.b.c.d" <-> host-order address; parse returns 0 or -EINVAL. */
int rsemu_ip_parse(const char *s, uint32_t *out);
void rsemu_ip_format(uint32_t ip, char buf[16]);
/* "a.b.c.d/len": parse returns 0, -EINVAL (syntax) or -EDOM (host bits set,
 * in which case *out still holds the parsed, unmasked value). */
int rsemu_prefix_parse(const char *s, struct rsemu_prefix *out);
void rsemu_prefix_format(struct rsemu_prefix p, char buf[20]);

#endif
