/* Unit tests of ARP frame building and parsing, with hostile frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "checker/arp_packet.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_then_parse),
		cmocka_unit_test(ipv6_not_built),
		cmocka_unit_test(hostile_frames),
		cmocka_unit_test(macs),
	};
	return cmocka_run_group_tests_name("arp_packet", tests, NULL, NULL);
}
