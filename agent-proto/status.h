/* SPDX-License-Identifier: Apache-2.0 */
/* status.h - the /v1/status document (doc/agent-protocol.md).
 * Portable C; the parser (status_parse.c) needs json-c and is built on Linux
 * only. */
#ifndef DSRKIT_AGENT_PROTO_STATUS_H
#define DSRKIT_AGENT_PROTO_STATUS_H

#include <stddef.h>

#include "agent-proto/facts-t.h"
#include "agent-proto/status-t.h"
#include "bounded/buf.h"

/* Append the document for these facts, with the rules' evaluation of each
 * target, to out. Returns 0, -ENOSPC (past out->max), -ENOMEM or -EINVAL. */
__attribute__((warn_unused_result))
int status_render(const struct facts *f, const struct status_target *targets, size_t n_targets,
		  struct buf *out);

/* Parse a document back into facts (targets and the agent's own findings
 * are ignored: a checker judges the facts itself).  Accepts documents of the
 * same major version only.  Returns 0, or -EINVAL/-EPROTO with a one-line
 * reason in err (errlen bytes, may be 0).  Linux only (json-c). */
__attribute__((warn_unused_result))
int status_parse(const char *text, size_t len, struct facts *out, char *err, size_t errlen);

#endif
