/* Request parsing and error objects of the control protocol (ctl_proto.h).
 * Pure: shared by the daemon and `rsemu ctl`. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

static const char *const cmd_names[] = {
	[RS_CTL_PEERS] = "peers",
	[RS_CTL_LEARNED] = "learned",
	[RS_CTL_ADVERTISED] = "advertised",
	[RS_CTL_EFFECTIVE] = "effective",
};

#define N_CMDS (sizeof(cmd_names) / sizeof(cmd_names[0]))

int rs_ctl_cmd_parse(const char *name)
{
	for (size_t i = 1; i < N_CMDS; i++)
		if (strcmp(name, cmd_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *rs_ctl_cmd_name(enum rs_ctl_cmd cmd)
{
	return (size_t)cmd < N_CMDS && cmd_names[cmd] ? cmd_names[cmd] : "?";
}

const char *rs_ctl_arg_key(enum rs_ctl_cmd cmd)
{
	switch (cmd) {
	case RS_CTL_LEARNED:
	case RS_CTL_ADVERTISED:
		return "peer";
	case RS_CTL_EFFECTIVE:
		return "subnet";
	default:
		return NULL;
	}
}

static int bad(char *err, size_t size, const char *fmt, const char *arg)
{
	snprintf(err, size, fmt, arg);
	return -EINVAL;
}

/* The argument under its key, checked; the request's command set. */
static int take_arg(json_t *obj, struct rs_ctl_request *req, char *err,
		    size_t size)
{
	const char *key = rs_ctl_arg_key(req->cmd), *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		if (strcmp(k, "cmd") != 0 && (key == NULL || strcmp(k, key) != 0))
			return bad(err, size, "unexpected key \"%s\"", k);
	}
	req->arg[0] = '\0';
	if (key == NULL)
		return 0;
	v = json_object_get(obj, key);
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(err, size, "missing \"%s\" (a non-empty string)", key);
	if (json_string_length(v) >= sizeof(req->arg))
		return bad(err, size, "\"%s\" is too long", key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(err, size, "\"%s\" holds a NUL byte", key);
	memcpy(req->arg, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int rs_ctl_parse_request(const char *line, size_t len,
			 struct rs_ctl_request *req, char *err, size_t errsize)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	json_error_t je;
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL)
		return bad(err, errsize, "not JSON: %s", je.text);
	int rc;
	json_t *cmd = json_object_get(obj, "cmd");
	if (!json_is_object(obj))
		rc = bad(err, errsize, "%s", "the request is not a JSON object");
	else if (!json_is_string(cmd))
		rc = bad(err, errsize, "%s", "missing \"cmd\" (a string)");
	else if (rs_ctl_cmd_parse(json_string_value(cmd)) < 0)
		rc = bad(err, errsize, "unknown command \"%s\"",
			 json_string_value(cmd));
	else {
		req->cmd = (enum rs_ctl_cmd)rs_ctl_cmd_parse(json_string_value(cmd));
		rc = take_arg(obj, req, err, errsize);
	}
	json_decref(obj);
	return rc;
}

char *rs_ctl_format_request(const struct rs_ctl_request *req)
{
	const char *key = rs_ctl_arg_key(req->cmd);
	json_t *obj = json_pack("{s:s}", "cmd", rs_ctl_cmd_name(req->cmd));
	if (obj != NULL && key != NULL)
		json_object_set_new(obj, key, json_string(req->arg));
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	char *line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

json_t *rs_ctl_error(int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:i}", "error", text, "code", code);
}

int rs_ctl_error_of(const json_t *j, const char **text)
{
	const json_t *e = json_is_object(j) ? json_object_get(j, "error") : NULL;
	if (!json_is_string(e))
		return 0;
	if (text != NULL)
		*text = json_string_value(e);
	json_int_t code = json_integer_value(json_object_get(j, "code"));
	return code == 1 ? 1 : 2;
}
