/* rsemu-rsd's control socket (ctl_proto.h): a Unix stream socket answering
 * one request per connection, without blocking the BGP loop. Routes are
 * answered with the shapes of report.h, so `rsemu ctl` and the offline
 * `rsemu routes` agree; `peers` is the daemon's own view of its sessions. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "report.h"
#include "rsd.h"
#include "rsd_log.h"

#define MAX_CLIENTS 16

struct rsd_ctl_client {
	int fd;
	uint64_t seq;            /* arrival order */
	struct rsd_tag tag;
	size_t len;
	bool answered;
	struct rsd_buf out;
	char req[RS_CTL_MAX_REQUEST];
};

struct rsd_ctl {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rsd_tag tag;
	/* Slots, never freed while the daemon runs: an epoll event still
	 * queued for a dropped client finds a free slot (fd -1), not freed
	 * memory. */
	struct rsd_ctl_client cl[MAX_CLIENTS];
	uint64_t seq;
};

/* --- answers -------------------------------------------------------------------- */

static json_t *jip(uint32_t ip)
{
	char b[16];
	rsemu_ip_format(ip, b);
	return json_string(b);
}

static json_t *session_json(const struct rsd *d, const struct rsd_session *s,
			    uint64_t now)
{
	const struct rsemu_peer *p = s->p;
	const struct rs_fsm_conn *c = s->fsm.est >= 0 ? &s->fsm.c[s->fsm.est] : NULL;
	char role[32];
	snprintf(role, sizeof(role), RS_INSTANCE_KEY_FMT, s->inst);
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "kind", json_string(rsemu_peer_kind_name(p->kind)));
	json_object_set_new(o, "ip", jip(p->ip));
	json_object_set_new(o, "asn", json_integer(p->asn));
	json_object_set_new(o, "localAddress", jip(s->local_ip));
	json_object_set_new(o, "role", json_string(role));
	json_object_set_new(o, "state",
			    json_string(rs_fsm_state_name(rs_fsm_state(&s->fsm))));
	json_object_set_new(o, "uptime", json_integer(
		s->up_since ? (json_int_t)((now - s->up_since) / 1000000000ull) : 0));
	json_object_set_new(o, "lastDown", s->down_since
		? json_integer((json_int_t)((now - s->down_since) / 1000000000ull))
		: json_null());
	json_object_set_new(o, "remoteId", c ? jip(c->open.bgp_id) : json_null());
	json_object_set_new(o, "holdTime",
			    c ? json_integer(c->hold_ms / 1000) : json_null());
	json_object_set_new(o, "keepalive",
			    c ? json_real(c->keepalive_ms / 1000.0) : json_null());
	json_object_set_new(o, "prefixesReceived", json_integer((json_int_t)s->in.n));
	json_object_set_new(o, "prefixesAccepted", json_integer(s->in_accepted));
	json_object_set_new(o, "prefixesAdvertised",
			    json_integer((json_int_t)rs_adj_out_count(&s->out)));
	json_object_set_new(o, "maxPrefixes", json_integer(p->max_prefixes));
	json_object_set_new(o, "ribSource", json_boolean(d->src[s->peer] == s->inst));
	json_object_set_new(o, "md5", json_boolean(p->md5[0] != '\0'));
	json_object_set_new(o, "established", json_integer((json_int_t)s->established));
	json_object_set_new(o, "maxPrefixHits", json_integer((json_int_t)s->max_prefix_hits));
	json_object_set_new(o, "messagesIn", json_integer((json_int_t)s->msgs_in));
	json_object_set_new(o, "messagesOut", json_integer((json_int_t)s->msgs_out));
	json_object_set_new(o, "updatesIn", json_integer((json_int_t)s->updates_in));
	json_object_set_new(o, "updatesOut", json_integer((json_int_t)s->updates_out));
	json_object_set_new(o, "lastError", json_string(s->last_error));
	return o;
}

static json_t *peers_json(const struct rsd *d)
{
	uint64_t now = rsd_now();
	json_t *arr = json_array();
	for (int p = 0; arr && p < RSEMU_MAX_PEERS; p++)
		for (int i = 0; i < 2; i++)
			if (d->s[p][i] != NULL)
				json_array_append_new(arr, session_json(d, d->s[p][i], now));
	return arr;
}

/* Live answers per instance (A7): an instance whose session with the peer
 * is not Established lists nothing, and one that is lists the learned
 * routes its session did receive (the attributes are the RIB's, see the
 * model in rsd.h). */
static void live_instances(const struct rsd *d, int peer, json_t *j,
			   bool learned)
{
	for (int i = 0; i < 2; i++) {
		char key[32];
		snprintf(key, sizeof(key), RS_INSTANCE_KEY_FMT, i);
		json_t *arr = json_object_get(j, key);
		const struct rsd_session *s = d->s[peer][i];
		if (s == NULL || !rsd_session_up(s)) {
			json_array_clear(arr);
			continue;
		}
		for (size_t k = json_array_size(arr); learned && k-- > 0;) {
			struct rsemu_prefix p;
			const char *net = json_string_value(
				json_object_get(json_array_get(arr, k), "network"));
			const struct rs_adj_entry *e =
				net && rsemu_prefix_parse(net, &p) == 0
					? rs_adj_rib_get(&s->in, p) : NULL;
			if (e == NULL || rs_attrs_has_asn(e->attrs, RSEMU_RS_ASN))
				json_array_remove(arr, k);
		}
	}
}

static json_t *answer(const struct rsd *d, const struct rs_ctl_request *r)
{
	json_t *j = NULL;
	int p, v, sn;
	switch (r->cmd) {
	case RS_CTL_PEERS:
		j = peers_json(d);
		break;
	case RS_CTL_LEARNED:
	case RS_CTL_ADVERTISED:
		if ((p = rsd_find_peer(d, r->arg)) < 0)
			return rs_ctl_error(2, "no such peer: %s", r->arg);
		j = r->cmd == RS_CTL_LEARNED ? rs_report_learned(d->rib, p)
					     : rs_report_advertised(d->rib, p);
		if (j != NULL)
			live_instances(d, p, j, r->cmd == RS_CTL_LEARNED);
		break;
	case RS_CTL_EFFECTIVE:
		if (rs_topology_find_vnet_subnet(d->t, r->arg, &v, &sn) < 0)
			return rs_ctl_error(2, "no such subnet: %s (expected "
					    "VNET/SUBNET)", r->arg);
		j = rs_report_effective(d->rib, v, sn);
		break;
	}
	return j ? j : rs_ctl_error(1, "out of memory");
}

/* --- clients ---------------------------------------------------------------------- */

static void client_drop(struct rsd *d, int k)
{
	struct rsd_ctl_client *c = &d->ctl->cl[k];
	if (c->fd < 0)
		return;
	rsd_unwatch(d, c->fd);
	close(c->fd);
	rsd_buf_free(&c->out);
	c->fd = -1;
}

static void client_answer(struct rsd *d, struct rsd_ctl_client *c,
			  bool complete)
{
	struct rs_ctl_request r;
	char err[256];
	json_t *j;
	if (!complete)
		j = rs_ctl_error(2, "bad request: longer than %d bytes",
				 RS_CTL_MAX_REQUEST);
	else if (rs_ctl_parse_request(c->req, c->len, &r, err, sizeof(err)) < 0)
		j = rs_ctl_error(2, "bad request: %s", err);
	else
		j = answer(d, &r);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	const char *txt = s ? s : "{\"error\":\"out of memory\",\"code\":1}";
	if (rsd_buf_append(&c->out, txt, strlen(txt), SIZE_MAX) < 0 ||
	    rsd_buf_append(&c->out, "\n", 1, SIZE_MAX) < 0)
		rs_log(RS_LOG_WARN, "control: out of memory for an answer");
	free(s);
	c->answered = true;
}

/* Returns false when the client is done (to be dropped). */
static bool client_io(struct rsd *d, struct rsd_ctl_client *c, uint32_t events)
{
	if (!c->answered && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		ssize_t n = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n < 0 || (n == 0 && c->len == 0))
			return false; /* gone before asking */
		char *nl = n ? memchr(c->req + c->len, '\n', (size_t)n) : NULL;
		c->len += (size_t)n;
		if (nl != NULL)
			c->len = (size_t)(nl - c->req);
		if (n > 0 && nl == NULL && c->len < sizeof(c->req))
			return true;
		/* A line, or the client's end of writing, ends the request. */
		client_answer(d, c, nl != NULL || n == 0);
	}
	if (!c->answered)
		return true;
	int rc = rsd_buf_flush(&c->out, c->fd);
	if (rc != 1)
		return false; /* all sent, or the client is gone */
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &c->tag};
	epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	return true;
}

/* A free client slot; when all are taken, the oldest client (one that
 * never finished its request, most likely) is dropped. */
static int free_slot(struct rsd *d)
{
	int oldest = 0;
	for (int k = 0; k < MAX_CLIENTS; k++) {
		if (d->ctl->cl[k].fd < 0)
			return k;
		if (d->ctl->cl[k].seq < d->ctl->cl[oldest].seq)
			oldest = k;
	}
	rs_log(RS_LOG_WARN, "control: %d clients at once: dropped the oldest",
	       MAX_CLIENTS);
	client_drop(d, oldest);
	return oldest;
}

static void ctl_accept(struct rsd *d)
{
	for (;;) {
		int fd = accept4(d->ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int k = free_slot(d);
		struct rsd_ctl_client *c = &d->ctl->cl[k];
		c->fd = fd;
		c->len = 0;
		c->answered = false;
		c->seq = d->ctl->seq++;
		c->tag = (struct rsd_tag){RSD_EV_CTL_CLIENT, (uint8_t)k, c};
		if (rsd_watch(d, fd, &c->tag, EPOLLIN) < 0)
			client_drop(d, k);
	}
}

void rsd_ctl_event(struct rsd *d, struct rsd_tag *tag, uint32_t events)
{
	if (tag->kind == RSD_EV_CTL_LISTEN) {
		ctl_accept(d);
		return;
	}
	struct rsd_ctl_client *c = tag->ptr;
	if (c->fd < 0)
		return; /* dropped earlier in this batch of events */
	if (!client_io(d, c, events))
		client_drop(d, tag->index);
}

/* --- the socket -------------------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file left by a daemon that died is removed; one that answers
 * belongs to a running daemon and is left alone. */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(sa->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (live)
		return -EADDRINUSE;
	return unlink(sa->sun_path) < 0 ? -errno : 0;
}

static int ctl_listen(struct rsd_ctl *ctl)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl->path);
	char dir[sizeof(sa.sun_path)];
	snprintf(dir, sizeof(dir), "%s", ctl->path);
	int rc = mkdir_p(dirname(dir));
	if (rc == 0)
		rc = clear_stale(&sa);
	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	ctl->fd = fd;
	return 0;
}

int rsd_ctl_open(struct rsd *d, const char *path)
{
	struct rsd_ctl *ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -1;
	ctl->fd = -1;
	for (int k = 0; k < MAX_CLIENTS; k++)
		ctl->cl[k].fd = -1;
	d->ctl = ctl;
	if (strlen(path) >= sizeof(ctl->path)) {
		rs_log(RS_LOG_ERROR, "control socket path too long: %s", path);
		return -1;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	int rc = ctl_listen(ctl);
	if (rc < 0) {
		rs_log(RS_LOG_ERROR, "control socket %s: %s%s", path,
		       strerror(-rc), rc == -EADDRINUSE
		       ? " (another rsemu-rsd answers there)" : "");
		ctl->path[0] = '\0'; /* not ours to remove */
		return -1;
	}
	ctl->tag = (struct rsd_tag){RSD_EV_CTL_LISTEN, 0, d};
	if (rsd_watch(d, ctl->fd, &ctl->tag, EPOLLIN) < 0)
		return -1;
	rs_log(RS_LOG_INFO, "control socket %s", path);
	return 0;
}

void rsd_ctl_close(struct rsd *d)
{
	struct rsd_ctl *ctl = d->ctl;
	if (ctl == NULL)
		return;
	for (int k = 0; k < MAX_CLIENTS; k++)
		client_drop(d, k);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		unlink(ctl->path);
	}
	free(ctl);
	d->ctl = NULL;
}
