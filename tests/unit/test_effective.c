/* Effective routes (control/effective.c): one test per rule of
 * AZURE-SEMANTICS.md section D. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "world.h"

#define NVAS                                                                  \
	"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"              \
	"      announce: [{prefix: 0.0.0.0/0, as_path: [65001]}, {prefix: 10.0.0.0/8, as_path: [65001]}]\n" \
	"    - name: nva2\n      ip: 10.0.1.5\n      asn: 65002\n"              \
	"      announce: [{prefix: 0.0.0.0/0, as_path: [65002]}, {prefix: 10.0.0.0/8, as_path: [65002]}]\n"

#define GW "VirtualNetworkGateway 10.0.1.4,10.0.1.5"

static struct world *mk_rt(const char *rt_name, const char *route_tables)
{
	struct world_spec s = {.peers = NVAS, .spoke2_rt = rt_name,
			       .route_tables = route_tables};
	return world_new(&s);
}

/* D1: learned routes reach the hub and spokes using remote gateways, with
 * source and next-hop type VirtualNetworkGateway and the chosen NVA IPs. */
static void d1_bgp_routes_reach_domain(void **st)
{
	(void)st;
	struct world *w = mk_rt(NULL, NULL);
	assert_string_equal(world_entry(w, "hub/shared", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "Active " GW);
	assert_string_equal(world_entry(w, "spoke1/app", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "Active " GW);
	assert_string_equal(world_entry(w, "spoke2/web", "10.0.0.0/8", RSEMU_SRC_GATEWAY), "Active " GW);
	/* spoke3 is peered without use_remote_gateways: nothing. */
	assert_string_equal(world_entry(w, "spoke3/app", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "absent");
	assert_string_equal(world_route_to(w, "spoke3/app", "8.8.8.8"), "Internet");
	world_free(w);
}

/* D2: the NVA's own subnet learns them too, the NVA as next hop (the
 * routing-loop trap). Reproduced, not fixed. */
static void d2_nva_subnet_learns_own_routes(void **st)
{
	(void)st;
	struct world *w = mk_rt(NULL, NULL);
	assert_string_equal(world_route_to(w, "hub/nva", "8.8.8.8"), GW);
	world_free(w);
}

/* D3: a route table with propagation off keeps BGP routes out; on, in. */
static void d3_propagation_flag(void **st)
{
	(void)st;
	struct world *w = mk_rt("rt", "route_tables:\n"
				"  - {name: rt, propagate_gateway_routes: false}\n");
	assert_string_equal(world_entry(w, "spoke2/web", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "absent");
	assert_string_equal(world_entry(w, "spoke2/web", "10.0.0.0/8", RSEMU_SRC_GATEWAY), "absent");
	assert_string_equal(world_route_to(w, "spoke2/web", "8.8.8.8"), "Internet");
	world_free(w);
	w = mk_rt("rt", "route_tables:\n"
		  "  - {name: rt, propagate_gateway_routes: true}\n");
	assert_string_equal(world_entry(w, "spoke2/web", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "Active " GW);
	world_free(w);
}

/* D4: the system routes of a subnet. */
static void d4_system_routes(void **st)
{
	(void)st;
	struct world_spec s = {0};
	struct world *w = world_new(&s);
	const char *sub = "spoke1/app";
	assert_string_equal(world_entry(w, sub, "10.1.0.0/16", RSEMU_SRC_DEFAULT), "Active VnetLocal");
	assert_string_equal(world_entry(w, sub, "10.0.0.0/16", RSEMU_SRC_DEFAULT), "Active VNetPeering");
	assert_string_equal(world_entry(w, sub, "10.2.0.0/16", RSEMU_SRC_DEFAULT), "absent");
	assert_string_equal(world_entry(w, sub, "0.0.0.0/0", RSEMU_SRC_DEFAULT), "Active Internet");
	assert_string_equal(world_entry(w, sub, "10.0.0.0/8", RSEMU_SRC_DEFAULT), "Active None");
	assert_string_equal(world_entry(w, sub, "172.16.0.0/12", RSEMU_SRC_DEFAULT), "Active None");
	assert_string_equal(world_entry(w, sub, "192.168.0.0/16", RSEMU_SRC_DEFAULT), "Active None");
	assert_string_equal(world_entry(w, sub, "100.64.0.0/10", RSEMU_SRC_DEFAULT), "Active None");
	/* Inside 10/8, the VNet route wins by longest prefix. */
	assert_string_equal(world_route_to(w, sub, "10.1.0.9"), "VnetLocal");
	assert_string_equal(world_route_to(w, sub, "10.0.2.9"), "VNetPeering");
	assert_string_equal(world_route_to(w, sub, "10.2.0.9"), "None");
	/* the hub sees every peered spoke */
	assert_string_equal(world_entry(w, "hub/shared", "10.3.0.0/16", RSEMU_SRC_DEFAULT), "Active VNetPeering");
	world_free(w);
}

/* D4: a VNet range equal to a None prefix turns it into VnetLocal; one
 * containing a None prefix removes it. */
static void d4_none_ranges_flip(void **st)
{
	(void)st;
	struct world_spec s = {.extra_vnets =
		"  - name: edge\n"
		"    address_space: [192.168.0.0/16, 100.0.0.0/9]\n"
		"    subnets: [{name: a, prefix: 192.168.1.0/24}]\n"};
	struct world *w = world_new(&s);
	assert_string_equal(world_entry(w, "edge/a", "192.168.0.0/16", RSEMU_SRC_DEFAULT), "Active VnetLocal");
	assert_string_equal(world_entry(w, "edge/a", "100.64.0.0/10", RSEMU_SRC_DEFAULT), "absent");
	assert_string_equal(world_entry(w, "edge/a", "100.0.0.0/9", RSEMU_SRC_DEFAULT), "Active VnetLocal");
	assert_string_equal(world_entry(w, "edge/a", "10.0.0.0/8", RSEMU_SRC_DEFAULT), "Active None");
	world_free(w);
}

/* D4: a UDR 0.0.0.0/0 to an appliance or gateway removes the None routes;
 * a UDR to Internet or a BGP default route does not. */
static void d4_udr_default_removes_none(void **st)
{
	(void)st;
	struct world *w = mk_rt("rt", "route_tables:\n"
		"  - name: rt\n    routes: [{name: fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.100}]\n");
	assert_string_equal(world_entry(w, "spoke2/web", "10.0.0.0/8", RSEMU_SRC_DEFAULT), "absent");
	assert_string_equal(world_entry(w, "spoke2/web", "172.16.0.0/12", RSEMU_SRC_DEFAULT), "absent");
	world_free(w);
	w = mk_rt("rt", "route_tables:\n"
		"  - name: rt\n    routes: [{name: out, prefix: 0.0.0.0/0, next_hop_type: Internet}]\n");
	assert_string_equal(world_entry(w, "spoke2/web", "172.16.0.0/12", RSEMU_SRC_DEFAULT), "Active None");
	world_free(w);
	/* BGP 0/0 (from NVAS) keeps them: undocumented, rsemu's choice. */
	w = mk_rt(NULL, NULL);
	assert_string_equal(world_entry(w, "spoke1/app", "172.16.0.0/12", RSEMU_SRC_DEFAULT), "Active None");
	assert_string_equal(world_route_to(w, "spoke1/app", "172.16.1.1"), "None");
	world_free(w);
}

/* D5.1: longest prefix first. */
static void d5_longest_prefix_first(void **st)
{
	(void)st;
	struct world *w = mk_rt("rt", "route_tables:\n"
		"  - name: rt\n    routes: [{name: r, prefix: 10.9.0.0/16, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.100}]\n");
	world_announce(w, "nva1", "10.9.9.0/24", "65001", "10.0.1.4");
	/* spoke2 has the UDR /16 (propagation on): the BGP /24 is longer. */
	assert_string_equal(world_route_to(w, "spoke2/web", "10.9.9.1"), "VirtualNetworkGateway 10.0.1.4");
	assert_string_equal(world_route_to(w, "spoke2/web", "10.9.8.1"), "VirtualAppliance 10.0.1.100");
	assert_string_equal(world_route_to(w, "spoke2/web", "10.8.0.1"), GW);
	world_free(w);
}

/* D5.2: same prefix: UDR > BGP > system; losers Invalid (D6). */
static void d5_same_prefix_udr_bgp_system(void **st)
{
	(void)st;
	struct world *w = mk_rt("rt", "route_tables:\n"
		"  - name: rt\n    routes: [{name: fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.100}]\n");
	const char *sub = "spoke2/web";
	assert_string_equal(world_entry(w, sub, "0.0.0.0/0", RSEMU_SRC_USER), "Active VirtualAppliance 10.0.1.100");
	assert_string_equal(world_entry(w, sub, "0.0.0.0/0", RSEMU_SRC_GATEWAY), "Invalid " GW);
	assert_string_equal(world_entry(w, sub, "0.0.0.0/0", RSEMU_SRC_DEFAULT), "Invalid Internet");
	/* BGP over system: */
	assert_string_equal(world_entry(w, "spoke1/app", "0.0.0.0/0", RSEMU_SRC_GATEWAY), "Active " GW);
	assert_string_equal(world_entry(w, "spoke1/app", "0.0.0.0/0", RSEMU_SRC_DEFAULT), "Invalid Internet");
	assert_string_equal(world_entry(w, "spoke1/app", "10.0.0.0/8", RSEMU_SRC_GATEWAY), "Active " GW);
	assert_string_equal(world_entry(w, "spoke1/app", "10.0.0.0/8", RSEMU_SRC_DEFAULT), "Invalid None");
	world_free(w);
}

/* D5.3: VnetLocal and VNetPeering beat BGP routes equal to or inside them;
 * a UDR still overrides them. */
static void d5_vnet_routes_beat_longer_bgp(void **st)
{
	(void)st;
	struct world *w = mk_rt("rt", "route_tables:\n"
		"  - name: rt\n    routes: [{name: hub-via-fw, prefix: 10.0.0.0/16, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.100}]\n");
	/* spoke3 (10.3/16) is outside the domain: not C5-filtered, but the
	 * hub peers with it, so in the hub its VNetPeering route wins. */
	world_announce(w, "nva1", "10.3.1.0/24", "65001", "10.0.1.4");
	assert_string_equal(world_entry(w, "hub/shared", "10.3.1.0/24", RSEMU_SRC_GATEWAY), "Invalid VirtualNetworkGateway 10.0.1.4");
	assert_string_equal(world_route_to(w, "hub/shared", "10.3.1.7"), "VNetPeering");
	/* spoke1 is not peered with spoke3: the BGP route works there. */
	assert_string_equal(world_entry(w, "spoke1/app", "10.3.1.0/24", RSEMU_SRC_GATEWAY), "Active VirtualNetworkGateway 10.0.1.4");
	assert_string_equal(world_route_to(w, "spoke1/app", "10.3.1.7"), "VirtualNetworkGateway 10.0.1.4");
	/* The UDR of the same prefix overrides VNetPeering. */
	assert_string_equal(world_entry(w, "spoke2/web", "10.0.0.0/16", RSEMU_SRC_DEFAULT), "Invalid VNetPeering");
	assert_string_equal(world_route_to(w, "spoke2/web", "10.0.2.4"), "VirtualAppliance 10.0.1.100");
	world_free(w);
}

/* D7: ECMP in the host is per flow over all next hops of the route: the
 * table carries every member; hashing is the data plane's. */
static void d7_ecmp_members_listed(void **st)
{
	(void)st;
	struct world *w = mk_rt(NULL, NULL);
	struct rs_eff_table t = {0};
	int v, s;
	assert_int_equal(rs_topology_find_vnet_subnet(w->t, "spoke1/app", &v, &s), 0);
	assert_int_equal(rs_effective_routes(w->rib, v, s, &t), 0);
	const struct rs_eff_route *r = rs_eff_lookup(&t, 0x08080808);
	assert_non_null(r);
	assert_int_equal(r->n_nh, 2);
	rs_eff_table_free(&t);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(d1_bgp_routes_reach_domain),
		cmocka_unit_test(d2_nva_subnet_learns_own_routes),
		cmocka_unit_test(d3_propagation_flag),
		cmocka_unit_test(d4_system_routes),
		cmocka_unit_test(d4_none_ranges_flip),
		cmocka_unit_test(d4_udr_default_removes_none),
		cmocka_unit_test(d5_longest_prefix_first),
		cmocka_unit_test(d5_same_prefix_udr_bgp_system),
		cmocka_unit_test(d5_vnet_routes_beat_longer_bgp),
		cmocka_unit_test(d7_ecmp_members_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
