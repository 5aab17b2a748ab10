/* SPDX-License-Identifier: Apache-2.0 */
/* dr_lint.c - the Direct Routing rules; see dr_lint.h. */
#include "ipvs-plugin/dsrctl/dr_lint.h"

#include <stdio.h>
#include <string.h>

const struct lint_code_info lint_codes[LINT_COUNT] = {
	[LINT_PORT_REMAP] = { "DR_PORT_REMAP",
		"give the real_server the virtual server's port (DR forwards the frame unchanged; "
		"use NAT if the port must change)" },
	[LINT_RS_NOT_CONNECTED] = { "DR_RS_NOT_CONNECTED",
		"put the real server on a subnet the director is directly attached to "
		"(DR only rewrites the MAC address), or use TUN" },
	[LINT_VIP_NOT_LOCAL] = { "DR_VIP_NOT_LOCAL",
		"add the VIP to the director (ip addr add VIP/32 dev eth0) or to a vrrp_instance's "
		"virtual_ipaddress" },
	[LINT_NOT_DR] = { "DR_NOT_DR",
		"write 'lb_kind DR' in the virtual_server (keepalived's default is NAT)" },
	[LINT_FAMILY_MIX] = { "DR_FAMILY_MIX",
		"use real server addresses of the VIP's family (IPv4 with IPv4, IPv6 with IPv6)" },
	[LINT_MH_NO_FALLBACK] = { "DR_MH_NO_FALLBACK",
		"write 'mh-fallback' in the virtual_server: IPVS keeps a drained (weight 0) server's "
		"Maglev slots so that no other flow moves, and only the flag sends those slots' flows "
		"to the next server" },
};

/* Is a held by a vrrp_instance's virtual_ipaddress(_excluded)? */
static int vrrp_holds(const struct kaconf *cf, const struct ip_addr *a)
{
	const struct kaconf_node *vi, *blk, *ip;
	static const char *const blocks[] = { "virtual_ipaddress", "virtual_ipaddress_excluded" };
	size_t b;

	for (vi = kaconf_node_find(kaconf_root(cf), "vrrp_instance"); vi;
	     vi = kaconf_node_find(vi->next, "vrrp_instance"))
		for (b = 0; b < 2; b++)
			for (blk = kaconf_node_find(vi->child, blocks[b]); blk;
			     blk = kaconf_node_find(blk->next, blocks[b]))
				for (ip = blk->child; ip; ip = ip->next) {
					struct ip_addr x;
					unsigned plen;

					if (ipaddr_parse_prefix(ip->word, &x, &plen) == 0 && ipaddr_equal(&x, a))
						return 1;
				}
	return 0;
}

size_t dr_lint_run(const struct kaconf *cf, const struct kaconf_vs_list *l,
		   const struct lint_routes *routes,
		   lint_emit_fn *emit, void *arg)
{
	struct lint_reporter r = { .codes = lint_codes, .emit = emit, .arg = arg };
	char a1[IPADDR_STRLEN], a2[IPADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct kaconf_vs *vs = &l->vs[i];
		/* the next service of the same `virtual_server group`: its
		 * settings and real servers were judged with the first */
		int again = i > 0 && l->vs[i - 1].node == vs->node &&
			    l->vs[i - 1].addr.family == vs->addr.family;

		if (!again && vs->fwd != KACONF_FWD_DR)
			lint_report(&r, LINT_NOT_DR, vs->node, "lb_kind is %s%s, not DR", kaconf_fwd_name(vs->fwd),
			       vs->fwd_set ? "" : " (not written: keepalived's default)");
		if (!vs->fwmark && routes &&
		    routes->lookup(routes->ctx, &vs->addr) != ROUTE_LOCAL && !vrrp_holds(cf, &vs->addr))
			lint_report(&r, LINT_VIP_NOT_LOCAL, vs->entry ? vs->entry : vs->node,
			       "VIP %s is not an address of this director, nor held by a vrrp_instance",
			       ipaddr_format(&vs->addr, a1));
		if (again)
			continue;
		if (!strcmp(vs->sched, "mh") && !(vs->flags & KACONF_VS_F_SCHED1))
			lint_report(&r, LINT_MH_NO_FALLBACK, vs->node,
			       "lb_algo mh without mh-fallback: the flows of a real server at weight 0 find no server");
		for (j = 0; j < vs->nrs; j++) {
			const struct kaconf_rs *rs = &vs->rs[j];
			enum route_kind k;

			ipaddr_format(&rs->addr, a2);
			if (rs->fwd_set && rs->fwd != KACONF_FWD_DR && vs->fwd == KACONF_FWD_DR)
				lint_report(&r, LINT_NOT_DR, rs->node, "real_server %s has lb_kind %s, not DR", a2,
				       kaconf_fwd_name(rs->fwd));
			if (rs->addr.family != vs->addr.family) {
				lint_report(&r, LINT_FAMILY_MIX, rs->node, "real_server %s is IPv%d behind an IPv%d %s",
				       a2, rs->addr.family, vs->addr.family, vs->fwmark ? "fwmark service" : "VIP");
				continue;
			}
			if (rs->fwd != KACONF_FWD_DR)
				continue;
			/* keepalived resets such a port to the service's */
			if (!vs->fwmark && rs->cfg_port && rs->cfg_port != vs->port)
				lint_report(&r, LINT_PORT_REMAP, rs->node,
				       "real_server %s port %u differs from virtual port %u", a2, rs->cfg_port, vs->port);
			if (!routes)
				continue;
			k = routes->lookup(routes->ctx, &rs->addr);
			if (k == ROUTE_GATEWAY || k == ROUTE_NONE)
				lint_report(&r, LINT_RS_NOT_CONNECTED, rs->node,
				       "real_server %s is %s", a2,
				       k == ROUTE_NONE ? "unreachable (no route)" : "reached through a gateway");
		}
	}
	return r.n;
}
