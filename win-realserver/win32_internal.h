/* SPDX-License-Identifier: Apache-2.0 */
/* win32_internal.h - what the Windows platform files share (agent_win32.c
 * reads, win32_setup.c and win32_firewall.c change): the IP Helper exports
 * resolved at run time, the guard against wine's stubs, and text and error
 * helpers.  Windows headers: included by Windows-only files alone. */
#ifndef DSRKIT_WIN32_INTERNAL_H
#define DSRKIT_WIN32_INTERNAL_H

#define WIN32_LEAN_AND_MEAN
#define COBJMACROS
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <netioapi.h>

#include <stddef.h>

#include "win-realserver/win_facts-t.h"
#include "win-realserver/win_setup.h"

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
#define DNS_SETTING_REGISTRATION_ENABLED_ 0x0008
typedef DWORD (WINAPI *fn_set_dns)(GUID, const struct dns_interface_settings *);

struct win32_api {
	int done;
	fn_get_ipif get_ipif;
	fn_set_ipif set_ipif;
	fn_get_uat get_uat;
	fn_uae create_uae;
	fn_uae delete_uae;
	fn_free_mib free_mib;
	fn_set_dns set_dns;
};
extern struct win32_api win32_api;


/* Resolve the exports above once (hide_export of win32_hooks applies). */
void win32_api_load(void);

/* Call f(row); ERROR_CALL_NOT_IMPLEMENTED when f is missing or a stub. */
DWORD win32_guarded_ipif(fn_get_ipif f, MIB_IPINTERFACE_ROW *row);
DWORD win32_guarded_uae(fn_uae f, const MIB_UNICASTIPADDRESS_ROW *row);

/* UTF-16 <-> UTF-8 into bounded buffers; wide() returns 0 or -EINVAL. */
void win32_utf8(char *dst, size_t n, const WCHAR *w);
__attribute__((warn_unused_result))
int win32_wide(WCHAR *dst, size_t n, const char *s);

void win32_to_sockaddr(const struct ip_addr *a, SOCKADDR_INET *sa);

/* A Win32 error as a negative errno, and as "what: message (error N)". */
int win32_err_from_win(DWORD e);
void win32_errf(char *err, size_t n, const char *what, DWORD e);

/* The whole snapshot (agent_win32.c). */
__attribute__((warn_unused_result))
int win32_snapshot_read(struct win_snapshot *s);

/* The firewall (win32_firewall.c). */
enum win_fw_state win32_firewall_state(const struct ip_addr *vip);
__attribute__((warn_unused_result))
int win32_firewall_rule_add(const struct ip_addr *vip, char *err, size_t errlen);

/* One setup action (win32_setup.c). */
__attribute__((warn_unused_result))
int win32_apply(const struct win_action *x, const struct win_options *o, char *err, size_t errlen);

#endif
