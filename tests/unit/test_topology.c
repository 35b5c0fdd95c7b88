/* The topology loader (control/topology.c): the embedded default topology,
 * one test per rule of docs/TOPOLOGY.md (a valid base file broken in one
 * place, checked for the exact FILE:LINE: FIELD: of the message), and the
 * look-ups. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "rsemu/topology.h"

/* A valid topology, one string per line: tests replace lines by number
 * (a blank line stands for a deleted one, so the numbers stay put). */
static const char *const base[] = {
	/* 1 */ "route_server:",
	/* 2 */ "  name: rs",
	/* 3 */ "  vnet: hub",
	/* 4 */ "  instances: [10.0.254.4, 10.0.254.5]",
	/* 5 */ "  timers: {keepalive: 60, hold: 180}",
	/* 6 */ "  listen: {port: 179}",
	/* 7 */ "  peers:",
	/* 8 */ "    - name: nva1",
	/* 9 */ "      ip: 10.0.1.4",
	/* 10 */ "      asn: 65001",
	/* 11 */ "      mac: \"02:00:0a:00:01:04\"",
	/* 12 */ "      announce:",
	/* 13 */ "        - {prefix: 192.168.0.0/16, as_path: [65001], communities: [\"65001:1\", no-advertise]}",
	/* 14 */ "    - {name: er, kind: expressroute, ip: 10.0.255.4}",
	/* 15 */ "vnets:",
	/* 16 */ "  - name: hub",
	/* 17 */ "    address_space: [10.0.0.0/16]",
	/* 18 */ "    subnets:",
	/* 19 */ "      - {name: RouteServerSubnet, prefix: 10.0.254.0/26}",
	/* 20 */ "      - {name: nva, prefix: 10.0.1.0/24}",
	/* 21 */ "      - {name: GatewaySubnet, prefix: 10.0.255.0/27}",
	/* 22 */ "  - name: spoke1",
	/* 23 */ "    address_space: [10.1.0.0/16]",
	/* 24 */ "    subnets:",
	/* 25 */ "      - {name: app, prefix: 10.1.0.0/24, route_table: rt1}",
	/* 26 */ "  - name: spoke2",
	/* 27 */ "    address_space: [10.2.0.0/16]",
	/* 28 */ "    subnets:",
	/* 29 */ "      - {name: web, prefix: 10.2.0.0/24}",
	/* 30 */ "peerings:",
	/* 31 */ "  - {hub: hub, spoke: spoke1, allow_gateway_transit: true, use_remote_gateways: true}",
	/* 32 */ "  - {hub: hub, spoke: spoke2, allow_gateway_transit: true}",
	/* 33 */ "route_tables:",
	/* 34 */ "  - name: rt1",
	/* 35 */ "    propagate_gateway_routes: false",
	/* 36 */ "    routes:",
	/* 37 */ "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: 10.0.1.100}",
	/* 38 */ "vms:",
	/* 39 */ "  - {name: app1, subnet: spoke1/app, ip: 10.1.0.4, mac: \"02:00:0a:01:00:04\"}",
	/* 40 */ "  - {name: web1, subnet: spoke2/web, ip: 10.2.0.4}",
};
#define BASE_N (sizeof(base) / sizeof(base[0]))

/* The base with line i replaced by edits[i] where that is not NULL. */
static char *mk(const char *const edits[BASE_N + 1])
{
	char *yaml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&yaml, &len);
	assert_non_null(f);
	for (size_t i = 1; i <= BASE_N; i++)
		fprintf(f, "%s\n", edits && edits[i] ? edits[i] : base[i - 1]);
	fclose(f);
	return yaml;
}
#define EDIT(...) mk((const char *[BASE_N + 1]){__VA_ARGS__})

struct loaded {
	int rc;
	struct rsemu_topology *t;
	char *msgs;  /* everything written to err */
	int n_lines; /* lines in msgs */
};

static struct loaded load(const char *yaml)
{
	struct loaded l = {0};
	size_t len;
	FILE *err = open_memstream(&l.msgs, &len);
	assert_non_null(err);
	l.rc = rs_topology_load_buffer("lab.yaml", yaml, strlen(yaml), &l.t,
				       err);
	fclose(err);
	for (const char *s = l.msgs; *s; s++)
		l.n_lines += *s == '\n';
	return l;
}

/* The line of msgs that starts with "lab.yaml:LINE: FIELD: " (want) holds
 * reason too. */
static bool has_msg(const char *msgs, const char *want, const char *reason)
{
	for (const char *s = msgs; (s = strstr(s, want)) != NULL; s++) {
		if (s != msgs && s[-1] != '\n')
			continue;
		const char *eol = strchr(s, '\n');
		const char *r = strstr(s, reason);
		if (r && (!eol || r < eol))
			return true;
	}
	return false;
}

/* Loading yaml (freed here) fails with -EINVAL, returns nothing, and says
 * want ("lab.yaml:LINE: FIELD: ") followed on the same line by reason. */
static void expect_error(char *yaml, const char *want, const char *reason)
{
	struct loaded l = load(yaml);
	bool found = has_msg(l.msgs, want, reason);
	if (l.rc != -EINVAL || !found)
		fprintf(stderr, "--- yaml ---\n%s--- messages ---\n%s--- wanted ---\n"
			    "%s...%s\n", yaml, l.msgs, want, reason);
	assert_int_equal(l.rc, -EINVAL);
	assert_null(l.t);
	assert_true(found);
	free(l.msgs);
	free(yaml);
}

/* The same, when the error must be the only message (no cascade). */
static void expect_only_error(char *yaml, const char *want,
			      const char *reason)
{
	struct loaded l = load(yaml);
	if (l.n_lines != 1)
		fprintf(stderr, "--- messages ---\n%s", l.msgs);
	assert_int_equal(l.n_lines, 1);
	rs_topology_free(l.t);
	free(l.msgs);
	expect_error(yaml, want, reason);
}

/* Loading yaml (freed here) succeeds without a message; returns it. */
static struct rsemu_topology *expect_ok(char *yaml)
{
	struct loaded l = load(yaml);
	if (l.rc != 0 || l.n_lines)
		fprintf(stderr, "--- yaml ---\n%s--- messages ---\n%s", yaml, l.msgs);
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.n_lines, 0);
	assert_non_null(l.t);
	free(l.msgs);
	free(yaml);
	return l.t;
}

static uint32_t ip(const char *s)
{
	uint32_t a;
	assert_int_equal(rsemu_ip_parse(s, &a), 0);
	return a;
}

/* ---- the default topology and the base ---- */

static void default_topology_loads(void **st)
{
	(void)st;
	struct rsemu_topology *t = NULL;
	char *msgs;
	size_t len;
	FILE *err = open_memstream(&msgs, &len);
	assert_int_equal(rs_topology_load_default(&t, err), 0);
	fclose(err);
	assert_string_equal(msgs, ""); /* no error, no warning */
	free(msgs);
	const struct rsemu_route_server *rs = &t->rs;
	assert_string_equal(rs->name, "hub-rs");
	assert_int_equal(rs->vnet, rs_topology_find_vnet(t, "hub"));
	assert_int_equal(rs->asn, 65515);
	assert_int_equal(rs->instances[0], ip("10.0.254.4"));
	assert_int_equal(rs->instances[1], ip("10.0.254.5"));
	assert_false(rs->branch_to_branch);
	assert_int_equal(rs->routing_preference, RSEMU_PREF_EXPRESSROUTE);
	assert_int_equal(rs->keepalive, 60);
	assert_int_equal(rs->hold, 180);
	assert_int_equal(rs->port, 179);
	assert_int_equal(rs->n_peers, 3);
	const struct rsemu_peer *nva1 = &rs->peers[rs_topology_find_peer(t, "nva1")];
	const struct rsemu_peer *nva2 = &rs->peers[rs_topology_find_peer(t, "nva2")];
	const struct rsemu_peer *er = &rs->peers[rs_topology_find_peer(t, "er-gw")];
	assert_int_equal(nva1->kind, RSEMU_PEER_NVA);
	assert_int_equal(nva1->ip, ip("10.0.1.4"));
	assert_int_equal(nva1->asn, 65001);
	assert_true(nva1->has_mac);
	assert_memory_equal(nva1->mac, ((uint8_t[]){2, 0, 10, 0, 1, 4}), 6);
	assert_int_equal(nva1->max_prefixes, 1000);
	assert_int_equal(nva1->n_announce, 2);
	assert_int_equal(nva1->announce[0].prefix.len, 0);
	assert_int_equal(nva1->announce[1].prefix.addr, ip("10.0.0.0"));
	assert_int_equal(nva1->announce[1].prefix.len, 8);
	assert_int_equal(nva1->announce[0].as_path_len, 1);
	assert_int_equal(nva1->announce[0].as_path[0], 65001);
	assert_int_equal(nva1->announce[0].next_hop, nva1->ip);
	assert_int_equal(nva2->asn, 65002);
	assert_int_equal(nva2->ip, ip("10.0.1.5"));
	assert_int_equal(nva2->announce[1].as_path[0], 65002);
	assert_int_equal(er->kind, RSEMU_PEER_EXPRESSROUTE);
	assert_int_equal(er->asn, 65515);
	assert_int_equal(er->ip, ip("10.0.255.4"));
	assert_int_equal(er->n_announce, 2);
	assert_int_equal(er->announce[0].as_path_len, 2);
	assert_int_equal(er->announce[0].as_path[0], 12076);
	assert_int_equal(er->announce[0].as_path[1], 65020);
	assert_int_equal(er->announce[1].prefix.addr, ip("172.17.0.0"));

	assert_int_equal(t->n_vnets, 3);
	assert_int_equal(t->vnets[0].n_subnets, 4);
	assert_int_equal(t->vnets[1].n_subnets, 2);
	assert_int_equal(t->vnets[2].n_subnets, 1);
	int v, s;
	assert_int_equal(rs_topology_find_vnet_subnet(t, "hub/RouteServerSubnet", &v, &s), 0);
	assert_int_equal(t->vnets[v].subnets[s].prefix.len, 26);
	assert_int_equal(rs_topology_find_vnet_subnet(t, "spoke1/app", &v, &s), 0);
	assert_int_equal(t->vnets[v].subnets[s].route_table, -1);
	assert_int_equal(rs_topology_find_vnet_subnet(t, "spoke2/web", &v, &s), 0);
	int rt = t->vnets[v].subnets[s].route_table;
	assert_int_equal(rt, 0);
	assert_string_equal(t->route_tables[rt].name, "spoke2-rt");
	assert_false(t->route_tables[rt].propagate_gateway_routes);
	assert_int_equal(t->route_tables[rt].n_routes, 1);
	assert_int_equal(t->route_tables[rt].routes[0].next_hop_type, RSEMU_NH_VIRTUAL_APPLIANCE);
	assert_int_equal(t->route_tables[rt].routes[0].next_hop_ip, ip("10.0.1.100"));
	assert_int_equal(t->n_peerings, 2);
	for (size_t i = 0; i < t->n_peerings; i++) {
		assert_true(t->peerings[i].allow_gateway_transit);
		assert_true(t->peerings[i].use_remote_gateways);
	}
	for (int i = 0; i < 3; i++)
		assert_true(rs_topology_in_rs_domain(t, i));
	assert_int_equal(t->n_route_tables, 1);
	assert_int_equal(t->n_vms, 10);
	size_t per[3] = {0};
	for (size_t i = 0; i < t->n_vms; i++) {
		const struct rsemu_vm *vm = &t->vms[i];
		per[vm->vnet]++;
		assert_true(vm->has_mac);
		assert_int_equal(vm->mac[0], 2);
		assert_int_equal(vm->mac[1], 0);
		for (int b = 0; b < 4; b++)
			assert_int_equal(vm->mac[2 + b], (vm->ip >> (24 - 8 * b)) & 0xFF);
	}
	assert_int_equal(per[0], 2);
	assert_int_equal(per[1], 5);
	assert_int_equal(per[2], 3);
	rs_topology_free(t);
}

static void base_loads_with_defaults(void **st)
{
	(void)st;
	struct rsemu_topology *t = expect_ok(mk(NULL));
	assert_string_equal(t->file, "lab.yaml");
	assert_int_equal(t->rs.asn, 65515);
	assert_int_equal(t->rs.routing_preference, RSEMU_PREF_EXPRESSROUTE);
	assert_false(t->rs.branch_to_branch);
	const struct rsemu_peer *nva = &t->rs.peers[0], *er = &t->rs.peers[1];
	assert_int_equal(nva->line, 8);
	assert_int_equal(nva->max_prefixes, 1000);
	assert_string_equal(nva->md5, "");
	assert_int_equal(nva->announce[0].line, 13);
	assert_int_equal(nva->announce[0].next_hop, ip("10.0.1.4"));
	assert_int_equal(nva->announce[0].n_communities, 2);
	assert_int_equal(nva->announce[0].communities[0], (65001u << 16) | 1);
	assert_int_equal(nva->announce[0].communities[1], RSEMU_NO_ADVERTISE);
	assert_int_equal(er->kind, RSEMU_PEER_EXPRESSROUTE);
	assert_int_equal(er->asn, 65515);
	assert_false(er->has_mac);
	assert_int_equal(t->vnets[1].subnets[0].route_table, 0);
	assert_int_equal(t->vnets[2].subnets[0].route_table, -1);
	assert_false(t->peerings[1].use_remote_gateways);
	assert_int_equal(t->vms[1].line, 40);
	assert_false(t->vms[1].has_mac);
	rs_topology_free(t);

	/* Optional parts left out: their defaults. */
	t = expect_ok(EDIT([2] = "", [5] = "", [6] = "", [35] = ""));
	assert_string_equal(t->rs.name, "rs");
	assert_int_equal(t->rs.keepalive, 60);
	assert_int_equal(t->rs.hold, 180);
	assert_int_equal(t->rs.port, 179);
	assert_true(t->route_tables[0].propagate_gateway_routes);
	rs_topology_free(t);
}

static void flow_style_document(void **st)
{
	(void)st;
	const char *yaml =
		"{route_server: {vnet: hub, instances: [10.0.254.4, 10.0.254.5], peers: []},\n"
		" vnets: [{name: hub, address_space: [10.0.0.0/16],\n"
		"          subnets: [{name: RouteServerSubnet, prefix: 10.0.254.0/26}]}]}\n";
	struct rsemu_topology *t = expect_ok(strdup(yaml));
	assert_int_equal(t->n_vnets, 1);
	assert_int_equal(t->rs.n_peers, 0);
	rs_topology_free(t);
}

/* ---- structure ---- */

static void unknown_key(void **st)
{
	(void)st;
	expect_error(EDIT([20] = "      - {name: nva, prefx: 10.0.1.0/24}"),
		     "lab.yaml:20: vnets[0].subnets[1].prefx: ", "unknown key");
	expect_only_error(EDIT([35] = "    propagate: false"),
			  "lab.yaml:35: route_tables[0].propagate: ",
			  "unknown key (expected one of name, propagate_gateway_routes, routes)");
	expect_only_error(EDIT([38] = "vm:"), "lab.yaml:38: vm: ", "unknown key");
}

static void duplicate_key(void **st)
{
	(void)st;
	expect_only_error(EDIT([11] = "      ip: 10.0.1.5"),
			  "lab.yaml:11: route_server.peers[0].ip: ",
			  "duplicate key (first given on line 9)");
}

static void wrong_yaml_type(void **st)
{
	(void)st;
	/* A mapping where a list belongs; nothing about RouteServerSubnet
	 * follows from it. */
	expect_only_error(EDIT([18] = "    subnets: {name: RouteServerSubnet}",
			       [19] = "", [20] = "", [21] = ""),
			  "lab.yaml:18: vnets[0].subnets: ",
			  "expected a list, found a mapping");
	expect_error(EDIT([4] = "  instances: 10.0.254.4"),
		     "lab.yaml:4: route_server.instances: ", "expected a list");
	expect_error(EDIT([3] = "  vnet: [hub]"),
		     "lab.yaml:3: route_server.vnet: ", "expected a single value, found a list");
	expect_error(EDIT([5] = "  timers: 60"),
		     "lab.yaml:5: route_server.timers: ", "expected a mapping");
}

static void missing_required(void **st)
{
	(void)st;
	expect_only_error(EDIT([9] = ""), "lab.yaml:8: route_server.peers[0].ip: ",
			  "required key missing");
	expect_only_error(EDIT([19] = "      - {name: RouteServerSubnet}"),
			  "lab.yaml:19: vnets[0].subnets[0].prefix: ",
			  "required key missing");
	expect_error(EDIT([4] = ""), "lab.yaml:2: route_server.instances: ",
		     "required key missing");
	expect_error(strdup("route_server: {vnet: hub, instances: [10.0.254.4, 10.0.254.5]}\n"),
		     "lab.yaml:1: vnets: ", "required key missing");
	expect_error(strdup("vnets: []\n"), "lab.yaml:1: route_server: ",
		     "required key missing");
	expect_error(strdup("# nothing\n"), "lab.yaml:1: (document): ", "empty");
}

static void yaml_syntax_error(void **st)
{
	(void)st;
	expect_only_error(EDIT([5] = "  timers: {keepalive: 60, hold: 180"),
			  "lab.yaml:6: (yaml): ", "did not find expected");
	expect_only_error(EDIT([40] = "  - {name: web1, subnet: spoke2/web, ip: 10.2.0.4}\n---\nmore: 1"),
			  "lab.yaml:42: (yaml): ", "a second document");
}

static void unreadable_file(void **st)
{
	(void)st;
	struct rsemu_topology *t = NULL;
	char *msgs;
	size_t len;
	FILE *err = open_memstream(&msgs, &len);
	int rc = rs_topology_load_file("/nonexistent/lab.yaml", &t, err);
	fclose(err);
	assert_int_equal(rc, -ENOENT);
	assert_null(t);
	assert_string_equal(msgs, "/nonexistent/lab.yaml: cannot read: No such file or directory\n");
	free(msgs);
}

static void load_file_names_the_path(void **st)
{
	(void)st;
	char path[] = "/tmp/test_topology_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *yaml = mk(NULL);
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	free(yaml);
	struct rsemu_topology *t = NULL;
	assert_int_equal(rs_topology_load_file(path, &t, stderr), 0);
	assert_string_equal(t->file, path);
	rs_topology_free(t);

	yaml = EDIT([10] = "      asn: 65515");
	FILE *f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	free(yaml);
	char *msgs, want[128];
	size_t len;
	FILE *err = open_memstream(&msgs, &len);
	t = NULL;
	assert_int_equal(rs_topology_load_file(path, &t, err), -EINVAL);
	fclose(err);
	assert_null(t);
	snprintf(want, sizeof(want), "%s:10: route_server.peers[0].asn: ", path);
	assert_true(has_msg(msgs, want, "reserved by Azure"));
	free(msgs);
	unlink(path);
}

static void several_errors_in_file_order(void **st)
{
	(void)st;
	char *yaml = EDIT([40] = "  - {name: web1, subnet: spoke2/web, ip: 10.2.0.400}",
			  [10] = "      asn: 65515", [2] = "  name: a/b");
	struct loaded l = load(yaml);
	free(yaml);
	assert_int_equal(l.rc, -EINVAL);
	assert_null(l.t);
	assert_int_equal(l.n_lines, 3);
	const char *a = strstr(l.msgs, "lab.yaml:2: route_server.name: ");
	const char *b = strstr(l.msgs, "lab.yaml:10: route_server.peers[0].asn: ");
	const char *c = strstr(l.msgs, "lab.yaml:40: vms[1].ip: ");
	assert_true(a && b && c && a < b && b < c);
	free(l.msgs);
}

/* ---- values ---- */

static void bad_prefix(void **st)
{
	(void)st;
	expect_only_error(EDIT([29] = "      - {name: web, prefix: 10.2.0.0/33}"),
			  "lab.yaml:29: vnets[2].subnets[0].prefix: ",
			  "\"10.2.0.0/33\" is not a CIDR prefix");
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0/16, as_path: [65001]}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].prefix: ",
			  "not a CIDR prefix");
}

static void prefix_host_bits(void **st)
{
	(void)st;
	expect_only_error(EDIT([23] = "    address_space: [10.1.0.1/16]"),
			  "lab.yaml:23: vnets[1].address_space[0]: ",
			  "10.1.0.1/16 has host bits set, did you mean 10.1.0.0/16?");
}

static void bad_ip(void **st)
{
	(void)st;
	expect_only_error(EDIT([9] = "      ip: 10.0.1.256"),
			  "lab.yaml:9: route_server.peers[0].ip: ",
			  "\"10.0.1.256\" is not an IPv4 address");
}

static void bad_name(void **st)
{
	(void)st;
	expect_only_error(EDIT([34] = "  - name: rt/1"),
			  "lab.yaml:34: route_tables[0].name: ", "bad name \"rt/1\"");
}

static void bool_must_be_yaml_boolean(void **st)
{
	(void)st;
	expect_only_error(EDIT([35] = "    propagate_gateway_routes: \"false\""),
			  "lab.yaml:35: route_tables[0].propagate_gateway_routes: ",
			  "expected true or false");
	expect_only_error(EDIT([2] = "  branch_to_branch: maybe"),
			  "lab.yaml:2: route_server.branch_to_branch: ",
			  "expected true or false, found \"maybe\"");
	struct rsemu_topology *t = expect_ok(EDIT([2] = "  branch_to_branch: yes",
						  [35] = "    propagate_gateway_routes: no"));
	assert_true(t->rs.branch_to_branch);
	assert_false(t->route_tables[0].propagate_gateway_routes);
	rs_topology_free(t);
}

static void int_must_be_decimal_in_range(void **st)
{
	(void)st;
	expect_only_error(EDIT([10] = "      asn: \"65001\""),
			  "lab.yaml:10: route_server.peers[0].asn: ",
			  "expected an integer in 1..4294967295");
	expect_only_error(EDIT([10] = "      asn: 0x10"),
			  "lab.yaml:10: route_server.peers[0].asn: ",
			  "expected an integer");
	expect_only_error(EDIT([10] = "      asn: -1"),
			  "lab.yaml:10: route_server.peers[0].asn: ",
			  "expected an integer");
	expect_only_error(EDIT([10] = "      asn: 4294967296"),
			  "lab.yaml:10: route_server.peers[0].asn: ",
			  "4294967296 is out of range 1..4294967295");
	expect_only_error(EDIT([10] = "      asn: 99999999999999999999999"),
			  "lab.yaml:10: route_server.peers[0].asn: ",
			  "99999999999999999999999 is out of range");
}

/* ---- where addresses may be ---- */

static void vm_ip_in_its_subnet(void **st)
{
	(void)st;
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: spoke1/app, ip: 10.1.1.4}"),
			  "lab.yaml:39: vms[0].ip: ",
			  "10.1.1.4 is not in subnet spoke1/app (10.1.0.0/24)");
}

static void azure_reserved_addresses(void **st)
{
	(void)st;
	const char *why = "reserved: Azure reserves the first four addresses and the last address of subnet 10.1.0.0/24";
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: spoke1/app, ip: 10.1.0.3}"),
			  "lab.yaml:39: vms[0].ip: ", why);
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: spoke1/app, ip: 10.1.0.255}"),
			  "lab.yaml:39: vms[0].ip: ", why);
	expect_only_error(EDIT([4] = "  instances: [10.0.254.0, 10.0.254.5]"),
			  "lab.yaml:4: route_server.instances[0]: ",
			  "10.0.254.0 is reserved");
	struct rsemu_topology *t = expect_ok(EDIT([39] = "  - {name: app1, subnet: spoke1/app, ip: 10.1.0.254}"));
	rs_topology_free(t);
}

static void instances_in_route_server_subnet(void **st)
{
	(void)st;
	expect_only_error(EDIT([4] = "  instances: [10.0.254.4, 10.0.1.5]"),
			  "lab.yaml:4: route_server.instances[1]: ",
			  "10.0.1.5 is not in subnet hub/RouteServerSubnet (10.0.254.0/26)");
}

static void instances_distinct(void **st)
{
	(void)st;
	expect_only_error(EDIT([4] = "  instances: [10.0.254.4, 10.0.254.4]"),
			  "lab.yaml:4: route_server.instances[1]: ",
			  "both instances have the IP 10.0.254.4");
}

static void instances_exactly_two(void **st)
{
	(void)st;
	expect_only_error(EDIT([4] = "  instances: [10.0.254.4]"),
			  "lab.yaml:4: route_server.instances: ",
			  "exactly 2 instances, found 1");
	expect_only_error(EDIT([4] = "  instances: [10.0.254.4, 10.0.254.5, 10.0.254.6]"),
			  "lab.yaml:4: route_server.instances: ",
			  "exactly 2 instances, found 3");
}

static void peer_ip_reachable(void **st)
{
	(void)st;
	expect_only_error(EDIT([9] = "      ip: 10.9.0.4"),
			  "lab.yaml:9: route_server.peers[0].ip: ",
			  "10.9.0.4 is in no subnet of hub or of a VNet peered with it");
	/* A subnet of a peered spoke will do. */
	struct rsemu_topology *t = expect_ok(EDIT([9] = "      ip: 10.2.0.10"));
	rs_topology_free(t);
}

static void udr_next_hop_ip_valid(void **st)
{
	(void)st;
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance, next_hop_ip: fw}"),
			  "lab.yaml:37: route_tables[0].routes[0].next_hop_ip: ",
			  "\"fw\" is not an IPv4 address");
}

static void announce_next_hop(void **st)
{
	(void)st;
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001], next_hop: 10.0.1}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].next_hop: ",
			  "not an IPv4 address");
	struct rsemu_topology *t = expect_ok(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001], next_hop: 10.0.1.100}"));
	assert_int_equal(t->rs.peers[0].announce[0].next_hop, ip("10.0.1.100"));
	rs_topology_free(t);
}

/* ---- names and references ---- */

static void vnet_names_unique(void **st)
{
	(void)st;
	expect_error(EDIT([26] = "  - name: spoke1"), "lab.yaml:26: vnets[2].name: ",
		     "duplicate name spoke1 (also vnets[1], line 22)");
}

static void subnet_names_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([21] = "      - {name: nva, prefix: 10.0.255.0/27}"),
			  "lab.yaml:21: vnets[0].subnets[2].name: ",
			  "duplicate name nva");
}

static void peer_names_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([14] = "    - {name: nva1, kind: expressroute, ip: 10.0.255.4}"),
			  "lab.yaml:14: route_server.peers[1].name: ",
			  "duplicate name nva1");
}

static void route_table_names_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: None}\n  - {name: rt1}"),
			  "lab.yaml:38: route_tables[1].name: ", "duplicate name rt1");
}

static void vm_names_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([40] = "  - {name: app1, subnet: spoke2/web, ip: 10.2.0.4}"),
			  "lab.yaml:40: vms[1].name: ", "duplicate name app1");
}

static void vm_ips_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([40] = "  - {name: web1, subnet: spoke1/app, ip: 10.1.0.4}"),
			  "lab.yaml:40: vms[1].ip: ",
			  "10.1.0.4 is also the ip of VM app1 (line 39)");
}

static void peer_ips_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([14] = "    - {name: er, kind: expressroute, ip: 10.0.1.4}"),
			  "lab.yaml:14: route_server.peers[1].ip: ",
			  "10.0.1.4 is also the ip of peer nva1 (line 8)");
}

static void references_exist(void **st)
{
	(void)st;
	expect_only_error(EDIT([3] = "  vnet: hubb"), "lab.yaml:3: route_server.vnet: ",
			  "no VNet named \"hubb\"");
	expect_only_error(EDIT([25] = "      - {name: app, prefix: 10.1.0.0/24, route_table: rt2}"),
			  "lab.yaml:25: vnets[1].subnets[0].route_table: ",
			  "no route table named \"rt2\"");
	expect_only_error(EDIT([32] = "  - {hub: hub, spoke: spoke3}"),
			  "lab.yaml:32: peerings[1].spoke: ", "no VNet named \"spoke3\"");
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: spoke3/app, ip: 10.1.0.4}"),
			  "lab.yaml:39: vms[0].subnet: ", "no VNet named \"spoke3\"");
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: spoke1/db, ip: 10.1.0.4}"),
			  "lab.yaml:39: vms[0].subnet: ",
			  "VNet spoke1 has no subnet named \"db\"");
	expect_only_error(EDIT([39] = "  - {name: app1, subnet: app, ip: 10.1.0.4}"),
			  "lab.yaml:39: vms[0].subnet: ", "expected VNET/SUBNET");
	/* A route table whose name failed: no "no route table" on top. */
	expect_only_error(EDIT([34] = "  - name: \"\""),
			  "lab.yaml:34: route_tables[0].name: ", "bad name");
}

/* ---- VNets ---- */

static void vnet_spaces_disjoint(void **st)
{
	(void)st;
	expect_only_error(EDIT([23] = "    address_space: [10.1.0.0/16, 10.1.128.0/17]"),
			  "lab.yaml:23: vnets[1].address_space[1]: ",
			  "10.1.128.0/17 overlaps 10.1.0.0/16 of this VNet's address space");
	expect_only_error(EDIT([23] = "    address_space: []"),
			  "lab.yaml:23: vnets[1].address_space: ",
			  "at least one address space");
}

static void peered_spaces_disjoint(void **st)
{
	(void)st;
	expect_only_error(EDIT([27] = "    address_space: [10.2.0.0/16, 10.0.0.0/15]"),
			  "lab.yaml:27: vnets[2].address_space[1]: ",
			  "10.0.0.0/15 overlaps hub 10.0.0.0/16");
	/* spoke1 and spoke2 are not peered with each other: they may overlap. */
	struct rsemu_topology *t = expect_ok(EDIT([27] = "    address_space: [10.2.0.0/16, 10.1.0.0/16]"));
	rs_topology_free(t);
}

static void subnets_inside_space(void **st)
{
	(void)st;
	expect_only_error(EDIT([25] = "      - {name: app, prefix: 10.5.0.0/24, route_table: rt1}",
			       [39] = ""),
			  "lab.yaml:25: vnets[1].subnets[0].prefix: ",
			  "10.5.0.0/24 is outside the address space of spoke1 (10.1.0.0/16)");
}

static void subnets_disjoint(void **st)
{
	(void)st;
	expect_only_error(EDIT([20] = "      - {name: nva, prefix: 10.0.254.0/24}", [9] = "      ip: 10.0.254.10"),
			  "lab.yaml:20: vnets[0].subnets[1].prefix: ",
			  "10.0.254.0/24 overlaps subnet RouteServerSubnet (10.0.254.0/26)");
}

/* ---- the Route Server ---- */

static void route_server_subnet_exists(void **st)
{
	(void)st;
	expect_only_error(EDIT([19] = "      - {name: RSSubnet, prefix: 10.0.254.0/26}"),
			  "lab.yaml:3: route_server.vnet: ",
			  "VNet hub has no subnet named RouteServerSubnet");
}

static void route_server_subnet_size(void **st)
{
	(void)st;
	expect_only_error(EDIT([19] = "      - {name: RouteServerSubnet, prefix: 10.0.254.0/27}"),
			  "lab.yaml:19: vnets[0].subnets[0].prefix: ",
			  "RouteServerSubnet must be /26 or larger, not /27");
	struct rsemu_topology *t = expect_ok(EDIT([19] = "      - {name: RouteServerSubnet, prefix: 10.0.254.0/25}"));
	rs_topology_free(t);
}

static void route_server_asn_fixed(void **st)
{
	(void)st;
	expect_only_error(EDIT([2] = "  asn: 65001"), "lab.yaml:2: route_server.asn: ",
			  "must be 65515: Azure does not allow changing");
	struct rsemu_topology *t = expect_ok(EDIT([2] = "  asn: 65515"));
	rs_topology_free(t);
}

static void routing_preference_values(void **st)
{
	(void)st;
	expect_only_error(EDIT([2] = "  routing_preference: fastest"),
			  "lab.yaml:2: route_server.routing_preference: ",
			  "\"fastest\" is not one of expressroute | vpngateway | aspath");
	struct rsemu_topology *t = expect_ok(EDIT([2] = "  routing_preference: aspath"));
	assert_int_equal(t->rs.routing_preference, RSEMU_PREF_ASPATH);
	rs_topology_free(t);
	t = expect_ok(EDIT([2] = "  routing_preference: vpngateway"));
	assert_int_equal(t->rs.routing_preference, RSEMU_PREF_VPNGATEWAY);
	rs_topology_free(t);
}

static void timers_rfc4271(void **st)
{
	(void)st;
	expect_only_error(EDIT([5] = "  timers: {keepalive: 1, hold: 2}"),
			  "lab.yaml:5: route_server.timers.hold: ",
			  "must be 0 or at least 3 seconds");
	expect_only_error(EDIT([5] = "  timers: {keepalive: 180, hold: 180}"),
			  "lab.yaml:5: route_server.timers.keepalive: ",
			  "180 must be 1..179, less than hold");
	expect_only_error(EDIT([5] = "  timers: {keepalive: 0, hold: 90}"),
			  "lab.yaml:5: route_server.timers.keepalive: ",
			  "0 must be 1..89");
	expect_only_error(EDIT([5] = "  timers: {keepalive: 30, hold: 0}"),
			  "lab.yaml:5: route_server.timers.keepalive: ",
			  "must be 0 when hold is 0");
	expect_only_error(EDIT([5] = "  timers: {hold: 70000}"),
			  "lab.yaml:5: route_server.timers.hold: ",
			  "70000 is out of range 0..65535");
	struct rsemu_topology *t = expect_ok(EDIT([5] = "  timers: {hold: 0}"));
	assert_int_equal(t->rs.hold, 0);
	assert_int_equal(t->rs.keepalive, 0);
	rs_topology_free(t);
	t = expect_ok(EDIT([5] = "  timers: {keepalive: 3, hold: 9}"));
	assert_int_equal(t->rs.keepalive, 3);
	assert_int_equal(t->rs.hold, 9);
	rs_topology_free(t);
}

static void listen_port(void **st)
{
	(void)st;
	expect_only_error(EDIT([6] = "  listen: {port: 0}"),
			  "lab.yaml:6: route_server.listen.port: ",
			  "0 is out of range 1..65535");
	expect_only_error(EDIT([6] = "  listen: {port: 179, addr: 0.0.0.0}"),
			  "lab.yaml:6: route_server.listen.addr: ", "unknown key");
	struct rsemu_topology *t = expect_ok(EDIT([6] = "  listen: {port: 1179}"));
	assert_int_equal(t->rs.port, 1179);
	rs_topology_free(t);
}

/* ---- peers ---- */

static void peer_kind(void **st)
{
	(void)st;
	expect_only_error(EDIT([14] = "    - {name: er, kind: firewall, ip: 10.0.255.4}"),
			  "lab.yaml:14: route_server.peers[1].kind: ",
			  "\"firewall\" is not one of nva | expressroute | vpn");
	struct rsemu_topology *t = expect_ok(EDIT([14] = "    - {name: er, kind: vpn, ip: 10.0.255.4}"));
	assert_int_equal(t->rs.peers[1].kind, RSEMU_PEER_VPN);
	assert_int_equal(t->rs.peers[0].kind, RSEMU_PEER_NVA);
	rs_topology_free(t);
}

static void nva_asn_required(void **st)
{
	(void)st;
	expect_only_error(EDIT([10] = ""), "lab.yaml:8: route_server.peers[0].asn: ",
			  "required for an NVA peer");
}

static void nva_asn_not_reserved(void **st)
{
	(void)st;
	static const char *const azure[] = {"8074", "8075", "12076", "65515", "65517", "65520"};
	static const char *const iana[] = {"23456", "64496", "64511", "65535", "65551"};
	char line[64];
	for (size_t i = 0; i < sizeof(azure) / sizeof(*azure); i++) {
		snprintf(line, sizeof(line), "      asn: %s", azure[i]);
		expect_only_error(EDIT([10] = line), "lab.yaml:10: route_server.peers[0].asn: ",
				  "is reserved by Azure");
	}
	for (size_t i = 0; i < sizeof(iana) / sizeof(*iana); i++) {
		snprintf(line, sizeof(line), "      asn: %s", iana[i]);
		expect_only_error(EDIT([10] = line), "lab.yaml:10: route_server.peers[0].asn: ",
				  "is reserved by IANA");
	}
	expect_only_error(EDIT([10] = "      asn: 0"), "lab.yaml:10: route_server.peers[0].asn: ",
			  "0 is out of range 1..4294967295");
	struct rsemu_topology *t = expect_ok(EDIT([10] = "      asn: 65516"));
	rs_topology_free(t);
}

static void nva_asn_4byte_warns(void **st)
{
	(void)st;
	char *yaml = EDIT([10] = "      asn: 4200000000");
	struct loaded l = load(yaml);
	free(yaml);
	assert_int_equal(l.rc, 0);
	assert_non_null(l.t);
	assert_int_equal(l.t->rs.peers[0].asn, 4200000000u);
	assert_int_equal(l.n_lines, 1);
	assert_string_equal(l.msgs, "lab.yaml:10: route_server.peers[0].asn: warning: Azure accepts only 2-byte ASNs\n");
	rs_topology_free(l.t);
	free(l.msgs);
}

static void gateway_asn_is_65515(void **st)
{
	(void)st;
	expect_only_error(EDIT([14] = "    - {name: er, kind: expressroute, ip: 10.0.255.4, asn: 65010}"),
			  "lab.yaml:14: route_server.peers[1].asn: ",
			  "must be 65515: gateways (kind expressroute) peer over iBGP");
	struct rsemu_topology *t = expect_ok(EDIT([14] = "    - {name: er, kind: vpn, ip: 10.0.255.4, asn: 65515}"));
	assert_int_equal(t->rs.peers[1].asn, 65515);
	rs_topology_free(t);
}

static void at_most_8_peers(void **st)
{
	(void)st;
	char more[1024] = "";
	for (int i = 0; i < 8; i++)
		snprintf(more + strlen(more), sizeof(more) - strlen(more),
			 "%s    - {name: p%d, ip: 10.0.1.%d, asn: %d}", i ? "\n" : "", i, 10 + i, 65100 + i);
	expect_only_error(EDIT([14] = more), "lab.yaml:8: route_server.peers: ",
			  "9 peers, Azure's limit is 8");
	more[strrchr(more, '\n') - more] = '\0';
	struct rsemu_topology *t = expect_ok(EDIT([14] = more));
	assert_int_equal(t->rs.n_peers, 8);
	rs_topology_free(t);
}

static void peer_mac(void **st)
{
	(void)st;
	expect_only_error(EDIT([11] = "      mac: \"02:00:0a:00:01\""),
			  "lab.yaml:11: route_server.peers[0].mac: ",
			  "expected a MAC address xx:xx:xx:xx:xx:xx");
	expect_only_error(EDIT([11] = "      mac: \"02:00:0g:00:01:04\""),
			  "lab.yaml:11: route_server.peers[0].mac: ", "MAC address");
	struct rsemu_topology *t = expect_ok(EDIT([11] = "      mac: \"0A:bc:DE:f0:01:ff\""));
	assert_memory_equal(t->rs.peers[0].mac, ((uint8_t[]){0x0a, 0xbc, 0xde, 0xf0, 0x01, 0xff}), 6);
	rs_topology_free(t);
}

static void peer_md5(void **st)
{
	(void)st;
	char line[128];
	snprintf(line, sizeof(line), "      md5: \"%081d\"", 0);
	expect_only_error(EDIT([11] = line), "lab.yaml:11: route_server.peers[0].md5: ",
			  "at most 80 characters");
	snprintf(line, sizeof(line), "      md5: \"%080d\"", 0);
	struct rsemu_topology *t = expect_ok(EDIT([11] = line));
	assert_int_equal(strlen(t->rs.peers[0].md5), 80);
	rs_topology_free(t);
}

static void peer_max_prefixes(void **st)
{
	(void)st;
	expect_only_error(EDIT([11] = "      max_prefixes: 0"),
			  "lab.yaml:11: route_server.peers[0].max_prefixes: ",
			  "0 is out of range 1..4000");
	expect_only_error(EDIT([11] = "      max_prefixes: 4001"),
			  "lab.yaml:11: route_server.peers[0].max_prefixes: ",
			  "4001 is out of range 1..4000");
	struct rsemu_topology *t = expect_ok(EDIT([11] = "      max_prefixes: 4000"));
	assert_int_equal(t->rs.peers[0].max_prefixes, 4000);
	rs_topology_free(t);
}

static void announce_prefix_required(void **st)
{
	(void)st;
	expect_only_error(EDIT([13] = "        - {as_path: [65001]}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].prefix: ",
			  "required key missing");
}

static void announce_as_path(void **st)
{
	(void)st;
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001, 0]}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].as_path[1]: ",
			  "0 is out of range 1..4294967295");
	/* An NVA's routes carry its ASN; a gateway's may have an empty path. */
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: []}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].as_path: ",
			  "an NVA's routes need an AS path");
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].as_path: ",
			  "an NVA's routes need an AS path");
	struct rsemu_topology *t = expect_ok(EDIT([14] =
		"    - {name: er, kind: expressroute, ip: 10.0.255.4, announce: [{prefix: 172.16.0.0/16, as_path: []}, {prefix: 172.17.0.0/16, as_path: [12076, 4200000000]}]}"));
	assert_int_equal(t->rs.peers[1].announce[0].as_path_len, 0);
	assert_int_equal(t->rs.peers[1].announce[0].next_hop, ip("10.0.255.4"));
	assert_int_equal(t->rs.peers[1].announce[1].as_path[1], 4200000000u);
	rs_topology_free(t);
}

static void announce_communities(void **st)
{
	(void)st;
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001], communities: [\"65536:1\"]}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].communities[0]: ",
			  "expected a community \"A:B\" (each 0..65535) or no-advertise");
	expect_only_error(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001], communities: [\"1:2\", no-export]}"),
			  "lab.yaml:13: route_server.peers[0].announce[0].communities[1]: ",
			  "found \"no-export\"");
	struct rsemu_topology *t = expect_ok(EDIT([13] = "        - {prefix: 192.168.0.0/16, as_path: [65001], communities: [\"65535:65282\", \"0:0\"]}"));
	assert_int_equal(t->rs.peers[0].announce[0].communities[0], RSEMU_NO_ADVERTISE);
	assert_int_equal(t->rs.peers[0].announce[0].communities[1], 0);
	rs_topology_free(t);
}

/* ---- route tables ---- */

static void udr_next_hop_type(void **st)
{
	(void)st;
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: Firewall}"),
			  "lab.yaml:37: route_tables[0].routes[0].next_hop_type: ",
			  "\"Firewall\" is not one of VirtualAppliance | VirtualNetworkGateway | VnetLocal | Internet | None");
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: VNetPeering}"),
			  "lab.yaml:37: route_tables[0].routes[0].next_hop_type: ",
			  "VNetPeering is not allowed in a route table (Azure refuses it)");
	static const char *const ok[] = {"VirtualNetworkGateway", "VnetLocal", "Internet", "None"};
	char line[128];
	for (size_t i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "      - {name: r, prefix: 0.0.0.0/0, next_hop_type: %s}", ok[i]);
		struct rsemu_topology *t = expect_ok(EDIT([37] = line));
		assert_string_equal(rsemu_nh_type_name(t->route_tables[0].routes[0].next_hop_type), ok[i]);
		rs_topology_free(t);
	}
}

static void udr_next_hop_ip_only_for_appliances(void **st)
{
	(void)st;
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: VirtualAppliance}"),
			  "lab.yaml:37: route_tables[0].routes[0].next_hop_ip: ",
			  "required when next_hop_type is VirtualAppliance");
	expect_only_error(EDIT([37] = "      - {name: to-fw, prefix: 0.0.0.0/0, next_hop_type: Internet, next_hop_ip: 10.0.1.100}"),
			  "lab.yaml:37: route_tables[0].routes[0].next_hop_ip: ",
			  "only a VirtualAppliance route takes a next_hop_ip, not Internet");
}

static void udr_names_and_prefixes_unique(void **st)
{
	(void)st;
	expect_only_error(EDIT([37] = "      - {name: r1, prefix: 0.0.0.0/0, next_hop_type: None}\n"
				      "      - {name: r1, prefix: 10.0.0.0/8, next_hop_type: None}"),
			  "lab.yaml:38: route_tables[0].routes[1].name: ", "duplicate name r1");
	expect_only_error(EDIT([37] = "      - {name: r1, prefix: 0.0.0.0/0, next_hop_type: None}\n"
				      "      - {name: r2, prefix: 0.0.0.0/0, next_hop_type: Internet}"),
			  "lab.yaml:38: route_tables[0].routes[1].prefix: ",
			  "0.0.0.0/0 is already the prefix of route r1 (line 37)");
}

/* ---- peerings ---- */

static void peering_ends_differ(void **st)
{
	(void)st;
	expect_only_error(EDIT([32] = "  - {hub: hub, spoke: hub}"),
			  "lab.yaml:32: peerings[1].spoke: ", "a VNet cannot peer with itself");
}

static void peering_pair_once(void **st)
{
	(void)st;
	expect_only_error(EDIT([32] = "  - {hub: spoke1, spoke: hub}"),
			  "lab.yaml:32: peerings[1]: ",
			  "spoke1 and hub are already peered (line 31)");
}

static void remote_gateways_need_transit(void **st)
{
	(void)st;
	expect_only_error(EDIT([32] = "  - {hub: hub, spoke: spoke2, use_remote_gateways: true}"),
			  "lab.yaml:32: peerings[1].use_remote_gateways: ",
			  "needs allow_gateway_transit: true");
}

/* ---- Azure's scale limits ---- */

static void limit_500_vnets(void **st)
{
	(void)st;
	char *more = NULL;
	size_t len;
	FILE *f = open_memstream(&more, &len);
	fputs(base[28], f);
	for (int i = 0; i < 498; i++)
		fprintf(f, "\n  - {name: v%d, address_space: [20.%d.%d.0/24]}", i, i / 256, i % 256);
	fclose(f);
	expect_only_error(EDIT([29] = more), "lab.yaml:16: vnets: ",
			  "501 VNets, Azure's limit is 500");
	*strrchr(more, '\n') = '\0';
	struct rsemu_topology *t = expect_ok(EDIT([29] = more));
	assert_int_equal(t->n_vnets, 500);
	rs_topology_free(t);
	free(more);
}

static void limit_4000_vms(void **st)
{
	(void)st;
	char *vms = NULL;
	size_t len;
	FILE *f = open_memstream(&vms, &len);
	for (uint32_t i = 0; i < 4001; i++) {
		char a[16];
		rsemu_ip_format(ip("10.1.0.4") + i, a);
		fprintf(f, "%s  - {name: vm%u, subnet: spoke1/app, ip: %s}", i ? "\n" : "", i, a);
	}
	fclose(f);
	const char *subnet = "      - {name: app, prefix: 10.1.0.0/20, route_table: rt1}";
	expect_only_error(EDIT([25] = subnet, [39] = vms, [40] = ""),
			  "lab.yaml:39: vms: ", "4001 VMs, Azure's limit is 4000");
	*strrchr(vms, '\n') = '\0';
	struct rsemu_topology *t = expect_ok(EDIT([25] = subnet, [39] = vms, [40] = ""));
	assert_int_equal(t->n_vms, 4000);
	rs_topology_free(t);
	free(vms);
}

static void limit_10000_prefixes(void **st)
{
	(void)st;
	/* 3 VNet address spaces + 192.168.0.0/16 from nva1 + er's: the same
	 * prefix twice counts once. */
	char *er = NULL;
	size_t len;
	FILE *f = open_memstream(&er, &len);
	fputs("    - name: er\n      kind: expressroute\n      ip: 10.0.255.4\n      announce:", f);
	for (int i = 0; i < 9996; i++)
		fprintf(f, "\n        - {prefix: 100.%d.%d.0/24}", i / 256, i % 256);
	fputs("\n        - {prefix: 192.168.0.0/16}", f);
	fclose(f);
	struct rsemu_topology *t = expect_ok(EDIT([14] = er));
	assert_int_equal(t->rs.peers[1].n_announce, 9997);
	rs_topology_free(t);
	char *more;
	assert_true(asprintf(&more, "%s\n        - {prefix: 100.200.0.0/24}", er) > 0);
	expect_only_error(EDIT([14] = more), "lab.yaml:8: route_server.peers: ",
			  "10001 prefixes in total (3 VNet address spaces, 9998 announced), Azure's limit is 10000");
	free(more);
	free(er);
}

/* ---- look-ups ---- */

static void lookups(void **st)
{
	(void)st;
	struct rsemu_topology *t = expect_ok(mk(NULL));
	assert_int_equal(rs_topology_find_vnet(t, "hub"), 0);
	assert_int_equal(rs_topology_find_vnet(t, "spoke2"), 2);
	assert_int_equal(rs_topology_find_vnet(t, "nope"), -1);
	assert_int_equal(rs_topology_find_subnet(t, 0, "GatewaySubnet"), 2);
	assert_int_equal(rs_topology_find_subnet(t, 0, "app"), -1);
	assert_int_equal(rs_topology_find_subnet(t, 7, "app"), -1);
	assert_int_equal(rs_topology_find_peer(t, "er"), 1);
	assert_int_equal(rs_topology_find_peer(t, "nva9"), -1);
	int v = -5, s = -5;
	assert_int_equal(rs_topology_find_vnet_subnet(t, "spoke1/app", &v, &s), 0);
	assert_int_equal(v, 1);
	assert_int_equal(s, 0);
	assert_int_equal(rs_topology_find_vnet_subnet(t, "spoke1/web", &v, &s), -ENOENT);
	assert_int_equal(rs_topology_find_vnet_subnet(t, "spoke1", &v, &s), -ENOENT);
	assert_int_equal(rs_topology_find_vnet_subnet(t, "x/app", &v, &s), -ENOENT);
	assert_ptr_equal(rs_topology_peering(t, 0, 1), &t->peerings[0]);
	assert_ptr_equal(rs_topology_peering(t, 2, 0), &t->peerings[1]);
	assert_null(rs_topology_peering(t, 1, 2));
	/* The hub and spoke1 (use_remote_gateways) get Route Server routes;
	 * spoke2, peered without it, does not. */
	assert_true(rs_topology_in_rs_domain(t, 0));
	assert_true(rs_topology_in_rs_domain(t, 1));
	assert_false(rs_topology_in_rs_domain(t, 2));
	assert_false(rs_topology_in_rs_domain(t, -1));
	assert_string_equal(rsemu_peer_kind_name(RSEMU_PEER_EXPRESSROUTE), "expressroute");
	assert_string_equal(rsemu_peer_kind_name(RSEMU_PEER_NVA), "nva");
	assert_string_equal(rsemu_routing_pref_name(RSEMU_PREF_VPNGATEWAY), "vpngateway");
	rs_topology_free(t);
	rs_topology_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_topology_loads),
		cmocka_unit_test(base_loads_with_defaults),
		cmocka_unit_test(flow_style_document),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(duplicate_key),
		cmocka_unit_test(wrong_yaml_type),
		cmocka_unit_test(missing_required),
		cmocka_unit_test(yaml_syntax_error),
		cmocka_unit_test(unreadable_file),
		cmocka_unit_test(load_file_names_the_path),
		cmocka_unit_test(several_errors_in_file_order),
		cmocka_unit_test(bad_prefix),
		cmocka_unit_test(prefix_host_bits),
		cmocka_unit_test(bad_ip),
		cmocka_unit_test(bad_name),
		cmocka_unit_test(bool_must_be_yaml_boolean),
		cmocka_unit_test(int_must_be_decimal_in_range),
		cmocka_unit_test(vm_ip_in_its_subnet),
		cmocka_unit_test(azure_reserved_addresses),
		cmocka_unit_test(instances_in_route_server_subnet),
		cmocka_unit_test(instances_distinct),
		cmocka_unit_test(instances_exactly_two),
		cmocka_unit_test(peer_ip_reachable),
		cmocka_unit_test(udr_next_hop_ip_valid),
		cmocka_unit_test(announce_next_hop),
		cmocka_unit_test(vnet_names_unique),
		cmocka_unit_test(subnet_names_unique),
		cmocka_unit_test(peer_names_unique),
		cmocka_unit_test(route_table_names_unique),
		cmocka_unit_test(vm_names_unique),
		cmocka_unit_test(vm_ips_unique),
		cmocka_unit_test(peer_ips_unique),
		cmocka_unit_test(references_exist),
		cmocka_unit_test(vnet_spaces_disjoint),
		cmocka_unit_test(peered_spaces_disjoint),
		cmocka_unit_test(subnets_inside_space),
		cmocka_unit_test(subnets_disjoint),
		cmocka_unit_test(route_server_subnet_exists),
		cmocka_unit_test(route_server_subnet_size),
		cmocka_unit_test(route_server_asn_fixed),
		cmocka_unit_test(routing_preference_values),
		cmocka_unit_test(timers_rfc4271),
		cmocka_unit_test(listen_port),
		cmocka_unit_test(peer_kind),
		cmocka_unit_test(nva_asn_required),
		cmocka_unit_test(nva_asn_not_reserved),
		cmocka_unit_test(nva_asn_4byte_warns),
		cmocka_unit_test(gateway_asn_is_65515),
		cmocka_unit_test(at_most_8_peers),
		cmocka_unit_test(peer_mac),
		cmocka_unit_test(peer_md5),
		cmocka_unit_test(peer_max_prefixes),
		cmocka_unit_test(announce_prefix_required),
		cmocka_unit_test(announce_as_path),
		cmocka_unit_test(announce_communities),
		cmocka_unit_test(udr_next_hop_type),
		cmocka_unit_test(udr_next_hop_ip_only_for_appliances),
		cmocka_unit_test(udr_names_and_prefixes_unique),
		cmocka_unit_test(peering_ends_differ),
		cmocka_unit_test(peering_pair_once),
		cmocka_unit_test(remote_gateways_need_transit),
		cmocka_unit_test(limit_500_vnets),
		cmocka_unit_test(limit_4000_vms),
		cmocka_unit_test(limit_10000_prefixes),
		cmocka_unit_test(lookups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
