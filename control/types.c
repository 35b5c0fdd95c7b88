/* Text forms of the shared routing types: addresses, prefixes, next-hop
 * types and route sources, spelled as Azure spells them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rsemu/types.h"

static const char *const nh_names[RSEMU_NH__COUNT] = {
	[RSEMU_NH_VNET_LOCAL] = "VnetLocal",
	[RSEMU_NH_VNET_PEERING] = "VNetPeering",
	[RSEMU_NH_INTERNET] = "Internet",
	[RSEMU_NH_NONE] = "None",
	[RSEMU_NH_VIRTUAL_APPLIANCE] = "VirtualAppliance",
	[RSEMU_NH_VNET_GATEWAY] = "VirtualNetworkGateway",
};

static const char *const src_names[RSEMU_SRC__COUNT] = {
	[RSEMU_SRC_DEFAULT] = "Default",
	[RSEMU_SRC_GATEWAY] = "VirtualNetworkGateway",
	[RSEMU_SRC_USER] = "User",
};

const char *rsemu_nh_type_name(enum rsemu_nh_type t)
{
	return (unsigned)t < RSEMU_NH__COUNT ? nh_names[t] : "?";
}

int rsemu_nh_type_parse(const char *s)
{
	for (int i = 0; i < RSEMU_NH__COUNT; i++)
		if (strcmp(s, nh_names[i]) == 0)
			return i;
	return -1;
}

const char *rsemu_source_name(enum rsemu_route_source s)
{
	return (unsigned)s < RSEMU_SRC__COUNT ? src_names[s] : "?";
}

/* Strict dotted quad: four decimal parts 0..255, no leading zeros beyond a
 * single "0", nothing after. */
int rsemu_ip_parse(const char *s, uint32_t *out)
{
	uint32_t ip = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return -EINVAL;
		unsigned v = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (digits > 3 || v > 255)
			return -EINVAL;
		ip = (ip << 8) | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = ip;
	return 0;
}

void rsemu_ip_format(uint32_t ip, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF,
		 (ip >> 8) & 0xFF, ip & 0xFF);
}

int rsemu_prefix_parse(const char *s, struct rsemu_prefix *out)
{
	char addr[16];
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash - s >= (long)sizeof(addr) || slash == s)
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	uint32_t ip;
	if (rsemu_ip_parse(addr, &ip) < 0)
		return -EINVAL;
	const char *l = slash + 1;
	if (*l < '0' || *l > '9' || (l[0] == '0' && l[1] != '\0'))
		return -EINVAL;
	unsigned len = 0;
	for (; *l >= '0' && *l <= '9'; l++) {
		len = len * 10 + (unsigned)(*l - '0');
		if (len > 32)
			return -EINVAL;
	}
	if (*l != '\0')
		return -EINVAL;
	out->addr = ip;
	out->len = (uint8_t)len;
	if ((ip & ~rsemu_mask((uint8_t)len)) != 0)
		return -EDOM;
	return 0;
}

void rsemu_prefix_format(struct rsemu_prefix p, char buf[20])
{
	snprintf(buf, 20, "%u.%u.%u.%u/%u", p.addr >> 24, (p.addr >> 16) & 0xFF,
		 (p.addr >> 8) & 0xFF, p.addr & 0xFF, p.len);
}
