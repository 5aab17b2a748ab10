/* SPDX-License-Identifier: Apache-2.0 */
/* rtnl_ack.h - the kernel's acknowledgement of one rtnetlink request, read
 * from the bytes of one received datagram.  announce.c sends its address
 * and link requests with NLM_F_ACK over a raw socket and hands each
 * datagram here; the fuzz target fuzz_announce_rtnl reaches the same
 * function.  No socket, no allocation. */
#ifndef DSRKIT_CHECKER_CHECKD_RTNL_ACK_H
#define DSRKIT_CHECKER_CHECKD_RTNL_ACK_H

#include <stddef.h>
#include <stdint.h>

/* The answer to request seq in the datagram buf[0..len) (buf aligned for a
 * struct nlmsghdr): its NLMSG_ERROR is looked for among the datagram's
 * messages; others (another sequence, another type) are skipped, and the
 * walk stops at the first message that does not fit.  Returns 0 (an
 * acknowledgement), the kernel's errno (-4095..-1), -EBADMSG for an
 * NLMSG_ERROR too short for its struct nlmsgerr, -EPROTO for a number the
 * kernel never sends (positive, or below -4095), or 1 when the datagram
 * holds no answer to seq (read the next). */
__attribute__((warn_unused_result))
int checkd_rtnl_ack_parse(const void *buf, size_t len, uint32_t seq);

#endif
