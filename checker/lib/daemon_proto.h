/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_proto.h - the one-line protocol of dsr-checkd's unix socket, which
 * `dsr-check --daemon` asks for a cached verdict.  Both directions are
 * parsed here, bounded (the daemon reads from any local client).
 *
 *   request:  VERDICT <rs> <vip> <port>\n
 *   answer:   <state> <layer> <code> <admin> <weight_hint> <findings> <age_ms> <reason>\n
 *
 * state is UP, DOWN, INIT (configured, no result yet) or UNKNOWN (the
 * daemon does not check this rs/vip/port); weight_hint is -1 for none. */
#ifndef DSRKIT_CHECKER_CHECKD_PROTO_H
#define DSRKIT_CHECKER_CHECKD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"
#include "checker/lib/judge.h"

#define CHECKD_PROTO_LINE_MAX 512

enum checkd_answer_state {
	CHECKD_ANSWER_UP,
	CHECKD_ANSWER_DOWN,
	CHECKD_ANSWER_INIT,
	CHECKD_ANSWER_UNKNOWN,
	CHECKD_ANSWER_COUNT
};

struct checkd_query {
	struct ip_addr rs, vip;
	uint16_t port;
};

struct checkd_answer {
	enum checkd_answer_state state;
	struct judgement j;       /* verdict, admin, weight hint, findings */
	uint32_t age_ms;          /* since the result was taken */
};

/* Format a request into out (CHECKD_PROTO_LINE_MAX).  Returns its length. */
size_t checkd_query_format(const struct checkd_query *q, char *out);

/* Parse one request line of n bytes (without the newline).  0 or -EINVAL. */
__attribute__((warn_unused_result))
int checkd_query_parse(const char *line, size_t n, struct checkd_query *q);

/* Format an answer into out (CHECKD_PROTO_LINE_MAX, newline included).
 * Returns its length. */
size_t checkd_answer_format(const struct checkd_answer *a, char *out);

/* Parse one answer line of n bytes (without the newline).  0 or -EINVAL. */
__attribute__((warn_unused_result))
int checkd_answer_parse(const char *line, size_t n, struct checkd_answer *a);

const char *checkd_answer_state_name(enum checkd_answer_state s);

#endif
