/* The socket helpers of rsd_net.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rsd_net.h"

#define BGP_TTL 255
#define BGP_TOS 0xc0 /* CS6, network control */
#define RSD_BGP_HDR 19

static struct sockaddr_in sin_of(uint32_t ip, uint16_t port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip),
	};
	return sa;
}

int rsd_net_md5(int fd, uint32_t peer_ip, const char *key)
{
	size_t klen = strlen(key);
	if (klen == 0)
		return 0;
	struct tcp_md5sig sig;
	memset(&sig, 0, sizeof(sig));
	struct sockaddr_in sa = sin_of(peer_ip, 0);
	memcpy(&sig.tcpm_addr, &sa, sizeof(sa));
	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	sig.tcpm_keylen = (uint16_t)klen;
	memcpy(sig.tcpm_key, key, klen);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) < 0)
		return -errno;
	return 0;
}

void rsd_net_tune(int fd)
{
	int ttl = BGP_TTL, one = 1, tos = BGP_TOS;
	/* Failures only cost multihop reach or latency: not fatal. */
	(void)setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

int rsd_net_listen(uint32_t ip, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	struct sockaddr_in sa = sin_of(ip, port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int rsd_net_connect(uint32_t local, uint32_t remote, uint16_t port,
		    const char *md5, int *out)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rsd_net_tune(fd);
	struct sockaddr_in la = sin_of(local, 0), ra = sin_of(remote, port);
	int rc = rsd_net_md5(fd, remote, md5);
	if (rc == 0 && bind(fd, (struct sockaddr *)&la, sizeof(la)) < 0)
		rc = -errno;
	if (rc == 0 && connect(fd, (struct sockaddr *)&ra, sizeof(ra)) < 0)
		rc = errno == EINPROGRESS ? 1 : -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return rc;
}

int rsd_net_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* --- output buffers ----------------------------------------------------- */

/* Framed buffers: moves mark to the first message boundary at or after
 * off, reading the length field of each BGP header passed. */
static void advance_mark(struct rsd_buf *b)
{
	if (!b->framed)
		return;
	while (b->mark < b->off && b->mark + RSD_BGP_HDR <= b->len) {
		size_t mlen = (size_t)b->p[b->mark + 16] << 8 | b->p[b->mark + 17];
		if (mlen < RSD_BGP_HDR)
			mlen = RSD_BGP_HDR; /* never happens: we built them */
		b->mark += mlen;
	}
}

void rsd_buf_cut(struct rsd_buf *b)
{
	advance_mark(b);
	if (b->framed && b->mark < b->len)
		b->len = b->mark;
}

int rsd_buf_append(struct rsd_buf *b, const void *data, size_t n, size_t limit)
{
	if (rsd_buf_pending(b) + n > limit)
		return -ENOBUFS;
	if (b->off > 0 && b->len + n > b->cap) {
		/* Reuse the room already written out. */
		advance_mark(b);
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->mark -= b->off;
		b->off = 0;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (p == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int rsd_buf_flush(struct rsd_buf *b, int fd)
{
	while (b->off < b->len) {
		ssize_t w = send(fd, b->p + b->off, b->len - b->off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		b->off += (size_t)w;
		advance_mark(b);
	}
	b->off = b->len = b->mark = 0;
	return 0;
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rsd_buf_drain(struct rsd_buf *b, int fd, int timeout_ms)
{
	int64_t end = ms_now() + timeout_ms;
	for (;;) {
		int rc = rsd_buf_flush(b, fd);
		int64_t left = end - ms_now();
		if (rc != 1 || left <= 0)
			return rc;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

void rsd_buf_free(struct rsd_buf *b)
{
	bool framed = b->framed;
	free(b->p);
	*b = (struct rsd_buf){.framed = framed};
}
