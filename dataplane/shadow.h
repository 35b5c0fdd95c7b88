/* The data plane's shadow of the Route Server's state: per table its
 * routes (prefix -> action), the ECMP groups and the subnet bindings, as
 * applied from ring messages. Pure C, no DPDK: any backend (DPDK tables,
 * eBPF maps) builds its lookup structures from it and from the change list
 * of each COMMIT. Runs on the control thread only. */
#ifndef DP_SHADOW_H
#define DP_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "rsemu/ring.h"
#include "ecmp.h"

/* What a route does with a packet, in 16 bits: the next-hop type in the
 * top 4 bits, the ECMP group (VirtualAppliance, VirtualNetworkGateway) in
 * the low 12. Two more "types" name the misses. */
typedef uint16_t dp_action_t;
#define DP_ACT(type, group) ((dp_action_t)(((unsigned)(type) << 12) | \
					   ((unsigned)(group) & 0x0FFFu)))
#define DP_ACT_TYPE(a) ((unsigned)(a) >> 12)
#define DP_ACT_GROUP(a) ((unsigned)(a) & 0x0FFFu)
#define DP_ACT_T_NO_ROUTE 14u /* the table has no route for it */
#define DP_ACT_T_NO_TABLE 15u /* the source subnet is bound to no table */
#define DP_ACT_NO_ROUTE DP_ACT(DP_ACT_T_NO_ROUTE, 0)
#define DP_ACT_NO_TABLE DP_ACT(DP_ACT_T_NO_TABLE, 0)
_Static_assert(RSEMU_RING_MAX_GROUPS <= 4096, "groups fit in 12 bits");
_Static_assert(RSEMU_NH__COUNT <= DP_ACT_T_NO_ROUTE, "types fit in 4 bits");

/* The action a ROUTE_ADD stands for. */
static inline dp_action_t dp_action_of(unsigned nh_type, unsigned group)
{
	bool grp = nh_type == RSEMU_NH_VIRTUAL_APPLIANCE ||
		   nh_type == RSEMU_NH_VNET_GATEWAY;

	return DP_ACT(nh_type, grp ? group : 0);
}

struct dp_route_key {
	uint32_t addr;
	uint16_t table;
	uint8_t len;
	uint8_t pad;
};

/* What one COMMIT changed: every (table, prefix) whose action was added,
 * replaced or deleted (sweeps included), every group and subnet binding
 * that changed. A key may appear more than once. */
struct dp_changes {
	const struct dp_route_key *routes;
	uint32_t n_routes;
	const uint16_t *groups;
	uint32_t n_groups;
	const uint32_t *subnets;
	uint32_t n_subnets;
	uint64_t epoch;
	uint64_t event_ns;
	bool resync; /* this COMMIT ended a BEGIN_SYNC replay */
	bool full;   /* the list could not be kept (no memory): rebuild all */
};

struct dp_shadow_limits {
	uint32_t max_routes;   /* (table, prefix) pairs */
	uint32_t max_prefixes; /* distinct prefixes over all tables */
};

struct dp_shadow_stats {
	uint64_t applied[RSEMU_MSG__COUNT];
	uint64_t rejected[RSEMU_REJ__COUNT];
	uint64_t del_missing;   /* ROUTE_DEL/GROUP_DEL of nothing */
	uint64_t swept_routes;
	uint64_t swept_groups;
	uint64_t swept_bindings;
	uint64_t syncs;         /* BEGIN_SYNC received */
	uint64_t commits;
	uint64_t epoch;         /* last COMMIT's */
	uint32_t routes;        /* now */
	uint32_t prefixes;      /* now, distinct */
	uint32_t groups;        /* now */
	uint32_t bindings;      /* now */
	bool syncing;           /* between BEGIN_SYNC and COMMIT */
};

struct dp_shadow;

/* limits NULL: the ring's (RSEMU_RING_MAX_ROUTES, _PREFIXES). Returns 0,
 * -EINVAL or -ENOMEM. */
int dp_shadow_create(const struct dp_shadow_limits *limits,
		     struct dp_shadow **out);
void dp_shadow_free(struct dp_shadow *s);

/* Check m (rsemu_msg_check) and apply it. Returns 0 when applied, 1 when
 * it was a COMMIT (dp_shadow_changes then describes the transaction until
 * dp_shadow_changes_done), or -EINVAL when rejected (nothing changed, *why
 * says why, the reject is counted). -ENOMEM leaves the shadow as it was
 * and counts RSEMU_REJ_NO_SPACE. */
int dp_shadow_apply(struct dp_shadow *s, const struct rsemu_msg *m,
		    enum rsemu_reject *why);
const struct dp_changes *dp_shadow_changes(const struct dp_shadow *s);
/* The backend has taken the change list: start a new one. */
void dp_shadow_changes_done(struct dp_shadow *s);

/* Queries (for backends, verification and tests). */
bool dp_shadow_route(const struct dp_shadow *s, uint16_t table,
		     uint32_t addr, uint8_t len, dp_action_t *act);
uint32_t dp_shadow_prefix_refs(const struct dp_shadow *s, uint32_t addr,
			       uint8_t len);
/* NULL when the group does not exist. */
const struct dp_ecmp_group *dp_shadow_group(const struct dp_shadow *s,
					    unsigned group);
/* The subnet's table, or RSEMU_TABLE_NONE. */
uint16_t dp_shadow_binding(const struct dp_shadow *s, uint32_t subnet);
uint32_t dp_shadow_table_routes(const struct dp_shadow *s, uint16_t table);
/* One more than the highest table id holding a route or a binding. */
uint32_t dp_shadow_table_span(const struct dp_shadow *s);
void dp_shadow_get_stats(const struct dp_shadow *s, struct dp_shadow_stats *st);

/* Every distinct prefix held by at least one table; stop when fn returns
 * non-zero (which is then returned). */
int dp_shadow_foreach_prefix(const struct dp_shadow *s,
			     int (*fn)(void *ctx, uint32_t addr, uint8_t len),
			     void *ctx);
/* Every route of one table, in no particular order; stop when fn returns
 * non-zero (which is then returned). */
int dp_shadow_foreach_table_route(const struct dp_shadow *s, uint16_t table,
				  int (*fn)(void *ctx, uint16_t table,
					    uint32_t addr, uint8_t len,
					    dp_action_t act),
				  void *ctx);
/* Every route, table by table. */
int dp_shadow_foreach_route(const struct dp_shadow *s,
			    int (*fn)(void *ctx, uint16_t table, uint32_t addr,
				      uint8_t len, dp_action_t act),
			    void *ctx);

#endif
