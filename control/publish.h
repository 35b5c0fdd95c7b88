/* The change stream: every decision change of the RIB (struct rs_change,
 * a prefix's new next-hop set or its removal) is handed to a publisher as
 * it happens, then one commit per BGP event that caused changes. Each call
 * carries the CLOCK_MONOTONIC time (ns) of that event: when the message was
 * read from the socket, or when the session was found down. So a consumer
 * (the data-plane ring of the next issue) can measure convergence end to
 * end.
 *
 * Contract: changes of one event arrive in order, then commit(t_ns) with the
 * same t_ns; a consumer may apply them atomically at commit. Nothing is
 * dropped: a publisher that cannot keep up blocks or fails loudly
 * (a negative errno, which the daemon logs). */
#ifndef RS_PUBLISH_H
#define RS_PUBLISH_H

#include <stdint.h>

#include "rib.h"

struct rs_publisher {
	void *ctx;
	int (*change)(void *ctx, const struct rs_change *c, uint64_t t_ns);
	int (*commit)(void *ctx, uint64_t t_ns);
	void (*close)(void *ctx);   /* may be NULL */
};

/* What the default publisher counted. */
struct rs_publish_stats {
	uint64_t changes;
	uint64_t sets;
	uint64_t dels;
	uint64_t commits;
	uint64_t last_t_ns;     /* event time of the last commit */
};

/* The default publisher: counts, and logs each change at debug level.
 * stats must outlive the publisher. */
struct rs_publisher rs_publisher_counting(struct rs_publish_stats *stats);

/* Hands every change of chg to p, then commits; returns 0 or the first
 * error (the remaining calls are still made). */
int rs_publish(const struct rs_publisher *p, const struct rs_changes *chg,
	       uint64_t t_ns);

#endif
