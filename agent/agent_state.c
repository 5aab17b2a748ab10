/* SPDX-License-Identifier: Apache-2.0 */
/* agent_state.c - see agent_state.h. */
#include "agent/agent_state.h"
#include "agent/agent_platform.h"
#include "agent-proto/facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void agent_state_init(struct agent_state *s, const struct agent_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
}

void agent_state_admin_apply(const struct agent_config *cfg, struct facts *f)
{
	struct agent_config st = *cfg;
	char text[4096], err[256];
	FILE *fp;

	if (cfg->state_file[0] && (fp = fopen(cfg->state_file, "r"))) {
		size_t n = fread(text, 1, sizeof(text), fp);

		fclose(fp);
		/* a broken state file keeps the configured state; say why */
		if (n == sizeof(text) || agent_config_parse_state(text, n, cfg->state_file, &st, err, sizeof(err)) < 0) {
			fprintf(stderr, "dsr-agent: ignoring state file: %s\n",
				n == sizeof(text) ? "larger than 4 KiB" : err);
			st = *cfg;
		}
	}
	f->admin = st.admin;
	facts_text_set(f->admin_reason, sizeof(f->admin_reason), st.admin_reason);
	if (st.weight == AGENT_WEIGHT_AUTO) {
		int w = agent_platform.load_weight();

		f->weight = w < 0 ? FACTS_UNKNOWN : w;
	} else {
		f->weight = st.weight;
	}
}

const struct facts *agent_state_facts(struct agent_state *s, uint64_t now_ms, int *err)
{
	int r;

	if (s->valid && now_ms - s->read_at_ms < s->cfg->facts_cache_ms)
		return &s->facts;
	facts_init(&s->facts, agent_platform.os);
	r = agent_platform.facts_read(&s->facts);
	if (r < 0) {
		s->valid = 0;
		*err = r;
		return NULL;
	}
	agent_state_admin_apply(s->cfg, &s->facts);
	s->read_at_ms = now_ms;
	s->valid = 1;
	return &s->facts;
}
