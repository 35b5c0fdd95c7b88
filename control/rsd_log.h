/* rsemu-rsd's log: one line per event to stderr, written with a single
 * write(2) so lines never interleave, stamped with the UTC time to the
 * millisecond: "2026-11-22T23:01:02.123Z info  IN_0 10.0.254.4 nva1
 * 10.0.1.4: up ...". */
#ifndef RS_RSD_LOG_H
#define RS_RSD_LOG_H

#include <stdint.h>

enum rs_log_level { RS_LOG_ERROR = 0, RS_LOG_WARN, RS_LOG_INFO, RS_LOG_DEBUG };

void rs_log_set_level(enum rs_log_level l);
enum rs_log_level rs_log_get_level(void);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int rs_log_parse_level(const char *s);
static inline int rs_log_enabled(enum rs_log_level l)
{
	return l <= rs_log_get_level();
}

/* Writes the UTC time of the realtime clock, e.g. "2026-11-22T23:01:02.123Z"
 * (25 bytes with the NUL). */
void rs_log_timestamp(char buf[32]);

/* A daemon-wide line: "TS LEVEL rsd: MESSAGE". */
void rs_log(enum rs_log_level l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A session line: "TS LEVEL IN_<inst> INSTANCE_IP PEER PEER_IP: MESSAGE". */
void rs_log_session(enum rs_log_level l, int inst, uint32_t inst_ip,
		    const char *peer, uint32_t peer_ip, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
