/* SPDX-License-Identifier: Apache-2.0 */
/* judge_status.c - the Linux side of the Windows agent's protocol test:
 * reads a /v1/status document (as the Windows agent served it under wine)
 * on stdin, parses it with the checker's parser (agent-proto/status_parse.c)
 * and judges the facts again with the shared rules, as dsr-check does.
 *
 *   judge_status --vip ADDR [--port N] [--os windows] [--verdict ok|warning|critical]
 *                [--has CODE]... [--not CODE]... [--iface NAME --addr A/LEN --loopback]
 *
 * Prints the verdict and the codes; exits 0 when every expectation holds,
 * 1 when one does not, 2 on usage or a document the parser refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/strparse.h"

static struct facts f;
static struct findings fs;

static int iface_check(const char *name, const char *addr, int loopback)
{
	struct ip_addr a;
	unsigned plen;
	size_t i;
	int pos = facts_iface_find(&f, name);

	if (pos < 0) {
		printf("no interface %s\n", name);
		return 1;
	}
	if (loopback && !f.ifaces[pos].loopback) {
		printf("interface %s is not marked as the loopback\n", name);
		return 1;
	}
	if (!addr)
		return 0;
	if (ipaddr_parse_prefix(addr, &a, &plen) < 0)
		return 2;
	for (i = 0; i < f.n_addrs; i++)
		if (f.addrs[i].iface == (size_t)pos && ipaddr_equal(&f.addrs[i].addr, &a) &&
		    f.addrs[i].prefix_len == plen)
			return 0;
	printf("interface %s does not hold %s\n", name, addr);
	return 1;
}

int main(int argc, char **argv)
{
	static char doc[STATUS_DOC_MAX + 1];
	char err[256];
	struct ip_addr vip;
	uint32_t port = 0;
	const char *os = NULL, *verdict = NULL, *iface = NULL, *addr = NULL;
	int i, have_vip = 0, loopback = 0, bad = 0;
	size_t n, k;
	enum finding_code c;

	n = fread(doc, 1, sizeof(doc) - 1, stdin);
	doc[n] = '\0';
	if (status_parse(doc, n, &f, err, sizeof(err)) < 0) {
		printf("protocol: the document was refused: %s\n", err);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--loopback") == 0) {
			loopback = 1;
			continue;
		}
		if (!v)
			return 2;
		if (strcmp(argv[i], "--vip") == 0) {
			if (ipaddr_parse(v, &vip) < 0)
				return 2;
			have_vip = 1;
		} else if (strcmp(argv[i], "--port") == 0) {
			if (parse_u32(v, &port, 1, 65535) < 0)
				return 2;
		} else if (strcmp(argv[i], "--os") == 0) {
			os = v;
		} else if (strcmp(argv[i], "--verdict") == 0) {
			verdict = v;
		} else if (strcmp(argv[i], "--iface") == 0) {
			iface = v;
		} else if (strcmp(argv[i], "--addr") == 0) {
			addr = v;
		} else if (strcmp(argv[i], "--has") != 0 && strcmp(argv[i], "--not") != 0) {
			return 2;
		}
		i++;
	}
	if (!have_vip)
		return 2;
	findings_init(&fs);
	rules_evaluate(&f, &vip, (uint16_t)port, &fs);
	printf("verdict %s:", rules_verdict_name(rules_verdict(&fs)));
	for (k = 0; k < fs.n; k++)
		printf(" %s", finding_code_name(fs.items[k].code));
	printf("\n");
	if (os && strcmp(facts_os_name(f.os), os) != 0) {
		printf("os is %s, want %s\n", facts_os_name(f.os), os);
		bad = 1;
	}
	if (verdict && strcmp(rules_verdict_name(rules_verdict(&fs)), verdict) != 0) {
		printf("verdict is not %s\n", verdict);
		bad = 1;
	}
	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--has") != 0 && strcmp(argv[i], "--not") != 0)
			continue;
		if (finding_code_parse(argv[i + 1], &c) < 0)
			return 2;
		if (findings_has(&fs, c) != (argv[i][2] == 'h')) {
			printf("%s %s expected\n", argv[i + 1], argv[i][2] == 'h' ? "is" : "is not");
			bad = 1;
		}
	}
	if (iface) {
		int r = iface_check(iface, addr, loopback);

		if (r)
			return r;
	}
	return bad;
}
