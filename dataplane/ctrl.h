/* The ring consumer of the data plane's control thread: drains the
 * channel, checks and applies each message to the shadow state, hands each
 * COMMIT's change list to a backend (DPDK tables now, eBPF maps later) and
 * acks the applied epoch. Knows nothing of how the backend looks up. */
#ifndef DP_CTRL_H
#define DP_CTRL_H

#include <stdint.h>

#include "rsemu/ring.h"
#include "shadow.h"

struct dp_backend {
	void *ctx;
	/* Build and publish the lookup structures for one COMMIT; the
	 * shadow holds the new state, ch what changed. Returns 0, or a
	 * negative errno when nothing was published (the commit is then
	 * not acked; the backend must catch up on its next call). */
	int (*commit)(void *ctx, const struct dp_shadow *sh,
		      const struct dp_changes *ch);
};

struct dp_ctrl_stats {
	uint64_t msgs;            /* messages handled */
	uint64_t rejected;        /* of which rejected (by reason: shadow) */
	uint64_t commits;         /* published and acked */
	uint64_t commit_failures; /* backend failures */
	uint64_t last_commit_ns;  /* backend time of the last COMMIT */
	uint64_t max_commit_ns;
};

struct dp_ctrl;

/* ring may be NULL (messages then come through dp_ctrl_handle only, e.g.
 * a Route Server core running inside the data plane). limits as for
 * dp_shadow_create. Returns 0 or a negative errno. */
int dp_ctrl_create(struct rsemu_ring *ring,
		   const struct dp_shadow_limits *limits,
		   const struct dp_backend *be, struct dp_ctrl **out);
void dp_ctrl_free(struct dp_ctrl *c);

/* One message: 0 applied, 1 a COMMIT published and acked, -EINVAL
 * rejected (counted, also in the ring's counters), or the backend's
 * negative errno for a COMMIT it could not publish. */
int dp_ctrl_handle(struct dp_ctrl *c, const struct rsemu_msg *m);
/* Drain up to budget messages from the ring; returns how many were
 * handled. */
unsigned dp_ctrl_poll(struct dp_ctrl *c, unsigned budget);

const struct dp_shadow *dp_ctrl_shadow(const struct dp_ctrl *c);
void dp_ctrl_get_stats(const struct dp_ctrl *c, struct dp_ctrl_stats *s);

#endif
