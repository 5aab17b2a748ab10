/* SPDX-License-Identifier: Apache-2.0 */
/* rules.h - facts plus a VIP and port in, findings out.  No OS calls: the
 * agent (Linux, Windows) and the checker run the same judgement.  Portable C. */
#ifndef DSRKIT_AGENT_PROTO_RULES_H
#define DSRKIT_AGENT_PROTO_RULES_H

#include "agent-proto/rules-t.h"

extern const struct finding_info finding_table[FINDING_COUNT];

/* Start an empty list. */
void findings_init(struct findings *out);

/* Judge one VIP and, when port != 0, its TCP service port; appends the
 * findings to out (host-wide ones such as ARP sysctls and the admin state
 * included, so each VIP's list stands alone). */
void rules_evaluate(const struct facts *f, const struct ip_addr *vip, uint16_t port,
		    struct findings *out);

/* The worst severity among the findings, as a verdict. */
enum rules_verdict rules_verdict(const struct findings *fs);

/* "VIP_MISSING", "critical", "dr", "ok": NULL when out of range. */
const char *finding_code_name(enum finding_code c);
const char *finding_severity_name(enum finding_severity s);
const char *finding_layer_name(enum finding_layer l);
const char *rules_verdict_name(enum rules_verdict v);

/* Code from its name; 0 or -EINVAL. */
__attribute__((warn_unused_result))
int finding_code_parse(const char *s, enum finding_code *out);

/* Does fs hold a finding with this code? */
int findings_has(const struct findings *fs, enum finding_code c);

#endif
