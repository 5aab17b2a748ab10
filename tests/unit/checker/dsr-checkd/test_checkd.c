/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-checkd's core with a fake clock: one status document per
 * real server judged for every VIP it carries, rise/fall through the shared
 * state machine, reload by diff keeping state, the daemon-socket answers,
 * the standalone weight policy and the /metrics and /status renderers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "tests/unit/checker/good_facts.h"
#include "checker/dsr-checkd/arp.h"
#include "checker/dsr-checkd/datapath.h"
#include "checker/dsr-checkd/ipvs.h"
#include "checker/dsr-checkd/metrics.h"
#include "checker/dsr-checkd/notify.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/sock.h"
#include "checker/lib/verdict.h"
#include "kaconf/kaconf.h"
#include "tests/unit/checker/dsr-checkd/checkd_fixture.h"

static struct facts f;
static struct checkd d;

static void good_linux(void)
{
	static const uint16_t ports[] = { 80, 443 };

	good_linux_facts(&f, ports, 2);
}

static void feed(struct checkd_rs *rs, int64_t now)
{
	checkd_fixture_feed(rs, &f, now);
}

static void feed_fail(struct checkd_rs *rs, int64_t now)
{
	checkd_fixture_feed_fail(rs, CHECK_LAYER_CONNECT, "CONNECT_REFUSED", "connect: Connection refused", now);
}

static void conf_two_vips(struct checkd_conf *c, int with_second_rs)
{
	static const char text[] =
		"virtual_server 192.0.2.100 80 {\n lb_kind DR\n real_server 192.0.2.11 80 { weight 100 }\n}\n"
		"virtual_server 192.0.2.101 443 {\n lb_kind DR\n real_server 192.0.2.11 443 { weight 10 }\n}\n";
	static const char text2[] =
		"virtual_server 192.0.2.100 80 {\n lb_kind DR\n real_server 192.0.2.11 80 { weight 100 }\n"
		" real_server 192.0.2.12 80 { weight 100 }\n}\n";

	checkd_fixture_conf(c, with_second_rs ? text2 : text);
}

static int setup(void **state)
{
	(void)state;
	checkd_fixture_init(&d, 2, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	checkd_fixture_free(&d);
	return 0;
}

static void one_fetch_judged_per_vip(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_rs *rs;
	struct ip_addr a;
	int64_t now = 1000;
	(void)state;

	conf_two_vips(&d.conf, 0);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	assert_int_equal(d.n_rs, 1);       /* one real server, fetched once ... */
	assert_int_equal(df.added, 1);
	rs = d.rs[0];
	assert_int_equal(rs->n_targets, 2); /* ... judged for both VIPs */
	assert_int_equal(rs->agent_port, 9443);
	good_linux();                        /* .100 on lo, .101 nowhere */
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	assert_string_equal(rs->targets[1].sm.cause.code, "VIP_MISSING");
	assert_int_equal(rs->targets[1].sm.cause.layer, CHECK_LAYER_FACTS);
	assert_false(checkd_rs_up(rs));
	assert_int_equal(rs->n_fetches, 1);
	/* the VIP appears: rise 2 needs two good results; retry pace meanwhile */
	assert_int_equal(ipaddr_parse("192.0.2.101", &a), 0);
	assert_int_equal(facts_addr_add(&f, 0, &a, 32), 0);
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(rs->targets[1].sm.next_due_ms, now + 200);
	now += 200;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_UP);
	assert_true(checkd_rs_up(rs));
	/* the same document again is not parsed again; its judgements stand */
	assert_int_equal(rs->n_doc_reused, 1);
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->n_doc_reused, 2);
	assert_true(checkd_rs_up(rs));
	/* agent unreachable: every VIP fails the same way, fall 2 */
	now += 1000;
	feed_fail(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);
	now += 200;
	feed_fail(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	assert_string_equal(rs->targets[0].sm.cause.code, "CONNECT_REFUSED");
	assert_int_equal(rs->n_fetch_failures, 2);
	assert_int_equal(rs->last_duration_ms, 1);
}

/* What only the wire shows overrides a passing agent: a failing data path
 * (layer datapath, with the reason pointing at a firewall), then, with
 * arp_fail_server, an ARP claim on the VIP by this very server. */
static void datapath_and_arp_override_passing_facts(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_rs *rs;
	struct checkd_dp_target dp;
	struct checkd_arp *arp;
	int64_t now = 1000;
	(void)state;

	conf_two_vips(&d.conf, 0);
	d.params.rise = 1;
	d.params.fall = 1;
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	rs = d.rs[0];
	good_linux();
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);

	memset(&dp, 0, sizeof(dp));
	dp.have = 1;
	verdict_fail(&dp.last, CHECK_LAYER_DATAPATH, "DATAPATH_TIMEOUT", "no answer from the VIP");
	rs->targets[0].dp = &dp;
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(rs->targets[0].sm.cause.layer, CHECK_LAYER_DATAPATH);
	assert_non_null(strstr(rs->targets[0].sm.cause.reason, "firewall or weak-host send"));
	/* the agent's own failure comes first: it says why */
	verdict_ok(&dp.last);
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);
	rs->targets[0].dp = NULL;

	arp = calloc(1, sizeof(*arp));
	assert_non_null(arp);
	arp->n_found = 1;
	arp->found[0].vip = rs->targets[0].vip;
	arp->found[0].owner = rs->addr;
	arp->found[0].have_owner = 1;
	d.arp = arp;
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);   /* arp_fail_server off */
	d.conf.arp_fail_server = 1;
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_string_equal(rs->targets[0].sm.cause.code, "ARP_PROBLEM");
	d.arp = NULL;
	free(arp);
}

static void reload_keeps_state(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_conf c2;
	struct checkd_rs *rs, *rs11;
	struct ip_addr a;
	(void)state;

	conf_two_vips(&d.conf, 0);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	rs = d.rs[0];
	good_linux();
	feed(rs, 1000);
	conf_two_vips(&c2, 1);   /* drops VIP .101, adds real server .12 */
	assert_int_equal(checkd_rs_table_apply(&d, &c2, &df), 0);
	assert_int_equal(df.added, 1);
	assert_int_equal(df.kept, 1);
	assert_int_equal(df.removed, 0);
	assert_int_equal(df.targets_removed, 1);
	assert_int_equal(ipaddr_parse("192.0.2.11", &a), 0);
	rs11 = checkd_rs_find(&d, &a, 9443);
	assert_ptr_equal(rs11, rs);                  /* same entry, connection and counters */
	assert_int_equal(rs11->n_targets, 1);
	assert_int_equal(rs11->targets[0].sm.state, CHECK_STATE_UP);
	assert_int_equal(rs11->n_fetches, 1);
	assert_int_equal(ipaddr_parse("192.0.2.12", &a), 0);
	assert_non_null(checkd_rs_find(&d, &a, 9443));
	checkd_conf_free(&d.conf);
	d.conf = c2;
	/* everything gone */
	checkd_conf_init(&c2);
	assert_int_equal(checkd_rs_table_apply(&d, &c2, &df), 0);
	assert_int_equal(df.removed, 2);
	assert_int_equal(d.n_rs, 0);
}

static void socket_answers(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_query q;
	struct checkd_answer an;
	(void)state;

	conf_two_vips(&d.conf, 0);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	assert_int_equal(ipaddr_parse("192.0.2.11", &q.rs), 0);
	assert_int_equal(ipaddr_parse("192.0.2.100", &q.vip), 0);
	q.port = 80;
	checkd_sock_answer(&d, &q, 1000, &an);
	assert_int_equal(an.state, CHECKD_ANSWER_INIT);
	good_linux();
	f.weight = 60;
	f.admin = ADMIN_STATE_DRAIN;
	feed(d.rs[0], 1000);
	checkd_sock_answer(&d, &q, 1500, &an);
	assert_int_equal(an.state, CHECKD_ANSWER_UP);
	assert_true(verdict_is_ok(&an.j.verdict));
	assert_int_equal(an.j.admin, ADMIN_STATE_DRAIN);
	assert_int_equal(an.j.weight_hint, 60);
	assert_int_equal(an.age_ms, 500);
	assert_int_equal(ipaddr_parse("192.0.2.101", &q.vip), 0);
	q.port = 443;
	checkd_sock_answer(&d, &q, 1500, &an);
	assert_int_equal(an.state, CHECKD_ANSWER_DOWN);
	assert_string_equal(an.j.verdict.code, "VIP_MISSING");
	q.port = 444;
	checkd_sock_answer(&d, &q, 1500, &an);
	assert_int_equal(an.state, CHECKD_ANSWER_UNKNOWN);
}

/* keepalived's scheduler flags (mh-port, sh-fallback, ...) reach the
 * service standalone mode builds, beside persistence's own flag. */
static void sched_flags_standalone(void **state)
{
	static const struct {
		const char *words;
		uint32_t flags;
	} cases[] = {
		{ "", 0 },
		{ "mh-port\n", IPVS_SVC_F_SCHED2 },
		{ "mh-fallback\n mh-port\n", IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2 },
		{ "sh-port\n sh-fallback\n", IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2 },
		{ "flag-3\n", IPVS_SVC_F_SCHED3 },
		{ "ops\n", 0 },                      /* one-packet is not a scheduler flag */
		{ "mh-port\n persistence_timeout 60\n", IPVS_SVC_F_SCHED2 | IPVS_SVC_F_PERSISTENT },
	};
	struct checkd_conf c;
	struct ipvs_service s;
	char text[400], err[300];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(text, sizeof(text),
				 "virtual_server 192.0.2.100 80 {\n lb_algo mh\n lb_kind DR\n %s"
				 " real_server 192.0.2.11 80 { }\n}\n", cases[i].words);

		checkd_conf_init(&c);
		if (checkd_conf_parse(&c, "t.conf", text, (size_t)n, KACONF_NO_INCLUDE, err, sizeof(err)) < 0 ||
		    checkd_conf_finish(&c, err, sizeof(err)) < 0)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(c.n_svc, 1);
		assert_int_equal(c.svc[0].sched_flags, cases[i].flags & ~IPVS_SVC_F_PERSISTENT);
		checkd_ipvs_service_of(&c.svc[0], &s);
		assert_string_equal(s.sched, "mh");
		if (s.flags != cases[i].flags)
			fail_msg("case %zu: flags 0x%x, wanted 0x%x", i, s.flags, cases[i].flags);
		checkd_conf_free(&c);
	}
}

static void weight_policy(void **state)
{
	struct checkd_rs rs;
	struct checkd_target t;
	struct check_params p = { .interval_ms = 1000, .timeout_ms = 500, .rise = 1, .fall = 1 };
	(void)state;

	memset(&rs, 0, sizeof(rs));
	memset(&t, 0, sizeof(t));
	rs.weight_hint = FACTS_UNKNOWN;
	check_sm_init(&t.sm, &p, 0);
	/* not checked yet: whatever the kernel has (a restart changes nothing) */
	assert_int_equal(checkd_dest_weight(100, &rs, &t, 37), 37);
	assert_int_equal(checkd_dest_weight(100, &rs, &t, -1), 0);
	t.sm.state = CHECK_STATE_UP;
	assert_int_equal(checkd_dest_weight(100, &rs, &t, 0), 100);
	rs.weight_hint = 50;
	assert_int_equal(checkd_dest_weight(100, &rs, &t, 0), 50);
	rs.weight_hint = 1;
	assert_int_equal(checkd_dest_weight(10, &rs, &t, 0), 1);  /* never rounded to 0 */
	rs.weight_hint = 0;
	assert_int_equal(checkd_dest_weight(10, &rs, &t, 0), 0);
	rs.weight_hint = FACTS_UNKNOWN;
	rs.admin = ADMIN_STATE_DRAIN;
	assert_int_equal(checkd_dest_weight(100, &rs, &t, 100), 0);
	rs.admin = ADMIN_STATE_UP;
	t.sm.state = CHECK_STATE_DOWN;
	assert_int_equal(checkd_dest_weight(100, &rs, &t, 100), 0);
	assert_int_equal(checkd_dest_weight(7, NULL, NULL, -1), 7);  /* unchecked fwmark service */
}

/* Every sample's family must have had its HELP and TYPE, once. */
static void check_exposition(const char *text)
{
	char fam[128][96];
	size_t n_fam = 0, i;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len;

		assert_non_null(nl);
		len = (size_t)(nl - p);
		if (!strncmp(p, "# TYPE ", 7)) {
			const char *sp = memchr(p + 7, ' ', len - 7);

			assert_non_null(sp);
			for (i = 0; i < n_fam; i++)
				if (strlen(fam[i]) == (size_t)(sp - p - 7) && !strncmp(fam[i], p + 7, (size_t)(sp - p - 7)))
					fail_msg("family declared twice: %.*s", (int)len, p);
			assert_true(n_fam < 128);
			snprintf(fam[n_fam++], sizeof(fam[0]), "%.*s", (int)(sp - p - 7), p + 7);
		} else if (p[0] != '#') {
			size_t nl2 = strcspn(p, "{ ");

			/* a sample of the last declared family (text format: together) */
			assert_true(n_fam > 0);
			if (strncmp(p, fam[n_fam - 1], strlen(fam[n_fam - 1])) || nl2 != strlen(fam[n_fam - 1]))
				fail_msg("sample outside its family: %.*s", (int)len, p);
		}
		p = nl + 1;
	}
}

static void metrics_render(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_ipvs_dest dests[1];
	struct checkd_ipvs_svc svc;
	struct checkd_ipvs_snapshot snap;
	struct checkd_process proc = { 1.5, 4096, 9, 1700000000 };
	struct buf out;
	(void)state;

	conf_two_vips(&d.conf, 0);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	good_linux();
	f.weight = 75;
	feed(d.rs[0], 1000);
	/* a code with characters the format must escape */
	verdict_fail(&d.rs[0]->targets[1].j.verdict, CHECK_LAYER_PROTOCOL, "A\"B\\C", "x");
	d.rs[0]->targets[1].j.failing = 0;

	memset(&svc, 0, sizeof(svc));
	memset(dests, 0, sizeof(dests));
	assert_int_equal(ipaddr_parse("192.0.2.100", &svc.vip), 0);
	svc.port = 80;
	svc.protocol = 6;
	svc.conns = 12;
	assert_int_equal(ipaddr_parse("192.0.2.11", &dests[0].addr), 0);
	dests[0].port = 80;
	dests[0].weight = 100;
	dests[0].active = 3;
	svc.dests = dests;
	svc.n_dests = 1;
	snap = (struct checkd_ipvs_snapshot){ .ok = 1, .svc = &svc, .n_svc = 1 };

	buf_init(&out, 1 << 20);
	assert_int_equal(checkd_metrics_render(&d, &snap, &proc, 3500, &out), 0);
	check_exposition(buf_str(&out));
	assert_non_null(strstr(buf_str(&out),
			       "dsrkit_checkd_target_up{real_server=\"192.0.2.11\",agent_port=\"9443\",vip=\"192.0.2.100\",port=\"80\"} 1\n"));
	assert_non_null(strstr(buf_str(&out),
			       "dsrkit_checkd_target_up{real_server=\"192.0.2.11\",agent_port=\"9443\",vip=\"192.0.2.101\",port=\"443\"} 0\n"));
	assert_non_null(strstr(buf_str(&out), "layer=\"protocol\",code=\"A\\\"B\\\\C\"} 1\n"));
	assert_non_null(strstr(buf_str(&out),
			       "dsrkit_checkd_real_server_last_check_age_seconds{real_server=\"192.0.2.11\",agent_port=\"9443\"} 2.500\n"));
	assert_non_null(strstr(buf_str(&out), "dsrkit_checkd_real_server_weight_hint{real_server=\"192.0.2.11\",agent_port=\"9443\"} 75\n"));
	assert_non_null(strstr(buf_str(&out),
			       "dsrkit_ipvs_backend_connections_active{local_address=\"192.0.2.100\",local_port=\"80\",local_mark=\"\","
			       "proto=\"TCP\",remote_address=\"192.0.2.11\",remote_port=\"80\"} 3\n"));
	assert_non_null(strstr(buf_str(&out), "dsrkit_ipvs_service_connections_total{local_address=\"192.0.2.100\",local_port=\"80\","
					      "local_mark=\"\",proto=\"TCP\"} 12\n"));
	assert_non_null(strstr(buf_str(&out), "process_cpu_seconds_total 1.50\n"));
	assert_non_null(strstr(buf_str(&out), "dsrkit_ipvs_up 1\n"));

	/* the same with no IPVS: the families vanish, dsrkit_ipvs_up says why */
	buf_reset(&out);
	assert_int_equal(checkd_metrics_render(&d, NULL, NULL, 3500, &out), 0);
	check_exposition(buf_str(&out));
	assert_non_null(strstr(buf_str(&out), "dsrkit_ipvs_up 0\n"));
	assert_null(strstr(buf_str(&out), "dsrkit_ipvs_backend"));

	/* /status: valid JSON (checked by the bounded writer) with reasons */
	buf_reset(&out);
	assert_int_equal(checkd_status_render(&d, &snap, 3500, &out), 0);
	assert_non_null(strstr(buf_str(&out), "\"code\":\"VIP_MISSING\""));
	assert_non_null(strstr(buf_str(&out), "\"weight_hint\":75"));

	/* a bound too small fails cleanly */
	buf_free(&out);
	buf_init(&out, 100);
	assert_int_equal(checkd_metrics_render(&d, &snap, &proc, 3500, &out), -ENOSPC);
	buf_free(&out);
}

/* sd_notify spoken directly: a datagram to $NOTIFY_SOCKET (a path or an
 * abstract "@name"), the watchdog interval from WATCHDOG_USEC/WATCHDOG_PID. */
static void notify_protocol(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[64], pid[32], path[64];
	ssize_t n;
	int fd;
	(void)state;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(checkd_notify("READY=1"), 0);   /* not under systemd */
	snprintf(path, sizeof(path), "/tmp/test_checkd_notify.%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(checkd_notify("READY=1\nSTATUS=running"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 22);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=running");
	close(fd);
	unlink(path);
	/* abstract namespace */
	snprintf(path, sizeof(path), "@test_checkd_notify.%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, path + 1, strlen(path) - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path))), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(checkd_notify("WATCHDOG=1"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 10);
	close(fd);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(checkd_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
	/* watchdog */
	setenv("WATCHDOG_USEC", "10000000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(checkd_notify_watchdog_ms(), 10000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(checkd_notify_watchdog_ms(), 0);   /* meant for another process */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(checkd_notify_watchdog_ms(), 10000);
	setenv("WATCHDOG_USEC", "ten", 1);
	assert_int_equal(checkd_notify_watchdog_ms(), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* Long-poll (protocol 1.1): an agent that sends a generation is asked with
 * wait/after and believed at once when it reports a failure; recovery
 * still needs rise; an agent of protocol 1.0 (no generation) is polled as
 * before, with its fall count. */
static void longpoll_push_and_fallback(void **state)
{
	struct checkd_rs_diff df;
	struct checkd_rs *rs;
	struct ip_addr a;
	char path[128];
	int64_t now = 1000;
	(void)state;

	conf_two_vips(&d.conf, 0);
	assert_int_equal(d.conf.heartbeat_ms, 1000);   /* the default: long-poll, 1 s heartbeat */
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	rs = d.rs[0];
	good_linux();
	assert_int_equal(ipaddr_parse("192.0.2.101", &a), 0);
	assert_int_equal(facts_addr_add(&f, 0, &a, 32), 0);

	/* an old agent: no generation, so no long-poll, and the fall count holds */
	assert_int_equal(f.generation, -1);
	feed(rs, now);
	assert_true(checkd_rs_up(rs));
	assert_int_equal(rs->gen, -1);
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 0);
	assert_string_equal(path, "/v1/status");
	f.n_addrs--;                            /* .101 gone */
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_UP);   /* fall 2: not yet */
	now += 200;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(facts_addr_add(&f, 0, &a, 32), 0);
	now += 200;
	feed(rs, now);
	now += 200;
	feed(rs, now);
	assert_true(checkd_rs_up(rs));

	/* a new agent: its generation makes the next request a long-poll */
	f.generation = 4242;
	now += 1000;
	feed(rs, now);
	assert_int_equal(rs->gen, 4242);
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	/* the heartbeat (1 s) less the least grace while the 304s are on time */
	assert_string_equal(path, "/v1/status?wait=0.850&after=4242");
	assert_int_equal(rs->lp_wait_ms, 850);
	/* 304s 100 ms late: three times that for the grace */
	rs->late_ms = checkd_rs_late_next(0, 850, 950);
	assert_int_equal(rs->late_ms, 100);
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	assert_string_equal(path, "/v1/status?wait=0.700&after=4242");
	/* very late: at most half the heartbeat */
	rs->late_ms = checkd_rs_late_next(rs->late_ms, 700, 1500);
	assert_int_equal(rs->late_ms, 800);
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	assert_string_equal(path, "/v1/status?wait=0.500&after=4242");
	/* on time again: the maximum decays by an eighth an answer */
	assert_int_equal(checkd_rs_late_next(800, 700, 700), 700);
	assert_int_equal(checkd_rs_late_next(700, 700, 690), 613);
	rs->late_ms = 0;
	/* an agent of 1.2 (it said DSR-Protocol: 1.2): one request held 30 s,
	 * with a beat due every heartbeat less the grace */
	rs->agent_beats = 1;
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	assert_string_equal(path, "/v1/status?wait=30&after=4242&beat=0.850");
	assert_true(rs->lp_beats);
	assert_int_equal(rs->lp_wait_ms, 850);
	/* drained by its admin: no beats, so its DSR-Director reports go out
	 * every heartbeat for `dsr-agent drain --wait` */
	rs->admin = ADMIN_STATE_DRAIN;
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	assert_string_equal(path, "/v1/status?wait=0.850&after=4242");
	assert_false(rs->lp_beats);
	rs->admin = ADMIN_STATE_UP;
	/* a heartbeat of 150 ms: a beat of 75 ms is under the agent's 100 ms floor */
	d.conf.heartbeat_ms = 150;
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 1);
	assert_string_equal(path, "/v1/status?wait=0.075&after=4242");
	assert_false(rs->lp_beats);
	d.conf.heartbeat_ms = 1000;
	rs->agent_beats = 0;
	/* a pushed failure drains at once (no fall count) */
	rs->push = 1;
	f.n_addrs--;
	f.generation = 4243;
	now += 30;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	assert_string_equal(rs->targets[1].sm.cause.code, "VIP_MISSING");
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_UP);
	/* recovery still needs rise (2) */
	assert_int_equal(facts_addr_add(&f, 0, &a, 32), 0);
	f.generation = 4244;
	now += 30;
	feed(rs, now);
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_DOWN);
	now += 500;
	feed(rs, now);                          /* the heartbeat's same document */
	assert_int_equal(rs->targets[1].sm.state, CHECK_STATE_UP);
	/* a closed connection or a missed heartbeat: down at once, then a plain request */
	feed_fail(rs, now + 10);
	assert_false(checkd_rs_up(rs));
	assert_int_equal(rs->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(rs->gen, -1);
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 0);
	/* heartbeat off: polling only */
	rs->gen = 7;
	d.conf.heartbeat_ms = 0;
	assert_int_equal(checkd_rs_next_path(rs, path, sizeof(path)), 0);
	d.conf.heartbeat_ms = 1000;
	rs->push = 0;
	f.generation = -1;
}

static void no_timer_cb(struct loop_timer *t)
{
	(void)t;
}

/* The beat list: ordered by due time, a beat moves one to the tail, a
 * put of the tail itself keeps the list whole (a bug of its first
 * version lost the head that way, and with it every silent-host check). */
static void beat_list_order(void **state)
{
	static struct checkd_rs r[3];
	size_t i;
	(void)state;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		r[i].d = &d;
		loop_timer_init(&r[i].timer, no_timer_cb);
	}
	loop_timer_init(&d.beat_timer, no_timer_cb);
	checkd_rs_beat_put(&r[0], 1000);
	checkd_rs_beat_put(&r[0], 1050);            /* the only one, again */
	assert_ptr_equal(d.beat_head, &r[0]);
	assert_ptr_equal(d.beat_tail, &r[0]);
	assert_null(r[0].beat_next);
	assert_null(r[0].beat_prev);
	assert_true(loop_timer_armed(&d.beat_timer));
	assert_int_equal(d.beat_timer.when_ms, 1000); /* early enough: left */
	checkd_rs_beat_put(&r[1], 1100);
	checkd_rs_beat_put(&r[2], 1200);
	checkd_rs_beat_put(&r[0], 1300);            /* the head beats: to the tail */
	assert_ptr_equal(d.beat_head, &r[1]);
	assert_ptr_equal(r[1].beat_next, &r[2]);
	assert_ptr_equal(r[2].beat_next, &r[0]);
	assert_ptr_equal(d.beat_tail, &r[0]);
	checkd_rs_beat_put(&r[0], 1400);            /* the tail beats */
	assert_ptr_equal(d.beat_tail, &r[0]);
	assert_ptr_equal(r[0].beat_prev, &r[2]);
	assert_null(r[0].beat_next);
	checkd_rs_beat_put(&r[2], 1250);            /* a shorter heartbeat: to its place */
	assert_ptr_equal(d.beat_head, &r[1]);
	assert_ptr_equal(r[1].beat_next, &r[2]);
	assert_ptr_equal(r[2].beat_next, &r[0]);
	checkd_rs_beat_put(&r[2], 900);             /* before the head: the timer follows */
	assert_ptr_equal(d.beat_head, &r[2]);
	assert_int_equal(d.beat_timer.when_ms, 900);
	checkd_rs_beat_remove(&r[1]);
	assert_ptr_equal(r[2].beat_next, &r[0]);
	assert_ptr_equal(r[0].beat_prev, &r[2]);
	checkd_rs_beat_remove(&r[2]);
	checkd_rs_beat_remove(&r[2]);               /* twice: nothing */
	checkd_rs_beat_remove(&r[0]);
	assert_null(d.beat_head);
	assert_null(d.beat_tail);
	loop_timer_cancel(&d.loop, &d.beat_timer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(one_fetch_judged_per_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(longpoll_push_and_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(beat_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(datapath_and_arp_override_passing_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(reload_keeps_state, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_answers, setup, teardown),
		cmocka_unit_test(weight_policy),
		cmocka_unit_test(sched_flags_standalone),
		cmocka_unit_test(notify_protocol),
		cmocka_unit_test_setup_teardown(metrics_render, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
