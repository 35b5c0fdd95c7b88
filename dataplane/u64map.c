/* The control thread's 64-bit hash map (see u64map.h). */
#include <errno.h>
#include <stdlib.h>

#include "u64map.h"

static uint32_t slot_of(uint64_t k, uint32_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k & mask;
}

static struct dp_u64map_ent *alloc_ents(uint32_t cap)
{
	struct dp_u64map_ent *e = malloc((size_t)cap * sizeof(*e));

	if (e)
		for (uint32_t i = 0; i < cap; i++)
			e[i].key = DP_U64MAP_EMPTY;
	return e;
}

int dp_u64map_init(struct dp_u64map *m, uint32_t min_cap)
{
	uint32_t cap = 16;

	while (cap < min_cap && cap < (1u << 31))
		cap <<= 1;
	m->e = alloc_ents(cap);
	if (!m->e)
		return -ENOMEM;
	m->mask = cap - 1;
	m->n = 0;
	return 0;
}

void dp_u64map_fini(struct dp_u64map *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
	m->mask = 0;
}

void dp_u64map_clear(struct dp_u64map *m)
{
	for (uint32_t i = 0; i <= m->mask; i++)
		m->e[i].key = DP_U64MAP_EMPTY;
	m->n = 0;
}

uint64_t *dp_u64map_get(const struct dp_u64map *m, uint64_t key)
{
	for (uint32_t i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->e[i].key == key)
			return &m->e[i].val;
		if (m->e[i].key == DP_U64MAP_EMPTY)
			return NULL;
	}
}

static void insert_new(struct dp_u64map_ent *e, uint32_t mask, uint64_t key,
		       uint64_t val)
{
	uint32_t i = slot_of(key, mask);

	while (e[i].key != DP_U64MAP_EMPTY)
		i = (i + 1) & mask;
	e[i].key = key;
	e[i].val = val;
}

static int grow(struct dp_u64map *m)
{
	uint32_t cap = (m->mask + 1) * 2;
	struct dp_u64map_ent *e;

	if (cap == 0 || cap > (1u << 31))
		return -ENOMEM;
	e = alloc_ents(cap);
	if (!e)
		return -ENOMEM;
	for (uint32_t i = 0; i <= m->mask; i++)
		if (m->e[i].key != DP_U64MAP_EMPTY)
			insert_new(e, cap - 1, m->e[i].key, m->e[i].val);
	free(m->e);
	m->e = e;
	m->mask = cap - 1;
	return 0;
}

int dp_u64map_put(struct dp_u64map *m, uint64_t key, uint64_t val)
{
	uint64_t *v;

	if (key == DP_U64MAP_EMPTY)
		return -EINVAL;
	v = dp_u64map_get(m, key);
	if (v) {
		*v = val;
		return 0;
	}
	/* Keep the load at or below three quarters: shadows of millions of
	 * routes stay compact, probes stay short. */
	if ((uint64_t)(m->n + 1) * 4 > ((uint64_t)m->mask + 1) * 3) {
		int rc = grow(m);

		if (rc < 0)
			return rc;
	}
	insert_new(m->e, m->mask, key, val);
	m->n++;
	return 0;
}

/* Remove slot i and shift back the entries of its probe run. */
static void remove_slot(struct dp_u64map *m, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t k;

		j = (j + 1) & m->mask;
		if (m->e[j].key == DP_U64MAP_EMPTY)
			break;
		k = slot_of(m->e[j].key, m->mask);
		/* Move e[j] into the hole at i when its home k does not lie
		 * cyclically in (i, j]. */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].key = DP_U64MAP_EMPTY;
	m->n--;
}

bool dp_u64map_del(struct dp_u64map *m, uint64_t key)
{
	for (uint32_t i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->e[i].key == key) {
			remove_slot(m, i);
			return true;
		}
		if (m->e[i].key == DP_U64MAP_EMPTY)
			return false;
	}
}

bool dp_u64map_next(const struct dp_u64map *m, uint32_t *i,
		    struct dp_u64map_ent **ent)
{
	while (*i <= m->mask) {
		struct dp_u64map_ent *e = &m->e[(*i)++];

		if (e->key != DP_U64MAP_EMPTY) {
			*ent = e;
			return true;
		}
	}
	return false;
}

void dp_u64map_del_at(struct dp_u64map *m, uint32_t *i)
{
	remove_slot(m, *i - 1);
	(*i)--;
}
