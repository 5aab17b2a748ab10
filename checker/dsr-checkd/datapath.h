/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_datapath.h - dsr-checkd's VIP data-path probes (checker/datapath.c):
 * one private fwmark IPVS service per checked real server, created and
 * removed with it (leftovers in the mark range are removed at start, so a
 * crash never leaves junk in IPVS), and one probe per VIP/port target each
 * interval.  A target whose agent facts pass but whose data path fails is
 * down with layer "datapath".  Off unless `data_path` is set. */
#ifndef DSRKIT_CHECKER_CHECKD_DATAPATH_H
#define DSRKIT_CHECKER_CHECKD_DATAPATH_H

#include <stdint.h>

#include "checker/dsr-checkd/checkd-t.h"
#include "checker/lib/datapath.h"

/* Per-target probe state: heap-allocated, so the loop's pointers into it
 * survive the target array growing on a reload. */
struct checkd_dp_target {
	struct checkd_rs *rs;
	struct ip_addr vip;
	uint16_t port;
	struct datapath_probe probe;
	int running;
	struct loop_io io;
	struct loop_timer timer;
	int have;                 /* a result exists */
	struct verdict last;      /* the last probe's result */
	int64_t last_ms;
	uint32_t last_duration_ms;
	uint64_t n_probes, n_failures;
	int64_t started_ms;
};

/* After every configuration (start, reload): create what is missing,
 * remove what data_path off no longer wants.  Problems are logged and
 * shown in the probes' verdicts; never fatal. */
void checkd_dp_sync(struct checkd *d);

/* A real server (or one target) leaves the configuration. */
void checkd_dp_rs_free(struct checkd *d, struct checkd_rs *rs);
void checkd_dp_target_free(struct checkd *d, struct checkd_target *t);

/* Shutdown: remove every probe service. */
void checkd_dp_stop(struct checkd *d);

/* The verdict the state machine gets: the agent's, unless it passed and the
 * data path fails. */
void checkd_dp_combine(const struct checkd_target *t, const struct verdict *agent, struct verdict *out);

#endif
