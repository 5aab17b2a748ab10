/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_failsafe.h - the fail-safe threshold of dsr-checkd (as keepalived's
 * quorum or Envoy's panic mode): when more than failsafe_threshold percent
 * of a service's real servers fail at the connection level at once (TCP or
 * TLS timeouts, unreachable, no answer on a kept-alive connection), the
 * fault is most likely on the director's side (its own link, its route), so
 * those servers keep the weight they had when last healthy instead of being
 * drained all together.  A failure an agent reports (wrong facts, drain,
 * refused connection, bad certificate) never counts: it drains as always.
 *
 * The fail-safe ends when the share has stayed at or under the threshold
 * for one full check round (interval + timeout), so that every server has
 * been checked again and a server coming back a little later than its
 * peers is not drained on the way.  A held server that is reachable again
 * stays held until its rise completes. */
#ifndef DSRKIT_CHECKER_CHECKD_FAILSAFE_H
#define DSRKIT_CHECKER_CHECKD_FAILSAFE_H

#include <stdint.h>

#include "checker/dsr-checkd/checkd-t.h"

/* One per configured service (index of d->conf.svc). */
struct checkd_failsafe_svc {
	struct ip_addr vip;
	uint16_t port, protocol;
	uint32_t fwmark;
	int active;
	unsigned n_rs;            /* checked real servers of the service */
	unsigned n_unreachable;   /* failing at the connection level (or held, recovering) */
	int64_t since_ms;         /* active: when it engaged */
	int64_t clear_since_ms;   /* active, share back under: since when (-1: not yet) */
	uint64_t n_engaged;       /* times it engaged */
};

/* True for a verdict that says the agent could not be reached at all
 * (CONNECT_TIMEOUT, CONNECT_ERROR, TLS_TIMEOUT, HTTP_TIMEOUT, TLS_CLOSED):
 * what a fault on the director's own side looks like. */
int checkd_failsafe_conn_level(const struct verdict *v);

/* Is the share n_unreachable/n_rs over the threshold (percent; 0 = off,
 * 100 = only when every one is unreachable)? */
int checkd_failsafe_over(uint32_t threshold_pct, unsigned n_unreachable, unsigned n_rs);

/* Recompute every service's fail-safe and every target's failsafe_held at
 * now_ms; logs each engagement and end once.  Returns 1 when a held flag or
 * a service's state changed (the IPVS weights need an apply), 0 if not,
 * -ENOMEM when the service table could not grow (the previous one stays). */
__attribute__((warn_unused_result))
int checkd_failsafe_update(struct checkd *d, int64_t now_ms);

/* "192.0.2.100:80", "[2001:db8::1]:80" or "fwmark 7" (len >= IPADDR_STRLEN + 16). */
void checkd_failsafe_svc_name(const struct checkd_failsafe_svc *f, char *out, size_t len);

/* After every configuration: (re)arm the periodic re-evaluation. */
void checkd_failsafe_sync(struct checkd *d);
void checkd_failsafe_stop(struct checkd *d);

#endif
