/* What rsemu-rsd's sessions do to the RIB: each UPDATE goes into the
 * session's Adj-RIB-In, and into the RIB when this session is the one that
 * feeds it (see rsd.h for the model); sessions coming up and going down move
 * that role; every change is published (publish.h) and advertised to the
 * Established sessions through their Adj-RIB-Out (adj_out.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rsd.h"
#include "rsd_log.h"

#define SLOG(s, l, ...)                                                      \
	rs_log_session(l, (s)->inst, (s)->local_ip, (s)->p->name, (s)->p->ip, \
		       __VA_ARGS__)

/* --- the session's Adj-RIB-In ------------------------------------------------ */

/* B1: a path with 65515 in it is a loop; it is kept in the Adj-RIB-In (the
 * peer did send it) but never reaches the RIB nor counts toward the limit. */
static bool accepted(const struct rs_attrs *a)
{
	return !rs_attrs_has_asn(a, RSEMU_RS_ASN);
}

static void in_del(struct rsd_session *s, struct rsemu_prefix p)
{
	const struct rs_adj_entry *e = rs_adj_rib_get(&s->in, p);
	if (e == NULL)
		return;
	if (accepted(e->attrs))
		s->in_accepted--;
	rs_adj_rib_del(&s->in, p);
}

static int in_set(struct rsd_session *s, struct rsemu_prefix p,
		  struct rs_attrs *a)
{
	const struct rs_adj_entry *e = rs_adj_rib_get(&s->in, p);
	bool was = e != NULL && accepted(e->attrs);
	if (rs_adj_rib_set(&s->in, p, a, NULL) < 0)
		return -ENOMEM;
	s->in_accepted = s->in_accepted - was + accepted(a);
	return 0;
}

static void in_clear(struct rsd_session *s)
{
	rs_adj_rib_clear(&s->in);
	s->in_accepted = 0;
}

/* A6, counted as the RIB counts: the routes held after this UPDATE's
 * withdrawals plus every announced prefix not held yet. */
static bool over_limit(const struct rsd_session *s, const struct rs_bgp_update *u)
{
	if (u->n_nlri == 0 || !accepted(u->attrs))
		return false;
	size_t fresh = 0;
	for (size_t i = 0; i < u->n_nlri; i++) {
		const struct rs_adj_entry *e = rs_adj_rib_get(&s->in, u->nlri[i]);
		if (e == NULL || !accepted(e->attrs))
			fresh++;
	}
	return s->in_accepted + fresh > s->p->max_prefixes;
}

/* Applies an UPDATE to the session (and to the RIB when it feeds it).
 * 0, -E2BIG (over max_prefixes: the session's routes are gone) or -ENOMEM. */
static int learn(struct rsd_session *s, const struct rs_bgp_update *u)
{
	struct rsd *d = s->d;
	for (size_t i = 0; i < u->n_withdrawn; i++)
		in_del(s, u->withdrawn[i]);
	bool over = over_limit(s, u);
	int rc = 0;
	if (d->src[s->peer] == s->inst) {
		int r = rs_rib_update(d->rib, s->peer, u->withdrawn,
				      u->n_withdrawn, u->nlri, u->n_nlri,
				      u->attrs, &d->chg);
		if (r == -E2BIG)
			over = true;
		else if (over) /* keep the RIB in step with the session */
			rs_rib_peer_down(d->rib, s->peer, &d->chg);
		else if (r < 0)
			rc = r;
	}
	if (over) {
		in_clear(s);
		return -E2BIG;
	}
	for (size_t i = 0; i < u->n_nlri; i++)
		if (in_set(s, u->nlri[i], u->attrs) < 0)
			rc = -ENOMEM;
	return rc;
}

static void log_parse_outcome(struct rsd_session *s,
			      const struct rs_bgp_update *u)
{
	char text[256];
	if (u->action == RS_BGP_UPDATE_TREAT_AS_WITHDRAW) {
		rs_bgp_notify_format(&u->notify, text, sizeof(text));
		SLOG(s, RS_LOG_WARN,
		     "treat-as-withdraw (RFC 7606): %s: %u announced prefixes "
		     "withdrawn", text, u->n_treated);
	}
	if (u->n_discarded == 0 || !rs_log_enabled(RS_LOG_DEBUG))
		return;
	size_t off = 0;
	text[0] = '\0';
	for (unsigned t = 0; t < 256 && off < sizeof(text) - 8; t++)
		if (rs_bgp_update_discarded(u, (uint8_t)t))
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"%s%u", off ? "," : "", t);
	SLOG(s, RS_LOG_DEBUG, "attribute discard (RFC 7606): types %s", text);
}

/* RFC 4271 6.3: a NEXT_HOP that is the Route Server itself is
 * semantically incorrect; RFC 7606 makes the routes withdrawals. */
static void check_next_hop(struct rsd_session *s, struct rs_bgp_update *u)
{
	const uint32_t *inst = s->d->t->rs.instances;
	if (u->n_nlri == 0 ||
	    (u->attrs->next_hop != inst[0] && u->attrs->next_hop != inst[1]))
		return;
	char nh[16];
	rsemu_ip_format(u->attrs->next_hop, nh);
	SLOG(s, RS_LOG_WARN, "treat-as-withdraw (RFC 7606): NEXT_HOP %s is the "
	     "Route Server itself: %u announced prefixes withdrawn", nh,
	     u->n_nlri);
	memcpy(&u->withdrawn[u->n_withdrawn], u->nlri,
	       u->n_nlri * sizeof(*u->nlri));
	u->n_withdrawn = (uint16_t)(u->n_withdrawn + u->n_nlri);
	u->n_nlri = 0;
	rs_bgp_update_release(u);
}

int rsd_rib_update(struct rsd_session *s, const uint8_t *msg, size_t len,
		   uint64_t now, struct rs_bgp_notify *n)
{
	struct rs_bgp_update *u = s->d->upd;
	s->updates_in++;
	if (rs_bgp_update_parse(msg, len, &s->opts, u) < 0) {
		rs_bgp_notify_set(n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_OUT_OF_RESOURCES);
		return -ENOMEM;
	}
	if (u->action == RS_BGP_UPDATE_SESSION_RESET) {
		*n = u->notify;
		return -EPROTO;
	}
	log_parse_outcome(s, u);
	if (u->end_of_rib) {
		s->eor_received = true;
		SLOG(s, RS_LOG_DEBUG, "End-of-RIB received (%zu routes)",
		     s->in.n);
		return 0;
	}
	check_next_hop(s, u);
	int rc = learn(s, u);
	rs_bgp_update_release(u);
	rsd_commit(s->d, now);
	if (rc == -E2BIG) {
		rs_bgp_notify_max_prefixes(n, RS_BGP_AFI_IPV4, RS_BGP_SAFI_UNICAST,
					   s->p->max_prefixes);
	} else if (rc < 0) {
		rs_bgp_notify_set(n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_OUT_OF_RESOURCES);
		rc = -ENOMEM;
	}
	return rc;
}

/* --- which session feeds the RIB -------------------------------------------- */

void rsd_rib_session_up(struct rsd_session *s)
{
	struct rsd *d = s->d;
	if (d->src[s->peer] >= 0)
		return;
	d->src[s->peer] = s->inst;
	rs_rib_peer_up(d->rib, s->peer);
	SLOG(s, RS_LOG_DEBUG, "this session feeds the RIB");
}

/* The RIB takes the peer's routes from `to` instead of `from`: only the
 * differences are re-decided. */
static void switch_source(struct rsd_session *from, struct rsd_session *to)
{
	struct rsd *d = from->d;
	int peer = from->peer;
	if (!rs_rib_peer_state(d->rib, peer)->up) {
		rs_rib_peer_up(d->rib, peer); /* it holds nothing of the peer */
	} else {
		for (const struct rs_adj_entry *e = rs_adj_rib_first(&from->in);
		     e; e = rs_adj_rib_next(&from->in, e)) {
			const struct rs_adj_entry *t = rs_adj_rib_get(&to->in, e->prefix);
			if (accepted(e->attrs) && (t == NULL || !accepted(t->attrs)))
				rs_rib_update(d->rib, peer, &e->prefix, 1, NULL,
					      0, NULL, &d->chg);
		}
	}
	for (const struct rs_adj_entry *e = rs_adj_rib_first(&to->in); e;
	     e = rs_adj_rib_next(&to->in, e)) {
		if (!accepted(e->attrs))
			continue;
		int r = rs_rib_update(d->rib, peer, NULL, 0, &e->prefix, 1,
				      e->attrs, &d->chg);
		if (r < 0)
			SLOG(to, RS_LOG_ERROR, "RIB update while taking over: %s",
			     strerror(-r));
	}
	d->src[peer] = to->inst;
	SLOG(to, RS_LOG_INFO, "now feeds the RIB (%u routes), the session via "
	     "instance %d being down", to->in_accepted, from->inst);
}

void rsd_rib_session_down(struct rsd_session *s, uint64_t now)
{
	struct rsd *d = s->d;
	int peer = s->peer;
	struct rsd_session *other = d->s[peer][1 - s->inst];
	if (d->src[peer] == s->inst) {
		if (other != NULL && rsd_session_up(other) && !d->stopping) {
			switch_source(s, other);
		} else {
			rs_rib_peer_down(d->rib, peer, &d->chg);
			d->src[peer] = -1;
		}
	}
	in_clear(s);
	rsd_commit(d, now);
}

/* --- change stream and advertisements ----------------------------------------- */

static int emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct rsd_session *s = ctx;
	s->updates_out++;
	return rsd_session_send(s, msg, len);
}

static void check_adv(struct rsd_session *s, int rc, const char *what)
{
	if (rc >= 0 || s->reset_pending)
		return;
	SLOG(s, RS_LOG_ERROR, "%s: %s: resetting", what, strerror(-rc));
	s->reset_pending = true;
}

static void advertise_changes(struct rsd_session *s, const struct rs_changes *chg)
{
	int rc = 0;
	for (size_t i = 0; i < chg->n && rc >= 0; i++)
		rc = rs_adj_out_update(&s->out, chg->v[i].prefix);
	if (rc >= 0)
		rc = rs_adj_out_flush(&s->out, &s->opts, emit, s);
	check_adv(s, rc, "advertising");
}

void rsd_commit(struct rsd *d, uint64_t now)
{
	if (d->chg.n == 0)
		return;
	int rc = rs_publish(&d->pub, &d->chg, now);
	if (rc < 0)
		rs_log(RS_LOG_ERROR, "publisher: %s", strerror(-rc));
	for (int p = 0; p < RSEMU_MAX_PEERS && !d->stopping; p++)
		for (int i = 0; i < 2; i++) {
			struct rsd_session *s = d->s[p][i];
			if (s != NULL && rsd_session_up(s) && s->ipv4)
				advertise_changes(s, &d->chg);
		}
	rs_changes_clear(&d->chg);
}

void rsd_advertise_initial(struct rsd_session *s)
{
	if (!s->ipv4)
		return;
	int rc = rs_adj_out_initial(&s->out, &s->opts, emit, s);
	check_adv(s, rc, "initial advertisement");
	if (rc >= 0)
		SLOG(s, RS_LOG_DEBUG, "sent %zu routes in %d messages, End-of-RIB "
		     "last", rs_adj_out_count(&s->out), rc);
}

void rsd_advertise_again(struct rsd_session *s)
{
	if (!s->ipv4)
		return;
	check_adv(s, rs_adj_out_resend(&s->out, &s->opts, emit, s),
		  "route refresh");
}
