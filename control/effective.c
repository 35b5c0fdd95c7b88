/* Effective routes per subnet (AZURE-SEMANTICS.md D). Candidates from
 * three sources are gathered, grouped by prefix and chosen among:
 * UDR > BGP > system for one prefix, except that VnetLocal and VNetPeering
 * beat any BGP route equal to or inside them (D5). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "pfxset.h"

/* The ranges Azure drops unless a VNet uses them (D4). */
static const struct rsemu_prefix none_ranges[] = {
	{0x0A000000u, 8},  /* 10.0.0.0/8 */
	{0xAC100000u, 12}, /* 172.16.0.0/12 */
	{0xC0A80000u, 16}, /* 192.168.0.0/16 */
	{0x64400000u, 10}, /* 100.64.0.0/10 */
};

void rs_eff_table_free(struct rs_eff_table *t)
{
	free(t->v);
	*t = (struct rs_eff_table){0};
}

static struct rs_eff_route *push(struct rs_eff_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct rs_eff_route *v = realloc(t->v, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	struct rs_eff_route *r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static const struct rsemu_route_table *
subnet_table(const struct rsemu_topology *t, int vnet, int subnet)
{
	int rt = t->vnets[vnet].subnets[subnet].route_table;
	return rt < 0 ? NULL : &t->route_tables[rt];
}

bool rs_effective_propagates(const struct rsemu_topology *t, int vnet,
			     int subnet)
{
	const struct rsemu_route_table *rt = subnet_table(t, vnet, subnet);
	/* D1: hub and spokes using remote gateways; D3: a route table with
	 * propagation off keeps Route Server and gateway routes out. */
	return rs_topology_in_rs_domain(t, vnet) &&
	       (rt == NULL || rt->propagate_gateway_routes);
}

/* Rank for the same prefix (D5.2): UDR > BGP > system. VnetLocal and
 * VNetPeering are handled apart (D5.3). */
static int rank(const struct rs_eff_route *r)
{
	switch (r->source) {
	case RSEMU_SRC_USER: return 3;
	case RSEMU_SRC_GATEWAY: return 2;
	default: return 1;
	}
}

static bool is_vnet_route(const struct rs_eff_route *r)
{
	return r->source == RSEMU_SRC_DEFAULT &&
	       (r->nh_type == RSEMU_NH_VNET_LOCAL ||
		r->nh_type == RSEMU_NH_VNET_PEERING);
}

static int by_prefix_then_rank(const void *a, const void *b)
{
	const struct rs_eff_route *x = a, *y = b;
	int c = rsemu_prefix_cmp(x->prefix, y->prefix);
	return c ? c : rank(y) - rank(x);
}

static int add_system(const struct rsemu_topology *t, int vnet,
		      const struct rsemu_route_table *rt,
		      struct rs_eff_table *out, struct rs_pfxset *vnet_routes)
{
	const struct rsemu_vnet *v = &t->vnets[vnet];
	struct rs_eff_route *r;
	/* D4: each VNet address space -> VnetLocal. */
	for (size_t i = 0; i < v->n_address_space; i++) {
		if ((r = push(out)) == NULL)
			return -ENOMEM;
		r->prefix = v->address_space[i];
		r->nh_type = RSEMU_NH_VNET_LOCAL;
		if (rs_pfxset_add(vnet_routes, r->prefix) < 0)
			return -ENOMEM;
	}
	/* D4: each peered VNet's address space -> VNetPeering. */
	for (size_t p = 0; p < t->n_peerings; p++) {
		const struct rsemu_peering *pe = &t->peerings[p];
		int other = pe->hub == vnet ? pe->spoke
			    : pe->spoke == vnet ? pe->hub : -1;
		if (other < 0)
			continue;
		const struct rsemu_vnet *o = &t->vnets[other];
		for (size_t i = 0; i < o->n_address_space; i++) {
			if ((r = push(out)) == NULL)
				return -ENOMEM;
			r->prefix = o->address_space[i];
			r->nh_type = RSEMU_NH_VNET_PEERING;
			if (rs_pfxset_add(vnet_routes, r->prefix) < 0)
				return -ENOMEM;
		}
	}
	/* D4: 0.0.0.0/0 -> Internet. */
	if ((r = push(out)) == NULL)
		return -ENOMEM;
	r->prefix = (struct rsemu_prefix){0, 0};
	r->nh_type = RSEMU_NH_INTERNET;

	/* D4: the None ranges, unless a UDR 0.0.0.0/0 to an appliance or a
	 * gateway removes them (Microsoft's worked example). A BGP-learned
	 * 0.0.0.0/0 does not: undocumented, rsemu keeps them. */
	if (rt != NULL)
		for (size_t i = 0; i < rt->n_routes; i++)
			if (rt->routes[i].prefix.len == 0 &&
			    (rt->routes[i].next_hop_type ==
				     RSEMU_NH_VIRTUAL_APPLIANCE ||
			     rt->routes[i].next_hop_type ==
				     RSEMU_NH_VNET_GATEWAY))
				return 0;
	for (size_t n = 0; n < sizeof(none_ranges) / sizeof(*none_ranges); n++) {
		bool keep = true;
		for (size_t i = 0; i < v->n_address_space; i++)
			/* Equal: the VnetLocal route above stands for it.
			 * Containing it: the None route is removed. A VNet
			 * range inside it leaves it (longest prefix wins). */
			if (rsemu_prefix_contains(v->address_space[i],
						  none_ranges[n]))
				keep = false;
		if (!keep)
			continue;
		if ((r = push(out)) == NULL)
			return -ENOMEM;
		r->prefix = none_ranges[n];
		r->nh_type = RSEMU_NH_NONE;
	}
	return 0;
}

static int add_bgp(const struct rs_rib *rib, struct rs_eff_table *out)
{
	size_t n = rs_rib_count(rib);
	if (n == 0)
		return 0;
	const struct rs_dest **d = malloc(n * sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	n = rs_rib_dests(rib, d);
	for (size_t i = 0; i < n; i++) {
		/* C5: routes equal to or inside a domain VNet space are not
		 * injected at all. */
		if (d[i]->best == 0 || d[i]->filtered)
			continue;
		struct rs_eff_route *r = push(out);
		if (r == NULL) {
			free(d);
			return -ENOMEM;
		}
		r->prefix = d[i]->prefix;
		r->source = RSEMU_SRC_GATEWAY;
		r->nh_type = RSEMU_NH_VNET_GATEWAY;
		r->n_nh = rs_dest_next_hops(d[i], r->nh);
	}
	free(d);
	return 0;
}

static int add_udrs(const struct rsemu_route_table *rt,
		    struct rs_eff_table *out)
{
	for (size_t i = 0; rt != NULL && i < rt->n_routes; i++) {
		const struct rsemu_udr *u = &rt->routes[i];
		struct rs_eff_route *r = push(out);
		if (r == NULL)
			return -ENOMEM;
		r->prefix = u->prefix;
		r->source = RSEMU_SRC_USER;
		r->nh_type = (uint8_t)u->next_hop_type;
		r->name = u->name;
		if (u->next_hop_type == RSEMU_NH_VIRTUAL_APPLIANCE) {
			r->n_nh = 1;
			r->nh[0] = u->next_hop_ip;
		}
	}
	return 0;
}

/* D5: per prefix the best-ranked candidate is Active, the rest Invalid;
 * a BGP route equal to or inside a VnetLocal/VNetPeering range is Invalid
 * whatever its length, so the VNet route keeps that traffic. */
static void choose(struct rs_eff_table *out, const struct rs_pfxset *vnet)
{
	/* out is sorted by prefix, then rank (merge_sorted). */
	for (size_t i = 0; i < out->n;) {
		size_t j = i;
		while (j < out->n &&
		       rsemu_prefix_eq(out->v[j].prefix, out->v[i].prefix))
			j++;
		/* Within [i, j) the best rank comes first; a VNet route of
		 * this prefix outranks BGP but not a UDR. */
		size_t win = i;
		if (out->v[i].source == RSEMU_SRC_GATEWAY)
			for (size_t k = i; k < j; k++)
				if (is_vnet_route(&out->v[k])) {
					win = k;
					break;
				}
		if (out->v[win].source == RSEMU_SRC_GATEWAY &&
		    rs_pfxset_covers(vnet, out->v[win].prefix))
			win = j; /* overridden by a shorter VNet route */
		for (size_t k = i; k < j; k++)
			out->v[k].active = k == win;
		/* If BGP lost to a shorter VNet route, the system route of
		 * this same prefix (if any) takes over. */
		if (win == j)
			for (size_t k = i; k < j; k++)
				if (out->v[k].source == RSEMU_SRC_DEFAULT) {
					out->v[k].active = true;
					break;
				}
		i = j;
	}
}

/* Merge two tables sorted by prefix then rank into dst (cleared first):
 * linear, where sorting the whole table per subnet was n log n. */
static int merge_sorted(const struct rs_eff_table *a,
			const struct rs_eff_table *b, struct rs_eff_table *dst)
{
	size_t i = 0, j = 0;
	dst->n = 0;
	while (i < a->n || j < b->n) {
		const struct rs_eff_route *src;
		if (j == b->n ||
		    (i < a->n && by_prefix_then_rank(&a->v[i], &b->v[j]) <= 0))
			src = &a->v[i++];
		else
			src = &b->v[j++];
		struct rs_eff_route *r = push(dst);
		if (r == NULL)
			return -ENOMEM;
		*r = *src;
	}
	return 0;
}

/* Reorder a table sorted by prefix into Default, then BGP, then User,
 * each ascending by prefix (a stable partition by source). */
static int group_by_source(struct rs_eff_table *t)
{
	struct rs_eff_route *v = malloc((t->n + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	size_t k = 0;
	for (unsigned src = 0; src < RSEMU_SRC__COUNT; src++)
		for (size_t i = 0; i < t->n; i++)
			if (t->v[i].source == src)
				v[k++] = t->v[i];
	memcpy(t->v, v, k * sizeof(*v));
	free(v);
	return 0;
}

int rs_effective_routes(const struct rs_rib *rib, int vnet, int subnet,
			struct rs_eff_table *out)
{
	const struct rsemu_topology *t = rs_rib_topology(rib);
	const struct rsemu_route_table *rt = subnet_table(t, vnet, subnet);
	struct rs_pfxset vnet_routes = {0};
	/* System routes and UDRs are few: sorted here. BGP routes come in
	 * prefix order from the RIB; the two are merged. */
	struct rs_eff_table local = {0}, bgp = {0};
	out->n = 0;
	out->propagate = rs_effective_propagates(t, vnet, subnet);
	int rc = add_system(t, vnet, rt, &local, &vnet_routes);
	if (rc == 0)
		rc = add_udrs(rt, &local);
	if (rc == 0 && out->propagate)
		rc = add_bgp(rib, &bgp);
	if (rc == 0) {
		qsort(local.v, local.n, sizeof(*local.v), by_prefix_then_rank);
		rc = merge_sorted(&local, &bgp, out);
	}
	if (rc == 0) {
		rs_pfxset_seal(&vnet_routes);
		choose(out, &vnet_routes);
		rc = group_by_source(out);
	}
	rs_eff_table_free(&local);
	rs_eff_table_free(&bgp);
	rs_pfxset_free(&vnet_routes);
	return rc;
}

const struct rs_eff_route *rs_eff_lookup(const struct rs_eff_table *t,
					 uint32_t dst)
{
	const struct rs_eff_route *best = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct rs_eff_route *r = &t->v[i];
		if (!r->active || (dst & rsemu_mask(r->prefix.len)) !=
					  r->prefix.addr)
			continue;
		if (best == NULL || r->prefix.len > best->prefix.len)
			best = r;
	}
	return best;
}
