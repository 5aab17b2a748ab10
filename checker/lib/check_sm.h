/* SPDX-License-Identifier: Apache-2.0 */
/* check_sm.h - the one generic check state machine of dsrkit: interval,
 * timeout, retry and rise/fall hysteresis with a single health counter (as
 * HAProxy does).  A check type only probes and classifies; this module owns
 * when to probe and what a result means for the server's state.  Pure logic:
 * time comes in as an argument, so tests use a fake clock. */
#ifndef DSRKIT_CHECKER_CHECK_SM_H
#define DSRKIT_CHECKER_CHECK_SM_H

#include <stdint.h>

#include "checker/lib/verdict-t.h"

struct check_params {
	uint32_t interval_ms;     /* between probes in steady state */
	uint32_t timeout_ms;      /* a probe not finished by then failed */
	uint32_t retry_ms;        /* next probe after a failure, while the state may change */
	uint32_t rise;            /* consecutive successes to go up (>= 1) */
	uint32_t fall;            /* consecutive failures to go down (>= 1) */
};

enum check_state {
	CHECK_STATE_INIT,         /* no result yet */
	CHECK_STATE_UP,
	CHECK_STATE_DOWN,
	CHECK_STATE_COUNT
};

enum check_event {
	CHECK_EVENT_NONE,
	CHECK_EVENT_WENT_UP,
	CHECK_EVENT_WENT_DOWN,
	CHECK_EVENT_COUNT
};

struct check_sm {
	struct check_params p;
	enum check_state state;
	uint32_t health;          /* 0 .. rise + fall - 1; up when >= rise */
	int64_t next_due_ms;      /* when to start the next probe */
	int64_t probe_started_ms; /* -1: no probe running */
	int64_t last_result_ms;   /* -1: never */
	uint32_t last_duration_ms;
	uint64_t n_probes, n_failures;
	struct verdict last;      /* the last probe's verdict */
	struct verdict cause;     /* the failing verdict that took it down */
};

/* Start in CHECK_STATE_INIT with the first probe due at now_ms.  The first
 * result decides the state at once (a server is not held down for `rise`
 * intervals at start-up); after that, rise/fall apply.  Params are clamped
 * to sane minimums (rise, fall >= 1). */
void check_sm_init(struct check_sm *sm, const struct check_params *p, int64_t now_ms);

/* Keep the state and counters, take new timing parameters (a reload). */
void check_sm_set_params(struct check_sm *sm, const struct check_params *p);

/* True when a probe should start now. */
int check_sm_due(const struct check_sm *sm, int64_t now_ms);

/* A probe started. */
void check_sm_probe_started(struct check_sm *sm, int64_t now_ms);

/* The running probe's deadline (for the event loop's timer), or -1. */
int64_t check_sm_probe_deadline(const struct check_sm *sm);

/* A probe finished with verdict v (healthy or not); returns the state change. */
enum check_event check_sm_result(struct check_sm *sm, const struct verdict *v, int64_t now_ms);

/* The same, except that a failure takes an up server down at once (no
 * fall count): for results the agent pushed (a long-poll answer, a closed
 * connection, a missed heartbeat), which are news, not noise.  Going up
 * still needs `rise` successes. */
enum check_event check_sm_result_now(struct check_sm *sm, const struct verdict *v, int64_t now_ms);

const char *check_state_name(enum check_state s);

#endif
