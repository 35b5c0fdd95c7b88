/* The union FIB: instead of one DIR-24-8 table (16-64 MiB) per route
 * table, one rte_fib over the union of every table's prefixes, whose next
 * hop is the prefix's union index, plus per table a resolution row
 *   res[table][index] = the table's action for its longest prefix that
 *                       contains union prefix `index`.
 * A table's longest match for an address depends only on the longest union
 * prefix holding the address, so lookup = one rte_fib_lookup_bulk for the
 * burst, then one array read per packet. Index 0 is the FIB's miss and
 * stands for 0/0 too: a default route never enters the rte_fib (where it
 * would rewrite all 2^24 DIR-24-8 entries); rows hold it in column 0. */
#ifndef DP_FIB_H
#define DP_FIB_H

#include <stdint.h>

#include <rte_fib.h>

#include "shadow.h"
#include "u64map.h"

#define DP_FIB_BURST_MAX 64u /* most addresses per dp_fib_lookup */

/* Control-thread bookkeeping of the union: prefix <-> index. Shared by the
 * two lookup copies of dp_tables (both use the same indices). */
struct dp_union {
	uint32_t cap;       /* indices 1..cap-1 */
	uint32_t hwm;       /* one more than the highest index ever used */
	uint32_t n;         /* live prefixes */
	uint64_t *key;      /* [cap] (addr << 8 | len), EMPTY when free */
	uint32_t *free;     /* stack of freed indices */
	uint32_t n_free;
	struct dp_u64map map; /* key -> index */
	uint32_t *order;    /* [cap] live indices sorted by key: by address,
			     * then shorter first, so the prefixes inside p
			     * follow p contiguously */
	uint32_t n_order;
	bool broken;        /* an update failed: the next one starts over */
};

int dp_union_init(struct dp_union *u, uint32_t max_prefixes);
void dp_union_fini(struct dp_union *u);
/* Bring the union in line with the shadow for the prefixes in ch (all of
 * them if ch->full or the union is broken), appending every index whose
 * prefix changed to *changed (a growable array). Returns 0, -ENOSPC or
 * -ENOMEM. */
int dp_union_update(struct dp_union *u, const struct dp_shadow *sh,
		    const struct dp_changes *ch, uint32_t **changed,
		    uint32_t *n_changed, uint32_t *cap_changed);

static inline uint64_t dp_union_key(uint32_t addr, uint8_t len)
{
	return ((uint64_t)addr << 8) | len;
}

/* One lookup copy. Workers read fib, res, stride; the rest is the control
 * thread's. Row 0 is the "no table" row (all DP_ACT_NO_TABLE); table t
 * lives in row t + 1. */
struct dp_fib {
	struct rte_fib *fib;
	dp_action_t *res;   /* [rows * stride] */
	uint32_t stride;    /* entries per row, >= union hwm */
	uint32_t rows;      /* 1 + tables covered */
	/* control thread only */
	uint64_t *have;     /* [cap] key this copy's rte_fib holds per index */
	uint32_t have_hwm;  /* indices < have_hwm may be set */
	uint32_t cap;
	int socket_id;
	size_t res_bytes;
};

struct dp_fib_conf {
	const char *name;      /* unique among live rte_fibs, <= 20 chars */
	int socket_id;
	uint32_t max_prefixes; /* union capacity, <= RSEMU_RING_MAX_PREFIXES */
	uint32_t num_tbl8;     /* /24 blocks holding longer prefixes; 0 = 8192 */
};

/* Returns 0, -EINVAL, -ENOMEM or -rte_errno of rte_fib_create. */
int dp_fib_init(struct dp_fib *f, const struct dp_fib_conf *conf);
void dp_fib_fini(struct dp_fib *f);

/* What a copy must catch up on since it was last synced. */
/* dp_fib_sync sorts both lists in place. */
struct dp_fib_pending {
	struct dp_route_key *routes; /* (table, prefix) changed */
	uint32_t n_routes;
	uint32_t *idx;               /* union indices changed */
	uint32_t n_idx;
	bool full;                         /* rebuild everything */
};

/* Make copy f hold exactly the union u and the shadow's routes. f must not
 * be visible to readers. Sets p->full when it rebuilt everything (the rows
 * had to grow). Returns 0 or a negative errno (-ENOSPC: out of
 * tbl8 groups; -ENOMEM); on failure f is inconsistent and must be synced
 * again with full set. */
int dp_fib_sync(struct dp_fib *f, const struct dp_union *u,
		const struct dp_shadow *sh, struct dp_fib_pending *p);

static inline uint16_t dp_fib_row_of(uint16_t table)
{
	return table == RSEMU_TABLE_NONE ? 0 : (uint16_t)(table + 1);
}

/* The fast path: actions of n <= DP_FIB_BURST_MAX destinations (host
 * order), each looked up in its own row (dp_fib_row_of). */
static inline void dp_fib_lookup(const struct dp_fib *f, const uint16_t *rows,
				 uint32_t *dst, dp_action_t *act, unsigned n)
{
	uint64_t nh[DP_FIB_BURST_MAX];

	rte_fib_lookup_bulk(f->fib, dst, nh, (int)n);
	for (unsigned i = 0; i < n; i++)
		act[i] = f->res[(size_t)rows[i] * f->stride + nh[i]];
}

#endif
