/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vsg.h - keepalived's virtual_server_group blocks.
 *
 * Each line of a group is one entry, in the forms keepalived 2.2 accepts:
 *   ADDR [PORT]                       one address
 *   A.B.C.D-E [PORT]                  IPv4 range over the last byte
 *   A:B::C-D [PORT]                   IPv6 range over the last 16-bit group (hex)
 *   FIRST-LAST [PORT]                 two whole addresses of one family
 *   ADDR/LEN [PORT]                   every address of the prefix
 *   fwmark N [inet|inet6]
 * `virtual_server group NAME` (kaconf_vs.h) makes one service of every
 * address and every mark.  Errors are "file:line: what is wrong".
 */
#ifndef DSRKIT_KACONF_VSG_H
#define DSRKIT_KACONF_VSG_H

#include <stdint.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "kaconf/kaconf.h"

/* Addresses one range may hold: a service each in the kernel. */
#define KACONF_VSG_RANGE_MAX 65536u

struct kaconf_vsg_entry {
	uint32_t fwmark;              /* 0: an address range */
	enum ip_family fwmark_family; /* inet/inet6 written after a mark, else NONE */
	struct ip_addr first, last;   /* last == first for one address */
	uint32_t count;               /* addresses in first..last */
	uint16_t port;                /* 0 when not given */
	const struct kaconf_node *node;
};

struct kaconf_vsg {
	const char *name;             /* owned by the kaconf tree */
	struct kaconf_vsg_entry *e;
	size_t n;
	const struct kaconf_node *node;
};

struct kaconf_vsg_list {
	struct kaconf_vsg *g;
	size_t n;
};

/* Parses one entry line n.  Returns 0, or -EINVAL with a "file:line: ..."
 * line appended to err. */
__attribute__((warn_unused_result))
int kaconf_vsg_entry_parse(const struct kaconf_node *n, const char *group, struct kaconf_vsg_entry *e,
			   struct buf *err);

/* The i-th address (i < e->count) of a range entry into *out. */
void kaconf_vsg_entry_addr(const struct kaconf_vsg_entry *e, uint32_t i, struct ip_addr *out);

/* Every top-level virtual_server_group of cf.  Returns 0, -EINVAL with
 * error lines appended to err (*nerr counts them), or -ENOMEM.  l is always
 * initialised; free it with kaconf_vsg_list_free. */
__attribute__((warn_unused_result))
int kaconf_vsg_collect(const struct kaconf *cf, struct kaconf_vsg_list *l, struct buf *err, int *nerr);

/* The group named name, or NULL. */
const struct kaconf_vsg *kaconf_vsg_find(const struct kaconf_vsg_list *l, const char *name);

void kaconf_vsg_list_free(struct kaconf_vsg_list *l);

#endif
