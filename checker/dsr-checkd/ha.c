/* SPDX-License-Identifier: Apache-2.0 */
/* ha.c - the director pair as dsr-checkd sees it; see ha.h.  Read per
 * scrape with a handle of its own: a scrape every few seconds costs one
 * netlink socket, and the checker's IPVS handle (standalone mode only) is
 * left to the checker. */
#include "checker/dsr-checkd/ha.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "agent-proto/jsonw.h"

static void add_vip(struct checkd_ha *h, const struct ip_addr *a)
{
	size_t i;

	if (a->family == IP_FAMILY_NONE)
		return;
	for (i = 0; i < h->n_vips; i++)
		if (ipaddr_equal(&h->vips[i], a))
			return;
	if (h->n_vips < CHECKD_HA_VIPS_MAX)
		h->vips[h->n_vips++] = *a;
}

static void mark_held(struct checkd_ha *h)
{
	struct ifaddrs *ifa, *p;
	size_t i;

	if (getifaddrs(&ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next) {
		struct ip_addr a;

		if (!p->ifa_addr)
			continue;
		memset(&a, 0, sizeof(a));
		if (p->ifa_addr->sa_family == AF_INET) {
			a.family = IP_FAMILY_V4;
			memcpy(a.b, &((struct sockaddr_in *)(void *)p->ifa_addr)->sin_addr, 4);
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			a.family = IP_FAMILY_V6;
			memcpy(a.b, &((struct sockaddr_in6 *)(void *)p->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		for (i = 0; i < h->n_vips; i++)
			if (ipaddr_equal(&h->vips[i], &a))
				h->held[i] = 1;
	}
	freeifaddrs(ifa);
}

void checkd_ha_read(const struct checkd *d, struct checkd_ha *h)
{
	struct ipvs *x;
	size_t i, k;

	memset(h, 0, sizeof(*h));
	if (ipvs_open(&x) == 0) {
		h->sync_ok = ipvs_sync_daemon_get(x, h->daemons, 2, &h->n_daemons) == 0;
		ipvs_close(x);
	}
	h->conns_ok = ipvs_conn_count(NULL, &h->conns, &h->established) == 0;
	for (i = 0; i < d->n_rs; i++)
		for (k = 0; k < d->rs[i]->n_targets; k++)
			add_vip(h, &d->rs[i]->targets[k].vip);
	mark_held(h);
}

static const char *group_text(const struct ipvs_sync_daemon *s, char *out, size_t n)
{
	if (!s->mcast_af)
		return "224.0.0.81"; /* the kernel's default, not reported before 4.3 */
	return inet_ntop(s->mcast_af, &s->mcast_group, out, (socklen_t)n) ? out : "";
}

int checkd_ha_metrics_render(const struct checkd_ha *h, struct buf *out)
{
	char g[INET6_ADDRSTRLEN], a[IPADDR_STRLEN];
	size_t i;
	int r = 0;

	r |= buf_append_str(out,
		"# HELP dsrkit_ipvs_sync_daemon A running IPVS connection sync daemon (role master sends, backup receives).\n"
		"# TYPE dsrkit_ipvs_sync_daemon gauge\n");
	for (i = 0; i < h->n_daemons; i++) {
		const struct ipvs_sync_daemon *s = &h->daemons[i];

		/* an interface name is [A-Za-z0-9._-]: no escaping needed, but
		 * refuse anything else rather than write a broken label */
		if (strspn(s->mcast_ifn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") !=
		    strlen(s->mcast_ifn))
			continue;
		r |= buf_appendf(out,
				 "dsrkit_ipvs_sync_daemon{role=\"%s\",syncid=\"%u\",interface=\"%s\",group=\"%s\",port=\"%u\"} 1\n",
				 ipvs_sync_state_name(s->state), s->syncid, s->mcast_ifn, group_text(s, g, sizeof(g)),
				 s->mcast_port ? s->mcast_port : 8848);
	}
	r |= buf_appendf(out,
		"# HELP dsrkit_ipvs_sync_daemons_up 1 when the sync daemons could be read over netlink.\n"
		"# TYPE dsrkit_ipvs_sync_daemons_up gauge\n"
		"dsrkit_ipvs_sync_daemons_up %d\n", h->sync_ok);
	if (h->conns_ok)
		r |= buf_appendf(out,
			"# HELP dsrkit_ipvs_connection_table_entries Entries of the IPVS connection table (/proc/net/ip_vs_conn).\n"
			"# TYPE dsrkit_ipvs_connection_table_entries gauge\n"
			"dsrkit_ipvs_connection_table_entries{state=\"all\"} %llu\n"
			"dsrkit_ipvs_connection_table_entries{state=\"established\"} %llu\n",
			(unsigned long long)h->conns, (unsigned long long)h->established);
	r |= buf_append_str(out,
		"# HELP dsrkit_director_vip_held 1 when this director holds the VIP on an interface (VRRP master).\n"
		"# TYPE dsrkit_director_vip_held gauge\n");
	for (i = 0; i < h->n_vips; i++)
		r |= buf_appendf(out, "dsrkit_director_vip_held{vip=\"%s\"} %d\n", ipaddr_format(&h->vips[i], a),
				 h->held[i]);
	return r < 0 ? -ENOSPC : 0;
}

int checkd_ha_status_append(const struct checkd_ha *h, struct buf *out)
{
	struct jsonw w;
	struct buf ha;
	char g[INET6_ADDRSTRLEN], a[IPADDR_STRLEN];
	size_t i;
	int r;

	buf_init(&ha, 64 * 1024);
	jsonw_init(&w, &ha);
	jsonw_object_begin(&w);
	jsonw_key(&w, "sync_daemons");
	if (!h->sync_ok) {
		jsonw_null(&w);
	} else {
		jsonw_array_begin(&w);
		for (i = 0; i < h->n_daemons; i++) {
			const struct ipvs_sync_daemon *s = &h->daemons[i];

			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "role", ipvs_sync_state_name(s->state));
			jsonw_kv_int(&w, "syncid", s->syncid);
			jsonw_kv_string(&w, "interface", s->mcast_ifn);
			jsonw_kv_string(&w, "group", group_text(s, g, sizeof(g)));
			jsonw_kv_int(&w, "port", s->mcast_port ? s->mcast_port : 8848);
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
	}
	jsonw_key(&w, "connections");
	if (h->conns_ok)
		jsonw_int(&w, (int64_t)h->conns);
	else
		jsonw_null(&w);
	jsonw_key(&w, "established");
	if (h->conns_ok)
		jsonw_int(&w, (int64_t)h->established);
	else
		jsonw_null(&w);
	jsonw_key(&w, "vips");
	jsonw_array_begin(&w);
	for (i = 0; i < h->n_vips; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "vip", ipaddr_format(&h->vips[i], a));
		jsonw_kv_bool(&w, "held", h->held[i]);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	r = jsonw_finish(&w);
	if (r == 0)
		r = jsonw_splice_member(out, "ha", &ha);
	buf_free(&ha);
	return r;
}
