/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the generic check state machine with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checker/lib/check_sm.h"
#include "checker/lib/verdict.h"

static struct verdict ok_v, bad_v;

static int setup(void **state)
{
	(void)state;
	verdict_ok(&ok_v);
	verdict_fail(&bad_v, CHECK_LAYER_FACTS, "VIP_MISSING", "VIP not on loopback");
	return 0;
}

static enum check_event run(struct check_sm *sm, int64_t *now, int ok)
{
	assert_true(check_sm_due(sm, *now));
	check_sm_probe_started(sm, *now);
	*now += 5;
	return check_sm_result(sm, ok ? &ok_v : &bad_v, *now);
}

static void first_result_decides(void **state)
{
	struct check_params p = { .interval_ms = 1000, .timeout_ms = 500, .rise = 3, .fall = 2 };
	struct check_sm a, b;
	int64_t now = 0;
	(void)state;

	check_sm_init(&a, &p, now);
	assert_int_equal(a.state, CHECK_STATE_INIT);
	assert_int_equal(run(&a, &now, 1), CHECK_EVENT_WENT_UP);
	assert_int_equal(a.state, CHECK_STATE_UP);
	now = 0;
	check_sm_init(&b, &p, now);
	assert_int_equal(run(&b, &now, 0), CHECK_EVENT_WENT_DOWN);
	assert_string_equal(b.cause.code, "VIP_MISSING");
}

static void fall_needs_consecutive_failures(void **state)
{
	struct check_params p = { .interval_ms = 1000, .timeout_ms = 500, .retry_ms = 200, .rise = 2, .fall = 3 };
	struct check_sm sm;
	int64_t now = 0;
	(void)state;

	check_sm_init(&sm, &p, now);
	run(&sm, &now, 1);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_NONE);
	/* a failure while up: the next probe comes after retry, not interval */
	assert_int_equal(sm.next_due_ms, now + 200);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 1), CHECK_EVENT_NONE); /* a success resets */
	assert_int_equal(sm.health, 4);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_WENT_DOWN);
	assert_int_equal(sm.state, CHECK_STATE_DOWN);
	assert_int_equal(sm.health, 0);
	assert_int_equal(sm.n_failures, 5);
}

static void rise_needs_consecutive_successes(void **state)
{
	struct check_params p = { .interval_ms = 1000, .timeout_ms = 500, .rise = 3, .fall = 1 };
	struct check_sm sm;
	int64_t now = 0;
	(void)state;

	check_sm_init(&sm, &p, now);
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_WENT_DOWN);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 1), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_NONE); /* back to 0 */
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 1), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 1), CHECK_EVENT_NONE);
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 1), CHECK_EVENT_WENT_UP);
	assert_string_equal(sm.cause.code, "OK");
	/* fall=1: one failure takes it down */
	now = sm.next_due_ms;
	assert_int_equal(run(&sm, &now, 0), CHECK_EVENT_WENT_DOWN);
}

static void interval_and_timeout(void **state)
{
	struct check_params p = { .interval_ms = 1000, .timeout_ms = 300, .rise = 1, .fall = 1 };
	struct check_sm sm;
	int64_t now = 100;
	(void)state;

	check_sm_init(&sm, &p, now);
	assert_true(check_sm_due(&sm, now));
	check_sm_probe_started(&sm, now);
	assert_false(check_sm_due(&sm, now + 5000)); /* one probe at a time */
	assert_int_equal(check_sm_probe_deadline(&sm), 400);
	check_sm_result(&sm, &ok_v, 150);
	assert_int_equal(sm.last_duration_ms, 50);
	/* the steady interval counts from the probe's start */
	assert_int_equal(sm.next_due_ms, 1100);
	assert_false(check_sm_due(&sm, 1099));
	assert_true(check_sm_due(&sm, 1100));
	assert_int_equal(check_sm_probe_deadline(&sm), -1);
}

static void params_clamped_and_reload(void **state)
{
	struct check_params p = { .interval_ms = 0, .timeout_ms = 0, .rise = 0, .fall = 0 };
	struct check_params q = { .interval_ms = 2000, .timeout_ms = 1000, .rise = 5, .fall = 5 };
	struct check_sm sm;
	int64_t now = 0;
	(void)state;

	check_sm_init(&sm, &p, now);
	assert_int_equal(sm.p.rise, 1);
	assert_int_equal(sm.p.fall, 1);
	assert_true(sm.p.interval_ms >= 10);
	run(&sm, &now, 1);
	check_sm_set_params(&sm, &q);
	assert_int_equal(sm.state, CHECK_STATE_UP);
	assert_true(sm.health >= q.rise);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_result_decides),
		cmocka_unit_test(fall_needs_consecutive_failures),
		cmocka_unit_test(rise_needs_consecutive_successes),
		cmocka_unit_test(interval_and_timeout),
		cmocka_unit_test(params_clamped_and_reload),
	};
	return cmocka_run_group_tests_name("check_sm", tests, setup, NULL);
}
