/* A small open-addressing hash map from 64-bit keys to 64-bit values
 * (linear probing, backward-shift deletion), for the control thread's
 * bookkeeping: shadow routes, prefix reference counts, the union index.
 * Pure C; never used on the fast path. */
#ifndef DP_U64MAP_H
#define DP_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_U64MAP_EMPTY UINT64_MAX /* the one key that cannot be stored */

struct dp_u64map_ent {
	uint64_t key;
	uint64_t val;
};

struct dp_u64map {
	struct dp_u64map_ent *e;
	uint32_t mask; /* capacity - 1; capacity is a power of two */
	uint32_t n;
};

int dp_u64map_init(struct dp_u64map *m, uint32_t min_cap);
void dp_u64map_fini(struct dp_u64map *m);
/* Pointer to the value, or NULL. Valid until the next put/del. */
uint64_t *dp_u64map_get(const struct dp_u64map *m, uint64_t key);
/* Insert or replace. Returns 0 or -ENOMEM (map unchanged). */
int dp_u64map_put(struct dp_u64map *m, uint64_t key, uint64_t val);
/* Returns true when key was there. */
bool dp_u64map_del(struct dp_u64map *m, uint64_t key);
void dp_u64map_clear(struct dp_u64map *m);

/* Iteration: for (i = 0; dp_u64map_next(m, &i, &ent);) ...; deleting the
 * entry just returned is allowed only through dp_u64map_del_at. */
bool dp_u64map_next(const struct dp_u64map *m, uint32_t *i,
		    struct dp_u64map_ent **ent);
/* Delete the entry at slot i-1 of an iteration; afterwards the iteration
 * goes on without skipping any entry (the slot is looked at again), but an
 * entry shifted back across the end of the array may be seen twice: use it
 * for idempotent work such as sweeping. */
void dp_u64map_del_at(struct dp_u64map *m, uint32_t *i);

#endif
