/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: dsr-checkd's web configuration file (node_exporter's
 * --web.config.file YAML, read with libyaml) on arbitrary bytes: a parse
 * that succeeds leaves bounded, consistent settings; one that fails names
 * the file and line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/webconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webconf w;
	char err[600];
	size_t i;

	if (webconf_parse(&w, "fuzz", (const char *)data, size, err, sizeof(err)) == 0) {
		if (w.n_users > WEBCONF_USERS_MAX || (w.n_users && !w.users))
			abort();
		if (w.tls && (!w.cert_file[0] || !w.key_file[0]))
			abort();
		if (w.min_version < 10 || w.min_version > 13 || (w.max_version && w.max_version < w.min_version))
			abort();
		if ((w.client_auth == WEBCONF_REQUIRE_AND_VERIFY_CLIENT_CERT ||
		     w.client_auth == WEBCONF_VERIFY_CLIENT_CERT_IF_GIVEN) && !w.client_ca_file[0])
			abort();
		for (i = 0; i < w.n_users; i++)
			if (strlen(w.users[i].hash) != 60 || !w.users[i].name[0] || strchr(w.users[i].name, ':'))
				abort();
		/* a header of the input's own bytes against the users: no crash
		 * (cost-4 hashes in the corpus keep this fast) */
		if (w.n_users && size < 200)
			(void)webconf_check_basic(&w, (const char *)data, size);
		webconf_free(&w);
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		abort(); /* every error names the file and line */
	}
	return 0;
}
