/* Reference-counted, immutable BGP attribute sets (see attrs.h): built
 * once per UPDATE or `announce:` entry and shared by all its prefixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct rs_attrs *rs_attrs_new(const struct rs_attrs_spec *s)
{
	size_t n_asns = 0;
	for (uint16_t i = 0; i < s->n_segs; i++)
		n_asns += s->segs[i].len;
	if (n_asns > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	size_t raw_bytes = 0;
	for (uint16_t i = 0; i < s->n_raw; i++)
		raw_bytes += s->raw[i].len;

	size_t off_segs = align8(sizeof(struct rs_attrs));
	size_t off_asns = align8(off_segs + s->n_segs * sizeof(struct rs_as_seg));
	size_t off_comm = align8(off_asns + n_asns * sizeof(uint32_t));
	size_t off_raw = align8(off_comm + s->n_communities * sizeof(uint32_t));
	size_t off_val = align8(off_raw + s->n_raw * sizeof(struct rs_raw_attr));
	size_t total = off_val + raw_bytes;

	char *mem = calloc(1, total);
	if (mem == NULL)
		return NULL;
	struct rs_attrs *a = (struct rs_attrs *)mem;
	a->refcnt = 1;
	a->origin = s->origin;
	a->has_med = s->has_med;
	a->has_local_pref = s->has_local_pref;
	a->atomic_aggregate = s->atomic_aggregate;
	a->med = s->med;
	a->local_pref = s->local_pref;
	a->next_hop = s->next_hop;
	a->n_segs = s->n_segs;
	a->n_asns = (uint16_t)n_asns;
	a->n_communities = s->n_communities;
	a->n_raw = s->n_raw;

	struct rs_as_seg *segs = (struct rs_as_seg *)(mem + off_segs);
	uint32_t *asns = (uint32_t *)(mem + off_asns);
	uint32_t *comm = (uint32_t *)(mem + off_comm);
	struct rs_raw_attr *raw = (struct rs_raw_attr *)(mem + off_raw);
	uint8_t *val = (uint8_t *)(mem + off_val);
	if (s->n_segs)
		memcpy(segs, s->segs, s->n_segs * sizeof(*segs));
	if (n_asns)
		memcpy(asns, s->asns, n_asns * sizeof(*asns));
	if (s->n_communities)
		memcpy(comm, s->communities, s->n_communities * sizeof(*comm));
	for (uint16_t i = 0; i < s->n_raw; i++) {
		raw[i] = s->raw[i];
		raw[i].value = val;
		if (s->raw[i].len)
			memcpy(val, s->raw[i].value, s->raw[i].len);
		val += s->raw[i].len;
	}
	a->segs = segs;
	a->asns = asns;
	a->communities = comm;
	a->raw = raw;
	return a;
}

struct rs_attrs *rs_attrs_new_seq(uint8_t origin, uint32_t next_hop,
				  const uint32_t *asns, uint16_t n_asns,
				  const uint32_t *communities,
				  uint16_t n_communities)
{
	/* Segments hold at most 255 ASNs: split long sequences. */
	struct rs_as_seg segs[(UINT16_MAX + 254) / 255];
	uint16_t n_segs = 0;
	for (uint32_t left = n_asns; left > 0;) {
		uint8_t len = left > 255 ? 255 : (uint8_t)left;
		segs[n_segs++] = (struct rs_as_seg){RS_AS_SEQUENCE, len};
		left -= len;
	}
	struct rs_attrs_spec s = {
		.origin = origin,
		.next_hop = next_hop,
		.n_segs = n_segs,
		.segs = segs,
		.asns = asns,
		.n_communities = n_communities,
		.communities = communities,
	};
	return rs_attrs_new(&s);
}

struct rs_attrs *rs_attrs_ref(struct rs_attrs *a)
{
	a->refcnt++;
	return a;
}

void rs_attrs_unref(struct rs_attrs *a)
{
	if (a != NULL && --a->refcnt == 0)
		free(a);
}

unsigned rs_attrs_path_length(const struct rs_attrs *a)
{
	unsigned n = 0;
	for (uint16_t i = 0; i < a->n_segs; i++) {
		if (a->segs[i].type == RS_AS_SEQUENCE)
			n += a->segs[i].len;
		else if (a->segs[i].type == RS_AS_SET)
			n += 1;
	}
	return n;
}

bool rs_attrs_has_asn(const struct rs_attrs *a, uint32_t asn)
{
	for (uint16_t i = 0; i < a->n_asns; i++)
		if (a->asns[i] == asn)
			return true;
	return false;
}

bool rs_attrs_has_community(const struct rs_attrs *a, uint32_t community)
{
	for (uint16_t i = 0; i < a->n_communities; i++)
		if (a->communities[i] == community)
			return true;
	return false;
}

bool rs_attrs_equal(const struct rs_attrs *a, const struct rs_attrs *b)
{
	if (a == b)
		return true;
	if (a == NULL || b == NULL)
		return false;
	if (a->origin != b->origin || a->has_med != b->has_med ||
	    a->has_local_pref != b->has_local_pref ||
	    a->atomic_aggregate != b->atomic_aggregate ||
	    (a->has_med && a->med != b->med) ||
	    (a->has_local_pref && a->local_pref != b->local_pref) ||
	    a->next_hop != b->next_hop || a->n_segs != b->n_segs ||
	    a->n_asns != b->n_asns || a->n_communities != b->n_communities ||
	    a->n_raw != b->n_raw)
		return false;
	if (memcmp(a->segs, b->segs, a->n_segs * sizeof(*a->segs)) != 0 ||
	    memcmp(a->asns, b->asns, a->n_asns * sizeof(*a->asns)) != 0 ||
	    memcmp(a->communities, b->communities,
		   a->n_communities * sizeof(*a->communities)) != 0)
		return false;
	for (uint16_t i = 0; i < a->n_raw; i++) {
		const struct rs_raw_attr *x = &a->raw[i], *y = &b->raw[i];
		if (x->flags != y->flags || x->type != y->type ||
		    x->len != y->len || memcmp(x->value, y->value, x->len) != 0)
			return false;
	}
	return true;
}

int rs_attrs_format_path(const struct rs_attrs *a, char *buf, size_t size)
{
	size_t n = 0;
	const uint32_t *asn = a->asns;
#define PUT(...)                                                              \
	do {                                                                  \
		int w_ = snprintf(buf + (n < size ? n : size),                \
				  n < size ? size - n : 0, __VA_ARGS__);      \
		n += (size_t)(w_ > 0 ? w_ : 0);                               \
	} while (0)
	if (size > 0)
		buf[0] = '\0';
	for (uint16_t i = 0; i < a->n_segs; i++) {
		const struct rs_as_seg *s = &a->segs[i];
		bool set = s->type == RS_AS_SET || s->type == RS_AS_CONFED_SET;
		bool confed = s->type == RS_AS_CONFED_SEQUENCE ||
			      s->type == RS_AS_CONFED_SET;
		if (i > 0)
			PUT("-");
		if (confed)
			PUT("(");
		if (set)
			PUT("{");
		for (uint8_t j = 0; j < s->len; j++)
			PUT(j == 0 ? "%u" : (set ? ",%u" : "-%u"), *asn++);
		if (set)
			PUT("}");
		if (confed)
			PUT(")");
	}
#undef PUT
	return (int)n;
}
