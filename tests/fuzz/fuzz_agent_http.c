/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the status endpoint's request parser and query parser
 * never read past the input; an accepted request never claims more bytes
 * than it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/http_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct status_target t;
	const char *why;
	char *copy = malloc(size ? size : 1);
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = http_request_parse(copy, size, &req);
	if (r > 0 && (size_t)r > size)
		abort();
	if (r < 0 && (req.error == HTTP_ERR_NONE || !req.why))
		abort();
	if (r > 0)
		(void)!http_query_target(req.query, &t, &why);
	free(copy);
	return 0;
}
