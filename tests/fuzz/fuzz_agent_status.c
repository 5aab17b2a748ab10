/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: status_parse (the checker's reader of /v1/status) never
 * reads out of bounds, and any facts it accepts render back into a document
 * it accepts again, judged the same way by the rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/rules.h"
#include "agent-proto/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct facts f, g;
	static struct findings a, b;
	struct status_target t = { .port = 80 };
	struct buf out;
	char err[128];
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (status_parse(copy, size, &f, err, sizeof(err)) == 0) {
		buf_init(&out, STATUS_DOC_MAX);
		if (ipaddr_parse("192.0.2.100", &t.vip) != 0)
			abort();
		if (status_render(&f, &t, 1, &out) == 0) {
			if (status_parse(out.data, out.len, &g, err, sizeof(err)) != 0)
				abort();
			findings_init(&a);
			findings_init(&b);
			rules_evaluate(&f, &t.vip, t.port, &a);
			rules_evaluate(&g, &t.vip, t.port, &b);
			if (a.n != b.n || rules_verdict(&a) != rules_verdict(&b))
				abort();
		}
		buf_free(&out);
	}
	free(copy);
	return 0;
}
