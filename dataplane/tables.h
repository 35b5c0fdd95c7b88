/* The DPDK lookup tables the workers read: two complete copies (union FIB
 * and resolution rows, subnet bindings, ECMP groups), one published and
 * one standby. A COMMIT brings the standby up to date aside, publishes it
 * with one atomic pointer store, and the old copy becomes the standby once
 * an rte_rcu_qsbr grace period shows no worker still reads it. Workers
 * never lock, allocate or wait. */
#ifndef DP_TABLES_H
#define DP_TABLES_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "ctrl.h"
#include "ecmp.h"
#include "fib.h"
#include "shadow.h"

/* What a worker sees: one consistent version of everything. */
struct dp_snap {
	struct dp_fib fib;
	uint16_t *bind_row;            /* [MAX_SUBNETS] subnet -> FIB row */
	struct dp_ecmp_group *groups;  /* [MAX_GROUPS], n == 0 if absent */
	uint64_t epoch;                /* the COMMIT it holds, 0 = none */
	uint64_t event_ns;
	uint64_t version;              /* publications so far */
};

struct dp_tables_conf {
	int socket_id;
	uint32_t max_prefixes;  /* union capacity; 0 = RSEMU_RING_MAX_PREFIXES */
	uint32_t num_tbl8;      /* 0 = default (8192) */
	uint32_t max_readers;   /* RCU reader thread ids 0..max_readers-1 */
};

struct dp_tables_stats {
	uint64_t commits;          /* published */
	uint64_t failures;         /* commits not published */
	uint64_t full_syncs;       /* copy rebuilds from scratch */
	uint64_t last_sync_ns;     /* time to bring the standby up to date */
	uint64_t max_sync_ns;
	uint64_t grace_wait_ns;    /* total time waiting for readers */
	uint32_t union_prefixes;
	uint32_t rows;             /* per copy, including the no-table row */
	uint32_t stride;
	size_t bytes_res;          /* both copies */
	size_t bytes_other;        /* bindings and groups, both copies */
};

struct dp_tables;

/* Creates both copies (empty: every subnet unbound) and publishes one.
 * Needs EAL. Returns 0 or a negative errno. */
int dp_tables_create(const struct dp_tables_conf *conf,
		     struct dp_tables **out);
/* Frees everything; no worker may read the tables any more. */
void dp_tables_free(struct dp_tables *t);

/* The limits a shadow feeding these tables must use. */
void dp_tables_shadow_limits(const struct dp_tables *t,
			     struct dp_shadow_limits *lim);

/* Apply one COMMIT's changes (from the shadow, which holds the new state)
 * and publish. Waits for the RCU grace period of the previous publication
 * before touching its copy. Returns 0, or a negative errno when nothing
 * was published (the workers keep the previous version; the next commit
 * retries in full). Control thread only. */
int dp_tables_commit(struct dp_tables *t, const struct dp_shadow *sh,
		     const struct dp_changes *ch);

/* The tables as a dp_ctrl backend (ctx = t). */
struct dp_backend dp_tables_backend(struct dp_tables *t);

/* The QSBR variable workers report to: register with a thread id below
 * max_readers, go online, and call rte_rcu_qsbr_quiescent() once per loop
 * iteration, outside any use of a snapshot. */
struct rte_rcu_qsbr *dp_tables_rcu(struct dp_tables *t);

void dp_tables_get_stats(const struct dp_tables *t, struct dp_tables_stats *s);

/* The published snapshot; valid until the reader's next quiescent state. */
static inline const struct dp_snap *
dp_tables_snap(const struct dp_snap *const *cur)
{
	return __atomic_load_n(cur, __ATOMIC_ACQUIRE);
}
/* Where the published pointer lives (workers keep this address). */
const struct dp_snap *const *dp_tables_current(const struct dp_tables *t);

/* Fast path: actions for n <= DP_FIB_BURST_MAX packets given their source
 * subnet ids and destinations (host order). */
static inline void dp_snap_lookup(const struct dp_snap *s,
				  const uint32_t *subnet, uint32_t *dst,
				  dp_action_t *act, unsigned n)
{
	uint16_t rows[DP_FIB_BURST_MAX];

	for (unsigned i = 0; i < n; i++)
		rows[i] = subnet[i] < RSEMU_RING_MAX_SUBNETS
				  ? s->bind_row[subnet[i]] : 0;
	dp_fib_lookup(&s->fib, rows, dst, act, n);
}

/* The ECMP group of an action (VA/VNG types). */
static inline const struct dp_ecmp_group *
dp_snap_group(const struct dp_snap *s, dp_action_t a)
{
	return &s->groups[DP_ACT_GROUP(a)];
}

#endif
