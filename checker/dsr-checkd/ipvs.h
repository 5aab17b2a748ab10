/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_ipvs.h - dsr-checkd and the kernel's IPVS table, through
 * libdsrkit-ipvs (ipvs-plugin/): the counters for /metrics, and in
 * standalone mode the services of its configuration, owned: created, a
 * failing real server drained (weight 0, established connections go on), a
 * healthy one restored.  Services it was not given are never touched; a
 * restart changes nothing until a verdict differs from what the kernel
 * holds.  Built without the library, every call returns -ENOTSUP. */
#ifndef DSRKIT_CHECKER_CHECKD_IPVS_H
#define DSRKIT_CHECKER_CHECKD_IPVS_H

#include <stddef.h>

#include "checker/dsr-checkd/checkd-t.h"
#include "dsrkit/ipvs.h"

/* Open the netlink handle (and in standalone mode read the kernel's table
 * once, for the weights of servers not checked yet).  0 or -errno. */
__attribute__((warn_unused_result))
int checkd_ipvs_open(struct checkd *d, char *err, size_t errlen);
void checkd_ipvs_close(struct checkd *d);

/* Read every service and destination with counters into s (freed with
 * checkd_ipvs_snapshot_free); s->ok and s->err say how it went. */
void checkd_ipvs_snapshot_read(struct checkd *d, struct checkd_ipvs_snapshot *s);
void checkd_ipvs_snapshot_free(struct checkd_ipvs_snapshot *s);

/* Standalone: a verdict changed; apply soon (changes within a few
 * milliseconds are sent together). */
void checkd_ipvs_mark_dirty(struct checkd *d);

/* Standalone: make the owned services match the configuration and the
 * verdicts now.  0, or -errno / -EIO with the failures logged. */
__attribute__((warn_unused_result))
int checkd_ipvs_apply(struct checkd *d);

/* The IPVS service standalone mode makes of the configured service c
 * (address or fwmark, scheduler and its flags, persistence), into s. */
void checkd_ipvs_service_of(const struct checkd_conf_svc *c, struct ipvs_service *s);

/* The weight a destination should have: DOWN 0, UP the configured weight
 * (drain 0, scaled by the agent's hint when it gives one), INIT the weight it
 * has now (kernel_weight, -1 when it does not exist yet: 0); a target the
 * fail-safe holds (t->failsafe_held) the UP weight from its last document. */
int checkd_dest_weight(uint32_t configured, const struct checkd_rs *rs, const struct checkd_target *t,
		       int kernel_weight);

#endif
