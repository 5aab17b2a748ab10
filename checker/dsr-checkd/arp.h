/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_arp.h - the ARP-problem detector inside dsr-checkd: a round of
 * "who has VIP?" (and neighbour solicitations for IPv6 VIPs) every
 * arp_check interval, a passive watch for gratuitous ARP and unsolicited
 * advertisements in between, the findings in /status and /metrics, and,
 * with arp_fail_server, the offending real server down for that VIP. */
#ifndef DSRKIT_CHECKER_CHECKD_ARP_H
#define DSRKIT_CHECKER_CHECKD_ARP_H

#include "arp/arp_detect.h"
#include "checker/dsr-checkd/checkd-t.h"

#define CHECKD_ARP_MAX_CLAIMS 64
#define CHECKD_ARP_MAX_VIPS   256
#define CHECKD_ARP_MAX_RS     1024

struct checkd_arp {
	struct arp_detector det;
	int open;
	char err[200];                 /* why the detector is not running */
	struct loop_io io, io6;
	struct loop_timer timer;
	int in_round;
	struct ip_addr vips[CHECKD_ARP_MAX_VIPS];
	size_t n_vips;
	struct ip_addr rs[CHECKD_ARP_MAX_RS];
	size_t n_rs;
	struct arp_claim pending[CHECKD_ARP_MAX_CLAIMS];  /* this round and the passive watch */
	size_t n_pending;
	struct arp_claim found[CHECKD_ARP_MAX_CLAIMS];    /* the last completed round */
	size_t n_found;
	int64_t last_round_ms;         /* -1: none yet */
	uint64_t rounds;
};

/* After every configuration: start, re-target or stop the detector. */
void checkd_arp_sync(struct checkd *d);
void checkd_arp_stop(struct checkd *d);

/* With arp_fail_server: the verdict for target t of rs when rs was caught
 * answering for t's VIP (else *out = *in). */
void checkd_arp_combine(const struct checkd *d, const struct checkd_rs *rs, const struct checkd_target *t,
			const struct verdict *in, struct verdict *out);

#endif
