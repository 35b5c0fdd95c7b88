/* Validation of ring messages (include/rsemu/ring.h): a pure function that
 * bounds-checks every field, so the consumer applies only well-formed
 * messages and counts the others by reason. */
#include <string.h>

#include "rsemu/ring.h"

static const char *const reject_names[RSEMU_REJ__COUNT] = {
	[RSEMU_REJ_OK] = "ok",
	[RSEMU_REJ_TYPE] = "type",
	[RSEMU_REJ_RESERVED] = "reserved",
	[RSEMU_REJ_TABLE] = "table",
	[RSEMU_REJ_SUBNET] = "subnet",
	[RSEMU_REJ_GROUP] = "group",
	[RSEMU_REJ_PREFIX_LEN] = "prefix_len",
	[RSEMU_REJ_HOST_BITS] = "host_bits",
	[RSEMU_REJ_NH_TYPE] = "nh_type",
	[RSEMU_REJ_NH_GROUP] = "nh_group",
	[RSEMU_REJ_MEMBER_COUNT] = "member_count",
	[RSEMU_REJ_MEMBER_ADDR] = "member_addr",
	[RSEMU_REJ_EPOCH] = "epoch",
	[RSEMU_REJ_NO_SPACE] = "no_space",
};

static const char *const type_names[RSEMU_MSG__COUNT] = {
	[RSEMU_MSG_BEGIN_SYNC] = "BEGIN_SYNC",
	[RSEMU_MSG_TABLE_BIND] = "TABLE_BIND",
	[RSEMU_MSG_ROUTE_ADD] = "ROUTE_ADD",
	[RSEMU_MSG_ROUTE_DEL] = "ROUTE_DEL",
	[RSEMU_MSG_GROUP_SET] = "GROUP_SET",
	[RSEMU_MSG_GROUP_DEL] = "GROUP_DEL",
	[RSEMU_MSG_COMMIT] = "COMMIT",
};

const char *rsemu_reject_name(enum rsemu_reject r)
{
	return (unsigned)r < RSEMU_REJ__COUNT ? reject_names[r] : "?";
}

const char *rsemu_msg_type_name(unsigned type)
{
	return type < RSEMU_MSG__COUNT && type_names[type] ? type_names[type]
							   : "?";
}

/* True when the payload bytes from offset `used` on are all zero. */
static bool tail_zero(const struct rsemu_msg *m, size_t used)
{
	for (size_t i = used; i < sizeof(m->u.raw); i++)
		if (m->u.raw[i])
			return false;
	return true;
}

#define END_OF(member) (offsetof(struct rsemu_msg, u.member) - \
			offsetof(struct rsemu_msg, u) + \
			sizeof(((struct rsemu_msg *)0)->u.member))

static enum rsemu_reject check_prefix(uint32_t addr, uint8_t len)
{
	if (len > 32)
		return RSEMU_REJ_PREFIX_LEN;
	if (addr & ~rsemu_mask(len))
		return RSEMU_REJ_HOST_BITS;
	return RSEMU_REJ_OK;
}

static bool nh_uses_group(uint8_t nh)
{
	return nh == RSEMU_NH_VIRTUAL_APPLIANCE || nh == RSEMU_NH_VNET_GATEWAY;
}

static enum rsemu_reject check_route(const struct rsemu_msg *m, bool add)
{
	const typeof(m->u.route) *r = &m->u.route;
	enum rsemu_reject why;

	if (!tail_zero(m, END_OF(route)) || r->pad)
		return RSEMU_REJ_RESERVED;
	if (r->table >= RSEMU_RING_MAX_TABLES)
		return RSEMU_REJ_TABLE;
	why = check_prefix(r->addr, r->len);
	if (why != RSEMU_REJ_OK)
		return why;
	if (!add)
		return r->nh_type || r->group ? RSEMU_REJ_RESERVED
					      : RSEMU_REJ_OK;
	if (r->nh_type >= RSEMU_NH__COUNT)
		return RSEMU_REJ_NH_TYPE;
	if (nh_uses_group(r->nh_type)) {
		if (r->group == RSEMU_GROUP_NONE)
			return RSEMU_REJ_NH_GROUP;
		if (r->group >= RSEMU_RING_MAX_GROUPS)
			return RSEMU_REJ_GROUP;
	} else if (r->group != RSEMU_GROUP_NONE) {
		return RSEMU_REJ_NH_GROUP;
	}
	return RSEMU_REJ_OK;
}

static enum rsemu_reject check_group(const struct rsemu_msg *m, bool set)
{
	const typeof(m->u.group) *g = &m->u.group;

	if (!tail_zero(m, END_OF(group)))
		return RSEMU_REJ_RESERVED;
	if (g->group >= RSEMU_RING_MAX_GROUPS)
		return RSEMU_REJ_GROUP;
	if (g->pad)
		return RSEMU_REJ_RESERVED;
	if (!set) {
		if (g->n_members)
			return RSEMU_REJ_RESERVED;
		for (unsigned i = 0; i < RSEMU_ECMP_MAX_MEMBERS; i++)
			if (g->members[i])
				return RSEMU_REJ_RESERVED;
		return RSEMU_REJ_OK;
	}
	if (g->n_members < 1 || g->n_members > RSEMU_ECMP_MAX_MEMBERS)
		return RSEMU_REJ_MEMBER_COUNT;
	for (unsigned i = g->n_members; i < RSEMU_ECMP_MAX_MEMBERS; i++)
		if (g->members[i])
			return RSEMU_REJ_RESERVED;
	for (unsigned i = 0; i < g->n_members; i++) {
		if (g->members[i] == 0 || g->members[i] == 0xFFFFFFFFu)
			return RSEMU_REJ_MEMBER_ADDR;
		for (unsigned j = 0; j < i; j++)
			if (g->members[j] == g->members[i])
				return RSEMU_REJ_MEMBER_ADDR;
	}
	return RSEMU_REJ_OK;
}

enum rsemu_reject rsemu_msg_check(const struct rsemu_msg *m)
{
	if (m->type == 0 || m->type >= RSEMU_MSG__COUNT)
		return RSEMU_REJ_TYPE;
	if (m->flags)
		return RSEMU_REJ_RESERVED;

	switch ((enum rsemu_msg_type)m->type) {
	case RSEMU_MSG_BEGIN_SYNC:
		if (!tail_zero(m, END_OF(sync)))
			return RSEMU_REJ_RESERVED;
		return m->u.sync.epoch ? RSEMU_REJ_OK : RSEMU_REJ_EPOCH;
	case RSEMU_MSG_TABLE_BIND:
		if (!tail_zero(m, END_OF(bind)) || m->u.bind.pad)
			return RSEMU_REJ_RESERVED;
		if (m->u.bind.subnet >= RSEMU_RING_MAX_SUBNETS)
			return RSEMU_REJ_SUBNET;
		if (m->u.bind.table >= RSEMU_RING_MAX_TABLES &&
		    m->u.bind.table != RSEMU_TABLE_NONE)
			return RSEMU_REJ_TABLE;
		return RSEMU_REJ_OK;
	case RSEMU_MSG_ROUTE_ADD:
		return check_route(m, true);
	case RSEMU_MSG_ROUTE_DEL:
		return check_route(m, false);
	case RSEMU_MSG_GROUP_SET:
		return check_group(m, true);
	case RSEMU_MSG_GROUP_DEL:
		return check_group(m, false);
	case RSEMU_MSG_COMMIT:
		if (!tail_zero(m, END_OF(commit)))
			return RSEMU_REJ_RESERVED;
		return m->u.commit.epoch ? RSEMU_REJ_OK : RSEMU_REJ_EPOCH;
	case RSEMU_MSG__COUNT:
		break;
	}
	return RSEMU_REJ_TYPE;
}
