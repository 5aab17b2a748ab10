/* SPDX-License-Identifier: Apache-2.0 */
/* win32_watch.c - see win32_watch.h.  Where each fact comes from, and what
 * tells of its change:
 *   addresses (GetUnicastIpAddressTable)      NotifyUnicastIpAddressChange
 *   interface up/down, weak-host send/receive NotifyIpInterfaceChange
 *     (GetAdaptersAddresses, GetIpInterfaceEntry: the live settings, which
 *     `netsh ... weakhostsend=` and Set-NetIPInterface change)
 *   DNS registration (IP_ADAPTER_DDNS_ENABLED) RegNotifyChangeKeyValue on
 *     HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces
 *   the admin state file                      ReadDirectoryChangesW on its folder
 *   listeners, the loopback's hardware id     nothing: the tick
 * Every callback only sets an event the serve loop waits on. */
#include "win-realserver/win32_watch.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <netioapi.h>

#include <stdio.h>
#include <string.h>

#include "win-realserver/win32_service.h"

const char *const win32_watch_src_names[WIN32_WATCH_SRC_COUNT] = {
	[WIN32_WATCH_NET] = "address or interface change",
	[WIN32_WATCH_REGISTRY] = "TCP/IP interface registry change",
	[WIN32_WATCH_STATE_FILE] = "state file change",
};

/* The share of a core the watcher may spend reading facts: the Linux
 * agent's budgets (agent/read_budget.h).  Windows has no cheap partial
 * re-read: a tick between whole reads reads nothing. */

#define TCPIP_INTERFACES L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces"

uint64_t win32_watch_now_us(void)
{
	static LARGE_INTEGER freq;
	LARGE_INTEGER c;

	if (!freq.QuadPart)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&c);
	return (uint64_t)(c.QuadPart / freq.QuadPart) * 1000000u +
	       (uint64_t)(c.QuadPart % freq.QuadPart) * 1000000u / (uint64_t)freq.QuadPart;
}

static VOID WINAPI on_addr(PVOID ctx, PMIB_UNICASTIPADDRESS_ROW row, MIB_NOTIFICATION_TYPE type)
{
	(void)row;
	(void)type;
	SetEvent((HANDLE)ctx);
}

static VOID WINAPI on_if(PVOID ctx, PMIB_IPINTERFACE_ROW row, MIB_NOTIFICATION_TYPE type)
{
	(void)row;
	(void)type;
	SetEvent((HANDLE)ctx);
}

/* Register one IP Helper notification: NULL, or why not (in why).  wine 8
 * returns success and no handle, and never calls back: a stub. */
static const char *net_notify(struct win32_watch *w, int iface, char *why, size_t n)
{
	HANDLE h = NULL;
	DWORD e = iface ? NotifyIpInterfaceChange(AF_UNSPEC, on_if, w->ev[WIN32_WATCH_NET], FALSE, &h)
			: NotifyUnicastIpAddressChange(AF_UNSPEC, on_addr, w->ev[WIN32_WATCH_NET], FALSE, &h);

	if (e != NO_ERROR) {
		snprintf(why, n, "%s: error %lu", iface ? "NotifyIpInterfaceChange" : "NotifyUnicastIpAddressChange",
			 (unsigned long)e);
		return why;
	}
	if (!h) {
		snprintf(why, n, "%s: a stub (no handle)",
			 iface ? "NotifyIpInterfaceChange" : "NotifyUnicastIpAddressChange");
		return why;
	}
	if (iface)
		w->notify_if = h;
	else
		w->notify_addr = h;
	return NULL;
}

static int reg_arm(struct win32_watch *w)
{
	ResetEvent(w->ev[WIN32_WATCH_REGISTRY]);
	return RegNotifyChangeKeyValue(w->reg_key, TRUE, REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET,
				       w->ev[WIN32_WATCH_REGISTRY], TRUE) == ERROR_SUCCESS ? 0 : -1;
}

static int dir_arm(struct win32_watch *w)
{
	ResetEvent(w->ev[WIN32_WATCH_STATE_FILE]);
	memset(&w->dir_ov, 0, sizeof(w->dir_ov));
	w->dir_ov.hEvent = w->ev[WIN32_WATCH_STATE_FILE];
	return ReadDirectoryChangesW(w->dir, w->dir_buf, sizeof(w->dir_buf), FALSE,
				     FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE |
				     FILE_NOTIFY_CHANGE_SIZE, NULL, &w->dir_ov, NULL) ? 0 : -1;
}

/* The state file's folder and name, as wide strings. */
static int state_split(const char *path, WCHAR *dir, size_t dn, WCHAR *base, size_t bn)
{
	WCHAR full[AGENT_CONFIG_PATH_LEN];
	WCHAR *slash;

	if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, full, AGENT_CONFIG_PATH_LEN))
		return -1;
	slash = wcsrchr(full, L'\\');
	if (!slash || (wcsrchr(full, L'/') && wcsrchr(full, L'/') > slash))
		slash = wcsrchr(full, L'/');
	if (!slash) {
		if (dn < 2 || wcslen(full) >= bn)
			return -1;
		wcscpy(dir, L".");
		wcscpy(base, full);
		return 0;
	}
	if ((size_t)(slash - full) + 2 > dn || wcslen(slash + 1) >= bn)
		return -1;
	*slash = 0;
	wcscpy(dir, slash == full ? L"\\" : full);
	wcscpy(base, slash + 1);
	return 0;
}

int win32_watch_open(struct win32_watch *w, const struct agent_config *cfg, uint64_t now_us)
{
	char addr_why[80], if_why[80];
	const char *why_addr, *why_if;
	int i;

	memset(w, 0, sizeof(*w));
	w->dir = INVALID_HANDLE_VALUE;
	w->interval_ms = cfg->watch_interval_ms;
	read_budget_start(&w->event_budget, now_us);
	w->tick_at_us = now_us + (uint64_t)w->interval_ms * 1000;
	for (i = 0; i < WIN32_WATCH_SRC_COUNT; i++)
		w->ev[i] = CreateEventW(NULL, i != WIN32_WATCH_NET, FALSE, NULL);

	why_addr = net_notify(w, 0, addr_why, sizeof(addr_why));
	why_if = net_notify(w, 1, if_why, sizeof(if_why));
	if (why_addr || why_if)
		win32_log(WIN32_LOG_WARNING, "no pushed address or interface changes here (%s%s%s): "
			  "the re-read every %u ms catches them", why_addr ? why_addr : "",
			  why_addr && why_if ? "; " : "", why_if ? why_if : "", (unsigned)w->interval_ms);
	if (why_if && why_addr) {   /* nothing will ever set it */
		CloseHandle(w->ev[WIN32_WATCH_NET]);
		w->ev[WIN32_WATCH_NET] = NULL;
	}

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, TCPIP_INTERFACES, 0, KEY_NOTIFY, &w->reg_key) != ERROR_SUCCESS ||
	    reg_arm(w) < 0) {
		win32_log(WIN32_LOG_WARNING, "cannot watch HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\"
			  "Parameters\\Interfaces: the re-read every %u ms catches DNS registration changes",
			  (unsigned)w->interval_ms);
		if (w->reg_key)
			RegCloseKey(w->reg_key);
		w->reg_key = NULL;
		CloseHandle(w->ev[WIN32_WATCH_REGISTRY]);
		w->ev[WIN32_WATCH_REGISTRY] = NULL;
	}

	if (cfg->state_file[0]) {
		WCHAR dir[AGENT_CONFIG_PATH_LEN];

		if (state_split(cfg->state_file, dir, AGENT_CONFIG_PATH_LEN, w->state_base,
				sizeof(w->state_base) / sizeof(WCHAR)) == 0)
			w->dir = CreateFileW(dir, FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
					     NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
		if (w->dir == INVALID_HANDLE_VALUE || dir_arm(w) < 0) {
			win32_log(WIN32_LOG_WARNING, "cannot watch the folder of %s (error %lu): the re-read every "
				  "%u ms catches its changes", cfg->state_file, (unsigned long)GetLastError(),
				  (unsigned)w->interval_ms);
			if (w->dir != INVALID_HANDLE_VALUE)
				CloseHandle(w->dir);
			w->dir = INVALID_HANDLE_VALUE;
		}
	}
	if (w->dir == INVALID_HANDLE_VALUE) {
		CloseHandle(w->ev[WIN32_WATCH_STATE_FILE]);
		w->ev[WIN32_WATCH_STATE_FILE] = NULL;
	}
	return 0;
}

/* Whether the folder's change records name the state file (a full buffer,
 * n = 0, may have lost that record: yes). */
static int dir_names_state(const struct win32_watch *w, DWORD n)
{
	const BYTE *p = (const BYTE *)w->dir_buf;
	size_t blen = wcslen(w->state_base);

	if (!n)
		return 1;
	for (;;) {
		const FILE_NOTIFY_INFORMATION *fi = (const FILE_NOTIFY_INFORMATION *)p;
		size_t len = fi->FileNameLength / sizeof(WCHAR);

		if ((size_t)(p - (const BYTE *)w->dir_buf) + sizeof(*fi) > n)
			return 0;
		if (len == blen && CompareStringOrdinal(fi->FileName, (int)len, w->state_base, (int)blen, TRUE) ==
					   CSTR_EQUAL)
			return 1;
		if (!fi->NextEntryOffset)
			return 0;
		p += fi->NextEntryOffset;
	}
}

int win32_watch_rearm(struct win32_watch *w, enum win32_watch_src src)
{
	DWORD n = 0;
	int r = 1;

	switch (src) {
	case WIN32_WATCH_NET:
		return 1;   /* auto-reset */
	case WIN32_WATCH_REGISTRY:
		if (reg_arm(w) < 0) {
			win32_log(WIN32_LOG_WARNING, "the registry watch stopped: the re-read catches its changes");
			CloseHandle(w->ev[src]);
			w->ev[src] = NULL;
		}
		return 1;
	case WIN32_WATCH_STATE_FILE:
		if (!GetOverlappedResult(w->dir, &w->dir_ov, &n, FALSE))
			n = 0;
		r = dir_names_state(w, n);
		if (dir_arm(w) < 0) {
			win32_log(WIN32_LOG_WARNING, "the state file watch stopped: the re-read catches its changes");
			CloseHandle(w->ev[src]);
			w->ev[src] = NULL;
			r = 1;
		}
		return r;
	case WIN32_WATCH_SRC_COUNT:
		break;
	}
	return 0;
}

int win32_watch_event(struct win32_watch *w, uint64_t now_us)
{
	if (read_budget_credit(&w->event_budget, now_us, READ_GAP_EVENT) >= 0) {
		w->pending = 0;
		return 1;
	}
	w->pending = 1;
	w->pending_at_us = read_budget_due(&w->event_budget, READ_GAP_EVENT);
	return 0;
}

enum win32_read_kind win32_watch_poll(struct win32_watch *w, uint64_t now_us)
{
	if (w->pending && now_us >= w->pending_at_us) {
		w->pending = 0;
		return WIN32_READ_EVENT;
	}
	if (now_us < w->tick_at_us)
		return WIN32_READ_NONE;
	w->tick_at_us = now_us + (uint64_t)w->interval_ms * 1000;
	return now_us >= w->tick_read_us ? WIN32_READ_TICK : WIN32_READ_NONE;
}

void win32_watch_read_done(struct win32_watch *w, uint64_t t0_us, uint64_t cost_us, enum win32_read_kind kind)
{
	if (kind == WIN32_READ_EVENT) {
		read_budget_credit(&w->event_budget, t0_us, READ_GAP_EVENT);
		read_budget_spend(&w->event_budget, cost_us);
	}
	w->tick_read_us = t0_us + cost_us + READ_GAP_TICK * cost_us;
}

DWORD win32_watch_timeout_ms(const struct win32_watch *w, uint64_t now_us)
{
	uint64_t next = w->tick_at_us;

	if (w->pending && w->pending_at_us < next)
		next = w->pending_at_us;
	return next > now_us ? (DWORD)((next - now_us + 999) / 1000) : 0;
}

void win32_watch_close(struct win32_watch *w)
{
	int i;

	/* CancelMibChangeNotify2 waits for a running callback: after it no
	 * callback touches the event closed below */
	if (w->notify_addr)
		CancelMibChangeNotify2(w->notify_addr);
	if (w->notify_if)
		CancelMibChangeNotify2(w->notify_if);
	if (w->dir != INVALID_HANDLE_VALUE) {
		DWORD n;

		CancelIoEx(w->dir, &w->dir_ov);
		GetOverlappedResult(w->dir, &w->dir_ov, &n, TRUE);
		CloseHandle(w->dir);
	}
	if (w->reg_key)
		RegCloseKey(w->reg_key);
	for (i = 0; i < WIN32_WATCH_SRC_COUNT; i++)
		if (w->ev[i])
			CloseHandle(w->ev[i]);
	memset(w, 0, sizeof(*w));
	w->dir = INVALID_HANDLE_VALUE;
}
