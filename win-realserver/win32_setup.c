/* SPDX-License-Identifier: Apache-2.0 */
/* win32_setup.c - setup's actions on Windows (win_setup.h): SetupAPI
 * device creation of the KM-TEST loopback adapter, CreateUnicastIpAddress-
 * Entry, SetIpInterfaceEntry, DNS registration, and the admin check; the
 * firewall rule is win32_firewall.c's.  Built with mingw-w64. */
#include "win-realserver/win32_internal.h"

#include <setupapi.h>
#include <newdev.h>
#include <ole2.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "win-realserver/agent_win32.h"
#include "win-realserver/win_facts.h"

extern const GUID win32_net_class;

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
		win32_errf(err, errlen, "starting a system tool", GetLastError());
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
	GUID guid = win32_net_class;
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
		win32_errf(err, errlen, "SetupDiClassNameFromGuid", GetLastError());
		return -EIO;
	}
	win_snapshot_init(&s);
	if (win32_snapshot_read(&s) == 0)
		before = s.n_adapters;
	set = SetupDiCreateDeviceInfoList(&guid, NULL);
	if (set == INVALID_HANDLE_VALUE) {
		win32_errf(err, errlen, "SetupDiCreateDeviceInfoList", GetLastError());
		return -EIO;
	}
	dev.cbSize = sizeof(dev);
	if (!SetupDiCreateDeviceInfoW(set, cls, &guid, NULL, NULL, DICD_GENERATE_ID, &dev)) {
		win32_errf(err, errlen, "SetupDiCreateDeviceInfo", GetLastError());
		goto out;
	}
	if (!SetupDiSetDeviceRegistryPropertyW(set, &dev, SPDRP_HARDWAREID, (const BYTE *)hwid, sizeof(hwid))) {
		win32_errf(err, errlen, "SetupDiSetDeviceRegistryProperty", GetLastError());
		goto out;
	}
	if (!SetupDiCallClassInstaller(DIF_REGISTERDEVICE, set, &dev)) {
		win32_errf(err, errlen, "SetupDiCallClassInstaller(DIF_REGISTERDEVICE)", GetLastError());
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
		win32_errf(err, errlen, "installing netloop.inf", GetLastError());
		SetupDiCallClassInstaller(DIF_REMOVE, set, &dev);
		goto out;
	}
	/* The adapter shows up in IP Helper a moment later; name it then. */
	for (i = 0; i < 50; i++) {
		win_snapshot_init(&s);
		if (win32_snapshot_read(&s) == 0 && s.n_adapters > before)
			for (k = 0; k < s.n_adapters; k++)
				if (_stricmp(s.adapters[k].hardware_id, WIN_LOOPBACK_HWID) == 0)
					goto found;
		Sleep(200);
	}
	snprintf(err, errlen, "the loopback adapter was installed but did not appear within 10 s");
	goto out;
found:
	if (win32_wide(wname, FACTS_NAME_LEN, x->alias) < 0)
		goto out;
	if (strcmp(s.adapters[k].alias, x->alias) != 0) {
		WCHAR old[FACTS_NAME_LEN];

		if (win32_wide(old, FACTS_NAME_LEN, s.adapters[k].alias) < 0)
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

	win32_api_load();
	memset(&row, 0, sizeof(row));
	win32_to_sockaddr(&x->addr, &row.Address);
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
	e = win32_guarded_uae(add ? win32_api.create_uae : win32_api.delete_uae, &row);
	if (e == ERROR_OBJECT_ALREADY_EXISTS && add)
		return 0;
	if (e == ERROR_NOT_FOUND && !add)
		return 0;
	if (e != ERROR_SUCCESS) {
		win32_errf(err, errlen, add ? "CreateUnicastIpAddressEntry" : "DeleteUnicastIpAddressEntry", e);
		return win32_err_from_win(e);
	}
	return 0;
}

static int weakhost_set(const struct win_action *x, char *err, size_t errlen)
{
	MIB_IPINTERFACE_ROW row;
	DWORD e;

	win32_api_load();
	memset(&row, 0, sizeof(row));
	row.Family = x->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	row.InterfaceLuid.Value = x->luid;
	e = win32_guarded_ipif(win32_api.get_ipif, &row);
	if (e == ERROR_SUCCESS) {
		row.WeakHostReceive = TRUE;
		if (x->send)
			row.WeakHostSend = TRUE;
		/* SetIpInterfaceEntry rejects an IPv4 row whose
		 * SitePrefixLength is not 0 (it is IPv6 only). */
		if (row.Family == AF_INET)
			row.SitePrefixLength = 0;
		e = win32_guarded_ipif(win32_api.set_ipif, &row);
	}
	if (e != ERROR_SUCCESS) {
		win32_errf(err, errlen, "Get/SetIpInterfaceEntry", e);
		return win32_err_from_win(e);
	}
	return 0;
}

static int dns_off(const struct win_action *x, char *err, size_t errlen)
{
	WCHAR wguid[WIN_GUID_LEN], path[160];
	DWORD zero = 0, one = 1;
	HKEY key;
	LONG e;

	win32_api_load();
	if (win32_wide(wguid, WIN_GUID_LEN, x->guid) < 0)
		return -EINVAL;
	if (win32_api.set_dns) {
		struct dns_interface_settings st;
		GUID g;

		if (CLSIDFromString(wguid, &g) == NOERROR) {
			memset(&st, 0, sizeof(st));
			st.Version = DNS_SETTINGS_VERSION1_;
			st.Flags = DNS_SETTING_REGISTRATION_ENABLED_;
			st.RegistrationEnabled = 0;
			if (win32_api.set_dns(g, &st) == ERROR_SUCCESS)
				return 0;
		}
	}
	/* Server 2016/2019: the interface's TCP/IP parameters, both the
	 * classic DisableDynamicUpdate (KB 246804) and RegistrationEnabled,
	 * which newer DNS clients keep there. */
	_snwprintf(path, 160, L"SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces\\%ls", wguid);
	path[159] = 0;
	e = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_SET_VALUE, &key);
	if (e == ERROR_SUCCESS) {
		e = RegSetValueExW(key, L"RegistrationEnabled", 0, REG_DWORD, (const BYTE *)&zero, sizeof(zero));
		if (e == ERROR_SUCCESS)
			e = RegSetValueExW(key, L"DisableDynamicUpdate", 0, REG_DWORD, (const BYTE *)&one, sizeof(one));
		RegCloseKey(key);
	}
	if (e != ERROR_SUCCESS) {
		win32_errf(err, errlen, "turning DNS registration off", (DWORD)e);
		return win32_err_from_win((DWORD)e);
	}
	return 0;
}

int win32_apply(const struct win_action *x, const struct win_options *o, char *err, size_t errlen)
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
		return win32_firewall_rule_add(&x->addr, err, errlen);
	case WIN_ACT_COUNT:
		break;
	}
	return -EINVAL;
}

const struct win_ops win32_ops = {
	.snapshot_read = win32_snapshot_read,
	.firewall_state = win32_firewall_state,
	.is_admin = win32_is_admin,
	.apply = win32_apply,
};
