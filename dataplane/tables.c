/* Double-buffered lookup tables with RCU (see tables.h): each copy keeps a
 * list of what it missed while the other was being updated, catches up
 * when it becomes the standby, and is published with one pointer store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_pause.h>

#include "tables.h"

#define DP_PEND_MAX (1u << 20) /* more pending entries: rebuild in full */
#define DP_DEFAULT_READERS 64u

/* What one copy has not seen yet. */
struct dp_pend {
	struct dp_route_key *routes;
	uint32_t n_routes, cap_routes;
	uint32_t *idx;
	uint32_t n_idx, cap_idx;
	uint32_t *subnets;
	uint32_t n_subnets, cap_subnets;
	uint16_t *groups;
	uint32_t n_groups, cap_groups;
	bool full;
};

struct dp_copy {
	struct dp_snap snap;
	struct dp_pend pend;
};

struct dp_tables {
	struct dp_tables_conf conf;
	struct dp_union u;
	struct dp_copy c[2];
	const struct dp_snap *cur; /* published; read by workers */
	int active;                /* index of the published copy */
	struct rte_rcu_qsbr *qs;
	uint64_t token;            /* grace period of the last publication */
	bool token_valid;
	uint64_t version;
	uint32_t *changed;         /* scratch: union indices changed */
	uint32_t n_changed, cap_changed;
	struct dp_tables_stats st;
};

static uint32_t fib_serial; /* rte_fib names must be unique */

static uint64_t now_ns(void)
{
	return rsemu_now_ns();
}

/* ---- pending lists ---- */

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t esize)
{
	uint32_t nc;
	void *p;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 256;
	while (nc < need)
		nc *= 2;
	p = realloc(*arr, (size_t)nc * esize);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

#define PEND_APPEND(pd, field, src, k)                                       \
	do {                                                                 \
		if ((pd)->full || (k) == 0)                                  \
			break;                                               \
		if ((pd)->n_##field + (k) > DP_PEND_MAX ||                   \
		    grow((void **)&(pd)->field, &(pd)->cap_##field,          \
			 (pd)->n_##field + (k), sizeof(*(pd)->field)) < 0) { \
			(pd)->full = true;                                   \
			break;                                               \
		}                                                            \
		memcpy((pd)->field + (pd)->n_##field, (src),                 \
		       (size_t)(k) * sizeof(*(pd)->field));                  \
		(pd)->n_##field += (k);                                      \
	} while (0)

static void pend_add(struct dp_pend *pd, const struct dp_changes *ch,
		     const uint32_t *idx, uint32_t n_idx, bool full)
{
	if (full)
		pd->full = true;
	PEND_APPEND(pd, routes, ch->routes, ch->n_routes);
	PEND_APPEND(pd, idx, idx, n_idx);
	PEND_APPEND(pd, subnets, ch->subnets, ch->n_subnets);
	PEND_APPEND(pd, groups, ch->groups, ch->n_groups);
}

static void pend_clear(struct dp_pend *pd)
{
	pd->n_routes = pd->n_idx = pd->n_subnets = pd->n_groups = 0;
	pd->full = false;
}

static void pend_fini(struct dp_pend *pd)
{
	free(pd->routes);
	free(pd->idx);
	free(pd->subnets);
	free(pd->groups);
	memset(pd, 0, sizeof(*pd));
}

/* ---- copies ---- */

static int copy_init(struct dp_tables *t, struct dp_copy *c)
{
	struct dp_fib_conf fc;
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "rsfib%u",
		 __atomic_fetch_add(&fib_serial, 1, __ATOMIC_RELAXED));
	fc.name = name;
	fc.socket_id = t->conf.socket_id;
	fc.max_prefixes = t->conf.max_prefixes;
	fc.num_tbl8 = t->conf.num_tbl8;
	rc = dp_fib_init(&c->snap.fib, &fc);
	if (rc < 0)
		return rc;
	/* Zeroed: every subnet in row 0 ("no table"), every group empty. */
	c->snap.bind_row = rte_zmalloc_socket(
		"rsemu_bind", RSEMU_RING_MAX_SUBNETS * sizeof(uint16_t), 64,
		t->conf.socket_id);
	c->snap.groups = rte_zmalloc_socket(
		"rsemu_groups",
		RSEMU_RING_MAX_GROUPS * sizeof(struct dp_ecmp_group), 64,
		t->conf.socket_id);
	if (!c->snap.bind_row || !c->snap.groups)
		return -ENOMEM;
	return 0;
}

static void copy_fini(struct dp_copy *c)
{
	dp_fib_fini(&c->snap.fib);
	rte_free(c->snap.bind_row);
	rte_free(c->snap.groups);
	pend_fini(&c->pend);
	memset(c, 0, sizeof(*c));
}

static void set_group(struct dp_snap *s, const struct dp_shadow *sh,
		      uint32_t g)
{
	const struct dp_ecmp_group *src = dp_shadow_group(sh, g);

	if (src)
		s->groups[g] = *src;
	else
		memset(&s->groups[g], 0, sizeof(s->groups[g]));
}

/* Bring copy c up to the shadow's state. */
static int copy_sync(struct dp_tables *t, struct dp_copy *c,
		     const struct dp_shadow *sh)
{
	struct dp_pend *pd = &c->pend;
	struct dp_fib_pending fp = {
		.routes = pd->routes, .n_routes = pd->n_routes,
		.idx = pd->idx, .n_idx = pd->n_idx, .full = pd->full,
	};
	struct dp_snap *s = &c->snap;
	int rc = dp_fib_sync(&s->fib, &t->u, sh, &fp);

	if (rc < 0)
		return rc;
	if (fp.full)
		t->st.full_syncs++;
	if (pd->full) {
		for (uint32_t n = 0; n < RSEMU_RING_MAX_SUBNETS; n++)
			s->bind_row[n] = dp_fib_row_of(dp_shadow_binding(sh, n));
		for (uint32_t g = 0; g < RSEMU_RING_MAX_GROUPS; g++)
			set_group(s, sh, g);
		return 0;
	}
	for (uint32_t i = 0; i < pd->n_subnets; i++) {
		uint32_t n = pd->subnets[i];

		s->bind_row[n] = dp_fib_row_of(dp_shadow_binding(sh, n));
	}
	for (uint32_t i = 0; i < pd->n_groups; i++)
		set_group(s, sh, pd->groups[i]);
	return 0;
}

/* ---- the tables ---- */

int dp_tables_create(const struct dp_tables_conf *conf,
		     struct dp_tables **out)
{
	struct dp_tables *t = calloc(1, sizeof(*t));
	size_t qsz;
	int rc;

	if (!t)
		return -ENOMEM;
	t->conf = *conf;
	if (!t->conf.max_prefixes)
		t->conf.max_prefixes = RSEMU_RING_MAX_PREFIXES;
	if (!t->conf.max_readers)
		t->conf.max_readers = DP_DEFAULT_READERS;
	if (t->conf.max_prefixes > RSEMU_RING_MAX_PREFIXES) {
		free(t);
		return -EINVAL;
	}
	qsz = rte_rcu_qsbr_get_memsize(t->conf.max_readers);
	t->qs = rte_zmalloc_socket("rsemu_rcu", qsz, RTE_CACHE_LINE_SIZE,
				   t->conf.socket_id);
	if (!t->qs) {
		free(t);
		return -ENOMEM;
	}
	rc = rte_rcu_qsbr_init(t->qs, t->conf.max_readers);
	if (rc == 0)
		rc = dp_union_init(&t->u, t->conf.max_prefixes);
	for (int k = 0; k < 2 && rc == 0; k++)
		rc = copy_init(t, &t->c[k]);
	if (rc < 0) {
		dp_tables_free(t);
		return rc;
	}
	t->active = 0;
	__atomic_store_n(&t->cur, &t->c[0].snap, __ATOMIC_RELEASE);
	*out = t;
	return 0;
}

void dp_tables_free(struct dp_tables *t)
{
	if (!t)
		return;
	for (int k = 0; k < 2; k++)
		copy_fini(&t->c[k]);
	dp_union_fini(&t->u);
	rte_free(t->qs);
	free(t->changed);
	free(t);
}

void dp_tables_shadow_limits(const struct dp_tables *t,
			     struct dp_shadow_limits *lim)
{
	lim->max_routes = RSEMU_RING_MAX_ROUTES;
	lim->max_prefixes = t->conf.max_prefixes;
}

struct rte_rcu_qsbr *dp_tables_rcu(struct dp_tables *t)
{
	return t->qs;
}

const struct dp_snap *const *dp_tables_current(const struct dp_tables *t)
{
	return &t->cur;
}

/* Wait until every reader has passed a quiescent state since token. Spin
 * first (workers on their own cores report within microseconds), then
 * sleep briefly, so that a reader sharing our core gets to run. */
static void grace_wait(struct rte_rcu_qsbr *qs, uint64_t token)
{
	struct timespec nap = {0, 20000};

	for (unsigned spins = 0; !rte_rcu_qsbr_check(qs, token, false);
	     spins++) {
		if (spins < 1000)
			rte_pause();
		else
			nanosleep(&nap, NULL);
	}
}

int dp_tables_commit(struct dp_tables *t, const struct dp_shadow *sh,
		     const struct dp_changes *ch)
{
	struct dp_copy *sb;
	uint64_t t0, dt;
	int rc;

	t->n_changed = 0;
	rc = dp_union_update(&t->u, sh, ch, &t->changed, &t->n_changed,
			     &t->cap_changed);
	for (int k = 0; k < 2; k++)
		pend_add(&t->c[k].pend, ch, t->changed, t->n_changed,
			 rc < 0 || ch->full);
	if (rc < 0) {
		t->st.failures++;
		return rc;
	}

	sb = &t->c[1 - t->active];
	if (t->token_valid) {
		/* No worker may still read the copy we are about to change. */
		t0 = now_ns();
		grace_wait(t->qs, t->token);
		t->st.grace_wait_ns += now_ns() - t0;
	}
	t0 = now_ns();
	rc = copy_sync(t, sb, sh);
	if (rc < 0) {
		sb->pend.full = true;
		t->st.failures++;
		return rc;
	}
	sb->snap.epoch = ch->epoch;
	sb->snap.event_ns = ch->event_ns;
	sb->snap.version = ++t->version;
	__atomic_store_n(&t->cur, &sb->snap, __ATOMIC_RELEASE);
	t->token = rte_rcu_qsbr_start(t->qs);
	t->token_valid = true;
	t->active = (int)(sb - t->c);
	pend_clear(&sb->pend);

	dt = now_ns() - t0;
	t->st.last_sync_ns = dt;
	if (dt > t->st.max_sync_ns)
		t->st.max_sync_ns = dt;
	t->st.commits++;
	return 0;
}

static int backend_commit(void *ctx, const struct dp_shadow *sh,
			  const struct dp_changes *ch)
{
	return dp_tables_commit(ctx, sh, ch);
}

struct dp_backend dp_tables_backend(struct dp_tables *t)
{
	return (struct dp_backend){.ctx = t, .commit = backend_commit};
}

void dp_tables_get_stats(const struct dp_tables *t, struct dp_tables_stats *s)
{
	*s = t->st;
	s->union_prefixes = t->u.n;
	s->rows = t->c[t->active].snap.fib.rows;
	s->stride = t->c[t->active].snap.fib.stride;
	s->bytes_res = t->c[0].snap.fib.res_bytes + t->c[1].snap.fib.res_bytes;
	s->bytes_other = 2 * (RSEMU_RING_MAX_SUBNETS * sizeof(uint16_t) +
			      RSEMU_RING_MAX_GROUPS *
				      sizeof(struct dp_ecmp_group));
}
