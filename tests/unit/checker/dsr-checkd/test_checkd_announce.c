/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-checkd's health-driven VIP announcement: BIRD's
 * control-socket reply parser (bird.c) on a table of good, truncated and
 * hostile replies and at its exact limits; the rule (UP, not drain or
 * maint, not held by the fail-safe, every service of a VIP at
 * announce_min_healthy); the device and its addresses through a fake (never
 * the host's network): announce, withdraw, reload, off, errors retried;
 * /metrics and /status; and the BIRD client itself (bird.c) on the loop
 * against a unix socket in /tmp; the kernel's acknowledgement of the
 * device's requests (rtnl_ack.c) on hand-built datagrams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent-proto/facts.h"
#include "checker/dsr-checkd/announce.h"
#include "checker/dsr-checkd/bird.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/rtnl_ack.h"
#include "checker/lib/verdict.h"
#include "tests/unit/checker/dsr-checkd/checkd_fixture.h"
#include "tests/unit/checker/good_facts.h"

#define GREETING "0001 BIRD 2.0.12 ready.\n"
#define HEADER "2002-Name       Proto      Table      State  Since         Info\n"
#define ROW(name, state) "1002-" name " Direct     ---        " state "     10:00:00.000  \n"

/* ---- BIRD's reply ---- */

static void bird_reply_table(void **state)
{
	static const struct {
		const char *text;
		int ret;                      /* 1 complete, 0 more needed, -EBADMSG */
		enum checkd_bird_state st;
		const char *word_or_why;      /* the state word, or a piece of the reason */
	} cases[] = {
		/* what BIRD 2.0.12 answers */
		{ GREETING HEADER ROW("dsrkit_vips", "up") "0000 \n", 1, CHECKD_BIRD_UP, "up" },
		{ GREETING HEADER ROW("dsrkit_vips", "start") "0000 \n", 1, CHECKD_BIRD_PROTOCOL_DOWN, "start" },
		{ GREETING HEADER ROW("dsrkit_vips", "down") "0000 \n", 1, CHECKD_BIRD_PROTOCOL_DOWN, "down" },
		{ GREETING "8003 No protocols match\n", 1, CHECKD_BIRD_NO_PROTOCOL, "" },
		/* a longer time format (a space inside Since), several rows
		 * with the code written once, asynchronous lines between */
		{ GREETING HEADER "1002-dsrkit_vips Direct --- up 2026-12-06 10:00:00  \n0000 \n", 1, CHECKD_BIRD_UP, "up" },
		{ GREETING HEADER "1002-other Direct --- down 10:00\n dsrkit_vips Direct --- up 10:00\n0000 \n", 1,
		  CHECKD_BIRD_UP, "up" },
		{ GREETING "+ a log line\n" HEADER ROW("dsrkit_vips", "up") "+ another\n0000 \n", 1, CHECKD_BIRD_UP, "up" },
		/* a row of another name only, a longer name with ours as prefix */
		{ GREETING HEADER ROW("other", "up") "0000 \n", 1, CHECKD_BIRD_NO_PROTOCOL, "" },
		{ GREETING HEADER ROW("dsrkit_vips2", "up") "0000 \n", 1, CHECKD_BIRD_NO_PROTOCOL, "" },
		/* bytes after the end are not looked at */
		{ GREETING "8003 No protocols match\ngarbage\n", 1, CHECKD_BIRD_NO_PROTOCOL, "" },
		/* truncated: more is needed */
		{ "", 0, CHECKD_BIRD_UNKNOWN, "" },
		{ "0001 BIRD", 0, CHECKD_BIRD_UNKNOWN, "" },
		{ GREETING, 0, CHECKD_BIRD_UNKNOWN, "" },
		{ GREETING HEADER ROW("dsrkit_vips", "up"), 0, CHECKD_BIRD_UNKNOWN, "" },
		{ GREETING HEADER ROW("dsrkit_vips", "up") "0000 ", 0, CHECKD_BIRD_UNKNOWN, "" },
		/* hostile or broken */
		{ "BIRD ready\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "no greeting" },
		{ "0001-BIRD 2.0.12 ready.\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "no greeting" },
		{ "0002 BIRD 2.0.12 ready.\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "no greeting" },
		{ "0001\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "no greeting" },
		{ "\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "no greeting" },
		{ GREETING "xyz\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "line 2 has no code" },
		{ GREETING "123 x\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "has no code" },
		{ GREETING "12a4-x\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "has no code" },
		{ GREETING "1002x dsrkit_vips Direct --- up\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "has no code" },
		{ GREETING "0000\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "has no code" },
		{ GREETING "\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "has no code" },
		{ GREETING " dsrkit_vips Direct --- up\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "continues no code" },
		{ GREETING "9001 syntax error, unexpected CF_SYM_UNDEFINED\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY,
		  "refused the command: '9001 syntax error" },
		{ GREETING "8001 Protocol is down\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "refused" },
		{ GREETING HEADER "1002-dsrkit_vips Direct ---\n0000 \n", -EBADMSG, CHECKD_BIRD_BAD_REPLY,
		  "without a state column" },
		{ GREETING HEADER "1002-dsrkit_vips Direct --- upupupupupupupupup\n0000 \n", -EBADMSG,
		  CHECKD_BIRD_BAD_REPLY, "a state word of 18 bytes" },
		/* what the reason quotes is escaped */
		{ "\x1b[31m\n", -EBADMSG, CHECKD_BIRD_BAD_REPLY, "'\\x1b[31m'" },
	};
	struct checkd_bird_reply r;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = checkd_bird_parse(cases[i].text, strlen(cases[i].text), "dsrkit_vips", &r);

		if (got != cases[i].ret || r.state != cases[i].st)
			fail_msg("case %zu: got %d state %s (%s), wanted %d %s", i, got, checkd_bird_state_name(r.state),
				 r.why, cases[i].ret, checkd_bird_state_name(cases[i].st));
		if (got == 1 && strcmp(r.word, cases[i].word_or_why))
			fail_msg("case %zu: word '%s', wanted '%s'", i, r.word, cases[i].word_or_why);
		if (got < 0 && !strstr(r.why, cases[i].word_or_why))
			fail_msg("case %zu: why '%s', wanted '%s'", i, r.why, cases[i].word_or_why);
	}
	/* a NUL byte inside a line */
	{
		static const char t[] = GREETING "1002-dsrkit\0vips Direct --- up\n0000 \n";

		assert_int_equal(checkd_bird_parse(t, sizeof(t) - 1, "dsrkit_vips", &r), -EBADMSG);
		assert_non_null(strstr(r.why, "NUL"));
	}
	/* every cut of a good reply asks for more, never judges early */
	{
		static const char t[] = GREETING "+ log\n" HEADER "1002-other Direct --- down 10:00\n"
					" dsrkit_vips Direct --- up 10:00\n0000 \n";

		for (i = 0; i < sizeof(t) - 1; i++)
			if (checkd_bird_parse(t, i, "dsrkit_vips", &r) != 0)
				fail_msg("cut at %zu: %s %s", i, checkd_bird_state_name(r.state), r.why);
		assert_int_equal(checkd_bird_parse(t, sizeof(t) - 1, "dsrkit_vips", &r), 1);
		assert_int_equal(r.state, CHECKD_BIRD_UP);
	}
	assert_string_equal(checkd_bird_state_name(CHECKD_BIRD_NOT_RUNNING), "not_running");
	assert_string_equal(checkd_bird_state_name(CHECKD_BIRD_COUNT), "unknown");
}

/* A line of exactly n bytes before its newline: a row of another protocol. */
static size_t put_line(char *p, size_t n)
{
	static const char head[] = "1002-other Direct --- up ";

	memcpy(p, head, sizeof(head) - 1);
	memset(p + sizeof(head) - 1, 'x', n - (sizeof(head) - 1));
	p[n] = '\n';
	return n + 1;
}

static void bird_reply_limits(void **state)
{
	struct checkd_bird_reply r;
	char *t = malloc(CHECKD_BIRD_REPLY_MAX + 4096);
	size_t n, line = CHECKD_BIRD_LINE_MAX;
	(void)state;

	assert_non_null(t);
	/* a line of the longest length passes; one byte more does not */
	n = (size_t)sprintf(t, GREETING);
	n += put_line(t + n, line);
	n += (size_t)sprintf(t + n, "0000 \n");
	assert_int_equal(checkd_bird_parse(t, n, "dsrkit_vips", &r), 1);
	assert_int_equal(r.state, CHECKD_BIRD_NO_PROTOCOL);
	n = (size_t)sprintf(t, GREETING);
	n += put_line(t + n, line + 1);
	n += (size_t)sprintf(t + n, "0000 \n");
	assert_int_equal(checkd_bird_parse(t, n, "dsrkit_vips", &r), -EBADMSG);
	assert_non_null(strstr(r.why, "line 2 is longer than 1024 bytes"));
	/* the same for a line not finished yet: at the limit it may still end */
	n = (size_t)sprintf(t, GREETING);
	memset(t + n, 'x', line);
	assert_int_equal(checkd_bird_parse(t, n + line, "dsrkit_vips", &r), 0);
	t[n + line] = 'x';
	assert_int_equal(checkd_bird_parse(t, n + line + 1, "dsrkit_vips", &r), -EBADMSG);

	/* a reply of exactly CHECKD_BIRD_REPLY_MAX bytes passes */
	n = (size_t)sprintf(t, GREETING);
	while (CHECKD_BIRD_REPLY_MAX - n - 6 > line + 1)
		n += put_line(t + n, line);
	n += put_line(t + n, CHECKD_BIRD_REPLY_MAX - n - 6 - 1);
	n += (size_t)sprintf(t + n, "0000 \n");
	assert_int_equal(n, CHECKD_BIRD_REPLY_MAX);
	assert_int_equal(checkd_bird_parse(t, n, "dsrkit_vips", &r), 1);
	/* one byte more before its end: never complete within the limit */
	n = (size_t)sprintf(t, GREETING);
	while (CHECKD_BIRD_REPLY_MAX - n - 6 > line + 1)
		n += put_line(t + n, line);
	n += put_line(t + n, CHECKD_BIRD_REPLY_MAX - n - 6);
	n += (size_t)sprintf(t + n, "0000 \n");
	assert_int_equal(n, CHECKD_BIRD_REPLY_MAX + 1);
	assert_int_equal(checkd_bird_parse(t, n, "dsrkit_vips", &r), -EBADMSG);
	assert_non_null(strstr(r.why, "no complete reply in 65536 bytes"));
	assert_int_equal(checkd_bird_parse(t, CHECKD_BIRD_REPLY_MAX, "dsrkit_vips", &r), -EBADMSG);
	assert_int_equal(checkd_bird_parse(t, CHECKD_BIRD_REPLY_MAX - 1, "dsrkit_vips", &r), 0);
	free(t);
}

/* ---- the kernel's acknowledgement (rtnl_ack.c) ---- */

/* One NLMSG_ERROR for seq with error e, its capped request after it. */
static size_t ack_put(unsigned char *p, uint32_t seq, int e)
{
	struct nlmsghdr h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)), .nlmsg_type = NLMSG_ERROR,
			      .nlmsg_seq = seq };
	struct nlmsgerr err = { .error = e, .msg = { .nlmsg_len = 36, .nlmsg_type = RTM_NEWADDR, .nlmsg_seq = seq } };

	memcpy(p, &h, sizeof(h));
	memcpy(p + NLMSG_HDRLEN, &err, sizeof(err));
	return NLMSG_ALIGN(h.nlmsg_len);
}

static void rtnl_ack_table(void **state)
{
	unsigned char b[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (struct nlmsghdr *)(void *)b;
	size_t n;

	(void)state;
	memset(b, 0, sizeof(b));
	n = ack_put(b, 1, 0);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), 0);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 2), 1);            /* another request's */
	n = ack_put(b, 1, -EEXIST);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EEXIST);
	n = ack_put(b, 1, -EPERM);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EPERM);
	assert_int_equal(checkd_rtnl_ack_parse(b, n - 1, 1), 1);        /* truncated datagram */
	assert_int_equal(checkd_rtnl_ack_parse(b, 15, 1), 1);           /* not even a header */
	/* the fuzz finding: numbers the kernel never sends are no success */
	n = ack_put(b, 1, 0x08000000);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EPROTO);
	n = ack_put(b, 1, -4096);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EPROTO);
	n = ack_put(b, 1, -4095);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -4095);
	/* an NLMSG_ERROR too short for its struct nlmsgerr */
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EBADMSG);
	/* a wrong sequence, then an unaligned other message, then the answer */
	n = ack_put(b, 7, -EEXIST);
	h = (struct nlmsghdr *)(void *)(b + n);
	memset(h, 0, 24);
	h->nlmsg_len = 21;
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_seq = 1;
	n += 24;
	n += ack_put(b + n, 1, -EADDRNOTAVAIL);
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), -EADDRNOTAVAIL);
	/* a length past the datagram ends the walk */
	h->nlmsg_len = 200;
	assert_int_equal(checkd_rtnl_ack_parse(b, n, 1), 1);
}

/* ---- the rule ---- */

static struct facts f;
static struct checkd d;

/* One good document (VIP 192.0.2.100 on lo, ports 80 and 443) with the
 * agent's admin state. */
static void feed(struct checkd_rs *rs, enum admin_state admin, int64_t now)
{
	static const uint16_t ports[] = { 80, 443 };

	good_linux_facts(&f, ports, 2);
	f.admin = admin;
	checkd_fixture_feed(rs, &f, now);
}

static void feed_fail(struct checkd_rs *rs, int64_t now)
{
	checkd_fixture_feed_fail(rs, CHECK_LAYER_CONNECT, "CONNECT_REFUSED", "test", now);
}

static void load_conf(const char *text)
{
	checkd_conf_free(&d.conf);
	checkd_fixture_conf(&d.conf, text);
}

/* VIP .100: port 80 on .11 .12 .13, port 443 on .11 .12; VIP .101 (which
 * the agents do not carry: never healthy) on .11; an fwmark service. */
static const char conf_two_vips[] =
	"virtual_server 192.0.2.100 80 {\n lb_kind DR\n protocol TCP\n"
	" real_server 192.0.2.11 80 { }\n real_server 192.0.2.12 80 { }\n real_server 192.0.2.13 80 { }\n}\n"
	"virtual_server 192.0.2.100 443 {\n lb_kind DR\n protocol TCP\n"
	" real_server 192.0.2.11 443 { }\n real_server 192.0.2.12 443 { }\n}\n"
	"virtual_server 192.0.2.101 80 {\n lb_kind DR\n protocol TCP\n real_server 192.0.2.11 80 { }\n}\n"
	"virtual_server fwmark 7 {\n lb_kind DR\n real_server 192.0.2.11 0 { }\n}\n";

/* The real-server table for d.conf, its probes unscheduled: these tests
 * feed the documents themselves and run the loop for announce's timers. */
static void table(void)
{
	struct checkd_rs_diff df;
	size_t i;

	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	for (i = 0; i < d.n_rs; i++)
		loop_timer_cancel(&d.loop, &d.rs[i]->timer);
}

static int setup(void **state)
{
	(void)state;
	checkd_fixture_init(&d, 1, 1);
	checkd_conf_init(&d.conf);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	checkd_announce_stop(&d);
	checkd_fixture_free(&d);
	return 0;
}

static void counts_rule(void **state)
{
	struct checkd_rs rs;
	struct checkd_target t;
	(void)state;

	memset(&rs, 0, sizeof(rs));
	memset(&t, 0, sizeof(t));
	assert_false(checkd_announce_counts(NULL, NULL));
	assert_false(checkd_announce_counts(&rs, NULL));
	t.sm.state = CHECK_STATE_INIT;                 /* not checked yet: rise applies */
	assert_false(checkd_announce_counts(&rs, &t));
	t.sm.state = CHECK_STATE_DOWN;
	assert_false(checkd_announce_counts(&rs, &t));
	t.sm.state = CHECK_STATE_UP;
	assert_true(checkd_announce_counts(&rs, &t));
	assert_false(checkd_announce_counts(NULL, &t));
	rs.admin = ADMIN_STATE_DRAIN;
	assert_false(checkd_announce_counts(&rs, &t));
	rs.admin = ADMIN_STATE_MAINT;
	assert_false(checkd_announce_counts(&rs, &t));
	rs.admin = ADMIN_STATE_UP;
	t.failsafe_held = 1;                           /* unreachable from here */
	assert_false(checkd_announce_counts(&rs, &t));
}

static void judge_services(void **state)
{
	static const size_t vip100[] = { 0, 1 }, vip101[] = { 2 };
	struct checkd_announce_verdict v;
	int64_t now = 1000;
	size_t i;
	(void)state;

	load_conf(conf_two_vips);
	table();
	assert_int_equal(d.n_rs, 3);
	/* nothing checked yet: nothing to announce */
	checkd_announce_judge(&d, vip100, 2, 1, &v);
	assert_false(v.announce);
	assert_int_equal(v.healthy, 0);
	for (i = 0; i < 3; i++)
		feed(d.rs[i], ADMIN_STATE_UP, now);
	checkd_announce_judge(&d, vip100, 2, 2, &v);
	assert_true(v.announce);
	assert_int_equal(v.healthy, 2);     /* the weakest service: 443 */
	assert_int_equal(v.total, 2);
	assert_string_equal(v.reason, "192.0.2.100:443: 2 healthy of 2, needs 2");
	checkd_announce_judge(&d, vip100, 2, 3, &v);
	assert_false(v.announce);           /* 443 has only two servers */
	checkd_announce_judge(&d, vip101, 1, 1, &v);
	assert_false(v.announce);           /* the agent does not carry .101 */
	assert_string_equal(v.reason, "192.0.2.101:80: 0 healthy of 1, needs 1");

	/* .12 drains: 443 is down to 1 */
	feed(d.rs[1], ADMIN_STATE_DRAIN, now += 500);
	checkd_announce_judge(&d, vip100, 2, 2, &v);
	assert_false(v.announce);
	assert_string_equal(v.reason, "192.0.2.100:443: 1 healthy of 2, needs 2");
	checkd_announce_judge(&d, vip100, 2, 1, &v);
	assert_true(v.announce);
	/* .13 held by the fail-safe, .11 refuses: port 80 has none left */
	d.rs[2]->targets[0].failsafe_held = 1;
	feed_fail(d.rs[0], now += 500);
	checkd_announce_judge(&d, vip100, 2, 1, &v);
	assert_false(v.announce);
	assert_int_equal(v.healthy, 0);
	assert_string_equal(v.reason, "192.0.2.100:80: 0 healthy of 3, needs 1");
	/* no service at all */
	checkd_announce_judge(&d, vip100, 0, 1, &v);
	assert_false(v.announce);
}

/* ---- the device, through a fake ---- */

struct fake {
	int opens, closes, fail_open, fail_addr;
	char name[16];
	struct ip_addr addrs[8];
	size_t n_addrs;
	unsigned index;
};
static struct fake fk;

static int fake_open(const char *name, int *ifindex, char *err, size_t errlen)
{
	if (fk.fail_open) {
		snprintf(err, errlen, "interface %s exists already and is not this dsr-checkd's own", name);
		return -EBUSY;
	}
	fk.opens++;
	snprintf(fk.name, sizeof(fk.name), "%s", name);
	fk.index = 40 + (unsigned)fk.opens;
	*ifindex = (int)fk.index;
	fk.n_addrs = 0;
	return 100 + fk.opens;  /* never a real descriptor: fake_close closes nothing */
}

static void fake_close(int fd)
{
	(void)fd;
	fk.closes++;
	fk.name[0] = '\0';
	fk.n_addrs = 0;
}

static unsigned fake_index(const char *name)
{
	return fk.name[0] && !strcmp(name, fk.name) ? fk.index : 0;
}

static int fake_addr(int ifindex, const struct ip_addr *a, int add)
{
	size_t i;

	assert_int_equal(ifindex, (int)fk.index);
	if (fk.fail_addr)
		return -fk.fail_addr;
	for (i = 0; i < fk.n_addrs; i++)
		if (ipaddr_equal(&fk.addrs[i], a))
			break;
	if (add && i == fk.n_addrs)
		fk.addrs[fk.n_addrs++] = *a;
	if (!add && i < fk.n_addrs)
		fk.addrs[i] = fk.addrs[--fk.n_addrs];
	return 0;
}

static const struct checkd_announce_ops fake_ops = { fake_open, fake_close, fake_index, fake_addr };

static int fake_has(const char *a)
{
	struct ip_addr x;
	size_t i;

	assert_int_equal(ipaddr_parse(a, &x), 0);
	for (i = 0; i < fk.n_addrs; i++)
		if (ipaddr_equal(&fk.addrs[i], &x))
			return 1;
	return 0;
}

static void render(struct buf *m, struct buf *s)
{
	buf_reset(m);
	buf_reset(s);
	assert_int_equal(checkd_announce_metrics_render(&d, m), 0);
	assert_int_equal(buf_append_str(s, "{\"schema\":\"x\"}\n"), 0);
	assert_int_equal(checkd_announce_status_append(&d, s), 0);
}

static void device_announce_withdraw_reload(void **state)
{
	static const char daemon[] = "dsr_checkd {\n announce_interface dsrvip0\n announce_min_healthy 2\n"
				     " announce_bird_socket off\n}\n";
	char text[2048];
	struct buf m, s;
	int64_t now = 1000;
	size_t i;
	(void)state;

	memset(&fk, 0, sizeof(fk));
	d.announce_ops = &fake_ops;
	buf_init(&m, 1 << 16);
	buf_init(&s, 1 << 16);
	snprintf(text, sizeof(text), "%s%s", daemon, conf_two_vips);
	load_conf(text);
	table();
	checkd_announce_sync(&d);
	assert_int_equal(fk.opens, 1);
	assert_string_equal(fk.name, "dsrvip0");
	assert_int_equal(fk.n_addrs, 0);    /* nothing before the first checks */
	render(&m, &s);
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip{vip=\"192.0.2.100\"} 0\n"));
	assert_null(strstr(buf_str(&m), "dsrkit_announce_routing_daemon_up"));  /* not checked */
	assert_non_null(strstr(buf_str(&s),
		",\"announce\":{\"interface\":\"dsrvip0\",\"min_healthy\":2,\"error\":null,\"routing_daemon\":"
		"{\"socket\":\"off\",\"protocol\":\"dsrkit_vips\",\"state\":\"off\",\"error\":null},\"vips\":["
		"{\"vip\":\"192.0.2.100\",\"announced\":false,\"healthy\":0,\"reason\":\"192.0.2.100:80: 0 healthy of 3, "
		"needs 2\"},{\"vip\":\"192.0.2.101\""));

	/* the servers come up: .100 announced, .101 (no agent carries it) not */
	for (i = 0; i < 3; i++)
		feed(d.rs[i], ADMIN_STATE_UP, now);
	checkd_announce_mark_dirty(&d);
	assert_int_equal(loop_run_once(&d.loop, 50), 0);  /* the zero-delay timer */
	assert_true(fake_has("192.0.2.100"));
	assert_false(fake_has("192.0.2.101"));
	render(&m, &s);
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip{vip=\"192.0.2.100\"} 1\n"));
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip{vip=\"192.0.2.101\"} 0\n"));
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip_healthy_servers{vip=\"192.0.2.100\"} 2\n"));
	assert_non_null(strstr(buf_str(&s), "{\"vip\":\"192.0.2.100\",\"announced\":true,\"healthy\":2"));

	/* one server of 443 fails: withdrawn */
	feed_fail(d.rs[1], now += 500);
	checkd_announce_evaluate(&d);
	assert_false(fake_has("192.0.2.100"));
	feed(d.rs[1], ADMIN_STATE_UP, now += 500);
	checkd_announce_evaluate(&d);
	assert_true(fake_has("192.0.2.100"));

	/* a failing address change is tried again, and succeeds later */
	fk.fail_addr = EPERM;
	feed_fail(d.rs[1], now += 500);
	checkd_announce_evaluate(&d);
	assert_true(fake_has("192.0.2.100"));
	render(&m, &s);
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip{vip=\"192.0.2.100\"} 1\n"));  /* still there */
	fk.fail_addr = 0;
	checkd_announce_evaluate(&d);
	assert_false(fake_has("192.0.2.100"));
	feed(d.rs[1], ADMIN_STATE_UP, now += 500);
	checkd_announce_evaluate(&d);
	assert_true(fake_has("192.0.2.100"));

	/* reload: min 1 and a new VIP list without .100:443 keeps the device */
	snprintf(text, sizeof(text), "dsr_checkd {\n announce_interface dsrvip0\n announce_bird_socket off\n}\n"
		 "virtual_server 192.0.2.100 80 {\n lb_kind DR\n protocol TCP\n real_server 192.0.2.11 80 { }\n}\n");
	load_conf(text);
	table();
	checkd_announce_sync(&d);
	assert_int_equal(fk.opens, 1);
	assert_true(fake_has("192.0.2.100"));
	/* .100 gone from the configuration: withdrawn */
	snprintf(text, sizeof(text), "dsr_checkd {\n announce_interface dsrvip0\n announce_bird_socket off\n}\n"
		 "virtual_server 192.0.2.102 80 {\n lb_kind DR\n protocol TCP\n real_server 192.0.2.11 80 { }\n}\n");
	load_conf(text);
	table();
	checkd_announce_sync(&d);
	assert_false(fake_has("192.0.2.100"));
	assert_false(fake_has("192.0.2.102"));  /* new target: not checked yet */
	feed(d.rs[0], ADMIN_STATE_UP, now += 500);
	checkd_announce_evaluate(&d);
	assert_false(fake_has("192.0.2.102"));  /* the agent does not carry it */

	/* a new name: the old device goes, the new one comes */
	snprintf(text, sizeof(text), "dsr_checkd {\n announce_interface dsrvip9\n announce_bird_socket off\n}\n%s",
		 conf_two_vips);
	load_conf(text);
	table();
	for (i = 0; i < 3; i++)
		feed(d.rs[i], ADMIN_STATE_UP, now += 10);
	checkd_announce_sync(&d);
	assert_int_equal(fk.closes, 1);
	assert_int_equal(fk.opens, 2);
	assert_string_equal(fk.name, "dsrvip9");
	assert_true(fake_has("192.0.2.100"));

	/* the device vanishes under us: made again at the next tick */
	fk.name[0] = '\0';
	fk.n_addrs = 0;
	assert_int_equal(loop_run_once(&d.loop, 50), 0);  /* the tick armed by the sync */
	assert_int_equal(fk.opens, 3);
	assert_true(fake_has("192.0.2.100"));

	/* off: the device goes, every VIP withdrawn, /metrics says nothing */
	load_conf(conf_two_vips);
	checkd_announce_sync(&d);
	assert_null(d.announce);
	assert_int_equal(fk.closes, 3);
	render(&m, &s);
	assert_int_equal(m.len, 0);
	assert_non_null(strstr(buf_str(&s), "{\"schema\":\"x\",\"announce\":null}"));
	buf_free(&m);
	buf_free(&s);
}

static void device_error_shown(void **state)
{
	static const char text[] = "dsr_checkd {\n announce_interface dsrvip0\n announce_bird_socket off\n}\n"
				   "virtual_server 192.0.2.100 80 {\n lb_kind DR\n protocol TCP\n"
				   " real_server 192.0.2.11 80 { }\n}\n";
	struct buf m, s;
	(void)state;

	memset(&fk, 0, sizeof(fk));
	fk.fail_open = 1;
	d.announce_ops = &fake_ops;
	buf_init(&m, 1 << 16);
	buf_init(&s, 1 << 16);
	load_conf(text);
	table();
	checkd_announce_sync(&d);
	feed(d.rs[0], ADMIN_STATE_UP, 1000);
	checkd_announce_evaluate(&d);
	render(&m, &s);
	assert_non_null(strstr(buf_str(&s), "\"error\":\"interface dsrvip0 exists already and is not this dsr-checkd's own\""));
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip{vip=\"192.0.2.100\"} 0\n"));
	assert_non_null(strstr(buf_str(&m), "dsrkit_announce_vip_healthy_servers{vip=\"192.0.2.100\"} 1\n"));
	/* the conflict is removed: the next tick creates it and announces */
	fk.fail_open = 0;
	assert_int_equal(loop_run_once(&d.loop, 50), 0);
	assert_int_equal(fk.opens, 1);
	assert_true(fake_has("192.0.2.100"));
	render(&m, &s);
	assert_non_null(strstr(buf_str(&s), "\"announce\":{\"interface\":\"dsrvip0\",\"min_healthy\":1,\"error\":null"));
	buf_free(&m);
	buf_free(&s);
}

/* ---- BIRD's control socket, on the loop ---- */

static char sockdir[64], sockpath[96];

static int listen_unix(void)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* Run the loop until the BIRD state in /status is no longer "unknown" (at
 * most ms); the status document's routing_daemon object into out. */
static void wait_state(int64_t ms, char *out, size_t len)
{
	int64_t end = loop_clock_ms() + ms;
	struct buf s;
	const char *p;

	buf_init(&s, 1 << 16);
	for (;;) {
		buf_reset(&s);
		assert_int_equal(buf_append_str(&s, "{}"), 0);
		assert_int_equal(checkd_announce_status_append(&d, &s), 0);
		p = strstr(buf_str(&s), "\"routing_daemon\":");
		assert_non_null(p);
		if (!strstr(p, "\"state\":\"unknown\"") || loop_clock_ms() > end)
			break;
		assert_int_equal(loop_run_once(&d.loop, 50), 0);
	}
	snprintf(out, len, "%.*s", (int)strcspn(p, "}") + 1, p);
	buf_free(&s);
}

static void bird_conf(const char *protocol)
{
	char text[512];

	snprintf(text, sizeof(text), "dsr_checkd {\n announce_interface dsrvip0\n announce_bird_socket %s\n"
		 " announce_bird_protocol %s\n}\n", sockpath, protocol);
	load_conf(text);
	checkd_announce_sync(&d);
}

/* A server that reads the command, checks it and answers with reply. */
static void serve_once(int lfd, const char *reply)
{
	char cmd[128] = "";
	ssize_t n;
	int c;
	int64_t end = loop_clock_ms() + 2000;

	/* the client connects from the loop (the tick); its connect returns
	 * at once (the backlog), so accept after one turn */
	assert_int_equal(loop_run_once(&d.loop, 50), 0);
	c = accept(lfd, NULL, NULL);
	assert_true(c >= 0);
	while ((n = read(c, cmd, sizeof(cmd) - 1)) <= 0 && loop_clock_ms() < end)
		;
	assert_true(n > 0);
	cmd[n] = '\0';
	assert_string_equal(cmd, "show protocols \"dsrkit_vips\"\n");
	if (reply)
		assert_int_equal(write(c, reply, strlen(reply)), (ssize_t)strlen(reply));
	close(c);
}

static void bird_client(void **state)
{
	char st[400];
	int lfd;
	(void)state;

	memset(&fk, 0, sizeof(fk));
	d.announce_ops = &fake_ops;
	snprintf(sockdir, sizeof(sockdir), "/tmp/test_checkd_announce.XXXXXX");
	assert_non_null(mkdtemp(sockdir));
	snprintf(sockpath, sizeof(sockpath), "%s/bird.ctl", sockdir);

	/* nothing listens: not running, with the path and the errno text */
	bird_conf("dsrkit_vips");
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"not_running\",\"error\":\"BIRD is not running (connect "));
	assert_non_null(strstr(st, "/bird.ctl: No such file or directory)\""));

	/* BIRD answers: up */
	lfd = listen_unix();
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	serve_once(lfd, GREETING HEADER ROW("dsrkit_vips", "up") "0000 \n");
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"up\",\"error\":null"));
	{
		struct buf m;

		buf_init(&m, 1 << 16);
		assert_int_equal(checkd_announce_metrics_render(&d, &m), 0);
		assert_non_null(strstr(buf_str(&m), "dsrkit_announce_routing_daemon_up 1\n"));
		buf_free(&m);
	}

	/* the protocol is starting; then it does not exist */
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	serve_once(lfd, GREETING HEADER ROW("dsrkit_vips", "start") "0000 \n");
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"protocol_down\",\"error\":\"BIRD protocol dsrkit_vips is start, not up\""));
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	serve_once(lfd, GREETING "8003 No protocols match\n");
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"no_protocol\",\"error\":\"BIRD has no protocol dsrkit_vips"));

	/* closed mid-reply; garbage */
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	serve_once(lfd, GREETING HEADER);
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"bad_reply\",\"error\":\"BIRD closed its control socket"));
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	serve_once(lfd, "HTTP/1.1 200 OK\r\n\r\n");
	wait_state(1000, st, sizeof(st));
	assert_non_null(strstr(st, "\"state\":\"bad_reply\",\"error\":\"BIRD's reply on "));
	assert_non_null(strstr(st, "is not understood: no greeting"));

	/* accepted, never answered: no answer after the timeout */
	checkd_announce_stop(&d);
	bird_conf("dsrkit_vips");
	{
		int64_t t0 = loop_clock_ms();
		int c;

		assert_int_equal(loop_run_once(&d.loop, 50), 0);
		c = accept(lfd, NULL, NULL);
		assert_true(c >= 0);
		wait_state(CHECKD_BIRD_TIMEOUT_MS + 1000, st, sizeof(st));
		assert_true(loop_clock_ms() - t0 >= CHECKD_BIRD_TIMEOUT_MS - 50);
		close(c);
	}
	assert_non_null(strstr(st, "\"state\":\"no_answer\",\"error\":\"BIRD did not answer on "));
	close(lfd);
	unlink(sockpath);
	rmdir(sockdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bird_reply_table),
		cmocka_unit_test(bird_reply_limits),
		cmocka_unit_test(rtnl_ack_table),
		cmocka_unit_test(counts_rule),
		cmocka_unit_test_setup_teardown(judge_services, setup, teardown),
		cmocka_unit_test_setup_teardown(device_announce_withdraw_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(device_error_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(bird_client, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
