/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ARP frame building and parsing, with hostile frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "arp/arp_packet.h"
#include "arp/nd_packet.h"

static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static void build_then_parse(void **state)
{
	uint8_t f[ARP_FRAME_LEN + 18];
	struct ip_addr src, vip;
	struct arp_msg m;
	char txt[MAC_STRLEN];
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.1", &src), 0);
	assert_int_equal(ipaddr_parse("192.0.2.100", &vip), 0);
	assert_int_equal(arp_request_build(f, mac_a, &src, &vip), ARP_FRAME_LEN);
	assert_int_equal(arp_frame_parse(f, ARP_FRAME_LEN, &m), 0);
	assert_int_equal(m.op, ARP_OP_REQUEST);
	assert_true(ipaddr_equal(&m.spa, &src));
	assert_true(ipaddr_equal(&m.tpa, &vip));
	assert_memory_equal(m.sha, mac_a, 6);
	assert_false(arp_msg_is_gratuitous(&m));
	assert_string_equal(mac_format(m.eth_dst, txt), "ff:ff:ff:ff:ff:ff");
	/* padded to the Ethernet minimum: still parsed */
	memset(f + ARP_FRAME_LEN, 0, 18);
	assert_int_equal(arp_frame_parse(f, sizeof(f), &m), 0);
	/* gratuitous: sender == target */
	assert_int_equal(arp_request_build(f, mac_a, &vip, &vip), ARP_FRAME_LEN);
	assert_int_equal(arp_frame_parse(f, ARP_FRAME_LEN, &m), 0);
	assert_true(arp_msg_is_gratuitous(&m));
}

static void ipv6_not_built(void **state)
{
	uint8_t f[ARP_FRAME_LEN];
	struct ip_addr src, v6;
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.1", &src), 0);
	assert_int_equal(ipaddr_parse("2001:db8::100", &v6), 0);
	assert_int_equal(arp_request_build(f, mac_a, &src, &v6), 0);
}

static void hostile_frames(void **state)
{
	uint8_t good[ARP_FRAME_LEN], f[ARP_FRAME_LEN];
	struct ip_addr src, vip;
	struct arp_msg m;
	size_t n;
	static const struct {
		size_t off;
		uint8_t val;
		const char *what;
	} corrupt[] = {
		{ 12, 0x86, "ethertype IPv6" },
		{ 13, 0x00, "ethertype IPv4" },
		{ 15, 6, "hardware type 6" },
		{ 16, 0x86, "protocol type" },
		{ 18, 8, "hardware size 8" },
		{ 19, 16, "protocol size 16" },
		{ 21, 3, "op RARP request" },
		{ 21, 0, "op 0" },
	};
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.1", &src), 0);
	assert_int_equal(ipaddr_parse("192.0.2.100", &vip), 0);
	arp_request_build(good, mac_a, &src, &vip);
	for (n = 0; n < ARP_FRAME_LEN; n++)
		assert_int_equal(arp_frame_parse(good, n, &m), -EINVAL); /* every truncation */
	for (n = 0; n < sizeof(corrupt) / sizeof(corrupt[0]); n++) {
		memcpy(f, good, sizeof(f));
		f[corrupt[n].off] = corrupt[n].val;
		if (arp_frame_parse(f, sizeof(f), &m) == 0)
			fail_msg("accepted: %s", corrupt[n].what);
	}
}

static void macs(void **state)
{
	uint8_t m[6];
	char txt[MAC_STRLEN];
	(void)state;

	assert_int_equal(mac_parse("00:00:5E:00:01:0a", m), 0);
	assert_string_equal(mac_format(m, txt), "00:00:5e:00:01:0a");
	assert_int_equal(mac_parse("00:00:5e:00:01", m), -EINVAL);
	assert_int_equal(mac_parse("00:00:5e:00:01:0g", m), -EINVAL);
	assert_int_equal(mac_parse("00-00-5e-00-01-0a", m), -EINVAL);
	assert_int_equal(mac_parse("00:00:5e:00:01:0a:", m), -EINVAL);
	assert_int_equal(mac_parse(NULL, m), -EINVAL);
}

/* An Ethernet + IPv6 + ICMPv6 Neighbour Advertisement for target, with a
 * target link-layer address option. */
static size_t make_na(uint8_t *f, const struct ip_addr *target, const uint8_t ll[6], int hop)
{
	memset(f, 0, 14 + 40 + 32);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = 0;
	f[19] = 32;                 /* payload length */
	f[20] = 58;                 /* ICMPv6 */
	f[21] = (uint8_t)hop;
	memcpy(f + 22, target->b, 16);
	f[54] = 136;
	f[58] = 0x60;               /* S and O */
	memcpy(f + 62, target->b, 16);
	f[78] = 2;
	f[79] = 1;
	memcpy(f + 80, ll, 6);
	return 14 + 40 + 32;
}

static void nd_messages(void **state)
{
	static const uint8_t ll[6] = { 0x02, 0, 0, 0, 0, 0x12 };
	uint8_t ns[ND_NS_LEN], f[128];
	struct ip_addr vip, g, v4;
	struct nd_advert a;
	size_t n, k;
	char txt[IPADDR_STRLEN];
	(void)state;

	assert_int_equal(ipaddr_parse("2001:db8::100", &vip), 0);
	assert_int_equal(ipaddr_parse("192.0.2.1", &v4), 0);
	assert_int_equal(nd_solicit_build(ns, &vip, mac_a), ND_NS_LEN);
	assert_int_equal(ns[0], 135);
	assert_memory_equal(ns + 8, vip.b, 16);
	assert_memory_equal(ns + 26, mac_a, 6);
	assert_int_equal(nd_solicit_build(ns, &v4, mac_a), 0);
	nd_solicited_node(&vip, &g);
	assert_string_equal(ipaddr_format(&g, txt), "ff02::1:ff00:100");

	n = make_na(f, &vip, ll, 255);
	assert_int_equal(nd_frame_parse(f, n, &a), 0);
	assert_true(ipaddr_equal(&a.target, &vip));
	assert_memory_equal(a.lladdr, ll, 6);
	assert_true(a.solicited);
	for (k = 0; k < n; k++)
		assert_int_equal(nd_frame_parse(f, k, &a), -EINVAL);   /* every truncation */
	n = make_na(f, &vip, ll, 64);
	assert_int_equal(nd_frame_parse(f, n, &a), -EINVAL);     /* forged from off-link */
	n = make_na(f, &vip, ll, 255);
	f[79] = 0;                                                 /* zero-length option */
	assert_int_equal(nd_frame_parse(f, n, &a), -EINVAL);
	n = make_na(f, &vip, ll, 255);
	f[79] = 9;                                                 /* option past the end */
	assert_int_equal(nd_frame_parse(f, n, &a), -EINVAL);
	n = make_na(f, &vip, ll, 255);
	f[19] = 200;                                               /* payload length past the frame */
	assert_int_equal(nd_frame_parse(f, n, &a), -EINVAL);
	n = make_na(f, &vip, ll, 255);
	f[54] = 135;                                               /* a solicitation, not an advert */
	assert_int_equal(nd_frame_parse(f, n, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_then_parse),
		cmocka_unit_test(ipv6_not_built),
		cmocka_unit_test(hostile_frames),
		cmocka_unit_test(macs),
		cmocka_unit_test(nd_messages),
	};
	return cmocka_run_group_tests_name("arp_packet", tests, NULL, NULL);
}
