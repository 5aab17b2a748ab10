/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-checkd's configuration reader (keepalived syntax) and
 * of its daemon-socket line protocol: sample keepalived.conf files with
 * include, and a table of hostile inputs that must each fail with
 * "file:line: what is wrong" (or be skipped as keepalived would). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checker/dsr-checkd/conf.h"
#include "checker/lib/daemon_proto.h"
#include "checker/lib/verdict.h"
#include "kaconf/kaconf.h"

/* Sample files are written under a temporary folder (includes are read by
 * kaconf from the file system, relative to the including file). */
struct memfile {
	const char *path, *text;
};

static char tmpdir[64];

static void write_files(const struct memfile *fs)
{
	char p[256];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_checkd_conf.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	for (; fs->path; fs++) {
		FILE *f;
		char *slash;

		snprintf(p, sizeof(p), "%s/%s", tmpdir, fs->path);
		slash = strrchr(p, '/');
		*slash = '\0';
		mkdir(p, 0755);
		*slash = '/';
		f = fopen(p, "w");
		assert_non_null(f);
		fputs(fs->text, f);
		fclose(f);
	}
}

static void remove_files(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static int load(struct checkd_conf *c, const char *path, char *err)
{
	char p[256];
	int r;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, path);
	checkd_conf_init(c);
	r = checkd_conf_load(c, p, err, 300);
	if (r == 0)
		r = checkd_conf_finish(c, err, 300);
	return r;
}

static void keepalived_with_includes(void **state)
{
	static const struct memfile fs[] = {
		{ "keepalived.conf",
		  "! Configuration File for keepalived\n"
		  "global_defs {\n"
		  "    router_id lb1   # comment after words\n"
		  "    script_user dsrkit\n"
		  "    enable_script_security\n"
		  "}\n"
		  "vrrp_instance VI_1 {\n"
		  "    state MASTER\n"
		  "    virtual_ipaddress {\n"
		  "        192.0.2.100/24 dev eth0\n"
		  "    }\n"
		  "}\n"
		  "include conf.d/*.conf\n"
		  "virtual_server 192.0.2.100 443 {\n"
		  "    delay_loop 1.5\n"
		  "    lb_algo mh\n"
		  "    lb_kind NAT\n"
		  "    real_server 10.0.0.1 443 { weight 1 }\n"
		  "}\n" },
		{ "conf.d/web.conf",
		  "virtual_server 192.0.2.100 80 {\n"
		  "    delay_loop 2\n"
		  "    lb_algo wrr\n"
		  "    lb_kind DR\n"
		  "    protocol TCP\n"
		  "    persistence_timeout 300\n"
		  "    persistence_granularity 255.255.255.0\n"
		  "    real_server 192.0.2.11 80 {\n"
		  "        weight 100\n"
		  "        MISC_CHECK {\n"
		  "            misc_path \"/usr/bin/dsr-check --rs 192.0.2.11 --vip 192.0.2.100 --port 80 --agent-port 9543\"\n"
		  "            misc_timeout 5\n"
		  "            retry 2\n"
		  "            delay_before_retry 0.5\n"
		  "        }\n"
		  "    }\n"
		  "    real_server 192.0.2.12 80 {\n"
		  "        weight 50\n"
		  "        TCP_CHECK { connect_timeout 1 }\n"
		  "    }\n"
		  "    sorry_server 192.0.2.99 80\n"
		  "}\n" },
		{ "conf.d/zz-v6.conf",
		  "virtual_server 2001:db8::100 80\n"
		  "{\n"   /* brace on its own line */
		  "    lb_kind DR\n"
		  "}\n"
		  "virtual_server 2001:db8::100 53 {\n"
		  "    lvs_method DR\n"
		  "    protocol UDP\n"
		  "    real_server 2001:db8::11 53 {\n"
		  "    }\n"
		  "}\n" },
		{ NULL, NULL },
	};
	struct checkd_conf c;
	char err[300] = "";
	(void)state;

	write_files(fs);
	assert_int_equal(load(&c, "keepalived.conf", err), 0);
	/* the NAT service is skipped; the brace on its own line opens the v6 block */
	assert_int_equal(c.n_skipped, 1);
	assert_int_equal(c.n_svc, 3);
	assert_int_equal(c.svc[0].port, 80);
	assert_string_equal(c.svc[0].sched, "wrr");
	assert_int_equal(c.svc[0].delay_loop_ms, 2000);
	assert_int_equal(c.svc[0].persistence_timeout, 300);
	assert_int_equal(c.svc[0].persistence_prefix, 24);
	assert_int_equal(c.svc[0].n_rs, 2);
	assert_int_equal(c.svc[0].rs[0].weight, 100);
	assert_int_equal(c.svc[0].rs[0].agent_port, 9543);
	assert_int_equal(c.svc[0].rs[0].retry, 2);
	assert_int_equal(c.svc[0].rs[0].delay_before_retry_ms, 500);
	assert_int_equal(c.svc[0].rs[1].agent_port, 0);
	assert_non_null(strstr(c.svc[0].rs[1].where, "conf.d/web.conf:17"));
	assert_int_equal(c.svc[1].vip.family, IP_FAMILY_V6);
	assert_int_equal(c.svc[1].n_rs, 0);
	assert_int_equal(c.svc[2].protocol, 17);
	assert_int_equal(c.svc[2].rs[0].addr.family, IP_FAMILY_V6);
	checkd_conf_free(&c);
	remove_files();
}

static void own_file_settings(void **state)
{
	static const struct memfile fs[] = {
		{ "checkd.conf",
		  "dsr_checkd {\n"
		  "    interval 500ms\n"
		  "    timeout 2\n"
		  "    retry 0.2\n"
		  "    rise 2\n"
		  "    fall 3\n"
		  "    agent_port 9444\n"
		  "    listen [::1]:9445\n"
		  "    socket /run/x.sock\n"
		  "    track_dir /run/dsrkit/track\n"
		  "    standalone yes\n"
		  "    keepalived_conf /etc/keepalived/keepalived.conf\n"
		  "}\n"
		  "virtual_server fwmark 7 { lb_kind DR\n real_server 192.0.2.11 0 { weight 3 } }\n" },
		{ NULL, NULL },
	};
	struct checkd_conf c;
	char err[300] = "";
	(void)state;

	write_files(fs);
	assert_int_equal(load(&c, "checkd.conf", err), 0);
	assert_int_equal(c.interval_ms, 500);
	assert_int_equal(c.timeout_ms, 2000);
	assert_int_equal(c.retry_ms, 200);
	assert_int_equal(c.rise, 2);
	assert_int_equal(c.fall, 3);
	assert_int_equal(c.agent_port, 9444);
	assert_string_equal(c.listen, "[::1]:9445");
	assert_string_equal(c.socket_path, "/run/x.sock");
	assert_int_equal(c.standalone, 1);
	assert_string_equal(c.keepalived_conf, "/etc/keepalived/keepalived.conf");
	assert_int_equal(c.n_svc, 1);
	assert_int_equal(c.svc[0].fwmark, 7);
	assert_int_equal(c.svc[0].rs[0].weight, 3);
	checkd_conf_free(&c);
	remove_files();
}

/* Hostile and broken inputs: each must fail, and say where.  Syntax
 * errors come from kaconf (only the "file:line:" is checked for them); the
 * rest are dsr-checkd's own. */
static void hostile_table(void **state)
{
	static const struct {
		const char *text, *want;   /* want: a substring of the error */
	} cases[] = {
		{ "virtual_server 192.0.2.100 80 {\n lb_kind DR\n", "t.conf:" },
		{ "}\n", "t.conf:1:" },
		{ "virtual_server 192.0.2.300 80 {\n lb_kind DR\n}\n", "t.conf:1:" },
		{ "virtual_server 192.0.2.100 65536 {\n}\n", "t.conf:1:" },
		{ "virtual_server 192.0.2.100 80 {\n lb_kind DR\n real_server 2001:db8::1 80 {\n }\n}\n",
		  "t.conf:3:" },
		{ "virtual_server 192.0.2.100 80 {\n lb_kind DR\n real_server 192.0.2.11 80 {\n }\n"
		  " real_server 192.0.2.11 80 {\n }\n}\n",
		  "t.conf:5: real_server 192.0.2.11 80 is listed twice" },
		{ "virtual_server 192.0.2.100 80 {\n lb_kind XYZ\n}\n", "t.conf:2:" },
		{ "virtual_server 192.0.2.100 80 {\n delay_loop -1\n}\n", "t.conf:2: delay_loop wants seconds" },
		{ "virtual_server 192.0.2.100 80 {\n delay_loop 1.2345\n}\n", "t.conf:2: delay_loop wants seconds" },
		{ "virtual_server 192.0.2.100 80 {\n real_server 192.0.2.11 80 {\n MISC_CHECK {\n retry x\n }\n }\n}\n",
		  "t.conf:4: retry wants 0-100" },
		{ "virtual_server 192.0.2.100 80 {\n real_server 192.0.2.11 80 {\n HTTP_GET {\n delay_before_retry 1.23456\n }\n"
		  " }\n}\n", "t.conf:4: delay_before_retry wants seconds" },
		{ "dsr_checkd {\n interval 0\n}\n", "t.conf:2: interval '0' is not 10ms-3600s" },
		{ "dsr_checkd {\n timeout 301s\n}\n", "t.conf:2: timeout '301s' is not 10ms-300s" },
		{ "dsr_checkd {\n rise 0\n}\n", "rise '0' is not 1-100" },
		{ "dsr_checkd {\n fall 101\n}\n", "fall '101' is not 1-100" },
		{ "dsr_checkd {\n agent_port 0\n}\n", "agent_port '0' is not 1-65535" },
		{ "dsr_checkd {\n standalone maybe\n}\n", "standalone wants yes or no" },
		{ "dsr_checkd {\n frobnicate 1\n}\n", "t.conf:2: unknown dsr_checkd setting 'frobnicate'" },
		/* the data-path probe and the ARP detector */
		{ "dsr_checkd {\n data_path udp\n}\n", "t.conf:2: data_path 'udp' is not tcp, tls, http, https or off" },
		{ "dsr_checkd {\n data_path_url health\n}\n", "t.conf:2: data_path_url 'health' is not a path" },
		{ "dsr_checkd {\n data_path_url \"/a b\"\n}\n", "t.conf:2: data_path_url '/a b' is not a path" },
		{ "dsr_checkd {\n data_path_status 99\n}\n", "t.conf:2: data_path_status '99' is not 100-599" },
		{ "dsr_checkd {\n data_path_status 600\n}\n", "t.conf:2: data_path_status '600' is not 100-599" },
		{ "dsr_checkd {\n data_path_mark_base 0\n}\n", "t.conf:2: data_path_mark_base '0' is not a non-zero mark" },
		{ "dsr_checkd {\n data_path_mark_base 0xfffffffff\n}\n", "t.conf:2: data_path_mark_base" },
		{ "dsr_checkd {\n data_path_mark_count 0\n}\n", "t.conf:2: data_path_mark_count '0' is not 1-1048576" },
		{ "dsr_checkd {\n data_path_mark_count 1048577\n}\n", "data_path_mark_count '1048577' is not 1-1048576" },
		{ "dsr_checkd {\n data_path_set_sysctls 2\n}\n", "t.conf:2: data_path_set_sysctls wants yes or no" },
		{ "dsr_checkd {\n arp_check 50ms\n}\n", "t.conf:2: arp_check '50ms' is not 100ms-3600s or off" },
		{ "dsr_checkd {\n arp_check 3601\n}\n", "t.conf:2: arp_check '3601' is not 100ms-3600s or off" },
		{ "dsr_checkd {\n arp_check -1\n}\n", "t.conf:2: arp_check '-1' is not 100ms-3600s or off" },
		{ "dsr_checkd {\n arp_iface eth0123456789abcdef\n}\n", "t.conf:2: arp_iface 'eth0123456789abcdef' is not an interface name" },
		{ "dsr_checkd {\n arp_iface eth0:1\n}\n", "t.conf:2: arp_iface 'eth0:1' is not an interface name" },
		{ "dsr_checkd {\n arp_allow_mac 00:11:22:33:44\n}\n", "t.conf:2: arp_allow_mac '00:11:22:33:44' is not aa:bb:cc:dd:ee:ff" },
		{ "dsr_checkd {\n arp_allow_mac 00:11:22:33:44:gg\n}\n", "is not aa:bb:cc:dd:ee:ff" },
		{ "dsr_checkd {\n arp_fail_server sometimes\n}\n", "t.conf:2: arp_fail_server wants yes or no" },
		/* health-driven announcement */
		{ "dsr_checkd {\n announce_interface dsrvip0123456789\n}\n",
		  "t.conf:2: announce_interface 'dsrvip0123456789' is not an interface name" },
		{ "dsr_checkd {\n announce_interface \"\"\n}\n", "t.conf:2: announce_interface '' is not an interface name" },
		{ "dsr_checkd {\n announce_interface a/b\n}\n", "t.conf:2: announce_interface 'a/b'" },
		{ "dsr_checkd {\n announce_interface \"a b\"\n}\n", "t.conf:2: announce_interface 'a b'" },
		{ "dsr_checkd {\n announce_interface \"a\tb\"\n}\n", "t.conf:2: announce_interface" },
		{ "dsr_checkd {\n announce_interface .\n}\n", "t.conf:2: announce_interface '.'" },
		{ "dsr_checkd {\n announce_interface ..\n}\n", "t.conf:2: announce_interface '..'" },
		{ "dsr_checkd {\n announce_interface dsrvip%d\n}\n", "t.conf:2: announce_interface 'dsrvip%d'" },
		{ "dsr_checkd {\n announce_interface eth0:1\n}\n", "t.conf:2: announce_interface 'eth0:1'" },
		{ "dsr_checkd {\n announce_interface\n}\n", "t.conf:2: announce_interface wants one value" },
		{ "dsr_checkd {\n announce_min_healthy 0\n}\n", "t.conf:2: announce_min_healthy '0' is not 1-1000" },
		{ "dsr_checkd {\n announce_min_healthy 1001\n}\n", "t.conf:2: announce_min_healthy '1001' is not 1-1000" },
		{ "dsr_checkd {\n announce_min_healthy two\n}\n", "t.conf:2: announce_min_healthy 'two'" },
		{ "dsr_checkd {\n announce_bird_socket bird.ctl\n}\n",
		  "t.conf:2: announce_bird_socket 'bird.ctl' is not an absolute path of at most 107 characters, or off" },
		{ "dsr_checkd {\n announce_bird_socket /run/bird/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n}\n", "t.conf:2: announce_bird_socket" },
		{ "dsr_checkd {\n announce_bird_protocol 1abc\n}\n", "t.conf:2: announce_bird_protocol '1abc' is not a BIRD "
		  "protocol name" },
		{ "dsr_checkd {\n announce_bird_protocol \"a\\\"b\"\n}\n", "t.conf:2: announce_bird_protocol" },
		{ "dsr_checkd {\n announce_bird_protocol dsrkit*\n}\n", "t.conf:2: announce_bird_protocol 'dsrkit*'" },
		{ "dsr_checkd {\n announce_bird_protocol \"\"\n}\n", "t.conf:2: announce_bird_protocol ''" },
		{ "dsr_checkd {\n announce_frobnicate 1\n}\n", "t.conf:2: unknown dsr_checkd setting 'announce_frobnicate'" },
		{ "dsr_checkd {\n interval\n}\n", "t.conf:2: interval wants one value" },
		{ "dsr_checkd {\n interval 1 2\n}\n", "t.conf:2: interval wants one value" },
		{ "dsr_checkd x {\n}\n", "t.conf:1: dsr_checkd wants a { } block" },
		{ "dsr_checkd\n", "t.conf:1: dsr_checkd wants a { } block" },
		{ "global_defs {\n router_id \"unterminated\n}\n", "t.conf:2:" },
		{ "virtual_server 192.0.2.100 80 {\n lb_kind DR\n}\nvirtual_server 192.0.2.100 80 {\n lb_kind DR\n}\n",
		  "t.conf:4: virtual_server defined twice (first at t.conf:1)" },
		{ "virtual_server fwmark 3 {\n lb_kind DR\n}\nvirtual_server fwmark 3 {\n lb_kind DR\n}\n",
		  "t.conf:4: virtual_server defined twice" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct checkd_conf c;
		char err[300] = "";
		int r;

		checkd_conf_init(&c);
		r = checkd_conf_parse(&c, "t.conf", cases[i].text, strlen(cases[i].text), KACONF_NO_INCLUDE, err,
				      sizeof(err));
		if (r == 0)
			r = checkd_conf_finish(&c, err, sizeof(err));
		if (r == 0 || !strstr(err, cases[i].want))
			fail_msg("case %zu: got %d '%s', wanted an error with '%s'", i, r, err, cases[i].want);
		checkd_conf_free(&c);
	}
}

/* The announce_* keys: defaults, good values and their exact limits. */
static void announce_settings(void **state)
{
	static const struct {
		const char *lines;
		const char *iface, *sock, *proto;
		uint32_t min;
	} cases[] = {
		{ "", "", "/run/bird/bird.ctl", "dsrkit_vips", 1 },
		{ " announce_interface dsrvip0\n", "dsrvip0", "/run/bird/bird.ctl", "dsrkit_vips", 1 },
		{ " announce_interface dsrvip01234567\n announce_min_healthy 1000\n", "dsrvip01234567", "/run/bird/bird.ctl",
		  "dsrkit_vips", 1000 },
		{ " announce_interface a\n announce_min_healthy 2\n announce_bird_socket off\n"
		  " announce_bird_protocol _x9\n", "a", "off", "_x9", 2 },
		{ " announce_interface v\n announce_bird_socket /tmp/bird-dir1.ctl\n announce_bird_protocol Vips_2\n",
		  "v", "/tmp/bird-dir1.ctl", "Vips_2", 1 },
	};
	char text[600], sock[CHECKD_ANNOUNCE_SOCKET_MAX + 1], proto[CHECKD_ANNOUNCE_PROTO_MAX + 1];
	struct checkd_conf c;
	char err[300];
	size_t i;
	int n;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = snprintf(text, sizeof(text), "dsr_checkd {\n%s}\n", cases[i].lines);
		checkd_conf_init(&c);
		if (checkd_conf_parse(&c, "t.conf", text, (size_t)n, KACONF_NO_INCLUDE, err, sizeof(err)) < 0)
			fail_msg("case %zu refused: %s", i, err);
		assert_string_equal(c.announce_iface, cases[i].iface);
		assert_string_equal(c.announce_bird_socket, cases[i].sock);
		assert_string_equal(c.announce_bird_protocol, cases[i].proto);
		assert_int_equal(c.announce_min_healthy, cases[i].min);
		checkd_conf_free(&c);
	}
	/* a socket path of 107 characters fits sun_path, 108 does not; a
	 * protocol name of 63 characters passes, 64 does not */
	sock[0] = '/';
	memset(sock + 1, 's', sizeof(sock) - 2);
	memset(proto, 'p', sizeof(proto) - 1);
	for (i = 0; i < 2; i++) {
		sock[CHECKD_ANNOUNCE_SOCKET_MAX - 1 + i] = '\0';
		proto[CHECKD_ANNOUNCE_PROTO_MAX - 1 + i] = '\0';
		n = snprintf(text, sizeof(text), "dsr_checkd {\n announce_bird_socket %s\n announce_bird_protocol %s\n}\n",
			     sock, i ? "p" : proto);
		checkd_conf_init(&c);
		assert_int_equal(checkd_conf_parse(&c, "t.conf", text, (size_t)n, KACONF_NO_INCLUDE, err, sizeof(err)),
				 i ? -EINVAL : 0);
		if (i)
			assert_non_null(strstr(err, "t.conf:2: announce_bird_socket"));
		checkd_conf_free(&c);
		n = snprintf(text, sizeof(text), "dsr_checkd {\n announce_bird_protocol %s\n}\n", proto);
		checkd_conf_init(&c);
		assert_int_equal(checkd_conf_parse(&c, "t.conf", text, (size_t)n, KACONF_NO_INCLUDE, err, sizeof(err)),
				 i ? -EINVAL : 0);
		checkd_conf_free(&c);
		proto[CHECKD_ANNOUNCE_PROTO_MAX - 1 + i] = 'p';
		sock[CHECKD_ANNOUNCE_SOCKET_MAX - 1 + i] = 's';
	}
}

static void hostile_limits(void **state)
{
	struct checkd_conf c;
	char err[300] = "", *big;
	size_t i, n;
	(void)state;

	/* a word over kaconf's limit, deep nesting, a NUL byte: each refused with a place */
	big = malloc(8192);
	memset(big, 'a', 1100);
	memcpy(big + 1100, "\n", 2);
	checkd_conf_init(&c);
	assert_int_equal(checkd_conf_parse(&c, "t", big, strlen(big), KACONF_NO_INCLUDE, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t:1:"));
	checkd_conf_free(&c);
	for (i = n = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, 8192 - n, "a {\n");
	checkd_conf_init(&c);
	assert_true(checkd_conf_parse(&c, "t", big, n, KACONF_NO_INCLUDE, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "t:"));
	checkd_conf_free(&c);
	checkd_conf_init(&c);
	assert_true(checkd_conf_parse(&c, "t", "a\0b\n", 4, KACONF_NO_INCLUDE, err, sizeof(err)) < 0);
	checkd_conf_free(&c);
	/* a service without real servers is refused in standalone mode only */
	checkd_conf_init(&c);
	{
		static const char t[] = "dsr_checkd {\n standalone yes\n}\nvirtual_server 192.0.2.1 80 {\n lb_kind DR\n}\n";

		assert_int_equal(checkd_conf_parse(&c, "t", t, strlen(t), KACONF_NO_INCLUDE, err, sizeof(err)), 0);
	}
	assert_int_equal(checkd_conf_finish(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without real servers"));
	checkd_conf_free(&c);
	free(big);
}

static void proto_round_trip(void **state)
{
	struct checkd_query q, q2;
	struct checkd_answer a, b;
	char line[CHECKD_PROTO_LINE_MAX];
	size_t n;
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.11", &q.rs), 0);
	assert_int_equal(ipaddr_parse("2001:db8::100", &q.vip), 0);
	q.port = 443;
	n = checkd_query_format(&q, line);
	assert_string_equal(line, "VERDICT 192.0.2.11 2001:db8::100 443\n");
	assert_int_equal(checkd_query_parse(line, n - 1, &q2), 0);
	assert_true(ipaddr_equal(&q.vip, &q2.vip));
	assert_int_equal(q2.port, 443);

	memset(&a, 0, sizeof(a));
	a.state = CHECKD_ANSWER_DOWN;
	verdict_fail(&a.j.verdict, CHECK_LAYER_FACTS, "VIP_MISSING", "VIP 192.0.2.100 is not on loopback lo\nx");
	a.j.admin = ADMIN_STATE_DRAIN;
	a.j.weight_hint = 40;
	a.j.n_findings = 2;
	a.age_ms = 1234;
	n = checkd_answer_format(&a, line);
	assert_int_equal(line[n - 1], '\n');
	assert_int_equal(checkd_answer_parse(line, n - 1, &b), 0);
	assert_int_equal(b.state, CHECKD_ANSWER_DOWN);
	assert_int_equal(b.j.verdict.layer, CHECK_LAYER_FACTS);
	assert_string_equal(b.j.verdict.code, "VIP_MISSING");
	assert_string_equal(b.j.verdict.reason, "VIP 192.0.2.100 is not on loopback lo x");
	assert_int_equal(b.j.admin, ADMIN_STATE_DRAIN);
	assert_int_equal(b.j.weight_hint, 40);
	assert_int_equal(b.j.n_findings, 2);
	assert_int_equal(b.age_ms, 1234);
}

static void proto_hostile(void **state)
{
	static const char *const bad_queries[] = {
		"", "VERDICT", "VERDICT 192.0.2.11 192.0.2.100", "VERDICT 192.0.2.11 192.0.2.100 80 extra",
		"VERDICT 192.0.2.11 192.0.2.100 65536", "VERDICT 192.0.2.11 192.0.2.100 -1", "VERDICT x 192.0.2.100 80",
		"VERDICT  192.0.2.11 192.0.2.100 80", "GET / HTTP/1.0",
	};
	static const char *const bad_answers[] = {
		"", "UP", "UP none OK up -1 0 0", "MAYBE none OK up -1 0 0 r", "UP facts OK up -1 0 0 r",
		"DOWN none OK up -1 0 0 r", "UP none OK sideways -1 0 0 r", "UP none OK up 101 0 0 r",
		"UP none OK up -2 0 0 r", "UP none OK up -1 x 0 r", "UP none OK up -1 0 99999999999 r",
		"UP bogus OK up -1 0 0 r", "UP none  up -1 0 0 r",
	};
	struct checkd_query q;
	struct checkd_answer a;
	char big[CHECKD_PROTO_LINE_MAX + 10];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad_queries) / sizeof(bad_queries[0]); i++)
		if (checkd_query_parse(bad_queries[i], strlen(bad_queries[i]), &q) == 0)
			fail_msg("query %zu accepted: '%s'", i, bad_queries[i]);
	for (i = 0; i < sizeof(bad_answers) / sizeof(bad_answers[0]); i++)
		if (checkd_answer_parse(bad_answers[i], strlen(bad_answers[i]), &a) == 0)
			fail_msg("answer %zu accepted: '%s'", i, bad_answers[i]);
	memset(big, 'a', sizeof(big));
	assert_int_not_equal(checkd_query_parse(big, sizeof(big), &q), 0);
	assert_int_not_equal(checkd_answer_parse(big, sizeof(big), &a), 0);
	assert_int_not_equal(checkd_answer_parse("UP none OK up -1 0 0 a\0b", 25, &a), 0);
	/* the longest valid answer parses, the reason truncated at its bound */
	assert_int_equal(checkd_answer_parse("UP none OK up -1 0 0 healthy", 28, &a), 0);
	assert_string_equal(a.j.verdict.reason, "healthy");
}


/* dsr-checkd knows every real server of every service a virtual_server
 * group expands to (fwmark services are kept but not judged: no VIP). */
static void group_expands(void **state)
{
	static const char text[] =
		"virtual_server_group WEB {\n 192.0.2.60-62 80\n 2001:db8::a-b 80\n fwmark 4\n}\n"
		"virtual_server group WEB {\n lb_kind DR\n protocol TCP\n quorum 2\n"
		" real_server 192.0.2.11 80 {\n  MISC_CHECK {\n   misc_path \"dsr-check --agent-port 9555\"\n  }\n }\n"
		" real_server 192.0.2.12 80\n}\n";
	struct checkd_conf c;
	char err[300];
	size_t i;
	(void)state;

	checkd_conf_init(&c);
	assert_int_equal(checkd_conf_parse(&c, "t.conf", text, strlen(text), KACONF_NO_INCLUDE, err, sizeof(err)), -EINVAL);
	/* IPv6 addresses with IPv4 real servers: refused with file:line */
	assert_non_null(strstr(err, "t.conf:10: real server 192.0.2.11 and the VIP are of different address families"));
	checkd_conf_free(&c);

	checkd_conf_init(&c);
	{
		char t2[sizeof(text)];

		memcpy(t2, text, sizeof(text));
		memcpy(strstr(t2, " 2001:db8::a-b 80\n"), "                 \n", strlen(" 2001:db8::a-b 80\n"));
		assert_int_equal(checkd_conf_parse(&c, "t.conf", t2, strlen(t2), KACONF_NO_INCLUDE, err, sizeof(err)), 0);
	}
	assert_int_equal(checkd_conf_finish(&c, err, sizeof(err)), 0);
	assert_int_equal(c.n_svc, 4);
	for (i = 0; i < 3; i++) {
		char a[IPADDR_STRLEN], want[IPADDR_STRLEN];

		snprintf(want, sizeof(want), "192.0.2.%zu", 60 + i);
		assert_string_equal(ipaddr_format(&c.svc[i].vip, a), want);
		assert_int_equal(c.svc[i].port, 80);
		assert_int_equal(c.svc[i].protocol, 6);
		assert_int_equal(c.svc[i].n_rs, 2);
		assert_int_equal(c.svc[i].rs[0].agent_port, 9555);
		assert_string_equal(c.svc[i].rs[0].where, "t.conf:10");
	}
	assert_int_equal(c.svc[3].fwmark, 4);
	assert_int_equal(c.n_unmodelled, 4);
	assert_string_equal(c.first_unmodelled, "t.conf:6");
	checkd_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keepalived_with_includes),
		cmocka_unit_test(own_file_settings),
		cmocka_unit_test(hostile_table),
		cmocka_unit_test(announce_settings),
		cmocka_unit_test(hostile_limits),
		cmocka_unit_test(proto_round_trip),
		cmocka_unit_test(proto_hostile),
		cmocka_unit_test(group_expands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
