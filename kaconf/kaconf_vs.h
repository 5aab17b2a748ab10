/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs.h - keepalived's virtual_server blocks, read from a kaconf tree.
 *
 * The subset IPVS needs (addresses, protocol, scheduler and its flags,
 * forwarding method, persistence, real servers with weight and thresholds)
 * plus pointers back into the tree, so the checker can find each real
 * server's MISC_CHECK / TCP_CHECK blocks itself.  Keywords it does not
 * know inside a virtual_server are skipped.
 */
#ifndef DSRKIT_KACONF_VS_H
#define DSRKIT_KACONF_VS_H

#include <stdint.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "kaconf/kaconf.h"

enum kaconf_fwd {
	KACONF_FWD_NAT = 0, /* keepalived's default when lb_kind is absent */
	KACONF_FWD_DR,
	KACONF_FWD_TUN,
	KACONF_FWD_COUNT
};

/* Scheduler flags, the kernel's IP_VS_SVC_F_* bits. */
#define KACONF_VS_F_PERSISTENT 0x0001u
#define KACONF_VS_F_ONEPACKET  0x0004u
#define KACONF_VS_F_SCHED1     0x0008u /* sh-fallback / mh-fallback / flag-1 */
#define KACONF_VS_F_SCHED2     0x0010u /* sh-port / mh-port / flag-2 */
#define KACONF_VS_F_SCHED3     0x0020u /* flag-3 */

struct kaconf_rs {
	struct ip_addr addr;
	uint16_t port;
	uint32_t weight;           /* default 1 */
	uint32_t uthreshold, lthreshold;
	enum kaconf_fwd fwd;       /* its own lvs_method, else the virtual server's */
	int fwd_set;               /* lb_kind given in the real_server block */
	const struct kaconf_node *node; /* the real_server statement (checks are its children) */
};

struct kaconf_vs {
	uint32_t fwmark;           /* 0: address service */
	struct ip_addr addr;       /* family also set for fwmark services */
	uint16_t port;
	uint16_t protocol;         /* 6, 17, 132 */
	char sched[16];            /* "" when not given */
	enum kaconf_fwd fwd;
	int fwd_set;               /* lb_kind/lvs_method written */
	uint32_t flags;            /* KACONF_VS_F_* */
	uint32_t persistence_timeout;
	uint32_t granularity;      /* prefix length; 0 when not given */
	char pe[16];
	struct kaconf_rs *rs;
	size_t nrs;
	const struct kaconf_node *node; /* the virtual_server statement */
};

struct kaconf_vs_list {
	struct kaconf_vs *vs;
	size_t n;
	struct buf warnings;       /* "file:line: skipped ..." lines */
};

/* Collects every `virtual_server` of cf.  Returns 0, or -EINVAL with
 * "file:line: what is wrong" lines appended to err (several at once when
 * possible).  Two blocks with the same key are both returned: the
 * consumer's index finds duplicates (dsrctl reports them).  l is always initialised; free it with kaconf_vs_list_free. */
__attribute__((warn_unused_result))
int kaconf_vs_collect(const struct kaconf *cf, struct kaconf_vs_list *l, struct buf *err);
void kaconf_vs_list_free(struct kaconf_vs_list *l);

const char *kaconf_fwd_name(enum kaconf_fwd f);

#endif
