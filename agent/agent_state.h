/* SPDX-License-Identifier: Apache-2.0 */
/* agent_state.h - the agent's view of its server at run time: the OS facts
 * (read through the platform table, at most once per facts_cache_ms) with
 * the administrative state and weight hint applied from the configuration
 * and the optional state file.  Portable C. */
#ifndef DSRKIT_AGENT_STATE_H
#define DSRKIT_AGENT_STATE_H

#include <stdint.h>

#include "agent-proto/agent_config.h"
#include "agent-proto/facts-t.h"

struct agent_state {
	const struct agent_config *cfg;   /* not owned */
	struct facts facts;
	uint64_t read_at_ms;
	int valid;
};

void agent_state_init(struct agent_state *s, const struct agent_config *cfg);

/* The current facts (owned by s, valid until the next call), re-read when
 * older than the cache time.  NULL when the OS facts cannot be read; *err
 * is then the negative errno. */
const struct facts *agent_state_facts(struct agent_state *s, uint64_t now_ms, int *err);

/* Apply admin state and weight (config, then the state file) to f. */
void agent_state_admin_apply(const struct agent_config *cfg, struct facts *f);

#endif
