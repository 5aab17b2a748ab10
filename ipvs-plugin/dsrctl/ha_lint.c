/* SPDX-License-Identifier: Apache-2.0 */
/* ha_lint.c - the rules of a director pair; see ha_lint.h.
 *
 * Services are paired by key (fwmark, or address, port and protocol), real
 * servers by address and port, vrrp_instances by name (or, when the names
 * differ, by interface and virtual_router_id).  Every difference that makes
 * the backup treat a flow otherwise than the master did is a finding: a
 * connection synced to a director without its service or real server
 * cannot be forwarded, and a different scheduler or weight sends new
 * connections elsewhere than the peer's persistence promised. */
#include "ipvs-plugin/dsrctl/ha_lint.h"

#include <stdio.h>
#include <string.h>

#include "bounded/strparse.h"

const struct lint_code_info ha_codes[HA_COUNT] = {
	[HA_VS_MISSING] = { "HA_VS_MISSING",
		"give both directors the same virtual_server blocks (one shared include file)" },
	[HA_RS_MISSING] = { "HA_RS_MISSING",
		"list the same real servers on both directors: a synced connection to a server "
		"the new master lacks is dropped" },
	[HA_WEIGHT] = { "HA_WEIGHT", "use the same weight on both directors" },
	[HA_SCHED] = { "HA_SCHED", "use the same lb_algo (and its flags) on both directors" },
	[HA_PERSIST] = { "HA_PERSIST",
		"use the same persistence_timeout, persistence_granularity and persistence_engine" },
	[HA_FWD] = { "HA_FWD", "use the same lb_kind on both directors" },
	[HA_VRRP_MISSING] = { "HA_VRRP_MISSING",
		"declare the vrrp_instance on both directors (same name, same virtual_router_id)" },
	[HA_VRID] = { "HA_VRID",
		"use the same virtual_router_id: with different ids each director is master of its own "
		"router and both hold the VIP" },
	[HA_VIPS] = { "HA_VIPS", "list the same virtual_ipaddress on both directors" },
	[HA_AUTH] = { "HA_AUTH",
		"use the same authentication (or none): a director drops adverts it cannot "
		"authenticate and becomes master too" },
	[HA_ADVERT] = { "HA_ADVERT",
		"use the same advert_int and vrrp_version: keepalived drops adverts whose interval "
		"differs from its own" },
	[HA_SAME_PRIORITY] = { "HA_SAME_PRIORITY",
		"give the directors different priorities, or set nopreempt (with state BACKUP) on both" },
	[HA_SYNC_MISSING] = { "HA_SYNC_MISSING",
		"start IPVS connection sync both ways (ipvsadm --start-daemon master --syncid N and "
		"backup --syncid PEER on each director, see doc/ha.md; then lint with --sync-external), "
		"or lvs_sync_daemon in global_defs of both" },
	[HA_SYNC_ONE_WAY] = { "HA_SYNC_ONE_WAY",
		"configure lvs_sync_daemon on both directors with the same interface name and id" },
};

/* ---------- virtual servers ---------- */

static int vs_key_equal(const struct kaconf_vs *x, const struct kaconf_vs *y)
{
	if (x->fwmark || y->fwmark)
		return x->fwmark == y->fwmark && x->addr.family == y->addr.family;
	return x->port == y->port && x->protocol == y->protocol && ipaddr_equal(&x->addr, &y->addr);
}

static const struct kaconf_vs *vs_find(const struct kaconf_vs_list *l, const struct kaconf_vs *k)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (vs_key_equal(&l->vs[i], k))
			return &l->vs[i];
	return NULL;
}

static const struct kaconf_rs *rs_find(const struct kaconf_vs *v, const struct kaconf_rs *k)
{
	size_t i;

	for (i = 0; i < v->nrs; i++)
		if (v->rs[i].port == k->port && ipaddr_equal(&v->rs[i].addr, &k->addr))
			return &v->rs[i];
	return NULL;
}

static const char *vs_name(const struct kaconf_vs *v, char *out, size_t n)
{
	char a[IPADDR_STRLEN];

	if (v->fwmark)
		snprintf(out, n, "fwmark %u", v->fwmark);
	else
		snprintf(out, n, "%s %s%s%s:%u", v->protocol == 17 ? "UDP" : v->protocol == 132 ? "SCTP" : "TCP",
			 v->addr.family == IP_FAMILY_V6 ? "[" : "", ipaddr_format(&v->addr, a),
			 v->addr.family == IP_FAMILY_V6 ? "]" : "", v->port);
	return out;
}

static const char *sched_of(const struct kaconf_vs *v)
{
	return v->sched[0] ? v->sched : "wlc";
}

/* Every service of a missing from b; rules on the pairs when both. */
static void compare_vs(struct lint_reporter *r, const struct ha_side *a, const struct ha_side *b, int both)
{
	size_t i, j;
	char name[128], ra[IPADDR_STRLEN];

	for (i = 0; i < a->vs->n; i++) {
		const struct kaconf_vs *x = &a->vs->vs[i], *y = vs_find(b->vs, x);

		vs_name(x, name, sizeof(name));
		if (!y) {
			lint_report(r, HA_VS_MISSING, x->node, "virtual_server %s is not in %s", name, b->path);
			continue;
		}
		for (j = 0; j < x->nrs; j++) {
			const struct kaconf_rs *p = &x->rs[j], *q = rs_find(y, p);

			ipaddr_format(&p->addr, ra);
			if (!q) {
				lint_report(r, HA_RS_MISSING, p->node, "real_server %s %u of %s is not in %s:%u", ra,
				       p->port, name, y->node->file, y->node->line);
				continue;
			}
			if (both && p->weight != q->weight)
				lint_report(r, HA_WEIGHT, p->node, "real_server %s %u: weight %u here, %u in %s:%u", ra,
				       p->port, p->weight, q->weight, q->node->file, q->node->line);
			if (both && p->fwd != q->fwd && (p->fwd_set || q->fwd_set))
				lint_report(r, HA_FWD, p->node, "real_server %s %u: lb_kind %s here, %s in %s:%u", ra,
				       p->port, kaconf_fwd_name(p->fwd), kaconf_fwd_name(q->fwd), q->node->file,
				       q->node->line);
		}
		if (!both)
			continue;
		if (strcmp(sched_of(x), sched_of(y)) != 0 ||
		    (x->flags & ~KACONF_VS_F_PERSISTENT) != (y->flags & ~KACONF_VS_F_PERSISTENT))
			lint_report(r, HA_SCHED, x->node, "%s: lb_algo %s (flags 0x%x) here, %s (flags 0x%x) in %s:%u",
			       name, sched_of(x), x->flags & ~KACONF_VS_F_PERSISTENT, sched_of(y),
			       y->flags & ~KACONF_VS_F_PERSISTENT, y->node->file, y->node->line);
		if (x->persistence_timeout != y->persistence_timeout || x->granularity != y->granularity ||
		    strcmp(x->pe, y->pe) != 0)
			lint_report(r, HA_PERSIST, x->node,
			       "%s: persistence %us/%u here, %us/%u in %s:%u", name, x->persistence_timeout,
			       x->granularity, y->persistence_timeout, y->granularity, y->node->file, y->node->line);
		if (x->fwd != y->fwd)
			lint_report(r, HA_FWD, x->node, "%s: lb_kind %s here, %s in %s:%u", name, kaconf_fwd_name(x->fwd),
			       kaconf_fwd_name(y->fwd), y->node->file, y->node->line);
	}
}

/* ---------- VRRP ---------- */

static const char *arg0(const struct kaconf_node *n)
{
	return n && n->nargs ? n->args[0] : NULL;
}

static const struct kaconf_node *child(const struct kaconf_node *n, const char *w)
{
	return n ? kaconf_node_find(n->child, w) : NULL;
}

static const char *child_arg(const struct kaconf_node *vi, const char *w)
{
	return arg0(child(vi, w));
}

static const struct kaconf_node *vi_find(const struct kaconf *cf, const struct kaconf_node *k)
{
	const struct kaconf_node *vi;
	const char *name = arg0(k), *vrid = child_arg(k, "virtual_router_id"), *ifn = child_arg(k, "interface");

	for (vi = kaconf_node_find(kaconf_root(cf), "vrrp_instance"); vi;
	     vi = kaconf_node_find(vi->next, "vrrp_instance"))
		if (name && arg0(vi) && strcmp(name, arg0(vi)) == 0)
			return vi;
	for (vi = kaconf_node_find(kaconf_root(cf), "vrrp_instance"); vi;
	     vi = kaconf_node_find(vi->next, "vrrp_instance")) {
		const char *v2 = child_arg(vi, "virtual_router_id"), *i2 = child_arg(vi, "interface");

		if (vrid && v2 && ifn && i2 && !strcmp(vrid, v2) && !strcmp(ifn, i2))
			return vi;
	}
	return NULL;
}

static int str_eq(const char *x, const char *y, const char *dflt)
{
	return strcmp(x ? x : dflt, y ? y : dflt) == 0;
}

/* Is every address of x's virtual_ipaddress in y's? */
static const struct kaconf_node *vip_not_in(const struct kaconf_node *x, const struct kaconf_node *y)
{
	const struct kaconf_node *p, *q, *bx = child(x, "virtual_ipaddress"), *by = child(y, "virtual_ipaddress");

	for (p = bx ? bx->child : NULL; p; p = p->next) {
		struct ip_addr ap, aq;
		unsigned lp, lq;
		int found = 0;

		if (ipaddr_parse_prefix(p->word, &ap, &lp) < 0)
			continue;
		for (q = by ? by->child : NULL; q && !found; q = q->next)
			found = ipaddr_parse_prefix(q->word, &aq, &lq) == 0 && ipaddr_equal(&ap, &aq);
		if (!found)
			return p;
	}
	return NULL;
}

static uint32_t priority_of(const struct kaconf_node *vi)
{
	const char *p = child_arg(vi, "priority");
	uint32_t v = 100; /* keepalived's default */

	if (p && parse_u32(p, &v, 1, 255) < 0)
		v = 100;
	return v;
}

static const struct kaconf_node *global(const struct kaconf *cf, const char *w)
{
	const struct kaconf_node *g;

	for (g = kaconf_node_find(kaconf_root(cf), "global_defs"); g; g = kaconf_node_find(g->next, "global_defs")) {
		const struct kaconf_node *n = kaconf_node_find(g->child, w);

		if (n)
			return n;
	}
	return NULL;
}

static void compare_vrrp(struct lint_reporter *r, const struct ha_side *a, const struct ha_side *b, int both)
{
	const struct kaconf_node *x, *y, *at;
	const struct kaconf_node *va = global(a->cf, "vrrp_version"), *vb = global(b->cf, "vrrp_version");

	for (x = kaconf_node_find(kaconf_root(a->cf), "vrrp_instance"); x;
	     x = kaconf_node_find(x->next, "vrrp_instance")) {
		const char *ax, *ay;

		y = vi_find(b->cf, x);
		if (!y) {
			lint_report(r, HA_VRRP_MISSING, x, "vrrp_instance %s is not in %s", arg0(x) ? arg0(x) : "?",
			       b->path);
			continue;
		}
		if ((at = vip_not_in(x, y)) != NULL)
			lint_report(r, HA_VIPS, at, "VIP %s of vrrp_instance %s is not in %s:%u", at->word,
			       arg0(x) ? arg0(x) : "?", y->file, y->line);
		if (!both)
			continue;
		ax = child_arg(x, "virtual_router_id");
		ay = child_arg(y, "virtual_router_id");
		if (!str_eq(ax, ay, ""))
			lint_report(r, HA_VRID, child(x, "virtual_router_id") ? child(x, "virtual_router_id") : x,
			       "virtual_router_id %s here, %s in %s:%u", ax ? ax : "(none)", ay ? ay : "(none)",
			       y->file, y->line);
		{
			const struct kaconf_node *ux = child(x, "authentication"), *uy = child(y, "authentication");
			const char *tx = arg0(child(ux, "auth_type")), *ty = arg0(child(uy, "auth_type"));
			const char *px = arg0(child(ux, "auth_pass")), *py = arg0(child(uy, "auth_pass"));

			/* the password itself is never printed */
			if (!str_eq(tx, ty, "none"))
				lint_report(r, HA_AUTH, ux ? ux : x, "auth_type %s here, %s in %s:%u", tx ? tx : "none",
				       ty ? ty : "none", uy ? uy->file : y->file, uy ? uy->line : y->line);
			else if (!str_eq(px, py, ""))
				lint_report(r, HA_AUTH, ux ? ux : x, "auth_pass differs from %s:%u",
				       uy ? uy->file : y->file, uy ? uy->line : y->line);
		}
		ax = child_arg(x, "advert_int");
		ay = child_arg(y, "advert_int");
		if (!str_eq(ax, ay, "1") || !str_eq(arg0(va), arg0(vb), "2"))
			lint_report(r, HA_ADVERT, child(x, "advert_int") ? child(x, "advert_int") : x,
			       "advert_int %s vrrp_version %s here, advert_int %s vrrp_version %s in %s:%u",
			       ax ? ax : "1", arg0(va) ? arg0(va) : "2", ay ? ay : "1", arg0(vb) ? arg0(vb) : "2",
			       y->file, y->line);
		if (priority_of(x) == priority_of(y) && !child(x, "nopreempt") && !child(y, "nopreempt"))
			lint_report(r, HA_SAME_PRIORITY, child(x, "priority") ? child(x, "priority") : x,
			       "priority %u on both (and %s:%u) without nopreempt: the pair elects by address and "
			       "a returning director preempts before it holds the connection table",
			       priority_of(x), y->file, y->line);
	}
}

/* keepalived's own sync: "lvs_sync_daemon IFACE INSTANCE [id N] ..."; the
 * id defaults to 0 (the kernel then takes every sync id). */
static const char *sync_id(const struct kaconf_node *n)
{
	size_t i;

	for (i = 0; i + 1 < n->nargs; i++)
		if (strcmp(n->args[i], "id") == 0)
			return n->args[i + 1];
	return "0";
}

static void compare_sync(struct lint_reporter *r, const struct ha_side *a, const struct ha_side *b, int sync_external)
{
	const struct kaconf_node *sa = global(a->cf, "lvs_sync_daemon"), *sb = global(b->cf, "lvs_sync_daemon");
	const struct kaconf_node *vi;

	if (!sa && !sb) {
		if (sync_external)
			return;
		vi = kaconf_node_find(kaconf_root(a->cf), "vrrp_instance");
		if (!vi)
			vi = kaconf_root(a->cf);
		if (vi)
			lint_report(r, HA_SYNC_MISSING, vi,
			       "no connection sync in %s nor %s: every connection breaks when the VIP moves",
			       a->path, b->path);
		return;
	}
	if (!sa || !sb) {
		const struct kaconf_node *has = sa ? sa : sb;

		lint_report(r, HA_SYNC_ONE_WAY, has, "lvs_sync_daemon here but not in %s: connections are synced "
		       "only while this director is master", sa ? b->path : a->path);
		return;
	}
	if (strcmp(sync_id(sa), sync_id(sb)) != 0)
		lint_report(r, HA_SYNC_ONE_WAY, sa, "lvs_sync_daemon id %s here, id %s in %s:%u: each backup drops "
		       "the other's messages", sync_id(sa), sync_id(sb), sb->file, sb->line);
}

size_t ha_lint_run(const struct ha_side *a, const struct ha_side *b, int sync_external,
		   lint_emit_fn *emit, void *arg)
{
	struct lint_reporter r = { .codes = ha_codes, .emit = emit, .arg = arg };

	/* both directions for what may be missing; pairwise rules once */
	compare_vs(&r, a, b, 1);
	compare_vs(&r, b, a, 0);
	compare_vrrp(&r, a, b, 1);
	compare_vrrp(&r, b, a, 0);
	compare_sync(&r, a, b, sync_external);
	return r.n;
}
