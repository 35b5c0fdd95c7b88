/* One BGP session of rsemu-rsd (a peer seen from one instance): performs
 * what the FSM of bgp_session.c asks (connect, send, close), feeds it the
 * socket's events and messages, and hands UPDATEs to rsd_rib.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rsd.h"
#include "rsd_log.h"

#define SLOG(s, l, ...)                                                      \
	rs_log_session(l, (s)->inst, (s)->local_ip, (s)->p->name, (s)->p->ip, \
		       __VA_ARGS__)

static void run(struct rsd_session *s, struct rs_fsm_out *out, uint64_t now,
		uint8_t type, const uint8_t *msg, size_t len);

static const char *slot_name(int slot)
{
	return slot == RS_SLOT_OUT ? "ours" : "the peer's";
}

/* --- set-up ----------------------------------------------------------------- */

struct rsd_session *rsd_session_new(struct rsd *d, int peer, int inst)
{
	struct rsd_session *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	const struct rsemu_route_server *rs = &d->t->rs;
	s->d = d;
	s->peer = peer;
	s->inst = inst;
	s->p = &rs->peers[peer];
	s->local_ip = rs->instances[inst];
	struct rs_fsm_cfg cfg = {
		.local_as = rs->asn,
		.local_id = s->local_ip,
		.peer_as = s->p->asn,
		.hold_s = rs->hold,
		.keepalive_s = rs->keepalive,
		.connect_retry_ms = d->cfg.connect_retry_ms,
	};
	rs_fsm_init(&s->fsm, &cfg);
	for (int slot = 0; slot < 2; slot++) {
		s->conn[slot].fd = -1;
		s->conn[slot].tx.framed = true;
		s->conn[slot].tag = (struct rsd_tag){RSD_EV_CONN, (uint8_t)slot, s};
	}
	s->opts.ibgp = rs_peer_is_gateway(s->p);
	struct rs_adv_target tgt = {
		.rib = d->rib,
		.peer = peer,
		.local_ip = s->local_ip,
		.ibgp = s->opts.ibgp,
		.spaces = d->spaces,
		.n_spaces = d->n_spaces,
	};
	if (rs_adj_out_init(&s->out, &tgt) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void conn_close(struct rsd_session *s, int slot)
{
	struct rsd_conn *c = &s->conn[slot];
	if (c->fd < 0)
		return;
	if (!c->connecting && rsd_buf_pending(&c->tx) > 0)
		rsd_buf_drain(&c->tx, c->fd,
			      s->d->stopping ? RSD_SHUTDOWN_DRAIN_MS : 100);
	rsd_unwatch(s->d, c->fd);
	close(c->fd);
	c->fd = -1;
	c->connecting = c->want_out = false;
	c->rx_len = 0;
	c->gen++;
	rsd_buf_free(&c->tx);
}

void rsd_session_free(struct rsd_session *s)
{
	if (s == NULL)
		return;
	conn_close(s, RS_SLOT_OUT);
	conn_close(s, RS_SLOT_IN);
	rs_adj_rib_clear(&s->in);
	rs_adj_out_free(&s->out);
	free(s);
}

static void conn_attach(struct rsd_session *s, int slot, int fd,
			bool connecting)
{
	struct rsd_conn *c = &s->conn[slot];
	c->fd = fd;
	c->connecting = c->want_out = connecting;
	c->rx_len = 0;
	if (rsd_watch(s->d, fd, &c->tag,
		      EPOLLIN | (connecting ? EPOLLOUT : 0)) < 0)
		SLOG(s, RS_LOG_ERROR, "epoll: %s", strerror(errno));
}

bool rsd_session_up(const struct rsd_session *s)
{
	return s->up_since != 0;
}

/* --- FSM events ------------------------------------------------------------ */

static void ev_closed(struct rsd_session *s, int slot, const char *why,
		      uint64_t now)
{
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_closed(&s->fsm, slot, why, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

static void ev_error(struct rsd_session *s, int slot,
		     const struct rs_bgp_notify *n, const char *why,
		     uint64_t now)
{
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_error(&s->fsm, slot, n, why, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

static void stop_with(struct rsd_session *s, const struct rs_bgp_notify *n,
		      uint32_t restart_ms, const char *why, uint64_t now)
{
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_stop(&s->fsm, n, restart_ms, why, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

void rsd_session_stop(struct rsd_session *s, uint8_t code, uint8_t subcode,
		      uint32_t restart_ms, const char *why, uint64_t now)
{
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, code, subcode);
	stop_with(s, &n, restart_ms, why, now);
}

void rsd_session_start(struct rsd_session *s, uint64_t now)
{
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_start(&s->fsm, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

void rsd_session_timers(struct rsd_session *s, uint64_t now)
{
	uint64_t t = rs_fsm_next_timer(&s->fsm);
	if (t == 0 || t > now)
		return;
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_timers(&s->fsm, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

void rsd_session_accept(struct rsd_session *s, int fd, uint64_t now)
{
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rsd_net_tune(fd);
	if (!rs_fsm_accept(&s->fsm, now, &out)) {
		/* During a back-off the peer retries every few seconds: the
		 * reason was logged once already. */
		bool backoff = s->fsm.idle && s->fsm.idle_until;
		SLOG(s, backoff ? RS_LOG_DEBUG : RS_LOG_INFO,
		     "refused the peer's connection (session %s%s)",
		     rs_fsm_state_name(rs_fsm_state(&s->fsm)),
		     backoff ? ", backing off" : "");
		close(fd);
		return;
	}
	conn_attach(s, RS_SLOT_IN, fd, false);
	SLOG(s, RS_LOG_DEBUG, "accepted the peer's connection");
	run(s, &out, now, 0, NULL, 0);
}

/* --- actions ----------------------------------------------------------------- */

static int conn_send(struct rsd_session *s, int slot, const uint8_t *msg,
		     size_t len)
{
	struct rsd_conn *c = &s->conn[slot];
	if (c->fd < 0)
		return -ENOTCONN;
	int rc = rsd_buf_append(&c->tx, msg, len, RSD_TX_LIMIT);
	if (rc == 0)
		s->msgs_out++;
	return rc;
}

int rsd_session_send(struct rsd_session *s, const uint8_t *msg, size_t len)
{
	if (s->fsm.est < 0)
		return -ENOTCONN;
	int rc = conn_send(s, s->fsm.est, msg, len);
	if (rc < 0 && !s->reset_pending) {
		s->reset_pending = true;
		SLOG(s, RS_LOG_WARN, "cannot queue output (%s): resetting",
		     strerror(-rc));
	}
	return rc;
}

/* Active opening, from the instance's address. The topology has no
 * per-peer port: labs run both sides on one port, so we connect to the
 * peer's IP on route_server.listen.port (179 unless overridden). */
static void do_connect(struct rsd_session *s, uint64_t now)
{
	int fd = -1;
	int rc = rsd_net_connect(s->local_ip, s->p->ip, s->d->t->rs.port,
				 s->p->md5, &fd);
	if (rc < 0) {
		char why[96];
		snprintf(why, sizeof(why), "connect: %s", strerror(-rc));
		SLOG(s, RS_LOG_DEBUG, "%s", why);
		ev_closed(s, RS_SLOT_OUT, why, now);
		return;
	}
	conn_attach(s, RS_SLOT_OUT, fd, rc == 1);
	SLOG(s, RS_LOG_DEBUG, "connecting to port %u", s->d->t->rs.port);
	if (rc == 0) {
		struct rs_fsm_out out;
		rs_fsm_out_reset(&out);
		rs_fsm_connected(&s->fsm, now, &out);
		run(s, &out, now, 0, NULL, 0);
	}
}

static void connect_done(struct rsd_session *s)
{
	struct rsd_conn *c = &s->conn[RS_SLOT_OUT];
	uint64_t now = rsd_now();
	int err = rsd_net_connect_result(c->fd);
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	if (err == 0 && getpeername(c->fd, (struct sockaddr *)&sa, &salen) < 0 &&
	    errno == ENOTCONN)
		return; /* a stale event: still connecting */
	if (err != 0) {
		char why[96];
		snprintf(why, sizeof(why), "connect: %s", strerror(err));
		SLOG(s, RS_LOG_DEBUG, "%s", why);
		ev_closed(s, RS_SLOT_OUT, why, now);
		return;
	}
	c->connecting = c->want_out = false;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->tag};
	epoll_ctl(s->d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	SLOG(s, RS_LOG_DEBUG, "connected");
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_connected(&s->fsm, now, &out);
	run(s, &out, now, 0, NULL, 0);
}

static void send_open(struct rsd_session *s, int slot)
{
	const struct rsemu_route_server *rs = &s->d->t->rs;
	struct rs_bgp_open o;
	uint8_t buf[RS_BGP_MAX_LEN];
	rs_bgp_open_init(&o, rs->asn, rs->hold, s->local_ip);
	int n = rs_bgp_open_build(&o, buf, sizeof(buf));
	if (n > 0)
		conn_send(s, slot, buf, (size_t)n);
}

static void send_keepalive(struct rsd_session *s, int slot)
{
	uint8_t buf[RS_BGP_HEADER_LEN];
	int n = rs_bgp_keepalive_build(buf, sizeof(buf));
	if (n > 0)
		conn_send(s, slot, buf, (size_t)n);
}

static void send_notify(struct rsd_session *s, int slot,
			const struct rs_bgp_notify *n)
{
	uint8_t buf[RS_BGP_MAX_LEN];
	char text[256];
	int len = rs_bgp_notification_build(n, buf, sizeof(buf));
	rs_bgp_notify_format(n, text, sizeof(text));
	SLOG(s, RS_LOG_INFO, "NOTIFICATION sent: %s (connection: %s)", text,
	     slot_name(slot));
	snprintf(s->last_notify, sizeof(s->last_notify), "NOTIFICATION sent: %s",
		 text);
	snprintf(s->last_error, sizeof(s->last_error), "%s", s->last_notify);
	if (len < 0)
		return;
	/* UPDATEs still queued would only delay it: the session ends. */
	rsd_buf_cut(&s->conn[slot].tx);
	conn_send(s, slot, buf, (size_t)len);
}

static void close_action(struct rsd_session *s, int slot, const char *why)
{
	struct rsd_conn *c = &s->conn[slot];
	bool was_open = c->fd >= 0 && !c->connecting;
	conn_close(s, slot);
	if (!was_open)
		return;
	SLOG(s, RS_LOG_DEBUG, "connection (%s) closed: %s", slot_name(slot), why);
	if (why[0] != '\0' && strncmp(why, "NOTIFICATION", 12) != 0)
		snprintf(s->last_error, sizeof(s->last_error), "%s", why);
}

static void on_established(struct rsd_session *s, int slot, uint64_t now)
{
	const struct rs_fsm_conn *c = &s->fsm.c[slot];
	char id[16];
	rsemu_ip_format(c->open.bgp_id, id);
	s->opts.as4 = c->open.as4;
	s->ipv4 = rs_bgp_open_ipv4_unicast(&c->open);
	s->peer_rr = c->open.route_refresh;
	s->up_since = now;
	s->established++;
	s->eor_received = false;
	char timers[48] = "timers off (hold time 0)";
	if (c->hold_ms)
		snprintf(timers, sizeof(timers), "timers %g/%g s",
			 c->keepalive_ms / 1000.0, c->hold_ms / 1000.0);
	SLOG(s, RS_LOG_INFO, "up: AS %u, id %s, %s, %s, %s (connection: %s)",
	     rs_bgp_open_asn(&c->open), id, timers,
	     s->opts.as4 ? "4-octet AS" : "2-octet AS",
	     s->opts.ibgp ? "iBGP" : "eBGP", slot_name(slot));
	if (!s->ipv4)
		SLOG(s, RS_LOG_WARN,
		     "the peer offered no IPv4 unicast: nothing is advertised");
	rsd_rib_session_up(s);
	rsd_advertise_initial(s);
}

static void on_down(struct rsd_session *s, const char *why, uint64_t now)
{
	uint64_t up_s = (now - s->up_since) / 1000000000ull;
	SLOG(s, RS_LOG_INFO, "down: %s (was up %llu s)", why,
	     (unsigned long long)up_s);
	/* The reason, and the NOTIFICATION that went with it. */
	if (s->last_notify_at == now && strstr(why, "NOTIFICATION") == NULL)
		snprintf(s->last_error, sizeof(s->last_error), "%s; %s", why,
			 s->last_notify);
	else
		snprintf(s->last_error, sizeof(s->last_error), "%s", why);
	s->up_since = 0;
	s->down_since = now;
	rs_adj_out_reset(&s->out);
	rsd_rib_session_down(s, now);
}

static void max_prefix_hit(struct rsd_session *s,
			   const struct rs_bgp_notify *n, uint64_t now)
{
	uint32_t backoff = s->d->cfg.max_prefix_backoff_ms;
	char why[160];
	s->max_prefix_hits++;
	snprintf(why, sizeof(why),
		 "max-prefix hit: over %u prefixes, routes withdrawn, "
		 "reconnect allowed in %u s",
		 s->p->max_prefixes, (backoff + 999) / 1000);
	SLOG(s, RS_LOG_WARN, "%s", why);
	stop_with(s, n, backoff ? backoff : 1, why, now);
}

static void deliver(struct rsd_session *s, int slot, uint8_t type,
		    const uint8_t *msg, size_t len, uint64_t now)
{
	if (type == RS_BGP_ROUTE_REFRESH) {
		uint16_t afi;
		uint8_t safi;
		if (rs_bgp_route_refresh_parse(msg, len, &afi, &safi) == 0 &&
		    afi == RS_BGP_AFI_IPV4 && safi == RS_BGP_SAFI_UNICAST) {
			SLOG(s, RS_LOG_DEBUG, "ROUTE-REFRESH: resending %zu routes",
			     rs_adj_out_count(&s->out));
			rsd_advertise_again(s);
		}
		return;
	}
	struct rs_bgp_notify n;
	int rc = rsd_rib_update(s, msg, len, now, &n);
	if (rc == 0)
		return;
	if (rc == -E2BIG) {
		max_prefix_hit(s, &n, now);
		return;
	}
	ev_error(s, slot,
		 &n, rc == -ENOMEM ? "out of memory" : "UPDATE error: session reset (RFC 7606)",
		 now);
}

static void run(struct rsd_session *s, struct rs_fsm_out *out, uint64_t now,
		uint8_t type, const uint8_t *msg, size_t len)
{
	for (unsigned i = 0; i < out->n; i++) {
		int slot = out->v[i].slot;
		switch (out->v[i].type) {
		case RS_ACT_CONNECT: do_connect(s, now); break;
		case RS_ACT_SEND_OPEN: send_open(s, slot); break;
		case RS_ACT_SEND_KEEPALIVE: send_keepalive(s, slot); break;
		case RS_ACT_SEND_NOTIFY:
			send_notify(s, slot, &out->notify[slot]);
			s->last_notify_at = now;
			break;
		case RS_ACT_CLOSE: close_action(s, slot, out->why[slot]); break;
		case RS_ACT_ESTABLISHED: on_established(s, slot, now); break;
		case RS_ACT_DOWN: on_down(s, out->down, now); break;
		case RS_ACT_DELIVER: deliver(s, slot, type, msg, len, now); break;
		}
	}
}

/* --- socket events ------------------------------------------------------------- */

static void on_message(struct rsd_session *s, int slot, uint8_t type,
		       const uint8_t *msg, size_t len, uint64_t now)
{
	s->msgs_in++;
	if (type == RS_BGP_NOTIFICATION) {
		struct rs_bgp_notify n;
		char text[256] = "malformed";
		if (rs_bgp_notification_parse(msg, len, &n) == 0)
			rs_bgp_notify_format(&n, text, sizeof(text));
		SLOG(s, RS_LOG_INFO, "NOTIFICATION received: %s (connection: %s)",
		     text, slot_name(slot));
		snprintf(s->last_notify, sizeof(s->last_notify),
			 "NOTIFICATION received: %s", text);
		snprintf(s->last_error, sizeof(s->last_error), "%s", s->last_notify);
		s->last_notify_at = now;
	}
	struct rs_fsm_out out;
	rs_fsm_out_reset(&out);
	rs_fsm_message(&s->fsm, slot, type, msg, len, now, &out);
	run(s, &out, now, type, msg, len);
}

static const char *read_error(ssize_t n, int err)
{
	if (n == 0)
		return "connection closed by the peer";
	if (err == ECONNRESET)
		return "connection reset by the peer";
	return strerror(err);
}

/* Reads what is there and handles every whole message; the time of the
 * read is the time of the events it causes. */
static void conn_read(struct rsd_session *s, int slot)
{
	struct rsd_conn *c = &s->conn[slot];
	ssize_t n = read(c->fd, c->rx + c->rx_len, RSD_RX_SIZE - c->rx_len);
	uint64_t now = rsd_now();
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ev_closed(s, slot, read_error(n, errno), now);
		return;
	}
	c->rx_len += (size_t)n;
	uint32_t gen = c->gen;
	size_t off = 0;
	while (c->gen == gen) {
		uint8_t type;
		struct rs_bgp_notify err;
		int m = rs_bgp_frame(c->rx + off, c->rx_len - off, &type, &err);
		if (m == 0)
			break;
		if (m < 0) {
			ev_error(s, slot, &err, "bad message header", now);
			return;
		}
		on_message(s, slot, type, c->rx + off, (size_t)m, now);
		off += (size_t)m;
	}
	if (c->gen != gen)
		return;
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
}

static void conn_flush(struct rsd_session *s, int slot)
{
	struct rsd_conn *c = &s->conn[slot];
	if (c->fd < 0 || c->connecting)
		return;
	if (rsd_buf_pending(&c->tx) == 0 && !c->want_out)
		return;
	int rc = rsd_buf_flush(&c->tx, c->fd);
	if (rc < 0) {
		char why[96];
		snprintf(why, sizeof(why), "write: %s", strerror(-rc));
		ev_closed(s, slot, why, rsd_now());
		return;
	}
	bool want = rc == 1;
	if (want != c->want_out) {
		struct epoll_event ev = {
			.events = EPOLLIN | (want ? EPOLLOUT : 0),
			.data.ptr = &c->tag,
		};
		epoll_ctl(s->d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = want;
	}
}

void rsd_session_flush(struct rsd_session *s)
{
	conn_flush(s, RS_SLOT_OUT);
	conn_flush(s, RS_SLOT_IN);
}

void rsd_session_io(struct rsd_session *s, int slot, uint32_t events)
{
	struct rsd_conn *c = &s->conn[slot];
	if (c->fd < 0)
		return;
	if (c->connecting) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connect_done(s);
		return;
	}
	if (events & EPOLLOUT)
		conn_flush(s, slot);
	if (c->fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		conn_read(s, slot);
}

void rsd_session_reap(struct rsd_session *s, uint64_t now)
{
	if (!s->reset_pending)
		return;
	s->reset_pending = false;
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_OUT_OF_RESOURCES);
	stop_with(s, &n, s->d->cfg.connect_retry_ms,
		  "output backlog too large (the peer does not read)", now);
}
