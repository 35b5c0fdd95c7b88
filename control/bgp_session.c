/* The BGP-4 FSM of bgp_session.h: RFC 4271 section 8 per connection slot,
 * collision detection (6.8) between the two slots, and the session-level
 * Idle / Connect / Active states around them. No sockets, no clock. */
#include <stdio.h>
#include <string.h>

#include "bgp_session.h"

#define NS_PER_MS 1000000ull

static void act(struct rs_fsm_out *out, uint8_t type, int slot)
{
	if (out->n < RS_FSM_MAX_ACTIONS)
		out->v[out->n++] = (struct rs_fsm_action){type, (uint8_t)slot};
}

void rs_fsm_out_reset(struct rs_fsm_out *out)
{
	out->n = 0;
	out->why[0][0] = out->why[1][0] = out->down[0] = '\0';
	out->hold_expired = false;
}

void rs_fsm_init(struct rs_fsm *f, const struct rs_fsm_cfg *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->idle = true;
	f->est = -1;
}

static bool slot_used(const struct rs_fsm *f, int slot)
{
	return f->c[slot].st != RS_FSM_IDLE;
}

/* Sends n (when given and the peer can read it) and closes the slot; a
 * slot that was Established takes the session down. */
static void conn_close(struct rs_fsm *f, int slot,
		       const struct rs_bgp_notify *n, const char *why,
		       struct rs_fsm_out *out)
{
	struct rs_fsm_conn *c = &f->c[slot];
	if (c->st == RS_FSM_IDLE)
		return;
	if (n != NULL && c->st >= RS_FSM_OPENSENT) {
		out->notify[slot] = *n;
		act(out, RS_ACT_SEND_NOTIFY, slot);
	}
	snprintf(out->why[slot], sizeof(out->why[slot]), "%s", why);
	act(out, RS_ACT_CLOSE, slot);
	if (f->est == slot) {
		f->est = -1;
		snprintf(out->down, sizeof(out->down), "%s", why);
		act(out, RS_ACT_DOWN, slot);
	}
	memset(c, 0, sizeof(*c));
}

/* The last connection gone: Active, the ConnectRetry timer decides when
 * we try again; the peer may connect meanwhile. */
static void after_close(struct rs_fsm *f, uint64_t now)
{
	if (f->idle || slot_used(f, RS_SLOT_OUT) || slot_used(f, RS_SLOT_IN))
		return;
	if (f->retry_at == 0)
		f->retry_at = now + f->cfg.connect_retry_ms * NS_PER_MS;
}

static void connect_out(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out)
{
	f->c[RS_SLOT_OUT].st = RS_FSM_CONNECT;
	f->retry_at = now + f->cfg.connect_retry_ms * NS_PER_MS;
	act(out, RS_ACT_CONNECT, RS_SLOT_OUT);
}

void rs_fsm_start(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out)
{
	if (!f->idle)
		return;
	f->idle = false;
	f->idle_until = 0;
	if (!slot_used(f, RS_SLOT_OUT) && !slot_used(f, RS_SLOT_IN))
		connect_out(f, now, out);
}

void rs_fsm_stop(struct rs_fsm *f, const struct rs_bgp_notify *n,
		 uint32_t restart_ms, const char *why, uint64_t now,
		 struct rs_fsm_out *out)
{
	/* The Established slot first, so its NOTIFICATION leads the log. */
	int first = f->est >= 0 ? f->est : RS_SLOT_OUT;
	conn_close(f, first, n, why, out);
	conn_close(f, 1 - first, n, why, out);
	f->idle = true;
	f->retry_at = 0;
	f->idle_until = restart_ms ? now + restart_ms * NS_PER_MS : 0;
}

/* Both sides' OPEN seen: Open Sent -> Open Confirm. */
static void open_sent_wait(struct rs_fsm *f, int slot, uint64_t now,
			   struct rs_fsm_out *out)
{
	struct rs_fsm_conn *c = &f->c[slot];
	c->st = RS_FSM_OPENSENT;
	c->hold_at = now + RS_FSM_OPEN_HOLD_S * 1000ull * NS_PER_MS;
	f->retry_at = 0;
	act(out, RS_ACT_SEND_OPEN, slot);
}

void rs_fsm_connected(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out)
{
	if (f->c[RS_SLOT_OUT].st != RS_FSM_CONNECT)
		return;
	open_sent_wait(f, RS_SLOT_OUT, now, out);
}

bool rs_fsm_accept(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out)
{
	if (f->idle || slot_used(f, RS_SLOT_IN))
		return false;
	/* Connect state, Event 17: the peer's connection replaces ours. */
	if (f->c[RS_SLOT_OUT].st == RS_FSM_CONNECT)
		conn_close(f, RS_SLOT_OUT, NULL,
			   "connect abandoned: the peer connected first", out);
	open_sent_wait(f, RS_SLOT_IN, now, out);
	return true;
}

void rs_fsm_closed(struct rs_fsm *f, int slot, const char *why, uint64_t now,
		   struct rs_fsm_out *out)
{
	conn_close(f, slot, NULL, why, out);
	after_close(f, now);
}

void rs_fsm_error(struct rs_fsm *f, int slot, const struct rs_bgp_notify *n,
		  const char *why, uint64_t now, struct rs_fsm_out *out)
{
	conn_close(f, slot, n, why, out);
	after_close(f, now);
}

/* Closes slot with NOTIFICATION code/subcode. */
static void fail(struct rs_fsm *f, int slot, uint8_t code, uint8_t subcode,
		 const char *why, uint64_t now, struct rs_fsm_out *out)
{
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, code, subcode);
	rs_fsm_error(f, slot, &n, why, now, out);
}

static void notification_received(struct rs_fsm *f, int slot,
				  const uint8_t *msg, size_t len, uint64_t now,
				  struct rs_fsm_out *out)
{
	struct rs_bgp_notify n;
	char text[128] = "malformed";
	if (rs_bgp_notification_parse(msg, len, &n) == 0)
		rs_bgp_notify_format(&n, text, sizeof(text));
	char why[160];
	snprintf(why, sizeof(why), "NOTIFICATION received: %s", text);
	rs_fsm_closed(f, slot, why, now, out);
}

int rs_fsm_collision_loser(uint32_t local_id, uint32_t remote_id)
{
	/* Local identifier lower: close the connection we initiated and keep
	 * the peer's; otherwise close the peer's. */
	return local_id < remote_id ? RS_SLOT_OUT : RS_SLOT_IN;
}

/* RFC 4271 6.8, on receipt of an OPEN on slot: a collision exists when
 * the other connection is in OpenConfirm (its OPEN seen) or Established.
 * Returns the slot that was closed, or -1. */
static int resolve_collision(struct rs_fsm *f, int slot, uint32_t remote_id,
			     struct rs_fsm_out *out)
{
	int other = 1 - slot, loser;
	if (f->c[other].st == RS_FSM_ESTABLISHED)
		loser = slot; /* the new connection never replaces it */
	else if (f->c[other].st == RS_FSM_OPENCONFIRM)
		loser = rs_fsm_collision_loser(f->cfg.local_id, remote_id);
	else
		return -1;
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_COLLISION);
	conn_close(f, loser, &n,
		   loser == RS_SLOT_OUT
			   ? "connection collision: closed the connection we opened"
			   : "connection collision: closed the connection the peer opened",
		   out);
	return loser;
}

/* Negotiated hold time = min(ours, theirs); the keepalive interval is the
 * configured one scaled to it (hold/3 when none is configured). */
static void negotiate(const struct rs_fsm_cfg *cfg, struct rs_fsm_conn *c,
		      uint16_t their_hold)
{
	uint32_t hold = cfg->hold_s < their_hold ? cfg->hold_s : their_hold;
	c->hold_ms = hold * 1000u;
	if (hold == 0)
		c->keepalive_ms = 0;
	else if (cfg->keepalive_s == 0)
		c->keepalive_ms = c->hold_ms / 3;
	else
		c->keepalive_ms = (uint32_t)((uint64_t)cfg->keepalive_s * hold *
					     1000u / cfg->hold_s);
	if (hold != 0 && c->keepalive_ms == 0)
		c->keepalive_ms = 1;
}

static void open_received(struct rs_fsm *f, int slot, const uint8_t *msg,
			  size_t len, uint64_t now, struct rs_fsm_out *out)
{
	struct rs_bgp_open o;
	struct rs_bgp_notify n;
	char why[160];
	memset(&o, 0, sizeof(o));
	if (rs_bgp_open_parse(msg, len, &o, &n) < 0 ||
	    rs_bgp_open_check_peer_as(&o, f->cfg.peer_as, &n) < 0) {
		char text[128];
		rs_bgp_notify_format(&n, text, sizeof(text));
		snprintf(why, sizeof(why), "bad OPEN (AS %u): %s",
			 rs_bgp_open_asn(&o), text);
		rs_fsm_error(f, slot, &n, why, now, out);
		return;
	}
	/* RFC 6286 2.1: an identifier equal to ours is refused (iBGP; on eBGP
	 * the collision procedure could not tell the connections apart). */
	if (o.bgp_id == f->cfg.local_id) {
		fail(f, slot, RS_BGP_ERR_OPEN, RS_BGP_OPEN_BAD_BGP_ID,
		     "bad OPEN: the peer's BGP identifier is ours", now, out);
		return;
	}
	if (resolve_collision(f, slot, o.bgp_id, out) == slot) {
		after_close(f, now);
		return;
	}
	struct rs_fsm_conn *c = &f->c[slot];
	c->open = o;
	negotiate(&f->cfg, c, o.hold_time);
	c->st = RS_FSM_OPENCONFIRM;
	c->hold_at = c->hold_ms ? now + c->hold_ms * NS_PER_MS : 0;
	c->keepalive_at = c->keepalive_ms ? now + c->keepalive_ms * NS_PER_MS : 0;
	act(out, RS_ACT_SEND_KEEPALIVE, slot);
}

static void restart_hold(struct rs_fsm_conn *c, uint64_t now)
{
	if (c->hold_ms)
		c->hold_at = now + c->hold_ms * NS_PER_MS;
}

void rs_fsm_message(struct rs_fsm *f, int slot, uint8_t type,
		    const uint8_t *msg, size_t len, uint64_t now,
		    struct rs_fsm_out *out)
{
	struct rs_fsm_conn *c = &f->c[slot];
	if (type == RS_BGP_NOTIFICATION) {
		notification_received(f, slot, msg, len, now, out);
		return;
	}
	switch (c->st) {
	case RS_FSM_OPENSENT:
		if (type == RS_BGP_OPEN)
			open_received(f, slot, msg, len, now, out);
		else
			fail(f, slot, RS_BGP_ERR_FSM, RS_BGP_FSM_IN_OPENSENT,
			     "FSM error: unexpected message in OpenSent", now,
			     out);
		break;
	case RS_FSM_OPENCONFIRM:
		if (type != RS_BGP_KEEPALIVE) {
			fail(f, slot, RS_BGP_ERR_FSM, RS_BGP_FSM_IN_OPENCONFIRM,
			     "FSM error: unexpected message in OpenConfirm",
			     now, out);
			break;
		}
		c->st = RS_FSM_ESTABLISHED;
		f->est = slot;
		restart_hold(c, now);
		act(out, RS_ACT_ESTABLISHED, slot);
		break;
	case RS_FSM_ESTABLISHED:
		if (type == RS_BGP_OPEN) {
			fail(f, slot, RS_BGP_ERR_FSM, RS_BGP_FSM_IN_ESTABLISHED,
			     "FSM error: OPEN in Established", now, out);
			break;
		}
		restart_hold(c, now);
		if (type == RS_BGP_UPDATE || type == RS_BGP_ROUTE_REFRESH)
			act(out, RS_ACT_DELIVER, slot);
		break;
	default:
		break; /* no connection there: a stale event */
	}
}

static void conn_timers(struct rs_fsm *f, int slot, uint64_t now,
			struct rs_fsm_out *out)
{
	struct rs_fsm_conn *c = &f->c[slot];
	if (c->hold_at && now >= c->hold_at) {
		bool was_est = f->est == slot;
		fail(f, slot, RS_BGP_ERR_HOLD_TIMER, 0,
		     "hold timer expired (no message from the peer in time)",
		     now, out);
		out->hold_expired |= was_est;
		return;
	}
	if (c->keepalive_at && now >= c->keepalive_at) {
		act(out, RS_ACT_SEND_KEEPALIVE, slot);
		c->keepalive_at = now + c->keepalive_ms * NS_PER_MS;
	}
}

void rs_fsm_timers(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out)
{
	if (f->idle) {
		if (f->idle_until && now >= f->idle_until)
			rs_fsm_start(f, now, out);
		return;
	}
	conn_timers(f, RS_SLOT_OUT, now, out);
	conn_timers(f, RS_SLOT_IN, now, out);
	if (f->retry_at && now >= f->retry_at) {
		/* Connect: the attempt took too long, start another; Active:
		 * try again. */
		if (f->c[RS_SLOT_OUT].st == RS_FSM_CONNECT)
			conn_close(f, RS_SLOT_OUT, NULL, "connect timed out",
				   out);
		if (!slot_used(f, RS_SLOT_IN))
			connect_out(f, now, out);
		else
			f->retry_at = 0;
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

uint64_t rs_fsm_next_timer(const struct rs_fsm *f)
{
	if (f->idle)
		return f->idle_until;
	uint64_t t = f->retry_at;
	for (int s = 0; s < 2; s++) {
		t = earliest(t, f->c[s].hold_at);
		t = earliest(t, f->c[s].keepalive_at);
	}
	return t;
}

enum rs_fsm_state rs_fsm_state(const struct rs_fsm *f)
{
	if (f->idle)
		return RS_FSM_IDLE;
	uint8_t m = f->c[0].st > f->c[1].st ? f->c[0].st : f->c[1].st;
	return m == RS_FSM_IDLE ? RS_FSM_ACTIVE : (enum rs_fsm_state)m;
}

const char *rs_fsm_state_name(enum rs_fsm_state s)
{
	static const char *const names[] = {
		[RS_FSM_IDLE] = "Idle",
		[RS_FSM_CONNECT] = "Connect",
		[RS_FSM_ACTIVE] = "Active",
		[RS_FSM_OPENSENT] = "OpenSent",
		[RS_FSM_OPENCONFIRM] = "OpenConfirm",
		[RS_FSM_ESTABLISHED] = "Established",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
