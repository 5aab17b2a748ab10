/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the IPVS messages: what we build parses back to the same
 * values, hostile answers are refused, and errors keep the kernel's errno
 * with the operation and the object in the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/ipvs-plugin/fake_kernel.h"

static struct ipvs_service svc4(const char *ip, uint16_t port)
{
	struct ipvs_service s;

	memset(&s, 0, sizeof(s));
	s.af = AF_INET;
	s.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, ip, &s.addr);
	s.port = port;
	snprintf(s.sched, sizeof(s.sched), "rr");
	return s;
}

static struct ipvs_dest dest4(const char *ip, uint16_t port, int32_t w)
{
	struct ipvs_dest d;

	memset(&d, 0, sizeof(d));
	d.af = AF_INET;
	inet_pton(AF_INET, ip, &d.addr);
	d.port = port;
	d.weight = w;
	return d;
}

/* Build one message and parse it back through ipvs_msg_next/parse. */
static int roundtrip(uint8_t cmd, const struct ipvs_service *s, const struct ipvs_dest *d,
		     struct ipvs_service *so, struct ipvs_dest *dout)
{
	struct buf b;
	struct ipvs_msg_view v;
	size_t off = 0;
	int r;

	buf_init(&b, 4096);
	assert_int_equal(ipvs_msg_build(&b, 0x42, 7, NLM_F_REQUEST | NLM_F_ACK, cmd, s, d, 1), 0);
	assert_int_equal(ipvs_msg_next(b.data, b.len, &off, &v), 1);
	assert_int_equal(v.type, 0x42);
	assert_int_equal(v.seq, 7);
	assert_int_equal(v.cmd, cmd);
	r = ipvs_msg_parse(v.attrs, v.attrs_len, so, dout);
	assert_int_equal(ipvs_msg_next(b.data, b.len, &off, &v), 0);
	buf_free(&b);
	return r;
}

static void service_v4_roundtrip(void **state)
{
	struct ipvs_service s = svc4("192.0.2.100", 80), o;
	(void)state;

	s.flags = IPVS_SVC_F_PERSISTENT | IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2;
	snprintf(s.sched, sizeof(s.sched), "%s", "mh");
	s.timeout = 300;
	s.netmask = 24;
	assert_int_equal(roundtrip(IPVS_CMD_NEW_SERVICE, &s, NULL, &o, NULL), 1);
	assert_true(ipvs_service_key_equal(&s, &o));
	assert_true(ipvs_service_attrs_equal(&s, &o));
	assert_string_equal(o.sched, "mh");
	assert_int_equal(o.port, 80);
	assert_int_equal(o.netmask, 24);
	assert_int_equal(o.flags, s.flags);
}

static void service_v6_fwmark_roundtrip(void **state)
{
	struct ipvs_service s, o;
	(void)state;

	memset(&s, 0, sizeof(s));
	s.af = AF_INET6;
	s.fwmark = 7;
	snprintf(s.sched, sizeof(s.sched), "%s", "wlc");
	s.timeout = 60;
	s.netmask = 64;
	snprintf(s.pe, sizeof(s.pe), "%s", "sip");
	assert_int_equal(roundtrip(IPVS_CMD_NEW_SERVICE, &s, NULL, &o, NULL), 1);
	assert_int_equal(o.af, AF_INET6);
	assert_int_equal(o.fwmark, 7);
	assert_int_equal(o.netmask, 64);
	assert_string_equal(o.pe, "sip");
	assert_true(ipvs_service_attrs_equal(&s, &o));

	memset(&s, 0, sizeof(s));
	s.af = AF_INET6;
	s.protocol = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::100", &s.addr);
	s.port = 53;
	assert_int_equal(roundtrip(IPVS_CMD_NEW_SERVICE, &s, NULL, &o, NULL), 1);
	assert_true(ipvs_service_key_equal(&s, &o));
	assert_int_equal(o.netmask, 128); /* default sent as host length */
	assert_true(ipvs_service_attrs_equal(&s, &o));
}

static void dest_roundtrip_every_method(void **state)
{
	struct ipvs_service s = svc4("192.0.2.100", 80), so;
	enum ipvs_fwd f;
	(void)state;

	for (f = IPVS_FWD_DR; f < IPVS_FWD_COUNT; f++) {
		struct ipvs_dest d = dest4("192.0.2.11", 80, 5), o;

		d.fwd = f;
		d.u_threshold = 100;
		d.l_threshold = 10;
		if (f == IPVS_FWD_TUN) {
			d.tun_type = 1;
			d.tun_port = 6080;
			d.tun_flags = 2;
		}
		assert_int_equal(roundtrip(IPVS_CMD_NEW_DEST, &s, &d, &so, &o), 3);
		assert_true(ipvs_service_key_equal(&s, &so));
		assert_true(ipvs_dest_key_equal(&d, &o));
		assert_true(ipvs_dest_attrs_equal(&d, &o));
		assert_int_equal(o.fwd, f);
	}
}

/* Hostile datagrams: ipvs_msg_next must refuse them without reading past. */
static void msg_next_hostile(void **state)
{
	struct {
		const char *name;
		uint32_t len;      /* nlmsg_len */
		uint16_t type;
		size_t bytes;      /* datagram length */
		int err;           /* NLMSG_ERROR value */
		int want;
	} cases[] = {
		{ "empty", 0, 0, 0, 0, 0 },
		{ "short header", 16, NLMSG_DONE, 8, 0, -EINVAL },
		{ "len below header", 8, NLMSG_DONE, 16, 0, -EINVAL },
		{ "len past datagram", 64, NLMSG_DONE, 32, 0, -EINVAL },
		{ "error without body", 16, NLMSG_ERROR, 16, 0, -EINVAL },
		{ "positive errno", 36, NLMSG_ERROR, 36, 5, -EINVAL },
		{ "huge errno", 36, NLMSG_ERROR, 36, -100000, -EINVAL },
		{ "family msg without genl header", 18, 0x42, 20, 0, -EINVAL },
		{ "good error", 36, NLMSG_ERROR, 36, -ENOENT, 1 },
		{ "good done", 20, NLMSG_DONE, 20, 0, 1 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t data[64];
		struct nlmsghdr h = { .nlmsg_len = cases[i].len, .nlmsg_type = cases[i].type };
		struct ipvs_msg_view v;
		size_t off = 0;
		int r;

		memset(data, 0, sizeof(data));
		memcpy(data, &h, sizeof(h));
		memcpy(data + sizeof(h), &cases[i].err, sizeof(int));
		r = ipvs_msg_next(data, cases[i].bytes, &off, &v);
		if (r != cases[i].want)
			fail_msg("case '%s': got %d, want %d", cases[i].name, r, cases[i].want);
		if (r == 1 && cases[i].type == NLMSG_ERROR)
			assert_int_equal(v.error, -ENOENT);
	}
}

/* Malformed attributes inside a well-formed message. */
static void parse_hostile_attrs(void **state)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	uint8_t a[64];
	struct nlattr *outer = (struct nlattr *)a, *inner = (struct nlattr *)(a + 4);
	(void)state;

	/* service nest with an AF attribute one byte long */
	memset(a, 0, sizeof(a));
	outer->nla_type = IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED;
	outer->nla_len = 4 + 5;
	inner->nla_type = IPVS_SVC_ATTR_AF;
	inner->nla_len = 5;
	assert_int_equal(ipvs_msg_parse(a, 12, &s, &d), -EINVAL);
	/* nested length past the buffer */
	outer->nla_len = 60;
	assert_true(ipvs_msg_parse(a, 12, &s, &d) <= 0);
	/* unknown family */
	outer->nla_len = 4 + 8;
	inner->nla_len = 6;
	a[8] = 99;
	assert_int_equal(ipvs_msg_parse(a, 12, &s, &d), -EINVAL);
	/* dest without port */
	memset(a, 0, sizeof(a));
	outer->nla_type = IPVS_CMD_ATTR_DEST | NLA_F_NESTED;
	outer->nla_len = 4 + 8;
	inner->nla_type = IPVS_DEST_ATTR_ADDR;
	inner->nla_len = 8;
	assert_int_equal(ipvs_msg_parse(a, 12, &s, &d), -EINVAL);
	/* nothing at all is fine: no attributes found */
	assert_int_equal(ipvs_msg_parse(a, 0, &s, &d), 0);
}

static void errors_keep_kernel_errno_and_name_object(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_service s = svc4("192.0.2.100", 80);
	struct ipvs_dest d = dest4("192.0.2.11", 80, 1);
	(void)state;

	/* no such service: ESRCH, not merged with ENOENT */
	assert_int_equal(ipvs_dest_add(h, &s, &d), -ESRCH);
	assert_string_equal(ipvs_errmsg(h),
			    "ipvs: add dest 192.0.2.11:80 to TCP 192.0.2.100:80: No such process");
	assert_int_equal(ipvs_service_add(h, &s), 0);
	assert_string_equal(ipvs_errmsg(h), "");
	assert_int_equal(ipvs_service_add(h, &s), -EEXIST);
	/* no such dest in an existing service: ENOENT */
	assert_int_equal(ipvs_dest_del(h, &s, &d), -ENOENT);
	assert_string_equal(ipvs_errmsg(h),
			    "ipvs: delete dest 192.0.2.11:80 from TCP 192.0.2.100:80: No such file or directory");
	assert_int_equal(ipvs_dest_add(h, &s, &d), 0);
	d.weight = 0;
	assert_int_equal(ipvs_dest_edit(h, &s, &d), 0);
	assert_int_equal(fake_find(fk, &s)->d[0].weight, 0);
	fake_close(h, fk);
}

static void get_dump_and_flush(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *t;
	struct ipvs_service s, o;
	char ip[32];
	int i, j;
	(void)state;

	for (i = 0; i < 10; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i + 1);
		s = svc4(ip, 80);
		assert_int_equal(ipvs_service_add(h, &s), 0);
		for (j = 0; j < 4; j++) {
			struct ipvs_dest d;

			snprintf(ip, sizeof(ip), "192.0.2.%d", 11 + j);
			d = dest4(ip, 80, j);
			assert_int_equal(ipvs_dest_add(h, &s, &d), 0);
		}
	}
	assert_int_equal(ipvs_service_get(h, &s, &o), 0);
	assert_true(ipvs_service_key_equal(&s, &o));
	s.port = 81;
	assert_int_equal(ipvs_service_get(h, &s, &o), -ESRCH);
	assert_int_equal(ipvs_table_read(h, &t), 0);
	assert_int_equal(ipvs_table_service_count(t), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ipvs_table_dest_count(t, (size_t)i), 4);
	ipvs_table_free(t);
	assert_int_equal(ipvs_flush(h), 0);
	assert_int_equal(fake_service_count(fk), 0);
	fake_close(h, fk);
}

/* A transport that answers every request with one acknowledgement (error
 * 0) and nothing else. */
struct ack_only {
	uint32_t seq;
	int answered;
};

static int ack_only_send(void *ctx, const void *data, size_t len)
{
	struct ack_only *a = ctx;
	struct nlmsghdr h;

	assert_true(len >= sizeof(h));
	memcpy(&h, data, sizeof(h));
	a->seq = h.nlmsg_seq;
	a->answered = 0;
	return 0;
}

static ssize_t ack_only_recv(void *ctx, void *buf, size_t cap)
{
	struct ack_only *a = ctx;
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;

	if (a->answered || cap < sizeof(m))
		return -EAGAIN;
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.h.nlmsg_seq = a->seq;
	memcpy(buf, &m, sizeof(m));
	a->answered = 1;
	return (ssize_t)sizeof(m);
}

/* fuzz_ipvs_dump found it: GET_SERVICE answered by an acknowledgement alone
 * returned 0 with *out never written (dsrctl drain then used stack bytes
 * as the service). */
static void get_ack_without_answer(void **state)
{
	static const struct ipvs_transport tp = { .send = ack_only_send, .recv = ack_only_recv };
	struct ack_only a = { 0 };
	struct ipvs_service s = svc4("192.0.2.100", 80), o;
	struct ipvs *h;
	(void)state;

	assert_int_equal(ipvs_open_transport(&h, &tp, &a, FAKE_FAMILY), 0);
	assert_int_equal(ipvs_service_get(h, &s, &o), -EPROTO);
	assert_non_null(strstr(ipvs_errmsg(h), "get service TCP 192.0.2.100:80"));
	ipvs_close(h);
}

static void format_texts(void **state)
{
	struct ipvs_op op;
	char out[128];
	(void)state;

	memset(&op, 0, sizeof(op));
	op.kind = IPVS_OP_SERVICE_DEL;
	op.svc.af = AF_INET6;
	op.svc.protocol = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::100", &op.svc.addr);
	op.svc.port = 53;
	assert_string_equal(ipvs_op_format(&op, out, sizeof(out)), "delete service UDP [2001:db8::100]:53");
	op.svc.fwmark = 9;
	assert_string_equal(ipvs_op_format(&op, out, sizeof(out)), "delete service FWM 9 IPv6");
	assert_string_equal(ipvs_fwd_name(IPVS_FWD_DR), "DR");
	assert_string_equal(ipvs_fwd_name(IPVS_FWD_COUNT), "?");
	/* truncation is safe */
	assert_int_equal(strlen(ipvs_op_format(&op, out, 8)), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(service_v4_roundtrip),
		cmocka_unit_test(service_v6_fwmark_roundtrip),
		cmocka_unit_test(dest_roundtrip_every_method),
		cmocka_unit_test(msg_next_hostile),
		cmocka_unit_test(parse_hostile_attrs),
		cmocka_unit_test(errors_keep_kernel_errno_and_name_object),
		cmocka_unit_test(get_dump_and_flush),
		cmocka_unit_test(get_ack_without_answer),
		cmocka_unit_test(format_texts),
	};

	return cmocka_run_group_tests_name("ipvs_msg", tests, NULL, NULL);
}
