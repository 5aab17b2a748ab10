/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the admin state file (agent_config_parse_state) never
 * reads past the input, refuses with file:line, and what it accepts is in
 * range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/agent_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_config c;
	char err[256];
	char *copy = malloc(size ? size : 1); /* exact size: ASan catches any overread */

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	agent_config_defaults(&c);
	if (agent_config_parse_state(copy, size, "s", &c, err, sizeof(err)) != 0) {
		if (strncmp(err, "s:", 2) != 0)
			abort();
	} else if (strnlen(c.admin_reason, sizeof(c.admin_reason)) == sizeof(c.admin_reason) ||
		   (unsigned)c.admin >= ADMIN_STATE_COUNT ||
		   (c.weight > 100 || (c.weight < 0 && c.weight != FACTS_UNKNOWN && c.weight != AGENT_WEIGHT_AUTO))) {
		abort();  /* unterminated, or out of range */
	}
	free(copy);
	return 0;
}
