/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the protocol 1.1 and 1.2 parsers of untrusted input -
 * the long-poll query (wait, after, beat) and the DSR-Director header value - never
 * read past the input, always give a reason when they refuse, and keep
 * what they accept within its documented range.  The first byte picks the
 * parser; the rest is the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/http_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	char *copy;

	if (size < 1)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	if (data[0] & 1) {
		struct http_director_report d;

		/* not NUL-terminated for the parser: it gets a length */
		if (http_director_parse(copy, size - 1, &d, &why) == 0) {
			if (!d.name[0] || strlen(d.name) >= HTTP_DIRECTOR_NAME_MAX || d.weight < 0 || d.weight > 65535)
				abort();
		} else if (!why) {
			abort();
		}
	} else {
		struct http_query q;

		if (http_query_parse(copy, &q, &why) == 0) {
			if (q.wait_ms > HTTP_WAIT_PARAM_MAX * 1000u || (q.has_after && !q.has_wait))
				abort();
			/* a beat: with a long-poll, never under the floor */
			if (q.has_beat && (!q.has_after || q.beat_ms < HTTP_BEAT_MIN_MS ||
					   q.beat_ms > HTTP_WAIT_PARAM_MAX * 1000u))
				abort();
		} else if (!why) {
			abort();
		}
	}
	free(copy);
	return 0;
}
