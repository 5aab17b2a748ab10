/* SPDX-License-Identifier: Apache-2.0 */
/* page.c - the status page at "/"; see page.h. */
#include "checker/dsr-checkd/page.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/utf8.h"
#include "checker/dsr-checkd/arp.h"
#include "checker/dsr-checkd/datapath.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"

/* One sticky error, so the renderer reads as the page it writes. */
struct pg {
	struct buf *b;
	int err;
};

static void put(struct pg *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct pg *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (p->err)
		return;
	va_start(ap, fmt);
	r = buf_vappendf(p->b, fmt, ap);
	va_end(ap);
	if (r < 0)
		p->err = r;
}

int page_html_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	int r = 0;

	while (i < len && r == 0) {
		switch (u[i]) {
		case '&': r = buf_append_str(out, "&amp;"); n = 1; break;
		case '<': r = buf_append_str(out, "&lt;"); n = 1; break;
		case '>': r = buf_append_str(out, "&gt;"); n = 1; break;
		case '"': r = buf_append_str(out, "&quot;"); n = 1; break;
		case '\'': r = buf_append_str(out, "&#39;"); n = 1; break;
		default:
			n = utf8_seq_len(u + i, len - i);  /* bounded/utf8: the one definition */
			if (n == 0 || u[i] < 0x20 || u[i] == 0x7f) {
				r = buf_appendf(out, "\\x%02x", u[i]);
				n = 1;
			} else {
				r = buf_append(out, u + i, n);
			}
		}
		i += n;
	}
	return r;
}

static void text(struct pg *p, const char *s)
{
	int r;

	if (p->err)
		return;
	r = page_html_escape(p->b, s, strlen(s));
	if (r < 0)
		p->err = r;
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222;background:#fafafa}"
	"h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.2em 0 .3em}"
	".meta{color:#555;margin:.2em 0 1em}"
	"table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:.5em}"
	"th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
	"th{background:#e8e8f0;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.up td.st{background:#c8efc8}tr.down{background:#ffd6d6}tr.down td.st{background:#f08080;font-weight:700}"
	"tr.init td.st{background:#eee}tr.drain td.st{background:#cfe0ff}"
	"td.why{min-width:24em}.fix{color:#333;font-size:.92em}.fix code{background:#f3f3f3;padding:0 2px}"
	".bad{color:#b00000;font-weight:600}.ok{color:#177a17}.dim{color:#777}"
	"svg.spark{vertical-align:middle}svg.spark polyline{fill:none;stroke:#4060c0;stroke-width:1.2}"
	".sum{font-weight:normal;color:#555;font-size:.9em}";

/* A few lines where JavaScript is on: fetch the page again and put the new
 * tables in place, so the page updates without a reload; the meta refresh
 * is the fallback and is removed here. */
static const char script[] =
	"(function(){var m=document.querySelector('meta[http-equiv=refresh]');if(m)m.remove();"
	"setInterval(function(){fetch(location.href,{cache:'no-store'}).then(function(r){return r.text();})"
	".then(function(t){var n=new DOMParser().parseFromString(t,'text/html').getElementById('main');"
	"if(n){document.getElementById('main').replaceWith(n);}}).catch(function(){});},";

/* The services the table knows, in order: (VIP, port) of every target. */
struct svc_key {
	struct ip_addr vip;
	uint16_t port;
};

static int key_cmp(const void *a, const void *b)
{
	const struct svc_key *x = a, *y = b;
	int c = memcmp(&x->vip, &y->vip, sizeof(x->vip));

	if (c)
		return c;
	return (int)x->port - (int)y->port;
}

static const struct checkd_ipvs_svc *ipvs_svc(const struct checkd_ipvs_snapshot *ip, const struct svc_key *k)
{
	size_t i;

	for (i = 0; ip && ip->ok && i < ip->n_svc; i++)
		if (!ip->svc[i].fwmark && ip->svc[i].port == k->port && ipaddr_equal(&ip->svc[i].vip, &k->vip))
			return &ip->svc[i];
	return NULL;
}

static const struct checkd_ipvs_dest *ipvs_dest(const struct checkd_ipvs_svc *s, const struct ip_addr *a)
{
	size_t i;

	for (i = 0; s && i < s->n_dests; i++)
		if (ipaddr_equal(&s->dests[i].addr, a))
			return &s->dests[i];
	return NULL;
}

static void human_count(struct pg *p, uint64_t v)
{
	if (v >= 10000000000ull)
		put(p, "%.1fG", (double)v / 1e9);
	else if (v >= 10000000ull)
		put(p, "%.1fM", (double)v / 1e6);
	else if (v >= 100000ull)
		put(p, "%.1fk", (double)v / 1e3);
	else
		put(p, "%llu", (unsigned long long)v);
}

static void age(struct pg *p, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 10000)
		put(p, "%.1f s ago", (double)ms / 1000);
	else if (ms < 600000)
		put(p, "%lld s ago", (long long)(ms / 1000));
	else
		put(p, "%lld min ago", (long long)(ms / 60000));
}

static void duration(struct pg *p, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 120)
		put(p, "%lld s", (long long)s);
	else if (s < 7200)
		put(p, "%lld min", (long long)(s / 60));
	else if (s < 172800)
		put(p, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		put(p, "%lld days", (long long)(s / 86400));
}

/* An inline SVG line of the recent check durations, oldest first. */
static void sparkline(struct pg *p, const struct checkd_rs *rs)
{
	unsigned n = rs->dur_n < CHECKD_RS_DUR_HIST ? rs->dur_n : CHECKD_RS_DUR_HIST, i;
	uint32_t mx = 1, mn = UINT32_MAX;

	if (n < 2) {
		put(p, "<span class=\"dim\">-</span>");
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t v = rs->dur_hist[(rs->dur_n - n + i) % CHECKD_RS_DUR_HIST];

		mx = v > mx ? v : mx;
		mn = v < mn ? v : mn;
	}
	put(p, "<svg class=\"spark\" width=\"90\" height=\"18\" viewBox=\"0 0 90 18\" role=\"img\">"
	       "<title>last %u checks: %u to %u ms</title><polyline points=\"", n, mn, mx);
	for (i = 0; i < n; i++) {
		uint32_t v = rs->dur_hist[(rs->dur_n - n + i) % CHECKD_RS_DUR_HIST];

		put(p, "%s%.1f,%.1f", i ? " " : "", 89.0 * i / (n - 1), 17.0 - 16.0 * v / mx);
	}
	put(p, "\"/></svg> <span class=\"dim\">%u ms</span>", rs->last_duration_ms);
}

/* The reason of a row that is not up, and its fix from the real server's
 * own last document run through the shared rules. */
static void reason_and_fix(struct pg *p, const struct checkd_rs *rs, const struct checkd_target *t,
			   struct facts *scratch)
{
	const struct verdict *v = t->sm.state == CHECK_STATE_DOWN ? &t->sm.cause : &t->sm.last;
	struct findings *fs;
	char err[64];
	size_t i;

	if (t->sm.state == CHECK_STATE_INIT && t->sm.last_result_ms < 0) {
		put(p, "<span class=\"dim\">not checked yet</span>");
		return;
	}
	if (verdict_is_ok(&t->sm.last) && t->sm.state == CHECK_STATE_UP) {
		put(p, "<span class=\"ok\">DR set-up correct</span>");
		if (t->sm.last.reason[0]) {
			put(p, " <span class=\"dim\">");
			text(p, t->sm.last.reason);
			put(p, "</span>");
		}
		return;
	}
	put(p, "<span class=\"bad\">[%s] ", check_layer_name(v->layer));
	text(p, v->code);
	put(p, "</span> ");
	text(p, v->reason);
	if (!t->j.failing || !rs->doc_valid || !scratch)
		return;
	if (status_parse(rs->doc, rs->doc_len, scratch, err, sizeof(err)) < 0)
		return;
	fs = malloc(sizeof(*fs));
	if (!fs) {
		p->err = -ENOMEM;
		return;
	}
	findings_init(fs);
	rules_evaluate(scratch, &t->vip, t->port, fs);
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->items[i];

		if (!(t->j.failing & (1u << f->code)) || !f->fix[0])
			continue;
		put(p, "<div class=\"fix\">Fix (");
		text(p, finding_code_name(f->code));
		put(p, "): ");
		text(p, finding_table[f->code].summary);
		put(p, " &mdash; <code>");
		text(p, f->fix);
		put(p, "</code>");
		if (f->fix_alt[0]) {
			put(p, " or <code>");
			text(p, f->fix_alt);
			put(p, "</code>");
		}
		put(p, "</div>");
	}
	free(fs);
}

static void arp_cell(struct pg *p, const struct checkd *d, const struct checkd_rs *rs, const struct checkd_target *t)
{
	size_t i;

	if (!d->arp) {
		put(p, "<span class=\"dim\">off</span>");
		return;
	}
	if (!d->arp->open) {
		put(p, "<span class=\"dim\">not running</span>");
		return;
	}
	for (i = 0; i < d->arp->n_found; i++) {
		const struct arp_claim *cl = &d->arp->found[i];

		if (cl->have_owner && ipaddr_equal(&cl->owner, &rs->addr) && ipaddr_equal(&cl->vip, &t->vip)) {
			put(p, "<span class=\"bad\">%s</span>",
			    cl->gratuitous ? "announces the VIP" : "answers ARP for the VIP");
			return;
		}
	}
	put(p, d->arp->rounds ? "<span class=\"ok\">quiet</span>" : "<span class=\"dim\">no round yet</span>");
}

static void row(struct pg *p, const struct checkd *d, const struct checkd_rs *rs, const struct checkd_target *t,
		const struct checkd_ipvs_svc *svc, int64_t now_ms, struct facts *scratch, struct facts *hostf)
{
	const struct checkd_ipvs_dest *x = ipvs_dest(svc, &rs->addr);
	const char *cls = t->sm.state == CHECK_STATE_UP ? (rs->admin == ADMIN_STATE_UP ? "up" : "drain")
			  : t->sm.state == CHECK_STATE_DOWN ? "down" : "init";

	put(p, "<tr class=\"%s\" data-rs=\"%s\"><td>%s:%u</td><td>", cls, rs->name, rs->name, rs->agent_port);
	if (hostf) {
		text(p, hostf->hostname);
		put(p, "<br><span class=\"dim\">agent ");
		text(p, hostf->agent_version);
		put(p, "</span>");
	} else {
		put(p, "<span class=\"dim\">-</span>");
	}
	put(p, "</td><td class=\"st\">%s</td><td class=\"why\">", t->sm.state == CHECK_STATE_UP ? "UP"
						   : t->sm.state == CHECK_STATE_DOWN ? "DOWN" : "INIT");
	reason_and_fix(p, rs, t, scratch);
	put(p, "</td>");
	if (x)
		put(p, "<td class=\"n\">%d</td>", (int)x->weight);
	else
		put(p, "<td class=\"n dim\">%s</td>", svc ? "absent" : "-");
	put(p, "<td>%s", admin_state_name(rs->admin));
	if (hostf && hostf->admin_reason[0]) {
		put(p, "<br><span class=\"dim\">");
		text(p, hostf->admin_reason);
		put(p, "</span>");
	}
	put(p, "</td>");
	if (x) {
		put(p, "<td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">", x->active, x->inactive);
		human_count(p, x->inpkts);
		put(p, "</td><td class=\"n\">");
		human_count(p, x->inbytes);
		put(p, "</td>");
	} else {
		put(p, "<td class=\"n dim\">-</td><td class=\"n dim\">-</td><td class=\"n dim\">-</td>"
		       "<td class=\"n dim\">-</td>");
	}
	put(p, "<td>");
	if (rs->last_done_ms >= 0)
		age(p, now_ms - rs->last_done_ms);
	else
		put(p, "<span class=\"dim\">never</span>");
	put(p, "</td><td>");
	if (t->dp && t->dp->have) {
		if (verdict_is_ok(&t->dp->last)) {
			put(p, "<span class=\"ok\">ok</span> <span class=\"dim\">%u ms</span>", t->dp->last_duration_ms);
		} else {
			put(p, "<span class=\"bad\">");
			text(p, t->dp->last.code);
			put(p, "</span> ");
			text(p, t->dp->last.reason);
		}
	} else {
		put(p, "<span class=\"dim\">%s</span>", t->dp ? "no probe yet" : "off");
	}
	put(p, "</td><td>");
	arp_cell(p, d, rs, t);
	put(p, "</td><td>");
	sparkline(p, rs);
	put(p, "</td></tr>\n");
}

static void service(struct pg *p, const struct checkd *d, const struct svc_key *k,
		    const struct checkd_ipvs_snapshot *ipvs, int64_t now_ms, struct facts *scratch,
		    struct facts **host)
{
	const struct checkd_ipvs_svc *svc = ipvs_svc(ipvs, k);
	char a[IPADDR_STRLEN];
	size_t i, j, up = 0, all = 0;

	for (i = 0; i < d->n_rs; i++)
		for (j = 0; j < d->rs[i]->n_targets; j++) {
			const struct checkd_target *t = &d->rs[i]->targets[j];

			if (t->port == k->port && ipaddr_equal(&t->vip, &k->vip)) {
				all++;
				up += t->sm.state == CHECK_STATE_UP;
			}
		}
	ipaddr_format(&k->vip, a);
	put(p, "<section class=\"svc\"><h2 id=\"svc-%s-%u\">%s%s%s:%u <span class=\"sum\">%zu of %zu real servers up",
	    a, k->port, k->vip.family == IP_FAMILY_V6 ? "[" : "", a, k->vip.family == IP_FAMILY_V6 ? "]" : "",
	    k->port, up, all);
	if (up == 0)
		put(p, " &mdash; <span class=\"bad\">no healthy real server</span>");
	if (svc) {
		put(p, "; IPVS: ");
		human_count(p, svc->conns);
		put(p, " connections, ");
		human_count(p, svc->inpkts);
		put(p, " packets, ");
		human_count(p, svc->inbytes);
		put(p, " bytes in");
	} else if (ipvs && ipvs->ok) {
		put(p, "; <span class=\"dim\">no IPVS service</span>");
	}
	put(p, "</span></h2>\n<table><thead><tr><th>Real server</th><th>Host</th><th>State</th>"
	       "<th>Reason and fix</th><th>Weight</th><th>Admin</th><th>Active</th><th>Inactive</th>"
	       "<th>Packets in</th><th>Bytes in</th><th>Last check</th><th>Data path</th><th>ARP</th>"
	       "<th>Recent checks</th></tr></thead><tbody>\n");
	for (i = 0; i < d->n_rs; i++)
		for (j = 0; j < d->rs[i]->n_targets; j++) {
			const struct checkd_target *t = &d->rs[i]->targets[j];

			if (t->port == k->port && ipaddr_equal(&t->vip, &k->vip))
				row(p, d, d->rs[i], t, svc, now_ms, scratch, host[i]);
		}
	put(p, "</tbody></table></section>\n");
}

static void arp_section(struct pg *p, const struct checkd *d)
{
	char a[IPADDR_STRLEN], m[MAC_STRLEN];
	size_t i;

	if (!d->arp)
		return;
	put(p, "<section><h2>ARP/ND detector <span class=\"sum\">");
	if (!d->arp->open) {
		put(p, "not running: ");
		text(p, d->arp->err);
		put(p, "</span></h2></section>\n");
		return;
	}
	put(p, "on ");
	text(p, d->arp->det.ifname);
	put(p, ", %llu rounds</span></h2>", (unsigned long long)d->arp->rounds);
	if (!d->arp->n_found) {
		put(p, "<p class=\"ok\">No real server answers for or announces a VIP.</p></section>\n");
		return;
	}
	put(p, "<table><thead><tr><th>VIP</th><th>MAC</th><th>Real server</th><th>What</th></tr></thead><tbody>");
	for (i = 0; i < d->arp->n_found; i++) {
		const struct arp_claim *cl = &d->arp->found[i];

		put(p, "<tr class=\"down\"><td>%s</td><td>%s</td><td>", ipaddr_format(&cl->vip, a),
		    mac_format(cl->mac, m));
		if (cl->have_owner)
			put(p, "%s", ipaddr_format(&cl->owner, a));
		else
			put(p, "<span class=\"dim\">not a configured real server</span>");
		put(p, "</td><td class=\"bad\">%s</td></tr>",
		    cl->gratuitous ? "announces the VIP (gratuitous)" : "answers for the VIP");
	}
	put(p, "</tbody></table></section>\n");
}

int checkd_page_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs, int64_t now_ms,
		       struct buf *out)
{
	struct pg p = { .b = out, .err = 0 };
	struct svc_key *keys = NULL;
	struct facts *scratch = NULL, **host = NULL;
	size_t n = 0, cap = 0, i, j, down = 0, targets = 0;
	char err[64];

	for (i = 0; i < d->n_rs; i++)
		for (j = 0; j < d->rs[i]->n_targets; j++) {
			const struct checkd_target *t = &d->rs[i]->targets[j];

			targets++;
			down += t->sm.state == CHECK_STATE_DOWN;
			if (n == cap) {
				struct svc_key *k2 = realloc(keys, (cap ? cap * 2 : 16) * sizeof(*keys));

				if (!k2) {
					p.err = -ENOMEM;
					goto out;
				}
				keys = k2;
				cap = cap ? cap * 2 : 16;
			}
			keys[n].vip = t->vip;
			keys[n].port = t->port;
			n++;
		}
	if (n)
		qsort(keys, n, sizeof(*keys), key_cmp);
	/* the host facts of each real server (name, agent version, admin
	 * reason) come from its last document: parsed once per page */
	host = calloc(d->n_rs ? d->n_rs : 1, sizeof(*host));
	scratch = malloc(sizeof(*scratch));
	if (!host || !scratch) {
		p.err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < d->n_rs; i++) {
		if (!d->rs[i]->doc_valid)
			continue;
		host[i] = malloc(sizeof(**host));
		if (!host[i]) {
			p.err = -ENOMEM;
			goto out;
		}
		if (status_parse(d->rs[i]->doc, d->rs[i]->doc_len, host[i], err, sizeof(err)) < 0) {
			free(host[i]);
			host[i] = NULL;
		}
	}

	put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"refresh\" content=\"%d\">"
		"<meta name=\"viewport\" content=\"width=device-width\">"
		"<title>dsr-checkd: %zu of %zu down</title><style>%s</style></head><body>\n",
	    CHECKD_PAGE_REFRESH_S, down, targets, style);
	put(&p, "<header><h1>dsr-checkd</h1><p class=\"meta\">version %s, up ", DSRKIT_VERSION);
	duration(&p, now_ms - d->stats.started_ms);
	put(&p, ", %s, every %u ms, rise %u fall %u; <a href=\"/status\">/status</a> "
		"<a href=\"/metrics\">/metrics</a></p></header>\n<main id=\"main\">\n",
	    d->conf.standalone ? "drives IPVS (standalone)" : "track files and socket",
	    (unsigned)d->params.interval_ms, (unsigned)d->params.rise, (unsigned)d->params.fall);
	put(&p, "<p class=\"meta\" id=\"summary\">%zu real servers, %zu targets, ", d->n_rs, targets);
	if (down)
		put(&p, "<span class=\"bad\">%zu down</span>", down);
	else
		put(&p, "<span class=\"ok\">none down</span>");
	if (ipvs && !ipvs->ok) {
		put(&p, "; IPVS not read: ");
		text(&p, ipvs->err);
	}
	put(&p, "</p>\n");
	for (i = 0; i < n; i++) {
		if (i && !key_cmp(&keys[i - 1], &keys[i]))
			continue;
		service(&p, d, &keys[i], ipvs, now_ms, scratch, host);
	}
	if (!n)
		put(&p, "<p class=\"dim\">No real server configured.</p>\n");
	arp_section(&p, d);
	put(&p, "</main>\n<script>");
	put(&p, "%s%d000);})();", script, CHECKD_PAGE_REFRESH_S);
	put(&p, "</script>\n</body></html>\n");
out:
	if (host)
		for (i = 0; i < d->n_rs; i++)
			free(host[i]);
	free(host);
	free(scratch);
	free(keys);
	return p.err;
}
