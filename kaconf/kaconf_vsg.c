/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vsg.c - virtual_server_group entries: addresses, ranges, marks. */
#include "kaconf/kaconf_vsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/strparse.h"

#define VSG_MAX 65536
#define VSG_ENTRIES_MAX 65536

__attribute__((format(printf, 3, 4)))
static int bad(struct buf *err, const struct kaconf_node *n, const char *fmt, ...)
{
	va_list ap;

	if (buf_appendf(err, "%s:%u: ", n->file, n->line) == 0) {
		va_start(ap, fmt);
		if (buf_vappendf(err, fmt, ap) == 0 && buf_append(err, "\n", 1) < 0) {
			/* truncated: the return value still fails the parse */
		}
		va_end(ap);
	}
	return -EINVAL;
}

/* last - first + 1 over the address bytes, or 0 when last < first or
 * the range holds more than KACONF_VSG_RANGE_MAX addresses. */
static uint32_t range_count(const struct ip_addr *first, const struct ip_addr *last)
{
	size_t len = ipaddr_len(first), i;
	uint64_t diff = 0;
	int borrow = 0;
	uint8_t d[16];

	for (i = len; i-- > 0;) {
		int v = (int)last->b[i] - (int)first->b[i] - borrow;

		borrow = v < 0;
		d[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	if (borrow)
		return 0;
	for (i = 0; i < len; i++) {
		if (diff >> 32)
			return 0;
		diff = diff << 8 | d[i];
	}
	return diff >= KACONF_VSG_RANGE_MAX ? 0 : (uint32_t)diff + 1;
}

void kaconf_vsg_entry_addr(const struct kaconf_vsg_entry *e, uint32_t i, struct ip_addr *out)
{
	size_t k;

	*out = e->first;
	for (k = ipaddr_len(out); k-- > 0 && i;) {
		uint32_t v = out->b[k] + (i & 0xff);

		out->b[k] = (uint8_t)v;
		i = (i >> 8) + (v >> 8);
	}
}

/* "A-B": B is a whole address, or the last byte (IPv4, decimal) or the last
 * 16-bit group (IPv6, hex) of A. */
static int parse_range(const struct kaconf_node *n, const char *group, const char *w, struct kaconf_vsg_entry *e,
		       struct buf *err)
{
	const char *dash = strchr(w, '-'), *end = dash + 1;
	uint32_t v;

	if (ipaddr_parsen(w, (size_t)(dash - w), &e->first) < 0)
		return bad(err, n, "virtual_server_group %s: '%.*s' is not an IP address", group, (int)(dash - w), w);
	if (ipaddr_parse(end, &e->last) == 0) {
		if (e->last.family != e->first.family)
			return bad(err, n, "virtual_server_group %s: '%s' mixes IPv4 and IPv6", group, w);
	} else if (e->first.family == IP_FAMILY_V4) {
		if (parse_u32(end, &v, 0, 255) < 0)
			return bad(err, n, "virtual_server_group %s: '%s': the range end '%s' is not 0-255 or an address",
				   group, w, end);
		e->last = e->first;
		e->last.b[3] = (uint8_t)v;
	} else {
		size_t k, len = strlen(end);

		v = 0;
		for (k = 0; k < len && len <= 4; k++) {
			char c = end[k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (d < 0)
				break;
			v = v << 4 | (uint32_t)d;
		}
		if (len == 0 || len > 4 || k < len)
			return bad(err, n, "virtual_server_group %s: '%s': the range end '%s' is not 0-ffff or an address",
				   group, w, end);
		e->last = e->first;
		e->last.b[14] = (uint8_t)(v >> 8);
		e->last.b[15] = (uint8_t)v;
	}
	e->count = range_count(&e->first, &e->last);
	if (!e->count) {
		if (range_count(&e->last, &e->first) || memcmp(e->last.b, e->first.b, 16) < 0)
			return bad(err, n, "virtual_server_group %s: '%s': the range ends before it starts", group, w);
		return bad(err, n, "virtual_server_group %s: '%s' holds more than %u addresses", group, w,
			   KACONF_VSG_RANGE_MAX);
	}
	return 0;
}

static int parse_prefix(const struct kaconf_node *n, const char *group, const char *w, struct kaconf_vsg_entry *e,
			struct buf *err)
{
	unsigned plen, i;

	if (ipaddr_parse_prefix(w, &e->first, &plen) < 0)
		return bad(err, n, "virtual_server_group %s: '%s' is not ADDRESS/LENGTH", group, w);
	e->last = e->first;
	for (i = plen; i < ipaddr_host_prefix(&e->first); i++) {
		e->first.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
		e->last.b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
	e->count = range_count(&e->first, &e->last);
	if (!e->count)
		return bad(err, n, "virtual_server_group %s: '%s' holds more than %u addresses", group, w,
			   KACONF_VSG_RANGE_MAX);
	return 0;
}

int kaconf_vsg_entry_parse(const struct kaconf_node *n, const char *group, struct kaconf_vsg_entry *e,
			   struct buf *err)
{
	const char *w = n->word;
	uint32_t v;
	int r;

	memset(e, 0, sizeof(*e));
	e->node = n;
	if (n->has_block)
		return bad(err, n, "virtual_server_group %s: '%s' takes no { } block", group, w);
	if (strcmp(w, "fwmark") == 0) {
		if (n->nargs < 1 || n->nargs > 2)
			return bad(err, n, "virtual_server_group %s: fwmark needs a mark and at most inet or inet6", group);
		if (parse_u32(n->args[0], &e->fwmark, 1, UINT32_MAX) < 0)
			return bad(err, n, "virtual_server_group %s: fwmark '%s' is not a mark (1-4294967295)", group,
				   n->args[0]);
		if (n->nargs == 2) {
			if (strcmp(n->args[1], "inet") == 0)
				e->fwmark_family = IP_FAMILY_V4;
			else if (strcmp(n->args[1], "inet6") == 0)
				e->fwmark_family = IP_FAMILY_V6;
			else
				return bad(err, n, "virtual_server_group %s: fwmark %s: '%s' is not inet or inet6", group,
					   n->args[0], n->args[1]);
		}
		return 0;
	}
	if (n->nargs > 1)
		return bad(err, n, "virtual_server_group %s: '%s' takes at most a port after it", group, w);
	if (strchr(w, '/'))
		r = parse_prefix(n, group, w, e, err);
	else if (strchr(w, '-'))
		r = parse_range(n, group, w, e, err);
	else if (ipaddr_parse(w, &e->first) == 0) {
		e->last = e->first;
		e->count = 1;
		r = 0;
	} else {
		return bad(err, n, "virtual_server_group %s: '%s' is not an address, a range or fwmark", group, w);
	}
	if (r < 0)
		return r;
	if (n->nargs == 1) {
		if (parse_u32(n->args[0], &v, 0, 65535) < 0)
			return bad(err, n, "virtual_server_group %s: '%s' is not a port (0-65535)", group, n->args[0]);
		e->port = (uint16_t)v;
	}
	return 0;
}

const struct kaconf_vsg *kaconf_vsg_find(const struct kaconf_vsg_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->g[i].name, name) == 0)
			return &l->g[i];
	return NULL;
}

int kaconf_vsg_collect(const struct kaconf *cf, struct kaconf_vsg_list *l, struct buf *err, int *nerr)
{
	const struct kaconf_node *n, *c;
	size_t cap;

	memset(l, 0, sizeof(*l));
	for (n = kaconf_node_find(kaconf_root(cf), "virtual_server_group"); n;
	     n = kaconf_node_find(n->next, "virtual_server_group")) {
		const struct kaconf_vsg *dup;
		struct kaconf_vsg *g;

		if (n->nargs != 1 || !n->has_block) {
			(*nerr)++;
			(void)bad(err, n, "virtual_server_group needs a name and a { } block");
			continue;
		}
		dup = kaconf_vsg_find(l, n->args[0]);
		if (dup) {
			(*nerr)++;
			(void)bad(err, n, "virtual_server_group %s is defined twice (first at line %u)", n->args[0],
				  dup->node->line);
			continue;
		}
		if (l->n >= VSG_MAX) {
			(*nerr)++;
			return bad(err, n, "too many virtual_server_group blocks");
		}
		if ((cap = kaconf_grow_to(l->n, 16)) != 0) {
			struct kaconf_vsg *ng = realloc(l->g, cap * sizeof(*ng));

			if (!ng)
				return -ENOMEM;
			l->g = ng;
		}
		g = &l->g[l->n++];
		memset(g, 0, sizeof(*g));
		g->name = n->args[0];
		g->node = n;
		for (c = n->child; c; c = c->next) {
			struct kaconf_vsg_entry e;

			if (kaconf_vsg_entry_parse(c, g->name, &e, err) < 0) {
				(*nerr)++;
				continue;
			}
			if (g->n >= VSG_ENTRIES_MAX) {
				(*nerr)++;
				return bad(err, c, "virtual_server_group %s: too many entries", g->name);
			}
			if ((cap = kaconf_grow_to(g->n, 16)) != 0) {
				struct kaconf_vsg_entry *ne = realloc(g->e, cap * sizeof(*ne));

				if (!ne)
					return -ENOMEM;
				g->e = ne;
			}
			g->e[g->n++] = e;
		}
	}
	return *nerr ? -EINVAL : 0;
}

void kaconf_vsg_list_free(struct kaconf_vsg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->g[i].e);
	free(l->g);
	memset(l, 0, sizeof(*l));
}
