/* The advertisement engine: what the Route Server sends to one peer from
 * one instance (AZURE-SEMANTICS.md C), kept as an Adj-RIB-Out so that only
 * differences go on the wire. Pure: no sockets; the UPDATEs it builds are
 * handed to an emitter (rs_bgp_emit_fn).
 *
 * Use: rs_adj_out_update() for each prefix the RIB's change log names (or
 * rs_adj_out_queue_all() once the session is up), then rs_adj_out_flush()
 * to send what changed: withdrawals first, then the announcements grouped
 * by identical attributes, split at 4096 bytes by the codec. */
#ifndef RS_ADJ_OUT_H
#define RS_ADJ_OUT_H

#include "adj_rib.h"
#include "bgp_msg.h"
#include "rib.h"

/* Whom we advertise to, and what is ours to announce. */
struct rs_adv_target {
	const struct rs_rib *rib;
	int peer;                   /* index in the topology */
	uint32_t local_ip;          /* the instance: next hop of every route */
	bool ibgp;                  /* gateway stand-in (AS 65515) */
	/* The VNet address spaces of the Route Server's domain (C1), sorted
	 * by rsemu_prefix_cmp; the caller keeps the array alive. */
	const struct rsemu_prefix *spaces;
	size_t n_spaces;
};

struct rs_adv_cache;

struct rs_adj_out {
	struct rs_adv_target tgt;
	struct rs_adj_rib sent;     /* the Adj-RIB-Out: prefix -> as sent */
	struct rs_attrs *space_attrs; /* what the VNet spaces carry */
	struct rsemu_prefix *pending; /* prefixes changed since the flush */
	size_t n_pending, cap_pending;
	struct rs_adv_cache *cache; /* RIB path -> path as sent, per batch */
	uint64_t dropped_oversize;  /* prefixes whose attributes fit no UPDATE */
};

/* 0 or -ENOMEM. */
int rs_adj_out_init(struct rs_adj_out *o, const struct rs_adv_target *t);
void rs_adj_out_free(struct rs_adj_out *o);
/* The session went down: forget what was sent. */
void rs_adj_out_reset(struct rs_adj_out *o);

/* Recomputes what p should be advertised as and queues it when that
 * differs from what was sent. 0 or -ENOMEM. */
int rs_adj_out_update(struct rs_adj_out *o, struct rsemu_prefix p);
/* Queues every VNet space and every prefix of the RIB. */
int rs_adj_out_queue_all(struct rs_adj_out *o);
/* Sends what is queued. Returns the number of UPDATEs emitted, or a
 * negative errno (-ENOMEM, or the emitter's error). */
int rs_adj_out_flush(struct rs_adj_out *o, const struct rs_bgp_update_opts *opts,
		     rs_bgp_emit_fn emit, void *ctx);
/* After Established: everything, then End-of-RIB (RFC 4724). */
int rs_adj_out_initial(struct rs_adj_out *o,
		       const struct rs_bgp_update_opts *opts,
		       rs_bgp_emit_fn emit, void *ctx);
/* ROUTE-REFRESH (RFC 2918): the whole Adj-RIB-Out again. */
int rs_adj_out_resend(struct rs_adj_out *o,
		      const struct rs_bgp_update_opts *opts,
		      rs_bgp_emit_fn emit, void *ctx);

static inline size_t rs_adj_out_count(const struct rs_adj_out *o)
{
	return o->sent.n;
}

/* The path as advertised (C1, C2): next hop the instance, ORIGIN kept,
 * 65515 prepended on eBGP (MED not passed on, RFC 4271 5.1.4), AS path
 * unchanged and LOCAL_PREF 100 on iBGP; communities and optional
 * transitive attributes kept. NULL on ENOMEM. */
struct rs_attrs *rs_adv_attrs(const struct rs_attrs *src, uint32_t local_ip,
			      bool ibgp);
/* A VNet space: ORIGIN IGP, AS path 65515 (empty on iBGP). */
struct rs_attrs *rs_adv_space_attrs(uint32_t local_ip, bool ibgp);

#endif
