/* The union FIB (see fib.h): keeping the union's prefix indices, and
 * bringing one lookup copy (rte_fib + resolution rows) up to date with the
 * shadow, incrementally (only the subtrees of changed prefixes) or in
 * full. Control thread only; the copy being synced is invisible to
 * workers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "fib.h"

#define DP_FIB_DEFAULT_TBL8 8192u
#define DP_UNION_BULK 64u /* more changes than this: re-sort the order */

static uint32_t key_addr(uint64_t k)
{
	return (uint32_t)(k >> 8);
}

static uint8_t key_len(uint64_t k)
{
	return (uint8_t)(k & 0xFF);
}

/* Does prefix key a contain prefix key b? */
static bool key_contains(uint64_t a, uint64_t b)
{
	uint8_t la = key_len(a);

	return la <= key_len(b) &&
	       (key_addr(b) & rsemu_mask(la)) == key_addr(a);
}

/* ---- the union ---- */

int dp_union_init(struct dp_union *u, uint32_t max_prefixes)
{
	memset(u, 0, sizeof(*u));
	if (max_prefixes == 0 || max_prefixes > RSEMU_RING_MAX_PREFIXES)
		return -EINVAL;
	u->cap = max_prefixes + 1;
	u->hwm = 1;
	u->key = malloc(u->cap * sizeof(*u->key));
	u->free = malloc(u->cap * sizeof(*u->free));
	u->order = malloc(u->cap * sizeof(*u->order));
	if (!u->key || !u->free || !u->order ||
	    dp_u64map_init(&u->map, 2 * u->cap) < 0) {
		dp_union_fini(u);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < u->cap; i++)
		u->key[i] = DP_U64MAP_EMPTY;
	return 0;
}

void dp_union_fini(struct dp_union *u)
{
	free(u->key);
	free(u->free);
	free(u->order);
	if (u->map.e)
		dp_u64map_fini(&u->map);
	memset(u, 0, sizeof(*u));
}

/* First position in order whose key is >= k. */
static uint32_t lower_bound(const struct dp_union *u, uint64_t k)
{
	uint32_t lo = 0, hi = u->n_order;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (u->key[u->order[mid]] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_idx_by_key(const void *a, const void *b, void *vu)
{
	const struct dp_union *u = vu;
	uint64_t ka = u->key[*(const uint32_t *)a];
	uint64_t kb = u->key[*(const uint32_t *)b];

	return ka < kb ? -1 : ka > kb;
}

static void resort(struct dp_union *u)
{
	u->n_order = 0;
	for (uint32_t i = 1; i < u->hwm; i++)
		if (u->key[i] != DP_U64MAP_EMPTY)
			u->order[u->n_order++] = i;
	if (u->n_order)
		qsort_r(u->order, u->n_order, sizeof(*u->order),
			cmp_idx_by_key, u);
}

static int push_changed(uint32_t **arr, uint32_t *n, uint32_t *cap,
			uint32_t idx)
{
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 256;
		uint32_t *p = realloc(*arr, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = nc;
	}
	(*arr)[(*n)++] = idx;
	return 0;
}

/* Add or remove one prefix so that the union matches the shadow. */
static int union_fix(struct dp_union *u, const struct dp_shadow *sh,
		     uint32_t addr, uint8_t len, bool keep_order,
		     uint32_t **changed, uint32_t *n_changed,
		     uint32_t *cap_changed)
{
	uint64_t k = dp_union_key(addr, len);
	uint64_t *v = dp_u64map_get(&u->map, k);
	bool want = dp_shadow_prefix_refs(sh, addr, len) > 0;
	uint32_t idx, pos;
	int rc;

	if (want == (v != NULL))
		return 0;
	/* Reserve the change entry first so that failing leaves no trace. */
	rc = push_changed(changed, n_changed, cap_changed, 0);
	if (rc < 0)
		return rc;
	(*n_changed)--;
	if (k == 0) {
		/* 0/0 is index 0, the FIB's miss: never in the rte_fib (adding
		 * it would rewrite all 2^24 DIR-24-8 entries). */
		if (want && dp_u64map_put(&u->map, 0, 0) < 0)
			return -ENOMEM;
		if (!want)
			dp_u64map_del(&u->map, 0);
		u->key[0] = want ? 0 : DP_U64MAP_EMPTY;
		if (want)
			u->n++;
		else
			u->n--;
		idx = 0;
	} else if (v) {
		idx = (uint32_t)*v;
		if (keep_order) {
			pos = lower_bound(u, k);
			memmove(&u->order[pos], &u->order[pos + 1],
				(u->n_order - pos - 1) * sizeof(*u->order));
			u->n_order--;
		}
		dp_u64map_del(&u->map, k);
		u->key[idx] = DP_U64MAP_EMPTY;
		u->free[u->n_free++] = idx;
		u->n--;
	} else {
		if (u->n_free)
			idx = u->free[--u->n_free];
		else if (u->hwm < u->cap)
			idx = u->hwm++;
		else
			return -ENOSPC;
		rc = dp_u64map_put(&u->map, k, idx);
		if (rc < 0) {
			u->free[u->n_free++] = idx;
			return rc;
		}
		u->key[idx] = k;
		u->n++;
		if (keep_order) {
			pos = lower_bound(u, k);
			memmove(&u->order[pos + 1], &u->order[pos],
				(u->n_order - pos) * sizeof(*u->order));
			u->order[pos] = idx;
			u->n_order++;
		}
	}
	(*changed)[(*n_changed)++] = idx;
	return 0;
}

struct union_all_ctx {
	struct dp_union *u;
	const struct dp_shadow *sh;
	uint32_t **changed, *n_changed, *cap_changed;
};

static int union_fix_cb(void *vctx, uint32_t addr, uint8_t len)
{
	struct union_all_ctx *c = vctx;

	return union_fix(c->u, c->sh, addr, len, false, c->changed,
			 c->n_changed, c->cap_changed);
}

int dp_union_update(struct dp_union *u, const struct dp_shadow *sh,
		    const struct dp_changes *ch, uint32_t **changed,
		    uint32_t *n_changed, uint32_t *cap_changed)
{
	/* Many changes (a replay): cheaper to compare every prefix than to
	 * look at each changed route. */
	bool all = ch->full || u->broken || ch->n_routes > 4 * u->n + 4096;
	bool keep = !all && ch->n_routes <= DP_UNION_BULK;
	int rc = 0;

	if (all) {
		struct union_all_ctx c = {u, sh, changed, n_changed,
					  cap_changed};

		/* Drop what the shadow no longer holds, add what it holds. */
		for (uint32_t i = 0; i < u->hwm && rc == 0; i++) {
			uint64_t k = u->key[i];

			if (k != DP_U64MAP_EMPTY)
				rc = union_fix(u, sh, key_addr(k), key_len(k),
					       false, changed, n_changed,
					       cap_changed);
		}
		if (rc == 0)
			rc = dp_shadow_foreach_prefix(sh, union_fix_cb, &c);
	} else {
		for (uint32_t i = 0; i < ch->n_routes && rc == 0; i++)
			rc = union_fix(u, sh, ch->routes[i].addr,
				       ch->routes[i].len, keep, changed,
				       n_changed, cap_changed);
	}
	if (!keep || rc < 0)
		resort(u);
	u->broken = rc < 0;
	return rc;
}

/* ---- one lookup copy ---- */

static int reshape(struct dp_fib *f, uint32_t rows, uint32_t stride);

int dp_fib_init(struct dp_fib *f, const struct dp_fib_conf *conf)
{
	struct rte_fib_conf fc;

	memset(f, 0, sizeof(*f));
	if (!conf->name || conf->max_prefixes == 0 ||
	    conf->max_prefixes > RSEMU_RING_MAX_PREFIXES)
		return -EINVAL;
	memset(&fc, 0, sizeof(fc));
	fc.type = RTE_FIB_DIR24_8;
	fc.default_nh = 0; /* index 0: no union prefix */
	fc.max_routes = (int)conf->max_prefixes;
	/* 2-byte entries hold next hops up to 2^15 - 1. */
	fc.dir24_8.nh_sz = RTE_FIB_DIR24_8_2B;
	fc.dir24_8.num_tbl8 = conf->num_tbl8 ? conf->num_tbl8
					     : DP_FIB_DEFAULT_TBL8;
	f->cap = conf->max_prefixes + 1;
	f->socket_id = conf->socket_id;
	f->have = malloc(f->cap * sizeof(*f->have));
	if (!f->have)
		return -ENOMEM;
	for (uint32_t i = 0; i < f->cap; i++)
		f->have[i] = DP_U64MAP_EMPTY;
	f->fib = rte_fib_create(conf->name, conf->socket_id, &fc);
	if (!f->fib) {
		int rc = rte_errno ? -rte_errno : -ENOMEM;

		dp_fib_fini(f);
		return rc;
	}
	/* Just the "no table" row until tables appear. */
	if (reshape(f, 1, f->cap < 1024 ? f->cap : 1024) < 0) {
		dp_fib_fini(f);
		return -ENOMEM;
	}
	return 0;
}

void dp_fib_fini(struct dp_fib *f)
{
	rte_fib_free(f->fib);
	rte_free(f->res);
	free(f->have);
	memset(f, 0, sizeof(*f));
}

static dp_action_t *row_of(struct dp_fib *f, uint32_t table)
{
	return f->res + (size_t)(table + 1) * f->stride;
}

/* Grow the rows (new memory, contents rebuilt by the caller). */
static int reshape(struct dp_fib *f, uint32_t rows, uint32_t stride)
{
	size_t bytes = (size_t)rows * stride * sizeof(dp_action_t);
	dp_action_t *res = rte_malloc_socket("rsemu_res", bytes, 64,
					     f->socket_id);

	if (!res)
		return -ENOMEM;
	rte_free(f->res);
	f->res = res;
	f->rows = rows;
	f->stride = stride;
	f->res_bytes = bytes;
	for (uint32_t i = 0; i < stride; i++)
		res[i] = DP_ACT_NO_TABLE;
	return 0;
}

/* The FIB holds, at every index in the list, the union's prefix. */
static int sync_fib_idx(struct dp_fib *f, const struct dp_union *u,
			const uint32_t *idx, uint32_t n, bool all)
{
	uint32_t end = all ? (u->hwm > f->have_hwm ? u->hwm : f->have_hwm)
			   : n;
	int rc;

	/* Deletions first: a prefix may have moved to another index. */
	for (uint32_t j = all ? 1 : 0; j < end; j++) {
		uint32_t i = all ? j : idx[j];
		uint64_t h = f->have[i];

		if (i == 0 || h == DP_U64MAP_EMPTY || h == u->key[i])
			continue;
		rc = rte_fib_delete(f->fib, key_addr(h), key_len(h));
		if (rc < 0 && rc != -ENOENT)
			return rc;
		f->have[i] = DP_U64MAP_EMPTY;
	}
	for (uint32_t j = all ? 1 : 0; j < end; j++) {
		uint32_t i = all ? j : idx[j];
		uint64_t k = u->key[i];

		if (i == 0 || k == DP_U64MAP_EMPTY || f->have[i] == k)
			continue;
		rc = rte_fib_add(f->fib, key_addr(k), key_len(k), i);
		if (rc < 0)
			return rc;
		f->have[i] = k;
	}
	if (u->hwm > f->have_hwm)
		f->have_hwm = u->hwm;
	return 0;
}

/* The table's action for its longest prefix strictly shorter than len
 * that contains addr. */
static dp_action_t lpm_above(const struct dp_shadow *sh, uint16_t table,
			     uint32_t addr, uint8_t len)
{
	dp_action_t a;

	if (dp_shadow_table_routes(sh, table) == 0)
		return DP_ACT_NO_ROUTE;
	for (int l = (int)len - 1; l >= 0; l--)
		if (dp_shadow_route(sh, table, addr & rsemu_mask((uint8_t)l),
				    (uint8_t)l, &a))
			return a;
	return DP_ACT_NO_ROUTE;
}

/* Resolve the union positions [lo, hi) of one row, given the action
 * inherited from above the range. A stack holds the table's prefixes that
 * contain the current one (at most 33, one per length). */
static void resolve_range(dp_action_t *row, const struct dp_union *u,
			  const struct dp_shadow *sh, uint16_t table,
			  uint32_t lo, uint32_t hi, dp_action_t above)
{
	uint64_t sk[33];
	dp_action_t sa[33];
	int sp = 0;

	if (dp_shadow_table_routes(sh, table) == 0) {
		for (uint32_t p = lo; p < hi; p++)
			row[u->order[p]] = above;
		return;
	}
	for (uint32_t p = lo; p < hi; p++) {
		uint32_t i = u->order[p];
		uint64_t k = u->key[i];
		dp_action_t a;

		while (sp > 0 && !key_contains(sk[sp - 1], k))
			sp--;
		if (dp_shadow_route(sh, table, key_addr(k), key_len(k), &a)) {
			sk[sp] = k;
			sa[sp++] = a;
			row[i] = a;
		} else {
			row[i] = sp ? sa[sp - 1] : above;
		}
	}
}

/* Column 0 (no union prefix but 0/0) holds the table's 0/0 route. */
static dp_action_t resolve_default(dp_action_t *row, const struct dp_shadow *sh,
				   uint16_t table)
{
	dp_action_t a;

	if (!dp_shadow_route(sh, table, 0, 0, &a))
		a = DP_ACT_NO_ROUTE;
	row[0] = a;
	return a;
}

static void resolve_row(struct dp_fib *f, const struct dp_union *u,
			const struct dp_shadow *sh, uint16_t table)
{
	dp_action_t *row = row_of(f, table);

	resolve_range(row, u, sh, table, 0, u->n_order,
		      resolve_default(row, sh, table));
}

#define DP_ACT_UNSET 0xFFFFu /* not an action: type 15 has group 0 */

struct place_ctx {
	struct dp_fib *f;
	const struct dp_union *u;
	int rc;
};

static int place_route(void *vctx, uint16_t table, uint32_t addr,
		       uint8_t len, dp_action_t act)
{
	struct place_ctx *c = vctx;
	const uint64_t *idx = dp_u64map_get(&c->u->map,
					    dp_union_key(addr, len));

	if (!idx || table + 1u >= c->f->rows) {
		c->rc = -EINVAL; /* union or rows behind the shadow: a bug */
		return 1;
	}
	row_of(c->f, table)[*idx] = act;
	return 0;
}

/* Every row from scratch without probing the shadow per union prefix: per
 * table, place each of its routes at its union index, then let the unset
 * entries inherit from the table's enclosing prefix, in union order with a
 * stack. A table's map and row stay in cache meanwhile. */
static int resolve_all(struct dp_fib *f, const struct dp_union *u,
		       const struct dp_shadow *sh)
{
	struct place_ctx c = {f, u, 0};

	for (uint32_t t = 0; t + 1 < f->rows; t++) {
		dp_action_t *row = row_of(f, t);
		bool any = dp_shadow_table_routes(sh, (uint16_t)t) > 0;
		uint64_t sk[33];
		dp_action_t sa[33];
		int sp = 0;

		for (uint32_t i = 0; i < u->hwm; i++)
			row[i] = any ? DP_ACT_UNSET : DP_ACT_NO_ROUTE;
		row[0] = DP_ACT_NO_ROUTE;
		if (!any)
			continue;
		dp_shadow_foreach_table_route(sh, (uint16_t)t, place_route, &c);
		if (c.rc < 0)
			return c.rc;
		for (uint32_t p = 0; p < u->n_order; p++) {
			uint32_t i = u->order[p];
			uint64_t k = u->key[i];

			while (sp > 0 && !key_contains(sk[sp - 1], k))
				sp--;
			if (row[i] != DP_ACT_UNSET) {
				sk[sp] = k;
				sa[sp++] = row[i];
			} else {
				row[i] = sp ? sa[sp - 1] : row[0];
			}
		}
	}
	return 0;
}

/* Every union prefix inside p, i.e. order positions [lo, hi). */
static void range_of(const struct dp_union *u, uint32_t addr, uint8_t len,
		     uint32_t *lo, uint32_t *hi)
{
	uint32_t last = addr | ~rsemu_mask(len);

	*lo = lower_bound(u, dp_union_key(addr, len));
	*hi = last == 0xFFFFFFFFu ? u->n_order
				  : lower_bound(u, dp_union_key(last + 1, 0));
}

/* The longest union prefix strictly containing k: 0 for none or 0/0. */
static uint32_t union_parent(const struct dp_union *u, uint64_t k)
{
	uint32_t addr = key_addr(k);

	for (int l = (int)key_len(k) - 1; l >= 0; l--) {
		const uint64_t *v = dp_u64map_get(
			&u->map, dp_union_key(addr & rsemu_mask((uint8_t)l),
					      (uint8_t)l));
		if (v)
			return (uint32_t)*v;
	}
	return 0;
}

static int cmp_route_key(const void *a, const void *b)
{
	const struct dp_route_key *x = a, *y = b;
	uint64_t kx = ((uint64_t)x->table << 40) | dp_union_key(x->addr, x->len);
	uint64_t ky = ((uint64_t)y->table << 40) | dp_union_key(y->addr, y->len);

	return kx < ky ? -1 : kx > ky;
}

static int cmp_idx_by_len(const void *a, const void *b, void *vu)
{
	const struct dp_union *u = vu;
	uint64_t ka = u->key[*(const uint32_t *)a];
	uint64_t kb = u->key[*(const uint32_t *)b];
	int la = ka == DP_U64MAP_EMPTY ? 99 : key_len(ka);
	int lb = kb == DP_U64MAP_EMPTY ? 99 : key_len(kb);

	return la - lb;
}

int dp_fib_sync(struct dp_fib *f, const struct dp_union *u,
		const struct dp_shadow *sh, struct dp_fib_pending *p)
{
	uint32_t span = dp_shadow_table_span(sh);
	uint32_t tables = f->rows ? f->rows - 1 : 0;
	bool full = p->full;
	int rc;

	/* Grow the rows when tables or union indices outgrew them, with
	 * slack so that growing stays rare; a new shape is built in full. */
	if (!f->res || span > tables || u->hwm > f->stride) {
		uint32_t rows = span > tables ? span + span / 4 + 8 : tables;
		uint32_t stride = u->hwm > f->stride ? u->hwm + u->hwm / 4
						     : f->stride;

		if (rows > RSEMU_RING_MAX_TABLES)
			rows = RSEMU_RING_MAX_TABLES;
		if (stride < 1024)
			stride = 1024;
		if (stride > f->cap)
			stride = f->cap;
		stride = (stride + 31) & ~31u;
		rc = reshape(f, rows + 1, stride);
		if (rc < 0)
			return rc;
		full = p->full = true;
	}

	rc = sync_fib_idx(f, u, p->idx, p->n_idx, full);
	if (rc < 0)
		return rc;

	if (full)
		return resolve_all(f, u, sh);

	/* New columns inherit from their parent prefix, parents first; the
	 * tables that hold the new prefix are fixed by the ranges below. */
	if (p->n_idx)
		qsort_r(p->idx, p->n_idx, sizeof(*p->idx), cmp_idx_by_len,
			(void *)u);
	for (uint32_t j = 0; j < p->n_idx; j++) {
		uint32_t i = p->idx[j], par;

		if (i == 0 || u->key[i] == DP_U64MAP_EMPTY)
			continue;
		/* par 0: no parent but maybe 0/0, both held in column 0. */
		par = union_parent(u, u->key[i]);
		for (uint32_t t = 0; t + 1 < f->rows; t++) {
			dp_action_t *row = row_of(f, t);

			row[i] = row[par];
		}
	}

	/* Changed routes, grouped by table: re-resolve the subtree under
	 * each changed prefix, or the whole row when that is cheaper. */
	if (p->n_routes)
		qsort(p->routes, p->n_routes, sizeof(*p->routes),
		      cmp_route_key);
	for (uint32_t a = 0; a < p->n_routes;) {
		uint16_t t = p->routes[a].table;
		uint32_t b = a;

		while (b < p->n_routes && p->routes[b].table == t)
			b++;
		if (t + 1u >= f->rows) {
			/* Beyond this copy's rows: the table came and went
			 * while this copy was standby; it is empty now. */
		} else if (b - a > u->n_order / 16 + 1) {
			resolve_row(f, u, sh, t);
		} else {
			for (uint32_t j = a; j < b; j++) {
				const struct dp_route_key *r = &p->routes[j];
				uint32_t lo, hi;

				if (j > a && cmp_route_key(r, r - 1) == 0)
					continue;
				range_of(u, r->addr, r->len, &lo, &hi);
				resolve_range(row_of(f, t), u, sh, t, lo, hi,
					      r->len == 0
						      ? resolve_default(
							      row_of(f, t), sh, t)
						      : lpm_above(sh, t, r->addr,
								  r->len));
			}
		}
		a = b;
	}
	return 0;
}
