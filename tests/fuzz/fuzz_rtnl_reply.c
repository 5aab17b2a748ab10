/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the kernel's rtnetlink answers to the neighbour dump
 * (arp/arp_detect.c, arp_neigh_dump: RTM_GETNEIGH, which MAC is which real
 * server) and to the route question (ipvs-plugin/dsrctl/route_lookup.c,
 * route_lookup_sk: RTM_GETROUTE, dsrctl's DR lint).  Both run as in
 * production, libnl's own receive loop (nl_recvmsgs_default: sequence
 * check, multi-part, NLMSG_DONE, NLMSG_ERROR, truncated messages) and our
 * callbacks, on a libnl socket that is never connected: its send and
 * receive are replaced with libnl's callback hooks (nl_cb_overwrite_send,
 * nl_cb_overwrite_recv), the receive handing out the fuzzer's datagrams
 * (tests/fuzz/nl_feed.h) in buffers of their exact size.  The first byte
 * picks the call: bit 0 the route lookup (bit 1 asks for an IPv6
 * address), else the neighbour dump.  A claim may only gain an IPv4
 * owner, one that already had an owner keeps it, and the route's answer is
 * one of its four kinds. */
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arp/arp_detect.h"
#include "ipvs-plugin/dsrctl/dr_lint.h"
#include "tests/fuzz/nl_feed.h"

static struct nl_feed feed; /* libnl's hooks get the socket only */

static int feed_send(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	(void)sk;
	feed.seq = h->nlmsg_seq;
	feed.sends++;
	return (int)h->nlmsg_len;
}

/* libnl frees *buf (and *creds); a datagram of n bytes is in a buffer of n
 * bytes, so that a read past it is an ASan report. */
static int feed_recv(struct nl_sock *sk, struct sockaddr_nl *nla, unsigned char **buf,
		     struct ucred **creds)
{
	const uint8_t *d;
	size_t len;
	unsigned flags;
	int r = nl_feed_next(&feed, &d, &len, &flags);

	(void)sk;
	if (creds)
		*creds = NULL;
	memset(nla, 0, sizeof(*nla));
	nla->nl_family = AF_NETLINK; /* from the kernel: port 0 */
	/* 0, an empty datagram included, is what nl_recv gives at the end
	 * (the loop then frees nothing) */
	if (r < 0)
		return -NLE_NOMEM;
	if (r == 0 || len == 0)
		return 0;
	*buf = malloc(len);
	if (!*buf)
		abort();
	memcpy(*buf, d, len);
	nl_feed_stamp(&feed, *buf, len, flags);
	return (int)len;
}

static struct nl_sock *feed_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cb *cb;

	if (!sk)
		abort();
	cb = nl_socket_get_cb(sk);
	nl_cb_overwrite_send(cb, feed_send);
	nl_cb_overwrite_recv(cb, feed_recv);
	nl_cb_put(cb);
	return sk;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_sock *sk;

	if (size < 1)
		return 0;
	memset(&feed, 0, sizeof(feed));
	feed.p = data + 1;
	feed.n = size - 1;
	sk = feed_socket();
	if (data[0] & 1) {
		struct ip_addr a = { .family = IP_FAMILY_V4, .b = { 192, 0, 2, 100 } };
		enum route_kind k;

		if (data[0] & 2) {
			static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x64 };

			a.family = IP_FAMILY_V6;
			memcpy(a.b, v6, 16);
		}
		k = route_lookup_sk(sk, &a);
		if (k != ROUTE_NONE && k != ROUTE_LOCAL && k != ROUTE_CONNECTED && k != ROUTE_GATEWAY)
			abort();
	} else {
		/* the MACs of the seeds' neighbours; the last claim is named */
		struct arp_claim c[3];
		size_t i;

		memset(c, 0, sizeof(c));
		for (i = 0; i < 3; i++) {
			static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x00 };

			memcpy(c[i].mac, mac, 6);
			c[i].mac[5] = (uint8_t)(0x0b + i);
			c[i].vip.family = IP_FAMILY_V4;
		}
		c[2].have_owner = 1;
		c[2].owner.family = IP_FAMILY_V6;
		arp_neigh_dump(sk, c, 3);
		for (i = 0; i < 2; i++)
			if (c[i].have_owner && c[i].owner.family != IP_FAMILY_V4)
				abort();
		if (!c[2].have_owner || c[2].owner.family != IP_FAMILY_V6)
			abort();
	}
	nl_socket_free(sk);
	return 0;
}
