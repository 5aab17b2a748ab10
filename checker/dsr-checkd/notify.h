/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_notify.h - systemd's notify protocol (sd_notify(3)) spoken
 * directly: one datagram to $NOTIFY_SOCKET, no libsystemd.  Outside
 * systemd (no NOTIFY_SOCKET) every call does nothing. */
#ifndef DSRKIT_CHECKER_CHECKD_NOTIFY_H
#define DSRKIT_CHECKER_CHECKD_NOTIFY_H

#include <stdint.h>

/* Send "READY=1", "RELOADING=1", "WATCHDOG=1", "STATUS=..." (several
 * lines allowed).  Returns 1 sent, 0 not under systemd, or -errno. */
int checkd_notify(const char *msg);

/* The watchdog interval systemd wants (WATCHDOG_USEC, for this pid), in
 * milliseconds, or 0 when there is none. */
uint64_t checkd_notify_watchdog_ms(void);

#endif
