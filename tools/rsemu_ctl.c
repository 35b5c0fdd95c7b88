/* `rsemu ctl`: asks the running rsemu-rsd, over its control socket
 * (ctl_proto.h), the questions `rsemu routes` answers offline, plus the
 * state of its BGP sessions. Tables by default, JSON with --json.
 * Exit codes: 0 success, 1 the daemon is not reachable (or failed), 2 bad
 * arguments or an unknown peer/subnet. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "report.h"

#define EXIT_BADINPUT 2
#define CTL_TIMEOUT_S 10

int rsemu_cmd_ctl(int argc, char **argv);

static void usage(FILE *f)
{
	fputs("Usage: rsemu ctl [--control PATH] QUESTION [--json]\n"
	      "\n"
	      "Asks the running rsemu-rsd, live.\n"
	      "\n"
	      "Questions:\n"
	      "  peers                  every BGP session (peer x instance): state,\n"
	      "                         uptime, prefixes received/accepted, last error\n"
	      "  learned PEER           routes learned from a peer (name or IP)\n"
	      "  advertised PEER        routes advertised to a peer\n"
	      "  effective VNET/SUBNET  effective routes of a subnet\n"
	      "\n"
	      "Options:\n"
	      "  -c, --control PATH  the daemon's control socket\n"
	      "                      (default " RS_CTL_DEFAULT_PATH ")\n"
	      "  -j, --json          JSON (the shapes of `rsemu routes --json`)\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Exit codes: 0 success, 1 rsemu-rsd not reachable, 2 bad arguments or\n"
	      "an unknown peer or subnet.\n",
	      f);
}

/* --- talking to the daemon ------------------------------------------------------- */

static int ctl_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = CTL_TIMEOUT_S};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The whole answer (until the daemon closes); NULL with errno on failure. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		if (n + 1 >= cap) {
			char *b = realloc(buf, cap * 2);
			if (b == NULL)
				break;
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			errno = e == EAGAIN ? ETIMEDOUT : e;
			return NULL;
		}
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	errno = ENOMEM;
	return NULL;
}

/* Sends the request, returns the parsed answer or NULL (message printed). */
static json_t *ask(const char *path, const struct rs_ctl_request *req)
{
	int fd = ctl_connect(path);
	if (fd < 0) {
		fprintf(stderr, "rsemu ctl: cannot reach rsemu-rsd at %s: %s\n"
			"rsemu ctl: is it running? (rsemu-rsd --topology FILE "
			"--control %s)\n", path, strerror(errno), path);
		return NULL;
	}
	char *line = rs_ctl_format_request(req), *text = NULL;
	size_t len = 0;
	if (line != NULL && write_all(fd, line, strlen(line)) == 0)
		text = read_all(fd, &len);
	int e = errno;
	close(fd);
	free(line);
	if (text == NULL) {
		fprintf(stderr, "rsemu ctl: talking to rsemu-rsd at %s: %s\n",
			path, strerror(e));
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (j == NULL)
		fprintf(stderr, "rsemu ctl: rsemu-rsd answered something that is "
			"not JSON (%s)\n", je.text);
	free(text);
	return j;
}

/* --- tables ------------------------------------------------------------------------ */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void fmt_duration(long long s, char buf[32])
{
	if (s >= 86400)
		snprintf(buf, 32, "%lldd%02lldh%02lldm", s / 86400,
			 s / 3600 % 24, s / 60 % 60);
	else
		snprintf(buf, 32, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60,
			 s % 60);
}

/* Like `birdc show protocols` / `gobgp neighbor`: one line per session;
 * Up/Down is the uptime when Established, else the time since it went
 * down ("never" when it never came up). */
static void print_peers(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *s;
	fprintf(f, "%-12s %-15s %-15s %-10s %-12s %-10s %8s %8s %8s  %s\n",
		"Peer", "Instance", "Remote", "AS", "State", "Up/Down", "Rcvd",
		"Accepted", "Adv", "Last error");
	json_array_foreach(arr, i, s)
	{
		char since[32] = "never";
		const json_t *down = json_object_get(s, "lastDown");
		if (strcmp(jstr(s, "state"), "Established") == 0)
			fmt_duration(jint(s, "uptime"), since);
		else if (json_is_integer(down))
			fmt_duration(json_integer_value(down), since);
		fprintf(f, "%-12s %-15s %-15s %-10lld %-12s %-10s %8lld %8lld %8lld  %s\n",
			jstr(s, "name"), jstr(s, "localAddress"), jstr(s, "ip"),
			jint(s, "asn"), jstr(s, "state"), since,
			jint(s, "prefixesReceived"), jint(s, "prefixesAccepted"),
			jint(s, "prefixesAdvertised"), jstr(s, "lastError"));
	}
}

static void print_table(FILE *f, const struct rs_ctl_request *req,
			const json_t *j)
{
	switch (req->cmd) {
	case RS_CTL_PEERS:
		print_peers(f, j);
		break;
	case RS_CTL_LEARNED:
	case RS_CTL_ADVERTISED:
		fprintf(f, "Routes %s %s (live):\n",
			req->cmd == RS_CTL_LEARNED ? "learned from" : "advertised to",
			req->arg);
		rs_report_print_peer_routes(f, j);
		break;
	case RS_CTL_EFFECTIVE:
		fprintf(f, "Effective routes of %s (live)\n", req->arg);
		rs_report_print_effective(f, j);
		break;
	}
}

/* --- the command -------------------------------------------------------------------- */

/* Fills req from the positional arguments; 0 or EXIT_BADINPUT. */
static int parse_question(int n, char **pos, struct rs_ctl_request *req)
{
	if (n == 0) {
		fprintf(stderr, "rsemu ctl: say what to ask: peers, learned PEER, "
			"advertised PEER or effective VNET/SUBNET\n");
		return EXIT_BADINPUT;
	}
	int cmd = rs_ctl_cmd_parse(pos[0]);
	if (cmd < 0) {
		fprintf(stderr, "rsemu ctl: unknown question '%s' (peers, "
			"learned, advertised, effective)\n", pos[0]);
		return EXIT_BADINPUT;
	}
	req->cmd = (enum rs_ctl_cmd)cmd;
	const char *key = rs_ctl_arg_key(req->cmd);
	int want = key ? 2 : 1;
	if (n != want) {
		fprintf(stderr, "rsemu ctl: %s %s\n", pos[0],
			n < want ? (req->cmd == RS_CTL_EFFECTIVE
					    ? "needs VNET/SUBNET"
					    : "needs a PEER (name or IP)")
				 : "takes no more arguments");
		return EXIT_BADINPUT;
	}
	req->arg[0] = '\0';
	if (key != NULL) {
		if (strlen(pos[1]) >= sizeof(req->arg)) {
			fprintf(stderr, "rsemu ctl: '%s' is too long\n", pos[1]);
			return EXIT_BADINPUT;
		}
		strcpy(req->arg, pos[1]);
	}
	return 0;
}

int rsemu_cmd_ctl(int argc, char **argv)
{
	static const struct option opts[] = {
		{"control", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *path = RS_CTL_DEFAULT_PATH;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_BADINPUT;
		}
	}
	struct rs_ctl_request req;
	int rc = parse_question(argc - optind, argv + optind, &req);
	if (rc != 0)
		return rc;
	json_t *j = ask(path, &req);
	if (j == NULL)
		return 1;
	const char *err;
	rc = rs_ctl_error_of(j, &err);
	if (rc != 0) {
		fprintf(stderr, "rsemu ctl: %s\n", err);
	} else if (json) {
		rc = json_dumpf(j, stdout, JSON_INDENT(2)) == 0 ? 0 : 1;
		fputc('\n', stdout);
	} else {
		print_table(stdout, &req, j);
	}
	json_decref(j);
	return rc;
}
