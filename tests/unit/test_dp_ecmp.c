/* ECMP (dataplane/ecmp.c): flows spread evenly over 2..8 members, a
 * leaving member moves only its own flows, a joining one takes only its
 * share, canonical member order, and the symmetric flow hash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ecmp.h"

#define FLOWS 10000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static struct dp_flow rnd_flow(void)
{
	uint64_t r = rnd();
	struct dp_flow f = {
		.src = 0x0A010000u | (uint32_t)(r & 0xFFFF),
		.dst = 0x0A800000u | (uint32_t)((r >> 16) & 0xFFFF),
		.sport = (uint16_t)(1024 + ((r >> 32) % 60000)),
		.dport = (uint16_t)((r >> 48) & 1 ? 443 : 80),
		.proto = (r >> 50) & 1 ? 6 : 17,
	};
	return f;
}

static const struct dp_flow_conf conf5 = {DP_FLOW_5TUPLE, DP_FLOW_SEED_DEFAULT};
static const struct dp_flow_conf confsym = {
	DP_FLOW_5TUPLE | DP_FLOW_SYMMETRIC, DP_FLOW_SEED_DEFAULT};

static void members_of(uint32_t *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		m[i] = 0x0A000104u + 7u * i; /* NVAs 10.0.1.4, .11, ... */
}

static void bucket_counts(const struct dp_ecmp_group *g, unsigned *cnt)
{
	memset(cnt, 0, RSEMU_ECMP_MAX_MEMBERS * sizeof(*cnt));
	for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++)
		cnt[g->bucket[b]]++;
}

static void assert_balanced(const struct dp_ecmp_group *g)
{
	unsigned cnt[RSEMU_ECMP_MAX_MEMBERS], lo = ~0u, hi = 0;

	bucket_counts(g, cnt);
	for (unsigned j = 0; j < g->n; j++) {
		lo = cnt[j] < lo ? cnt[j] : lo;
		hi = cnt[j] > hi ? cnt[j] : hi;
	}
	for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++)
		assert_true(g->bucket[b] < g->n);
	assert_true(hi - lo <= 1);
}

/* Share of flows per member against the even share, over `flows` random
 * flows; returns the largest relative deviation. */
static double spread(const struct dp_ecmp_group *g,
		     const struct dp_flow_conf *c, unsigned flows)
{
	unsigned cnt[RSEMU_ECMP_MAX_MEMBERS] = {0};
	double even = (double)flows / g->n, worst = 0;

	for (unsigned i = 0; i < flows; i++) {
		struct dp_flow f = rnd_flow();

		cnt[dp_ecmp_slot(g, dp_flow_hash(&f, c))]++;
	}
	for (unsigned j = 0; j < g->n; j++) {
		double d = (cnt[j] - even) / even;

		d = d < 0 ? -d : d;
		worst = d > worst ? d : worst;
	}
	return worst;
}

/* 10,000 flows over 2..8 members: within 10% of even (10,000 random flows
 * alone have a 2.6% standard deviation per member at 8 members: 10% is
 * nearly 4 sigma, and the seeds are fixed), and 1,000,000 flows within
 * 1.5% (bucket granularity is 1/1024: at most 0.5% off at 7 members). */
static void distribution_even(void **st)
{
	(void)st;
	uint32_t m[RSEMU_ECMP_MAX_MEMBERS];
	struct dp_ecmp_group g;

	for (uint64_t seed = 1; seed <= 3; seed++) {
		rng_state = 0x9E3779B97F4A7C15ull * seed;
		for (unsigned n = 2; n <= 8; n++) {
			double d10k, d1m, dsym;

			members_of(m, n);
			assert_int_equal(dp_ecmp_group_fill(&g, m, n), 0);
			assert_balanced(&g);
			d10k = spread(&g, &conf5, FLOWS);
			dsym = spread(&g, &confsym, FLOWS);
			d1m = spread(&g, &conf5, 1000000);
			print_message("seed %lu n=%u: 10k %.1f%% sym %.1f%% 1M %.2f%%\n",
				      (unsigned long)seed, n, d10k * 100,
				      dsym * 100, d1m * 100);
			assert_true(d10k < 0.10);
			assert_true(dsym < 0.10);
			assert_true(d1m < 0.015);
		}
	}
}

/* Fresh fills are round-robin over the sorted members, whatever order the
 * members come in. */
static void canonical_order(void **st)
{
	(void)st;
	uint32_t a[5] = {0x0A000109, 0x0A000104, 0x0A000107, 0x0A000105,
			 0x0A000106};
	uint32_t b[5] = {0x0A000105, 0x0A000107, 0x0A000109, 0x0A000106,
			 0x0A000104};
	struct dp_ecmp_group ga, gb;

	assert_int_equal(dp_ecmp_group_fill(&ga, a, 5), 0);
	assert_int_equal(dp_ecmp_group_fill(&gb, b, 5), 0);
	assert_memory_equal(&ga, &gb, sizeof(ga));
	for (unsigned i = 1; i < 5; i++)
		assert_true(ga.members[i - 1] < ga.members[i]);
	for (unsigned bk = 0; bk < DP_ECMP_BUCKETS; bk++)
		assert_int_equal(ga.bucket[bk], bk % 5);
}

/* Removing any one member moves exactly that member's flows and keeps the
 * buckets balanced. */
static void removal_moves_only_its_flows(void **st)
{
	(void)st;
	uint32_t m[RSEMU_ECMP_MAX_MEMBERS], rest[RSEMU_ECMP_MAX_MEMBERS];
	static struct dp_flow flows[FLOWS];
	struct dp_ecmp_group g, h;

	rng_state = 42;
	for (unsigned i = 0; i < FLOWS; i++)
		flows[i] = rnd_flow();
	for (unsigned n = 2; n <= 8; n++) {
		members_of(m, n);
		assert_int_equal(dp_ecmp_group_fill(&g, m, n), 0);
		for (unsigned gone = 0; gone < n; gone++) {
			unsigned k = 0, moved = 0, had = 0;

			for (unsigned i = 0; i < n; i++)
				if (i != gone)
					rest[k++] = m[i];
			h = g;
			assert_int_equal(dp_ecmp_group_update(&h, rest, k), 0);
			assert_int_equal(h.n, n - 1);
			assert_balanced(&h);
			for (unsigned i = 0; i < FLOWS; i++) {
				uint32_t hs = dp_flow_hash(&flows[i], &conf5);
				uint32_t before = dp_ecmp_pick(&g, hs);
				uint32_t after = dp_ecmp_pick(&h, hs);

				assert_true(after != m[gone]);
				if (before == m[gone]) {
					had++;
					moved++;
				} else {
					assert_int_equal(before, after);
				}
			}
			assert_true(had > 0);
			(void)moved;
		}
	}
}

/* A joining member takes only buckets (flows) for itself, about 1/n of
 * them, from the most loaded members; the others' flows stay. */
static void join_takes_fair_share(void **st)
{
	(void)st;
	uint32_t m[RSEMU_ECMP_MAX_MEMBERS];
	static struct dp_flow flows[FLOWS];
	struct dp_ecmp_group g, h;

	rng_state = 7;
	for (unsigned i = 0; i < FLOWS; i++)
		flows[i] = rnd_flow();
	members_of(m, 8);
	for (unsigned n = 1; n < 8; n++) {
		unsigned moved = 0, buckets_moved = 0;

		assert_int_equal(dp_ecmp_group_fill(&g, m, n), 0);
		h = g;
		assert_int_equal(dp_ecmp_group_update(&h, m, n + 1), 0);
		assert_balanced(&h);
		for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++) {
			uint32_t before = g.members[g.bucket[b]];
			uint32_t after = h.members[h.bucket[b]];

			if (before != after) {
				assert_int_equal(after, m[n]);
				buckets_moved++;
			}
		}
		/* Exactly the new member's share: floor or ceil of B/(n+1). */
		assert_true(buckets_moved == DP_ECMP_BUCKETS / (n + 1) ||
			    buckets_moved == DP_ECMP_BUCKETS / (n + 1) + 1);
		for (unsigned i = 0; i < FLOWS; i++) {
			uint32_t hs = dp_flow_hash(&flows[i], &conf5);

			if (dp_ecmp_pick(&g, hs) != dp_ecmp_pick(&h, hs)) {
				assert_int_equal(dp_ecmp_pick(&h, hs), m[n]);
				moved++;
			}
		}
		print_message("join %u->%u: %u buckets, %.1f%% of flows moved\n",
			      n, n + 1, buckets_moved, moved * 100.0 / FLOWS);
	}
}

/* Leave then come back, several times: balanced throughout, and a member
 * set reached by the same history gives the same array. */
static void churn_stays_balanced(void **st)
{
	(void)st;
	uint32_t m[RSEMU_ECMP_MAX_MEMBERS];
	struct dp_ecmp_group g, g2;

	rng_state = 99;
	members_of(m, 8);
	assert_int_equal(dp_ecmp_group_fill(&g, m, 8), 0);
	g2 = g;
	for (unsigned step = 0; step < 200; step++) {
		uint32_t set[RSEMU_ECMP_MAX_MEMBERS];
		unsigned n = 0;
		uint64_t mask = rnd() & 0xFF;

		if (!mask)
			mask = 1;
		for (unsigned i = 0; i < 8; i++)
			if (mask & (1u << i))
				set[n++] = m[i];
		assert_int_equal(dp_ecmp_group_update(&g, set, n), 0);
		assert_int_equal(dp_ecmp_group_update(&g2, set, n), 0);
		assert_balanced(&g);
		assert_memory_equal(&g, &g2, sizeof(g));
	}
}

static void bad_member_sets(void **st)
{
	(void)st;
	uint32_t m[9], dup[3] = {5, 6, 5};
	struct dp_ecmp_group g, before;

	members_of(m, 8);
	m[8] = 0x0B000001;
	assert_int_equal(dp_ecmp_group_fill(&g, m, 3), 0);
	before = g;
	assert_int_equal(dp_ecmp_group_update(&g, m, 9), -EINVAL);
	assert_int_equal(dp_ecmp_group_update(&g, dup, 3), -EINVAL);
	assert_memory_equal(&g, &before, sizeof(g));
	/* Empty set: no members, picks give 0. */
	assert_int_equal(dp_ecmp_group_update(&g, NULL, 0), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(dp_ecmp_pick(&g, 12345), 0);
}

/* hash(a->b) == hash(b->a) in symmetric mode, for every field set that
 * allows it; not so (for almost every flow) without it. */
static void symmetric_hash(void **st)
{
	(void)st;
	const uint32_t sets[] = {
		DP_FLOW_5TUPLE,
		DP_FLOW_SRC | DP_FLOW_DST,
		DP_FLOW_SRC | DP_FLOW_DST | DP_FLOW_PROTO,
		DP_FLOW_SPORT | DP_FLOW_DPORT | DP_FLOW_PROTO,
	};
	uint32_t m[RSEMU_ECMP_MAX_MEMBERS], rev[4];
	struct dp_ecmp_group host_a, host_b;
	unsigned differ = 0;

	/* Two hosts, the same NVAs listed in different orders. */
	members_of(m, 4);
	rev[0] = m[3];
	rev[1] = m[1];
	rev[2] = m[0];
	rev[3] = m[2];
	assert_int_equal(dp_ecmp_group_fill(&host_a, m, 4), 0);
	assert_int_equal(dp_ecmp_group_fill(&host_b, rev, 4), 0);
	rng_state = 5;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct dp_flow_conf sym = {sets[s] | DP_FLOW_SYMMETRIC, 77};
		struct dp_flow_conf asym = {sets[s], 77};

		assert_int_equal(dp_flow_conf_check(&sym), 0);
		for (unsigned i = 0; i < FLOWS; i++) {
			struct dp_flow f = rnd_flow(), r = {
				.src = f.dst, .dst = f.src, .sport = f.dport,
				.dport = f.sport, .proto = f.proto};

			if (i % 97 == 0) /* same address both ways */
				r.src = r.dst = f.src = f.dst;
			assert_int_equal(dp_flow_hash(&f, &sym),
					 dp_flow_hash(&r, &sym));
			assert_int_equal(dp_ecmp_pick(&host_a,
						      dp_flow_hash(&f, &sym)),
					 dp_ecmp_pick(&host_b,
						      dp_flow_hash(&r, &sym)));
			if (s == 0 && dp_flow_hash(&f, &asym) !=
					      dp_flow_hash(&r, &asym))
				differ++;
		}
	}
	assert_true(differ > FLOWS * 9 / 10);
}

static void conf_check(void **st)
{
	(void)st;
	struct dp_flow_conf c = {0, 1};

	assert_int_equal(dp_flow_conf_check(&c), -EINVAL);
	c.fields = DP_FLOW_SYMMETRIC;
	assert_int_equal(dp_flow_conf_check(&c), -EINVAL);
	c.fields = DP_FLOW_SRC | DP_FLOW_SYMMETRIC;
	assert_int_equal(dp_flow_conf_check(&c), -EINVAL);
	c.fields = DP_FLOW_SRC | DP_FLOW_DST | DP_FLOW_SPORT |
		   DP_FLOW_SYMMETRIC;
	assert_int_equal(dp_flow_conf_check(&c), -EINVAL);
	c.fields = 1u << 9;
	assert_int_equal(dp_flow_conf_check(&c), -EINVAL);
	c.fields = DP_FLOW_SRC;
	assert_int_equal(dp_flow_conf_check(&c), 0);
	c.fields = DP_FLOW_5TUPLE | DP_FLOW_SYMMETRIC;
	assert_int_equal(dp_flow_conf_check(&c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distribution_even),
		cmocka_unit_test(canonical_order),
		cmocka_unit_test(removal_moves_only_its_flows),
		cmocka_unit_test(join_takes_fair_share),
		cmocka_unit_test(churn_stays_balanced),
		cmocka_unit_test(bad_member_sets),
		cmocka_unit_test(symmetric_hash),
		cmocka_unit_test(conf_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
