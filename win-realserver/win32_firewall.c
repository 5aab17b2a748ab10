/* SPDX-License-Identifier: Apache-2.0 */
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

/* What one look at the firewall holds, released together by fw_close. */
struct fw {
	INetFwPolicy2 *p;
	INetFwRules *rules;
	INetFwRule *rule;
	BSTR name;        /* the VIP's rule name */
	int co;           /* COM initialised here */
};

/* The policy, and the name of vip's rule; 0, or -1 when the firewall's
 * COM interface is not there (fw_close still owed). */
static int fw_open(struct fw *f, const struct ip_addr *vip)
{
	WCHAR wname[96];
	HRESULT h = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);

	memset(f, 0, sizeof(*f));
	f->co = SUCCEEDED(h);
	if (FAILED(CoCreateInstance(&clsid_fw_policy2, NULL, CLSCTX_INPROC_SERVER, &iid_fw_policy2,
				    (void **)&f->p))) {
		f->p = NULL;
		return -1;
	}
	rule_name(vip, wname, 96);
	f->name = SysAllocString(wname);
	return 0;
}

static void fw_close(struct fw *f)
{
	if (f->name)
		SysFreeString(f->name);
	if (f->rule)
		INetFwRule_Release(f->rule);
	if (f->rules)
		INetFwRules_Release(f->rules);
	if (f->p)
		INetFwPolicy2_Release(f->p);
	if (f->co)
		CoUninitialize();
}

enum win_fw_state win32_firewall_state(const struct ip_addr *vip)
{
	static const NET_FW_PROFILE_TYPE2 profs[3] = { NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE,
						       NET_FW_PROFILE2_PUBLIC };
	enum win_fw_state st = WIN_FW_UNKNOWN;
	struct fw f;
	VARIANT_BOOL on;
	int i, any_on = 0, known = 0;

	if (fw_open(&f, vip) < 0)
		goto out;
	for (i = 0; i < 3; i++)
		if (SUCCEEDED(INetFwPolicy2_get_FirewallEnabled(f.p, profs[i], &on))) {
			known = 1;
			any_on |= on == VARIANT_TRUE;
		}
	if (!known)
		goto out;
	if (!any_on) {
		st = WIN_FW_OFF;
		goto out;
	}
	if (FAILED(INetFwPolicy2_get_Rules(f.p, &f.rules)) || !f.rules)
		goto out;
	if (f.name && SUCCEEDED(INetFwRules_Item(f.rules, f.name, &f.rule)) && f.rule)
		st = SUCCEEDED(INetFwRule_get_Enabled(f.rule, &on)) && on == VARIANT_TRUE ? WIN_FW_PRESENT
											      : WIN_FW_ABSENT;
	else
		st = WIN_FW_ABSENT;
out:
	fw_close(&f);
	return st;
}

int win32_firewall_rule_add(const struct ip_addr *vip, char *err, size_t errlen)
{
	struct fw f;
	WCHAR waddr[IPADDR_STRLEN];
	char vs[IPADDR_STRLEN];
	BSTR addr = NULL, desc = NULL;
	HRESULT h = E_FAIL;
	int r = -EIO;

	if (fw_open(&f, vip) < 0) {
		snprintf(err, errlen, "the Windows Firewall COM interface (HNetCfg.FwPolicy2) is not available");
		goto out;
	}
	if (win32_wide(waddr, IPADDR_STRLEN, ipaddr_format(vip, vs)) < 0)
		goto out;
	addr = SysAllocString(waddr);
	desc = SysAllocString(L"Direct Routing VIP (dsrkit dsr-agent setup)");
	if (!f.name || !addr || !desc) {
		r = -ENOMEM;
		goto out;
	}
	h = INetFwPolicy2_get_Rules(f.p, &f.rules);
	if (SUCCEEDED(h))
		h = CoCreateInstance(&clsid_fw_rule, NULL, CLSCTX_INPROC_SERVER, &iid_fw_rule, (void **)&f.rule);
	if (SUCCEEDED(h))
		h = INetFwRules_Remove(f.rules, f.name);   /* idempotent: replace ours */
	if (SUCCEEDED(h))
		h = INetFwRule_put_Name(f.rule, f.name);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Description(f.rule, desc);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Direction(f.rule, NET_FW_RULE_DIR_IN);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Action(f.rule, NET_FW_ACTION_ALLOW);
	if (SUCCEEDED(h))
		h = INetFwRule_put_LocalAddresses(f.rule, addr);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Profiles(f.rule, NET_FW_PROFILE2_ALL);
	if (SUCCEEDED(h))
		h = INetFwRule_put_Enabled(f.rule, VARIANT_TRUE);
	if (SUCCEEDED(h))
		h = INetFwRules_Add(f.rules, f.rule);
	if (SUCCEEDED(h))
		r = 0;
	else
		snprintf(err, errlen, "adding the firewall rule failed (HRESULT 0x%08lx)", (unsigned long)h);
out:
	if (addr)
		SysFreeString(addr);
	if (desc)
		SysFreeString(desc);
	fw_close(&f);
	return r;
}
