/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs.c - virtual_server / real_server blocks into plain structs. */
#include "kaconf/kaconf_vs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/strparse.h"
#include "kaconf/kaconf_vsg.h"

/* Bounds on what one configuration may ask for.  A group of a few
 * lines expands to many services (an IPv6 range holds 65536 addresses),
 * each with a copy of the block's real servers, so the total of real
 * servers over every service is bounded too: without it a 500-byte file
 * made the reader run for minutes (found by fuzz_kaconf). */
#define RS_MAX 65536
#define VS_MAX 65536
#define DEST_MAX (1u << 20)

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

__attribute__((format(printf, 3, 4)))
static void warnf(struct buf *warn, const struct kaconf_node *n, const char *fmt, ...)
{
	va_list ap;

	if (!warn || buf_appendf(warn, "%s:%u: ", n->file, n->line) < 0)
		return;
	va_start(ap, fmt);
	if (buf_vappendf(warn, fmt, ap) < 0 || buf_append(warn, "\n", 1) < 0) {
		/* warnings are best effort */
	}
	va_end(ap);
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

/* `NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` */
static int parse_method(struct buf *err, const struct kaconf_node *n, int *nerr, enum kaconf_fwd *fwd,
			uint8_t *tun_type, uint16_t *tun_port, uint16_t *tun_flags)
{
	size_t i = 1;
	uint32_t v;

	if (n->nargs < 1)
		return bad(err, n, nerr, "%s takes one value, got 0", n->word);
	if (parse_fwd(n->args[0], fwd) < 0)
		return bad(err, n, nerr, "%s: '%s' is not NAT, DR or TUN", n->word, n->args[0]);
	*tun_type = 0;
	*tun_port = 0;
	*tun_flags = 0;
	if (n->nargs == 1)
		return 0;
	if (*fwd != KACONF_FWD_TUN)
		return bad(err, n, nerr, "%s %s takes no more values", n->word, n->args[0]);
	if (strcmp(n->args[i], "type") == 0 && i + 1 < n->nargs) {
		const char *t = n->args[++i];

		i++;
		if (strcmp(t, "ipip") == 0) {
			*tun_type = 0;
		} else if (strcmp(t, "gue") == 0) {
			*tun_type = 1;
			if (i + 1 >= n->nargs || strcmp(n->args[i], "port") != 0 ||
			    parse_u32(n->args[i + 1], &v, 1, 65535) < 0)
				return bad(err, n, nerr, "%s TUN type gue needs 'port N' (1-65535)", n->word);
			*tun_port = (uint16_t)v;
			i += 2;
		} else if (strcmp(t, "gre") == 0) {
			*tun_type = 2;
		} else {
			return bad(err, n, nerr, "%s TUN: type '%s' is not ipip, gue or gre", n->word, t);
		}
	}
	if (i < n->nargs) {
		if (strcmp(n->args[i], "nocsum") == 0)
			*tun_flags = 0;
		else if (strcmp(n->args[i], "csum") == 0)
			*tun_flags = 1;
		else if (strcmp(n->args[i], "remcsum") == 0)
			*tun_flags = 2;
		else
			return bad(err, n, nerr, "%s TUN: '%s' is not type, nocsum, csum or remcsum", n->word, n->args[i]);
		if (*tun_type == 0)
			return bad(err, n, nerr, "%s TUN: %s needs type gue or gre", n->word, n->args[i]);
		i++;
	}
	if (i < n->nargs)
		return bad(err, n, nerr, "%s TUN: '%s' is one value too many", n->word, n->args[i]);
	return 0;
}

/* keepalived's booleans: none (true), yes/no, true/false, on/off, 1/0 */
static int bool_arg(struct buf *err, const struct kaconf_node *n, int *nerr, int *out)
{
	const char *v;

	if (n->nargs == 0) {
		*out = 1;
		return 0;
	}
	v = n->args[0];
	if (n->nargs == 1 && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1")))
		*out = 1;
	else if (n->nargs == 1 && (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0")))
		*out = 0;
	else
		return bad(err, n, nerr, "%s: '%s' is not yes or no", n->word, v);
	return 0;
}

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* A health checker block: what it decides happens after start, so a table
 * built without running checks leaves it out (see doc/keepalived.md). */
static int is_checker(const struct kaconf_node *c)
{
	size_t wl = strlen(c->word);

	return (wl > 6 && strcmp(c->word + wl - 6, "_CHECK") == 0) || strcmp(c->word, "HTTP_GET") == 0 ||
	       strcmp(c->word, "SSL_GET") == 0;
}

/* Keywords that change nothing in the table keepalived builds at start. */
static const char *const vs_quiet[] = {
	"delay_loop", "connect_timeout", "retry", "delay_before_retry", "warmup", "smtp_alert",
	"virtualhost", "snmp_name", "quorum_up", "quorum_down", "nb_get_retry", NULL,
};
static const char *const rs_quiet[] = {
	"notify_up", "notify_down", "smtp_alert", "virtualhost", "snmp_name", "connect_timeout",
	"retry", "delay_before_retry", "warmup", "delay_loop", "nb_get_retry", NULL,
};

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

/* A real_server (or sorry_server) line and, for a real server, its block.
 * Ports are settled later (settle_ports), once the service is known. */
static int parse_real_server(const struct kaconf_node *n, struct kaconf_vs *vs, struct kaconf_rs *rs,
			     struct buf *err, int *nerr, struct buf *warn)
{
	const struct kaconf_node *c;
	uint32_t port;
	int alpha;

	memset(rs, 0, sizeof(*rs));
	rs->node = n;
	rs->weight = 1;
	rs->fwd = vs->fwd;
	rs->tun_type = vs->tun_type;
	rs->tun_port = vs->tun_port;
	rs->tun_flags = vs->tun_flags;
	rs->inhibit = vs->inhibit;
	if (n->nargs < 1 || n->nargs > 2)
		return bad(err, n, nerr, "%s needs an address and a port", n->word);
	if (ipaddr_parse(n->args[0], &rs->addr) < 0)
		return bad(err, n, nerr, "%s: '%s' is not an IP address", n->word, n->args[0]);
	if (n->nargs == 2) {
		if (parse_u32(n->args[1], &port, 0, 65535) < 0)
			return bad(err, n, nerr, "%s: '%s' is not a port (0-65535)", n->word, n->args[1]);
		rs->cfg_port = (uint16_t)port;
	}
	for (c = n->child; c; c = c->next) {
		if (strcmp(c->word, "weight") == 0) {
			(void)u32_arg(err, c, nerr, 0, 65535, &rs->weight);
		} else if (strcmp(c->word, "uthreshold") == 0) {
			(void)u32_arg(err, c, nerr, 0, 2147483647, &rs->uthreshold);
		} else if (strcmp(c->word, "lthreshold") == 0) {
			(void)u32_arg(err, c, nerr, 0, 2147483647, &rs->lthreshold);
		} else if (strcmp(c->word, "lvs_method") == 0 || strcmp(c->word, "lb_kind") == 0) {
			(void)parse_method(err, c, nerr, &rs->fwd, &rs->tun_type, &rs->tun_port, &rs->tun_flags);
			rs->fwd_set = 1;
		} else if (strcmp(c->word, "inhibit_on_failure") == 0) {
			(void)bool_arg(err, c, nerr, &rs->inhibit);
		} else if (strcmp(c->word, "alpha") == 0) {
			(void)bool_arg(err, c, nerr, &alpha);
		} else if (!is_checker(c) && !word_in(c->word, rs_quiet)) {
			warnf(warn, c, "%s in real_server: not known to dsrkit, ignored", c->word);
		}
	}
	return 0;
}

/* keepalived's corrections: outside NAT a real server cannot change the
 * port (a mark's real servers have none); a NAT one without a port takes
 * the service's. */
static void settle_port(const struct kaconf_vs *vs, struct kaconf_rs *rs)
{
	if (rs->fwd == KACONF_FWD_NAT)
		rs->port = rs->cfg_port || vs->fwmark ? rs->cfg_port : vs->port;
	else
		rs->port = vs->fwmark ? 0 : vs->port;
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
	vs->granularity_bare = n;
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

/* The settings and real servers of a virtual_server block into vs, whose
 * key (address, port or mark) the caller sets. */
static int parse_vs_body(const struct kaconf_node *n, struct kaconf_vs *vs, struct buf *err, int *nerr,
			 struct buf *warn)
{
	const struct kaconf_node *c;
	int before = *nerr;
	size_t i, cap;

	vs->fwd = KACONF_FWD_NAT;
	vs->quorum = 1;
	if (!n->has_block)
		return bad(err, n, nerr, "virtual_server without a { } block");
	/* the virtual server's own settings first: its real servers take
	 * their defaults from them */
	for (c = n->child; c; c = c->next) {
		if (strcmp(c->word, "lb_algo") == 0 || strcmp(c->word, "lvs_sched") == 0) {
			if (one_arg(err, c, nerr) < 0)
				continue;
			if (strlen(c->args[0]) >= sizeof(vs->sched) || !c->args[0][0])
				(void)bad(err, c, nerr, "%s: '%s' is not a scheduler name", c->word, c->args[0]);
			else
				memcpy(vs->sched, c->args[0], strlen(c->args[0]) + 1);
		} else if (strcmp(c->word, "lb_kind") == 0 || strcmp(c->word, "lvs_method") == 0) {
			(void)parse_method(err, c, nerr, &vs->fwd, &vs->tun_type, &vs->tun_port, &vs->tun_flags);
			vs->fwd_set = 1;
		} else if (strcmp(c->word, "protocol") == 0) {
			if (one_arg(err, c, nerr) < 0)
				continue;
			vs->protocol_set = 1;
			if (span_eq_ci(c->args[0], strlen(c->args[0]), "TCP"))
				vs->protocol = 6;
			else if (span_eq_ci(c->args[0], strlen(c->args[0]), "UDP"))
				vs->protocol = 17;
			else if (span_eq_ci(c->args[0], strlen(c->args[0]), "SCTP"))
				vs->protocol = 132;
			else
				(void)bad(err, c, nerr, "protocol: '%s' is not TCP, UDP or SCTP", c->args[0]);
		} else if (strcmp(c->word, "persistence_timeout") == 0) {
			/* without a value: keepalived's 6 minutes */
			if (c->nargs == 0)
				vs->persistence_timeout = 360;
			else
				(void)u32_arg(err, c, nerr, 1, 2678400, &vs->persistence_timeout);
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
				vs->addr.family = IP_FAMILY_V4;
			else if (strcmp(c->args[0], "inet6") == 0)
				vs->addr.family = IP_FAMILY_V6;
			else
				(void)bad(err, c, nerr, "ip_family: '%s' is not inet or inet6", c->args[0]);
		} else if (strcmp(c->word, "quorum") == 0) {
			(void)u32_arg(err, c, nerr, 1, 2147483647, &vs->quorum);
		} else if (strcmp(c->word, "hysteresis") == 0) {
			(void)u32_arg(err, c, nerr, 0, 2147483647, &vs->hysteresis);
		} else if (strcmp(c->word, "inhibit_on_failure") == 0) {
			(void)bool_arg(err, c, nerr, &vs->inhibit);
		} else if (strcmp(c->word, "alpha") == 0) {
			(void)bool_arg(err, c, nerr, &vs->alpha);
		} else if (strcmp(c->word, "omega") == 0) {
			(void)bool_arg(err, c, nerr, &vs->omega);
		} else if (strcmp(c->word, "ha_suspend") == 0) {
			(void)bool_arg(err, c, nerr, &vs->ha_suspend);
		} else if (strcmp(c->word, "sorry_server_inhibit") == 0) {
			(void)bool_arg(err, c, nerr, &vs->sorry_inhibit);
		} else if (strcmp(c->word, "real_server") == 0 || strcmp(c->word, "sorry_server") == 0 ||
			   strcmp(c->word, "sorry_server_lvs_method") == 0 || is_checker(c) ||
			   word_in(c->word, vs_quiet)) {
			/* below, or nothing to do with the table */
		} else {
			for (i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
				if (strcmp(c->word, flag_words[i].word) == 0)
					break;
			if (i < sizeof(flag_words) / sizeof(flag_words[0]))
				vs->flags |= flag_words[i].flag;
			else
				warnf(warn, c, "%s in virtual_server: not known to dsrkit, ignored", c->word);
		}
	}
	if (vs->persistence_timeout)
		vs->flags |= KACONF_VS_F_PERSISTENT;
	for (c = n->child; c; c = c->next) {
		struct kaconf_rs rs;

		if (strcmp(c->word, "sorry_server") == 0) {
			if (parse_real_server(c, vs, &vs->sorry, err, nerr, warn) == 0)
				vs->has_sorry = 1;
			vs->sorry.inhibit = 0;
			continue;
		}
		if (strcmp(c->word, "real_server") != 0)
			continue;
		if (vs->nrs >= RS_MAX)
			return bad(err, c, nerr, "too many real servers");
		if (parse_real_server(c, vs, &rs, err, nerr, warn) < 0)
			continue;
		for (i = 0; i < vs->nrs; i++)
			if (ipaddr_equal(&vs->rs[i].addr, &rs.addr) && vs->rs[i].cfg_port == rs.cfg_port) {
				(void)bad(err, c, nerr, "real_server %s %u is listed twice (first at line %u)",
					  c->args[0], rs.cfg_port, vs->rs[i].node->line);
				break;
			}
		if (i < vs->nrs)
			continue;
		if ((cap = kaconf_grow_to(vs->nrs, 8)) != 0) {
			struct kaconf_rs *nr = realloc(vs->rs, cap * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			vs->rs = nr;
		}
		vs->rs[vs->nrs++] = rs;
	}
	c = kaconf_node_find(n->child, "sorry_server_lvs_method");
	if (c && vs->has_sorry)
		(void)parse_method(err, c, nerr, &vs->sorry.fwd, &vs->sorry.tun_type, &vs->sorry.tun_port,
				   &vs->sorry.tun_flags);
	vs->sorry.inhibit = vs->sorry_inhibit;
	return *nerr > before ? -EINVAL : 0;
}

/* Once the key is known: keepalived's defaults and corrections. */
static int settle(struct kaconf_vs *vs, int fam_given, struct buf *err, int *nerr)
{
	size_t i;

	if (vs->fwmark) {
		vs->protocol = 0;
		if (!fam_given)
			vs->addr.family = vs->nrs ? vs->rs[0].addr.family : IP_FAMILY_V4;
	} else {
		if (!vs->protocol_set)
			vs->protocol = 17;
		/* one-packet scheduling is for UDP: keepalived drops it elsewhere */
		if (vs->protocol != 17)
			vs->flags &= ~KACONF_VS_F_ONEPACKET;
		if (fam_given && fam_given != (int)vs->addr.family)
			return bad(err, vs->node, nerr, "ip_family does not match the virtual address");
		/* a zero port only for persistent services: keepalived makes it one */
		if (!vs->port && !vs->persistence_timeout && !vs->group) {
			vs->persistence_timeout = 360;
			vs->flags |= KACONF_VS_F_PERSISTENT;
		}
	}
	/* keepalived 2.2 reads an IPv4 mask with inet_aton: "24" becomes
	 * 0.0.0.24 (seen in the lab), surely not what was meant */
	if (vs->granularity_bare && vs->addr.family == IP_FAMILY_V4)
		return bad(err, vs->granularity_bare, nerr,
			   "persistence_granularity %s: keepalived 2.2 reads a bare number as the IPv4 netmask 0.0.0.%s; write a netmask (255.255.255.0)",
			   vs->granularity_bare->args[0], vs->granularity_bare->args[0]);
	if (vs->granularity && vs->granularity > ipaddr_host_prefix(&vs->addr))
		return bad(err, vs->node, nerr, "persistence_granularity longer than the address");
	for (i = 0; i < vs->nrs; i++)
		settle_port(vs, &vs->rs[i]);
	if (vs->has_sorry)
		settle_port(vs, &vs->sorry);
	return 0;
}

static int push(struct kaconf_vs_list *l, const struct kaconf_vs *vs)
{
	if (l->ndone + l->n >= VS_MAX || l->ndest + vs->nrs > DEST_MAX)
		return -E2BIG;
	size_t cap = kaconf_grow_to(l->n, 64);

	if (cap) {
		struct kaconf_vs *nv = realloc(l->vs, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->vs = nv;
	}
	l->vs[l->n++] = *vs;
	l->ndest += vs->nrs;
	return 0;
}

/* One service of a group: the template t under the key of entry e. */
static int push_group_vs(struct kaconf_vs_list *l, const struct kaconf_vs *t, const struct kaconf_vsg_entry *e,
			 uint32_t i, int fam_given, struct buf *err, int *nerr)
{
	struct kaconf_vs vs = *t;
	int r;

	vs.entry = e->node;
	vs.rs = NULL;
	if (t->nrs) {
		vs.rs = malloc(t->nrs * sizeof(*vs.rs));
		if (!vs.rs)
			return -ENOMEM;
		memcpy(vs.rs, t->rs, t->nrs * sizeof(*vs.rs));
	}
	if (e->fwmark) {
		vs.fwmark = e->fwmark;
		memset(&vs.addr, 0, sizeof(vs.addr));
		if (e->fwmark_family)
			fam_given = (int)e->fwmark_family;
		if (fam_given)
			vs.addr.family = (enum ip_family)fam_given;
	} else {
		kaconf_vsg_entry_addr(e, i, &vs.addr);
		vs.port = e->port;
	}
	if (settle(&vs, e->fwmark ? fam_given : 0, err, nerr) < 0) {
		free(vs.rs);
		return 0;
	}
	r = push(l, &vs);
	if (r < 0)
		free(vs.rs);
	if (r == -E2BIG)
		return bad(err, e->node, nerr,
			   "virtual_server_group %s: the expansion makes too many services (more than %u) or real servers in all (more than %u)",
			   t->group, VS_MAX, DEST_MAX);
	return r;
}

static int collect_group(const struct kaconf_node *n, const struct kaconf_vsg_list *groups, struct kaconf_vs_list *l,
			 struct buf *err, int *nerr)
{
	const struct kaconf_vsg *g = kaconf_vsg_find(groups, n->args[1]);
	struct kaconf_vs t;
	size_t k;
	uint32_t i;
	int r = 0, fam, zero_port = 0, has_addr = 0;

	if (!g)
		return bad(err, n, nerr, "virtual_server group %s: no virtual_server_group %s", n->args[1], n->args[1]);
	memset(&t, 0, sizeof(t));
	t.node = n;
	t.group = g->name;
	if (parse_vs_body(n, &t, err, nerr, &l->warnings) < 0) {
		free(t.rs);
		return -EINVAL;
	}
	fam = (int)t.addr.family;
	if (!g->n)
		warnf(&l->warnings, n, "virtual_server group %s: the group (line %u) is empty: no service", g->name,
		      g->node->line);
	for (k = 0; k < g->n; k++)
		if (!g->e[k].fwmark) {
			has_addr = 1;
			zero_port |= g->e[k].port == 0;
		}
	if (has_addr && !t.protocol_set)
		warnf(&l->warnings, n, "virtual_server group %s without protocol: UDP, as keepalived 2.2 does", g->name);
	/* an address line without a port makes the whole block persistent,
	 * its marks included, as keepalived does */
	if (zero_port && !t.persistence_timeout) {
		t.persistence_timeout = 360;
		t.flags |= KACONF_VS_F_PERSISTENT;
	}
	for (k = 0; k < g->n && r == 0; k++) {
		const struct kaconf_vsg_entry *e = &g->e[k];

		if (e->fwmark) {
			r = push_group_vs(l, &t, e, 0, fam, err, nerr);
			continue;
		}
		if (fam && fam != (int)e->first.family) {
			(void)bad(err, e->node, nerr, "virtual_server_group %s: %s is not of the ip_family of virtual_server group %s (line %u)",
				  g->name, e->node->word, g->name, n->line);
			continue;
		}
		for (i = 0; i < e->count && r == 0; i++)
			r = push_group_vs(l, &t, e, i, 0, err, nerr);
	}
	free(t.rs);
	return r;
}

int kaconf_vs_collect_one(const struct kaconf_node *n, const struct kaconf_vsg_list *groups,
			  struct kaconf_vs_list *l, struct buf *err, int *nerr)
{
	struct kaconf_vs vs;
	uint32_t v;
	int fam, r;

	if (n->nargs == 2 && strcmp(n->args[0], "group") == 0) {
		r = collect_group(n, groups, l, err, nerr);
		return r == -ENOMEM || r == -E2BIG ? r : 0;
	}
	memset(&vs, 0, sizeof(vs));
	vs.node = n;
	if (n->nargs == 2 && strcmp(n->args[0], "fwmark") == 0) {
		if (parse_u32(n->args[1], &vs.fwmark, 1, UINT32_MAX) < 0) {
			(void)bad(err, n, nerr, "virtual_server fwmark: '%s' is not a mark (1-4294967295)", n->args[1]);
			return 0;
		}
	} else if (n->nargs == 1 || n->nargs == 2) {
		/* the port may be left out: a persistent service on every port */
		if (ipaddr_parse(n->args[0], &vs.addr) < 0) {
			(void)bad(err, n, nerr, "virtual_server: '%s' is not an IP address", n->args[0]);
			return 0;
		}
		if (n->nargs == 2 && parse_u32(n->args[1], &v, 0, 65535) < 0) {
			(void)bad(err, n, nerr, "virtual_server: '%s' is not a port (0-65535)", n->args[1]);
			return 0;
		}
		vs.port = n->nargs == 2 ? (uint16_t)v : 0;
	} else {
		(void)bad(err, n, nerr, "virtual_server needs 'IP [PORT]', 'fwmark N' or 'group NAME'");
		return 0;
	}
	{
		struct ip_addr key = vs.addr;

		vs.addr.family = IP_FAMILY_NONE;
		r = parse_vs_body(n, &vs, err, nerr, &l->warnings);
		fam = (int)vs.addr.family;
		if (!vs.fwmark) {
			memcpy(vs.addr.b, key.b, sizeof(key.b));
			vs.addr.family = key.family;
		}
	}
	if (r == -ENOMEM) {
		free(vs.rs);
		return r;
	}
	if (r == 0 && !vs.fwmark && !vs.protocol_set)
		warnf(&l->warnings, n, "virtual_server without protocol: UDP, as keepalived 2.2 does");
	if (r != 0 || settle(&vs, fam, err, nerr) < 0) {
		free(vs.rs);
		return 0;
	}
	r = push(l, &vs);
	if (r < 0) {
		free(vs.rs);
		if (r == -E2BIG)
			(void)bad(err, n, nerr, "too many services (more than %u) or real servers in all (more than %u)",
				  VS_MAX, DEST_MAX);
	}
	return r;
}

void kaconf_vs_list_init(struct kaconf_vs_list *l)
{
	memset(l, 0, sizeof(*l));
	buf_init(&l->warnings, 64 * 1024);
}

int kaconf_vs_collect(const struct kaconf *cf, struct kaconf_vs_list *l, struct buf *err)
{
	struct kaconf_vsg_list groups;
	const struct kaconf_node *n;
	int nerr = 0, r;

	kaconf_vs_list_init(l);
	r = kaconf_vsg_collect(cf, &groups, err, &nerr);
	if (r == -ENOMEM)
		goto out;
	for (n = kaconf_node_find(kaconf_root(cf), "virtual_server"); n;
	     n = kaconf_node_find(n->next, "virtual_server")) {
		r = kaconf_vs_collect_one(n, &groups, l, err, &nerr);
		if (r < 0)
			goto out;
	}
	r = nerr ? -EINVAL : 0;
out:
	kaconf_vsg_list_free(&groups);
	return r;
}

void kaconf_vs_list_clear(struct kaconf_vs_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->vs[i].rs);
	free(l->vs);
	l->vs = NULL;
	l->ndone += l->n;
	l->n = 0;
}

void kaconf_vs_list_free(struct kaconf_vs_list *l)
{
	kaconf_vs_list_clear(l);
	buf_free(&l->warnings);
	memset(l, 0, sizeof(*l));
}

void kaconf_vs_start_state(const struct kaconf_vs *vs, struct kaconf_vs_start *st)
{
	uint64_t sum = 0;
	uint32_t q = vs->quorum, h = vs->hysteresis;
	size_t i;

	for (i = 0; i < vs->nrs; i++)
		sum += vs->rs[i].weight;
	if (q > sum)
		q = (uint32_t)sum;
	if (h >= q)
		h = q - 1;  /* keepalived's unsigned arithmetic: q == 0 makes it huge */
	memset(st, 0, sizeof(*st));
	st->quorum_up = sum >= (uint64_t)q + h;
	if (!vs->has_sorry)
		return;
	if (st->quorum_up) {
		st->sorry_in = vs->sorry_inhibit;
		st->sorry_weight = 0;
	} else {
		st->sorry_in = 1;
		st->sorry_weight = 1;
		st->rs_pulled = 1;
	}
}
