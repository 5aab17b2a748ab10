/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: address and number parsers must never read past n bytes,
 * and whatever they accept must print and re-parse to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/ipaddr.h"
#include "bounded/strparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_addr a, b;
	uint32_t v;
	char txt[IPADDR_STRLEN];
	char *copy = malloc(size); /* exact size: ASan catches any overread */

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ipaddr_parsen(copy, size, &a) == 0) {
		ipaddr_format(&a, txt);
		if (ipaddr_parse(txt, &b) != 0 || !ipaddr_equal(&a, &b))
			abort();
	}
	(void)parse_u32n(copy, size, &v, 0, UINT32_MAX);
	free(copy);
	return 0;
}
