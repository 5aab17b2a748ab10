/* SPDX-License-Identifier: Apache-2.0 */
/* announce.h - health-driven VIP announcement, for directors that announce
 * their VIPs by BGP (BIRD 2) to a router spreading flows with ECMP.
 *
 * dsr-checkd owns a non-persistent TUN device (announce_interface) and puts
 * each VIP it announces on it as an address (/32; /128 without DAD);
 * BIRD's `direct` protocol on that interface turns the addresses into the
 * routes BGP exports.  Withdrawing is removing the address.  The kernel
 * destroys the device when its last descriptor closes, so a dsr-checkd
 * that stops or dies (SIGKILL included) withdraws every VIP: the kernel is
 * the dead-man switch, which commands to BIRD alone could not be.
 *
 * The rule, for each distinct VIP of the address services (fwmark services
 * have no VIP and are never announced): a service's healthy count is the
 * number of its real servers whose target for that VIP and port is UP,
 * whose agent is not in drain or maint, and which the fail-safe does not
 * hold (held: unreachable from this director, so let the others carry the
 * VIP).  The VIP is announced when every one of its services has at least
 * announce_min_healthy.  Before the first checks nothing is announced.
 *
 * BIRD itself is asked every ANNOUNCE_BIRD_PERIOD_MS whether its protocol
 * is up, by the client of its control socket (bird.h), so that "BIRD is
 * not running" is an error on stderr, /status and /metrics instead of a
 * silent no-announce. */
#ifndef DSRKIT_CHECKER_CHECKD_ANNOUNCE_H
#define DSRKIT_CHECKER_CHECKD_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "checker/dsr-checkd/checkd-t.h"

#define ANNOUNCE_BIRD_PERIOD_MS   5000         /* the tick: BIRD asked, failures retried */
#define ANNOUNCE_REASON_MAX       (IPADDR_STRLEN + 80)
#define ANNOUNCE_ERROR_MAX        400

/* Does this target count as healthy for the rule (UP, agent not in drain
 * or maint, not held by the fail-safe)?  rs and t may be NULL (0). */
int checkd_announce_counts(const struct checkd_rs *rs, const struct checkd_target *t);

/* The rule for one VIP whose services are d->conf.svc[svc[0..n_svc)].  Pure. */
struct checkd_announce_verdict {
	int announce;             /* every service has min_healthy or more */
	unsigned healthy;         /* the fewest healthy real servers over its services */
	unsigned total;           /* the real servers of that service */
	char reason[ANNOUNCE_REASON_MAX];  /* "192.0.2.100:80: 1 healthy of 3, needs 2" */
};
void checkd_announce_judge(const struct checkd *d, const size_t *svc, size_t n_svc, uint32_t min_healthy,
			   struct checkd_announce_verdict *v);

/* The device and its addresses: the kernel's (NULL in struct checkd), or a
 * fake in unit tests. */
struct checkd_announce_ops {
	/* Create the TUN device name (an existing one of that name is an
	 * error) and bring it up.  Returns the descriptor that holds it, with
	 * its *ifindex, or -errno with the reason in err. */
	int (*dev_open)(const char *name, int *ifindex, char *err, size_t errlen);
	void (*dev_close)(int fd);
	/* The index of the interface called name now (0: none). */
	unsigned (*dev_index)(const char *name);
	/* Put (add = 1) or take off an address.  0 or -errno (the kernel's). */
	int (*addr)(int ifindex, const struct ip_addr *a, int add);
};
extern const struct checkd_announce_ops checkd_announce_kernel_ops;

/* After every configuration (start and reload): off closes the device
 * (every VIP withdrawn), a new name recreates it, the VIPs are grouped
 * again and judged; BIRD is asked again when its socket or protocol
 * changed.  Errors are logged and kept for /status, never fatal. */
void checkd_announce_sync(struct checkd *d);

/* Close the device (every VIP withdrawn) and free the state. */
void checkd_announce_stop(struct checkd *d);

/* A target's state, agent admin state or fail-safe hold changed: judge
 * again from a zero-delay timer (a burst is judged once).  No-op when off. */
void checkd_announce_mark_dirty(struct checkd *d);

/* Judge every VIP now and add or remove addresses (the timer's work). */
void checkd_announce_evaluate(struct checkd *d);

/* Prometheus families appended to out (nothing when announce is off):
 *   dsrkit_announce_vip{vip}                   1 announced, 0 withdrawn
 *   dsrkit_announce_vip_healthy_servers{vip}   the fewest healthy over its services
 *   dsrkit_announce_routing_daemon_up          1 BIRD's protocol is up (absent: not checked)
 * Returns 0, -ENOSPC or -ENOMEM. */
__attribute__((warn_unused_result))
int checkd_announce_metrics_render(const struct checkd *d, struct buf *out);

/* Adds "announce":{interface, min_healthy, error, routing_daemon{socket,
 * protocol, state, error}, vips[{vip, announced, healthy, reason}]} (or
 * "announce":null when off) to the /status document in out. */
__attribute__((warn_unused_result))
int checkd_announce_status_append(const struct checkd *d, struct buf *out);

#endif
