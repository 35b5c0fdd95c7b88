/* The BGP-4 wire codec (see bgp_msg.h). Packet bytes are read only through
 * the bounded reader `struct rd` and written only through the bounded
 * writer `struct wr`: every access checks the length left first. UPDATE
 * attributes are a table, one row per type, each with its flags, its RFC
 * 7606 error handling and its decoder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"

/* ---- bounded reader ---------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static struct rd rd_init(const uint8_t *p, size_t len)
{
	return (struct rd){.p = p, .len = p != NULL ? len : 0, .off = 0};
}

static size_t rd_left(const struct rd *r)
{
	return r->len - r->off;
}

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (rd_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static bool rd_u16(struct rd *r, uint16_t *v)
{
	if (rd_left(r) < 2)
		return false;
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return true;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
	if (rd_left(r) < 4)
		return false;
	*v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
	     (uint32_t)r->p[r->off + 2] << 8 | (uint32_t)r->p[r->off + 3];
	r->off += 4;
	return true;
}

static bool rd_skip(struct rd *r, size_t n)
{
	if (rd_left(r) < n)
		return false;
	r->off += n;
	return true;
}

static bool rd_copy(struct rd *r, void *dst, size_t n)
{
	if (rd_left(r) < n)
		return false;
	if (n > 0)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool rd_peek_u8(const struct rd *r, uint8_t *v)
{
	struct rd c = *r;
	return rd_u8(&c, v);
}

/* The next n bytes as a reader of their own; skips them in r. */
static bool rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (rd_left(r) < n)
		return false;
	*sub = rd_init(r->p + r->off, n);
	r->off += n;
	return true;
}

/* The bytes `from` had and `to` has consumed since, as a reader (to must
 * be from, read further). */
static void rd_span(const struct rd *from, const struct rd *to, struct rd *out)
{
	*out = rd_init(from->p + from->off, to->off - from->off);
}

/* What is left of r as a pointer, for values copied by rs_attrs_new. */
static const uint8_t *rd_rest(const struct rd *r)
{
	return r->p != NULL ? r->p + r->off : NULL;
}

/* ---- bounded writer ---------------------------------------------------- */

struct wr {
	uint8_t *p;
	size_t size;
	size_t off;
	bool err; /* ran out of room; later writes do nothing */
};

static struct wr wr_init(uint8_t *p, size_t size)
{
	return (struct wr){.p = p, .size = p != NULL ? size : 0};
}

static bool wr_room(struct wr *w, size_t n)
{
	if (w->err || w->size - w->off < n) {
		w->err = true;
		return false;
	}
	return true;
}

static void wr_u8(struct wr *w, uint8_t v)
{
	if (wr_room(w, 1))
		w->p[w->off++] = v;
}

static void wr_u16(struct wr *w, uint16_t v)
{
	if (wr_room(w, 2)) {
		w->p[w->off++] = (uint8_t)(v >> 8);
		w->p[w->off++] = (uint8_t)v;
	}
}

static void wr_u32(struct wr *w, uint32_t v)
{
	if (wr_room(w, 4)) {
		w->p[w->off++] = (uint8_t)(v >> 24);
		w->p[w->off++] = (uint8_t)(v >> 16);
		w->p[w->off++] = (uint8_t)(v >> 8);
		w->p[w->off++] = (uint8_t)v;
	}
}

static void wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (n > 0 && wr_room(w, n)) {
		memcpy(w->p + w->off, src, n);
		w->off += n;
	}
}

static void wr_patch8(struct wr *w, size_t at, uint8_t v)
{
	if (!w->err && at < w->off)
		w->p[at] = v;
}

static void wr_patch16(struct wr *w, size_t at, uint16_t v)
{
	if (!w->err && at + 2 <= w->off) {
		w->p[at] = (uint8_t)(v >> 8);
		w->p[at + 1] = (uint8_t)v;
	}
}

/* Marker, a length to patch by wr_finish, type. */
static void wr_header(struct wr *w, uint8_t type)
{
	static const uint8_t marker[RS_BGP_MARKER_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	wr_bytes(w, marker, sizeof(marker));
	wr_u16(w, 0);
	wr_u8(w, type);
}

/* Patches the header's length; the message length or -ENOSPC. */
static int wr_finish(struct wr *w)
{
	if (w->err || w->off > RS_BGP_MAX_LEN)
		return -ENOSPC;
	wr_patch16(w, RS_BGP_MARKER_LEN, (uint16_t)w->off);
	return (int)w->off;
}

/* ---- NOTIFICATION helpers ---------------------------------------------- */

void rs_bgp_notify_set(struct rs_bgp_notify *n, uint8_t code, uint8_t subcode)
{
	n->code = code;
	n->subcode = subcode;
	n->data_len = 0;
}

/* Sets code/subcode and copies up to RS_BGP_NOTIFY_DATA_MAX bytes of data
 * read from r (a copy of the caller's reader). */
static void notify_from(struct rs_bgp_notify *n, uint8_t code, uint8_t subcode,
			struct rd r)
{
	rs_bgp_notify_set(n, code, subcode);
	size_t len = rd_left(&r);
	if (len > RS_BGP_NOTIFY_DATA_MAX)
		len = RS_BGP_NOTIFY_DATA_MAX;
	if (rd_copy(&r, n->data, len))
		n->data_len = (uint16_t)len;
}

static void notify_u8(struct rs_bgp_notify *n, uint8_t code, uint8_t subcode,
		      uint8_t v)
{
	rs_bgp_notify_set(n, code, subcode);
	n->data[0] = v;
	n->data_len = 1;
}

static void notify_u16(struct rs_bgp_notify *n, uint8_t code, uint8_t subcode,
		       uint16_t v)
{
	rs_bgp_notify_set(n, code, subcode);
	n->data[0] = (uint8_t)(v >> 8);
	n->data[1] = (uint8_t)v;
	n->data_len = 2;
}

void rs_bgp_notify_max_prefixes(struct rs_bgp_notify *n, uint16_t afi,
				uint8_t safi, uint32_t limit)
{
	rs_bgp_notify_set(n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_MAX_PREFIXES);
	struct wr w = wr_init(n->data, sizeof(n->data));
	wr_u16(&w, afi);
	wr_u8(&w, safi);
	wr_u32(&w, limit);
	n->data_len = (uint16_t)w.off;
}

/* ---- framing ----------------------------------------------------------- */

/* Shortest length of each type (RFC 4271 6.1, RFC 2918 3), and whether it
 * is also the only length allowed. */
static const struct {
	uint16_t min;
	bool exact;
} type_len[] = {
	[RS_BGP_OPEN] = {29, false},
	[RS_BGP_UPDATE] = {23, false},
	[RS_BGP_NOTIFICATION] = {21, false},
	[RS_BGP_KEEPALIVE] = {19, true},
	[RS_BGP_ROUTE_REFRESH] = {23, false},
};

/* The header checks of rs_bgp_frame without a NOTIFICATION to fill: the
 * message length, 0 for more bytes, or -EBADMSG with *sub the Message
 * Header Error subcode and *mlen, *type what was read. */
static int frame_check(struct rd r, uint16_t *mlen, uint8_t *type, uint8_t *sub)
{
	if (rd_left(&r) < RS_BGP_HEADER_LEN)
		return 0;
	size_t have = rd_left(&r);
	for (int i = 0; i < RS_BGP_MARKER_LEN; i++) {
		uint8_t m = 0;
		rd_u8(&r, &m);
		if (m != 0xff) {
			*sub = RS_BGP_HDR_NOT_SYNC;
			return -EBADMSG;
		}
	}
	rd_u16(&r, mlen);
	rd_u8(&r, type);
	uint8_t t = *type;
	if (*mlen < RS_BGP_HEADER_LEN || *mlen > RS_BGP_MAX_LEN) {
		*sub = RS_BGP_HDR_BAD_LENGTH;
		return -EBADMSG;
	}
	if (t < RS_BGP_OPEN || t > RS_BGP_ROUTE_REFRESH) {
		*sub = RS_BGP_HDR_BAD_TYPE;
		return -EBADMSG;
	}
	if (*mlen < type_len[t].min ||
	    (type_len[t].exact && *mlen != type_len[t].min)) {
		*sub = RS_BGP_HDR_BAD_LENGTH;
		return -EBADMSG;
	}
	return have < *mlen ? 0 : *mlen;
}

int rs_bgp_frame(const uint8_t *buf, size_t len, uint8_t *type,
		 struct rs_bgp_notify *err)
{
	uint16_t mlen = 0;
	uint8_t t = 0, sub = 0;
	int rc = frame_check(rd_init(buf, len), &mlen, &t, &sub);
	if (rc > 0)
		*type = t;
	if (rc != -EBADMSG)
		return rc;
	if (sub == RS_BGP_HDR_BAD_LENGTH)
		notify_u16(err, RS_BGP_ERR_HEADER, sub, mlen);
	else if (sub == RS_BGP_HDR_BAD_TYPE)
		notify_u8(err, RS_BGP_ERR_HEADER, sub, t);
	else
		rs_bgp_notify_set(err, RS_BGP_ERR_HEADER, sub);
	return rc;
}

/* For the parsers: msg must be exactly one framed message of type want.
 * Sets *body to what follows the header. */
static int msg_body(const uint8_t *msg, size_t len, uint8_t want,
		    struct rd *body)
{
	uint16_t mlen = 0;
	uint8_t type = 0, sub = 0;
	struct rd r = rd_init(msg, len);
	int n = frame_check(r, &mlen, &type, &sub);
	if (n <= 0 || (size_t)n != len || type != want)
		return -EINVAL;
	rd_skip(&r, RS_BGP_HEADER_LEN);
	*body = r;
	return 0;
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---------------------------- */

int rs_bgp_keepalive_build(uint8_t *buf, size_t size)
{
	struct wr w = wr_init(buf, size);
	wr_header(&w, RS_BGP_KEEPALIVE);
	return wr_finish(&w);
}

int rs_bgp_notification_build(const struct rs_bgp_notify *n, uint8_t *buf,
			      size_t size)
{
	if (n->data_len > RS_BGP_NOTIFY_DATA_MAX)
		return -EINVAL;
	struct wr w = wr_init(buf, size);
	wr_header(&w, RS_BGP_NOTIFICATION);
	wr_u8(&w, n->code);
	wr_u8(&w, n->subcode);
	wr_bytes(&w, n->data, n->data_len);
	return wr_finish(&w);
}

int rs_bgp_notification_parse(const uint8_t *msg, size_t len,
			      struct rs_bgp_notify *n)
{
	struct rd r;
	int rc = msg_body(msg, len, RS_BGP_NOTIFICATION, &r);
	if (rc < 0)
		return rc;
	uint8_t code = 0, subcode = 0;
	rd_u8(&r, &code);
	rd_u8(&r, &subcode);
	notify_from(n, code, subcode, r);
	return 0;
}

int rs_bgp_route_refresh_build(uint16_t afi, uint8_t safi, uint8_t *buf,
			       size_t size)
{
	struct wr w = wr_init(buf, size);
	wr_header(&w, RS_BGP_ROUTE_REFRESH);
	wr_u16(&w, afi);
	wr_u8(&w, 0); /* reserved */
	wr_u8(&w, safi);
	return wr_finish(&w);
}

int rs_bgp_route_refresh_parse(const uint8_t *msg, size_t len, uint16_t *afi,
			       uint8_t *safi)
{
	struct rd r;
	int rc = msg_body(msg, len, RS_BGP_ROUTE_REFRESH, &r);
	if (rc < 0)
		return rc;
	uint8_t reserved = 0;
	if (!rd_u16(&r, afi) || !rd_u8(&r, &reserved) || !rd_u8(&r, safi))
		return -EINVAL;
	return 0;
}

/* ---- OPEN -------------------------------------------------------------- */

enum {
	CAP_MP = 1,
	CAP_ROUTE_REFRESH = 2,
	CAP_AS4 = 65,
	OPT_PARAM_CAPS = 2,
	OPT_PARAM_EXTENDED = 255, /* RFC 9072 */
};

void rs_bgp_open_init(struct rs_bgp_open *o, uint32_t asn, uint16_t hold_time,
		      uint32_t bgp_id)
{
	memset(o, 0, sizeof(*o));
	o->version = RS_BGP_VERSION;
	o->my_as = asn > 0xffff ? RS_BGP_AS_TRANS : (uint16_t)asn;
	o->hold_time = hold_time;
	o->bgp_id = bgp_id;
	o->mp_ipv4_unicast = true;
	o->route_refresh = true;
	o->as4 = true;
	o->as4_asn = asn;
}

int rs_bgp_open_build(const struct rs_bgp_open *o, uint8_t *buf, size_t size)
{
	if (o->n_mp_other > RS_BGP_OPEN_MAX_CAPS ||
	    o->n_other_caps > RS_BGP_OPEN_MAX_CAPS)
		return -EINVAL;
	struct wr w = wr_init(buf, size);
	wr_header(&w, RS_BGP_OPEN);
	wr_u8(&w, o->version);
	wr_u16(&w, o->my_as);
	wr_u16(&w, o->hold_time);
	wr_u32(&w, o->bgp_id);
	size_t optlen_at = w.off;
	wr_u8(&w, 0);
	size_t param_at = w.off;
	wr_u8(&w, OPT_PARAM_CAPS);
	wr_u8(&w, 0);
	size_t caps_at = w.off;
	if (o->mp_ipv4_unicast) {
		wr_u8(&w, CAP_MP);
		wr_u8(&w, 4);
		wr_u16(&w, RS_BGP_AFI_IPV4);
		wr_u8(&w, 0);
		wr_u8(&w, RS_BGP_SAFI_UNICAST);
	}
	for (unsigned i = 0; i < o->n_mp_other; i++) {
		wr_u8(&w, CAP_MP);
		wr_u8(&w, 4);
		wr_u16(&w, o->mp_other[i].afi);
		wr_u8(&w, 0);
		wr_u8(&w, o->mp_other[i].safi);
	}
	if (o->route_refresh) {
		wr_u8(&w, CAP_ROUTE_REFRESH);
		wr_u8(&w, 0);
	}
	if (o->as4) {
		wr_u8(&w, CAP_AS4);
		wr_u8(&w, 4);
		wr_u32(&w, o->as4_asn);
	}
	for (unsigned i = 0; i < o->n_other_caps; i++) {
		wr_u8(&w, o->other_caps[i]);
		wr_u8(&w, 0);
	}
	if (w.err)
		return -ENOSPC;
	size_t caps_len = w.off - caps_at;
	if (caps_len == 0) {
		w.off = param_at; /* no capabilities: no parameter */
	} else if (caps_len > 253) {
		return -EMSGSIZE; /* one parameter holds at most 255 bytes */
	} else {
		wr_patch8(&w, param_at + 1, (uint8_t)caps_len);
	}
	wr_patch8(&w, optlen_at, (uint8_t)(w.off - param_at));
	return wr_finish(&w);
}

static void open_add_other_cap(struct rs_bgp_open *o, uint8_t code)
{
	for (unsigned i = 0; i < o->n_other_caps; i++)
		if (o->other_caps[i] == code)
			return;
	if (o->n_other_caps < RS_BGP_OPEN_MAX_CAPS)
		o->other_caps[o->n_other_caps++] = code;
}

/* One Capabilities optional parameter's value (RFC 5492 4). */
static int open_parse_caps(struct rd caps, struct rs_bgp_open *o,
			   struct rs_bgp_notify *err)
{
	while (rd_left(&caps) > 0) {
		uint8_t code = 0, clen = 0;
		struct rd v;
		if (!rd_u8(&caps, &code) || !rd_u8(&caps, &clen) ||
		    !rd_sub(&caps, clen, &v))
			goto malformed;
		switch (code) {
		case CAP_MP: {
			uint16_t afi = 0;
			uint8_t res = 0, safi = 0;
			if (clen != 4 || !rd_u16(&v, &afi) || !rd_u8(&v, &res) ||
			    !rd_u8(&v, &safi))
				goto malformed;
			if (afi == RS_BGP_AFI_IPV4 && safi == RS_BGP_SAFI_UNICAST) {
				o->mp_ipv4_unicast = true;
				break;
			}
			bool dup = false;
			for (unsigned i = 0; i < o->n_mp_other; i++)
				dup |= o->mp_other[i].afi == afi &&
				       o->mp_other[i].safi == safi;
			if (!dup && o->n_mp_other < RS_BGP_OPEN_MAX_CAPS)
				o->mp_other[o->n_mp_other++] =
					(struct rs_bgp_afi_safi){afi, safi};
			break;
		}
		case CAP_ROUTE_REFRESH:
			o->route_refresh = true; /* value ignored */
			break;
		case CAP_AS4: {
			uint32_t asn = 0;
			if (clen != 4 || !rd_u32(&v, &asn))
				goto malformed;
			if (asn == 0) { /* RFC 7607 */
				rs_bgp_notify_set(err, RS_BGP_ERR_OPEN,
						  RS_BGP_OPEN_BAD_PEER_AS);
				return -EBADMSG;
			}
			o->as4 = true;
			o->as4_asn = asn;
			break;
		}
		default:
			open_add_other_cap(o, code);
		}
	}
	return 0;
malformed:
	rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, 0);
	return -EBADMSG;
}

int rs_bgp_open_parse(const uint8_t *msg, size_t len, struct rs_bgp_open *out,
		      struct rs_bgp_notify *err)
{
	struct rd r;
	int rc = msg_body(msg, len, RS_BGP_OPEN, &r);
	if (rc < 0)
		return rc;
	struct rs_bgp_open parsed, *o = &parsed;
	memset(o, 0, sizeof(*o));
	uint8_t optlen = 0;
	/* The framing guarantees the 10 fixed bytes (length >= 29). */
	if (!rd_u8(&r, &o->version) || !rd_u16(&r, &o->my_as) ||
	    !rd_u16(&r, &o->hold_time) || !rd_u32(&r, &o->bgp_id) ||
	    !rd_u8(&r, &optlen))
		return -EINVAL;
	if (o->version != RS_BGP_VERSION) {
		notify_u16(err, RS_BGP_ERR_OPEN, RS_BGP_OPEN_UNSUP_VERSION,
			   RS_BGP_VERSION);
		return -EBADMSG;
	}
	if (o->my_as == 0) { /* RFC 7607 */
		rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, RS_BGP_OPEN_BAD_PEER_AS);
		return -EBADMSG;
	}
	if (o->hold_time == 1 || o->hold_time == 2) {
		rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, RS_BGP_OPEN_BAD_HOLD_TIME);
		return -EBADMSG;
	}
	if (o->bgp_id == 0) {
		rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, RS_BGP_OPEN_BAD_BGP_ID);
		return -EBADMSG;
	}
	struct rd params;
	bool extended = false;
	uint8_t first = 0;
	if (optlen == 255 && rd_peek_u8(&r, &first) && first == OPT_PARAM_EXTENDED) {
		/* RFC 9072: type 255, then a 2-byte length; parameters then
		 * carry 2-byte lengths too. */
		uint8_t ff = 0;
		uint16_t xlen = 0;
		if (!rd_u8(&r, &ff) || !rd_u16(&r, &xlen) ||
		    !rd_sub(&r, xlen, &params))
			goto malformed;
		extended = true;
	} else if (!rd_sub(&r, optlen, &params)) {
		goto malformed;
	}
	if (rd_left(&r) != 0)
		goto malformed;
	while (rd_left(&params) > 0) {
		uint8_t ptype = 0, plen8 = 0;
		uint16_t plen = 0;
		struct rd v;
		if (!rd_u8(&params, &ptype))
			goto malformed;
		if (extended ? !rd_u16(&params, &plen) : !rd_u8(&params, &plen8))
			goto malformed;
		if (!extended)
			plen = plen8;
		if (!rd_sub(&params, plen, &v))
			goto malformed;
		if (ptype != OPT_PARAM_CAPS) {
			rs_bgp_notify_set(err, RS_BGP_ERR_OPEN,
					  RS_BGP_OPEN_UNSUP_OPT_PARAM);
			return -EBADMSG;
		}
		rc = open_parse_caps(v, o, err);
		if (rc < 0)
			return rc;
	}
	*out = parsed;
	return 0;
malformed:
	rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, 0);
	return -EBADMSG;
}

uint32_t rs_bgp_open_asn(const struct rs_bgp_open *o)
{
	return o->as4 ? o->as4_asn : o->my_as;
}

bool rs_bgp_open_ipv4_unicast(const struct rs_bgp_open *o)
{
	return o->mp_ipv4_unicast || o->n_mp_other == 0;
}

int rs_bgp_open_check_peer_as(const struct rs_bgp_open *o, uint32_t expected,
			      struct rs_bgp_notify *err)
{
	if (rs_bgp_open_asn(o) == expected)
		return 0;
	rs_bgp_notify_set(err, RS_BGP_ERR_OPEN, RS_BGP_OPEN_BAD_PEER_AS);
	return -EBADMSG;
}

/* ---- prefixes ---------------------------------------------------------- */

/* Reads <length, prefix> pairs until r is empty (RFC 4271 4.3). Bits past
 * the length are cleared. false on a length over 32, a prefix running past
 * the end, or more than max prefixes (RFC 7606 5.3: syntactically
 * incorrect). */
static bool rd_prefixes(struct rd r, struct rsemu_prefix *out, uint16_t *n,
			size_t max)
{
	while (rd_left(&r) > 0) {
		uint8_t plen = 0, b[4] = {0};
		if (!rd_u8(&r, &plen) || plen > 32 ||
		    !rd_copy(&r, b, (plen + 7u) / 8) || *n >= max)
			return false;
		uint32_t addr = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
				(uint32_t)b[2] << 8 | b[3];
		/* Member by member: leaves the padding as the caller zeroed it. */
		out[*n].addr = addr & rsemu_mask(plen);
		out[*n].len = plen;
		(*n)++;
	}
	return true;
}

static size_t prefix_size(struct rsemu_prefix p)
{
	return 1 + (p.len + 7u) / 8;
}

static void wr_prefix(struct wr *w, struct rsemu_prefix p)
{
	uint32_t a = p.addr & rsemu_mask(p.len);
	uint8_t b[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
			(uint8_t)a};
	wr_u8(w, p.len);
	wr_bytes(w, b, (p.len + 7u) / 8);
}

/* ---- UPDATE parsing ---------------------------------------------------- */

/* An UPDATE body is at most 4077 bytes: bounds for the scratch arrays. */
#define MAX_ASNS 2048      /* 2-byte ASNs */
#define MAX_SEGS 1024      /* a segment takes at least 4 bytes */
#define MAX_COMMUNITIES 1024

#define F_WK RS_BGP_ATTR_F_TRANSITIVE /* well-known: optional 0, transitive 1 */
#define F_OPT RS_BGP_ATTR_F_OPTIONAL
#define F_OPT_TRANS (RS_BGP_ATTR_F_OPTIONAL | RS_BGP_ATTR_F_TRANSITIVE)

struct as_path {
	uint16_t n_segs, n_asns;
	struct rs_as_seg segs[MAX_SEGS];
	uint32_t asns[MAX_ASNS];
};

/* One attribute as read from the wire. */
struct attr {
	uint8_t flags; /* upper four bits only (RFC 4271 4.3) */
	uint8_t type;
	struct rd value;
	struct rd whole; /* flags to end of value, for NOTIFICATION data */
};

struct upd_ctx {
	const struct rs_bgp_update_opts *opts;
	struct rs_bgp_update *u;
	uint8_t seen[32];
	uint16_t n_legacy_nlri;
	bool mp_reach_seen; /* of any family: the UPDATE announces routes */
	bool has_origin, has_as_path, has_next_hop, has_mp_next_hop;
	bool has_as4_path, has_aggr, has_as4_aggr;
	uint32_t mp_next_hop;
	uint32_t aggr_as, aggr_ip, as4_aggr_as, as4_aggr_ip;
	uint8_t aggr_flags;
	uint8_t aggr_value[8];
	struct rs_attrs_spec spec;
	/* Scratch from here on, written before it is read: not zeroed, so an
	 * UPDATE of one prefix does not pay for clearing 40 KiB. */
	struct as_path path, path4, merged;
	uint32_t communities[MAX_COMMUNITIES];
	struct rs_raw_attr raw[256];
};

enum handling { H_TREAT_AS_WITHDRAW, H_DISCARD, H_SESSION_RESET };

/* A decoder returns 0, or the UPDATE Message Error subcode that says what
 * is wrong with the value. */
typedef int (*attr_decode_fn)(struct upd_ctx *c, struct attr *a);

struct attr_desc {
	uint8_t flags;            /* expected optional and transitive bits */
	enum handling on_error;   /* RFC 7606 section 7 (and RFC 6793 6) */
	attr_decode_fn decode;
	bool (*ignore)(const struct upd_ctx *c); /* drop without looking */
};

static void set_bit(uint8_t *map, uint8_t bit)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static bool get_bit(const uint8_t *map, uint8_t bit)
{
	return (map[bit / 8] >> (bit % 8)) & 1;
}

static void discard(struct upd_ctx *c, uint8_t type)
{
	if (!get_bit(c->u->discarded, type))
		c->u->n_discarded++;
	set_bit(c->u->discarded, type);
}

/* RFC 7606 3 (h): with several errors the strongest action wins; among
 * equals the first error is the one reported. */
static void upd_error(struct upd_ctx *c, enum rs_bgp_update_action act,
		      uint8_t subcode, const struct rd *data)
{
	if (act <= c->u->action)
		return;
	c->u->action = act;
	if (data != NULL)
		notify_from(&c->u->notify, RS_BGP_ERR_UPDATE, subcode, *data);
	else
		rs_bgp_notify_set(&c->u->notify, RS_BGP_ERR_UPDATE, subcode);
}

/* RFC 4271 6.3: these subcodes carry the erroneous attribute as data. */
static bool subcode_has_attr_data(int subcode)
{
	return subcode == RS_BGP_UPD_UNRECOGNIZED_WK_ATTR ||
	       subcode == RS_BGP_UPD_ATTR_FLAGS ||
	       subcode == RS_BGP_UPD_ATTR_LENGTH ||
	       subcode == RS_BGP_UPD_INVALID_ORIGIN ||
	       subcode == RS_BGP_UPD_INVALID_NEXT_HOP ||
	       subcode == RS_BGP_UPD_OPTIONAL_ATTR;
}

static void attr_error(struct upd_ctx *c, const struct attr *a,
		       enum handling h, int subcode)
{
	const struct rd *data = subcode_has_attr_data(subcode) ? &a->whole : NULL;
	switch (h) {
	case H_DISCARD:
		discard(c, a->type);
		break;
	case H_TREAT_AS_WITHDRAW:
		upd_error(c, RS_BGP_UPDATE_TREAT_AS_WITHDRAW, (uint8_t)subcode, data);
		break;
	case H_SESSION_RESET:
		upd_error(c, RS_BGP_UPDATE_SESSION_RESET, (uint8_t)subcode, data);
		break;
	}
}

/* RFC 4271 6.3 asks for a valid host address; these never are: "this
 * network" 0/8, loopback 127/8, multicast 224/4, reserved 240/4 with
 * broadcast. Semantic checks (our own address, shared subnet) belong to
 * the session. */
static bool martian_next_hop(uint32_t nh)
{
	uint8_t first = (uint8_t)(nh >> 24);
	return first == 0 || first == 127 || first >= 224;
}

static int dec_origin(struct upd_ctx *c, struct attr *a)
{
	uint8_t v = 0;
	if (rd_left(&a->value) != 1 || !rd_u8(&a->value, &v))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (v > RS_ORIGIN_INCOMPLETE)
		return RS_BGP_UPD_INVALID_ORIGIN;
	c->spec.origin = v;
	c->has_origin = true;
	return 0;
}

/* AS_PATH / AS4_PATH segments (RFC 7606 7.2): malformed on an unknown
 * segment type, a segment of length 0, a segment running past the end, a
 * lone trailing byte, and (RFC 7607) AS 0. */
static bool parse_segments(struct rd r, bool four, struct as_path *p)
{
	p->n_segs = 0;
	p->n_asns = 0;
	while (rd_left(&r) > 0) {
		uint8_t type = 0, n = 0;
		if (!rd_u8(&r, &type) || !rd_u8(&r, &n))
			return false;
		if (type < RS_AS_SET || type > RS_AS_CONFED_SET || n == 0)
			return false;
		if (p->n_segs >= MAX_SEGS || p->n_asns + n > MAX_ASNS)
			return false;
		for (unsigned i = 0; i < n; i++) {
			uint32_t asn = 0;
			uint16_t asn16 = 0;
			if (four ? !rd_u32(&r, &asn) : !rd_u16(&r, &asn16))
				return false;
			if (!four)
				asn = asn16;
			if (asn == 0)
				return false;
			p->asns[p->n_asns++] = asn;
		}
		p->segs[p->n_segs++] = (struct rs_as_seg){type, n};
	}
	return true;
}

static int dec_as_path(struct upd_ctx *c, struct attr *a)
{
	if (!parse_segments(a->value, c->opts->as4, &c->path))
		return RS_BGP_UPD_MALFORMED_AS_PATH;
	c->has_as_path = true;
	return 0;
}

static int dec_next_hop(struct upd_ctx *c, struct attr *a)
{
	uint32_t nh = 0;
	if (rd_left(&a->value) != 4 || !rd_u32(&a->value, &nh))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (martian_next_hop(nh))
		return RS_BGP_UPD_INVALID_NEXT_HOP;
	c->spec.next_hop = nh;
	c->has_next_hop = true;
	return 0;
}

static int dec_u32(struct attr *a, uint32_t *v)
{
	if (rd_left(&a->value) != 4 || !rd_u32(&a->value, v))
		return RS_BGP_UPD_ATTR_LENGTH;
	return 0;
}

static int dec_med(struct upd_ctx *c, struct attr *a)
{
	int rc = dec_u32(a, &c->spec.med);
	c->spec.has_med = rc == 0;
	return rc;
}

static int dec_local_pref(struct upd_ctx *c, struct attr *a)
{
	int rc = dec_u32(a, &c->spec.local_pref);
	c->spec.has_local_pref = rc == 0;
	return rc;
}

static int dec_atomic_aggregate(struct upd_ctx *c, struct attr *a)
{
	if (rd_left(&a->value) != 0)
		return RS_BGP_UPD_ATTR_LENGTH;
	c->spec.atomic_aggregate = true;
	return 0;
}

/* RFC 7606 7.7: length 6 on 2-octet sessions, 8 on 4-octet ones; RFC 7607:
 * AS 0 is malformed. Both are attribute discard. */
static int dec_aggregator(struct upd_ctx *c, struct attr *a)
{
	uint32_t asn = 0, ip = 0;
	uint16_t asn16 = 0;
	if (rd_left(&a->value) != (c->opts->as4 ? 8u : 6u))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (c->opts->as4 ? !rd_u32(&a->value, &asn) : !rd_u16(&a->value, &asn16))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (!c->opts->as4)
		asn = asn16;
	if (!rd_u32(&a->value, &ip))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (asn == 0)
		return RS_BGP_UPD_OPTIONAL_ATTR;
	c->has_aggr = true;
	c->aggr_as = asn;
	c->aggr_ip = ip;
	c->aggr_flags = a->flags & (F_OPT_TRANS | RS_BGP_ATTR_F_PARTIAL);
	return 0;
}

/* RFC 7606 7.8: a non-zero multiple of 4. */
static int dec_communities(struct upd_ctx *c, struct attr *a)
{
	size_t len = rd_left(&a->value);
	if (len == 0 || len % 4 != 0 || len / 4 > MAX_COMMUNITIES)
		return RS_BGP_UPD_ATTR_LENGTH;
	uint16_t n = 0;
	while (rd_left(&a->value) > 0)
		rd_u32(&a->value, &c->communities[n++]);
	c->spec.n_communities = n;
	return 0;
}

static void add_raw(struct upd_ctx *c, uint8_t flags, uint8_t type, struct rd v)
{
	if (c->spec.n_raw >= 256)
		return;
	c->raw[c->spec.n_raw++] = (struct rs_raw_attr){
		.flags = flags & (F_OPT_TRANS | RS_BGP_ATTR_F_PARTIAL),
		.type = type,
		.len = (uint16_t)rd_left(&v),
		.value = rd_rest(&v),
	};
}

/* Attributes rsemu checks but does not interpret, passed on as they came:
 * EXTENDED COMMUNITIES (RFC 7606 7.14: a non-zero multiple of 8), LARGE
 * COMMUNITIES (RFC 8092 6: a non-zero multiple of 12). */
static int dec_opaque(struct upd_ctx *c, struct attr *a, size_t unit)
{
	size_t len = rd_left(&a->value);
	if (len == 0 || len % unit != 0)
		return RS_BGP_UPD_ATTR_LENGTH;
	add_raw(c, a->flags, a->type, a->value);
	return 0;
}

static int dec_ext_communities(struct upd_ctx *c, struct attr *a)
{
	return dec_opaque(c, a, 8);
}

static int dec_large_communities(struct upd_ctx *c, struct attr *a)
{
	return dec_opaque(c, a, 12);
}

/* MP_REACH_NLRI (RFC 4760 3). IPv4 unicast: a 4-byte next hop and
 * prefixes; other families are ignored. Any structural error is a session
 * reset (RFC 7606 7.11, 5.3), sent as Optional Attribute Error (RFC 4760 7). */
static int dec_mp_reach(struct upd_ctx *c, struct attr *a)
{
	struct rd v = a->value;
	uint16_t afi = 0;
	uint8_t safi = 0, nhlen = 0, reserved = 0;
	uint32_t nh = 0;
	if (!rd_u16(&v, &afi) || !rd_u8(&v, &safi))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	c->mp_reach_seen = true;
	if (afi != RS_BGP_AFI_IPV4 || safi != RS_BGP_SAFI_UNICAST)
		return 0;
	if (!rd_u8(&v, &nhlen) || nhlen != 4 || !rd_u32(&v, &nh) ||
	    !rd_u8(&v, &reserved))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	struct rs_bgp_update *u = c->u;
	if (!rd_prefixes(v, u->nlri, &u->n_nlri, RS_BGP_MAX_PREFIXES))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	if (martian_next_hop(nh)) {
		upd_error(c, RS_BGP_UPDATE_TREAT_AS_WITHDRAW,
			  RS_BGP_UPD_INVALID_NEXT_HOP, &a->whole);
		return 0;
	}
	c->mp_next_hop = nh;
	c->has_mp_next_hop = true;
	return 0;
}

static int dec_mp_unreach(struct upd_ctx *c, struct attr *a)
{
	struct rd v = a->value;
	uint16_t afi = 0;
	uint8_t safi = 0;
	if (!rd_u16(&v, &afi) || !rd_u8(&v, &safi))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	if (afi != RS_BGP_AFI_IPV4 || safi != RS_BGP_SAFI_UNICAST)
		return 0;
	struct rs_bgp_update *u = c->u;
	if (!rd_prefixes(v, u->withdrawn, &u->n_withdrawn, RS_BGP_MAX_PREFIXES))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	return 0;
}

/* AS4_PATH (RFC 6793 6): malformed is attribute discard. Confederation
 * segments in it are dropped (RFC 6793 4.2.3... "MUST be discarded"). */
static int dec_as4_path(struct upd_ctx *c, struct attr *a)
{
	struct as_path *p = &c->path4;
	if (!parse_segments(a->value, true, p))
		return RS_BGP_UPD_OPTIONAL_ATTR;
	uint16_t ns = 0, na = 0, at = 0;
	for (uint16_t i = 0; i < p->n_segs; i++) {
		struct rs_as_seg s = p->segs[i];
		if (s.type == RS_AS_SET || s.type == RS_AS_SEQUENCE) {
			memmove(&p->asns[na], &p->asns[at], s.len * sizeof(uint32_t));
			na = (uint16_t)(na + s.len);
			p->segs[ns++] = s;
		}
		at = (uint16_t)(at + s.len);
	}
	p->n_segs = ns;
	p->n_asns = na;
	c->has_as4_path = true;
	return 0;
}

static int dec_as4_aggregator(struct upd_ctx *c, struct attr *a)
{
	uint32_t asn = 0, ip = 0;
	if (rd_left(&a->value) != 8 || !rd_u32(&a->value, &asn) ||
	    !rd_u32(&a->value, &ip))
		return RS_BGP_UPD_ATTR_LENGTH;
	if (asn == 0)
		return RS_BGP_UPD_OPTIONAL_ATTR;
	c->has_as4_aggr = true;
	c->as4_aggr_as = asn;
	c->as4_aggr_ip = ip;
	return 0;
}

/* RFC 7606 7.5: LOCAL_PREF from an external peer is discarded. */
static bool ignore_on_ebgp(const struct upd_ctx *c)
{
	return !c->opts->ibgp;
}

/* RFC 6793 4.1: AS4_PATH and AS4_AGGREGATOR between 4-octet speakers are
 * discarded. */
static bool ignore_on_as4(const struct upd_ctx *c)
{
	return c->opts->as4;
}

/* Flags errors (RFC 7606 3 (c)) get the attribute's own handling: treat as
 * withdraw for those whose malformation is, attribute discard for
 * ATOMIC_AGGREGATE, AGGREGATOR and the AS4_* pair, whose specifications
 * discard them whatever is wrong. */
static const struct attr_desc attr_table[256] = {
	[RS_BGP_ATTR_ORIGIN] = {F_WK, H_TREAT_AS_WITHDRAW, dec_origin, NULL},
	[RS_BGP_ATTR_AS_PATH] = {F_WK, H_TREAT_AS_WITHDRAW, dec_as_path, NULL},
	[RS_BGP_ATTR_NEXT_HOP] = {F_WK, H_TREAT_AS_WITHDRAW, dec_next_hop, NULL},
	[RS_BGP_ATTR_MED] = {F_OPT, H_TREAT_AS_WITHDRAW, dec_med, NULL},
	[RS_BGP_ATTR_LOCAL_PREF] = {F_WK, H_TREAT_AS_WITHDRAW, dec_local_pref,
				    ignore_on_ebgp},
	[RS_BGP_ATTR_ATOMIC_AGGREGATE] = {F_WK, H_DISCARD, dec_atomic_aggregate,
					  NULL},
	[RS_BGP_ATTR_AGGREGATOR] = {F_OPT_TRANS, H_DISCARD, dec_aggregator, NULL},
	[RS_BGP_ATTR_COMMUNITIES] = {F_OPT_TRANS, H_TREAT_AS_WITHDRAW,
				     dec_communities, NULL},
	[RS_BGP_ATTR_MP_REACH] = {F_OPT, H_SESSION_RESET, dec_mp_reach, NULL},
	[RS_BGP_ATTR_MP_UNREACH] = {F_OPT, H_SESSION_RESET, dec_mp_unreach, NULL},
	[RS_BGP_ATTR_EXT_COMMUNITIES] = {F_OPT_TRANS, H_TREAT_AS_WITHDRAW,
					 dec_ext_communities, NULL},
	[RS_BGP_ATTR_AS4_PATH] = {F_OPT_TRANS, H_DISCARD, dec_as4_path,
				  ignore_on_as4},
	[RS_BGP_ATTR_AS4_AGGREGATOR] = {F_OPT_TRANS, H_DISCARD,
					dec_as4_aggregator, ignore_on_as4},
	[RS_BGP_ATTR_LARGE_COMMUNITIES] = {F_OPT_TRANS, H_TREAT_AS_WITHDRAW,
					   dec_large_communities, NULL},
};

static void attr_dispatch(struct upd_ctx *c, struct attr *a)
{
	const struct attr_desc *d = &attr_table[a->type];
	if (d->decode == NULL) {
		/* RFC 4271 5 and 6.3. */
		if (!(a->flags & F_OPT))
			attr_error(c, a, H_SESSION_RESET,
				   RS_BGP_UPD_UNRECOGNIZED_WK_ATTR);
		else if (a->flags & RS_BGP_ATTR_F_TRANSITIVE)
			add_raw(c, a->flags, a->type, a->value);
		else
			discard(c, a->type);
		return;
	}
	if (d->ignore != NULL && d->ignore(c)) {
		discard(c, a->type);
		return;
	}
	/* Partial may be set only on optional transitive attributes. */
	bool partial_ok = d->flags == F_OPT_TRANS;
	if ((a->flags & F_OPT_TRANS) != d->flags ||
	    (!partial_ok && (a->flags & RS_BGP_ATTR_F_PARTIAL))) {
		if (d->on_error != H_SESSION_RESET) {
			attr_error(c, a, d->on_error, RS_BGP_UPD_ATTR_FLAGS);
			return;
		}
		/* MP_*: treat as withdraw, which needs their NLRI: read on. */
		attr_error(c, a, H_TREAT_AS_WITHDRAW, RS_BGP_UPD_ATTR_FLAGS);
	}
	int sub = d->decode(c, a);
	if (sub != 0)
		attr_error(c, a, d->on_error, sub);
}

/* Reads the Path Attributes field. */
static void parse_attrs(struct upd_ctx *c, struct rd r)
{
	while (rd_left(&r) > 0) {
		struct rd start = r;
		struct attr a;
		uint8_t flags = 0, len8 = 0;
		uint16_t len = 0;
		bool ok = rd_u8(&r, &flags) && rd_u8(&r, &a.type);
		if (ok && (flags & RS_BGP_ATTR_F_EXTLEN))
			ok = rd_u16(&r, &len);
		else if (ok && (ok = rd_u8(&r, &len8)))
			len = len8;
		if (!ok || !rd_sub(&r, len, &a.value)) {
			/* RFC 7606 4: an attribute running past the field, or
			 * too few bytes for a header. Treat as withdraw; the
			 * Total Attribute Length still locates the NLRI. */
			upd_error(c, RS_BGP_UPDATE_TREAT_AS_WITHDRAW,
				  RS_BGP_UPD_MALFORMED_ATTR_LIST, NULL);
			return;
		}
		a.flags = flags & 0xf0;
		rd_span(&start, &r, &a.whole);
		if (get_bit(c->seen, a.type)) {
			/* RFC 7606 3 (g). */
			if (a.type == RS_BGP_ATTR_MP_REACH ||
			    a.type == RS_BGP_ATTR_MP_UNREACH)
				upd_error(c, RS_BGP_UPDATE_SESSION_RESET,
					  RS_BGP_UPD_MALFORMED_ATTR_LIST, NULL);
			else
				discard(c, a.type);
			continue;
		}
		set_bit(c->seen, a.type);
		attr_dispatch(c, &a);
	}
}

/* ASNs an AS path counts (RFC 4271 9.1.2.2 a, as RFC 6793 4.2.3 counts). */
static unsigned seg_count(struct rs_as_seg s)
{
	if (s.type == RS_AS_SEQUENCE)
		return s.len;
	return s.type == RS_AS_SET ? 1 : 0;
}

static unsigned path_count(const struct as_path *p)
{
	unsigned n = 0;
	for (uint16_t i = 0; i < p->n_segs; i++)
		n += seg_count(p->segs[i]);
	return n;
}

static bool is_confed(struct rs_as_seg s)
{
	return s.type == RS_AS_CONFED_SEQUENCE || s.type == RS_AS_CONFED_SET;
}

static void path_append(struct as_path *out, uint8_t type, const uint32_t *asns,
			unsigned n, bool join)
{
	/* Cannot happen within one UPDATE (see MAX_*), checked all the same. */
	if (out->n_segs >= MAX_SEGS || out->n_asns + n > MAX_ASNS)
		return;
	struct rs_as_seg *last = out->n_segs > 0 ? &out->segs[out->n_segs - 1] : NULL;
	if (join && type == RS_AS_SEQUENCE && last != NULL &&
	    last->type == RS_AS_SEQUENCE && last->len + n <= 255)
		last->len = (uint8_t)(last->len + n);
	else
		out->segs[out->n_segs++] = (struct rs_as_seg){type, (uint8_t)n};
	memcpy(&out->asns[out->n_asns], asns, n * sizeof(*asns));
	out->n_asns = (uint16_t)(out->n_asns + n);
}

/* RFC 6793 4.2.3: the path from a 2-octet peer is the leading part of
 * AS_PATH (as many ASNs as AS_PATH counts beyond AS4_PATH, with adjacent
 * confederation segments) followed by AS4_PATH. Returns false when AS4_PATH
 * must be ignored (it counts more than AS_PATH). */
static bool as4_merge(const struct as_path *p2, const struct as_path *p4,
		      struct as_path *out)
{
	unsigned n2 = path_count(p2), n4 = path_count(p4);
	if (n2 < n4)
		return false;
	unsigned need = n2 - n4;
	out->n_segs = 0;
	out->n_asns = 0;
	const uint32_t *asn = p2->asns;
	/* Every segment reached follows one taken (or leads), so a
	 * confederation segment reached is always adjacent. */
	for (uint16_t i = 0; i < p2->n_segs; i++) {
		struct rs_as_seg s = p2->segs[i];
		if (is_confed(s)) {
			path_append(out, s.type, asn, s.len, false);
		} else if (need == 0) {
			break;
		} else if (s.type == RS_AS_SET) {
			path_append(out, s.type, asn, s.len, false);
			need--;
		} else {
			unsigned take = s.len < need ? s.len : need;
			path_append(out, s.type, asn, take, false);
			need -= take;
			if (take < s.len)
				break;
		}
		asn += s.len;
	}
	/* Where the two parts meet, two sequences become one. */
	const uint32_t *a4 = p4->asns;
	for (uint16_t i = 0; i < p4->n_segs; i++) {
		path_append(out, p4->segs[i].type, a4, p4->segs[i].len, i == 0);
		a4 += p4->segs[i].len;
	}
	return true;
}

static void sort_raw(struct rs_raw_attr *raw, uint16_t n)
{
	for (uint16_t i = 1; i < n; i++) {
		struct rs_raw_attr x = raw[i];
		uint16_t j = i;
		for (; j > 0 && raw[j - 1].type > x.type; j--)
			raw[j] = raw[j - 1];
		raw[j] = x;
	}
}

/* Builds the rs_attrs of an accepted UPDATE that announces IPv4 routes. */
static int upd_make_attrs(struct upd_ctx *c)
{
	const struct as_path *path = &c->path;
	if (!c->opts->as4) {
		/* RFC 6793 4.2.3: AGGREGATOR decides about the AS4_* pair. */
		if (c->has_as4_aggr) {
			if (c->has_aggr && c->aggr_as == RS_BGP_AS_TRANS) {
				c->aggr_as = c->as4_aggr_as;
				c->aggr_ip = c->as4_aggr_ip;
			} else {
				discard(c, RS_BGP_ATTR_AS4_AGGREGATOR);
				if (c->has_aggr && c->has_as4_path) {
					discard(c, RS_BGP_ATTR_AS4_PATH);
					c->has_as4_path = false;
				}
			}
		}
		if (c->has_as4_path) {
			if (as4_merge(&c->path, &c->path4, &c->merged))
				path = &c->merged;
			else
				discard(c, RS_BGP_ATTR_AS4_PATH);
		}
	}
	c->spec.n_segs = path->n_segs;
	c->spec.segs = path->segs;
	c->spec.asns = path->asns;
	c->spec.communities = c->communities;
	if (c->n_legacy_nlri == 0 && c->has_mp_next_hop)
		c->spec.next_hop = c->mp_next_hop;
	if (c->has_aggr) {
		struct wr w = wr_init(c->aggr_value, sizeof(c->aggr_value));
		wr_u32(&w, c->aggr_as);
		wr_u32(&w, c->aggr_ip);
		add_raw(c, c->aggr_flags, RS_BGP_ATTR_AGGREGATOR,
			rd_init(c->aggr_value, sizeof(c->aggr_value)));
	}
	sort_raw(c->raw, c->spec.n_raw);
	c->spec.raw = c->raw;
	c->u->attrs = rs_attrs_new(&c->spec);
	return c->u->attrs != NULL ? 0 : -ENOMEM;
}

void rs_bgp_update_release(struct rs_bgp_update *u)
{
	rs_attrs_unref(u->attrs);
	u->attrs = NULL;
}

static void upd_reset(struct rs_bgp_update *u, uint8_t subcode)
{
	u->action = RS_BGP_UPDATE_SESSION_RESET;
	rs_bgp_notify_set(&u->notify, RS_BGP_ERR_UPDATE, subcode);
}

int rs_bgp_update_parse(const uint8_t *msg, size_t len,
			const struct rs_bgp_update_opts *opts,
			struct rs_bgp_update *u)
{
	struct rd body, wd, attrs;
	if (u == NULL || opts == NULL || msg_body(msg, len, RS_BGP_UPDATE, &body) < 0)
		return -EINVAL;
	rs_bgp_update_release(u);
	u->action = RS_BGP_UPDATE_OK;
	rs_bgp_notify_set(&u->notify, 0, 0);
	u->n_withdrawn = u->n_nlri = u->n_treated = u->n_discarded = 0;
	u->end_of_rib = false;
	memset(u->discarded, 0, sizeof(u->discarded));

	uint16_t wlen = 0, alen = 0;
	/* RFC 4271 6.3: lengths past the message are Malformed Attribute
	 * List (RFC 7606 keeps the session reset: nothing else is locatable). */
	if (!rd_u16(&body, &wlen) || !rd_sub(&body, wlen, &wd) ||
	    !rd_u16(&body, &alen) || !rd_sub(&body, alen, &attrs)) {
		upd_reset(u, RS_BGP_UPD_MALFORMED_ATTR_LIST);
		return 0;
	}
	/* RFC 7606 5.3: a syntactically incorrect prefix field is a reset. */
	if (!rd_prefixes(wd, u->withdrawn, &u->n_withdrawn, RS_BGP_MAX_PREFIXES) ||
	    !rd_prefixes(body, u->nlri, &u->n_nlri, RS_BGP_MAX_PREFIXES)) {
		upd_reset(u, RS_BGP_UPD_INVALID_NETWORK);
		u->n_withdrawn = u->n_nlri = 0;
		return 0;
	}
	if (wlen == 0 && alen == 0 && u->n_nlri == 0) {
		u->end_of_rib = true;
		return 0;
	}

	struct upd_ctx ctx, *c = &ctx;
	memset(c, 0, offsetof(struct upd_ctx, path));
	c->opts = opts;
	c->u = u;
	c->n_legacy_nlri = u->n_nlri;
	parse_attrs(c, attrs);

	/* RFC 7606 3 (d): missing well-known mandatory attributes, for the
	 * IPv4 routes announced (other families are ignored). NEXT_HOP only
	 * with prefixes in the NLRI field: RFC 4760 makes it discretionary
	 * otherwise. One present but malformed has been handled already. */
	if (u->n_nlri > 0) {
		uint8_t missing = 0;
		if (!c->has_origin)
			missing = RS_BGP_ATTR_ORIGIN;
		else if (!c->has_as_path)
			missing = RS_BGP_ATTR_AS_PATH;
		else if (c->n_legacy_nlri > 0 && !c->has_next_hop)
			missing = RS_BGP_ATTR_NEXT_HOP;
		if (missing != 0 && !get_bit(c->seen, missing)) {
			struct rd d = rd_init(&missing, 1);
			upd_error(c, RS_BGP_UPDATE_TREAT_AS_WITHDRAW,
				  RS_BGP_UPD_MISSING_WK_ATTR, &d);
		}
	}
	/* RFC 7606 5.2: with no reachable NLRI (neither field nor
	 * MP_REACH_NLRI), an error stronger than attribute discard resets. */
	if (u->action == RS_BGP_UPDATE_TREAT_AS_WITHDRAW && u->n_nlri == 0 &&
	    !c->mp_reach_seen)
		u->action = RS_BGP_UPDATE_SESSION_RESET;

	switch (u->action) {
	case RS_BGP_UPDATE_SESSION_RESET:
		u->n_withdrawn = u->n_nlri = 0;
		break;
	case RS_BGP_UPDATE_TREAT_AS_WITHDRAW:
		memcpy(&u->withdrawn[u->n_withdrawn], u->nlri,
		       u->n_nlri * sizeof(*u->nlri));
		u->n_withdrawn = (uint16_t)(u->n_withdrawn + u->n_nlri);
		u->n_treated = u->n_nlri;
		u->n_nlri = 0;
		break;
	case RS_BGP_UPDATE_OK:
		if (u->n_nlri > 0 && upd_make_attrs(c) < 0) {
			u->n_withdrawn = u->n_nlri = 0;
			return -ENOMEM;
		}
		break;
	}
	return 0;
}

/* ---- UPDATE building --------------------------------------------------- */

static void wr_attr_hdr(struct wr *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 0xffff) {
		w->err = true;
		return;
	}
	if (len > 255) {
		wr_u8(w, flags | RS_BGP_ATTR_F_EXTLEN);
		wr_u8(w, type);
		wr_u16(w, (uint16_t)len);
	} else {
		wr_u8(w, flags);
		wr_u8(w, type);
		wr_u8(w, (uint8_t)len);
	}
}

/* AS_PATH in 4- or 2-octet form (big ASNs become AS_TRANS), or AS4_PATH
 * (4-octet, confederation segments left out). */
enum path_form { PATH_AS4, PATH_AS2, PATH_AS4_PATH };

static void wr_path(struct wr *w, const struct rs_attrs *a, enum path_form form)
{
	size_t asn_size = form == PATH_AS2 ? 2 : 4;
	size_t len = 0;
	for (uint16_t i = 0; i < a->n_segs; i++)
		if (form != PATH_AS4_PATH || !is_confed(a->segs[i]))
			len += 2 + a->segs[i].len * asn_size;
	wr_attr_hdr(w, form == PATH_AS4_PATH ? F_OPT_TRANS : F_WK,
		    form == PATH_AS4_PATH ? RS_BGP_ATTR_AS4_PATH
					  : RS_BGP_ATTR_AS_PATH,
		    len);
	const uint32_t *asn = a->asns;
	for (uint16_t i = 0; i < a->n_segs; i++) {
		struct rs_as_seg s = a->segs[i];
		if (form == PATH_AS4_PATH && is_confed(s)) {
			asn += s.len;
			continue;
		}
		wr_u8(w, s.type);
		wr_u8(w, s.len);
		for (uint8_t j = 0; j < s.len; j++, asn++) {
			if (form == PATH_AS2)
				wr_u16(w, *asn > 0xffff ? RS_BGP_AS_TRANS
							: (uint16_t)*asn);
			else
				wr_u32(w, *asn);
		}
	}
}

static bool path_needs_as4(const struct rs_attrs *a)
{
	for (uint16_t i = 0; i < a->n_asns; i++)
		if (a->asns[i] > 0xffff)
			return true;
	return false;
}

/* Types the builder writes from rs_attrs' own fields: a raw attribute with
 * one of them is skipped. */
static bool builder_owns(uint8_t type)
{
	return (type >= RS_BGP_ATTR_ORIGIN && type <= RS_BGP_ATTR_COMMUNITIES &&
		type != RS_BGP_ATTR_AGGREGATOR) ||
	       type == RS_BGP_ATTR_MP_REACH || type == RS_BGP_ATTR_MP_UNREACH ||
	       type == RS_BGP_ATTR_AS4_PATH || type == RS_BGP_ATTR_AS4_AGGREGATOR;
}

static const struct rs_raw_attr *find_raw(const struct rs_attrs *a, unsigned type)
{
	for (uint16_t i = 0; i < a->n_raw; i++)
		if (a->raw[i].type == type)
			return &a->raw[i];
	return NULL;
}

/* The Path Attributes field for a, in type order (RFC 4271 5). */
static void wr_attrs(struct wr *w, const struct rs_attrs *a,
		     const struct rs_bgp_update_opts *opts)
{
	bool as4_path = !opts->as4 && path_needs_as4(a);
	uint32_t aggr_as = 0, aggr_ip = 0;
	const struct rs_raw_attr *aggr = find_raw(a, RS_BGP_ATTR_AGGREGATOR);
	if (aggr != NULL) {
		struct rd r = rd_init(aggr->value, aggr->len);
		if (aggr->len != 8 || !rd_u32(&r, &aggr_as) || !rd_u32(&r, &aggr_ip))
			aggr = NULL;
	}
	for (unsigned t = 0; t < 256; t++) {
		switch (t) {
		case RS_BGP_ATTR_ORIGIN:
			wr_attr_hdr(w, F_WK, RS_BGP_ATTR_ORIGIN, 1);
			wr_u8(w, a->origin);
			break;
		case RS_BGP_ATTR_AS_PATH:
			wr_path(w, a, opts->as4 ? PATH_AS4 : PATH_AS2);
			break;
		case RS_BGP_ATTR_NEXT_HOP:
			wr_attr_hdr(w, F_WK, RS_BGP_ATTR_NEXT_HOP, 4);
			wr_u32(w, a->next_hop);
			break;
		case RS_BGP_ATTR_MED:
			if (a->has_med) {
				wr_attr_hdr(w, F_OPT, RS_BGP_ATTR_MED, 4);
				wr_u32(w, a->med);
			}
			break;
		case RS_BGP_ATTR_LOCAL_PREF:
			if (opts->ibgp && a->has_local_pref) {
				wr_attr_hdr(w, F_WK, RS_BGP_ATTR_LOCAL_PREF, 4);
				wr_u32(w, a->local_pref);
			}
			break;
		case RS_BGP_ATTR_ATOMIC_AGGREGATE:
			if (a->atomic_aggregate)
				wr_attr_hdr(w, F_WK, RS_BGP_ATTR_ATOMIC_AGGREGATE, 0);
			break;
		case RS_BGP_ATTR_AGGREGATOR:
			if (aggr == NULL)
				break;
			wr_attr_hdr(w, F_OPT_TRANS | (aggr->flags & RS_BGP_ATTR_F_PARTIAL),
				    RS_BGP_ATTR_AGGREGATOR, opts->as4 ? 8 : 6);
			if (opts->as4)
				wr_u32(w, aggr_as);
			else
				wr_u16(w, aggr_as > 0xffff ? RS_BGP_AS_TRANS
							   : (uint16_t)aggr_as);
			wr_u32(w, aggr_ip);
			break;
		case RS_BGP_ATTR_COMMUNITIES:
			if (a->n_communities == 0)
				break;
			wr_attr_hdr(w, F_OPT_TRANS, RS_BGP_ATTR_COMMUNITIES,
				    a->n_communities * 4u);
			for (uint16_t i = 0; i < a->n_communities; i++)
				wr_u32(w, a->communities[i]);
			break;
		case RS_BGP_ATTR_AS4_PATH:
			if (as4_path)
				wr_path(w, a, PATH_AS4_PATH);
			break;
		case RS_BGP_ATTR_AS4_AGGREGATOR:
			if (!opts->as4 && aggr != NULL && aggr_as > 0xffff) {
				wr_attr_hdr(w, F_OPT_TRANS,
					    RS_BGP_ATTR_AS4_AGGREGATOR, 8);
				wr_u32(w, aggr_as);
				wr_u32(w, aggr_ip);
			}
			break;
		default: {
			if (builder_owns((uint8_t)t))
				break;
			const struct rs_raw_attr *r = find_raw(a, t);
			if (r == NULL)
				break;
			uint8_t flags = r->flags & (F_OPT_TRANS | RS_BGP_ATTR_F_PARTIAL);
			/* RFC 4271 5: an unrecognized optional transitive
			 * attribute passed on gets the Partial bit. */
			if ((flags & F_OPT_TRANS) == F_OPT_TRANS &&
			    attr_table[t].decode == NULL)
				flags |= RS_BGP_ATTR_F_PARTIAL;
			wr_attr_hdr(w, flags, (uint8_t)t, r->len);
			wr_bytes(w, r->value, r->len);
		}
		}
	}
}

/* UPDATE header and the two length fields; the withdrawn length is patched
 * by the caller. */
static void wr_update_start(struct wr *w)
{
	wr_header(w, RS_BGP_UPDATE);
	wr_u16(w, 0);
}

#define UPDATE_MIN_LEN (RS_BGP_HEADER_LEN + 4)

int rs_bgp_update_build(const struct rsemu_prefix *withdrawn, size_t n_withdrawn,
			const struct rsemu_prefix *nlri, size_t n_nlri,
			const struct rs_attrs *attrs,
			const struct rs_bgp_update_opts *opts,
			rs_bgp_emit_fn emit, void *ctx)
{
	if ((n_nlri > 0 && attrs == NULL) || (n_withdrawn > 0 && withdrawn == NULL) ||
	    (n_nlri > 0 && nlri == NULL) || emit == NULL || opts == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n_withdrawn; i++)
		if (withdrawn[i].len > 32)
			return -EINVAL;
	for (size_t i = 0; i < n_nlri; i++)
		if (nlri[i].len > 32)
			return -EINVAL;

	uint8_t buf[RS_BGP_MAX_LEN];
	int count = 0;
	for (size_t i = 0; i < n_withdrawn;) {
		struct wr w = wr_init(buf, sizeof(buf));
		wr_update_start(&w);
		size_t wd_at = w.off;
		while (i < n_withdrawn &&
		       w.off + prefix_size(withdrawn[i]) + 2 <= RS_BGP_MAX_LEN)
			wr_prefix(&w, withdrawn[i++]);
		wr_patch16(&w, wd_at - 2, (uint16_t)(w.off - wd_at));
		wr_u16(&w, 0); /* no attributes */
		int len = wr_finish(&w);
		if (len < 0)
			return len;
		int rc = emit(ctx, buf, (size_t)len);
		if (rc < 0)
			return rc;
		count++;
	}
	if (n_nlri == 0)
		return count;

	uint8_t abuf[RS_BGP_MAX_LEN];
	struct wr aw = wr_init(abuf, RS_BGP_MAX_LEN - UPDATE_MIN_LEN);
	wr_attrs(&aw, attrs, opts);
	/* Room for at least one /32 after the attributes. */
	if (aw.err || UPDATE_MIN_LEN + aw.off + 5 > RS_BGP_MAX_LEN)
		return -EMSGSIZE;
	for (size_t i = 0; i < n_nlri;) {
		struct wr w = wr_init(buf, sizeof(buf));
		wr_update_start(&w);
		wr_u16(&w, (uint16_t)aw.off);
		wr_bytes(&w, abuf, aw.off);
		while (i < n_nlri && w.off + prefix_size(nlri[i]) <= RS_BGP_MAX_LEN)
			wr_prefix(&w, nlri[i++]);
		int len = wr_finish(&w);
		if (len < 0)
			return len;
		int rc = emit(ctx, buf, (size_t)len);
		if (rc < 0)
			return rc;
		count++;
	}
	return count;
}

int rs_bgp_eor_build(uint8_t *buf, size_t size)
{
	struct wr w = wr_init(buf, size);
	wr_update_start(&w);
	wr_u16(&w, 0);
	return wr_finish(&w);
}

/* ---- names ------------------------------------------------------------- */

static const char *const code_names[] = {
	[RS_BGP_ERR_HEADER] = "Message Header Error",
	[RS_BGP_ERR_OPEN] = "OPEN Message Error",
	[RS_BGP_ERR_UPDATE] = "UPDATE Message Error",
	[RS_BGP_ERR_HOLD_TIMER] = "Hold Timer Expired",
	[RS_BGP_ERR_FSM] = "Finite State Machine Error",
	[RS_BGP_ERR_CEASE] = "Cease",
	[RS_BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
};

static const char *const header_names[] = {
	[RS_BGP_HDR_NOT_SYNC] = "Connection Not Synchronized",
	[RS_BGP_HDR_BAD_LENGTH] = "Bad Message Length",
	[RS_BGP_HDR_BAD_TYPE] = "Bad Message Type",
};

static const char *const open_names[] = {
	[0] = "Unspecific",
	[RS_BGP_OPEN_UNSUP_VERSION] = "Unsupported Version Number",
	[RS_BGP_OPEN_BAD_PEER_AS] = "Bad Peer AS",
	[RS_BGP_OPEN_BAD_BGP_ID] = "Bad BGP Identifier",
	[RS_BGP_OPEN_UNSUP_OPT_PARAM] = "Unsupported Optional Parameter",
	[5] = "Authentication Failure",
	[RS_BGP_OPEN_BAD_HOLD_TIME] = "Unacceptable Hold Time",
	[RS_BGP_OPEN_UNSUP_CAPABILITY] = "Unsupported Capability",
	[11] = "Role Mismatch",
};

static const char *const update_names[] = {
	[0] = "Unspecific",
	[RS_BGP_UPD_MALFORMED_ATTR_LIST] = "Malformed Attribute List",
	[RS_BGP_UPD_UNRECOGNIZED_WK_ATTR] = "Unrecognized Well-known Attribute",
	[RS_BGP_UPD_MISSING_WK_ATTR] = "Missing Well-known Attribute",
	[RS_BGP_UPD_ATTR_FLAGS] = "Attribute Flags Error",
	[RS_BGP_UPD_ATTR_LENGTH] = "Attribute Length Error",
	[RS_BGP_UPD_INVALID_ORIGIN] = "Invalid ORIGIN Attribute",
	[7] = "AS Routing Loop",
	[RS_BGP_UPD_INVALID_NEXT_HOP] = "Invalid NEXT_HOP Attribute",
	[RS_BGP_UPD_OPTIONAL_ATTR] = "Optional Attribute Error",
	[RS_BGP_UPD_INVALID_NETWORK] = "Invalid Network Field",
	[RS_BGP_UPD_MALFORMED_AS_PATH] = "Malformed AS_PATH",
};

static const char *const fsm_names[] = {
	[0] = "Unspecified Error",
	[1] = "Receive Unexpected Message in OpenSent State",
	[2] = "Receive Unexpected Message in OpenConfirm State",
	[3] = "Receive Unexpected Message in Established State",
};

static const char *const cease_names[] = {
	[RS_BGP_CEASE_MAX_PREFIXES] = "Maximum Number of Prefixes Reached",
	[RS_BGP_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[RS_BGP_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
	[RS_BGP_CEASE_ADMIN_RESET] = "Administrative Reset",
	[RS_BGP_CEASE_CONNECTION_REJECTED] = "Connection Rejected",
	[RS_BGP_CEASE_OTHER_CONFIG_CHANGE] = "Other Configuration Change",
	[RS_BGP_CEASE_COLLISION] = "Connection Collision Resolution",
	[RS_BGP_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[9] = "Hard Reset",
	[10] = "BFD Down",
};

static const char *const refresh_names[] = {
	[1] = "Invalid Message Length",
};

#define NAME_AT(table, i)                                                     \
	((size_t)(i) < sizeof(table) / sizeof((table)[0]) ? (table)[i] : NULL)

const char *rs_bgp_code_name(uint8_t code)
{
	const char *s = NAME_AT(code_names, code);
	return s != NULL ? s : "Unknown";
}

const char *rs_bgp_subcode_name(uint8_t code, uint8_t subcode)
{
	switch (code) {
	case RS_BGP_ERR_HEADER:
		return NAME_AT(header_names, subcode);
	case RS_BGP_ERR_OPEN:
		return NAME_AT(open_names, subcode);
	case RS_BGP_ERR_UPDATE:
		return NAME_AT(update_names, subcode);
	case RS_BGP_ERR_FSM:
		return NAME_AT(fsm_names, subcode);
	case RS_BGP_ERR_CEASE:
		return NAME_AT(cease_names, subcode);
	case RS_BGP_ERR_ROUTE_REFRESH:
		return NAME_AT(refresh_names, subcode);
	default:
		return subcode == 0 ? "Unspecific" : NULL;
	}
}

const char *rs_bgp_type_name(uint8_t type)
{
	static const char *const names[] = {
		[RS_BGP_OPEN] = "OPEN",
		[RS_BGP_UPDATE] = "UPDATE",
		[RS_BGP_NOTIFICATION] = "NOTIFICATION",
		[RS_BGP_KEEPALIVE] = "KEEPALIVE",
		[RS_BGP_ROUTE_REFRESH] = "ROUTE-REFRESH",
	};
	const char *s = NAME_AT(names, type);
	return s != NULL ? s : "Unknown";
}

int rs_bgp_notify_format(const struct rs_bgp_notify *n, char *buf, size_t size)
{
	size_t off = 0;
#define PUT(...)                                                              \
	do {                                                                  \
		int w_ = snprintf(buf + (off < size ? off : size),            \
				  off < size ? size - off : 0, __VA_ARGS__);  \
		off += (size_t)(w_ > 0 ? w_ : 0);                             \
	} while (0)
	if (size > 0)
		buf[0] = '\0';
	const char *sub = rs_bgp_subcode_name(n->code, n->subcode);
	PUT("%s", rs_bgp_code_name(n->code));
	if (n->code == 0 || NAME_AT(code_names, n->code) == NULL)
		PUT(" (%u)", n->code);
	if (sub != NULL)
		PUT("/%s", sub);
	else
		PUT("/subcode %u", n->subcode);

	struct rd r = rd_init(n->data, n->data_len);
	if (n->code == RS_BGP_ERR_CEASE && n->subcode == RS_BGP_CEASE_MAX_PREFIXES &&
	    n->data_len == 7) {
		uint16_t afi = 0;
		uint8_t safi = 0;
		uint32_t limit = 0;
		rd_u16(&r, &afi);
		rd_u8(&r, &safi);
		rd_u32(&r, &limit);
		PUT(" (AFI %u SAFI %u limit %u)", afi, safi, limit);
	} else if (n->code == RS_BGP_ERR_CEASE &&
		   (n->subcode == RS_BGP_CEASE_ADMIN_SHUTDOWN ||
		    n->subcode == RS_BGP_CEASE_ADMIN_RESET)) {
		/* RFC 9003 shutdown communication: a length, then UTF-8. */
		uint8_t mlen = 0;
		if (rd_u8(&r, &mlen) && mlen > 0 && mlen <= rd_left(&r)) {
			PUT(" \"");
			for (unsigned i = 0; i < mlen; i++) {
				uint8_t ch = 0;
				rd_u8(&r, &ch);
				if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
					PUT("%c", ch);
				else
					PUT("\\x%02x", ch);
			}
			PUT("\"");
		}
	}
#undef PUT
	return (int)off;
}
