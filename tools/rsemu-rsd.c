/* rsemu-rsd, the live Route Server: peers over BGP with the NVAs and
 * gateway stand-ins of a topology file, from both Route Server instances,
 * and answers `rsemu ctl` on its control socket. Runs in the foreground.
 * Exit codes: 0 clean shutdown (SIGINT/SIGTERM), 1 runtime failure, 2 bad
 * input (arguments, topology). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "rsd.h"
#include "rsd_log.h"

#define EXIT_BADINPUT 2

static void usage(FILE *f)
{
	fputs("Usage: rsemu-rsd --topology FILE [--control PATH] [OPTIONS]\n"
	      "\n"
	      "The live Azure Route Server emulator: listens on both Route Server\n"
	      "instance addresses (route_server.instances, port\n"
	      "route_server.listen.port) and peers over BGP with every peer of the\n"
	      "topology from each instance; also connects out to each peer's IP on\n"
	      "that same port. Logs go to stderr.\n"
	      "\n"
	      "Options:\n"
	      "  -t, --topology FILE        the topology (YAML, see TOPOLOGY.md)\n"
	      "  -c, --control PATH         control socket for `rsemu ctl`\n"
	      "                             (default " RS_CTL_DEFAULT_PATH ")\n"
	      "  -l, --log-level LEVEL      error, warn, info (default) or debug\n"
	      "  -f, --foreground           accepted; rsemu-rsd never daemonizes\n"
	      "      --connect-retry SECS   ConnectRetry time (default 5;\n"
	      "                             env RSEMU_CONNECT_RETRY)\n"
	      "      --max-prefix-backoff SECS  how long a peer that went over\n"
	      "                             max_prefixes is refused (default 30;\n"
	      "                             env RSEMU_MAX_PREFIX_BACKOFF)\n"
	      "  -h, --help                 this help\n"
	      "  -V, --version              the version\n"
	      "\n"
	      "SIGINT/SIGTERM: Cease (Administrative Shutdown) to every peer, exit 0.\n"
	      "Exit codes: 0 success, 1 runtime failure, 2 bad input.\n",
	      f);
}

/* Seconds (may be fractional) -> ms; -1 when not a number >= 0. */
static long parse_secs(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < 0 || v > 86400)
		return -1;
	return (long)(v * 1000.0 + 0.5);
}

static int secs_option(const char *name, const char *val, uint32_t *ms)
{
	long v = parse_secs(val);
	if (v < 0) {
		fprintf(stderr, "rsemu-rsd: %s: '%s' is not a number of seconds "
			"(0..86400)\n", name, val);
		return -1;
	}
	*ms = (uint32_t)v;
	return 0;
}

static int env_secs(const char *name, uint32_t *ms)
{
	const char *v = getenv(name);
	return v && *v ? secs_option(name, v, ms) : 0;
}

enum { OPT_RETRY = 256, OPT_BACKOFF };

static int parse_args(int argc, char **argv, const char **topo,
		      struct rsd_config *cfg)
{
	static const struct option opts[] = {
		{"topology", required_argument, NULL, 't'},
		{"control", required_argument, NULL, 'c'},
		{"log-level", required_argument, NULL, 'l'},
		{"foreground", no_argument, NULL, 'f'},
		{"connect-retry", required_argument, NULL, OPT_RETRY},
		{"max-prefix-backoff", required_argument, NULL, OPT_BACKOFF},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	if (env_secs("RSEMU_CONNECT_RETRY", &cfg->connect_retry_ms) < 0 ||
	    env_secs("RSEMU_MAX_PREFIX_BACKOFF", &cfg->max_prefix_backoff_ms) < 0)
		return EXIT_BADINPUT;
	int c, lvl;
	while ((c = getopt_long(argc, argv, "t:c:l:fhV", opts, NULL)) != -1) {
		switch (c) {
		case 't': *topo = optarg; break;
		case 'c': cfg->control_path = optarg; break;
		case 'f': break;
		case 'l':
			if ((lvl = rs_log_parse_level(optarg)) < 0) {
				fprintf(stderr, "rsemu-rsd: --log-level: unknown "
					"level '%s' (error, warn, info, debug)\n", optarg);
				return EXIT_BADINPUT;
			}
			rs_log_set_level((enum rs_log_level)lvl);
			break;
		case OPT_RETRY:
			if (secs_option("--connect-retry", optarg,
					&cfg->connect_retry_ms) < 0)
				return EXIT_BADINPUT;
			break;
		case OPT_BACKOFF:
			if (secs_option("--max-prefix-backoff", optarg,
					&cfg->max_prefix_backoff_ms) < 0)
				return EXIT_BADINPUT;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rsemu-rsd %s\n", RSEMU_VERSION); return 0;
		default: usage(stderr); return EXIT_BADINPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rsemu-rsd: unexpected argument '%s'\n", argv[optind]);
		return EXIT_BADINPUT;
	}
	if (*topo == NULL) {
		fprintf(stderr, "rsemu-rsd: --topology FILE is required\n");
		return EXIT_BADINPUT;
	}
	if (cfg->connect_retry_ms == 0)
		cfg->connect_retry_ms = 1;
	return -1; /* go on */
}

static void log_start(const struct rsemu_topology *t, const char *path)
{
	char a[16], b[16];
	rsemu_ip_format(t->rs.instances[0], a);
	rsemu_ip_format(t->rs.instances[1], b);
	rs_log(RS_LOG_INFO, "rsemu-rsd %s: topology %s, AS %u, instances %s and "
	       "%s, port %u, %zu peers, timers %u/%u s", RSEMU_VERSION, path,
	       t->rs.asn, a, b, t->rs.port, t->rs.n_peers, t->rs.keepalive,
	       t->rs.hold);
}

int main(int argc, char **argv)
{
	const char *topo_path = NULL;
	struct rsd_config cfg = {
		.control_path = RS_CTL_DEFAULT_PATH,
		.connect_retry_ms = RSD_CONNECT_RETRY_MS,
		.max_prefix_backoff_ms = RSD_MAX_PREFIX_BACKOFF_MS,
	};
	int rc = parse_args(argc, argv, &topo_path, &cfg);
	if (rc >= 0)
		return rc;
	struct rsemu_topology *t = NULL;
	rc = rs_topology_load_file(topo_path, &t, stderr);
	if (rc < 0)
		return rc == -EINVAL || rc == -ENOENT ? EXIT_BADINPUT : 1;
	log_start(t, topo_path);
	struct rsd *d = rsd_new(t, &cfg);
	if (d == NULL) {
		rs_topology_free(t);
		return 1;
	}
	rc = rsd_run(d);
	rsd_free(d);
	rs_topology_free(t);
	return rc;
}
