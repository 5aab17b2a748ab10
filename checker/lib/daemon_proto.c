/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_proto.c - the daemon socket's lines; see checkd_proto.h. */
#include "checker/lib/daemon_proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "bounded/strparse.h"
#include "checker/lib/verdict.h"

#define FIELDS 8

static const char *const state_names[CHECKD_ANSWER_COUNT] = {
	[CHECKD_ANSWER_UP] = "UP",
	[CHECKD_ANSWER_DOWN] = "DOWN",
	[CHECKD_ANSWER_INIT] = "INIT",
	[CHECKD_ANSWER_UNKNOWN] = "UNKNOWN",
};

const char *checkd_answer_state_name(enum checkd_answer_state s)
{
	return (unsigned)s < CHECKD_ANSWER_COUNT ? state_names[s] : "UNKNOWN";
}

size_t checkd_query_format(const struct checkd_query *q, char *out)
{
	char rs[IPADDR_STRLEN], vip[IPADDR_STRLEN];
	int n = snprintf(out, CHECKD_PROTO_LINE_MAX, "VERDICT %s %s %u\n", ipaddr_format(&q->rs, rs),
			 ipaddr_format(&q->vip, vip), q->port);

	return n < 0 ? 0 : (size_t)n;
}

/* Split at single spaces; the last field takes the rest of the line. */
static unsigned split(const char *line, size_t n, unsigned max, const char **f, size_t *fl)
{
	unsigned k = 0;
	size_t i = 0;

	while (k < max && i <= n) {
		size_t start = i;

		if (k == max - 1) {
			f[k] = line + start;
			fl[k++] = n - start;
			break;
		}
		while (i < n && line[i] != ' ')
			i++;
		f[k] = line + start;
		fl[k++] = i - start;
		if (i == n)
			break;
		i++;
	}
	return k;
}

int checkd_query_parse(const char *line, size_t n, struct checkd_query *q)
{
	const char *f[4];
	size_t fl[4];
	uint32_t port;

	if (n == 0 || n >= CHECKD_PROTO_LINE_MAX || memchr(line, '\0', n))
		return -EINVAL;
	if (split(line, n, 4, f, fl) != 4 || !span_eq_ci(f[0], fl[0], "VERDICT"))
		return -EINVAL;
	if (ipaddr_parsen(f[1], fl[1], &q->rs) < 0 || ipaddr_parsen(f[2], fl[2], &q->vip) < 0 ||
	    parse_u32n(f[3], fl[3], &port, 0, 65535) < 0)
		return -EINVAL;
	q->port = (uint16_t)port;
	return 0;
}

size_t checkd_answer_format(const struct checkd_answer *a, char *out)
{
	const struct verdict *v = &a->j.verdict;
	const char *admin = admin_state_name(a->j.admin);
	char code[VERDICT_CODE_MAX];
	size_t i;
	int n;

	/* a code is one token; a reason is the rest of one line */
	for (i = 0; v->code[i] && i < sizeof(code) - 1; i++)
		code[i] = v->code[i] < 0x21 || v->code[i] > 0x7e ? '_' : v->code[i];
	code[i] = '\0';
	if (!i)
		snprintf(code, sizeof(code), "-");
	n = snprintf(out, CHECKD_PROTO_LINE_MAX, "%s %s %s %s %d %u %u %s", checkd_answer_state_name(a->state),
		     check_layer_name(v->layer), code, admin ? admin : "up", a->j.weight_hint < 0 ? -1 : a->j.weight_hint,
		     a->j.n_findings, a->age_ms, v->reason);
	if (n < 0)
		n = 0;
	if ((size_t)n > CHECKD_PROTO_LINE_MAX - 2)
		n = CHECKD_PROTO_LINE_MAX - 2;
	for (i = 0; i < (size_t)n; i++)
		if (out[i] == '\n' || out[i] == '\r')
			out[i] = ' ';
	out[n++] = '\n';
	out[n] = '\0';
	return (size_t)n;
}

int checkd_answer_parse(const char *line, size_t n, struct checkd_answer *a)
{
	const char *f[FIELDS];
	size_t fl[FIELDS];
	uint32_t u, w;
	unsigned k;
	char tmp[VERDICT_REASON_MAX];

	memset(a, 0, sizeof(*a));
	if (n >= CHECKD_PROTO_LINE_MAX || memchr(line, '\0', n) || memchr(line, '\n', n))
		return -EINVAL;
	if (split(line, n, FIELDS, f, fl) != FIELDS)
		return -EINVAL;
	for (k = 0; k < CHECKD_ANSWER_COUNT; k++)
		if (span_eq_ci(f[0], fl[0], state_names[k]))
			break;
	if (k == CHECKD_ANSWER_COUNT)
		return -EINVAL;
	a->state = (enum checkd_answer_state)k;
	for (k = 0; k < CHECK_LAYER_COUNT; k++)
		if (span_eq_ci(f[1], fl[1], check_layer_name((enum check_layer)k)))
			break;
	if (k == CHECK_LAYER_COUNT)
		return -EINVAL;
	a->j.verdict.layer = (enum check_layer)k;
	if (fl[2] == 0 || fl[2] >= VERDICT_CODE_MAX)
		return -EINVAL;
	for (k = 0; k < fl[2]; k++)
		if (f[2][k] < 0x21 || f[2][k] > 0x7e)
			return -EINVAL;  /* a code is one printable token */
	if (memchr(line, '\r', n))
		return -EINVAL;
	memcpy(a->j.verdict.code, f[2], fl[2]);
	a->j.verdict.code[fl[2]] = '\0';
	if (fl[3] >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, f[3], fl[3]);
	tmp[fl[3]] = '\0';
	if (admin_state_parse(tmp, &a->j.admin) < 0)
		return -EINVAL;
	if (fl[4] == 2 && !memcmp(f[4], "-1", 2))
		a->j.weight_hint = FACTS_UNKNOWN;
	else if (parse_u32n(f[4], fl[4], &w, 0, 100) == 0)
		a->j.weight_hint = (int)w;
	else
		return -EINVAL;
	if (parse_u32n(f[5], fl[5], &u, 0, 1000) < 0)
		return -EINVAL;
	a->j.n_findings = u;
	if (parse_u32n(f[6], fl[6], &a->age_ms, 0, UINT32_MAX) < 0)
		return -EINVAL;
	if (fl[7] >= VERDICT_REASON_MAX)
		fl[7] = VERDICT_REASON_MAX - 1;
	memcpy(a->j.verdict.reason, f[7], fl[7]);
	a->j.verdict.reason[fl[7]] = '\0';
	/* the answer must be consistent: UP has no failing layer */
	if (a->state == CHECKD_ANSWER_UP && a->j.verdict.layer != CHECK_LAYER_NONE)
		return -EINVAL;
	if (a->state == CHECKD_ANSWER_DOWN && a->j.verdict.layer == CHECK_LAYER_NONE)
		return -EINVAL;
	return 0;
}
