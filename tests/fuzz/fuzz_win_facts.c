/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Windows agent's registry/IP Helper readings turned
 * into facts (win_facts_build), over a fake snapshot decoded from the
 * input: adapters with any alias, description, hardware id, type and
 * weak-host flags (strings not NUL-terminated by the OS are cut at their
 * field), addresses, listeners and the loopback/NIC options.  The facts
 * must render as a status document that parses back (the bytes a Linux
 * checker reads), and the rules must judge them.  win_facts.c is portable
 * C and builds natively. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "win-realserver/win_facts.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned u8(struct in *in)
{
	unsigned v;

	if (!in->n)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

static uint32_t u32(struct in *in)
{
	return (uint32_t)u8(in) | (uint32_t)u8(in) << 8 | (uint32_t)u8(in) << 16 | (uint32_t)u8(in) << 24;
}

static int tri(struct in *in)
{
	unsigned v = u8(in) % 3;

	return v == 2 ? FACTS_UNKNOWN : (int)v;
}

/* A string of up to cap-1 bytes (kept NUL-terminated, as the agent does
 * after converting from UTF-16), sometimes one of the words that matter. */
static void str(struct in *in, char *out, size_t cap)
{
	static const char *const words[] = { "", "*MSLOOP", "Loopback", "Microsoft KM-TEST Loopback Adapter",
					     "Ethernet", "Loopback Pseudo-Interface 1" };
	unsigned k = u8(in), len, i;

	if (k < 6 * 16 && k % 16 == 0) {
		snprintf(out, cap, "%s", words[k / 16]);
		return;
	}
	len = u8(in) % (unsigned)cap;
	for (i = 0; i < len && in->n; i++)
		out[i] = (char)u8(in);
	out[i] = '\0';
}

static void addr(struct in *in, struct ip_addr *a)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	a->family = u8(in) & 1 ? IP_FAMILY_V6 : IP_FAMILY_V4;
	for (i = 0; i < ipaddr_len(a); i++)
		a->b[i] = (uint8_t)u8(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct win_snapshot s;
	static struct facts f;
	static struct findings fs;
	struct win_options o;
	struct in in = { data, size };
	struct status_target t;
	struct buf doc;
	unsigned n, i;
	int r;

	win_snapshot_init(&s);
	win_options_init(&o);
	str(&in, s.hostname, sizeof(s.hostname));
	str(&in, s.os_release, sizeof(s.os_release));
	n = u8(&in) % (FACTS_MAX_IFACES + 2);
	for (i = 0; i < n; i++) {
		char alias[FACTS_NAME_LEN];
		struct win_adapter *a;

		str(&in, alias, sizeof(alias));
		a = win_snapshot_adapter_add(&s, alias, u8(&in) % 8, u32(&in));
		if (!a)
			break;
		str(&in, a->description, sizeof(a->description));
		str(&in, a->hardware_id, sizeof(a->hardware_id));
		str(&in, a->guid, sizeof(a->guid));
		a->if_type = u8(&in) & 1 ? WIN_IF_TYPE_SOFTWARE_LOOPBACK : u8(&in);
		a->up = tri(&in);
		a->dns_register = tri(&in);
		a->weak_send[0] = tri(&in);
		a->weak_send[1] = tri(&in);
		a->weak_recv[0] = tri(&in);
		a->weak_recv[1] = tri(&in);
	}
	n = u8(&in) % (FACTS_MAX_ADDRS + 2);
	for (i = 0; i < n; i++) {
		struct ip_addr a;

		addr(&in, &a);
		if (win_snapshot_addr_add(&s, &a, u8(&in) % 140, u8(&in) % 8, tri(&in)) < 0)
			break;
	}
	n = u8(&in) % 8;
	for (i = 0; i < n; i++) {
		struct ip_addr a;

		addr(&in, &a);
		if (win_snapshot_listener_add(&s, &a, (uint16_t)u32(&in), u8(&in) & 1) < 0)
			break;
	}
	if (u8(&in) & 1)
		win_snapshot_note(&s, "note %u", u8(&in));
	if (u8(&in) & 1)
		str(&in, o.loopback, sizeof(o.loopback));
	if (u8(&in) & 1)
		str(&in, o.nic, sizeof(o.nic));

	facts_init(&f, FACTS_OS_WINDOWS);
	r = win_facts_build(&s, &o, &f);
	if (r < 0 && r != -ENOSPC)
		abort();
	addr(&in, &t.vip);
	t.port = (uint16_t)u32(&in);
	findings_init(&fs);
	rules_evaluate(&f, &t.vip, t.port, &fs);
	buf_init(&doc, STATUS_DOC_MAX);
	if (status_render(&f, &t, 1, &doc) == 0) {
		static struct facts back;
		char err[200];

		if (status_parse(buf_str(&doc), doc.len, &back, err, sizeof(err)) < 0)
			abort();  /* what the agent sends, the checker reads */
	}
	buf_free(&doc);
	return 0;
}
