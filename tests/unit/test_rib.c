/* The decision core (control/rib.c): one test per rule of
 * AZURE-SEMANTICS.md sections B (learning and choosing paths) and C (what
 * the Route Server advertises), plus A6 (max-prefix) and the change log. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "world.h"

#define NVA1 "    - {name: nva1, ip: 10.0.1.4, asn: 65001}\n"
#define NVA2 "    - {name: nva2, ip: 10.0.1.5, asn: 65002}\n"
#define NVA3 "    - {name: nva3, ip: 10.0.1.6, asn: 65003}\n"
#define ER "    - {name: er, kind: expressroute, ip: 10.0.255.4}\n"
#define VPN "    - {name: vpn, kind: vpn, ip: 10.0.255.5}\n"

static struct world *mk(const char *peers, const char *pref, const char *b2b)
{
	struct world_spec s = {.peers = peers, .pref = pref, .b2b = b2b};
	return world_new(&s);
}

static const char *nh_of(struct world *w, const char *prefix)
{
	return world_entry(w, "spoke1/app", prefix, RSEMU_SRC_GATEWAY);
}

/* B1: a path that already holds 65515 is dropped (loop prevention). */
static void b1_loop_rejected(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	assert_int_equal(world_announce(w, "nva1", "10.50.0.0/16",
					"65001 65515 65010", "10.0.1.4"), 0);
	assert_string_equal(nh_of(w, "10.50.0.0/16"), "absent");
	assert_null(rs_rib_find(w->rib, (struct rsemu_prefix){0x0A320000, 16}));
	assert_int_equal(rs_rib_peer_state(w->rib, 0)->rejected_loop, 1);
	assert_string_equal(world_adv(w, "nva2", "10.50.0.0/16"), "absent");
	/* A looped path replaces (withdraws) the peer's earlier one. */
	assert_int_equal(world_announce(w, "nva1", "10.51.0.0/16", "65001",
					"10.0.1.4"), 0);
	assert_string_equal(nh_of(w, "10.51.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.1.4");
	assert_int_equal(world_announce(w, "nva1", "10.51.0.0/16",
					"65001 65515", "10.0.1.4"), 0);
	assert_string_equal(nh_of(w, "10.51.0.0/16"), "absent");
	world_free(w);
}

/* B1: AS paths and communities are kept intact when passed on. */
static void b1_path_and_communities_intact(void **st)
{
	(void)st;
	struct world *w = mk(
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce:\n"
		"        - {prefix: 192.168.10.0/24, as_path: [65001, 65100, 65100], communities: [\"65001:100\", \"65100:7\"]}\n"
		NVA2, NULL, NULL);
	assert_string_equal(world_adv(w, "nva2", "192.168.10.0/24"),
			    "65515-65001-65100-65100");
	const struct rs_dest *d = rs_rib_find(
		w->rib, (struct rsemu_prefix){0xC0A80A00, 24});
	assert_non_null(d);
	assert_int_equal(d->path[0]->n_communities, 2);
	assert_int_equal(d->path[0]->communities[0], (65001u << 16) | 100);
	assert_int_equal(d->path[0]->communities[1], (65100u << 16) | 7);
	world_free(w);
}

/* B2.1, routing preference expressroute (default): ExpressRoute beats
 * NVAs and VPN even with a longer AS path. */
static void b2_pref_expressroute(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 ER VPN, "expressroute", NULL);
	world_announce(w, "nva1", "172.16.0.0/16", "65001", "10.0.1.4");
	world_announce(w, "vpn", "172.16.0.0/16", "65050", "10.0.255.5");
	world_announce(w, "er", "172.16.0.0/16", "12076 65020 65021 65022",
		       "10.0.255.4");
	assert_string_equal(nh_of(w, "172.16.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.255.4");
	world_free(w);
}

/* B2.1, vpngateway: VPN and NVAs beat ExpressRoute; between them the
 * shorter AS path wins. */
static void b2_pref_vpngateway(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 ER VPN, "vpngateway", NULL);
	world_announce(w, "er", "172.16.0.0/16", "12076", "10.0.255.4");
	world_announce(w, "vpn", "172.16.0.0/16", "65050 65051 65052",
		       "10.0.255.5");
	world_announce(w, "nva1", "172.16.0.0/16", "65001 65002", "10.0.1.4");
	assert_string_equal(nh_of(w, "172.16.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.1.4");
	/* Without NVA and VPN routes ExpressRoute is used. */
	world_withdraw(w, "nva1", "172.16.0.0/16");
	world_withdraw(w, "vpn", "172.16.0.0/16");
	assert_string_equal(nh_of(w, "172.16.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.255.4");
	world_free(w);
}

/* B2.1, aspath: the shortest AS path wins whatever the source. */
static void b2_pref_aspath(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 ER, "aspath", NULL);
	world_announce(w, "er", "172.16.0.0/16", "12076 65020 65021",
		       "10.0.255.4");
	world_announce(w, "nva1", "172.16.0.0/16", "65001", "10.0.1.4");
	assert_string_equal(nh_of(w, "172.16.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.1.4");
	/* Equal lengths across sources: ECMP. */
	world_announce(w, "er", "172.16.0.0/16", "12076", "10.0.255.4");
	assert_string_equal(nh_of(w, "172.16.0.0/16"),
			    "Active VirtualNetworkGateway 10.0.1.4,10.0.255.4");
	world_free(w);
}

/* B2.2: then the shortest AS path; an AS_SET counts as one. */
static void b2_shortest_as_path(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	world_announce(w, "nva1", "0.0.0.0/0", "65001 65001", "10.0.1.4");
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.5");
	/* nva1: 65001 {65010,65011,65012} has length 2, as long as nva2's
	 * new path: a tie. */
	uint32_t asns[] = {65001, 65010, 65011, 65012};
	struct rs_as_seg segs[] = {{RS_AS_SEQUENCE, 1}, {RS_AS_SET, 3}};
	struct rs_attrs_spec spec = {.next_hop = 0x0A000104, .n_segs = 2,
				     .segs = segs, .asns = asns};
	struct rs_attrs *a = rs_attrs_new(&spec);
	struct rsemu_prefix def = {0, 0};
	assert_int_equal(rs_attrs_path_length(a), 2);
	assert_int_equal(rs_rib_update(w->rib, 0, NULL, 0, &def, 1, a, NULL), 0);
	rs_attrs_unref(a);
	world_announce(w, "nva2", "0.0.0.0/0", "65002 65002", "10.0.1.5");
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.4,10.0.1.5");
	world_free(w);
}

/* B2.3: all paths still tied are kept: ECMP, one next hop each. */
static void b2_ecmp_all_tied(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2 NVA3, NULL, NULL);
	world_announce(w, "nva3", "0.0.0.0/0", "65003", "10.0.1.6");
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.4,10.0.1.5,10.0.1.6");
	const struct rs_dest *d = rs_rib_find(w->rib, (struct rsemu_prefix){0, 0});
	assert_int_equal(d->best, 0x7);
	world_free(w);
}

/* B3: no prefix is chosen over another for its length: each prefix is
 * decided on its own, longest match happens in the hosts. */
static void b3_prefixes_decided_apart(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	world_announce(w, "nva1", "10.64.0.0/10", "65001", "10.0.1.4");
	world_announce(w, "nva2", "10.64.0.0/12", "65002 65002 65002 65002",
		       "10.0.1.5");
	assert_string_equal(nh_of(w, "10.64.0.0/10"),
			    "Active VirtualNetworkGateway 10.0.1.4");
	assert_string_equal(nh_of(w, "10.64.0.0/12"),
			    "Active VirtualNetworkGateway 10.0.1.5");
	assert_string_equal(world_route_to(w, "spoke1/app", "10.65.0.1"),
			    "VirtualNetworkGateway 10.0.1.5");
	assert_string_equal(world_route_to(w, "spoke1/app", "10.80.0.1"),
			    "VirtualNetworkGateway 10.0.1.4");
	world_free(w);
}

/* B4: a peer whose session goes down has all its routes withdrawn and
 * each affected prefix re-decided. */
static void b4_peer_down_withdraws_all(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	world_announce(w, "nva1", "10.0.0.0/8", "65001", "10.0.1.4");
	world_announce(w, "nva1", "192.168.0.0/16", "65001", "10.0.1.4");
	rs_changes_clear(&w->chg);
	assert_int_equal(rs_rib_peer_down(w->rib, 0, &w->chg), 0);
	assert_int_equal(rs_rib_peer_state(w->rib, 0)->routes, 0);
	assert_int_equal(w->chg.n, 3);
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.5");
	assert_string_equal(nh_of(w, "10.0.0.0/8"), "absent");
	assert_string_equal(nh_of(w, "192.168.0.0/16"), "absent");
	/* A down peer's updates are refused until it is up again. */
	assert_int_equal(world_announce(w, "nva1", "0.0.0.0/0", "65001",
					"10.0.1.4"), -ENOTCONN);
	rs_rib_peer_up(w->rib, 0);
	assert_int_equal(world_announce(w, "nva1", "0.0.0.0/0", "65001",
					"10.0.1.4"), 0);
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.4,10.0.1.5");
	world_free(w);
}

/* B5: the next hop is the BGP NEXT_HOP the NVA sent (e.g. a load
 * balancer in front of it). */
static void b5_next_hop_as_sent(void **st)
{
	(void)st;
	struct world *w = mk(
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce: [{prefix: 0.0.0.0/0, as_path: [65001], next_hop: 10.0.1.100}]\n"
		NVA2, NULL, NULL);
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.100");
	/* Two peers, one next hop: the set holds it once. */
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.100");
	world_free(w);
}

/* B6: nothing after AS-path length: MED, origin differ, still ECMP. */
static void b6_no_tie_break_after_path_length(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	uint32_t a1[] = {65001}, a2[] = {65002};
	struct rs_as_seg seg = {RS_AS_SEQUENCE, 1};
	struct rs_attrs_spec s1 = {.origin = RS_ORIGIN_IGP, .has_med = true,
				   .med = 10, .next_hop = 0x0A000104,
				   .n_segs = 1, .segs = &seg, .asns = a1};
	struct rs_attrs_spec s2 = {.origin = RS_ORIGIN_INCOMPLETE,
				   .has_med = true, .med = 500,
				   .next_hop = 0x0A000105, .n_segs = 1,
				   .segs = &seg, .asns = a2};
	struct rs_attrs *x = rs_attrs_new(&s1), *y = rs_attrs_new(&s2);
	struct rsemu_prefix p = {0, 0};
	rs_rib_update(w->rib, 0, NULL, 0, &p, 1, x, NULL);
	rs_rib_update(w->rib, 1, NULL, 0, &p, 1, y, NULL);
	rs_attrs_unref(x);
	rs_attrs_unref(y);
	assert_string_equal(nh_of(w, "0.0.0.0/0"),
			    "Active VirtualNetworkGateway 10.0.1.4,10.0.1.5");
	world_free(w);
}

/* A6 / E10: a peer over its prefix limit loses its session and all its
 * routes; they are not truncated. The count is its current routes plus
 * the new prefixes of the incoming UPDATE. */
static void a6_max_prefix(void **st)
{
	(void)st;
	struct world *w = mk(
		"    - {name: nva1, ip: 10.0.1.4, asn: 65001, max_prefixes: 3}\n"
		NVA2, NULL, NULL);
	int p = world_peer(w, "nva1");
	assert_int_equal(world_announce(w, "nva1", "192.168.1.0/24", "65001", "10.0.1.4"), 0);
	assert_int_equal(world_announce(w, "nva1", "192.168.2.0/24", "65001", "10.0.1.4"), 0);
	assert_int_equal(world_announce(w, "nva1", "192.168.3.0/24", "65001", "10.0.1.4"), 0);
	/* Replacing a route does not add to the count. */
	assert_int_equal(world_announce(w, "nva1", "192.168.3.0/24", "65001 65001", "10.0.1.4"), 0);
	assert_int_equal(rs_rib_peer_state(w->rib, p)->routes, 3);
	rs_changes_clear(&w->chg);
	assert_int_equal(world_announce(w, "nva1", "192.168.4.0/24", "65001", "10.0.1.4"), -E2BIG);
	assert_true(rs_rib_peer_state(w->rib, p)->over_limit);
	assert_false(rs_rib_peer_state(w->rib, p)->up);
	assert_int_equal(rs_rib_peer_state(w->rib, p)->routes, 0);
	assert_int_equal(w->chg.n, 3); /* three DELs, nothing for .4 */
	for (size_t i = 0; i < w->chg.n; i++)
		assert_int_equal(w->chg.v[i].op, RS_CHANGE_DEL);
	assert_string_equal(nh_of(w, "192.168.1.0/24"), "absent");
	/* Offline: announce lists over the limit give no routes at all. */
	struct world *w2 = mk(
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n      max_prefixes: 2\n"
		"      announce:\n"
		"        - {prefix: 192.168.1.0/24, as_path: [65001]}\n"
		"        - {prefix: 192.168.2.0/24, as_path: [65001]}\n"
		"        - {prefix: 192.168.3.0/24, as_path: [65001]}\n",
		NULL, NULL);
	assert_true(rs_rib_peer_state(w2->rib, 0)->over_limit);
	assert_int_equal(rs_rib_count(w2->rib), 0);
	world_free(w2);
	world_free(w);
}

/* Incremental: one route from one peer re-decides one prefix and the
 * change log says exactly what changed. */
static void change_log_is_exact(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	rs_changes_clear(&w->chg);
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	assert_int_equal(w->chg.n, 1);
	assert_int_equal(w->chg.v[0].op, RS_CHANGE_SET);
	assert_int_equal(w->chg.v[0].n_nh, 1);
	assert_int_equal(w->chg.v[0].nh[0], 0x0A000104);
	assert_true(w->chg.v[0].nh_changed);
	/* The same route again: nothing. */
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	assert_int_equal(w->chg.n, 1);
	/* A worse path from nva2: not chosen, nothing changes. */
	world_announce(w, "nva2", "0.0.0.0/0", "65002 65002", "10.0.1.5");
	assert_int_equal(w->chg.n, 1);
	/* nva2 ties: ECMP of two. */
	world_announce(w, "nva2", "0.0.0.0/0", "65002", "10.0.1.5");
	assert_int_equal(w->chg.n, 2);
	assert_int_equal(w->chg.v[1].n_nh, 2);
	assert_int_equal(w->chg.v[1].peers, 0x3);
	/* Same next hops, another path: a change, not of next hops. */
	world_announce(w, "nva2", "0.0.0.0/0", "65099", "10.0.1.5");
	assert_int_equal(w->chg.n, 3);
	assert_false(w->chg.v[2].nh_changed);
	/* Withdrawals. */
	world_withdraw(w, "nva1", "0.0.0.0/0");
	assert_int_equal(w->chg.n, 4);
	assert_int_equal(w->chg.v[3].n_nh, 1);
	assert_int_equal(w->chg.v[3].nh[0], 0x0A000105);
	world_withdraw(w, "nva2", "0.0.0.0/0");
	assert_int_equal(w->chg.n, 5);
	assert_int_equal(w->chg.v[4].op, RS_CHANGE_DEL);
	assert_int_equal(rs_rib_count(w->rib), 0);
	/* Withdrawing what is not there: nothing. */
	world_withdraw(w, "nva2", "0.0.0.0/0");
	assert_int_equal(w->chg.n, 5);
	/* C5-filtered prefixes are never programmed: no change. */
	world_announce(w, "nva1", "10.1.0.0/16", "65001", "10.0.1.4");
	assert_int_equal(w->chg.n, 5);
	world_free(w);
}

/* C1: to every peer, the hub's and the remote-gateway spokes' address
 * spaces with AS path 65515 and the instance IP as next hop. */
static void c1_vnet_spaces_advertised(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 ER, NULL, NULL);
	assert_string_equal(world_adv(w, "nva1", "10.0.0.0/16"), "65515");
	assert_string_equal(world_adv(w, "nva1", "10.1.0.0/16"), "65515");
	assert_string_equal(world_adv(w, "nva1", "10.2.0.0/16"), "65515");
	/* spoke3 does not use remote gateways. */
	assert_string_equal(world_adv(w, "nva1", "10.3.0.0/16"), "absent");
	/* Gateways are iBGP: no AS prepended. */
	assert_string_equal(world_adv(w, "er", "10.1.0.0/16"), "");
	json_t *j = rs_report_advertised(w->rib, world_peer(w, "nva1"));
	json_t *r = json_array_get(json_object_get(j, "RouteServiceRole_IN_1"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "localAddress")), "10.0.254.5");
	assert_string_equal(json_string_value(json_object_get(r, "nextHop")), "10.0.254.5");
	json_decref(j);
	world_free(w);
}

/* C2: routes of one NVA go to the other NVAs, path kept, 65515
 * prepended; not back to the NVA they came from. */
static void c2_nva_to_nva(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2 NVA3, NULL, NULL);
	world_announce(w, "nva1", "192.168.10.0/24", "65001 65100", "10.0.1.4");
	assert_string_equal(world_adv(w, "nva2", "192.168.10.0/24"), "65515-65001-65100");
	assert_string_equal(world_adv(w, "nva3", "192.168.10.0/24"), "65515-65001-65100");
	assert_string_equal(world_adv(w, "nva1", "192.168.10.0/24"), "absent");
	world_free(w);
}

/* C3: branch-to-branch off: NVA routes do not reach the gateways, gateway
 * routes do not reach the NVAs. On: they do, and gateways exchange too. */
static void c3_branch_to_branch(void **st)
{
	(void)st;
	const char *peers = NVA1 ER VPN;
	for (int on = 0; on <= 1; on++) {
		struct world *w = mk(peers, NULL, on ? "true" : "false");
		world_announce(w, "nva1", "192.168.10.0/24", "65001", "10.0.1.4");
		world_announce(w, "er", "172.16.0.0/16", "12076 65020", "10.0.255.4");
		world_announce(w, "vpn", "172.20.0.0/16", "65050", "10.0.255.5");
		assert_string_equal(world_adv(w, "er", "192.168.10.0/24"), on ? "65001" : "absent");
		assert_string_equal(world_adv(w, "nva1", "172.16.0.0/16"), on ? "65515-12076-65020" : "absent");
		assert_string_equal(world_adv(w, "vpn", "172.16.0.0/16"), on ? "12076-65020" : "absent");
		assert_string_equal(world_adv(w, "er", "172.20.0.0/16"), on ? "65050" : "absent");
		/* Never back to the gateway that sent it. */
		assert_string_equal(world_adv(w, "er", "172.16.0.0/16"), "absent");
		/* The VNets program them either way. */
		assert_string_equal(nh_of(w, "172.16.0.0/16"), "Active VirtualNetworkGateway 10.0.255.4");
		world_free(w);
	}
}

/* C4: NO_ADVERTISE: programmed into the VNets, advertised to no one. */
static void c4_no_advertise(void **st)
{
	(void)st;
	struct world *w = mk(
		"    - name: nva1\n      ip: 10.0.1.4\n      asn: 65001\n"
		"      announce:\n"
		"        - {prefix: 192.168.50.0/24, as_path: [65001], communities: [\"65535:65282\"]}\n"
		"        - {prefix: 192.168.51.0/24, as_path: [65001], communities: [no-advertise]}\n"
		"        - {prefix: 192.168.52.0/24, as_path: [65001], communities: [\"65001:1\"]}\n"
		NVA2 ER, NULL, "true");
	for (int i = 0; i < 2; i++) {
		const char *p = i ? "192.168.51.0/24" : "192.168.50.0/24";
		assert_string_equal(world_adv(w, "nva2", p), "absent");
		assert_string_equal(world_adv(w, "er", p), "absent");
		assert_string_equal(nh_of(w, p), "Active VirtualNetworkGateway 10.0.1.4");
	}
	/* Other communities have no effect. */
	assert_string_equal(world_adv(w, "nva2", "192.168.52.0/24"), "65515-65001");
	world_free(w);
}

/* C5: routes equal to or longer than a domain VNet space are neither
 * injected nor advertised; shorter supernets are. */
static void c5_vnet_equal_or_longer_filtered(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 NVA2, NULL, NULL);
	world_announce(w, "nva1", "10.1.0.0/16", "65001", "10.0.1.4");
	world_announce(w, "nva1", "10.2.5.0/24", "65001", "10.0.1.4");
	world_announce(w, "nva1", "10.0.0.0/8", "65001", "10.0.1.4");
	for (int i = 0; i < 2; i++) {
		const char *sub = i ? "hub/shared" : "spoke1/app";
		assert_string_equal(world_entry(w, sub, "10.1.0.0/16", RSEMU_SRC_GATEWAY), "absent");
		assert_string_equal(world_entry(w, sub, "10.2.5.0/24", RSEMU_SRC_GATEWAY), "absent");
		assert_string_equal(world_entry(w, sub, "10.0.0.0/8", RSEMU_SRC_GATEWAY),
				    "Active VirtualNetworkGateway 10.0.1.4");
	}
	assert_string_equal(world_adv(w, "nva2", "10.1.0.0/16"), "65515"); /* the VNet's own */
	assert_string_equal(world_adv(w, "nva2", "10.2.5.0/24"), "absent");
	assert_string_equal(world_adv(w, "nva2", "10.0.0.0/8"), "65515-65001");
	/* Still learned: listed as received from nva1. */
	json_t *j = rs_report_learned(w->rib, 0);
	assert_int_equal(json_array_size(json_object_get(j, "RouteServiceRole_IN_0")), 3);
	json_decref(j);
	world_free(w);
}

/* C6: the output shapes of list-learned-routes / list-advertised-routes. */
static void c6_output_shapes(void **st)
{
	(void)st;
	struct world *w = mk(NVA1 ER, NULL, NULL);
	world_announce(w, "nva1", "0.0.0.0/0", "65001", "10.0.1.4");
	world_announce(w, "er", "172.16.0.0/16", "12076 65020", "10.0.255.4");
	json_t *j = rs_report_learned(w->rib, 0);
	assert_int_equal(json_object_size(j), 2);
	for (int i = 0; i < 2; i++) {
		json_t *l = json_object_get(j, i ? "RouteServiceRole_IN_1" : "RouteServiceRole_IN_0");
		assert_int_equal(json_array_size(l), 1);
		json_t *r = json_array_get(l, 0);
		assert_string_equal(json_string_value(json_object_get(r, "localAddress")), i ? "10.0.254.5" : "10.0.254.4");
		assert_string_equal(json_string_value(json_object_get(r, "network")), "0.0.0.0/0");
		assert_string_equal(json_string_value(json_object_get(r, "nextHop")), "10.0.1.4");
		assert_string_equal(json_string_value(json_object_get(r, "sourcePeer")), "10.0.1.4");
		assert_string_equal(json_string_value(json_object_get(r, "origin")), "EBgp");
		assert_string_equal(json_string_value(json_object_get(r, "asPath")), "65001");
		assert_int_equal(json_integer_value(json_object_get(r, "weight")), 32768);
	}
	json_decref(j);
	j = rs_report_learned(w->rib, 1);
	json_t *r = json_array_get(json_object_get(j, "RouteServiceRole_IN_0"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "origin")), "IBgp");
	assert_string_equal(json_string_value(json_object_get(r, "asPath")), "12076-65020");
	json_decref(j);
	j = rs_report_advertised(w->rib, 0);
	r = json_array_get(json_object_get(j, "RouteServiceRole_IN_0"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "network")), "10.0.0.0/16");
	assert_string_equal(json_string_value(json_object_get(r, "asPath")), "65515");
	assert_string_equal(json_string_value(json_object_get(r, "origin")), "Igp");
	assert_string_equal(json_string_value(json_object_get(r, "nextHop")), "10.0.254.4");
	assert_string_equal(json_string_value(json_object_get(r, "localAddress")), "10.0.254.4");
	assert_int_equal(json_integer_value(json_object_get(r, "weight")), 0);
	json_decref(j);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b1_loop_rejected),
		cmocka_unit_test(b1_path_and_communities_intact),
		cmocka_unit_test(b2_pref_expressroute),
		cmocka_unit_test(b2_pref_vpngateway),
		cmocka_unit_test(b2_pref_aspath),
		cmocka_unit_test(b2_shortest_as_path),
		cmocka_unit_test(b2_ecmp_all_tied),
		cmocka_unit_test(b3_prefixes_decided_apart),
		cmocka_unit_test(b4_peer_down_withdraws_all),
		cmocka_unit_test(b5_next_hop_as_sent),
		cmocka_unit_test(b6_no_tie_break_after_path_length),
		cmocka_unit_test(a6_max_prefix),
		cmocka_unit_test(change_log_is_exact),
		cmocka_unit_test(c1_vnet_spaces_advertised),
		cmocka_unit_test(c2_nva_to_nva),
		cmocka_unit_test(c3_branch_to_branch),
		cmocka_unit_test(c4_no_advertise),
		cmocka_unit_test(c5_vnet_equal_or_longer_filtered),
		cmocka_unit_test(c6_output_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
