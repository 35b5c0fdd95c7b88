/* The Adj-RIB-Out of adj_out.h: recompute a prefix, compare with what was
 * sent, queue the difference, and turn the queue into UPDATEs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adj_out.h"

#define LOCAL_PREF_IBGP 100u

/* --- what a path looks like when we send it ---------------------------- */

struct rs_attrs *rs_adv_attrs(const struct rs_attrs *src, uint32_t local_ip,
			      bool ibgp)
{
	struct rs_attrs_spec s = {
		.origin = src->origin,
		.atomic_aggregate = src->atomic_aggregate,
		.next_hop = local_ip,
		.n_communities = src->n_communities,
		.communities = src->communities,
		.n_raw = src->n_raw,
		.raw = src->raw,
		.n_segs = src->n_segs,
		.segs = src->segs,
		.asns = src->asns,
	};
	if (ibgp) {
		s.has_local_pref = true;
		s.local_pref = LOCAL_PREF_IBGP;
		s.has_med = src->has_med;
		s.med = src->med;
		return rs_attrs_new(&s);
	}
	/* eBGP: 65515 goes in front of the first AS_SEQUENCE, or in a new
	 * one when the path starts with a set or a full sequence. */
	struct rs_as_seg *segs = malloc((src->n_segs + 1u) * sizeof(*segs));
	uint32_t *asns = malloc((src->n_asns + 1u) * sizeof(*asns));
	struct rs_attrs *a = NULL;
	if (segs != NULL && asns != NULL) {
		bool merge = src->n_segs > 0 && src->segs[0].type == RS_AS_SEQUENCE &&
			     src->segs[0].len < 255;
		if (merge) {
			memcpy(segs, src->segs, src->n_segs * sizeof(*segs));
			segs[0].len++;
		} else {
			segs[0] = (struct rs_as_seg){RS_AS_SEQUENCE, 1};
			memcpy(segs + 1, src->segs, src->n_segs * sizeof(*segs));
		}
		asns[0] = RSEMU_RS_ASN;
		memcpy(asns + 1, src->asns, src->n_asns * sizeof(*asns));
		s.n_segs = (uint16_t)(src->n_segs + !merge);
		s.segs = segs;
		s.asns = asns;
		a = rs_attrs_new(&s);
	}
	free(segs);
	free(asns);
	return a;
}

struct rs_attrs *rs_adv_space_attrs(uint32_t local_ip, bool ibgp)
{
	static const struct rs_as_seg seg = {RS_AS_SEQUENCE, 1};
	static const uint32_t asn = RSEMU_RS_ASN;
	struct rs_attrs_spec s = {
		.origin = RS_ORIGIN_IGP,
		.next_hop = local_ip,
		.has_local_pref = ibgp,
		.local_pref = ibgp ? LOCAL_PREF_IBGP : 0,
		.n_segs = ibgp ? 0 : 1,
		.segs = ibgp ? NULL : &seg,
		.asns = ibgp ? NULL : &asn,
	};
	return rs_attrs_new(&s);
}

/* --- per-batch cache: RIB path -> path as sent ------------------------- */

/* Prefixes sharing a RIB path share the advertised path too, so they end
 * up in the same UPDATE. Keys hold a reference, so an address cannot be
 * reused by another path while cached. */
struct rs_adv_cache {
	struct { struct rs_attrs *src, *out; } *v;
	size_t cap, n;
};

static size_t ptr_slot(const void *p, size_t cap)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 20) &
	       (cap - 1);
}

static void cache_clear(struct rs_adv_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		rs_attrs_unref(c->v[i].src);
		rs_attrs_unref(c->v[i].out);
	}
	free(c->v);
	*c = (struct rs_adv_cache){0};
}

static size_t cache_find(const struct rs_adv_cache *c, const void *src)
{
	size_t i = ptr_slot(src, c->cap);
	while (c->v[i].src != NULL && c->v[i].src != src)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int cache_grow(struct rs_adv_cache *c)
{
	struct rs_adv_cache nc = {.cap = c->cap ? c->cap * 2 : 16, .n = c->n};
	nc.v = calloc(nc.cap, sizeof(*nc.v));
	if (nc.v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->v[i].src != NULL)
			nc.v[cache_find(&nc, c->v[i].src)] = c->v[i];
	free(c->v);
	*c = nc;
	return 0;
}

/* The advertised form of src (borrowed from the cache), NULL on ENOMEM. */
static struct rs_attrs *cache_get(struct rs_adj_out *o, struct rs_attrs *src)
{
	struct rs_adv_cache *c = o->cache;
	if ((c->n + 1) * 2 > c->cap && cache_grow(c) < 0)
		return NULL;
	size_t i = cache_find(c, src);
	if (c->v[i].src == NULL) {
		struct rs_attrs *out = rs_adv_attrs(src, o->tgt.local_ip,
						    o->tgt.ibgp);
		if (out == NULL)
			return NULL;
		c->v[i].src = rs_attrs_ref(src);
		c->v[i].out = out;
		c->n++;
	}
	return c->v[i].out;
}

/* --- the Adj-RIB-Out ----------------------------------------------------- */

int rs_adj_out_init(struct rs_adj_out *o, const struct rs_adv_target *t)
{
	memset(o, 0, sizeof(*o));
	o->tgt = *t;
	o->cache = calloc(1, sizeof(*o->cache));
	o->space_attrs = rs_adv_space_attrs(t->local_ip, t->ibgp);
	if (o->cache == NULL || o->space_attrs == NULL) {
		rs_adj_out_free(o);
		return -ENOMEM;
	}
	return 0;
}

void rs_adj_out_reset(struct rs_adj_out *o)
{
	rs_adj_rib_clear(&o->sent);
	o->n_pending = 0;
	if (o->cache != NULL)
		cache_clear(o->cache);
}

void rs_adj_out_free(struct rs_adj_out *o)
{
	rs_adj_out_reset(o);
	free(o->cache);
	free(o->pending);
	rs_attrs_unref(o->space_attrs);
	memset(o, 0, sizeof(*o));
}

static bool is_space(const struct rs_adv_target *t, struct rsemu_prefix p)
{
	size_t lo = 0, hi = t->n_spaces;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = rsemu_prefix_cmp(t->spaces[mid], p);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int push_pending(struct rs_adj_out *o, struct rsemu_prefix p)
{
	if (o->n_pending == o->cap_pending) {
		size_t cap = o->cap_pending ? o->cap_pending * 2 : 64;
		struct rsemu_prefix *v = realloc(o->pending, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		o->pending = v;
		o->cap_pending = cap;
	}
	o->pending[o->n_pending++] = p;
	return 0;
}

/* Records that p is now advertised as out (from RIB path src), or not at
 * all (out NULL), and queues p for the next flush. */
static int record(struct rs_adj_out *o, struct rsemu_prefix p,
		  struct rs_attrs *out, struct rs_attrs *src)
{
	if (out == NULL)
		rs_adj_rib_del(&o->sent, p);
	else if (rs_adj_rib_set(&o->sent, p, out, src) < 0)
		return -ENOMEM;
	return push_pending(o, p);
}

/* The learned path advertised for p (C2-C5), or NULL. */
static struct rs_attrs *rib_source(const struct rs_adv_target *t,
				   const struct rs_dest *d)
{
	if (d == NULL)
		return NULL;
	int src = rs_rib_adv_source(t->rib, d, t->peer);
	return src >= 0 ? d->path[src] : NULL;
}

static int update_dest(struct rs_adj_out *o, struct rsemu_prefix p,
		       const struct rs_dest *d)
{
	struct rs_adj_entry *e = rs_adj_rib_get(&o->sent, p);
	if (is_space(&o->tgt, p)) {
		/* C1; C5 keeps learned routes for it out of the way. */
		if (e != NULL && e->attrs == o->space_attrs)
			return 0;
		return record(o, p, o->space_attrs, NULL);
	}
	struct rs_attrs *src = rib_source(&o->tgt, d);
	if (src == NULL)
		return e != NULL ? record(o, p, NULL, NULL) : 0;
	if (e != NULL && e->src == src)
		return 0; /* the same RIB path: the same advertisement */
	struct rs_attrs *out = cache_get(o, src);
	if (out == NULL)
		return -ENOMEM;
	if (e != NULL && rs_attrs_equal(e->attrs, out)) {
		/* Another path that looks the same once sent: not resent. */
		rs_attrs_unref(e->src);
		e->src = rs_attrs_ref(src);
		return 0;
	}
	return record(o, p, out, src);
}

int rs_adj_out_update(struct rs_adj_out *o, struct rsemu_prefix p)
{
	return update_dest(o, p, rs_rib_find(o->tgt.rib, p));
}

int rs_adj_out_queue_all(struct rs_adj_out *o)
{
	for (size_t i = 0; i < o->tgt.n_spaces; i++)
		if (update_dest(o, o->tgt.spaces[i], NULL) < 0)
			return -ENOMEM;
	size_t n = rs_rib_count(o->tgt.rib);
	const struct rs_dest **d = malloc((n ? n : 1) * sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	n = rs_rib_dests(o->tgt.rib, d);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = update_dest(o, d[i]->prefix, d[i]);
	free(d);
	return rc;
}

/* --- building the UPDATEs ---------------------------------------------- */

struct ann {
	struct rsemu_prefix p;
	struct rs_attrs *a;
};

static int cmp_prefix(const void *x, const void *y)
{
	return rsemu_prefix_cmp(*(const struct rsemu_prefix *)x,
				*(const struct rsemu_prefix *)y);
}

static int cmp_ann(const void *x, const void *y)
{
	const struct ann *a = x, *b = y;
	if (a->a != b->a)
		return (uintptr_t)a->a < (uintptr_t)b->a ? -1 : 1;
	return rsemu_prefix_cmp(a->p, b->p);
}

/* Sorts and deduplicates the queue; returns its new length. */
static size_t pending_unique(struct rs_adj_out *o)
{
	qsort(o->pending, o->n_pending, sizeof(*o->pending), cmp_prefix);
	size_t n = 0;
	for (size_t i = 0; i < o->n_pending; i++)
		if (n == 0 || !rsemu_prefix_eq(o->pending[n - 1], o->pending[i]))
			o->pending[n++] = o->pending[i];
	return n;
}

/* One group of prefixes sharing attributes. A group whose attributes fit
 * no UPDATE is dropped from the Adj-RIB-Out (counted), not retried. */
static int send_group(struct rs_adj_out *o, const struct rsemu_prefix *v,
		      size_t n, struct rs_attrs *a,
		      const struct rs_bgp_update_opts *opts,
		      rs_bgp_emit_fn emit, void *ctx)
{
	int r = rs_bgp_update_build(NULL, 0, v, n, a, opts, emit, ctx);
	if (r != -EMSGSIZE)
		return r;
	for (size_t i = 0; i < n; i++)
		rs_adj_rib_del(&o->sent, v[i]);
	o->dropped_oversize += n;
	return 0;
}

static int send_announcements(struct rs_adj_out *o, struct ann *ann, size_t n,
			      struct rsemu_prefix *buf,
			      const struct rs_bgp_update_opts *opts,
			      rs_bgp_emit_fn emit, void *ctx)
{
	qsort(ann, n, sizeof(*ann), cmp_ann);
	int msgs = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		for (; j < n && ann[j].a == ann[i].a; j++)
			buf[j - i] = ann[j].p;
		int r = send_group(o, buf, j - i, ann[i].a, opts, emit, ctx);
		if (r < 0)
			return r;
		msgs += r;
		i = j;
	}
	return msgs;
}

int rs_adj_out_flush(struct rs_adj_out *o, const struct rs_bgp_update_opts *opts,
		     rs_bgp_emit_fn emit, void *ctx)
{
	size_t n = pending_unique(o);
	struct rsemu_prefix *wd = malloc((n ? n : 1) * sizeof(*wd));
	struct ann *ann = malloc((n ? n : 1) * sizeof(*ann));
	int rc = -ENOMEM;
	if (wd == NULL || ann == NULL)
		goto out;
	size_t n_wd = 0, n_ann = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rs_adj_entry *e = rs_adj_rib_get(&o->sent, o->pending[i]);
		if (e == NULL)
			wd[n_wd++] = o->pending[i];
		else
			ann[n_ann++] = (struct ann){e->prefix, e->attrs};
	}
	rc = 0;
	if (n_wd > 0)
		rc = rs_bgp_update_build(wd, n_wd, NULL, 0, NULL, opts, emit, ctx);
	if (rc >= 0 && n_ann > 0) {
		int r = send_announcements(o, ann, n_ann, wd, opts, emit, ctx);
		rc = r < 0 ? r : rc + r;
	}
out:
	free(wd);
	free(ann);
	o->n_pending = 0;
	cache_clear(o->cache);
	return rc;
}

int rs_adj_out_initial(struct rs_adj_out *o,
		       const struct rs_bgp_update_opts *opts,
		       rs_bgp_emit_fn emit, void *ctx)
{
	int rc = rs_adj_out_queue_all(o);
	if (rc < 0)
		return rc;
	rc = rs_adj_out_flush(o, opts, emit, ctx);
	if (rc < 0)
		return rc;
	uint8_t eor[RS_BGP_HEADER_LEN + 4];
	int len = rs_bgp_eor_build(eor, sizeof(eor));
	int r = emit(ctx, eor, (size_t)len);
	return r < 0 ? r : rc + 1;
}

int rs_adj_out_resend(struct rs_adj_out *o,
		      const struct rs_bgp_update_opts *opts,
		      rs_bgp_emit_fn emit, void *ctx)
{
	for (const struct rs_adj_entry *e = rs_adj_rib_first(&o->sent); e;
	     e = rs_adj_rib_next(&o->sent, e))
		if (push_pending(o, e->prefix) < 0)
			return -ENOMEM;
	return rs_adj_out_flush(o, opts, emit, ctx);
}
