/* agent_win32.c - dsr-agent's Windows platform layer: reads the DR facts
 * with the IP Helper API, SetupAPI and the firewall's COM interface, and
 * carries out setup's actions (win_setup.h).  Built with mingw-w64.
 *
 * IP Helper calls newer than XP are resolved at run time: a missing export
 * (or, under wine, an unimplemented stub) makes that fact unknown, with a
 * note, never a crash.
 */
#define WIN32_LEAN_AND_MEAN
#define COBJMACROS
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <setupapi.h>
#include <devguid.h>
#include <netfw.h>
#include <ole2.h>
#include <newdev.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "win-realserver/agent_platform.h"
#include "win-realserver/agent_win32.h"
#include "win-realserver/win_facts.h"
#include "win-realserver/win_setup.h"

/* {4d36e972-e325-11ce-bfc1-08002be10318}: the network adapter class
 * (devguid.h declares it; defined here to need no -luuid). */
static const GUID net_class = { 0x4d36e972, 0xe325, 0x11ce,
	{ 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18 } };

/* --- run-time resolved exports, and a guard for wine's stubs ------------- */

typedef DWORD (WINAPI *fn_get_ipif)(MIB_IPINTERFACE_ROW *);
typedef DWORD (WINAPI *fn_set_ipif)(MIB_IPINTERFACE_ROW *);
typedef DWORD (WINAPI *fn_get_uat)(ADDRESS_FAMILY, MIB_UNICASTIPADDRESS_TABLE **);
typedef DWORD (WINAPI *fn_uae)(const MIB_UNICASTIPADDRESS_ROW *);
typedef VOID (WINAPI *fn_free_mib)(PVOID);
typedef BOOL (WINAPI *fn_update_driver)(HWND, LPCWSTR, LPCWSTR, DWORD, PBOOL);
typedef LONG (WINAPI *fn_rtl_get_version)(OSVERSIONINFOW *);

/* DNS_INTERFACE_SETTINGS (netioapi.h of Windows 10 2004+, not in
 * mingw-w64 10); SetInterfaceDnsSettings exists from Server 2022 on. */
struct dns_interface_settings {
	ULONG Version;
	ULONG64 Flags;
	PWSTR Domain;
	PWSTR NameServer;
	PWSTR SearchList;
	ULONG RegistrationEnabled;
	ULONG RegisterAdapterName;
	ULONG EnableLLMNR;
	ULONG QueryAdapterName;
	PWSTR ProfileNameServer;
};
#define DNS_SETTINGS_VERSION1_ 1
#define DNS_SETTING_REGISTRATION_ENABLED_ 0x0020
typedef DWORD (WINAPI *fn_set_dns)(GUID, const struct dns_interface_settings *);

static struct {
	int done;
	fn_get_ipif get_ipif;
	fn_set_ipif set_ipif;
	fn_get_uat get_uat;
	fn_uae create_uae;
	fn_uae delete_uae;
	fn_free_mib free_mib;
	fn_set_dns set_dns;
} api;

static const struct win32_hooks *hooks;

void win32_hooks_set(const struct win32_hooks *h)
{
	hooks = h;
}

static FARPROC resolve(HMODULE m, const char *name)
{
	if (hooks && hooks->hide_export && hooks->hide_export(name))
		return NULL;
	return m ? GetProcAddress(m, name) : NULL;
}

static void api_load(void)
{
	HMODULE ip;

	if (api.done)
		return;
	ip = LoadLibraryW(L"iphlpapi.dll");
	api.get_ipif = (fn_get_ipif)(void (*)(void))resolve(ip, "GetIpInterfaceEntry");
	api.set_ipif = (fn_set_ipif)(void (*)(void))resolve(ip, "SetIpInterfaceEntry");
	api.get_uat = (fn_get_uat)(void (*)(void))resolve(ip, "GetUnicastIpAddressTable");
	api.create_uae = (fn_uae)(void (*)(void))resolve(ip, "CreateUnicastIpAddressEntry");
	api.delete_uae = (fn_uae)(void (*)(void))resolve(ip, "DeleteUnicastIpAddressEntry");
	api.free_mib = (fn_free_mib)(void (*)(void))resolve(ip, "FreeMibTable");
	api.set_dns = (fn_set_dns)(void (*)(void))resolve(ip, "SetInterfaceDnsSettings");
	api.done = 1;
}

/* wine exports functions it does not implement as stubs that raise
 * EXCEPTION_WINE_STUB when called.  A vectored handler turns that one
 * exception, raised inside guarded(), back into an error return. */
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
static DWORD guarded(DWORD (WINAPI *f)(MIB_IPINTERFACE_ROW *), MIB_IPINTERFACE_ROW *row)
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

static DWORD guarded_uae(fn_uae f, const MIB_UNICASTIPADDRESS_ROW *row)
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

static void utf8(char *dst, size_t n, const WCHAR *w)
{
	if (!n)
		return;
	dst[0] = '\0';
	if (w && !WideCharToMultiByte(CP_UTF8, 0, w, -1, dst, (int)n, NULL, NULL))
		dst[n - 1] = '\0';
}

static int wide(WCHAR *dst, size_t n, const char *s)
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

static void to_sockaddr(const struct ip_addr *a, SOCKADDR_INET *sa)
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

static int err_from_win(DWORD e)
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

static void win_errf(char *err, size_t n, const char *what, DWORD e)
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

	set = SetupDiGetClassDevsW(&net_class, NULL, NULL, DIGCF_PRESENT);
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
			utf8(g, sizeof(g), guid);
			for (k = 0; k < s->n_adapters; k++)
				if (_stricmp(s->adapters[k].guid, g) == 0)
					utf8(s->adapters[k].hardware_id, sizeof(s->adapters[k].hardware_id), hwid);
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
		e = guarded(api.get_ipif, &row);
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
		return err_from_win(e ? e : ERROR_BUFFER_OVERFLOW);
	}
	for (aa = list; aa; aa = aa->Next) {
		char alias[FACTS_NAME_LEN];
		struct win_adapter *a;

		utf8(alias, sizeof(alias), aa->FriendlyName);
		a = win_snapshot_adapter_add(s, alias, aa->IfIndex ? aa->IfIndex : aa->Ipv6IfIndex,
					     aa->Luid.Value);
		if (!a)
			break;
		utf8(a->description, sizeof(a->description), aa->Description);
		facts_text_set(a->guid, sizeof(a->guid), aa->AdapterName);
		a->if_type = aa->IfType;
		a->up = aa->OperStatus == IfOperStatusUp;
		a->dns_register = (aa->Flags & IP_ADAPTER_DDNS_ENABLED) ? 1 : 0;
		read_weakhost(s, a, aa);
		if (!api.get_uat) {
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

	if (!api.get_uat) {
		win_snapshot_note(s, "GetUnicastIpAddressTable is missing: addresses from "
				  "GetAdaptersAddresses, SkipAsSource unknown");
		return;
	}
	e = api.get_uat(AF_UNSPEC, &t);
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
	if (api.free_mib)
		api.free_mib(t);
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
		utf8(s->hostname, sizeof(s->hostname), host);
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

static int snapshot_read(struct win_snapshot *s)
{
	int r;

	api_load();
	read_identity(s);
	r = read_adapters(s);
	if (r < 0)
		return r;
	read_addresses(s);
	read_hardware_ids(s);
	read_listeners(s);
	return 0;
}

/* --- firewall (COM) ------------------------------------------------------ */

static const CLSID clsid_fw_policy2 = { 0xe2b3c97f, 0x6ae1, 0x41ac,
	{ 0x81, 0x7a, 0xf6, 0xf9, 0x21, 0x66, 0xd7, 0xdd } };
static const CLSID clsid_fw_rule = { 0x2c5bc43e, 0x3369, 0x4c33,
	{ 0xab, 0x0c, 0xbe, 0x94, 0x69, 0x67, 0x7a, 0xf4 } };
static const IID iid_fw_policy2 = { 0x98325047, 0xc671, 0x4174,
	{ 0x8d, 0x81, 0xde, 0xfc, 0xd3, 0xf0, 0x31, 0x86 } };
static const IID iid_fw_rule = { 0xaf230d27, 0xbaba, 0x4e42,
	{ 0xac, 0xed, 0xf5, 0x24, 0xf2, 0x2c, 0xfc, 0xe2 } };

static void rule_name(const struct ip_addr *vip, WCHAR *w, size_t n)
{
	char vs[IPADDR_STRLEN], name[96];

	snprintf(name, sizeof(name), WIN_FW_RULE_PREFIX "%s", ipaddr_format(vip, vs));
	if (wide(w, n, name) < 0)
		w[0] = 0;
}

static INetFwPolicy2 *fw_policy(int *co)
{
	INetFwPolicy2 *p = NULL;
	HRESULT h = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);

	*co = SUCCEEDED(h);
	if (FAILED(CoCreateInstance(&clsid_fw_policy2, NULL, CLSCTX_INPROC_SERVER, &iid_fw_policy2,
				    (void **)&p)))
		p = NULL;
	return p;
}

static enum win_fw_state firewall_state(const struct ip_addr *vip)
{
	static const NET_FW_PROFILE_TYPE2 profs[3] = { NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE,
						       NET_FW_PROFILE2_PUBLIC };
	enum win_fw_state st = WIN_FW_UNKNOWN;
	INetFwPolicy2 *p;
	INetFwRules *rules = NULL;
	INetFwRule *rule = NULL;
	WCHAR wname[96];
	BSTR name = NULL;
	VARIANT_BOOL on;
	int co, i, any_on = 0, known = 0;

	p = fw_policy(&co);
	if (!p)
		goto out;
	for (i = 0; i < 3; i++)
		if (SUCCEEDED(INetFwPolicy2_get_FirewallEnabled(p, profs[i], &on))) {
			known = 1;
			any_on |= on == VARIANT_TRUE;
		}
	if (!known)
		goto out;
	if (!any_on) {
		st = WIN_FW_OFF;
		goto out;
	}
	if (FAILED(INetFwPolicy2_get_Rules(p, &rules)) || !rules)
		goto out;
	rule_name(vip, wname, 96);
	name = SysAllocString(wname);
	if (name && SUCCEEDED(INetFwRules_Item(rules, name, &rule)) && rule)
		st = SUCCEEDED(INetFwRule_get_Enabled(rule, &on)) && on == VARIANT_TRUE ? WIN_FW_PRESENT
											  : WIN_FW_ABSENT;
	else
		st = WIN_FW_ABSENT;
out:
	if (name)
		SysFreeString(name);
	if (rule)
		INetFwRule_Release(rule);
	if (rules)
		INetFwRules_Release(rules);
	if (p)
		INetFwPolicy2_Release(p);
	if (co)
		CoUninitialize();
	return st;
}

static int firewall_rule_add(const struct ip_addr *vip, char *err, size_t errlen)
{
	INetFwPolicy2 *p;
	INetFwRules *rules = NULL;
	INetFwRule *rule = NULL;
	WCHAR wname[96], waddr[IPADDR_STRLEN];
	char vs[IPADDR_STRLEN];
	BSTR name = NULL, addr = NULL, desc = NULL;
	HRESULT h = E_FAIL;
	int co, r = -EIO;

	p = fw_policy(&co);
	if (!p) {
		snprintf(err, errlen, "the Windows Firewall COM interface (HNetCfg.FwPolicy2) is not available");
		goto out;
	}
	rule_name(vip, wname, 96);
	if (wide(waddr, IPADDR_STRLEN, ipaddr_format(vip, vs)) < 0)
		goto out;
	name = SysAllocString(wname);
	addr = SysAllocString(waddr);
	desc = SysAllocString(L"Direct Routing VIP (dsrkit dsr-agent setup)");
	if (!name || !addr || !desc) {
		r = -ENOMEM;
		goto out;
	}
	h = INetFwPolicy2_get_Rules(p, &rules);
	if (SUCCEEDED(h))
		h = CoCreateInstance(&clsid_fw_rule, NULL, CLSCTX_INPROC_SERVER, &iid_fw_rule, (void **)&rule);
	if (SUCCEEDED(h))
		h = INetFwRules_Remove(rules, name);   /* idempotent: replace ours */
	if (SUCCEEDED(h))
		h = INetFwRule_put_Name(rule, name);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Description(rule, desc);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Direction(rule, NET_FW_RULE_DIR_IN);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Action(rule, NET_FW_ACTION_ALLOW);
	if (SUCCEEDED(h))
		h = INetFwRule_put_LocalAddresses(rule, addr);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Profiles(rule, NET_FW_PROFILE2_ALL);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Enabled(rule, VARIANT_TRUE);
	if (SUCCEEDED(h))
		h = INetFwRules_Add(rules, rule);
	if (SUCCEEDED(h))
		r = 0;
	else
		snprintf(err, errlen, "adding the firewall rule failed (HRESULT 0x%08lx)", (unsigned long)h);
out:
	if (name)
		SysFreeString(name);
	if (addr)
		SysFreeString(addr);
	if (desc)
		SysFreeString(desc);
	if (rule)
		INetFwRule_Release(rule);
	if (rules)
		INetFwRules_Release(rules);
	if (p)
		INetFwPolicy2_Release(p);
	if (co)
		CoUninitialize();
	return r;
}

/* --- setup actions ------------------------------------------------------- */

int win32_is_admin(void)
{
	SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
	PSID admins = NULL;
	BOOL member = FALSE;

	if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0,
				      0, 0, 0, &admins))
		return 0;
	if (!CheckTokenMembership(NULL, admins, &member))
		member = FALSE;
	FreeSid(admins);
	return member ? 1 : 0;
}

/* Run a system tool (netsh, powershell) hidden and wait for it; for the
 * two steps without an API worth the weight (renaming the connection,
 * unbinding protocols through INetCfg). */
static int run_tool(const WCHAR *cmdline, char *err, size_t errlen)
{
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	WCHAR buf[1024];
	DWORD code = 1;

	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	if (wcslen(cmdline) >= 1024)
		return -E2BIG;
	wcscpy_s(buf, 1024, cmdline);
	if (!CreateProcessW(NULL, buf, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
		win_errf(err, errlen, "starting a system tool", GetLastError());
		return -EIO;
	}
	if (WaitForSingleObject(pi.hProcess, 60000) != WAIT_OBJECT_0)
		TerminateProcess(pi.hProcess, 1);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	if (code) {
		snprintf(err, errlen, "a system tool exited with %lu", (unsigned long)code);
		return -EIO;
	}
	return 0;
}

/* What devcon install does: a root-enumerated device with hardware id
 * *MSLOOP, then the driver from netloop.inf. */
static int loopback_create(const struct win_action *x, const struct win_options *o, char *err, size_t errlen)
{
	static const WCHAR hwid[] = L"*MSLOOP\0";
	WCHAR inf[MAX_PATH], cls[64], cmd[512], wname[FACTS_NAME_LEN];
	GUID guid = net_class;
	HDEVINFO set;
	SP_DEVINFO_DATA dev;
	fn_update_driver update;
	HMODULE newdev;
	BOOL reboot = FALSE;
	int r = -EIO, i;
	size_t before = 0, k;
	static struct win_snapshot s;

	(void)o;
	if (!GetWindowsDirectoryW(inf, MAX_PATH - 20))
		return -EIO;
	wcscat_s(inf, MAX_PATH, L"\\inf\\netloop.inf");
	if (!SetupDiClassNameFromGuidW(&guid, cls, 64, NULL)) {
		win_errf(err, errlen, "SetupDiClassNameFromGuid", GetLastError());
		return -EIO;
	}
	win_snapshot_init(&s);
	if (snapshot_read(&s) == 0)
		before = s.n_adapters;
	set = SetupDiCreateDeviceInfoList(&guid, NULL);
	if (set == INVALID_HANDLE_VALUE) {
		win_errf(err, errlen, "SetupDiCreateDeviceInfoList", GetLastError());
		return -EIO;
	}
	dev.cbSize = sizeof(dev);
	if (!SetupDiCreateDeviceInfoW(set, cls, &guid, NULL, NULL, DICD_GENERATE_ID, &dev)) {
		win_errf(err, errlen, "SetupDiCreateDeviceInfo", GetLastError());
		goto out;
	}
	if (!SetupDiSetDeviceRegistryPropertyW(set, &dev, SPDRP_HARDWAREID, (const BYTE *)hwid, sizeof(hwid))) {
		win_errf(err, errlen, "SetupDiSetDeviceRegistryProperty", GetLastError());
		goto out;
	}
	if (!SetupDiCallClassInstaller(DIF_REGISTERDEVICE, set, &dev)) {
		win_errf(err, errlen, "SetupDiCallClassInstaller(DIF_REGISTERDEVICE)", GetLastError());
		goto out;
	}
	newdev = LoadLibraryW(L"newdev.dll");
	update = (fn_update_driver)(void (*)(void))(newdev ? GetProcAddress(newdev, "UpdateDriverForPlugAndPlayDevicesW") : NULL);
	if (!update) {
		snprintf(err, errlen, "newdev.dll UpdateDriverForPlugAndPlayDevicesW is missing");
		SetupDiCallClassInstaller(DIF_REMOVE, set, &dev);
		goto out;
	}
	if (!update(NULL, L"*MSLOOP", inf, INSTALLFLAG_FORCE, &reboot)) {
		win_errf(err, errlen, "installing netloop.inf", GetLastError());
		SetupDiCallClassInstaller(DIF_REMOVE, set, &dev);
		goto out;
	}
	/* The adapter shows up in IP Helper a moment later; name it then. */
	for (i = 0; i < 50; i++) {
		win_snapshot_init(&s);
		if (snapshot_read(&s) == 0 && s.n_adapters > before)
			for (k = 0; k < s.n_adapters; k++)
				if (_stricmp(s.adapters[k].hardware_id, WIN_LOOPBACK_HWID) == 0)
					goto found;
		Sleep(200);
	}
	snprintf(err, errlen, "the loopback adapter was installed but did not appear within 10 s");
	goto out;
found:
	if (wide(wname, FACTS_NAME_LEN, x->alias) < 0)
		goto out;
	if (strcmp(s.adapters[k].alias, x->alias) != 0) {
		WCHAR old[FACTS_NAME_LEN];

		if (wide(old, FACTS_NAME_LEN, s.adapters[k].alias) < 0)
			goto out;
		_snwprintf(cmd, 512, L"netsh.exe interface set interface name=\"%ls\" newname=\"%ls\"", old, wname);
		cmd[511] = 0;
		r = run_tool(cmd, err, errlen);
		if (r < 0)
			goto out;
	}
	_snwprintf(cmd, 512, L"powershell.exe -NoProfile -NonInteractive -Command \"Disable-NetAdapterBinding "
		   L"-Name '%ls' -ComponentID ms_msclient,ms_server,ms_lltdio,ms_rspndr\"", wname);
	cmd[511] = 0;
	r = run_tool(cmd, err, errlen);
out:
	SetupDiDestroyDeviceInfoList(set);
	return r;
}

static int addr_change(const struct win_action *x, int add, char *err, size_t errlen)
{
	MIB_UNICASTIPADDRESS_ROW row;
	DWORD e;

	api_load();
	memset(&row, 0, sizeof(row));
	to_sockaddr(&x->addr, &row.Address);
	row.InterfaceLuid.Value = x->luid;
	row.InterfaceIndex = x->index;
	row.OnLinkPrefixLength = (UINT8)x->prefix_len;
	/* InitializeUnicastIpAddressEntry's defaults, set by hand. */
	row.PrefixOrigin = IpPrefixOriginManual;
	row.SuffixOrigin = IpSuffixOriginManual;
	row.ValidLifetime = 0xffffffff;
	row.PreferredLifetime = 0xffffffff;
	row.SkipAsSource = TRUE;
	row.DadState = IpDadStatePreferred;
	e = guarded_uae(add ? api.create_uae : api.delete_uae, &row);
	if (e == ERROR_OBJECT_ALREADY_EXISTS && add)
		return 0;
	if (e == ERROR_NOT_FOUND && !add)
		return 0;
	if (e != ERROR_SUCCESS) {
		win_errf(err, errlen, add ? "CreateUnicastIpAddressEntry" : "DeleteUnicastIpAddressEntry", e);
		return err_from_win(e);
	}
	return 0;
}

static int weakhost_set(const struct win_action *x, char *err, size_t errlen)
{
	MIB_IPINTERFACE_ROW row;
	DWORD e;

	api_load();
	memset(&row, 0, sizeof(row));
	row.Family = x->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	row.InterfaceLuid.Value = x->luid;
	e = guarded(api.get_ipif, &row);
	if (e == ERROR_SUCCESS) {
		row.WeakHostReceive = TRUE;
		if (x->send)
			row.WeakHostSend = TRUE;
		/* SetIpInterfaceEntry rejects an IPv4 row whose
		 * SitePrefixLength is not 0 (it is IPv6 only). */
		if (row.Family == AF_INET)
			row.SitePrefixLength = 0;
		e = guarded(api.set_ipif, &row);
	}
	if (e != ERROR_SUCCESS) {
		win_errf(err, errlen, "Get/SetIpInterfaceEntry", e);
		return err_from_win(e);
	}
	return 0;
}

static int dns_off(const struct win_action *x, char *err, size_t errlen)
{
	WCHAR wguid[WIN_GUID_LEN], path[160];
	DWORD zero = 0;
	HKEY key;
	LONG e;

	api_load();
	if (wide(wguid, WIN_GUID_LEN, x->guid) < 0)
		return -EINVAL;
	if (api.set_dns) {
		struct dns_interface_settings st;
		GUID g;

		if (CLSIDFromString(wguid, &g) == NOERROR) {
			memset(&st, 0, sizeof(st));
			st.Version = DNS_SETTINGS_VERSION1_;
			st.Flags = DNS_SETTING_REGISTRATION_ENABLED_;
			st.RegistrationEnabled = 0;
			if (api.set_dns(g, &st) == ERROR_SUCCESS)
				return 0;
		}
	}
	/* Server 2016/2019: the DNS client reads this value (what
	 * Set-DnsClient -RegisterThisConnectionsAddress writes). */
	_snwprintf(path, 160, L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces\\%ls", wguid);
	path[159] = 0;
	e = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_SET_VALUE, &key);
	if (e == ERROR_SUCCESS) {
		e = RegSetValueExW(key, L"RegistrationEnabled", 0, REG_DWORD, (const BYTE *)&zero, sizeof(zero));
		RegCloseKey(key);
	}
	if (e != ERROR_SUCCESS) {
		win_errf(err, errlen, "turning DNS registration off", (DWORD)e);
		return err_from_win((DWORD)e);
	}
	return 0;
}

static int apply(const struct win_action *x, const struct win_options *o, char *err, size_t errlen)
{
	switch (x->kind) {
	case WIN_ACT_LOOPBACK_CREATE:
		return loopback_create(x, o, err, errlen);
	case WIN_ACT_ADDR_DEL:
		return addr_change(x, 0, err, errlen);
	case WIN_ACT_ADDR_ADD:
		return addr_change(x, 1, err, errlen);
	case WIN_ACT_WEAKHOST:
		return weakhost_set(x, err, errlen);
	case WIN_ACT_DNS_OFF:
		return dns_off(x, err, errlen);
	case WIN_ACT_FIREWALL:
		return firewall_rule_add(&x->addr, err, errlen);
	case WIN_ACT_COUNT:
		break;
	}
	return -EINVAL;
}

const struct win_ops win32_ops = {
	.snapshot_read = snapshot_read,
	.firewall_state = firewall_state,
	.is_admin = win32_is_admin,
	.apply = apply,
};

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
	r = snapshot_read(&last);
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

const struct agent_platform agent_platform = {
	.name = "windows",
	.os = FACTS_OS_WINDOWS,
	.facts_read = win32_facts_read,
	.setup = win32_setup,
	.load_weight = win32_load_weight,
};
