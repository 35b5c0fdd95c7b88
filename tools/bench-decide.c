/* bench-decide: the decision core at Azure Route Server's maximum scale.
 * 500 VNets (hub + 499 spokes, 2 subnets each), 4,000 VMs, 8 peers (6 NVAs
 * in active/active pairs, an ExpressRoute and a VPN stand-in), 10,000
 * prefixes in all (500 VNet spaces + 9,500 announced, each by two peers).
 * Reports the time of a full decision from scratch, of one peer's
 * withdrawal of 1,000 routes, of a whole peer going down, of the effective
 * routes of every subnet, and peak memory. Median of --runs runs. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "effective.h"
#include "rib.h"

#define N_SPOKES 499
#define N_VMS 4000
#define N_PEERS 8
#define N_ANNOUNCED 9500
#define WITHDRAW 1000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return v[n / 2];
}

/* The topology, as YAML, through the real loader. */
static char *make_yaml(void)
{
	size_t cap = 4 << 20, n = 0;
	char *y = malloc(cap);
#define OUT(...) (n += (size_t)snprintf(y + n, cap - n, __VA_ARGS__))
	OUT("route_server:\n  vnet: hub\n  instances: [10.0.254.4, 10.0.254.5]\n"
	    "  peers:\n");
	for (int p = 0; p < 6; p++)
		OUT("    - {name: nva%d, ip: 10.0.1.%d, asn: %d, max_prefixes: 4000}\n",
		    p + 1, 4 + p, 65001 + p);
	OUT("    - {name: er, kind: expressroute, ip: 10.0.255.4, max_prefixes: 4000}\n");
	OUT("    - {name: vpn, kind: vpn, ip: 10.0.255.5, max_prefixes: 4000}\n");
	OUT("vnets:\n  - name: hub\n    address_space: [10.0.0.0/16]\n    subnets:\n"
	    "      - {name: RouteServerSubnet, prefix: 10.0.254.0/26}\n"
	    "      - {name: nva, prefix: 10.0.1.0/24}\n"
	    "      - {name: GatewaySubnet, prefix: 10.0.255.0/27}\n"
	    "      - {name: shared, prefix: 10.0.2.0/24}\n");
	for (int s = 0; s < N_SPOKES; s++) {
		int a = 1 + s / 256, b = s % 256;
		OUT("  - name: spoke%d\n    address_space: [10.%d.%d.0/24]\n"
		    "    subnets:\n      - {name: app, prefix: 10.%d.%d.0/25}\n"
		    "      - {name: db, prefix: 10.%d.%d.128/25}\n",
		    s, a, b, a, b, a, b);
	}
	OUT("peerings:\n");
	for (int s = 0; s < N_SPOKES; s++)
		OUT("  - {hub: hub, spoke: spoke%d, allow_gateway_transit: true, "
		    "use_remote_gateways: %s}\n", s, s % 10 ? "true" : "false");
	OUT("vms:\n");
	for (int v = 0; v < N_VMS; v++) {
		int s = v % N_SPOKES, k = v / N_SPOKES;
		OUT("  - {name: vm%d, subnet: spoke%d/%s, ip: 10.%d.%d.%d}\n", v, s,
		    k % 2 ? "db" : "app", 1 + s / 256, s % 256,
		    (k % 2 ? 128 : 0) + 4 + k / 2);
	}
	return y;
#undef OUT
}

/* Prefix i (in 100.64.0.0/10, /24s) is announced by peers i%8 and
 * (i+1)%8 with equal path lengths: NVA pairs are ECMP, ExpressRoute
 * beats the others by preference. */
struct feed {
	struct rsemu_prefix *nlri[N_PEERS];
	size_t n[N_PEERS];
	struct rs_attrs *attrs[N_PEERS];
};

static void make_feed(struct feed *f)
{
	for (int p = 0; p < N_PEERS; p++) {
		f->nlri[p] = calloc(N_ANNOUNCED, sizeof(struct rsemu_prefix));
		uint32_t path[2] = {p < 6 ? 65001u + (uint32_t)p : 12076u, 65100};
		uint32_t nh = p < 6 ? 0x0A000104u + (uint32_t)p
				    : 0x0A00FF04u + (uint32_t)(p - 6);
		f->attrs[p] = rs_attrs_new_seq(RS_ORIGIN_IGP, nh, path, 2, NULL, 0);
	}
	for (uint32_t i = 0; i < N_ANNOUNCED; i++) {
		struct rsemu_prefix pfx = {0x64400000u + (i << 8), 24};
		for (int k = 0; k < 2; k++) {
			int p = (int)((i + (uint32_t)k) % N_PEERS);
			f->nlri[p][f->n[p]++] = pfx;
		}
	}
}

static struct rs_rib *decide_all(const struct rsemu_topology *t,
				 const struct feed *f)
{
	struct rs_rib *rib = rs_rib_new(t);
	for (int p = 0; p < N_PEERS; p++)
		if (rs_rib_update(rib, p, NULL, 0, f->nlri[p], f->n[p],
				  f->attrs[p], NULL) != 0) {
			fprintf(stderr, "bench-decide: update refused\n");
			exit(1);
		}
	return rib;
}

int main(int argc, char **argv)
{
	int runs = 7;
	static const struct option opts[] = {
		{"runs", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		if (c == 'r' && (runs = atoi(optarg)) >= 1 && runs <= 1000)
			continue;
		fprintf(c == 'h' ? stdout : stderr,
			"Usage: bench-decide [--runs N]   (N in 1..1000, default 7)\n");
		return c == 'h' ? 0 : 2;
	}

	char *yaml = make_yaml();
	struct rsemu_topology *t = NULL;
	double t0 = now_ms();
	if (rs_topology_load_buffer("bench.yaml", yaml, strlen(yaml), &t, stderr)) {
		fprintf(stderr, "bench-decide: the generated topology does not load\n");
		return 1;
	}
	double load_ms = now_ms() - t0;
	free(yaml);
	struct feed f = {0};
	make_feed(&f);

	size_t n_subnets = 0;
	for (size_t v = 0; v < t->n_vnets; v++)
		n_subnets += t->vnets[v].n_subnets;

	double full[1000], wd[1000], down[1000], eff[1000];
	size_t heap_rib = 0, routes_spoke = 0, locrib = 0;
	for (int r = 0; r < runs; r++) {
		struct mallinfo2 m0 = mallinfo2();
		t0 = now_ms();
		struct rs_rib *rib = decide_all(t, &f);
		full[r] = now_ms() - t0;
		heap_rib = mallinfo2().uordblks - m0.uordblks;
		locrib = rs_rib_count(rib);

		/* nva1 withdraws 1,000 of its routes in one UPDATE. */
		t0 = now_ms();
		rs_rib_update(rib, 0, f.nlri[0], WITHDRAW, NULL, 0, NULL, NULL);
		wd[r] = now_ms() - t0;

		/* nva2's session drops: all its routes go. */
		t0 = now_ms();
		rs_rib_peer_down(rib, 1, NULL);
		down[r] = now_ms() - t0;

		/* The effective routes of every subnet, one after another. */
		struct rs_eff_table tab = {0};
		t0 = now_ms();
		for (size_t v = 0; v < t->n_vnets; v++)
			for (size_t s = 0; s < t->vnets[v].n_subnets; s++)
				rs_effective_routes(rib, (int)v, (int)s, &tab);
		eff[r] = now_ms() - t0;
		rs_effective_routes(rib, 2, 0, &tab);
		routes_spoke = tab.n;
		rs_eff_table_free(&tab);
		rs_rib_free(rib);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);

	printf("rsemu bench-decide: %zu VNets, %zu subnets, %zu VMs, %zu peers, "
	       "%d announced prefixes (%d paths) + %zu VNet spaces; %d runs\n",
	       t->n_vnets, n_subnets, t->n_vms, t->rs.n_peers, N_ANNOUNCED,
	       2 * N_ANNOUNCED, t->n_vnets, runs);
	printf("  %-48s %9.2f ms\n", "topology load + validation (once)", load_ms);
	printf("  %-48s %9.2f ms  (median; goal < 50 ms)\n",
	       "full decision from scratch (Loc-RIB)", median(full, runs));
	printf("  %-48s %9.2f ms  (median; goal < 2 ms)\n",
	       "one peer withdraws 1,000 routes", median(wd, runs));
	printf("  %-48s %9.2f ms  (median)\n",
	       "one peer's session drops (all its routes)", median(down, runs));
	printf("  %-48s %9.2f ms  (median; spoke1/app holds %zu routes)\n",
	       "effective routes of every subnet", median(eff, runs),
	       routes_spoke);
	printf("  %-48s %9zu\n", "prefixes in the Loc-RIB", locrib);
	printf("  %-48s %9.2f MiB\n", "RIB heap after full decision",
	       heap_rib / 1048576.0);
	printf("  %-48s %9.2f MiB\n", "peak resident memory (process)",
	       ru.ru_maxrss / 1024.0);

	for (int p = 0; p < N_PEERS; p++) {
		free(f.nlri[p]);
		rs_attrs_unref(f.attrs[p]);
	}
	rs_topology_free(t);
	return 0;
}
