/* SPDX-License-Identifier: Apache-2.0 */
/* agent_report.c - see agent_report.h. */
#include "agent/agent_report.h"
#include "agent-proto/facts.h"
#include "agent-proto/rules.h"

#include <stdlib.h>
#include <stdio.h>

static const char *const verdict_text[RULES_VERDICT_COUNT] = {
	[RULES_VERDICT_OK] = "OK",
	[RULES_VERDICT_WARNING] = "WARNING",
	[RULES_VERDICT_CRITICAL] = "CRITICAL",
};

static const char *verdict_color(const struct color *c, enum rules_verdict v)
{
	return v == RULES_VERDICT_OK ? c->green : v == RULES_VERDICT_WARNING ? c->yellow : c->red;
}

static const char *severity_color(const struct color *c, enum finding_severity s)
{
	return s == FINDING_SEVERITY_INFO ? c->dim : s == FINDING_SEVERITY_WARNING ? c->yellow : c->red;
}

enum rules_verdict agent_report_print(FILE *out, const struct facts *f, const struct status_target *t,
				      size_t n, const struct color *c)
{
	struct findings *fs = malloc(sizeof(*fs));
	enum rules_verdict worst = RULES_VERDICT_OK;
	size_t i, j;

	if (!fs) {
		fprintf(out, "out of memory\n");
		return RULES_VERDICT_CRITICAL;
	}
	fprintf(out, "dsr-agent %s on %s (%s), admin state %s", f->agent_version, f->hostname,
		f->os_release, admin_state_name(f->admin));
	if (f->weight >= 0)
		fprintf(out, ", weight %d", f->weight);
	fprintf(out, "\n");
	for (i = 0; i < n; i++) {
		char vs[IPADDR_STRLEN];
		enum rules_verdict v;

		findings_init(fs);
		rules_evaluate(f, &t[i].vip, t[i].port, fs);
		v = rules_verdict(fs);
		if (v > worst)
			worst = v;
		ipaddr_format(&t[i].vip, vs);
		if (t[i].port)
			fprintf(out, "%sVIP %s port %u:%s %s%s%s\n", c->bold, vs, t[i].port, c->reset,
				verdict_color(c, v), verdict_text[v], c->reset);
		else
			fprintf(out, "%sVIP %s:%s %s%s%s\n", c->bold, vs, c->reset, verdict_color(c, v), verdict_text[v],
				c->reset);
		for (j = 0; j < fs->n; j++) {
			const struct finding *fd = &fs->items[j];

			enum finding_severity sv = finding_table[fd->code].severity;

			fprintf(out, "  %s%-8s%s %s: %s\n", severity_color(c, sv), finding_severity_name(sv), c->reset,
				finding_code_name(fd->code), fd->reason);
			if (fd->fix[0])
				fprintf(out, "           fix: %s\n", fd->fix);
			if (fd->fix_alt[0])
				fprintf(out, "           PowerShell: %s\n", fd->fix_alt);
		}
		if (fs->truncated)
			fprintf(out, "  (more findings than shown)\n");
	}
	free(fs);
	return worst;
}
