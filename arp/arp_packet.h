/* SPDX-License-Identifier: Apache-2.0 */
/* arp_packet.h - Ethernet ARP frames, built and parsed without sockets, so
 * the parser of what the network sends us is unit-tested and fuzzed. */
#ifndef DSRKIT_CHECKER_ARP_PACKET_H
#define DSRKIT_CHECKER_ARP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"

#define ARP_FRAME_LEN 42          /* Ethernet header 14 + ARP for IPv4 28 */
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2
#define MAC_STRLEN 18

struct arp_msg {
	uint8_t eth_src[6];
	uint8_t eth_dst[6];
	uint16_t op;                /* ARP_OP_REQUEST or ARP_OP_REPLY */
	uint8_t sha[6];             /* sender hardware address */
	struct ip_addr spa;         /* sender protocol address (IPv4) */
	uint8_t tha[6];
	struct ip_addr tpa;
};

/* Build a broadcast "who-has target tell src_ip" into out (ARP_FRAME_LEN
 * bytes).  Returns ARP_FRAME_LEN, or 0 when an address is not IPv4. */
size_t arp_request_build(uint8_t *out, const uint8_t src_mac[6], const struct ip_addr *src_ip,
			 const struct ip_addr *target);

/* Parse an Ethernet frame carrying ARP for IPv4 over Ethernet.  Returns 0,
 * or -EINVAL for anything else (short, wrong ethertype, hardware or
 * protocol type or sizes, unknown op). */
__attribute__((warn_unused_result))
int arp_frame_parse(const uint8_t *p, size_t n, struct arp_msg *out);

/* A gratuitous ARP: sender and target address are the same (an
 * announcement).  Either op carries the sender's binding sha -> spa, which
 * every neighbour learns; gratuitous ones are sent unasked. */
int arp_msg_is_gratuitous(const struct arp_msg *m);

/* "aa:bb:cc:dd:ee:ff" into out[MAC_STRLEN]; returns out. */
char *mac_format(const uint8_t mac[6], char *out);

/* Parse "aa:bb:cc:dd:ee:ff" (case-insensitive); 0 or -EINVAL. */
__attribute__((warn_unused_result))
int mac_parse(const char *s, uint8_t out[6]);

#endif
