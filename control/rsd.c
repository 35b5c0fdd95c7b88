/* rsemu-rsd's core: sets up the sessions, the BGP listeners on both
 * instance addresses and the control socket, then runs one epoll loop
 * (timerfd for every BGP timer, signalfd for SIGINT/SIGTERM) until asked to
 * stop, when every peer gets Cease/2. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "rsd.h"
#include "rsd_log.h"

#define MAX_EVENTS 64

uint64_t rsd_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rsd_watch(struct rsd *d, int fd, struct rsd_tag *tag, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = tag};
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

void rsd_unwatch(struct rsd *d, int fd)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int rsd_find_peer(const struct rsd *d, const char *name_or_ip)
{
	int p = rs_topology_find_peer(d->t, name_or_ip);
	uint32_t ip;
	if (p < 0 && rsemu_ip_parse(name_or_ip, &ip) == 0)
		for (size_t i = 0; i < d->t->rs.n_peers; i++)
			if (d->t->rs.peers[i].ip == ip)
				return (int)i;
	return p;
}

static int find_peer_ip(const struct rsd *d, uint32_t ip)
{
	for (size_t i = 0; i < d->t->rs.n_peers; i++)
		if (d->t->rs.peers[i].ip == ip)
			return (int)i;
	return -1;
}

#define FOREACH_SESSION(d, s)                                              \
	for (int _p = 0; _p < RSEMU_MAX_PEERS; _p++)                       \
		for (int _i = 0; _i < 2; _i++)                             \
			for (struct rsd_session *s = (d)->s[_p][_i]; s; s = NULL)

/* --- set-up --------------------------------------------------------------------- */

static int cmp_prefix(const void *a, const void *b)
{
	return rsemu_prefix_cmp(*(const struct rsemu_prefix *)a,
				*(const struct rsemu_prefix *)b);
}

/* C1: the VNet address spaces every peer is sent. */
static int collect_spaces(struct rsd *d)
{
	const struct rsemu_topology *t = d->t;
	size_t n = 0;
	for (size_t v = 0; v < t->n_vnets; v++)
		if (rs_topology_in_rs_domain(t, (int)v))
			n += t->vnets[v].n_address_space;
	d->spaces = calloc(n ? n : 1, sizeof(*d->spaces));
	if (d->spaces == NULL)
		return -ENOMEM;
	for (size_t v = 0; v < t->n_vnets; v++)
		if (rs_topology_in_rs_domain(t, (int)v))
			for (size_t k = 0; k < t->vnets[v].n_address_space; k++)
				d->spaces[d->n_spaces++] = t->vnets[v].address_space[k];
	qsort(d->spaces, d->n_spaces, sizeof(*d->spaces), cmp_prefix);
	return 0;
}

static int open_listener(struct rsd *d, int inst)
{
	const struct rsemu_route_server *rs = &d->t->rs;
	char ip[16];
	rsemu_ip_format(rs->instances[inst], ip);
	int fd = rsd_net_listen(rs->instances[inst], rs->port);
	if (fd < 0) {
		rs_log(RS_LOG_ERROR, "cannot listen on %s port %u (instance %d): %s",
		       ip, rs->port, inst, strerror(-fd));
		return -1;
	}
	d->listen_fd[inst] = fd;
	/* RFC 2385 on the listener: a SYN from a peer with a key must carry
	 * it, and one from a peer we hold no key for must not. */
	for (size_t p = 0; p < rs->n_peers; p++) {
		int rc = rsd_net_md5(fd, rs->peers[p].ip, rs->peers[p].md5);
		if (rc < 0) {
			rs_log(RS_LOG_ERROR, "TCP MD5 for peer %s: %s",
			       rs->peers[p].name, strerror(-rc));
			return -1;
		}
	}
	d->listen_tag[inst] = (struct rsd_tag){RSD_EV_LISTEN, (uint8_t)inst, d};
	if (rsd_watch(d, fd, &d->listen_tag[inst], EPOLLIN) < 0)
		return -1;
	rs_log(RS_LOG_INFO, "instance %d listening on %s port %u", inst, ip,
	       rs->port);
	return 0;
}

static int open_timer_and_signals(struct rsd *d)
{
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (d->tfd < 0 || sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sfd < 0)
		return -1;
	d->timer_tag = (struct rsd_tag){RSD_EV_TIMER, 0, d};
	d->signal_tag = (struct rsd_tag){RSD_EV_SIGNAL, 0, d};
	if (rsd_watch(d, d->tfd, &d->timer_tag, EPOLLIN) < 0 ||
	    rsd_watch(d, d->sfd, &d->signal_tag, EPOLLIN) < 0)
		return -1;
	return 0;
}

static int create_sessions(struct rsd *d)
{
	for (size_t p = 0; p < d->t->rs.n_peers && p < RSEMU_MAX_PEERS; p++) {
		d->src[p] = -1;
		/* No session yet: the peer's routes are not accepted. */
		rs_rib_peer_down(d->rib, (int)p, NULL);
		for (int i = 0; i < 2; i++) {
			d->s[p][i] = rsd_session_new(d, (int)p, i);
			if (d->s[p][i] == NULL)
				return -ENOMEM;
		}
	}
	return 0;
}

struct rsd *rsd_new(const struct rsemu_topology *t, const struct rsd_config *cfg)
{
	struct rsd *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->t = t;
	d->cfg = *cfg;
	d->epfd = d->tfd = d->sfd = d->listen_fd[0] = d->listen_fd[1] = -1;
	for (int p = 0; p < RSEMU_MAX_PEERS; p++)
		d->src[p] = -1;
	d->pub = rs_publisher_counting(&d->pub_stats);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->rib = rs_rib_new(t);
	d->upd = calloc(1, sizeof(*d->upd));
	if (d->epfd < 0 || d->rib == NULL || d->upd == NULL ||
	    collect_spaces(d) < 0 || create_sessions(d) < 0) {
		rs_log(RS_LOG_ERROR, "set-up failed: %s", strerror(errno));
		goto fail;
	}
	if (open_timer_and_signals(d) < 0) {
		rs_log(RS_LOG_ERROR, "timer/signals: %s", strerror(errno));
		goto fail;
	}
	if (open_listener(d, 0) < 0 || open_listener(d, 1) < 0 ||
	    rsd_ctl_open(d, cfg->control_path) < 0)
		goto fail;
	return d;
fail:
	rsd_free(d);
	return NULL;
}

void rsd_set_publisher(struct rsd *d, struct rs_publisher p)
{
	if (d->pub.close != NULL)
		d->pub.close(d->pub.ctx);
	d->pub = p;
}

void rsd_free(struct rsd *d)
{
	if (d == NULL)
		return;
	rsd_ctl_close(d);
	for (int p = 0; p < RSEMU_MAX_PEERS; p++)
		for (int i = 0; i < 2; i++)
			rsd_session_free(d->s[p][i]);
	int fds[] = {d->listen_fd[0], d->listen_fd[1], d->tfd, d->sfd, d->epfd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (d->pub.close != NULL)
		d->pub.close(d->pub.ctx);
	if (d->upd != NULL)
		rs_bgp_update_release(d->upd);
	free(d->upd);
	free(d->spaces);
	rs_changes_free(&d->chg);
	rs_rib_free(d->rib);
	free(d);
}

/* --- the loop ----------------------------------------------------------------------- */

static void arm_timer(struct rsd *d)
{
	uint64_t next = 0;
	FOREACH_SESSION(d, s)
	{
		uint64_t t = rs_fsm_next_timer(&s->fsm);
		if (t != 0 && (next == 0 || t < next))
			next = t;
	}
	struct itimerspec its = {0};
	if (next != 0) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_timer(struct rsd *d)
{
	uint64_t expirations;
	if (read(d->tfd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	uint64_t now = rsd_now();
	FOREACH_SESSION(d, s)
	rsd_session_timers(s, now);
}

static void on_signal(struct rsd *d)
{
	struct signalfd_siginfo si;
	if (read(d->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	rs_log(RS_LOG_INFO, "%s: shutting down", strsignal((int)si.ssi_signo));
	d->stopping = true;
}

static void on_accept(struct rsd *d, int inst)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(d->listen_fd[inst], (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				rs_log(RS_LOG_WARN, "accept: %s", strerror(errno));
			return;
		}
		uint32_t ip = ntohl(sa.sin_addr.s_addr);
		int peer = find_peer_ip(d, ip);
		if (peer < 0) {
			char a[16], b[16];
			rsemu_ip_format(ip, a);
			rsemu_ip_format(d->t->rs.instances[inst], b);
			rs_log(RS_LOG_WARN, "refused a connection from %s port %u "
			       "to instance %d (%s): not a configured peer",
			       a, ntohs(sa.sin_port), inst, b);
			close(fd);
			continue;
		}
		rsd_session_accept(d->s[peer][inst], fd, rsd_now());
	}
}

static void dispatch(struct rsd *d, struct rsd_tag *tag, uint32_t events)
{
	switch (tag->kind) {
	case RSD_EV_LISTEN: on_accept(d, tag->index); break;
	case RSD_EV_CONN: rsd_session_io(tag->ptr, tag->index, events); break;
	case RSD_EV_TIMER: on_timer(d); break;
	case RSD_EV_SIGNAL: on_signal(d); break;
	case RSD_EV_CTL_LISTEN:
	case RSD_EV_CTL_CLIENT: rsd_ctl_event(d, tag, events); break;
	}
}

static void after_events(struct rsd *d)
{
	uint64_t now = rsd_now();
	FOREACH_SESSION(d, s)
	rsd_session_reap(s, now);
	FOREACH_SESSION(d, s)
	rsd_session_flush(s);
}

static void shutdown_sessions(struct rsd *d)
{
	uint64_t now = rsd_now();
	FOREACH_SESSION(d, s)
	rsd_session_stop(s, RS_BGP_ERR_CEASE, RS_BGP_CEASE_ADMIN_SHUTDOWN, 0,
			 "administrative shutdown (rsemu-rsd stopping)", now);
	rs_log(RS_LOG_INFO, "stopped: %llu route changes published in %llu "
	       "commits", (unsigned long long)d->pub_stats.changes,
	       (unsigned long long)d->pub_stats.commits);
}

int rsd_run(struct rsd *d)
{
	d->started = rsd_now();
	FOREACH_SESSION(d, s)
	rsd_session_start(s, d->started);
	struct epoll_event ev[MAX_EVENTS];
	while (!d->stopping) {
		after_events(d);
		arm_timer(d);
		int n = epoll_wait(d->epfd, ev, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rs_log(RS_LOG_ERROR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			dispatch(d, ev[i].data.ptr, ev[i].events);
	}
	shutdown_sessions(d);
	return 0;
}
