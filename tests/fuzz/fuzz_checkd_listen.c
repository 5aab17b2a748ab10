/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the ADDR:PORT / [ADDR]:PORT parser of dsr-checkd's
 * `listen` (and --listen): never reads past the string, and what it accepts
 * prints back to the same address and port. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_addr a, b;
	uint16_t port, port2;
	char txt[IPADDR_STRLEN + 16], ip[IPADDR_STRLEN];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (checkd_listen_parse(s, &a, &port) == 0) {
		if (!port)
			abort();
		ipaddr_format(&a, ip);
		snprintf(txt, sizeof(txt), a.family == IP_FAMILY_V6 ? "[%s]:%u" : "%s:%u", ip, port);
		if (checkd_listen_parse(txt, &b, &port2) != 0 || !ipaddr_equal(&a, &b) || port != port2)
			abort();
	}
	free(s);
	return 0;
}
