/* SPDX-License-Identifier: Apache-2.0 */
/* dsr-check - keepalived MISC_CHECK program: asks a real server's dsr-agent
 * over mutual TLS whether it is a correct DR real server for a VIP, judges
 * the facts itself, and answers with keepalived's exit codes. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "bounded/ipaddr.h"
#include "bounded/strparse.h"
#include "bounded/textesc.h"
#include "checker/lib/agent_conn.h"
#include "checker/lib/daemon_proto.h"
#include "checker/lib/datapath.h"
#include "checker/lib/dsrkit_conf.h"
#include "checker/lib/judge.h"
#include "checker/lib/ticket_cache.h"
#include "checker/lib/verdict.h"
#include "checker/dsr-check/keeper.h"
#include "dsrkit/ipvs.h"

enum output_mode {
	OUTPUT_KEEPALIVED,  /* exit 0 up, 1 down */
	OUTPUT_DYNAMIC,     /* misc_dynamic: exit 2 + weight when up */
	OUTPUT_NAGIOS,      /* monitoring plugin: 0 OK 1 WARNING 2 CRITICAL 3 UNKNOWN */
};

struct options {
	struct ip_addr rs, vip;
	int have_rs, have_vip;
	uint32_t port;
	uint32_t agent_port;      /* 0: from the config */
	uint32_t timeout_ms;      /* 0: from the config */
	uint32_t full_weight;     /* --weight: the server's weight at hint 100 */
	int have_full_weight;
	const char *ca, *cert, *key, *config;
	enum output_mode mode;
	int syslog;
	int daemon;               /* ask dsr-checkd's socket first */
	int no_agent;             /* --no-agent: data path only */
	int data_path;            /* --data-path */
	enum datapath_kind probe_kind;
	const char *probe_path;
	uint32_t probe_status;
	int set_sysctls;
	uint32_t mark_base, mark_count;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dsr-check --rs ADDR --vip ADDR --port N [options]\n"
		"\n"
		"Asks the dsr-agent on real server ADDR (mutual TLS) whether it is a correct\n"
		"Direct Routing real server for VIP:PORT, judges its facts, and exits as a\n"
		"keepalived MISC_CHECK expects: 0 healthy, 1 failed.\n"
		"\n"
		"  --rs ADDR          the real server's own address (its certificate must name it)\n"
		"  --vip ADDR         the virtual IP it must hold on loopback\n"
		"  --port N           the service port that must be listening (0: no check)\n"
		"  --agent-port N     the agent's port (default from the config, 9443)\n"
		"  --ca F --cert F --key F   TLS files (defaults from the config)\n"
		"  --timeout T        bound for the whole check: 3s, 500ms (default 3s)\n"
		"  --dynamic          keepalived misc_dynamic: healthy exits 2 + weight, where\n"
		"                     weight follows the agent's hint and drain gives 0\n"
		"  --weight N         with --dynamic: the weight at hint 100 (default: the hint\n"
		"                     itself; with no hint and no drain, exit 0 = unchanged)\n"
		"  --nagios           monitoring-plugin output and exit codes 0/1/2/3\n"
		"  --syslog           also log the verdict to syslog (daemon facility)\n"
		"  --daemon           take dsr-checkd's cached verdict from its socket (daemon_socket\n"
		"                     in the config); checks directly when the daemon has none\n"
		"  --data-path        also probe the VIP's data path: a marked connection to VIP:PORT\n"
		"                     that IPVS delivers to this real server only, as it delivers\n"
		"                     clients' traffic (needs CAP_NET_ADMIN; see dsr-check(8))\n"
		"  --no-agent         no agent on this server: the data path probe alone\n"
		"  --probe KIND       tcp (default), tls, http, https\n"
		"  --probe-path P     HTTP path for http/https probes (default /)\n"
		"  --probe-status N   expected HTTP status (default 200)\n"
		"  --set-sysctls      set accept_local=1 (and a loose rp_filter) on the director's\n"
		"                     interface when the probe's answer needs it, instead of failing\n"
		"  --mark-base N --mark-count N   firewall marks for probe services\n"
		"                     (default 0x44530000, 4096)\n"
		"  --config FILE      defaults file (default " DSRKIT_CONF_DEFAULT_PATH ")\n"
		"  -h, --help         this text;  -V, --version  the version\n"
		"\n"
		"One line on stdout names the failing layer and the reason, e.g.\n"
		"  DOWN 192.0.2.11: [facts] VIP 192.0.2.100 is not on a loopback interface (VIP_MISSING)\n");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Exit code when the arguments or configuration are wrong. */
static int config_exit(const struct options *o)
{
	return o->mode == OUTPUT_NAGIOS ? 3 : 1;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "rs", required_argument, NULL, 'r' },
		{ "vip", required_argument, NULL, 'v' },
		{ "port", required_argument, NULL, 'p' },
		{ "agent-port", required_argument, NULL, 'a' },
		{ "ca", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dynamic", no_argument, NULL, 'd' },
		{ "weight", required_argument, NULL, 'w' },
		{ "nagios", no_argument, NULL, 'n' },
		{ "syslog", no_argument, NULL, 's' },
		{ "daemon", no_argument, NULL, 'X' },
		{ "data-path", no_argument, NULL, 'D' },
		{ "no-agent", no_argument, NULL, 'N' },
		{ "probe", required_argument, NULL, 'P' },
		{ "probe-path", required_argument, NULL, 'H' },
		{ "probe-status", required_argument, NULL, 'S' },
		{ "set-sysctls", no_argument, NULL, 'Y' },
		{ "mark-base", required_argument, NULL, 'M' },
		{ "mark-count", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (ipaddr_parse(optarg, &o->rs) < 0)
				return fprintf(stderr, "dsr-check: --rs: '%s' is not an IP address\n", optarg), -1;
			o->have_rs = 1;
			break;
		case 'v':
			if (ipaddr_parse(optarg, &o->vip) < 0)
				return fprintf(stderr, "dsr-check: --vip: '%s' is not an IP address\n", optarg), -1;
			o->have_vip = 1;
			break;
		case 'p':
			if (parse_u32(optarg, &o->port, 0, 65535) < 0)
				return fprintf(stderr, "dsr-check: --port: '%s' is not 0-65535\n", optarg), -1;
			break;
		case 'a':
			if (parse_u32(optarg, &o->agent_port, 1, 65535) < 0)
				return fprintf(stderr, "dsr-check: --agent-port: '%s' is not 1-65535\n", optarg), -1;
			break;
		case 'C': o->ca = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'k': o->key = optarg; break;
		case 't':
			if (parse_duration_ms(optarg, &o->timeout_ms, 10, 300000) < 0)
				return fprintf(stderr, "dsr-check: --timeout: '%s' is not 10ms-300s (e.g. 3s, 500ms)\n",
					       optarg), -1;
			break;
		case 'd': o->mode = OUTPUT_DYNAMIC; break;
		case 'w':
			if (parse_u32(optarg, &o->full_weight, 0, 253) < 0)
				return fprintf(stderr, "dsr-check: --weight: '%s' is not 0-253\n", optarg), -1;
			o->have_full_weight = 1;
			break;
		case 'n': o->mode = OUTPUT_NAGIOS; break;
		case 's': o->syslog = 1; break;
		case 'X': o->daemon = 1; break;
		case 'D': o->data_path = 1; break;
		case 'N': o->no_agent = 1; o->data_path = 1; break;
		case 'P':
			if (datapath_kind_parse(optarg, &o->probe_kind) < 0)
				return fprintf(stderr, "dsr-check: --probe: '%s' is not tcp, tls, http or https\n", optarg), -1;
			break;
		case 'H':
			if (optarg[0] != '/' || strlen(optarg) > 200 || strpbrk(optarg, " \r\n"))
				return fprintf(stderr, "dsr-check: --probe-path: '%s' is not a path like /health\n", optarg), -1;
			o->probe_path = optarg;
			break;
		case 'S':
			if (parse_u32(optarg, &o->probe_status, 100, 599) < 0)
				return fprintf(stderr, "dsr-check: --probe-status: '%s' is not 100-599\n", optarg), -1;
			break;
		case 'Y': o->set_sysctls = 1; break;
		case 'M':
			if (parse_u32_hex(optarg, &o->mark_base) < 0 || o->mark_base == 0)
				return fprintf(stderr, "dsr-check: --mark-base: '%s' is not a non-zero mark\n", optarg), -1;
			break;
		case 'm':
			if (parse_u32(optarg, &o->mark_count, 1, 1u << 20) < 0)
				return fprintf(stderr, "dsr-check: --mark-count: '%s' is not 1-1048576\n", optarg), -1;
			break;
		case 'f': o->config = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("dsr-check %s\n", DSRKIT_VERSION); exit(0);
		default: return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "dsr-check: unexpected argument '%s'\n", argv[optind]), -1;
	if (!o->have_rs || !o->have_vip)
		return fprintf(stderr, "dsr-check: --rs and --vip are required (see --help)\n"), -1;
	if (o->rs.family != o->vip.family)
		return fprintf(stderr, "dsr-check: --rs and --vip must be of the same family\n"), -1;
	if (o->data_path && o->port == 0)
		return fprintf(stderr, "dsr-check: --data-path needs the service --port\n"), -1;
	if (o->mark_base && (uint64_t)o->mark_base + (o->mark_count ? o->mark_count : DATAPATH_MARK_COUNT_DEFAULT) >
				    UINT32_MAX)
		return fprintf(stderr, "dsr-check: the mark range passes 0xffffffff\n"), -1;
	return 0;
}

/* Run the request under one deadline: every layer, including a peer that
 * accepts TCP and never speaks TLS, ends by timeout_ms. */
static int fetch(struct agent_conn *c, const char *path, unsigned timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int r = agent_conn_get(c, path);

	while (r == AGENT_CONN_WANT_READ || r == AGENT_CONN_WANT_WRITE) {
		struct pollfd pfd = { .fd = c->fd, .events = r == AGENT_CONN_WANT_READ ? POLLIN : POLLOUT };
		long long left = deadline - now_ms();
		int pr;

		if (left <= 0) {
			agent_conn_timeout(c, timeout_ms);
			return AGENT_CONN_ERROR;
		}
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno != EINTR) {
			agent_conn_timeout(c, timeout_ms);
			return AGENT_CONN_ERROR;
		}
		if (pr > 0)
			r = agent_conn_step(c);
	}
	return r;
}

/* Ask dsr-checkd for its verdict on rs/vip/port.  Returns 1 with j filled
 * when the daemon has a result (up or down), 0 when it has none (not
 * checked, not yet, unreachable: the caller checks directly). */
static int ask_daemon(const char *path, const struct options *o, unsigned timeout_ms, struct judgement *j)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct checkd_query q = { .rs = o->rs, .vip = o->vip, .port = (uint16_t)o->port };
	struct checkd_answer a;
	char line[CHECKD_PROTO_LINE_MAX];
	long long deadline = now_ms() + timeout_ms;
	size_t n, got = 0;
	char *nl;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return 0;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto none;
	n = checkd_query_format(&q, line);
	if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n)
		goto none;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			goto none;
		r = recv(fd, line + got, sizeof(line) - 1 - got, 0);
		if (r <= 0)
			goto none;
		got += (size_t)r;
		nl = memchr(line, '\n', got);
		if (nl)
			break;
		if (got == sizeof(line) - 1)
			goto none;
	}
	close(fd);
	if (checkd_answer_parse(line, (size_t)(nl - line), &a) < 0 ||
	    (a.state != CHECKD_ANSWER_UP && a.state != CHECKD_ANSWER_DOWN))
		return 0;
	*j = a.j;
	return 1;
none:
	close(fd);
	return 0;
}

static void report(const struct options *o, const char *state, const char *rs, const struct verdict *v,
		   const char *extra);

/* With `keeper` set, ask this configuration's keeper (keeper.h) to check
 * the agent.  Returns 1 with j filled when it answered; 0 otherwise, with
 * k named when a keeper could serve (start_keeper after the direct check). */
static int ask_keeper(const struct options *o, const struct dsrkit_conf *conf, struct keeper_id *k,
		      struct judgement *j)
{
	int dirfd;

	if (!conf->keeper_idle_ms || !conf->ticket_dir[0] ||
	    keeper_identify(k, conf->ticket_dir, o->ca ? o->ca : conf->ca, o->cert ? o->cert : conf->cert,
			    o->key ? o->key : conf->key, conf->tls_crl, conf->tls_min, o->agent_port, o->timeout_ms,
			    conf->keeper_idle_ms) < 0) {
		k->name[0] = '\0';
		return 0;
	}
	/* the socket is trusted only in a directory of our own, closed to others */
	dirfd = ticket_dir_open(conf->ticket_dir);
	if (dirfd < 0) {
		k->name[0] = '\0';
		return 0;
	}
	close(dirfd);
	/* the keeper's own fetch ends by the timeout; a second more for its answer */
	if (!ask_daemon(k->sock, o, o->timeout_ms + 1000, j))
		return 0;
	/* a configuration error is for the direct check to report in full */
	return j->verdict.layer != CHECK_LAYER_CONFIG;
}

static void start_keeper(const struct dsrkit_conf *conf, const struct keeper_id *k)
{
	int dirfd = ticket_dir_open(conf->ticket_dir);

	if (dirfd < 0)
		return;
	keeper_spawn(dirfd, k);
	close(dirfd);
}

/* OpenSSL's set-up and a handshake fill some 500 KiB of heap, a page at a
 * time: one page fault each, and a fault costs far more than zeroing a page
 * (in a VM, and most in User-Mode Linux, where it is a host signal).  Grow
 * the heap once by HEAP_PREFAULT and fault it in with one madvise (Linux
 * 5.14+; older kernels refuse it and the pages fault as before). */
#define HEAP_PREFAULT (640 * 1024)
static void heap_prefault(void)
{
	char *b0, *b1;
	void *volatile p; /* volatile: a malloc+free pair is otherwise elided */

	if (mallopt(M_TOP_PAD, HEAP_PREFAULT / 2) != 1 || mallopt(M_TRIM_THRESHOLD, 2 * HEAP_PREFAULT) != 1 ||
	    mallopt(M_MMAP_THRESHOLD, HEAP_PREFAULT) != 1)
		return;
	b0 = sbrk(0);
	p = malloc(HEAP_PREFAULT / 2); /* more than the top holds: the heap grows */
	b1 = sbrk(0);
	free(p);
	if (b0 == (void *)-1 || b1 <= b0)
		return;
	b0 = (char *)(((uintptr_t)b0 + 4095) & ~(uintptr_t)4095);
	if (b1 > b0)
		(void)madvise(b0, (size_t)(b1 - b0), MADV_POPULATE_WRITE);
}

/* The agent's facts, judged again.  Returns -1 on a configuration error
 * (already reported), 0 otherwise with j filled. */
static int check_agent(const struct options *o, const struct dsrkit_conf *conf, struct judgement *j)
{
	struct agent_tls *tls = NULL;
	struct agent_conn conn;
	struct ticket_stamp stamp;
	SSL_SESSION *cached = NULL;
	const char *ca = o->ca ? o->ca : conf->ca, *cert = o->cert ? o->cert : conf->cert;
	const char *key = o->key ? o->key : conf->key, *derr;
	char err[600], rs[IPADDR_STRLEN], vip[IPADDR_STRLEN], path[160];
	time_t now = time(NULL), full_at = now;
	int r, dirfd = -1, rc;

	ipaddr_format(&o->rs, rs);
	ipaddr_format(&o->vip, vip);
	heap_prefault();
	/* a one-shot client: no openssl.cnf (our settings are explicit) */
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	/* a session of this agent from an earlier check: resume it, and read
	 * no certificate or key unless the agent wants a full handshake */
	if (conf->ticket_dir[0] && ticket_stamp_make(&stamp, ca, cert, key, conf->tls_min) == 0 &&
	    (dirfd = ticket_dir_open(conf->ticket_dir)) >= 0)
		cached = ticket_cache_load(dirfd, &o->rs, (uint16_t)o->agent_port, &stamp, now, &full_at);
	rc = cached ? agent_tls_new_deferred(&tls, ca, cert, key, conf->tls_min, err, sizeof(err))
		    : agent_tls_new(&tls, ca, cert, key, conf->tls_min, err, sizeof(err));
	if (rc < 0) {
		struct verdict v;

		verdict_fail(&v, CHECK_LAYER_CONFIG, "TLS_CONFIG", "%s", err);
		report(o, o->mode == OUTPUT_NAGIOS ? "DSR UNKNOWN" : "DOWN", rs, &v, "");
		SSL_SESSION_free(cached);
		if (dirfd >= 0)
			close(dirfd);
		return -1;
	}
	if (agent_tls_set_crl(tls, o->ca ? o->ca : conf->ca, conf->tls_crl, err, sizeof(err)) < 0) {
		struct verdict v;

		verdict_fail(&v, CHECK_LAYER_CONFIG, "TLS_CONFIG", "tls_crl: %s", err);
		report(o, o->mode == OUTPUT_NAGIOS ? "DSR UNKNOWN" : "DOWN", rs, &v, "");
		agent_tls_free(tls);
		return -1;
	}
	if (o->port)
		snprintf(path, sizeof(path), "/v1/status?vip=%s&port=%u", vip, o->port);
	else
		snprintf(path, sizeof(path), "/v1/status?vip=%s", vip);
	agent_conn_init(&conn, tls, &o->rs, (uint16_t)o->agent_port);
	conn.session = cached; /* owned by conn from here */
	r = fetch(&conn, path, o->timeout_ms);
	if ((derr = agent_tls_deferred_error(tls))) {
		struct verdict v;

		verdict_fail(&v, CHECK_LAYER_CONFIG, "TLS_CONFIG", "%s", derr);
		report(o, o->mode == OUTPUT_NAGIOS ? "DSR UNKNOWN" : "DOWN", rs, &v, "");
		agent_conn_free(&conn);
		agent_tls_free(tls);
		if (dirfd >= 0)
			close(dirfd);
		return -1;
	}
	if (r == AGENT_CONN_DONE) {
		judge_status(buf_str(&conn.resp.body), conn.resp.body.len, &o->vip, (uint16_t)o->port, j);
	} else {
		memset(j, 0, sizeof(*j));
		j->verdict = conn.fail;
		j->weight_hint = FACTS_UNKNOWN;
	}
	/* the newest session for the next check; a resumed chain keeps the
	 * time of its full handshake */
	if (dirfd >= 0 && r == AGENT_CONN_DONE && conn.session && conn.session != cached &&
	    SSL_SESSION_is_resumable(conn.session))
		(void)!ticket_cache_store(dirfd, &o->rs, (uint16_t)o->agent_port, &stamp,
					  conn.resumed ? full_at : now, conn.session);
	if (dirfd >= 0)
		close(dirfd);
	agent_conn_free(&conn);
	agent_tls_free(tls);
	return 0;
}

/* The data-path probe: a private fwmark service for this real server only,
 * one marked connection to VIP:port, the service removed again. */
static void check_datapath(const struct options *o, struct verdict *v)
{
	struct datapath_cfg cfg = {
		.mark_base = o->mark_base ? o->mark_base : DATAPATH_MARK_BASE_DEFAULT,
		.mark_count = o->mark_count ? o->mark_count : DATAPATH_MARK_COUNT_DEFAULT,
		.set_sysctls = o->set_sysctls,
	};
	struct datapath_probe p;
	struct datapath_svc svc;
	struct ipvs *h = NULL;
	struct ip_addr src;
	char why[VERDICT_REASON_MAX], iface[64];
	long long deadline = now_ms() + o->timeout_ms;
	SSL_CTX *ctx = NULL;
	int r;

	if (datapath_prepare(&cfg, &o->rs, &src, iface, sizeof(iface), why, sizeof(why)) < 0) {
		verdict_fail(v, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "%s", why);
		return;
	}
	r = ipvs_open(&h);
	if (r < 0) {
		verdict_fail(v, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "cannot reach IPVS: %s%s", strerror(-r),
			     r == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return;
	}
	/* the pid spreads concurrent checks (keepalived runs them in parallel)
	 * over the range; a taken mark is skipped */
	if (datapath_svc_create(h, &cfg, &o->rs, (uint32_t)getpid(), &svc, why, sizeof(why)) < 0) {
		verdict_fail(v, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "probe service: %s", why);
		ipvs_close(h);
		return;
	}
	if (o->probe_kind == DATAPATH_TLS || o->probe_kind == DATAPATH_HTTPS)
		ctx = SSL_CTX_new(TLS_client_method());
	r = datapath_probe_start(&p, o->probe_kind, ctx, &svc, &src, &o->vip, (uint16_t)o->port, o->probe_path,
				 o->probe_status);
	while (r == 1 || r == 2) {
		struct pollfd pfd = { .fd = p.fd, .events = r == 1 ? POLLIN : POLLOUT };
		long long left = deadline - now_ms();

		if (left <= 0 || (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)) {
			datapath_probe_timeout(&p, o->timeout_ms);
			break;
		}
		if (pfd.revents)
			r = datapath_probe_step(&p);
	}
	*v = p.result;
	datapath_probe_free(&p);
	SSL_CTX_free(ctx);
	if (datapath_svc_remove(h, &svc) < 0 && verdict_is_ok(v))
		verdict_fail(v, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "probe service not removed: %s", ipvs_errmsg(h));
	ipvs_close(h);
}

/* The one line dsr-check prints (and logs).  The reason and code may
 * carry an agent's text (admin reason, interface and host names) or come
 * from dsr-checkd's socket: escaped, so no peer can forge a second line or
 * send the reader's terminal escape bytes. */
static void report(const struct options *o, const char *state, const char *rs, const struct verdict *v,
		   const char *extra)
{
	char reason[TEXT_ESC_SIZE(sizeof(v->reason))], code[TEXT_ESC_SIZE(sizeof(v->code))];

	text_escape(v->reason, reason, sizeof(reason));
	text_escape(v->code, code, sizeof(code));
	if (verdict_is_ok(v))
		printf("%s %s: VIP %s%s\n", state, rs, reason, extra);
	else
		printf("%s %s: [%s] %s (%s)%s\n", state, rs, check_layer_name(v->layer), reason, code, extra);
	fflush(stdout);
	if (o->syslog) {
		openlog("dsr-check", LOG_PID, LOG_DAEMON);
		if (verdict_is_ok(v))
			syslog(LOG_INFO, "%s %s: VIP %s%s", state, rs, reason, extra);
		else
			syslog(LOG_WARNING, "%s %s: [%s] %s (%s)%s", state, rs, check_layer_name(v->layer), reason,
			       code, extra);
		closelog();
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct dsrkit_conf conf;
	struct judgement j;
	struct keeper_id kid = { .name = "" };
	char err[600], rs[IPADDR_STRLEN], vip[IPADDR_STRLEN], extra[96] = "";
	long long t0 = now_ms();
	int weight = -1, code;

	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.mode = OUTPUT_KEEPALIVED;
	if (parse_args(argc, argv, &o) < 0)
		return config_exit(&o);
	ipaddr_format(&o.rs, rs);
	ipaddr_format(&o.vip, vip);
	dsrkit_conf_defaults(&conf);
	if (dsrkit_conf_load(&conf, o.config ? o.config : DSRKIT_CONF_DEFAULT_PATH, o.config != NULL, err,
			     sizeof(err)) < 0) {
		struct verdict v;

		verdict_fail(&v, CHECK_LAYER_CONFIG, "CONFIG", "%s", err);
		report(&o, o.mode == OUTPUT_NAGIOS ? "DSR UNKNOWN" : "DOWN", rs, &v, "");
		return config_exit(&o);
	}
	o.syslog |= conf.syslog;
	if (!o.agent_port)
		o.agent_port = conf.agent_port;
	if (!o.timeout_ms)
		o.timeout_ms = conf.timeout_ms;
	/* the daemon's verdict needs no TLS files: the script user may lack the key */
	if (o.daemon && !o.no_agent && ask_daemon(conf.daemon_socket, &o, o.timeout_ms, &j))
		; /* judged by dsr-checkd */
	else if (!o.no_agent && ask_keeper(&o, &conf, &kid, &j))
		; /* the keeper asked the agent now, on its kept-alive connection */
	else if (!o.no_agent) {
		if (check_agent(&o, &conf, &j) < 0)
			return config_exit(&o);
		if (kid.name[0])
			start_keeper(&conf, &kid);
	}
	if (o.no_agent) {
		memset(&j, 0, sizeof(j));
		verdict_fail(&j.verdict, CHECK_LAYER_NONE, "OK", "%s:%u healthy", vip, o.port);
		j.weight_hint = FACTS_UNKNOWN;
	}
	if (o.data_path && verdict_is_ok(&j.verdict)) {
		struct verdict dp;

		check_datapath(&o, &dp);
		if (verdict_is_ok(&dp)) {
			size_t l = strlen(j.verdict.reason);

			snprintf(j.verdict.reason + l, sizeof(j.verdict.reason) - l, ", data path (%s) ok",
				 datapath_kind_name(o.probe_kind));
		} else {
			j.verdict = dp;
			if (!o.no_agent && dp.layer == CHECK_LAYER_DATAPATH) {
				size_t l = strlen(j.verdict.reason);

				snprintf(j.verdict.reason + l, sizeof(j.verdict.reason) - l,
					 "; the agent reports a correct DR set-up, so a firewall or weak-host send "
					 "drops the VIP's traffic");
			}
		}
	}
	/* without misc_dynamic a drained server must fail, so that keepalived
	 * takes it out (or sets weight 0 with inhibit_on_failure) */
	if (o.mode == OUTPUT_KEEPALIVED && verdict_is_ok(&j.verdict) && j.admin == ADMIN_STATE_DRAIN)
		verdict_fail(&j.verdict, CHECK_LAYER_ADMIN, "ADMIN_DRAIN", "the administrator drains this server");

	/* weight: drain gives 0; a hint scales --weight (or is the weight) */
	if (verdict_is_ok(&j.verdict)) {
		if (j.admin == ADMIN_STATE_DRAIN)
			weight = 0;
		else if (j.weight_hint >= 0)
			weight = o.have_full_weight ? (int)(o.full_weight * (unsigned)j.weight_hint + 50) / 100
						    : j.weight_hint;
		else if (o.have_full_weight)
			weight = (int)o.full_weight;
		if (weight > 253)
			weight = 253;
	}
	if (o.mode == OUTPUT_NAGIOS) {
		const char *st;
		double secs = (double)(now_ms() - t0) / 1000.0;

		if (verdict_is_ok(&j.verdict)) {
			st = j.admin == ADMIN_STATE_DRAIN ? "DSR WARNING" : "DSR OK";
			code = j.admin == ADMIN_STATE_DRAIN ? 1 : 0;
		} else if (j.verdict.layer == CHECK_LAYER_CONFIG) {
			st = "DSR UNKNOWN";
			code = 3;
		} else if (j.verdict.layer == CHECK_LAYER_ADMIN) {
			st = "DSR WARNING";
			code = 1;
		} else {
			st = "DSR CRITICAL";
			code = 2;
		}
		snprintf(extra, sizeof(extra), " | time=%.3fs;;;0 findings=%u;;;0%s", secs, j.n_findings, "");
		if (weight >= 0) {
			size_t l = strlen(extra);
			snprintf(extra + l, sizeof(extra) - l, " weight=%d;;;0", weight);
		}
		report(&o, st, rs, &j.verdict, extra);
		return code;
	}
	if (!verdict_is_ok(&j.verdict)) {
		report(&o, "DOWN", rs, &j.verdict, "");
		return 1;
	}
	if (o.mode == OUTPUT_DYNAMIC && weight >= 0) {
		snprintf(extra, sizeof(extra), " (weight %d%s)", weight, j.admin == ADMIN_STATE_DRAIN ? ", drain" : "");
		report(&o, "UP", rs, &j.verdict, extra);
		return 2 + weight;
	}
	report(&o, "UP", rs, &j.verdict, "");
	return 0;
}
