/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the kernel's answers to libdsrkit-ipvs, through the
 * library's own send/recv seam (struct ipvs_transport, as the unit tests'
 * fake kernel uses it).  The first byte picks which public calls run, in
 * this order, on one handle: the service and destination dumps
 * (ipvs_table_read, stats included), the sync daemon dump
 * (ipvs_sync_daemon_get), one GET_SERVICE (ipvs_service_get), one
 * acknowledged request (ipvs_service_add), a plan (ipvs_plan_make: a
 * service dump and destination dumps, or with bit 6 the pipelined
 * GET_SERVICE batch of IPVS_PLAN_GIVEN_ONLY) and its execution (pipelined
 * acknowledgements).  The rest is the sequence of datagrams the kernel
 * answers with (tests/fuzz/nl_feed.h), shared by the calls in turn.
 * Every result must be 0 or a negative errno, every table hold only
 * services of a valid family, and the handle's error text stay a string;
 * LeakSanitizer sees every table, plan and handle freed. */
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs-plugin/ipvs-int.h"
#include "tests/fuzz/nl_feed.h"

#define FUZZ_FAMILY 0x42 /* the unit tests' fake kernel's family id */

enum {
	OP_TABLE = 0x01,
	OP_SYNC = 0x02,
	OP_GET = 0x04,
	OP_ADD = 0x08,
	OP_PLAN = 0x10,
	OP_EXEC = 0x20,
	OP_GIVEN = 0x40, /* the plan reads with IPVS_PLAN_GIVEN_ONLY */
};

static int tp_send(void *ctx, const void *data, size_t len)
{
	struct nl_feed *f = ctx;
	struct nlmsghdr h;

	if (len < sizeof(h))
		abort(); /* the library never sends less than one header */
	memcpy(&h, data, sizeof(h));
	f->seq = h.nlmsg_seq;
	f->sends++;
	return 0;
}

/* Copies one datagram into buf as recvmmsg would, and poisons the rest of
 * the caller's cap: a read past the datagram (stale bytes of an earlier
 * receive, in the real transport) is an ASan report here. */
static ssize_t tp_recv(void *ctx, void *buf, size_t cap)
{
	struct nl_feed *f = ctx;
	const uint8_t *d;
	size_t len;
	unsigned flags;
	int r;

	ASAN_UNPOISON_MEMORY_REGION(buf, cap);
	r = nl_feed_next(f, &d, &len, &flags);
	if (r == 0)
		return -EAGAIN;
	if (r < 0)
		return r;
	if (len > cap)
		return -EMSGSIZE;
	memcpy(buf, d, len);
	nl_feed_stamp(f, buf, len, flags);
	ASAN_POISON_MEMORY_REGION((uint8_t *)buf + len, cap - len);
	return (ssize_t)len;
}

static const struct ipvs_transport feed_transport = {
	.send = tp_send,
	.recv = tp_recv,
	.close = NULL,
};

static void check_result(const struct ipvs *h, int r)
{
	if (r > 0 || r < -4095)
		abort();
	if (strnlen(ipvs_errmsg(h), IPVS_ERRMSG_MAX) >= IPVS_ERRMSG_MAX)
		abort();
}

static void check_table(const struct ipvs_table *t)
{
	size_t i, j;

	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);

		if (s->af != AF_INET && s->af != AF_INET6)
			abort();
		if (strnlen(s->sched, IPVS_SCHED_MAX) >= IPVS_SCHED_MAX ||
		    strnlen(s->pe, IPVS_PE_MAX) >= IPVS_PE_MAX)
			abort();
		for (j = 0; j < ipvs_table_dest_count(t, i); j++)
			if ((unsigned)ipvs_table_dest(t, i, j)->fwd >= IPVS_FWD_COUNT)
				abort();
	}
}

/* What dsrctl apply would want: two services, one with two destinations. */
static struct ipvs_table *desired_table(void)
{
	struct ipvs_table *t = ipvs_table_new();
	struct ipvs_service s = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = 80, .sched = "wlc" };
	struct ipvs_service m = { .af = AF_INET, .fwmark = 7, .sched = "rr" };
	struct ipvs_dest d = { .port = 80, .fwd = IPVS_FWD_DR, .weight = 1 };
	int i;

	if (!t)
		abort();
	s.addr.v4.s_addr = htonl(0xc0000264); /* 192.0.2.100 */
	if ((i = ipvs_table_service_add(t, &s)) < 0)
		abort();
	d.addr.v4.s_addr = htonl(0xc000020b); /* 192.0.2.11 */
	if (ipvs_table_dest_add(t, (size_t)i, &d) < 0)
		abort();
	d.addr.v4.s_addr = htonl(0xc000020c);
	if (ipvs_table_dest_add(t, (size_t)i, &d) < 0)
		abort();
	if (ipvs_table_service_add(t, &m) < 0)
		abort();
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_feed f = { 0 };
	struct ipvs *h;
	unsigned ops;
	int r;

	if (size < 1)
		return 0;
	ops = data[0];
	f.p = data + 1;
	f.n = size - 1;
	if (ipvs_open_transport(&h, &feed_transport, &f, FUZZ_FAMILY) < 0)
		abort();

	if (ops & OP_TABLE) {
		struct ipvs_table *t = NULL;

		r = ipvs_table_read(h, &t);
		check_result(h, r);
		if ((r == 0) != (t != NULL))
			abort();
		if (t)
			check_table(t);
		ipvs_table_free(t);
	}
	if (ops & OP_SYNC) {
		struct ipvs_sync_daemon dm[2];
		size_t n = 99, i;

		r = ipvs_sync_daemon_get(h, dm, 2, &n);
		check_result(h, r);
		if (n > 2 || (r < 0 && n != 0))
			abort();
		for (i = 0; i < n; i++)
			if (strnlen(dm[i].mcast_ifn, IPVS_IFNAME_MAX) >= IPVS_IFNAME_MAX)
				abort();
	}
	if (ops & OP_GET) {
		struct ipvs_service key = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = 80 }, out;

		r = ipvs_service_get(h, &key, &out);
		check_result(h, r);
		if (r == 0 && out.af != AF_INET && out.af != AF_INET6)
			abort();
	}
	if (ops & OP_ADD) {
		struct ipvs_service s = { .af = AF_INET6, .protocol = IPPROTO_UDP, .port = 53, .sched = "mh" };

		r = ipvs_service_add(h, &s);
		check_result(h, r);
	}
	if (ops & (OP_PLAN | OP_EXEC)) {
		struct ipvs_table *want = desired_table();
		struct ipvs_plan *p = NULL;

		r = ipvs_plan_make(h, want, (ops & OP_GIVEN) ? want : NULL,
				   (ops & OP_GIVEN) ? IPVS_PLAN_GIVEN_ONLY | IPVS_PLAN_DELETE_PREVIOUS : 0, &p);
		check_result(h, r);
		if ((r == 0) != (p != NULL))
			abort();
		if (p && (ops & OP_EXEC)) {
			size_t i;

			r = ipvs_plan_execute(h, p);
			check_result(h, r);
			for (i = 0; i < ipvs_plan_count(p); i++)
				check_result(h, ipvs_plan_op(p, i)->error);
			if (r == 0 && ipvs_plan_failed(p) != 0)
				abort();
		}
		ipvs_plan_free(p);
		ipvs_table_free(want);
	}
	ASAN_UNPOISON_MEMORY_REGION(h->rbuf, IPVS_RECV_MAX);
	ipvs_close(h);
	return 0;
}
