/* libFuzzer target for the BGP wire codec (control/bgp_msg.c). An input
 * that starts with a BGP marker is a TCP stream of messages, framed one by
 * one; any other input is one message body whose type the first byte picks,
 * so mutations reach the parsers without having to fix length fields.
 * Every message is parsed (UPDATEs in 4-octet/2-octet x iBGP/eBGP modes),
 * rebuilt and parsed again, and the invariants below must hold. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

/* assert() must stay on whatever the build type. */
#define CHECK(x)                                                              \
	do {                                                                  \
		if (!(x)) {                                                   \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",      \
				__FILE__, __LINE__, #x);                      \
			abort();                                              \
		}                                                             \
	} while (0)

#define MAX_OUT 32

struct out {
	int n;
	size_t len[MAX_OUT];
	uint8_t msg[MAX_OUT][RS_BGP_MAX_LEN];
};

static int emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct out *o = ctx;
	CHECK(len >= 23 && len <= RS_BGP_MAX_LEN);
	CHECK(o->n < MAX_OUT);
	memcpy(o->msg[o->n], msg, len);
	o->len[o->n++] = len;
	return 0;
}

static void check_frames(const uint8_t *msg, size_t len, uint8_t want)
{
	static struct rs_bgp_notify err;
	uint8_t type = 0;
	CHECK(rs_bgp_frame(msg, len, &type, &err) == (int)len);
	CHECK(type == want);
}

static void check_prefixes(const struct rsemu_prefix *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		CHECK(p[i].len <= 32);
		CHECK((p[i].addr & ~rsemu_mask(p[i].len)) == 0);
	}
}

static void check_notify(const struct rs_bgp_notify *n)
{
	char buf[128];
	CHECK(n->data_len <= RS_BGP_NOTIFY_DATA_MAX);
	int w = rs_bgp_notify_format(n, buf, sizeof(buf));
	CHECK(w > 0 && strlen(buf) < sizeof(buf));
}

/* What must hold of any parsed UPDATE. */
static void check_update(const struct rs_bgp_update *u)
{
	unsigned bits = 0;
	for (size_t i = 0; i < sizeof(u->discarded); i++)
		bits += (unsigned)__builtin_popcount(u->discarded[i]);
	CHECK(bits == u->n_discarded);
	check_prefixes(u->withdrawn, u->n_withdrawn);
	check_prefixes(u->nlri, u->n_nlri);
	switch (u->action) {
	case RS_BGP_UPDATE_OK:
		CHECK(u->notify.code == 0);
		CHECK((u->attrs != NULL) == (u->n_nlri > 0));
		CHECK(u->n_treated == 0);
		break;
	case RS_BGP_UPDATE_TREAT_AS_WITHDRAW:
		CHECK(u->notify.code == RS_BGP_ERR_UPDATE);
		CHECK(u->attrs == NULL && u->n_nlri == 0);
		CHECK(u->n_treated <= u->n_withdrawn);
		check_notify(&u->notify);
		break;
	case RS_BGP_UPDATE_SESSION_RESET:
		CHECK(u->notify.code == RS_BGP_ERR_UPDATE);
		CHECK(u->attrs == NULL && u->n_nlri == 0 && u->n_withdrawn == 0);
		check_notify(&u->notify);
		break;
	default:
		CHECK(!"action");
	}
	if (u->end_of_rib)
		CHECK(u->action == RS_BGP_UPDATE_OK && u->n_withdrawn == 0 &&
		      u->n_nlri == 0);
	if (u->attrs != NULL) {
		const struct rs_attrs *a = u->attrs;
		unsigned n = 0;
		for (uint16_t i = 0; i < a->n_segs; i++) {
			CHECK(a->segs[i].len > 0);
			CHECK(a->segs[i].type >= RS_AS_SET &&
			      a->segs[i].type <= RS_AS_CONFED_SET);
			n += a->segs[i].len;
		}
		CHECK(n == a->n_asns);
		for (uint16_t i = 0; i < a->n_asns; i++)
			CHECK(a->asns[i] != 0);
		CHECK(a->origin <= RS_ORIGIN_INCOMPLETE);
		CHECK(a->next_hop != 0);
		char path[8192];
		rs_attrs_format_path(a, path, sizeof(path));
	}
}

/* Same values but the Partial bit the builder adds to unknown attributes;
 * with a 2-octet session the AS path may differ in form (AS_TRANS, merge),
 * never in length. */
static void check_same(const struct rs_attrs *a, const struct rs_attrs *b,
		       bool as4)
{
	CHECK(a->origin == b->origin && a->next_hop == b->next_hop);
	CHECK(a->has_med == b->has_med && (!a->has_med || a->med == b->med));
	CHECK(a->atomic_aggregate == b->atomic_aggregate);
	CHECK(a->n_communities == b->n_communities);
	CHECK(memcmp(a->communities, b->communities,
		     a->n_communities * sizeof(uint32_t)) == 0);
	CHECK(rs_attrs_path_length(a) == rs_attrs_path_length(b));
	if (as4) {
		CHECK(a->n_segs == b->n_segs && a->n_asns == b->n_asns);
		CHECK(memcmp(a->segs, b->segs, a->n_segs * sizeof(*a->segs)) == 0);
		CHECK(memcmp(a->asns, b->asns, a->n_asns * sizeof(*a->asns)) == 0);
	}
	CHECK(a->n_raw == b->n_raw);
	for (uint16_t i = 0; i < a->n_raw; i++) {
		const struct rs_raw_attr *x = &a->raw[i], *y = &b->raw[i];
		CHECK(x->type == y->type && x->len == y->len);
		CHECK(memcmp(x->value, y->value, x->len) == 0);
		CHECK((x->flags | RS_BGP_ATTR_F_PARTIAL) ==
		      (y->flags | RS_BGP_ATTR_F_PARTIAL));
	}
}

/* Builds u again and parses the result: every message must be accepted and
 * carry the same prefixes, and a second round must change nothing. */
static void roundtrip_update(const struct rs_bgp_update *u,
			     const struct rs_bgp_update_opts *o)
{
	static struct out out;
	static struct rs_bgp_update back;
	static struct rsemu_prefix wd[RS_BGP_MAX_PREFIXES], nlri[RS_BGP_MAX_PREFIXES];
	if (u->action == RS_BGP_UPDATE_SESSION_RESET)
		return;
	out.n = 0;
	int rc = rs_bgp_update_build(u->withdrawn, u->n_withdrawn, u->nlri,
				     u->n_nlri, u->attrs, o, emit, &out);
	/* Our own AS4_PATH and AS4_AGGREGATOR can make it too long. */
	if (rc == -EMSGSIZE && !o->as4)
		return;
	CHECK(rc == out.n && rc >= 0);
	size_t nwd = 0, nn = 0;
	struct rs_attrs *first = NULL;
	for (int i = 0; i < out.n; i++) {
		check_frames(out.msg[i], out.len[i], RS_BGP_UPDATE);
		CHECK(rs_bgp_update_parse(out.msg[i], out.len[i], o, &back) == 0);
		check_update(&back);
		CHECK(back.action == RS_BGP_UPDATE_OK);
		CHECK(back.n_discarded == 0);
		memcpy(&wd[nwd], back.withdrawn, back.n_withdrawn * sizeof(*wd));
		memcpy(&nlri[nn], back.nlri, back.n_nlri * sizeof(*nlri));
		nwd += back.n_withdrawn;
		nn += back.n_nlri;
		if (back.attrs != NULL) {
			if (first == NULL)
				first = rs_attrs_ref(back.attrs);
			else
				CHECK(rs_attrs_equal(first, back.attrs));
		}
	}
	rs_bgp_update_release(&back);
	CHECK(nwd == u->n_withdrawn && nn == u->n_nlri);
	for (size_t i = 0; i < nwd; i++)
		CHECK(rsemu_prefix_eq(wd[i], u->withdrawn[i]));
	for (size_t i = 0; i < nn; i++)
		CHECK(rsemu_prefix_eq(nlri[i], u->nlri[i]));
	if (u->attrs == NULL) {
		CHECK(first == NULL);
		return;
	}
	CHECK(first != NULL);
	check_same(u->attrs, first, o->as4);

	/* Second round: what we built and read back is a fixed point. */
	out.n = 0;
	rc = rs_bgp_update_build(NULL, 0, u->nlri, 1, first, o, emit, &out);
	CHECK(rc == 1);
	CHECK(rs_bgp_update_parse(out.msg[0], out.len[0], o, &back) == 0);
	CHECK(back.action == RS_BGP_UPDATE_OK);
	CHECK(rs_attrs_equal(first, back.attrs));
	rs_bgp_update_release(&back);
	rs_attrs_unref(first);
}

static void do_update(const uint8_t *msg, size_t len)
{
	static struct rs_bgp_update u;
	static const struct rs_bgp_update_opts modes[] = {
		{true, false}, {true, true}, {false, false}, {false, true}};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		CHECK(rs_bgp_update_parse(msg, len, &modes[m], &u) == 0);
		check_update(&u);
		roundtrip_update(&u, &modes[m]);
	}
	rs_bgp_update_release(&u);
}

/* Field by field: the structs have padding. */
static bool open_equal(const struct rs_bgp_open *a, const struct rs_bgp_open *b)
{
	if (a->version != b->version || a->my_as != b->my_as ||
	    a->hold_time != b->hold_time || a->bgp_id != b->bgp_id ||
	    a->mp_ipv4_unicast != b->mp_ipv4_unicast ||
	    a->route_refresh != b->route_refresh || a->as4 != b->as4 ||
	    a->as4_asn != b->as4_asn || a->n_mp_other != b->n_mp_other ||
	    a->n_other_caps != b->n_other_caps)
		return false;
	for (unsigned i = 0; i < a->n_mp_other; i++)
		if (a->mp_other[i].afi != b->mp_other[i].afi ||
		    a->mp_other[i].safi != b->mp_other[i].safi)
			return false;
	return memcmp(a->other_caps, b->other_caps, a->n_other_caps) == 0;
}

static void do_open(const uint8_t *msg, size_t len)
{
	static struct rs_bgp_open o, back;
	static struct rs_bgp_notify err;
	static uint8_t buf[RS_BGP_MAX_LEN];
	int rc = rs_bgp_open_parse(msg, len, &o, &err);
	if (rc < 0) {
		CHECK(rc == -EBADMSG);
		CHECK(err.code == RS_BGP_ERR_OPEN);
		check_notify(&err);
		return;
	}
	CHECK(o.version == 4 && o.bgp_id != 0 && o.my_as != 0);
	CHECK(o.hold_time == 0 || o.hold_time >= 3);
	CHECK(!o.as4 || o.as4_asn != 0);
	(void)rs_bgp_open_check_peer_as(&o, 65001, &err);
	int n = rs_bgp_open_build(&o, buf, sizeof(buf));
	if (n == -EMSGSIZE)
		return; /* too many capabilities for one parameter */
	CHECK(n >= 29);
	check_frames(buf, (size_t)n, RS_BGP_OPEN);
	CHECK(rs_bgp_open_parse(buf, (size_t)n, &back, &err) == 0);
	CHECK(open_equal(&o, &back));
}

static void do_notification(const uint8_t *msg, size_t len)
{
	static struct rs_bgp_notify n, back;
	static uint8_t buf[RS_BGP_MAX_LEN];
	CHECK(rs_bgp_notification_parse(msg, len, &n) == 0);
	check_notify(&n);
	int w = rs_bgp_notification_build(&n, buf, sizeof(buf));
	CHECK(w == (int)len);
	CHECK(memcmp(buf, msg, len) == 0);
	CHECK(rs_bgp_notification_parse(buf, (size_t)w, &back) == 0);
	CHECK(back.code == n.code && back.subcode == n.subcode &&
	      back.data_len == n.data_len &&
	      memcmp(back.data, n.data, n.data_len) == 0);
}

static void do_route_refresh(const uint8_t *msg, size_t len)
{
	uint16_t afi = 0, afi2 = 0;
	uint8_t safi = 0, safi2 = 0, buf[64];
	CHECK(rs_bgp_route_refresh_parse(msg, len, &afi, &safi) == 0);
	int w = rs_bgp_route_refresh_build(afi, safi, buf, sizeof(buf));
	CHECK(w == 23);
	CHECK(rs_bgp_route_refresh_parse(buf, 23, &afi2, &safi2) == 0);
	CHECK(afi == afi2 && safi == safi2);
}

static void do_message(const uint8_t *msg, size_t len, uint8_t type)
{
	switch (type) {
	case RS_BGP_OPEN:
		do_open(msg, len);
		break;
	case RS_BGP_UPDATE:
		do_update(msg, len);
		break;
	case RS_BGP_NOTIFICATION:
		do_notification(msg, len);
		break;
	case RS_BGP_KEEPALIVE:
		CHECK(len == 19);
		break;
	case RS_BGP_ROUTE_REFRESH:
		do_route_refresh(msg, len);
		break;
	default:
		CHECK(!"type");
	}
}

/* Frames and handles each message of a stream. */
static void do_stream(const uint8_t *data, size_t size)
{
	static struct rs_bgp_notify err;
	while (size > 0) {
		uint8_t type = 0;
		int n = rs_bgp_frame(data, size, &type, &err);
		if (n == 0)
			return;
		if (n < 0) {
			CHECK(n == -EBADMSG && err.code == RS_BGP_ERR_HEADER);
			CHECK(err.subcode >= 1 && err.subcode <= 3);
			check_notify(&err);
			return;
		}
		CHECK(n >= RS_BGP_HEADER_LEN && (size_t)n <= size);
		do_message(data, (size_t)n, type);
		data += n;
		size -= (size_t)n;
	}
}

/* data[0] picks the type, the rest (cut to fit) is the body. */
static void do_body(const uint8_t *data, size_t size)
{
	static uint8_t msg[RS_BGP_MAX_LEN];
	static struct rs_bgp_notify err;
	uint8_t type = (uint8_t)(1 + data[0] % 5);
	size_t body = size - 1;
	if (body > RS_BGP_MAX_LEN - RS_BGP_HEADER_LEN)
		body = RS_BGP_MAX_LEN - RS_BGP_HEADER_LEN;
	size_t len = RS_BGP_HEADER_LEN + body;
	memset(msg, 0xff, RS_BGP_MARKER_LEN);
	msg[16] = (uint8_t)(len >> 8);
	msg[17] = (uint8_t)len;
	msg[18] = type;
	memcpy(msg + RS_BGP_HEADER_LEN, data + 1, body);
	uint8_t t = 0;
	int n = rs_bgp_frame(msg, len, &t, &err);
	if (n < 0) {
		/* Only a length wrong for the type can fail here. */
		CHECK(err.code == RS_BGP_ERR_HEADER &&
		      err.subcode == RS_BGP_HDR_BAD_LENGTH);
		return;
	}
	CHECK((size_t)n == len && t == type);
	do_message(msg, len, type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool stream = size >= RS_BGP_MARKER_LEN;
	for (size_t i = 0; stream && i < RS_BGP_MARKER_LEN; i++)
		stream = data[i] == 0xff;
	if (stream)
		do_stream(data, size);
	else if (size > 0)
		do_body(data, size);
	return 0;
}
