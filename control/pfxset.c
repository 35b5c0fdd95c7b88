/* Prefix sets with a fast containment test (see pfxset.h). */
#include <errno.h>
#include <stdlib.h>

#include "pfxset.h"

static int prefix_qcmp(const void *a, const void *b)
{
	return rsemu_prefix_cmp(*(const struct rsemu_prefix *)a,
				*(const struct rsemu_prefix *)b);
}

int rs_pfxset_add(struct rs_pfxset *s, struct rsemu_prefix p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct rsemu_prefix *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = p;
	return 0;
}

void rs_pfxset_seal(struct rs_pfxset *s)
{
	bool seen[33] = {false};
	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), prefix_qcmp);
	s->n_lens = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!seen[s->v[i].len]) {
			seen[s->v[i].len] = true;
			s->lens[s->n_lens++] = s->v[i].len;
		}
}

bool rs_pfxset_covers(const struct rs_pfxset *s, struct rsemu_prefix p)
{
	for (size_t i = 0; i < s->n_lens; i++) {
		uint8_t len = s->lens[i];
		if (len > p.len)
			continue;
		struct rsemu_prefix key = {p.addr & rsemu_mask(len), len};
		if (bsearch(&key, s->v, s->n, sizeof(*s->v), prefix_qcmp))
			return true;
	}
	return false;
}

void rs_pfxset_free(struct rs_pfxset *s)
{
	free(s->v);
	*s = (struct rs_pfxset){0};
}
