/* SPDX-License-Identifier: Apache-2.0 */
/* iface.h - which local interface holds an address (getifaddrs). */
#ifndef DSRKIT_CHECKER_IFACE_H
#define DSRKIT_CHECKER_IFACE_H

#include <stddef.h>

#include "bounded/ipaddr.h"

/* The name of the interface holding a into out[n].  Returns 0, -ENOENT
 * when no interface holds it, or -errno. */
__attribute__((warn_unused_result))
int iface_of_addr(const struct ip_addr *a, char *out, size_t n);

#endif
