/* rsemu-rsd, the live Route Server: one BGP session per configured peer per
 * Route Server instance, one RIB for the whole Route Server, an epoll loop.
 *
 *   rsd.c          set-up, the event loop, timers, signals, shutdown
 *   rsd_session.c  one session: sockets <-> FSM (bgp_session.c), messages
 *   rsd_rib.c      what sessions do to the RIB, the change stream and the
 *                  advertisements that follow (adj_out.c)
 *   rsd_ctl.c      the control socket (ctl_proto.h)
 *   rsd_net.c      socket helpers
 *
 * Which routes of a peer the RIB holds: Azure peers every NVA with both
 * instances and both hold the same routes (A1). rsemu keeps an Adj-RIB-In per
 * session and lets ONE of the peer's two sessions feed the RIB: the one that
 * has been Established the longest (the first to come up). While it stays up
 * the other session only fills its own Adj-RIB-In. When the feeding session
 * goes down and the other is Established, the RIB switches to the other's
 * routes (only the differences are re-decided, so a peer that sends the
 * same routes on both sessions changes nothing); when both are down the
 * peer's routes are withdrawn (B4). Each session enforces max_prefixes on
 * its own Adj-RIB-In with the RIB's count (A6). */
#ifndef RS_RSD_H
#define RS_RSD_H

#include <stdbool.h>
#include <stdint.h>

#include "adj_out.h"
#include "adj_rib.h"
#include "bgp_session.h"
#include "publish.h"
#include "rib.h"
#include "rsd_net.h"

/* Defaults, all overridable through struct rsd_config. */
#define RSD_CONNECT_RETRY_MS 5000u        /* ConnectRetryTime (lab-friendly) */
#define RSD_MAX_PREFIX_BACKOFF_MS 30000u  /* Idle after a max-prefix Cease */
#define RSD_TX_LIMIT (64u << 20)          /* pending output per connection */
#define RSD_RX_SIZE 65536u
#define RSD_SHUTDOWN_DRAIN_MS 500

/* What an epoll event belongs to. */
enum rsd_ev_kind {
	RSD_EV_LISTEN = 1,       /* BGP listener of an instance */
	RSD_EV_CONN,             /* a session's connection */
	RSD_EV_TIMER,
	RSD_EV_SIGNAL,
	RSD_EV_CTL_LISTEN,
	RSD_EV_CTL_CLIENT,
};

struct rsd_tag {
	uint8_t kind;            /* enum rsd_ev_kind */
	uint8_t index;           /* instance (LISTEN) or slot (CONN) */
	void *ptr;               /* session, control client */
};

struct rsd_conn {
	int fd;                  /* -1: none */
	bool connecting;         /* connect() in progress (slot OUT) */
	bool want_out;           /* EPOLLOUT requested */
	uint32_t gen;            /* bumped on every close */
	size_t rx_len;
	uint8_t rx[RSD_RX_SIZE];
	struct rsd_buf tx;
	struct rsd_tag tag;
};

struct rsd;

struct rsd_session {
	struct rsd *d;
	int peer, inst;
	const struct rsemu_peer *p;
	uint32_t local_ip;
	struct rs_fsm fsm;
	struct rsd_conn conn[2];     /* RS_SLOT_OUT, RS_SLOT_IN */
	struct rs_adj_rib in;        /* Adj-RIB-In of this session */
	uint32_t in_accepted;        /* entries without 65515 (B1) */
	struct rs_adj_out out;       /* Adj-RIB-Out */
	struct rs_bgp_update_opts opts;
	bool ipv4;                   /* the peer takes IPv4 unicast */
	bool peer_rr;                /* it speaks ROUTE-REFRESH */
	bool eor_received;
	bool reset_pending;          /* output overflowed: reset after the event */
	uint64_t up_since;           /* CLOCK_MONOTONIC ns; 0 = not Established */
	uint64_t down_since;
	uint64_t established;        /* times it came up */
	uint64_t msgs_in, msgs_out, updates_in, updates_out;
	uint64_t max_prefix_hits;
	char last_error[512];
	char last_notify[288];       /* the last NOTIFICATION sent/received */
	uint64_t last_notify_at;     /* ... at this event time */
};

struct rsd_config {
	const char *control_path;
	uint32_t connect_retry_ms;
	uint32_t max_prefix_backoff_ms;
};

struct rsd_ctl;

struct rsd {
	const struct rsemu_topology *t;
	struct rsd_config cfg;
	struct rs_rib *rib;
	struct rs_changes chg;           /* changes of the event in progress */
	struct rs_publisher pub;
	struct rs_publish_stats pub_stats;
	struct rs_bgp_update *upd;       /* one parse buffer (about 68 KiB) */
	struct rsd_session *s[RSEMU_MAX_PEERS][2];
	int src[RSEMU_MAX_PEERS];        /* instance feeding the RIB, -1 none */
	struct rsemu_prefix *spaces;     /* VNet spaces of the domain, sorted */
	size_t n_spaces;
	int epfd, tfd, sfd;
	int listen_fd[2];
	struct rsd_tag listen_tag[2], timer_tag, signal_tag;
	struct rsd_ctl *ctl;
	bool stopping;
	uint64_t started;                /* CLOCK_MONOTONIC ns */
};

/* --- rsd.c ---------------------------------------------------------------- */

/* Sets everything up (sockets bound, control socket open); messages go
 * to the log. NULL on failure. t must outlive the daemon. */
struct rsd *rsd_new(const struct rsemu_topology *t, const struct rsd_config *cfg);
/* Runs until SIGINT/SIGTERM; returns 0 after a clean shutdown (Cease/2 to
 * every peer), 1 on a fatal error. */
int rsd_run(struct rsd *d);
void rsd_free(struct rsd *d);
/* Replaces the default counting publisher (publish.h), e.g. with the
 * data-plane ring's; call before rsd_run. The daemon calls p.close at
 * rsd_free. */
void rsd_set_publisher(struct rsd *d, struct rs_publisher p);
uint64_t rsd_now(void);          /* CLOCK_MONOTONIC, ns */
int rsd_watch(struct rsd *d, int fd, struct rsd_tag *tag, uint32_t events);
void rsd_unwatch(struct rsd *d, int fd);
/* The peer with this name or IP, or -1. */
int rsd_find_peer(const struct rsd *d, const char *name_or_ip);

/* --- rsd_session.c ---------------------------------------------------------- */

struct rsd_session *rsd_session_new(struct rsd *d, int peer, int inst);
void rsd_session_free(struct rsd_session *s);
void rsd_session_start(struct rsd_session *s, uint64_t now);
/* An incoming connection for this session (fd is taken over). */
void rsd_session_accept(struct rsd_session *s, int fd, uint64_t now);
void rsd_session_io(struct rsd_session *s, int slot, uint32_t events);
void rsd_session_timers(struct rsd_session *s, uint64_t now);
/* Stop with a NOTIFICATION (Cease/2 at shutdown); restart after ms (0 =
 * never). */
void rsd_session_stop(struct rsd_session *s, uint8_t code, uint8_t subcode,
		      uint32_t restart_ms, const char *why, uint64_t now);
/* Queues a message on the Established connection. 0 or a negative errno. */
int rsd_session_send(struct rsd_session *s, const uint8_t *msg, size_t len);
/* Writes pending output; arms EPOLLOUT when the socket is full. */
void rsd_session_flush(struct rsd_session *s);
/* Resets a session whose output overflowed (see reset_pending). */
void rsd_session_reap(struct rsd_session *s, uint64_t now);
bool rsd_session_up(const struct rsd_session *s);

/* --- rsd_rib.c ---------------------------------------------------------------- */

/* An UPDATE received on an Established session. 0; -EPROTO with *n to send
 * (RFC 7606 session reset); -E2BIG (max-prefix: the caller stops the
 * session with n, the Cease/1 to send); -ENOMEM with n = Cease/8. */
int rsd_rib_update(struct rsd_session *s, const uint8_t *msg, size_t len,
		   uint64_t now, struct rs_bgp_notify *n);
/* The session came up / went down: which session feeds the RIB. */
void rsd_rib_session_up(struct rsd_session *s);
void rsd_rib_session_down(struct rsd_session *s, uint64_t now);
/* Publishes the changes of the event at `now` and advertises them to
 * every Established session. */
void rsd_commit(struct rsd *d, uint64_t now);
/* Sends an Established session its whole Adj-RIB-Out, then End-of-RIB. */
void rsd_advertise_initial(struct rsd_session *s);
/* Answers a ROUTE-REFRESH. */
void rsd_advertise_again(struct rsd_session *s);

/* --- rsd_ctl.c ------------------------------------------------------------------ */

int rsd_ctl_open(struct rsd *d, const char *path);
void rsd_ctl_close(struct rsd *d);
void rsd_ctl_event(struct rsd *d, struct rsd_tag *tag, uint32_t events);

#endif
