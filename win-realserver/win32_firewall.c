/* win32_firewall.c - the Windows Firewall through its COM interface
 * (INetFwPolicy2, INetFwRule): whether the dsrkit rule of a VIP is there,
 * and adding it.  Built with mingw-w64. */
#include "win-realserver/win32_internal.h"

#include <netfw.h>
#include <ole2.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
	if (win32_wide(w, n, name) < 0)
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

enum win_fw_state win32_firewall_state(const struct ip_addr *vip)
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

int win32_firewall_rule_add(const struct ip_addr *vip, char *err, size_t errlen)
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
	if (win32_wide(waddr, IPADDR_STRLEN, ipaddr_format(vip, vs)) < 0)
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
