/* SPDX-License-Identifier: Apache-2.0 */
/* agent_config.h - the agent's configuration file (dsr-agent.conf(5)):
 * `key = value` lines, `#` comments.  Errors come back as
 * "FILE:LINE: what is wrong".  Portable C (the Windows agent reads the same
 * keys). */
#ifndef DSRKIT_AGENT_PROTO_AGENT_CONFIG_H
#define DSRKIT_AGENT_PROTO_AGENT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts-t.h"
#include "agent-proto/status-t.h"

#define AGENT_CONFIG_PATH_LEN 256
#define AGENT_CONFIG_MAX_BYTES (64 * 1024)
#define AGENT_DEFAULT_PORT 9443
#define AGENT_WEIGHT_AUTO (-2)   /* weight hint from the load average */
#define AGENT_MAX_CHECKER_ALLOW 64

/* An address prefix (checker_allow = 192.0.2.0/24 2001:db8::1). */
struct agent_prefix {
	struct ip_addr addr;
	unsigned prefix_len;
};

struct agent_config {
	struct ip_addr listen;           /* default :: (IPv4 too) */
	uint16_t port;                   /* default 9443 */
	char tls_cert[AGENT_CONFIG_PATH_LEN];
	char tls_key[AGENT_CONFIG_PATH_LEN];
	char tls_ca[AGENT_CONFIG_PATH_LEN];
	char tls_crl[AGENT_CONFIG_PATH_LEN];      /* optional: revoked checkers (empty: none) */
	int tls_min_minor;               /* 3 (TLS 1.3, default) or 2 */
	struct status_target targets[STATUS_MAX_TARGETS];
	size_t n_targets;
	enum admin_state admin;
	int weight;                      /* 0-100, FACTS_UNKNOWN (none), AGENT_WEIGHT_AUTO */
	char admin_reason[FACTS_TEXT_LEN];
	char state_file[AGENT_CONFIG_PATH_LEN];   /* optional admin state override */
	uint16_t agent_check_port;       /* 0: off */
	struct ip_addr agent_check_listen;
	uint32_t client_timeout_ms;      /* default 5000 */
	uint32_t max_clients;            /* default 1024 */
	uint32_t facts_cache_ms;         /* default 1000 */
	/* What a peer that has not finished its TLS handshake may hold (issue
	 * 16, finding 1): strangers are bounded per source and in total and get
	 * handshake_timeout_ms; checker_allow addresses are never counted as
	 * strangers and may take a stranger's slot. */
	uint32_t handshake_timeout_ms;   /* default 2000 */
	uint32_t max_handshakes;         /* default 64: strangers mid-handshake, in all */
	uint32_t max_handshakes_per_source;  /* default 8 (per IPv4 address, per IPv6 /64) */
	struct agent_prefix checker_allow[AGENT_MAX_CHECKER_ALLOW];
	size_t n_checker_allow;          /* 0: no allow-list (every peer is a stranger) */
	uint32_t watch_interval_ms;      /* safety-net re-read of the facts, default 50 */
};

/* Defaults, as documented in dsr-agent.conf(5). */
void agent_config_defaults(struct agent_config *c);

/* Parse text[0..len) (not NUL-terminated necessarily) named `fname` into c,
 * on top of what c holds.  Returns 0 or -EINVAL with "fname:line: reason"
 * in err. */
__attribute__((warn_unused_result))
int agent_config_parse(const char *text, size_t len, const char *fname, struct agent_config *c,
		       char *err, size_t errlen);

/* 1 when a is in one of c's checker_allow prefixes (an IPv4-mapped IPv6
 * address counts as its IPv4 address), else 0. */
int agent_config_checker_allowed(const struct agent_config *c, const struct ip_addr *a);

/* The admin state file: the same syntax, only admin_state, weight and
 * admin_reason allowed. */
__attribute__((warn_unused_result))
int agent_config_parse_state(const char *text, size_t len, const char *fname, struct agent_config *c,
			     char *err, size_t errlen);

#endif
