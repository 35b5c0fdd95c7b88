/* `rsemu`, the front command. `rsemu routes` answers, offline, what the
 * Route Server would learn, advertise and program for a topology file.
 * Exit codes: 0 success, 1 runtime failure, 2 bad input. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "report.h"
#include "rib.h"

#define EXIT_BADINPUT 2

int rsemu_cmd_ctl(int argc, char **argv); /* tools/rsemu_ctl.c */

static void usage_main(FILE *f)
{
	fputs("Usage: rsemu COMMAND [OPTIONS]\n"
	      "\n"
	      "Emulates the routing of an Azure hub-and-spoke network built\n"
	      "around Azure Route Server.\n"
	      "\n"
	      "Commands:\n"
	      "  routes    what the Route Server learns, advertises and programs,\n"
	      "            computed offline from a topology file\n"
	      "  ctl       the same questions, and the BGP sessions, asked live of rsemu-rsd\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help     this help; `rsemu COMMAND --help` for a command\n"
	      "  -V, --version  print the version\n"
	      "\n"
	      "Exit codes: 0 success, 1 runtime failure, 2 bad input.\n",
	      f);
}

static void usage_routes(FILE *f)
{
	fputs("Usage: rsemu routes [--topology FILE] QUESTION [--json]\n"
	      "\n"
	      "Answers offline, from the topology file and the `announce:` lists\n"
	      "of its peers, what Azure Route Server and the VM hosts would do.\n"
	      "\n"
	      "Questions (one of):\n"
	      "  -e, --effective VNET/SUBNET  effective routes of a subnet, like\n"
	      "                               `az network nic show-effective-route-table`\n"
	      "  -a, --all                    effective routes of every subnet\n"
	      "  -l, --learned PEER           routes learned from a peer (name or IP),\n"
	      "                               like `az network routeserver peering\n"
	      "                               list-learned-routes`\n"
	      "  -A, --advertised PEER        routes advertised to a peer, like\n"
	      "                               `... list-advertised-routes`\n"
	      "  -p, --peers                  the Route Server's peers, one name a line\n"
	      "                               (with --json: name, kind, ip, asn, state)\n"
	      "\n"
	      "Options:\n"
	      "  -t, --topology FILE  the topology (YAML, see TOPOLOGY.md); default:\n"
	      "                       the embedded default topology\n"
	      "  -j, --json           JSON instead of tables\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Effective routes list every candidate: the losers with state Invalid.\n"
	      "Exit codes: 0 success, 1 runtime failure, 2 bad input (a topology\n"
	      "error names FILE:LINE: FIELD: reason; an unknown subnet or peer).\n",
	      f);
}

static int find_peer(const struct rsemu_topology *t, const char *s)
{
	int p = rs_topology_find_peer(t, s);
	uint32_t ip;
	if (p < 0 && rsemu_ip_parse(s, &ip) == 0)
		for (size_t i = 0; i < t->rs.n_peers; i++)
			if (t->rs.peers[i].ip == ip)
				return (int)i;
	return p;
}

static int print_json(json_t *j)
{
	if (j == NULL)
		return 1;
	int rc = json_dumpf(j, stdout, JSON_INDENT(2)) == 0 ? 0 : 1;
	fputc('\n', stdout);
	json_decref(j);
	return rc;
}

static void subnet_header(const struct rsemu_topology *t, int v, int s)
{
	const struct rsemu_subnet *sn = &t->vnets[v].subnets[s];
	char p[20];
	rsemu_prefix_format(sn->prefix, p);
	int rt = sn->route_table;
	printf("Effective routes of %s/%s (%s)", t->vnets[v].name, sn->name, p);
	if (rt >= 0)
		printf(", route table %s", t->route_tables[rt].name);
	printf(", gateway route propagation %s\n",
	       rs_effective_propagates(t, v, s) ? "applies" : "does not apply");
}

static int cmd_routes(int argc, char **argv)
{
	static const struct option opts[] = {
		{"topology", required_argument, NULL, 't'},
		{"effective", required_argument, NULL, 'e'},
		{"all", no_argument, NULL, 'a'},
		{"learned", required_argument, NULL, 'l'},
		{"advertised", required_argument, NULL, 'A'},
		{"peers", no_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *topo_path = NULL, *arg = NULL;
	int question = 0, c;
	bool json = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:e:al:A:pjh", opts, NULL)) != -1) {
		switch (c) {
		case 't': topo_path = optarg; break;
		case 'j': json = true; break;
		case 'h': usage_routes(stdout); return 0;
		case 'e': case 'a': case 'l': case 'A': case 'p':
			if (question) {
				fprintf(stderr, "rsemu routes: ask one question at a time "
						"(--effective, --all, --learned, --advertised or --peers)\n");
				return EXIT_BADINPUT;
			}
			question = c;
			arg = optarg;
			break;
		default:
			usage_routes(stderr);
			return EXIT_BADINPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rsemu routes: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_BADINPUT;
	}
	if (!question) {
		fprintf(stderr, "rsemu routes: say what to show: --effective "
				"VNET/SUBNET, --all, --learned PEER, --advertised PEER or --peers\n");
		return EXIT_BADINPUT;
	}

	struct rsemu_topology *t = NULL;
	int rc = topo_path ? rs_topology_load_file(topo_path, &t, stderr)
			   : rs_topology_load_default(&t, stderr);
	if (rc < 0)
		return rc == -EINVAL || rc == -ENOENT ? EXIT_BADINPUT : 1;

	struct rs_rib *rib = rs_rib_new(t);
	if (rib == NULL || rs_rib_load_announcements(rib, NULL) < 0) {
		fprintf(stderr, "rsemu routes: out of memory\n");
		rs_rib_free(rib);
		rs_topology_free(t);
		return 1;
	}
	for (size_t p = 0; p < t->rs.n_peers; p++)
		if (rs_rib_peer_state(rib, (int)p)->over_limit)
			fprintf(stderr,
				"rsemu routes: note: peer %s announces more than its "
				"max_prefixes (%u): its session would drop and none "
				"of its routes are used\n",
				t->rs.peers[p].name, t->rs.peers[p].max_prefixes);

	int v, s, p;
	rc = 0;
	switch (question) {
	case 'e':
		if (rs_topology_find_vnet_subnet(t, arg, &v, &s) < 0) {
			fprintf(stderr, "rsemu routes: --effective %s: no such "
					"subnet (expected VNET/SUBNET)\n", arg);
			rc = EXIT_BADINPUT;
			break;
		}
		if (json) {
			rc = print_json(rs_report_effective(rib, v, s));
		} else {
			json_t *j = rs_report_effective(rib, v, s);
			subnet_header(t, v, s);
			rs_report_print_effective(stdout, j);
			json_decref(j);
		}
		break;
	case 'a': {
		json_t *all = json ? json_object() : NULL;
		for (v = 0; v < (int)t->n_vnets; v++)
			for (s = 0; s < (int)t->vnets[v].n_subnets; s++) {
				json_t *j = rs_report_effective(rib, v, s);
				if (json) {
					char key[2 * RSEMU_NAME_MAX + 2];
					snprintf(key, sizeof(key), "%s/%s",
						 t->vnets[v].name,
						 t->vnets[v].subnets[s].name);
					json_object_set_new(all, key, j);
					continue;
				}
				if (v || s)
					putchar('\n');
				subnet_header(t, v, s);
				rs_report_print_effective(stdout, j);
				json_decref(j);
			}
		if (json)
			rc = print_json(all);
		break;
	}
	case 'p': {
		json_t *arr = json ? json_array() : NULL;
		for (size_t i = 0; i < t->rs.n_peers; i++) {
			const struct rsemu_peer *pe = &t->rs.peers[i];
			const struct rs_peer_state *ps = rs_rib_peer_state(rib, (int)i);
			if (!json) {
				printf("%s\n", pe->name);
				continue;
			}
			char ip[16];
			rsemu_ip_format(pe->ip, ip);
			json_array_append_new(arr, json_pack(
				"{s:s, s:s, s:s, s:I, s:s, s:I}", "name", pe->name,
				"kind", rsemu_peer_kind_name(pe->kind), "ip", ip,
				"asn", (json_int_t)pe->asn,
				"state", ps->over_limit ? "MaxPrefixExceeded" : "Announced",
				"routes", (json_int_t)ps->routes));
		}
		if (json)
			rc = print_json(arr);
		break;
	}
	case 'l':
	case 'A':
		if ((p = find_peer(t, arg)) < 0) {
			fprintf(stderr, "rsemu routes: %s %s: no such peer\n",
				question == 'l' ? "--learned" : "--advertised", arg);
			rc = EXIT_BADINPUT;
			break;
		}
		json_t *j = question == 'l' ? rs_report_learned(rib, p)
					    : rs_report_advertised(rib, p);
		if (json) {
			rc = print_json(j);
		} else {
			printf("Routes %s %s (%s):\n",
			       question == 'l' ? "learned from" : "advertised to",
			       t->rs.peers[p].name,
			       rsemu_peer_kind_name(t->rs.peers[p].kind));
			rs_report_print_peer_routes(stdout, j);
			json_decref(j);
		}
		break;
	}
	rs_rib_free(rib);
	rs_topology_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage_main(stderr);
		return EXIT_BADINPUT;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage_main(stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("rsemu %s\n", RSEMU_VERSION);
		return 0;
	}
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes(argc - 1, argv + 1);
	if (strcmp(cmd, "ctl") == 0) return rsemu_cmd_ctl(argc - 1, argv + 1);
	fprintf(stderr, "rsemu: unknown command '%s'\n\n", cmd);
	usage_main(stderr);
	return EXIT_BADINPUT;
}
