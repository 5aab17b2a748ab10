/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the checker's HTTP response parser, fed the input in two
 * pieces at a split taken from the first byte; interim responses (the
 * beats of protocol 1.2) before the final one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/lib/http_resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r;
	size_t split, used = 0;
	int ret;

	if (size < 1)
		return 0;
	split = data[0] % size;
	data++;
	size--;
	if (split > size)
		split = size;
	http_resp_init(&r);
	ret = http_resp_feed(&r, (const char *)data, split, &used);
	if (ret == 0)
		ret = http_resp_feed(&r, (const char *)data + split, size - split, &used);
	if (ret == 0)
		(void)http_resp_eof(&r);
	if (r.body.len > HTTP_RESP_MAX_BODY)
		abort();
	/* interim responses (beats) are skipped: a complete one is final */
	if (ret == 1 && r.status < 200)
		abort();
	http_resp_free(&r);
	return 0;
}
