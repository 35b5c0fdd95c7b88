/* A prefix -> path attributes hash map: one per BGP session for what the
 * peer sent (Adj-RIB-In) and for what we sent it (Adj-RIB-Out). Open
 * addressing, so a look-up is one or two cache lines. Entries hold their
 * own references on the attributes. */
#ifndef RS_ADJ_RIB_H
#define RS_ADJ_RIB_H

#include <stddef.h>

#include "attrs.h"
#include "rsemu/types.h"

struct rs_adj_entry {
	struct rsemu_prefix prefix;
	bool used;
	struct rs_attrs *attrs;  /* the path (as received, or as sent) */
	struct rs_attrs *src;    /* Adj-RIB-Out: the RIB path it came from,
				    NULL for our own VNet spaces; unused in
				    an Adj-RIB-In */
};

struct rs_adj_rib {
	struct rs_adj_entry *v;
	size_t cap;              /* 0 or a power of two */
	size_t n;
};

/* A zeroed struct is an empty map. */
void rs_adj_rib_clear(struct rs_adj_rib *r);
struct rs_adj_entry *rs_adj_rib_get(const struct rs_adj_rib *r,
				    struct rsemu_prefix p);
/* Sets p's entry, taking new references on attrs and src (src may be
 * NULL). 0 or -ENOMEM (then r is unchanged). */
int rs_adj_rib_set(struct rs_adj_rib *r, struct rsemu_prefix p,
		   struct rs_attrs *attrs, struct rs_attrs *src);
/* Removes p; false when it was not there. */
bool rs_adj_rib_del(struct rs_adj_rib *r, struct rsemu_prefix p);

/* Walk: for (e = rs_adj_rib_first(r); e; e = rs_adj_rib_next(r, e)).
 * The map must not change during a walk. */
struct rs_adj_entry *rs_adj_rib_first(const struct rs_adj_rib *r);
struct rs_adj_entry *rs_adj_rib_next(const struct rs_adj_rib *r,
				     const struct rs_adj_entry *e);

#endif
