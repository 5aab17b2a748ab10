/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_conf.c - kaconf virtual servers into an IPVS table, and back. */
#include "ipvs-plugin/dsrctl/dsrctl_conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kaconf/kaconf_vs_stream.h"

static enum ipvs_fwd fwd_of(enum kaconf_fwd f)
{
	switch (f) {
	case KACONF_FWD_NAT: return IPVS_FWD_NAT;
	case KACONF_FWD_TUN: return IPVS_FWD_TUN;
	default: return IPVS_FWD_DR;
	}
}

static int af_of(enum ip_family f)
{
	return f == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
}

static void note(struct buf *err, const struct kaconf_node *n, const char *what)
{
	if (buf_appendf(err, "%s:%u: %s\n", n->file, n->line, what) < 0) {
		/* best effort; the return code tells */
	}
}

static void service_of(const struct kaconf_vs *vs, struct ipvs_service *s)
{
	memset(s, 0, sizeof(*s));
	s->af = af_of(vs->addr.family);
	s->fwmark = vs->fwmark;
	s->protocol = vs->protocol;
	s->port = vs->port;
	memcpy(&s->addr, vs->addr.b, ipaddr_len(&vs->addr));
	snprintf(s->sched, sizeof(s->sched), "%s", vs->sched[0] ? vs->sched : "wlc");
	s->flags = vs->flags;
	s->timeout = vs->persistence_timeout;
	s->netmask = vs->granularity;
	memcpy(s->pe, vs->pe, sizeof(s->pe));
}

static void dest_of(const struct kaconf_rs *rs, uint32_t weight, struct ipvs_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->af = af_of(rs->addr.family);
	memcpy(&d->addr, rs->addr.b, ipaddr_len(&rs->addr));
	d->port = rs->port;
	d->fwd = fwd_of(rs->fwd);
	d->weight = (int32_t)weight;
	d->u_threshold = rs->uthreshold;
	d->l_threshold = rs->lthreshold;
	if (rs->fwd == KACONF_FWD_TUN) {
		d->tun_type = rs->tun_type;
		d->tun_port = rs->tun_port;
		d->tun_flags = rs->tun_flags;
	}
}

/* The services of l into t; a duplicate is a "file:line: ..." line in err
 * counted in *nerr.  Returns 0 or -ENOMEM (-ENOSPC). */
static int table_add_vs(struct ipvs_table *t, const struct kaconf_vs_list *l, struct buf *err, int *nerr)
{
	size_t i, j;
	int r;

	for (i = 0; i < l->n; i++) {
		const struct kaconf_vs *vs = &l->vs[i];
		struct kaconf_vs_start st;
		struct ipvs_service s;
		struct ipvs_dest d;
		int idx;

		/* keepalived leaves out a virtual server without real servers,
		 * even one with a sorry server (start_notes warns) */
		if (!vs->nrs)
			continue;
		service_of(vs, &s);
		idx = ipvs_table_service_add(t, &s);
		if (idx == -EEXIST) {
			note(err, vs->entry ? vs->entry : vs->node, "virtual_server listed twice");
			(*nerr)++;
			continue;
		}
		if (idx < 0)
			return idx;
		kaconf_vs_start_state(vs, &st);
		for (j = 0; j < vs->nrs; j++) {
			const struct kaconf_rs *rs = &vs->rs[j];

			if (st.rs_pulled && !rs->inhibit)
				continue;
			dest_of(rs, st.rs_pulled ? 0 : rs->weight, &d);
			r = ipvs_table_dest_add(t, (size_t)idx, &d);
			if (r == -EEXIST) {
				note(err, rs->node, "real_server listed twice");
				(*nerr)++;
			} else if (r < 0) {
				return r;
			}
		}
		if (st.sorry_in) {
			dest_of(&vs->sorry, st.sorry_weight, &d);
			r = ipvs_table_dest_add(t, (size_t)idx, &d);
			if (r == -EEXIST) {
				note(err, vs->sorry.node, "sorry_server is also a real_server (not modelled by dsrkit)");
				(*nerr)++;
			} else if (r < 0) {
				return r;
			}
		}
	}
	return 0;
}

int conf_table_from_vs(const struct kaconf_vs_list *l, struct ipvs_table **out, struct buf *err)
{
	struct ipvs_table *t = ipvs_table_new();
	int nerr = 0, r;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	r = table_add_vs(t, l, err, &nerr);
	if (r == 0 && nerr)
		r = -EINVAL;
	if (r < 0) {
		ipvs_table_free(t);
		return r;
	}
	*out = t;
	return 0;
}

/* What keepalived does at start that a reader of the file may not expect. */
static void start_notes(const struct kaconf_vs_list *l, struct buf *warn)
{
	const struct kaconf_node *last = NULL;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct kaconf_vs *vs = &l->vs[i];
		struct kaconf_vs_start st;

		if (vs->node == last)
			continue;  /* one note per block, not per group member */
		last = vs->node;
		if (!vs->nrs) {
			note(warn, vs->node, "virtual_server without real_server: left out, as keepalived does");
			continue;
		}
		kaconf_vs_start_state(vs, &st);
		if (!st.quorum_up)
			note(warn, vs->node, vs->has_sorry ? "quorum not reached at start: the sorry server replaces the real servers, as keepalived does"
							   : "quorum not reached at start (keepalived runs quorum_down; the table keeps the real servers)");
	}
}

/* The table built block by block while the file is read (kaconf_vs_stream.h):
 * a 10,000-service file never has its whole statement tree, nor its whole
 * list of virtual servers, beside the table.  What the two-step reading
 * reported after the virtual servers' own mistakes (duplicates, then the
 * start notes after the warnings) waits in buffers of its own. */
struct build {
	struct ipvs_table *t;
	struct buf dups;   /* "listed twice": reported only for a file without other mistakes */
	int ndup;
	struct buf notes;  /* start notes, after every warning of the reader */
	int with_notes;
};

static int build_each(const struct kaconf_vs_list *l, void *arg)
{
	struct build *b = arg;
	int r = table_add_vs(b->t, l, &b->dups, &b->ndup);

	if (r == 0 && b->with_notes)
		start_notes(l, &b->notes);
	return r;
}

/* data NULL: read the file path. */
static int load(const char *path, const char *data, size_t len, struct ipvs_table **out, struct buf *err,
		struct buf *warn)
{
	struct build b = { .with_notes = warn != NULL };
	struct kaconf_vs_sink sink = { .each = build_each, .arg = &b };
	struct kaconf_vs_list l;
	int r;

	*out = NULL;
	b.t = ipvs_table_new();
	if (!b.t)
		return -ENOMEM;
	buf_init(&b.dups, err->max);
	buf_init(&b.notes, 64 * 1024);
	if (data)
		r = kaconf_vs_stream_mem(path, data, len, KACONF_NO_INCLUDE, &sink, &l, err);
	else
		r = kaconf_vs_stream_file(path, 0, &sink, &l, err);
	if (r == 0 && b.ndup) {
		(void)buf_append_lines(err, &b.dups);
		r = -EINVAL;
	}
	if (r == 0 && warn)
		(void)buf_append_lines(&l.warnings, &b.notes);
	if (warn && l.warnings.len && buf_append(warn, l.warnings.data, l.warnings.len) < 0) {
		/* warnings are best effort */
	}
	kaconf_vs_list_free(&l);
	buf_free(&b.dups);
	buf_free(&b.notes);
	if (r < 0)
		ipvs_table_free(b.t);
	else
		*out = b.t;
	return r;
}

int conf_table_load(const char *path, struct ipvs_table **out, struct buf *err, struct buf *warn)
{
	return load(path, NULL, 0, out, err, warn);
}

static int keys_load(struct kaconf *cf, int r, struct ipvs_table **out, struct buf *err)
{
	struct kaconf_vs_list l;
	struct ipvs_table *t;
	size_t i;

	*out = NULL;
	if (r < 0)
		return r;
	r = kaconf_vs_collect(cf, &l, err);
	t = r == 0 ? ipvs_table_new() : NULL;
	if (r == 0 && !t)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < l.n; i++) {
		struct ipvs_service s;
		int idx;

		service_of(&l.vs[i], &s);
		idx = ipvs_table_service_add(t, &s);
		if (idx < 0 && idx != -EEXIST)
			r = idx;
	}
	kaconf_vs_list_free(&l);
	kaconf_free(cf);
	if (r < 0)
		ipvs_table_free(t);
	else
		*out = t;
	return r;
}

int conf_keys_load(const char *path, struct ipvs_table **out, struct buf *err)
{
	struct kaconf *cf = NULL;
	int r = kaconf_parse_file(path, KACONF_NO_INCLUDE, &cf, err);

	return keys_load(cf, r, out, err);
}

int conf_keys_load_mem(const char *name, const char *data, size_t len, struct ipvs_table **out,
		       struct buf *err)
{
	struct kaconf *cf = NULL;
	int r = kaconf_parse_mem(name, data, len, KACONF_NO_INCLUDE, &cf, err);

	return keys_load(cf, r, out, err);
}

int conf_table_load_mem(const char *name, const char *data, size_t len, struct ipvs_table **out,
			struct buf *err)
{
	return load(name, data ? data : "", len, out, err, NULL);
}

static const char *proto_word(uint16_t p)
{
	return p == IPPROTO_UDP ? "UDP" : p == IPPROTO_SCTP ? "SCTP" : "TCP";
}

static const char *flag_word(const struct ipvs_service *s, uint32_t bit)
{
	int sh = strcmp(s->sched, "sh") == 0, mh = strcmp(s->sched, "mh") == 0;

	switch (bit) {
	case IPVS_SVC_F_ONEPACKET: return "ops";
	case IPVS_SVC_F_SCHED1: return sh ? "sh-fallback" : mh ? "mh-fallback" : "flag-1";
	case IPVS_SVC_F_SCHED2: return sh ? "sh-port" : mh ? "mh-port" : "flag-2";
	case IPVS_SVC_F_SCHED3: return "flag-3";
	default: return NULL;
	}
}

static const char *kind_word(enum ipvs_fwd f)
{
	return f == IPVS_FWD_NAT ? "NAT" : f == IPVS_FWD_TUN ? "TUN" : "DR";
}

int conf_key_append(struct buf *b, const struct ipvs_service *s)
{
	char ip[INET6_ADDRSTRLEN];

	if (s->fwmark)
		return buf_appendf(b, "virtual_server fwmark %u {\n\tip_family %s\n}\n", s->fwmark,
				   s->af == AF_INET6 ? "inet6" : "inet");
	return buf_appendf(b, "virtual_server %s %u {\n\tprotocol %s\n}\n",
			   inet_ntop(s->af, &s->addr, ip, sizeof(ip)), s->port, proto_word(s->protocol));
}

int conf_table_write(const struct ipvs_table *t, size_t skip, FILE *f)
{
	size_t i, j;

	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);
		size_t nd = ipvs_table_dest_count(t, i);
		enum ipvs_fwd kind = nd ? ipvs_table_dest(t, i, 0)->fwd : IPVS_FWD_DR;
		char ip[INET6_ADDRSTRLEN];
		uint32_t bit;

		if (i == skip)
			continue;

		if (s->fwmark)
			fprintf(f, "virtual_server fwmark %u {\n\tip_family %s\n", s->fwmark,
				s->af == AF_INET6 ? "inet6" : "inet");
		else
			fprintf(f, "virtual_server %s %u {\n\tprotocol %s\n",
				inet_ntop(s->af, &s->addr, ip, sizeof(ip)), s->port, proto_word(s->protocol));
		fprintf(f, "\tlb_algo %s\n\tlb_kind %s\n", s->sched[0] ? s->sched : "wlc", kind_word(kind));
		if (s->timeout)
			fprintf(f, "\tpersistence_timeout %u\n", s->timeout);
		if (s->netmask && s->netmask != (s->af == AF_INET6 ? 128u : 32u)) {
			/* IPv4 as a netmask: keepalived reads "24" as 0.0.0.24 */
			uint32_t m = s->netmask >= 32 ? 0xffffffffu : ~(0xffffffffu >> s->netmask);

			if (s->af == AF_INET)
				fprintf(f, "\tpersistence_granularity %u.%u.%u.%u\n", m >> 24, m >> 16 & 0xff,
					m >> 8 & 0xff, m & 0xff);
			else
				fprintf(f, "\tpersistence_granularity %u\n", s->netmask);
		}
		if (s->pe[0])
			fprintf(f, "\tpersistence_engine %s\n", s->pe);
		for (bit = IPVS_SVC_F_ONEPACKET; bit <= IPVS_SVC_F_SCHED3; bit <<= 1)
			if (s->flags & bit && flag_word(s, bit))
				fprintf(f, "\t%s\n", flag_word(s, bit));
		for (j = 0; j < nd; j++) {
			const struct ipvs_dest *d = ipvs_table_dest(t, i, j);

			fprintf(f, "\treal_server %s %u {\n\t\tweight %d\n",
				inet_ntop(d->af ? d->af : s->af, &d->addr, ip, sizeof(ip)), d->port, d->weight);
			if (d->u_threshold)
				fprintf(f, "\t\tuthreshold %u\n", d->u_threshold);
			if (d->l_threshold)
				fprintf(f, "\t\tlthreshold %u\n", d->l_threshold);
			if (d->fwd != kind || (d->fwd == IPVS_FWD_TUN && (d->tun_type || d->tun_flags))) {
				fprintf(f, "\t\tlb_kind %s", kind_word(d->fwd));
				if (d->fwd == IPVS_FWD_TUN && d->tun_type == 1)
					fprintf(f, " type gue port %u", d->tun_port);
				else if (d->fwd == IPVS_FWD_TUN && d->tun_type == 2)
					fprintf(f, " type gre");
				if (d->fwd == IPVS_FWD_TUN && d->tun_type && d->tun_flags)
					fprintf(f, " %s", d->tun_flags & 2 ? "remcsum" : "csum");
				fprintf(f, "\n");
			}
			fprintf(f, "\t}\n");
		}
		fprintf(f, "}\n");
	}
	return ferror(f) ? -EIO : 0;
}
