/* The shared-memory channel between rsemu-rsd and rsemu-fwd: a POSIX shm
 * region holding a header, an rte_ring of 64-byte messages and the reverse
 * counters. Uses only libc and librte_ring (rte_ring_init on mapped memory
 * works without rte_eal_init), so the Route Server needs no EAL. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "rsemu/ring.h"

#define DP_SHM_MAGIC 0x474e52554d455352ull /* "RSEMURNG" */
#define DP_SHM_VERSION 1u
#define DP_SHM_MAX_SLOTS (1u << 20)
#define DP_ATTACH_WAIT_NS 2000000000ll /* creator finishing its init */

/* The region's header. Fields are read and written with __atomic builtins
 * because two processes share them. */
struct dp_shm_hdr {
	uint64_t magic; /* stored last, with release, by the creator */
	uint32_t version;
	uint32_t hdr_size;
	uint32_t msg_size;
	uint32_t slots;
	uint32_t max_tables;
	uint32_t max_groups;
	uint32_t max_subnets;
	uint32_t max_prefixes;
	uint32_t max_routes;
	uint32_t max_members;
	uint64_t ring_off;
	uint64_t region_size;
	uint64_t created_ns;

	/* Reverse direction, written by the consumer only. */
	alignas(64) uint64_t ack_seq; /* seqlock: odd while being written */
	uint64_t ack_epoch;
	uint64_t ack_ns;
	uint64_t ack_event_ns;
	uint64_t consumer_gen;
	uint64_t consumer_pid;
	uint64_t consumer_hb_ns;
	uint64_t consumed;
	uint64_t commits;
	uint64_t commit_failures;
	uint64_t rejected[RSEMU_REJ__COUNT];

	/* Written by publishers. */
	alignas(64) uint64_t published;
	uint64_t pub_waits;
	uint64_t pub_wait_ns;
	uint64_t publisher_pid;
};

struct rsemu_ring {
	void *base;
	size_t size;
	struct dp_shm_hdr *h;
	struct rte_ring *ring;
	enum rsemu_ring_role role;
};

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

uint64_t rsemu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ns};

	nanosleep(&ts, NULL);
}

int rsemu_ring_name(char *buf, size_t len, const char *topology_name)
{
	const char *pre = "/rsemu-";
	size_t n = strlen(pre), k = strlen(topology_name);

	if (n + k + 1 > len || n + k > 255)
		return -ENAMETOOLONG;
	memcpy(buf, pre, n);
	for (size_t i = 0; i < k; i++) {
		char c = topology_name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == '-';
		buf[n + i] = ok ? c : '_';
	}
	buf[n + k] = '\0';
	return 0;
}

static size_t ring_offset(void)
{
	return (sizeof(struct dp_shm_hdr) + 127) & ~(size_t)127;
}

static int region_size(unsigned slots, size_t *out)
{
	ssize_t rs = rte_ring_get_memsize_elem(RSEMU_RING_MSG_SIZE, slots);

	if (rs < 0)
		return (int)rs;
	*out = ring_offset() + (size_t)rs;
	return 0;
}

static void fill_header(struct dp_shm_hdr *h, unsigned slots, size_t size)
{
	h->version = DP_SHM_VERSION;
	h->hdr_size = sizeof(*h);
	h->msg_size = RSEMU_RING_MSG_SIZE;
	h->slots = slots;
	h->max_tables = RSEMU_RING_MAX_TABLES;
	h->max_groups = RSEMU_RING_MAX_GROUPS;
	h->max_subnets = RSEMU_RING_MAX_SUBNETS;
	h->max_prefixes = RSEMU_RING_MAX_PREFIXES;
	h->max_routes = RSEMU_RING_MAX_ROUTES;
	h->max_members = RSEMU_ECMP_MAX_MEMBERS;
	h->ring_off = ring_offset();
	h->region_size = size;
	h->created_ns = rsemu_now_ns();
}

/* Same version and layout as ours? */
static bool header_matches(const struct dp_shm_hdr *h, size_t size)
{
	size_t want = 0;

	if (h->version != DP_SHM_VERSION || h->hdr_size != sizeof(*h) ||
	    h->msg_size != RSEMU_RING_MSG_SIZE ||
	    h->max_tables != RSEMU_RING_MAX_TABLES ||
	    h->max_groups != RSEMU_RING_MAX_GROUPS ||
	    h->max_subnets != RSEMU_RING_MAX_SUBNETS ||
	    h->max_prefixes != RSEMU_RING_MAX_PREFIXES ||
	    h->max_routes != RSEMU_RING_MAX_ROUTES ||
	    h->max_members != RSEMU_ECMP_MAX_MEMBERS ||
	    h->ring_off != ring_offset() || h->region_size != size)
		return false;
	if (h->slots < 2 || h->slots > DP_SHM_MAX_SLOTS ||
	    (h->slots & (h->slots - 1)))
		return false;
	return region_size(h->slots, &want) == 0 && want == size;
}

static int create_region(int fd, unsigned slots, void **base, size_t *size)
{
	struct dp_shm_hdr *h;
	int rc = region_size(slots, size);

	if (rc < 0)
		return rc;
	if (ftruncate(fd, (off_t)*size) < 0)
		return -errno;
	*base = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*base == MAP_FAILED)
		return -errno;
	h = *base;
	fill_header(h, slots, *size);
	rc = rte_ring_init((struct rte_ring *)((char *)*base + h->ring_off),
			   "rsemu", slots, RING_F_SC_DEQ);
	if (rc < 0) {
		munmap(*base, *size);
		return rc;
	}
	__atomic_store_n(&h->magic, DP_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static int attach_region(int fd, void **base, size_t *size)
{
	uint64_t deadline = rsemu_now_ns() + DP_ATTACH_WAIT_NS;
	struct dp_shm_hdr *h;
	struct stat st;

	/* The creator may still be between shm_open and ftruncate. */
	for (;;) {
		if (fstat(fd, &st) < 0)
			return -errno;
		if ((size_t)st.st_size >= sizeof(*h))
			break;
		if (rsemu_now_ns() > deadline)
			return -ETIMEDOUT;
		sleep_ns(1000000);
	}
	*size = (size_t)st.st_size;
	*base = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*base == MAP_FAILED)
		return -errno;
	h = *base;
	for (;;) {
		uint64_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);

		if (magic == DP_SHM_MAGIC)
			break;
		if (magic != 0 || rsemu_now_ns() > deadline) {
			munmap(*base, *size);
			return magic ? -EPROTO : -ETIMEDOUT;
		}
		sleep_ns(1000000);
	}
	if (!header_matches(h, *size)) {
		munmap(*base, *size);
		return -EPROTO;
	}
	return 0;
}

/* The reverse direction, under a seqlock (one writer: the consumer). */
static void write_ack(struct dp_shm_hdr *h, uint64_t epoch, uint64_t event_ns,
		      uint64_t now)
{
	uint64_t s = LOAD(&h->ack_seq);

	STORE(&h->ack_seq, s + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	STORE(&h->ack_epoch, epoch);
	STORE(&h->ack_ns, now);
	STORE(&h->ack_event_ns, event_ns);
	__atomic_store_n(&h->ack_seq, s + 2, __ATOMIC_RELEASE);
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n >= 2 && n <= 255 && name[0] == '/' && !strchr(name + 1, '/');
}

int rsemu_ring_open(const char *name, enum rsemu_ring_role role,
		    unsigned slots, struct rsemu_ring **out)
{
	struct rsemu_ring *r;
	void *base = NULL;
	size_t size = 0;
	int fd, rc;

	if (!out || !name_ok(name) ||
	    (role != RSEMU_RING_PUBLISHER && role != RSEMU_RING_CONSUMER))
		return -EINVAL;
	if (slots == 0)
		slots = RSEMU_RING_DEFAULT_SLOTS;
	if (slots < 2 || slots > DP_SHM_MAX_SLOTS || (slots & (slots - 1)))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		rc = create_region(fd, slots, &base, &size);
		if (rc < 0)
			shm_unlink(name);
	} else if (errno == EEXIST) {
		fd = shm_open(name, O_RDWR, 0);
		rc = fd < 0 ? -errno : attach_region(fd, &base, &size);
	} else {
		rc = -errno;
	}
	if (fd >= 0)
		close(fd); /* the mapping stays */
	if (rc < 0) {
		free(r);
		return rc;
	}

	r->base = base;
	r->size = size;
	r->h = base;
	r->ring = (struct rte_ring *)((char *)base + r->h->ring_off);
	r->role = role;
	if (role == RSEMU_RING_CONSUMER) {
		/* The ring dequeues single-consumer: refuse a second live
		 * one. */
		uint64_t pid = LOAD(&r->h->consumer_pid);

		if (pid && pid != (uint64_t)getpid() &&
		    (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
			munmap(base, size);
			free(r);
			return -EBUSY;
		}
		STORE(&r->h->consumer_pid, (uint64_t)getpid());
		/* A new consumer has applied nothing yet. */
		write_ack(r->h, 0, 0, rsemu_now_ns());
		__atomic_fetch_add(&r->h->consumer_gen, 1, __ATOMIC_RELEASE);
	} else {
		STORE(&r->h->publisher_pid, (uint64_t)getpid());
	}
	*out = r;
	return 0;
}

void rsemu_ring_close(struct rsemu_ring *r)
{
	uint64_t me = (uint64_t)getpid();

	if (!r)
		return;
	if (r->role == RSEMU_RING_CONSUMER)
		__atomic_compare_exchange_n(&r->h->consumer_pid, &me, 0, false,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	munmap(r->base, r->size);
	free(r);
}

int rsemu_ring_unlink(const char *name)
{
	if (!name_ok(name))
		return -EINVAL;
	return shm_unlink(name) < 0 ? -errno : 0;
}

unsigned rsemu_ring_slots(const struct rsemu_ring *r)
{
	return r->h->slots;
}

int rsemu_ring_publish(struct rsemu_ring *r, const struct rsemu_msg *msgs,
		       unsigned n, int64_t timeout_ns, unsigned *done)
{
	uint64_t stall_start = 0;
	unsigned sent = 0, spins = 0;
	int rc = 0;

	if (done)
		*done = 0;
	if (!r || (n && !msgs))
		return -EINVAL;
	while (sent < n) {
		unsigned k = rte_ring_enqueue_burst_elem(
			r->ring, msgs + sent, RSEMU_RING_MSG_SIZE, n - sent,
			NULL);
		uint64_t now;

		sent += k;
		if (k) {
			if (stall_start) {
				ADD(&r->h->pub_wait_ns,
				    rsemu_now_ns() - stall_start);
				stall_start = 0;
			}
			spins = 0;
			continue;
		}
		/* Full: back-pressure. Spin briefly, then sleep. */
		now = rsemu_now_ns();
		if (!stall_start) {
			stall_start = now;
			ADD(&r->h->pub_waits, 1);
		} else if (timeout_ns >= 0 &&
			   now - stall_start > (uint64_t)timeout_ns) {
			ADD(&r->h->pub_wait_ns, now - stall_start);
			rc = -ETIMEDOUT;
			break;
		}
		if (++spins < 256)
			rte_pause();
		else
			sleep_ns(10000);
	}
	ADD(&r->h->published, sent);
	if (done)
		*done = sent;
	return rc;
}

void rsemu_ring_read_ack(const struct rsemu_ring *r, struct rsemu_ring_ack *a)
{
	const struct dp_shm_hdr *h = r->h;
	uint64_t s1, s2;

	for (;;) {
		s1 = __atomic_load_n(&h->ack_seq, __ATOMIC_ACQUIRE);
		if (s1 & 1) {
			rte_pause();
			continue;
		}
		a->epoch = LOAD(&h->ack_epoch);
		a->applied_ns = LOAD(&h->ack_ns);
		a->event_ns = LOAD(&h->ack_event_ns);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = LOAD(&h->ack_seq);
		if (s1 == s2)
			return;
	}
}

int rsemu_ring_wait_applied(const struct rsemu_ring *r, uint64_t epoch,
			    int64_t timeout_ns, struct rsemu_ring_ack *a)
{
	uint64_t start = rsemu_now_ns();
	struct rsemu_ring_ack tmp;

	if (!a)
		a = &tmp;
	for (unsigned spins = 0;; spins++) {
		rsemu_ring_read_ack(r, a);
		if (a->epoch >= epoch)
			return 0;
		if (timeout_ns >= 0 &&
		    rsemu_now_ns() - start > (uint64_t)timeout_ns)
			return -ETIMEDOUT;
		if (spins < 1024)
			rte_pause();
		else
			sleep_ns(20000);
	}
}

uint64_t rsemu_ring_consumer_gen(const struct rsemu_ring *r)
{
	return __atomic_load_n(&r->h->consumer_gen, __ATOMIC_ACQUIRE);
}

unsigned rsemu_ring_consume(struct rsemu_ring *r, struct rsemu_msg *msgs,
			    unsigned max)
{
	unsigned k = rte_ring_dequeue_burst_elem(r->ring, msgs,
						 RSEMU_RING_MSG_SIZE, max,
						 NULL);

	if (k)
		ADD(&r->h->consumed, k);
	return k;
}

void rsemu_ring_ack(struct rsemu_ring *r, uint64_t epoch, uint64_t event_ns)
{
	uint64_t now = rsemu_now_ns();

	write_ack(r->h, epoch, event_ns, now);
	ADD(&r->h->commits, 1);
	STORE(&r->h->consumer_hb_ns, now);
}

void rsemu_ring_count_reject(struct rsemu_ring *r, enum rsemu_reject why)
{
	if ((unsigned)why >= RSEMU_REJ__COUNT || why == RSEMU_REJ_OK)
		why = RSEMU_REJ_TYPE;
	ADD(&r->h->rejected[why], 1);
}

void rsemu_ring_count_commit_failure(struct rsemu_ring *r)
{
	ADD(&r->h->commit_failures, 1);
}

void rsemu_ring_heartbeat(struct rsemu_ring *r)
{
	STORE(&r->h->consumer_hb_ns, rsemu_now_ns());
}

void rsemu_ring_request_resync(struct rsemu_ring *r)
{
	__atomic_fetch_add(&r->h->consumer_gen, 1, __ATOMIC_RELEASE);
}

void rsemu_ring_stats(const struct rsemu_ring *r, struct rsemu_ring_stats *s)
{
	const struct dp_shm_hdr *h = r->h;

	memset(s, 0, sizeof(*s));
	s->slots = h->slots;
	s->in_ring = rte_ring_count(r->ring);
	s->published = LOAD(&h->published);
	s->pub_waits = LOAD(&h->pub_waits);
	s->pub_wait_ns = LOAD(&h->pub_wait_ns);
	s->consumed = LOAD(&h->consumed);
	s->commits = LOAD(&h->commits);
	s->commit_failures = LOAD(&h->commit_failures);
	for (unsigned i = 0; i < RSEMU_REJ__COUNT; i++)
		s->rejected[i] = LOAD(&h->rejected[i]);
	s->consumer_gen = LOAD(&h->consumer_gen);
	s->consumer_pid = LOAD(&h->consumer_pid);
	s->consumer_heartbeat_ns = LOAD(&h->consumer_hb_ns);
	s->publisher_pid = LOAD(&h->publisher_pid);
	rsemu_ring_read_ack(r, &s->ack);
}
