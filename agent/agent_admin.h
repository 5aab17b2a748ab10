/* SPDX-License-Identifier: Apache-2.0 */
/* agent_admin.h - `dsr-agent drain` and `dsr-agent ready`: the admin state
 * written to the state file (which the running agent watches), and what
 * the directors last reported of this server (the DSR-Director headers,
 * kept by the agent in STATE_FILE.directors) for `drain --wait`.
 * Portable C (Linux and the Windows agent alike). */
#ifndef DSRKIT_AGENT_ADMIN_H
#define DSRKIT_AGENT_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agent-proto/agent_config.h"
#include "agent-proto/http_request.h"

/* Write admin_state (and reason; NULL keeps the file's) to cfg->state_file,
 * keeping its weight line, as temp + rename.  0 or a negative errno
 * (-EINVAL: no state_file configured). */
__attribute__((warn_unused_result))
int agent_admin_set(const struct agent_config *cfg, enum admin_state st, const char *reason);

#define AGENT_ADMIN_MAX_ROWS 128

struct agent_admin_row {
	char director[HTTP_DIRECTOR_NAME_MAX];
	char vip[IPADDR_STRLEN];
	uint32_t port, weight, active, inactive;
	long long unix_time;          /* when the director last reported */
};

/* Read STATE_FILE.directors into rows (at most max).  Returns the number
 * of rows, 0 when the file does not exist yet, or a negative errno. */
__attribute__((warn_unused_result))
int agent_admin_directors_read(const struct agent_config *cfg, struct agent_admin_row *rows, size_t max);

/* The drain is over when at least one director reported within fresh_s
 * and at or after `since` (unix time), and every such report has weight 0
 * and no active connection.  A report from before `since` is not looked
 * at: it may tell of the time before the drain (a director that long-polls
 * with beats reports every 30 s, and a report's weight can be that of a
 * moment before: weight 0 and no connection, left from a fault that is
 * over, must not end a drain that has not begun). */
int agent_admin_drained(const struct agent_admin_row *rows, size_t n, long long now, long long fresh_s,
			long long since);

/* Sleep ms milliseconds (the CLI's wait between looks; not for daemons). */
void agent_admin_pause_ms(unsigned ms);

#endif
