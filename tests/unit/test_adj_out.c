/* The advertisement engine (control/adj_out.c): what one session is sent
 * (AZURE-SEMANTICS.md C), checked by parsing the UPDATEs it emits with the
 * codec. The initial dump ends with End-of-RIB; afterwards only the
 * prefixes whose advertisement changed are sent, withdrawals included;
 * prefixes sharing attributes share an UPDATE. Uses the world fixture. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adj_out.h"
#include "world.h"

#define NVA1 "    - {name: nva1, ip: 10.0.1.4, asn: 65001}\n"
#define NVA2 "    - {name: nva2, ip: 10.0.1.5, asn: 65002}\n"
#define NVA3 "    - {name: nva3, ip: 10.0.1.6, asn: 65003}\n"
#define ER "    - {name: er, kind: expressroute, ip: 10.0.255.4}\n"
#define INST0 0x0A00FE04u /* 10.0.254.4 */

/* --- capturing what is sent ------------------------------------------------ */

#define MAX_MSGS 64

struct sent {
	size_t n;
	size_t len[MAX_MSGS];
	uint8_t msg[MAX_MSGS][RS_BGP_MAX_LEN];
};

static int capture(void *ctx, const uint8_t *msg, size_t len)
{
	struct sent *s = ctx;
	assert_true(s->n < MAX_MSGS);
	memcpy(s->msg[s->n], msg, len);
	s->len[s->n++] = len;
	return 0;
}

static struct rs_bgp_update *upd;

/* Parses message i; the result stays in upd until the next call. */
static struct rs_bgp_update *parsed(struct sent *s, size_t i, bool ibgp)
{
	struct rs_bgp_update_opts o = {.as4 = true, .ibgp = ibgp};
	assert_true(i < s->n);
	assert_int_equal(rs_bgp_update_parse(s->msg[i], s->len[i], &o, upd), 0);
	assert_int_equal(upd->action, RS_BGP_UPDATE_OK);
	return upd;
}

static struct rsemu_prefix P(const char *s)
{
	struct rsemu_prefix p;
	assert_int_equal(rsemu_prefix_parse(s, &p), 0);
	return p;
}

static bool has_prefix(const struct rsemu_prefix *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (rsemu_prefix_eq(v[i], P(s)))
			return true;
	return false;
}

static const char *path_of(const struct rs_attrs *a)
{
	static char buf[256];
	rs_attrs_format_path(a, buf, sizeof(buf));
	return buf;
}

/* --- fixture ----------------------------------------------------------------- */

static struct world *w;
static struct rs_adj_out ao;
static struct sent *out;
static struct rsemu_prefix spaces[] = {
	{0x0A000000, 16}, {0x0A010000, 16}, {0x0A020000, 16}, /* hub, spoke1/2 */
};
static const struct rs_bgp_update_opts ebgp = {.as4 = true};

static void open_world(const char *peers, const char *b2b, const char *to)
{
	struct world_spec spec = {.peers = peers, .b2b = b2b};
	w = world_new(&spec);
	struct rs_adv_target t = {
		.rib = w->rib,
		.peer = world_peer(w, to),
		.local_ip = INST0,
		.ibgp = strcmp(to, "er") == 0,
		.spaces = spaces,
		.n_spaces = 3,
	};
	assert_int_equal(rs_adj_out_init(&ao, &t), 0);
	out = calloc(1, sizeof(*out));
	upd = calloc(1, sizeof(*upd));
	assert_non_null(out);
	assert_non_null(upd);
}

static int teardown(void **st)
{
	(void)st;
	rs_adj_out_free(&ao);
	rs_bgp_update_release(upd);
	free(upd);
	free(out);
	world_free(w);
	return 0;
}

/* Feeds the RIB's change log to the Adj-RIB-Out and flushes it. */
static int advertise(void)
{
	for (size_t i = 0; i < w->chg.n; i++)
		assert_int_equal(rs_adj_out_update(&ao, w->chg.v[i].prefix), 0);
	rs_changes_clear(&w->chg);
	out->n = 0;
	return rs_adj_out_flush(&ao, &ebgp, capture, out);
}

static void initial(void)
{
	out->n = 0;
	assert_true(rs_adj_out_initial(&ao, &ebgp, capture, out) > 0);
}

/* --- tests ---------------------------------------------------------------------- */

static void initial_dump_spaces_then_eor(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	int n = rs_adj_out_initial(&ao, &ebgp, capture, out);
	assert_int_equal(n, 2); /* one UPDATE for the three spaces, EoR */
	assert_int_equal(out->n, 2);
	struct rs_bgp_update *u = parsed(out, 0, false);
	assert_int_equal(u->n_nlri, 3);
	assert_true(has_prefix(u->nlri, u->n_nlri, "10.0.0.0/16"));
	assert_true(has_prefix(u->nlri, u->n_nlri, "10.1.0.0/16"));
	assert_true(has_prefix(u->nlri, u->n_nlri, "10.2.0.0/16"));
	assert_string_equal(path_of(u->attrs), "65515");
	assert_int_equal(u->attrs->next_hop, INST0);
	assert_int_equal(u->attrs->origin, RS_ORIGIN_IGP);
	assert_true(parsed(out, 1, false)->end_of_rib);
	assert_int_equal(rs_adj_out_count(&ao), 3);
}

static void initial_dump_includes_learned_routes(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	initial();
	assert_int_equal(out->n, 3); /* spaces, nva2's route, EoR */
	assert_true(parsed(out, out->n - 1, false)->end_of_rib);
	bool found = false;
	for (size_t i = 0; i + 1 < out->n; i++) {
		struct rs_bgp_update *u = parsed(out, i, false);
		if (has_prefix(u->nlri, u->n_nlri, "192.168.2.0/24")) {
			found = true;
			assert_int_equal(u->n_nlri, 1);
			assert_string_equal(path_of(u->attrs), "65515-65002");
			assert_int_equal(u->attrs->next_hop, INST0);
		}
	}
	assert_true(found);
}

static void a_change_sends_only_that_prefix(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	assert_int_equal(advertise(), 1);
	struct rs_bgp_update *u = parsed(out, 0, false);
	assert_int_equal(u->n_withdrawn, 0);
	assert_int_equal(u->n_nlri, 1);
	assert_true(has_prefix(u->nlri, 1, "192.168.2.0/24"));
	assert_string_equal(path_of(u->attrs), "65515-65002");

	assert_int_equal(world_announce(w, "nva2", "192.168.3.0/24", "65002",
					"10.0.1.5"), 0);
	assert_int_equal(advertise(), 1);
	u = parsed(out, 0, false);
	assert_int_equal(u->n_nlri, 1);
	assert_true(has_prefix(u->nlri, 1, "192.168.3.0/24"));
	assert_int_equal(rs_adj_out_count(&ao), 5);
}

static void unchanged_is_not_resent(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	assert_int_equal(advertise(), 1);
	/* The same route again: the RIB logs nothing; asked anyway, the
	 * Adj-RIB-Out finds nothing to send. */
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	assert_int_equal(w->chg.n, 0);
	assert_int_equal(rs_adj_out_update(&ao, P("192.168.2.0/24")), 0);
	assert_int_equal(rs_adj_out_update(&ao, P("10.0.0.0/16")), 0);
	out->n = 0;
	assert_int_equal(rs_adj_out_flush(&ao, &ebgp, capture, out), 0);
	assert_int_equal(out->n, 0);
}

static void path_change_resent(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	advertise();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24",
					"65002 65002", "10.0.1.5"), 0);
	assert_int_equal(advertise(), 1);
	struct rs_bgp_update *u = parsed(out, 0, false);
	assert_int_equal(u->n_withdrawn, 0);
	assert_string_equal(path_of(u->attrs), "65515-65002-65002");
}

static void withdrawal_sent(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	advertise();
	assert_int_equal(world_withdraw(w, "nva2", "192.168.2.0/24"), 0);
	assert_int_equal(advertise(), 1);
	struct rs_bgp_update *u = parsed(out, 0, false);
	assert_int_equal(u->n_withdrawn, 1);
	assert_int_equal(u->n_nlri, 0);
	assert_true(has_prefix(u->withdrawn, 1, "192.168.2.0/24"));
	assert_int_equal(rs_adj_out_count(&ao), 3);
	/* A peer down: everything it had goes in one UPDATE. */
	world_announce(w, "nva2", "192.168.4.0/24", "65002", "10.0.1.5");
	world_announce(w, "nva2", "192.168.5.0/24", "65002", "10.0.1.5");
	advertise();
	assert_int_equal(rs_rib_peer_down(w->rib, world_peer(w, "nva2"), &w->chg), 0);
	assert_int_equal(advertise(), 1);
	assert_int_equal(parsed(out, 0, false)->n_withdrawn, 2);
}

static void same_attributes_share_an_update(void **st)
{
	(void)st;
	open_world(NVA1 NVA2 NVA3, NULL, "nva1");
	initial();
	struct rsemu_prefix v[10];
	for (int i = 0; i < 10; i++)
		v[i] = (struct rsemu_prefix){0xC0A80000u | (uint32_t)i << 8, 24};
	uint32_t asn2 = 65002, asn3 = 65003;
	struct rs_attrs *a2 = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0A000105, &asn2, 1,
					       NULL, 0);
	struct rs_attrs *a3 = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0A000106, &asn3, 1,
					       NULL, 0);
	/* Both in one event: 6 prefixes from nva2, 4 from nva3. */
	assert_int_equal(rs_rib_update(w->rib, world_peer(w, "nva2"), NULL, 0, v,
				       6, a2, &w->chg), 0);
	assert_int_equal(rs_rib_update(w->rib, world_peer(w, "nva3"), NULL, 0,
				       v + 6, 4, a3, &w->chg), 0);
	rs_attrs_unref(a2);
	rs_attrs_unref(a3);
	assert_int_equal(advertise(), 2);
	size_t n0 = parsed(out, 0, false)->n_nlri;
	size_t n1 = parsed(out, 1, false)->n_nlri;
	assert_true((n0 == 6 && n1 == 4) || (n0 == 4 && n1 == 6));
}

static void own_routes_not_sent_back(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva2");
	initial();
	assert_int_equal(world_announce(w, "nva2", "192.168.2.0/24", "65002",
					"10.0.1.5"), 0);
	assert_int_equal(advertise(), 0);
	assert_int_equal(out->n, 0);
}

static void ecmp_source_change_is_an_update(void **st)
{
	(void)st;
	open_world(NVA1 NVA2 NVA3, NULL, "nva3");
	initial();
	world_announce(w, "nva1", "192.168.9.0/24", "65001", "10.0.1.4");
	world_announce(w, "nva2", "192.168.9.0/24", "65002", "10.0.1.5");
	advertise();
	/* nva1 leaves the ECMP set: nva2's path is sent, nothing withdrawn. */
	world_withdraw(w, "nva1", "192.168.9.0/24");
	assert_int_equal(advertise(), 1);
	struct rs_bgp_update *u = parsed(out, 0, false);
	assert_int_equal(u->n_withdrawn, 0);
	assert_int_equal(u->n_nlri, 1);
	assert_string_equal(path_of(u->attrs), "65515-65002");
}

static void no_advertise_not_sent(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	uint32_t asn = 65002, comm = RSEMU_NO_ADVERTISE;
	struct rs_attrs *a = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0A000105, &asn, 1,
					      &comm, 1);
	struct rsemu_prefix p = P("192.168.7.0/24");
	assert_int_equal(rs_rib_update(w->rib, world_peer(w, "nva2"), NULL, 0, &p,
				       1, a, &w->chg), 0);
	rs_attrs_unref(a);
	assert_int_equal(w->chg.n, 1); /* programmed ... */
	assert_int_equal(advertise(), 0); /* ... not advertised */
}

static void ibgp_gateway_gets_local_pref_and_path_unchanged(void **st)
{
	(void)st;
	open_world(NVA1 ER, "true", "er");
	struct rs_bgp_update_opts ibgp = {.as4 = true, .ibgp = true};
	world_announce(w, "nva1", "192.168.1.0/24", "65001", "10.0.1.4");
	out->n = 0;
	assert_true(rs_adj_out_initial(&ao, &ibgp, capture, out) > 0);
	for (size_t i = 0; i + 1 < out->n; i++) {
		struct rs_bgp_update *u = parsed(out, i, true);
		assert_true(u->attrs->has_local_pref);
		assert_int_equal(u->attrs->local_pref, 100);
		assert_int_equal(u->attrs->next_hop, INST0);
		if (has_prefix(u->nlri, u->n_nlri, "192.168.1.0/24"))
			assert_string_equal(path_of(u->attrs), "65001");
		else
			assert_string_equal(path_of(u->attrs), "");
	}
}

static void route_refresh_resends_everything(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	world_announce(w, "nva2", "192.168.2.0/24", "65002", "10.0.1.5");
	initial();
	out->n = 0;
	assert_int_equal(rs_adj_out_resend(&ao, &ebgp, capture, out), 2);
	size_t total = 0;
	for (size_t i = 0; i < out->n; i++)
		total += parsed(out, i, false)->n_nlri;
	assert_int_equal(total, 4);
}

static void reset_forgets_what_was_sent(void **st)
{
	(void)st;
	open_world(NVA1 NVA2, NULL, "nva1");
	initial();
	rs_adj_out_reset(&ao);
	assert_int_equal(rs_adj_out_count(&ao), 0);
	initial(); /* a new session: everything again */
	assert_int_equal(parsed(out, 0, false)->n_nlri, 3);
}

static void prepend_before_a_set(void **st)
{
	(void)st;
	struct rs_as_seg segs[] = {{RS_AS_SET, 2}, {RS_AS_SEQUENCE, 1}};
	uint32_t asns[] = {65010, 65011, 65001};
	struct rs_attrs_spec spec = {.n_segs = 2, .segs = segs, .asns = asns,
				     .has_med = true, .med = 5};
	struct rs_attrs *src = rs_attrs_new(&spec);
	struct rs_attrs *a = rs_adv_attrs(src, INST0, false);
	assert_string_equal(path_of(a), "65515-{65010,65011}-65001");
	assert_false(a->has_med); /* not passed to another AS */
	assert_int_equal(a->next_hop, INST0);
	rs_attrs_unref(a);
	a = rs_adv_attrs(src, INST0, true);
	assert_string_equal(path_of(a), "{65010,65011}-65001");
	assert_true(a->has_med);
	rs_attrs_unref(a);
	rs_attrs_unref(src);
}

int main(void)
{
#define T(fn) cmocka_unit_test_teardown(fn, teardown)
	const struct CMUnitTest tests[] = {
		T(initial_dump_spaces_then_eor),
		T(initial_dump_includes_learned_routes),
		T(a_change_sends_only_that_prefix),
		T(unchanged_is_not_resent),
		T(path_change_resent),
		T(withdrawal_sent),
		T(same_attributes_share_an_update),
		T(own_routes_not_sent_back),
		T(ecmp_source_change_is_an_update),
		T(no_advertise_not_sent),
		T(ibgp_gateway_gets_local_pref_and_path_unchanged),
		T(route_refresh_resends_everything),
		T(reset_forgets_what_was_sent),
		cmocka_unit_test(prepend_before_a_set),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
