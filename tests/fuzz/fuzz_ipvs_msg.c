/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: IPVS answers from netlink (one datagram) through the
 * same walker and attribute parser the library uses on kernel replies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs-plugin/ipvs-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink headers are 4-byte aligned in a real receive buffer */
	uint32_t *copy = malloc(size + 4);
	struct ipvs_msg_view v;
	size_t off = 0;
	int r, n = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while ((r = ipvs_msg_next(copy, size, &off, &v)) == 1 && n++ < 10000) {
		struct ipvs_service s;
		struct ipvs_dest d;

		if (off > size)
			abort();
		if (v.attrs && (const uint8_t *)v.attrs + v.attrs_len > (const uint8_t *)copy + size)
			abort();
		if (v.attrs && ipvs_msg_parse(v.attrs, v.attrs_len, &s, &d) == 1 &&
		    s.af != AF_INET && s.af != AF_INET6)
			abort();
	}
	free(copy);
	return 0;
}
