/* ECMP bucket arrays (see ecmp.h): canonical fill and minimal-disruption
 * updates of a group's member set, and the flow-hash configuration check.
 * Runs on the control thread only. */
#include <errno.h>
#include <string.h>

#include "ecmp.h"

int dp_flow_conf_check(const struct dp_flow_conf *c)
{
	uint32_t f = c->fields;

	if (f & ~(DP_FLOW_5TUPLE | DP_FLOW_SYMMETRIC))
		return -EINVAL;
	if (!(f & DP_FLOW_5TUPLE))
		return -EINVAL;
	if (f & DP_FLOW_SYMMETRIC) {
		if (!(f & DP_FLOW_SRC) != !(f & DP_FLOW_DST))
			return -EINVAL;
		if (!(f & DP_FLOW_SPORT) != !(f & DP_FLOW_DPORT))
			return -EINVAL;
	}
	return 0;
}

/* Sorted copy of members; -EINVAL on n > 8 or a repeated member. */
static int canonical(const uint32_t *members, unsigned n, uint32_t *out)
{
	if (n > RSEMU_ECMP_MAX_MEMBERS || (n && !members))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = members[i];
		unsigned j = i;

		while (j > 0 && out[j - 1] > v) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = v;
	}
	for (unsigned i = 1; i < n; i++)
		if (out[i] == out[i - 1])
			return -EINVAL;
	return 0;
}

/* Lowest slot with the fewest (least) or most (!least) buckets. */
static unsigned pick(const unsigned *cnt, unsigned n, bool least)
{
	unsigned best = 0;

	for (unsigned j = 1; j < n; j++)
		if (least ? cnt[j] < cnt[best] : cnt[j] > cnt[best])
			best = j;
	return best;
}

int dp_ecmp_group_update(struct dp_ecmp_group *g, const uint32_t *members,
			 unsigned n)
{
	uint32_t sorted[RSEMU_ECMP_MAX_MEMBERS];
	int map[RSEMU_ECMP_MAX_MEMBERS];
	unsigned cnt[RSEMU_ECMP_MAX_MEMBERS] = {0};
	uint8_t nb[DP_ECMP_BUCKETS];
	bool orphan[DP_ECMP_BUCKETS];
	int rc = canonical(members, n, sorted);

	if (rc < 0)
		return rc;
	if (n == 0) {
		memset(g, 0, sizeof(*g));
		return 0;
	}
	/* Old slot -> new slot, or -1 for a leaving member. */
	for (unsigned i = 0; i < RSEMU_ECMP_MAX_MEMBERS; i++) {
		map[i] = -1;
		for (unsigned j = 0; i < g->n && j < n; j++)
			if (g->members[i] == sorted[j])
				map[i] = (int)j;
	}
	for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++) {
		int to = g->n && g->bucket[b] < g->n ? map[g->bucket[b]] : -1;

		orphan[b] = to < 0;
		if (to >= 0) {
			nb[b] = (uint8_t)to;
			cnt[to]++;
		}
	}
	/* A leaving member's buckets, in bucket order, to the least loaded
	 * (ties: lowest slot). From a balanced start this stays balanced,
	 * so nothing else moves. */
	for (unsigned b = 0; b < DP_ECMP_BUCKETS; b++) {
		if (orphan[b]) {
			unsigned j = pick(cnt, n, true);

			nb[b] = (uint8_t)j;
			cnt[j]++;
		}
	}
	/* Joining members: take from the most loaded (their highest
	 * buckets) until max - min <= 1. */
	for (;;) {
		unsigned hi = pick(cnt, n, false), lo = pick(cnt, n, true);

		if (cnt[hi] - cnt[lo] <= 1)
			break;
		for (unsigned b = DP_ECMP_BUCKETS; b-- > 0;) {
			if (nb[b] == hi) {
				nb[b] = (uint8_t)lo;
				break;
			}
		}
		cnt[hi]--;
		cnt[lo]++;
	}
	memset(g, 0, sizeof(*g));
	g->n = (uint8_t)n;
	memcpy(g->members, sorted, n * sizeof(sorted[0]));
	memcpy(g->bucket, nb, sizeof(nb));
	return 0;
}

int dp_ecmp_group_fill(struct dp_ecmp_group *g, const uint32_t *members,
		       unsigned n)
{
	struct dp_ecmp_group tmp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = dp_ecmp_group_update(&tmp, members, n);
	if (rc == 0)
		*g = tmp;
	return rc;
}
