/* The scenarios of AZURE-SEMANTICS.md section E that need no live BGP,
 * each asserting the effective routes of named subnets and what named
 * peers are sent. E9 (symmetry) needs the data plane: see its tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "world.h"

#define NVA1 "    - {name: nva1, ip: 10.0.1.4, asn: 65001}\n"
#define NVA2 "    - {name: nva2, ip: 10.0.1.5, asn: 65002}\n"
#define ER "    - {name: er, kind: expressroute, ip: 10.0.255.4}\n"
#define VPN "    - {name: vpn, kind: vpn, ip: 10.0.255.5}\n"
#define ECMP "VirtualNetworkGateway 10.0.1.4,10.0.1.5"

/* The default topology shipped with rsemu, as `rsemu routes` sees it. */
static struct world *default_world(void)
{
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	assert_int_equal(rs_topology_load_default(&w->t, stderr), 0);
	w->rib = rs_rib_new(w->t);
	assert_int_equal(rs_rib_load_announcements(w->rib, &w->chg), 0);
	return w;
}

/* E1: an NVA advertises 0.0.0.0/0; spokes send Internet traffic through
 * it with no UDR. */
static void e1_default_route_injection(void **st)
{
	(void)st;
	struct world *w = default_world();
	assert_string_equal(world_route_to(w, "spoke1/app", "93.184.216.34"), ECMP);
	assert_string_equal(world_route_to(w, "spoke1/db", "93.184.216.34"), ECMP);
	assert_string_equal(world_route_to(w, "hub/shared", "93.184.216.34"), ECMP);
	assert_string_equal(world_entry(w, "spoke1/app", "0.0.0.0/0", RSEMU_SRC_DEFAULT), "Invalid Internet");
	world_free(w);
}

/* E2: a 10.0.0.0/8 supernet over 10.x.0.0/16 VNets: spoke-to-spoke goes
 * through the NVA; intra-VNet and hub-spoke peering traffic does not. */
static void e2_supernet_private_inspection(void **st)
{
	(void)st;
	struct world *w = default_world();
	assert_string_equal(world_route_to(w, "spoke1/app", "10.2.0.4"), ECMP);
	assert_string_equal(world_route_to(w, "spoke1/app", "10.1.1.4"), "VnetLocal");
	assert_string_equal(world_route_to(w, "spoke1/app", "10.0.2.4"), "VNetPeering");
	assert_string_equal(world_route_to(w, "hub/shared", "10.1.0.4"), "VNetPeering");
	assert_string_equal(world_route_to(w, "hub/shared", "10.0.2.5"), "VnetLocal");
	world_free(w);
}

/* E3: ExpressRoute and an NVA advertise the same prefix: ExpressRoute
 * wins under the default preference, and is not sent to the NVA. */
static void e3_expressroute_beats_nva(void **st)
{
	(void)st;
	struct world_spec s = {.peers =
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce: [{prefix: 172.16.0.0/16, as_path: [65001]}]\n"
		"    - name: er\n      kind: expressroute\n      ip: 10.0.255.4\n"
		"      announce: [{prefix: 172.16.0.0/16, as_path: [12076, 65020]}]\n"};
	struct world *w = world_new(&s);
	assert_string_equal(world_route_to(w, "spoke1/app", "172.16.5.5"), "VirtualNetworkGateway 10.0.255.4");
	assert_string_equal(world_entry(w, "hub/shared", "172.16.0.0/16", RSEMU_SRC_GATEWAY),
			    "Active VirtualNetworkGateway 10.0.255.4");
	world_free(w);
}

/* E4, topology 1: ExpressRoute (path length 2) and VPN (length 4) send the
 * same on-premises prefix: ExpressRoute wins. When its session drops the
 * VPN route takes over, and the spokes still reach on-premises through a
 * gateway. */
#define E4_PEERS                                                              \
	"    - name: er\n      kind: expressroute\n      ip: 10.0.255.4\n"       \
	"      announce: [{prefix: 192.168.0.0/16, as_path: [12076, 65020]}]\n"  \
	"    - name: vpn\n      kind: vpn\n      ip: 10.0.255.5\n"                 \
	"      announce: [{prefix: 192.168.0.0/16, as_path: [65030, 65030, 65030, 65030]}]\n"

static void e4_expressroute_over_vpn(void **st)
{
	(void)st;
	struct world_spec s = {.peers = E4_PEERS};
	struct world *w = world_new(&s);
	assert_string_equal(world_route_to(w, "spoke1/app", "192.168.1.1"), "VirtualNetworkGateway 10.0.255.4");
	rs_changes_clear(&w->chg);
	assert_int_equal(rs_rib_peer_down(w->rib, world_peer(w, "er"), &w->chg), 0);
	assert_string_equal(world_route_to(w, "spoke1/app", "192.168.1.1"), "VirtualNetworkGateway 10.0.255.5");
	assert_int_equal(w->chg.n, 1);
	assert_int_equal(w->chg.v[0].op, RS_CHANGE_SET);
	assert_int_equal(w->chg.v[0].nh[0], 0x0A00FF05);
	world_free(w);
}

/* E4, topology 2: the same with the VPN path shorter and preference
 * aspath: the VPN wins; vpngateway preference too. */
static void e4_vpn_when_preferred(void **st)
{
	(void)st;
	const char *prefs[] = {"vpngateway", "aspath"};
	for (int i = 0; i < 2; i++) {
		struct world_spec s = {.pref = prefs[i], .peers =
			"    - name: er\n      kind: expressroute\n      ip: 10.0.255.4\n"
			"      announce: [{prefix: 192.168.0.0/16, as_path: [12076, 65020, 65020]}]\n"
			"    - name: vpn\n      kind: vpn\n      ip: 10.0.255.5\n"
			"      announce: [{prefix: 192.168.0.0/16, as_path: [65030, 65030]}]\n"};
		struct world *w = world_new(&s);
		assert_string_equal(world_route_to(w, "spoke1/app", "192.168.1.1"),
				    "VirtualNetworkGateway 10.0.255.5");
		world_free(w);
	}
}

/* E5: active/active (equal paths, ECMP) and active/passive (the backup
 * prepends); failover onto the survivor when a session drops. */
static void e5_active_active_and_passive(void **st)
{
	(void)st;
	struct world *w = world_new(&(struct world_spec){.peers = NVA1 NVA2});
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), ECMP);
	rs_rib_peer_down(w->rib, world_peer(w, "nva1"), &w->chg);
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), "VirtualNetworkGateway 10.0.1.5");
	world_free(w);

	w = world_new(&(struct world_spec){.peers = NVA1 NVA2});
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "nva2", "0.0.0.0/0", "65002 65002 65002", "10.0.1.5");
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), "VirtualNetworkGateway 10.0.1.4");
	rs_changes_clear(&w->chg);
	rs_rib_peer_down(w->rib, world_peer(w, "nva1"), &w->chg);
	assert_int_equal(w->chg.n, 1);
	assert_int_equal(w->chg.v[0].nh[0], 0x0A000105);
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), "VirtualNetworkGateway 10.0.1.5");
	/* The primary comes back and takes over again. */
	rs_rib_peer_up(w->rib, world_peer(w, "nva1"));
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), "VirtualNetworkGateway 10.0.1.4");
	world_free(w);
}

/* E6: a spoke whose route table disables gateway route propagation and
 * sends 0.0.0.0/0 to a firewall (the default topology's spoke2). */
static void e6_propagation_off_udr_to_firewall(void **st)
{
	(void)st;
	struct world *w = default_world();
	const char *sub = "spoke2/web";
	assert_string_equal(world_route_to(w, sub, "93.184.216.34"), "VirtualAppliance 10.0.1.100");
	/* No Route Server routes, and the None ranges went with the UDR: the
	 * other spoke is reached through the firewall too. */
	assert_string_equal(world_entry(w, sub, "10.0.0.0/8", RSEMU_SRC_GATEWAY), "absent");
	assert_string_equal(world_entry(w, sub, "10.0.0.0/8", RSEMU_SRC_DEFAULT), "absent");
	assert_string_equal(world_route_to(w, sub, "10.1.0.4"), "VirtualAppliance 10.0.1.100");
	assert_string_equal(world_route_to(w, sub, "172.16.0.9"), "VirtualAppliance 10.0.1.100");
	assert_string_equal(world_route_to(w, sub, "10.0.2.4"), "VNetPeering");
	world_free(w);
}

/* E7: SD-WAN routes tagged NO_ADVERTISE are programmed but not sent back
 * to on-premises over ExpressRoute (branch-to-branch on). */
static void e7_sdwan_no_advertise(void **st)
{
	(void)st;
	struct world_spec s = {.b2b = "true", .peers =
		"    - name: sdwan\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce:\n"
		"        - {prefix: 192.168.100.0/24, as_path: [65001, 65500], communities: [no-advertise]}\n"
		"        - {prefix: 0.0.0.0/0, as_path: [65001]}\n"
		NVA2 ER};
	struct world *w = world_new(&s);
	assert_string_equal(world_route_to(w, "spoke1/app", "192.168.100.7"), "VirtualNetworkGateway 10.0.1.4");
	assert_string_equal(world_adv(w, "er", "192.168.100.0/24"), "absent");
	assert_string_equal(world_adv(w, "nva2", "192.168.100.0/24"), "absent");
	assert_string_equal(world_adv(w, "er", "0.0.0.0/0"), "65001");
	world_free(w);
}

/* E8: Azure VMware Solution. The NVA's default route and supernet reach the
 * ExpressRoute gateway (branch-to-branch on); exact-match UDRs in
 * GatewaySubnet hairpin AVS <-> on-premises through the NVA, which itself
 * reaches them over the more specific ExpressRoute routes. */
static void e8_avs_hairpin(void **st)
{
	(void)st;
	struct world_spec s = {.b2b = "true", .peers =
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce: [{prefix: 0.0.0.0/0, as_path: [65001]}, {prefix: 172.16.0.0/12, as_path: [65001]}]\n"
		"    - name: er\n      kind: expressroute\n      ip: 10.0.255.4\n"
		"      announce:\n"
		"        - {prefix: 172.20.0.0/22, as_path: [12076, 65100]}   # AVS\n"
		"        - {prefix: 172.30.0.0/16, as_path: [12076, 65020]}   # on-premises\n",
		.extra_vnets = "",
		.route_tables =
		"route_tables:\n"
		"  - name: gw-rt\n"
		"    routes:\n"
		"      - {name: avs, prefix: 172.20.0.0/22, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.4}\n"
		"      - {name: onprem, prefix: 172.30.0.0/16, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.4}\n"};
	/* GatewaySubnet takes the route table: patch the base topology. */
	struct world *w;
	{
		/* world.c has no hook for GatewaySubnet's table: build it here. */
		const char *yaml =
			"route_server:\n  vnet: hub\n  instances: [10.0.254.4, 10.0.254.5]\n"
			"  branch_to_branch: true\n  peers:\n%s"
			"vnets:\n  - name: hub\n    address_space: [10.0.0.0/16]\n    subnets:\n"
			"      - {name: RouteServerSubnet, prefix: 10.0.254.0/26}\n"
			"      - {name: nva, prefix: 10.0.1.0/24}\n"
			"      - {name: GatewaySubnet, prefix: 10.0.255.0/27, route_table: gw-rt}\n"
			"  - name: spoke1\n    address_space: [10.1.0.0/16]\n    subnets: [{name: app, prefix: 10.1.0.0/24}]\n"
			"peerings:\n  - {hub: hub, spoke: spoke1, allow_gateway_transit: true, use_remote_gateways: true}\n"
			"%s";
		char *buf;
		assert_true(asprintf(&buf, yaml, s.peers, s.route_tables) > 0);
		w = calloc(1, sizeof(*w));
		assert_int_equal(rs_topology_load_buffer("e8.yaml", buf, strlen(buf), &w->t, stderr), 0);
		free(buf);
		w->rib = rs_rib_new(w->t);
		assert_int_equal(rs_rib_load_announcements(w->rib, NULL), 0);
	}
	/* The NVA's default route and supernet go to AVS / on-premises. */
	assert_string_equal(world_adv(w, "er", "0.0.0.0/0"), "65001");
	assert_string_equal(world_adv(w, "er", "172.16.0.0/12"), "65001");
	/* Traffic arriving from a circuit is hairpinned to the NVA. */
	assert_string_equal(world_route_to(w, "hub/GatewaySubnet", "172.30.1.1"), "VirtualAppliance 10.0.1.4");
	assert_string_equal(world_route_to(w, "hub/GatewaySubnet", "172.20.0.9"), "VirtualAppliance 10.0.1.4");
	/* The NVA sends it on over the more specific ExpressRoute routes. */
	assert_string_equal(world_route_to(w, "hub/nva", "172.30.1.1"), "VirtualNetworkGateway 10.0.255.4");
	assert_string_equal(world_route_to(w, "hub/nva", "172.20.0.9"), "VirtualNetworkGateway 10.0.255.4");
	/* Spokes go straight to the circuits. */
	assert_string_equal(world_route_to(w, "spoke1/app", "172.30.1.1"), "VirtualNetworkGateway 10.0.255.4");
	world_free(w);
}

/* E10: a peer over its prefix limit loses its session; the others are
 * untouched. */
static void e10_prefix_limit(void **st)
{
	(void)st;
	struct world *w = world_new(&(struct world_spec){.peers =
		"    - {name: nva1, ip: 10.0.1.4, asn: 65001, max_prefixes: 2}\n" NVA2});
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "nva1", "192.168.1.0/24", "65001", "10.0.1.4");
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), ECMP);
	assert_int_equal(world_announce(w, "nva1", "192.168.2.0/24", "65001", "10.0.1.4"), -E2BIG);
	assert_string_equal(world_route_to(w, "spoke1/app", "1.1.1.1"), "VirtualNetworkGateway 10.0.1.5");
	assert_string_equal(world_route_to(w, "spoke1/app", "192.168.1.1"), "None");
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(e1_default_route_injection),
		cmocka_unit_test(e2_supernet_private_inspection),
		cmocka_unit_test(e3_expressroute_beats_nva),
		cmocka_unit_test(e4_expressroute_over_vpn),
		cmocka_unit_test(e4_vpn_when_preferred),
		cmocka_unit_test(e5_active_active_and_passive),
		cmocka_unit_test(e6_propagation_off_udr_to_firewall),
		cmocka_unit_test(e7_sdwan_no_advertise),
		cmocka_unit_test(e8_avs_hairpin),
		cmocka_unit_test(e10_prefix_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
