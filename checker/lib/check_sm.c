/* SPDX-License-Identifier: Apache-2.0 */
/* check_sm.c - see check_sm.h. */
#include "checker/lib/check_sm.h"

#include <string.h>

#include "checker/lib/verdict.h"

static const char *const state_names[CHECK_STATE_COUNT] = {
	[CHECK_STATE_INIT] = "init",
	[CHECK_STATE_UP] = "up",
	[CHECK_STATE_DOWN] = "down",
};

enum check_event check_sm_result_now(struct check_sm *sm, const struct verdict *v, int64_t now_ms)
{
	if (!verdict_is_ok(v) && sm->state == CHECK_STATE_UP)
		sm->health = sm->p.rise;   /* the next failure is the last one */
	return check_sm_result(sm, v, now_ms);
}

const char *check_state_name(enum check_state s)
{
	return (unsigned)s < CHECK_STATE_COUNT ? state_names[s] : "unknown";
}

void check_sm_set_params(struct check_sm *sm, const struct check_params *p)
{
	uint32_t max;

	sm->p = *p;
	if (sm->p.rise < 1)
		sm->p.rise = 1;
	if (sm->p.fall < 1)
		sm->p.fall = 1;
	if (sm->p.interval_ms < 10)
		sm->p.interval_ms = 10;
	if (sm->p.timeout_ms < 10)
		sm->p.timeout_ms = 10;
	if (sm->p.retry_ms == 0 || sm->p.retry_ms > sm->p.interval_ms)
		sm->p.retry_ms = sm->p.interval_ms;
	max = sm->p.rise + sm->p.fall - 1;
	if (sm->health > max)
		sm->health = max;
	/* keep the state consistent with the counter under the new rise */
	if (sm->state == CHECK_STATE_UP && sm->health < sm->p.rise)
		sm->health = sm->p.rise;
	if (sm->state == CHECK_STATE_DOWN && sm->health >= sm->p.rise)
		sm->health = sm->p.rise - 1;
}

void check_sm_init(struct check_sm *sm, const struct check_params *p, int64_t now_ms)
{
	memset(sm, 0, sizeof(*sm));
	sm->state = CHECK_STATE_INIT;
	check_sm_set_params(sm, p);
	sm->next_due_ms = now_ms;
	sm->probe_started_ms = -1;
	sm->last_result_ms = -1;
	verdict_ok(&sm->last);
	verdict_ok(&sm->cause);
}

int check_sm_due(const struct check_sm *sm, int64_t now_ms)
{
	return sm->probe_started_ms < 0 && now_ms >= sm->next_due_ms;
}

void check_sm_probe_started(struct check_sm *sm, int64_t now_ms)
{
	sm->probe_started_ms = now_ms;
	sm->n_probes++;
}

int64_t check_sm_probe_deadline(const struct check_sm *sm)
{
	return sm->probe_started_ms < 0 ? -1 : sm->probe_started_ms + sm->p.timeout_ms;
}

enum check_event check_sm_result(struct check_sm *sm, const struct verdict *v, int64_t now_ms)
{
	uint32_t max = sm->p.rise + sm->p.fall - 1;
	enum check_event ev = CHECK_EVENT_NONE;
	int ok = verdict_is_ok(v);
	int64_t started = sm->probe_started_ms >= 0 ? sm->probe_started_ms : now_ms;

	sm->last = *v;
	sm->last_result_ms = now_ms;
	sm->last_duration_ms = (uint32_t)(now_ms - started);
	sm->probe_started_ms = -1;
	if (!ok)
		sm->n_failures++;

	switch (sm->state) {
	case CHECK_STATE_INIT:
		sm->state = ok ? CHECK_STATE_UP : CHECK_STATE_DOWN;
		sm->health = ok ? max : 0;
		ev = ok ? CHECK_EVENT_WENT_UP : CHECK_EVENT_WENT_DOWN;
		if (!ok)
			sm->cause = *v;
		break;
	case CHECK_STATE_UP:
		if (ok) {
			sm->health = max;
		} else if (sm->health > sm->p.rise) {
			sm->health--;
		} else {
			sm->state = CHECK_STATE_DOWN;
			sm->health = 0;
			sm->cause = *v;
			ev = CHECK_EVENT_WENT_DOWN;
		}
		break;
	case CHECK_STATE_DOWN:
		if (!ok) {
			sm->health = 0;
			sm->cause = *v; /* the latest reason it is still down */
		} else if (sm->health + 1 >= sm->p.rise) {
			sm->state = CHECK_STATE_UP;
			sm->health = max;
			verdict_ok(&sm->cause);
			ev = CHECK_EVENT_WENT_UP;
		} else {
			sm->health++;
		}
		break;
	case CHECK_STATE_COUNT:
		break;
	}
	/* probe faster while the state is in question (a failure while up, a
	 * success while down), at the steady interval otherwise */
	if ((sm->state == CHECK_STATE_UP && sm->health < max) ||
	    (sm->state == CHECK_STATE_DOWN && sm->health > 0))
		sm->next_due_ms = now_ms + sm->p.retry_ms;
	else
		sm->next_due_ms = started + sm->p.interval_ms > now_ms ? started + sm->p.interval_ms : now_ms;
	return ev;
}
