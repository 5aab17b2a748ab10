/* SPDX-License-Identifier: Apache-2.0 */
/* win_setup.h - `dsr-agent.exe setup`: from a snapshot and the VIPs to a
 * plan of actions, printed as a netsh/PowerShell script (--dry-run) or run
 * through the Windows ops table.  Portable C: the plan and the script are
 * tested with fake snapshots and a fake ops table. */
#ifndef DSRKIT_WIN_SETUP_H
#define DSRKIT_WIN_SETUP_H

#include <stdio.h>

#include "win-realserver/win_facts-t.h"

#define WIN_PLAN_MAX 64
#define WIN_FW_RULE_PREFIX "dsrkit DR VIP "

enum win_action_kind {
	WIN_ACT_LOOPBACK_CREATE = 0,   /* SetupAPI: root\*MSLOOP with netloop.inf, name it, unbind */
	WIN_ACT_ADDR_DEL,              /* a VIP on the loopback with the wrong prefix */
	WIN_ACT_ADDR_ADD,              /* VIP /32 (/128), SkipAsSource */
	WIN_ACT_WEAKHOST,              /* SetIpInterfaceEntry WeakHostReceive (+Send) */
	WIN_ACT_DNS_OFF,               /* no DNS registration of the loopback's addresses */
	WIN_ACT_FIREWALL,              /* inbound allow rule for the VIP */
	WIN_ACT_COUNT
};

struct win_action {
	enum win_action_kind kind;
	char alias[FACTS_NAME_LEN];    /* the interface (for a new loopback: its new name) */
	char guid[WIN_GUID_LEN];
	uint64_t luid;                 /* 0: the loopback setup creates */
	uint32_t index;
	struct ip_addr addr;           /* ADDR_*, FIREWALL */
	unsigned prefix_len;           /* ADDR_* */
	enum ip_family family;         /* WEAKHOST */
	int send;                      /* WEAKHOST: also weak-host send */
};

struct win_plan {
	struct win_action a[WIN_PLAN_MAX];
	size_t n;
	int truncated;
};

/* The Windows calls setup needs, one per action, and the readers.  Real:
 * agent_win32.c.  Tests: a fake recording the calls.  Each returns 0 or a
 * negative errno, with a one-line reason in err. */
struct win_ops {
	int (*snapshot_read)(struct win_snapshot *s);
	enum win_fw_state (*firewall_state)(const struct ip_addr *vip);
	int (*is_admin)(void);
	int (*apply)(const struct win_action *a, const struct win_options *o, char *err, size_t errlen);
};

/* Plan what brings s into DR shape for the VIPs.  Returns 0 (p->n may be
 * 0: nothing to do), or -EEXIST when a VIP sits on an interface that
 * answers ARP for it (nothing planned, the reason in err). */
__attribute__((warn_unused_result))
int win_setup_plan(const struct win_snapshot *s, const struct win_options *o,
		   const struct ip_addr *vips, size_t n_vips,
		   const enum win_fw_state *fw, struct win_plan *p, char *err, size_t errlen);

/* Print the plan as a PowerShell script: per step a comment saying why,
 * the netsh command (as a comment when PowerShell does it better) and the
 * PowerShell command.  Returns 0 or -EIO. */
__attribute__((warn_unused_result))
int win_setup_script_print(const struct win_plan *p, FILE *out);

/* The whole `setup`: read, plan, print (dry_run) or check admin rights and
 * apply, then read again and plan again to prove nothing is left.
 * Progress goes to out.  0, -EPERM (not an administrator), -EEXIST
 * (refused), or the first failing action's error. */
__attribute__((warn_unused_result))
int win_setup_run(const struct win_ops *ops, const struct win_options *o,
		  const struct ip_addr *vips, size_t n_vips, int dry_run, FILE *out);

const char *win_action_kind_name(enum win_action_kind k);

#endif
