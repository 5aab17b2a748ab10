/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the number and prefix parsers of bounded/ that the
 * first campaign never reached: ADDR/LEN prefixes, hex marks, durations,
 * 64-bit numbers.  None reads past its input; what each accepts is in
 * range and prints back to the same value. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/ipaddr.h"
#include "bounded/strparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_addr a, b;
	unsigned plen, plen2;
	uint32_t v, v2, ms;
	uint64_t w;
	char txt[IPADDR_STRLEN + 8];
	char *s = malloc(size + 1); /* exact size + NUL: ASan catches any overread */

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ipaddr_parse_prefix(s, &a, &plen) == 0) {
		if (plen > (a.family == IP_FAMILY_V6 ? 128u : 32u))
			abort();
		ipaddr_format(&a, txt);
		snprintf(txt + strlen(txt), 8, "/%u", plen);
		if (ipaddr_parse_prefix(txt, &b, &plen2) != 0 || !ipaddr_equal(&a, &b) || plen != plen2)
			abort();
	}
	if (parse_u32_hex(s, &v) == 0) {
		snprintf(txt, sizeof(txt), "%#" PRIx32, v);
		if (parse_u32_hex(txt, &v2) != 0 || v2 != v)
			abort();
		snprintf(txt, sizeof(txt), "%" PRIx32, v);  /* the 0x is optional */
		if (parse_u32_hex(txt, &v2) != 0 || v2 != v)
			abort();
	}
	if (parse_duration_ms(s, &ms, 10, 3600000) == 0 && (ms < 10 || ms > 3600000))
		abort();
	if (parse_u64n(s, size, &w, 5, UINT64_MAX - 5) == 0 && (w < 5 || w > UINT64_MAX - 5))
		abort();
	if (parse_u32(s, &v, 7, 70000) == 0 && (v < 7 || v > 70000))
		abort();
	free(s);
	return 0;
}
