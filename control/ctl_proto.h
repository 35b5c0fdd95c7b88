/* The control-socket protocol between `rsemu ctl` and rsemu-rsd: over a
 * Unix stream socket the client sends one line, a JSON object such as
 *   {"cmd":"learned","peer":"nva1"}   {"cmd":"effective","subnet":"spoke1/app"}
 *   {"cmd":"peers"}                   {"cmd":"advertised","peer":"10.0.1.4"}
 * and the daemon answers with one JSON document, then closes. Answers have
 * the shapes of report.h (those of `rsemu routes`); a failure is an object
 *   {"error": "no such peer: nva9", "code": 2}
 * whose code is the exit code `rsemu ctl` uses (2 bad request or unknown
 * name, 1 daemon-side failure). */
#ifndef RS_CTL_PROTO_H
#define RS_CTL_PROTO_H

#include <jansson.h>
#include <stddef.h>

#include "rsemu/types.h"

#define RS_CTL_DEFAULT_PATH "/run/rsemu/rsd.sock"
#define RS_CTL_MAX_REQUEST 4096

enum rs_ctl_cmd {
	RS_CTL_PEERS = 1,
	RS_CTL_LEARNED,
	RS_CTL_ADVERTISED,
	RS_CTL_EFFECTIVE,
};

struct rs_ctl_request {
	enum rs_ctl_cmd cmd;
	/* PEER (name or IP) for learned/advertised, VNET/SUBNET for effective. */
	char arg[2 * RSEMU_NAME_MAX + 2];
};

/* "peers" -> RS_CTL_PEERS ...; -1 when unknown. */
int rs_ctl_cmd_parse(const char *name);
const char *rs_ctl_cmd_name(enum rs_ctl_cmd cmd);
/* The key that carries the command's argument ("peer", "subnet"), or NULL
 * for a command without one. */
const char *rs_ctl_arg_key(enum rs_ctl_cmd cmd);

/* Parses one request line (len bytes, a trailing newline allowed). 0, or
 * -EINVAL with a reason in err (not JSON, not an object, unknown command,
 * missing or unexpected argument, argument too long, unknown key). */
int rs_ctl_parse_request(const char *line, size_t len,
			 struct rs_ctl_request *req, char *err, size_t errsize);
/* The request as one line of JSON, newline included; free() it. NULL on
 * ENOMEM. */
char *rs_ctl_format_request(const struct rs_ctl_request *req);

/* {"error": TEXT, "code": code}; NULL on ENOMEM. */
json_t *rs_ctl_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* When j is an error object: its code (1 or 2) and text; else 0. */
int rs_ctl_error_of(const json_t *j, const char **text);

#endif
