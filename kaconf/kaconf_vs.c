/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs.c - virtual_server / real_server blocks into plain structs. */
#include "kaconf/kaconf_vs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/strparse.h"

#define RS_MAX 65536
#define VS_MAX 1000000

__attribute__((format(printf, 4, 5)))
static int bad(struct buf *err, const struct kaconf_node *n, int *nerr, const char *fmt, ...)
{
	va_list ap;

	(*nerr)++;
	if (buf_appendf(err, "%s:%u: ", n->file, n->line) == 0) {
		va_start(ap, fmt);
		if (buf_vappendf(err, fmt, ap) == 0 && buf_append(err, "\n", 1) < 0) {
			/* truncated: the count still fails the parse */
		}
		va_end(ap);
	}
	return -EINVAL;
}

static const char *const fwd_names[KACONF_FWD_COUNT] = {
	[KACONF_FWD_NAT] = "NAT",
	[KACONF_FWD_DR] = "DR",
	[KACONF_FWD_TUN] = "TUN",
};

const char *kaconf_fwd_name(enum kaconf_fwd f)
{
	return (unsigned)f < KACONF_FWD_COUNT ? fwd_names[f] : "?";
}

static int parse_fwd(const char *s, enum kaconf_fwd *out)
{
	int i;

	for (i = 0; i < KACONF_FWD_COUNT; i++)
		if (span_eq_ci(s, strlen(s), fwd_names[i])) {
			*out = (enum kaconf_fwd)i;
			return 0;
		}
	return -EINVAL;
}

static int one_arg(struct buf *err, const struct kaconf_node *n, int *nerr)
{
	if (n->nargs != 1)
		return bad(err, n, nerr, "%s takes one value, got %zu", n->word, n->nargs);
	return 0;
}

static int u32_arg(struct buf *err, const struct kaconf_node *n, int *nerr, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	if (one_arg(err, n, nerr) < 0)
		return -EINVAL;
	if (parse_u32(n->args[0], out, min, max) < 0)
		return bad(err, n, nerr, "%s: '%s' is not a number from %u to %u", n->word, n->args[0],
			   min, max);
	return 0;
}

static int parse_real_server(const struct kaconf_node *n, struct kaconf_vs *vs, struct kaconf_rs *rs,
			     struct buf *err, int *nerr)
{
	const struct kaconf_node *c;
	uint32_t port;

	memset(rs, 0, sizeof(*rs));
	rs->node = n;
	rs->weight = 1;
	rs->fwd = vs->fwd;
	if (n->nargs < 1 || n->nargs > 2)
		return bad(err, n, nerr, "real_server needs an address and a port");
	if (ipaddr_parse(n->args[0], &rs->addr) < 0)
		return bad(err, n, nerr, "real_server: '%s' is not an IP address", n->args[0]);
	if (n->nargs == 2) {
		if (parse_u32(n->args[1], &port, 0, 65535) < 0)
			return bad(err, n, nerr, "real_server: '%s' is not a port (0-65535)", n->args[1]);
		rs->port = (uint16_t)port;
	} else {
		rs->port = vs->port;
	}
	for (c = n->child; c; c = c->next) {
		if (strcmp(c->word, "weight") == 0) {
			(void)u32_arg(err, c, nerr, 0, 65535, &rs->weight);
		} else if (strcmp(c->word, "uthreshold") == 0) {
			(void)u32_arg(err, c, nerr, 0, 2147483647, &rs->uthreshold);
		} else if (strcmp(c->word, "lthreshold") == 0) {
			(void)u32_arg(err, c, nerr, 0, 2147483647, &rs->lthreshold);
		} else if (strcmp(c->word, "lvs_method") == 0 || strcmp(c->word, "lb_kind") == 0) {
			if (one_arg(err, c, nerr) == 0 && parse_fwd(c->args[0], &rs->fwd) < 0)
				(void)bad(err, c, nerr, "%s: '%s' is not NAT, DR or TUN", c->word, c->args[0]);
			rs->fwd_set = 1;
		}
		/* checks (MISC_CHECK, TCP_CHECK, ...) and the rest: the caller's */
	}
	return 0;
}

static int parse_granularity(const struct kaconf_node *n, struct kaconf_vs *vs, struct buf *err,
			     int *nerr)
{
	struct ip_addr m;
	uint32_t v;
	int i;

	if (one_arg(err, n, nerr) < 0)
		return -EINVAL;
	if (strchr(n->args[0], '.')) {
		uint32_t bits, plen = 0;

		if (ipaddr_parse(n->args[0], &m) < 0 || m.family != IP_FAMILY_V4)
			return bad(err, n, nerr, "persistence_granularity: '%s' is not a netmask", n->args[0]);
		bits = (uint32_t)m.b[0] << 24 | (uint32_t)m.b[1] << 16 | (uint32_t)m.b[2] << 8 | m.b[3];
		for (i = 31; i >= 0 && (bits >> i & 1); i--)
			plen++;
		if (plen == 0 || (plen < 32 && (bits & (0xffffffffu >> plen))))
			return bad(err, n, nerr, "persistence_granularity: '%s' is not a contiguous netmask",
				   n->args[0]);
		vs->granularity = plen;
		return 0;
	}
	if (parse_u32(n->args[0], &v, 1, 128) < 0)
		return bad(err, n, nerr, "persistence_granularity: '%s' is neither a netmask nor a prefix length",
			   n->args[0]);
	vs->granularity = v;
	return 0;
}

static const struct {
	const char *word;
	uint32_t flag;
} flag_words[] = {
	{ "ops", KACONF_VS_F_ONEPACKET },
	{ "sh-fallback", KACONF_VS_F_SCHED1 }, { "sh-port", KACONF_VS_F_SCHED2 },
	{ "mh-fallback", KACONF_VS_F_SCHED1 }, { "mh-port", KACONF_VS_F_SCHED2 },
	{ "flag-1", KACONF_VS_F_SCHED1 }, { "flag-2", KACONF_VS_F_SCHED2 },
	{ "flag-3", KACONF_VS_F_SCHED3 },
};

static int parse_vs(const struct kaconf_node *n, struct kaconf_vs *vs, struct buf *err, int *nerr,
		    struct buf *warn)
{
	const struct kaconf_node *c;
	int before = *nerr, fam = 0;
	uint32_t v;
	size_t i;

	memset(vs, 0, sizeof(*vs));
	vs->node = n;
	vs->protocol = 6;
	vs->fwd = KACONF_FWD_NAT;
	if (n->nargs == 2 && strcmp(n->args[0], "fwmark") == 0) {
		if (parse_u32(n->args[1], &vs->fwmark, 1, UINT32_MAX) < 0)
			return bad(err, n, nerr, "virtual_server fwmark: '%s' is not a mark (1-4294967295)",
				   n->args[1]);
	} else if (n->nargs == 2 && strcmp(n->args[0], "group") == 0) {
		if (buf_appendf(warn, "%s:%u: virtual_server group %s skipped (not supported)\n", n->file,
				n->line, n->args[1]) < 0) {
			/* warnings are best effort */
		}
		return 1;
	} else if (n->nargs == 2) {
		if (ipaddr_parse(n->args[0], &vs->addr) < 0)
			return bad(err, n, nerr, "virtual_server: '%s' is not an IP address", n->args[0]);
		if (parse_u32(n->args[1], &v, 0, 65535) < 0)
			return bad(err, n, nerr, "virtual_server: '%s' is not a port (0-65535)", n->args[1]);
		vs->port = (uint16_t)v;
	} else {
		return bad(err, n, nerr, "virtual_server needs 'IP PORT' or 'fwmark N'");
	}
	if (!n->has_block)
		return bad(err, n, nerr, "virtual_server without a { } block");
	for (c = n->child; c; c = c->next) {
		if (strcmp(c->word, "lb_algo") == 0 || strcmp(c->word, "lvs_sched") == 0) {
			if (one_arg(err, c, nerr) < 0)
				continue;
			if (strlen(c->args[0]) >= sizeof(vs->sched) || !c->args[0][0])
				(void)bad(err, c, nerr, "%s: '%s' is not a scheduler name", c->word, c->args[0]);
			else
				memcpy(vs->sched, c->args[0], strlen(c->args[0]) + 1);
		} else if (strcmp(c->word, "lb_kind") == 0 || strcmp(c->word, "lvs_method") == 0) {
			if (one_arg(err, c, nerr) == 0 && parse_fwd(c->args[0], &vs->fwd) < 0)
				(void)bad(err, c, nerr, "%s: '%s' is not NAT, DR or TUN", c->word, c->args[0]);
			vs->fwd_set = 1;
		} else if (strcmp(c->word, "protocol") == 0) {
			if (one_arg(err, c, nerr) < 0)
				continue;
			if (span_eq_ci(c->args[0], strlen(c->args[0]), "TCP"))
				vs->protocol = 6;
			else if (span_eq_ci(c->args[0], strlen(c->args[0]), "UDP"))
				vs->protocol = 17;
			else if (span_eq_ci(c->args[0], strlen(c->args[0]), "SCTP"))
				vs->protocol = 132;
			else
				(void)bad(err, c, nerr, "protocol: '%s' is not TCP, UDP or SCTP", c->args[0]);
		} else if (strcmp(c->word, "persistence_timeout") == 0) {
			if (u32_arg(err, c, nerr, 1, 2678400, &vs->persistence_timeout) == 0)
				vs->flags |= KACONF_VS_F_PERSISTENT;
		} else if (strcmp(c->word, "persistence_granularity") == 0) {
			(void)parse_granularity(c, vs, err, nerr);
		} else if (strcmp(c->word, "persistence_engine") == 0) {
			if (one_arg(err, c, nerr) == 0) {
				if (strlen(c->args[0]) >= sizeof(vs->pe))
					(void)bad(err, c, nerr, "persistence_engine: name too long");
				else
					memcpy(vs->pe, c->args[0], strlen(c->args[0]) + 1);
			}
		} else if (strcmp(c->word, "ip_family") == 0) {
			if (one_arg(err, c, nerr) < 0)
				continue;
			if (strcmp(c->args[0], "inet") == 0)
				fam = 4;
			else if (strcmp(c->args[0], "inet6") == 0)
				fam = 6;
			else
				(void)bad(err, c, nerr, "ip_family: '%s' is not inet or inet6", c->args[0]);
		} else {
			for (i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
				if (strcmp(c->word, flag_words[i].word) == 0)
					vs->flags |= flag_words[i].flag;
		}
	}
	/* real servers after the virtual server's own settings: their default
	 * forwarding method and port come from it */
	for (c = kaconf_node_find(n->child, "real_server"); c; c = kaconf_node_find(c->next, "real_server")) {
		struct kaconf_rs rs;

		if (vs->nrs >= RS_MAX)
			return bad(err, c, nerr, "too many real servers");
		if (parse_real_server(c, vs, &rs, err, nerr) < 0)
			continue;
		for (i = 0; i < vs->nrs; i++)
			if (ipaddr_equal(&vs->rs[i].addr, &rs.addr) && vs->rs[i].port == rs.port) {
				(void)bad(err, c, nerr, "real_server %s %u is listed twice (first at line %u)",
					  c->args[0], rs.port, vs->rs[i].node->line);
				break;
			}
		if (i < vs->nrs)
			continue;
		if (vs->nrs % 8 == 0) {
			struct kaconf_rs *nr = realloc(vs->rs, (vs->nrs + 8) * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			vs->rs = nr;
		}
		vs->rs[vs->nrs++] = rs;
	}
	if (vs->fwmark) {
		vs->protocol = 0;
		vs->addr.family = fam == 6 ? IP_FAMILY_V6 : fam == 4 ? IP_FAMILY_V4 :
				  vs->nrs ? vs->rs[0].addr.family : IP_FAMILY_V4;
	} else if (fam && (fam == 6) != (vs->addr.family == IP_FAMILY_V6)) {
		(void)bad(err, n, nerr, "ip_family does not match the virtual address");
	}
	if (vs->granularity && vs->granularity > ipaddr_host_prefix(&vs->addr))
		(void)bad(err, n, nerr, "persistence_granularity longer than the address");
	return *nerr > before ? -EINVAL : 0;
}

int kaconf_vs_collect(const struct kaconf *cf, struct kaconf_vs_list *l, struct buf *err)
{
	const struct kaconf_node *n;
	int nerr = 0;

	memset(l, 0, sizeof(*l));
	buf_init(&l->warnings, 64 * 1024);
	for (n = kaconf_node_find(kaconf_root(cf), "virtual_server"); n;
	     n = kaconf_node_find(n->next, "virtual_server")) {
		struct kaconf_vs vs;
		int r;

		if (l->n >= VS_MAX)
			return bad(err, n, &nerr, "too many virtual servers");
		r = parse_vs(n, &vs, err, &nerr, &l->warnings);
		if (r == -ENOMEM) {
			free(vs.rs);
			return r;
		}
		if (r != 0) {
			free(vs.rs);
			continue;
		}
		if (l->n % 64 == 0) {
			struct kaconf_vs *nv = realloc(l->vs, (l->n + 64) * sizeof(*nv));

			if (!nv) {
				free(vs.rs);
				return -ENOMEM;
			}
			l->vs = nv;
		}
		l->vs[l->n++] = vs;
	}
	return nerr ? -EINVAL : 0;
}

void kaconf_vs_list_free(struct kaconf_vs_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->vs[i].rs);
	free(l->vs);
	buf_free(&l->warnings);
	memset(l, 0, sizeof(*l));
}
