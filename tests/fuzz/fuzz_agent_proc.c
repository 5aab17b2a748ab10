/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Linux agent's procfs parsers (agent/linux_parse.c)
 * on what the files could hold.  The first byte picks the file, the rest is
 * its content:
 *   0  a /proc/sys/net/ipv4/conf value     (linux_parse_sysctl)
 *   1  /proc/loadavg                       (linux_parse_load_weight)
 *   2  /proc/net/tcp, one call per line    (linux_parse_tcp_line, v4)
 *   3  /proc/net/tcp6                      (linux_parse_tcp_line, v6)
 * Each piece goes in an exact-size copy, so ASan catches any read past it;
 * what comes out must be in range. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent/linux_parse.h"

static struct facts f; /* half a megabyte: not on the stack, not per run */

/* An exact-size copy of data[0..n), or NULL. */
static char *copy_of(const uint8_t *data, size_t n)
{
	char *c = malloc(n ? n : 1);

	if (c)
		memcpy(c, data, n);
	return c;
}

static void tcp_lines(const uint8_t *data, size_t size, int v6)
{
	size_t i, start = 0;

	facts_init(&f, FACTS_OS_LINUX);
	for (i = 0; i <= size; i++) {
		char *line;

		if (i < size && data[i] != '\n')
			continue;
		line = copy_of(data + start, i - start);
		if (!line)
			return;
		linux_parse_tcp_line(&f, line, i - start, v6);
		free(line);
		start = i + 1;
	}
	if (f.n_listeners > FACTS_MAX_LISTENERS)
		abort();
	for (i = 0; i < f.n_listeners; i++)
		if (f.listeners[i].proto != FACTS_PROTO_TCP || f.listeners[i].v6only != FACTS_UNKNOWN ||
		    f.listeners[i].addr.family != (v6 ? IP_FAMILY_V6 : IP_FAMILY_V4))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;
	int v;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		buf = copy_of(data + 1, size - 1);
		if (!buf)
			return 0;
		v = linux_parse_sysctl(buf, size - 1);
		free(buf);
		if (v != FACTS_UNKNOWN && (v < 0 || v > 255))
			abort();
		break;
	case 1:
		buf = copy_of(data + 1, size - 1);
		if (!buf)
			return 0;
		v = linux_parse_load_weight(buf, size - 1, (long)(data[0] >> 2) - 1); /* ncpu -1..62 */
		free(buf);
		if (v != -EIO && (v < 0 || v > 100))
			abort();
		break;
	default:
		tcp_lines(data + 1, size - 1, (data[0] & 3) == 3);
		break;
	}
	return 0;
}
