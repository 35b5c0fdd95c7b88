/* The default, counting publisher of publish.h, and the loop that hands a
 * change log to any publisher. */
#include "publish.h"
#include "rsd_log.h"

static int count_change(void *ctx, const struct rs_change *c, uint64_t t_ns)
{
	struct rs_publish_stats *s = ctx;
	s->changes++;
	if (c->op == RS_CHANGE_SET)
		s->sets++;
	else
		s->dels++;
	if (rs_log_enabled(RS_LOG_DEBUG)) {
		char p[20], nh[RSEMU_MAX_PEERS * 16 + 1] = "";
		rsemu_prefix_format(c->prefix, p);
		size_t off = 0;
		for (uint8_t i = 0; i < c->n_nh && off < sizeof(nh); i++) {
			char ip[16];
			rsemu_ip_format(c->nh[i], ip);
			off += (size_t)snprintf(nh + off, sizeof(nh) - off,
						"%s%s", i ? "," : "", ip);
		}
		rs_log(RS_LOG_DEBUG, "change %s %s%s%s (event t=%llu ns)",
		       c->op == RS_CHANGE_SET ? "set" : "del", p,
		       c->n_nh ? " via " : "", nh, (unsigned long long)t_ns);
	}
	return 0;
}

static int count_commit(void *ctx, uint64_t t_ns)
{
	struct rs_publish_stats *s = ctx;
	s->commits++;
	s->last_t_ns = t_ns;
	return 0;
}

struct rs_publisher rs_publisher_counting(struct rs_publish_stats *stats)
{
	return (struct rs_publisher){
		.ctx = stats,
		.change = count_change,
		.commit = count_commit,
		.close = NULL,
	};
}

int rs_publish(const struct rs_publisher *p, const struct rs_changes *chg,
	       uint64_t t_ns)
{
	int rc = 0;
	for (size_t i = 0; i < chg->n; i++) {
		int r = p->change(p->ctx, &chg->v[i], t_ns);
		if (r < 0 && rc == 0)
			rc = r;
	}
	int r = p->commit(p->ctx, t_ns);
	return rc < 0 ? rc : r;
}
