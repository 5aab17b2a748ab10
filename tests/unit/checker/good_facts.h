/* SPDX-License-Identifier: Apache-2.0 */
/* good_facts.h - the facts of a correct Linux DR real server, for tests of
 * what judges them (the checker's judge, dsr-checkd). */
#ifndef DSRKIT_TESTS_GOOD_FACTS_H
#define DSRKIT_TESTS_GOOD_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts.h"

/* 192.0.2.100/32 on lo, 192.0.2.11/24 on eth0, arp_ignore 1 and
 * arp_announce 2, listening on 0.0.0.0 at each of ports[0..n). */
void good_linux_facts(struct facts *f, const uint16_t *ports, size_t n);

#endif
