/* The log lines of rsd_log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rsd_log.h"
#include "rsemu/types.h"

static enum rs_log_level level = RS_LOG_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

void rs_log_set_level(enum rs_log_level l)
{
	level = l;
}

enum rs_log_level rs_log_get_level(void)
{
	return level;
}

int rs_log_parse_level(const char *s)
{
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void rs_log_timestamp(char buf[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static void emit(enum rs_log_level l, const char *who, const char *fmt,
		 va_list ap)
{
	char line[1024], ts[32];
	rs_log_timestamp(ts);
	int n = snprintf(line, sizeof(line), "%s %-5s %s: ", ts, names[l], who);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		n = m < 0 ? n : n + m;
	}
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2; /* truncated: keep the newline */
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void rs_log(enum rs_log_level l, const char *fmt, ...)
{
	if (!rs_log_enabled(l))
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(l, "rsd", fmt, ap);
	va_end(ap);
}

void rs_log_session(enum rs_log_level l, int inst, uint32_t inst_ip,
		    const char *peer, uint32_t peer_ip, const char *fmt, ...)
{
	if (!rs_log_enabled(l))
		return;
	char who[160], a[16], b[16];
	rsemu_ip_format(inst_ip, a);
	rsemu_ip_format(peer_ip, b);
	snprintf(who, sizeof(who), "IN_%d %s %s %s", inst, a, peer, b);
	va_list ap;
	va_start(ap, fmt);
	emit(l, who, fmt, ap);
	va_end(ap);
}
