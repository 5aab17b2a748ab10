/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the dsrkit.conf reader on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/lib/dsrkit_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsrkit_conf c;
	char err[300];
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	dsrkit_conf_defaults(&c);
	if (dsrkit_conf_parse(&c, "fuzz", copy, size, err, sizeof(err)) == 0) {
		if (c.agent_port < 1 || c.agent_port > 65535 || (c.tls_min != 12 && c.tls_min != 13))
			abort();
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		abort(); /* every error names the file and line */
	}
	free(copy);
	return 0;
}
