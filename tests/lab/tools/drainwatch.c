/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit-drainwatch - fault-to-drain at the kernel, for the detect bench
 * and the checkd-events lab test.
 *
 *   dsrkit-drainwatch VIP PORT RS TIMEOUT_MS -- CMD [ARG...]
 *
 * Runs in the director's namespace.  Checks that RS has a weight above 0
 * in the IPVS service VIP:PORT (TCP), takes the time, runs CMD (the fault),
 * and reads the IPVS table over netlink every millisecond until RS's
 * weight is 0 or RS is gone.  Prints the milliseconds from just before
 * CMD was started (so CMD's own start-up counts against the checker) and
 * exits 0; prints "timeout" and exits 1 after TIMEOUT_MS; 2 on usage or
 * IPVS errors, 3 when RS was not up to begin with.  A poll every 1 ms, not
 * a busy loop: the lab's guest has one CPU, shared with the agent and the
 * checker being measured. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bounded/ipaddr.h"
#include "bounded/strparse.h"
#include "dsrkit/ipvs.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int addr_is(int af, const union ipvs_addr *a, const struct ip_addr *want)
{
	if (want->family == IP_FAMILY_V4)
		return af == AF_INET && memcmp(a->b, want->b, 4) == 0;
	return af == AF_INET6 && memcmp(a->b, want->b, 16) == 0;
}

/* RS's weight in VIP:PORT, -1 when absent, -2 on an error. */
static int32_t weight_of(struct ipvs *h, const struct ip_addr *vip, uint16_t port, const struct ip_addr *rs)
{
	struct ipvs_table *t = NULL;
	int32_t w = -1;
	size_t i, j;

	if (ipvs_table_read(h, &t) < 0)
		return -2;
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);

		if (s->fwmark || s->port != port || !addr_is(s->af, &s->addr, vip))
			continue;
		for (j = 0; j < ipvs_table_dest_count(t, i); j++) {
			const struct ipvs_dest *d = ipvs_table_dest(t, i, j);

			if (addr_is(d->af ? d->af : s->af, &d->addr, rs))
				w = d->weight;
		}
	}
	ipvs_table_free(t);
	return w;
}

int main(int argc, char **argv)
{
	struct ip_addr vip, rs;
	uint32_t port, timeout;
	struct ipvs *h = NULL;
	struct timespec ms1 = { 0, 1000000 };
	double t0;
	pid_t pid;
	int32_t w;

	if (argc < 7 || strcmp(argv[5], "--") != 0 || ipaddr_parse(argv[1], &vip) < 0 ||
	    parse_u32(argv[2], &port, 1, 65535) < 0 || ipaddr_parse(argv[3], &rs) < 0 ||
	    parse_u32(argv[4], &timeout, 1, 600000) < 0) {
		fprintf(stderr, "usage: dsrkit-drainwatch VIP PORT RS TIMEOUT_MS -- CMD [ARG...]\n");
		return 2;
	}
	if (ipvs_open(&h) < 0) {
		fprintf(stderr, "dsrkit-drainwatch: no IPVS\n");
		return 2;
	}
	w = weight_of(h, &vip, (uint16_t)port, &rs);
	if (w <= 0) {
		fprintf(stderr, "dsrkit-drainwatch: %s is not up in %s:%u (weight %d)\n", argv[3], argv[1], port, w);
		ipvs_close(h);
		return 3;
	}
	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[6], argv + 6);
		_exit(127);
	}
	if (pid < 0) {
		ipvs_close(h);
		return 2;
	}
	for (;;) {
		double t = now_ms();

		w = weight_of(h, &vip, (uint16_t)port, &rs);
		if (w == 0 || w == -1) {
			printf("%.1f\n", t - t0);
			break;
		}
		if (t - t0 > timeout) {
			printf("timeout\n");
			break;
		}
		nanosleep(&ms1, NULL);
	}
	waitpid(pid, NULL, 0);
	ipvs_close(h);
	return w == 0 || w == -1 ? 0 : 1;
}
