/* The shadow state (see shadow.h): applies checked ring messages to plain
 * C tables, keeps the change list of the open transaction, and on the
 * COMMIT that ends a BEGIN_SYNC replay sweeps everything not re-sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shadow.h"
#include "u64map.h"

struct dp_group_slot {
	struct dp_ecmp_group g;
	bool present;
	uint32_t gen;
};

struct dp_shadow {
	struct dp_shadow_limits lim;
	/* Per table (small maps: a table's probes stay in cache), prefix key
	 * -> gen << 16 | action; a table's map is allocated on first use. */
	struct dp_u64map routes[RSEMU_RING_MAX_TABLES];
	uint32_t n_routes;
	struct dp_u64map prefixes; /* prefix key -> tables holding it */
	uint32_t troutes[RSEMU_RING_MAX_TABLES];
	uint32_t tbinds[RSEMU_RING_MAX_TABLES];
	struct dp_group_slot *groups; /* [RSEMU_RING_MAX_GROUPS] */
	uint16_t *bind;               /* [RSEMU_RING_MAX_SUBNETS] */
	uint32_t *bind_gen;
	uint32_t n_groups, n_bound;
	uint32_t gen; /* bumped by BEGIN_SYNC; every entry set is stamped */
	bool syncing;

	/* The open transaction's change list. */
	struct dp_route_key *ch_routes;
	uint32_t n_ch_routes, cap_ch_routes;
	uint16_t *ch_groups;
	uint32_t n_ch_groups, cap_ch_groups;
	uint32_t *ch_subnets;
	uint32_t n_ch_subnets, cap_ch_subnets;
	struct dp_changes view;

	struct dp_shadow_stats st;
};

static uint64_t prefix_key(uint32_t addr, uint8_t len)
{
	return ((uint64_t)len << 32) | addr;
}

int dp_shadow_create(const struct dp_shadow_limits *limits,
		     struct dp_shadow **out)
{
	struct dp_shadow *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (limits) {
		s->lim = *limits;
	} else {
		s->lim.max_routes = RSEMU_RING_MAX_ROUTES;
		s->lim.max_prefixes = RSEMU_RING_MAX_PREFIXES;
	}
	if (s->lim.max_routes == 0 || s->lim.max_routes > RSEMU_RING_MAX_ROUTES ||
	    s->lim.max_prefixes == 0 ||
	    s->lim.max_prefixes > RSEMU_RING_MAX_PREFIXES) {
		free(s);
		return -EINVAL;
	}
	s->groups = calloc(RSEMU_RING_MAX_GROUPS, sizeof(*s->groups));
	s->bind = malloc(RSEMU_RING_MAX_SUBNETS * sizeof(*s->bind));
	s->bind_gen = calloc(RSEMU_RING_MAX_SUBNETS, sizeof(*s->bind_gen));
	if (!s->groups || !s->bind || !s->bind_gen ||
	    dp_u64map_init(&s->prefixes, 1024) < 0) {
		dp_shadow_free(s);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < RSEMU_RING_MAX_SUBNETS; i++)
		s->bind[i] = RSEMU_TABLE_NONE;
	s->gen = 1;
	dp_shadow_changes_done(s);
	*out = s;
	return 0;
}

void dp_shadow_free(struct dp_shadow *s)
{
	if (!s)
		return;
	for (uint32_t t = 0; t < RSEMU_RING_MAX_TABLES; t++)
		if (s->routes[t].e)
			dp_u64map_fini(&s->routes[t]);
	if (s->prefixes.e)
		dp_u64map_fini(&s->prefixes);
	free(s->groups);
	free(s->bind);
	free(s->bind_gen);
	free(s->ch_routes);
	free(s->ch_groups);
	free(s->ch_subnets);
	free(s);
}

/* ---- the change list ---- */

static int reserve(void **arr, uint32_t *cap, uint32_t need, size_t esize)
{
	uint32_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * esize);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int reserve_route_change(struct dp_shadow *s)
{
	return reserve((void **)&s->ch_routes, &s->cap_ch_routes,
		       s->n_ch_routes + 1, sizeof(*s->ch_routes));
}

/* Space is reserved before the change is made, so recording never fails
 * half-way; only a sweep can run out, and then the list says "full". */
static void note_route(struct dp_shadow *s, uint16_t table, uint32_t addr,
		       uint8_t len)
{
	if (reserve_route_change(s) < 0) {
		s->view.full = true;
		return;
	}
	s->ch_routes[s->n_ch_routes++] = (struct dp_route_key){
		.addr = addr, .table = table, .len = len};
}

static void note_group(struct dp_shadow *s, uint16_t g)
{
	if (reserve((void **)&s->ch_groups, &s->cap_ch_groups,
		    s->n_ch_groups + 1, sizeof(*s->ch_groups)) < 0) {
		s->view.full = true;
		return;
	}
	s->ch_groups[s->n_ch_groups++] = g;
}

static void note_subnet(struct dp_shadow *s, uint32_t subnet)
{
	if (reserve((void **)&s->ch_subnets, &s->cap_ch_subnets,
		    s->n_ch_subnets + 1, sizeof(*s->ch_subnets)) < 0) {
		s->view.full = true;
		return;
	}
	s->ch_subnets[s->n_ch_subnets++] = subnet;
}

const struct dp_changes *dp_shadow_changes(const struct dp_shadow *s)
{
	return &s->view;
}

void dp_shadow_changes_done(struct dp_shadow *s)
{
	s->n_ch_routes = s->n_ch_groups = s->n_ch_subnets = 0;
	memset(&s->view, 0, sizeof(s->view));
}

/* ---- applying messages ---- */

static int route_add(struct dp_shadow *s, uint16_t table, uint32_t addr,
		     uint8_t len, dp_action_t act)
{
	struct dp_u64map *m = &s->routes[table];
	uint64_t pk = prefix_key(addr, len);
	uint64_t val = ((uint64_t)s->gen << 16) | act;
	uint64_t *v = m->e ? dp_u64map_get(m, pk) : NULL, *refs;

	if (v) {
		bool same = (dp_action_t)(*v & 0xFFFF) == act;

		if (!same && reserve_route_change(s) < 0)
			return -ENOMEM;
		*v = val;
		if (!same)
			note_route(s, table, addr, len);
		return 0;
	}
	refs = dp_u64map_get(&s->prefixes, pk);
	if (s->n_routes >= s->lim.max_routes ||
	    (!refs && s->prefixes.n >= s->lim.max_prefixes))
		return -ENOSPC;
	if (reserve_route_change(s) < 0)
		return -ENOMEM;
	if (!m->e && dp_u64map_init(m, 16) < 0)
		return -ENOMEM;
	if (dp_u64map_put(m, pk, val) < 0)
		return -ENOMEM;
	refs = dp_u64map_get(&s->prefixes, pk);
	if (refs) {
		(*refs)++;
	} else if (dp_u64map_put(&s->prefixes, pk, 1) < 0) {
		dp_u64map_del(m, pk);
		return -ENOMEM;
	}
	s->troutes[table]++;
	s->n_routes++;
	note_route(s, table, addr, len);
	return 0;
}

/* Remove a route known to exist (the caller found or is iterating it). */
static void route_forget(struct dp_shadow *s, uint16_t table, uint32_t addr,
			 uint8_t len)
{
	uint64_t pk = prefix_key(addr, len);
	uint64_t *refs = dp_u64map_get(&s->prefixes, pk);

	if (refs && --*refs == 0)
		dp_u64map_del(&s->prefixes, pk);
	s->troutes[table]--;
	s->n_routes--;
	note_route(s, table, addr, len);
}

static int route_del(struct dp_shadow *s, uint16_t table, uint32_t addr,
		     uint8_t len)
{
	if (reserve_route_change(s) < 0)
		return -ENOMEM;
	if (!s->routes[table].e ||
	    !dp_u64map_del(&s->routes[table], prefix_key(addr, len))) {
		s->st.del_missing++;
		return 0;
	}
	route_forget(s, table, addr, len);
	return 0;
}

static int group_set(struct dp_shadow *s, uint16_t gid,
		     const uint32_t *members, unsigned n)
{
	struct dp_group_slot *slot = &s->groups[gid];
	struct dp_ecmp_group g;
	int rc;

	if (slot->present) {
		g = slot->g;
		rc = dp_ecmp_group_update(&g, members, n);
	} else {
		rc = dp_ecmp_group_fill(&g, members, n);
	}
	if (rc < 0)
		return rc;
	slot->gen = s->gen;
	if (slot->present && memcmp(&g, &slot->g, sizeof(g)) == 0)
		return 0;
	if (reserve((void **)&s->ch_groups, &s->cap_ch_groups,
		    s->n_ch_groups + 1, sizeof(*s->ch_groups)) < 0)
		return -ENOMEM;
	if (!slot->present)
		s->n_groups++;
	slot->g = g;
	slot->present = true;
	note_group(s, gid);
	return 0;
}

static void group_forget(struct dp_shadow *s, uint16_t gid)
{
	struct dp_group_slot *slot = &s->groups[gid];

	memset(&slot->g, 0, sizeof(slot->g));
	slot->present = false;
	s->n_groups--;
	note_group(s, gid);
}

static int group_del(struct dp_shadow *s, uint16_t gid)
{
	if (!s->groups[gid].present) {
		s->st.del_missing++;
		return 0;
	}
	if (reserve((void **)&s->ch_groups, &s->cap_ch_groups,
		    s->n_ch_groups + 1, sizeof(*s->ch_groups)) < 0)
		return -ENOMEM;
	group_forget(s, gid);
	return 0;
}

static void bind_set(struct dp_shadow *s, uint32_t subnet, uint16_t table)
{
	uint16_t old = s->bind[subnet];

	if (old != RSEMU_TABLE_NONE) {
		s->tbinds[old]--;
		s->n_bound--;
	}
	if (table != RSEMU_TABLE_NONE) {
		s->tbinds[table]++;
		s->n_bound++;
	}
	s->bind[subnet] = table;
	note_subnet(s, subnet);
}

static int bind(struct dp_shadow *s, uint32_t subnet, uint16_t table)
{
	s->bind_gen[subnet] = s->gen;
	if (s->bind[subnet] == table)
		return 0;
	if (reserve((void **)&s->ch_subnets, &s->cap_ch_subnets,
		    s->n_ch_subnets + 1, sizeof(*s->ch_subnets)) < 0)
		return -ENOMEM;
	bind_set(s, subnet, table);
	return 0;
}

/* End of a replay: drop everything not stamped with the replay's
 * generation. */
static void sweep(struct dp_shadow *s)
{
	for (uint32_t t = 0; t < RSEMU_RING_MAX_TABLES; t++) {
		struct dp_u64map *m = &s->routes[t];
		struct dp_u64map_ent *e;
		uint32_t i = 0;

		if (!m->e)
			continue;
		while (dp_u64map_next(m, &i, &e)) {
			uint64_t k = e->key;

			if ((uint32_t)(e->val >> 16) == s->gen)
				continue;
			dp_u64map_del_at(m, &i);
			route_forget(s, (uint16_t)t, (uint32_t)k,
				     (uint8_t)(k >> 32));
			s->st.swept_routes++;
		}
	}
	for (uint32_t g = 0; g < RSEMU_RING_MAX_GROUPS; g++) {
		if (s->groups[g].present && s->groups[g].gen != s->gen) {
			group_forget(s, (uint16_t)g);
			s->st.swept_groups++;
		}
	}
	for (uint32_t n = 0; n < RSEMU_RING_MAX_SUBNETS; n++) {
		if (s->bind[n] != RSEMU_TABLE_NONE && s->bind_gen[n] != s->gen) {
			bind_set(s, n, RSEMU_TABLE_NONE);
			s->st.swept_bindings++;
		}
	}
}

static int apply_checked(struct dp_shadow *s, const struct rsemu_msg *m)
{
	switch ((enum rsemu_msg_type)m->type) {
	case RSEMU_MSG_BEGIN_SYNC:
		s->gen++;
		s->syncing = true;
		s->st.syncs++;
		return 0;
	case RSEMU_MSG_TABLE_BIND:
		return bind(s, m->u.bind.subnet, m->u.bind.table);
	case RSEMU_MSG_ROUTE_ADD:
		return route_add(s, m->u.route.table, m->u.route.addr,
				 m->u.route.len,
				 dp_action_of(m->u.route.nh_type,
					      m->u.route.group));
	case RSEMU_MSG_ROUTE_DEL:
		return route_del(s, m->u.route.table, m->u.route.addr,
				 m->u.route.len);
	case RSEMU_MSG_GROUP_SET:
		return group_set(s, m->u.group.group, m->u.group.members,
				 m->u.group.n_members);
	case RSEMU_MSG_GROUP_DEL:
		return group_del(s, m->u.group.group);
	case RSEMU_MSG_COMMIT:
		if (s->syncing) {
			sweep(s);
			s->syncing = false;
			s->view.resync = true;
		}
		s->view.epoch = m->u.commit.epoch;
		s->view.event_ns = m->u.commit.event_ns;
		s->view.routes = s->ch_routes;
		s->view.n_routes = s->n_ch_routes;
		s->view.groups = s->ch_groups;
		s->view.n_groups = s->n_ch_groups;
		s->view.subnets = s->ch_subnets;
		s->view.n_subnets = s->n_ch_subnets;
		s->st.commits++;
		s->st.epoch = m->u.commit.epoch;
		return 1;
	case RSEMU_MSG__COUNT:
		break;
	}
	return -EINVAL;
}

int dp_shadow_apply(struct dp_shadow *s, const struct rsemu_msg *m,
		    enum rsemu_reject *why)
{
	enum rsemu_reject r = rsemu_msg_check(m);
	int rc;

	if (r == RSEMU_REJ_OK) {
		rc = apply_checked(s, m);
		if (rc >= 0) {
			s->st.applied[m->type]++;
			if (why)
				*why = RSEMU_REJ_OK;
			return rc;
		}
		r = rc == -EINVAL ? RSEMU_REJ_TYPE : RSEMU_REJ_NO_SPACE;
	}
	s->st.rejected[r]++;
	if (why)
		*why = r;
	return -EINVAL;
}

/* ---- queries ---- */

bool dp_shadow_route(const struct dp_shadow *s, uint16_t table,
		     uint32_t addr, uint8_t len, dp_action_t *act)
{
	const uint64_t *v;

	if (table >= RSEMU_RING_MAX_TABLES || !s->routes[table].e)
		return false;
	v = dp_u64map_get(&s->routes[table], prefix_key(addr, len));

	if (v && act)
		*act = (dp_action_t)(*v & 0xFFFF);
	return v != NULL;
}

uint32_t dp_shadow_prefix_refs(const struct dp_shadow *s, uint32_t addr,
			       uint8_t len)
{
	const uint64_t *v = dp_u64map_get(&s->prefixes, prefix_key(addr, len));

	return v ? (uint32_t)*v : 0;
}

const struct dp_ecmp_group *dp_shadow_group(const struct dp_shadow *s,
					    unsigned group)
{
	if (group >= RSEMU_RING_MAX_GROUPS || !s->groups[group].present)
		return NULL;
	return &s->groups[group].g;
}

uint16_t dp_shadow_binding(const struct dp_shadow *s, uint32_t subnet)
{
	return subnet < RSEMU_RING_MAX_SUBNETS ? s->bind[subnet]
					       : RSEMU_TABLE_NONE;
}

uint32_t dp_shadow_table_routes(const struct dp_shadow *s, uint16_t table)
{
	return table < RSEMU_RING_MAX_TABLES ? s->troutes[table] : 0;
}

uint32_t dp_shadow_table_span(const struct dp_shadow *s)
{
	for (uint32_t t = RSEMU_RING_MAX_TABLES; t > 0; t--)
		if (s->troutes[t - 1] || s->tbinds[t - 1])
			return t;
	return 0;
}

void dp_shadow_get_stats(const struct dp_shadow *s, struct dp_shadow_stats *st)
{
	*st = s->st;
	st->routes = s->n_routes;
	st->prefixes = s->prefixes.n;
	st->groups = s->n_groups;
	st->bindings = s->n_bound;
	st->syncing = s->syncing;
}

int dp_shadow_foreach_prefix(const struct dp_shadow *s,
			     int (*fn)(void *ctx, uint32_t addr, uint8_t len),
			     void *ctx)
{
	struct dp_u64map_ent *e;
	uint32_t i = 0;

	while (dp_u64map_next(&s->prefixes, &i, &e)) {
		int rc = fn(ctx, (uint32_t)e->key, (uint8_t)(e->key >> 32));

		if (rc)
			return rc;
	}
	return 0;
}

int dp_shadow_foreach_table_route(const struct dp_shadow *s, uint16_t table,
				  int (*fn)(void *ctx, uint16_t table,
					    uint32_t addr, uint8_t len,
					    dp_action_t act),
				  void *ctx)
{
	const struct dp_u64map *m;
	struct dp_u64map_ent *e;
	uint32_t i = 0;

	if (table >= RSEMU_RING_MAX_TABLES || !s->routes[table].e)
		return 0;
	m = &s->routes[table];
	while (dp_u64map_next(m, &i, &e)) {
		int rc = fn(ctx, table, (uint32_t)e->key,
			    (uint8_t)(e->key >> 32),
			    (dp_action_t)(e->val & 0xFFFF));

		if (rc)
			return rc;
	}
	return 0;
}

int dp_shadow_foreach_route(const struct dp_shadow *s,
			    int (*fn)(void *ctx, uint16_t table, uint32_t addr,
				      uint8_t len, dp_action_t act),
			    void *ctx)
{
	for (uint32_t t = 0; t < RSEMU_RING_MAX_TABLES; t++) {
		int rc = dp_shadow_foreach_table_route(s, (uint16_t)t, fn, ctx);

		if (rc)
			return rc;
	}
	return 0;
}
