/* SPDX-License-Identifier: Apache-2.0 */
/* judge.h - the checker's own judgement of an agent's status document: the
 * facts are parsed and judged again with the shared rules (agent-proto), the
 * agent's own verdict is never trusted. */
#ifndef DSRKIT_CHECKER_JUDGE_H
#define DSRKIT_CHECKER_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts-t.h"
#include "bounded/ipaddr.h"
#include "checker/lib/verdict-t.h"

struct judgement {
	struct verdict verdict;   /* PROTOCOL, FACTS or ADMIN layer, or healthy */
	enum admin_state admin;
	int weight_hint;          /* 0..100 or FACTS_UNKNOWN */
	unsigned n_findings;      /* failing findings (all of them, not only the first) */
	uint32_t failing;         /* bit (1u << enum finding_code) per failing finding */
};

/* Parse body (a /v1/status document) and judge VIP vip at TCP port port
 * (0: no port check).  Always fills j. */
void judge_status(const char *body, size_t len, const struct ip_addr *vip, uint16_t port,
		  struct judgement *j);

/* Judge facts already parsed (dsr-checkd parses one document per real
 * server and judges every VIP and port it carries from it).  Always fills j. */
void judge_parsed(const struct facts *f, const struct ip_addr *vip, uint16_t port, struct judgement *j);

#endif
