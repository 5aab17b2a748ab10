/* SPDX-License-Identifier: Apache-2.0 */
/* lint_finding.c - see lint_finding.h. */
#include "ipvs-plugin/dsrctl/lint_finding.h"

#include <stdarg.h>

void lint_report(struct lint_reporter *r, int code, const struct kaconf_node *at, const char *fmt, ...)
{
	struct lint_finding f = { .code = code, .info = &r->codes[code], .file = at->file, .line = at->line };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f.text, sizeof(f.text), fmt, ap);
	va_end(ap);
	r->n++;
	r->emit(&f, r->arg);
}

void lint_finding_print(const struct lint_finding *f, FILE *out)
{
	fprintf(out, "%s:%u: %s: %s [fix: %s]\n", f->file, f->line, f->info->name, f->text, f->info->fix);
}
