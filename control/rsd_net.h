/* Socket helpers of rsemu-rsd: listening and connecting TCP sockets for BGP
 * (non-blocking, TTL 255 for eBGP multihop, TCP MD5 per peer address,
 * RFC 2385) and a growable output buffer per connection. */
#ifndef RS_RSD_NET_H
#define RS_RSD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A listening socket bound to ip:port (host order). Returns the fd or a
 * negative errno. */
int rsd_net_listen(uint32_t ip, uint16_t port);
/* Sets (key non-empty) the TCP MD5 key for segments from/to peer_ip on a
 * socket (listening or not). 0 or a negative errno. */
int rsd_net_md5(int fd, uint32_t peer_ip, const char *key);
/* Starts a non-blocking connection from local (port chosen by the kernel)
 * to remote:port with the MD5 key (may be ""). Returns 0 (connected), 1 (in
 * progress: wait for writability, then rsd_net_connect_result) or a
 * negative errno; *fd is set on 0 and 1. */
int rsd_net_connect(uint32_t local, uint32_t remote, uint16_t port,
		    const char *md5, int *fd);
/* The outcome of a connection in progress: 0 or a positive errno. */
int rsd_net_connect_result(int fd);
/* BGP socket options: TTL 255 (eBGP multihop), TCP_NODELAY, IP_TOS CS6. */
void rsd_net_tune(int fd);

/* Pending output of one connection. A framed buffer holds whole BGP
 * messages only, so it can drop those not yet begun (rsd_buf_cut). */
struct rsd_buf {
	uint8_t *p;
	size_t off, len, cap;    /* unsent bytes are p[off .. len) */
	bool framed;
	size_t mark;             /* framed: first message boundary >= off */
};

/* Appends n bytes. 0, -ENOBUFS when more than limit bytes would be pending
 * (a peer that does not read), or -ENOMEM. */
int rsd_buf_append(struct rsd_buf *b, const void *data, size_t n, size_t limit);
static inline size_t rsd_buf_pending(const struct rsd_buf *b)
{
	return b->len - b->off;
}
/* Writes what it can: 0 when all is written, 1 when some is left (the
 * socket is full), or a negative errno. */
int rsd_buf_flush(struct rsd_buf *b, int fd);
/* Like flush, but waits up to timeout_ms for the socket to take it all. */
int rsd_buf_drain(struct rsd_buf *b, int fd, int timeout_ms);
void rsd_buf_free(struct rsd_buf *b);
/* Framed buffers: discards every message not begun yet, keeping the one
 * partly written (the stream must stay framed), so that a NOTIFICATION
 * appended next is not stuck behind a backlog of UPDATEs. */
void rsd_buf_cut(struct rsd_buf *b);

#endif
