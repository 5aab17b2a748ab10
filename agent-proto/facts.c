/* SPDX-License-Identifier: Apache-2.0 */
/* facts.c - helpers over the facts model; see facts.h. */
#include "agent-proto/facts.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "bounded/utf8.h"

static const char *const os_names[FACTS_OS_COUNT] = {
	[FACTS_OS_UNKNOWN] = "unknown",
	[FACTS_OS_LINUX] = "linux",
	[FACTS_OS_WINDOWS] = "windows",
};

static const char *const admin_names[ADMIN_STATE_COUNT] = {
	[ADMIN_STATE_UP] = "up",
	[ADMIN_STATE_DRAIN] = "drain",
	[ADMIN_STATE_MAINT] = "maint",
};

static const char *const proto_names[FACTS_PROTO_COUNT] = {
	[FACTS_PROTO_TCP] = "tcp",
	[FACTS_PROTO_UDP] = "udp",
};

static void conf_unknown(struct facts_linux_conf *c)
{
	c->arp_ignore = FACTS_UNKNOWN;
	c->arp_announce = FACTS_UNKNOWN;
	c->rp_filter = FACTS_UNKNOWN;
}

void facts_text_set(char *dst, size_t n, const char *s)
{
	size_t l;

	if (!n)
		return;
	l = s ? strlen(s) : 0;
	if (l >= n)
		l = utf8_cut_len(s, n - 1); /* never half a character */
	if (l)
		memcpy(dst, s, l);
	dst[l] = '\0';
	utf8_sanitize(dst); /* the model holds valid text only (bounded/utf8.h) */
}

void facts_init(struct facts *f, enum facts_os os)
{
	/* the scalars and the counts, not the 680 KiB of tables: an entry is
	 * zeroed when it is added.  A one-shot dsr-check touched every page
	 * of the tables here, about 170 page faults, the dearest part of a
	 * check in a VM (issue 17). */
	memset(f, 0, offsetof(struct facts, ifaces));
	f->n_ifaces = 0;
	f->n_addrs = 0;
	memset(&f->n_listeners, 0, sizeof(*f) - offsetof(struct facts, n_listeners));
	f->os = os;
	conf_unknown(&f->linux_all);
	f->admin = ADMIN_STATE_UP;
	f->weight = FACTS_UNKNOWN;
	f->generation = -1;
}

int facts_iface_add(struct facts *f, const char *name, uint32_t index, int up, int loopback)
{
	struct facts_iface *i;

	if (f->n_ifaces >= FACTS_MAX_IFACES) {
		f->truncated |= FACTS_TRUNC_IFACES;
		return -ENOSPC;
	}
	i = &f->ifaces[f->n_ifaces];
	memset(i, 0, sizeof(*i));
	facts_text_set(i->name, sizeof(i->name), name);
	i->index = index;
	i->up = up;
	i->loopback = loopback;
	conf_unknown(&i->linux_conf);
	i->win_conf.weak_host_send = FACTS_UNKNOWN;
	i->win_conf.weak_host_receive = FACTS_UNKNOWN;
	i->win_conf.dns_register = FACTS_UNKNOWN;
	return (int)f->n_ifaces++;
}

int facts_addr_add(struct facts *f, size_t iface, const struct ip_addr *a, unsigned prefix_len)
{
	struct facts_addr *d;

	if (iface >= f->n_ifaces || a->family == IP_FAMILY_NONE ||
	    prefix_len > ipaddr_host_prefix(a))
		return -EINVAL;
	if (f->n_addrs >= FACTS_MAX_ADDRS) {
		f->truncated |= FACTS_TRUNC_ADDRS;
		return -ENOSPC;
	}
	d = &f->addrs[f->n_addrs++];
	memset(d, 0, sizeof(*d)); /* padding too: facts_equal compares bytes */
	d->addr = *a;
	d->prefix_len = prefix_len;
	d->iface = iface;
	return 0;
}

int facts_listener_add(struct facts *f, enum facts_proto proto, const struct ip_addr *a,
		       uint16_t port, int v6only)
{
	size_t i;
	struct facts_listener *l;

	for (i = 0; i < f->n_listeners; i++) {
		l = &f->listeners[i];
		if (l->proto == proto && l->port == port && ipaddr_equal(&l->addr, a))
			return 0;
	}
	if (f->n_listeners >= FACTS_MAX_LISTENERS) {
		f->truncated |= FACTS_TRUNC_LISTENERS;
		return -ENOSPC;
	}
	l = &f->listeners[f->n_listeners++];
	memset(l, 0, sizeof(*l));
	l->proto = proto;
	l->addr = *a;
	l->port = port;
	l->v6only = v6only;
	return 0;
}

int facts_equal(const struct facts *a, const struct facts *b)
{
	size_t tail = offsetof(struct facts, n_listeners);

	return memcmp(a, b, offsetof(struct facts, ifaces)) == 0 && a->n_ifaces == b->n_ifaces &&
	       a->n_addrs == b->n_addrs &&
	       memcmp(a->ifaces, b->ifaces, a->n_ifaces * sizeof(a->ifaces[0])) == 0 &&
	       memcmp(a->addrs, b->addrs, a->n_addrs * sizeof(a->addrs[0])) == 0 &&
	       memcmp(a->listeners, b->listeners, a->n_listeners * sizeof(a->listeners[0])) == 0 &&
	       memcmp((const char *)a + tail, (const char *)b + tail, sizeof(*a) - tail) == 0;
}

void facts_copy(struct facts *dst, const struct facts *src)
{
	size_t tail = offsetof(struct facts, n_listeners);

	memcpy(dst, src, offsetof(struct facts, ifaces));
	memcpy(dst->ifaces, src->ifaces, src->n_ifaces * sizeof(src->ifaces[0]));
	dst->n_ifaces = src->n_ifaces;
	memcpy(dst->addrs, src->addrs, src->n_addrs * sizeof(src->addrs[0]));
	dst->n_addrs = src->n_addrs;
	memcpy(dst->listeners, src->listeners, src->n_listeners * sizeof(src->listeners[0]));
	memcpy((char *)dst + tail, (const char *)src + tail, sizeof(*dst) - tail);
}

int facts_iface_find(const struct facts *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_ifaces; i++)
		if (strcmp(f->ifaces[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

const char *facts_os_name(enum facts_os os)
{
	return (unsigned)os < FACTS_OS_COUNT ? os_names[os] : NULL;
}

const char *admin_state_name(enum admin_state s)
{
	return (unsigned)s < ADMIN_STATE_COUNT ? admin_names[s] : NULL;
}

const char *facts_proto_name(enum facts_proto p)
{
	return (unsigned)p < FACTS_PROTO_COUNT ? proto_names[p] : NULL;
}

static int lookup(const char *const *names, int count, const char *s)
{
	int i;

	for (i = 0; i < count; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return i;
	return -EINVAL;
}

int facts_os_parse(const char *s, enum facts_os *out)
{
	int i = lookup(os_names, FACTS_OS_COUNT, s);

	if (i < 0)
		return i;
	*out = (enum facts_os)i;
	return 0;
}

int admin_state_parse(const char *s, enum admin_state *out)
{
	int i = lookup(admin_names, ADMIN_STATE_COUNT, s);

	if (i < 0)
		return i;
	*out = (enum admin_state)i;
	return 0;
}

int facts_proto_parse(const char *s, enum facts_proto *out)
{
	int i = lookup(proto_names, FACTS_PROTO_COUNT, s);

	if (i < 0)
		return i;
	*out = (enum facts_proto)i;
	return 0;
}
