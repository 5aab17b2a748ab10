/* SPDX-License-Identifier: Apache-2.0 */
/* judge.c - re-judge an agent's facts with the shared rules; see judge.h. */
#include "checker/lib/judge.h"

#include <string.h>

#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "checker/lib/verdict.h"

/* The facts model is large (fixed arrays); one per process is enough for
 * dsr-check, and dsr-checkd judges from its single event-loop thread. */
static struct facts facts;
static struct findings findings;

void judge_status(const char *body, size_t len, const struct ip_addr *vip, uint16_t port,
		  struct judgement *j)
{
	char err[200];

	memset(j, 0, sizeof(*j));
	j->weight_hint = FACTS_UNKNOWN;
	j->admin = ADMIN_STATE_UP;
	if (status_parse(body, len, &facts, err, sizeof(err)) < 0) {
		verdict_fail(&j->verdict, CHECK_LAYER_PROTOCOL, "PROTO_MALFORMED", "bad status document: %s", err);
		return;
	}
	judge_parsed(&facts, vip, port, j);
}

void judge_parsed(const struct facts *fp, const struct ip_addr *vip, uint16_t port, struct judgement *j)
{
	char a[IPADDR_STRLEN];
	const struct finding *worst = NULL;
	size_t i;

	memset(j, 0, sizeof(*j));
	j->weight_hint = fp->weight;
	j->admin = fp->admin;
	findings_init(&findings);
	rules_evaluate(fp, vip, port, &findings);
	for (i = 0; i < findings.n; i++) {
		const struct finding *f = &findings.items[i];
		const struct finding_info *info = &finding_table[f->code];

		if (info->severity != FINDING_SEVERITY_CRITICAL)
			continue;
		/* drain is a weight (0), not a failure: the caller decides */
		if (f->code == FINDING_ADMIN_DRAIN)
			continue;
		j->n_findings++;
		j->failing |= 1u << f->code;
		/* DR facts first: they explain lost traffic better than maint */
		if (!worst || (finding_table[worst->code].layer == FINDING_LAYER_ADMIN &&
			       info->layer != FINDING_LAYER_ADMIN))
			worst = f;
	}
	if (!worst) {
		if (port)
			verdict_fail(&j->verdict, CHECK_LAYER_NONE, "OK", "%s:%u healthy", ipaddr_format(vip, a), port);
		else
			verdict_fail(&j->verdict, CHECK_LAYER_NONE, "OK", "%s healthy", ipaddr_format(vip, a));
		return;
	}
	verdict_fail(&j->verdict,
		     finding_table[worst->code].layer == FINDING_LAYER_ADMIN ? CHECK_LAYER_ADMIN : CHECK_LAYER_FACTS,
		     finding_code_name(worst->code), "%s%s", worst->reason,
		     j->n_findings > 1 ? " (and more findings)" : "");
}
