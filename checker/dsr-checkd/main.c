/* SPDX-License-Identifier: Apache-2.0 */
/* dsr-checkd - checks every DR real server once per interval over one
 * kept-alive mutual-TLS connection each, shares the verdict across every
 * VIP and port the server carries, and publishes it: /metrics and /status
 * over HTTP, a unix socket for `dsr-check --daemon`, keepalived track files,
 * and (standalone mode) the IPVS weights themselves.  See dsr-checkd(8). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent-proto/facts.h"
#include "bounded/textesc.h"
#include "checker/dsr-checkd/checkd-t.h"
#include "checker/dsr-checkd/announce.h"
#include "checker/dsr-checkd/arp.h"
#include "checker/dsr-checkd/datapath.h"
#include "checker/dsr-checkd/failsafe.h"
#include "checker/dsr-checkd/director.h"
#include "checker/dsr-checkd/ha.h"
#include "checker/dsr-checkd/http.h"
#include "checker/dsr-checkd/ipvs.h"
#include "checker/dsr-checkd/metrics.h"
#include "checker/dsr-checkd/page.h"
#include "checker/dsr-checkd/notify.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/sock.h"
#include "checker/lib/verdict.h"

#define CHECKD_CONF_DEFAULT_PATH "/etc/dsrkit/checkd.conf"

struct options {
	const char *config;          /* own file */
	const char *keepalived;      /* keepalived.conf */
	const char *dsrkit_conf;
	const char *listen, *socket, *track_dir;
	int standalone;
	int test_config;
	int verbose;
};

static struct options opt;
static struct checkd daemon_state;
static struct loop_io sig_io;
static struct loop_timer reload_timer, watchdog_timer;
static uint64_t watchdog_ms;
static int reload_pending;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dsr-checkd [options]\n"
		"\n"
		"Checks every DR real server of its configuration once per interval (mutual\n"
		"TLS to each dsr-agent, connections kept alive) and publishes the verdicts.\n"
		"\n"
		"  -f, --config FILE       own configuration, keepalived syntax with a dsr_checkd\n"
		"                          block (default " CHECKD_CONF_DEFAULT_PATH ", optional with -k)\n"
		"  -k, --keepalived FILE   read the DR virtual_server blocks of this keepalived.conf\n"
		"      --dsrkit-conf FILE  TLS and agent defaults (default " DSRKIT_CONF_DEFAULT_PATH ")\n"
		"      --listen ADDR:PORT  status endpoint (default 127.0.0.1:9445; off)\n"
		"      --socket PATH       socket for dsr-check --daemon (default from dsrkit.conf; off)\n"
		"      --track-dir DIR     write keepalived track files (0 up, 1 down) into DIR\n"
		"      --standalone        own the IPVS services of the configuration (CAP_NET_ADMIN)\n"
		"  -t, --test-config       read the configuration, print a summary, exit 0 or 1\n"
		"  -v, --verbose           log every check, not only state changes\n"
		"  -h, --help  -V, --version\n"
		"\n"
		"SIGHUP reloads: real servers that stay keep their state and connection.\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "keepalived", required_argument, NULL, 'k' },
		{ "dsrkit-conf", required_argument, NULL, 'D' },
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "track-dir", required_argument, NULL, 'T' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "test-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:k:tvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': opt.config = optarg; break;
		case 'k': opt.keepalived = optarg; break;
		case 'D': opt.dsrkit_conf = optarg; break;
		case 'l': opt.listen = optarg; break;
		case 's': opt.socket = optarg; break;
		case 'T': opt.track_dir = optarg; break;
		case 'S': opt.standalone = 1; break;
		case 't': opt.test_config = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("dsr-checkd %s\n", DSRKIT_VERSION); exit(0);
		default: return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "dsr-checkd: unexpected argument '%s'\n", argv[optind]), -1;
	return 0;
}

/* Everything a (re)load produces; swapped in only when all of it worked. */
struct loaded {
	struct checkd_conf conf;
	struct dsrkit_conf dconf;
	struct check_params params;
	uint32_t agent_port;
};

static int load_all(struct loaded *L, char *err, size_t errlen)
{
	const char *own = opt.config;
	const char *ka;
	struct stat st;
	uint32_t min_loop = 0, max_retry = 0, min_dbr = 0;
	int have_retry = 0, r;
	size_t i, j;

	memset(L, 0, sizeof(*L));
	checkd_conf_init(&L->conf);
	if (!own && !opt.keepalived)
		own = CHECKD_CONF_DEFAULT_PATH;
	if (own && (opt.config || stat(own, &st) == 0)) {
		r = checkd_conf_load(&L->conf, own, err, errlen);
		if (r < 0)
			return r;
	}
	ka = opt.keepalived ? opt.keepalived : L->conf.keepalived_conf[0] ? L->conf.keepalived_conf : NULL;
	if (ka) {
		r = checkd_conf_load(&L->conf, ka, err, errlen);
		if (r < 0)
			return r;
	}
	r = checkd_conf_finish(&L->conf, err, errlen);
	if (r < 0)
		return r;
	if (opt.listen)
		snprintf(L->conf.listen, sizeof(L->conf.listen), "%s", strcmp(opt.listen, "off") ? opt.listen : "");
	if (opt.socket)
		snprintf(L->conf.socket_path, sizeof(L->conf.socket_path), "%s", opt.socket);
	if (opt.track_dir)
		snprintf(L->conf.track_dir, sizeof(L->conf.track_dir), "%s", opt.track_dir);
	if (opt.standalone)
		L->conf.standalone = 1;
	dsrkit_conf_defaults(&L->dconf);
	r = dsrkit_conf_load(&L->dconf, opt.dsrkit_conf ? opt.dsrkit_conf : DSRKIT_CONF_DEFAULT_PATH,
			     opt.dsrkit_conf != NULL, err, errlen);
	if (r < 0)
		return r;
	if (!L->conf.socket_path[0])
		snprintf(L->conf.socket_path, sizeof(L->conf.socket_path), "%s", L->dconf.daemon_socket);

	/* keepalived's own knobs stand in for ours where ours are not set */
	for (i = 0; i < L->conf.n_svc; i++) {
		const struct checkd_conf_svc *v = &L->conf.svc[i];

		if (v->delay_loop_ms && (!min_loop || v->delay_loop_ms < min_loop))
			min_loop = v->delay_loop_ms;
		for (j = 0; j < v->n_rs; j++) {
			if (v->rs[j].retry != UINT32_MAX) {
				have_retry = 1;
				if (v->rs[j].retry > max_retry)
					max_retry = v->rs[j].retry;
			}
			if (v->rs[j].delay_before_retry_ms && (!min_dbr || v->rs[j].delay_before_retry_ms < min_dbr))
				min_dbr = v->rs[j].delay_before_retry_ms;
		}
	}
	L->params.interval_ms = L->conf.interval_given || !min_loop ? L->conf.interval_ms : min_loop;
	L->params.timeout_ms = L->conf.timeout_given ? L->conf.timeout_ms : L->dconf.timeout_ms;
	L->params.retry_ms = L->conf.retry_ms ? L->conf.retry_ms : min_dbr;
	L->params.rise = L->conf.rise;
	L->params.fall = L->conf.fall_given || !have_retry ? L->conf.fall : max_retry + 1;
	L->agent_port = L->conf.agent_port ? L->conf.agent_port : L->dconf.agent_port;
	return 0;
}

/* What the TLS files were when the running context read them: a
 * certificate rotated in place (same path, new content, as certbot or an
 * ACME client does) is taken at the next SIGHUP too. */
static char tls_files_sig[3][96];

static void file_sig(const char *path, char *out, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%llu:%llu:%lld.%09ld", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void tls_files_note(const struct dsrkit_conf *c)
{
	file_sig(c->ca, tls_files_sig[0], sizeof(tls_files_sig[0]));
	file_sig(c->cert, tls_files_sig[1], sizeof(tls_files_sig[1]));
	file_sig(c->key, tls_files_sig[2], sizeof(tls_files_sig[2]));
}

static int tls_differs(const struct dsrkit_conf *a, const struct dsrkit_conf *b)
{
	char sig[96];

	if (strcmp(a->ca, b->ca) || strcmp(a->cert, b->cert) || strcmp(a->key, b->key) ||
	    strcmp(a->tls_crl, b->tls_crl) || a->tls_min != b->tls_min)
		return 1;
	file_sig(a->ca, sig, sizeof(sig));
	if (strcmp(sig, tls_files_sig[0]))
		return 1;
	file_sig(a->cert, sig, sizeof(sig));
	if (strcmp(sig, tls_files_sig[1]))
		return 1;
	file_sig(a->key, sig, sizeof(sig));
	return strcmp(sig, tls_files_sig[2]) != 0;
}

static void on_change(struct checkd *d, struct checkd_rs *rs, struct checkd_target *t)
{
	int key = ((int)t->sm.state << 16) | ((int)rs->admin << 8) | (rs->weight_hint & 0xff);

	if (d->conf.track_dir[0] && t->published_state != (int)t->sm.state && t->sm.state != CHECK_STATE_INIT) {
		int r = checkd_track_write(d->conf.track_dir, rs, t);

		if (r < 0)
			fprintf(stderr, "dsr-checkd: track file in %s: %s\n", d->conf.track_dir, strerror(-r));
		else
			t->published_state = (int)t->sm.state;
	}
	if (opt.verbose) {
		char vip[IPADDR_STRLEN], reason[TEXT_ESC_SIZE(sizeof(t->sm.last.reason))];
		char code[TEXT_ESC_SIZE(sizeof(t->sm.last.code))];

		/* agent text escaped (bounded/textesc.h) */
		fprintf(stderr, "check %s -> %s:%u: %s [%s] %s (%s) %ums\n", rs->name, ipaddr_format(&t->vip, vip), t->port,
			check_state_name(t->sm.state), check_layer_name(t->sm.last.layer),
			text_escape(t->sm.last.reason, reason, sizeof(reason)),
			text_escape(t->sm.last.code, code, sizeof(code)), rs->last_duration_ms);
	}
	if (t->published_key != key) {
		t->published_key = key;
		checkd_ipvs_mark_dirty(d);
		checkd_announce_mark_dirty(d);
	}
}

/* The director pair (ha.c): sync daemons, connection table, VIPs held. */
static int ha_metrics(const struct checkd *d, struct buf *body)
{
	struct checkd_ha h;

	checkd_ha_read(d, &h);
	return checkd_ha_metrics_render(&h, body);
}

static int ha_status(const struct checkd *d, struct buf *body)
{
	struct checkd_ha h;

	checkd_ha_read(d, &h);
	return checkd_ha_status_append(&h, body);
}

/* The IPVS table as /metrics and /status show it: read at most once a
 * second, whatever the request rate (a dump of a big table is the costliest
 * thing a scrape does on the loop). */
#define IPVS_SNAPSHOT_MS 1000
static struct checkd_ipvs_snapshot ipvs_snap;
static int64_t ipvs_snap_ms = -1;

static const struct checkd_ipvs_snapshot *ipvs_snapshot(struct checkd *d)
{
	int64_t now = loop_clock_ms();

	if (!d->ipvs)
		return NULL;
	if (ipvs_snap_ms < 0 || now - ipvs_snap_ms >= IPVS_SNAPSHOT_MS) {
		checkd_ipvs_snapshot_free(&ipvs_snap);
		checkd_ipvs_snapshot_read(d, &ipvs_snap);
		ipvs_snap_ms = now;
	}
	return &ipvs_snap;
}

static int render_metrics(struct checkd *d, struct buf *body)
{
	struct checkd_process proc;
	int r;

	r = checkd_metrics_render(d, ipvs_snapshot(d), checkd_process_read(&proc) == 0 ? &proc : NULL, loop_clock_ms(),
				  body);
	d->loop.max_lag_ms = 0;  /* the gauge covers the time between renders */
	if (r == 0)
		r = ha_metrics(d, body);
	if (r == 0)
		r = checkd_announce_metrics_render(d, body);
	return r;
}

static int render_status(struct checkd *d, struct buf *body)
{
	int r = checkd_status_render(d, ipvs_snapshot(d), loop_clock_ms(), body);

	if (r == 0)
		r = ha_status(d, body);
	return r == 0 ? checkd_announce_status_append(d, body) : r;
}

static int render_page(struct checkd *d, struct buf *body)
{
	return checkd_page_render(d, ipvs_snapshot(d), loop_clock_ms(), body);
}

static int render_healthz(struct checkd *d, struct buf *body)
{
	(void)d;
	return buf_append_str(body, "ok\n");
}

/* The status endpoint's paths: one line each.  /metrics and /status are
 * rendered at most once a second and shared by every request in it. */
static const struct checkd_http_route http_routes[] = {
	{ "/metrics", "text/plain; version=0.0.4; charset=utf-8", 1000, render_metrics },
	{ "/status", "application/json", 1000, render_status },
	{ "/", "text/html; charset=utf-8", 1000, render_page },
	{ "/healthz", "text/plain; charset=utf-8", 0, render_healthz },
};

/* Start, stop or move the endpoints to what conf says. */
static int endpoints(struct checkd *d, const struct checkd_conf *old, const struct checkd_conf *now, int first)
{
	char err[1200];
	int r, ret = 0;

	/* the same endpoint: its web configuration file is read again (renewed
	 * certificates, changed users); a broken one keeps the running one */
	if (!first && d->http && !strcmp(old->listen, now->listen) &&
	    !strcmp(old->web_config_file, now->web_config_file) && now->web_config_file[0] &&
	    checkd_http_web_reload(d, now->web_config_file, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-checkd: status endpoint: %s (the previous web configuration stays)\n", err);
		ret = -EINVAL;
	}

	if (first || strcmp(old->listen, now->listen) || strcmp(old->web_config_file, now->web_config_file)) {
		checkd_http_stop(d);
		if (now->listen[0]) {
			r = checkd_http_start(d, now->listen, http_routes, sizeof(http_routes) / sizeof(http_routes[0]),
					      now->web_config_file, err, sizeof(err));
			if (r < 0) {
				fprintf(stderr, "dsr-checkd: status endpoint: %s\n", err);
				ret = r;
			}
		}
	}
	if (first || strcmp(old->socket_path, now->socket_path)) {
		checkd_sock_stop(d);
		if (now->socket_path[0] && strcmp(now->socket_path, "off")) {
			r = checkd_sock_start(d, now->socket_path, err, sizeof(err));
			if (r < 0) {
				fprintf(stderr, "dsr-checkd: daemon socket: %s\n", err);
				ret = r;
			}
		}
	}
	if (now->track_dir[0] && mkdir(now->track_dir, 0755) < 0 && errno != EEXIST)
		fprintf(stderr, "dsr-checkd: track_dir %s: %s\n", now->track_dir, strerror(errno));
	return ret;
}

static void summary(const struct checkd *d, const char *what, const struct checkd_rs_diff *df)
{
	size_t i, n_t = 0;

	for (i = 0; i < d->n_rs; i++)
		n_t += d->rs[i]->n_targets;
	fprintf(stderr,
		"dsr-checkd: %s: %zu DR services, %zu real servers, %zu VIP/port targets (%u non-DR skipped); "
		"interval %ums timeout %ums retry %ums rise %u fall %u; +%zu -%zu =%zu real servers%s\n",
		what, d->conf.n_svc, d->n_rs, n_t, d->conf.n_skipped, d->params.interval_ms, d->params.timeout_ms,
		d->params.retry_ms ? d->params.retry_ms : d->params.interval_ms, d->params.rise, d->params.fall,
		df->added, df->removed, df->kept, d->conf.standalone ? "; standalone" : "");

	if (d->conf.standalone && d->conf.n_unmodelled)
		fprintf(stderr, "dsr-checkd: warning: %u services use sorry_server, quorum, hysteresis or inhibit_on_failure, "
			"which standalone mode does not apply (first at %s)\n", d->conf.n_unmodelled,
			d->conf.first_unmodelled);
}

static void do_reload(struct checkd *d)
{
	struct loaded L;
	struct agent_tls *tls = NULL, *old_tls = NULL;
	struct checkd_conf old;
	struct checkd_rs_diff df;
	char err[600];
	size_t i;

	checkd_notify("RELOADING=1\nSTATUS=reloading");
	d->stats.reloads++;
	if (load_all(&L, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-checkd: reload refused, the running configuration stays: %s\n", err);
		checkd_conf_free(&L.conf);
		d->stats.reload_failures++;
		d->stats.last_reload_ok = 0;
		checkd_notify("READY=1\nSTATUS=reload refused; running the previous configuration");
		return;
	}
	if (tls_differs(&L.dconf, &d->dconf)) {
		char sig[3][96];

		memcpy(sig, tls_files_sig, sizeof(sig));
		tls_files_note(&L.dconf);  /* before reading: a change during the read is seen next time */
		if (agent_tls_new(&tls, L.dconf.ca, L.dconf.cert, L.dconf.key, L.dconf.tls_min, err, sizeof(err)) < 0 ||
		    agent_tls_set_crl(tls, L.dconf.ca, L.dconf.tls_crl, err, sizeof(err)) < 0) {
			agent_tls_free(tls);
			memcpy(tls_files_sig, sig, sizeof(sig));
			fprintf(stderr, "dsr-checkd: reload refused: %s\n", err);
			checkd_conf_free(&L.conf);
			d->stats.reload_failures++;
			d->stats.last_reload_ok = 0;
			checkd_notify("READY=1\nSTATUS=reload refused; running the previous configuration");
			return;
		}
		old_tls = d->tls;
		d->tls = tls;
		/* new certificates: idle connections reconnect on their next check */
		for (i = 0; i < d->n_rs; i++) {
			d->rs[i]->conn.tls = tls;
			if (!d->rs[i]->probing) {
				loop_io_remove(&d->loop, &d->rs[i]->io);
				agent_conn_close(&d->rs[i]->conn);
				if (d->rs[i]->conn.session) {
					SSL_SESSION_free(d->rs[i]->conn.session);
					d->rs[i]->conn.session = NULL;
				}
			}
		}
	}
	d->params = L.params;
	d->default_agent_port = L.agent_port;
	d->dconf = L.dconf;
	if (checkd_rs_table_apply(d, &L.conf, &df) < 0) {
		fprintf(stderr, "dsr-checkd: reload: out of memory\n");
		d->stats.reload_failures++;
	}
	old = d->conf;
	d->conf = L.conf;
	(void)endpoints(d, &old, &d->conf, 0);
	if (d->conf.standalone && !d->ipvs) {
		if (checkd_ipvs_open(d, err, sizeof(err)) < 0)
			fprintf(stderr, "dsr-checkd: standalone: %s\n", err);
	}
	if (d->conf.standalone && checkd_ipvs_apply(d) < 0)
		d->stats.ipvs_apply_failures++;
	checkd_dp_sync(d);
	checkd_arp_sync(d);
	checkd_failsafe_sync(d);
	checkd_announce_sync(d);
	checkd_conf_free(&old);
	/* SSL objects of probes in flight hold their own reference to the old context */
	agent_tls_free(old_tls);
	d->stats.last_reload_ok = 1;
	summary(d, "reloaded", &df);
	checkd_notify("READY=1\nSTATUS=running");
}

static void reload_timer_cb(struct loop_timer *t)
{
	(void)t;
	reload_pending = 0;
	do_reload(&daemon_state);
}

static void watchdog_timer_cb(struct loop_timer *t)
{
	checkd_notify("WATCHDOG=1");
	if (loop_timer_set(&daemon_state.loop, t, loop_clock_ms() + (int64_t)watchdog_ms / 2) < 0)
		daemon_state.loop.stop = 1;
}

static void signal_cb(struct loop_io *io, uint32_t events)
{
	struct signalfd_siginfo si;
	(void)events;

	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			/* after this wake-up's other events: a reload may free what they point to */
			if (!reload_pending && loop_timer_set(&daemon_state.loop, &reload_timer, 0) == 0)
				reload_pending = 1;
		} else {
			daemon_state.loop.stop = 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct checkd *d = &daemon_state;
	struct checkd_conf none;
	struct checkd_rs_diff df;
	struct loaded L;
	sigset_t mask;
	char err[600];
	int sfd, r;

	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv) < 0)
		return 2;
	{
		/* one socket per real server: take every descriptor we are allowed
		 * (under systemd, LimitNOFILE= sets both and this changes nothing) */
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)!setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	memset(d, 0, sizeof(*d));
	if (load_all(&L, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-checkd: %s\n", err);
		checkd_conf_free(&L.conf);
		return 1;
	}
	tls_files_note(&L.dconf);
	if (agent_tls_new(&d->tls, L.dconf.ca, L.dconf.cert, L.dconf.key, L.dconf.tls_min, err, sizeof(err)) < 0 ||
	    agent_tls_set_crl(d->tls, L.dconf.ca, L.dconf.tls_crl, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-checkd: %s\n", err);
		checkd_conf_free(&L.conf);
		return 1;
	}
	d->conf = L.conf;
	d->dconf = L.dconf;
	d->params = L.params;
	d->default_agent_port = L.agent_port;
	d->verbose = opt.verbose;
	d->on_change = on_change;
	d->stats.last_reload_ok = 1;
	d->stats.started_ms = loop_clock_ms();
	d->stats.started_unix = (int64_t)time(NULL);
	d->facts = calloc(1, sizeof(*d->facts));
	if (!d->facts || loop_init(&d->loop) < 0) {
		fprintf(stderr, "dsr-checkd: out of memory\n");
		return 1;
	}
	if (checkd_rs_table_apply(d, &d->conf, &df) < 0) {
		fprintf(stderr, "dsr-checkd: out of memory\n");
		return 1;
	}
	if (opt.test_config) {
		summary(d, "configuration OK", &df);
		if (d->conf.announce_iface[0])
			fprintf(stderr, "dsr-checkd: configuration OK: announce on %s (min healthy %u; BIRD: %s, protocol "
				"%s)\n", d->conf.announce_iface, d->conf.announce_min_healthy, d->conf.announce_bird_socket,
				d->conf.announce_bird_protocol);
		return 0;
	}
	if (d->conf.standalone || d->conf.listen[0]) {
		r = checkd_ipvs_open(d, err, sizeof(err));
		if (r < 0 && d->conf.standalone) {
			fprintf(stderr, "dsr-checkd: standalone mode needs IPVS: %s\n", err);
			return 1;
		}
		if (r < 0)
			fprintf(stderr, "dsr-checkd: no IPVS counters in /metrics: %s\n", err);
	}
	memset(&none, 0, sizeof(none));
	if (endpoints(d, &none, &d->conf, 1) < 0)
		return 1;
	if (d->conf.standalone && checkd_ipvs_apply(d) < 0)
		fprintf(stderr, "dsr-checkd: standalone: the first apply failed; retried on the next change\n");
	checkd_dp_sync(d);
	checkd_arp_sync(d);
	checkd_failsafe_sync(d);
	checkd_announce_sync(d);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	loop_io_init(&sig_io, sfd, signal_cb);
	loop_timer_init(&reload_timer, reload_timer_cb);
	loop_timer_init(&watchdog_timer, watchdog_timer_cb);
	if (sfd < 0 || loop_io_want(&d->loop, &sig_io, EPOLLIN) < 0) {
		fprintf(stderr, "dsr-checkd: signalfd: %s\n", strerror(errno));
		return 1;
	}
	watchdog_ms = checkd_notify_watchdog_ms();
	if (watchdog_ms && loop_timer_set(&d->loop, &watchdog_timer, loop_clock_ms() + (int64_t)watchdog_ms / 2) < 0)
		return 1;
	summary(d, "started", &df);
	checkd_notify("READY=1\nSTATUS=running");

	while (!d->loop.stop) {
		r = loop_run_once(&d->loop, -1);
		if (r < 0) {
			fprintf(stderr, "dsr-checkd: event loop: %s\n", strerror(-r));
			break;
		}
	}
	checkd_notify("STOPPING=1");
	/* IPVS stays as it is: a restart must not disturb traffic.  Only the
	 * private probe services go: they carry no client traffic. */
	checkd_dp_stop(d);
	checkd_arp_stop(d);
	checkd_failsafe_stop(d);
	free(d->failsafe);
	checkd_announce_stop(d);  /* the device goes: every VIP is withdrawn */
	checkd_sock_stop(d);
	checkd_http_stop(d);
	checkd_rs_table_free(d);
	checkd_director_free(d);
	checkd_ipvs_snapshot_free(&ipvs_snap);
	checkd_ipvs_close(d);
	agent_tls_free(d->tls);
	checkd_conf_free(&d->conf);
	free(d->facts);
	loop_free(&d->loop);
	fprintf(stderr, "dsr-checkd: stopped\n");
	return 0;
}
