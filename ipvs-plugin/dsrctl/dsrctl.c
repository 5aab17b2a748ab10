/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl - see and change the director's IPVS table, DR first.
 *
 *   dsrctl status [--json]
 *   dsrctl apply [--dry-run] [--full] [--quiet] [--state FILE] FILE
 *   dsrctl lint FILE
 *   dsrctl drain SERVICE SERVER
 *   dsrctl restore SERVICE SERVER [--weight N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded/buf.h"
#include "bounded/color.h"
#include "bounded/ipaddr.h"
#include "bounded/strparse.h"
#include "arp/arp_check_cmd.h"
#include "dsrkit/ipvs.h"
#include "ipvs-plugin/dsrctl/dr_lint.h"
#include "ipvs-plugin/dsrctl/dsrctl_conf.h"
#include "ipvs-plugin/dsrctl/apply_stamp.h"
#include "ipvs-plugin/dsrctl/dsrctl_state.h"
#include "ipvs-plugin/dsrctl/ha_lint_cmd.h"
#include "ipvs-plugin/dsrctl/sync_cmd.h"
#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

#define ERRBUF_MAX (256 * 1024)

static const char *prog = "dsrctl";

static const char usage_main[] =
	"usage: dsrctl COMMAND [OPTIONS]\n"
	"\n"
	"  status [--json]                 every service and real server, DR-focused\n"
	"  apply [--dry-run] [--full|--partial] FILE\n"
	"                                  make IPVS match a keepalived-syntax file\n"
	"  lint FILE                       check that a DR configuration can work\n"
	"  lint A.conf B.conf              what breaks a failover between a director pair\n"
	"  drain SERVICE SERVER            weight 0: established connections stay\n"
	"  restore SERVICE SERVER          put the configured weight back\n"
	"  arp-check [--iface IF] VIP...   find real servers that answer ARP for a VIP\n"
	"  sync [--json]                   connection sync daemons, connection table size\n"
	"\n"
	"SERVICE is [tcp:|udp:|sctp:]VIP:PORT ([v6]:PORT for IPv6) or fwmark:N[:v6];\n"
	"SERVER is ADDRESS[:PORT].  'dsrctl COMMAND --help' for details; man dsrctl.\n";

static const char usage_status[] =
	"usage: dsrctl status [--json]\n"
	"  Lists every IPVS service and its real servers: forwarding method, weight,\n"
	"  active/inactive connections, connections, packets and bytes (64-bit\n"
	"  counters; IPVS folds them every 2 seconds).\n";

static const char usage_apply[] =
	"usage: dsrctl apply [--dry-run] [--full|--partial] [--quiet] [--state FILE] FILE\n"
	"  Reads FILE (keepalived virtual_server syntax, includes followed), compares\n"
	"  it with the kernel and sends only the difference, pipelined.  Prints the\n"
	"  plan (each add/edit/delete) and then applies it.  Only services in FILE are\n"
	"  changed; a service is deleted only if the previous apply (remembered in the\n"
	"  state file) created it and FILE no longer has it.\n"
	"  --dry-run     print the plan, change nothing\n"
	"  --full        compare every service with the kernel, even those unchanged\n"
	"                since the previous apply\n"
	"  --partial     FILE holds only some services (e.g. the ones that changed):\n"
	"                read and change just those, delete no service\n"
	"  --quiet       print only the summary\n"
	"  --state FILE  where to remember what was applied\n"
	"                (default /run/dsrctl/ipvs-applied.NETNS.conf; its folder must\n"
	"                be ours and writable by no one else)\n"
	"  Exit: 0 all applied, 1 bad input (nothing applied), 2 some operations failed.\n";

static const char usage_lint[] =
	"usage: dsrctl lint FILE\n"
	"  Checks that every virtual_server of FILE can work as Direct Routing on this\n"
	"  director; prints 'file:line: CODE: what [fix: ...]'.  Exit 0 only when clean.\n"
	"  Codes: DR_PORT_REMAP DR_RS_NOT_CONNECTED DR_VIP_NOT_LOCAL DR_NOT_DR DR_FAMILY_MIX\n"
	"         DR_MH_NO_FALLBACK\n"
	"usage: dsrctl lint [--sync-external] A.conf B.conf\n"
	"  Compares two directors' keepalived.conf: every difference that breaks a\n"
	"  failover (HA_* codes; see 'man dsrctl').\n";

static const char usage_drain[] =
	"usage: dsrctl drain SERVICE SERVER\n"
	"  Sets the real server's weight to 0: no new connections are scheduled to it,\n"
	"  established ones continue.  The weight it had is remembered for restore.\n";

static const char usage_restore[] =
	"usage: dsrctl restore SERVICE SERVER [--weight N]\n"
	"  Puts the weight back: N if given, else the weight of the last 'dsrctl apply',\n"
	"  else the weight the server had when drained.\n";

static int want_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* ---------- arguments ---------- */

static int parse_port(const char *s, uint16_t *out)
{
	uint32_t v;

	if (parse_u32(s, &v, 0, 65535) < 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* ADDR or [V6] with an optional :PORT (required when need_port). */
static int parse_addr_port(const char *s, union ipvs_addr *a, int *af, uint16_t *port, int need_port,
			   int *has_port)
{
	struct ip_addr ip;
	const char *end, *colon = NULL;
	size_t n;

	*has_port = 0;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end)
			return -EINVAL;
		if (ipaddr_parsen(s + 1, (size_t)(end - s - 1), &ip) < 0 || ip.family != IP_FAMILY_V6)
			return -EINVAL;
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1] != '\0')
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon) /* bare IPv6 without port */
			colon = NULL;
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (ipaddr_parsen(s, n, &ip) < 0)
			return -EINVAL;
	}
	if (colon) {
		if (parse_port(colon + 1, port) < 0)
			return -EINVAL;
		*has_port = 1;
	} else if (need_port) {
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a, ip.b, ipaddr_len(&ip));
	*af = ip.family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	return 0;
}

static int parse_service_arg(const char *s, struct ipvs_service *svc)
{
	int has_port;

	memset(svc, 0, sizeof(*svc));
	svc->protocol = IPPROTO_TCP;
	if (strncmp(s, "fwmark:", 7) == 0) {
		char mark[16];
		const char *rest = s + 7, *c = strchr(rest, ':');
		size_t n = c ? (size_t)(c - rest) : strlen(rest);

		if (n == 0 || n >= sizeof(mark))
			return -EINVAL;
		memcpy(mark, rest, n);
		mark[n] = '\0';
		if (parse_u32(mark, &svc->fwmark, 1, UINT32_MAX) < 0)
			return -EINVAL;
		svc->protocol = 0;
		svc->af = c && strcmp(c, ":v6") == 0 ? AF_INET6 : AF_INET;
		return c && strcmp(c, ":v6") != 0 && strcmp(c, ":v4") != 0 ? -EINVAL : 0;
	}
	if (strncmp(s, "tcp:", 4) == 0) {
		s += 4;
	} else if (strncmp(s, "udp:", 4) == 0) {
		svc->protocol = IPPROTO_UDP;
		s += 4;
	} else if (strncmp(s, "sctp:", 5) == 0) {
		svc->protocol = IPPROTO_SCTP;
		s += 5;
	}
	return parse_addr_port(s, &svc->addr, &svc->af, &svc->port, 1, &has_port);
}

/* ---------- status ---------- */

static void json_stats(const struct ipvs_stats *st)
{
	printf("\"conns\":%llu,\"inpkts\":%llu,\"outpkts\":%llu,\"inbytes\":%llu,\"outbytes\":%llu,"
	       "\"cps\":%llu,\"inpps\":%llu,\"outpps\":%llu,\"inbps\":%llu,\"outbps\":%llu",
	       (unsigned long long)st->conns, (unsigned long long)st->inpkts,
	       (unsigned long long)st->outpkts, (unsigned long long)st->inbytes,
	       (unsigned long long)st->outbytes, (unsigned long long)st->cps,
	       (unsigned long long)st->inpps, (unsigned long long)st->outpps,
	       (unsigned long long)st->inbps, (unsigned long long)st->outbps);
}

static const char *proto_lower(uint16_t p)
{
	return p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : p == IPPROTO_TCP ? "tcp" : "";
}

static void status_json(const struct ipvs_table *t)
{
	size_t i, j;
	char ip[INET6_ADDRSTRLEN];

	printf("{\"services\":[");
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);

		printf("%s{\"family\":\"%s\",", i ? "," : "", s->af == AF_INET6 ? "inet6" : "inet");
		if (s->fwmark)
			printf("\"fwmark\":%u,", s->fwmark);
		else
			printf("\"protocol\":\"%s\",\"address\":\"%s\",\"port\":%u,", proto_lower(s->protocol),
			       inet_ntop(s->af, &s->addr, ip, sizeof(ip)), s->port);
		printf("\"scheduler\":\"%s\",\"flags\":%u,\"persistence_timeout\":%u,\"netmask\":%u,",
		       s->sched, s->flags, s->timeout, s->netmask);
		json_stats(&s->stats);
		printf(",\"real_servers\":[");
		for (j = 0; j < ipvs_table_dest_count(t, i); j++) {
			const struct ipvs_dest *d = ipvs_table_dest(t, i, j);

			printf("%s{\"address\":\"%s\",\"port\":%u,\"forward\":\"%s\",\"weight\":%d,"
			       "\"upper_threshold\":%u,\"lower_threshold\":%u,\"active\":%u,\"inactive\":%u,",
			       j ? "," : "", inet_ntop(d->af ? d->af : s->af, &d->addr, ip, sizeof(ip)), d->port,
			       ipvs_fwd_name(d->fwd), d->weight, d->u_threshold, d->l_threshold,
			       d->active_conns, d->inactive_conns);
			json_stats(&d->stats);
			printf("}");
		}
		printf("]}");
	}
	printf("]}\n");
}

/* Colour (on a terminal, without NO_COLOR): the header and services bold,
 * a drained real server yellow, one not forwarded by DR red: this is a DR
 * tool, and a masq or tunnel entry is what an admin wants to see first. */
static void status_text(const struct ipvs_table *t, const struct color *c)
{
	size_t i, j;
	char a[128], extra[64];

	printf("%s%-34s %-4s %6s %7s %7s %9s %10s %10s %12s %12s%s\n", c->bold, "SERVICE / REAL SERVER", "FWD",
	       "WEIGHT", "ACTIVE", "INACT", "CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES", c->reset);
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);
		const struct ipvs_stats *st = &s->stats;

		ipvs_service_format(s, a, sizeof(a));
		extra[0] = '\0';
		if (s->timeout)
			snprintf(extra, sizeof(extra), " persistent %u", s->timeout);
		printf("%s%-34s %-4s %6s %7s %7s %9llu %10llu %10llu %12llu %12llu  %s%s%s\n", c->bold, a, "", "", "",
		       "", (unsigned long long)st->conns, (unsigned long long)st->inpkts,
		       (unsigned long long)st->outpkts, (unsigned long long)st->inbytes,
		       (unsigned long long)st->outbytes, s->sched, extra, c->reset);
		for (j = 0; j < ipvs_table_dest_count(t, i); j++) {
			const struct ipvs_dest *d = ipvs_table_dest(t, i, j);
			char da[96];

			st = &d->stats;
			snprintf(a, sizeof(a), "  -> %s", ipvs_dest_format(s, d, da, sizeof(da)));
			const char *col = d->fwd != IPVS_FWD_DR ? c->red : d->weight == 0 ? c->yellow : "";

			printf("%s%-34s %-4s %6d %7u %7u %9llu %10llu %10llu %12llu %12llu%s%s\n", col, a,
			       ipvs_fwd_name(d->fwd), d->weight, d->active_conns, d->inactive_conns,
			       (unsigned long long)st->conns, (unsigned long long)st->inpkts,
			       (unsigned long long)st->outpkts, (unsigned long long)st->inbytes,
			       (unsigned long long)st->outbytes, d->weight == 0 ? "  (drained)" : "", *col ? c->reset : "");
		}
	}
}

static int open_ipvs(struct ipvs **h)
{
	int r = ipvs_open(h);

	if (r < 0)
		fprintf(stderr, "%s: cannot talk to IPVS: %s%s\n", prog, strerror(-r),
			r == -ENOENT ? " (is the ip_vs module loaded?)" : "");
	return r;
}

static int cmd_status(int argc, char **argv)
{
	struct ipvs *h;
	struct ipvs_table *t;
	int json = 0, i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else {
			fprintf(stderr, "%s status: unknown argument '%s'\n%s", prog, argv[i], usage_status);
			return 1;
		}
	}
	if (open_ipvs(&h) < 0)
		return 1;
	r = ipvs_table_read(h, &t);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(h));
		ipvs_close(h);
		return 1;
	}
	if (json)
		status_json(t);
	else
		status_text(t, color_pick(isatty(STDOUT_FILENO) == 1, getenv("NO_COLOR"), getenv("TERM")));
	ipvs_table_free(t);
	ipvs_close(h);
	return 0;
}

/* ---------- apply ---------- */

static void print_op(const struct ipvs_op *op, const char *prefix)
{
	char what[256];

	ipvs_op_format(op, what, sizeof(what));
	if (op->kind == IPVS_OP_SERVICE_ADD || op->kind == IPVS_OP_SERVICE_EDIT)
		printf("%s%s (%s%s)\n", prefix, what, op->svc.sched,
		       op->svc.timeout ? ", persistent" : "");
	else if (op->kind == IPVS_OP_DEST_ADD || op->kind == IPVS_OP_DEST_EDIT)
		printf("%s%s (%s, weight %d)\n", prefix, what, ipvs_fwd_name(op->dest.fwd), op->dest.weight);
	else
		printf("%s%s\n", prefix, what);
}

static int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "full", no_argument, NULL, 'F' },
		{ "partial", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ipvs_table *want = NULL, *prev = NULL, *given = NULL;
	struct apply_stamp stamp = { 0 };
	uint64_t fdig = 0, fsize = 0, kfp = 0;
	int have_stamp = 0, whole = 0, kfp_ok = 0, dir_ok;
	char stpath[620];
	struct ipvs_plan *plan = NULL;
	struct ipvs *h = NULL;
	struct buf err, warn;
	char spath[512], ppath[600], why[768];
	const char *state = NULL;
	size_t i, counts[IPVS_OP_COUNT] = { 0 };
	int dry = 0, full = 0, partial = 0, quiet = 0, c, r, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "nFPqs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = 1; break;
		case 'F': full = 1; break;
		case 'P': partial = 1; break;
		case 'q': quiet = 1; break;
		case 's': state = optarg; break;
		case 'h': fputs(usage_apply, stdout); return 0;
		default: fputs(usage_apply, stderr); return 1;
		}
	}
	if (optind != argc - 1 || (full && partial)) {
		fputs(usage_apply, stderr);
		return 1;
	}
	if (!state)
		state = state_file_path("applied", spath, sizeof(spath));
	snprintf(ppath, sizeof(ppath), "%s.partial", state);
	snprintf(stpath, sizeof(stpath), "%s.stamp", state);
	buf_init(&err, ERRBUF_MAX);
	buf_init(&warn, ERRBUF_MAX);
	/* Before anything else: a state another account could write would let
	 * it choose what this apply deletes (a dry run only reports). */
	dir_ok = state_dir_check(state, why, sizeof(why)) == 0;
	if (!dry && !dir_ok) {
		fprintf(stderr, "%s: %s: nothing applied\n", prog, why);
		goto out;
	}
	/* The whole file, as the last apply left it, and the kernel's table as
	 * it left it: nothing to read, nothing to do (see apply_stamp.c) */
	/* read before the parse: a file changed meanwhile is not taken as applied */
	if (!partial && file_fingerprint(argv[optind], &fdig, &fsize) == 0)
		whole = 1;
	if (!partial && dir_ok && ipvs_open(&h) == 0 && (kfp_ok = kernel_fingerprint(h, &kfp) == 0) &&
	    apply_stamp_read(stpath, &stamp) == 0 && !state_file_exists(ppath)) {
		have_stamp = stamp.kernel == kfp;
		if (have_stamp && whole && !full && stamp.file_digest == fdig && stamp.file_size == fsize) {
			printf("plan: 0 operations (services +0 ~0 -0, real servers +0 ~0 -0), 0 kernel reads, "
			       "%llu services in %s (file and kernel table as the last apply left them)\n",
			       (unsigned long long)stamp.services, argv[optind]);
			if (!dry)
				printf("applied: 0 ok, 0 failed\n");
			rc = 0;
			goto out;
		}
	}
	r = conf_table_load(argv[optind], &want, &err, &warn);
	fputs(buf_str(&warn), stderr);
	if (r < 0) {
		fputs(buf_str(&err), stderr);
		fprintf(stderr, "%s: %s: nothing applied\n", prog, argv[optind]);
		goto out;
	}
	if (!h && open_ipvs(&h) < 0)
		goto out;
	if (!full && !partial && have_stamp) {
		/* the kernel is as we left it: compare the file with what we
		 * applied, service by service, and read back only the services
		 * that changed and those to delete */
		uint64_t d;

		given = ipvs_table_new();
		prev = apply_stamp_missing(&stamp, want);
		for (i = 0; given && prev && i < ipvs_table_service_count(want); i++) {
			size_t j;
			int k;

			if (apply_stamp_find(&stamp, ipvs_table_service(want, i), &d) && d == service_digest(want, i))
				continue;
			k = ipvs_table_service_add(given, ipvs_table_service(want, i));
			for (j = 0; k >= 0 && j < ipvs_table_dest_count(want, i); j++)
				if (ipvs_table_dest_add(given, (size_t)k, ipvs_table_dest(want, i, j)) < 0)
					k = -1;
			if (k < 0)
				break;
		}
		if (!given || !prev || i < ipvs_table_service_count(want)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			goto out;
		}
		r = ipvs_plan_make(h, given, prev, IPVS_PLAN_GIVEN_ONLY | IPVS_PLAN_DELETE_PREVIOUS, &plan);
		ipvs_table_free(prev);
		prev = NULL;
		goto planned;
	}
	if (!full && !partial) {
		prev = state_table_read(state);
		/* services changed by --partial since: compare them fully */
		if (prev && state_file_exists(ppath) != 0) {
			struct ipvs_table *dirty = state_dirty_read(ppath), *p2;

			p2 = dirty ? state_table_without(prev, dirty) : NULL;
			ipvs_table_free(dirty);
			ipvs_table_free(prev);
			prev = p2;
		}
	}
	/* without a stamp matching the kernel, someone else (keepalived, an
	 * administrator) changed its services since: compare every service's
	 * attributes with a dump of the kernel's, as without a stamp */
	r = ipvs_plan_make(h, want, prev, full ? IPVS_PLAN_FULL : partial ? IPVS_PLAN_GIVEN_ONLY : 0, &plan);
planned:
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(h));
		goto out;
	}
	for (i = 0; i < ipvs_plan_count(plan); i++) {
		const struct ipvs_op *op = ipvs_plan_op(plan, i);

		counts[op->kind]++;
		if (!quiet)
			print_op(op, dry ? "would " : "");
	}
	printf("plan: %zu operations (services +%zu ~%zu -%zu, real servers +%zu ~%zu -%zu), "
	       "%zu kernel reads, %zu services in %s\n",
	       ipvs_plan_count(plan), counts[IPVS_OP_SERVICE_ADD], counts[IPVS_OP_SERVICE_EDIT],
	       counts[IPVS_OP_SERVICE_DEL], counts[IPVS_OP_DEST_ADD], counts[IPVS_OP_DEST_EDIT],
	       counts[IPVS_OP_DEST_DEL], ipvs_plan_reads(plan), ipvs_table_service_count(want),
	       argv[optind]);
	if (dry) {
		rc = 0;
		goto out;
	}
	r = ipvs_plan_execute(h, plan);
	if (r < 0 && r != -EIO) {
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(h));
		rc = 2;
		goto out;
	}
	for (i = 0; i < ipvs_plan_count(plan); i++) {
		const struct ipvs_op *op = ipvs_plan_op(plan, i);
		char what[256];

		if (op->error < 0)
			fprintf(stderr, "ipvs: %s: %s\n", ipvs_op_format(op, what, sizeof(what)),
				strerror(-op->error));
	}
	printf("applied: %zu ok, %zu failed\n", ipvs_plan_count(plan) - ipvs_plan_failed(plan),
	       ipvs_plan_failed(plan));
	rc = ipvs_plan_failed(plan) ? 2 : 0;
	/* Remember what we applied; after a failure remember nothing, so the
	 * next apply compares every service with the kernel. */
	if (rc != 0 || partial)
		unlink(stpath);
	if (rc == 0 && partial) {
		r = state_partial_note(ppath, want);
		if (r < 0) {
			fprintf(stderr, "%s: cannot note the partial apply in %s: %s\n", prog, ppath,
				strerror(-r));
			(void)state_file_remove(state);
		}
	} else if (rc == 0) {
		r = state_table_write(state, want, SIZE_MAX);
		if (r < 0)
			fprintf(stderr, "%s: cannot write state %s: %s\n", prog, state, strerror(-r));
		(void)state_file_remove(ppath);
		/* the kernel's table as this apply leaves it: the fingerprint
		 * covers the services only, so a plan of real-server changes
		 * alone (the usual weight change) leaves it as read before the
		 * parse; a service changed by someone else since then is then
		 * noticed by the next apply rather than taken for ours */
		if (!whole)
			fdig = fsize = 0; /* includes: no shortcut next time */
		if (r >= 0 && (!kfp_ok || counts[IPVS_OP_SERVICE_ADD] || counts[IPVS_OP_SERVICE_EDIT] ||
			       counts[IPVS_OP_SERVICE_DEL]))
			r = kernel_fingerprint(h, &kfp);
		if (r < 0 || (r = apply_stamp_write(stpath, want, fdig, fsize, kfp)) < 0)
			(void)state_file_remove(stpath);
	} else {
		(void)state_file_remove(state);
		(void)state_file_remove(ppath);
	}
out:
	apply_stamp_free(&stamp);
	ipvs_table_free(given);
	ipvs_plan_free(plan);
	ipvs_table_free(want);
	ipvs_table_free(prev);
	ipvs_close(h);
	buf_free(&err);
	buf_free(&warn);
	return rc;
}

/* ---------- lint ---------- */

static void lint_print(const struct lint_finding *f, void *arg)
{
	(void)arg;
	lint_finding_print(f, stdout);
}

static int cmd_lint(int argc, char **argv)
{
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct lint_routes routes = { .lookup = route_lookup_rtnl };
	struct buf err;
	size_t n;
	int r;

	if (argc >= 3)
		return ha_lint_cmd(argc, argv);
	if (argc != 2) {
		fputs(usage_lint, stderr);
		return 1;
	}
	buf_init(&err, ERRBUF_MAX);
	r = kaconf_parse_file(argv[1], 0, &cf, &err);
	if (r < 0) {
		fputs(buf_str(&err), stderr);
		buf_free(&err);
		return 1;
	}
	r = kaconf_vs_collect(cf, &l, &err);
	fputs(buf_str(&l.warnings), stderr);
	if (r < 0) {
		fputs(buf_str(&err), stderr);
		kaconf_vs_list_free(&l);
		kaconf_free(cf);
		buf_free(&err);
		return 1;
	}
	n = dr_lint_run(cf, &l, &routes, lint_print, NULL);
	printf("lint: %zu virtual servers, %zu finding%s\n", l.n, n, n == 1 ? "" : "s");
	kaconf_vs_list_free(&l);
	kaconf_free(cf);
	buf_free(&err);
	return n ? 1 : 0;
}

/* ---------- drain / restore ---------- */

struct target {
	struct ipvs *h;
	struct ipvs_table *t; /* the one service and its dests, from the kernel */
	size_t j;             /* the dest */
	char name[256];
};

static int find_target(const char *svc_arg, const char *rs_arg, struct target *tg)
{
	struct ipvs_service key, s;
	union ipvs_addr a;
	uint16_t port = 0;
	int af, has_port, r, idx, found = -1;
	size_t j;
	char sv[96], dv[96];

	if (parse_service_arg(svc_arg, &key) < 0) {
		fprintf(stderr, "%s: '%s' is not a service (VIP:PORT, [V6]:PORT, udp:VIP:PORT, fwmark:N)\n",
			prog, svc_arg);
		return -EINVAL;
	}
	if (parse_addr_port(rs_arg, &a, &af, &port, 0, &has_port) < 0) {
		fprintf(stderr, "%s: '%s' is not a real server (ADDRESS[:PORT])\n", prog, rs_arg);
		return -EINVAL;
	}
	if ((r = open_ipvs(&tg->h)) < 0)
		return r;
	r = ipvs_service_get(tg->h, &key, &s);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(tg->h));
		return r;
	}
	tg->t = ipvs_table_new();
	if (!tg->t)
		return -ENOMEM;
	idx = ipvs_table_service_add(tg->t, &s);
	if (idx < 0)
		return idx;
	r = ipvs_dest_dump(tg->h, tg->t, 0);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(tg->h));
		return r;
	}
	for (j = 0; j < ipvs_table_dest_count(tg->t, 0); j++) {
		const struct ipvs_dest *d = ipvs_table_dest(tg->t, 0, j);
		int daf = d->af ? d->af : s.af;

		if (daf != af || memcmp(&d->addr, &a, af == AF_INET6 ? 16 : 4) != 0 ||
		    (has_port && d->port != port))
			continue;
		if (found >= 0) {
			fprintf(stderr, "%s: %s has several ports on %s: give ADDRESS:PORT\n", prog, rs_arg,
				ipvs_service_format(&s, sv, sizeof(sv)));
			return -EINVAL;
		}
		found = (int)j;
	}
	if (found < 0) {
		fprintf(stderr, "%s: %s is not a real server of %s\n", prog, rs_arg,
			ipvs_service_format(&s, sv, sizeof(sv)));
		return -ENOENT;
	}
	tg->j = (size_t)found;
	snprintf(tg->name, sizeof(tg->name), "%s of %s",
		 ipvs_dest_format(&s, ipvs_table_dest(tg->t, 0, tg->j), dv, sizeof(dv)),
		 ipvs_service_format(&s, sv, sizeof(sv)));
	return 0;
}

static void target_free(struct target *tg)
{
	ipvs_table_free(tg->t);
	ipvs_close(tg->h);
}

static int set_weight(struct target *tg, int32_t w)
{
	struct ipvs_dest d = *ipvs_table_dest(tg->t, 0, tg->j);
	int r;

	d.weight = w;
	r = ipvs_dest_edit(tg->h, ipvs_table_service(tg->t, 0), &d);

	if (r < 0)
		fprintf(stderr, "%s: %s\n", prog, ipvs_errmsg(tg->h));
	return r;
}

static int cmd_drain(int argc, char **argv)
{
	struct target tg = { 0 };
	char path[512];
	struct ipvs_table *applied;
	int rc = 1;

	if (argc != 3) {
		fputs(usage_drain, stderr);
		return 1;
	}
	if (find_target(argv[1], argv[2], &tg) < 0)
		goto out;
	if (ipvs_table_dest(tg.t, 0, tg.j)->weight != 0 &&
	    state_drained_update(ipvs_table_service(tg.t, 0), ipvs_table_dest(tg.t, 0, tg.j), 0) < 0)
		fprintf(stderr, "%s: warning: cannot remember the weight of %s\n", prog, tg.name);
	if (set_weight(&tg, 0) < 0)
		goto out;
	/* The next apply must compare this service with the kernel again, so
	 * that it puts the configured weight back: forget it in the state. */
	state_file_path("applied", path, sizeof(path));
	applied = state_table_read(path);
	if (applied) {
		int i = ipvs_table_service_find(applied, ipvs_table_service(tg.t, 0));

		if (i >= 0 && state_table_write(path, applied, (size_t)i) < 0)
			fprintf(stderr, "%s: warning: cannot update %s\n", prog, path);
		ipvs_table_free(applied);
	}
	printf("drained %s (weight 0; established connections continue)\n", tg.name);
	rc = 0;
out:
	target_free(&tg);
	return rc;
}

static int cmd_restore(int argc, char **argv)
{
	struct target tg = { 0 };
	char path[512];
	uint32_t w32;
	int32_t w = -1;
	const char *from = "--weight";
	int rc = 1, i, pos = 0;
	const char *args[2] = { NULL, NULL };

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--weight") == 0 && i + 1 < argc) {
			if (parse_u32(argv[++i], &w32, 0, 65535) < 0) {
				fprintf(stderr, "%s: --weight: '%s' is not a number from 0 to 65535\n", prog, argv[i]);
				return 1;
			}
			w = (int32_t)w32;
		} else if (pos < 2 && argv[i][0] != '-') {
			args[pos++] = argv[i];
		} else {
			fputs(usage_restore, stderr);
			return 1;
		}
	}
	if (pos != 2) {
		fputs(usage_restore, stderr);
		return 1;
	}
	if (find_target(args[0], args[1], &tg) < 0)
		goto out;
	if (w < 0) {
		w = state_weight_find(state_file_path("applied", path, sizeof(path)), ipvs_table_service(tg.t, 0),
			      ipvs_table_dest(tg.t, 0, tg.j));
		from = "the last apply";
	}
	if (w < 0) {
		w = state_weight_find(state_file_path("drained", path, sizeof(path)), ipvs_table_service(tg.t, 0),
			      ipvs_table_dest(tg.t, 0, tg.j));
		from = "before the drain";
	}
	if (w < 0) {
		fprintf(stderr, "%s: no configured weight known for %s: use --weight N\n", prog, tg.name);
		goto out;
	}
	if (set_weight(&tg, w) < 0)
		goto out;
	if (state_drained_update(ipvs_table_service(tg.t, 0), ipvs_table_dest(tg.t, 0, tg.j), 1) < 0)
		fprintf(stderr, "%s: warning: cannot update the drained list\n", prog);
	printf("restored %s to weight %d (%s)\n", tg.name, w, from);
	rc = 0;
out:
	target_free(&tg);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
		const char *usage;
	} cmds[] = {
		{ "status", cmd_status, usage_status },
		{ "apply", cmd_apply, usage_apply },
		{ "lint", cmd_lint, usage_lint },
		{ "drain", cmd_drain, usage_drain },
		{ "restore", cmd_restore, usage_restore },
		{ "arp-check", arp_check_cmd, arp_check_usage },
		{ "sync", sync_cmd, sync_cmd_usage },
	};
	size_t i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dsrctl %s\n", DSRKIT_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		if (want_help(argc - 1, argv + 1)) {
			fputs(cmds[i].usage, stdout);
			return 0;
		}
		return cmds[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s'\n%s", prog, argv[1], usage_main);
	return 1;
}
