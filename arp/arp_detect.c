/* SPDX-License-Identifier: Apache-2.0 */
/* arp_detect.c - see arp_detect.h. */
#include "arp/arp_detect.h"
#include "arp/nd_packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int first_ipv4(const char *ifname, struct ip_addr *out)
{
	struct ifaddrs *ifa, *i;
	int r = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, ifname) != 0)
			continue;
		out->family = IP_FAMILY_V4;
		memcpy(out->b, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		r = 0;
		break;
	}
	freeifaddrs(ifa);
	return r;
}

/* IPv6 is optional: a host without it simply has no v6 VIPs to check. */
static void open_v6(struct arp_detector *d)
{
	struct sockaddr_ll sll;
	struct icmp6_filter filt;
	int hops = 255, ifi = d->ifindex, loop = 0;

	d->fd6 = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IPV6));
	if (d->fd6 >= 0) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_IPV6);
		sll.sll_ifindex = d->ifindex;
		if (bind(d->fd6, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			close(d->fd6);
			d->fd6 = -1;
		}
	}
	d->icmp6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (d->icmp6 < 0)
		return;
	/* we only send on it; NAs are read from fd6 */
	ICMP6_FILTER_SETBLOCKALL(&filt);
	setsockopt(d->icmp6, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
	/* RFC 4861: neighbour discovery goes out with hop limit 255 */
	setsockopt(d->icmp6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	setsockopt(d->icmp6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	setsockopt(d->icmp6, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifi, sizeof(ifi));
	setsockopt(d->icmp6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop));
}

int arp_detector_open(struct arp_detector *d, const char *ifname, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int r;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->fd6 = -1;
	d->icmp6 = -1;
	if (strlen(ifname) >= sizeof(d->ifname) || strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "interface name '%s' too long", ifname);
		return -EINVAL;
	}
	snprintf(d->ifname, sizeof(d->ifname), "%s", ifname);
	d->ifindex = (int)if_nametoindex(ifname);
	if (!d->ifindex) {
		r = -errno;
		snprintf(err, errlen, "interface %s: %s", ifname, strerror(errno));
		return r;
	}
	d->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (d->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "ARP socket on %s: %s%s", ifname, strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(d->fd, SIOCGIFHWADDR, &ifr) < 0) {
		r = -errno;
		snprintf(err, errlen, "MAC of %s: %s", ifname, strerror(errno));
		goto fail;
	}
	memcpy(d->mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = d->ifindex;
	if (bind(d->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		r = -errno;
		snprintf(err, errlen, "bind to %s: %s", ifname, strerror(errno));
		goto fail;
	}
	r = first_ipv4(ifname, &d->src);
	if (r < 0) {
		snprintf(err, errlen, "%s has no IPv4 address to ask from", ifname);
		goto fail;
	}
	memcpy(d->allowed[0], d->mac, 6);
	d->n_allowed = 1;
	open_v6(d);
	return 0;
fail:
	close(d->fd);
	d->fd = -1;
	return r;
}

void arp_detector_close(struct arp_detector *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->fd6 >= 0)
		close(d->fd6);
	if (d->icmp6 >= 0)
		close(d->icmp6);
	d->fd = d->fd6 = d->icmp6 = -1;
}

int arp_detector_allow(struct arp_detector *d, const uint8_t mac[6])
{
	if (d->n_allowed >= ARP_DETECT_MAX_ALLOWED)
		return -ENOSPC;
	memcpy(d->allowed[d->n_allowed++], mac, 6);
	return 0;
}

static int send_ns(struct arp_detector *d, const struct ip_addr *addr)
{
	uint8_t ns[ND_NS_LEN];
	struct sockaddr_in6 to;
	struct ip_addr group;

	if (d->icmp6 < 0)
		return -EAFNOSUPPORT;
	nd_solicit_build(ns, addr, d->mac);
	nd_solicited_node(addr, &group);
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	to.sin6_scope_id = (uint32_t)d->ifindex;
	memcpy(&to.sin6_addr, group.b, 16);
	if (sendto(d->icmp6, ns, sizeof(ns), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int arp_detector_send(struct arp_detector *d, const struct ip_addr *addr)
{
	uint8_t frame[ARP_FRAME_LEN];
	struct sockaddr_ll to;

	if (addr->family == IP_FAMILY_V6)
		return send_ns(d, addr);
	if (!arp_request_build(frame, d->mac, &d->src, addr))
		return -EAFNOSUPPORT;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = d->ifindex;
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	if (sendto(d->fd, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

static int allowed(const struct arp_detector *d, const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < d->n_allowed; i++)
		if (!memcmp(d->allowed[i], mac, 6))
			return 1;
	return 0;
}

static void learn(struct arp_detector *d, const uint8_t mac[6], const struct ip_addr *a,
		  const struct ip_addr *vips, size_t n_vips)
{
	size_t i;

	for (i = 0; i < n_vips; i++)
		if (ipaddr_equal(a, &vips[i]))
			return; /* a VIP says nothing about whose MAC it is */
	for (i = 0; i < d->n_known; i++)
		if (!memcmp(d->known[i].mac, mac, 6)) {
			d->known[i].addr = *a;
			return;
		}
	if (d->n_known < ARP_DETECT_MAX_KNOWN) {
		memcpy(d->known[d->n_known].mac, mac, 6);
		d->known[d->n_known].addr = *a;
		d->n_known++;
	}
}

/* Record that mac claims addr, if addr is a VIP and mac is foreign. */
static size_t claim(struct arp_detector *d, const struct ip_addr *addr, const uint8_t mac[6], uint16_t op,
		    int gratuitous, const struct ip_addr *vips, size_t n_vips, struct arp_claim *claims, size_t max,
		    size_t n_now)
{
	size_t i, j;

	if (allowed(d, mac))
		return 0;
	for (i = 0; i < n_vips; i++) {
		if (!ipaddr_equal(addr, &vips[i]))
			continue;
		for (j = 0; j < n_now; j++)
			if (ipaddr_equal(&claims[j].vip, &vips[i]) && !memcmp(claims[j].mac, mac, 6))
				return 0;
		if (n_now >= max)
			return 0;
		memset(&claims[n_now], 0, sizeof(claims[n_now]));
		claims[n_now].vip = vips[i];
		memcpy(claims[n_now].mac, mac, 6);
		claims[n_now].op = op;
		claims[n_now].gratuitous = gratuitous;
		return 1;
	}
	return 0;
}

size_t arp_detector_read(struct arp_detector *d, const struct ip_addr *vips, size_t n_vips,
			 struct arp_claim *claims, size_t max, size_t n_have)
{
	size_t added = 0;

	for (;;) {
		uint8_t frame[128];
		struct arp_msg m;
		ssize_t n = recv(d->fd, frame, sizeof(frame), 0);

		if (n < 0)
			break;
		if (arp_frame_parse(frame, (size_t)n, &m) < 0)
			continue;
		if (!memcmp(m.sha, d->mac, 6))
			continue; /* our own request */
		learn(d, m.sha, &m.spa, vips, n_vips);
		added += claim(d, &m.spa, m.sha, m.op, arp_msg_is_gratuitous(&m), vips, n_vips, claims, max,
			       n_have + added);
	}
	while (d->fd6 >= 0) {
		uint8_t frame[1600];
		struct nd_advert a;
		ssize_t n = recv(d->fd6, frame, sizeof(frame), 0);

		if (n < 0)
			break;
		if (nd_frame_parse(frame, (size_t)n, &a) < 0 || !memcmp(a.lladdr, d->mac, 6))
			continue;
		learn(d, a.lladdr, &a.target, vips, n_vips);
		added += claim(d, &a.target, a.lladdr, ARP_OP_REPLY, !a.solicited, vips, n_vips, claims, max,
			       n_have + added);
	}
	return added;
}

int arp_detector_round(struct arp_detector *d, const struct ip_addr *vips, size_t n_vips,
		       const struct ip_addr *rs, size_t n_rs, unsigned window_ms,
		       struct arp_claim *claims, size_t max, size_t *n_claims)
{
	long long deadline;
	size_t i;
	int r;

	*n_claims = 0;
	for (i = 0; i < n_rs; i++)
		if ((r = arp_detector_send(d, &rs[i])) < 0 && r != -EAFNOSUPPORT)
			return r;
	for (i = 0; i < n_vips; i++)
		if ((r = arp_detector_send(d, &vips[i])) < 0)
			return r;
	deadline = now_ms() + window_ms;
	for (;;) {
		struct pollfd p[2] = { { .fd = d->fd, .events = POLLIN }, { .fd = d->fd6, .events = POLLIN } };
		long long left = deadline - now_ms();

		if (left <= 0)
			break;
		if (poll(p, d->fd6 >= 0 ? 2 : 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		*n_claims += arp_detector_read(d, vips, n_vips, claims, max, *n_claims);
	}
	arp_detector_name_owners(d, claims, *n_claims);
	return 0;
}

/* Owners of the claiming MACs from the kernel's IPv4 neighbour table: one
 * RTM_GETNEIGH dump (what `ip -4 neigh` reads), matched against every
 * claim still without an owner.  Plain rtnetlink through libnl's core, so
 * dsrctl needs no libnl-route (whose constructors cost its start-up). */
struct neigh_find {
	struct arp_claim *claims;
	size_t n;
};

static int neigh_cb(struct nl_msg *msg, void *arg)
{
	struct neigh_find *f = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ndmsg *nd = nlmsg_data(nlh);
	struct nlattr *tb[NDA_MAX + 1];
	size_t i;

	/* nlmsg_parse first: it checks that the message holds an ndmsg
	 * (libnl hands each message in a buffer of its own length) */
	if (nlh->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(nlh, sizeof(*nd), tb, NDA_MAX, NULL) < 0 ||
	    nd->ndm_family != AF_INET || !tb[NDA_DST] || !tb[NDA_LLADDR] ||
	    nla_len(tb[NDA_DST]) != 4 || nla_len(tb[NDA_LLADDR]) != 6)
		return NL_OK;
	for (i = 0; i < f->n; i++) {
		struct arp_claim *c = &f->claims[i];

		if (c->have_owner || memcmp(nla_data(tb[NDA_LLADDR]), c->mac, 6) != 0)
			continue;
		c->owner.family = IP_FAMILY_V4;
		memcpy(c->owner.b, nla_data(tb[NDA_DST]), 4);
		c->have_owner = 1;
	}
	return NL_OK;
}

void arp_neigh_dump(struct nl_sock *sk, struct arp_claim *claims, size_t n)
{
	struct neigh_find f = { claims, n };
	struct ndmsg nd;

	memset(&nd, 0, sizeof(nd));
	nd.ndm_family = AF_INET;
	if (nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, neigh_cb, &f) == 0 &&
	    nl_send_simple(sk, RTM_GETNEIGH, NLM_F_DUMP, &nd, sizeof(nd)) >= 0)
		(void)nl_recvmsgs_default(sk);
}

static void neigh_name_owners(struct arp_claim *claims, size_t n)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0)
		arp_neigh_dump(sk, claims, n);
	nl_socket_free(sk);
}

void arp_detector_name_owners(struct arp_detector *d, struct arp_claim *claims, size_t n)
{
	size_t i, k;
	int missing = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < d->n_known; k++)
			if (!memcmp(d->known[k].mac, claims[i].mac, 6)) {
				claims[i].owner = d->known[k].addr;
				claims[i].have_owner = 1;
			}
		missing |= !claims[i].have_owner;
	}
	if (missing)
		neigh_name_owners(claims, n);
}
