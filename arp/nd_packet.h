/* SPDX-License-Identifier: Apache-2.0 */
/* nd_packet.h - IPv6 neighbour discovery messages for the ARP-problem
 * detector: a Neighbour Solicitation to send through a raw ICMPv6 socket,
 * and the parser of Neighbour Advertisements seen on the wire (Ethernet
 * frames).  No sockets here, so the parser is unit-tested and fuzzed. */
#ifndef DSRKIT_CHECKER_ND_PACKET_H
#define DSRKIT_CHECKER_ND_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"

#define ND_NS_LEN 32   /* ICMPv6 NS with a source link-layer address option */

struct nd_advert {
	uint8_t eth_src[6];
	struct ip_addr src;        /* the IPv6 source of the advertisement */
	struct ip_addr target;     /* the address it claims */
	uint8_t lladdr[6];         /* the target link-layer address option, else eth_src */
	int solicited;             /* S flag */
	int override;              /* O flag */
};

/* The ICMPv6 part of a Neighbour Solicitation for target, from mac (the
 * kernel adds the IPv6 header and checksum on a raw ICMPv6 socket).
 * Returns ND_NS_LEN, or 0 when target is not IPv6. */
size_t nd_solicit_build(uint8_t *out, const struct ip_addr *target, const uint8_t mac[6]);

/* The solicited-node multicast address of target (ff02::1:ffXX:XXXX). */
void nd_solicited_node(const struct ip_addr *target, struct ip_addr *out);

/* Parse an Ethernet frame carrying an IPv6 ICMPv6 Neighbour Advertisement
 * (hop limit must be 255, as RFC 4861 requires).  Returns 0 or -EINVAL. */
__attribute__((warn_unused_result))
int nd_frame_parse(const uint8_t *p, size_t n, struct nd_advert *out);

#endif
