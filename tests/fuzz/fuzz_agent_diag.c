/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Linux agent's sock_diag reply parser
 * (linux_parse_diag in agent/linux_parse.c) on whatever a datagram of the
 * dump could hold: netlink headers of any length and type, inet_diag_msg
 * of any family, attributes of any length.  The input is one datagram in an
 * exact-size, 4-byte aligned copy (as recv() fills the agent's buffer), so
 * ASan catches any read past it; what it adds must be a TCP listener of a
 * known family and a v6only of -1, 0 or 1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent/linux_parse.h"

static struct facts f; /* half a megabyte: not on the stack, not per run */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1); /* malloc aligns to 16 */
	size_t i;
	int r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	facts_init(&f, FACTS_OS_LINUX);
	r = linux_parse_diag(&f, buf, size);
	free(buf);
	if (r > 1 || f.n_listeners > FACTS_MAX_LISTENERS)
		abort();
	for (i = 0; i < f.n_listeners; i++) {
		const struct facts_listener *l = &f.listeners[i];

		if (l->proto != FACTS_PROTO_TCP || (l->addr.family != IP_FAMILY_V4 && l->addr.family != IP_FAMILY_V6) ||
		    l->v6only < FACTS_UNKNOWN || l->v6only > 1)
			abort();
	}
	return 0;
}
