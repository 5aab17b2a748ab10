/* SPDX-License-Identifier: Apache-2.0 */
/* win32_service.h - dsr-agent.exe as a Windows service (SCM) and its Event
 * Log source.  No Windows header here. */
#ifndef DSRKIT_WIN32_SERVICE_H
#define DSRKIT_WIN32_SERVICE_H

#include <stddef.h>

#define WIN32_SERVICE_NAME "dsr-agent"

/* `service install [--config FILE] | uninstall | start | stop |
 * lock-datadir`; returns the exit code (0 done, 1 failed, 2 usage).
 * install and lock-datadir give %ProgramData%\dsrkit an ACL of its own
 * (SYSTEM and Administrators only). */
int win32_service_command(int argc, char **argv);

/* When the SCM started this process, run main(argc, argv) as the service
 * and return its result when the service stops; -ENOTSUP when this is a
 * console (the caller then runs main itself). */
int win32_service_dispatch(int (*main_fn)(int, char **), int argc, char **argv);

/* The machine's application data folder (C:\ProgramData), UTF-8, where
 * dsrkit\agent.conf and the service's dsrkit\dsr-agent.log live.  0 or
 * -ENOENT. */
int win32_data_dir(char *out, size_t n);

/* Serving from a console: Ctrl-C and Ctrl-Break stop the server. */
void win32_service_console(void);

/* The server calls these: ready once it listens (SERVICE_RUNNING); the
 * stop callback runs on SERVICE_CONTROL_STOP or Ctrl-C. */
void win32_service_ready(void);
void win32_service_on_stop(void (*fn)(void));

/* One line to the Event Log (source "dsr-agent") and to stderr. */
enum win32_log_level {
	WIN32_LOG_INFO = 0,
	WIN32_LOG_WARNING,
	WIN32_LOG_ERROR,
	WIN32_LOG_COUNT
};
__attribute__((format(printf, 2, 3)))
void win32_log(enum win32_log_level level, const char *fmt, ...);

/* One line to the console's stderr, or to the service's log file
 * (%ProgramData%\dsrkit\dsr-agent.log) - not the Event Log: for the
 * per-request lines. */
__attribute__((format(printf, 1, 2)))
void win32_note(const char *fmt, ...);

#endif
