/* SPDX-License-Identifier: Apache-2.0 */
/* nl_feed.h - the fuzzer's bytes as a sequence of netlink datagrams, for
 * the targets that stand in for the kernel behind a send/recv seam
 * (fuzz_ipvs_dump, fuzz_rtnl_reply) and their seed generator.
 *
 * Each datagram is a 3-byte header and its bytes:
 *   flags (NL_FEED_*), length (16 bits, little endian), data.
 * A length past the end of the input takes what is left (a truncated
 * last datagram).  The sequence numbers of the requests are not known in
 * advance (libnl starts at the time of day), so a datagram can ask to have
 * them written in: NL_FEED_STAMP sets every whole header in it to the
 * first sequence number of the last request sent, NL_FEED_COUNT to that
 * number plus the message's index (the answers to a pipelined batch).
 * NL_FEED_FAIL makes that receive fail with -ENOBUFS (what a full socket
 * buffer gives) and carries no data.  At the end of the input a receive
 * fails with -EAGAIN, as the fake kernel's does (a real socket would
 * block). */
#ifndef DSRKIT_FUZZ_NL_FEED_H
#define DSRKIT_FUZZ_NL_FEED_H

#include <errno.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NL_FEED_STAMP 0x01u
#define NL_FEED_COUNT 0x02u
#define NL_FEED_FAIL  0x04u
#define NL_FEED_HDR   3u

struct nl_feed {
	const uint8_t *p;
	size_t n;
	uint32_t seq;      /* first sequence number of the last request sent */
	unsigned sends;
};

/* The next datagram: 1 with *data and *len set, 0 at the end of the input,
 * -ENOBUFS for NL_FEED_FAIL.  *flags gets its flags. */
static inline int nl_feed_next(struct nl_feed *f, const uint8_t **data, size_t *len,
			       unsigned *flags)
{
	size_t l;

	if (f->n < NL_FEED_HDR)
		return 0;
	*flags = f->p[0];
	l = (size_t)f->p[1] | (size_t)f->p[2] << 8;
	f->p += NL_FEED_HDR;
	f->n -= NL_FEED_HDR;
	if (*flags & NL_FEED_FAIL)
		return -ENOBUFS;
	if (l > f->n)
		l = f->n;
	*data = f->p;
	*len = l;
	f->p += l;
	f->n -= l;
	return 1;
}

/* Writes the sequence numbers into a datagram copied to buf (see above). */
static inline void nl_feed_stamp(const struct nl_feed *f, uint8_t *buf, size_t len, unsigned flags)
{
	size_t off = 0;
	uint32_t i = 0;

	if (!(flags & (NL_FEED_STAMP | NL_FEED_COUNT)))
		return;
	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, buf + off, sizeof(h));
		h.nlmsg_seq = f->seq + ((flags & NL_FEED_COUNT) ? i++ : 0);
		memcpy(buf + off, &h, sizeof(h));
		step = NLMSG_ALIGN((size_t)h.nlmsg_len);
		if (step < sizeof(h) || step > len - off)
			break;
		off += step;
	}
}

#endif
