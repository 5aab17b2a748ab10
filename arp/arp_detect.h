/* SPDX-License-Identifier: Apache-2.0 */
/* arp_detect.h - the ARP-problem detector: asks "who has VIP?" on a
 * director interface (AF_PACKET) and reports every MAC other than the
 * director's own (or an allowed VRRP virtual MAC / peer) that claims a VIP,
 * in a reply, a request or a gratuitous announcement.  IPv6 VIPs: the same
 * with Neighbour Solicitations and Advertisements.  The same sockets also
 * watch passively from an event loop (arp_detector_read). */
#ifndef DSRKIT_CHECKER_ARP_DETECT_H
#define DSRKIT_CHECKER_ARP_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"
#include "arp/arp_packet.h"

#define ARP_DETECT_MAX_ALLOWED 16
#define ARP_DETECT_MAX_KNOWN   256

/* A foreign MAC claiming a VIP. */
struct arp_claim {
	struct ip_addr vip;
	uint8_t mac[6];
	struct ip_addr owner;     /* the real server's own address, when known */
	int have_owner;
	int gratuitous;           /* unasked announcement */
	uint16_t op;              /* ARP_OP_REQUEST or ARP_OP_REPLY */
};

struct arp_detector {
	int fd;                                   /* AF_PACKET, ARP */
	int fd6;                                  /* AF_PACKET, IPv6 (NAs), or -1 */
	int icmp6;                                /* raw ICMPv6 to send NSs, or -1 */
	int ifindex;
	char ifname[32];
	uint8_t mac[6];
	struct ip_addr src;                       /* our IPv4 address on ifname */
	uint8_t allowed[ARP_DETECT_MAX_ALLOWED][6];
	size_t n_allowed;
	struct {                                  /* MAC -> address, learned */
		uint8_t mac[6];
		struct ip_addr addr;
	} known[ARP_DETECT_MAX_KNOWN];
	size_t n_known;
};

/* Open an ARP socket on ifname (needs CAP_NET_RAW).  Returns 0 or -errno
 * with a reason in err. */
__attribute__((warn_unused_result))
int arp_detector_open(struct arp_detector *d, const char *ifname, char *err, size_t errlen);
void arp_detector_close(struct arp_detector *d);

/* Another MAC that may answer for the VIPs (VRRP virtual MAC, VRRP peer). */
__attribute__((warn_unused_result))
int arp_detector_allow(struct arp_detector *d, const uint8_t mac[6]);

/* Send one who-has for addr (a VIP, or a real server's own address). */
__attribute__((warn_unused_result))
int arp_detector_send(struct arp_detector *d, const struct ip_addr *addr);

/* Drain the socket (non-blocking): learns MAC -> address bindings, and
 * appends to claims (up to max) every foreign claim on one of vips.
 * Returns the number appended (duplicates of a VIP/MAC pair already in
 * claims[0..*n) are not added again). */
size_t arp_detector_read(struct arp_detector *d, const struct ip_addr *vips, size_t n_vips,
			 struct arp_claim *claims, size_t max, size_t n_have);

/* One active round: learn the real servers' MACs (rs may be NULL), ask for
 * every VIP, collect for window_ms.  *n_claims set.  Returns 0 or -errno. */
__attribute__((warn_unused_result))
int arp_detector_round(struct arp_detector *d, const struct ip_addr *vips, size_t n_vips,
		       const struct ip_addr *rs, size_t n_rs, unsigned window_ms,
		       struct arp_claim *claims, size_t max, size_t *n_claims);

/* Fill in claims' owners from what was learned and the kernel's neighbour
 * table (rtnetlink). */
void arp_detector_name_owners(struct arp_detector *d, struct arp_claim *claims, size_t n);

/* The neighbour dump behind it, on a socket the caller made and connected
 * (NETLINK_ROUTE): one RTM_GETNEIGH request, then libnl's receive loop
 * until NLMSG_DONE, an error or a receive failure, each RTM_NEWNEIGH of
 * AF_INET with a 4-byte NDA_DST and a 6-byte NDA_LLADDR naming the owner
 * of every claim still without one whose MAC it carries.  Sets the
 * socket's NL_CB_VALID callback; the socket stays the caller's.  A seam:
 * tests/fuzz/fuzz_rtnl_reply.c hands a socket whose send and receive are
 * libnl callbacks over fuzzer-chosen datagrams. */
struct nl_sock;
void arp_neigh_dump(struct nl_sock *sk, struct arp_claim *claims, size_t n);

#endif
