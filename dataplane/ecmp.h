/* ECMP for the data plane, in the style of VPP's load_balance: a group is a
 * power-of-two array of buckets, each naming one member; a flow hash picks
 * the bucket. Pure C (no DPDK), so any backend (DPDK, eBPF) computes the
 * same buckets and the same hash. */
#ifndef DP_ECMP_H
#define DP_ECMP_H

#include <stdint.h>

#include "rsemu/ring.h"

#define DP_ECMP_BUCKETS 1024u /* power of two: 7 members get 146 or 147 */
_Static_assert((DP_ECMP_BUCKETS & (DP_ECMP_BUCKETS - 1)) == 0,
	       "bucket count must be a power of two");

/* One ECMP group. members[] is sorted ascending (canonical order), so two
 * hosts given the same member set fill identical bucket arrays. */
struct dp_ecmp_group {
	uint8_t n;                                /* 0 = no members */
	uint8_t pad[3];
	uint32_t members[RSEMU_ECMP_MAX_MEMBERS]; /* host order, sorted */
	uint8_t bucket[DP_ECMP_BUCKETS];          /* index into members */
};

/* Which fields of the 5-tuple feed the hash; DP_FLOW_SYMMETRIC makes
 * hash(a->b) == hash(b->a). */
enum dp_flow_field {
	DP_FLOW_SRC = 1u << 0,
	DP_FLOW_DST = 1u << 1,
	DP_FLOW_PROTO = 1u << 2,
	DP_FLOW_SPORT = 1u << 3,
	DP_FLOW_DPORT = 1u << 4,
	DP_FLOW_SYMMETRIC = 1u << 5,
};
#define DP_FLOW_5TUPLE (DP_FLOW_SRC | DP_FLOW_DST | DP_FLOW_PROTO | \
			DP_FLOW_SPORT | DP_FLOW_DPORT)

struct dp_flow {
	uint32_t src, dst; /* host order */
	uint16_t sport, dport;
	uint8_t proto;
};

/* A flow-hash configuration: fields plus seed. Hosts that must agree (for
 * symmetry) use the same configuration. */
struct dp_flow_conf {
	uint32_t fields; /* enum dp_flow_field bits */
	uint32_t seed;
};
#define DP_FLOW_SEED_DEFAULT 0x52534555u

/* Checks a configuration: at least one field; in symmetric mode the two
 * addresses and the two ports must be chosen in pairs. Returns 0 or
 * -EINVAL. */
int dp_flow_conf_check(const struct dp_flow_conf *c);

/* Fresh group: members sorted, buckets round-robin over them (bucket i ->
 * member i mod n). n == 0 empties the group. Returns 0 or -EINVAL (n > 8,
 * repeated member). */
int dp_ecmp_group_fill(struct dp_ecmp_group *g, const uint32_t *members,
		       unsigned n);
/* Change g's member set with minimal disruption: buckets of members that
 * stay keep their member; a leaving member's buckets go, in bucket order,
 * to the least-loaded remaining members; joining members take buckets from
 * the most-loaded ones until every member holds B/n or B/n+1 buckets. The
 * result depends only on (old buckets, new set): two hosts with the same
 * history hold the same array, and a fresh fill equals an update from the
 * empty group. Returns 0 or -EINVAL. */
int dp_ecmp_group_update(struct dp_ecmp_group *g, const uint32_t *members,
			 unsigned n);

/* murmur3-style mixing of 32-bit words (finalised with fmix32). Our own
 * rather than rte_hash_crc/rte_jhash: it is a few multiplies, identical on
 * every CPU, and portable to eBPF, where the XDP data plane must compute
 * the very same hash for both backends to pick the same member. */
static inline uint32_t dp_mix_rotl(uint32_t x, unsigned r)
{
	return (x << r) | (x >> (32 - r));
}

static inline uint32_t dp_mix_word(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = dp_mix_rotl(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = dp_mix_rotl(h, 13);
	return h * 5u + 0xe6546b64u;
}

static inline uint32_t dp_mix_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t dp_flow_hash(const struct dp_flow *f,
				    const struct dp_flow_conf *c)
{
	uint32_t fl = c->fields;
	uint32_t a = fl & DP_FLOW_SRC ? f->src : 0;
	uint32_t b = fl & DP_FLOW_DST ? f->dst : 0;
	uint32_t pa = fl & DP_FLOW_SPORT ? f->sport : 0;
	uint32_t pb = fl & DP_FLOW_DPORT ? f->dport : 0;
	uint32_t h = c->seed;

	/* Symmetric: order the two endpoints (address, port) canonically,
	 * so (a->b) and (b->a) feed identical words. Unlike XOR-ing the
	 * endpoints, this keeps all of their entropy. */
	if ((fl & DP_FLOW_SYMMETRIC) && (a > b || (a == b && pa > pb))) {
		uint32_t t = a;

		a = b;
		b = t;
		t = pa;
		pa = pb;
		pb = t;
	}
	h = dp_mix_word(h, a);
	h = dp_mix_word(h, b);
	h = dp_mix_word(h, (pa << 16) | pb);
	h = dp_mix_word(h, fl & DP_FLOW_PROTO ? f->proto : 0);
	return dp_mix_final(h ^ 16u);
}

/* The member slot of a flow hash; the group must have n > 0. */
static inline unsigned dp_ecmp_slot(const struct dp_ecmp_group *g,
				    uint32_t hash)
{
	return g->bucket[hash & (DP_ECMP_BUCKETS - 1)];
}

/* The member address (host order), or 0 for an empty group. */
static inline uint32_t dp_ecmp_pick(const struct dp_ecmp_group *g,
				    uint32_t hash)
{
	return g->n ? g->members[dp_ecmp_slot(g, hash)] : 0;
}

#endif
