/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the agent configuration parser: every key, and a hostile
 * table where each error names file:line and what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/agent_config.h"

static void config_every_key(void **state)
{
	static const char text[] =
		"# dsr-agent\n"
		"listen = 192.0.2.11   # the real server's own address\n"
		"port = 9443\n"
		"tls_cert = /etc/dsrkit/agent.crt\n"
		"tls_key=/etc/dsrkit/agent.key\n"
		"\ttls_ca = /etc/dsrkit/ca.crt\r\n"
		"tls_min_version = 1.2\n"
		"vip = 192.0.2.100 80 443\n"
		"vip = 2001:db8::100\n"
		"admin_state = drain\n"
		"admin_reason = kernel update\n"
		"weight = auto\n"
		"state_file = /run/dsrkit/state\n"
		"agent_check_port = 9444\n"
		"agent_check_listen = 192.0.2.11\n"
		"client_timeout_ms = 2000\n"
		"max_clients = 600\n"
		"facts_cache_ms = 0\n"
		"\n   \n";
	struct agent_config c;
	char err[200];
	(void)state;

	agent_config_defaults(&c);
	assert_int_equal(c.port, 9443);
	assert_int_equal(c.tls_min_minor, 3);
	assert_int_equal(agent_config_parse(text, sizeof(text) - 1, "agent.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.listen.family, IP_FAMILY_V4);
	assert_string_equal(c.tls_ca, "/etc/dsrkit/ca.crt");
	assert_int_equal(c.tls_min_minor, 2);
	assert_int_equal(c.n_targets, 3);
	assert_int_equal(c.targets[0].port, 80);
	assert_int_equal(c.targets[1].port, 443);
	assert_int_equal(c.targets[2].port, 0);
	assert_int_equal(c.targets[2].vip.family, IP_FAMILY_V6);
	assert_int_equal(c.admin, ADMIN_STATE_DRAIN);
	assert_string_equal(c.admin_reason, "kernel update");
	assert_int_equal(c.weight, AGENT_WEIGHT_AUTO);
	assert_int_equal(c.agent_check_port, 9444);
	assert_int_equal(c.client_timeout_ms, 2000);
	assert_int_equal(c.max_clients, 600);
	assert_int_equal(c.facts_cache_ms, 0);
}

static void config_hostile(void **state)
{
	static const struct { const char *text; const char *want; } bad[] = {
		{ "nonsense\n", "t.conf:1: expected 'key = value'" },
		{ "\n\nport = 0\n", "t.conf:3: port: '0' is not a number in 1-65535" },
		{ "port = 65536\n", "t.conf:1: port:" },
		{ "port = 9443x\n", "t.conf:1: port:" },
		{ "port = -1\n", "t.conf:1: port:" },
		{ "port =\n", "t.conf:1: port: missing value" },
		{ "= 5\n", "t.conf:1: missing key" },
		{ "colour = blue\n", "t.conf:1: unknown key 'colour'" },
		{ "vip = 192.0.2.300\n", "t.conf:1: vip: '192.0.2.300' is not an IPv4" },
		{ "vip = 192.0.2.100 http\n", "t.conf:1: vip: port 'http'" },
		{ "vip = 192.0.2.100 0\n", "t.conf:1: vip: port '0'" },
		{ "listen = localhost\n", "t.conf:1: listen: 'localhost'" },
		{ "tls_min_version = 1.1\n", "t.conf:1: tls_min_version: '1.1' is not 1.2 or 1.3" },
		{ "admin_state = sleeping\n", "t.conf:1: admin_state: 'sleeping' is not up, drain or maint" },
		{ "weight = 101\n", "t.conf:1: weight: '101' is not 0-100, auto or none" },
		{ "client_timeout_ms = 1\n", "t.conf:1: client_timeout_ms: '1' is not a number in 100-600000" },
		{ "max_clients = 0\n", "t.conf:1: max_clients:" },
		{ "handshake_timeout_ms = 99\n", "t.conf:1: handshake_timeout_ms: '99' is not a number in 100-600000" },
		{ "max_handshakes = 0\n", "t.conf:1: max_handshakes:" },
		{ "max_handshakes_per_source = x\n", "t.conf:1: max_handshakes_per_source:" },
		{ "\ncheckers = 192.0.2.1\n", "t.conf:2: unknown key 'checkers'" },
		{ "checker_allow = 192.0.2.0/33\n", "t.conf:1: checker_allow: '192.0.2.0/33' is not an address or ADDRESS/PREFIX" },
		{ "checker_allow = 192.0.2.1 director\n", "t.conf:1: checker_allow: 'director' is not an address" },
		{ "checker_allow = ,\n", "t.conf:1: checker_allow needs an address" },
		{ "port = 1\x01\n", "t.conf:1: control character (byte 0x01)" },
		{ "port = 9443\nport = 1\x7f\n", "t.conf:2: control character (byte 0x7f)" },
	};
	struct agent_config c;
	char err[200];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		agent_config_defaults(&c);
		if (agent_config_parse(bad[i].text, strlen(bad[i].text), "t.conf", &c, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu accepted", i);
		if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s...\"", i, err, bad[i].want);
	}
}

/* checker_allow (issue 16, finding 1): prefixes add up over lines, an
 * IPv4-mapped peer matches its IPv4 prefix, the default is empty. */
static void config_checker_allow(void **state)
{
	static const char text[] = "checker_allow = 192.0.2.1, 198.51.100.0/24\n"
		"checker_allow = 2001:db8::/64\n"
		"handshake_timeout_ms = 1500\nmax_handshakes = 32\nmax_handshakes_per_source = 4\n";
	static const struct { const char *a; int want; } peers[] = {
		{ "192.0.2.1", 1 }, { "192.0.2.2", 0 }, { "198.51.100.77", 1 }, { "::ffff:198.51.100.77", 1 },
		{ "::ffff:192.0.2.2", 0 }, { "2001:db8::1", 1 }, { "2001:db8:1::1", 0 }, { "203.0.113.1", 0 },
	};
	static struct agent_config c;
	struct ip_addr a;
	char err[200];
	size_t i;
	(void)state;

	agent_config_defaults(&c);
	assert_int_equal(c.n_checker_allow, 0);
	assert_int_equal(c.handshake_timeout_ms, 2000);
	assert_int_equal(c.max_handshakes, 64);
	assert_int_equal(c.max_handshakes_per_source, 8);
	assert_int_equal(ipaddr_parse("192.0.2.1", &a), 0);
	assert_int_equal(agent_config_checker_allowed(&c, &a), 0);
	assert_int_equal(agent_config_parse(text, sizeof(text) - 1, "t.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_checker_allow, 3);
	assert_int_equal(c.handshake_timeout_ms, 1500);
	assert_int_equal(c.max_handshakes, 32);
	assert_int_equal(c.max_handshakes_per_source, 4);
	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		assert_int_equal(ipaddr_parse(peers[i].a, &a), 0);
		if (agent_config_checker_allowed(&c, &a) != peers[i].want)
			fail_msg("%s: want %d", peers[i].a, peers[i].want);
	}
	/* at most AGENT_MAX_CHECKER_ALLOW prefixes */
	agent_config_defaults(&c);
	for (i = 0; i <= AGENT_MAX_CHECKER_ALLOW; i++) {
		char line[64];
		int r;

		snprintf(line, sizeof(line), "checker_allow = 192.0.2.%zu\n", i);
		r = agent_config_parse(line, strlen(line), "t.conf", &c, err, sizeof(err));
		assert_int_equal(r, i < AGENT_MAX_CHECKER_ALLOW ? 0 : -EINVAL);
	}
	assert_non_null(strstr(err, "more than 64 prefixes"));
}

static void config_limits(void **state)
{
	struct agent_config c;
	char err[200], *s;
	size_t i, n;
	(void)state;

	/* a line of 1025 bytes */
	s = malloc(2000);
	memcpy(s, "tls_ca = /", 10);
	memset(s + 10, 'a', 1015);
	s[1025] = '\n';
	agent_config_defaults(&c);
	assert_int_equal(agent_config_parse(s, 1026, "t.conf", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1: line longer than 1024 bytes");
	/* a path longer than the field */
	s[300] = '\n';
	assert_int_equal(agent_config_parse(s, 301, "t.conf", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:1: tls_ca: path longer than 255 bytes");
	free(s);
	/* more VIP/port pairs than STATUS_MAX_TARGETS */
	s = malloc(64 * (STATUS_MAX_TARGETS + 1));
	for (i = 0, n = 0; i <= STATUS_MAX_TARGETS; i++)
		n += (size_t)snprintf(s + n, 64, "vip = 198.51.100.%zu 80\n", i + 1);
	agent_config_defaults(&c);
	assert_int_equal(agent_config_parse(s, n, "t.conf", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.conf:33: vip: more than 32"));
	free(s);
	/* a file with no final newline, and a state file refusing other keys */
	agent_config_defaults(&c);
	assert_int_equal(agent_config_parse("port = 1", 8, "t.conf", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 1);
	assert_int_equal(agent_config_parse_state("admin_state = maint\nweight = 0\n", 31, "s", &c, err, sizeof(err)), 0);
	assert_int_equal(c.admin, ADMIN_STATE_MAINT);
	assert_int_equal(agent_config_parse_state("port = 2\n", 9, "s", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "s:1: 'port' not allowed in a state file (admin_state, weight, admin_reason only)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_every_key),
		cmocka_unit_test(config_hostile),
		cmocka_unit_test(config_checker_allow),
		cmocka_unit_test(config_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
