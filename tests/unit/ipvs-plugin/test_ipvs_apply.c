/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of declarative apply through the seam: the diff, the trust
 * given to `previous`, races taken as success, and pipelining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/ipvs-plugin/fake_kernel.h"

/* n services 198.51.100.x:(1000+i/100), 4 dests each; weight w on dest 0
 * of the first `changed` services. */
static struct ipvs_table *make(int n, int changed, int32_t w)
{
	struct ipvs_table *t = ipvs_table_new();
	int i, j;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		struct ipvs_service s;
		char ip[32];
		int idx;

		memset(&s, 0, sizeof(s));
		s.af = AF_INET;
		s.protocol = IPPROTO_TCP;
		snprintf(ip, sizeof(ip), "198.51.100.%d", i % 100 + 1);
		inet_pton(AF_INET, ip, &s.addr);
		s.port = (uint16_t)(1000 + i / 100);
		snprintf(s.sched, sizeof(s.sched), "wlc");
		idx = ipvs_table_service_add(t, &s);
		assert_int_equal(idx, i);
		for (j = 0; j < 4; j++) {
			struct ipvs_dest d;

			memset(&d, 0, sizeof(d));
			d.af = AF_INET;
			snprintf(ip, sizeof(ip), "192.0.2.%d", 11 + j);
			inet_pton(AF_INET, ip, &d.addr);
			d.port = s.port;
			d.weight = (j == 0 && i < changed) ? w : 1;
			assert_int_equal(ipvs_table_dest_add(t, (size_t)idx, &d), 0);
		}
	}
	return t;
}

static void apply_ok(struct ipvs *h, const struct ipvs_table *want, const struct ipvs_table *prev,
		     unsigned flags, size_t nops)
{
	struct ipvs_plan *p;

	assert_int_equal(ipvs_plan_make(h, want, prev, flags, &p), 0);
	assert_int_equal(ipvs_plan_count(p), nops);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	assert_int_equal(ipvs_plan_failed(p), 0);
	ipvs_plan_free(p);
}

static void from_empty_then_noop(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *t = make(300, 0, 1);
	unsigned sends;
	(void)state;

	apply_ok(h, t, NULL, 0, 300 * 5);
	assert_int_equal(fake_service_count(fk), 300);
	/* pipelined: 1500 requests in a handful of sends, not 1500 */
	assert_true(fk->sends <= 1 + 1500 / 400 + 2);
	/* no-op, full compare: reads only */
	sends = fake_modifying_requests(fk);
	apply_ok(h, t, NULL, IPVS_PLAN_FULL, 0);
	assert_int_equal(fake_modifying_requests(fk), sends);
	ipvs_table_free(t);
	fake_close(h, fk);
}

static void change_touches_only_changed(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *a = make(200, 0, 1), *b = make(200, 2, 7);
	struct ipvs_plan *p;
	unsigned dumps;
	(void)state;

	apply_ok(h, a, NULL, 0, 1000);
	dumps = fk->cmds[IPVS_CMD_GET_DEST];
	assert_int_equal(ipvs_plan_make(h, b, a, 0, &p), 0);
	/* two dest edits; only the two changed services were dumped */
	assert_int_equal(ipvs_plan_count(p), 2);
	assert_int_equal(ipvs_plan_op(p, 0)->kind, IPVS_OP_DEST_EDIT);
	assert_int_equal(ipvs_plan_op(p, 0)->dest.weight, 7);
	assert_int_equal(fk->cmds[IPVS_CMD_GET_DEST] - dumps, 2);
	assert_int_equal(ipvs_plan_reads(p), 3);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	ipvs_plan_free(p);
	/* without previous, every service is compared: same two edits */
	assert_int_equal(ipvs_plan_make(h, a, NULL, 0, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 2);
	assert_int_equal(ipvs_plan_reads(p), 201);
	ipvs_plan_free(p);
	ipvs_table_free(a);
	ipvs_table_free(b);
	fake_close(h, fk);
}

static void never_touches_foreign_and_deletes_own(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *a = make(3, 0, 1), *b = make(2, 0, 1);
	struct ipvs_service foreign;
	struct ipvs_plan *p;
	(void)state;

	memset(&foreign, 0, sizeof(foreign));
	foreign.af = AF_INET;
	foreign.protocol = IPPROTO_UDP;
	foreign.port = 53;
	snprintf(foreign.sched, sizeof(foreign.sched), "rr");
	assert_int_equal(ipvs_service_add(h, &foreign), 0);
	apply_ok(h, a, NULL, 0, 15);
	/* service 3 was ours (in previous) and is gone from b: deleted; the
	 * foreign UDP service is in neither: untouched */
	assert_int_equal(ipvs_plan_make(h, b, a, 0, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 1);
	assert_int_equal(ipvs_plan_op(p, 0)->kind, IPVS_OP_SERVICE_DEL);
	assert_int_equal(ipvs_plan_op(p, 0)->svc.port, 1000);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	ipvs_plan_free(p);
	assert_non_null(fake_find(fk, &foreign));
	assert_int_equal(fake_service_count(fk), 3);
	/* without previous nothing is deleted */
	ipvs_table_free(a);
	a = make(0, 0, 1);
	apply_ok(h, a, NULL, 0, 0);
	ipvs_table_free(a);
	ipvs_table_free(b);
	fake_close(h, fk);
}

static void drift_in_kernel_is_repaired(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *a = make(5, 0, 1);
	struct fake_svc *v;
	struct ipvs_plan *p;
	(void)state;

	apply_ok(h, a, NULL, 0, 25);
	v = fake_find(fk, ipvs_table_service(a, 1));
	v->d[2].weight = 9;          /* someone edited a dest */
	v->nd--;                     /* and removed another */
	snprintf(fake_find(fk, ipvs_table_service(a, 2))->s.sched, IPVS_SCHED_MAX, "rr");
	/* trusted path: service 1 unchanged since previous, its dests unseen;
	 * service 2's attributes differ, so it is compared and repaired */
	assert_int_equal(ipvs_plan_make(h, a, a, 0, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 1);
	assert_int_equal(ipvs_plan_op(p, 0)->kind, IPVS_OP_SERVICE_EDIT);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	ipvs_plan_free(p);
	/* full: the dest drift is found too */
	assert_int_equal(ipvs_plan_make(h, a, a, IPVS_PLAN_FULL, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 2);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	ipvs_plan_free(p);
	apply_ok(h, a, NULL, IPVS_PLAN_FULL, 0);
	ipvs_table_free(a);
	fake_close(h, fk);
}

static void races_are_success_failures_are_reported(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *a = make(2, 0, 1);
	struct ipvs_plan *p;
	size_t i, failed = 0;
	(void)state;

	assert_int_equal(ipvs_plan_make(h, a, NULL, 0, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 10);
	/* someone adds service 0 between plan and execute */
	assert_int_equal(ipvs_service_add(h, ipvs_table_service(a, 0)), 0);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	assert_true(ipvs_plan_op(p, 0)->raced);
	ipvs_plan_free(p);

	/* real failures: every dest add refused; each op says so */
	assert_int_equal(ipvs_flush(h), 0);
	fk->fail_cmd = IPVS_CMD_NEW_DEST;
	fk->fail_errno = -EINVAL;
	assert_int_equal(ipvs_plan_make(h, a, NULL, 0, &p), 0);
	assert_int_equal(ipvs_plan_execute(h, p), -EIO);
	for (i = 0; i < ipvs_plan_count(p); i++)
		if (ipvs_plan_op(p, i)->error == -EINVAL) {
			assert_int_equal(ipvs_plan_op(p, i)->kind, IPVS_OP_DEST_ADD);
			failed++;
		}
	assert_int_equal(failed, 8);
	assert_int_equal(ipvs_plan_failed(p), 8);
	assert_string_equal(ipvs_errmsg(h),
			    "ipvs: add dest 192.0.2.11:1000 to TCP 198.51.100.1:1000: Invalid argument");
	ipvs_plan_free(p);
	ipvs_table_free(a);
	fake_close(h, fk);
}

static void given_only_reads_just_those(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_table *a = make(300, 0, 1), *b = make(5, 3, 4), *c = make(0, 0, 1);
	struct ipvs_plan *p;
	unsigned dumps;
	(void)state;

	apply_ok(h, a, NULL, 0, 1500);
	dumps = fk->cmds[IPVS_CMD_GET_SERVICE];
	/* 5 services given: 5 gets (no whole-table dump), 5 dest dumps,
	 * 3 edits; nothing deleted even though a has 295 more */
	assert_int_equal(ipvs_plan_make(h, b, a, IPVS_PLAN_GIVEN_ONLY, &p), 0);
	assert_int_equal(fk->cmds[IPVS_CMD_GET_SERVICE] - dumps, 5);
	assert_int_equal(ipvs_plan_reads(p), 10);
	assert_int_equal(ipvs_plan_count(p), 3);
	assert_int_equal(ipvs_plan_op(p, 2)->kind, IPVS_OP_DEST_EDIT);
	assert_int_equal(ipvs_plan_execute(h, p), 0);
	ipvs_plan_free(p);
	assert_int_equal(fake_service_count(fk), 300);
	/* a given service the kernel lacks is added */
	assert_int_equal(ipvs_flush(h), 0);
	assert_int_equal(ipvs_plan_make(h, b, NULL, IPVS_PLAN_GIVEN_ONLY, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 25);
	ipvs_plan_free(p);
	assert_int_equal(ipvs_plan_make(h, c, NULL, IPVS_PLAN_GIVEN_ONLY, &p), 0);
	assert_int_equal(ipvs_plan_count(p), 0);
	ipvs_plan_free(p);
	ipvs_table_free(a);
	ipvs_table_free(b);
	ipvs_table_free(c);
	fake_close(h, fk);
}

static void table_index_and_duplicates(void **state)
{
	struct ipvs_table *t = make(1000, 0, 1);
	struct ipvs_service s = *ipvs_table_service(t, 567);
	struct ipvs_dest d = *ipvs_table_dest(t, 567, 2);
	(void)state;

	assert_int_equal(ipvs_table_service_find(t, &s), 567);
	assert_int_equal(ipvs_table_service_add(t, &s), -EEXIST);
	assert_int_equal(ipvs_table_dest_find(t, 567, &d), 2);
	assert_int_equal(ipvs_table_dest_add(t, 567, &d), -EEXIST);
	s.port = 9;
	assert_int_equal(ipvs_table_service_find(t, &s), -ENOENT);
	s.af = 99;
	assert_int_equal(ipvs_table_service_add(t, &s), -EINVAL);
	assert_int_equal(ipvs_table_dest_add(t, 5000, &d), -EINVAL);
	assert_null(ipvs_table_service(t, 5000));
	ipvs_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(from_empty_then_noop),
		cmocka_unit_test(change_touches_only_changed),
		cmocka_unit_test(never_touches_foreign_and_deletes_own),
		cmocka_unit_test(drift_in_kernel_is_repaired),
		cmocka_unit_test(races_are_success_failures_are_reported),
		cmocka_unit_test(given_only_reads_just_those),
		cmocka_unit_test(table_index_and_duplicates),
	};

	return cmocka_run_group_tests_name("ipvs_apply", tests, NULL, NULL);
}
