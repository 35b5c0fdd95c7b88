/* Ring message validation (dataplane/msg.c): every message type accepted
 * when well formed, every invalid field rejected with its own reason, and
 * through the shadow (dataplane/shadow.c) rejected messages are counted by
 * reason and change nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rsemu/ring.h"
#include "shadow.h"

#define P(a, b, c, d, l) \
	((struct rsemu_prefix){((uint32_t)(a) << 24) | ((b) << 16) | \
			       ((c) << 8) | (d), (l)})

static const uint32_t nvas[3] = {0x0A000104, 0x0A000105, 0x0A000106};

static void valid_messages_pass(void **st)
{
	(void)st;
	struct rsemu_msg ok[] = {
		rsemu_msg_begin_sync(1),
		rsemu_msg_bind(0, 0),
		rsemu_msg_bind(RSEMU_RING_MAX_SUBNETS - 1,
			       RSEMU_RING_MAX_TABLES - 1),
		rsemu_msg_bind(7, RSEMU_TABLE_NONE),
		rsemu_msg_route_add(3, P(10, 1, 0, 0, 16), RSEMU_NH_VNET_LOCAL,
				    RSEMU_GROUP_NONE),
		rsemu_msg_route_add(3, P(0, 0, 0, 0, 0), RSEMU_NH_INTERNET,
				    RSEMU_GROUP_NONE),
		rsemu_msg_route_add(3, P(10, 2, 3, 4, 32), RSEMU_NH_NONE,
				    RSEMU_GROUP_NONE),
		rsemu_msg_route_add(RSEMU_RING_MAX_TABLES - 1,
				    P(192, 168, 0, 0, 16),
				    RSEMU_NH_VIRTUAL_APPLIANCE,
				    RSEMU_RING_MAX_GROUPS - 1),
		rsemu_msg_route_add(0, P(172, 16, 0, 0, 12),
				    RSEMU_NH_VNET_GATEWAY, 0),
		rsemu_msg_route_del(3, P(10, 1, 0, 0, 16)),
		rsemu_msg_group_set(5, nvas, 3),
		rsemu_msg_group_set(5, nvas, 1),
		rsemu_msg_group_del(5),
		rsemu_msg_commit(1, 0),
		rsemu_msg_commit(UINT64_MAX, 123),
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		enum rsemu_reject r = rsemu_msg_check(&ok[i]);

		if (r != RSEMU_REJ_OK)
			fail_msg("message %zu (%s) rejected: %s", i,
				 rsemu_msg_type_name(ok[i].type),
				 rsemu_reject_name(r));
	}
}

struct bad_case {
	const char *what;
	struct rsemu_msg m;
	enum rsemu_reject why;
};

static struct rsemu_msg with_raw(struct rsemu_msg m, size_t off, uint8_t v)
{
	m.u.raw[off] = v;
	return m;
}

static struct rsemu_msg with_flags(struct rsemu_msg m)
{
	m.flags = 1;
	return m;
}

static struct rsemu_msg with_type(uint16_t t)
{
	struct rsemu_msg m = rsemu_msg_commit(1, 0);

	m.type = t;
	return m;
}

static struct rsemu_msg group_with_member(unsigned i, uint32_t v)
{
	struct rsemu_msg m = rsemu_msg_group_set(1, nvas, 3);

	m.u.group.members[i] = v;
	return m;
}

static struct rsemu_msg group_n(uint8_t n)
{
	struct rsemu_msg m = rsemu_msg_group_set(1, nvas, 3);

	m.u.group.n_members = n;
	return m;
}

static struct rsemu_msg del_with_nh(void)
{
	struct rsemu_msg m = rsemu_msg_route_del(1, P(10, 0, 0, 0, 8));

	m.u.route.nh_type = RSEMU_NH_INTERNET;
	return m;
}

static struct rsemu_msg group_del_with_members(void)
{
	struct rsemu_msg m = rsemu_msg_group_del(1);

	m.u.group.n_members = 1;
	return m;
}

static void each_invalid_field_rejected(void **st)
{
	(void)st;
	struct rsemu_prefix p8 = P(10, 0, 0, 0, 8);
	struct bad_case bad[] = {
		{"type 0", with_type(0), RSEMU_REJ_TYPE},
		{"type past the end", with_type(RSEMU_MSG__COUNT),
		 RSEMU_REJ_TYPE},
		{"type 0xFFFF", with_type(0xFFFF), RSEMU_REJ_TYPE},
		{"flags", with_flags(rsemu_msg_commit(1, 0)),
		 RSEMU_REJ_RESERVED},
		{"sync epoch 0", rsemu_msg_begin_sync(0), RSEMU_REJ_EPOCH},
		{"sync tail", with_raw(rsemu_msg_begin_sync(1), 8, 1),
		 RSEMU_REJ_RESERVED},
		{"commit epoch 0", rsemu_msg_commit(0, 5), RSEMU_REJ_EPOCH},
		{"commit tail", with_raw(rsemu_msg_commit(1, 0), 55, 1),
		 RSEMU_REJ_RESERVED},
		{"bind subnet", rsemu_msg_bind(RSEMU_RING_MAX_SUBNETS, 0),
		 RSEMU_REJ_SUBNET},
		{"bind table", rsemu_msg_bind(1, RSEMU_RING_MAX_TABLES),
		 RSEMU_REJ_TABLE},
		{"bind table 0xFFFE", rsemu_msg_bind(1, 0xFFFE),
		 RSEMU_REJ_TABLE},
		{"bind pad", with_raw(rsemu_msg_bind(1, 1), 6, 1),
		 RSEMU_REJ_RESERVED},
		{"bind tail", with_raw(rsemu_msg_bind(1, 1), 20, 1),
		 RSEMU_REJ_RESERVED},
		{"route table",
		 rsemu_msg_route_add(RSEMU_RING_MAX_TABLES, p8,
				     RSEMU_NH_INTERNET, RSEMU_GROUP_NONE),
		 RSEMU_REJ_TABLE},
		{"route table NONE",
		 rsemu_msg_route_add(RSEMU_TABLE_NONE, p8, RSEMU_NH_INTERNET,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_TABLE},
		{"route len 33",
		 rsemu_msg_route_add(1, P(10, 0, 0, 0, 33), RSEMU_NH_INTERNET,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_PREFIX_LEN},
		{"route len 255",
		 rsemu_msg_route_add(1, P(0, 0, 0, 0, 255), RSEMU_NH_INTERNET,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_PREFIX_LEN},
		{"route host bits",
		 rsemu_msg_route_add(1, P(10, 1, 0, 0, 8), RSEMU_NH_INTERNET,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_HOST_BITS},
		{"route host bits /0",
		 rsemu_msg_route_add(1, P(0, 0, 0, 1, 0), RSEMU_NH_INTERNET,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_HOST_BITS},
		{"route nh type",
		 rsemu_msg_route_add(1, p8, RSEMU_NH__COUNT, RSEMU_GROUP_NONE),
		 RSEMU_REJ_NH_TYPE},
		{"route nh type 200",
		 rsemu_msg_route_add(1, p8, 200, RSEMU_GROUP_NONE),
		 RSEMU_REJ_NH_TYPE},
		{"route VA without group",
		 rsemu_msg_route_add(1, p8, RSEMU_NH_VIRTUAL_APPLIANCE,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_NH_GROUP},
		{"route VNG without group",
		 rsemu_msg_route_add(1, p8, RSEMU_NH_VNET_GATEWAY,
				     RSEMU_GROUP_NONE),
		 RSEMU_REJ_NH_GROUP},
		{"route VnetLocal with group",
		 rsemu_msg_route_add(1, p8, RSEMU_NH_VNET_LOCAL, 3),
		 RSEMU_REJ_NH_GROUP},
		{"route group out of range",
		 rsemu_msg_route_add(1, p8, RSEMU_NH_VIRTUAL_APPLIANCE,
				     RSEMU_RING_MAX_GROUPS),
		 RSEMU_REJ_GROUP},
		{"route pad",
		 with_raw(rsemu_msg_route_add(1, p8, RSEMU_NH_INTERNET,
					      RSEMU_GROUP_NONE), 10, 1),
		 RSEMU_REJ_RESERVED},
		{"route tail",
		 with_raw(rsemu_msg_route_add(1, p8, RSEMU_NH_INTERNET,
					      RSEMU_GROUP_NONE), 40, 1),
		 RSEMU_REJ_RESERVED},
		{"del table", rsemu_msg_route_del(RSEMU_RING_MAX_TABLES, p8),
		 RSEMU_REJ_TABLE},
		{"del host bits", rsemu_msg_route_del(1, P(10, 0, 0, 1, 24)),
		 RSEMU_REJ_HOST_BITS},
		{"del len", rsemu_msg_route_del(1, P(10, 0, 0, 0, 40)),
		 RSEMU_REJ_PREFIX_LEN},
		{"del with nh type", del_with_nh(), RSEMU_REJ_RESERVED},
		{"group id", rsemu_msg_group_set(RSEMU_RING_MAX_GROUPS, nvas, 2),
		 RSEMU_REJ_GROUP},
		{"group 0 members", group_n(0), RSEMU_REJ_MEMBER_COUNT},
		{"group 9 members", group_n(9), RSEMU_REJ_MEMBER_COUNT},
		{"group member 0.0.0.0", group_with_member(1, 0),
		 RSEMU_REJ_MEMBER_ADDR},
		{"group member broadcast", group_with_member(0, 0xFFFFFFFF),
		 RSEMU_REJ_MEMBER_ADDR},
		{"group member repeated", group_with_member(2, nvas[0]),
		 RSEMU_REJ_MEMBER_ADDR},
		{"group unused member", group_with_member(5, nvas[0]),
		 RSEMU_REJ_RESERVED},
		{"group pad", with_raw(rsemu_msg_group_set(1, nvas, 3), 3, 1),
		 RSEMU_REJ_RESERVED},
		{"group tail", with_raw(rsemu_msg_group_set(1, nvas, 3), 50, 1),
		 RSEMU_REJ_RESERVED},
		{"group del id", rsemu_msg_group_del(RSEMU_RING_MAX_GROUPS),
		 RSEMU_REJ_GROUP},
		{"group del members", group_del_with_members(),
		 RSEMU_REJ_RESERVED},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum rsemu_reject r = rsemu_msg_check(&bad[i].m);

		if (r != bad[i].why)
			fail_msg("%s: got %s, want %s", bad[i].what,
				 rsemu_reject_name(r),
				 rsemu_reject_name(bad[i].why));
	}
}

/* Rejected messages are counted by reason and never applied. */
static void shadow_counts_and_ignores_rejects(void **st)
{
	(void)st;
	struct dp_shadow *sh;
	struct dp_shadow_stats s;
	enum rsemu_reject why;
	struct rsemu_msg m;

	assert_int_equal(dp_shadow_create(NULL, &sh), 0);
	/* A valid route, then invalid changes to it. */
	m = rsemu_msg_route_add(1, P(10, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);

	m = rsemu_msg_route_add(1, P(10, 0, 0, 0, 8), 77, RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_NH_TYPE);
	m = rsemu_msg_route_del(1, P(10, 0, 0, 0, 33));
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_PREFIX_LEN);
	m = rsemu_msg_route_del(1, P(10, 0, 0, 7, 8));
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_HOST_BITS);
	m = group_n(0);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_MEMBER_COUNT);
	m = rsemu_msg_bind(RSEMU_RING_MAX_SUBNETS + 5, 1);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_SUBNET);
	m = with_type(99);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_TYPE);
	m = rsemu_msg_commit(0, 0);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_EPOCH);

	dp_action_t a;
	assert_true(dp_shadow_route(sh, 1, 0x0A000000, 8, &a));
	assert_int_equal(DP_ACT_TYPE(a), RSEMU_NH_INTERNET);
	assert_int_equal(dp_shadow_binding(sh, 1), RSEMU_TABLE_NONE);
	dp_shadow_get_stats(sh, &s);
	assert_int_equal(s.routes, 1);
	assert_int_equal(s.groups, 0);
	assert_int_equal(s.commits, 0);
	assert_int_equal(s.rejected[RSEMU_REJ_NH_TYPE], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_PREFIX_LEN], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_HOST_BITS], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_MEMBER_COUNT], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_SUBNET], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_TYPE], 1);
	assert_int_equal(s.rejected[RSEMU_REJ_EPOCH], 1);
	assert_int_equal(s.applied[RSEMU_MSG_ROUTE_ADD], 1);
	/* Nothing recorded as changed except the one valid add. */
	m = rsemu_msg_commit(1, 0);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 1);
	assert_int_equal(dp_shadow_changes(sh)->n_routes, 1);
	assert_int_equal(dp_shadow_changes(sh)->n_groups, 0);
	assert_int_equal(dp_shadow_changes(sh)->n_subnets, 0);
	dp_shadow_free(sh);
}

/* Capacity is stateful: a full shadow answers no_space and stays as it
 * was. */
static void shadow_no_space(void **st)
{
	(void)st;
	struct dp_shadow_limits lim = {.max_routes = 3, .max_prefixes = 2};
	struct dp_shadow *sh;
	struct dp_shadow_stats s;
	enum rsemu_reject why;
	struct rsemu_msg m;

	assert_int_equal(dp_shadow_create(&lim, &sh), 0);
	m = rsemu_msg_route_add(0, P(10, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);
	m.u.route.table = 1;
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);
	/* A third prefix exceeds max_prefixes. */
	m = rsemu_msg_route_add(0, P(11, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);
	m = rsemu_msg_route_add(0, P(12, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_NO_SPACE);
	/* A fourth route exceeds max_routes even for a known prefix. */
	m = rsemu_msg_route_add(2, P(11, 0, 0, 0, 8), RSEMU_NH_INTERNET,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_NO_SPACE);
	/* Replacing an existing route still works. */
	m = rsemu_msg_route_add(0, P(11, 0, 0, 0, 8), RSEMU_NH_NONE,
				RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);
	dp_shadow_get_stats(sh, &s);
	assert_int_equal(s.routes, 3);
	assert_int_equal(s.prefixes, 2);
	assert_int_equal(s.rejected[RSEMU_REJ_NO_SPACE], 2);
	dp_shadow_free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_messages_pass),
		cmocka_unit_test(each_invalid_field_rejected),
		cmocka_unit_test(shadow_counts_and_ignores_rejects),
		cmocka_unit_test(shadow_no_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
