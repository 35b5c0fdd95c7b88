/* Effective routes of a subnet (AZURE-SEMANTICS.md D): system routes, BGP
 * routes from the Route Server where propagation applies, and UDRs, with
 * Azure's choice among them. The losers stay listed as Invalid. */
#ifndef RS_EFFECTIVE_H
#define RS_EFFECTIVE_H

#include "rib.h"

struct rs_eff_route {
	struct rsemu_prefix prefix;
	uint8_t source;     /* enum rsemu_route_source */
	uint8_t nh_type;    /* enum rsemu_nh_type */
	bool active;        /* false = "Invalid" */
	uint8_t n_nh;
	uint32_t nh[RSEMU_MAX_PEERS];
	const char *name;   /* UDR name, NULL for others */
};

struct rs_eff_table {
	struct rs_eff_route *v;  /* Default, then VirtualNetworkGateway, then
				  * User; ascending prefix within each */
	size_t n, cap;
	bool propagate;     /* BGP routes reach this subnet (D1, D3) */
};

/* Compute the subnet's table into out (cleared first). 0 or -ENOMEM. */
int rs_effective_routes(const struct rs_rib *rib, int vnet, int subnet,
			struct rs_eff_table *out);
void rs_eff_table_free(struct rs_eff_table *t);

/* True when Route Server routes are programmed into the subnet: its VNet
 * is in the Route Server's domain and its route table (if any) keeps
 * gateway route propagation on. */
bool rs_effective_propagates(const struct rsemu_topology *t, int vnet,
			     int subnet);

/* The active route a host in this table uses for dst (longest prefix
 * among the active routes), or NULL. Linear: for tools and tests. */
const struct rs_eff_route *rs_eff_lookup(const struct rs_eff_table *t,
					 uint32_t dst);

#endif
