/* SPDX-License-Identifier: Apache-2.0 */
/* win_facts.c - see win_facts.h.  Portable: no Windows header. */
#include "win-realserver/win_facts.h"
#include "agent-proto/facts.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void win_snapshot_init(struct win_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void win_options_init(struct win_options *o)
{
	memset(o, 0, sizeof(*o));
	facts_text_set(o->loopback_new_name, sizeof(o->loopback_new_name), "Loopback");
}

void win_snapshot_note(struct win_snapshot *s, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	if (s->n_notes >= WIN_NOTES_MAX)
		return;
	va_start(ap, fmt);
	if (vsnprintf(s->notes[s->n_notes], WIN_NOTE_LEN, fmt, ap) < 0)
		s->notes[s->n_notes][0] = '\0';
	va_end(ap);
	/* one line per cause, however many adapters share it */
	for (i = 0; i < s->n_notes; i++)
		if (strcmp(s->notes[i], s->notes[s->n_notes]) == 0)
			return;
	s->n_notes++;
}

struct win_adapter *win_snapshot_adapter_add(struct win_snapshot *s, const char *alias,
					     uint32_t index, uint64_t luid)
{
	struct win_adapter *a;

	if (s->n_adapters >= FACTS_MAX_IFACES) {
		s->truncated = 1;
		return NULL;
	}
	a = &s->adapters[s->n_adapters++];
	memset(a, 0, sizeof(*a));
	facts_text_set(a->alias, sizeof(a->alias), alias);
	a->index = index;
	a->luid = luid;
	a->up = FACTS_UNKNOWN;
	a->dns_register = FACTS_UNKNOWN;
	a->weak_send[0] = a->weak_send[1] = FACTS_UNKNOWN;
	a->weak_recv[0] = a->weak_recv[1] = FACTS_UNKNOWN;
	return a;
}

int win_snapshot_addr_add(struct win_snapshot *s, const struct ip_addr *a, unsigned prefix_len,
			  uint32_t index, int skip_as_source)
{
	struct win_uaddr *u;

	if (s->n_addrs >= FACTS_MAX_ADDRS) {
		s->truncated = 1;
		return -ENOSPC;
	}
	u = &s->addrs[s->n_addrs++];
	u->addr = *a;
	u->prefix_len = prefix_len;
	u->index = index;
	u->skip_as_source = skip_as_source;
	return 0;
}

int win_snapshot_listener_add(struct win_snapshot *s, const struct ip_addr *a, uint16_t port,
			      int v6only)
{
	struct facts_listener *l;
	size_t i;

	for (i = 0; i < s->n_listeners; i++)
		if (s->listeners[i].port == port && ipaddr_equal(&s->listeners[i].addr, a))
			return 0;
	if (s->n_listeners >= FACTS_MAX_LISTENERS) {
		s->truncated = 1;
		return -ENOSPC;
	}
	l = &s->listeners[s->n_listeners++];
	l->proto = FACTS_PROTO_TCP;
	l->addr = *a;
	l->port = port;
	l->v6only = v6only;
	return 0;
}

/* Case-insensitive substring test over ASCII (driver descriptions). */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i, j;

	for (i = 0; hay[i]; i++) {
		for (j = 0; j < n && hay[i + j]; j++)
			if (tolower((unsigned char)hay[i + j]) != tolower((unsigned char)needle[j]))
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

static int eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int win_adapter_is_loopback(const struct win_adapter *a, const struct win_options *o)
{
	if (o && o->loopback[0])
		return eq_ci(a->alias, o->loopback);
	if (a->if_type == WIN_IF_TYPE_SOFTWARE_LOOPBACK)
		return 0;
	if (eq_ci(a->hardware_id, WIN_LOOPBACK_HWID))
		return 1;
	/* Server 2012+: "Microsoft KM-TEST Loopback Adapter"; 2008: "Microsoft
	 * Loopback Adapter".  Used when SetupAPI could not say. */
	return contains_ci(a->description, "KM-TEST Loopback") ||
	       contains_ci(a->description, "Microsoft Loopback Adapter");
}

const struct win_adapter *win_snapshot_adapter_by_index(const struct win_snapshot *s,
							uint32_t index)
{
	size_t i;

	for (i = 0; i < s->n_adapters; i++)
		if (s->adapters[i].index == index)
			return &s->adapters[i];
	return NULL;
}

static int pick(const int v[2], int has_v4)
{
	return has_v4 || v[1] == FACTS_UNKNOWN ? v[0] : v[1];
}

static int has_family(const struct win_snapshot *s, uint32_t index, enum ip_family fam)
{
	size_t i;

	for (i = 0; i < s->n_addrs; i++)
		if (s->addrs[i].index == index && s->addrs[i].addr.family == fam)
			return 1;
	return 0;
}

int win_facts_build(const struct win_snapshot *s, const struct win_options *o, struct facts *f)
{
	size_t i;
	int r, rc = 0;

	facts_text_set(f->hostname, sizeof(f->hostname), s->hostname);
	facts_text_set(f->os_release, sizeof(f->os_release), s->os_release);
	for (i = 0; i < s->n_adapters; i++) {
		const struct win_adapter *a = &s->adapters[i];
		struct facts_iface *fi;
		int v4 = has_family(s, a->index, IP_FAMILY_V4) || a->weak_recv[0] != FACTS_UNKNOWN;

		r = facts_iface_add(f, a->alias, a->index, a->up, win_adapter_is_loopback(a, o));
		if (r < 0) {
			rc = r;
			break;
		}
		fi = &f->ifaces[r];
		fi->win_conf.weak_host_send = pick(a->weak_send, v4);
		fi->win_conf.weak_host_receive = pick(a->weak_recv, v4);
		fi->win_conf.dns_register = a->dns_register;
		facts_text_set(fi->win_conf.description, sizeof(fi->win_conf.description), a->description);
		facts_text_set(fi->win_conf.hardware_id, sizeof(fi->win_conf.hardware_id), a->hardware_id);
	}
	for (i = 0; i < s->n_addrs; i++) {
		const struct win_uaddr *u = &s->addrs[i];
		const struct win_adapter *a = win_snapshot_adapter_by_index(s, u->index);
		int pos;

		if (!a)
			continue;
		pos = facts_iface_find(f, a->alias);
		if (pos < 0)
			continue;
		r = facts_addr_add(f, (size_t)pos, &u->addr, u->prefix_len);
		if (r < 0 && r != -EINVAL)
			rc = r;
	}
	for (i = 0; i < s->n_listeners; i++) {
		const struct facts_listener *l = &s->listeners[i];

		r = facts_listener_add(f, l->proto, &l->addr, l->port, l->v6only);
		if (r < 0)
			rc = r;
	}
	if (s->truncated)
		f->truncated |= FACTS_TRUNC_ALL; /* the snapshot does not say which table */
	return rc;
}
