/* Unit tests for control/bgp_msg.c, the BGP wire codec: framing and header
 * errors, round trips of every message type, OPEN errors, 4-octet AS
 * handling and one test per RFC 7606 error class (FRR's
 * bgp_rfc7606_treat_as_withdraw topotest cases used as a checklist). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bgp_msg.h"

/* ---- helpers ----------------------------------------------------------- */

struct bytes {
	uint8_t b[2 * RS_BGP_MAX_LEN];
	size_t n;
};

static void add(struct bytes *x, const void *p, size_t n)
{
	assert_true(x->n + n <= sizeof(x->b));
	if (n > 0)
		memcpy(x->b + x->n, p, n);
	x->n += n;
}

#define ADD(x, ...)                                                           \
	do {                                                                  \
		const uint8_t v_[] = {__VA_ARGS__};                           \
		add((x), v_, sizeof(v_));                                     \
	} while (0)

static void add16(struct bytes *x, uint16_t v)
{
	ADD(x, (uint8_t)(v >> 8), (uint8_t)v);
}

static void add32(struct bytes *x, uint32_t v)
{
	ADD(x, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
	    (uint8_t)v);
}

static void header(struct bytes *x, uint16_t len, uint8_t type)
{
	for (int i = 0; i < 16; i++)
		ADD(x, 0xff);
	add16(x, len);
	ADD(x, type);
}

/* An UPDATE from its three fields. */
static void update_msg(struct bytes *m, const struct bytes *wd,
		       const struct bytes *at, const struct bytes *nlri)
{
	m->n = 0;
	header(m, (uint16_t)(23 + wd->n + at->n + nlri->n), RS_BGP_UPDATE);
	add16(m, (uint16_t)wd->n);
	add(m, wd->b, wd->n);
	add16(m, (uint16_t)at->n);
	add(m, at->b, at->n);
	add(m, nlri->b, nlri->n);
}

/* One attribute; the Extended Length form when flags ask for it. */
static void attr(struct bytes *a, uint8_t flags, uint8_t type, const void *v,
		 size_t len)
{
	ADD(a, flags, type);
	if (flags & RS_BGP_ATTR_F_EXTLEN)
		add16(a, (uint16_t)len);
	else
		ADD(a, (uint8_t)len);
	add(a, v, len);
}

#define ATTR(a, flags, type, ...)                                             \
	do {                                                                  \
		const uint8_t v_[] = {__VA_ARGS__};                           \
		attr((a), (flags), (type), v_, sizeof(v_));                   \
	} while (0)

#define ORIGIN_IGP(a) ATTR(a, 0x40, 1, 0)
#define NH_192_0_2_1(a) ATTR(a, 0x40, 3, 192, 0, 2, 1)

/* AS_PATH: one AS_SEQUENCE of 65001 in the session's form. */
static void path_65001(struct bytes *a, bool as4)
{
	if (as4)
		ATTR(a, 0x40, 2, 2, 1, 0, 0, 0xfd, 0xe9);
	else
		ATTR(a, 0x40, 2, 2, 1, 0xfd, 0xe9);
}

/* ORIGIN, AS_PATH, NEXT_HOP, leaving out `skip`. */
static void base_attrs(struct bytes *a, bool as4, uint8_t skip)
{
	if (skip != 1)
		ORIGIN_IGP(a);
	if (skip != 2)
		path_65001(a, as4);
	if (skip != 3)
		NH_192_0_2_1(a);
}

static const struct rs_bgp_update_opts EBGP4 = {.as4 = true, .ibgp = false};
static const struct rs_bgp_update_opts EBGP2 = {.as4 = false, .ibgp = false};
static const struct rs_bgp_update_opts IBGP4 = {.as4 = true, .ibgp = true};

/* Parsed by every UPDATE test; released by the teardown. */
static struct rs_bgp_update U;

static int release(void **state)
{
	(void)state;
	rs_bgp_update_release(&U);
	return 0;
}

static void parse(const struct bytes *wd, const struct bytes *at,
		  const struct bytes *nlri, struct rs_bgp_update_opts o)
{
	static struct bytes m;
	update_msg(&m, wd, at, nlri);
	uint8_t type = 0;
	struct rs_bgp_notify err;
	assert_int_equal(rs_bgp_frame(m.b, m.n, &type, &err), (int)m.n);
	assert_int_equal(type, RS_BGP_UPDATE);
	assert_int_equal(rs_bgp_update_parse(m.b, m.n, &o, &U), 0);
}

/* The usual case: attributes `at`, NLRI 10.1.2.0/24 and 10.9.0.0/16. */
static void parse_at(const struct bytes *at, struct rs_bgp_update_opts o)
{
	static const struct bytes none;
	static struct bytes nlri;
	nlri.n = 0;
	ADD(&nlri, 24, 10, 1, 2, 16, 10, 9);
	parse(&none, at, &nlri, o);
}

static void expect_ok(void)
{
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_nlri, 2);
	assert_non_null(U.attrs);
}

static void expect_withdraw(uint8_t subcode)
{
	assert_int_equal(U.action, RS_BGP_UPDATE_TREAT_AS_WITHDRAW);
	assert_int_equal(U.notify.code, RS_BGP_ERR_UPDATE);
	assert_int_equal(U.notify.subcode, subcode);
	assert_null(U.attrs);
	assert_int_equal(U.n_nlri, 0);
	assert_int_equal(U.n_withdrawn, 2);
	assert_int_equal(U.n_treated, 2);
	assert_int_equal(U.withdrawn[0].addr, 0x0a010200);
	assert_int_equal(U.withdrawn[0].len, 24);
	assert_int_equal(U.withdrawn[1].addr, 0x0a090000);
}

static void expect_reset(uint8_t subcode)
{
	assert_int_equal(U.action, RS_BGP_UPDATE_SESSION_RESET);
	assert_int_equal(U.notify.code, RS_BGP_ERR_UPDATE);
	assert_int_equal(U.notify.subcode, subcode);
	assert_null(U.attrs);
	assert_int_equal(U.n_nlri, 0);
	assert_int_equal(U.n_withdrawn, 0);
}

/* Field by field: struct rsemu_prefix has padding. */
static void assert_prefixes_equal(const struct rsemu_prefix *a,
				  const struct rsemu_prefix *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].addr, b[i].addr);
		assert_int_equal(a[i].len, b[i].len);
	}
}

/* Collects what rs_bgp_update_build emits. */
#define MAX_MSGS 64
struct collect {
	int n;
	size_t len[MAX_MSGS];
	uint8_t msg[MAX_MSGS][RS_BGP_MAX_LEN];
};

static int collect_emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct collect *c = ctx;
	assert_true(c->n < MAX_MSGS);
	assert_true(len <= RS_BGP_MAX_LEN);
	memcpy(c->msg[c->n], msg, len);
	c->len[c->n++] = len;
	return 0;
}

static struct collect C;

static int build(const struct rsemu_prefix *wd, size_t nwd,
		 const struct rsemu_prefix *nlri, size_t nn,
		 const struct rs_attrs *a, struct rs_bgp_update_opts o)
{
	C.n = 0;
	return rs_bgp_update_build(wd, nwd, nlri, nn, a, &o, collect_emit, &C);
}

static void parse_msg(int i, struct rs_bgp_update_opts o)
{
	uint8_t type = 0;
	struct rs_bgp_notify err;
	assert_int_equal(rs_bgp_frame(C.msg[i], C.len[i], &type, &err),
			 (int)C.len[i]);
	assert_int_equal(type, RS_BGP_UPDATE);
	assert_int_equal(rs_bgp_update_parse(C.msg[i], C.len[i], &o, &U), 0);
}

/* Bytes of the attribute of `type` in an UPDATE, or NULL. */
static const uint8_t *find_attr(const uint8_t *m, size_t len, uint8_t type,
				uint8_t *flags, size_t *alen)
{
	size_t wl = (size_t)m[19] << 8 | m[20];
	size_t at = 21 + wl;
	size_t tl = (size_t)m[at] << 8 | m[at + 1];
	size_t p = at + 2, end = p + tl;
	assert_true(end <= len);
	while (p < end) {
		uint8_t f = m[p], t = m[p + 1];
		size_t l, h;
		if (f & RS_BGP_ATTR_F_EXTLEN) {
			l = (size_t)m[p + 2] << 8 | m[p + 3];
			h = 4;
		} else {
			l = m[p + 2];
			h = 3;
		}
		if (t == type) {
			*flags = f;
			*alen = l;
			return m + p + h;
		}
		p += h + l;
	}
	return NULL;
}

/* ---- framing and header errors (RFC 4271 6.1) -------------------------- */

static void test_frame_keepalive(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct rs_bgp_notify err;
	uint8_t type = 0;
	int n = rs_bgp_keepalive_build(buf, sizeof(buf));
	assert_int_equal(n, 19);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0xff);
	assert_int_equal(buf[16], 0);
	assert_int_equal(buf[17], 19);
	assert_int_equal(buf[18], RS_BGP_KEEPALIVE);
	/* Partial headers need more bytes. */
	for (int i = 0; i < 19; i++)
		assert_int_equal(rs_bgp_frame(buf, (size_t)i, &type, &err), 0);
	assert_int_equal(rs_bgp_frame(buf, 19, &type, &err), 19);
	assert_int_equal(type, RS_BGP_KEEPALIVE);
	/* Two messages back to back: the first is framed alone. */
	memcpy(buf + 19, buf, 19);
	assert_int_equal(rs_bgp_frame(buf, 38, &type, &err), 19);
	assert_int_equal(rs_bgp_keepalive_build(buf, 18), -ENOSPC);
}

static void test_frame_partial_body(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct rs_bgp_notify err;
	uint8_t type = 0;
	int n = rs_bgp_route_refresh_build(1, 1, buf, sizeof(buf));
	assert_int_equal(n, 23);
	for (int i = 19; i < 23; i++)
		assert_int_equal(rs_bgp_frame(buf, (size_t)i, &type, &err), 0);
	assert_int_equal(rs_bgp_frame(buf, 23, &type, &err), 23);
}

static void frame_error(const struct bytes *m, uint8_t subcode)
{
	struct rs_bgp_notify err;
	uint8_t type = 0;
	/* Reported as soon as the header is in. */
	assert_int_equal(rs_bgp_frame(m->b, 19, &type, &err), -EBADMSG);
	assert_int_equal(rs_bgp_frame(m->b, m->n, &type, &err), -EBADMSG);
	assert_int_equal(err.code, RS_BGP_ERR_HEADER);
	assert_int_equal(err.subcode, subcode);
}

static void test_frame_bad_marker(void **state)
{
	(void)state;
	struct bytes m = {0};
	header(&m, 19, RS_BGP_KEEPALIVE);
	m.b[7] = 0xfe;
	frame_error(&m, RS_BGP_HDR_NOT_SYNC);
}

static void bad_length(uint16_t len, uint8_t type)
{
	struct bytes m = {0};
	header(&m, len, type);
	while (m.n < 40)
		ADD(&m, 0);
	frame_error(&m, RS_BGP_HDR_BAD_LENGTH);
	struct rs_bgp_notify err;
	uint8_t t;
	rs_bgp_frame(m.b, m.n, &t, &err);
	assert_int_equal(err.data_len, 2);
	assert_int_equal(err.data[0], len >> 8);
	assert_int_equal(err.data[1], len & 0xff);
}

static void test_frame_bad_length(void **state)
{
	(void)state;
	bad_length(18, RS_BGP_KEEPALIVE);
	bad_length(0, RS_BGP_KEEPALIVE);
	bad_length(4097, RS_BGP_UPDATE);
	bad_length(0xffff, RS_BGP_UPDATE);
	/* Lengths wrong for the type. */
	bad_length(20, RS_BGP_KEEPALIVE);
	bad_length(28, RS_BGP_OPEN);
	bad_length(22, RS_BGP_UPDATE);
	bad_length(20, RS_BGP_NOTIFICATION);
	bad_length(22, RS_BGP_ROUTE_REFRESH);
}

static void test_frame_bad_type(void **state)
{
	(void)state;
	const uint8_t types[] = {0, 6, 255};
	for (size_t i = 0; i < sizeof(types); i++) {
		struct bytes m = {0};
		header(&m, 19, types[i]);
		frame_error(&m, RS_BGP_HDR_BAD_TYPE);
		struct rs_bgp_notify err;
		uint8_t t;
		rs_bgp_frame(m.b, m.n, &t, &err);
		assert_int_equal(err.data_len, 1);
		assert_int_equal(err.data[0], types[i]);
	}
}

static void test_frame_max_length(void **state)
{
	(void)state;
	static struct bytes m;
	m.n = 0;
	header(&m, 4096, RS_BGP_NOTIFICATION);
	while (m.n < 4096)
		ADD(&m, 6);
	struct rs_bgp_notify err, n;
	uint8_t type = 0;
	assert_int_equal(rs_bgp_frame(m.b, m.n, &type, &err), 4096);
	assert_int_equal(rs_bgp_notification_parse(m.b, m.n, &n), 0);
	assert_int_equal(n.data_len, RS_BGP_NOTIFY_DATA_MAX);
	/* A parser refuses what is not one framed message of its type. */
	assert_int_equal(rs_bgp_notification_parse(m.b, m.n - 1, &n), -EINVAL);
	assert_int_equal(rs_bgp_update_parse(m.b, m.n, &EBGP4, &U), -EINVAL);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH round trips ---------------- */

static void test_notification_roundtrip(void **state)
{
	(void)state;
	struct rs_bgp_notify n, back;
	uint8_t buf[RS_BGP_MAX_LEN];
	rs_bgp_notify_max_prefixes(&n, 1, 1, 1000);
	int len = rs_bgp_notification_build(&n, buf, sizeof(buf));
	assert_int_equal(len, 21 + 7);
	uint8_t type = 0;
	assert_int_equal(rs_bgp_frame(buf, (size_t)len, &type, &back), len);
	assert_int_equal(type, RS_BGP_NOTIFICATION);
	assert_int_equal(rs_bgp_notification_parse(buf, (size_t)len, &back), 0);
	assert_int_equal(back.code, 6);
	assert_int_equal(back.subcode, 1);
	assert_int_equal(back.data_len, 7);
	const uint8_t want[] = {0, 1, 1, 0, 0, 0x03, 0xe8};
	assert_memory_equal(back.data, want, 7);

	rs_bgp_notify_set(&n, RS_BGP_ERR_HOLD_TIMER, 0);
	len = rs_bgp_notification_build(&n, buf, sizeof(buf));
	assert_int_equal(len, 21);
	assert_int_equal(rs_bgp_notification_parse(buf, (size_t)len, &back), 0);
	assert_int_equal(back.code, 4);
	assert_int_equal(back.data_len, 0);
	assert_int_equal(rs_bgp_notification_build(&n, buf, 20), -ENOSPC);
}

static void test_route_refresh_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[64];
	uint16_t afi = 0;
	uint8_t safi = 0;
	int len = rs_bgp_route_refresh_build(1, 1, buf, sizeof(buf));
	assert_int_equal(len, 23);
	assert_int_equal(rs_bgp_route_refresh_parse(buf, 23, &afi, &safi), 0);
	assert_int_equal(afi, 1);
	assert_int_equal(safi, 1);
	len = rs_bgp_route_refresh_build(2, 128, buf, sizeof(buf));
	assert_int_equal(rs_bgp_route_refresh_parse(buf, 23, &afi, &safi), 0);
	assert_int_equal(afi, 2);
	assert_int_equal(safi, 128);
	/* A KEEPALIVE is not a ROUTE-REFRESH. */
	rs_bgp_keepalive_build(buf, sizeof(buf));
	assert_int_equal(rs_bgp_route_refresh_parse(buf, 19, &afi, &safi), -EINVAL);
}

static void test_notify_names(void **state)
{
	(void)state;
	char buf[256];
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, 3, 11);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "UPDATE Message Error/Malformed AS_PATH");
	rs_bgp_notify_set(&n, 1, 2);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Message Header Error/Bad Message Length");
	rs_bgp_notify_set(&n, 2, 6);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "OPEN Message Error/Unacceptable Hold Time");
	rs_bgp_notify_max_prefixes(&n, 1, 1, 1000);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Cease/Maximum Number of Prefixes Reached "
				 "(AFI 1 SAFI 1 limit 1000)");
	rs_bgp_notify_set(&n, 6, 2);
	const char msg[] = "maintenance \"now\"";
	n.data[0] = (uint8_t)strlen(msg);
	memcpy(n.data + 1, msg, strlen(msg));
	n.data_len = (uint16_t)(1 + strlen(msg));
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Cease/Administrative Shutdown "
				 "\"maintenance \\x22now\\x22\"");
	rs_bgp_notify_set(&n, 6, 7);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Cease/Connection Collision Resolution");
	rs_bgp_notify_set(&n, 4, 0);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Hold Timer Expired/Unspecific");
	rs_bgp_notify_set(&n, 3, 99);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "UPDATE Message Error/subcode 99");
	rs_bgp_notify_set(&n, 42, 1);
	rs_bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Unknown (42)/subcode 1");
	/* Truncation reports the full length, like snprintf. */
	rs_bgp_notify_set(&n, 3, 11);
	assert_int_equal(rs_bgp_notify_format(&n, buf, 8), 38);
	assert_string_equal(buf, "UPDATE ");
	assert_string_equal(rs_bgp_type_name(RS_BGP_ROUTE_REFRESH), "ROUTE-REFRESH");
	assert_null(rs_bgp_subcode_name(6, 200));
}

/* ---- OPEN -------------------------------------------------------------- */

static void assert_open_equal(const struct rs_bgp_open *a,
			      const struct rs_bgp_open *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->my_as, b->my_as);
	assert_int_equal(a->hold_time, b->hold_time);
	assert_int_equal(a->bgp_id, b->bgp_id);
	assert_int_equal(a->mp_ipv4_unicast, b->mp_ipv4_unicast);
	assert_int_equal(a->route_refresh, b->route_refresh);
	assert_int_equal(a->as4, b->as4);
	assert_int_equal(a->as4_asn, b->as4_asn);
	assert_int_equal(a->n_mp_other, b->n_mp_other);
	for (unsigned i = 0; i < a->n_mp_other; i++) {
		assert_int_equal(a->mp_other[i].afi, b->mp_other[i].afi);
		assert_int_equal(a->mp_other[i].safi, b->mp_other[i].safi);
	}
	assert_int_equal(a->n_other_caps, b->n_other_caps);
	assert_memory_equal(a->other_caps, b->other_caps, a->n_other_caps);
}

static void test_open_roundtrip(void **state)
{
	(void)state;
	struct rs_bgp_open o, back;
	struct rs_bgp_notify err;
	uint8_t buf[RS_BGP_MAX_LEN];
	rs_bgp_open_init(&o, 65515, 180, 0x0a000001);
	o.other_caps[o.n_other_caps++] = 64; /* graceful restart, no value */
	o.mp_other[o.n_mp_other++] = (struct rs_bgp_afi_safi){2, 1};
	int len = rs_bgp_open_build(&o, buf, sizeof(buf));
	assert_true(len >= 29);
	uint8_t type = 0;
	assert_int_equal(rs_bgp_frame(buf, (size_t)len, &type, &err), len);
	assert_int_equal(type, RS_BGP_OPEN);
	assert_int_equal(rs_bgp_open_parse(buf, (size_t)len, &back, &err), 0);
	assert_open_equal(&o, &back);
	assert_int_equal(back.my_as, 65515);
	assert_int_equal(rs_bgp_open_asn(&back), 65515);
	assert_true(rs_bgp_open_ipv4_unicast(&back));
	assert_int_equal(rs_bgp_open_check_peer_as(&back, 65515, &err), 0);
	assert_int_equal(rs_bgp_open_check_peer_as(&back, 65001, &err), -EBADMSG);
	assert_int_equal(err.code, 2);
	assert_int_equal(err.subcode, RS_BGP_OPEN_BAD_PEER_AS);

	/* A 4-octet AS: My AS is AS_TRANS, the capability has the real one. */
	rs_bgp_open_init(&o, 4200000001u, 0, 0xc0000201);
	len = rs_bgp_open_build(&o, buf, sizeof(buf));
	assert_int_equal(rs_bgp_open_parse(buf, (size_t)len, &back, &err), 0);
	assert_open_equal(&o, &back);
	assert_int_equal(back.my_as, RS_BGP_AS_TRANS);
	assert_int_equal(back.hold_time, 0);
	assert_int_equal(rs_bgp_open_asn(&back), 4200000001u);
	assert_int_equal(rs_bgp_open_check_peer_as(&back, 4200000001u, &err), 0);
	assert_int_equal(rs_bgp_open_check_peer_as(&back, RS_BGP_AS_TRANS, &err),
			 -EBADMSG);

	/* A peer without capabilities: IPv4 unicast implied, 2-octet AS. */
	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = 65001;
	o.hold_time = 3;
	o.bgp_id = 1;
	len = rs_bgp_open_build(&o, buf, sizeof(buf));
	assert_int_equal(len, 29);
	assert_int_equal(rs_bgp_open_parse(buf, (size_t)len, &back, &err), 0);
	assert_false(back.as4);
	assert_false(back.mp_ipv4_unicast);
	assert_true(rs_bgp_open_ipv4_unicast(&back));
	assert_int_equal(rs_bgp_open_check_peer_as(&back, 65001, &err), 0);
	/* An expected 4-octet AS can never match a peer without AS4. */
	assert_int_equal(rs_bgp_open_check_peer_as(&back, 4200000001u, &err),
			 -EBADMSG);
	assert_int_equal(rs_bgp_open_build(&o, buf, 28), -ENOSPC);
}

/* An OPEN with the given fixed fields and raw optional parameters. */
static void open_msg(struct bytes *m, uint8_t version, uint16_t as,
		     uint16_t hold, uint32_t id, const struct bytes *params)
{
	m->n = 0;
	header(m, (uint16_t)(29 + params->n), RS_BGP_OPEN);
	ADD(m, version);
	add16(m, as);
	add16(m, hold);
	add32(m, id);
	ADD(m, (uint8_t)params->n);
	add(m, params->b, params->n);
}

static void open_error(const struct bytes *m, uint8_t subcode)
{
	struct rs_bgp_open o;
	struct rs_bgp_notify err;
	assert_int_equal(rs_bgp_open_parse(m->b, m->n, &o, &err), -EBADMSG);
	assert_int_equal(err.code, RS_BGP_ERR_OPEN);
	assert_int_equal(err.subcode, subcode);
}

static void test_open_errors(void **state)
{
	(void)state;
	struct bytes m, p = {0};
	open_msg(&m, 3, 65001, 90, 1, &p);
	open_error(&m, RS_BGP_OPEN_UNSUP_VERSION);
	struct rs_bgp_open o;
	struct rs_bgp_notify err;
	rs_bgp_open_parse(m.b, m.n, &o, &err);
	assert_int_equal(err.data_len, 2);
	assert_int_equal(err.data[0], 0);
	assert_int_equal(err.data[1], 4);

	open_msg(&m, 4, 65001, 1, 1, &p);
	open_error(&m, RS_BGP_OPEN_BAD_HOLD_TIME);
	open_msg(&m, 4, 65001, 2, 1, &p);
	open_error(&m, RS_BGP_OPEN_BAD_HOLD_TIME);
	open_msg(&m, 4, 65001, 90, 0, &p);
	open_error(&m, RS_BGP_OPEN_BAD_BGP_ID);
	open_msg(&m, 4, 0, 90, 1, &p); /* RFC 7607 */
	open_error(&m, RS_BGP_OPEN_BAD_PEER_AS);

	/* Authentication parameter (type 1, RFC 1771): unsupported. */
	ADD(&p, 1, 2, 0xaa, 0xbb);
	open_msg(&m, 4, 65001, 90, 1, &p);
	open_error(&m, RS_BGP_OPEN_UNSUP_OPT_PARAM);

	/* Parameter running past the parameters field. */
	p.n = 0;
	ADD(&p, 2, 9, 65, 4, 0, 0);
	open_msg(&m, 4, 65001, 90, 1, &p);
	open_error(&m, 0);
	/* Capability running past its parameter. */
	p.n = 0;
	ADD(&p, 2, 4, 65, 4, 0, 0);
	open_msg(&m, 4, 65001, 90, 1, &p);
	open_error(&m, 0);
	/* AS4 capability of the wrong length, and of value 0 (RFC 7607). */
	p.n = 0;
	ADD(&p, 2, 4, 65, 2, 0xfd, 0xe9);
	open_msg(&m, 4, 65001, 90, 1, &p);
	open_error(&m, 0);
	p.n = 0;
	ADD(&p, 2, 6, 65, 4, 0, 0, 0, 0);
	open_msg(&m, 4, 65001, 90, 1, &p);
	open_error(&m, RS_BGP_OPEN_BAD_PEER_AS);
	/* Optional Parameters Length shorter than what follows. */
	p.n = 0;
	ADD(&p, 2, 2, 2, 0);
	open_msg(&m, 4, 65001, 90, 1, &p);
	m.b[28] = 2;
	open_error(&m, 0);
}

static void test_open_capabilities(void **state)
{
	(void)state;
	struct bytes m, p = {0};
	/* Two parameters; GR (64), enhanced RR (70), old Cisco RR (128),
	 * IPv6 unicast, IPv4 unicast, AS4 65001, route refresh, GR again. */
	ADD(&p, 2, 14, 64, 2, 0x80, 0x78, 70, 0, 128, 0, 1, 4, 0, 2, 0, 1);
	ADD(&p, 2, 16, 1, 4, 0, 1, 0, 1, 65, 4, 0, 0, 0xfd, 0xe9, 2, 0, 64, 0);
	open_msg(&m, 4, 65001, 90, 0x01020304, &p);
	struct rs_bgp_open o;
	struct rs_bgp_notify err;
	assert_int_equal(rs_bgp_open_parse(m.b, m.n, &o, &err), 0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.hold_time, 90);
	assert_int_equal(o.bgp_id, 0x01020304);
	assert_true(o.mp_ipv4_unicast);
	assert_true(o.route_refresh);
	assert_true(o.as4);
	assert_int_equal(o.as4_asn, 65001);
	assert_int_equal(o.n_mp_other, 1);
	assert_int_equal(o.mp_other[0].afi, 2);
	assert_int_equal(o.mp_other[0].safi, 1);
	assert_int_equal(o.n_other_caps, 3);
	assert_int_equal(o.other_caps[0], 64);
	assert_int_equal(o.other_caps[1], 70);
	assert_int_equal(o.other_caps[2], 128);

	/* Only IPv6 offered: no IPv4 unicast. */
	p.n = 0;
	ADD(&p, 2, 6, 1, 4, 0, 2, 0, 1);
	open_msg(&m, 4, 65001, 90, 1, &p);
	assert_int_equal(rs_bgp_open_parse(m.b, m.n, &o, &err), 0);
	assert_false(rs_bgp_open_ipv4_unicast(&o));

	/* RFC 9072 extended optional parameters. */
	p.n = 0;
	ADD(&p, 255, 0, 9, 2, 0, 6, 65, 4, 0, 0, 0xfd, 0xea);
	open_msg(&m, 4, 65001, 90, 1, &p);
	m.b[28] = 255;
	assert_int_equal(rs_bgp_open_parse(m.b, m.n, &o, &err), 0);
	assert_true(o.as4);
	assert_int_equal(o.as4_asn, 65002);
}

/* ---- UPDATE round trips ------------------------------------------------ */

static struct rs_attrs *full_attrs(uint32_t first_asn)
{
	const struct rs_as_seg segs[] = {{RS_AS_SEQUENCE, 2}, {RS_AS_SET, 2}};
	const uint32_t asns[] = {first_asn, 65001, 65010, 65011};
	const uint32_t comm[] = {0xfdeb0001, RSEMU_NO_ADVERTISE};
	const uint8_t unk[] = {1, 2, 3, 4, 5};
	const uint8_t ext[] = {0, 2, 0xfd, 0xe9, 0, 0, 0, 1};
	const uint8_t aggr[] = {0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 1};
	const struct rs_raw_attr raw[] = {
		{0xc0, 7, 8, aggr},
		{0xc0, 16, 8, ext},
		{0xc0, 99, 5, unk},
	};
	struct rs_attrs_spec s = {
		.origin = RS_ORIGIN_EGP,
		.has_med = true,
		.med = 50,
		.has_local_pref = true,
		.local_pref = 200,
		.atomic_aggregate = true,
		.next_hop = 0x0a000004,
		.n_segs = 2,
		.segs = segs,
		.asns = asns,
		.n_communities = 2,
		.communities = comm,
		.n_raw = 3,
		.raw = raw,
	};
	struct rs_attrs *a = rs_attrs_new(&s);
	assert_non_null(a);
	return a;
}

/* Equal but for the Partial bit the builder adds to unknown raw ones. */
static void assert_attrs_equal_but_partial(const struct rs_attrs *a,
					   const struct rs_attrs *b)
{
	assert_int_equal(a->n_raw, b->n_raw);
	for (uint16_t i = 0; i < a->n_raw; i++) {
		assert_int_equal(a->raw[i].type, b->raw[i].type);
		assert_int_equal(a->raw[i].len, b->raw[i].len);
		assert_memory_equal(a->raw[i].value, b->raw[i].value, a->raw[i].len);
		assert_int_equal(a->raw[i].flags | RS_BGP_ATTR_F_PARTIAL,
				 b->raw[i].flags | RS_BGP_ATTR_F_PARTIAL);
	}
	assert_int_equal(a->origin, b->origin);
	assert_int_equal(a->next_hop, b->next_hop);
	assert_int_equal(a->has_med, b->has_med);
	assert_int_equal(a->med, b->med);
	assert_int_equal(a->atomic_aggregate, b->atomic_aggregate);
	assert_int_equal(a->n_segs, b->n_segs);
	assert_memory_equal(a->segs, b->segs, a->n_segs * sizeof(*a->segs));
	assert_int_equal(a->n_asns, b->n_asns);
	assert_memory_equal(a->asns, b->asns, a->n_asns * sizeof(*a->asns));
	assert_int_equal(a->n_communities, b->n_communities);
	assert_memory_equal(a->communities, b->communities,
			    a->n_communities * sizeof(uint32_t));
}

static void test_update_roundtrip(void **state)
{
	(void)state;
	const struct rsemu_prefix wd[] = {{0x0a630000, 16}, {0, 0}};
	const struct rsemu_prefix nlri[] = {
		{0x0a010200, 24}, {0x0a000000, 8}, {0xc0a80101, 32}, {0, 0}};
	const struct rs_bgp_update_opts modes[] = {
		{true, true}, {true, false}, {false, true}, {false, false}};
	for (size_t m = 0; m < 4; m++) {
		struct rs_attrs *a = full_attrs(m < 2 ? 65002 : 4200000000u);
		assert_int_equal(build(wd, 2, nlri, 4, a, modes[m]), 2);
		parse_msg(0, modes[m]);
		assert_int_equal(U.action, RS_BGP_UPDATE_OK);
		assert_int_equal(U.n_withdrawn, 2);
		assert_prefixes_equal(U.withdrawn, wd, 2);
		assert_int_equal(U.n_nlri, 0);
		assert_null(U.attrs);
		parse_msg(1, modes[m]);
		assert_int_equal(U.action, RS_BGP_UPDATE_OK);
		assert_int_equal(U.n_discarded, 0);
		assert_int_equal(U.n_nlri, 4);
		assert_prefixes_equal(U.nlri, nlri, 4);
		assert_attrs_equal_but_partial(a, U.attrs);
		/* LOCAL_PREF goes only to iBGP peers. */
		assert_int_equal(U.attrs->has_local_pref, modes[m].ibgp);
		if (modes[m].ibgp)
			assert_int_equal(U.attrs->local_pref, 200);
		/* The unknown transitive attribute went out with Partial. */
		uint8_t flags = 0;
		size_t alen = 0;
		assert_non_null(find_attr(C.msg[1], C.len[1], 99, &flags, &alen));
		assert_int_equal(flags, 0xe0);
		/* EXTENDED COMMUNITIES are checked, so not Partial. */
		assert_non_null(find_attr(C.msg[1], C.len[1], 16, &flags, &alen));
		assert_int_equal(flags, 0xc0);
		/* Building what was parsed gives the same bytes again. */
		uint8_t first[RS_BGP_MAX_LEN];
		size_t first_len = C.len[1];
		memcpy(first, C.msg[1], first_len);
		struct rs_attrs *b = rs_attrs_ref(U.attrs);
		assert_int_equal(build(NULL, 0, nlri, 4, b, modes[m]), 1);
		assert_int_equal(C.len[0], first_len);
		assert_memory_equal(C.msg[0], first, first_len);
		rs_attrs_unref(b);
		rs_attrs_unref(a);
	}
}

static void test_update_eor(void **state)
{
	(void)state;
	uint8_t buf[64];
	assert_int_equal(rs_bgp_eor_build(buf, sizeof(buf)), 23);
	assert_int_equal(rs_bgp_update_parse(buf, 23, &EBGP4, &U), 0);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_true(U.end_of_rib);
	assert_int_equal(U.n_withdrawn + U.n_nlri, 0);
	/* Nothing to send: no message. */
	assert_int_equal(build(NULL, 0, NULL, 0, NULL, EBGP4), 0);
}

/* Host bits past the prefix length are cleared (RFC 4271 4.3). */
static void test_update_host_bits(void **state)
{
	(void)state;
	struct bytes at = {0}, wd = {0}, nlri = {0};
	base_attrs(&at, true, 0);
	ADD(&nlri, 16, 10, 1, 20, 10, 20, 0xff, 0, 13, 0xff, 0xff);
	ADD(&wd, 9, 10, 0xff);
	parse(&wd, &at, &nlri, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_nlri, 4);
	assert_int_equal(U.nlri[0].addr, 0x0a010000);
	assert_int_equal(U.nlri[1].addr, 0x0a14f000);
	assert_int_equal(U.nlri[1].len, 20);
	assert_int_equal(U.nlri[2].addr, 0);
	assert_int_equal(U.nlri[2].len, 0);
	assert_int_equal(U.nlri[3].addr, 0xfff80000);
	assert_int_equal(U.n_withdrawn, 1);
	assert_int_equal(U.withdrawn[0].addr, 0x0a800000);
	assert_int_equal(U.attrs->next_hop, 0xc0000201);
	assert_int_equal(U.attrs->n_asns, 1);
	assert_int_equal(U.attrs->asns[0], 65001);
}

/* RFC 4271 9.2 / our own limit: messages never exceed 4096 bytes. */
static void test_update_build_split(void **state)
{
	(void)state;
	static struct rsemu_prefix many[3000];
	for (uint32_t i = 0; i < 3000; i++)
		many[i] = (struct rsemu_prefix){0x0a000000 + (i << 8), 24};
	const uint32_t asns[] = {65001, 65002};
	struct rs_attrs *a = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0a000004, asns, 2,
					      NULL, 0);
	int n = build(many, 3000, many, 3000, a, EBGP4);
	/* 3000 withdrawals of 4 bytes: 3 messages; 3000 NLRI: 3 more. */
	assert_int_equal(n, 6);
	size_t got_wd = 0, got_nlri = 0;
	for (int i = 0; i < n; i++) {
		assert_true(C.len[i] <= RS_BGP_MAX_LEN);
		parse_msg(i, EBGP4);
		assert_int_equal(U.action, RS_BGP_UPDATE_OK);
		for (uint16_t j = 0; j < U.n_withdrawn; j++, got_wd++)
			assert_true(rsemu_prefix_eq(U.withdrawn[j], many[got_wd]));
		for (uint16_t j = 0; j < U.n_nlri; j++, got_nlri++)
			assert_true(rsemu_prefix_eq(U.nlri[j], many[got_nlri]));
		if (U.n_nlri > 0)
			assert_true(rs_attrs_equal(U.attrs, a));
		if (i == 0 || i == 3) /* full ones fill up to the limit */
			assert_true(C.len[i] > RS_BGP_MAX_LEN - 5);
	}
	assert_int_equal(got_wd, 3000);
	assert_int_equal(got_nlri, 3000);
	rs_attrs_unref(a);

	/* Attributes that leave no room for a prefix. */
	static uint32_t comm[1100];
	for (int i = 0; i < 1100; i++)
		comm[i] = (uint32_t)i;
	a = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0a000004, asns, 2, comm, 1100);
	assert_int_equal(build(NULL, 0, many, 1, a, EBGP4), -EMSGSIZE);
	/* Withdrawals need no attributes; prefixes need them. */
	assert_int_equal(build(NULL, 0, many, 1, NULL, EBGP4), -EINVAL);
	struct rsemu_prefix bad = {0, 33};
	assert_int_equal(build(&bad, 1, NULL, 0, NULL, EBGP4), -EINVAL);
	rs_attrs_unref(a);
}

static int fail_emit(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
	return -EPIPE;
}

static void test_update_build_emit_error(void **state)
{
	(void)state;
	struct rsemu_prefix p = {0x0a000000, 8};
	assert_int_equal(rs_bgp_update_build(&p, 1, NULL, 0, NULL, &EBGP4,
					     fail_emit, NULL),
			 -EPIPE);
}

/* A long AS_PATH needs the Extended Length bit on the way out and in. */
static void test_update_extended_length(void **state)
{
	(void)state;
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	uint8_t path[2 + 100 * 4];
	path[0] = 2;
	path[1] = 100;
	for (int i = 0; i < 100; i++) {
		path[2 + 4 * i] = 0;
		path[3 + 4 * i] = 0;
		path[4 + 4 * i] = 0xfd;
		path[5 + 4 * i] = (uint8_t)i;
	}
	attr(&at, 0x40 | RS_BGP_ATTR_F_EXTLEN, 2, path, sizeof(path));
	NH_192_0_2_1(&at);
	/* Communities with an Extended Length too, though short. */
	ATTR(&at, 0xc0 | RS_BGP_ATTR_F_EXTLEN, 8, 0xfd, 0xe9, 0, 1, 0xfd, 0xe9, 0, 2);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_asns, 100);
	assert_int_equal(U.attrs->asns[99], 0xfd63);
	assert_int_equal(U.attrs->n_communities, 2);
	assert_int_equal(U.attrs->communities[1], 0xfde90002);
	struct rs_attrs *a = rs_attrs_ref(U.attrs);
	const struct rsemu_prefix p = {0x0a000000, 8};
	assert_int_equal(build(NULL, 0, &p, 1, a, EBGP4), 1);
	uint8_t flags = 0;
	size_t alen = 0;
	assert_non_null(find_attr(C.msg[0], C.len[0], 2, &flags, &alen));
	assert_int_equal(flags, 0x40 | RS_BGP_ATTR_F_EXTLEN);
	assert_int_equal(alen, sizeof(path));
	assert_non_null(find_attr(C.msg[0], C.len[0], 8, &flags, &alen));
	assert_int_equal(flags, 0xc0);
	parse_msg(0, EBGP4);
	assert_true(rs_attrs_equal(a, U.attrs));
	rs_attrs_unref(a);
}

/* ---- 4-octet AS (RFC 6793) --------------------------------------------- */

static void test_as4_session(void **state)
{
	(void)state;
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 2, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	NH_192_0_2_1(&at);
	/* Between 4-octet speakers AS4_PATH is discarded (RFC 6793 4.1). */
	ATTR(&at, 0xc0, 17, 2, 1, 0, 0, 0, 7);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_asns, 2);
	assert_int_equal(U.attrs->asns[0], 4200000000u);
	assert_int_equal(U.attrs->asns[1], 65001);
	assert_true(rs_bgp_update_discarded(&U, 17));
	assert_int_equal(U.n_discarded, 1);
}

static void test_as4_merge(void **state)
{
	(void)state;
	/* The peer's AS_PATH has AS_TRANS where 4200000000 was; AS4_PATH has
	 * the real path. */
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 2, 2, 2, 0x5b, 0xa0, 0xfd, 0xe9);
	NH_192_0_2_1(&at);
	ATTR(&at, 0xc0, 17, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_segs, 1);
	assert_int_equal(U.attrs->n_asns, 2);
	assert_int_equal(U.attrs->asns[0], 4200000000u);
	assert_int_equal(U.attrs->asns[1], 65001);
	assert_int_equal(U.n_discarded, 0);

	/* An OLD speaker prepended 100 to AS_PATH only: the leading part of
	 * AS_PATH comes first, joined into one sequence. */
	at.n = 0;
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 2, 2, 3, 0, 100, 0x5b, 0xa0, 0xfd, 0xe9);
	NH_192_0_2_1(&at);
	ATTR(&at, 0xc0, 17, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_segs, 1);
	assert_int_equal(U.attrs->n_asns, 3);
	assert_int_equal(U.attrs->asns[0], 100);
	assert_int_equal(U.attrs->asns[1], 4200000000u);
	assert_int_equal(U.attrs->asns[2], 65001);

	/* A confederation segment leading AS_PATH is kept. */
	at.n = 0;
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 2, 3, 1, 0, 7, 2, 2, 0x5b, 0xa0, 0xfd, 0xe9);
	NH_192_0_2_1(&at);
	ATTR(&at, 0xc0, 17, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_segs, 2);
	assert_int_equal(U.attrs->segs[0].type, RS_AS_CONFED_SEQUENCE);
	assert_int_equal(U.attrs->asns[0], 7);
	assert_int_equal(U.attrs->asns[1], 4200000000u);

	/* AS4_PATH longer than AS_PATH: ignored. */
	at.n = 0;
	base_attrs(&at, false, 0);
	ATTR(&at, 0xc0, 17, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_asns, 1);
	assert_int_equal(U.attrs->asns[0], 65001);
	assert_true(rs_bgp_update_discarded(&U, 17));

	/* A malformed AS4_PATH is attribute discard (RFC 6793 6). */
	at.n = 0;
	base_attrs(&at, false, 0);
	ATTR(&at, 0xc0, 17, 0, 1, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_true(rs_bgp_update_discarded(&U, 17));
	/* So is one with the wrong flags. */
	at.n = 0;
	base_attrs(&at, false, 0);
	ATTR(&at, 0x80, 17, 2, 1, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_true(rs_bgp_update_discarded(&U, 17));
}

static void test_as4_aggregator(void **state)
{
	(void)state;
	/* AGGREGATOR with AS_TRANS: AS4_AGGREGATOR has the real AS. */
	struct bytes at = {0};
	base_attrs(&at, false, 0);
	ATTR(&at, 0xc0, 7, 0x5b, 0xa0, 10, 0, 0, 1);
	ATTR(&at, 0xc0, 18, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 1);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_raw, 1);
	const uint8_t want[] = {0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 1};
	assert_int_equal(U.attrs->raw[0].type, 7);
	assert_int_equal(U.attrs->raw[0].len, 8);
	assert_memory_equal(U.attrs->raw[0].value, want, 8);

	/* AGGREGATOR not AS_TRANS: AS4_AGGREGATOR and AS4_PATH ignored. */
	at.n = 0;
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 2, 2, 2, 0x5b, 0xa0, 0xfd, 0xe9);
	NH_192_0_2_1(&at);
	ATTR(&at, 0xc0, 7, 0xfd, 0xe9, 10, 0, 0, 1);
	ATTR(&at, 0xc0, 17, 2, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9);
	ATTR(&at, 0xc0, 18, 0xfa, 0x56, 0xea, 0x00, 10, 0, 0, 1);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->asns[0], RS_BGP_AS_TRANS);
	assert_true(rs_bgp_update_discarded(&U, 17));
	assert_true(rs_bgp_update_discarded(&U, 18));
	const uint8_t want2[] = {0, 0, 0xfd, 0xe9, 10, 0, 0, 1};
	assert_memory_equal(U.attrs->raw[0].value, want2, 8);
}

/* Sending to a 2-octet peer: AS_TRANS in AS_PATH and AGGREGATOR, the real
 * values in AS4_PATH and AS4_AGGREGATOR; and back. */
static void test_as4_build_old_peer(void **state)
{
	(void)state;
	struct rs_attrs *a = full_attrs(4200000000u);
	const struct rsemu_prefix p = {0x0a000000, 8};
	assert_int_equal(build(NULL, 0, &p, 1, a, EBGP2), 1);
	uint8_t flags = 0;
	size_t alen = 0;
	const uint8_t *v = find_attr(C.msg[0], C.len[0], 2, &flags, &alen);
	const uint8_t path2[] = {2, 2, 0x5b, 0xa0, 0xfd, 0xe9,
				 1, 2, 0xfd, 0xf2, 0xfd, 0xf3};
	assert_int_equal(alen, sizeof(path2));
	assert_memory_equal(v, path2, sizeof(path2));
	v = find_attr(C.msg[0], C.len[0], 17, &flags, &alen);
	assert_non_null(v);
	assert_int_equal(flags, 0xc0);
	assert_int_equal(alen, 2 + 8 + 2 + 8);
	v = find_attr(C.msg[0], C.len[0], 7, &flags, &alen);
	const uint8_t aggr2[] = {0x5b, 0xa0, 10, 0, 0, 1};
	assert_int_equal(alen, 6);
	assert_memory_equal(v, aggr2, 6);
	v = find_attr(C.msg[0], C.len[0], 18, &flags, &alen);
	assert_non_null(v);
	assert_int_equal(alen, 8);
	parse_msg(0, EBGP2);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_attrs_equal_but_partial(a, U.attrs);
	rs_attrs_unref(a);

	/* All ASNs fit in two octets: no AS4_PATH, no AS4_AGGREGATOR. */
	const uint32_t asns[] = {65515, 65001};
	a = rs_attrs_new_seq(RS_ORIGIN_IGP, 0x0a000004, asns, 2, NULL, 0);
	assert_int_equal(build(NULL, 0, &p, 1, a, EBGP2), 1);
	assert_null(find_attr(C.msg[0], C.len[0], 17, &flags, &alen));
	assert_null(find_attr(C.msg[0], C.len[0], 18, &flags, &alen));
	rs_attrs_unref(a);
}

/* ---- RFC 7606, one test per case class -------------------------------- */

/* ORIGIN (7606 7.1). */
static void test_7606_origin_value(void **state)
{
	(void)state;
	const uint8_t bad[] = {3, 4, 255};
	for (size_t i = 0; i < sizeof(bad); i++) {
		struct bytes at = {0};
		ATTR(&at, 0x40, 1, bad[i]);
		base_attrs(&at, true, 1);
		parse_at(&at, EBGP4);
		expect_withdraw(RS_BGP_UPD_INVALID_ORIGIN);
		const uint8_t data[] = {0x40, 1, 1, bad[i]};
		assert_int_equal(U.notify.data_len, 4);
		assert_memory_equal(U.notify.data, data, 4);
	}
}

static void test_7606_origin_length(void **state)
{
	(void)state;
	struct bytes at = {0};
	ATTR(&at, 0x40, 1, 0, 0);
	base_attrs(&at, true, 1);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
	at.n = 0;
	attr(&at, 0x40, 1, NULL, 0);
	base_attrs(&at, true, 1);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
}

/* RFC 7606 3 (c): Optional/Transitive in conflict; RFC 4271: Partial on a
 * well-known attribute. */
static void test_7606_flags(void **state)
{
	(void)state;
	struct bytes at = {0};
	ATTR(&at, 0xc0, 1, 0);
	base_attrs(&at, true, 1);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);
	const uint8_t data[] = {0xc0, 1, 1, 0};
	assert_memory_equal(U.notify.data, data, 4);

	at.n = 0;
	ATTR(&at, 0x60, 1, 0);
	base_attrs(&at, true, 1);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);

	at.n = 0;
	base_attrs(&at, true, 2);
	ATTR(&at, 0xc0, 2, 2, 1, 0, 0, 0xfd, 0xe9);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);

	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 4, 0, 0, 0, 10); /* MED transitive */
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);

	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x80, 8, 0xff, 0xff, 0, 1); /* COMMUNITIES non-transitive */
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);

	/* Partial is fine on an optional transitive attribute, and the low
	 * four bits are ignored. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0xe3, 8, 0xff, 0xff, 0, 1);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_communities, 1);
}

/* AS_PATH (7606 7.2, RFC 7607). */
static void as_path_bad(const uint8_t *v, size_t len, bool as4)
{
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	attr(&at, 0x40, 2, v, len);
	NH_192_0_2_1(&at);
	parse_at(&at, as4 ? EBGP4 : EBGP2);
	expect_withdraw(RS_BGP_UPD_MALFORMED_AS_PATH);
	assert_int_equal(U.notify.data_len, 0);
}

static void test_7606_as_path_overrun(void **state)
{
	(void)state;
	const uint8_t v[] = {2, 255, 0, 0, 0xfd, 0xe9};
	as_path_bad(v, sizeof(v), true);
	const uint8_t v2[] = {2, 2, 0xfd, 0xe9}; /* 2-octet: one ASN short */
	as_path_bad(v2, sizeof(v2), false);
	/* A 2-octet path read on a 4-octet session overruns too. */
	const uint8_t v3[] = {2, 3, 0xfd, 0xe9, 0xfd, 0xea, 0xfd, 0xeb};
	as_path_bad(v3, sizeof(v3), true);
	/* A lone byte after the last segment. */
	const uint8_t v4[] = {2, 1, 0, 0, 0xfd, 0xe9, 2};
	as_path_bad(v4, sizeof(v4), true);
}

static void test_7606_as_path_zero_length_segment(void **state)
{
	(void)state;
	const uint8_t v[] = {2, 0};
	as_path_bad(v, sizeof(v), true);
	const uint8_t v2[] = {2, 1, 0, 0, 0xfd, 0xe9, 2, 0};
	as_path_bad(v2, sizeof(v2), true);
}

static void test_7606_as_path_segment_type(void **state)
{
	(void)state;
	const uint8_t types[] = {0, 5, 255};
	for (size_t i = 0; i < sizeof(types); i++) {
		const uint8_t v[] = {types[i], 1, 0, 0, 0xfd, 0xe9};
		as_path_bad(v, sizeof(v), true);
	}
	/* Every defined type is accepted, confederations included. */
	for (uint8_t t = 1; t <= 4; t++) {
		struct bytes at = {0};
		ORIGIN_IGP(&at);
		ATTR(&at, 0x40, 2, t, 1, 0, 0, 0xfd, 0xe9);
		NH_192_0_2_1(&at);
		parse_at(&at, EBGP4);
		expect_ok();
		assert_int_equal(U.attrs->segs[0].type, t);
	}
}

static void test_7606_as_path_as0(void **state)
{
	(void)state;
	const uint8_t v[] = {2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0, 0};
	as_path_bad(v, sizeof(v), true);
	const uint8_t v2[] = {2, 1, 0, 0};
	as_path_bad(v2, sizeof(v2), false);
}

/* An empty AS_PATH is valid (iBGP, locally originated). */
static void test_7606_as_path_empty(void **state)
{
	(void)state;
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	attr(&at, 0x40, 2, NULL, 0);
	NH_192_0_2_1(&at);
	parse_at(&at, IBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_segs, 0);
}

/* NEXT_HOP (7606 7.3; RFC 4271 6.3 syntactic validity). */
static void test_7606_next_hop_length(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 3);
	ATTR(&at, 0x40, 3, 192, 0, 2, 1, 0);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
	const uint8_t data[] = {0x40, 3, 5, 192, 0, 2, 1, 0};
	assert_int_equal(U.notify.data_len, sizeof(data));
	assert_memory_equal(U.notify.data, data, sizeof(data));
}

static void test_7606_next_hop_martian(void **state)
{
	(void)state;
	const uint8_t bad[][4] = {
		{0, 0, 0, 0}, {0, 1, 2, 3}, {127, 0, 0, 1}, {224, 0, 0, 1},
		{239, 255, 255, 255}, {240, 0, 0, 1}, {255, 255, 255, 255},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bytes at = {0};
		base_attrs(&at, true, 3);
		attr(&at, 0x40, 3, bad[i], 4);
		parse_at(&at, EBGP4);
		expect_withdraw(RS_BGP_UPD_INVALID_NEXT_HOP);
	}
}

/* MULTI_EXIT_DISC (7606 7.4). */
static void test_7606_med_length(void **state)
{
	(void)state;
	const uint8_t lens[] = {0, 3, 5};
	const uint8_t v[5] = {0, 0, 0, 0, 10};
	for (size_t i = 0; i < sizeof(lens); i++) {
		struct bytes at = {0};
		base_attrs(&at, true, 0);
		attr(&at, 0x80, 4, v, lens[i]);
		parse_at(&at, EBGP4);
		expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
	}
}

/* LOCAL_PREF (7606 7.5). */
static void test_7606_local_pref_length(void **state)
{
	(void)state;
	const uint8_t lens[] = {0, 3, 5};
	const uint8_t v[5] = {0, 0, 0, 0, 100};
	for (size_t i = 0; i < sizeof(lens); i++) {
		struct bytes at = {0};
		base_attrs(&at, true, 0);
		attr(&at, 0x40, 5, v, lens[i]);
		parse_at(&at, IBGP4);
		expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
	}
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 5, 0, 0, 0, 100);
	parse_at(&at, IBGP4);
	expect_withdraw(RS_BGP_UPD_ATTR_FLAGS);
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 5, 0, 0, 0, 100);
	parse_at(&at, IBGP4);
	expect_ok();
	assert_true(U.attrs->has_local_pref);
	assert_int_equal(U.attrs->local_pref, 100);
}

static void test_7606_local_pref_ebgp(void **state)
{
	(void)state;
	/* From an external peer it is discarded, well-formed or not. */
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 5, 0, 0, 0, 100);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_false(U.attrs->has_local_pref);
	assert_true(rs_bgp_update_discarded(&U, 5));
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 5, 0, 0, 100);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_false(U.attrs->has_local_pref);
	assert_true(rs_bgp_update_discarded(&U, 5));
}

/* ATOMIC_AGGREGATE (7606 7.6): attribute discard. */
static void test_7606_atomic_aggregate_length(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 6, 1);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_false(U.attrs->atomic_aggregate);
	assert_true(rs_bgp_update_discarded(&U, 6));
	assert_int_equal(U.n_discarded, 1);
	at.n = 0;
	base_attrs(&at, true, 0);
	attr(&at, 0x40, 6, NULL, 0);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_true(U.attrs->atomic_aggregate);
	assert_int_equal(U.n_discarded, 0);
}

/* AGGREGATOR (7606 7.7): attribute discard. */
static void test_7606_aggregator_length(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 7, 0xfd, 0xe9, 10, 0, 0, 1); /* 6 on a 4-octet session */
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_raw, 0);
	assert_true(rs_bgp_update_discarded(&U, 7));
	at.n = 0;
	base_attrs(&at, false, 0);
	ATTR(&at, 0xc0, 7, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1); /* 8 on 2-octet */
	parse_at(&at, EBGP2);
	expect_ok();
	assert_true(rs_bgp_update_discarded(&U, 7));
	/* AS 0 (RFC 7607). */
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 7, 0, 0, 0, 0, 10, 0, 0, 1);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_true(rs_bgp_update_discarded(&U, 7));
	/* Well-formed: kept, in 4-octet form. */
	at.n = 0;
	base_attrs(&at, false, 0);
	ATTR(&at, 0xc0, 7, 0xfd, 0xe9, 10, 0, 0, 1);
	parse_at(&at, EBGP2);
	expect_ok();
	assert_int_equal(U.attrs->n_raw, 1);
	assert_int_equal(U.attrs->raw[0].len, 8);
}

/* COMMUNITIES (7606 7.8): a non-zero multiple of 4. */
static void test_7606_communities_length(void **state)
{
	(void)state;
	const uint8_t lens[] = {0, 3, 5, 7};
	const uint8_t v[8] = {0xff, 0xff, 0xff, 0x02, 0xfd, 0xe9, 0, 1};
	for (size_t i = 0; i < sizeof(lens); i++) {
		struct bytes at = {0};
		base_attrs(&at, true, 0);
		attr(&at, 0xc0, 8, v, lens[i]);
		parse_at(&at, EBGP4);
		expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
	}
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	attr(&at, 0xc0, 8, v, 8);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_true(rs_attrs_has_community(U.attrs, RSEMU_NO_ADVERTISE));
}

/* EXTENDED COMMUNITIES (7606 7.14) and LARGE COMMUNITIES (RFC 8092 6). */
static void test_7606_ext_large_communities(void **state)
{
	(void)state;
	const uint8_t v[13] = {0};
	const struct {
		uint8_t type, len;
		bool ok;
	} cases[] = {
		{16, 0, false}, {16, 9, false}, {16, 8, true},
		{32, 0, false}, {32, 13, false}, {32, 12, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bytes at = {0};
		base_attrs(&at, true, 0);
		attr(&at, 0xc0, cases[i].type, v, cases[i].len);
		parse_at(&at, EBGP4);
		if (cases[i].ok) {
			expect_ok();
			assert_int_equal(U.attrs->n_raw, 1);
		} else {
			expect_withdraw(RS_BGP_UPD_ATTR_LENGTH);
		}
	}
}

/* RFC 7606 3 (d): mandatory attributes missing with NLRI. */
static void test_7606_missing_mandatory(void **state)
{
	(void)state;
	for (uint8_t skip = 1; skip <= 3; skip++) {
		struct bytes at = {0};
		base_attrs(&at, true, skip);
		parse_at(&at, EBGP4);
		expect_withdraw(RS_BGP_UPD_MISSING_WK_ATTR);
		assert_int_equal(U.notify.data_len, 1);
		assert_int_equal(U.notify.data[0], skip);
	}
	/* No attributes at all. */
	struct bytes at = {0};
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_MISSING_WK_ATTR);
	assert_int_equal(U.notify.data[0], 1);
}

/* MP_REACH_NLRI for IPv4 unicast: NEXT_HOP is not needed (RFC 4760). */
static void test_update_mp_ipv4(void **state)
{
	(void)state;
	struct bytes at = {0}, none = {0};
	ATTR(&at, 0x80, 14, 0, 1, 1, 4, 192, 0, 2, 9, 0, 24, 10, 1, 2, 8, 11);
	ATTR(&at, 0x80, 15, 0, 1, 1, 16, 10, 99);
	base_attrs(&at, true, 3);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_nlri, 2);
	assert_int_equal(U.nlri[0].addr, 0x0a010200);
	assert_int_equal(U.nlri[1].addr, 0x0b000000);
	assert_int_equal(U.n_withdrawn, 1);
	assert_int_equal(U.withdrawn[0].addr, 0x0a630000);
	assert_int_equal(U.attrs->next_hop, 0xc0000209);

	/* MP_UNREACH_NLRI alone, IPv4. */
	at.n = 0;
	ATTR(&at, 0x80, 15, 0, 1, 1, 16, 10, 99);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_withdrawn, 1);
	assert_false(U.end_of_rib);

	/* Another family is ignored: no prefixes, no error, no attributes
	 * required. */
	at.n = 0;
	ATTR(&at, 0x80, 14, 0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0,
	     0, 0, 0, 0, 0, 1, 0, 32, 0x20, 1, 0xd, 0xb8);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_nlri, 0);
	assert_null(U.attrs);

	/* A malformed attribute beside IPv6 NLRI only: treat as withdraw,
	 * which withdraws nothing here (RFC 7606 5.2 does not apply). */
	ATTR(&at, 0x40, 1, 7);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_TREAT_AS_WITHDRAW);
	assert_int_equal(U.n_withdrawn, 0);
}

/* RFC 7606 7.11 / RFC 4760 7: MP_* that cannot be read reset the session. */
static void test_7606_mp_malformed(void **state)
{
	(void)state;
	struct bytes at = {0}, none = {0};
	base_attrs(&at, true, 0);
	/* IPv4 unicast with a 16-byte next hop: inconsistent. */
	ATTR(&at, 0x80, 14, 0, 1, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0,
	     0, 0, 0, 0, 1, 0, 24, 10, 1, 2);
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_OPTIONAL_ATTR);
	assert_int_equal(U.notify.data[1], 14);
	/* A prefix running past the attribute. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x80, 14, 0, 1, 1, 4, 192, 0, 2, 9, 0, 24, 10, 1);
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_OPTIONAL_ATTR);
	/* MP_UNREACH too short to hold AFI/SAFI. */
	at.n = 0;
	ATTR(&at, 0x80, 15, 0, 1);
	parse(&none, &at, &none, EBGP4);
	expect_reset(RS_BGP_UPD_OPTIONAL_ATTR);
	/* A martian MP next hop is treat-as-withdraw, like NEXT_HOP. */
	at.n = 0;
	base_attrs(&at, true, 3);
	ATTR(&at, 0x80, 14, 0, 1, 1, 4, 127, 0, 0, 1, 0, 24, 10, 1, 2);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_TREAT_AS_WITHDRAW);
	assert_int_equal(U.notify.subcode, RS_BGP_UPD_INVALID_NEXT_HOP);
	assert_int_equal(U.n_withdrawn, 1);
	/* Wrong flags on MP_REACH: treat as withdraw, its NLRI withdrawn. */
	at.n = 0;
	base_attrs(&at, true, 3);
	ATTR(&at, 0xc0, 14, 0, 1, 1, 4, 192, 0, 2, 9, 0, 24, 10, 1, 2);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_TREAT_AS_WITHDRAW);
	assert_int_equal(U.notify.subcode, RS_BGP_UPD_ATTR_FLAGS);
	assert_int_equal(U.n_withdrawn, 1);
	assert_int_equal(U.withdrawn[0].addr, 0x0a010200);
}

/* RFC 4271 6.3: attributes without NLRI are a valid UPDATE; RFC 7606 5.2:
 * but an error in them other than a discard resets the session. */
static void test_7606_attrs_without_nlri(void **state)
{
	(void)state;
	struct bytes at = {0}, none = {0};
	base_attrs(&at, true, 0);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_int_equal(U.n_nlri + U.n_withdrawn, 0);
	assert_null(U.attrs);
	assert_false(U.end_of_rib);

	/* A discard-class error stays a discard. */
	ATTR(&at, 0x40, 6, 1);
	parse(&none, &at, &none, EBGP4);
	assert_int_equal(U.action, RS_BGP_UPDATE_OK);
	assert_true(rs_bgp_update_discarded(&U, 6));

	/* A treat-as-withdraw error becomes a reset, with its NOTIFICATION. */
	at.n = 0;
	ATTR(&at, 0x40, 1, 9);
	base_attrs(&at, true, 1);
	parse(&none, &at, &none, EBGP4);
	expect_reset(RS_BGP_UPD_INVALID_ORIGIN);
	assert_int_equal(U.notify.data_len, 4);

	/* Even beside withdrawals. */
	struct bytes wd = {0};
	ADD(&wd, 8, 10);
	parse(&wd, &at, &none, EBGP4);
	expect_reset(RS_BGP_UPD_INVALID_ORIGIN);
}

/* RFC 7606 3 (g). */
static void test_7606_duplicate_attribute(void **state)
{
	(void)state;
	struct bytes at = {0};
	ORIGIN_IGP(&at);
	ATTR(&at, 0x40, 1, 2);
	base_attrs(&at, true, 1);
	ATTR(&at, 0x40, 3, 10, 0, 0, 1);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->origin, RS_ORIGIN_IGP);
	assert_int_equal(U.attrs->next_hop, 0xc0000201);
	assert_true(rs_bgp_update_discarded(&U, 1));
	assert_true(rs_bgp_update_discarded(&U, 3));
	assert_int_equal(U.n_discarded, 2);
	/* Even a malformed repeat is only discarded. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 1, 9);
	parse_at(&at, EBGP4);
	expect_ok();
	/* But a repeated MP_REACH_NLRI or MP_UNREACH_NLRI resets. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x80, 15, 0, 1, 1);
	ATTR(&at, 0x80, 15, 0, 1, 1);
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_MALFORMED_ATTR_LIST);
	at.n = 0;
	base_attrs(&at, true, 0);
	ATTR(&at, 0x80, 14, 0, 2, 1, 0, 0);
	ATTR(&at, 0x80, 14, 0, 2, 1, 0, 0);
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_MALFORMED_ATTR_LIST);
}

/* RFC 7606 4: an attribute running past the Path Attributes field is
 * treat-as-withdraw, the NLRI found from Total Attribute Length; with no
 * NLRI, 5.2 makes it a reset (3/1). */
static void test_7606_attr_overrun(void **state)
{
	(void)state;
	struct bytes at = {0}, none = {0};
	base_attrs(&at, true, 0);
	ADD(&at, 0xc0, 8, 8, 0xff, 0xff, 0, 1); /* says 8, has 4 */
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_MALFORMED_ATTR_LIST);
	/* A header cut short: flags and type only; extended length with one
	 * length byte. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ADD(&at, 0xc0, 8);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_MALFORMED_ATTR_LIST);
	at.n = 0;
	base_attrs(&at, true, 0);
	ADD(&at, 0xd0, 8, 0);
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_MALFORMED_ATTR_LIST);
	/* No NLRI: session reset. */
	at.n = 0;
	base_attrs(&at, true, 0);
	ADD(&at, 0xc0, 8, 8, 0xff, 0xff, 0, 1);
	parse(&none, &at, &none, EBGP4);
	expect_reset(RS_BGP_UPD_MALFORMED_ATTR_LIST);
}

/* RFC 4271 6.3 and RFC 4271 5: unrecognized attributes. */
static void test_7606_unrecognized_well_known(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 99, 1, 2, 3);
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_UNRECOGNIZED_WK_ATTR);
	const uint8_t data[] = {0x40, 99, 3, 1, 2, 3};
	assert_int_equal(U.notify.data_len, sizeof(data));
	assert_memory_equal(U.notify.data, data, sizeof(data));
}

static void test_7606_unknown_optional_transitive(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0xc0, 99, 1, 2, 3);
	ATTR(&at, 0xe0, 98, 4); /* already Partial */
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_raw, 2);
	assert_int_equal(U.attrs->raw[0].type, 98); /* kept in type order */
	assert_int_equal(U.attrs->raw[1].type, 99);
	assert_int_equal(U.attrs->raw[1].flags, 0xc0);
	assert_int_equal(U.attrs->raw[1].len, 3);
	const uint8_t v[] = {1, 2, 3};
	assert_memory_equal(U.attrs->raw[1].value, v, 3);
	/* Passed on with Partial. */
	struct rs_attrs *a = rs_attrs_ref(U.attrs);
	const struct rsemu_prefix p = {0x0a000000, 8};
	assert_int_equal(build(NULL, 0, &p, 1, a, EBGP4), 1);
	uint8_t flags = 0;
	size_t alen = 0;
	const uint8_t *got = find_attr(C.msg[0], C.len[0], 99, &flags, &alen);
	assert_non_null(got);
	assert_int_equal(flags, 0xe0);
	assert_int_equal(alen, 3);
	assert_memory_equal(got, v, 3);
	assert_non_null(find_attr(C.msg[0], C.len[0], 98, &flags, &alen));
	assert_int_equal(flags, 0xe0);
	rs_attrs_unref(a);
}

static void test_7606_unknown_optional_non_transitive(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0x80, 99, 1, 2, 3);
	ATTR(&at, 0x80, 9, 10, 0, 0, 1); /* ORIGINATOR_ID: not ours either */
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.attrs->n_raw, 0);
	assert_true(rs_bgp_update_discarded(&U, 99));
	assert_true(rs_bgp_update_discarded(&U, 9));
}

/* RFC 7606 5.3: syntactically incorrect NLRI field. */
static void test_7606_nlri_length_33(void **state)
{
	(void)state;
	struct bytes at = {0}, wd = {0}, nlri = {0};
	base_attrs(&at, true, 0);
	ADD(&nlri, 24, 10, 1, 2, 33, 10, 0, 0, 0, 0);
	parse(&wd, &at, &nlri, EBGP4);
	expect_reset(RS_BGP_UPD_INVALID_NETWORK);
	nlri.n = 0;
	ADD(&nlri, 24, 10, 1); /* runs past the end */
	parse(&wd, &at, &nlri, EBGP4);
	expect_reset(RS_BGP_UPD_INVALID_NETWORK);
	/* The same in Withdrawn Routes. */
	nlri.n = 0;
	ADD(&wd, 33, 10, 0, 0, 0, 0);
	parse(&wd, &at, &nlri, EBGP4);
	expect_reset(RS_BGP_UPD_INVALID_NETWORK);
}

/* RFC 4271 6.3: lengths that run past the message. */
static void test_7606_withdrawn_length_overrun(void **state)
{
	(void)state;
	struct bytes m = {0};
	header(&m, 25, RS_BGP_UPDATE);
	ADD(&m, 0, 5, 8, 10, 0, 0);
	assert_int_equal(rs_bgp_update_parse(m.b, m.n, &EBGP4, &U), 0);
	expect_reset(RS_BGP_UPD_MALFORMED_ATTR_LIST);
	/* Total Path Attribute Length past the end. */
	m.n = 0;
	header(&m, 25, RS_BGP_UPDATE);
	ADD(&m, 0, 0, 0, 9, 0x40, 1);
	assert_int_equal(rs_bgp_update_parse(m.b, m.n, &EBGP4, &U), 0);
	expect_reset(RS_BGP_UPD_MALFORMED_ATTR_LIST);
}

/* RFC 7606 3 (h): the strongest action wins; among equals, the first. */
static void test_7606_several_errors(void **state)
{
	(void)state;
	struct bytes at = {0};
	ATTR(&at, 0x40, 1, 9);              /* treat as withdraw, 3/6 */
	path_65001(&at, true);
	ATTR(&at, 0x40, 3, 0, 0, 0, 0);     /* treat as withdraw, 3/8 */
	ATTR(&at, 0x40, 6, 1);              /* discard */
	parse_at(&at, EBGP4);
	expect_withdraw(RS_BGP_UPD_INVALID_ORIGIN);
	assert_true(rs_bgp_update_discarded(&U, 6));
	ATTR(&at, 0x40, 77, 0);             /* reset */
	parse_at(&at, EBGP4);
	expect_reset(RS_BGP_UPD_UNRECOGNIZED_WK_ATTR);
}

/* The same struct is reused: nothing of the previous UPDATE remains. */
static void test_update_reuse(void **state)
{
	(void)state;
	struct bytes at = {0};
	base_attrs(&at, true, 0);
	ATTR(&at, 0x40, 6, 1);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.n_discarded, 1);
	at.n = 0;
	base_attrs(&at, true, 0);
	parse_at(&at, EBGP4);
	expect_ok();
	assert_int_equal(U.n_discarded, 0);
	assert_int_equal(U.notify.code, 0);
}

#define T(f) cmocka_unit_test_teardown(f, release)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_frame_keepalive),
		T(test_frame_partial_body),
		T(test_frame_bad_marker),
		T(test_frame_bad_length),
		T(test_frame_bad_type),
		T(test_frame_max_length),
		T(test_notification_roundtrip),
		T(test_route_refresh_roundtrip),
		T(test_notify_names),
		T(test_open_roundtrip),
		T(test_open_errors),
		T(test_open_capabilities),
		T(test_update_roundtrip),
		T(test_update_eor),
		T(test_update_host_bits),
		T(test_update_build_split),
		T(test_update_build_emit_error),
		T(test_update_extended_length),
		T(test_update_mp_ipv4),
		T(test_update_reuse),
		T(test_as4_session),
		T(test_as4_merge),
		T(test_as4_aggregator),
		T(test_as4_build_old_peer),
		T(test_7606_origin_value),
		T(test_7606_origin_length),
		T(test_7606_flags),
		T(test_7606_as_path_overrun),
		T(test_7606_as_path_zero_length_segment),
		T(test_7606_as_path_segment_type),
		T(test_7606_as_path_as0),
		T(test_7606_as_path_empty),
		T(test_7606_next_hop_length),
		T(test_7606_next_hop_martian),
		T(test_7606_med_length),
		T(test_7606_local_pref_length),
		T(test_7606_local_pref_ebgp),
		T(test_7606_atomic_aggregate_length),
		T(test_7606_aggregator_length),
		T(test_7606_communities_length),
		T(test_7606_ext_large_communities),
		T(test_7606_missing_mandatory),
		T(test_7606_mp_malformed),
		T(test_7606_attrs_without_nlri),
		T(test_7606_duplicate_attribute),
		T(test_7606_attr_overrun),
		T(test_7606_unrecognized_well_known),
		T(test_7606_unknown_optional_transitive),
		T(test_7606_unknown_optional_non_transitive),
		T(test_7606_nlri_length_33),
		T(test_7606_withdrawn_length_overrun),
		T(test_7606_several_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
