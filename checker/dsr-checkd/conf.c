/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_conf.c - dsr-checkd's configuration from a kaconf tree; see
 * checkd_conf.h.  kaconf/ reads the syntax (comments, quotes, includes,
 * bounds) and kaconf_vs the virtual servers; this file adds what only the
 * checker needs: the dsr_checkd block, each real server's *_CHECK block
 * (retry, delay_before_retry, the agent port named in a MISC_CHECK line),
 * delay_loop, and the DR-only selection. */
#include "checker/dsr-checkd/conf.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounded/buf.h"
#include "bounded/strparse.h"
#include "arp/arp_packet.h"
#include "checker/lib/datapath.h"
#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

#define ERRBUF_MAX 4096

void checkd_conf_init(struct checkd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_ms = 2000;
	c->timeout_ms = 0;        /* 0: dsrkit.conf's timeout */
	c->retry_ms = 0;          /* 0: the interval */
	c->heartbeat_ms = 1000;   /* long-poll; lab checkd-events: faults drained in p99 < 100 ms */
	c->rise = 1;
	c->fall = 1;
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9445");
	c->dp_status = 200;
	c->dp_mark_base = DATAPATH_MARK_BASE_DEFAULT;
	c->dp_mark_count = DATAPATH_MARK_COUNT_DEFAULT;
	c->failsafe_pct = CHECKD_FAILSAFE_DEFAULT_PCT;
	c->announce_min_healthy = 1;
	snprintf(c->announce_bird_socket, sizeof(c->announce_bird_socket), "%s", CHECKD_ANNOUNCE_BIRD_SOCKET_DEFAULT);
	snprintf(c->announce_bird_protocol, sizeof(c->announce_bird_protocol), "%s",
		 CHECKD_ANNOUNCE_BIRD_PROTOCOL_DEFAULT);
}

void checkd_conf_free(struct checkd_conf *c)
{
	size_t i;

	for (i = 0; i < c->n_svc; i++)
		free(c->svc[i].rs);
	free(c->svc);
	c->svc = NULL;
	c->n_svc = c->cap_svc = 0;
}

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, const struct kaconf_node *n, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%u: %s", n->file, n->line, what);
	return -EINVAL;
}

static void where(char *out, const struct kaconf_node *n)
{
	snprintf(out, CHECKD_CONF_WHERE_MAX, "%s:%u", n->file, n->line);
}

/* keepalived takes seconds, with a fraction ("1.5"); we also take "500ms". */
static int parse_seconds_ms(const char *w, uint32_t *out, uint32_t min_ms, uint32_t max_ms)
{
	const char *dot = strchr(w, '.');
	uint32_t sec, frac = 0, scale = 100;
	size_t i;

	if (!dot)
		return parse_duration_ms(w, out, min_ms, max_ms);
	if (dot == w || parse_u32n(w, (size_t)(dot - w), &sec, 0, max_ms / 1000) < 0)
		return -EINVAL;
	for (i = 1; dot[i]; i++) {
		if (dot[i] < '0' || dot[i] > '9' || i > 3)
			return -EINVAL;
		frac += (uint32_t)(dot[i] - '0') * scale;
		scale /= 10;
	}
	if (i == 1)
		return -EINVAL;
	sec = sec * 1000 + frac;
	if (sec < min_ms || sec > max_ms)
		return -ERANGE;
	*out = sec;
	return 0;
}

static int parse_yes_no(const char *w, int *out)
{
	if (!strcasecmp(w, "yes") || !strcasecmp(w, "on") || !strcmp(w, "1") || !strcasecmp(w, "true"))
		*out = 1;
	else if (!strcasecmp(w, "no") || !strcasecmp(w, "off") || !strcmp(w, "0") || !strcasecmp(w, "false"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

/* A BIRD symbol: a letter or '_', then letters, digits and '_' (so that it
 * can go into a command line as it is). */
static int bird_symbol(const char *v)
{
	size_t i;

	if (!v[0] || strlen(v) >= CHECKD_ANNOUNCE_PROTO_MAX || (v[0] >= '0' && v[0] <= '9'))
		return 0;
	for (i = 0; v[i]; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') ||
		      v[i] == '_'))
			return 0;
	return 1;
}

/* The announce_* settings (announce.h). */
static int announce_setting(struct checkd_conf *c, const struct kaconf_node *n, const char *k, const char *v,
			    char *err, size_t errlen)
{
	if (!strcmp(k, "announce_interface")) {
		/* what the kernel allows (dev_valid_name), and no '%' (TUNSETIFF
		 * would pick a number for it) nor ':' (an alias label) */
		if (!v[0] || strlen(v) >= CHECKD_ANNOUNCE_IFACE_MAX || strpbrk(v, "/%: \t\r\n\v\f") ||
		    !strcmp(v, ".") || !strcmp(v, ".."))
			return fail(err, errlen, n, "announce_interface '%s' is not an interface name (1 to %d characters, "
				    "no '/', '%%', ':' or space, not . or ..)", v, CHECKD_ANNOUNCE_IFACE_MAX - 1);
		memcpy(c->announce_iface, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "announce_min_healthy"))
		return parse_u32(v, &c->announce_min_healthy, 1, CHECKD_CONF_RS_MAX) < 0
			       ? fail(err, errlen, n, "announce_min_healthy '%s' is not 1-%d", v, CHECKD_CONF_RS_MAX) : 0;
	if (!strcmp(k, "announce_bird_socket")) {
		if (strcmp(v, "off") && (v[0] != '/' || strlen(v) >= CHECKD_ANNOUNCE_SOCKET_MAX || strpbrk(v, "\r\n")))
			return fail(err, errlen, n, "announce_bird_socket '%s' is not an absolute path of at most %d "
				    "characters, or off", v, CHECKD_ANNOUNCE_SOCKET_MAX - 1);
		memcpy(c->announce_bird_socket, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "announce_bird_protocol")) {
		if (!bird_symbol(v))
			return fail(err, errlen, n, "announce_bird_protocol '%s' is not a BIRD protocol name (a letter or _, "
				    "then letters, digits and _; at most %d)", v, CHECKD_ANNOUNCE_PROTO_MAX - 1);
		memcpy(c->announce_bird_protocol, v, strlen(v) + 1);
		return 0;
	}
	return fail(err, errlen, n, "unknown dsr_checkd setting '%s'", k);
}

static int daemon_setting(struct checkd_conf *c, const struct kaconf_node *n, char *err, size_t errlen)
{
	const char *k = n->word, *v;

	if (n->nargs != 1 || n->has_block)
		return fail(err, errlen, n, "%s wants one value", k);
	v = n->args[0];
	if (!strcmp(k, "interval")) {
		c->interval_given = 1;
		return parse_seconds_ms(v, &c->interval_ms, 10, 3600000) < 0
			       ? fail(err, errlen, n, "interval '%s' is not 10ms-3600s (e.g. 1s, 500ms)", v) : 0;
	}
	if (!strcmp(k, "timeout")) {
		c->timeout_given = 1;
		return parse_seconds_ms(v, &c->timeout_ms, 10, 300000) < 0
			       ? fail(err, errlen, n, "timeout '%s' is not 10ms-300s", v) : 0;
	}
	if (!strcmp(k, "heartbeat")) {
		if (!strcmp(v, "off")) {
			c->heartbeat_ms = 0;
			return 0;
		}
		return parse_seconds_ms(v, &c->heartbeat_ms, 100, 60000) < 0
			       ? fail(err, errlen, n, "heartbeat '%s' is not 100ms-60s or off", v) : 0;
	}
	if (!strcmp(k, "retry"))
		return parse_seconds_ms(v, &c->retry_ms, 10, 3600000) < 0
			       ? fail(err, errlen, n, "retry '%s' is not 10ms-3600s", v) : 0;
	if (!strcmp(k, "rise"))
		return parse_u32(v, &c->rise, 1, 100) < 0 ? fail(err, errlen, n, "rise '%s' is not 1-100", v) : 0;
	if (!strcmp(k, "fall")) {
		c->fall_given = 1;
		return parse_u32(v, &c->fall, 1, 100) < 0 ? fail(err, errlen, n, "fall '%s' is not 1-100", v) : 0;
	}
	if (!strcmp(k, "agent_port"))
		return parse_u32(v, &c->agent_port, 1, 65535) < 0
			       ? fail(err, errlen, n, "agent_port '%s' is not 1-65535", v) : 0;
	if (!strcmp(k, "standalone"))
		return parse_yes_no(v, &c->standalone) < 0 ? fail(err, errlen, n, "standalone wants yes or no") : 0;
	if (!strcmp(k, "listen") || !strcmp(k, "socket") || !strcmp(k, "track_dir") || !strcmp(k, "keepalived_conf") ||
	    !strcmp(k, "web_config_file")) {
		char *dst = !strcmp(k, "listen") ? c->listen : !strcmp(k, "socket") ? c->socket_path
				: !strcmp(k, "track_dir") ? c->track_dir
				: !strcmp(k, "web_config_file") ? c->web_config_file : c->keepalived_conf;
		size_t cap = !strcmp(k, "listen") ? sizeof(c->listen) : CHECKD_CONF_PATH_MAX;

		if (strlen(v) >= cap)
			return fail(err, errlen, n, "%s value too long", k);
		if (!strcmp(k, "listen") && !strcmp(v, "off"))
			v = "";
		memcpy(dst, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "data_path")) {
		enum datapath_kind kind;

		if (!strcmp(v, "off")) {
			c->data_path = 0;
			return 0;
		}
		if (datapath_kind_parse(v, &kind) < 0)
			return fail(err, errlen, n, "data_path '%s' is not tcp, tls, http, https or off", v);
		c->data_path = (int)kind + 1;
		return 0;
	}
	if (!strcmp(k, "data_path_url")) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->dp_path) || strpbrk(v, " \r\n"))
			return fail(err, errlen, n, "data_path_url '%s' is not a path like /health", v);
		memcpy(c->dp_path, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "data_path_status"))
		return parse_u32(v, &c->dp_status, 100, 599) < 0
			       ? fail(err, errlen, n, "data_path_status '%s' is not 100-599", v) : 0;
	if (!strcmp(k, "data_path_mark_base"))
		return parse_u32_hex(v, &c->dp_mark_base) < 0 || !c->dp_mark_base
			       ? fail(err, errlen, n, "data_path_mark_base '%s' is not a non-zero mark", v) : 0;
	if (!strcmp(k, "data_path_mark_count"))
		return parse_u32(v, &c->dp_mark_count, 1, 1u << 20) < 0
			       ? fail(err, errlen, n, "data_path_mark_count '%s' is not 1-1048576", v) : 0;
	if (!strcmp(k, "data_path_set_sysctls"))
		return parse_yes_no(v, &c->dp_set_sysctls) < 0
			       ? fail(err, errlen, n, "data_path_set_sysctls wants yes or no") : 0;
	if (!strcmp(k, "arp_check")) {
		if (!strcmp(v, "off")) {
			c->arp_interval_ms = 0;
			return 0;
		}
		return parse_seconds_ms(v, &c->arp_interval_ms, 100, 3600000) < 0
			       ? fail(err, errlen, n, "arp_check '%s' is not 100ms-3600s or off", v) : 0;
	}
	if (!strcmp(k, "arp_iface")) {
		/* what the kernel allows (dev_valid_name): under IFNAMSIZ, no
		 * '/', ':' or space, not "." or ".." */
		if (!v[0] || strlen(v) >= IFNAMSIZ || strlen(v) >= sizeof(c->arp_iface) || strpbrk(v, "/: \t") ||
		    !strcmp(v, ".") || !strcmp(v, ".."))
			return fail(err, errlen, n, "arp_iface '%s' is not an interface name (at most %d characters, "
				    "no '/', ':' or space)", v, IFNAMSIZ - 1);
		memcpy(c->arp_iface, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "arp_allow_mac")) {
		if (c->n_arp_allow >= sizeof(c->arp_allow) / sizeof(c->arp_allow[0]))
			return fail(err, errlen, n, "more than %zu arp_allow_mac", sizeof(c->arp_allow) / sizeof(c->arp_allow[0]));
		if (mac_parse(v, c->arp_allow[c->n_arp_allow]) < 0)
			return fail(err, errlen, n, "arp_allow_mac '%s' is not aa:bb:cc:dd:ee:ff", v);
		c->n_arp_allow++;
		return 0;
	}
	if (!strcmp(k, "arp_fail_server"))
		return parse_yes_no(v, &c->arp_fail_server) < 0 ? fail(err, errlen, n, "arp_fail_server wants yes or no")
								 : 0;
	if (!strcmp(k, "failsafe_threshold")) {
		size_t l = strlen(v);

		if (!strcmp(v, "off")) {
			c->failsafe_pct = 0;
			return 0;
		}
		if (!strcmp(v, "all")) {
			c->failsafe_pct = 100;
			return 0;
		}
		if (l < 2 || v[l - 1] != '%' || parse_u32n(v, l - 1, &c->failsafe_pct, 1, 100) < 0)
			return fail(err, errlen, n, "failsafe_threshold '%s' is not 1%%-100%%, all or off", v);
		return 0;
	}
	if (!strncmp(k, "announce_", 9))
		return announce_setting(c, n, k, v, err, errlen);
	return fail(err, errlen, n, "unknown dsr_checkd setting '%s'", k);
}

/* "--agent-port N" inside a MISC_CHECK's misc_path names the agent's port. */
static void misc_path_agent_port(struct checkd_conf_rs *rs, const char *path)
{
	const char *p = strstr(path, "--agent-port");
	char num[8];
	size_t n = 0;

	if (!p)
		return;
	p += strlen("--agent-port");
	while (*p == ' ' || *p == '=')
		p++;
	while (p[n] >= '0' && p[n] <= '9' && n < sizeof(num) - 1) {
		num[n] = p[n];
		n++;
	}
	num[n] = '\0';
	if (parse_u32(num, &rs->agent_port, 1, 65535) < 0)
		rs->agent_port = 0;  /* not ours to judge: dsr-check reports it */
}

/* The *_CHECK blocks of a real server: retry, delay_before_retry, misc_path. */
static int rs_checks(struct checkd_conf_rs *rs, const struct kaconf_node *rsn, char *err, size_t errlen)
{
	const struct kaconf_node *c, *k;

	for (c = rsn->child; c; c = c->next) {
		size_t wl = strlen(c->word);

		if (!c->has_block || ((wl <= 6 || strcmp(c->word + wl - 6, "_CHECK")) && strcmp(c->word, "HTTP_GET") &&
				       strcmp(c->word, "SSL_GET")))
			continue;
		for (k = c->child; k; k = k->next) {
			if (!strcmp(k->word, "retry") || !strcmp(k->word, "nb_get_retry")) {
				if (k->nargs != 1 || parse_u32(k->args[0], &rs->retry, 0, 100) < 0)
					return fail(err, errlen, k, "%s wants 0-100", k->word);
			} else if (!strcmp(k->word, "delay_before_retry")) {
				if (k->nargs != 1 || parse_seconds_ms(k->args[0], &rs->delay_before_retry_ms, 10, 3600000) < 0)
					return fail(err, errlen, k, "delay_before_retry wants seconds");
			} else if (!strcmp(k->word, "misc_path") && k->nargs >= 1) {
				misc_path_agent_port(rs, k->args[0]);
			}
		}
	}
	return 0;
}

static int add_vs(struct checkd_conf *c, const struct kaconf_vs *vs, char *err, size_t errlen)
{
	const struct kaconf_node *dl;
	struct checkd_conf_svc *v;
	size_t i, j;
	int r;

	if (c->n_svc >= CHECKD_CONF_SERVICES_MAX)
		return fail(err, errlen, vs->node, "more than %d virtual_server blocks", CHECKD_CONF_SERVICES_MAX);
	if (vs->nrs > CHECKD_CONF_RS_MAX)
		return fail(err, errlen, vs->node, "more than %d real servers in one virtual_server", CHECKD_CONF_RS_MAX);
	if (c->n_svc == c->cap_svc) {
		size_t nc = c->cap_svc ? c->cap_svc * 2 : 16;
		struct checkd_conf_svc *n = realloc(c->svc, nc * sizeof(*n));

		if (!n)
			return fail(err, errlen, vs->node, "out of memory");
		c->svc = n;
		c->cap_svc = nc;
	}
	v = &c->svc[c->n_svc++];
	memset(v, 0, sizeof(*v));
	v->vip = vs->addr;
	v->port = vs->port;
	v->fwmark = vs->fwmark;
	v->protocol = vs->protocol ? vs->protocol : 6;
	snprintf(v->sched, sizeof(v->sched), "%s", vs->sched[0] ? vs->sched : "wlc");
	/* kaconf's bits are the kernel's IP_VS_SVC_F_SCHED1-3 */
	v->sched_flags = vs->flags & (KACONF_VS_F_SCHED1 | KACONF_VS_F_SCHED2 | KACONF_VS_F_SCHED3);
	v->dr = vs->fwd == KACONF_FWD_DR;
	v->kind_given = vs->fwd_set;
	v->persistence_timeout = vs->persistence_timeout;
	v->persistence_prefix = vs->granularity;
	where(v->where, vs->node);
	if (vs->has_sorry || vs->quorum != 1 || vs->hysteresis || vs->inhibit) {
		if (!c->n_unmodelled++)
			where(c->first_unmodelled, vs->node);
	}
	dl = kaconf_node_find(vs->node->child, "delay_loop");
	if (dl && (dl->nargs != 1 || parse_seconds_ms(dl->args[0], &v->delay_loop_ms, 10, 3600000) < 0))
		return fail(err, errlen, dl, "delay_loop wants seconds (e.g. 2, 0.5)");
	if (!vs->nrs)
		return 0;
	v->rs = calloc(vs->nrs, sizeof(*v->rs));
	if (!v->rs)
		return fail(err, errlen, vs->node, "out of memory");
	v->cap_rs = vs->nrs;
	for (i = 0; i < vs->nrs; i++) {
		const struct kaconf_rs *k = &vs->rs[i];
		struct checkd_conf_rs *rs = &v->rs[v->n_rs];

		rs->addr = k->addr;
		rs->port = k->port;
		rs->weight = k->weight;
		rs->retry = UINT32_MAX;
		where(rs->where, k->node);
		if (!v->fwmark && k->addr.family != v->vip.family)
			return fail(err, errlen, k->node, "real server %s and the VIP are of different address families",
				    k->node->nargs ? k->node->args[0] : "?");
		for (j = 0; j < v->n_rs; j++)
			if (ipaddr_equal(&v->rs[j].addr, &rs->addr) && v->rs[j].port == rs->port)
				return fail(err, errlen, k->node, "real server %s %u is listed twice (first at %s)",
					    k->node->nargs ? k->node->args[0] : "?", rs->port, v->rs[j].where);
		r = rs_checks(rs, k->node, err, errlen);
		if (r < 0)
			return r;
		v->n_rs++;
	}
	return 0;
}

static int from_tree(struct checkd_conf *c, const struct kaconf *cf, char *err, size_t errlen)
{
	const struct kaconf_node *n, *k;
	struct kaconf_vs_list l;
	struct buf eb;
	size_t i;
	int r;

	c->n_files++;
	for (n = kaconf_node_find(kaconf_root(cf), "dsr_checkd"); n; n = kaconf_node_find(n->next, "dsr_checkd")) {
		if (n->nargs || !n->has_block)
			return fail(err, errlen, n, "dsr_checkd wants a { } block");
		for (k = n->child; k; k = k->next) {
			r = daemon_setting(c, k, err, errlen);
			if (r < 0)
				return r;
		}
	}
	buf_init(&eb, ERRBUF_MAX);
	r = kaconf_vs_collect(cf, &l, &eb);
	if (r < 0) {
		const char *e = buf_str(&eb);

		/* the first reason (several may be listed, one a line) */
		snprintf(err, errlen, "%.*s", (int)strcspn(e, "\n"), e);
		buf_free(&eb);
		kaconf_vs_list_free(&l);
		return r;
	}
	buf_free(&eb);
	for (i = 0; i < l.n; i++) {
		r = add_vs(c, &l.vs[i], err, errlen);
		if (r < 0)
			break;
	}
	kaconf_vs_list_free(&l);
	return r;
}

static int run(struct checkd_conf *c, int r, struct kaconf *cf, struct buf *eb, char *err, size_t errlen)
{
	if (r < 0) {
		const char *e = buf_str(eb);

		snprintf(err, errlen, "%.*s", (int)strcspn(e, "\n"), e);
		buf_free(eb);
		return r;
	}
	buf_free(eb);
	r = from_tree(c, cf, err, errlen);
	kaconf_free(cf);
	return r;
}

int checkd_conf_load(struct checkd_conf *c, const char *path, char *err, size_t errlen)
{
	struct kaconf *cf = NULL;
	struct buf eb;

	int r;

	buf_init(&eb, ERRBUF_MAX);
	r = kaconf_parse_file(path, 0, &cf, &eb);
	return run(c, r, cf, &eb, err, errlen);
}

int checkd_conf_parse(struct checkd_conf *c, const char *name, const char *text, size_t len, unsigned kaconf_flags,
		      char *err, size_t errlen)
{
	struct kaconf *cf = NULL;
	struct buf eb;

	int r;

	buf_init(&eb, ERRBUF_MAX);
	r = kaconf_parse_mem(name, text, len, kaconf_flags, &cf, &eb);
	return run(c, r, cf, &eb, err, errlen);
}

int checkd_conf_finish(struct checkd_conf *c, char *err, size_t errlen)
{
	size_t i, j, k;

	/* only DR services concern dsr-checkd; keepalived's default is NAT */
	for (i = j = 0; i < c->n_svc; i++) {
		if (!c->svc[i].dr) {
			c->n_skipped++;
			free(c->svc[i].rs);
			continue;
		}
		for (k = 0; k < j; k++) {
			const struct checkd_conf_svc *a = &c->svc[k], *b = &c->svc[i];

			if (a->fwmark == b->fwmark && (a->fwmark || (a->protocol == b->protocol && a->port == b->port &&
								     ipaddr_equal(&a->vip, &b->vip)))) {
				snprintf(err, errlen, "%s: virtual_server defined twice (first at %s)", b->where, a->where);
				for (; i < c->n_svc; i++)
					free(c->svc[i].rs);
				c->n_svc = j;
				return -EINVAL;
			}
		}
		c->svc[j++] = c->svc[i];
	}
	c->n_svc = j;
	if (c->standalone) {
		for (i = 0; i < c->n_svc; i++) {
			if (!c->svc[i].n_rs) {
				snprintf(err, errlen, "%s: virtual_server without real servers", c->svc[i].where);
				return -EINVAL;
			}
		}
	}
	return 0;
}
