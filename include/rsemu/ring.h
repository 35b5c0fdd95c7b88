/* The control channel from the Route Server (rsemu-rsd) to the data plane
 * (rsemu-fwd): the message format and its limits, and the API of the POSIX
 * shared-memory ring that carries them (dataplane/ring_pub.c, library
 * rsemu_ring_pub: libc plus librte_ring only, no EAL and no hugepages). */
#ifndef RSEMU_RING_H
#define RSEMU_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rsemu/types.h"

/* Limits of what one channel can describe. Validation rejects anything
 * outside them (enum rsemu_reject). */
#define RSEMU_RING_MAX_TABLES 1024u   /* table ids 0..1023 */
#define RSEMU_RING_MAX_GROUPS 4096u   /* ECMP group ids 0..4095 */
#define RSEMU_RING_MAX_SUBNETS 65536u /* subnet global ids 0..65535 */
/* Distinct prefixes over all tables together (the data plane's union FIB
 * stores an index per prefix in 15 bits; index 0 means "no route"). */
#define RSEMU_RING_MAX_PREFIXES 32766u
/* (table, prefix) routes over all tables together: 1000 tables of 10,000
 * routes fit. */
#define RSEMU_RING_MAX_ROUTES (1u << 24)
#define RSEMU_ECMP_MAX_MEMBERS 8u

#define RSEMU_TABLE_NONE 0xFFFFu /* TABLE_BIND: unbind the subnet */
#define RSEMU_GROUP_NONE 0xFFFFu /* ROUTE_ADD: next hop without a group */

#define RSEMU_RING_DEFAULT_SLOTS 4096u
#define RSEMU_RING_MSG_SIZE 64u

/* The protocol. The Route Server sends changes, then a COMMIT; the data
 * plane publishes everything up to a COMMIT atomically and acks its epoch.
 * Epochs should grow from COMMIT to COMMIT; the consumer acks whatever
 * epoch it applied and does not enforce the order. When it opens the
 * channel (or after rsemu_ring_consumer_gen changes, e.g. the data plane
 * restarted), the publisher replays its whole state: BEGIN_SYNC, every
 * GROUP_SET, ROUTE_ADD and TABLE_BIND, then COMMIT; whatever the data
 * plane held that was not re-sent is swept at that COMMIT. A table id
 * names a route table, which any number of subnets may be bound to (give
 * subnets with identical effective routes one table). */
enum rsemu_msg_type {
	/* 0 is never valid, so that zeroed memory is rejected. */
	/* A new epoch starts a full replay: every table route, group and
	 * binding not re-sent before the next COMMIT is swept at that
	 * COMMIT. Until then the data plane forwards on its last tables. */
	RSEMU_MSG_BEGIN_SYNC = 1,
	RSEMU_MSG_TABLE_BIND, /* subnet global id -> table id (or NONE) */
	RSEMU_MSG_ROUTE_ADD,  /* add or replace a table's route */
	RSEMU_MSG_ROUTE_DEL,
	RSEMU_MSG_GROUP_SET,  /* create or change an ECMP group */
	RSEMU_MSG_GROUP_DEL,
	RSEMU_MSG_COMMIT,     /* publish everything since the last COMMIT */
	RSEMU_MSG__COUNT
};
#define RSEMU_MSG_RESET RSEMU_MSG_BEGIN_SYNC

/* One message, copied by value through the ring. Every field not used by
 * the message's type must be zero. Addresses are host byte order. */
struct rsemu_msg {
	uint16_t type;  /* enum rsemu_msg_type */
	uint16_t flags; /* reserved, 0 */
	uint32_t seq;   /* the publisher's running count, for tracing */
	union {
		struct {
			uint64_t epoch; /* != 0 */
		} sync;
		struct {
			uint32_t subnet; /* < RSEMU_RING_MAX_SUBNETS */
			uint16_t table;  /* < MAX_TABLES or RSEMU_TABLE_NONE */
			uint16_t pad;
		} bind;
		/* ROUTE_ADD uses every field; ROUTE_DEL only table, addr
		 * and len (nh_type 0 and group 0 there). */
		struct {
			uint32_t addr;   /* host bits zero */
			uint8_t len;     /* 0..32 */
			uint8_t nh_type; /* enum rsemu_nh_type */
			uint16_t table;
			/* VirtualAppliance and VirtualNetworkGateway: the ECMP
			 * group (< MAX_GROUPS); every other type:
			 * RSEMU_GROUP_NONE. */
			uint16_t group;
			uint16_t pad;
		} route;
		/* GROUP_SET uses every field; GROUP_DEL only group. */
		struct {
			uint16_t group;
			uint8_t n_members; /* 1..8 */
			uint8_t pad;
			uint32_t members[RSEMU_ECMP_MAX_MEMBERS]; /* any order,
				distinct, not 0.0.0.0 or 255.255.255.255; the
				unused tail zero */
		} group;
		struct {
			uint64_t epoch;    /* != 0 */
			uint64_t event_ns; /* CLOCK_MONOTONIC of the BGP event
					    * that caused it (0 = none) */
		} commit;
		uint8_t raw[56];
	} u;
};
_Static_assert(sizeof(struct rsemu_msg) == RSEMU_RING_MSG_SIZE,
	       "ring messages are 64 bytes");

/* Why a message was rejected. The consumer counts each reason; a rejected
 * message changes nothing. */
enum rsemu_reject {
	RSEMU_REJ_OK = 0,
	RSEMU_REJ_TYPE,         /* unknown message type */
	RSEMU_REJ_RESERVED,     /* a reserved or unused field is not zero */
	RSEMU_REJ_TABLE,        /* table id out of range */
	RSEMU_REJ_SUBNET,       /* subnet id out of range */
	RSEMU_REJ_GROUP,        /* group id out of range */
	RSEMU_REJ_PREFIX_LEN,   /* prefix length > 32 */
	RSEMU_REJ_HOST_BITS,    /* prefix has bits set beyond its length */
	RSEMU_REJ_NH_TYPE,      /* not an enum rsemu_nh_type */
	RSEMU_REJ_NH_GROUP,     /* group missing (VA/VNG) or given (others) */
	RSEMU_REJ_MEMBER_COUNT, /* group with 0 or more than 8 members */
	RSEMU_REJ_MEMBER_ADDR,  /* member 0.0.0.0, broadcast or repeated */
	RSEMU_REJ_EPOCH,        /* epoch 0 */
	RSEMU_REJ_NO_SPACE,     /* the consumer's capacity is exhausted */
	RSEMU_REJ__COUNT
};

/* Checks every field of m (a pure function: no state). */
enum rsemu_reject rsemu_msg_check(const struct rsemu_msg *m);
const char *rsemu_reject_name(enum rsemu_reject r);
const char *rsemu_msg_type_name(unsigned type);

/* Message constructors: zero every unused field. */
static inline struct rsemu_msg rsemu_msg_begin_sync(uint64_t epoch)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_BEGIN_SYNC;
	m.u.sync.epoch = epoch;
	return m;
}

static inline struct rsemu_msg rsemu_msg_bind(uint32_t subnet, uint16_t table)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_TABLE_BIND;
	m.u.bind.subnet = subnet;
	m.u.bind.table = table;
	return m;
}

static inline struct rsemu_msg rsemu_msg_route_add(uint16_t table,
						   struct rsemu_prefix p,
						   enum rsemu_nh_type nh,
						   uint16_t group)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_ROUTE_ADD;
	m.u.route.table = table;
	m.u.route.addr = p.addr;
	m.u.route.len = p.len;
	m.u.route.nh_type = (uint8_t)nh;
	m.u.route.group = group;
	return m;
}

static inline struct rsemu_msg rsemu_msg_route_del(uint16_t table,
						   struct rsemu_prefix p)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_ROUTE_DEL;
	m.u.route.table = table;
	m.u.route.addr = p.addr;
	m.u.route.len = p.len;
	return m;
}

static inline struct rsemu_msg rsemu_msg_group_set(uint16_t group,
						   const uint32_t *members,
						   unsigned n)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_GROUP_SET;
	m.u.group.group = group;
	m.u.group.n_members = (uint8_t)n;
	for (unsigned i = 0; i < n && i < RSEMU_ECMP_MAX_MEMBERS; i++)
		m.u.group.members[i] = members[i];
	return m;
}

static inline struct rsemu_msg rsemu_msg_group_del(uint16_t group)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_GROUP_DEL;
	m.u.group.group = group;
	return m;
}

static inline struct rsemu_msg rsemu_msg_commit(uint64_t epoch,
						uint64_t event_ns)
{
	struct rsemu_msg m;

	memset(&m, 0, sizeof(m)); /* padding too */
	m.type = RSEMU_MSG_COMMIT;
	m.u.commit.epoch = epoch;
	m.u.commit.event_ns = event_ns;
	return m;
}

/* ---- the shared-memory channel ---- */

/* One end of a channel. The region holds a header (magic, version, sizes,
 * limits), the forward rte_ring of messages (multi-producer,
 * single-consumer) and the reverse direction as shared counters: the
 * applied epoch and when it was applied, the consumer's generation and its
 * reject counters. */
struct rsemu_ring;

enum rsemu_ring_role {
	RSEMU_RING_PUBLISHER = 0, /* the Route Server */
	RSEMU_RING_CONSUMER,      /* the data plane's control thread */
};

/* "/rsemu-<name>", with every character outside [A-Za-z0-9._-] of the
 * topology name replaced by '_'. Returns 0 or -ENAMETOOLONG. */
int rsemu_ring_name(char *buf, size_t len, const char *topology_name);

/* Open a channel by shm name ("/..."), creating it when it does not exist
 * (either side may come first). slots: ring size for a new channel (a power
 * of two, 0 = default; it holds slots - 1 messages); an existing channel
 * keeps its own. One consumer at a time: a consumer's open resets the
 * applied epoch to 0 and bumps the consumer generation, which tells the
 * publisher to replay its full state (rsemu_ring_consumer_gen). Returns 0,
 * -EBUSY (another live process is the consumer), -EPROTO (a region of
 * another version or layout), -ETIMEDOUT (the creator never finished),
 * -EINVAL or another negative errno from shm_open/mmap. */
int rsemu_ring_open(const char *name, enum rsemu_ring_role role,
		    unsigned slots, struct rsemu_ring **out);
/* Unmap and free the handle; the region stays (the other side may use
 * it). */
void rsemu_ring_close(struct rsemu_ring *r);
/* Remove the region's name; returns 0 or a negative errno. */
int rsemu_ring_unlink(const char *name);
unsigned rsemu_ring_slots(const struct rsemu_ring *r);

/* Publisher. Copies n messages into the ring in order. A full ring is
 * back-pressure: it waits for the consumer (counting one wait per stall and
 * the time waited) and never drops. timeout_ns < 0 waits forever. Returns 0
 * when all n are in the ring, -ETIMEDOUT when the consumer did not make
 * room in time (*done, if given, says how many went in; the rest are the
 * caller's to send again), -EINVAL for bad arguments. */
int rsemu_ring_publish(struct rsemu_ring *r, const struct rsemu_msg *msgs,
		       unsigned n, int64_t timeout_ns, unsigned *done);

/* What the consumer has applied. */
struct rsemu_ring_ack {
	uint64_t epoch;      /* last applied COMMIT's epoch, 0 = none */
	uint64_t applied_ns; /* CLOCK_MONOTONIC when it was published */
	uint64_t event_ns;   /* that COMMIT's event timestamp */
};
void rsemu_ring_read_ack(const struct rsemu_ring *r, struct rsemu_ring_ack *a);
/* Wait until the applied epoch is >= epoch. Returns 0 or -ETIMEDOUT. */
int rsemu_ring_wait_applied(const struct rsemu_ring *r, uint64_t epoch,
			    int64_t timeout_ns, struct rsemu_ring_ack *a);
/* Incremented by every consumer open and by rsemu_ring_request_resync:
 * when it differs from the value the publisher last saw, the publisher
 * must replay its full state (BEGIN_SYNC ... COMMIT). */
uint64_t rsemu_ring_consumer_gen(const struct rsemu_ring *r);

/* Consumer. Copies up to max messages out of the ring; returns how many. */
unsigned rsemu_ring_consume(struct rsemu_ring *r, struct rsemu_msg *msgs,
			    unsigned max);
/* Record epoch as applied now (CLOCK_MONOTONIC). */
void rsemu_ring_ack(struct rsemu_ring *r, uint64_t epoch, uint64_t event_ns);
void rsemu_ring_count_reject(struct rsemu_ring *r, enum rsemu_reject why);
void rsemu_ring_count_commit_failure(struct rsemu_ring *r);
void rsemu_ring_heartbeat(struct rsemu_ring *r);
void rsemu_ring_request_resync(struct rsemu_ring *r);

struct rsemu_ring_stats {
	uint32_t slots;
	uint32_t in_ring;          /* messages waiting now */
	uint64_t published;        /* messages put in by publishers */
	uint64_t pub_waits;        /* times a publisher found it full */
	uint64_t pub_wait_ns;      /* time publishers spent waiting */
	uint64_t consumed;         /* messages taken out */
	uint64_t commits;          /* commits applied (acked) */
	uint64_t commit_failures;  /* commits the consumer could not apply */
	uint64_t rejected[RSEMU_REJ__COUNT]; /* [0] unused */
	uint64_t consumer_gen;
	uint64_t consumer_pid;
	uint64_t consumer_heartbeat_ns;
	uint64_t publisher_pid;
	struct rsemu_ring_ack ack;
};
void rsemu_ring_stats(const struct rsemu_ring *r, struct rsemu_ring_stats *s);

uint64_t rsemu_now_ns(void); /* CLOCK_MONOTONIC */

#endif
