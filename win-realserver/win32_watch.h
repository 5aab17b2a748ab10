/* SPDX-License-Identifier: Apache-2.0 */
/* win32_watch.h - what makes the Windows agent notice a change at once
 * instead of when it is next asked (the Windows side of agent_watch.h):
 * NotifyUnicastIpAddressChange and NotifyIpInterfaceChange (addresses,
 * the interfaces' state and weak-host settings), a registry notification
 * on the TCP/IP interface parameters (where DNS registration is kept), a
 * change notification on the admin state file's folder, and the periodic
 * safety-net re-read (watch_interval_ms) within a budget of CPU time.
 * Each event only says "look again": the caller re-reads the facts
 * (agent_state_refresh) and compares.  Windows-only (win32_http.c). */
#ifndef DSRKIT_WIN32_WATCH_H
#define DSRKIT_WIN32_WATCH_H

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdint.h>

#include "agent-proto/agent_config.h"
#include "agent/read_budget.h"

enum win32_watch_src {
	WIN32_WATCH_NET = 0,         /* set by the IP Helper callbacks */
	WIN32_WATCH_REGISTRY,        /* RegNotifyChangeKeyValue, re-armed each time */
	WIN32_WATCH_STATE_FILE,      /* FindFirstChangeNotification on its folder */
	WIN32_WATCH_SRC_COUNT
};

extern const char *const win32_watch_src_names[WIN32_WATCH_SRC_COUNT];

struct win32_watch {
	HANDLE ev[WIN32_WATCH_SRC_COUNT];   /* NULL: that source is not watched */
	HANDLE notify_addr, notify_if;      /* CancelMibChangeNotify2 handles */
	HKEY reg_key;
	HANDLE dir;                         /* the state file's folder, or INVALID_HANDLE_VALUE */
	OVERLAPPED dir_ov;
	DWORD dir_buf[1024];                /* FILE_NOTIFY_INFORMATION records */
	WCHAR state_base[AGENT_CONFIG_PATH_LEN];  /* the state file's name in its folder */
	uint32_t interval_ms;
	struct read_budget event_budget;
	uint64_t tick_at_us;         /* the next tick */
	uint64_t tick_read_us;       /* the tick reads everything from then on */
	int pending;                 /* a signalled change waits for pending_at_us */
	uint64_t pending_at_us;
};

/* Open what cfg asks for.  A source Windows (or wine) does not give is
 * reported once in the log and left out: the tick still catches its
 * changes.  Returns 0 (nothing here is fatal). */
int win32_watch_open(struct win32_watch *w, const struct agent_config *cfg, uint64_t now_us);

/* ev[src] was signalled: re-arm it.  Returns 1 when it may mean a change,
 * 0 when not (the registry or the folder changed elsewhere). */
int win32_watch_rearm(struct win32_watch *w, enum win32_watch_src src);

/* A signalled change: 1 when the facts should be read now, 0 when the
 * event budget is spent (the read is kept pending: win32_watch_poll gives
 * it when the budget is whole again). */
int win32_watch_event(struct win32_watch *w, uint64_t now_us);

/* What the loop should read at now_us without an event: WIN32_READ_EVENT
 * (a pending change whose time has come), WIN32_READ_TICK (the safety
 * net), or WIN32_READ_NONE. */
enum win32_read_kind {
	WIN32_READ_NONE = 0,
	WIN32_READ_EVENT,
	WIN32_READ_TICK,
	WIN32_READ_KIND_COUNT
};
enum win32_read_kind win32_watch_poll(struct win32_watch *w, uint64_t now_us);

/* A whole read that began at t0_us took cost_us: charge it to its kind. */
void win32_watch_read_done(struct win32_watch *w, uint64_t t0_us, uint64_t cost_us, enum win32_read_kind kind);

/* Milliseconds until the next tick or pending read (for the wait). */
DWORD win32_watch_timeout_ms(const struct win32_watch *w, uint64_t now_us);

void win32_watch_close(struct win32_watch *w);

/* Microseconds on a monotonic clock. */
uint64_t win32_watch_now_us(void);

#endif
