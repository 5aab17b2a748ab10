/* SPDX-License-Identifier: Apache-2.0 */
/* rtnl_ack.c - see rtnl_ack.h. */
#include "checker/dsr-checkd/rtnl_ack.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>

#define KERNEL_MAX_ERRNO 4095   /* the kernel's errno values are 1..4095 */

int checkd_rtnl_ack_parse(const void *buf, size_t len, uint32_t seq)
{
	const char *p = buf;
	size_t off = 0, step;

	/* over a size_t offset rather than NLMSG_OK/NLMSG_NEXT, whose
	 * remainder must stay signed to stop on an unaligned tail */
	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)(p + off);
		struct nlmsgerr e;

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			break;
		if (h->nlmsg_seq == seq && h->nlmsg_type == NLMSG_ERROR) {
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
				return -EBADMSG;
			memcpy(&e, NLMSG_DATA(h), sizeof(e));
			if (e.error > 0 || e.error < -KERNEL_MAX_ERRNO)
				return -EPROTO;
			return e.error;
		}
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
	return 1;
}
