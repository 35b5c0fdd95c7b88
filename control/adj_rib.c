/* The prefix map of adj_rib.h: linear probing, at most half full, removal
 * by backward shift (no tombstones). */
#include <errno.h>
#include <stdlib.h>

#include "adj_rib.h"

static size_t slot_of(struct rsemu_prefix p, size_t cap)
{
	uint64_t h = ((uint64_t)p.addr << 6 | p.len) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

static void entry_release(struct rs_adj_entry *e)
{
	rs_attrs_unref(e->attrs);
	rs_attrs_unref(e->src);
	*e = (struct rs_adj_entry){0};
}

void rs_adj_rib_clear(struct rs_adj_rib *r)
{
	for (size_t i = 0; i < r->cap; i++)
		if (r->v[i].used)
			entry_release(&r->v[i]);
	free(r->v);
	*r = (struct rs_adj_rib){0};
}

static struct rs_adj_entry *find(const struct rs_adj_rib *r,
				 struct rsemu_prefix p, bool *found)
{
	*found = false;
	if (r->cap == 0)
		return NULL;
	size_t i = slot_of(p, r->cap);
	while (r->v[i].used) {
		if (rsemu_prefix_eq(r->v[i].prefix, p)) {
			*found = true;
			break;
		}
		i = (i + 1) & (r->cap - 1);
	}
	return &r->v[i];
}

struct rs_adj_entry *rs_adj_rib_get(const struct rs_adj_rib *r,
				    struct rsemu_prefix p)
{
	bool found;
	struct rs_adj_entry *e = find(r, p, &found);
	return found ? e : NULL;
}

static int grow(struct rs_adj_rib *r)
{
	size_t cap = r->cap ? r->cap * 2 : 64;
	struct rs_adj_entry *v = calloc(cap, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	struct rs_adj_rib nr = {.v = v, .cap = cap, .n = r->n};
	for (size_t i = 0; i < r->cap; i++) {
		if (!r->v[i].used)
			continue;
		bool found;
		*find(&nr, r->v[i].prefix, &found) = r->v[i];
	}
	free(r->v);
	*r = nr;
	return 0;
}

int rs_adj_rib_set(struct rs_adj_rib *r, struct rsemu_prefix p,
		   struct rs_attrs *attrs, struct rs_attrs *src)
{
	if ((r->n + 1) * 2 > r->cap && grow(r) < 0)
		return -ENOMEM;
	bool found;
	struct rs_adj_entry *e = find(r, p, &found);
	struct rs_adj_entry old = *e;
	*e = (struct rs_adj_entry){
		.prefix = p,
		.used = true,
		.attrs = attrs ? rs_attrs_ref(attrs) : NULL,
		.src = src ? rs_attrs_ref(src) : NULL,
	};
	if (found)
		entry_release(&old);
	else
		r->n++;
	return 0;
}

bool rs_adj_rib_del(struct rs_adj_rib *r, struct rsemu_prefix p)
{
	bool found;
	struct rs_adj_entry *e = find(r, p, &found);
	if (!found)
		return false;
	entry_release(e);
	r->n--;
	/* Backward shift: move up every later entry of the probe run that
	 * may sit in the hole. */
	size_t mask = r->cap - 1, hole = (size_t)(e - r->v), i = hole;
	for (;;) {
		i = (i + 1) & mask;
		if (!r->v[i].used)
			break;
		size_t home = slot_of(r->v[i].prefix, r->cap);
		/* Stays when its home lies cyclically in (hole, i]. */
		bool stays = hole <= i ? (hole < home && home <= i)
				       : (hole < home || home <= i);
		if (stays)
			continue;
		r->v[hole] = r->v[i];
		r->v[i] = (struct rs_adj_entry){0};
		hole = i;
	}
	return true;
}

struct rs_adj_entry *rs_adj_rib_next(const struct rs_adj_rib *r,
				     const struct rs_adj_entry *e)
{
	size_t i = e ? (size_t)(e - r->v) + 1 : 0;
	for (; i < r->cap; i++)
		if (r->v[i].used)
			return &r->v[i];
	return NULL;
}

struct rs_adj_entry *rs_adj_rib_first(const struct rs_adj_rib *r)
{
	return rs_adj_rib_next(r, NULL);
}
