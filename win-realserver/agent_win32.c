/* SPDX-License-Identifier: Apache-2.0 */
/* agent_win32.c - dsr-agent's Windows platform layer (agent_platform.h):
 * reads the DR facts with the IP Helper API and SetupAPI into a snapshot
 * (win_facts-t.h), resolves the newer IP Helper exports at run time - a
 * missing export (or, under wine, an unimplemented stub) makes that fact
 * unknown, with a note, never a crash - and holds the platform table.
 * Setup's actions are in win32_setup.c, the firewall in win32_firewall.c.
 * Built with mingw-w64.
 */
#include "win-realserver/win32_internal.h"

#include <setupapi.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent/agent_platform.h"
#include "win-realserver/agent_win32.h"
#include "win-realserver/win_facts.h"
#include "win-realserver/win_setup.h"

/* {4d36e972-e325-11ce-bfc1-08002be10318}: the network adapter class
 * (devguid.h declares it; defined here to need no -luuid). */
const GUID win32_net_class = { 0x4d36e972, 0xe325, 0x11ce,
	{ 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18 } };

/* --- run-time resolved exports, and a guard for wine's stubs ------------- */

struct win32_api win32_api;

static const struct win32_hooks *hooks;

void win32_hooks_set(const struct win32_hooks *h)
{
	hooks = h;
	win32_api.done = 0;   /* resolve again, under the new hooks */
}

static FARPROC resolve(HMODULE m, const char *name)
{
	if (hooks && hooks->hide_export && hooks->hide_export(name))
		return NULL;
	return m ? GetProcAddress(m, name) : NULL;
}

void win32_api_load(void)
{
	HMODULE ip;

	if (win32_api.done)
		return;
	ip = LoadLibraryW(L"iphlpapi.dll");
	win32_api.get_ipif = (fn_get_ipif)(void (*)(void))resolve(ip, "GetIpInterfaceEntry");
	win32_api.set_ipif = (fn_set_ipif)(void (*)(void))resolve(ip, "SetIpInterfaceEntry");
	win32_api.get_uat = (fn_get_uat)(void (*)(void))resolve(ip, "GetUnicastIpAddressTable");
	win32_api.create_uae = (fn_uae)(void (*)(void))resolve(ip, "CreateUnicastIpAddressEntry");
	win32_api.delete_uae = (fn_uae)(void (*)(void))resolve(ip, "DeleteUnicastIpAddressEntry");
	win32_api.free_mib = (fn_free_mib)(void (*)(void))resolve(ip, "FreeMibTable");
	win32_api.set_dns = (fn_set_dns)(void (*)(void))resolve(ip, "SetInterfaceDnsSettings");
	win32_api.done = 1;
}

/* wine exports functions it does not implement as stubs that raise
 * EXCEPTION_WINE_STUB when called.  A vectored handler turns that one
 * exception, raised inside win32_guarded_ipif(), back into an error return. */
#define EXCEPTION_WINE_STUB_ 0x80000100UL
static DWORD guard_tls = TLS_OUT_OF_INDEXES;

static LONG CALLBACK stub_handler(EXCEPTION_POINTERS *ep)
{
	void **jb;

	if (ep->ExceptionRecord->ExceptionCode != EXCEPTION_WINE_STUB_ || guard_tls == TLS_OUT_OF_INDEXES)
		return EXCEPTION_CONTINUE_SEARCH;
	jb = TlsGetValue(guard_tls);
	if (!jb)
		return EXCEPTION_CONTINUE_SEARCH;
	TlsSetValue(guard_tls, NULL);
	__builtin_longjmp(jb, 1);
}

static void guard_init(void)
{
	static LONG once;

	if (InterlockedCompareExchange(&once, 1, 0) != 0)
		return;
	guard_tls = TlsAlloc();
	AddVectoredExceptionHandler(1, stub_handler);
}

/* Call f(row); ERROR_CALL_NOT_IMPLEMENTED when f is missing or a stub. */
DWORD win32_guarded_ipif(DWORD (WINAPI *f)(MIB_IPINTERFACE_ROW *), MIB_IPINTERFACE_ROW *row)
{
	void *jb[5];
	volatile DWORD e = ERROR_CALL_NOT_IMPLEMENTED;

	if (!f)
		return ERROR_CALL_NOT_IMPLEMENTED;
	guard_init();
	if (__builtin_setjmp(jb) == 0) {
		TlsSetValue(guard_tls, jb);
		e = f(row);
		TlsSetValue(guard_tls, NULL);
	}
	return e;
}

DWORD win32_guarded_uae(fn_uae f, const MIB_UNICASTIPADDRESS_ROW *row)
{
	void *jb[5];
	volatile DWORD e = ERROR_CALL_NOT_IMPLEMENTED;

	if (!f)
		return ERROR_CALL_NOT_IMPLEMENTED;
	guard_init();
	if (__builtin_setjmp(jb) == 0) {
		TlsSetValue(guard_tls, jb);
		e = f(row);
		TlsSetValue(guard_tls, NULL);
	}
	return e;
}

/* --- small helpers ------------------------------------------------------- */

void win32_utf8(char *dst, size_t n, const WCHAR *w)
{
	if (!n)
		return;
	dst[0] = '\0';
	if (w && !WideCharToMultiByte(CP_UTF8, 0, w, -1, dst, (int)n, NULL, NULL))
		dst[n - 1] = '\0';
}

int win32_wide(WCHAR *dst, size_t n, const char *s)
{
	return MultiByteToWideChar(CP_UTF8, 0, s, -1, dst, (int)n) ? 0 : -EINVAL;
}

static void from_sockaddr(const SOCKADDR *sa, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->family = IP_FAMILY_V4;
		memcpy(a->b, &((const SOCKADDR_IN *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		a->family = IP_FAMILY_V6;
		memcpy(a->b, &((const SOCKADDR_IN6 *)sa)->sin6_addr, 16);
	}
}

void win32_to_sockaddr(const struct ip_addr *a, SOCKADDR_INET *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->family == IP_FAMILY_V4) {
		sa->Ipv4.sin_family = AF_INET;
		memcpy(&sa->Ipv4.sin_addr, a->b, 4);
	} else {
		sa->Ipv6.sin6_family = AF_INET6;
		memcpy(&sa->Ipv6.sin6_addr, a->b, 16);
	}
}

int win32_err_from_win(DWORD e)
{
	switch (e) {
	case ERROR_SUCCESS:
		return 0;
	case ERROR_ACCESS_DENIED:
		return -EACCES;
	case ERROR_NOT_FOUND:
	case ERROR_FILE_NOT_FOUND:
		return -ENOENT;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return -ENOMEM;
	case ERROR_INVALID_PARAMETER:
		return -EINVAL;
	case ERROR_CALL_NOT_IMPLEMENTED:
	case ERROR_NOT_SUPPORTED:
	case ERROR_PROC_NOT_FOUND:
		return -ENOSYS;
	default:
		return -EIO;
	}
}

void win32_errf(char *err, size_t n, const char *what, DWORD e)
{
	char msg[160];
	DWORD l;

	if (!n)
		return;
	l = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0, msg,
			   sizeof(msg), NULL);
	while (l && (msg[l - 1] == '\r' || msg[l - 1] == '\n' || msg[l - 1] == '.'))
		msg[--l] = '\0';
	snprintf(err, n, "%s: %s (error %lu)", what, l ? msg : "failed", (unsigned long)e);
}

/* --- reading ------------------------------------------------------------- */

/* Hardware ids of the network adapters, by NetCfgInstanceId (= the
 * adapter's GUID name in GetAdaptersAddresses). */
static void read_hardware_ids(struct win_snapshot *s)
{
	HDEVINFO set;
	SP_DEVINFO_DATA dev;
	DWORD i;
	size_t k;

	set = SetupDiGetClassDevsW(&win32_net_class, NULL, NULL, DIGCF_PRESENT);
	if (set == INVALID_HANDLE_VALUE) {
		win_snapshot_note(s, "SetupAPI: network adapters could not be listed (error %lu): "
				  "the loopback adapter is found by its description",
				  (unsigned long)GetLastError());
		return;
	}
	dev.cbSize = sizeof(dev);
	for (i = 0; SetupDiEnumDeviceInfo(set, i, &dev); i++) {
		WCHAR hwid[256], guid[WIN_GUID_LEN];
		DWORD type, size = sizeof(guid);
		char g[WIN_GUID_LEN];
		HKEY key;

		if (!SetupDiGetDeviceRegistryPropertyW(set, &dev, SPDRP_HARDWAREID, &type, (BYTE *)hwid,
						       sizeof(hwid) - 2 * sizeof(WCHAR), NULL))
			continue;
		hwid[255] = 0;
		key = SetupDiOpenDevRegKey(set, &dev, DICS_FLAG_GLOBAL, 0, DIREG_DRV, KEY_READ);
		if (key == INVALID_HANDLE_VALUE)
			continue;
		if (RegQueryValueExW(key, L"NetCfgInstanceId", NULL, &type, (BYTE *)guid, &size) == ERROR_SUCCESS &&
		    type == REG_SZ) {
			guid[WIN_GUID_LEN - 1] = 0;
			win32_utf8(g, sizeof(g), guid);
			for (k = 0; k < s->n_adapters; k++)
				if (_stricmp(s->adapters[k].guid, g) == 0)
					win32_utf8(s->adapters[k].hardware_id, sizeof(s->adapters[k].hardware_id), hwid);
		}
		RegCloseKey(key);
	}
	SetupDiDestroyDeviceInfoList(set);
}

static void read_weakhost(struct win_snapshot *s, struct win_adapter *a, const IP_ADAPTER_ADDRESSES *aa)
{
	static const ADDRESS_FAMILY fams[2] = { AF_INET, AF_INET6 };
	int f;

	for (f = 0; f < 2; f++) {
		MIB_IPINTERFACE_ROW row;
		DWORD e;

		if (!(aa->Flags & (f ? IP_ADAPTER_IPV6_ENABLED : IP_ADAPTER_IPV4_ENABLED)))
			continue;
		/* InitializeIpInterfaceEntry only zeroes and sets defaults; it
		 * is a stub in wine 8, so the row is prepared here. */
		memset(&row, 0, sizeof(row));
		row.Family = fams[f];
		row.InterfaceLuid = aa->Luid;
		e = win32_guarded_ipif(win32_api.get_ipif, &row);
		if (e == ERROR_SUCCESS) {
			a->weak_send[f] = row.WeakHostSend ? 1 : 0;
			a->weak_recv[f] = row.WeakHostReceive ? 1 : 0;
		} else if (e == ERROR_CALL_NOT_IMPLEMENTED) {
			win_snapshot_note(s, "GetIpInterfaceEntry is not available here: weak-host "
					  "settings unknown");
		} else {
			win_snapshot_note(s, "GetIpInterfaceEntry(%s, %s) failed (error %lu): weak-host unknown",
					  a->alias, f ? "IPv6" : "IPv4", (unsigned long)e);
		}
	}
}

static int read_adapters(struct win_snapshot *s)
{
	ULONG size = 32 * 1024, e;
	IP_ADAPTER_ADDRESSES *list = NULL, *aa;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		list = malloc(size);
		if (!list)
			return -ENOMEM;
		e = GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
					 GAA_FLAG_SKIP_DNS_SERVER | GAA_FLAG_INCLUDE_ALL_INTERFACES,
					 NULL, list, &size);
		if (e != ERROR_BUFFER_OVERFLOW)
			break;
		free(list);
		list = NULL;
	}
	if (!list || e != ERROR_SUCCESS) {
		free(list);
		return win32_err_from_win(e ? e : ERROR_BUFFER_OVERFLOW);
	}
	for (aa = list; aa; aa = aa->Next) {
		char alias[FACTS_NAME_LEN];
		struct win_adapter *a;

		win32_utf8(alias, sizeof(alias), aa->FriendlyName);
		a = win_snapshot_adapter_add(s, alias, aa->IfIndex ? aa->IfIndex : aa->Ipv6IfIndex,
					     aa->Luid.Value);
		if (!a)
			break;
		win32_utf8(a->description, sizeof(a->description), aa->Description);
		facts_text_set(a->guid, sizeof(a->guid), aa->AdapterName);
		a->if_type = aa->IfType;
		a->up = aa->OperStatus == IfOperStatusUp;
		a->dns_register = (aa->Flags & IP_ADAPTER_DDNS_ENABLED) ? 1 : 0;
		read_weakhost(s, a, aa);
		if (!win32_api.get_uat) {
			IP_ADAPTER_UNICAST_ADDRESS *u;

			for (u = aa->FirstUnicastAddress; u; u = u->Next) {
				struct ip_addr ip;

				from_sockaddr(u->Address.lpSockaddr, &ip);
				if (ip.family != IP_FAMILY_NONE &&
				    win_snapshot_addr_add(s, &ip, u->OnLinkPrefixLength, a->index,
							  FACTS_UNKNOWN) < 0)
					break;
			}
		}
	}
	free(list);
	return 0;
}

static void read_addresses(struct win_snapshot *s)
{
	MIB_UNICASTIPADDRESS_TABLE *t = NULL;
	DWORD e;
	ULONG i;

	if (!win32_api.get_uat) {
		win_snapshot_note(s, "GetUnicastIpAddressTable is missing: addresses from "
				  "GetAdaptersAddresses, SkipAsSource unknown");
		return;
	}
	e = win32_api.get_uat(AF_UNSPEC, &t);
	if (e != ERROR_SUCCESS || !t) {
		win_snapshot_note(s, "GetUnicastIpAddressTable failed (error %lu)", (unsigned long)e);
		return;
	}
	for (i = 0; i < t->NumEntries; i++) {
		const MIB_UNICASTIPADDRESS_ROW *r = &t->Table[i];
		struct ip_addr ip;

		from_sockaddr((const SOCKADDR *)&r->Address, &ip);
		if (ip.family == IP_FAMILY_NONE)
			continue;
		if (win_snapshot_addr_add(s, &ip, r->OnLinkPrefixLength, r->InterfaceIndex,
					  r->SkipAsSource ? 1 : 0) < 0)
			break;
	}
	if (win32_api.free_mib)
		win32_api.free_mib(t);
}

static void read_listeners(struct win_snapshot *s)
{
	static const ULONG fams[2] = { AF_INET, AF_INET6 };
	int f;

	for (f = 0; f < 2; f++) {
		DWORD size = 0, e;
		void *t;
		DWORD n, i;

		e = GetExtendedTcpTable(NULL, &size, FALSE, fams[f], TCP_TABLE_OWNER_PID_LISTENER, 0);
		if (e != ERROR_INSUFFICIENT_BUFFER && e != NO_ERROR) {
			win_snapshot_note(s, "GetExtendedTcpTable(%s) failed (error %lu)", f ? "IPv6" : "IPv4",
					  (unsigned long)e);
			continue;
		}
		size += 4096;
		t = malloc(size);
		if (!t)
			continue;
		e = GetExtendedTcpTable(t, &size, FALSE, fams[f], TCP_TABLE_OWNER_PID_LISTENER, 0);
		if (e != NO_ERROR) {
			win_snapshot_note(s, "GetExtendedTcpTable(%s) failed (error %lu)", f ? "IPv6" : "IPv4",
					  (unsigned long)e);
			free(t);
			continue;
		}
		n = f ? ((MIB_TCP6TABLE_OWNER_PID *)t)->dwNumEntries : ((MIB_TCPTABLE_OWNER_PID *)t)->dwNumEntries;
		for (i = 0; i < n; i++) {
			struct ip_addr a;
			uint16_t port;

			memset(&a, 0, sizeof(a));
			if (f) {
				const MIB_TCP6ROW_OWNER_PID *r = &((MIB_TCP6TABLE_OWNER_PID *)t)->table[i];

				a.family = IP_FAMILY_V6;
				memcpy(a.b, r->ucLocalAddr, 16);
				port = ntohs((u_short)r->dwLocalPort);
			} else {
				const MIB_TCPROW_OWNER_PID *r = &((MIB_TCPTABLE_OWNER_PID *)t)->table[i];

				a.family = IP_FAMILY_V4;
				memcpy(a.b, &r->dwLocalAddr, 4);
				port = ntohs((u_short)r->dwLocalPort);
			}
			/* Windows lists a dual-mode socket in both tables, so an
			 * IPv6 entry stands for IPv6 only. */
			if (win_snapshot_listener_add(s, &a, port, f ? 1 : FACTS_UNKNOWN) < 0)
				break;
		}
		free(t);
	}
}

static void read_identity(struct win_snapshot *s)
{
	WCHAR host[256];
	DWORD n = 256;
	OSVERSIONINFOW v;
	fn_rtl_get_version get;
	HMODULE nt = GetModuleHandleW(L"ntdll.dll");

	if (GetComputerNameExW(ComputerNameDnsHostname, host, &n))
		win32_utf8(s->hostname, sizeof(s->hostname), host);
	memset(&v, 0, sizeof(v));
	v.dwOSVersionInfoSize = sizeof(v);
	/* GetVersionEx lies to unmanifested programs; RtlGetVersion does not. */
	get = (fn_rtl_get_version)(void (*)(void))(nt ? GetProcAddress(nt, "RtlGetVersion") : NULL);
	if (get && get(&v) == 0)
		snprintf(s->os_release, sizeof(s->os_release), "Windows %lu.%lu.%lu",
			 (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
			 (unsigned long)v.dwBuildNumber);
	else
		facts_text_set(s->os_release, sizeof(s->os_release), "Windows");
}

int win32_snapshot_read(struct win_snapshot *s)
{
	int r;

	win32_api_load();
	read_identity(s);
	r = read_adapters(s);
	if (r < 0)
		return r;
	read_addresses(s);
	read_hardware_ids(s);
	read_listeners(s);
	return 0;
}

/* --- load ---------------------------------------------------------------- */

static ULONGLONG ft(FILETIME f)
{
	return ((ULONGLONG)f.dwHighDateTime << 32) | f.dwLowDateTime;
}

int win32_load_weight(void)
{
	FILETIME i0, k0, u0, i1, k1, u1;
	ULONGLONG idle, total;

	if (!GetSystemTimes(&i0, &k0, &u0))
		return -EIO;
	Sleep(100);
	if (!GetSystemTimes(&i1, &k1, &u1))
		return -EIO;
	idle = ft(i1) - ft(i0);
	total = (ft(k1) - ft(k0)) + (ft(u1) - ft(u0));   /* kernel time includes idle */
	if (!total)
		return 100;
	return (int)(idle * 100 / total);
}

/* --- the facts for the portable agent ------------------------------------- */

struct win_options win32_options = { .loopback_new_name = "Loopback" };
static struct win_snapshot last;

int win32_facts_read(struct facts *f)
{
	int r;

	win_snapshot_init(&last);
	r = win32_snapshot_read(&last);
	if (r < 0)
		return r;
	r = win_facts_build(&last, &win32_options, f);
	facts_text_set(f->agent_version, sizeof(f->agent_version), DSRKIT_VERSION);
	return r == -ENOSPC ? 0 : r;
}

const struct win_snapshot *win32_last_snapshot(void)
{
	return &last;
}

/* --- the platform table of the portable CLI (agent_platform.h) ---------- */

static int win32_setup(const struct facts *f, const struct agent_setup_opts *o)
{
	(void)f;   /* setup reads its own, richer snapshot */
	return win_setup_run(&win32_ops, &win32_options, o->vips, o->n_vips, o->dry_run, o->out);
}

/* Colour only on a console that takes VT sequences (Windows 10 and later,
 * once asked); a pipe, a file or an older console gets plain text. */
static int win32_color_terminal(FILE *f)
{
	HANDLE h;
	DWORD mode;

	if (f != stdout && f != stderr)
		return 0;
	h = GetStdHandle(f == stdout ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE);
	if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
		return 0;
	if (mode & 0x0004 /* ENABLE_VIRTUAL_TERMINAL_PROCESSING */)
		return 1;
	return SetConsoleMode(h, mode | 0x0004) != 0;
}

const struct agent_platform agent_platform = {
	.name = "windows",
	.os = FACTS_OS_WINDOWS,
	.facts_read = win32_facts_read,
	.setup = win32_setup,
	.load_weight = win32_load_weight,
	.color_terminal = win32_color_terminal,
};
