/* The control-socket protocol (control/ctl_proto.c): request lines as the
 * daemon parses them, the line `rsemu ctl` writes, and error objects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_proto.h"

static char err[256];

static int parse(const char *line, struct rs_ctl_request *r)
{
	err[0] = '\0';
	return rs_ctl_parse_request(line, strlen(line), r, err, sizeof(err));
}

static void valid_requests(void **st)
{
	(void)st;
	struct rs_ctl_request r;
	assert_int_equal(parse("{\"cmd\":\"peers\"}\n", &r), 0);
	assert_int_equal(r.cmd, RS_CTL_PEERS);
	assert_string_equal(r.arg, "");
	assert_int_equal(parse("{\"cmd\":\"learned\",\"peer\":\"nva1\"}", &r), 0);
	assert_int_equal(r.cmd, RS_CTL_LEARNED);
	assert_string_equal(r.arg, "nva1");
	assert_int_equal(parse(" {\"peer\": \"10.0.1.4\", \"cmd\": \"advertised\"}\r\n", &r), 0);
	assert_int_equal(r.cmd, RS_CTL_ADVERTISED);
	assert_string_equal(r.arg, "10.0.1.4");
	assert_int_equal(parse("{\"cmd\":\"effective\",\"subnet\":\"spoke1/app\"}", &r), 0);
	assert_int_equal(r.cmd, RS_CTL_EFFECTIVE);
	assert_string_equal(r.arg, "spoke1/app");
}

static void bad(const char *line, const char *why)
{
	struct rs_ctl_request r;
	assert_int_equal(parse(line, &r), -EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", line, err, why);
}

static void invalid_requests(void **st)
{
	(void)st;
	bad("peers", "not JSON");
	bad("", "not JSON");
	bad("[\"peers\"]", "not a JSON object");
	bad("{}", "missing \"cmd\"");
	bad("{\"cmd\": 1}", "missing \"cmd\"");
	bad("{\"cmd\":\"reboot\"}", "unknown command \"reboot\"");
	bad("{\"cmd\":\"learned\"}", "missing \"peer\"");
	bad("{\"cmd\":\"learned\",\"peer\":\"\"}", "missing \"peer\"");
	bad("{\"cmd\":\"learned\",\"peer\":7}", "missing \"peer\"");
	bad("{\"cmd\":\"effective\",\"peer\":\"nva1\"}", "unexpected key \"peer\"");
	bad("{\"cmd\":\"peers\",\"peer\":\"nva1\"}", "unexpected key \"peer\"");
	bad("{\"cmd\":\"peers\",\"cmd\":\"peers\"}", "not JSON");
	bad("{\"cmd\":\"learned\",\"peer\":\"a\\u0000b\"}", "NUL");
	char line[512];
	char name[300];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "{\"cmd\":\"learned\",\"peer\":\"%s\"}", name);
	bad(line, "too long");
}

static void format_round_trip(void **st)
{
	(void)st;
	struct rs_ctl_request in = {.cmd = RS_CTL_EFFECTIVE}, back;
	strcpy(in.arg, "spoke1/app");
	char *line = rs_ctl_format_request(&in);
	assert_non_null(line);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_non_null(strchr(line, '{'));
	assert_int_equal(parse(line, &back), 0);
	assert_int_equal(back.cmd, RS_CTL_EFFECTIVE);
	assert_string_equal(back.arg, "spoke1/app");
	free(line);
	in.cmd = RS_CTL_PEERS;
	line = rs_ctl_format_request(&in);
	assert_string_equal(line, "{\"cmd\":\"peers\"}\n");
	free(line);
}

static void command_names(void **st)
{
	(void)st;
	for (int c = RS_CTL_PEERS; c <= RS_CTL_EFFECTIVE; c++)
		assert_int_equal(rs_ctl_cmd_parse(rs_ctl_cmd_name((enum rs_ctl_cmd)c)), c);
	assert_int_equal(rs_ctl_cmd_parse("routes"), -1);
	assert_null(rs_ctl_arg_key(RS_CTL_PEERS));
	assert_string_equal(rs_ctl_arg_key(RS_CTL_LEARNED), "peer");
	assert_string_equal(rs_ctl_arg_key(RS_CTL_EFFECTIVE), "subnet");
}

static void error_objects(void **st)
{
	(void)st;
	const char *text = NULL;
	json_t *e = rs_ctl_error(2, "no such peer: %s", "nva9");
	assert_int_equal(rs_ctl_error_of(e, &text), 2);
	assert_string_equal(text, "no such peer: nva9");
	json_decref(e);
	e = rs_ctl_error(1, "out of memory");
	assert_int_equal(rs_ctl_error_of(e, NULL), 1);
	json_decref(e);
	json_t *ok = json_array();
	assert_int_equal(rs_ctl_error_of(ok, NULL), 0);
	json_decref(ok);
	ok = json_pack("{s:[]}", "RouteServiceRole_IN_0");
	assert_int_equal(rs_ctl_error_of(ok, NULL), 0);
	json_decref(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_requests),
		cmocka_unit_test(invalid_requests),
		cmocka_unit_test(format_round_trip),
		cmocka_unit_test(command_names),
		cmocka_unit_test(error_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
