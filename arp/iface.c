/* SPDX-License-Identifier: Apache-2.0 */
/* iface.c - see iface.h. */
#include "arp/iface.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int iface_of_addr(const struct ip_addr *a, char *out, size_t n)
{
	struct ifaddrs *ifa, *i;
	int r = -ENOENT;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const void *p;

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET && a->family == IP_FAMILY_V4)
			p = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6 && a->family == IP_FAMILY_V6)
			p = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (!memcmp(p, a->b, ipaddr_len(a))) {
			snprintf(out, n, "%s", i->ifa_name);
			r = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return r;
}
