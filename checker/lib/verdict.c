/* SPDX-License-Identifier: Apache-2.0 */
/* verdict.c - verdict helpers; the layer names are written once here. */
#include "checker/lib/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const layer_names[CHECK_LAYER_COUNT] = {
	[CHECK_LAYER_NONE] = "none",
	[CHECK_LAYER_CONFIG] = "config",
	[CHECK_LAYER_CONNECT] = "connect",
	[CHECK_LAYER_TLS] = "tls",
	[CHECK_LAYER_HTTP] = "http",
	[CHECK_LAYER_PROTOCOL] = "protocol",
	[CHECK_LAYER_FACTS] = "facts",
	[CHECK_LAYER_ADMIN] = "admin",
	[CHECK_LAYER_DATAPATH] = "datapath",
};

const char *check_layer_name(enum check_layer l)
{
	return (unsigned)l < CHECK_LAYER_COUNT ? layer_names[l] : "unknown";
}

void verdict_ok(struct verdict *v)
{
	v->layer = CHECK_LAYER_NONE;
	snprintf(v->code, sizeof(v->code), "OK");
	snprintf(v->reason, sizeof(v->reason), "healthy");
}

void verdict_fail(struct verdict *v, enum check_layer layer, const char *code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	v->layer = layer;
	snprintf(v->code, sizeof(v->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	/* one line, whatever the peer put in an error string */
	for (p = v->reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}
