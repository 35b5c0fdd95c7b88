/* Adj-RIB-In, Azure's path selection and incremental re-decision. Each
 * prefix is one rs_dest holding every peer's path; an update touches only
 * the dests it names and logs what changed for the data plane. */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "pfxset.h"
#include "rib.h"

struct rs_rib {
	const struct rsemu_topology *topo;
	void *dests;                       /* tsearch tree of struct rs_dest * */
	size_t n_dests;
	struct rs_peer_state peer[RSEMU_MAX_PEERS];
	struct rs_pfxset domain;            /* VNet spaces of the RS domain (C5) */
};

static int dest_cmp(const void *a, const void *b)
{
	const struct rs_dest *x = a, *y = b;
	return rsemu_prefix_cmp(x->prefix, y->prefix);
}

bool rs_peer_is_gateway(const struct rsemu_peer *p)
{
	return p->kind == RSEMU_PEER_EXPRESSROUTE || p->kind == RSEMU_PEER_VPN;
}

/* --- the change log --------------------------------------------------- */

void rs_changes_clear(struct rs_changes *c)
{
	c->n = 0;
}

void rs_changes_free(struct rs_changes *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

static int changes_push(struct rs_changes *c, const struct rs_change *ch)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct rs_change *v = realloc(c->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *ch;
	return 0;
}

/* --- set-up ----------------------------------------------------------- */

struct rs_rib *rs_rib_new(const struct rsemu_topology *t)
{
	struct rs_rib *rib = calloc(1, sizeof(*rib));
	if (rib == NULL)
		return NULL;
	rib->topo = t;
	for (size_t i = 0; i < t->rs.n_peers && i < RSEMU_MAX_PEERS; i++)
		rib->peer[i].up = true;
	for (size_t v = 0; v < t->n_vnets; v++) {
		if (!rs_topology_in_rs_domain(t, (int)v))
			continue;
		for (size_t k = 0; k < t->vnets[v].n_address_space; k++)
			if (rs_pfxset_add(&rib->domain,
					  t->vnets[v].address_space[k]) < 0) {
				rs_rib_free(rib);
				return NULL;
			}
	}
	rs_pfxset_seal(&rib->domain);
	return rib;
}

static void dest_free(void *p)
{
	struct rs_dest *d = p;
	for (int i = 0; i < RSEMU_MAX_PEERS; i++)
		rs_attrs_unref(d->path[i]);
	free(d);
}

void rs_rib_free(struct rs_rib *rib)
{
	if (rib == NULL)
		return;
	tdestroy(rib->dests, dest_free);
	rs_pfxset_free(&rib->domain);
	free(rib);
}

const struct rsemu_topology *rs_rib_topology(const struct rs_rib *rib)
{
	return rib->topo;
}

const struct rs_peer_state *rs_rib_peer_state(const struct rs_rib *rib,
					      int peer)
{
	return &rib->peer[peer];
}

/* C5: equal to or longer than an address space of the Route Server's
 * domain (hub and spokes using remote gateways). */
static bool in_domain(const struct rs_rib *rib, struct rsemu_prefix p)
{
	return rs_pfxset_covers(&rib->domain, p);
}

/* --- the decision (AZURE-SEMANTICS.md B2) ----------------------------- */

uint8_t rs_decide(const struct rsemu_topology *t, const struct rs_dest *d)
{
	uint8_t cand = d->present;
	if (cand == 0)
		return 0;
	uint8_t er = 0, vpn = 0, nva = 0;
	for (size_t i = 0; i < t->rs.n_peers && i < RSEMU_MAX_PEERS; i++) {
		uint8_t bit = (uint8_t)(1u << i);
		switch (t->rs.peers[i].kind) {
		case RSEMU_PEER_EXPRESSROUTE: er |= bit; break;
		case RSEMU_PEER_VPN: vpn |= bit; break;
		case RSEMU_PEER_NVA: nva |= bit; break;
		}
	}

	/* B2.1: routing preference, set per Route Server. */
	switch (t->rs.routing_preference) {
	case RSEMU_PREF_EXPRESSROUTE:
		/* ExpressRoute beats VPN gateways and NVAs. */
		if (cand & er)
			cand &= er;
		break;
	case RSEMU_PREF_VPNGATEWAY:
		/* VPN gateways and NVAs beat ExpressRoute; between them the
		 * shorter AS path wins (step 2). */
		if (cand & (vpn | nva))
			cand &= (uint8_t)(vpn | nva);
		break;
	case RSEMU_PREF_ASPATH:
		/* Shortest AS path whatever the source: step 2 alone. */
		break;
	}

	/* B2.2: the shortest AS path. */
	unsigned shortest = ~0u;
	for (int i = 0; i < RSEMU_MAX_PEERS; i++)
		if (cand & (1u << i)) {
			unsigned len = rs_attrs_path_length(d->path[i]);
			if (len < shortest)
				shortest = len;
		}
	uint8_t best = 0;
	for (int i = 0; i < RSEMU_MAX_PEERS; i++)
		if ((cand & (1u << i)) &&
		    rs_attrs_path_length(d->path[i]) == shortest)
			best |= (uint8_t)(1u << i);

	/* B2.3 and B6: every path still tied is kept (ECMP); MED, local
	 * preference, origin and router id are not used. */
	return best;
}

uint8_t rs_dest_next_hops(const struct rs_dest *d, uint32_t nh[RSEMU_MAX_PEERS])
{
	uint8_t n = 0;
	for (int i = 0; i < RSEMU_MAX_PEERS; i++) {
		if (!(d->best & (1u << i)))
			continue;
		uint32_t ip = d->path[i]->next_hop;
		uint8_t j = n;
		while (j > 0 && nh[j - 1] > ip)
			j--;
		if (j > 0 && nh[j - 1] == ip)
			continue;
		memmove(&nh[j + 1], &nh[j], (size_t)(n - j) * sizeof(*nh));
		nh[j] = ip;
		n++;
	}
	return n;
}

/* --- dests ------------------------------------------------------------ */

const struct rs_dest *rs_rib_find(const struct rs_rib *rib,
				  struct rsemu_prefix p)
{
	struct rs_dest key = {.prefix = p};
	void *const *n = tfind(&key, &rib->dests, dest_cmp);
	return n ? *(struct rs_dest *const *)n : NULL;
}

static struct rs_dest *dest_get(struct rs_rib *rib, struct rsemu_prefix p)
{
	struct rs_dest *d = (struct rs_dest *)rs_rib_find(rib, p);
	if (d != NULL)
		return d;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->prefix = p;
	d->filtered = in_domain(rib, p);
	if (tsearch(d, &rib->dests, dest_cmp) == NULL) {
		free(d);
		return NULL;
	}
	rib->n_dests++;
	return d;
}

size_t rs_rib_count(const struct rs_rib *rib)
{
	return rib->n_dests;
}

struct walk_ctx {
	const struct rs_dest **out;
	size_t n;
	int peer;           /* collect only dests with this peer's path; -1 all */
};

static void walk_collect(const void *node, VISIT v, void *arg)
{
	struct walk_ctx *w = arg;
	if (v != postorder && v != leaf)
		return;
	const struct rs_dest *d = *(const struct rs_dest *const *)node;
	if (w->peer < 0 || (d->present & (1u << w->peer)))
		w->out[w->n++] = d;
}

size_t rs_rib_dests(const struct rs_rib *rib, const struct rs_dest **out)
{
	struct walk_ctx w = {.out = out, .peer = -1};
	twalk_r(rib->dests, walk_collect, &w);
	return w.n;
}

/* Replace peer's path in d (attrs NULL = withdraw), re-decide d, log the
 * change and drop d when no peer has a path left. */
static int dest_set_path(struct rs_rib *rib, struct rs_dest *d, int peer,
			 struct rs_attrs *attrs, struct rs_changes *chg)
{
	uint8_t bit = (uint8_t)(1u << peer);
	struct rs_attrs *old = d->path[peer];
	if (old == NULL && attrs == NULL)
		return 0;
	if (old != NULL && attrs != NULL && rs_attrs_equal(old, attrs))
		return 0; /* the same route again: nothing changes */

	uint8_t old_best = d->best;
	uint32_t old_nh[RSEMU_MAX_PEERS];
	uint8_t old_n = rs_dest_next_hops(d, old_nh);
	bool best_path_changed = (old_best & bit) != 0;

	d->path[peer] = attrs ? rs_attrs_ref(attrs) : NULL;
	if (attrs)
		d->present |= bit;
	else
		d->present &= (uint8_t)~bit;
	if (old == NULL)
		rib->peer[peer].routes++;
	if (attrs == NULL)
		rib->peer[peer].routes--;
	rs_attrs_unref(old);

	d->best = rs_decide(rib->topo, d);
	best_path_changed |= (d->best & bit) != 0;

	int rc = 0;
	if (!d->filtered && (d->best != old_best || best_path_changed)) {
		struct rs_change ch = {.prefix = d->prefix};
		if (d->best == 0) {
			ch.op = RS_CHANGE_DEL;
			ch.nh_changed = true;
		} else {
			ch.op = RS_CHANGE_SET;
			ch.peers = d->best;
			ch.n_nh = rs_dest_next_hops(d, ch.nh);
			ch.nh_changed = old_best == 0 || ch.n_nh != old_n ||
					memcmp(ch.nh, old_nh,
					       old_n * sizeof(*old_nh)) != 0;
		}
		if (chg != NULL)
			rc = changes_push(chg, &ch);
	}
	if (d->present == 0) {
		tdelete(d, &rib->dests, dest_cmp);
		rib->n_dests--;
		free(d);
	}
	return rc;
}

static int withdraw_one(struct rs_rib *rib, int peer, struct rsemu_prefix p,
			struct rs_changes *chg)
{
	struct rs_dest *d = (struct rs_dest *)rs_rib_find(rib, p);
	return d ? dest_set_path(rib, d, peer, NULL, chg) : 0;
}

int rs_rib_peer_down(struct rs_rib *rib, int peer, struct rs_changes *chg)
{
	rib->peer[peer].up = false;
	size_t n = rib->peer[peer].routes;
	if (n == 0)
		return 0;
	const struct rs_dest **list = malloc(n * sizeof(*list));
	if (list == NULL)
		return -ENOMEM;
	struct walk_ctx w = {.out = list, .peer = peer};
	twalk_r(rib->dests, walk_collect, &w);
	int rc = 0;
	for (size_t i = 0; i < w.n; i++) {
		int r = dest_set_path(rib, (struct rs_dest *)list[i], peer,
				      NULL, chg);
		if (r < 0)
			rc = r;
	}
	free(list);
	return rc;
}

void rs_rib_peer_up(struct rs_rib *rib, int peer)
{
	rib->peer[peer].up = true;
	rib->peer[peer].over_limit = false;
}

int rs_rib_update(struct rs_rib *rib, int peer,
		  const struct rsemu_prefix *withdrawn, size_t n_withdrawn,
		  const struct rsemu_prefix *nlri, size_t n_nlri,
		  struct rs_attrs *attrs, struct rs_changes *chg)
{
	struct rs_peer_state *ps = &rib->peer[peer];
	if (!ps->up)
		return -ENOTCONN;
	int rc = 0;
	for (size_t i = 0; i < n_withdrawn; i++) {
		int r = withdraw_one(rib, peer, withdrawn[i], chg);
		if (r < 0)
			rc = r;
	}
	if (n_nlri == 0)
		return rc;
	if (attrs == NULL)
		return -EINVAL;
	ps->received += n_nlri;

	/* B1: a path that already holds 65515 is a loop: dropped. Like any
	 * new path for a prefix it replaces the peer's previous one. */
	if (rs_attrs_has_asn(attrs, RSEMU_RS_ASN)) {
		ps->rejected_loop += n_nlri;
		for (size_t i = 0; i < n_nlri; i++) {
			int r = withdraw_one(rib, peer, nlri[i], chg);
			if (r < 0)
				rc = r;
		}
		return rc;
	}

	/* A6: current routes plus the new prefixes of this UPDATE; over the
	 * limit the session drops and the routes are not truncated. */
	size_t fresh = 0;
	for (size_t i = 0; i < n_nlri; i++) {
		const struct rs_dest *d = rs_rib_find(rib, nlri[i]);
		if (d == NULL || d->path[peer] == NULL)
			fresh++;
	}
	uint32_t limit = rib->topo->rs.peers[peer].max_prefixes;
	if (ps->routes + fresh > limit) {
		int r = rs_rib_peer_down(rib, peer, chg);
		ps->over_limit = true;
		return r < 0 ? r : -E2BIG;
	}

	for (size_t i = 0; i < n_nlri; i++) {
		struct rs_dest *d = dest_get(rib, nlri[i]);
		if (d == NULL)
			return -ENOMEM;
		int r = dest_set_path(rib, d, peer, attrs, chg);
		if (r < 0)
			rc = r;
	}
	return rc;
}

int rs_rib_load_announcements(struct rs_rib *rib, struct rs_changes *chg)
{
	const struct rsemu_topology *t = rib->topo;
	for (size_t p = 0; p < t->rs.n_peers && p < RSEMU_MAX_PEERS; p++) {
		const struct rsemu_peer *peer = &t->rs.peers[p];
		/* Each entry is one UPDATE. */
		for (size_t i = 0; i < peer->n_announce; i++) {
			const struct rsemu_announce *a = &peer->announce[i];
			struct rs_attrs *attrs = rs_attrs_new_seq(
				RS_ORIGIN_IGP, a->next_hop, a->as_path,
				(uint16_t)a->as_path_len, a->communities,
				(uint16_t)a->n_communities);
			if (attrs == NULL)
				return -ENOMEM;
			int rc = rs_rib_update(rib, (int)p, NULL, 0, &a->prefix,
					       1, attrs, chg);
			rs_attrs_unref(attrs);
			if (rc == -ENOMEM)
				return rc;
			if (rc == -E2BIG || rc == -ENOTCONN)
				break;
		}
	}
	return 0;
}

/* --- advertisements (AZURE-SEMANTICS.md C) ---------------------------- */

int rs_rib_adv_source(const struct rs_rib *rib, const struct rs_dest *d,
		      int to)
{
	const struct rsemu_topology *t = rib->topo;
	/* C5: nothing equal to or inside a VNet space of the domain. */
	if (d->filtered || d->best == 0)
		return -1;
	bool to_gw = rs_peer_is_gateway(&t->rs.peers[to]);
	for (int i = 0; i < RSEMU_MAX_PEERS; i++) {
		if (!(d->best & (1u << i)) || i == to)
			continue;
		/* C4: NO_ADVERTISE goes to no peer, gateways included. */
		if (rs_attrs_has_community(d->path[i], RSEMU_NO_ADVERTISE))
			continue;
		/* C2/C3: NVA to NVA always; between NVAs and gateways, and
		 * between the gateways, only with branch-to-branch on. */
		bool from_gw = rs_peer_is_gateway(&t->rs.peers[i]);
		if ((from_gw || to_gw) && !t->rs.branch_to_branch)
			continue;
		return i;
	}
	return -1;
}
