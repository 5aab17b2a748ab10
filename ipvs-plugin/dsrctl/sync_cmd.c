/* SPDX-License-Identifier: Apache-2.0 */
/* sync_cmd.c - `dsrctl sync [--json]`: which sync daemons run (read over
 * generic netlink, IPVS_CMD_GET_DAEMON: state, sync id, interface,
 * multicast group/port/ttl, payload size) and how many connections the
 * table holds (/proc/net/ip_vs_conn: the kernel offers no counter). */
#include "ipvs-plugin/dsrctl/sync_cmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dsrkit/ipvs.h"

const char sync_cmd_usage[] =
	"usage: dsrctl sync [--json]\n"
	"  Shows the IPVS connection sync daemons of this network namespace (role,\n"
	"  sync id, interface, multicast group and port, TTL, payload size; read over\n"
	"  generic netlink) and the size of the connection table (every entry, and\n"
	"  the TCP ones ESTABLISHED; counted from /proc/net/ip_vs_conn).\n"
	"  A director of a pair runs both daemons: a master with its own sync id and\n"
	"  a backup with its peer's (see doc/ha.md).  Exit 0; 1 when IPVS cannot be read.\n";

static const char *group_text(const struct ipvs_sync_daemon *d, char *out, size_t n)
{
	if (!d->mcast_af)
		return "default";
	return inet_ntop(d->mcast_af, &d->mcast_group, out, (socklen_t)n) ? out : "?";
}

int sync_cmd(int argc, char **argv)
{
	struct ipvs_sync_daemon d[4];
	struct ipvs *h;
	uint64_t total = 0, est = 0;
	size_t n = 0, i;
	char g[INET6_ADDRSTRLEN];
	int json = 0, r, conns_err;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else {
			fprintf(stderr, "dsrctl sync: unknown argument '%s'\n%s", argv[i], sync_cmd_usage);
			return 1;
		}
	}
	r = ipvs_open(&h);
	if (r < 0) {
		fprintf(stderr, "dsrctl: cannot talk to IPVS: %s%s\n", strerror(-r),
			r == -ENOENT ? " (is the ip_vs module loaded?)" : "");
		return 1;
	}
	r = ipvs_sync_daemon_get(h, d, sizeof(d) / sizeof(d[0]), &n);
	if (r < 0) {
		fprintf(stderr, "dsrctl: %s\n", ipvs_errmsg(h));
		ipvs_close(h);
		return 1;
	}
	ipvs_close(h);
	conns_err = ipvs_conn_count(NULL, &total, &est);
	if (json) {
		printf("{\"daemons\":[");
		for (i = 0; i < n; i++)
			printf("%s{\"state\":\"%s\",\"syncid\":%u,\"interface\":\"%s\",\"group\":\"%s\","
			       "\"port\":%u,\"ttl\":%u,\"maxlen\":%u}",
			       i ? "," : "", ipvs_sync_state_name(d[i].state), d[i].syncid, d[i].mcast_ifn,
			       group_text(&d[i], g, sizeof(g)), d[i].mcast_port, d[i].mcast_ttl,
			       d[i].sync_maxlen);
		if (conns_err < 0)
			printf("],\"connections\":null,\"established\":null}\n");
		else
			printf("],\"connections\":%llu,\"established\":%llu}\n", (unsigned long long)total,
			       (unsigned long long)est);
		return 0;
	}
	if (n == 0)
		printf("no sync daemon running: this director neither sends nor receives connections\n");
	for (i = 0; i < n; i++)
		printf("%-6s syncid %-3u interface %-8s group %s port %u ttl %u maxlen %u\n",
		       ipvs_sync_state_name(d[i].state), d[i].syncid, d[i].mcast_ifn,
		       group_text(&d[i], g, sizeof(g)), d[i].mcast_port, d[i].mcast_ttl, d[i].sync_maxlen);
	if (conns_err < 0)
		printf("connections: unknown (/proc/net/ip_vs_conn: %s)\n", strerror(-conns_err));
	else
		printf("connections: %llu (%llu established)\n", (unsigned long long)total,
		       (unsigned long long)est);
	return 0;
}
