/* The test fixture of world.h. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "world.h"

static char result[512];

struct world *world_new(const struct world_spec *s)
{
	char *yaml = NULL;
	char rt_ref[96] = "";
	if (s->spoke2_rt)
		snprintf(rt_ref, sizeof(rt_ref), ", route_table: %s", s->spoke2_rt);
	int n = asprintf(&yaml,
		"route_server:\n"
		"  vnet: hub\n"
		"  instances: [10.0.254.4, 10.0.254.5]\n"
		"  branch_to_branch: %s\n"
		"  routing_preference: %s\n"
		"  peers:\n%s"
		"vnets:\n"
		"  - name: hub\n"
		"    address_space: [10.0.0.0/16]\n"
		"    subnets:\n"
		"      - {name: RouteServerSubnet, prefix: 10.0.254.0/26}\n"
		"      - {name: nva, prefix: 10.0.1.0/24}\n"
		"      - {name: GatewaySubnet, prefix: 10.0.255.0/27}\n"
		"      - {name: shared, prefix: 10.0.2.0/24}\n"
		"  - name: spoke1\n"
		"    address_space: [10.1.0.0/16]\n"
		"    subnets:\n"
		"      - {name: app, prefix: 10.1.0.0/24}\n"
		"  - name: spoke2\n"
		"    address_space: [10.2.0.0/16]\n"
		"    subnets:\n"
		"      - {name: web, prefix: 10.2.0.0/24%s}\n"
		"  - name: spoke3\n"
		"    address_space: [10.3.0.0/16]\n"
		"    subnets:\n"
		"      - {name: app, prefix: 10.3.0.0/24}\n"
		"%s"
		"peerings:\n"
		"  - {hub: hub, spoke: spoke1, allow_gateway_transit: true, use_remote_gateways: true}\n"
		"  - {hub: hub, spoke: spoke2, allow_gateway_transit: true, use_remote_gateways: true}\n"
		"  - {hub: hub, spoke: spoke3, allow_gateway_transit: true}\n"
		"%s"
		"%s",
		s->b2b ? s->b2b : "false", s->pref ? s->pref : "expressroute",
		s->peers ? s->peers : "    []\n", rt_ref,
		s->extra_vnets ? s->extra_vnets : "",
		s->extra_peerings ? s->extra_peerings : "",
		s->route_tables ? s->route_tables : "");
	assert_true(n > 0);
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	int rc = rs_topology_load_buffer("world.yaml", yaml, strlen(yaml),
					 &w->t, stderr);
	if (rc != 0)
		fprintf(stderr, "--- world.yaml ---\n%s", yaml);
	assert_int_equal(rc, 0);
	free(yaml);
	w->rib = rs_rib_new(w->t);
	assert_non_null(w->rib);
	assert_int_equal(rs_rib_load_announcements(w->rib, &w->chg), 0);
	return w;
}

void world_free(struct world *w)
{
	rs_rib_free(w->rib);
	rs_topology_free(w->t);
	rs_changes_free(&w->chg);
	free(w);
}

int world_peer(struct world *w, const char *name)
{
	int p = rs_topology_find_peer(w->t, name);
	assert_true(p >= 0);
	return p;
}

static struct rsemu_prefix pfx(const char *s)
{
	struct rsemu_prefix p;
	assert_int_equal(rsemu_prefix_parse(s, &p), 0);
	return p;
}

static uint32_t ip(const char *s)
{
	uint32_t a;
	assert_int_equal(rsemu_ip_parse(s, &a), 0);
	return a;
}

int world_announce(struct world *w, const char *peer, const char *prefix,
		   const char *as_path, const char *next_hop)
{
	uint32_t asns[64];
	uint16_t n = 0;
	for (const char *s = as_path; *s;) {
		char *end;
		asns[n++] = (uint32_t)strtoul(s, &end, 10);
		s = end;
		while (*s == ' ')
			s++;
	}
	struct rs_attrs *a = rs_attrs_new_seq(RS_ORIGIN_IGP, ip(next_hop), asns,
					      n, NULL, 0);
	struct rsemu_prefix p = pfx(prefix);
	int rc = rs_rib_update(w->rib, world_peer(w, peer), NULL, 0, &p, 1, a,
			       &w->chg);
	rs_attrs_unref(a);
	return rc;
}

int world_withdraw(struct world *w, const char *peer, const char *prefix)
{
	struct rsemu_prefix p = pfx(prefix);
	return rs_rib_update(w->rib, world_peer(w, peer), &p, 1, NULL, 0, NULL,
			     &w->chg);
}

static void table(struct world *w, const char *subnet, struct rs_eff_table *t)
{
	int v, s;
	assert_int_equal(rs_topology_find_vnet_subnet(w->t, subnet, &v, &s), 0);
	assert_int_equal(rs_effective_routes(w->rib, v, s, t), 0);
}

static void describe(const struct rs_eff_route *r, bool state)
{
	size_t n = (size_t)snprintf(result, sizeof(result), "%s%s%s",
				    state ? (r->active ? "Active " : "Invalid ")
					  : "",
				    rsemu_nh_type_name(r->nh_type),
				    r->n_nh ? " " : "");
	for (uint8_t i = 0; i < r->n_nh && n < sizeof(result) - 20; i++) {
		char b[16];
		rsemu_ip_format(r->nh[i], b);
		n += (size_t)snprintf(result + n, sizeof(result) - n, "%s%s",
				      i ? "," : "", b);
	}
}

const char *world_route_to(struct world *w, const char *subnet,
			   const char *dst)
{
	struct rs_eff_table t = {0};
	table(w, subnet, &t);
	const struct rs_eff_route *r = rs_eff_lookup(&t, ip(dst));
	result[0] = '\0';
	if (r)
		describe(r, false);
	rs_eff_table_free(&t);
	return result;
}

const char *world_entry(struct world *w, const char *subnet,
			const char *prefix, enum rsemu_route_source src)
{
	struct rs_eff_table t = {0};
	table(w, subnet, &t);
	struct rsemu_prefix p = pfx(prefix);
	snprintf(result, sizeof(result), "absent");
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].source == src && rsemu_prefix_eq(t.v[i].prefix, p))
			describe(&t.v[i], true);
	rs_eff_table_free(&t);
	return result;
}

const char *world_adv(struct world *w, const char *peer, const char *prefix)
{
	json_t *j = rs_report_advertised(w->rib, world_peer(w, peer));
	assert_non_null(j);
	json_t *routes = json_object_get(j, "RouteServiceRole_IN_0");
	size_t i;
	json_t *r;
	snprintf(result, sizeof(result), "absent");
	json_array_foreach(routes, i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "network")),
			   prefix) == 0)
			snprintf(result, sizeof(result), "%s",
				 json_string_value(json_object_get(r, "asPath")));
	}
	json_decref(j);
	return result;
}
