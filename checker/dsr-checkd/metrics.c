/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_metrics.c - /metrics and /status rendering; see checkd_metrics.h.
 *
 * The text format wants every sample of a family together under one HELP
 * and TYPE, so each family is a pass over the table. */
#include "checker/dsr-checkd/metrics.h"
#include "checker/dsr-checkd/arp.h"
#include "checker/dsr-checkd/datapath.h"
#include "checker/dsr-checkd/failsafe.h"
#include "checker/dsr-checkd/http.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-proto/facts.h"
#include "agent-proto/jsonw.h"
#include "agent-proto/rules.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"

struct out {
	struct buf *b;
	int err;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->err)
		return;
	va_start(ap, fmt);
	r = buf_vappendf(o->b, fmt, ap);
	va_end(ap);
	if (r < 0)
		o->err = r;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the text format requires (\\, \", \n). */
static void put_label_value(struct out *o, const char *s)
{
	char tmp[2 * VERDICT_REASON_MAX + 1];
	size_t n = 0;

	for (; *s && n + 2 < sizeof(tmp); s++) {
		if (*s == '\\' || *s == '"') {
			tmp[n++] = '\\';
			tmp[n++] = *s;
		} else if (*s == '\n') {
			tmp[n++] = '\\';
			tmp[n++] = 'n';
		} else {
			tmp[n++] = *s;
		}
	}
	tmp[n] = '\0';
	put(o, "%s", tmp);
}

static void rs_labels(struct out *o, const struct checkd_rs *rs)
{
	put(o, "{real_server=\"%s\",agent_port=\"%u\"", rs->name, rs->agent_port);
}

static void target_labels(struct out *o, const struct checkd_rs *rs, const struct checkd_target *t)
{
	char vip[IPADDR_STRLEN];

	put(o, "{real_server=\"%s\",agent_port=\"%u\",vip=\"%s\",port=\"%u\"", rs->name, rs->agent_port,
	    ipaddr_format(&t->vip, vip), t->port);
}

static const char *proto_name(uint16_t p)
{
	return p == IPPROTO_TCP ? "TCP" : p == IPPROTO_UDP ? "UDP" : p == IPPROTO_SCTP ? "SCTP" : "";
}

static void svc_labels(struct out *o, const struct checkd_ipvs_svc *s)
{
	char a[IPADDR_STRLEN];

	if (s->fwmark)
		put(o, "{local_address=\"\",local_port=\"0\",local_mark=\"%u\",proto=\"\"", s->fwmark);
	else
		put(o, "{local_address=\"%s\",local_port=\"%u\",local_mark=\"\",proto=\"%s\"", ipaddr_format(&s->vip, a),
		    s->port, proto_name(s->protocol));
}

static void dest_labels(struct out *o, const struct checkd_ipvs_svc *s, const struct checkd_ipvs_dest *dst)
{
	char a[IPADDR_STRLEN];

	svc_labels(o, s);
	put(o, ",remote_address=\"%s\",remote_port=\"%u\"", ipaddr_format(&dst->addr, a), dst->port);
}

static double secs(int64_t ms)
{
	return (double)ms / 1000.0;
}

enum rs_num { RS_AGE, RS_DURATION, RS_CHECKS, RS_FAILURES, RS_HANDSHAKES, RS_RESUMED };

static void rs_family(struct out *o, const struct checkd *d, int64_t now_ms, const char *name, const char *type,
		      const char *help, enum rs_num what)
{
	size_t i;

	family(o, name, type, help);
	for (i = 0; i < d->n_rs; i++) {
		const struct checkd_rs *rs = d->rs[i];

		if ((what == RS_AGE || what == RS_DURATION) && rs->last_done_ms < 0)
			continue;
		put(o, "%s", name);
		rs_labels(o, rs);
		switch (what) {
		case RS_AGE: put(o, "} %.3f\n", secs(now_ms - rs->last_done_ms)); break;
		case RS_DURATION: put(o, "} %.3f\n", secs(rs->last_duration_ms)); break;
		case RS_CHECKS: put(o, "} %llu\n", (unsigned long long)rs->n_fetches); break;
		case RS_FAILURES: put(o, "} %llu\n", (unsigned long long)rs->n_fetch_failures); break;
		case RS_HANDSHAKES: put(o, "} %llu\n", (unsigned long long)rs->conn.handshakes); break;
		case RS_RESUMED: put(o, "} %llu\n", (unsigned long long)rs->conn.resumptions); break;
		}
	}
}

enum ipvs_num { IV_CONNS, IV_INPKTS, IV_OUTPKTS, IV_INBYTES, IV_OUTBYTES, IV_ACTIVE, IV_INACTIVE, IV_WEIGHT };

static uint64_t svc_num(const struct checkd_ipvs_svc *s, enum ipvs_num w)
{
	switch (w) {
	case IV_CONNS: return s->conns;
	case IV_INPKTS: return s->inpkts;
	case IV_OUTPKTS: return s->outpkts;
	case IV_INBYTES: return s->inbytes;
	case IV_OUTBYTES: return s->outbytes;
	default: return 0;
	}
}

static int64_t dest_num(const struct checkd_ipvs_dest *x, enum ipvs_num w)
{
	switch (w) {
	case IV_CONNS: return (int64_t)x->conns;
	case IV_INPKTS: return (int64_t)x->inpkts;
	case IV_OUTPKTS: return (int64_t)x->outpkts;
	case IV_INBYTES: return (int64_t)x->inbytes;
	case IV_OUTBYTES: return (int64_t)x->outbytes;
	case IV_ACTIVE: return x->active;
	case IV_INACTIVE: return x->inactive;
	case IV_WEIGHT: return x->weight;
	}
	return 0;
}

static const struct {
	const char *suffix, *help;
	enum ipvs_num what;
} ipvs_counters[] = {
	{ "connections_total", "Connections scheduled.", IV_CONNS },
	{ "incoming_packets_total", "Packets from clients.", IV_INPKTS },
	{ "outgoing_packets_total", "Packets to clients through the director (0 in DR: replies go direct).", IV_OUTPKTS },
	{ "incoming_bytes_total", "Bytes from clients.", IV_INBYTES },
	{ "outgoing_bytes_total", "Bytes to clients through the director (0 in DR).", IV_OUTBYTES },
};

static void render_ipvs(struct out *o, const struct checkd_ipvs_snapshot *ip)
{
	char name[96];
	size_t i, k, c;

	family(o, "dsrkit_ipvs_up", "gauge", "1 when the last read of the IPVS table over netlink worked.");
	put(o, "dsrkit_ipvs_up %d\n", ip && ip->ok);
	if (!ip || !ip->ok)
		return;
	for (c = 0; c < sizeof(ipvs_counters) / sizeof(ipvs_counters[0]); c++) {
		snprintf(name, sizeof(name), "dsrkit_ipvs_service_%s", ipvs_counters[c].suffix);
		family(o, name, "counter", ipvs_counters[c].help);
		for (i = 0; i < ip->n_svc; i++) {
			put(o, "%s", name);
			svc_labels(o, &ip->svc[i]);
			put(o, "} %llu\n", (unsigned long long)svc_num(&ip->svc[i], ipvs_counters[c].what));
		}
	}
	for (c = 0; c < sizeof(ipvs_counters) / sizeof(ipvs_counters[0]); c++) {
		snprintf(name, sizeof(name), "dsrkit_ipvs_backend_%s", ipvs_counters[c].suffix);
		family(o, name, "counter", ipvs_counters[c].help);
		for (i = 0; i < ip->n_svc; i++)
			for (k = 0; k < ip->svc[i].n_dests; k++) {
				put(o, "%s", name);
				dest_labels(o, &ip->svc[i], &ip->svc[i].dests[k]);
				put(o, "} %lld\n", (long long)dest_num(&ip->svc[i].dests[k], ipvs_counters[c].what));
			}
	}
	{
		static const struct {
			const char *name, *help;
			enum ipvs_num what;
		} g[] = {
			{ "dsrkit_ipvs_backend_connections_active", "Active (established) connections.", IV_ACTIVE },
			{ "dsrkit_ipvs_backend_connections_inactive", "Inactive connections.", IV_INACTIVE },
			{ "dsrkit_ipvs_backend_weight", "Weight of the destination (0: drained).", IV_WEIGHT },
		};

		for (c = 0; c < sizeof(g) / sizeof(g[0]); c++) {
			family(o, g[c].name, "gauge", g[c].help);
			for (i = 0; i < ip->n_svc; i++)
				for (k = 0; k < ip->svc[i].n_dests; k++) {
					put(o, "%s", g[c].name);
					dest_labels(o, &ip->svc[i], &ip->svc[i].dests[k]);
					put(o, "} %lld\n", (long long)dest_num(&ip->svc[i].dests[k], g[c].what));
				}
		}
	}
}

static void render_failing(struct out *o, const struct checkd_rs *rs, const struct checkd_target *t)
{
	const struct verdict *v = &t->j.verdict;
	unsigned c;

	if (verdict_is_ok(v))
		return;
	if (!t->j.failing) {
		put(o, "dsrkit_checkd_target_failing");
		target_labels(o, rs, t);
		put(o, ",layer=\"%s\",code=\"", check_layer_name(v->layer));
		put_label_value(o, v->code);
		put(o, "\"} 1\n");
		return;
	}
	for (c = 0; c < FINDING_COUNT; c++) {
		if (!(t->j.failing & (1u << c)))
			continue;
		put(o, "dsrkit_checkd_target_failing");
		target_labels(o, rs, t);
		put(o, ",layer=\"%s\",code=\"%s\"} 1\n",
		    finding_table[c].layer == FINDING_LAYER_ADMIN ? "admin" : "facts", finding_code_name((enum finding_code)c));
	}
}

int checkd_metrics_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs,
			  const struct checkd_process *proc, int64_t now_ms, struct buf *out)
{
	struct out o = { out, 0 };
	size_t i, k, n_targets = 0;
	int s;

	family(&o, "dsrkit_checkd_build_info", "gauge", "dsr-checkd's version.");
	put(&o, "dsrkit_checkd_build_info{version=\"%s\"} 1\n", DSRKIT_VERSION);

	family(&o, "dsrkit_checkd_real_server_up", "gauge",
	       "1 when every VIP and port the real server carries is up (rise/fall applied).");
	for (i = 0; i < d->n_rs; i++) {
		put(&o, "dsrkit_checkd_real_server_up");
		rs_labels(&o, d->rs[i]);
		put(&o, "} %d\n", checkd_rs_up(d->rs[i]));
		n_targets += d->rs[i]->n_targets;
	}
	family(&o, "dsrkit_checkd_target_up", "gauge", "1 when the real server is a correct DR real server for this VIP and port.");
	for (i = 0; i < d->n_rs; i++)
		for (k = 0; k < d->rs[i]->n_targets; k++) {
			put(&o, "dsrkit_checkd_target_up");
			target_labels(&o, d->rs[i], &d->rs[i]->targets[k]);
			put(&o, "} %d\n", d->rs[i]->targets[k].sm.state == CHECK_STATE_UP);
		}
	family(&o, "dsrkit_checkd_target_state", "gauge", "The check state (init, up, down): 1 for the current one.");
	for (i = 0; i < d->n_rs; i++)
		for (k = 0; k < d->rs[i]->n_targets; k++)
			for (s = 0; s < CHECK_STATE_COUNT; s++) {
				put(&o, "dsrkit_checkd_target_state");
				target_labels(&o, d->rs[i], &d->rs[i]->targets[k]);
				put(&o, ",state=\"%s\"} %d\n", check_state_name((enum check_state)s),
				    d->rs[i]->targets[k].sm.state == (enum check_state)s);
			}
	family(&o, "dsrkit_checkd_target_failing", "gauge",
	       "1 for each failing finding code (or the failing layer's code) of the last check.");
	for (i = 0; i < d->n_rs; i++)
		for (k = 0; k < d->rs[i]->n_targets; k++)
			render_failing(&o, d->rs[i], &d->rs[i]->targets[k]);

	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_last_check_age_seconds", "gauge",
		  "Seconds since the last check of the real server finished.", RS_AGE);
	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_last_check_duration_seconds", "gauge",
		  "How long the last check took.", RS_DURATION);
	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_checks_total", "counter", "Status fetches made.", RS_CHECKS);
	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_check_failures_total", "counter",
		  "Status fetches that failed (connect, TLS, HTTP, protocol).", RS_FAILURES);
	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_tls_handshakes_total", "counter",
		  "TLS handshakes (full or resumed); steady state adds none: connections are kept alive.",
		  RS_HANDSHAKES);
	rs_family(&o, d, now_ms, "dsrkit_checkd_real_server_tls_resumptions_total", "counter",
		  "TLS handshakes that resumed the previous session (a ticket instead of a full handshake).",
		  RS_RESUMED);

	family(&o, "dsrkit_checkd_real_server_weight_hint", "gauge", "The agent's load-based weight hint, 0-100.");
	for (i = 0; i < d->n_rs; i++) {
		if (d->rs[i]->weight_hint < 0)
			continue;
		put(&o, "dsrkit_checkd_real_server_weight_hint");
		rs_labels(&o, d->rs[i]);
		put(&o, "} %d\n", d->rs[i]->weight_hint);
	}
	family(&o, "dsrkit_checkd_real_server_admin_state", "gauge",
	       "The administrative state set on the real server (up, drain, maint): 1 for the current one.");
	for (i = 0; i < d->n_rs; i++)
		for (s = 0; s < ADMIN_STATE_COUNT; s++) {
			put(&o, "dsrkit_checkd_real_server_admin_state");
			rs_labels(&o, d->rs[i]);
			put(&o, ",state=\"%s\"} %d\n", admin_state_name((enum admin_state)s),
			    d->rs[i]->admin == (enum admin_state)s);
		}

	if (d->dp) {
		family(&o, "dsrkit_checkd_datapath_up", "gauge",
		       "1 when the last probe through the VIP (IPVS to this real server only) passed.");
		for (i = 0; i < d->n_rs; i++)
			for (k = 0; k < d->rs[i]->n_targets; k++) {
				const struct checkd_dp_target *p = d->rs[i]->targets[k].dp;

				if (!p || !p->have)
					continue;
				put(&o, "dsrkit_checkd_datapath_up");
				target_labels(&o, d->rs[i], &d->rs[i]->targets[k]);
				put(&o, ",code=\"");
				put_label_value(&o, p->last.code);
				put(&o, "\"} %d\n", verdict_is_ok(&p->last));
			}
		family(&o, "dsrkit_checkd_datapath_last_duration_seconds", "gauge", "How long the last data-path probe took.");
		for (i = 0; i < d->n_rs; i++)
			for (k = 0; k < d->rs[i]->n_targets; k++) {
				const struct checkd_dp_target *p = d->rs[i]->targets[k].dp;

				if (!p || !p->have)
					continue;
				put(&o, "dsrkit_checkd_datapath_last_duration_seconds");
				target_labels(&o, d->rs[i], &d->rs[i]->targets[k]);
				put(&o, "} %.3f\n", secs(p->last_duration_ms));
			}
		family(&o, "dsrkit_checkd_datapath_probes_total", "counter", "Data-path probes made.");
		for (i = 0; i < d->n_rs; i++)
			for (k = 0; k < d->rs[i]->n_targets; k++) {
				const struct checkd_dp_target *p = d->rs[i]->targets[k].dp;

				if (!p)
					continue;
				put(&o, "dsrkit_checkd_datapath_probes_total");
				target_labels(&o, d->rs[i], &d->rs[i]->targets[k]);
				put(&o, "} %llu\n", (unsigned long long)p->n_probes);
			}
	}
	if (d->arp) {
		family(&o, "dsrkit_checkd_arp_problem", "gauge",
		       "1 for each foreign MAC that claimed a VIP (ARP or ND) in the last round: the ARP problem.");
		for (i = 0; i < d->arp->n_found; i++) {
			const struct arp_claim *c = &d->arp->found[i];
			char v[IPADDR_STRLEN], m[MAC_STRLEN], a[IPADDR_STRLEN];

			put(&o, "dsrkit_checkd_arp_problem{vip=\"%s\",mac=\"%s\",server=\"%s\"} 1\n", ipaddr_format(&c->vip, v),
			    mac_format(c->mac, m), c->have_owner ? ipaddr_format(&c->owner, a) : "");
		}
		family(&o, "dsrkit_checkd_arp_rounds_total", "counter", "ARP-problem detector rounds completed.");
		put(&o, "dsrkit_checkd_arp_rounds_total %llu\n", (unsigned long long)d->arp->rounds);
		family(&o, "dsrkit_checkd_arp_running", "gauge", "1 when the ARP-problem detector runs.");
		put(&o, "dsrkit_checkd_arp_running %d\n", d->arp->open);
	}

	if (d->conf.failsafe_pct) {
		char name[IPADDR_STRLEN + 16];

		family(&o, "dsrkit_checkd_failsafe_active", "gauge",
		       "1 while the fail-safe holds the service's unreachable real servers at their weights "
		       "(more than failsafe_threshold of them unreachable at once: the director's own fault).");
		for (i = 0; i < d->n_failsafe && i < d->conf.n_svc; i++) {
			if (d->failsafe[i].fwmark)
				continue;
			checkd_failsafe_svc_name(&d->failsafe[i], name, sizeof(name));
			put(&o, "dsrkit_checkd_failsafe_active{service=\"%s\",protocol=\"%s\"} %d\n", name,
			    proto_name(d->failsafe[i].protocol), d->failsafe[i].active);
		}
		family(&o, "dsrkit_checkd_failsafe_unreachable", "gauge",
		       "Real servers of the service failing at the connection level (timeouts, unreachable).");
		for (i = 0; i < d->n_failsafe && i < d->conf.n_svc; i++) {
			if (d->failsafe[i].fwmark)
				continue;
			checkd_failsafe_svc_name(&d->failsafe[i], name, sizeof(name));
			put(&o, "dsrkit_checkd_failsafe_unreachable{service=\"%s\",protocol=\"%s\"} %u\n", name,
			    proto_name(d->failsafe[i].protocol), d->failsafe[i].n_unreachable);
		}
		family(&o, "dsrkit_checkd_failsafe_engaged_total", "counter", "Times the fail-safe engaged for the service.");
		for (i = 0; i < d->n_failsafe && i < d->conf.n_svc; i++) {
			if (d->failsafe[i].fwmark)
				continue;
			checkd_failsafe_svc_name(&d->failsafe[i], name, sizeof(name));
			put(&o, "dsrkit_checkd_failsafe_engaged_total{service=\"%s\",protocol=\"%s\"} %llu\n", name,
			    proto_name(d->failsafe[i].protocol), (unsigned long long)d->failsafe[i].n_engaged);
		}
	}

	render_ipvs(&o, ipvs);

	family(&o, "dsrkit_checkd_real_servers", "gauge", "Real servers checked.");
	put(&o, "dsrkit_checkd_real_servers %zu\n", d->n_rs);
	family(&o, "dsrkit_checkd_targets", "gauge", "VIP and port pairs judged.");
	put(&o, "dsrkit_checkd_targets %zu\n", n_targets);
	family(&o, "dsrkit_checkd_checks_in_flight", "gauge", "Status fetches running now.");
	put(&o, "dsrkit_checkd_checks_in_flight %zu\n", checkd_rs_in_flight(d));
	family(&o, "dsrkit_checkd_loop_lag_seconds", "gauge",
	       "Worst lateness of a timer of the event loop since the last scrape (a busy or blocked loop).");
	put(&o, "dsrkit_checkd_loop_lag_seconds %.3f\n", secs(d->loop.max_lag_ms));
	family(&o, "dsrkit_checkd_config_reloads_total", "counter", "Configuration reloads (SIGHUP).");
	put(&o, "dsrkit_checkd_config_reloads_total %llu\n", (unsigned long long)d->stats.reloads);
	family(&o, "dsrkit_checkd_config_reload_failures_total", "counter", "Reloads refused (the old configuration stays).");
	put(&o, "dsrkit_checkd_config_reload_failures_total %llu\n", (unsigned long long)d->stats.reload_failures);
	family(&o, "dsrkit_checkd_config_last_reload_success", "gauge", "1 when the last configuration load worked.");
	put(&o, "dsrkit_checkd_config_last_reload_success %d\n", d->stats.last_reload_ok);
	family(&o, "dsrkit_checkd_state_transitions_total", "counter", "Targets that went up or down.");
	put(&o, "dsrkit_checkd_state_transitions_total %llu\n", (unsigned long long)d->stats.transitions);
	family(&o, "dsrkit_checkd_ipvs_applies_total", "counter", "Standalone mode: IPVS changes applied.");
	put(&o, "dsrkit_checkd_ipvs_applies_total %llu\n", (unsigned long long)d->stats.ipvs_applies);
	family(&o, "dsrkit_checkd_ipvs_apply_failures_total", "counter", "Standalone mode: IPVS changes that failed.");
	put(&o, "dsrkit_checkd_ipvs_apply_failures_total %llu\n", (unsigned long long)d->stats.ipvs_apply_failures);
	{
		uint64_t ev, rf;

		uint64_t tf, af;

		checkd_http_counts(d, &ev, &rf);
		checkd_http_auth_counts(d, &tf, &af);
		family(&o, "dsrkit_checkd_http_requests_total", "counter", "Requests to the status endpoint.");
		put(&o, "dsrkit_checkd_http_requests_total %llu\n", (unsigned long long)d->stats.http_requests);
		family(&o, "dsrkit_checkd_http_connections_evicted_total", "counter",
		       "Idle status-endpoint connections closed to make room for a newcomer.");
		put(&o, "dsrkit_checkd_http_connections_evicted_total %llu\n", (unsigned long long)ev);
		family(&o, "dsrkit_checkd_http_connections_refused_total", "counter",
		       "Status-endpoint connections refused (no room, nothing idle to close).");
		put(&o, "dsrkit_checkd_http_connections_refused_total %llu\n", (unsigned long long)rf);
		family(&o, "dsrkit_checkd_http_tls_handshake_failures_total", "counter",
		       "Status-endpoint TLS handshakes that failed (web_config_file with TLS).");
		put(&o, "dsrkit_checkd_http_tls_handshake_failures_total %llu\n", (unsigned long long)tf);
		family(&o, "dsrkit_checkd_http_auth_failures_total", "counter",
		       "Status-endpoint requests refused for their user and password (401, 429).");
		put(&o, "dsrkit_checkd_http_auth_failures_total %llu\n", (unsigned long long)af);
	}
	if (proc) {
		family(&o, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
		put(&o, "process_cpu_seconds_total %.2f\n", proc->cpu_seconds);
		family(&o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
		put(&o, "process_resident_memory_bytes %llu\n", (unsigned long long)proc->rss_bytes);
		family(&o, "process_open_fds", "gauge", "Number of open file descriptors.");
		put(&o, "process_open_fds %llu\n", (unsigned long long)proc->open_fds);
		family(&o, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
		put(&o, "process_start_time_seconds %lld\n", (long long)proc->start_unix);
	}
	return o.err;
}

int checkd_process_read(struct checkd_process *p)
{
	char buf[1024], *s;
	unsigned long utime, stime;
	long rss, hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	FILE *f;
	DIR *dir;
	struct dirent *de;
	size_t n;

	f = fopen("/proc/self/stat", "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command name in parentheses: state is field 3, utime 14, stime 15, rss 24 */
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
			 &utime, &stime, &rss) != 3)
		return -EINVAL;
	p->cpu_seconds = (double)(utime + stime) / (double)(hz > 0 ? hz : 100);
	p->rss_bytes = (uint64_t)rss * (uint64_t)(page > 0 ? page : 4096);
	p->open_fds = 0;
	dir = opendir("/proc/self/fd");
	if (dir) {
		while ((de = readdir(dir)))
			p->open_fds += de->d_name[0] != '.';
		closedir(dir);
	}
	return 0;
}

/* ---- /status ---- */

static void json_verdict(struct jsonw *w, const char *key, const struct verdict *v)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_kv_string(w, "layer", check_layer_name(v->layer));
	jsonw_kv_string(w, "code", v->code);
	jsonw_kv_string(w, "reason", v->reason);
	jsonw_object_end(w);
}

int checkd_status_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs, int64_t now_ms,
			 struct buf *out)
{
	struct jsonw w;
	size_t i, k, m;
	char a[IPADDR_STRLEN];
	unsigned c;

	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "schema", "dsrkit-checkd-status");
	jsonw_kv_int(&w, "version", 1);
	jsonw_kv_string(&w, "checkd_version", DSRKIT_VERSION);
	jsonw_kv_int(&w, "uptime_ms", now_ms - d->stats.started_ms);
	jsonw_kv_bool(&w, "standalone", d->conf.standalone);
	jsonw_key(&w, "params");
	jsonw_object_begin(&w);
	jsonw_kv_int(&w, "interval_ms", d->params.interval_ms);
	jsonw_kv_int(&w, "timeout_ms", d->params.timeout_ms);
	jsonw_kv_int(&w, "retry_ms", d->params.retry_ms ? d->params.retry_ms : d->params.interval_ms);
	jsonw_kv_int(&w, "rise", d->params.rise);
	jsonw_kv_int(&w, "fall", d->params.fall);
	jsonw_object_end(&w);
	jsonw_kv_bool(&w, "last_reload_ok", d->stats.last_reload_ok);
	jsonw_key(&w, "real_servers");
	jsonw_array_begin(&w);
	for (i = 0; i < d->n_rs; i++) {
		const struct checkd_rs *rs = d->rs[i];

		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "address", rs->name);
		jsonw_kv_int(&w, "agent_port", rs->agent_port);
		jsonw_kv_bool(&w, "up", checkd_rs_up(rs));
		jsonw_kv_string(&w, "admin", admin_state_name(rs->admin));
		jsonw_kv_int_or_null(&w, "weight_hint", rs->weight_hint);
		if (rs->last_done_ms >= 0) {
			jsonw_kv_int(&w, "last_check_age_ms", now_ms - rs->last_done_ms);
			jsonw_kv_int(&w, "last_check_duration_ms", rs->last_duration_ms);
		} else {
			jsonw_key(&w, "last_check_age_ms");
			jsonw_null(&w);
		}
		jsonw_kv_int(&w, "checks", (int64_t)rs->n_fetches);
		jsonw_kv_int(&w, "check_failures", (int64_t)rs->n_fetch_failures);
		jsonw_kv_int(&w, "tls_handshakes", rs->conn.handshakes);
		jsonw_kv_int(&w, "tls_resumed", rs->conn.resumptions);
		jsonw_kv_bool(&w, "connected", rs->conn.fd >= 0);
		json_verdict(&w, "fetch", &rs->fetch);
		jsonw_key(&w, "targets");
		jsonw_array_begin(&w);
		for (k = 0; k < rs->n_targets; k++) {
			const struct checkd_target *t = &rs->targets[k];

			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "vip", ipaddr_format(&t->vip, a));
			jsonw_kv_int(&w, "port", t->port);
			jsonw_kv_string(&w, "state", check_state_name(t->sm.state));
			jsonw_kv_int(&w, "health", t->sm.health);
			jsonw_kv_bool(&w, "failsafe_held", t->failsafe_held);
			json_verdict(&w, "last", &t->sm.last);
			if (t->sm.state == CHECK_STATE_DOWN)
				json_verdict(&w, "cause", &t->sm.cause);
			if (t->dp && t->dp->have) {
				jsonw_key(&w, "datapath");
				jsonw_object_begin(&w);
				jsonw_kv_bool(&w, "up", verdict_is_ok(&t->dp->last));
				json_verdict(&w, "last", &t->dp->last);
				jsonw_kv_int(&w, "last_duration_ms", t->dp->last_duration_ms);
				jsonw_kv_int(&w, "probes", (int64_t)t->dp->n_probes);
				jsonw_kv_int(&w, "failures", (int64_t)t->dp->n_failures);
				jsonw_object_end(&w);
			}
			jsonw_key(&w, "failing");
			jsonw_array_begin(&w);
			for (c = 0; c < FINDING_COUNT; c++)
				if (t->j.failing & (1u << c))
					jsonw_string(&w, finding_code_name((enum finding_code)c));
			jsonw_array_end(&w);
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_key(&w, "failsafe");
	jsonw_object_begin(&w);
	jsonw_kv_bool(&w, "enabled", d->conf.failsafe_pct != 0);
	jsonw_kv_int(&w, "threshold_pct", d->conf.failsafe_pct);
	for (m = k = 0; k < d->n_failsafe && k < d->conf.n_svc; k++)
		m += d->failsafe[k].active != 0;
	jsonw_kv_int(&w, "active_services", (int64_t)m);
	jsonw_key(&w, "services");
	jsonw_array_begin(&w);
	for (k = 0; d->conf.failsafe_pct && k < d->n_failsafe && k < d->conf.n_svc; k++) {
		const struct checkd_failsafe_svc *f = &d->failsafe[k];
		char name[IPADDR_STRLEN + 16];

		if (f->fwmark)
			continue;
		checkd_failsafe_svc_name(f, name, sizeof(name));
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "service", name);
		jsonw_kv_string(&w, "protocol", proto_name(f->protocol));
		jsonw_kv_bool(&w, "active", f->active);
		jsonw_kv_int(&w, "real_servers", f->n_rs);
		jsonw_kv_int(&w, "unreachable", f->n_unreachable);
		if (f->active) {
			jsonw_kv_int(&w, "active_for_ms", now_ms - f->since_ms);
			jsonw_kv_string(&w, "reason", "more than failsafe_threshold of the real servers unreachable at "
				       "the connection level at once: the director's own network is the likely fault; "
				       "their weights are kept");
		}
		jsonw_kv_int(&w, "engaged", (int64_t)f->n_engaged);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "arp");
	if (!d->arp) {
		jsonw_null(&w);
	} else {
		jsonw_object_begin(&w);
		jsonw_kv_bool(&w, "running", d->arp->open);
		if (!d->arp->open)
			jsonw_kv_string(&w, "error", d->arp->err);
		jsonw_kv_string(&w, "iface", d->arp->open ? d->arp->det.ifname : "");
		jsonw_kv_int(&w, "rounds", (int64_t)d->arp->rounds);
		jsonw_key(&w, "findings");
		jsonw_array_begin(&w);
		for (k = 0; k < d->arp->n_found; k++) {
			const struct arp_claim *cl = &d->arp->found[k];
			char macs[MAC_STRLEN];

			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "code", "ARP_PROBLEM");
			jsonw_kv_string(&w, "vip", ipaddr_format(&cl->vip, a));
			jsonw_kv_string(&w, "mac", mac_format(cl->mac, macs));
			jsonw_key(&w, "server");
			if (cl->have_owner)
				jsonw_string(&w, ipaddr_format(&cl->owner, a));
			else
				jsonw_null(&w);
			jsonw_kv_string(&w, "reason", cl->gratuitous ? "announces the VIP (gratuitous)" : "answers for the VIP");
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_key(&w, "ipvs");
	if (!ipvs) {
		jsonw_null(&w);
	} else {
		jsonw_object_begin(&w);
		jsonw_kv_bool(&w, "ok", ipvs->ok);
		if (!ipvs->ok)
			jsonw_kv_string(&w, "error", ipvs->err);
		jsonw_key(&w, "services");
		jsonw_array_begin(&w);
		for (i = 0; ipvs->ok && i < ipvs->n_svc; i++) {
			const struct checkd_ipvs_svc *s = &ipvs->svc[i];

			jsonw_object_begin(&w);
			if (s->fwmark)
				jsonw_kv_int(&w, "fwmark", s->fwmark);
			else {
				jsonw_kv_string(&w, "address", ipaddr_format(&s->vip, a));
				jsonw_kv_int(&w, "port", s->port);
				jsonw_kv_string(&w, "protocol", proto_name(s->protocol));
			}
			jsonw_kv_int(&w, "connections", (int64_t)s->conns);
			jsonw_kv_int(&w, "incoming_packets", (int64_t)s->inpkts);
			jsonw_kv_int(&w, "incoming_bytes", (int64_t)s->inbytes);
			jsonw_key(&w, "destinations");
			jsonw_array_begin(&w);
			for (m = 0; m < s->n_dests; m++) {
				const struct checkd_ipvs_dest *x = &s->dests[m];

				jsonw_object_begin(&w);
				jsonw_kv_string(&w, "address", ipaddr_format(&x->addr, a));
				jsonw_kv_int(&w, "port", x->port);
				jsonw_kv_int(&w, "weight", x->weight);
				jsonw_kv_int(&w, "active", x->active);
				jsonw_kv_int(&w, "inactive", x->inactive);
				jsonw_kv_int(&w, "connections", (int64_t)x->conns);
				jsonw_object_end(&w);
			}
			jsonw_array_end(&w);
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}
