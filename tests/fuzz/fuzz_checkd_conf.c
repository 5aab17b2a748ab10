/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: dsr-checkd's configuration (the kaconf tree walked for
 * the dsr_checkd block, DR virtual servers and their *_CHECK blocks) on
 * arbitrary text; includes off, as in fuzz_kaconf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/conf.h"
#include "kaconf/kaconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkd_conf c;
	char err[300];
	size_t i, j;

	checkd_conf_init(&c);
	if (checkd_conf_parse(&c, "fuzz", (const char *)data, size, KACONF_NO_INCLUDE, err, sizeof(err)) == 0 &&
	    checkd_conf_finish(&c, err, sizeof(err)) == 0) {
		for (i = 0; i < c.n_svc; i++) {
			if (!c.svc[i].dr || c.svc[i].n_rs > CHECKD_CONF_RS_MAX)
				abort();
			for (j = 0; j < c.svc[i].n_rs; j++)
				if (!c.svc[i].fwmark && c.svc[i].rs[j].addr.family != c.svc[i].vip.family)
					abort();
		}
		if (c.rise < 1 || c.fall < 1)
			abort();
		/* the announce_* values go into a TUNSETIFF and a BIRD command line as they are */
		if (c.announce_min_healthy < 1 || c.announce_min_healthy > CHECKD_CONF_RS_MAX ||
		    strpbrk(c.announce_iface, "/%: \t\r\n") || strpbrk(c.announce_bird_protocol, "\" *?\\\n") ||
		    (strcmp(c.announce_bird_socket, "off") && c.announce_bird_socket[0] != '/'))
			abort();
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		abort(); /* every error names the file and line */
	}
	checkd_conf_free(&c);
	return 0;
}
