/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the Linux agent's parsers (agent/linux_parse.c) on known
 * input and on hostile input: sysctl values, /proc/loadavg, /proc/net/tcp
 * and tcp6 lines, and sock_diag dump datagrams built with the kernel's own
 * structures (a listener of each family, NLMSG_DONE, NLMSG_ERROR, a
 * truncated datagram, one whose end is not 4-byte aligned). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "agent-proto/facts.h"
#include "agent/linux_parse.h"

static struct facts f;

static void linux_parse_sysctl_values(void **state)
{
	static const struct { const char *in; int want; } cases[] = {
		{ "1\n", 1 }, { "0\n", 0 }, { "2", 2 }, { "255\n", 255 }, { "256\n", FACTS_UNKNOWN },
		{ "", FACTS_UNKNOWN }, { "\n", FACTS_UNKNOWN }, { "-1\n", FACTS_UNKNOWN },
		{ " 1\n", FACTS_UNKNOWN }, { "1 \n", FACTS_UNKNOWN }, { "x\n", FACTS_UNKNOWN },
		{ "99999999999999999999\n", FACTS_UNKNOWN }, { "8\nsecond line", 8 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(linux_parse_sysctl(cases[i].in, strlen(cases[i].in)), cases[i].want);
	/* the length bounds it, not a terminator, and a NUL ends it */
	assert_int_equal(linux_parse_sysctl("12", 1), 1);
	assert_int_equal(linux_parse_sysctl("1\0" "2", 3), 1);
}

static void linux_parse_load_weight_values(void **state)
{
	static const struct { const char *in; long ncpu; int want; } cases[] = {
		{ "0.00 0.01 0.05 1/100 42\n", 1, 100 },
		{ "2.54 2.22 2.21 5/156 22617\n", 4, 37 },   /* 254 / 4 = 63 */
		{ "2.54 2.22 2.21 5/156 22617\n", 2, 0 },    /* 127 % of two cores */
		{ "0.5 0 0 1/1 1\n", 1, 50 },                /* one decimal is tenths */
		{ "0.505 0 0 1/1 1\n", 1, 50 },              /* two decimals are read */
		{ "1 0 0\n", 1, -EIO },                      /* no point: the first field runs on */
		{ "3.", 4, 25 },                             /* 300 / 4 */
		{ "0.25 0 0", 0, 75 },                       /* no processor reported: one */
		{ "", 1, -EIO }, { ".50 0 0", 1, -EIO }, { "x.50", 1, -EIO }, { "1.x0 0", 1, -EIO },
		{ "1000001.00 0 0", 1, -EIO }, { "1000000.99 0 0", 8, 0 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(linux_parse_load_weight(cases[i].in, strlen(cases[i].in), cases[i].ncpu),
				 cases[i].want);
	assert_int_equal(linux_parse_load_weight("0.25", 3, 1), 80); /* "0.2": len bounds it */
}

/* Lines of this host's /proc/net/tcp{,6} (uid and inode changed) */
static const char tcp_header[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
static const char tcp_any_2024[] =
	"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1084 1 "
	"000000005b499620 100 0 0 10 0\n";
static const char tcp_lo_53[] =
	"   1: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 2211 1 "
	"0000000000000000 100 0 0 10 5\n";
static const char tcp_established[] =
	"   2: 0200000A:0016 0300000A:D431 01 00000000:00000000 02:0009C5A5 00000000     0        0 3311 2 "
	"0000000000000000 20 4 31 10 -1\n";
static const char tcp6_lo_631[] =
	"   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 4412 1 0000000000000000 100 0 0 10 0\n";

static void line(const char *s, int v6)
{
	linux_parse_tcp_line(&f, s, strlen(s), v6);
}

static void assert_listener(size_t i, const char *addr, uint16_t port)
{
	struct ip_addr a;

	assert_true(i < f.n_listeners);
	assert_int_equal(ipaddr_parse(addr, &a), 0);
	assert_true(ipaddr_equal(&f.listeners[i].addr, &a));
	assert_int_equal(f.listeners[i].port, port);
	assert_int_equal(f.listeners[i].proto, FACTS_PROTO_TCP);
}

static void linux_parse_tcp_lines(void **state)
{
	static const char *const skipped[] = {
		"", "\n", "   0: 0100007F:0035 00000000:0000\n",                    /* no state */
		"   0: 0100007F:0035 00000000:0000 0B 00000000:00000000\n",         /* TIME_WAIT-ish */
		"   0: 0100007F:10000 00000000:0000 0A 0\n",                       /* port > 65535 */
		"   0: 0100007:0035 00000000:0000 0A 0\n",                         /* 7 digits */
		"   0: 0100007G:0035 00000000:0000 0A 0\n",                        /* not hex */
		"   0: 0100007F: 00000000:0000 0A 0\n",                            /* no port */
		"   0: 0100007F0035 00000000:0000 0A 0\n",                         /* no colon */
		"   0: 00000000000000000000000001000000:0277 0:0 0A 0\n",         /* a v6 address */
	};
	char longline[700];
	size_t i;
	(void)state;

	facts_init(&f, FACTS_OS_LINUX);
	line(tcp_header, 0);
	line(tcp_any_2024, 0);
	line(tcp_lo_53, 0);
	line(tcp_established, 0);
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		line(skipped[i], 0);
	assert_int_equal(f.n_listeners, 2);
	assert_listener(0, "0.0.0.0", 2024);
	assert_listener(1, "127.0.0.1", 53);
	assert_int_equal(f.listeners[0].v6only, FACTS_UNKNOWN);

	facts_init(&f, FACTS_OS_LINUX);
	line(tcp_any_2024, 1);                   /* a v4 line in tcp6 */
	line(tcp6_lo_631, 1);
	assert_int_equal(f.n_listeners, 1);
	assert_listener(0, "::1", 631);

	/* not NUL-terminated: only len bytes count ("0A" cut to "0") */
	facts_init(&f, FACTS_OS_LINUX);
	linux_parse_tcp_line(&f, tcp_lo_53, (size_t)(strstr(tcp_lo_53, " 0A ") - tcp_lo_53) + 2, 0);
	assert_int_equal(f.n_listeners, 0);
	/* a line longer than the reader's buffer counts from its start, as fgets() cut it */
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, tcp_lo_53, strlen(tcp_lo_53) - 1);
	linux_parse_tcp_line(&f, longline, sizeof(longline), 0);
	assert_int_equal(f.n_listeners, 1);
	memset(longline, ' ', sizeof(longline));
	memcpy(longline + 520, "0 0100007F:0035 0:0 0A", 22);
	linux_parse_tcp_line(&f, longline, sizeof(longline), 0);
	assert_int_equal(f.n_listeners, 1);
}

/* --- sock_diag ---------------------------------------------------------- */

static uint32_t dgram[1024]; /* 4-byte aligned, as the agent's recv buffer */
static size_t dlen;

static void *put(size_t n)
{
	char *p = (char *)dgram + dlen;

	assert_true(dlen + NLMSG_ALIGN(n) <= sizeof(dgram));
	memset(p, 0, NLMSG_ALIGN(n));
	dlen += NLMSG_ALIGN(n);
	return p;
}

static void put_listener(uint8_t family, const void *src, size_t src_len, uint16_t port, int v6only)
{
	size_t len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)) + (v6only >= 0 ? RTA_LENGTH(1) : 0);
	struct nlmsghdr *h = put(len);
	struct inet_diag_msg *m = NLMSG_DATA(h);

	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_MULTI;
	m->idiag_family = family;
	m->idiag_state = 10;
	m->id.idiag_sport = htons(port);
	memcpy(m->id.idiag_src, src, src_len);
	if (v6only >= 0) {
		struct rtattr *rta = (struct rtattr *)(m + 1);

		rta->rta_len = RTA_LENGTH(1);
		rta->rta_type = INET_DIAG_SKV6ONLY;
		*(uint8_t *)RTA_DATA(rta) = (uint8_t)v6only;
	}
}

static void put_done(void)
{
	struct nlmsghdr *h = put(NLMSG_LENGTH(sizeof(int)));

	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	h->nlmsg_type = NLMSG_DONE;
}

static void put_error(int error, size_t len)
{
	struct nlmsghdr *h = put(NLMSG_LENGTH(sizeof(struct nlmsgerr)));

	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = NLMSG_ERROR;
	((struct nlmsgerr *)NLMSG_DATA(h))->error = error;
}

static void linux_parse_diag_replies(void **state)
{
	static const uint8_t lo4[4] = { 127, 0, 0, 1 }, any6[16] = { 0 };
	static const uint8_t lo6[16] = { [15] = 1 };
	size_t whole;
	(void)state;

	/* two listeners and the end, in one datagram */
	facts_init(&f, FACTS_OS_LINUX);
	dlen = 0;
	put_listener(AF_INET, lo4, 4, 53, -1);
	put_listener(AF_INET6, any6, 16, 22, 1);
	put_listener(AF_INET6, lo6, 16, 631, 0);
	whole = dlen;
	put_done();
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), 1);
	assert_int_equal(f.n_listeners, 3);
	assert_listener(0, "127.0.0.1", 53);
	assert_int_equal(f.listeners[0].v6only, FACTS_UNKNOWN);
	assert_listener(1, "::", 22);
	assert_int_equal(f.listeners[1].v6only, 1);
	assert_listener(2, "::1", 631);
	assert_int_equal(f.listeners[2].v6only, 0);

	/* without NLMSG_DONE more is to come */
	facts_init(&f, FACTS_OS_LINUX);
	assert_int_equal(linux_parse_diag(&f, dgram, whole), 0);
	assert_int_equal(f.n_listeners, 3);
	/* truncated inside the second message: the first counts, the rest not */
	facts_init(&f, FACTS_OS_LINUX);
	assert_int_equal(linux_parse_diag(&f, dgram, NLMSG_LENGTH(sizeof(struct inet_diag_msg)) + 40), 0);
	assert_int_equal(f.n_listeners, 1);
	/* shorter than a header, empty */
	assert_int_equal(linux_parse_diag(&f, dgram, NLMSG_HDRLEN - 1), 0);
	assert_int_equal(linux_parse_diag(&f, dgram, 0), 0);

	/* a datagram whose end is not aligned: the walk stops there.  It went
	 * on once (found by fuzz_agent_diag), into what an earlier datagram
	 * left in the buffer: here a listener on port 99. */
	facts_init(&f, FACTS_OS_LINUX);
	dlen = 0;
	put_listener(AF_INET6, any6, 16, 22, 1);   /* 93 bytes */
	put_listener(AF_INET, lo4, 4, 99, -1);
	assert_int_equal(linux_parse_diag(&f, dgram, ((struct nlmsghdr *)dgram)->nlmsg_len), 0);
	assert_int_equal(f.n_listeners, 1);
	assert_int_equal(f.listeners[0].v6only, 1);

	/* a message too short for inet_diag_msg and an unknown family are skipped */
	facts_init(&f, FACTS_OS_LINUX);
	dlen = 0;
	put_listener(AF_INET, lo4, 4, 80, -1);
	((struct nlmsghdr *)dgram)->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg) - 1);
	put_listener(AF_UNIX, lo4, 4, 81, -1);
	put_listener(AF_INET, lo4, 4, 82, -1);
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), 0);
	assert_int_equal(f.n_listeners, 1);
	assert_int_equal(f.listeners[0].port, 82);

	/* errors: the kernel's errno; an ACK, a positive value or a short
	 * message is -EIO (a positive one was once returned as is) */
	dlen = 0;
	put_error(-EINVAL, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), -EINVAL);
	dlen = 0;
	put_error(0, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), -EIO);
	dlen = 0;
	put_error(EINVAL, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), -EIO);
	dlen = 0;
	put_error(-EINVAL, NLMSG_HDRLEN + 2);
	assert_int_equal(linux_parse_diag(&f, dgram, dlen), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linux_parse_sysctl_values),
		cmocka_unit_test(linux_parse_load_weight_values),
		cmocka_unit_test(linux_parse_tcp_lines),
		cmocka_unit_test(linux_parse_diag_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
