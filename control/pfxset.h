/* A set of IPv4 prefixes answering "does any member contain p?" in a few
 * binary searches (one per distinct member length). Used for the Route
 * Server's domain (C5) and for the VNet routes that beat BGP (D5.3). */
#ifndef RS_PFXSET_H
#define RS_PFXSET_H

#include "rsemu/types.h"

struct rs_pfxset {
	struct rsemu_prefix *v;
	size_t n, cap;
	uint8_t lens[33];    /* distinct lengths, after rs_pfxset_seal */
	size_t n_lens;
};

int rs_pfxset_add(struct rs_pfxset *s, struct rsemu_prefix p);
/* Sort and index; call after the last add, before covers. */
void rs_pfxset_seal(struct rs_pfxset *s);
/* True when some member is equal to p or contains it. */
bool rs_pfxset_covers(const struct rs_pfxset *s, struct rsemu_prefix p);
void rs_pfxset_free(struct rs_pfxset *s);

#endif
