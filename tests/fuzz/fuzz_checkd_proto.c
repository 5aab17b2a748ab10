/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: both lines of dsr-checkd's socket protocol (the query
 * the daemon reads from any local client, the answer dsr-check reads back);
 * what parses must format and parse again to the same thing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/lib/daemon_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkd_query q, q2;
	struct checkd_answer a, b;
	char line[CHECKD_PROTO_LINE_MAX];
	size_t n;

	if (checkd_query_parse((const char *)data, size, &q) == 0) {
		n = checkd_query_format(&q, line);
		if (n < 2 || checkd_query_parse(line, n - 1, &q2) != 0 || !ipaddr_equal(&q.rs, &q2.rs) ||
		    !ipaddr_equal(&q.vip, &q2.vip) || q.port != q2.port)
			abort();
	}
	if (checkd_answer_parse((const char *)data, size, &a) == 0) {
		n = checkd_answer_format(&a, line);
		if (n < 2 || checkd_answer_parse(line, n - 1, &b) != 0 || a.state != b.state ||
		    a.j.verdict.layer != b.j.verdict.layer || strcmp(a.j.verdict.code, b.j.verdict.code) ||
		    a.j.weight_hint != b.j.weight_hint || a.age_ms != b.age_ms)
			abort();
	}
	return 0;
}
