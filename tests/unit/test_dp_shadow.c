/* The shadow state (dataplane/shadow.c): routes, groups and bindings as
 * applied from messages, the change list of each COMMIT, and RESET/replay
 * (BEGIN_SYNC) sweeping whatever was not re-sent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shadow.h"

#define P(a, b, c, d, l) \
	((struct rsemu_prefix){((uint32_t)(a) << 24) | ((b) << 16) | \
			       ((c) << 8) | (d), (l)})

static const uint32_t nvas[4] = {0x0A000104, 0x0A000105, 0x0A000106,
				 0x0A000107};

static int apply(struct dp_shadow *sh, struct rsemu_msg m)
{
	enum rsemu_reject why;

	return dp_shadow_apply(sh, &m, &why);
}

static bool has_route(struct dp_shadow *sh, uint16_t t, struct rsemu_prefix p,
		      dp_action_t *a)
{
	return dp_shadow_route(sh, t, p.addr, p.len, a);
}

static bool changed_route(const struct dp_changes *ch, uint16_t t,
			  struct rsemu_prefix p)
{
	for (uint32_t i = 0; i < ch->n_routes; i++)
		if (ch->routes[i].table == t && ch->routes[i].addr == p.addr &&
		    ch->routes[i].len == p.len)
			return true;
	return false;
}

static void apply_and_change_list(void **st)
{
	(void)st;
	struct dp_shadow *sh;
	const struct dp_changes *ch;
	dp_action_t a;

	assert_int_equal(dp_shadow_create(NULL, &sh), 0);
	assert_int_equal(apply(sh, rsemu_msg_group_set(3, nvas, 2)), 0);
	assert_int_equal(apply(sh, rsemu_msg_route_add(
				      1, P(10, 0, 0, 0, 8),
				      RSEMU_NH_VIRTUAL_APPLIANCE, 3)), 0);
	assert_int_equal(apply(sh, rsemu_msg_route_add(
				      2, P(10, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				      RSEMU_GROUP_NONE)), 0);
	assert_int_equal(apply(sh, rsemu_msg_bind(40, 1)), 0);
	assert_int_equal(apply(sh, rsemu_msg_commit(1, 99)), 1);
	ch = dp_shadow_changes(sh);
	assert_int_equal(ch->epoch, 1);
	assert_int_equal(ch->event_ns, 99);
	assert_int_equal(ch->n_routes, 2);
	assert_int_equal(ch->n_groups, 1);
	assert_int_equal(ch->n_subnets, 1);
	assert_false(ch->resync);
	assert_true(has_route(sh, 1, P(10, 0, 0, 0, 8), &a));
	assert_int_equal(a, DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE, 3));
	assert_int_equal(dp_shadow_prefix_refs(sh, 0x0A000000, 8), 2);
	assert_int_equal(dp_shadow_binding(sh, 40), 1);
	assert_int_equal(dp_shadow_table_span(sh), 3);
	dp_shadow_changes_done(sh);

	/* Re-sending the same thing changes nothing. */
	assert_int_equal(apply(sh, rsemu_msg_group_set(3, nvas, 2)), 0);
	assert_int_equal(apply(sh, rsemu_msg_route_add(
				      2, P(10, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				      RSEMU_GROUP_NONE)), 0);
	assert_int_equal(apply(sh, rsemu_msg_bind(40, 1)), 0);
	assert_int_equal(apply(sh, rsemu_msg_commit(2, 0)), 1);
	ch = dp_shadow_changes(sh);
	assert_int_equal(ch->n_routes + ch->n_groups + ch->n_subnets, 0);
	dp_shadow_changes_done(sh);

	/* Replace, delete, delete-missing, unbind. */
	assert_int_equal(apply(sh, rsemu_msg_route_add(
				      2, P(10, 0, 0, 0, 8), RSEMU_NH_NONE,
				      RSEMU_GROUP_NONE)), 0);
	assert_int_equal(apply(sh, rsemu_msg_route_del(1, P(10, 0, 0, 0, 8))),
			 0);
	assert_int_equal(apply(sh, rsemu_msg_route_del(1, P(10, 0, 0, 0, 8))),
			 0);
	assert_int_equal(apply(sh, rsemu_msg_bind(40, RSEMU_TABLE_NONE)), 0);
	assert_int_equal(apply(sh, rsemu_msg_commit(3, 0)), 1);
	ch = dp_shadow_changes(sh);
	assert_true(changed_route(ch, 2, P(10, 0, 0, 0, 8)));
	assert_true(changed_route(ch, 1, P(10, 0, 0, 0, 8)));
	assert_int_equal(ch->n_subnets, 1);
	assert_int_equal(dp_shadow_prefix_refs(sh, 0x0A000000, 8), 1);
	assert_int_equal(dp_shadow_binding(sh, 40), RSEMU_TABLE_NONE);
	assert_int_equal(dp_shadow_table_span(sh), 3);
	struct dp_shadow_stats s;
	dp_shadow_get_stats(sh, &s);
	assert_int_equal(s.del_missing, 1);
	assert_int_equal(s.routes, 1);
	assert_int_equal(s.commits, 3);
	dp_shadow_changes_done(sh);
	dp_shadow_free(sh);
}

/* A group update keeps the buckets of members that stay. */
static void group_update_minimal(void **st)
{
	(void)st;
	struct dp_shadow *sh;
	struct dp_ecmp_group before;
	const struct dp_ecmp_group *g;

	assert_int_equal(dp_shadow_create(NULL, &sh), 0);
	assert_int_equal(apply(sh, rsemu_msg_group_set(9, nvas, 4)), 0);
	before = *dp_shadow_group(sh, 9);
	/* nvas[1] leaves (members sent in another order). */
	uint32_t rest[3] = {nvas[3], nvas[0], nvas[2]};
	assert_int_equal(apply(sh, rsemu_msg_group_set(9, rest, 3)), 0);
	g = dp_shadow_group(sh, 9);
	assert_int_equal(g->n, 3);
	for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++) {
		uint32_t was = before.members[before.bucket[b]];

		if (was != nvas[1])
			assert_int_equal(g->members[g->bucket[b]], was);
	}
	assert_int_equal(apply(sh, rsemu_msg_group_del(9)), 0);
	assert_null(dp_shadow_group(sh, 9));
	assert_int_equal(apply(sh, rsemu_msg_group_del(9)), 0);
	dp_shadow_free(sh);
}

/* Full replay under a new epoch: entries re-sent stay (unchanged ones not
 * even reported), the others are swept at the COMMIT, not before. */
static void reset_replay_sweeps_stale(void **st)
{
	(void)st;
	struct dp_shadow *sh;
	const struct dp_changes *ch;
	struct dp_shadow_stats s;
	dp_action_t a;

	assert_int_equal(dp_shadow_create(NULL, &sh), 0);
	for (unsigned t = 0; t < 4; t++) {
		for (unsigned i = 0; i < 50; i++)
			assert_int_equal(apply(sh, rsemu_msg_route_add(
					(uint16_t)t, P(10, i, 0, 0, 16),
					RSEMU_NH_VNET_GATEWAY, 1)), 0);
		assert_int_equal(apply(sh, rsemu_msg_bind(t * 10, (uint16_t)t)),
				 0);
	}
	assert_int_equal(apply(sh, rsemu_msg_group_set(1, nvas, 4)), 0);
	assert_int_equal(apply(sh, rsemu_msg_group_set(2, nvas, 2)), 0);
	assert_int_equal(apply(sh, rsemu_msg_commit(10, 0)), 1);
	dp_shadow_changes_done(sh);

	/* The Route Server restarts and replays: tables 0..2 only, routes
	 * 10.0-39/16 (10.39 changed), group 1 only, bindings of 0 and 1. */
	assert_int_equal(apply(sh, rsemu_msg_begin_sync(11)), 0);
	for (unsigned t = 0; t < 3; t++)
		for (unsigned i = 0; i < 40; i++)
			assert_int_equal(apply(sh, rsemu_msg_route_add(
					(uint16_t)t, P(10, i, 0, 0, 16),
					i == 39 ? RSEMU_NH_NONE
						: RSEMU_NH_VNET_GATEWAY,
					i == 39 ? RSEMU_GROUP_NONE : 1)), 0);
	assert_int_equal(apply(sh, rsemu_msg_group_set(1, nvas, 4)), 0);
	assert_int_equal(apply(sh, rsemu_msg_bind(0, 0)), 0);
	assert_int_equal(apply(sh, rsemu_msg_bind(10, 1)), 0);
	/* Until the COMMIT nothing is swept. */
	assert_true(has_route(sh, 3, P(10, 5, 0, 0, 16), NULL));
	assert_non_null(dp_shadow_group(sh, 2));
	dp_shadow_get_stats(sh, &s);
	assert_true(s.syncing);

	assert_int_equal(apply(sh, rsemu_msg_commit(11, 0)), 1);
	ch = dp_shadow_changes(sh);
	assert_true(ch->resync);
	/* Changed: 3 x (10.39 replaced + 10.40-49 swept) + table 3's 50. */
	assert_int_equal(ch->n_routes, 3 * 11 + 50);
	assert_int_equal(ch->n_groups, 1);
	assert_int_equal(ch->n_subnets, 2);
	dp_shadow_get_stats(sh, &s);
	assert_false(s.syncing);
	assert_int_equal(s.routes, 120);
	assert_int_equal(s.swept_routes, 3 * 10 + 50);
	assert_int_equal(s.swept_groups, 1);
	assert_int_equal(s.swept_bindings, 2);
	assert_int_equal(s.groups, 1);
	assert_int_equal(s.bindings, 2);
	for (unsigned t = 0; t < 4; t++) {
		for (unsigned i = 0; i < 50; i++) {
			bool want = t < 3 && i < 40;

			assert_int_equal(has_route(sh, (uint16_t)t,
						   P(10, i, 0, 0, 16), &a),
					 want);
			if (want)
				assert_int_equal(DP_ACT_TYPE(a),
						 i == 39 ? RSEMU_NH_NONE
							 : RSEMU_NH_VNET_GATEWAY);
		}
	}
	assert_int_equal(dp_shadow_prefix_refs(sh, 0x0A050000, 16), 3);
	assert_int_equal(dp_shadow_prefix_refs(sh, 0x0A2D0000, 16), 0);
	assert_null(dp_shadow_group(sh, 2));
	assert_int_equal(dp_shadow_binding(sh, 20), RSEMU_TABLE_NONE);
	assert_int_equal(dp_shadow_binding(sh, 10), 1);
	assert_int_equal(dp_shadow_table_span(sh), 3);
	dp_shadow_changes_done(sh);

	/* A second, empty replay empties everything. */
	assert_int_equal(apply(sh, rsemu_msg_begin_sync(12)), 0);
	assert_int_equal(apply(sh, rsemu_msg_commit(12, 0)), 1);
	dp_shadow_get_stats(sh, &s);
	assert_int_equal(s.routes + s.prefixes + s.groups + s.bindings, 0);
	assert_int_equal(dp_shadow_table_span(sh), 0);
	dp_shadow_changes_done(sh);
	dp_shadow_free(sh);
}

/* Many routes (map growth and backward-shift deletion), checked against a
 * plain list. */
static void many_routes(void **st)
{
	(void)st;
	struct dp_shadow *sh;
	struct dp_shadow_stats s;
	enum { N = 20000 };
	static uint8_t present[N];
	uint64_t x = 12345;

	assert_int_equal(dp_shadow_create(NULL, &sh), 0);
	for (unsigned round = 0; round < 6; round++) {
		for (unsigned k = 0; k < N; k++) {
			unsigned i;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			i = (unsigned)(x % N);
			struct rsemu_prefix p = {0x0B000000u | (i << 4), 28};
			if (present[i])
				assert_int_equal(apply(sh, rsemu_msg_route_del(
						(uint16_t)(i % 7), p)), 0);
			else
				assert_int_equal(apply(sh, rsemu_msg_route_add(
						(uint16_t)(i % 7), p,
						RSEMU_NH_INTERNET,
						RSEMU_GROUP_NONE)), 0);
			present[i] ^= 1;
		}
		assert_int_equal(apply(sh, rsemu_msg_commit(round + 1, 0)), 1);
		dp_shadow_changes_done(sh);
		unsigned want = 0;
		for (unsigned i = 0; i < N; i++) {
			struct rsemu_prefix p = {0x0B000000u | (i << 4), 28};

			want += present[i];
			assert_int_equal(has_route(sh, (uint16_t)(i % 7), p,
						   NULL), present[i]);
		}
		dp_shadow_get_stats(sh, &s);
		assert_int_equal(s.routes, want);
		assert_int_equal(s.prefixes, want);
	}
	dp_shadow_free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apply_and_change_list),
		cmocka_unit_test(group_update_minimal),
		cmocka_unit_test(reset_replay_sweeps_stale),
		cmocka_unit_test(many_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
