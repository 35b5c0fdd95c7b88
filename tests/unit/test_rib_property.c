/* Property test of the decision core: for random topologies and
 * announcements (seeded), applying them incrementally in random order,
 * with random withdrawals, re-announcements and session drops, ends in
 * exactly the state of a from-scratch decision; and the change log,
 * replayed, yields exactly the programmed routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "effective.h"
#include "report.h"
#include "rib.h"

#define CASES 3000
#define POOL 24

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng >> 33) % n);
}

struct model {
	struct rsemu_topology t;
	struct rsemu_vnet vnets[6];
	struct rsemu_subnet subnets[6];
	struct rsemu_prefix spaces[6];
	struct rsemu_peering peerings[5];
	struct rsemu_peer peers[RSEMU_MAX_PEERS];
	struct rsemu_prefix pool[POOL];
	/* final[peer][i]: the attrs peer ends up announcing for pool[i] */
	struct rs_attrs *final[RSEMU_MAX_PEERS][POOL];
};

static struct rs_attrs *random_attrs(struct model *m, int peer)
{
	uint32_t asns[5];
	uint16_t n = (uint16_t)(1 + rnd(4));
	for (uint16_t i = 0; i < n; i++)
		asns[i] = i == 0 ? m->peers[peer].asn : 64512 + rnd(8);
	if (rnd(20) == 0)
		asns[rnd(n)] = RSEMU_RS_ASN; /* a loop now and then */
	uint32_t comm = rnd(6) == 0 ? RSEMU_NO_ADVERTISE : (65001u << 16) | rnd(3);
	uint32_t nh = rnd(4) == 0 ? 0x0A000164 /* a shared LB */
				  : m->peers[peer].ip;
	return rs_attrs_new_seq((uint8_t)rnd(3), nh, asns, n, &comm, 1);
}

static void build(struct model *m)
{
	memset(m, 0, sizeof(*m));
	struct rsemu_topology *t = &m->t;
	size_t nv = 2 + rnd(5);
	for (size_t v = 0; v < nv; v++) {
		m->spaces[v] = (struct rsemu_prefix){0x0A000000u | (uint32_t)v << 16, 16};
		m->subnets[v] = (struct rsemu_subnet){.prefix = {m->spaces[v].addr, 24},
						      .route_table = -1};
		snprintf(m->subnets[v].name, RSEMU_NAME_MAX, "s");
		snprintf(m->vnets[v].name, RSEMU_NAME_MAX, "v%zu", v);
		m->vnets[v].address_space = &m->spaces[v];
		m->vnets[v].n_address_space = 1;
		m->vnets[v].subnets = &m->subnets[v];
		m->vnets[v].n_subnets = 1;
		if (v > 0) {
			bool urg = rnd(3) != 0;
			m->peerings[v - 1] = (struct rsemu_peering){
				.hub = 0, .spoke = (int)v,
				.allow_gateway_transit = true,
				.use_remote_gateways = urg};
		}
	}
	t->vnets = m->vnets;
	t->n_vnets = nv;
	t->peerings = m->peerings;
	t->n_peerings = nv - 1;
	t->rs.vnet = 0;
	t->rs.asn = RSEMU_RS_ASN;
	t->rs.instances[0] = 0x0A00FE04;
	t->rs.instances[1] = 0x0A00FE05;
	t->rs.routing_preference = (enum rsemu_routing_pref)rnd(3);
	t->rs.branch_to_branch = rnd(2);
	t->rs.n_peers = 1 + rnd(RSEMU_MAX_PEERS);
	t->rs.peers = m->peers;
	for (size_t p = 0; p < t->rs.n_peers; p++) {
		struct rsemu_peer *pe = &m->peers[p];
		pe->kind = (enum rsemu_peer_kind)rnd(3);
		pe->asn = pe->kind == RSEMU_PEER_NVA ? 65001 + (uint32_t)p : RSEMU_RS_ASN;
		pe->ip = 0x0A000104 + (uint32_t)p;
		pe->max_prefixes = 4000;
		snprintf(pe->name, RSEMU_NAME_MAX, "p%zu", p);
	}
	/* A pool that mixes defaults, supernets, VNet spaces and more
	 * specifics inside them, and outside prefixes. */
	/* Distinct prefixes: the final state of (peer, prefix) must not
	 * depend on the order of the operations. */
	for (int i = 0; i < POOL; i++) {
	again:
		switch (rnd(5)) {
		case 0: m->pool[i] = (struct rsemu_prefix){0, (uint8_t)(rnd(2) * 8)}; break;
		case 1: m->pool[i] = m->spaces[rnd((uint32_t)nv)]; break;
		case 2: m->pool[i] = (struct rsemu_prefix){0x0A000000u | rnd(8) << 16 | rnd(4) << 8, 24}; break;
		default: m->pool[i] = (struct rsemu_prefix){0xAC100000u | rnd(16) << 8, 24}; break;
		}
		m->pool[i].addr &= rsemu_mask(m->pool[i].len);
		for (int j = 0; j < i; j++)
			if (rsemu_prefix_eq(m->pool[j], m->pool[i]))
				goto again;
	}
	for (size_t p = 0; p < t->rs.n_peers; p++)
		for (int i = 0; i < POOL; i++)
			m->final[p][i] = rnd(2) ? random_attrs(m, (int)p) : NULL;
}

static void release(struct model *m)
{
	for (size_t p = 0; p < RSEMU_MAX_PEERS; p++)
		for (int i = 0; i < POOL; i++)
			rs_attrs_unref(m->final[p][i]);
}

/* Apply `a` (NULL = withdraw) for (peer, pool[i]). */
static void apply(struct rs_rib *rib, int peer, struct rsemu_prefix p,
		  struct rs_attrs *a, struct rs_changes *chg)
{
	int rc = a ? rs_rib_update(rib, peer, NULL, 0, &p, 1, a, chg)
		   : rs_rib_update(rib, peer, &p, 1, NULL, 0, NULL, chg);
	assert_int_equal(rc, 0);
}

/* Replay of the change log: prefix -> next hops. */
struct fib_entry {
	struct rsemu_prefix p;
	uint8_t n;
	uint32_t nh[RSEMU_MAX_PEERS];
};

static int fib_find(struct fib_entry *f, size_t n, struct rsemu_prefix p)
{
	for (size_t i = 0; i < n; i++)
		if (rsemu_prefix_eq(f[i].p, p))
			return (int)i;
	return -1;
}

static void same_state(const struct rs_rib *a, const struct rs_rib *b)
{
	assert_int_equal(rs_rib_count(a), rs_rib_count(b));
	size_t n = rs_rib_count(a);
	const struct rs_dest **da = malloc((n + 1) * sizeof(*da));
	const struct rs_dest **db = malloc((n + 1) * sizeof(*db));
	rs_rib_dests(a, da);
	rs_rib_dests(b, db);
	for (size_t i = 0; i < n; i++) {
		assert_true(rsemu_prefix_eq(da[i]->prefix, db[i]->prefix));
		assert_int_equal(da[i]->present, db[i]->present);
		assert_int_equal(da[i]->best, db[i]->best);
		assert_int_equal(da[i]->filtered, db[i]->filtered);
		for (int p = 0; p < RSEMU_MAX_PEERS; p++)
			assert_true(rs_attrs_equal(da[i]->path[p], db[i]->path[p]));
	}
	free(da);
	free(db);
}

static void same_json(json_t *x, json_t *y)
{
	assert_non_null(x);
	assert_non_null(y);
	assert_true(json_equal(x, y));
	json_decref(x);
	json_decref(y);
}

static void one_case(uint64_t seed)
{
	rng = seed;
	struct model m;
	build(&m);
	size_t np = m.t.rs.n_peers;

	/* From scratch: each peer's final routes, peer by peer. */
	struct rs_rib *scratch = rs_rib_new(&m.t);
	for (size_t p = 0; p < np; p++)
		for (int i = 0; i < POOL; i++)
			if (m.final[p][i])
				apply(scratch, (int)p, m.pool[i], m.final[p][i], NULL);

	/* Incremental: random history, then the final operations in random
	 * order. */
	struct rs_rib *inc = rs_rib_new(&m.t);
	struct rs_changes chg = {0};
	size_t events = 20 + rnd(200);
	for (size_t e = 0; e < events; e++) {
		int p = (int)rnd((uint32_t)np), i = (int)rnd(POOL);
		if (rnd(40) == 0) {
			assert_int_equal(rs_rib_peer_down(inc, p, &chg), 0);
			rs_rib_peer_up(inc, p);
		} else if (rnd(3) == 0) {
			apply(inc, p, m.pool[i], NULL, &chg);
		} else {
			struct rs_attrs *a = rnd(2) && m.final[p][i]
				? rs_attrs_ref(m.final[p][i]) : random_attrs(&m, p);
			apply(inc, p, m.pool[i], a, &chg);
			rs_attrs_unref(a);
		}
	}
	size_t n_ops = np * POOL;
	int *order = malloc(n_ops * sizeof(*order));
	for (size_t k = 0; k < n_ops; k++)
		order[k] = (int)k;
	for (size_t k = n_ops - 1; k > 0; k--) {
		size_t j = rnd((uint32_t)(k + 1));
		int tmp = order[k];
		order[k] = order[j];
		order[j] = tmp;
	}
	for (size_t k = 0; k < n_ops; k++) {
		int p = order[k] / POOL, i = order[k] % POOL;
		apply(inc, p, m.pool[i], m.final[p][i], &chg);
	}
	free(order);

	same_state(scratch, inc);

	/* The change log replayed gives the programmed routes. */
	struct fib_entry *fib = calloc(POOL + 1, sizeof(*fib));
	size_t nf = 0;
	for (size_t c = 0; c < chg.n; c++) {
		const struct rs_change *ch = &chg.v[c];
		int k = fib_find(fib, nf, ch->prefix);
		if (ch->op == RS_CHANGE_DEL) {
			assert_true(k >= 0);
			fib[k] = fib[--nf];
			continue;
		}
		if (k < 0) {
			assert_true(nf < POOL);
			k = (int)nf++;
		}
		fib[k].p = ch->prefix;
		fib[k].n = ch->n_nh;
		memcpy(fib[k].nh, ch->nh, sizeof(ch->nh));
	}
	size_t n = rs_rib_count(scratch), programmed = 0;
	const struct rs_dest **d = malloc((n + 1) * sizeof(*d));
	rs_rib_dests(scratch, d);
	for (size_t i = 0; i < n; i++) {
		if (d[i]->best == 0 || d[i]->filtered)
			continue;
		programmed++;
		int k = fib_find(fib, nf, d[i]->prefix);
		assert_true(k >= 0);
		uint32_t nh[RSEMU_MAX_PEERS];
		uint8_t c = rs_dest_next_hops(d[i], nh);
		assert_int_equal(fib[k].n, c);
		assert_memory_equal(fib[k].nh, nh, c * sizeof(*nh));
	}
	assert_int_equal(programmed, nf);
	free(d);
	free(fib);

	/* What users see is the same too. */
	for (size_t p = 0; p < np; p++)
		same_json(rs_report_advertised(scratch, (int)p),
			  rs_report_advertised(inc, (int)p));
	for (size_t v = 0; v < m.t.n_vnets; v++)
		same_json(rs_report_effective(scratch, (int)v, 0),
			  rs_report_effective(inc, (int)v, 0));

	rs_changes_free(&chg);
	rs_rib_free(scratch);
	rs_rib_free(inc);
	release(&m);
}

static void incremental_equals_scratch(void **st)
{
	(void)st;
	for (uint64_t seed = 1; seed <= CASES; seed++)
		one_case(seed * 0x9E3779B97F4A7C15ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(incremental_equals_scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
