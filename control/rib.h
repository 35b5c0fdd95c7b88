/* The Route Server's decision core: Adj-RIB-In per peer, Azure's path
 * selection (AZURE-SEMANTICS.md B), the advertisement rules (C), and the
 * change log the data plane consumes. Pure functions over plain data: no
 * sockets, no clocks, no globals. The live daemon, `rsemu routes` and the
 * tests all drive it through this interface. */
#ifndef RS_RIB_H
#define RS_RIB_H

#include "attrs.h"
#include "rsemu/topology.h"

struct rs_rib;

/* One prefix as the Route Server knows it: every peer's path for it and the
 * outcome of the decision. Owned by the RIB; valid until the next update. */
struct rs_dest {
	struct rsemu_prefix prefix;
	struct rs_attrs *path[RSEMU_MAX_PEERS]; /* Adj-RIB-In, NULL = none */
	uint8_t present;    /* peers with a path (bit i = peer i) */
	uint8_t best;       /* the ECMP set chosen by rs_decide(); 0 = none */
	bool filtered;      /* equal to/inside a VNet space of the RS domain (C5) */
};

/* A change of the Loc-RIB as the VM hosts see it: the prefix's next-hop
 * set. Only routes that are programmed (not filtered by C5) appear. */
enum rs_change_op { RS_CHANGE_SET = 1, RS_CHANGE_DEL = 2 };

struct rs_change {
	struct rsemu_prefix prefix;
	uint8_t op;         /* enum rs_change_op */
	uint8_t peers;      /* new ECMP set (peer bits); 0 for DEL */
	uint8_t n_nh;       /* distinct next hops, ascending */
	uint32_t nh[RSEMU_MAX_PEERS];
	bool nh_changed;    /* false: same next hops, other attributes changed */
};

struct rs_changes {
	struct rs_change *v;
	size_t n, cap;
};

void rs_changes_clear(struct rs_changes *c);
void rs_changes_free(struct rs_changes *c);

/* Per-peer state and counters. */
struct rs_peer_state {
	bool up;             /* accepting routes; false after max-prefix or down */
	bool over_limit;     /* the last session ended on max-prefix */
	uint32_t routes;     /* paths in Adj-RIB-In */
	uint64_t received;   /* NLRI received */
	uint64_t rejected_loop; /* dropped: 65515 in the AS path (B1) */
};

/* The RIB reads the topology (peers, VNets, preference) and keeps a
 * pointer to it; the topology must outlive the RIB. Every peer starts up. */
struct rs_rib *rs_rib_new(const struct rsemu_topology *t);
void rs_rib_free(struct rs_rib *rib);
const struct rsemu_topology *rs_rib_topology(const struct rs_rib *rib);

/* One UPDATE from a peer: withdrawals first, then the NLRI with attrs
 * (attrs may be NULL only when n_nlri is 0, else -EINVAL; the RIB takes
 * its own references).
 * Every prefix touched is re-decided; changes are appended to chg (which
 * may be NULL). Returns 0; -ENOTCONN if the peer is down; -E2BIG when the
 * peer goes over max_prefixes (its current routes plus the new prefixes of
 * this update, A6): then all its routes are withdrawn, the peer is marked
 * down and over_limit, and the caller ends the session (Cease/1). -ENOMEM
 * leaves the RIB consistent but the update partly applied. */
int rs_rib_update(struct rs_rib *rib, int peer,
		  const struct rsemu_prefix *withdrawn, size_t n_withdrawn,
		  const struct rsemu_prefix *nlri, size_t n_nlri,
		  struct rs_attrs *attrs, struct rs_changes *chg);

/* The session went down (B4): withdraw all the peer's routes, re-decide
 * each affected prefix, and stop accepting routes until rs_rib_peer_up. */
int rs_rib_peer_down(struct rs_rib *rib, int peer, struct rs_changes *chg);
void rs_rib_peer_up(struct rs_rib *rib, int peer);
const struct rs_peer_state *rs_rib_peer_state(const struct rs_rib *rib,
					      int peer);

/* Offline mode: feed every peer's `announce:` list as one UPDATE. Returns
 * 0 or -ENOMEM; a peer over its limit just ends up down (see its state). */
int rs_rib_load_announcements(struct rs_rib *rib, struct rs_changes *chg);

/* Look-up and ordered walk (ascending prefix). */
const struct rs_dest *rs_rib_find(const struct rs_rib *rib,
				  struct rsemu_prefix p);
size_t rs_rib_count(const struct rs_rib *rib);
/* Fills out[] with all dests in prefix order; returns the count (out must
 * hold rs_rib_count() entries). */
size_t rs_rib_dests(const struct rs_rib *rib, const struct rs_dest **out);

/* The decision for one prefix (B2), given every peer's path. Exposed for
 * tests; the RIB keeps dest->best up to date itself. */
uint8_t rs_decide(const struct rsemu_topology *t, const struct rs_dest *d);

/* The distinct next hops of d's ECMP set, ascending; returns the count. */
uint8_t rs_dest_next_hops(const struct rs_dest *d,
			  uint32_t nh[RSEMU_MAX_PEERS]);

/* What the Route Server advertises to `to` for d (C2-C5): the peer whose
 * path is passed on, or -1 for nothing. */
int rs_rib_adv_source(const struct rs_rib *rib, const struct rs_dest *d,
		      int to);

/* True when the peer is a gateway stand-in (iBGP, AS 65515). */
bool rs_peer_is_gateway(const struct rsemu_peer *p);

#endif
