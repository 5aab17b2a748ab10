/* SPDX-License-Identifier: Apache-2.0 */
/* nd_packet.c - see nd_packet.h. */
#include "arp/nd_packet.h"

#include <errno.h>
#include <string.h>

size_t nd_solicit_build(uint8_t *out, const struct ip_addr *target, const uint8_t mac[6])
{
	if (target->family != IP_FAMILY_V6)
		return 0;
	memset(out, 0, ND_NS_LEN);
	out[0] = 135;                 /* Neighbour Solicitation; code 0, checksum by the kernel */
	memcpy(out + 8, target->b, 16);
	out[24] = 1;                  /* option: source link-layer address */
	out[25] = 1;                  /* length in units of 8 bytes */
	memcpy(out + 26, mac, 6);
	return ND_NS_LEN;
}

void nd_solicited_node(const struct ip_addr *target, struct ip_addr *out)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memset(out, 0, sizeof(*out));
	out->family = IP_FAMILY_V6;
	memcpy(out->b, prefix, 13);
	memcpy(out->b + 13, target->b + 13, 3);
}

int nd_frame_parse(const uint8_t *p, size_t n, struct nd_advert *out)
{
	const uint8_t *ip = p + 14, *icmp, *opt;
	size_t plen, left;

	if (n < 14 + 40 + 24 || p[12] != 0x86 || p[13] != 0xdd)
		return -EINVAL;
	if ((ip[0] >> 4) != 6 || ip[6] != 58 || ip[7] != 255)
		return -EINVAL; /* not ICMPv6, or not hop limit 255 (off-link forgery) */
	plen = (size_t)ip[4] << 8 | ip[5];
	if (plen < 24 || plen > n - 14 - 40)
		return -EINVAL;
	icmp = ip + 40;
	if (icmp[0] != 136 || icmp[1] != 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->eth_src, p + 6, 6);
	out->src.family = IP_FAMILY_V6;
	memcpy(out->src.b, ip + 8, 16);
	out->target.family = IP_FAMILY_V6;
	memcpy(out->target.b, icmp + 8, 16);
	out->solicited = (icmp[4] & 0x40) != 0;
	out->override = (icmp[4] & 0x20) != 0;
	memcpy(out->lladdr, out->eth_src, 6);
	opt = icmp + 24;
	left = plen - 24;
	while (left >= 8) {
		size_t olen = (size_t)opt[1] * 8;

		if (olen == 0 || olen > left)
			return -EINVAL; /* RFC 4861: a zero-length option invalidates the message */
		if (opt[0] == 2 && olen >= 8)
			memcpy(out->lladdr, opt + 2, 6);
		opt += olen;
		left -= olen;
	}
	return 0;
}
