/* SPDX-License-Identifier: Apache-2.0 */
/* dr_lint.h - can this configuration work as Direct Routing?  Each finding
 * has a stable code (for scripts and docs) and the fix. */
#ifndef DSRKIT_DR_LINT_H
#define DSRKIT_DR_LINT_H

#include "bounded/ipaddr.h"
#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"
#include "ipvs-plugin/dsrctl/lint_finding.h"

enum lint_code {
	LINT_PORT_REMAP = 0,     /* DR cannot change the destination port */
	LINT_RS_NOT_CONNECTED,   /* DR rewrites only the MAC: the server must be on-link */
	LINT_VIP_NOT_LOCAL,      /* the director must hold the VIP (or VRRP must) */
	LINT_NOT_DR,             /* lb_kind is NAT/TUN (or missing: keepalived means NAT) */
	LINT_FAMILY_MIX,         /* IPv4 server behind an IPv6 VIP or the reverse */
	LINT_MH_NO_FALLBACK,     /* mh without mh-fallback: a drained server's flows are dropped */
	LINT_COUNT
};

extern const struct lint_code_info lint_codes[LINT_COUNT];

enum route_kind {
	ROUTE_NONE = 0,          /* no route */
	ROUTE_LOCAL,             /* an address of this host */
	ROUTE_CONNECTED,         /* on a directly connected subnet */
	ROUTE_GATEWAY,           /* behind a router */
};

/* The seam to the routing table: rtnetlink in dsrctl, a table in tests. */
struct lint_routes {
	enum route_kind (*lookup)(void *ctx, const struct ip_addr *a);
	void *ctx;
};

/* Runs every rule over the virtual servers of cf; emit gets each finding.
 * Returns the number of findings. */
size_t dr_lint_run(const struct kaconf *cf, const struct kaconf_vs_list *l,
		   const struct lint_routes *routes,
		   lint_emit_fn *emit, void *arg);

/* rtnetlink lookup (route_lookup.c); ctx is unused. */
enum route_kind route_lookup_rtnl(void *ctx, const struct ip_addr *a);
/* The same question on a socket the caller made and connected
 * (NETLINK_ROUTE): one RTM_GETROUTE, libnl's receive loop over the answer.
 * Sets the socket's NL_CB_VALID callback; the socket stays the caller's.
 * A seam for tests/fuzz/fuzz_rtnl_reply.c (send and receive replaced by
 * libnl callbacks over fuzzer-chosen datagrams). */
struct nl_sock;
enum route_kind route_lookup_sk(struct nl_sock *sk, const struct ip_addr *a);

#endif
