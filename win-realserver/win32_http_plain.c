/* SPDX-License-Identifier: Apache-2.0 */
/* win32_http_plain.c - plain-HTTP transport for the TEST BUILD only
 * (dsr-agent-test.exe): wine's http.sys has no TLS, and the wine tests
 * still want the real server fetched by the Linux side.  The shipped
 * dsr-agent.exe links win32_http_tls.c instead; win.mk keeps this file out
 * of it, and the test script checks the shipped exe has no "http://" URL. */
#include <stdio.h>

#include "win-realserver/win32_http.h"

const char win32_http_transport_name[] = "plain http (TEST BUILD, no TLS, no client check)";

int win32_http_transport_begin(const struct agent_config *cfg, char *url, size_t urllen, char *err,
			       size_t errlen)
{
	char host[IPADDR_STRLEN + 2];
	int v6 = cfg->listen.family == IP_FAMILY_V6;
	size_t i, n = ipaddr_len(&cfg->listen);
	int wildcard = 1;

	(void)err;
	(void)errlen;
	for (i = 0; i < n; i++)
		wildcard &= cfg->listen.b[i] == 0;
	if (wildcard) {
		snprintf(host, sizeof(host), "+");
	} else {
		char a[IPADDR_STRLEN];

		snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", ipaddr_format(&cfg->listen, a));
	}
	snprintf(url, urllen, "http://%s:%u/", host, cfg->port);
	return 0;
}

int win32_http_client_ok(void *queue, uint64_t conn, const char **why)
{
	(void)queue;
	(void)conn;
	(void)why;
	return 1;
}

void win32_http_transport_end(void)
{
}
