/* The data plane's control path end to end (ring -> dp_ctrl -> shadow ->
 * dp_tables): lookups and ECMP after commits, the update latency, a
 * Route Server replay that keeps forwarding on the old tables until its
 * COMMIT and then sweeps, a failed commit that leaves the old version in
 * place, and RCU: reader threads looking up without pause while the
 * control thread commits thousands of versions must always see one whole
 * version. Needs EAL (--no-huge). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_eal.h>

#include "eal_fixture.h"
#include "tables.h"

#define P(a, b, c, d, l) \
	((struct rsemu_prefix){((uint32_t)(a) << 24) | ((b) << 16) | \
			       ((c) << 8) | (d), (l)})
#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const uint32_t nvas[4] = {IP(10, 0, 1, 4), IP(10, 0, 1, 5),
				 IP(10, 0, 1, 6), IP(10, 0, 1, 7)};

/* One data plane and one Route Server handle on a fresh ring. */
struct rig {
	char name[64];
	struct rsemu_ring *pub, *con;
	struct dp_tables *tb;
	struct dp_ctrl *ctrl;
	uint64_t epoch;
};

static void rig_up(struct rig *r, const char *what, uint32_t num_tbl8)
{
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY,
				      .num_tbl8 = num_tbl8,
				      .max_readers = 8};
	struct dp_shadow_limits lim;
	struct dp_backend be;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "/rsemu-test-%d-%s", (int)getpid(),
		 what);
	rsemu_ring_unlink(r->name);
	assert_int_equal(rsemu_ring_open(r->name, RSEMU_RING_CONSUMER, 256,
					 &r->con), 0);
	assert_int_equal(rsemu_ring_open(r->name, RSEMU_RING_PUBLISHER, 0,
					 &r->pub), 0);
	assert_int_equal(dp_tables_create(&conf, &r->tb), 0);
	dp_tables_shadow_limits(r->tb, &lim);
	be = dp_tables_backend(r->tb);
	assert_int_equal(dp_ctrl_create(r->con, &lim, &be, &r->ctrl), 0);
}

static void rig_down(struct rig *r)
{
	dp_ctrl_free(r->ctrl);
	dp_tables_free(r->tb);
	rsemu_ring_close(r->pub);
	rsemu_ring_close(r->con);
	rsemu_ring_unlink(r->name);
}

/* Publish one message; when the ring is full, run the consumer (both ends
 * live in this thread). */
static void pub(struct rig *r, struct rsemu_msg m)
{
	unsigned done = 0;

	while (rsemu_ring_publish(r->pub, &m, 1, 0, &done) < 0 || !done)
		dp_ctrl_poll(r->ctrl, 64);
}

/* Publish a COMMIT and run the consumer until it is handled; returns the
 * consumer's verdict for that COMMIT (1 published, < 0 failed). */
static int commit(struct rig *r)
{
	struct dp_ctrl_stats before, after;

	dp_ctrl_get_stats(r->ctrl, &before);
	pub(r, rsemu_msg_commit(++r->epoch, rsemu_now_ns()));
	for (;;) {
		dp_ctrl_poll(r->ctrl, 64);
		dp_ctrl_get_stats(r->ctrl, &after);
		if (after.commits > before.commits)
			return 1;
		if (after.commit_failures > before.commit_failures)
			return -1;
	}
}

static const struct dp_snap *snap(struct rig *r)
{
	return dp_tables_snap(dp_tables_current(r->tb));
}

static dp_action_t look(struct rig *r, uint32_t subnet, uint32_t dst)
{
	dp_action_t a;

	dp_snap_lookup(snap(r), &subnet, &dst, &a, 1);
	return a;
}

/* Three spokes: two share a table; ECMP to two NVAs for on-premises. */
static void build_lab(struct rig *r)
{
	pub(r, rsemu_msg_group_set(1, nvas, 2));
	for (uint16_t t = 0; t < 2; t++) {
		pub(r, rsemu_msg_route_add(t, P(0, 0, 0, 0, 0),
					   RSEMU_NH_INTERNET,
					   RSEMU_GROUP_NONE));
		pub(r, rsemu_msg_route_add(t, P(10, 0, 0, 0, 16),
					   RSEMU_NH_VNET_PEERING,
					   RSEMU_GROUP_NONE));
		pub(r, rsemu_msg_route_add(t, P(192, 168, 0, 0, 16),
					   RSEMU_NH_VNET_GATEWAY, 1));
	}
	pub(r, rsemu_msg_route_add(0, P(10, 1, 0, 0, 16), RSEMU_NH_VNET_LOCAL,
				   RSEMU_GROUP_NONE));
	pub(r, rsemu_msg_route_add(1, P(10, 2, 0, 0, 16), RSEMU_NH_VNET_LOCAL,
				   RSEMU_GROUP_NONE));
	pub(r, rsemu_msg_route_add(1, P(192, 168, 7, 0, 24), RSEMU_NH_NONE,
				   RSEMU_GROUP_NONE));
	pub(r, rsemu_msg_bind(100, 0));
	pub(r, rsemu_msg_bind(101, 0));
	pub(r, rsemu_msg_bind(200, 1));
}

static void pipeline_lookups_and_ecmp(void **st)
{
	(void)st;
	struct rig r;
	struct dp_flow_conf fc = {DP_FLOW_5TUPLE | DP_FLOW_SYMMETRIC,
				  DP_FLOW_SEED_DEFAULT};
	struct rsemu_ring_ack ack;
	unsigned hits[2] = {0};

	rig_up(&r, "pipe", 0);
	/* Before any commit: everything unbound. */
	assert_int_equal(look(&r, 100, IP(10, 1, 0, 4)), DP_ACT_NO_TABLE);
	build_lab(&r);
	assert_int_equal(commit(&r), 1);
	rsemu_ring_read_ack(r.pub, &ack);
	assert_int_equal(ack.epoch, 1);
	assert_int_equal(snap(&r)->epoch, 1);

	assert_int_equal(look(&r, 100, IP(10, 1, 0, 4)),
			 DP_ACT(RSEMU_NH_VNET_LOCAL, 0));
	assert_int_equal(look(&r, 101, IP(10, 0, 0, 9)),
			 DP_ACT(RSEMU_NH_VNET_PEERING, 0));
	assert_int_equal(look(&r, 100, IP(8, 8, 8, 8)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(look(&r, 200, IP(10, 1, 0, 4)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(look(&r, 200, IP(192, 168, 7, 1)),
			 DP_ACT(RSEMU_NH_NONE, 0));
	assert_int_equal(look(&r, 200, IP(192, 168, 8, 1)),
			 DP_ACT(RSEMU_NH_VNET_GATEWAY, 1));
	assert_int_equal(look(&r, 300, IP(10, 1, 0, 4)), DP_ACT_NO_TABLE);

	/* Flows to on-premises spread over both NVAs. */
	for (uint32_t i = 0; i < 2000; i++) {
		struct dp_flow f = {IP(10, 1, 0, 4), IP(192, 168, 8, 1) + i,
				    (uint16_t)(1000 + i), 443, 6};
		dp_action_t a = look(&r, 100, f.dst);
		const struct dp_ecmp_group *g = dp_snap_group(snap(&r), a);
		uint32_t nva = dp_ecmp_pick(g, dp_flow_hash(&f, &fc));

		assert_true(nva == nvas[0] || nva == nvas[1]);
		hits[nva == nvas[1]]++;
	}
	assert_true(hits[0] > 800 && hits[1] > 800);

	/* An NVA is withdrawn: after the applied epoch, no flow goes to it. */
	pub(&r, rsemu_msg_group_set(1, nvas + 1, 1));
	assert_int_equal(commit(&r), 1);
	for (uint32_t i = 0; i < 2000; i++) {
		struct dp_flow f = {IP(10, 1, 0, 4), IP(192, 168, 8, 1) + i,
				    (uint16_t)(1000 + i), 443, 6};
		const struct dp_ecmp_group *g =
			dp_snap_group(snap(&r), look(&r, 100, f.dst));

		assert_int_equal(dp_ecmp_pick(g, dp_flow_hash(&f, &fc)),
				 nvas[1]);
	}
	rig_down(&r);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One route change, published to applied (acked), in one process. */
static void update_latency(void **st)
{
	(void)st;
	enum { N = 300 };
	static uint64_t lat[N];
	struct rsemu_ring_ack ack;
	struct rig r;

	rig_up(&r, "lat", 0);
	build_lab(&r);
	/* Realistic union: 2,000 more prefixes in both tables. */
	for (uint32_t i = 0; i < 2000; i++)
		for (uint16_t t = 0; t < 2; t++)
			pub(&r, rsemu_msg_route_add(
				    t, (struct rsemu_prefix){
					       IP(172, 16, 0, 0) + (i << 8), 24},
				    RSEMU_NH_VNET_GATEWAY, 1));
	assert_int_equal(commit(&r), 1);
	assert_int_equal(commit(&r), 1);
	for (unsigned i = 0; i < N; i++) {
		pub(&r, rsemu_msg_route_add(
			    (uint16_t)(i % 2),
			    (struct rsemu_prefix){IP(172, 16, 0, 0) + (i << 8),
						  24},
			    i % 3 ? RSEMU_NH_NONE : RSEMU_NH_INTERNET,
			    RSEMU_GROUP_NONE));
		assert_int_equal(commit(&r), 1);
		rsemu_ring_read_ack(r.pub, &ack);
		assert_int_equal(ack.epoch, r.epoch);
		lat[i] = ack.applied_ns - ack.event_ns;
	}
	qsort(lat, N, sizeof(lat[0]), cmp_u64);
	print_message("publish -> applied: median %.1f us, p99 %.1f us, max "
		      "%.1f us\n", lat[N / 2] / 1e3, lat[N * 99 / 100] / 1e3,
		      lat[N - 1] / 1e3);
	assert_true(lat[N / 2] < 50000000); /* sanity only: 50 ms */
	rig_down(&r);
}

/* The Route Server restarts and replays part of the old state: until the
 * COMMIT, lookups see the old tables; afterwards exactly the replay. */
static void replay_keeps_old_until_commit_then_sweeps(void **st)
{
	(void)st;
	struct rig r;
	struct rsemu_ring_stats s;

	rig_up(&r, "replay", 0);
	build_lab(&r);
	pub(&r, rsemu_msg_group_set(2, nvas + 2, 2));
	pub(&r, rsemu_msg_route_add(1, P(172, 20, 0, 0, 16),
				    RSEMU_NH_VIRTUAL_APPLIANCE, 2));
	assert_int_equal(commit(&r), 1);
	assert_int_equal(look(&r, 200, IP(172, 20, 1, 1)),
			 DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE, 2));

	/* Replay: table 0 unchanged, table 1 without 172.20/16 and with
	 * 192.168/16 via group 1 only; group 2 gone; subnet 101 unbound. */
	pub(&r, rsemu_msg_begin_sync(r.epoch + 1));
	pub(&r, rsemu_msg_group_set(1, nvas, 2));
	for (uint16_t t = 0; t < 2; t++) {
		pub(&r, rsemu_msg_route_add(t, P(0, 0, 0, 0, 0),
					    RSEMU_NH_INTERNET,
					    RSEMU_GROUP_NONE));
		pub(&r, rsemu_msg_route_add(t, P(10, 0, 0, 0, 16),
					    RSEMU_NH_VNET_PEERING,
					    RSEMU_GROUP_NONE));
		pub(&r, rsemu_msg_route_add(t, P(192, 168, 0, 0, 16),
					    RSEMU_NH_VNET_GATEWAY, 1));
	}
	pub(&r, rsemu_msg_route_add(0, P(10, 1, 0, 0, 16), RSEMU_NH_VNET_LOCAL,
				    RSEMU_GROUP_NONE));
	pub(&r, rsemu_msg_bind(100, 0));
	pub(&r, rsemu_msg_bind(200, 1));
	while (dp_ctrl_poll(r.ctrl, 64))
		;
	/* Still the old version. */
	assert_int_equal(snap(&r)->epoch, 1);
	assert_int_equal(look(&r, 200, IP(172, 20, 1, 1)),
			 DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE, 2));
	assert_int_equal(look(&r, 101, IP(10, 1, 0, 1)),
			 DP_ACT(RSEMU_NH_VNET_LOCAL, 0));
	assert_int_equal(look(&r, 200, IP(10, 2, 0, 1)),
			 DP_ACT(RSEMU_NH_VNET_LOCAL, 0));

	assert_int_equal(commit(&r), 1);
	assert_int_equal(snap(&r)->epoch, 2);
	assert_int_equal(look(&r, 200, IP(172, 20, 1, 1)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(look(&r, 200, IP(10, 2, 0, 1)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(look(&r, 200, IP(192, 168, 7, 1)),
			 DP_ACT(RSEMU_NH_VNET_GATEWAY, 1));
	assert_int_equal(look(&r, 101, IP(10, 1, 0, 1)), DP_ACT_NO_TABLE);
	assert_int_equal(look(&r, 100, IP(10, 1, 0, 1)),
			 DP_ACT(RSEMU_NH_VNET_LOCAL, 0));
	assert_int_equal(snap(&r)->groups[2].n, 0);
	assert_int_equal(snap(&r)->groups[1].n, 2);
	/* The other copy catches up too. */
	assert_int_equal(commit(&r), 1);
	assert_int_equal(look(&r, 200, IP(172, 20, 1, 1)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(look(&r, 101, IP(10, 1, 0, 1)), DP_ACT_NO_TABLE);
	assert_int_equal(snap(&r)->groups[2].n, 0);
	rsemu_ring_stats(r.pub, &s);
	assert_int_equal(s.ack.epoch, 3);
	assert_int_equal(s.commit_failures, 0);
	rig_down(&r);
}

/* Out of DIR-24-8 tbl8 groups: the commit is not published (the workers
 * keep the last version, the epoch is not acked); once the routes are
 * gone again, the next commit rebuilds and publishes. */
static void failed_commit_keeps_old_version(void **st)
{
	(void)st;
	struct rig r;
	struct rsemu_ring_stats s;

	rig_up(&r, "fail", 4);
	build_lab(&r);
	assert_int_equal(commit(&r), 1);
	/* DPDK rounds tbl8 groups up to 64: 80 /24 blocks need 80. */
	for (uint32_t i = 0; i < 80; i++)
		pub(&r, rsemu_msg_route_add(
			    0, (struct rsemu_prefix){IP(10, 9, i, 128), 25},
			    RSEMU_NH_NONE, RSEMU_GROUP_NONE));
	assert_int_equal(commit(&r), -1);
	assert_int_equal(snap(&r)->epoch, 1);
	assert_int_equal(look(&r, 100, IP(10, 9, 1, 129)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	rsemu_ring_stats(r.pub, &s);
	assert_int_equal(s.ack.epoch, 1);
	assert_int_equal(s.commit_failures, 1);
	for (uint32_t i = 2; i < 80; i++)
		pub(&r, rsemu_msg_route_del(
			    0, (struct rsemu_prefix){IP(10, 9, i, 128), 25}));
	assert_int_equal(commit(&r), 1);
	assert_int_equal(snap(&r)->epoch, 3);
	assert_int_equal(look(&r, 100, IP(10, 9, 1, 129)),
			 DP_ACT(RSEMU_NH_NONE, 0));
	assert_int_equal(look(&r, 100, IP(10, 9, 3, 129)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	assert_int_equal(commit(&r), 1);
	assert_int_equal(look(&r, 100, IP(10, 9, 1, 129)),
			 DP_ACT(RSEMU_NH_NONE, 0));
	assert_int_equal(look(&r, 100, IP(10, 9, 0, 1)),
			 DP_ACT(RSEMU_NH_INTERNET, 0));
	rig_down(&r);
}

/* ---- RCU: readers never see half a version ---- */

#define READERS 2
#define PROBES 16
#define GROUP_OF(v) ((uint16_t)((v) % 64))
#define MEMBER_OF(v) (IP(11, 0, 0, 0) + (uint32_t)(v))

struct reader {
	pthread_t th;
	unsigned id;
	struct rte_rcu_qsbr *qs;
	const struct dp_snap *const *cur;
	volatile bool *stop;
	uint64_t lookups, versions_seen, errors;
	char first_error[160];
};

static uint32_t probe_addr(unsigned j)
{
	return IP(10, 100 + j, 7, 5);
}

static void *reader_main(void *v)
{
	struct reader *rd = v;
	uint64_t last = 0;

	rte_rcu_qsbr_thread_register(rd->qs, rd->id);
	rte_rcu_qsbr_thread_online(rd->qs, rd->id);
	while (!*rd->stop) {
		const struct dp_snap *s = dp_tables_snap(rd->cur);
		uint32_t dst[PROBES], sub[PROBES];
		dp_action_t a[PROBES];
		uint64_t ver = s->epoch;

		for (unsigned j = 0; j < PROBES; j++) {
			dst[j] = probe_addr(j);
			sub[j] = 0;
		}
		dp_snap_lookup(s, sub, dst, a, PROBES);
		/* Version ver maps every probe to group ver % 64, whose only
		 * member is 11.0.0.0 + ver; version 0 is empty. */
		for (unsigned j = 0; j < PROBES && ver; j++) {
			const struct dp_ecmp_group *g = dp_snap_group(s, a[j]);

			if (a[j] != DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE,
					   GROUP_OF(ver)) ||
			    g->n != 1 || g->members[0] != MEMBER_OF(ver)) {
				if (!rd->errors++)
					snprintf(rd->first_error,
						 sizeof(rd->first_error),
						 "version %lu probe %u: action "
						 "%04x, group n %u member %08x",
						 (unsigned long)ver, j, a[j],
						 g->n, g->members[0]);
			}
		}
		if (s->epoch != ver && !rd->errors++)
			snprintf(rd->first_error, sizeof(rd->first_error),
				 "snapshot changed under the reader");
		if (ver != last) {
			rd->versions_seen++;
			last = ver;
		}
		rd->lookups += PROBES;
		rte_rcu_qsbr_quiescent(rd->qs, rd->id);
	}
	rte_rcu_qsbr_thread_offline(rd->qs, rd->id);
	rte_rcu_qsbr_thread_unregister(rd->qs, rd->id);
	return NULL;
}

/* Version v: the probes' prefixes alternate between /32s (even v) and
 * /24s (odd v), so the union FIB itself changes every time, plus 40
 * random prefixes of other lengths come and go in another table. */
static void publish_version(struct rig *r, uint64_t v, uint64_t *rng)
{
	uint16_t g = GROUP_OF(v);
	uint32_t m = MEMBER_OF(v);

	pub(r, rsemu_msg_group_set(g, &m, 1));
	for (unsigned j = 0; j < PROBES; j++) {
		uint32_t a = probe_addr(j);
		struct rsemu_prefix host = {a, 32}, net = {a & 0xFFFFFF00u, 24};

		pub(r, rsemu_msg_route_add(0, v % 2 ? net : host,
					   RSEMU_NH_VIRTUAL_APPLIANCE, g));
		if (v > 1)
			pub(r, rsemu_msg_route_del(0, v % 2 ? host : net));
	}
	for (unsigned k = 0; k < 40; k++) {
		uint8_t len = (uint8_t)(12 + *rng % 19);
		struct rsemu_prefix p = {(uint32_t)(*rng >> 20) & rsemu_mask(len),
					 len};

		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		pub(r, rsemu_msg_route_add(1, p, RSEMU_NH_NONE,
					   RSEMU_GROUP_NONE));
		if (k % 2)
			pub(r, rsemu_msg_route_del(1, p));
	}
	assert_int_equal(commit(r), 1);
}

static void rcu_swap_under_concurrent_lookups(void **st)
{
	(void)st;
	struct reader rd[READERS];
	volatile bool stop = false;
	struct dp_tables_stats ts;
	uint64_t rng = 1, v = 0, t_end;
	struct rig r;

	rig_up(&r, "rcu", 0);
	pub(&r, rsemu_msg_bind(0, 0));
	for (unsigned i = 0; i < READERS; i++) {
		rd[i] = (struct reader){
			.id = i, .qs = dp_tables_rcu(r.tb),
			.cur = dp_tables_current(r.tb), .stop = &stop};
		assert_int_equal(pthread_create(&rd[i].th, NULL, reader_main,
						&rd[i]), 0);
	}
	/* Publish versions for 2 seconds, at least 300 of them. */
	t_end = rsemu_now_ns() + 2000000000ull;
	while (v < 300 || (rsemu_now_ns() < t_end && v < 20000))
		publish_version(&r, ++v, &rng);
	stop = true;
	for (unsigned i = 0; i < READERS; i++)
		pthread_join(rd[i].th, NULL);

	dp_tables_get_stats(r.tb, &ts);
	print_message("%lu versions published; readers: %lu and %lu lookups, "
		      "%lu and %lu versions seen; grace waits %.1f ms\n",
		      (unsigned long)v, (unsigned long)rd[0].lookups,
		      (unsigned long)rd[1].lookups,
		      (unsigned long)rd[0].versions_seen,
		      (unsigned long)rd[1].versions_seen,
		      ts.grace_wait_ns / 1e6);
	for (unsigned i = 0; i < READERS; i++) {
		if (rd[i].errors)
			fail_msg("reader %u: %lu errors, first: %s", i,
				 (unsigned long)rd[i].errors,
				 rd[i].first_error);
		assert_true(rd[i].lookups > 0);
		assert_true(rd[i].versions_seen > 1);
	}
	assert_int_equal(ts.failures, 0);
	assert_int_equal(ts.commits, v);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipeline_lookups_and_ecmp),
		cmocka_unit_test(update_latency),
		cmocka_unit_test(replay_keeps_old_until_commit_then_sweeps),
		cmocka_unit_test(failed_commit_keeps_old_version),
		cmocka_unit_test(rcu_swap_under_concurrent_lookups),
	};

	eal_fixture_name = "test-dp-tables";
	return cmocka_run_group_tests(tests, eal_fixture_setup,
				      eal_fixture_teardown);
}
