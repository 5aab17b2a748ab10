/* SPDX-License-Identifier: Apache-2.0 */
/* agent_report.h - the human report of `dsr-agent check`.  Portable C. */
#ifndef DSRKIT_AGENT_REPORT_H
#define DSRKIT_AGENT_REPORT_H

#include <stdio.h>

#include "agent-proto/facts-t.h"
#include "agent-proto/rules-t.h"
#include "agent-proto/status-t.h"
#include "bounded/color.h"

/* Print every finding with its fix for each target, coloured with c
 * (&color_none for plain text); returns the worst verdict over all targets. */
enum rules_verdict agent_report_print(FILE *out, const struct facts *f, const struct status_target *t,
				      size_t n, const struct color *c);

#endif
