/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the kernel's acknowledgement of dsr-checkd's address
 * and link requests on its announce device (checkd_rtnl_ack_parse,
 * checker/dsr-checkd/rtnl_ack.c), one received datagram per input, in a
 * buffer of its exact size (malloc's alignment, as the receive buffer's).
 * The request's sequence number is 1, as announce.c sends it.  The answer
 * must be 1 (none in this datagram), 0 (acknowledged) or an errno the
 * caller can print: -4095..-1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/rtnl_ack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);
	int r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = checkd_rtnl_ack_parse(buf, size, 1);
	if (r != 1 && (r > 0 || r < -4095))
		abort();
	free(buf);
	return 0;
}
