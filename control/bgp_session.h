/* The BGP-4 finite state machine of one session (RFC 4271 8): one peer as
 * seen from one Route Server instance. Pure logic: events in, actions out,
 * timers kept as deadlines on a clock the caller passes in (ns). The socket
 * layer (rsd_session.c, rsd_net.c) performs the actions.
 *
 * A session has two connection slots, the connection we open (OUT) and the
 * one the peer opens (IN), so that connection collisions (RFC 4271 6.8) are
 * resolved here, where they can be unit-tested. */
#ifndef RS_BGP_SESSION_H
#define RS_BGP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp_msg.h"

enum rs_fsm_state {
	RS_FSM_IDLE = 0,
	RS_FSM_CONNECT,
	RS_FSM_ACTIVE,
	RS_FSM_OPENSENT,
	RS_FSM_OPENCONFIRM,
	RS_FSM_ESTABLISHED,
};

enum rs_fsm_slot { RS_SLOT_OUT = 0, RS_SLOT_IN = 1 };

/* The hold timer while waiting for the peer's OPEN: RFC 4271 8.2.2 asks for
 * "a large value", suggesting 4 minutes. */
#define RS_FSM_OPEN_HOLD_S 240u

/* FSM Error subcodes (RFC 6608). */
#define RS_BGP_FSM_IN_OPENSENT 1
#define RS_BGP_FSM_IN_OPENCONFIRM 2
#define RS_BGP_FSM_IN_ESTABLISHED 3

struct rs_fsm_cfg {
	uint32_t local_as;       /* 65515 */
	uint32_t local_id;       /* BGP identifier: the instance's IP */
	uint32_t peer_as;        /* what the peer's OPEN must say */
	uint16_t hold_s;         /* our proposal: 0 or >= 3 */
	uint16_t keepalive_s;    /* configured; scaled to the negotiated hold */
	uint32_t connect_retry_ms;
};

/* One TCP connection of the session. */
struct rs_fsm_conn {
	uint8_t st;              /* IDLE: slot unused; CONNECT (OUT only),
				    OPENSENT, OPENCONFIRM or ESTABLISHED */
	uint32_t hold_ms;        /* negotiated (0: no hold timer) */
	uint32_t keepalive_ms;
	uint64_t hold_at;        /* deadlines, 0 = not running */
	uint64_t keepalive_at;
	struct rs_bgp_open open; /* the peer's, from OPENCONFIRM on */
};

struct rs_fsm {
	struct rs_fsm_cfg cfg;
	bool idle;               /* stopped: connections are refused */
	uint64_t idle_until;     /* automatic restart then; 0 = never */
	uint64_t retry_at;       /* ConnectRetry timer; 0 = not running */
	int est;                 /* slot of the Established connection, -1 */
	struct rs_fsm_conn c[2];
};

enum rs_fsm_act {
	RS_ACT_CONNECT = 1,      /* open the OUT connection */
	RS_ACT_SEND_OPEN,        /* slot */
	RS_ACT_SEND_KEEPALIVE,   /* slot */
	RS_ACT_SEND_NOTIFY,      /* slot: out->notify[slot] */
	RS_ACT_CLOSE,            /* slot: close the socket (out->why[slot]) */
	RS_ACT_ESTABLISHED,      /* slot: the session is up */
	RS_ACT_DOWN,             /* the session left Established (out->down) */
	RS_ACT_DELIVER,          /* slot: hand the UPDATE / ROUTE-REFRESH up */
};

#define RS_FSM_MAX_ACTIONS 16

struct rs_fsm_action {
	uint8_t type;            /* enum rs_fsm_act */
	uint8_t slot;
};

/* What one event asks the caller to do, in order. */
struct rs_fsm_out {
	unsigned n;
	struct rs_fsm_action v[RS_FSM_MAX_ACTIONS];
	struct rs_bgp_notify notify[2]; /* per slot, for SEND_NOTIFY */
	char why[2][160];        /* per slot: why it was closed */
	char down[160];          /* why the session left Established */
	bool hold_expired;       /* DOWN was caused by the hold timer */
};

/* Starts Idle and stopped; rs_fsm_start starts it. */
void rs_fsm_init(struct rs_fsm *f, const struct rs_fsm_cfg *cfg);
void rs_fsm_out_reset(struct rs_fsm_out *out);

/* ManualStart / AutomaticStart: from Idle, connect now (Connect). */
void rs_fsm_start(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out);
/* Stops the session: n (may be NULL) is sent on every connection that
 * reached OpenSent, all are closed, and the session stays Idle (refusing
 * connections) until restart_ms have passed (0: until rs_fsm_start). */
void rs_fsm_stop(struct rs_fsm *f, const struct rs_bgp_notify *n,
		 uint32_t restart_ms, const char *why, uint64_t now,
		 struct rs_fsm_out *out);

/* TCP events. accept returns false when the connection is refused (the
 * caller closes it), true when it became slot IN. */
void rs_fsm_connected(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out);
bool rs_fsm_accept(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out);
void rs_fsm_closed(struct rs_fsm *f, int slot, const char *why, uint64_t now,
		   struct rs_fsm_out *out);

/* A framed message (rs_bgp_frame) received on a slot. */
void rs_fsm_message(struct rs_fsm *f, int slot, uint8_t type,
		    const uint8_t *msg, size_t len, uint64_t now,
		    struct rs_fsm_out *out);
/* A protocol error found above the FSM (framing, UPDATE, max-prefix):
 * send n on the slot and close it. */
void rs_fsm_error(struct rs_fsm *f, int slot, const struct rs_bgp_notify *n,
		  const char *why, uint64_t now, struct rs_fsm_out *out);

/* Fires every timer due at now. */
void rs_fsm_timers(struct rs_fsm *f, uint64_t now, struct rs_fsm_out *out);
/* The earliest deadline, 0 when no timer runs. */
uint64_t rs_fsm_next_timer(const struct rs_fsm *f);

/* The session's state: Idle when stopped, else the most advanced
 * connection's state, Active when no connection exists. */
enum rs_fsm_state rs_fsm_state(const struct rs_fsm *f);
const char *rs_fsm_state_name(enum rs_fsm_state s);

/* RFC 4271 6.8: which connection a collision closes. The one initiated by
 * the speaker with the higher BGP identifier survives. */
int rs_fsm_collision_loser(uint32_t local_id, uint32_t remote_id);

#endif
