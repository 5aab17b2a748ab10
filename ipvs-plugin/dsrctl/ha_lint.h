/* SPDX-License-Identifier: Apache-2.0 */
/* ha_lint.h - do two directors' keepalived.conf make a pair that fails
 * over without breaking anything?  Each finding names a file:line and has
 * a stable code and its fix. */
#ifndef DSRKIT_HA_LINT_H
#define DSRKIT_HA_LINT_H

#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"
#include "ipvs-plugin/dsrctl/lint_finding.h"

enum ha_code {
	HA_VS_MISSING = 0,   /* a virtual_server only one director has */
	HA_RS_MISSING,       /* a real_server only one director has */
	HA_WEIGHT,           /* a real server's weight differs */
	HA_SCHED,            /* lb_algo or its flags differ */
	HA_PERSIST,          /* persistence (timeout, granularity, engine) differs */
	HA_FWD,              /* lb_kind differs */
	HA_VRRP_MISSING,     /* a vrrp_instance only one director has */
	HA_VRID,             /* virtual_router_id differs */
	HA_VIPS,             /* virtual_ipaddress differs */
	HA_AUTH,             /* authentication differs */
	HA_ADVERT,           /* advert_int or vrrp_version differs */
	HA_SAME_PRIORITY,    /* same priority and neither has nopreempt */
	HA_SYNC_MISSING,     /* no connection sync */
	HA_SYNC_ONE_WAY,     /* lvs_sync_daemon on one director only, or ids that cannot meet */
	HA_COUNT
};

extern const struct lint_code_info ha_codes[HA_COUNT];

/* A director's configuration: the tree and its virtual servers. */
struct ha_side {
	const struct kaconf *cf;
	const struct kaconf_vs_list *vs;
	const char *path;
};

/* Compares a and b; emit gets each finding.  sync_external: the sync
 * daemons are started outside keepalived (ipvsadm --start-daemon master
 * and backup on both, doc/ha.md), so a missing lvs_sync_daemon is not a
 * finding.  Returns the number of findings. */
size_t ha_lint_run(const struct ha_side *a, const struct ha_side *b, int sync_external,
		   lint_emit_fn *emit, void *arg);

#endif
