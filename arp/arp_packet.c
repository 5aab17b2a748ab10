/* SPDX-License-Identifier: Apache-2.0 */
/* arp_packet.c - see arp_packet.h. */
#include "arp/arp_packet.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

size_t arp_request_build(uint8_t *out, const uint8_t src_mac[6], const struct ip_addr *src_ip,
			 const struct ip_addr *target)
{
	if (src_ip->family != IP_FAMILY_V4 || target->family != IP_FAMILY_V4)
		return 0;
	memset(out, 0xff, 6);             /* broadcast */
	memcpy(out + 6, src_mac, 6);
	put16(out + 12, 0x0806);          /* ARP */
	put16(out + 14, 1);               /* Ethernet */
	put16(out + 16, 0x0800);          /* IPv4 */
	out[18] = 6;
	out[19] = 4;
	put16(out + 20, ARP_OP_REQUEST);
	memcpy(out + 22, src_mac, 6);
	memcpy(out + 28, src_ip->b, 4);
	memset(out + 32, 0, 6);
	memcpy(out + 38, target->b, 4);
	return ARP_FRAME_LEN;
}

int arp_frame_parse(const uint8_t *p, size_t n, struct arp_msg *out)
{
	uint16_t op;

	/* frames may carry padding to 60 bytes; never read past n */
	if (n < ARP_FRAME_LEN)
		return -EINVAL;
	if (get16(p + 12) != 0x0806 || get16(p + 14) != 1 || get16(p + 16) != 0x0800 || p[18] != 6 || p[19] != 4)
		return -EINVAL;
	op = get16(p + 20);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->eth_dst, p, 6);
	memcpy(out->eth_src, p + 6, 6);
	out->op = op;
	memcpy(out->sha, p + 22, 6);
	out->spa.family = IP_FAMILY_V4;
	memcpy(out->spa.b, p + 28, 4);
	memcpy(out->tha, p + 32, 6);
	out->tpa.family = IP_FAMILY_V4;
	memcpy(out->tpa.b, p + 38, 4);
	return 0;
}

int arp_msg_is_gratuitous(const struct arp_msg *m)
{
	return ipaddr_equal(&m->spa, &m->tpa);
}

char *mac_format(const uint8_t mac[6], char *out)
{
	snprintf(out, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return out;
}

int mac_parse(const char *s, uint8_t out[6])
{
	uint8_t m[6];
	int i;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hex_digit_value(s[3 * i]), lo = hex_digit_value(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, m, 6);
	return 0;
}
