/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-checkd's fail-safe threshold with a fake clock: which
 * failures count (connection level only, never what an agent reports), the
 * threshold arithmetic, a whole director-side outage held and released
 * without a drain, a single server's outage and a fact failure still
 * drained, the setting's parsing, and what /metrics and /status show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "checker/dsr-checkd/failsafe.h"
#include "checker/dsr-checkd/ipvs.h"
#include "checker/dsr-checkd/metrics.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"
#include "kaconf/kaconf.h"
#include "tests/unit/checker/dsr-checkd/checkd_fixture.h"
#include "tests/unit/checker/good_facts.h"

static struct facts f;
static struct checkd d;

static void feed(struct checkd_rs *rs, int64_t now)
{
	static const uint16_t ports[] = { 80 };

	good_linux_facts(&f, ports, 1);
	checkd_fixture_feed(rs, &f, now);
}

static void feed_fail(struct checkd_rs *rs, enum check_layer layer, const char *code, int64_t now)
{
	checkd_fixture_feed_fail(rs, layer, code, "test", now);
}

/* One service 192.0.2.100:80 with n real servers .11, .12, ... */
static void conf_n(unsigned n, const char *daemon)
{
	char text[2048];
	size_t o = 0;
	unsigned i;

	o += (size_t)snprintf(text + o, sizeof(text) - o, "%s", daemon);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "virtual_server 192.0.2.100 80 {\n lb_kind DR\n protocol TCP\n");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " real_server 192.0.2.%u 80 { weight 100 }\n", 11 + i);
	snprintf(text + o, sizeof(text) - o, "}\n");
	checkd_fixture_conf(&d.conf, text);
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

static int weight_of(size_t i)
{
	return checkd_dest_weight(100, d.rs[i], &d.rs[i]->targets[0], 100);
}

static void which_failures_count(void **state)
{
	static const struct {
		enum check_layer layer;
		const char *code;
		int counts;
	} cases[] = {
		{ CHECK_LAYER_CONNECT, "CONNECT_TIMEOUT", 1 },
		{ CHECK_LAYER_CONNECT, "CONNECT_ERROR", 1 },   /* unreachable, no route */
		{ CHECK_LAYER_TLS, "TLS_TIMEOUT", 1 },
		{ CHECK_LAYER_HTTP, "HTTP_TIMEOUT", 1 },       /* a kept-alive connection gone silent */
		{ CHECK_LAYER_HTTP, "TLS_CLOSED", 1 },
		{ CHECK_LAYER_CONNECT, "CONNECT_REFUSED", 0 }, /* the host answered: its agent is down */
		{ CHECK_LAYER_TLS, "TLS_VERIFY", 0 },
		{ CHECK_LAYER_TLS, "TLS_HANDSHAKE", 0 },
		{ CHECK_LAYER_HTTP, "HTTP_STATUS", 0 },
		{ CHECK_LAYER_HTTP, "HTTP_MALFORMED", 0 },
		{ CHECK_LAYER_PROTOCOL, "PROTO_MALFORMED", 0 },
		{ CHECK_LAYER_FACTS, "VIP_MISSING", 0 },
		{ CHECK_LAYER_FACTS, "CONNECT_TIMEOUT", 0 },   /* the code alone is not enough */
		{ CHECK_LAYER_ADMIN, "ADMIN_DRAIN", 0 },
		{ CHECK_LAYER_NONE, "", 0 },
	};
	struct verdict v;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.layer = cases[i].layer;
		snprintf(v.code, sizeof(v.code), "%s", cases[i].code);
		if (checkd_failsafe_conn_level(&v) != cases[i].counts)
			fail_msg("%s/%s counted %d", check_layer_name(v.layer), v.code, !cases[i].counts);
	}
}

static void threshold_arithmetic(void **state)
{
	(void)state;
	assert_false(checkd_failsafe_over(50, 1, 2));   /* half is not more than half */
	assert_true(checkd_failsafe_over(50, 2, 2));
	assert_true(checkd_failsafe_over(50, 2, 3));
	assert_false(checkd_failsafe_over(50, 0, 0));
	assert_true(checkd_failsafe_over(50, 1, 1));    /* a lone server is never drained for a timeout */
	assert_false(checkd_failsafe_over(0, 5, 5));    /* off */
	assert_false(checkd_failsafe_over(100, 4, 5));  /* all */
	assert_true(checkd_failsafe_over(100, 5, 5));
	assert_true(checkd_failsafe_over(99, 1000, 1000));
	assert_false(checkd_failsafe_over(99, 990, 1000));  /* exactly 99%: not over */
	assert_true(checkd_failsafe_over(99, 991, 1000));
	assert_true(checkd_failsafe_over(1, 1, 99));
	assert_false(checkd_failsafe_over(1, 1, 100));
	assert_false(checkd_failsafe_over(50, 0, 4));
}

static void setting_parsed(void **state)
{
	static const struct {
		const char *v;
		int ok;
		uint32_t pct;
	} cases[] = {
		{ "30%", 1, 30 }, { "1%", 1, 1 }, { "100%", 1, 100 }, { "all", 1, 100 }, { "off", 1, 0 },
		{ "0%", 0, 0 }, { "101%", 0, 0 }, { "50", 0, 0 }, { "%", 0, 0 }, { "-5%", 0, 0 }, { "5%%", 0, 0 },
		{ "0x10%", 0, 0 }, { "", 0, 0 }, { "50 %", 0, 0 },
	};
	struct checkd_conf c;
	char text[200], err[200];
	size_t i;
	(void)state;

	checkd_conf_init(&c);
	assert_int_equal(c.failsafe_pct, 50);  /* the default */
	checkd_conf_free(&c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(text, sizeof(text), "dsr_checkd {\n failsafe_threshold \"%s\"\n}\n", cases[i].v);
		int r;

		checkd_conf_init(&c);
		r = checkd_conf_parse(&c, "t.conf", text, (size_t)n, KACONF_NO_INCLUDE, err, sizeof(err));
		if (cases[i].ok) {
			if (r != 0)
				fail_msg("'%s' refused: %s", cases[i].v, err);
			assert_int_equal(c.failsafe_pct, cases[i].pct);
		} else {
			if (r == 0)
				fail_msg("'%s' accepted", cases[i].v);
			assert_non_null(strstr(err, "t.conf:2:"));
		}
		checkd_conf_free(&c);
	}
}

/* The director's own link goes down: every agent times out.  No server is
 * drained; the link comes back, the servers rise, the fail-safe ends after
 * a full round; nothing was drained on the way. */
static void director_outage_held(void **state)
{
	struct checkd_rs_diff df;
	struct buf out;
	int64_t now = 1000;
	size_t i;
	(void)state;

	conf_n(2, "");
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	assert_int_equal(d.n_rs, 2);
	for (i = 0; i < 2; i++)
		feed(d.rs[i], now);
	assert_int_equal(checkd_failsafe_update(&d, now), 0);
	assert_int_equal(d.n_failsafe, 1);
	assert_false(d.failsafe[0].active);
	assert_int_equal(weight_of(0), 100);

	/* the link goes: a kept-alive connection times out, then no route */
	now += 1000;
	feed_fail(d.rs[0], CHECK_LAYER_HTTP, "HTTP_TIMEOUT", now);
	assert_int_equal(checkd_failsafe_update(&d, now), 0);  /* 1 of 2: not over 50% yet */
	feed_fail(d.rs[1], CHECK_LAYER_HTTP, "HTTP_TIMEOUT", now + 300);
	assert_int_equal(checkd_failsafe_update(&d, now + 300), 1);
	assert_true(d.failsafe[0].active);
	assert_int_equal(d.failsafe[0].n_unreachable, 2);
	now += 500;
	for (i = 0; i < 2; i++)
		feed_fail(d.rs[i], CHECK_LAYER_CONNECT, "CONNECT_ERROR", now);
	assert_int_equal(d.rs[0]->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(d.rs[1]->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	for (i = 0; i < 2; i++) {
		assert_true(d.rs[i]->targets[0].failsafe_held);
		assert_int_equal(weight_of(i), 100);  /* DOWN, yet not drained */
	}

	/* /metrics and /status say so */
	buf_init(&out, 1 << 20);
	assert_int_equal(checkd_metrics_render(&d, NULL, NULL, now, &out), 0);
	assert_non_null(strstr(buf_str(&out), "dsrkit_checkd_failsafe_active{service=\"192.0.2.100:80\",protocol=\"TCP\"} 1\n"));
	assert_non_null(strstr(buf_str(&out), "dsrkit_checkd_failsafe_unreachable{service=\"192.0.2.100:80\",protocol=\"TCP\"} 2\n"));
	buf_reset(&out);
	assert_int_equal(checkd_status_render(&d, NULL, now, &out), 0);
	assert_non_null(strstr(buf_str(&out), "\"failsafe_held\":true"));
	assert_non_null(strstr(buf_str(&out), "\"active_services\":1"));
	assert_non_null(strstr(buf_str(&out), "\"service\":\"192.0.2.100:80\",\"protocol\":\"TCP\",\"active\":true"));

	/* the link comes back: .11 answers first; .12 still has its old failure */
	now += 5000;
	feed(d.rs[0], now);
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_true(d.failsafe[0].active);
	assert_int_equal(weight_of(0), 100);
	assert_int_equal(weight_of(1), 100);
	now += 200;
	feed(d.rs[0], now);                   /* rise 2: .11 up */
	assert_int_equal(d.rs[0]->targets[0].sm.state, CHECK_STATE_UP);
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_false(d.rs[0]->targets[0].failsafe_held);
	/* 1 of 2 failing: under the threshold, but a round has not passed */
	assert_true(d.failsafe[0].active);
	assert_true(d.rs[1]->targets[0].failsafe_held);
	assert_int_equal(weight_of(1), 100);
	now += 300;
	feed(d.rs[1], now);                   /* reachable, rise not complete: still held */
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_true(d.rs[1]->targets[0].failsafe_held);
	assert_int_equal(weight_of(1), 100);
	now += 200;
	feed(d.rs[1], now);
	assert_int_equal(d.rs[1]->targets[0].sm.state, CHECK_STATE_UP);
	now += 2000;
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_false(d.failsafe[0].active);
	assert_false(d.rs[1]->targets[0].failsafe_held);
	assert_int_equal(d.failsafe[0].n_engaged, 1);

	/* a real fault of one server afterwards drains it */
	now += 1000;
	feed_fail(d.rs[1], CHECK_LAYER_CONNECT, "CONNECT_TIMEOUT", now);
	now += 200;
	feed_fail(d.rs[1], CHECK_LAYER_CONNECT, "CONNECT_TIMEOUT", now);
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_false(d.failsafe[0].active);
	assert_int_equal(d.rs[1]->targets[0].sm.state, CHECK_STATE_DOWN);
	assert_int_equal(weight_of(1), 0);
	assert_int_equal(weight_of(0), 100);
	buf_free(&out);
}

/* What agents report is never held: every server failing its facts (or
 * refusing connections) at once is drained. */
static void reported_failures_drain(void **state)
{
	struct checkd_rs_diff df;
	int64_t now = 1000;
	size_t i;
	(void)state;

	conf_n(3, "");
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	for (i = 0; i < 3; i++)
		feed(d.rs[i], now);
	now += 1000;
	for (int k = 0; k < 2; k++, now += 200) {
		feed_fail(d.rs[0], CHECK_LAYER_CONNECT, "CONNECT_REFUSED", now);
		feed_fail(d.rs[1], CHECK_LAYER_TLS, "TLS_VERIFY", now);
		feed_fail(d.rs[2], CHECK_LAYER_PROTOCOL, "PROTO_MALFORMED", now);
	}
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_false(d.failsafe[0].active);
	assert_int_equal(d.failsafe[0].n_unreachable, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(d.rs[i]->targets[0].sm.state, CHECK_STATE_DOWN);
		assert_int_equal(weight_of(i), 0);
	}
}

/* Held servers whose failure turns into one the agent reports are
 * drained at once, while the fail-safe still holds the others; with the
 * setting off nothing is held. */
static void held_then_reported(void **state)
{
	struct checkd_rs_diff df;
	int64_t now = 1000;
	size_t i;
	(void)state;

	conf_n(3, "dsr_checkd {\n failsafe_threshold 60%\n}\n");
	assert_int_equal(d.conf.failsafe_pct, 60);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	for (i = 0; i < 3; i++)
		feed(d.rs[i], now);
	now += 1000;
	for (int k = 0; k < 2; k++, now += 200) {
		feed_fail(d.rs[0], CHECK_LAYER_CONNECT, "CONNECT_TIMEOUT", now);
		feed_fail(d.rs[1], CHECK_LAYER_TLS, "TLS_TIMEOUT", now);
	}
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_true(d.failsafe[0].active == 1);  /* 2 of 3 = 67% > 60% */
	assert_int_equal(weight_of(0), 100);
	assert_int_equal(weight_of(1), 100);
	feed_fail(d.rs[1], CHECK_LAYER_FACTS, "VIP_MISSING", now);
	assert_true(checkd_failsafe_update(&d, now) >= 0);
	assert_false(d.rs[1]->targets[0].failsafe_held);
	assert_int_equal(weight_of(1), 0);
	d.conf.failsafe_pct = 0;
	checkd_failsafe_stop(&d);
	assert_int_equal(weight_of(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(which_failures_count),
		cmocka_unit_test(threshold_arithmetic),
		cmocka_unit_test(setting_parsed),
		cmocka_unit_test_setup_teardown(director_outage_held, setup, teardown),
		cmocka_unit_test_setup_teardown(reported_failures_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(held_then_reported, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
