/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs.h - keepalived's virtual_server blocks, read from a kaconf tree.
 *
 * What IPVS needs (addresses, protocol, scheduler and its flags, forwarding
 * method and tunnel type, persistence, real servers with weight and
 * thresholds, the sorry server, quorum and hysteresis, inhibit_on_failure)
 * with keepalived 2.2's own defaults and corrections (UDP when no protocol
 * is given, a real server's port forced to the service's unless NAT, ...),
 * plus pointers back into the tree, so the checker can find each real
 * server's MISC_CHECK / TCP_CHECK blocks itself.  `virtual_server group
 * NAME` becomes one kaconf_vs per address and mark of the group
 * (kaconf_vsg.h).  A keyword it does not know is named in the warnings
 * ("file:line: ..."), never dropped silently.
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
	uint16_t port;             /* the port IPVS gets (keepalived's corrections applied) */
	uint16_t cfg_port;         /* the port written, 0 when none */
	uint32_t weight;           /* default 1 */
	uint32_t uthreshold, lthreshold;
	enum kaconf_fwd fwd;       /* its own lvs_method, else the virtual server's */
	int fwd_set;               /* lb_kind given in the real_server block */
	uint8_t tun_type;          /* TUN: 0 ipip, 1 gue, 2 gre (IP_VS_CONN_F_TUNNEL_TYPE_*) */
	uint16_t tun_port;         /* gue */
	uint16_t tun_flags;        /* 0 nocsum, 1 csum, 2 remcsum */
	int inhibit;               /* inhibit_on_failure, its own or the virtual server's */
	const struct kaconf_node *node; /* the real_server statement (checks are its children) */
};

struct kaconf_vs {
	uint32_t fwmark;           /* 0: address service */
	struct ip_addr addr;       /* family also set for fwmark services */
	uint16_t port;
	uint16_t protocol;         /* 6, 17, 132; 0 for fwmark */
	int protocol_set;          /* protocol written (keepalived's default is UDP) */
	char sched[16];            /* "" when not given */
	enum kaconf_fwd fwd;
	int fwd_set;               /* lb_kind/lvs_method written */
	uint8_t tun_type;          /* defaults of its real servers */
	uint16_t tun_port, tun_flags;
	uint32_t flags;            /* KACONF_VS_F_* */
	uint32_t persistence_timeout;
	uint32_t granularity;      /* prefix length; 0 when not given */
	const struct kaconf_node *granularity_bare; /* written as a bare number (its statement) */
	char pe[16];
	uint32_t quorum;           /* default 1 */
	uint32_t hysteresis;
	int inhibit;               /* inhibit_on_failure */
	int alpha, omega, ha_suspend; /* no effect on a table built without checkers */
	int has_sorry;
	struct kaconf_rs sorry;    /* sorry_server (node: its statement) */
	int sorry_inhibit;
	struct kaconf_rs *rs;
	size_t nrs;
	const struct kaconf_node *node; /* the virtual_server statement */
	const char *group;         /* the virtual_server_group it came from, or NULL */
	const struct kaconf_node *entry; /* that group's line, or NULL */
};

struct kaconf_vs_list {
	struct kaconf_vs *vs;
	size_t n;
	size_t ndone;              /* services dropped by kaconf_vs_list_clear (still bounded) */
	size_t ndest;              /* real servers over every service */
	struct buf warnings;       /* "file:line: skipped ..." lines */
};

/* Collects every `virtual_server` of cf (groups expanded, one per
 * address and mark).  Returns 0, or -EINVAL with
 * "file:line: what is wrong" lines appended to err (several at once when
 * possible).  Two blocks with the same key are both returned: the
 * consumer's index finds duplicates (dsrctl reports them).  l is always initialised; free it with kaconf_vs_list_free. */
__attribute__((warn_unused_result))
int kaconf_vs_collect(const struct kaconf *cf, struct kaconf_vs_list *l, struct buf *err);
void kaconf_vs_list_free(struct kaconf_vs_list *l);

/* Statement by statement, for readers that drop each block once read
 * (kaconf_vs_stream.h).  kaconf_vs_list_init makes l empty (free it with
 * kaconf_vs_list_free).  kaconf_vs_collect_one appends the services of
 * the top-level virtual_server statement n to l (a group's names resolved
 * in groups; NULL only when n is no `virtual_server group`); a mistake is
 * a "file:line: ..." line in err and counted in *nerr.  Returns 0, or
 * -ENOMEM / -E2BIG (too many services or real servers in all, said in err)
 * after which nothing more is to be collected.  kaconf_vs_list_clear frees
 * l's services but keeps counting them against the bounds, and keeps the
 * warnings. */
struct kaconf_vsg_list;
void kaconf_vs_list_init(struct kaconf_vs_list *l);
__attribute__((warn_unused_result))
int kaconf_vs_collect_one(const struct kaconf_node *n, const struct kaconf_vsg_list *groups,
			  struct kaconf_vs_list *l, struct buf *err, int *nerr);
void kaconf_vs_list_clear(struct kaconf_vs_list *l);

const char *kaconf_fwd_name(enum kaconf_fwd f);

/* What keepalived 2.2 puts in the table at start for vs when every real
 * server is up (no checker has run yet, or none is configured): the quorum
 * is cut to the total weight, the hysteresis to below the quorum, and the
 * quorum is held when the total weight reaches quorum + hysteresis.  Held:
 * the real servers are in, the sorry server only with sorry_server_inhibit
 * (weight 0).  Not held and a sorry server: the sorry server is in (weight
 * 1), real servers with inhibit_on_failure stay at weight 0, the others go.
 * Not held and no sorry server: nothing changes. */
struct kaconf_vs_start {
	int quorum_up;
	int sorry_in;              /* the sorry server is in the table ... */
	uint32_t sorry_weight;     /* ... with this weight */
	int rs_pulled;             /* real servers out (inhibit_on_failure: weight 0) */
};
void kaconf_vs_start_state(const struct kaconf_vs *vs, struct kaconf_vs_start *st);

#endif
