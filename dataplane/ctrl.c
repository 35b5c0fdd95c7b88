/* The ring consumer (see ctrl.h): ring -> check -> shadow -> backend ->
 * ack. Runs on the data plane's control thread, never on a worker. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl.h"

#define DP_CTRL_BURST 64u

struct dp_ctrl {
	struct rsemu_ring *ring;
	struct dp_shadow *sh;
	struct dp_backend be;
	struct dp_ctrl_stats st;
};

int dp_ctrl_create(struct rsemu_ring *ring,
		   const struct dp_shadow_limits *limits,
		   const struct dp_backend *be, struct dp_ctrl **out)
{
	struct dp_ctrl *c;
	int rc;

	if (!be || !be->commit || !out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rc = dp_shadow_create(limits, &c->sh);
	if (rc < 0) {
		free(c);
		return rc;
	}
	c->ring = ring;
	c->be = *be;
	*out = c;
	return 0;
}

void dp_ctrl_free(struct dp_ctrl *c)
{
	if (!c)
		return;
	dp_shadow_free(c->sh);
	free(c);
}

int dp_ctrl_handle(struct dp_ctrl *c, const struct rsemu_msg *m)
{
	enum rsemu_reject why;
	const struct dp_changes *ch;
	uint64_t t0, dt;
	int rc;

	c->st.msgs++;
	rc = dp_shadow_apply(c->sh, m, &why);
	if (rc < 0) {
		c->st.rejected++;
		if (c->ring)
			rsemu_ring_count_reject(c->ring, why);
		return rc;
	}
	if (rc == 0)
		return 0;

	ch = dp_shadow_changes(c->sh);
	t0 = rsemu_now_ns();
	rc = c->be.commit(c->be.ctx, c->sh, ch);
	dt = rsemu_now_ns() - t0;
	if (rc < 0) {
		/* The backend keeps what it missed; the shadow moves on. */
		c->st.commit_failures++;
		if (c->ring)
			rsemu_ring_count_commit_failure(c->ring);
		dp_shadow_changes_done(c->sh);
		return rc;
	}
	c->st.commits++;
	c->st.last_commit_ns = dt;
	if (dt > c->st.max_commit_ns)
		c->st.max_commit_ns = dt;
	if (c->ring)
		rsemu_ring_ack(c->ring, ch->epoch, ch->event_ns);
	dp_shadow_changes_done(c->sh);
	return 1;
}

unsigned dp_ctrl_poll(struct dp_ctrl *c, unsigned budget)
{
	struct rsemu_msg msgs[DP_CTRL_BURST];
	unsigned done = 0;

	if (!c->ring)
		return 0;
	while (done < budget) {
		unsigned want = budget - done < DP_CTRL_BURST ? budget - done
							      : DP_CTRL_BURST;
		unsigned k = rsemu_ring_consume(c->ring, msgs, want);

		for (unsigned i = 0; i < k; i++)
			dp_ctrl_handle(c, &msgs[i]);
		done += k;
		if (k < want)
			break;
	}
	rsemu_ring_heartbeat(c->ring);
	return done;
}

const struct dp_shadow *dp_ctrl_shadow(const struct dp_ctrl *c)
{
	return c->sh;
}

void dp_ctrl_get_stats(const struct dp_ctrl *c, struct dp_ctrl_stats *s)
{
	*s = c->st;
}
