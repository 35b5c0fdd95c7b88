/* The topology loader: reads the YAML file of docs/TOPOLOGY.md with libyaml,
 * checks every rule listed there and builds struct rsemu_topology in one go,
 * reporting each problem as "FILE:LINE: FIELD: reason". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rsemu/topology.h"

#define PATH_LEN 160
#define MAX_FIELDS 12
#define BAD_LEN 0xFF /* prefix.len of a prefix that did not parse */

_Static_assert(sizeof(enum rsemu_peer_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rsemu_routing_pref) == sizeof(int), "enum size");
_Static_assert(sizeof(enum rsemu_nh_type) == sizeof(int), "enum size");

/* One message, kept until the end so that they come out in file order. */
struct msg {
	int line;
	size_t seq;
	char *text;
};

/* What parse_map saw of each field of its table: the value node (NULL when
 * absent) and whether it parsed without a single error. */
struct got {
	yaml_node_t *node[MAX_FIELDS];
	bool ok[MAX_FIELDS];
};

/* The top-level sections, in the order they are parsed: each may refer to
 * the ones before it (subnets name route tables, peerings name VNets, ...). */
enum { S_ROUTE_TABLES, S_VNETS, S_PEERINGS, S_RS, S_VMS, S__N };

struct ctx {
	const char *file;
	yaml_document_t *doc;
	struct rsemu_topology *t;
	struct rsemu_peer *peer; /* the peer whose announcements are parsed */
	struct got root;
	struct msg *msgs;
	size_t n_msgs, cap_msgs;
	int errors;
	bool oom;
};

/* ---- messages ---- */

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 1;
}

__attribute__((format(printf, 5, 6))) static void
report(struct ctx *c, bool warning, int line, const char *path,
       const char *fmt, ...)
{
	char *reason = NULL, *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0 ||
	    asprintf(&text, "%s:%d: %s: %s%s\n", c->file, line, path,
		     warning ? "warning: " : "", reason) < 0)
		text = NULL;
	va_end(ap);
	free(reason);
	c->errors += !warning;
	if (text && c->n_msgs == c->cap_msgs) {
		size_t cap = c->cap_msgs ? 2 * c->cap_msgs : 16;
		struct msg *m = realloc(c->msgs, cap * sizeof(*m));
		if (m) {
			c->msgs = m;
			c->cap_msgs = cap;
		}
	}
	if (!text || c->n_msgs == c->cap_msgs) {
		free(text);
		c->oom = true;
		return;
	}
	c->msgs[c->n_msgs] = (struct msg){line, c->n_msgs, text};
	c->n_msgs++;
}
/* A problem with node n (its line) in the field named by path. */
#define err_at(c, n, path, ...) report(c, false, line_of(n), path, __VA_ARGS__)
#define warn_at(c, n, path, ...) report(c, true, line_of(n), path, __VA_ARGS__)

static int msg_cmp(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_msgs(struct ctx *c, FILE *err)
{
	if (c->n_msgs)
		qsort(c->msgs, c->n_msgs, sizeof(*c->msgs), msg_cmp);
	for (size_t i = 0; i < c->n_msgs; i++) {
		if (err)
			fputs(c->msgs[i].text, err);
		free(c->msgs[i].text);
	}
	free(c->msgs);
}

/* "path.key", in a buffer that lives as long as the calling block. */
static const char *join(char *buf, const char *path, const char *key)
{
	snprintf(buf, PATH_LEN, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}
#define AT(path, key) join((char[PATH_LEN]){0}, path, key)

/* ---- YAML nodes ---- */

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static size_t seq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct ctx *c, const yaml_node_t *n, size_t i)
{
	return i < seq_len(n) ? node(c, n->data.sequence.items.start[i]) : NULL;
}

static yaml_node_t *map_get(struct ctx *c, const yaml_node_t *n,
			    const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return node(c, p->value);
	}
	return NULL;
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcasecmp(s, "null");
}

static const char *kind_of(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return is_null(n) ? "nothing" : "a single value";
}

/* ---- scalar values; each returns 0, or -1 after reporting ---- */

static const char *get_scalar(struct ctx *c, yaml_node_t *n, const char *path)
{
	if (n->type == YAML_SCALAR_NODE)
		return (const char *)n->data.scalar.value;
	err_at(c, n, path, "expected a single value, found %s", kind_of(n));
	return NULL;
}

static int get_name(struct ctx *c, yaml_node_t *n, const char *path,
		    char out[RSEMU_NAME_MAX])
{
	const char *s = get_scalar(c, n, path);
	if (!s)
		return -1;
	size_t len = strlen(s);
	if (len == 0 || len >= RSEMU_NAME_MAX || strpbrk(s, "/ \t\r\n")) {
		err_at(c, n, path,
		       "bad name \"%s\": names are 1 to %d characters, without "
		       "spaces or '/'", s, RSEMU_NAME_MAX - 1);
		return -1;
	}
	memcpy(out, s, len + 1);
	return 0;
}

static int get_uint(struct ctx *c, yaml_node_t *n, const char *path,
		    uint32_t min, uint32_t max, uint32_t *out)
{
	const char *s = get_scalar(c, n, path);
	if (!s)
		return -1;
	size_t digits = strspn(s, "0123456789");
	unsigned long long v = digits && digits <= 10 ? strtoull(s, NULL, 10)
						       : ~0ull;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !digits ||
	    s[digits]) {
		err_at(c, n, path,
		       "expected an integer in %u..%u, found \"%s\"", min, max,
		       s);
		return -1;
	}
	if (v < min || v > max) {
		err_at(c, n, path, "%s is out of range %u..%u", s, min, max);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int get_bool(struct ctx *c, yaml_node_t *n, const char *path,
		    bool *out)
{
	const char *s = get_scalar(c, n, path);
	if (!s)
		return -1;
	bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (plain && (!strcasecmp(s, "true") || !strcasecmp(s, "yes"))) {
		*out = true;
		return 0;
	}
	if (plain && (!strcasecmp(s, "false") || !strcasecmp(s, "no"))) {
		*out = false;
		return 0;
	}
	err_at(c, n, path, "expected true or false, found \"%s\"", s);
	return -1;
}

static int get_ip(struct ctx *c, yaml_node_t *n, const char *path,
		  uint32_t *out)
{
	const char *s = get_scalar(c, n, path);
	if (!s)
		return -1;
	if (rsemu_ip_parse(s, out) < 0) {
		err_at(c, n, path, "\"%s\" is not an IPv4 address", s);
		return -1;
	}
	return 0;
}

/* On failure the prefix is marked BAD_LEN, so later checks skip it. */
static int get_prefix(struct ctx *c, yaml_node_t *n, const char *path,
		      struct rsemu_prefix *out)
{
	const char *s = get_scalar(c, n, path);
	int rc = s ? rsemu_prefix_parse(s, out) : -1;
	if (rc == -EDOM) {
		char fixed[20];
		out->addr &= rsemu_mask(out->len);
		rsemu_prefix_format(*out, fixed);
		err_at(c, n, path, "%s has host bits set, did you mean %s?", s,
		       fixed);
	} else if (rc < 0 && s) {
		err_at(c, n, path, "\"%s\" is not a CIDR prefix (a.b.c.d/len)",
		       s);
	}
	if (rc < 0)
		out->len = BAD_LEN;
	return rc < 0 ? -1 : 0;
}

static bool pfx_ok(struct rsemu_prefix p)
{
	return p.len <= 32;
}

static int get_mac(struct ctx *c, yaml_node_t *n, const char *path,
		   uint8_t mac[6])
{
	const char *s = get_scalar(c, n, path);
	if (!s)
		return -1;
	static const char hex[] = "0123456789abcdef";
	bool good = strlen(s) == 17;
	for (int i = 0; good && i < 6; i++) {
		const char *hi = strchr(hex, s[3 * i] | 0x20);
		const char *lo = strchr(hex, s[3 * i + 1] | 0x20);
		good = hi && lo && (i == 5 || s[3 * i + 2] == ':');
		if (good)
			mac[i] = (uint8_t)((hi - hex) << 4 | (lo - hex));
	}
	if (!good)
		err_at(c, n, path,
		       "expected a MAC address xx:xx:xx:xx:xx:xx, found \"%s\"",
		       s);
	return good ? 0 : -1;
}

/* ---- key tables ---- */

enum ftype {
	F_NAME,   /* char[RSEMU_NAME_MAX] */
	F_STR,    /* char[size] */
	F_BOOL,
	F_UINT,   /* uint16_t or uint32_t (size), min..max */
	F_IP,
	F_PREFIX,
	F_MAC,    /* uint8_t[6], bool has_mac at off2 */
	F_ENUM,   /* an int, the index of the value in names[] */
	F_MAP,    /* a nested mapping parsed into the same object */
	F_LIST,   /* array at off, size_t count at off2, elements of size */
	F_FN,     /* anything else: fn does it all */
};

struct field;
typedef void field_fn(struct ctx *c, const struct field *f, yaml_node_t *n,
		      const char *path, void *obj);
typedef void elem_fn(struct ctx *c, yaml_node_t *n, const char *path,
		     void *elem, size_t index);

struct field {
	const char *key;
	enum ftype type;
	bool required;
	size_t off, off2, size;
	uint32_t min, max;
	const char *const *names;
	const struct field *sub;
	size_t n_sub;
	field_fn *fn;
	elem_fn *elem;
	bool unique; /* F_LIST: the elements' names (their first member) */
};

#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define NAME(k, T, req)                                                      \
	{.key = k, .type = F_NAME, .required = req, .off = offsetof(T, name)}
#define STR(k, T, m)                                                         \
	{.key = k, .type = F_STR, .off = offsetof(T, m),                     \
	 .size = MEMBER_SIZE(T, m)}
#define BOOL(k, T, m) {.key = k, .type = F_BOOL, .off = offsetof(T, m)}
#define UINT(k, T, m, lo, hi)                                                \
	{.key = k, .type = F_UINT, .off = offsetof(T, m),                    \
	 .size = MEMBER_SIZE(T, m), .min = lo, .max = hi}
#define IP(k, T, m, req)                                                     \
	{.key = k, .type = F_IP, .required = req, .off = offsetof(T, m)}
#define PREFIX(k, T, m)                                                      \
	{.key = k, .type = F_PREFIX, .required = true, .off = offsetof(T, m)}
#define MAC(k, T)                                                            \
	{.key = k, .type = F_MAC, .off = offsetof(T, mac),                   \
	 .off2 = offsetof(T, has_mac)}
#define ENUM(k, T, m, nm)                                                    \
	{.key = k, .type = F_ENUM, .off = offsetof(T, m), .names = nm}
#define MAP(k, sub_)                                                         \
	{.key = k, .type = F_MAP, .sub = sub_,                               \
	 .n_sub = sizeof(sub_) / sizeof(*(sub_))}
#define FN(k, T, m, req, fn_)                                                \
	{.key = k, .type = F_FN, .required = req, .off = offsetof(T, m),     \
	 .fn = fn_}
#define LIST(k, T, m, n, req, fn_, uniq)                                     \
	{.key = k, .type = F_LIST, .required = req, .off = offsetof(T, m),   \
	 .off2 = offsetof(T, n), .size = sizeof(*((T *)0)->m), .elem = fn_,  \
	 .unique = uniq}

static void parse_field(struct ctx *c, const struct field *f, yaml_node_t *v,
			const char *path, void *obj);

/* Parse mapping n into obj by the key table f. Every field is parsed in
 * table order (so a field may rely on the ones above it); g says what was
 * there. Returns false, after reporting, when n is not a mapping. */
static bool parse_map(struct ctx *c, yaml_node_t *n, const char *path,
		      const struct field *f, size_t nf, void *obj,
		      struct got *g)
{
	memset(g, 0, sizeof(*g));
	if (n->type != YAML_MAPPING_NODE) {
		err_at(c, n, *path ? path : "(document)",
		       "expected a mapping (key: value), found %s", kind_of(n));
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(c, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			err_at(c, k, *path ? path : "(document)",
			       "a key must be a single word, found %s",
			       kind_of(k));
			continue;
		}
		const char *key = (const char *)k->data.scalar.value;
		size_t i = 0;
		while (i < nf && strcmp(f[i].key, key) != 0)
			i++;
		if (i == nf) {
			char known[256] = "";
			for (size_t j = 0; j < nf; j++)
				snprintf(known + strlen(known),
					 sizeof(known) - strlen(known), "%s%s",
					 j ? ", " : "", f[j].key);
			err_at(c, k, AT(path, key),
			       "unknown key (expected one of %s)", known);
		} else if (g->node[i]) {
			err_at(c, k, AT(path, key),
			       "duplicate key (first given on line %d)",
			       line_of(g->node[i]));
		} else {
			g->node[i] = node(c, p->value);
		}
	}
	for (size_t i = 0; i < nf; i++) {
		if (!g->node[i]) {
			if (f[i].required)
				err_at(c, n, AT(path, f[i].key),
				       "required key missing");
			continue;
		}
		int before = c->errors;
		parse_field(c, &f[i], g->node[i], AT(path, f[i].key), obj);
		g->ok[i] = c->errors == before;
	}
	return true;
}

/* A list of elements, each parsed by f->elem. The array and its count are
 * set first, so a partly parsed topology can always be freed. */
static void parse_list(struct ctx *c, const struct field *f, yaml_node_t *v,
		       const char *path, void *obj)
{
	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		err_at(c, v, path, "expected a list, found %s", kind_of(v));
		return;
	}
	size_t n = seq_len(v);
	if (n == 0)
		return;
	char *arr = calloc(n, f->size);
	if (!arr) {
		c->oom = true;
		return;
	}
	memcpy((char *)obj + f->off, &arr, sizeof(arr));
	memcpy((char *)obj + f->off2, &n, sizeof(n));
	char p[PATH_LEN];
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		f->elem(c, seq_item(c, v, i), p, arr + i * f->size, i);
	}
	for (size_t i = 0; f->unique && i < n; i++) {
		const char *name = arr + i * f->size;
		for (size_t j = 0; *name && j < i; j++) {
			if (strcmp(name, arr + j * f->size) != 0)
				continue;
			snprintf(p, sizeof(p), "%s[%zu].name", path, i);
			err_at(c, map_get(c, seq_item(c, v, i), "name"), p,
			       "duplicate name %s (also %s[%zu], line %d)",
			       name, path, j, line_of(seq_item(c, v, j)));
			break;
		}
	}
}

static void parse_field(struct ctx *c, const struct field *f, yaml_node_t *v,
			const char *path, void *obj)
{
	char *at = (char *)obj + f->off;
	switch (f->type) {
	case F_NAME:
		get_name(c, v, path, at);
		break;
	case F_STR: {
		const char *s = get_scalar(c, v, path);
		if (s && strlen(s) >= f->size)
			err_at(c, v, path, "at most %zu characters",
			       f->size - 1);
		else if (s)
			memcpy(at, s, strlen(s) + 1);
		break;
	}
	case F_BOOL:
		get_bool(c, v, path, (bool *)at);
		break;
	case F_UINT: {
		uint32_t u;
		if (get_uint(c, v, path, f->min, f->max, &u) < 0)
			break;
		if (f->size == sizeof(uint16_t))
			*(uint16_t *)at = (uint16_t)u;
		else
			*(uint32_t *)at = u;
		break;
	}
	case F_IP:
		get_ip(c, v, path, (uint32_t *)at);
		break;
	case F_PREFIX:
		get_prefix(c, v, path, (struct rsemu_prefix *)at);
		break;
	case F_MAC:
		if (get_mac(c, v, path, (uint8_t *)at) == 0)
			*(bool *)((char *)obj + f->off2) = true;
		break;
	case F_ENUM: {
		const char *s = get_scalar(c, v, path);
		int i = 0;
		while (s && f->names[i] && strcmp(f->names[i], s) != 0)
			i++;
		if (s && f->names[i]) {
			memcpy(at, &i, sizeof(i));
		} else if (s) {
			char known[128] = "";
			for (int j = 0; f->names[j]; j++)
				snprintf(known + strlen(known),
					 sizeof(known) - strlen(known), "%s%s",
					 j ? " | " : "", f->names[j]);
			err_at(c, v, path, "\"%s\" is not one of %s", s, known);
		}
		break;
	}
	case F_MAP: {
		struct got g;
		parse_map(c, v, path, f->sub, f->n_sub, at, &g);
		break;
	}
	case F_LIST:
		parse_list(c, f, v, path, obj);
		break;
	case F_FN:
		f->fn(c, f, v, path, obj);
		break;
	}
}

/* ---- references between sections ---- */

/* True when every element of a list has a name, so that a name not found
 * in it is really missing (and not one that failed to parse). */
static bool names_known(const yaml_node_t *list, const void *arr, size_t n,
			size_t stride)
{
	if (list && list->type != YAML_SEQUENCE_NODE && !is_null(list))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!*((const char *)arr + i * stride))
			return false;
	return true;
}

static bool vnets_known(struct ctx *c)
{
	return names_known(c->root.node[S_VNETS], c->t->vnets, c->t->n_vnets,
			   sizeof(*c->t->vnets));
}

/* A VNet name, stored as an index at f->off (-1 when unknown). */
static void ref_vnet(struct ctx *c, const struct field *f, yaml_node_t *n,
		     const char *path, void *obj)
{
	const char *s = get_scalar(c, n, path);
	int v = s ? rs_topology_find_vnet(c->t, s) : -1;
	if (s && v < 0 && vnets_known(c))
		err_at(c, n, path, "no VNet named \"%s\"", s);
	memcpy((char *)obj + f->off, &v, sizeof(v));
}

static void ref_route_table(struct ctx *c, const struct field *f,
			    yaml_node_t *n, const char *path, void *obj)
{
	struct rsemu_topology *t = c->t;
	const char *s = get_scalar(c, n, path);
	int r = -1;
	for (size_t i = 0; s && i < t->n_route_tables; i++)
		if (strcmp(t->route_tables[i].name, s) == 0) {
			r = (int)i;
			break;
		}
	if (s && r < 0 &&
	    names_known(c->root.node[S_ROUTE_TABLES], t->route_tables,
			t->n_route_tables, sizeof(*t->route_tables)))
		err_at(c, n, path, "no route table named \"%s\"", s);
	memcpy((char *)obj + f->off, &r, sizeof(r));
}

/* A VM's "VNET/SUBNET". */
static void ref_subnet(struct ctx *c, const struct field *f, yaml_node_t *n,
		       const char *path, void *obj)
{
	(void)f;
	struct rsemu_vm *vm = obj;
	const char *s = get_scalar(c, n, path);
	if (!s)
		return;
	const char *slash = strchr(s, '/');
	char vnet[RSEMU_NAME_MAX];
	if (!slash || slash == s || (size_t)(slash - s) >= sizeof(vnet)) {
		err_at(c, n, path, "expected VNET/SUBNET, found \"%s\"", s);
		return;
	}
	memcpy(vnet, s, (size_t)(slash - s));
	vnet[slash - s] = '\0';
	int v = rs_topology_find_vnet(c->t, vnet);
	if (v < 0) {
		if (vnets_known(c))
			err_at(c, n, path, "no VNet named \"%s\"", vnet);
		return;
	}
	const struct rsemu_vnet *vn = &c->t->vnets[v];
	int sn = rs_topology_find_subnet(c->t, v, slash + 1);
	yaml_node_t *list = map_get(
		c, seq_item(c, c->root.node[S_VNETS], (size_t)v), "subnets");
	if (sn < 0 && names_known(list, vn->subnets, vn->n_subnets,
				  sizeof(*vn->subnets)))
		err_at(c, n, path, "VNet %s has no subnet named \"%s\"", vnet,
		       slash + 1);
	if (sn >= 0) {
		vm->vnet = v;
		vm->subnet = sn;
	}
}

/* ---- shared checks ---- */

/* Azure keeps the first four addresses of every subnet (network, gateway,
 * two for DNS) and the last (broadcast). */
static void check_host_ip(struct ctx *c, yaml_node_t *n, const char *path,
			  uint32_t ip, const struct rsemu_vnet *vn,
			  const struct rsemu_subnet *s)
{
	char a[16], p[20];
	rsemu_ip_format(ip, a);
	rsemu_prefix_format(s->prefix, p);
	if (!rsemu_prefix_contains(s->prefix, (struct rsemu_prefix){ip, 32}))
		err_at(c, n, path, "%s is not in subnet %s/%s (%s)", a,
		       vn->name, s->name, p);
	else if (ip - s->prefix.addr < 4 ||
		 ip - s->prefix.addr == ~rsemu_mask(s->prefix.len))
		err_at(c, n, path,
		       "%s is reserved: Azure reserves the first four "
		       "addresses and the last address of subnet %s", a, p);
}

static const char *list_prefixes(const struct rsemu_prefix *v, size_t n,
				 char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char p[20];
		rsemu_prefix_format(v[i], p);
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", p);
	}
	return buf;
}

static void parse_scalar_prefix(struct ctx *c, yaml_node_t *n,
				const char *path, void *elem, size_t i)
{
	(void)i;
	get_prefix(c, n, path, elem);
}

static void parse_asn(struct ctx *c, yaml_node_t *n, const char *path,
		      void *elem, size_t i)
{
	(void)i;
	get_uint(c, n, path, 1, UINT32_MAX, elem);
}


/* The YAML node of vnets[v] and of vnets[v].subnets[s] / .address_space[j],
 * for messages about them. */
static yaml_node_t *vnet_node(struct ctx *c, int v)
{
	return seq_item(c, c->root.node[S_VNETS], (size_t)v);
}

static yaml_node_t *vnet_item(struct ctx *c, int v, const char *list,
			      size_t i)
{
	return seq_item(c, map_get(c, vnet_node(c, v), list), i);
}

/* ---- route_tables ---- */

static void parse_nh_type(struct ctx *c, const struct field *f,
			  yaml_node_t *n, const char *path, void *obj)
{
	const char *s = get_scalar(c, n, path);
	int type = s ? rsemu_nh_type_parse(s) : -1;
	if (type == RSEMU_NH_VNET_PEERING)
		err_at(c, n, path, "VNetPeering is not allowed in a route "
				   "table (Azure refuses it)");
	else if (s && type < 0)
		err_at(c, n, path,
		       "\"%s\" is not one of VirtualAppliance | "
		       "VirtualNetworkGateway | VnetLocal | Internet | None",
		       s);
	else if (s)
		memcpy((char *)obj + f->off, &type, sizeof(type));
}

static void parse_udr(struct ctx *c, yaml_node_t *n, const char *path,
		      void *elem, size_t i)
{
	enum { U_NAME, U_PREFIX, U_TYPE, U_IP, U__N };
	static const struct field fields[U__N] = {
		[U_NAME] = NAME("name", struct rsemu_udr, true),
		[U_PREFIX] = PREFIX("prefix", struct rsemu_udr, prefix),
		[U_TYPE] = FN("next_hop_type", struct rsemu_udr, next_hop_type,
			      true, parse_nh_type),
		[U_IP] = IP("next_hop_ip", struct rsemu_udr, next_hop_ip,
			    false),
	};
	struct rsemu_udr *r = elem;
	struct got g;
	r->line = line_of(n);
	r->prefix.len = BAD_LEN;
	if (!parse_map(c, n, path, fields, U__N, r, &g))
		return;
	bool va = r->next_hop_type == RSEMU_NH_VIRTUAL_APPLIANCE;
	if (g.ok[U_TYPE] && va && !g.node[U_IP])
		err_at(c, n, AT(path, "next_hop_ip"),
		       "required when next_hop_type is VirtualAppliance");
	else if (g.ok[U_TYPE] && !va && g.node[U_IP])
		err_at(c, g.node[U_IP], AT(path, "next_hop_ip"),
		       "only a VirtualAppliance route takes a next_hop_ip, "
		       "not %s", rsemu_nh_type_name(r->next_hop_type));
	const struct rsemu_udr *all = r - i;
	for (size_t j = 0; pfx_ok(r->prefix) && j < i; j++) {
		if (!rsemu_prefix_eq(all[j].prefix, r->prefix))
			continue;
		char p[20];
		rsemu_prefix_format(r->prefix, p);
		err_at(c, g.node[U_PREFIX], AT(path, "prefix"),
		       "%s is already the prefix of route %s (line %d)", p,
		       all[j].name, all[j].line);
		break;
	}
}

static void parse_route_table(struct ctx *c, yaml_node_t *n, const char *path,
			      void *elem, size_t i)
{
	(void)i;
	enum { RT_NAME, RT_PROPAGATE, RT_ROUTES, RT__N };
	static const struct field fields[RT__N] = {
		[RT_NAME] = NAME("name", struct rsemu_route_table, true),
		[RT_PROPAGATE] = BOOL("propagate_gateway_routes",
				      struct rsemu_route_table,
				      propagate_gateway_routes),
		[RT_ROUTES] = LIST("routes", struct rsemu_route_table, routes,
				   n_routes, false, parse_udr, true),
	};
	struct rsemu_route_table *rt = elem;
	struct got g;
	rt->line = line_of(n);
	rt->propagate_gateway_routes = true;
	parse_map(c, n, path, fields, RT__N, rt, &g);
}

/* ---- vnets ---- */

static void parse_subnet(struct ctx *c, yaml_node_t *n, const char *path,
			 void *elem, size_t i)
{
	(void)i;
	enum { SN_NAME, SN_PREFIX, SN_RT, SN__N };
	static const struct field fields[SN__N] = {
		[SN_NAME] = NAME("name", struct rsemu_subnet, true),
		[SN_PREFIX] = PREFIX("prefix", struct rsemu_subnet, prefix),
		[SN_RT] = FN("route_table", struct rsemu_subnet, route_table,
			     false, ref_route_table),
	};
	struct rsemu_subnet *s = elem;
	struct got g;
	s->line = line_of(n);
	s->prefix.len = BAD_LEN;
	s->route_table = -1;
	parse_map(c, n, path, fields, SN__N, s, &g);
}

static void parse_vnet(struct ctx *c, yaml_node_t *n, const char *path,
		       void *elem, size_t i)
{
	(void)i;
	enum { V_NAME, V_SPACE, V_SUBNETS, V__N };
	static const struct field fields[V__N] = {
		[V_NAME] = NAME("name", struct rsemu_vnet, true),
		[V_SPACE] = LIST("address_space", struct rsemu_vnet,
				 address_space, n_address_space, true,
				 parse_scalar_prefix, false),
		[V_SUBNETS] = LIST("subnets", struct rsemu_vnet, subnets,
				   n_subnets, false, parse_subnet, true),
	};
	struct rsemu_vnet *v = elem;
	struct got g;
	v->line = line_of(n);
	if (!parse_map(c, n, path, fields, V__N, v, &g))
		return;
	yaml_node_t *spaces = g.node[V_SPACE];
	if (spaces && v->n_address_space == 0 &&
	    (spaces->type == YAML_SEQUENCE_NODE || is_null(spaces)))
		err_at(c, spaces, AT(path, "address_space"),
		       "a VNet needs at least one address space");
	char p[PATH_LEN], a[20], b[20];
	for (size_t j = 0; j < v->n_address_space; j++) {
		struct rsemu_prefix s = v->address_space[j];
		for (size_t k = 0; pfx_ok(s) && k < j; k++) {
			if (!pfx_ok(v->address_space[k]) ||
			    !rsemu_prefix_overlaps(s, v->address_space[k]))
				continue;
			rsemu_prefix_format(s, a);
			rsemu_prefix_format(v->address_space[k], b);
			snprintf(p, sizeof(p), "%s.address_space[%zu]", path,
				 j);
			err_at(c, seq_item(c, spaces, j), p,
			       "%s overlaps %s of this VNet's address space",
			       a, b);
			break;
		}
	}
	for (size_t j = 0; j < v->n_subnets; j++) {
		struct rsemu_subnet *s = &v->subnets[j];
		if (!pfx_ok(s->prefix))
			continue;
		yaml_node_t *pn =
			map_get(c, seq_item(c, g.node[V_SUBNETS], j), "prefix");
		snprintf(p, sizeof(p), "%s.subnets[%zu].prefix", path, j);
		rsemu_prefix_format(s->prefix, a);
		bool inside = !g.ok[V_SPACE] || !v->n_address_space;
		for (size_t k = 0; !inside && k < v->n_address_space; k++)
			inside = rsemu_prefix_contains(v->address_space[k],
						       s->prefix);
		if (!inside) {
			char sp[200];
			err_at(c, pn, p,
			       "%s is outside the address space of %s (%s)", a,
			       v->name,
			       list_prefixes(v->address_space,
					     v->n_address_space, sp,
					     sizeof(sp)));
		}
		for (size_t k = 0; k < j; k++) {
			const struct rsemu_subnet *o = &v->subnets[k];
			if (!pfx_ok(o->prefix) ||
			    !rsemu_prefix_overlaps(s->prefix, o->prefix))
				continue;
			rsemu_prefix_format(o->prefix, b);
			err_at(c, pn, p, "%s overlaps subnet %s (%s)", a,
			       o->name, b);
			break;
		}
	}
}

/* ---- peerings ---- */

static void parse_peering(struct ctx *c, yaml_node_t *n, const char *path,
			  void *elem, size_t i)
{
	enum { PG_HUB, PG_SPOKE, PG_TRANSIT, PG_REMOTE, PG__N };
	static const struct field fields[PG__N] = {
		[PG_HUB] = FN("hub", struct rsemu_peering, hub, true, ref_vnet),
		[PG_SPOKE] = FN("spoke", struct rsemu_peering, spoke, true,
				ref_vnet),
		[PG_TRANSIT] = BOOL("allow_gateway_transit",
				    struct rsemu_peering,
				    allow_gateway_transit),
		[PG_REMOTE] = BOOL("use_remote_gateways", struct rsemu_peering,
				   use_remote_gateways),
	};
	struct rsemu_peering *pg = elem;
	struct got g;
	pg->line = line_of(n);
	pg->hub = pg->spoke = -1;
	if (!parse_map(c, n, path, fields, PG__N, pg, &g))
		return;
	if (pg->use_remote_gateways && !pg->allow_gateway_transit &&
	    g.ok[PG_REMOTE] && (!g.node[PG_TRANSIT] || g.ok[PG_TRANSIT]))
		err_at(c, g.node[PG_REMOTE], AT(path, "use_remote_gateways"),
		       "needs allow_gateway_transit: true (Azure refuses "
		       "remote gateways without gateway transit)");
	if (pg->hub < 0 || pg->spoke < 0)
		return;
	if (pg->hub == pg->spoke) {
		err_at(c, g.node[PG_SPOKE], AT(path, "spoke"),
		       "a VNet cannot peer with itself");
		return;
	}
	const struct rsemu_peering *all = pg - i;
	for (size_t j = 0; j < i; j++) {
		if ((all[j].hub != pg->hub || all[j].spoke != pg->spoke) &&
		    (all[j].hub != pg->spoke || all[j].spoke != pg->hub))
			continue;
		err_at(c, n, path, "%s and %s are already peered (line %d)",
		       c->t->vnets[pg->hub].name, c->t->vnets[pg->spoke].name,
		       all[j].line);
		pg->hub = pg->spoke = -1; /* later checks see the pair once */
		break;
	}
}

/* ---- route_server ---- */

static const char *const kind_names[] = {"nva", "expressroute", "vpn", NULL};
static const char *const pref_names[] = {"expressroute", "vpngateway",
					 "aspath", NULL};

/* AZURE-SEMANTICS.md A2: ASNs a peer may not use. */
static const char *reserved_asn(uint32_t asn)
{
	static const struct {
		uint32_t lo, hi;
		const char *who;
	} r[] = {
		{8074, 8075, "Azure"}, {12076, 12076, "Azure"},
		{65515, 65515, "Azure"}, {65517, 65520, "Azure"},
		{23456, 23456, "IANA"}, {64496, 64511, "IANA"},
		{65535, 65551, "IANA"},
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (asn >= r[i].lo && asn <= r[i].hi)
			return r[i].who;
	return NULL;
}

static void parse_community(struct ctx *c, yaml_node_t *n, const char *path,
			    void *elem, size_t i)
{
	(void)i;
	const char *s = get_scalar(c, n, path);
	unsigned hi, lo;
	int used = -1;
	if (!s)
		return;
	if (strcmp(s, "no-advertise") == 0) {
		*(uint32_t *)elem = RSEMU_NO_ADVERTISE;
		return;
	}
	if (sscanf(s, "%5u:%5u%n", &hi, &lo, &used) == 2 &&
	    used == (int)strlen(s) && s[0] >= '0' && s[0] <= '9' &&
	    strspn(s, "0123456789:") == strlen(s) && hi <= 0xFFFF &&
	    lo <= 0xFFFF) {
		*(uint32_t *)elem = hi << 16 | lo;
		return;
	}
	err_at(c, n, path,
	       "expected a community \"A:B\" (each 0..65535) or no-advertise, "
	       "found \"%s\"", s);
}

static void parse_announce(struct ctx *c, yaml_node_t *n, const char *path,
			   void *elem, size_t i)
{
	(void)i;
	enum { A_PREFIX, A_PATH, A_COMM, A_NH, A__N };
	static const struct field fields[A__N] = {
		[A_PREFIX] = PREFIX("prefix", struct rsemu_announce, prefix),
		[A_PATH] = LIST("as_path", struct rsemu_announce, as_path,
				as_path_len, false, parse_asn, false),
		[A_COMM] = LIST("communities", struct rsemu_announce,
				communities, n_communities, false,
				parse_community, false),
		[A_NH] = IP("next_hop", struct rsemu_announce, next_hop, false),
	};
	struct rsemu_announce *a = elem;
	struct got g;
	a->line = line_of(n);
	a->prefix.len = BAD_LEN;
	if (!parse_map(c, n, path, fields, A__N, a, &g))
		return;
	if (!g.node[A_NH])
		a->next_hop = c->peer->ip;
}

/* An NVA speaks eBGP: what it sends carries at least its own ASN. */
static void check_nva_paths(struct ctx *c, const struct rsemu_peer *p,
			    yaml_node_t *list, const char *path)
{
	for (size_t i = 0; i < p->n_announce; i++) {
		yaml_node_t *an = seq_item(c, list, i);
		yaml_node_t *ap = map_get(c, an, "as_path");
		if (p->announce[i].as_path_len > 0 ||
		    an->type != YAML_MAPPING_NODE ||
		    (ap && ap->type != YAML_SEQUENCE_NODE && !is_null(ap)))
			continue;
		char where[PATH_LEN];
		snprintf(where, sizeof(where), "%s.announce[%zu].as_path", path,
			 i);
		err_at(c, ap ? ap : an, where,
		       "an NVA's routes need an AS path (eBGP: at least its "
		       "own ASN)");
	}
}

/* NVAs bring their own ASN (A2); gateways peer as 65515. */
static void check_peer_asn(struct ctx *c, struct rsemu_peer *p,
			   yaml_node_t *n, yaml_node_t *asn, bool asn_ok,
			   const char *path)
{
	const char *where = AT(path, "asn");
	if (p->kind != RSEMU_PEER_NVA) {
		if (!asn)
			p->asn = RSEMU_RS_ASN;
		else if (asn_ok && p->asn != RSEMU_RS_ASN)
			err_at(c, asn, where,
			       "must be 65515: gateways (kind %s) peer over "
			       "iBGP as AS 65515, as Azure's own gateways do",
			       kind_names[p->kind]);
	} else if (!asn) {
		err_at(c, n, where, "required for an NVA peer");
	} else if (asn_ok && reserved_asn(p->asn)) {
		err_at(c, asn, where,
		       "%u is reserved by %s (Azure: 8074, 8075, 12076, 65515, "
		       "65517-65520; IANA: 23456, 64496-64511, 65535-65551)",
		       p->asn, reserved_asn(p->asn));
	} else if (asn_ok && p->asn > 0xFFFF) {
		warn_at(c, asn, where, "Azure accepts only 2-byte ASNs");
	}
}

/* True when ip lies in a subnet of VNet rsv or of a VNet peered with it. */
static bool in_peer_reach(const struct rsemu_topology *t, int rsv,
			  uint32_t ip)
{
	struct rsemu_prefix host = {ip, 32};
	for (size_t v = 0; v < t->n_vnets; v++) {
		if ((int)v != rsv && !rs_topology_peering(t, rsv, (int)v))
			continue;
		for (size_t s = 0; s < t->vnets[v].n_subnets; s++) {
			struct rsemu_prefix p = t->vnets[v].subnets[s].prefix;
			if (pfx_ok(p) && rsemu_prefix_contains(p, host))
				return true;
		}
	}
	return false;
}

static bool section_ok(const struct ctx *c, int s)
{
	return !c->root.node[s] || c->root.ok[s];
}

/* The table puts kind and ip before announce, so that announcements can
 * default their next hop to the ip. A peer's line stays negative until its
 * ip is known good: the duplicate-ip check of later peers skips it. */
static void parse_peer(struct ctx *c, yaml_node_t *n, const char *path,
		       void *elem, size_t i)
{
	enum { P_NAME, P_KIND, P_IP, P_ASN, P_MAC, P_MD5, P_MAX, P_ANN, P__N };
	static const struct field fields[P__N] = {
		[P_NAME] = NAME("name", struct rsemu_peer, true),
		[P_KIND] = ENUM("kind", struct rsemu_peer, kind, kind_names),
		[P_IP] = IP("ip", struct rsemu_peer, ip, true),
		[P_ASN] = UINT("asn", struct rsemu_peer, asn, 1, UINT32_MAX),
		[P_MAC] = MAC("mac", struct rsemu_peer),
		[P_MD5] = STR("md5", struct rsemu_peer, md5),
		[P_MAX] = UINT("max_prefixes", struct rsemu_peer, max_prefixes,
			       1, RSEMU_LIMIT_MAX_PREFIXES),
		[P_ANN] = LIST("announce", struct rsemu_peer, announce,
			       n_announce, false, parse_announce, false),
	};
	struct rsemu_peer *p = elem;
	struct got g;
	p->line = -line_of(n);
	p->max_prefixes = RSEMU_DEFAULT_MAX_PREFIXES;
	c->peer = p;
	bool parsed = parse_map(c, n, path, fields, P__N, p, &g);
	c->peer = NULL;
	if (!parsed)
		return;
	if (!g.node[P_KIND] || g.ok[P_KIND]) {
		check_peer_asn(c, p, n, g.node[P_ASN], g.ok[P_ASN], path);
		if (p->kind == RSEMU_PEER_NVA)
			check_nva_paths(c, p, g.node[P_ANN], path);
	}
	if (!g.ok[P_IP])
		return;
	char a[16];
	rsemu_ip_format(p->ip, a);
	int rsv = c->t->rs.vnet;
	if (rsv >= 0 && section_ok(c, S_VNETS) && section_ok(c, S_PEERINGS) &&
	    !in_peer_reach(c->t, rsv, p->ip))
		err_at(c, g.node[P_IP], AT(path, "ip"),
		       "%s is in no subnet of %s or of a VNet peered with it",
		       a, c->t->vnets[rsv].name);
	const struct rsemu_peer *all = p - i;
	for (size_t j = 0; j < i; j++) {
		if (all[j].line > 0 && all[j].ip == p->ip) {
			err_at(c, g.node[P_IP], AT(path, "ip"),
			       "%s is also the ip of peer %s (line %d)", a,
			       all[j].name, all[j].line);
			break;
		}
	}
	p->line = line_of(n);
}

static void parse_instances(struct ctx *c, const struct field *f,
			    yaml_node_t *n, const char *path, void *obj)
{
	uint32_t *ips = (uint32_t *)((char *)obj + f->off);
	if (n->type != YAML_SEQUENCE_NODE) {
		err_at(c, n, path, "expected a list of two IPs, found %s",
		       kind_of(n));
		return;
	}
	if (seq_len(n) != 2) {
		err_at(c, n, path, "a Route Server has exactly 2 instances, "
				   "found %zu IPs", seq_len(n));
		return;
	}
	char p[PATH_LEN];
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		get_ip(c, seq_item(c, n, i), p, &ips[i]);
	}
}

static void parse_timers(struct ctx *c, const struct field *f,
			 yaml_node_t *n, const char *path, void *obj)
{
	(void)f;
	enum { T_KEEPALIVE, T_HOLD, T__N };
	static const struct field fields[T__N] = {
		[T_KEEPALIVE] = UINT("keepalive", struct rsemu_route_server,
				     keepalive, 0, 65535),
		[T_HOLD] = UINT("hold", struct rsemu_route_server, hold, 0,
				65535),
	};
	struct rsemu_route_server *rs = obj;
	struct got g;
	if (!parse_map(c, n, path, fields, T__N, rs, &g) ||
	    (g.node[T_HOLD] && !g.ok[T_HOLD]) ||
	    (g.node[T_KEEPALIVE] && !g.ok[T_KEEPALIVE]))
		return;
	const char *ka = AT(path, "keepalive");
	yaml_node_t *kan = g.node[T_KEEPALIVE] ? g.node[T_KEEPALIVE] : n;
	if (rs->hold > 0 && rs->hold < 3)
		err_at(c, g.node[T_HOLD], AT(path, "hold"),
		       "must be 0 or at least 3 seconds (RFC 4271)");
	else if (rs->hold == 0 && !g.node[T_KEEPALIVE])
		rs->keepalive = 0;
	else if (rs->hold == 0 && rs->keepalive != 0)
		err_at(c, kan, ka, "must be 0 when hold is 0 (RFC 4271)");
	else if (rs->hold > 0 && (rs->keepalive < 1 ||
				  rs->keepalive >= rs->hold))
		err_at(c, kan, ka,
		       "%u must be 1..%u, less than hold (RFC 4271 recommends "
		       "hold/3 = %u)", rs->keepalive, rs->hold - 1,
		       rs->hold / 3);
}

/* RouteServerSubnet: in the Route Server's VNet, /26 or larger, holding
 * both instances (AZURE-SEMANTICS.md A1). */
static void check_rs_subnet(struct ctx *c, const char *path, bool inst_ok,
			    yaml_node_t *vnet_n, yaml_node_t *inst_n)
{
	const struct rsemu_topology *t = c->t;
	const struct rsemu_route_server *rs = &t->rs;
	if (rs->vnet < 0)
		return;
	const struct rsemu_vnet *vn = &t->vnets[rs->vnet];
	int s = rs_topology_find_subnet(t, rs->vnet, "RouteServerSubnet");
	if (s < 0) {
		if (names_known(map_get(c, vnet_node(c, rs->vnet), "subnets"),
				vn->subnets, vn->n_subnets,
				sizeof(*vn->subnets)))
			err_at(c, vnet_n, AT(path, "vnet"),
			       "VNet %s has no subnet named RouteServerSubnet",
			       vn->name);
		return;
	}
	const struct rsemu_subnet *sub = &vn->subnets[s];
	if (!pfx_ok(sub->prefix))
		return;
	if (sub->prefix.len > 26) {
		char p[PATH_LEN];
		snprintf(p, sizeof(p), "vnets[%d].subnets[%d].prefix", rs->vnet,
			 s);
		err_at(c, map_get(c, vnet_item(c, rs->vnet, "subnets",
					       (size_t)s), "prefix"),
		       p, "RouteServerSubnet must be /26 or larger, not /%u",
		       sub->prefix.len);
	}
	if (!inst_ok)
		return;
	char p[PATH_LEN];
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s.instances[%zu]", path, i);
		check_host_ip(c, seq_item(c, inst_n, i), p, rs->instances[i],
			      vn, sub);
	}
	if (rs->instances[0] == rs->instances[1]) {
		char a[16];
		rsemu_ip_format(rs->instances[1], a);
		err_at(c, seq_item(c, inst_n, 1), p,
		       "both instances have the IP %s", a);
	}
}

static void parse_rs(struct ctx *c, const struct field *f, yaml_node_t *n,
		     const char *path, void *obj)
{
	(void)f;
	enum { R_NAME, R_VNET, R_ASN, R_INST, R_B2B, R_PREF, R_TIMERS,
	       R_LISTEN, R_PEERS, R__N };
	static const struct field listen[] = {
		UINT("port", struct rsemu_route_server, port, 1, 65535),
	};
#define RS struct rsemu_route_server
	static const struct field fields[R__N] = {
		[R_NAME] = NAME("name", RS, false),
		[R_VNET] = FN("vnet", RS, vnet, true, ref_vnet),
		[R_ASN] = UINT("asn", RS, asn, 1, UINT32_MAX),
		[R_INST] = FN("instances", RS, instances, true,
			      parse_instances),
		[R_B2B] = BOOL("branch_to_branch", RS, branch_to_branch),
		[R_PREF] = ENUM("routing_preference", RS, routing_preference,
				pref_names),
		[R_TIMERS] = FN("timers", RS, keepalive, false, parse_timers),
		[R_LISTEN] = MAP("listen", listen),
		[R_PEERS] = LIST("peers", RS, peers, n_peers, false, parse_peer,
				 true),
	};
#undef RS
	struct rsemu_route_server *rs = &((struct rsemu_topology *)obj)->rs;
	struct got g;
	snprintf(rs->name, sizeof(rs->name), "rs");
	rs->line = line_of(n);
	rs->vnet = -1;
	rs->asn = RSEMU_RS_ASN;
	rs->keepalive = 60;
	rs->hold = 180;
	rs->port = 179;
	if (!parse_map(c, n, path, fields, R__N, rs, &g))
		return;
	if (g.ok[R_ASN] && rs->asn != RSEMU_RS_ASN)
		err_at(c, g.node[R_ASN], AT(path, "asn"),
		       "must be 65515: Azure does not allow changing the "
		       "Route Server's ASN");
	if (rs->n_peers > RSEMU_MAX_PEERS)
		err_at(c, g.node[R_PEERS], AT(path, "peers"),
		       "%zu peers, Azure's limit is %d", rs->n_peers,
		       RSEMU_MAX_PEERS);
	check_rs_subnet(c, path, g.ok[R_INST], g.node[R_VNET], g.node[R_INST]);
}

/* ---- vms ---- */

/* A VM's line stays negative while its ip is not known good (see
 * parse_peer). */
static void parse_vm(struct ctx *c, yaml_node_t *n, const char *path,
		     void *elem, size_t i)
{
	enum { VM_NAME, VM_SUBNET, VM_IP, VM_MAC, VM__N };
	static const struct field fields[VM__N] = {
		[VM_NAME] = NAME("name", struct rsemu_vm, true),
		[VM_SUBNET] = FN("subnet", struct rsemu_vm, subnet, true,
				 ref_subnet),
		[VM_IP] = IP("ip", struct rsemu_vm, ip, true),
		[VM_MAC] = MAC("mac", struct rsemu_vm),
	};
	struct rsemu_vm *vm = elem;
	struct got g;
	vm->line = -line_of(n);
	vm->vnet = vm->subnet = -1;
	if (!parse_map(c, n, path, fields, VM__N, vm, &g) || !g.ok[VM_IP])
		return;
	const char *ip_path = AT(path, "ip");
	if (vm->subnet >= 0) {
		const struct rsemu_vnet *vn = &c->t->vnets[vm->vnet];
		if (pfx_ok(vn->subnets[vm->subnet].prefix))
			check_host_ip(c, g.node[VM_IP], ip_path, vm->ip, vn,
				      &vn->subnets[vm->subnet]);
	}
	const struct rsemu_vm *all = vm - i;
	for (size_t j = 0; j < i; j++) {
		if (all[j].line > 0 && all[j].ip == vm->ip) {
			char a[16];
			rsemu_ip_format(vm->ip, a);
			err_at(c, g.node[VM_IP], ip_path,
			       "%s is also the ip of VM %s (line %d)", a,
			       all[j].name, all[j].line);
			break;
		}
	}
	vm->line = line_of(n);
}

/* ---- the whole file ---- */

/* Peered VNets' address spaces may not overlap: the VNet listed later is
 * the one at fault. */
static void check_peered_spaces(struct ctx *c)
{
	const struct rsemu_topology *t = c->t;
	for (size_t k = 0; k < t->n_peerings; k++) {
		int a = t->peerings[k].hub, b = t->peerings[k].spoke;
		if (a < 0 || b < 0 || a == b)
			continue;
		int late = a > b ? a : b, early = a > b ? b : a;
		const struct rsemu_vnet *lv = &t->vnets[late],
					*ev = &t->vnets[early];
		for (size_t j = 0; j < lv->n_address_space; j++) {
			for (size_t m = 0; m < ev->n_address_space; m++) {
				struct rsemu_prefix x = lv->address_space[j];
				struct rsemu_prefix y = ev->address_space[m];
				if (!pfx_ok(x) || !pfx_ok(y) ||
				    !rsemu_prefix_overlaps(x, y))
					continue;
				char p[PATH_LEN], xs[20], ys[20];
				snprintf(p, sizeof(p),
					 "vnets[%d].address_space[%zu]", late,
					 j);
				rsemu_prefix_format(x, xs);
				rsemu_prefix_format(y, ys);
				err_at(c,
				       vnet_item(c, late, "address_space", j),
				       p, "%s overlaps %s %s", xs, ev->name,
				       ys);
			}
		}
	}
}

static int pfx_qcmp(const void *a, const void *b)
{
	return rsemu_prefix_cmp(*(const struct rsemu_prefix *)a,
				*(const struct rsemu_prefix *)b);
}

/* AZURE-SEMANTICS.md A6: 500 VNets, 4000 VMs, 10,000 prefixes in all
 * (VNet address spaces plus distinct announced prefixes). */
static void check_limits(struct ctx *c)
{
	const struct rsemu_topology *t = c->t;
	if (t->n_vnets > RSEMU_MAX_VNETS)
		err_at(c, c->root.node[S_VNETS], "vnets",
		       "%zu VNets, Azure's limit is %d", t->n_vnets,
		       RSEMU_MAX_VNETS);
	if (t->n_vms > RSEMU_MAX_VMS)
		err_at(c, c->root.node[S_VMS], "vms",
		       "%zu VMs, Azure's limit is %d", t->n_vms, RSEMU_MAX_VMS);
	size_t spaces = 0, n = 0, announced = 0;
	for (size_t v = 0; v < t->n_vnets; v++)
		spaces += t->vnets[v].n_address_space;
	for (size_t p = 0; p < t->rs.n_peers; p++)
		n += t->rs.peers[p].n_announce;
	struct rsemu_prefix *all = calloc(n ? n : 1, sizeof(*all));
	if (!all) {
		c->oom = true;
		return;
	}
	n = 0;
	for (size_t p = 0; p < t->rs.n_peers; p++)
		for (size_t a = 0; a < t->rs.peers[p].n_announce; a++)
			if (pfx_ok(t->rs.peers[p].announce[a].prefix))
				all[n++] = t->rs.peers[p].announce[a].prefix;
	qsort(all, n, sizeof(*all), pfx_qcmp);
	for (size_t i = 0; i < n; i++)
		announced += i == 0 || !rsemu_prefix_eq(all[i], all[i - 1]);
	free(all);
	if (spaces + announced <= RSEMU_MAX_PREFIXES)
		return;
	yaml_node_t *where = c->root.node[S_VNETS];
	const char *field = "vnets";
	if (announced) {
		where = map_get(c, c->root.node[S_RS], "peers");
		field = "route_server.peers";
	}
	err_at(c, where, field,
	       "%zu prefixes in total (%zu VNet address spaces, %zu "
	       "announced), Azure's limit is %d", spaces + announced, spaces,
	       announced, RSEMU_MAX_PREFIXES);
}

static void parse_root(struct ctx *c, yaml_node_t *root)
{
	static const struct field fields[S__N] = {
		[S_ROUTE_TABLES] = LIST("route_tables", struct rsemu_topology,
					route_tables, n_route_tables, false,
					parse_route_table, true),
		[S_VNETS] = LIST("vnets", struct rsemu_topology, vnets, n_vnets,
				 true, parse_vnet, true),
		[S_PEERINGS] = LIST("peerings", struct rsemu_topology,
				    peerings, n_peerings, false, parse_peering,
				    false),
		[S_RS] = FN("route_server", struct rsemu_topology, rs, true,
			    parse_rs),
		[S_VMS] = LIST("vms", struct rsemu_topology, vms, n_vms, false,
			       parse_vm, true),
	};
	if (!root) {
		report(c, false, 1, "(document)",
		       "the file is empty: expected route_server and vnets");
		return;
	}
	if (!parse_map(c, root, "", fields, S__N, c->t, &c->root))
		return;
	check_peered_spaces(c);
	check_limits(c);
}

static void yaml_problem(struct ctx *c, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		c->oom = true;
		return;
	}
	int line = (int)p->problem_mark.line + 1;
	if (p->context)
		report(c, false, line, "(yaml)", "%s, %s on line %d",
		       p->problem ? p->problem : "syntax error", p->context,
		       (int)p->context_mark.line + 1);
	else
		report(c, false, line, "(yaml)", "%s",
		       p->problem ? p->problem : "syntax error");
}

/* ---- the API ---- */

int rs_topology_load_buffer(const char *name, const char *yaml, size_t len,
			    struct rsemu_topology **out, FILE *err)
{
	struct ctx c = {.file = name};
	yaml_parser_t parser;
	yaml_document_t doc, more;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml,
				     len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_problem(&c, &parser);
		yaml_parser_delete(&parser);
		flush_msgs(&c, err);
		return c.oom ? -ENOMEM : -EINVAL;
	}
	if (!yaml_parser_load(&parser, &more)) {
		yaml_problem(&c, &parser);
	} else {
		yaml_node_t *extra = yaml_document_get_root_node(&more);
		if (extra)
			err_at(&c, extra, "(yaml)", "a second document; the "
						    "file holds one topology");
		yaml_document_delete(&more);
	}
	c.doc = &doc;
	c.t = calloc(1, sizeof(*c.t));
	if (c.t)
		c.t->file = strdup(name);
	if (!c.t || !c.t->file)
		c.oom = true;
	else
		parse_root(&c, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	flush_msgs(&c, err);
	if (c.errors || c.oom) {
		rs_topology_free(c.t);
		return c.oom ? -ENOMEM : -EINVAL;
	}
	*out = c.t;
	return 0;
}

int rs_topology_load_file(const char *path, struct rsemu_topology **out,
			  FILE *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = f ? 0 : -errno;
	while (rc == 0) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0 && ferror(f))
			rc = errno ? -errno : -EIO;
		else if (got == 0)
			break;
	}
	if (f)
		fclose(f);
	if (rc == 0)
		rc = rs_topology_load_buffer(path, buf, len, out, err);
	else if (err)
		fprintf(err, "%s: cannot read: %s\n", path, strerror(-rc));
	free(buf);
	return rc;
}

int rs_topology_load_default(struct rsemu_topology **out, FILE *err)
{
	return rs_topology_load_buffer("default-topology.yaml",
				       rsemu_default_topology_yaml,
				       rsemu_default_topology_yaml_len, out,
				       err);
}

void rs_topology_free(struct rsemu_topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rs.n_peers; i++) {
		struct rsemu_peer *p = &t->rs.peers[i];
		for (size_t j = 0; j < p->n_announce; j++) {
			free(p->announce[j].as_path);
			free(p->announce[j].communities);
		}
		free(p->announce);
	}
	free(t->rs.peers);
	for (size_t i = 0; i < t->n_vnets; i++) {
		free(t->vnets[i].address_space);
		free(t->vnets[i].subnets);
	}
	free(t->vnets);
	free(t->peerings);
	for (size_t i = 0; i < t->n_route_tables; i++)
		free(t->route_tables[i].routes);
	free(t->route_tables);
	free(t->vms);
	free(t->file);
	free(t);
}

int rs_topology_find_vnet(const struct rsemu_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_vnets; i++)
		if (strcmp(t->vnets[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rs_topology_find_subnet(const struct rsemu_topology *t, int vnet,
			    const char *name)
{
	if (vnet < 0 || (size_t)vnet >= t->n_vnets)
		return -1;
	const struct rsemu_vnet *v = &t->vnets[vnet];
	for (size_t i = 0; i < v->n_subnets; i++)
		if (strcmp(v->subnets[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rs_topology_find_peer(const struct rsemu_topology *t, const char *name)
{
	for (size_t i = 0; i < t->rs.n_peers; i++)
		if (strcmp(t->rs.peers[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rs_topology_find_vnet_subnet(const struct rsemu_topology *t,
				 const char *path, int *vnet, int *subnet)
{
	const char *slash = strchr(path, '/');
	char name[RSEMU_NAME_MAX];
	if (!slash || (size_t)(slash - path) >= sizeof(name))
		return -ENOENT;
	memcpy(name, path, (size_t)(slash - path));
	name[slash - path] = '\0';
	int v = rs_topology_find_vnet(t, name);
	int s = rs_topology_find_subnet(t, v, slash + 1);
	if (s < 0)
		return -ENOENT;
	*vnet = v;
	*subnet = s;
	return 0;
}

const struct rsemu_peering *
rs_topology_peering(const struct rsemu_topology *t, int a, int b)
{
	for (size_t i = 0; i < t->n_peerings; i++) {
		const struct rsemu_peering *p = &t->peerings[i];
		if ((p->hub == a && p->spoke == b) ||
		    (p->hub == b && p->spoke == a))
			return p;
	}
	return NULL;
}

bool rs_topology_in_rs_domain(const struct rsemu_topology *t, int vnet)
{
	int hub = t->rs.vnet;
	if (vnet < 0 || hub < 0)
		return false;
	if (vnet == hub)
		return true;
	for (size_t i = 0; i < t->n_peerings; i++) {
		const struct rsemu_peering *p = &t->peerings[i];
		if (p->hub == hub && p->spoke == vnet &&
		    p->allow_gateway_transit && p->use_remote_gateways)
			return true;
	}
	return false;
}

const char *rsemu_peer_kind_name(enum rsemu_peer_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

const char *rsemu_routing_pref_name(enum rsemu_routing_pref p)
{
	return (unsigned)p < 3 ? pref_names[p] : "?";
}
