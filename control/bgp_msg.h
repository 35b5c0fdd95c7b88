/* The BGP-4 wire codec: framing, parsing and building of OPEN, UPDATE,
 * NOTIFICATION, KEEPALIVE and ROUTE-REFRESH messages over plain byte
 * buffers (RFC 4271, 2918, 4486, 4760, 5492, 6793, 7606). No sockets, no
 * globals: the session layer feeds it bytes and sends what it builds. */
#ifndef RS_BGP_MSG_H
#define RS_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "rsemu/types.h"

#define RS_BGP_MARKER_LEN 16
#define RS_BGP_HEADER_LEN 19
#define RS_BGP_MAX_LEN 4096
#define RS_BGP_VERSION 4
#define RS_BGP_AS_TRANS 23456u
#define RS_BGP_AFI_IPV4 1
#define RS_BGP_SAFI_UNICAST 1
/* A NOTIFICATION's data: what is left of 4096 bytes after header, code and
 * subcode. */
#define RS_BGP_NOTIFY_DATA_MAX (RS_BGP_MAX_LEN - RS_BGP_HEADER_LEN - 2)
/* More prefixes than one UPDATE can carry (every prefix takes >= 1 byte). */
#define RS_BGP_MAX_PREFIXES RS_BGP_MAX_LEN

enum rs_bgp_type {
	RS_BGP_OPEN = 1,
	RS_BGP_UPDATE = 2,
	RS_BGP_NOTIFICATION = 3,
	RS_BGP_KEEPALIVE = 4,
	RS_BGP_ROUTE_REFRESH = 5, /* RFC 2918 */
};

/* NOTIFICATION error codes (RFC 4271 4.5, RFC 7313). */
enum rs_bgp_err_code {
	RS_BGP_ERR_HEADER = 1,
	RS_BGP_ERR_OPEN = 2,
	RS_BGP_ERR_UPDATE = 3,
	RS_BGP_ERR_HOLD_TIMER = 4,
	RS_BGP_ERR_FSM = 5,
	RS_BGP_ERR_CEASE = 6,
	RS_BGP_ERR_ROUTE_REFRESH = 7,
};

/* Subcodes. 0 is "Unspecific" under every code (RFC 4271 4.5). */
enum rs_bgp_err_subcode {
	/* Message Header Error (RFC 4271 6.1) */
	RS_BGP_HDR_NOT_SYNC = 1,
	RS_BGP_HDR_BAD_LENGTH = 2,
	RS_BGP_HDR_BAD_TYPE = 3,
	/* OPEN Message Error (RFC 4271 6.2, RFC 5492) */
	RS_BGP_OPEN_UNSUP_VERSION = 1,
	RS_BGP_OPEN_BAD_PEER_AS = 2,
	RS_BGP_OPEN_BAD_BGP_ID = 3,
	RS_BGP_OPEN_UNSUP_OPT_PARAM = 4,
	RS_BGP_OPEN_BAD_HOLD_TIME = 6,
	RS_BGP_OPEN_UNSUP_CAPABILITY = 7,
	/* UPDATE Message Error (RFC 4271 6.3) */
	RS_BGP_UPD_MALFORMED_ATTR_LIST = 1,
	RS_BGP_UPD_UNRECOGNIZED_WK_ATTR = 2,
	RS_BGP_UPD_MISSING_WK_ATTR = 3,
	RS_BGP_UPD_ATTR_FLAGS = 4,
	RS_BGP_UPD_ATTR_LENGTH = 5,
	RS_BGP_UPD_INVALID_ORIGIN = 6,
	RS_BGP_UPD_INVALID_NEXT_HOP = 8,
	RS_BGP_UPD_OPTIONAL_ATTR = 9,
	RS_BGP_UPD_INVALID_NETWORK = 10,
	RS_BGP_UPD_MALFORMED_AS_PATH = 11,
	/* Cease (RFC 4486) */
	RS_BGP_CEASE_MAX_PREFIXES = 1,
	RS_BGP_CEASE_ADMIN_SHUTDOWN = 2,
	RS_BGP_CEASE_PEER_DECONFIGURED = 3,
	RS_BGP_CEASE_ADMIN_RESET = 4,
	RS_BGP_CEASE_CONNECTION_REJECTED = 5,
	RS_BGP_CEASE_OTHER_CONFIG_CHANGE = 6,
	RS_BGP_CEASE_COLLISION = 7,
	RS_BGP_CEASE_OUT_OF_RESOURCES = 8,
};

/* Path attribute type codes. */
enum rs_bgp_attr_type {
	RS_BGP_ATTR_ORIGIN = 1,
	RS_BGP_ATTR_AS_PATH = 2,
	RS_BGP_ATTR_NEXT_HOP = 3,
	RS_BGP_ATTR_MED = 4,
	RS_BGP_ATTR_LOCAL_PREF = 5,
	RS_BGP_ATTR_ATOMIC_AGGREGATE = 6,
	RS_BGP_ATTR_AGGREGATOR = 7,
	RS_BGP_ATTR_COMMUNITIES = 8,
	RS_BGP_ATTR_MP_REACH = 14,
	RS_BGP_ATTR_MP_UNREACH = 15,
	RS_BGP_ATTR_EXT_COMMUNITIES = 16,
	RS_BGP_ATTR_AS4_PATH = 17,
	RS_BGP_ATTR_AS4_AGGREGATOR = 18,
	RS_BGP_ATTR_LARGE_COMMUNITIES = 32,
};

/* Attribute flag bits (RFC 4271 4.3). */
#define RS_BGP_ATTR_F_OPTIONAL 0x80
#define RS_BGP_ATTR_F_TRANSITIVE 0x40
#define RS_BGP_ATTR_F_PARTIAL 0x20
#define RS_BGP_ATTR_F_EXTLEN 0x10

/* A NOTIFICATION: one to send (filled by the parsers on an error) or one
 * received. data is a copy, never a pointer into a packet. */
struct rs_bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[RS_BGP_NOTIFY_DATA_MAX];
};

/* ---- framing ---------------------------------------------------------- */

/* Looks at the start of a TCP stream buffer. Returns the length of the
 * message at buf (19..4096) when all of it is in buf, with *type set; 0 when
 * more bytes are needed; -EBADMSG on a header error (RFC 4271 6.1), with
 * *err the NOTIFICATION to send: 1/1 bad marker, 1/2 bad length (data: the
 * 2-byte length field) including a length wrong for the type (KEEPALIVE
 * != 19, OPEN < 29, UPDATE < 23, NOTIFICATION < 21, ROUTE-REFRESH < 23),
 * 1/3 bad type (data: the type). A header error is reported as soon as
 * the 19 header bytes are in, before the body arrives. */
int rs_bgp_frame(const uint8_t *buf, size_t len, uint8_t *type,
		 struct rs_bgp_notify *err);

/* ---- OPEN (RFC 4271 4.2, RFC 5492 capabilities) ------------------------ */

#define RS_BGP_OPEN_MAX_CAPS 32

struct rs_bgp_afi_safi {
	uint16_t afi;
	uint8_t safi;
};

struct rs_bgp_open {
	uint8_t version;
	uint16_t my_as;          /* the 2-octet field: AS_TRANS for big ASNs */
	uint16_t hold_time;      /* 0 or >= 3 */
	uint32_t bgp_id;         /* host order, non-zero */
	bool mp_ipv4_unicast;    /* capability 1, AFI 1 SAFI 1 */
	bool route_refresh;      /* capability 2 */
	bool as4;                /* capability 65 */
	uint32_t as4_asn;        /* its value, when as4 */
	/* Multiprotocol capabilities for other families (kept, not used). */
	uint8_t n_mp_other;
	struct rs_bgp_afi_safi mp_other[RS_BGP_OPEN_MAX_CAPS];
	/* Codes of every other capability, once each, in order of arrival. */
	uint8_t n_other_caps;
	uint8_t other_caps[RS_BGP_OPEN_MAX_CAPS];
};

/* Our OPEN: version 4, My AS (AS_TRANS when asn > 65535), hold time,
 * identifier, and the capabilities rsemu speaks: MP IPv4 unicast, route
 * refresh, 4-octet AS. */
void rs_bgp_open_init(struct rs_bgp_open *o, uint32_t asn, uint16_t hold_time,
		      uint32_t bgp_id);
/* Writes the OPEN as described by o (capabilities in one optional
 * parameter). Returns its length, or -ENOSPC when size is too small. */
int rs_bgp_open_build(const struct rs_bgp_open *o, uint8_t *buf, size_t size);
/* Parses a framed OPEN (msg, len as rs_bgp_frame returned); *o is
 * written only on success. 0, -EBADMSG
 * with *err (2/1 version, data: our version as 2 bytes; 2/2 My AS or AS4
 * capability 0 (RFC 7607); 2/3 identifier 0; 2/4 an optional parameter
 * other than capabilities; 2/6 hold time 1 or 2; 2/0 malformed parameter or
 * capability lengths) or -EINVAL when msg is not a framed OPEN. */
int rs_bgp_open_parse(const uint8_t *msg, size_t len, struct rs_bgp_open *o,
		      struct rs_bgp_notify *err);
/* The peer's real AS: the AS4 capability's value, else My AS. */
uint32_t rs_bgp_open_asn(const struct rs_bgp_open *o);
/* Whether the peer can take IPv4 unicast routes: it said so, or it sent no
 * multiprotocol capability at all (RFC 4760 implies IPv4 unicast). */
bool rs_bgp_open_ipv4_unicast(const struct rs_bgp_open *o);
/* The session layer's Bad Peer AS check (RFC 4271 6.2 with RFC 6793):
 * compares rs_bgp_open_asn with the configured AS. 0, or -EBADMSG with
 * *err = 2/2. */
int rs_bgp_open_check_peer_as(const struct rs_bgp_open *o, uint32_t expected,
			      struct rs_bgp_notify *err);

/* ---- UPDATE (RFC 4271 4.3, RFC 7606, RFC 6793, RFC 4760) -------------- */

struct rs_bgp_update_opts {
	bool as4;  /* 4-octet AS negotiated both ways */
	bool ibgp; /* peer in our AS: LOCAL_PREF kept and sent */
};

/* What the session does with a parsed UPDATE (RFC 7606 2). */
enum rs_bgp_update_action {
	RS_BGP_UPDATE_OK = 0,
	/* Every announced prefix has been moved to the withdrawn list; notify
	 * holds the RFC 4271 error that caused it, for the log, not to send. */
	RS_BGP_UPDATE_TREAT_AS_WITHDRAW,
	/* Send notify and drop the session; no prefixes are returned. */
	RS_BGP_UPDATE_SESSION_RESET,
};

/* A parsed UPDATE. About 68 KiB: keep one per session, not on a small
 * stack. IPv4 unicast prefixes from the Withdrawn Routes and NLRI fields and
 * from MP_UNREACH_NLRI / MP_REACH_NLRI are merged; other families are
 * ignored. */
struct rs_bgp_update {
	enum rs_bgp_update_action action;
	struct rs_bgp_notify notify;
	/* Shared by all of nlri[]; one reference owned by this struct (release
	 * with rs_bgp_update_release, or take it and set NULL). NULL unless
	 * action is OK and n_nlri > 0. */
	struct rs_attrs *attrs;
	uint16_t n_withdrawn;
	uint16_t n_nlri;
	/* Of the withdrawn prefixes, how many were announced and turned into
	 * withdrawals by TREAT_AS_WITHDRAW (they are the last n_treated). */
	uint16_t n_treated;
	/* No withdrawals, no attributes, no NLRI: IPv4 End-of-RIB (RFC 4724). */
	bool end_of_rib;
	/* Attributes received but not kept, by type code: RFC 7606 attribute
	 * discard, repeats of a type, LOCAL_PREF on eBGP, AS4_* between 4-octet
	 * speakers or when RFC 6793 says to ignore them, unknown optional
	 * non-transitive attributes. For logs. */
	uint16_t n_discarded;
	uint8_t discarded[32];
	struct rsemu_prefix withdrawn[RS_BGP_MAX_PREFIXES];
	struct rsemu_prefix nlri[RS_BGP_MAX_PREFIXES];
};

/* Parses a framed UPDATE into *u (any previous content is released first,
 * so one struct can be reused; zero it before its first use). Returns 0
 * (look at u->action); -ENOMEM, u left empty; or -EINVAL when msg is not
 * one framed UPDATE or opts is NULL, u untouched. Protocol errors are never
 * a negative return: they are u->action and u->notify. */
int rs_bgp_update_parse(const uint8_t *msg, size_t len,
			const struct rs_bgp_update_opts *opts,
			struct rs_bgp_update *u);
/* Drops u->attrs' reference. */
void rs_bgp_update_release(struct rs_bgp_update *u);
static inline bool rs_bgp_update_discarded(const struct rs_bgp_update *u,
					   uint8_t type)
{
	return (u->discarded[type / 8] >> (type % 8)) & 1;
}

/* Receives each message the builders produce; a negative return stops the
 * build and is returned by it. */
typedef int (*rs_bgp_emit_fn)(void *ctx, const uint8_t *msg, size_t len);

/* Builds UPDATEs of at most 4096 bytes: first the withdrawals (as many per
 * message as fit), then the NLRI with attrs (required when n_nlri > 0),
 * split across messages that repeat the attributes. Attributes go in type
 * order; AS_PATH in 4-octet form when opts->as4, else 2-octet with AS_TRANS
 * plus AS4_PATH / AS4_AGGREGATOR when an ASN needs 4 octets (RFC 6793 4.2.2);
 * LOCAL_PREF only when opts->ibgp; raw attributes rs_attrs does not
 * interpret are sent with the Partial bit set. Returns the number of
 * messages emitted, -EMSGSIZE when the attributes leave no room for a
 * prefix, -EINVAL, or the emitter's error. */
int rs_bgp_update_build(const struct rsemu_prefix *withdrawn, size_t n_withdrawn,
			const struct rsemu_prefix *nlri, size_t n_nlri,
			const struct rs_attrs *attrs,
			const struct rs_bgp_update_opts *opts,
			rs_bgp_emit_fn emit, void *ctx);

/* An empty UPDATE: IPv4 unicast End-of-RIB. Returns 23 or -ENOSPC. */
int rs_bgp_eor_build(uint8_t *buf, size_t size);

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---------------------------- */

/* Return the length written (19, 21 + data, 23) or -ENOSPC. */
int rs_bgp_keepalive_build(uint8_t *buf, size_t size);
int rs_bgp_notification_build(const struct rs_bgp_notify *n, uint8_t *buf,
			      size_t size);
int rs_bgp_route_refresh_build(uint16_t afi, uint8_t safi, uint8_t *buf,
			       size_t size);

/* 0, or -EINVAL when msg is not a framed NOTIFICATION. */
int rs_bgp_notification_parse(const uint8_t *msg, size_t len,
			      struct rs_bgp_notify *n);
/* 0, or -EINVAL when msg is not a framed ROUTE-REFRESH. The reserved byte
 * and anything after the first four body bytes are ignored. */
int rs_bgp_route_refresh_parse(const uint8_t *msg, size_t len, uint16_t *afi,
			       uint8_t *safi);

/* Fills a NOTIFICATION with no data. */
void rs_bgp_notify_set(struct rs_bgp_notify *n, uint8_t code, uint8_t subcode);
/* Cease / Maximum Number of Prefixes Reached with the RFC 4486 data:
 * AFI (2), SAFI (1), upper bound (4). */
void rs_bgp_notify_max_prefixes(struct rs_bgp_notify *n, uint16_t afi,
				uint8_t safi, uint32_t limit);

/* ---- names for logs ---------------------------------------------------- */

/* "UPDATE Message Error", ...; "Unknown" for codes not assigned. */
const char *rs_bgp_code_name(uint8_t code);
/* "Malformed AS_PATH", ...; NULL for a subcode not assigned under code. */
const char *rs_bgp_subcode_name(uint8_t code, uint8_t subcode);
/* "UPDATE Message Error/Malformed AS_PATH", "Cease/Maximum Number of
 * Prefixes Reached (AFI 1 SAFI 1 limit 1000)", "Cease/Administrative
 * Shutdown \"text\"" (RFC 9003). Returns what snprintf would. */
int rs_bgp_notify_format(const struct rs_bgp_notify *n, char *buf, size_t size);
const char *rs_bgp_type_name(uint8_t type);

#endif
