/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the agent config parser never reads past the input and
 * every refusal names file:line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/agent_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_config c;
	char err[256];
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	agent_config_defaults(&c);
	if (agent_config_parse(copy, size, "f", &c, err, sizeof(err)) != 0 && strncmp(err, "f:", 2) != 0)
		abort();
	if (c.n_targets > STATUS_MAX_TARGETS)
		abort();
	free(copy);
	return 0;
}
