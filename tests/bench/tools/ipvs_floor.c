/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit-ipvs-floor - the floors of the ipvs-apply benchmark, each alone:
 *   dump         one netlink read of the whole IPVS table (every service,
 *                every destination) with libdsrkit-ipvs
 *   parse FILE   one parse of a keepalived file into a table, as dsrctl
 *   fingerprint  the kernel fingerprint dsrctl apply takes (one dump of the
 *                services)
 * Prints what it read; its time and memory are the benchmark's to take. */
#include <stdio.h>
#include <string.h>

#include "bounded/buf.h"
#include "dsrkit/ipvs.h"
#include "ipvs-plugin/dsrctl/apply_stamp.h"
#include "ipvs-plugin/dsrctl/dsrctl_conf.h"

static size_t dests(const struct ipvs_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < ipvs_table_service_count(t); i++)
		n += ipvs_table_dest_count(t, i);
	return n;
}

int main(int argc, char **argv)
{
	struct ipvs_table *t = NULL;
	int r;

	if (argc == 2 && !strcmp(argv[1], "dump")) {
		struct ipvs *h;

		if ((r = ipvs_open(&h)) < 0 || (r = ipvs_table_read(h, &t)) < 0) {
			fprintf(stderr, "ipvs-floor: dump failed (%d)\n", r);
			return 1;
		}
		ipvs_close(h);
	} else if (argc == 3 && !strcmp(argv[1], "parse")) {
		struct buf err, warn;

		buf_init(&err, 1 << 20);
		buf_init(&warn, 1 << 20);
		if (conf_table_load(argv[2], &t, &err, &warn) < 0) {
			fprintf(stderr, "%s", buf_str(&err));
			return 1;
		}
	} else if (argc == 2 && !strcmp(argv[1], "fingerprint")) {
		struct ipvs *h;
		uint64_t k;

		if ((r = ipvs_open(&h)) < 0 || (r = kernel_fingerprint(h, &k)) < 0) {
			fprintf(stderr, "ipvs-floor: fingerprint: %d\n", r);
			return 1;
		}
		ipvs_close(h);
		printf("fingerprint %016llx\n", (unsigned long long)k);
		return 0;
	} else {
		fprintf(stderr, "usage: dsrkit-ipvs-floor dump | parse FILE | fingerprint\n");
		return 2;
	}
	printf("%zu services, %zu destinations\n", ipvs_table_service_count(t), dests(t));
	ipvs_table_free(t);
	return 0;
}
