/* SPDX-License-Identifier: Apache-2.0 */
/* verdict.h - setting and naming check verdicts. */
#ifndef DSRKIT_CHECKER_VERDICT_H
#define DSRKIT_CHECKER_VERDICT_H

#include "checker/lib/verdict-t.h"

/* The layer's stable lower-case name ("connect", "tls", ...). */
const char *check_layer_name(enum check_layer l);

/* Set v to healthy. */
void verdict_ok(struct verdict *v);

/* Set a failure: layer, code, printf-style reason (truncated to fit). */
__attribute__((format(printf, 4, 5)))
void verdict_fail(struct verdict *v, enum check_layer layer, const char *code, const char *fmt, ...);

static inline int verdict_is_ok(const struct verdict *v)
{
	return v->layer == CHECK_LAYER_NONE;
}

#endif
