/* SPDX-License-Identifier: Apache-2.0 */
/* lint_finding.h - one finding of a dsrctl lint, of one director's file
 * (dr_lint.h) or of a pair's (ha_lint.h): a stable code from its lint's
 * table, where (file:line), what, and the fix; and the reporter both lints
 * emit their findings through. */
#ifndef DSRKIT_LINT_FINDING_H
#define DSRKIT_LINT_FINDING_H

#include <stddef.h>
#include <stdio.h>

#include "kaconf/kaconf.h"

struct lint_code_info {
	const char *name;        /* "DR_PORT_REMAP", "HA_VS_MISSING" */
	const char *fix;
};

struct lint_finding {
	int code;                          /* the index in its lint's code table */
	const struct lint_code_info *info; /* that table's entry */
	const char *file;
	unsigned line;
	char text[512];
};

typedef void lint_emit_fn(const struct lint_finding *f, void *arg);

struct lint_reporter {
	const struct lint_code_info *codes;  /* the lint's code table */
	lint_emit_fn *emit;
	void *arg;
	size_t n;                            /* findings so far */
};

/* Formats one finding at the statement `at` and hands it to r->emit. */
__attribute__((format(printf, 4, 5)))
void lint_report(struct lint_reporter *r, int code, const struct kaconf_node *at, const char *fmt, ...);

/* "file:line: CODE: text [fix: ...]" and a newline, to out. */
void lint_finding_print(const struct lint_finding *f, FILE *out);

#endif
