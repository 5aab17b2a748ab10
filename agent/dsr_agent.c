/* SPDX-License-Identifier: Apache-2.0 */
/* dsr_agent.c - the dsr-agent command line: check, setup, serve.
 * Portable C over the platform table (agent_platform.h) and the status
 * server (status_server.h); see dsr-agent(8). */
#include "agent/agent_admin.h"
#include "agent/agent_platform.h"
#include "agent/file_trust.h"
#include "agent/agent_report.h"
#include "agent/agent_state.h"
#include "agent/status_server.h"
#include "agent-proto/agent_config.h"
#include "agent-proto/facts.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/dsrkit/agent.conf"

/* Exit codes of `check` (dsr-agent(8)). */
enum check_exit {
	CHECK_EXIT_OK = 0,        /* a correct DR real server */
	CHECK_EXIT_CRITICAL = 1,
	CHECK_EXIT_WARNING = 2,
	CHECK_EXIT_ERROR = 3,     /* usage, or facts unreadable */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dsr-agent check --vip ADDR [--vip ADDR ...] [--port N] [--json] [--config FILE]\n"
		"       dsr-agent setup --vip ADDR [--vip ADDR ...] [--dry-run] [--persist] [--root DIR]\n"
		"       dsr-agent serve [--config FILE]\n"
		"       dsr-agent drain [--wait] [--timeout S] [--json] [--reason TEXT] [--config FILE]\n"
		"       dsr-agent ready [--reason TEXT] [--config FILE]\n"
		"       dsr-agent --help | --version\n"
		"\n"
		"  check   report every DR finding for each VIP with its fix; exit 0 when this\n"
		"          is a correct DR real server, 1 critical, 2 warnings only, 3 error\n"
		"  setup   put each VIP /32 (/128) on lo and set arp_ignore=1, arp_announce=2 on\n"
		"          all and the outward interfaces; --dry-run prints the commands;\n"
		"          --persist also writes a sysctl.d file and a systemd unit (under --root)\n"
		"  serve   the mutual-TLS status endpoint GET /v1/status (default config\n"
		"          " DEFAULT_CONFIG ", see dsr-agent.conf(5))\n"
		"  drain   set admin_state = drain in the state file: every checker sees it at\n"
		"          once and gives weight 0; --wait shows, per director and VIP, the\n"
		"          connections left and returns 0 when every director reports none\n"
		"          (1 at the --timeout, default 300 s, with what is left)\n"
		"  ready   set admin_state = up again\n");
}

static int read_file(const char *path, char **out, size_t *len, size_t max)
{
	FILE *fp = fopen(path, "r");
	char *b;
	size_t n;

	if (!fp)
		return -errno;
	b = malloc(max + 1);
	if (!b) {
		fclose(fp);
		return -ENOMEM;
	}
	n = fread(b, 1, max + 1, fp);
	fclose(fp);
	if (n > max) {
		free(b);
		return -EFBIG;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}

static int load_config(const char *path, int required, struct agent_config *cfg)
{
	char *text = NULL, err[512];
	size_t len = 0;
	int r;

	agent_config_defaults(cfg);
	r = read_file(path, &text, &len, AGENT_CONFIG_MAX_BYTES);
	if (r < 0) {
		if (!required && r == -ENOENT)
			return 0;
		fprintf(stderr, "dsr-agent: %s: %s\n", path, r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	r = agent_config_parse(text, len, path, cfg, err, sizeof(err));
	free(text);
	if (r < 0)
		fprintf(stderr, "dsr-agent: %s\n", err);
	return r;
}

struct cli {
	struct ip_addr vips[STATUS_MAX_TARGETS];
	size_t n_vips;
	uint32_t port;
	int json, dry_run, persist, wait;
	uint32_t timeout_s;
	const char *root, *config, *reason;
};

static int parse_args(int argc, char **argv, struct cli *c)
{
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--vip") == 0 && v) {
			if (c->n_vips >= STATUS_MAX_TARGETS || ipaddr_parse(v, &c->vips[c->n_vips]) < 0) {
				fprintf(stderr, "dsr-agent: --vip '%s' is not an IPv4 or IPv6 address (or too many)\n", v);
				return -EINVAL;
			}
			c->n_vips++;
			i++;
		} else if (strcmp(a, "--port") == 0 && v) {
			if (parse_u32(v, &c->port, 1, 65535) < 0) {
				fprintf(stderr, "dsr-agent: --port '%s' is not a number in 1-65535\n", v);
				return -EINVAL;
			}
			i++;
		} else if (strcmp(a, "--config") == 0 && v) {
			c->config = v;
			i++;
		} else if (strcmp(a, "--root") == 0 && v) {
			c->root = v;
			i++;
		} else if (strcmp(a, "--timeout") == 0 && v) {
			if (parse_u32(v, &c->timeout_s, 1, 86400) < 0) {
				fprintf(stderr, "dsr-agent: --timeout '%s' is not a number of seconds in 1-86400\n", v);
				return -EINVAL;
			}
			i++;
		} else if (strcmp(a, "--reason") == 0 && v) {
			if (strlen(v) >= FACTS_TEXT_LEN || strchr(v, '\n')) {
				fprintf(stderr, "dsr-agent: --reason: one line of at most %d bytes\n", FACTS_TEXT_LEN - 1);
				return -EINVAL;
			}
			c->reason = v;
			i++;
		} else if (strcmp(a, "--wait") == 0) {
			c->wait = 1;
		} else if (strcmp(a, "--json") == 0) {
			c->json = 1;
		} else if (strcmp(a, "--dry-run") == 0) {
			c->dry_run = 1;
		} else if (strcmp(a, "--persist") == 0) {
			c->persist = 1;
		} else {
			fprintf(stderr, "dsr-agent: unknown or incomplete option '%s'\n", a);
			return -EINVAL;
		}
	}
	return 0;
}

static int cmd_check(struct cli *c)
{
	static struct facts f;
	struct status_target t[STATUS_MAX_TARGETS];
	struct agent_config cfg;
	size_t i, n = 0;
	int r;
	enum rules_verdict v;

	if (load_config(c->config ? c->config : DEFAULT_CONFIG, c->config != NULL, &cfg) < 0)
		return CHECK_EXIT_ERROR;
	for (i = 0; i < c->n_vips; i++) {
		t[n].vip = c->vips[i];
		t[n++].port = (uint16_t)c->port;
	}
	if (!n) { /* no --vip: the VIPs of the configuration */
		memcpy(t, cfg.targets, cfg.n_targets * sizeof(t[0]));
		n = cfg.n_targets;
	}
	if (!n) {
		fprintf(stderr, "dsr-agent: check needs --vip ADDR (or vip lines in the configuration)\n");
		return CHECK_EXIT_ERROR;
	}
	facts_init(&f, agent_platform.os);
	r = agent_platform.facts_read(&f);
	if (r < 0) {
		fprintf(stderr, "dsr-agent: cannot read the facts: %s\n", strerror(-r));
		return CHECK_EXIT_ERROR;
	}
	agent_state_admin_apply(&cfg, &f);
	if (c->json) {
		struct buf b;
		struct findings *fs = malloc(sizeof(*fs));

		buf_init(&b, STATUS_DOC_MAX);
		if (!fs || status_render(&f, t, n, &b) < 0) {
			fprintf(stderr, "dsr-agent: cannot render the status document\n");
			free(fs);
			return CHECK_EXIT_ERROR;
		}
		fputs(b.data, stdout);
		buf_free(&b);
		v = RULES_VERDICT_OK;
		for (i = 0; i < n; i++) {
			findings_init(fs);
			rules_evaluate(&f, &t[i].vip, t[i].port, fs);
			if (rules_verdict(fs) > v)
				v = rules_verdict(fs);
		}
		free(fs);
	} else {
		v = agent_report_print(stdout, &f, t, n,
				       color_pick(agent_platform.color_terminal(stdout), getenv("NO_COLOR"), getenv("TERM")));
	}
	return v == RULES_VERDICT_CRITICAL ? CHECK_EXIT_CRITICAL :
	       v == RULES_VERDICT_WARNING ? CHECK_EXIT_WARNING : CHECK_EXIT_OK;
}

static int cmd_setup(struct cli *c)
{
	static struct facts f;
	struct agent_setup_opts o = {
		.vips = c->vips, .n_vips = c->n_vips, .dry_run = c->dry_run, .persist = c->persist,
		.root = c->root ? c->root : "", .out = stdout,
	};
	int r;

	if (!c->n_vips) {
		fprintf(stderr, "dsr-agent: setup needs --vip ADDR\n");
		return 2;
	}
	facts_init(&f, agent_platform.os);
	r = agent_platform.facts_read(&f);
	if (r < 0) {
		fprintf(stderr, "dsr-agent: cannot read the facts: %s\n", strerror(-r));
		return 1;
	}
	r = agent_platform.setup(&f, &o);
	if (r < 0) {
		fprintf(stderr, "dsr-agent: setup %s: %s\n", r == -EEXIST ? "refused" : "failed",
			r == -EEXIST ? "a VIP is on an ARP-answering interface" :
			r == -EPERM ? "permission denied (run as root)" : strerror(-r));
		return 1;
	}
	printf(c->dry_run ? "dry run: nothing changed\n" : "setup done\n");
	return 0;
}

/* The files serve trusts (issue 16, finding 3): none may be writable by
 * another account, the key not readable by every account; the reason and
 * the fix on stderr.  A certificate in a Windows store ("cert:\\...") is
 * the store's to protect. */
static int files_trusted(const char *config, const struct agent_config *cfg)
{
	const struct { const char *path; int secret; } files[] = {
		{ config, 0 }, { cfg->tls_cert, 0 }, { cfg->tls_key, 1 }, { cfg->tls_ca, 0 },
	};
	char why[512];
	size_t i;
	int r, bad = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i].path[0] || strncmp(files[i].path, "cert:", 5) == 0)
			continue;
		r = file_trust_check(files[i].path, files[i].secret, why, sizeof(why));
		if (r == -EPERM) {
			fprintf(stderr, "dsr-agent: refusing %s\n", why);
			bad = 1;
		}
		/* other errors (a missing file) are reported where it is read */
	}
	return bad ? -EPERM : 0;
}

static int cmd_serve(struct cli *c)
{
	static struct agent_config cfg;

	if (load_config(c->config ? c->config : DEFAULT_CONFIG, 1, &cfg) < 0)
		return 1;
	if (files_trusted(c->config ? c->config : DEFAULT_CONFIG, &cfg) < 0)
		return 1;
	return status_server_run(&cfg) < 0 ? 1 : 0;
}

/* `drain` and `ready`: exit 0 done, 1 timeout or failure, 2 usage. */
static int admin_set(struct cli *c, struct agent_config *cfg, enum admin_state st)
{
	int r;

	if (load_config(c->config ? c->config : DEFAULT_CONFIG, 1, cfg) < 0)
		return 2;
	if (!cfg->state_file[0]) {
		fprintf(stderr, "dsr-agent: %s needs state_file in %s (dsr-agent.conf(5))\n",
			st == ADMIN_STATE_UP ? "ready" : "drain", c->config ? c->config : DEFAULT_CONFIG);
		return 2;
	}
	r = agent_admin_set(cfg, st, c->reason);
	if (r < 0) {
		fprintf(stderr, "dsr-agent: cannot write %s: %s\n", cfg->state_file, strerror(-r));
		return 1;
	}
	return 0;
}

static void rows_json(FILE *o, const struct agent_admin_row *rows, size_t n, int drained, long long now)
{
	size_t i;

	fprintf(o, "{\"drained\":%s,\"directors\":[", drained ? "true" : "false");
	for (i = 0; i < n; i++)
		fprintf(o, "%s{\"director\":\"%s\",\"vip\":\"%s\",\"port\":%u,\"weight\":%u,\"active\":%u,"
			"\"inactive\":%u,\"age_s\":%lld}", i ? "," : "", rows[i].director, rows[i].vip, rows[i].port,
			rows[i].weight, rows[i].active, rows[i].inactive, now - rows[i].unix_time);
	fprintf(o, "]}\n");
}

/* One progress text: "lvs1 192.0.2.100:80 weight 0 active 3 inactive 1; ..." */
static void rows_text(char *out, size_t n, const struct agent_admin_row *rows, size_t nr)
{
	size_t i, o = 0;

	out[0] = '\0';
	if (!nr) {
		snprintf(out, n, "no director has reported yet");
		return;
	}
	for (i = 0; i < nr && o < n; i++) {
		int w = snprintf(out + o, n - o, "%s%s %s:%u weight %u active %u inactive %u", i ? "; " : "",
				 rows[i].director, rows[i].vip, rows[i].port, rows[i].weight, rows[i].active,
				 rows[i].inactive);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static int cmd_drain(struct cli *c)
{
	static struct agent_config cfg;
	static struct agent_admin_row rows[AGENT_ADMIN_MAX_ROWS];
	char line[2048], last[2048] = "";
	int r, n = 0, tty = isatty(fileno(stdout)), drained = 0;
	time_t start = time(NULL);
	uint32_t timeout = c->timeout_s ? c->timeout_s : 300;

	r = admin_set(c, &cfg, ADMIN_STATE_DRAIN);
	if (r)
		return r;
	if (!c->wait) {
		if (!c->json)
			printf("drain set in %s: the checkers give this server weight 0 now\n", cfg.state_file);
		else
			printf("{\"admin_state\":\"drain\"}\n");
		return 0;
	}
	for (;;) {
		long long now = (long long)time(NULL);

		n = agent_admin_directors_read(&cfg, rows, AGENT_ADMIN_MAX_ROWS);
		if (n < 0)
			n = 0;
		/* a report older than 5 s is from a director that stopped asking;
		 * one from the second the drain began or before may tell of the
		 * time before it (the times are whole seconds) */
		drained = agent_admin_drained(rows, (size_t)n, now, 5, (long long)start + 1);
		rows_text(line, sizeof(line), rows, (size_t)n);
		if (!c->json) {
			if (tty)
				printf("\r\033[K%s", line);
			else if (strcmp(line, last) != 0)
				printf("%s\n", line);
			fflush(stdout);
		}
		snprintf(last, sizeof(last), "%s", line);
		if (drained || now - (long long)start >= timeout)
			break;
		agent_admin_pause_ms(200);
	}
	if (c->json) {
		rows_json(stdout, rows, (size_t)n, drained, (long long)time(NULL));
	} else {
		if (tty)
			printf("\n");
		printf(drained ? "drained: no active connection on any director\n"
			       : "timeout after %u s: connections left (see above)\n", timeout);
	}
	return drained ? 0 : 1;
}

static int cmd_ready(struct cli *c)
{
	static struct agent_config cfg;
	int r = admin_set(c, &cfg, ADMIN_STATE_UP);

	if (r == 0)
		printf("ready set in %s: the checkers restore this server's weight\n", cfg.state_file);
	return r;
}

int main(int argc, char **argv)
{
	static struct cli c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dsr-agent %s (%s)\n", DSRKIT_VERSION, agent_platform.name);
		return 0;
	}
	if (parse_args(argc, argv, &c) < 0)
		return strcmp(argv[1], "check") == 0 ? CHECK_EXIT_ERROR : 2;
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(&c);
	if (strcmp(argv[1], "setup") == 0)
		return cmd_setup(&c);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(&c);
	if (strcmp(argv[1], "drain") == 0)
		return cmd_drain(&c);
	if (strcmp(argv[1], "ready") == 0)
		return cmd_ready(&c);
	fprintf(stderr, "dsr-agent: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
