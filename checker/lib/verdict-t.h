/* SPDX-License-Identifier: Apache-2.0 */
/* verdict-t.h - the result of one check of a real server: which layer failed,
 * a stable short code and a human reason.  stdout, syslog, JSON and metrics
 * all print these same fields. */
#ifndef DSRKIT_CHECKER_VERDICT_T_H
#define DSRKIT_CHECKER_VERDICT_T_H

/* Ordered as a check proceeds: the first layer that fails is reported. */
enum check_layer {
	CHECK_LAYER_NONE,      /* healthy */
	CHECK_LAYER_CONFIG,    /* our own arguments or configuration */
	CHECK_LAYER_CONNECT,   /* TCP to the agent */
	CHECK_LAYER_TLS,       /* handshake, certificate verification */
	CHECK_LAYER_HTTP,      /* status line, framing */
	CHECK_LAYER_PROTOCOL,  /* the status document */
	CHECK_LAYER_FACTS,     /* DR facts judged by the shared rules */
	CHECK_LAYER_ADMIN,     /* administrative state set on the server */
	CHECK_LAYER_DATAPATH,  /* a probe through the VIP */
	CHECK_LAYER_COUNT
};

#define VERDICT_CODE_MAX   40
#define VERDICT_REASON_MAX 320

struct verdict {
	enum check_layer layer;
	char code[VERDICT_CODE_MAX];      /* e.g. CONNECT_REFUSED, VIP_MISSING */
	char reason[VERDICT_REASON_MAX];  /* one line, no secrets */
};

#endif
