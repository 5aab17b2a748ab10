/* SPDX-License-Identifier: Apache-2.0 */
/* good_facts.c - see good_facts.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/checker/good_facts.h"

void good_linux_facts(struct facts *f, const uint16_t *ports, size_t n)
{
	struct ip_addr a;
	int lo, eth;
	size_t i;

	facts_init(f, FACTS_OS_LINUX);
	f->linux_all = (struct facts_linux_conf){ .arp_ignore = 1, .arp_announce = 2, .rp_filter = 0 };
	lo = facts_iface_add(f, "lo", 1, 1, 1);
	eth = facts_iface_add(f, "eth0", 2, 1, 0);
	assert_true(lo >= 0 && eth >= 0);
	f->ifaces[lo].linux_conf = (struct facts_linux_conf){ 0, 0, 0 };
	f->ifaces[eth].linux_conf = (struct facts_linux_conf){ 1, 2, 0 };
	assert_int_equal(ipaddr_parse("192.0.2.100", &a), 0);
	assert_int_equal(facts_addr_add(f, (size_t)lo, &a, 32), 0);
	assert_int_equal(ipaddr_parse("192.0.2.11", &a), 0);
	assert_int_equal(facts_addr_add(f, (size_t)eth, &a, 24), 0);
	assert_int_equal(ipaddr_parse("0.0.0.0", &a), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(facts_listener_add(f, FACTS_PROTO_TCP, &a, ports[i], FACTS_UNKNOWN), 0);
}
