/* rsemu-fib-bench: memory and build time of the data plane's lookup
 * tables at Azure scale (default 10,000 prefixes over 1,000 route tables),
 * the time of incremental commits, and the lookup rate, on this machine.
 *   rsemu-fib-bench [EAL args --] [--prefixes N] [--tables T] [--seed S]
 * Without EAL args it runs with --no-huge -m 1024. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "tables.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t eal_used(void)
{
	struct rte_malloc_socket_stats s;
	size_t total = 0;

	for (int sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &s) == 0)
			total += s.heap_allocsz_bytes;
	return total;
}

static double mib(size_t b)
{
	return b / 1048576.0;
}

static double ms_since(uint64_t t0)
{
	return (rsemu_now_ns() - t0) / 1e6;
}

static struct dp_ctrl *ctrl;
static uint64_t epoch;

static void send(struct rsemu_msg m)
{
	if (dp_ctrl_handle(ctrl, &m) < 0) {
		fprintf(stderr, "rsemu-fib-bench: %s rejected or failed\n",
			rsemu_msg_type_name(m.type));
		exit(1);
	}
}

static double commit_ms(void)
{
	uint64_t t0 = rsemu_now_ns();
	struct rsemu_msg m = rsemu_msg_commit(++epoch, 0);

	if (dp_ctrl_handle(ctrl, &m) != 1) {
		fprintf(stderr, "rsemu-fib-bench: commit %lu failed\n",
			(unsigned long)epoch);
		exit(1);
	}
	return ms_since(t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* On-premises prefixes: mostly /24, some shorter, a few longer. */
static struct rsemu_prefix onprem_prefix(void)
{
	static const uint8_t lens[20] = {16, 16, 20, 20, 20, 22, 22, 22, 24, 24,
					 24, 24, 24, 24, 24, 24, 26, 27, 28, 32};
	struct rsemu_prefix p;

	p.len = lens[rnd() % 20];
	p.addr = (uint32_t)(0x64000000u + rnd() % 0x7C000000u) &
		 rsemu_mask(p.len);
	return p;
}

int main(int argc, char **argv)
{
	char *defaults[] = {argv[0], "--no-huge", "-m", "1024", "--no-pci",
			    "--no-shconf", "--no-telemetry", "-l", "0",
			    "--log-level=lib.*:error", "--file-prefix=rsemu-fib-bench"};
	static const struct option opts[] = {
		{"prefixes", required_argument, NULL, 'p'},
		{"tables", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	unsigned n_prefixes = 10000, n_tables = 1000;
	struct dp_tables_conf conf = {.socket_id = SOCKET_ID_ANY};
	struct dp_shadow_limits lim;
	struct dp_tables_stats ts;
	struct dp_shadow_stats ss;
	struct dp_tables *tb;
	struct dp_backend be;
	struct rsemu_prefix *onprem;
	unsigned n_onprem, n_msgs = 0;
	uint32_t nvas[4] = {0x0A000104, 0x0A000105, 0x0A000106, 0x0A000107};
	size_t eal0, eal1, eal2, heap0;
	double t_load, t_c1, t_c2, lat[200];
	char dir[256];
	uint64_t t0;
	int rc, c;

	/* EAL arguments come before "--"; without "--", defaults. */
	for (c = 1; c < argc && strcmp(argv[c], "--") != 0; c++)
		;
	if (c == argc) {
		rc = rte_eal_init(sizeof(defaults) / sizeof(defaults[0]),
				  defaults);
	} else {
		rc = rte_eal_init(c, argv);
		argc -= c; /* argv[0] is now "--", getopt's program name */
		argv += c;
	}
	if (rc < 0) {
		fprintf(stderr, "rsemu-fib-bench: EAL init failed\n");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			n_prefixes = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			n_tables = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			rng = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			fprintf(stderr, "usage: rsemu-fib-bench [EAL args --] "
					"[--prefixes N] [--tables T] "
					"[--seed S]\n");
			return 2;
		}
	}
	if (n_tables < 1 || n_tables > RSEMU_RING_MAX_TABLES ||
	    n_prefixes <= n_tables || n_prefixes > RSEMU_RING_MAX_PREFIXES - 64) {
		fprintf(stderr, "rsemu-fib-bench: need 1 <= tables <= %u and "
				"tables < prefixes <= %u\n",
			RSEMU_RING_MAX_TABLES, RSEMU_RING_MAX_PREFIXES - 64);
		return 2;
	}

	/* Every table: 0/0 Internet, its VNet (a /20 of 10/8) VnetLocal, the
	 * hub's VNet VNetPeering (the hub: every spoke's), and the same
	 * on-premises prefixes via the gateway ECMP group (one in ten via a
	 * second group). The union: prefixes + 1. */
	n_onprem = n_prefixes - n_tables;
	onprem = calloc(n_onprem, sizeof(*onprem));
	for (unsigned i = 0; i < n_onprem; i++) {
		bool dup;

		do {
			onprem[i] = onprem_prefix();
			dup = false;
			for (unsigned j = 0; j < i && !dup; j++)
				dup = rsemu_prefix_eq(onprem[i], onprem[j]);
		} while (dup);
	}

	eal0 = eal_used();
	t0 = rsemu_now_ns();
	if (dp_tables_create(&conf, &tb) < 0) {
		fprintf(stderr, "rsemu-fib-bench: dp_tables_create failed\n");
		return 1;
	}
	printf("create: %.1f ms\n", ms_since(t0));
	eal1 = eal_used();
	dp_tables_shadow_limits(tb, &lim);
	be = dp_tables_backend(tb);
	if (dp_ctrl_create(NULL, &lim, &be, &ctrl) < 0)
		return 1;
	heap0 = mallinfo2().uordblks + mallinfo2().hblkhd;

	t0 = rsemu_now_ns();
	send(rsemu_msg_group_set(0, nvas, 4));
	send(rsemu_msg_group_set(1, nvas, 2));
	for (unsigned t = 0; t < n_tables; t++) {
		struct rsemu_prefix vnet = {0x0A000000u + (t << 12), 20};

		send(rsemu_msg_route_add((uint16_t)t, (struct rsemu_prefix){0, 0},
					 RSEMU_NH_INTERNET, RSEMU_GROUP_NONE));
		send(rsemu_msg_route_add((uint16_t)t, vnet, RSEMU_NH_VNET_LOCAL,
					 RSEMU_GROUP_NONE));
		n_msgs += 2;
		for (unsigned s = 0; s < n_tables; s++) {
			if (s == t || (t != 0 && s != 0))
				continue;
			send(rsemu_msg_route_add(
				(uint16_t)t,
				(struct rsemu_prefix){0x0A000000u + (s << 12), 20},
				RSEMU_NH_VNET_PEERING, RSEMU_GROUP_NONE));
			n_msgs++;
		}
		for (unsigned i = 0; i < n_onprem; i++)
			send(rsemu_msg_route_add((uint16_t)t, onprem[i],
						 RSEMU_NH_VNET_GATEWAY,
						 i % 10 ? 0 : 1));
		n_msgs += n_onprem;
		for (unsigned k = 0; k < 4; k++)
			send(rsemu_msg_bind(t * 4 + k, (uint16_t)t));
		n_msgs += 4;
	}
	t_load = ms_since(t0);
	t_c1 = commit_ms();
	t_c2 = commit_ms();
	eal2 = eal_used();
	dp_tables_get_stats(tb, &ts);
	dp_shadow_get_stats(dp_ctrl_shadow(ctrl), &ss);

	printf("scale: %u prefixes (union %u), %u tables, %u routes, "
	       "%u subnets bound\n", n_prefixes, ts.union_prefixes, n_tables,
	       ss.routes, ss.bindings);
	printf("EAL memory: %.1f MiB empty (two DIR-24-8 copies, bindings, "
	       "groups), %.1f MiB loaded; resolution rows %.1f MiB "
	       "(%u rows x %u x 2 B x 2 copies)\n",
	       mib(eal1 - eal0), mib(eal2 - eal0), mib(ts.bytes_res), ts.rows,
	       ts.stride);
	printf("shadow (malloc, control thread): %.1f MiB\n",
	       mib(mallinfo2().uordblks + mallinfo2().hblkhd - heap0));
	printf("load %u messages into the shadow: %.1f ms (%.2f M msg/s)\n",
	       n_msgs, t_load, n_msgs / t_load / 1e3);
	printf("first commit (build one copy from scratch): %.1f ms\n", t_c1);
	printf("second commit (the other copy catches up): %.1f ms\n", t_c2);

	/* Incremental: one route in one table. */
	for (unsigned i = 0; i < 200; i++) {
		uint16_t t = (uint16_t)(rnd() % n_tables);

		send(rsemu_msg_route_add(t, onprem[rnd() % n_onprem],
					 i % 2 ? RSEMU_NH_NONE
					       : RSEMU_NH_VNET_GATEWAY,
					 i % 2 ? RSEMU_GROUP_NONE : 0));
		lat[i] = commit_ms();
	}
	qsort(lat, 200, sizeof(lat[0]), cmp_double);
	printf("commit of 1 route change: median %.3f ms, max %.3f ms\n",
	       lat[100], lat[199]);

	/* A new prefix learned: into every table (BGP learned, all spokes). */
	{
		struct rsemu_prefix p = {0xC6336400, 24}; /* 198.51.100/24 */
		double add, del;

		for (unsigned t = 0; t < n_tables; t++)
			send(rsemu_msg_route_add((uint16_t)t, p,
						 RSEMU_NH_VNET_GATEWAY, 0));
		add = commit_ms();
		add += commit_ms();
		for (unsigned t = 0; t < n_tables; t++)
			send(rsemu_msg_route_del((uint16_t)t, p));
		del = commit_ms();
		del += commit_ms();
		printf("new prefix in all %u tables: %.2f ms (both copies), "
		       "withdrawn: %.2f ms (both copies)\n", n_tables, add, del);
	}

	/* A group change (an NVA fails): no FIB work at all. */
	send(rsemu_msg_group_set(0, nvas, 3));
	printf("ECMP member removed: %.3f ms\n", commit_ms());

	/* Re-program every on-premises route of one table. */
	for (unsigned i = 0; i < n_onprem; i++)
		send(rsemu_msg_route_add(0, onprem[i], RSEMU_NH_VIRTUAL_APPLIANCE,
					 1));
	printf("%u routes of one table re-programmed: %.2f ms, then the "
	       "other copy %.2f ms\n", n_onprem, commit_ms(), commit_ms());

	/* Lookup rate: bursts of 32 random destinations, one core. */
	{
		const struct dp_snap *s = dp_tables_snap(dp_tables_current(tb));
		enum { B = 32, N = 1 << 20 };
		uint32_t *dst = malloc(N * sizeof(*dst));
		uint32_t sub[B];
		dp_action_t act[B];
		uint64_t sum = 0, c0;
		double cyc;

		for (unsigned i = 0; i < N; i++)
			dst[i] = i % 2 ? onprem[rnd() % n_onprem].addr |
						 (uint32_t)(rnd() & 0xFF)
				       : (uint32_t)rnd();
		for (unsigned i = 0; i < B; i++)
			sub[i] = (uint32_t)(rnd() % (n_tables * 4));
		c0 = rte_rdtsc();
		for (unsigned r = 0; r < 8; r++)
			for (unsigned i = 0; i < N; i += B) {
				dp_snap_lookup(s, sub, dst + i, act, B);
				sum += act[i % B];
			}
		cyc = (double)(rte_rdtsc() - c0) / (8.0 * N);
		printf("lookup (rte_fib bulk + resolution): %.1f cycles per "
		       "address, %.1f M lookups/s at %.2f GHz (checksum %lu)\n",
		       cyc, rte_get_tsc_hz() / cyc / 1e6,
		       rte_get_tsc_hz() / 1e9, (unsigned long)(sum & 0xFF));
		free(dst);
	}

	dp_ctrl_free(ctrl);
	dp_tables_free(tb);
	free(onprem);
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir); /* EAL leaves it behind, empty */
	return 0;
}
