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
#include "agent-proto/http_request.h"

/* What one director last told this agent (DSR-Director headers). */
#define AGENT_MAX_DIRECTORS 8

struct agent_director {
	char name[HTTP_DIRECTOR_NAME_MAX];
	uint64_t seen_ms;                       /* monotonic, when last reported */
	struct http_director_report vips[HTTP_MAX_DIRECTOR_REPORTS];
	size_t n_vips;
};

struct agent_state {
	const struct agent_config *cfg;   /* not owned */
	struct facts facts;
	uint64_t read_at_ms;
	int valid;
	/* the status generation: changes whenever the facts (admin state
	 * included) differ from the last read, or become unreadable */
	uint32_t generation;
	struct facts scratch;             /* the next read, compared to facts */
	struct agent_director directors[AGENT_MAX_DIRECTORS];
	size_t n_directors;
};

/* Start with a generation taken from the clock (seed), so that a restarted
 * agent does not repeat the generation a checker waits after. */
void agent_state_init(struct agent_state *s, const struct agent_config *cfg);

/* Re-read the facts now (a watcher saw an event, or the safety-net tick).
 * Returns 1 when they changed (the generation moved on), 0 when not, or a
 * negative errno when they cannot be read (the generation moves on once,
 * when they stop being readable). */
__attribute__((warn_unused_result))
int agent_state_refresh(struct agent_state *s, uint64_t now_ms);

/* Re-read only the cheap settings that send no event (the platform's
 * facts_quick_reread) into the facts of the last read.  Returns 1 when
 * they changed (the generation moved on), else 0 (also before the first
 * whole read, or where the platform has no quick re-read). */
int agent_state_quick_refresh(struct agent_state *s);

/* Record the DSR-Director reports of one request (all from one director,
 * the first report's name; a request without any changes nothing).
 * Returns 1 when what is known changed, 0 when not. */
int agent_state_directors_note(struct agent_state *s, const struct http_director_report *r, size_t n,
			       uint64_t now_ms);

/* Write what the directors reported to path (STATE_FILE.directors) for
 * `dsr-agent drain --wait` (agent_admin_directors_read): one line per
 * director and VIP, "NAME VIP PORT WEIGHT ACTIVE INACTIVE UNIX_TIME", as
 * temp + rename (where rename does not replace, as on Windows, the old
 * file is removed first).  now_ms is on the clock of the seen_ms given to
 * agent_state_directors_note.  0 or a negative errno. */
int agent_state_directors_write(const struct agent_state *s, const char *path, uint64_t now_ms);

/* The current facts (owned by s, valid until the next call), re-read when
 * older than the cache time.  NULL when the OS facts cannot be read; *err
 * is then the negative errno. */
const struct facts *agent_state_facts(struct agent_state *s, uint64_t now_ms, int *err);

/* Apply admin state and weight (config, then the state file) to f. */
void agent_state_admin_apply(const struct agent_config *cfg, struct facts *f);

#endif
