/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_rs.h - dsr-checkd's real-server table: one entry per real server
 * (address and agent port), each with one kept-alive agent connection and
 * the VIPs/ports it carries; the probing of all of them, concurrently, from
 * the event loop. */
#ifndef DSRKIT_CHECKER_CHECKD_RS_H
#define DSRKIT_CHECKER_CHECKD_RS_H

#include "checker/dsr-checkd/checkd-t.h"

/* The agent path fetched: the whole document, judged for every target. */
#define CHECKD_STATUS_PATH "/v1/status"

/* New connections (TCP and TLS handshake) in flight at most, by default. */
#define CHECKD_MAX_CONNECTING 64

struct checkd_rs_diff {
	size_t added, removed, kept, targets_added, targets_removed;
};

/* Make the table match conf: real servers and targets that stay keep their
 * state and connection; new ones are scheduled (spread over one interval);
 * gone ones are closed.  d->params and d->default_agent_port must be set.
 * Returns 0 or -ENOMEM (the table is then unchanged or partially updated,
 * still consistent). */
__attribute__((warn_unused_result))
int checkd_rs_table_apply(struct checkd *d, const struct checkd_conf *conf, struct checkd_rs_diff *diff);

/* Close every connection and free the table. */
void checkd_rs_table_free(struct checkd *d);

/* The entry for addr and agent port, or NULL. */
struct checkd_rs *checkd_rs_find(const struct checkd *d, const struct ip_addr *addr, uint16_t agent_port);

/* The target vip:port of real server addr (any agent port), or NULL; *rs_out
 * gets its real server. */
struct checkd_target *checkd_target_find(const struct checkd *d, const struct ip_addr *addr,
					 const struct ip_addr *vip, uint16_t port, struct checkd_rs **rs_out);

/* The target vip:port of the configured real server c, found by its own
 * agent port (a binary search: many servers may share one address, as
 * agents behind one host do), or NULL; *rs_out gets its real server. */
struct checkd_target *checkd_target_of(const struct checkd *d, const struct checkd_conf_rs *c,
				       const struct ip_addr *vip, uint16_t port, struct checkd_rs **rs_out);

/* Every target up (the real server as a whole); 0 while any is down or unknown. */
int checkd_rs_up(const struct checkd_rs *rs);

/* Number of probes running now. */
size_t checkd_rs_in_flight(const struct checkd *d);

/* The request path of the next probe into out: a long-poll
 * ("/v1/status?wait=W&after=GEN") when the agent's last document carried a
 * generation and the heartbeat is on, the plain path otherwise (an agent
 * of protocol 1.0 is polled).  W is the heartbeat less a grace for the
 * answer to arrive: three times how late this agent's 304s have come of
 * late (a maximum that decays by an eighth an answer), at least
 * CHECKD_LP_GRACE_MIN_MS, at most half the heartbeat; the answer is due
 * within the heartbeat either way.  Records W in rs->lp_wait_ms.  Returns
 * 1 for a long-poll, 0 for the plain path.
 * Beats (protocol 1.2): to an agent that said DSR-Protocol 1.2 or later,
 * with its admin state up, the long-poll asks for a beat (an interim 102)
 * every W and is held CHECKD_LP_BEAT_WAIT_MS: the agent shows itself
 * alive without a new request, and the checker writes one request per
 * CHECKD_LP_BEAT_WAIT_MS, not one per heartbeat.  Each beat is due within
 * the heartbeat, as an answer is.  An agent being drained is asked
 * without beats: its DSR-Director reports then go out every heartbeat,
 * for `dsr-agent drain --wait`.  rs->lp_beats says which. */
#define CHECKD_LP_GRACE_MIN_MS 150
/* Past the heartbeat, a long-poll gets this long from the moment its
 * deadline is seen before it counts as silent: after a stall of the whole
 * director the agent's answer may be waiting to be read. */
#define CHECKD_LP_OVERTIME_MS 50
/* How long a long-poll with beats is held (the agent's cap): one request
 * per 30 s.  Its DSR-Director reports are as old as that; `dsr-agent
 * drain --wait` looks only at reports made after the drain began, and
 * the drain ends the hold at once (a new generation). */
#define CHECKD_LP_BEAT_WAIT_MS 30000
int checkd_rs_next_path(struct checkd_rs *rs, char *out, size_t n);

/* The beat list (struct checkd): rs's next beat is due at `due` (it
 * moves to its place, from the tail back; rs->timer is cancelled), or rs
 * leaves it.  d->beat_timer is armed no later than the head. */
void checkd_rs_beat_put(struct checkd_rs *rs, int64_t due);
void checkd_rs_beat_remove(struct checkd_rs *rs);

/* A long-poll of wait_ms answered (304) after took_ms: what rs->late_ms
 * becomes. */
uint32_t checkd_rs_late_next(uint32_t late_ms, uint32_t wait_ms, uint32_t took_ms);

/* Process a finished fetch (exposed for tests with a fake clock): body is the
 * 200 document, or NULL with fail set.  Feeds every target's state machine;
 * with rs->push set, a failure takes a target down at once. */
void checkd_rs_fetch_done(struct checkd_rs *rs, const char *body, size_t len, const struct verdict *fail,
			  int64_t now_ms);

#endif
