/* The union FIB (dataplane/fib.c) through the double-buffered tables
 * (dataplane/tables.c): random nested route tables sharing one union,
 * built and then changed commit after commit (small and large changes,
 * new tables that reshape the rows, rebinding, a replay that sweeps), each
 * time checked address by address against a brute-force longest-prefix
 * match. Needs EAL (--no-huge). */
#include <errno.h>
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
#include <rte_malloc.h>

#include "eal_fixture.h"
#include "tables.h"

#define POOL_MAX 1500
#define TABLES 48     /* table ids in play (some bound late) */
#define SUBNETS 64

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/* The model: a pool of prefixes, per table which are present and with
 * what action, per subnet its table. */
static struct rsemu_prefix pool[POOL_MAX];
static unsigned n_pool;
static bool present[TABLES][POOL_MAX];
static dp_action_t act[TABLES][POOL_MAX];
static uint16_t binding[SUBNETS];

static struct dp_shadow *sh;
static struct dp_tables *tb;
static uint64_t epoch;

static struct rsemu_prefix rnd_prefix(void)
{
	struct rsemu_prefix p;

	/* Mostly inside an existing prefix (deep nesting), else anywhere. */
	if (n_pool && rnd() % 4 != 0) {
		struct rsemu_prefix up = pool[rnd() % n_pool];
		uint8_t extra = (uint8_t)(1 + rnd() % 12);

		p.len = up.len + extra > 32 ? 32 : up.len + extra;
		p.addr = (up.addr | ((uint32_t)rnd() & ~rsemu_mask(up.len))) &
			 rsemu_mask(p.len);
	} else {
		static const uint8_t lens[] = {0, 4, 8, 8, 12, 16, 16, 20,
					       24, 24, 25, 28, 30, 32};
		p.len = lens[rnd() % sizeof(lens)];
		p.addr = (uint32_t)rnd() & rsemu_mask(p.len);
	}
	return p;
}

static void grow_pool(unsigned n)
{
	while (n-- && n_pool < POOL_MAX) {
		struct rsemu_prefix p = rnd_prefix();
		bool dup = false;

		for (unsigned i = 0; i < n_pool && !dup; i++)
			dup = rsemu_prefix_eq(pool[i], p);
		if (!dup)
			pool[n_pool++] = p;
	}
}

static dp_action_t rnd_action(void)
{
	unsigned t = (unsigned)(rnd() % RSEMU_NH__COUNT);

	return dp_action_of(t, (unsigned)(rnd() % RSEMU_RING_MAX_GROUPS));
}

static void send(struct rsemu_msg m)
{
	enum rsemu_reject why;
	int rc = dp_shadow_apply(sh, &m, &why);

	if (rc < 0)
		fail_msg("message %s rejected: %s",
			 rsemu_msg_type_name(m.type), rsemu_reject_name(why));
}

static void set_route(unsigned t, unsigned i, bool on, dp_action_t a)
{
	unsigned type = DP_ACT_TYPE(a);
	bool grp = type == RSEMU_NH_VIRTUAL_APPLIANCE ||
		   type == RSEMU_NH_VNET_GATEWAY;

	present[t][i] = on;
	act[t][i] = a;
	if (on)
		send(rsemu_msg_route_add((uint16_t)t, pool[i], type,
					 grp ? (uint16_t)DP_ACT_GROUP(a)
					     : RSEMU_GROUP_NONE));
	else
		send(rsemu_msg_route_del((uint16_t)t, pool[i]));
}

static void commit(void)
{
	struct rsemu_msg m = rsemu_msg_commit(++epoch, 0);
	enum rsemu_reject why;

	assert_int_equal(dp_shadow_apply(sh, &m, &why), 1);
	assert_int_equal(dp_tables_commit(tb, sh, dp_shadow_changes(sh)), 0);
	dp_shadow_changes_done(sh);
}

/* The reference: the pool prefixes holding addr, longest first (distinct
 * prefixes holding one address differ in length: at most 33). */
static unsigned holders(uint32_t addr, unsigned *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_pool; i++) {
		if ((addr & rsemu_mask(pool[i].len)) != pool[i].addr)
			continue;
		unsigned j = n++;

		while (j > 0 && pool[out[j - 1]].len < pool[i].len) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = i;
	}
	return n;
}

static dp_action_t ref_lookup(uint16_t table, const unsigned *h, unsigned nh)
{
	if (table == RSEMU_TABLE_NONE)
		return DP_ACT_NO_TABLE;
	for (unsigned j = 0; j < nh; j++)
		if (present[table][h[j]])
			return act[table][h[j]];
	return DP_ACT_NO_ROUTE;
}

/* Every subnet, at the edges of 300 random pool prefixes (and just
 * outside them) and at 256 random addresses. */
static void verify(void)
{
	const struct dp_snap *s = dp_tables_snap(dp_tables_current(tb));
	unsigned total = 300 * 4 + 256, checked = 0;

	assert_int_equal(s->epoch, epoch);
	for (unsigned q = 0; q < total; q++) {
		uint32_t addrs[SUBNETS], subnet[SUBNETS], a;
		dp_action_t got[SUBNETS];
		unsigned h[33], nh;

		if (q < 300 * 4 && n_pool) {
			struct rsemu_prefix p = pool[rnd() % n_pool];
			uint32_t last = p.addr | ~rsemu_mask(p.len);

			a = (uint32_t[]){p.addr, last, p.addr - 1,
					 last + 1}[q % 4];
		} else {
			a = (uint32_t)rnd();
		}
		nh = holders(a, h);
		for (unsigned sn = 0; sn < SUBNETS; sn++) {
			addrs[sn] = a;
			subnet[sn] = sn;
		}
		dp_snap_lookup(s, subnet, addrs, got, SUBNETS);
		for (unsigned sn = 0; sn < SUBNETS; sn++) {
			dp_action_t want = ref_lookup(binding[sn], h, nh);

			if (got[sn] != want)
				fail_msg("epoch %lu subnet %u addr %08x: got "
					 "%04x want %04x",
					 (unsigned long)epoch, sn, a, got[sn],
					 want);
		}
		checked += SUBNETS;
	}
	/* A subnet id beyond the limit is "no table", never a crash. */
	{
		uint32_t sub = RSEMU_RING_MAX_SUBNETS + 3, a = 0x0A000001;
		dp_action_t got;

		dp_snap_lookup(s, &sub, &a, &got, 1);
		assert_int_equal(got, DP_ACT_NO_TABLE);
	}
	assert_true(checked > 0);
}

static void rebind(unsigned sn, uint16_t table)
{
	binding[sn] = table;
	send(rsemu_msg_bind(sn, table));
}

static void reset_model(void)
{
	memset(present, 0, sizeof(present));
	n_pool = 0;
	epoch = 0;
	for (unsigned sn = 0; sn < SUBNETS; sn++)
		binding[sn] = RSEMU_TABLE_NONE;
}

static void random_tables(uint64_t seed)
{
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY,
				      .max_prefixes = 4096,
				      .num_tbl8 = 1024};
	struct dp_shadow_limits lim;
	struct dp_tables_stats ts;

	rng_state = seed;
	reset_model();
	assert_int_equal(dp_tables_create(&conf, &tb), 0);
	dp_tables_shadow_limits(tb, &lim);
	assert_int_equal(dp_shadow_create(&lim, &sh), 0);

	/* Nothing bound: every lookup says "no table". */
	commit();
	verify();

	/* Tables 0..7, many subnets sharing each; half the pool each. */
	grow_pool(600);
	for (unsigned t = 0; t < 8; t++)
		for (unsigned i = 0; i < n_pool; i++)
			if (rnd() % 2)
				set_route(t, i, true, rnd_action());
	for (unsigned sn = 0; sn < SUBNETS - 4; sn++)
		rebind(sn, (uint16_t)(sn % 8));
	commit();
	verify();
	commit(); /* the other copy catches up */
	verify();

	for (unsigned round = 0; round < 40; round++) {
		static const unsigned sizes[] = {1, 2, 5, 30, 400};
		unsigned k = sizes[rnd() % 5];
		unsigned tables = round < 20 ? 8 : TABLES;

		if (round % 7 == 3)
			grow_pool(60); /* new union prefixes */
		if (round == 20) /* tables 8..47: the rows grow */
			for (unsigned sn = 0; sn < SUBNETS; sn += 2)
				rebind(sn, (uint16_t)(8 + rnd() % 40));
		for (unsigned j = 0; j < k; j++) {
			unsigned t = (unsigned)(rnd() % tables);
			unsigned i = (unsigned)(rnd() % n_pool);
			unsigned what = (unsigned)(rnd() % 3);

			if (what == 0 && present[t][i])
				set_route(t, i, false, 0);
			else
				set_route(t, i, true, rnd_action());
		}
		if (round % 5 == 4)
			rebind((unsigned)(rnd() % SUBNETS),
			       rnd() % 4 ? (uint16_t)(rnd() % tables)
					 : RSEMU_TABLE_NONE);
		commit();
		verify();
	}

	/* A big change: the union is compared in full, rows are rebuilt. */
	for (unsigned t = 0; t < TABLES; t++)
		for (unsigned i = 0; i < n_pool; i++)
			if (rnd() % 2)
				set_route(t, i, true, rnd_action());
			else if (present[t][i])
				set_route(t, i, false, 0);
	commit();
	verify();
	commit();
	verify();

	/* A whole table withdrawn, and a replay that keeps only the tables
	 * 0..3 and the bindings to them. */
	for (unsigned i = 0; i < n_pool; i++)
		if (present[5][i])
			set_route(5, i, false, 0);
	commit();
	verify();
	send(rsemu_msg_begin_sync(epoch + 1));
	for (unsigned t = 0; t < 4; t++)
		for (unsigned i = 0; i < n_pool; i++)
			if (present[t][i])
				set_route(t, i, true, act[t][i]);
	for (unsigned t = 4; t < TABLES; t++)
		memset(present[t], 0, sizeof(present[t]));
	for (unsigned sn = 0; sn < SUBNETS; sn++) {
		if (binding[sn] < 4)
			rebind(sn, binding[sn]);
		else
			binding[sn] = RSEMU_TABLE_NONE;
	}
	commit();
	verify();
	commit();
	verify();

	dp_tables_get_stats(tb, &ts);
	print_message("seed %lu: %u union prefixes, %u rows x %u, %lu commits, "
		      "%lu full syncs, max sync %.2f ms\n",
		      (unsigned long)seed, ts.union_prefixes, ts.rows,
		      ts.stride, (unsigned long)ts.commits,
		      (unsigned long)ts.full_syncs, ts.max_sync_ns / 1e6);
	assert_int_equal(ts.failures, 0);
	dp_shadow_free(sh);
	dp_tables_free(tb);
}

static void random_tables_seed1(void **st)
{
	(void)st;
	random_tables(0x1234567ull);
}

static void random_tables_seed2(void **st)
{
	(void)st;
	random_tables(0xC0FFEEull);
}

static void random_tables_seed3(void **st)
{
	(void)st;
	random_tables(0xDEADBEEF01ull);
}

/* The union holds each prefix once, whatever the number of tables: one
 * /0 and one /32 in 40 tables are two union prefixes, and a union bigger
 * than the configured capacity is refused by the shadow first. */
static void union_shared_and_bounded(void **st)
{
	(void)st;
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY,
				      .max_prefixes = 64};
	struct dp_shadow_limits lim;
	struct dp_tables_stats ts;
	struct rsemu_msg m;
	enum rsemu_reject why;

	reset_model();
	assert_int_equal(dp_tables_create(&conf, &tb), 0);
	dp_tables_shadow_limits(tb, &lim);
	assert_int_equal(dp_shadow_create(&lim, &sh), 0);
	n_pool = 2;
	pool[0] = (struct rsemu_prefix){0, 0};
	pool[1] = (struct rsemu_prefix){0x0A000001, 32};
	for (unsigned t = 0; t < 40; t++) {
		set_route(t, 0, true, DP_ACT(RSEMU_NH_INTERNET, 0));
		set_route(t, 1, true,
			  DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE, t));
		rebind(t, (uint16_t)t);
	}
	commit();
	verify();
	dp_tables_get_stats(tb, &ts);
	assert_int_equal(ts.union_prefixes, 2);
	for (unsigned i = 0; i < 62; i++) {
		m = rsemu_msg_route_add(0, (struct rsemu_prefix){
						0x0B000000u + (i << 8), 24},
					RSEMU_NH_NONE, RSEMU_GROUP_NONE);
		assert_int_equal(dp_shadow_apply(sh, &m, &why), 0);
	}
	m = rsemu_msg_route_add(1, (struct rsemu_prefix){0x0C000000, 24},
				RSEMU_NH_NONE, RSEMU_GROUP_NONE);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), -EINVAL);
	assert_int_equal(why, RSEMU_REJ_NO_SPACE);
	m = rsemu_msg_commit(++epoch, 0);
	assert_int_equal(dp_shadow_apply(sh, &m, &why), 1);
	assert_int_equal(dp_tables_commit(tb, sh, dp_shadow_changes(sh)), 0);
	dp_shadow_changes_done(sh);
	dp_tables_get_stats(tb, &ts);
	assert_int_equal(ts.union_prefixes, 64);
	dp_shadow_free(sh);
	dp_tables_free(tb);
}

/* A table that appears and is gone again before the standby copy catches
 * up is skipped there (that copy's rows never covered it). */
static void table_comes_and_goes(void **st)
{
	(void)st;
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY,
				      .max_prefixes = 1024};
	struct dp_shadow_limits lim;

	reset_model();
	assert_int_equal(dp_tables_create(&conf, &tb), 0);
	dp_tables_shadow_limits(tb, &lim);
	assert_int_equal(dp_shadow_create(&lim, &sh), 0);
	n_pool = 2;
	pool[0] = (struct rsemu_prefix){0x0A000000, 8};
	pool[1] = (struct rsemu_prefix){0x0A010000, 16};
	set_route(0, 0, true, DP_ACT(RSEMU_NH_VNET_LOCAL, 0));
	rebind(0, 0);
	commit();
	commit();
	send(rsemu_msg_route_add(1000, pool[1], RSEMU_NH_NONE,
				 RSEMU_GROUP_NONE));
	send(rsemu_msg_bind(9, 1000));
	commit(); /* copy A grows to 1000+ rows */
	send(rsemu_msg_route_del(1000, pool[1]));
	send(rsemu_msg_bind(9, RSEMU_TABLE_NONE));
	set_route(0, 1, true, DP_ACT(RSEMU_NH_INTERNET, 0));
	commit(); /* copy B: few rows, table 1000 is pending but empty */
	verify();
	commit();
	verify();
	dp_shadow_free(sh);
	dp_tables_free(tb);
}

/* Memory: the fixed part is two DIR-24-8 copies, the rest grows with
 * tables x union prefixes (2 bytes each, per copy). */
static void memory_accounting(void **st)
{
	(void)st;
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY};
	struct rte_malloc_socket_stats a, b;
	struct dp_tables_stats ts;

	rte_malloc_get_socket_stats(0, &a);
	assert_int_equal(dp_tables_create(&conf, &tb), 0);
	rte_malloc_get_socket_stats(0, &b);
	dp_tables_get_stats(tb, &ts);
	print_message("empty tables (2 copies): %.1f MiB of EAL memory\n",
		      (b.heap_allocsz_bytes - a.heap_allocsz_bytes) / 1048576.0);
	/* Two 2-byte DIR-24-8 tables (32 MiB each) and their RIBs. */
	assert_true(b.heap_allocsz_bytes - a.heap_allocsz_bytes <
		    (size_t)160 << 20);
	dp_tables_free(tb);
	rte_malloc_get_socket_stats(0, &b);
	assert_true(b.heap_allocsz_bytes <= a.heap_allocsz_bytes + 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_tables_seed1),
		cmocka_unit_test(random_tables_seed2),
		cmocka_unit_test(random_tables_seed3),
		cmocka_unit_test(union_shared_and_bounded),
		cmocka_unit_test(table_comes_and_goes),
		cmocka_unit_test(memory_accounting),
	};

	eal_fixture_name = "test-dp-fib";
	return cmocka_run_group_tests(tests, eal_fixture_setup,
				      eal_fixture_teardown);
}
