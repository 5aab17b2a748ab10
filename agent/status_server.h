/* SPDX-License-Identifier: Apache-2.0 */
/* status_server.h - `dsr-agent serve`: the /v1/status endpoint over mutual
 * TLS and the optional agent-check line port.  The Linux build implements it
 * with epoll and non-blocking OpenSSL (status_server.c); the Windows agent
 * brings its own (http.sys). */
#ifndef DSRKIT_STATUS_SERVER_H
#define DSRKIT_STATUS_SERVER_H

#include "agent-proto/agent_config.h"

/* Serve until SIGTERM/SIGINT.  Returns 0 after a clean stop, or a negative
 * errno when it cannot start (the reason is printed on stderr). */
__attribute__((warn_unused_result))
int status_server_run(const struct agent_config *cfg);

#endif
