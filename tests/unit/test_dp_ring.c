/* The shared-memory channel (dataplane/ring_pub.c) without EAL: create and
 * attach, order, back-pressure of a full ring with nothing lost, timeouts,
 * the reverse direction (ack, consumer generation, reject counters), bad
 * regions, and publisher and consumer in two processes through dp_ctrl. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctrl.h"
#include "rsemu/ring.h"

static char ring_name[64];

static void fresh_name(const char *what)
{
	snprintf(ring_name, sizeof(ring_name), "/rsemu-test-%d-%s",
		 (int)getpid(), what);
	rsemu_ring_unlink(ring_name);
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

static void names(void **st)
{
	(void)st;
	char buf[64];

	assert_int_equal(rsemu_ring_name(buf, sizeof(buf), "lab 1/a"), 0);
	assert_string_equal(buf, "/rsemu-lab_1_a");
	assert_int_equal(rsemu_ring_name(buf, 10, "toolongname"),
			 -ENAMETOOLONG);
}

static void bad_arguments(void **st)
{
	(void)st;
	struct rsemu_ring *r;

	assert_int_equal(rsemu_ring_open("noslash", RSEMU_RING_PUBLISHER, 0,
					 &r), -EINVAL);
	assert_int_equal(rsemu_ring_open("/a/b", RSEMU_RING_PUBLISHER, 0, &r),
			 -EINVAL);
	assert_int_equal(rsemu_ring_open("/rsemu-x", RSEMU_RING_PUBLISHER,
					 100, &r), -EINVAL);
	assert_int_equal(rsemu_ring_open("/rsemu-x", 7, 0, &r), -EINVAL);
}

static void create_attach_order(void **st)
{
	(void)st;
	struct rsemu_ring *pub, *con;
	struct rsemu_msg in[5], out[8];
	struct rsemu_ring_stats s;

	fresh_name("order");
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 64,
					 &pub), 0);
	assert_int_equal(rsemu_ring_consumer_gen(pub), 0);
	/* The consumer attaches to the existing region; its slots win. */
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 1024,
					 &con), 0);
	assert_int_equal(rsemu_ring_slots(con), 64);
	assert_int_equal(rsemu_ring_consumer_gen(pub), 1);
	for (unsigned i = 0; i < 5; i++)
		in[i] = rsemu_msg_commit(i + 1, i * 10);
	assert_int_equal(rsemu_ring_publish(pub, in, 5, -1, NULL), 0);
	assert_int_equal(rsemu_ring_consume(con, out, 8), 5);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(rsemu_ring_consume(con, out, 8), 0);
	rsemu_ring_stats(pub, &s);
	assert_int_equal(s.published, 5);
	assert_int_equal(s.consumed, 5);
	assert_int_equal(s.pub_waits, 0);
	assert_int_equal(s.slots, 64);
	assert_int_equal(s.consumer_pid, getpid());
	rsemu_ring_close(con);
	/* A second consumer (a restarted data plane) bumps the generation. */
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0,
					 &con), 0);
	assert_int_equal(rsemu_ring_consumer_gen(pub), 2);
	rsemu_ring_request_resync(con);
	assert_int_equal(rsemu_ring_consumer_gen(pub), 3);
	rsemu_ring_close(con);
	rsemu_ring_close(pub);
	assert_int_equal(rsemu_ring_unlink(ring_name), 0);
}

struct pub_arg {
	struct rsemu_ring *r;
	unsigned n;
	int rc;
};

static void *publisher(void *v)
{
	struct pub_arg *a = v;
	struct rsemu_msg batch[7];
	unsigned sent = 0;

	while (sent < a->n) {
		unsigned k = a->n - sent < 7 ? a->n - sent : 7;

		for (unsigned i = 0; i < k; i++)
			batch[i] = rsemu_msg_commit(sent + i + 1, 0);
		a->rc = rsemu_ring_publish(a->r, batch, k, -1, NULL);
		if (a->rc < 0)
			break;
		sent += k;
	}
	return NULL;
}

/* A publisher thread outruns a slow consumer through a 16-slot ring: it
 * waits (counted) and loses nothing; order is kept. */
static void backpressure_nothing_lost(void **st)
{
	(void)st;
	struct pub_arg a = {.n = 20000};
	struct rsemu_ring *con;
	struct rsemu_ring_stats s;
	struct rsemu_msg out[5];
	uint64_t next = 1;
	pthread_t th;

	fresh_name("bp");
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 16,
					 &con), 0);
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 0,
					 &a.r), 0);
	assert_int_equal(pthread_create(&th, NULL, publisher, &a), 0);
	while (next <= a.n) {
		unsigned k = rsemu_ring_consume(con, out, 5);

		for (unsigned i = 0; i < k; i++)
			assert_int_equal(out[i].u.commit.epoch, next++);
		if (next % 1000 < 5)
			sleep_us(2000); /* now and then, a slow consumer */
	}
	pthread_join(th, NULL);
	assert_int_equal(a.rc, 0);
	assert_int_equal(rsemu_ring_consume(con, out, 5), 0);
	rsemu_ring_stats(con, &s);
	assert_int_equal(s.published, a.n);
	assert_int_equal(s.consumed, a.n);
	assert_true(s.pub_waits > 0);
	assert_true(s.pub_wait_ns > 0);
	print_message("%lu waits, %.1f ms waited\n",
		      (unsigned long)s.pub_waits, s.pub_wait_ns / 1e6);
	rsemu_ring_close(a.r);
	rsemu_ring_close(con);
	rsemu_ring_unlink(ring_name);
}

/* With nobody draining, a bounded publish says how far it got. */
static void publish_timeout(void **st)
{
	(void)st;
	struct rsemu_ring *pub;
	struct rsemu_msg m[10], out[10];
	unsigned done = 99;

	fresh_name("timeout");
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 4,
					 &pub), 0);
	for (unsigned i = 0; i < 10; i++)
		m[i] = rsemu_msg_commit(i + 1, 0);
	assert_int_equal(rsemu_ring_publish(pub, m, 10, 5000000, &done),
			 -ETIMEDOUT);
	assert_int_equal(done, 3); /* 4 slots hold 3 */
	assert_int_equal(rsemu_ring_consume(pub, out, 10), 3);
	assert_int_equal(rsemu_ring_publish(pub, m + 3, 3, 0, &done), 0);
	assert_int_equal(done, 3);
	assert_int_equal(rsemu_ring_consume(pub, out + 3, 10), 3);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(out[i].u.commit.epoch, i + 1);
	rsemu_ring_close(pub);
	rsemu_ring_unlink(ring_name);
}

static void ack_and_counters(void **st)
{
	(void)st;
	struct rsemu_ring *pub, *con;
	struct rsemu_ring_ack a;
	struct rsemu_ring_stats s;
	uint64_t t0 = rsemu_now_ns();

	fresh_name("ack");
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0,
					 &con), 0);
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 0,
					 &pub), 0);
	rsemu_ring_read_ack(pub, &a);
	assert_int_equal(a.epoch, 0);
	assert_int_equal(rsemu_ring_wait_applied(pub, 1, 1000000, &a),
			 -ETIMEDOUT);
	rsemu_ring_ack(con, 5, 1234);
	assert_int_equal(rsemu_ring_wait_applied(pub, 5, 0, &a), 0);
	assert_int_equal(a.epoch, 5);
	assert_int_equal(a.event_ns, 1234);
	assert_true(a.applied_ns >= t0 && a.applied_ns <= rsemu_now_ns());
	rsemu_ring_count_reject(con, RSEMU_REJ_GROUP);
	rsemu_ring_count_reject(con, RSEMU_REJ_GROUP);
	rsemu_ring_count_commit_failure(con);
	rsemu_ring_stats(pub, &s);
	assert_int_equal(s.rejected[RSEMU_REJ_GROUP], 2);
	assert_int_equal(s.commit_failures, 1);
	assert_int_equal(s.commits, 1);
	assert_int_equal(s.ack.epoch, 5);
	/* A restarted consumer has applied nothing: the ack goes back to 0
	 * and the generation tells the publisher to replay. */
	rsemu_ring_close(con);
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0,
					 &con), 0);
	rsemu_ring_read_ack(pub, &a);
	assert_int_equal(a.epoch, 0);
	assert_int_equal(rsemu_ring_consumer_gen(pub), 2);
	rsemu_ring_close(pub);
	rsemu_ring_close(con);
	rsemu_ring_unlink(ring_name);
}

/* A region of another version is refused, not trusted. */
static void foreign_region_refused(void **st)
{
	(void)st;
	struct rsemu_ring *r;
	int fd;
	uint64_t *p;

	fresh_name("foreign");
	fd = shm_open(ring_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 65536), 0);
	p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	p[0] = 0x1122334455667788ull; /* not our magic */
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0,
					 &r), -EPROTO);
	p[0] = 0x474e52554d455352ull; /* our magic, version 99 */
	((uint32_t *)p)[2] = 99;
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 0,
					 &r), -EPROTO);
	munmap(p, 65536);
	rsemu_ring_unlink(ring_name);
}

/* ---- two processes: a Route Server child, the data plane's ctrl ---- */

struct fake_backend {
	unsigned commits;
	uint64_t last_epoch;
};

static int fake_commit(void *ctx, const struct dp_shadow *sh,
		       const struct dp_changes *ch)
{
	struct fake_backend *b = ctx;

	(void)sh;
	b->commits++;
	b->last_epoch = ch->epoch;
	return 0;
}

static int child_publisher(void)
{
	struct rsemu_ring *pub;
	struct rsemu_msg m[5];
	uint32_t nva[2] = {0x0A000104, 0x0A000105};
	struct rsemu_ring_ack a;
	struct rsemu_ring *bad_con;
	struct rsemu_msg bad;

	if (rsemu_ring_open(ring_name, RSEMU_RING_PUBLISHER, 0, &pub) < 0)
		return 10;
	if (rsemu_ring_consumer_gen(pub) < 1)
		return 11;
	/* The parent is the live consumer: a second one is refused. */
	if (rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0, &bad_con) !=
	    -EBUSY)
		return 14;
	m[0] = rsemu_msg_begin_sync(7);
	m[1] = rsemu_msg_group_set(2, nva, 2);
	m[2] = rsemu_msg_route_add(
		1, (struct rsemu_prefix){0x0A640000, 16},
		RSEMU_NH_VIRTUAL_APPLIANCE, 2);
	m[3] = rsemu_msg_bind(5, 1);
	m[4] = rsemu_msg_commit(7, rsemu_now_ns());
	bad = rsemu_msg_route_add(1, (struct rsemu_prefix){0x0A640001, 16},
				  RSEMU_NH_INTERNET, RSEMU_GROUP_NONE);
	if (rsemu_ring_publish(pub, &bad, 1, -1, NULL) < 0 ||
	    rsemu_ring_publish(pub, m, 5, -1, NULL) < 0)
		return 12;
	if (rsemu_ring_wait_applied(pub, 7, 5000000000ll, &a) < 0)
		return 13;
	rsemu_ring_close(pub);
	return 0;
}

static void two_processes(void **st)
{
	(void)st;
	struct fake_backend fb = {0};
	struct dp_backend be = {.ctx = &fb, .commit = fake_commit};
	struct rsemu_ring *con;
	struct dp_ctrl *c;
	struct rsemu_ring_stats s;
	dp_action_t a;
	uint64_t deadline;
	int status;
	pid_t pid;

	fresh_name("fork");
	assert_int_equal(rsemu_ring_open(ring_name, RSEMU_RING_CONSUMER, 0,
					 &con), 0);
	assert_int_equal(dp_ctrl_create(con, NULL, &be, &c), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_publisher());
	deadline = rsemu_now_ns() + 5000000000ull;
	while (fb.commits == 0 && rsemu_now_ns() < deadline) {
		if (dp_ctrl_poll(c, 256) == 0)
			sleep_us(100);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(fb.commits, 1);
	assert_int_equal(fb.last_epoch, 7);
	assert_true(dp_shadow_route(dp_ctrl_shadow(c), 1, 0x0A640000, 16, &a));
	assert_int_equal(a, DP_ACT(RSEMU_NH_VIRTUAL_APPLIANCE, 2));
	assert_int_equal(dp_shadow_binding(dp_ctrl_shadow(c), 5), 1);
	rsemu_ring_stats(con, &s);
	assert_int_equal(s.rejected[RSEMU_REJ_HOST_BITS], 1);
	assert_int_equal(s.consumed, 6);
	assert_int_equal(s.ack.epoch, 7);
	assert_true(s.ack.applied_ns >= s.ack.event_ns);
	dp_ctrl_free(c);
	rsemu_ring_close(con);
	rsemu_ring_unlink(ring_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(create_attach_order),
		cmocka_unit_test(backpressure_nothing_lost),
		cmocka_unit_test(publish_timeout),
		cmocka_unit_test(ack_and_counters),
		cmocka_unit_test(foreign_region_refused),
		cmocka_unit_test(two_processes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
