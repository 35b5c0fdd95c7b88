/* Builds the JSON shapes of report.h and prints them as tables. */
#include <stdlib.h>
#include <string.h>

#include "effective.h"
#include "report.h"

static json_t *jip(uint32_t ip)
{
	char b[16];
	rsemu_ip_format(ip, b);
	return json_string(b);
}

static json_t *jprefix(struct rsemu_prefix p)
{
	char b[20];
	rsemu_prefix_format(p, b);
	return json_string(b);
}

json_t *rs_report_effective(const struct rs_rib *rib, int vnet, int subnet)
{
	const struct rsemu_topology *t = rs_rib_topology(rib);
	struct rs_eff_table tab = {0};
	if (rs_effective_routes(rib, vnet, subnet, &tab) < 0)
		return NULL;
	int rt = t->vnets[vnet].subnets[subnet].route_table;
	bool disable = rt >= 0 && !t->route_tables[rt].propagate_gateway_routes;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < tab.n; i++) {
		const struct rs_eff_route *r = &tab.v[i];
		json_t *nh = json_array();
		for (uint8_t k = 0; k < r->n_nh; k++)
			json_array_append_new(nh, jip(r->nh[k]));
		json_t *pfx = json_array();
		json_array_append_new(pfx, jprefix(r->prefix));
		json_array_append_new(arr, json_pack(
			"{s:o, s:b, s:o, s:o, s:s, s:s, s:s}",
			"addressPrefix", pfx,
			"disableBgpRoutePropagation", disable,
			"name", r->name ? json_string(r->name) : json_null(),
			"nextHopIpAddress", nh,
			"nextHopType", rsemu_nh_type_name(r->nh_type),
			"source", rsemu_source_name(r->source),
			"state", r->active ? "Active" : "Invalid"));
	}
	rs_eff_table_free(&tab);
	return arr;
}

static const char *origin_name(uint8_t o)
{
	return o == RS_ORIGIN_IGP ? "Igp" : o == RS_ORIGIN_EGP ? "Egp"
							: "Incomplete";
}

/* One list per Route Server instance (A7): the same routes, each with the
 * instance's own address. */
static json_t *per_instance(const struct rsemu_topology *t, json_t *routes)
{
	json_t *obj = json_object();
	for (int i = 0; obj && i < 2; i++) {
		char key[32];
		snprintf(key, sizeof(key), RS_INSTANCE_KEY_FMT, i);
		json_t *copy = json_deep_copy(routes);
		size_t k;
		json_t *r;
		json_array_foreach(copy, k, r)
		{
			char ip[16];
			rsemu_ip_format(t->rs.instances[i], ip);
			json_object_set_new(r, "localAddress", json_string(ip));
			/* Advertised routes carry the instance as next hop. */
			if (json_is_null(json_object_get(r, "nextHop")))
				json_object_set_new(r, "nextHop",
						    json_string(ip));
		}
		json_object_set_new(obj, key, copy);
	}
	json_decref(routes);
	return obj;
}

static const struct rs_dest **all_dests(const struct rs_rib *rib, size_t *n)
{
	*n = rs_rib_count(rib);
	const struct rs_dest **d = malloc((*n ? *n : 1) * sizeof(*d));
	if (d != NULL)
		*n = rs_rib_dests(rib, d);
	return d;
}

json_t *rs_report_learned(const struct rs_rib *rib, int peer)
{
	const struct rsemu_topology *t = rs_rib_topology(rib);
	const struct rsemu_peer *p = &t->rs.peers[peer];
	size_t n;
	const struct rs_dest **d = all_dests(rib, &n);
	if (d == NULL)
		return NULL;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		const struct rs_attrs *a = d[i]->path[peer];
		if (a == NULL)
			continue;
		char path[1024];
		rs_attrs_format_path(a, path, sizeof(path));
		json_array_append_new(arr, json_pack(
			"{s:o, s:o, s:o, s:s, s:s, s:i}",
			"network", jprefix(d[i]->prefix),
			"nextHop", jip(a->next_hop),
			"sourcePeer", jip(p->ip),
			"asPath", path,
			"origin", rs_peer_is_gateway(p) ? "IBgp" : "EBgp",
			"weight", 32768));
	}
	free(d);
	return arr ? per_instance(t, arr) : NULL;
}

static json_t *adv_entry(struct rsemu_prefix net, const char *path,
			 const char *origin)
{
	return json_pack("{s:o, s:n, s:s, s:s, s:i}", "network", jprefix(net),
			 "nextHop", "asPath", path, "origin", origin,
			 "weight", 0);
}

json_t *rs_report_advertised(const struct rs_rib *rib, int peer)
{
	const struct rsemu_topology *t = rs_rib_topology(rib);
	bool ibgp = rs_peer_is_gateway(&t->rs.peers[peer]);
	json_t *arr = json_array();
	/* C1: the address spaces of the hub and of every spoke using remote
	 * gateways, AS path 65515 (empty on iBGP), next hop the instance. */
	for (size_t v = 0; arr && v < t->n_vnets; v++) {
		if (!rs_topology_in_rs_domain(t, (int)v))
			continue;
		for (size_t k = 0; k < t->vnets[v].n_address_space; k++)
			json_array_append_new(
				arr, adv_entry(t->vnets[v].address_space[k],
					       ibgp ? "" : "65515", "Igp"));
	}
	/* C2-C5: learned routes passed on, 65515 prepended on eBGP. */
	size_t n;
	const struct rs_dest **d = all_dests(rib, &n);
	if (d == NULL) {
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; arr && i < n; i++) {
		int src = rs_rib_adv_source(rib, d[i], peer);
		if (src < 0)
			continue;
		const struct rs_attrs *a = d[i]->path[src];
		char path[1024];
		int off = ibgp ? 0 : snprintf(path, sizeof(path), "65515%s",
					      a->n_asns ? "-" : "");
		rs_attrs_format_path(a, path + off, sizeof(path) - (size_t)off);
		json_array_append_new(arr, adv_entry(d[i]->prefix, path,
						     origin_name(a->origin)));
	}
	free(d);
	return arr ? per_instance(t, arr) : NULL;
}

/* --- tables ----------------------------------------------------------- */

static void join_strings(const json_t *arr, char *buf, size_t size)
{
	size_t i, n = 0;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(arr, i, v)
	{
		int w = snprintf(buf + n, size - n, "%s%s", i ? " " : "",
				 json_string_value(v));
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

void rs_report_print_effective(FILE *f, const json_t *routes)
{
	size_t i;
	json_t *r;
	char pfx[256], nh[256];
	int w_pfx = (int)strlen("Address Prefixes"), w_type = (int)strlen(
							"Next Hop Type");
	json_array_foreach(routes, i, r)
	{
		join_strings(json_object_get(r, "addressPrefix"), pfx,
			     sizeof(pfx));
		int l = (int)strlen(pfx);
		int t = (int)strlen(json_string_value(
			json_object_get(r, "nextHopType")));
		w_pfx = l > w_pfx ? l : w_pfx;
		w_type = t > w_type ? t : w_type;
	}
	fprintf(f, "%-22s %-8s %-*s %-*s %s\n", "Source", "State", w_pfx,
		"Address Prefixes", w_type, "Next Hop Type",
		"Next Hop IP Address");
	json_array_foreach(routes, i, r)
	{
		join_strings(json_object_get(r, "addressPrefix"), pfx,
			     sizeof(pfx));
		join_strings(json_object_get(r, "nextHopIpAddress"), nh,
			     sizeof(nh));
		fprintf(f, "%-22s %-8s %-*s %-*s %s\n",
			json_string_value(json_object_get(r, "source")),
			json_string_value(json_object_get(r, "state")), w_pfx,
			pfx, w_type,
			json_string_value(json_object_get(r, "nextHopType")),
			nh);
	}
}

void rs_report_print_peer_routes(FILE *f, const json_t *by_instance)
{
	const char *key;
	json_t *routes;
	json_object_foreach((json_t *)by_instance, key, routes)
	{
		size_t i;
		json_t *r;
		int w_net = 7, w_path = 6;
		json_array_foreach(routes, i, r)
		{
			int a = (int)strlen(json_string_value(
				json_object_get(r, "network")));
			int b = (int)strlen(json_string_value(
				json_object_get(r, "asPath")));
			w_net = a > w_net ? a : w_net;
			w_path = b > w_path ? b : w_path;
		}
		fprintf(f, "%s:\n", key);
		fprintf(f, "  %-15s %-*s %-15s %-15s %-*s %-10s %s\n",
			"LocalAddress", w_net, "Network", "NextHop",
			"SourcePeer", w_path, "AsPath", "Origin", "Weight");
		json_array_foreach(routes, i, r)
		{
			const json_t *sp = json_object_get(r, "sourcePeer");
			fprintf(f, "  %-15s %-*s %-15s %-15s %-*s %-10s %lld\n",
				json_string_value(
					json_object_get(r, "localAddress")),
				w_net,
				json_string_value(json_object_get(r, "network")),
				json_string_value(json_object_get(r, "nextHop")),
				sp ? json_string_value(sp) : "", w_path,
				json_string_value(json_object_get(r, "asPath")),
				json_string_value(json_object_get(r, "origin")),
				(long long)json_integer_value(
					json_object_get(r, "weight")));
		}
		if (json_array_size(routes) == 0)
			fprintf(f, "  (none)\n");
	}
}
