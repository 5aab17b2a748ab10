/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the dsrkit.conf reader: every key, and hostile lines that
 * must each be refused with "file:line: what is wrong". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checker/lib/dsrkit_conf.h"

static void every_key(void **state)
{
	const char *t = "# dsrkit defaults\n"
			"ca = /etc/x/ca.pem\n"
			"  cert\t=\t/etc/x/c.pem   # trailing comment\n"
			"key=/etc/x/c.key\r\n"
			"\n"
			"agent_port = 10443\n"
			"timeout = 750ms\n"
			"tls_min_version = 1.2\n"
			"syslog = yes\n"
			"ticket_dir = /run/t\n"
			"keeper = 45s\n"
			"daemon_socket = /run/x.sock";
	struct dsrkit_conf c;
	char err[256];
	(void)state;

	dsrkit_conf_defaults(&c);
	assert_int_equal(dsrkit_conf_parse(&c, "t.conf", t, strlen(t), err, sizeof(err)), 0);
	assert_string_equal(c.ca, "/etc/x/ca.pem");
	assert_string_equal(c.cert, "/etc/x/c.pem");
	assert_string_equal(c.key, "/etc/x/c.key");
	assert_string_equal(c.daemon_socket, "/run/x.sock");
	assert_int_equal(c.agent_port, 10443);
	assert_int_equal(c.timeout_ms, 750);
	assert_int_equal(c.tls_min, 12);
	assert_int_equal(c.syslog, 1);
	assert_string_equal(c.ticket_dir, "/run/t");
	assert_int_equal(c.keeper_idle_ms, 45000);
}

static void keeper_off(void **state)
{
	const char *t = "keeper = 60s\nkeeper = no\nticket_dir = none\n";
	struct dsrkit_conf c;
	char err[256];
	(void)state;

	dsrkit_conf_defaults(&c);
	assert_int_equal(c.keeper_idle_ms, 0); /* off unless asked for */
	assert_int_equal(dsrkit_conf_parse(&c, "t.conf", t, strlen(t), err, sizeof(err)), 0);
	assert_int_equal(c.keeper_idle_ms, 0);
	assert_string_equal(c.ticket_dir, "");
}

struct bad {
	const char *text;
	const char *want;  /* the start of the error message */
};

static void hostile_table(void **state)
{
	static const struct bad cases[] = {
		{ "agent_port = 0\n", "t.conf:1: agent_port: '0' is not a port (1-65535)" },
		{ "agent_port = 65536\n", "t.conf:1: agent_port" },
		{ "agent_port = 9x\n", "t.conf:1: agent_port" },
		{ "\n\nagent_port =\n", "t.conf:3: agent_port: missing value" },
		{ "agent_port 9443\n", "t.conf:1: expected 'key = value'" },
		{ "= 9443\n", "t.conf:1: missing key before '='" },
		{ "ca = /a /b\n", "t.conf:1: ca: one path" },
		{ "timeout = 1.5s\n", "t.conf:1: timeout" },
		{ "timeout = 301s\n", "t.conf:1: timeout" },
		{ "tls_min_version = 1.1\n", "t.conf:1: tls_min_version: '1.1' is not 1.2 or 1.3" },
		{ "syslog = maybe\n", "t.conf:1: syslog" },
		{ "keeper = 500ms\n", "t.conf:1: keeper: '500ms' is not no or an idle time of 1s-3600s" },
		{ "keeper = yes\n", "t.conf:1: keeper" },
		{ "keeper = 3601s\n", "t.conf:1: keeper" },
		{ "ticket_dir = run/x\n", "t.conf:1: ticket_dir: 'run/x' is not an absolute path or none" },
		{ "bogus = 1\n", "t.conf:1: bogus: unknown key" },
		{ "ca = # only a comment\n", "t.conf:1: ca: missing value" },
		{ "ca = /a\x01b\n", "t.conf:1: control character" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dsrkit_conf c;
		char err[256] = "";

		dsrkit_conf_defaults(&c);
		if (dsrkit_conf_parse(&c, "t.conf", cases[i].text, strlen(cases[i].text), err, sizeof(err)) == 0)
			fail_msg("accepted: %s", cases[i].text);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("for '%s' got '%s', want '%s...'", cases[i].text, err, cases[i].want);
	}
}

static void limits(void **state)
{
	static char longline[2000], longpath[700];
	struct dsrkit_conf c;
	char err[256];
	const char nul[] = "ca = /a\0b\n";
	(void)state;

	memset(longline, 'x', sizeof(longline) - 1);
	dsrkit_conf_defaults(&c);
	assert_int_not_equal(dsrkit_conf_parse(&c, "t.conf", longline, strlen(longline), err, sizeof(err)), 0);
	assert_non_null(strstr(err, "t.conf:1: line longer"));

	memcpy(longpath, "ca = /", 6);
	memset(longpath + 6, 'p', sizeof(longpath) - 7);
	assert_int_not_equal(dsrkit_conf_parse(&c, "t.conf", longpath, strlen(longpath), err, sizeof(err)), 0);
	assert_non_null(strstr(err, "t.conf:1: ca: one path of at most"));

	assert_int_not_equal(dsrkit_conf_parse(&c, "t.conf", nul, sizeof(nul) - 1, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "control character (byte 0x00)"));

	assert_int_equal(dsrkit_conf_load(&c, "/nonexistent/dsrkit.conf", 0, err, sizeof(err)), 0);
	assert_int_not_equal(dsrkit_conf_load(&c, "/nonexistent/dsrkit.conf", 1, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key),
		cmocka_unit_test(keeper_off),
		cmocka_unit_test(hostile_table),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests_name("checker_conf", tests, NULL, NULL);
}
