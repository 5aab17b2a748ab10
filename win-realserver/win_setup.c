/* SPDX-License-Identifier: Apache-2.0 */
/* win_setup.c - see win_setup.h.  Portable: no Windows header. */
#include "win-realserver/win_setup.h"
#include "win-realserver/win_facts.h"
#include "agent-proto/facts.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static const char *const action_names[WIN_ACT_COUNT] = {
	[WIN_ACT_LOOPBACK_CREATE] = "create-loopback",
	[WIN_ACT_ADDR_DEL] = "delete-address",
	[WIN_ACT_ADDR_ADD] = "add-address",
	[WIN_ACT_WEAKHOST] = "weak-host",
	[WIN_ACT_DNS_OFF] = "dns-registration-off",
	[WIN_ACT_FIREWALL] = "firewall-rule",
};

const char *win_action_kind_name(enum win_action_kind k)
{
	return (unsigned)k < WIN_ACT_COUNT ? action_names[k] : NULL;
}

__attribute__((format(printf, 3, 4)))
static void errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!n)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, n, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

static struct win_action *push(struct win_plan *p, enum win_action_kind k, const char *alias,
			       const struct win_adapter *a)
{
	struct win_action *x;

	if (p->n >= WIN_PLAN_MAX) {
		p->truncated = 1;
		return NULL;
	}
	x = &p->a[p->n++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	facts_text_set(x->alias, sizeof(x->alias), alias);
	if (a) {
		facts_text_set(x->guid, sizeof(x->guid), a->guid);
		x->luid = a->luid;
		x->index = a->index;
	}
	return x;
}

static int fam_idx(enum ip_family f)
{
	return f == IP_FAMILY_V6;
}

static int holds_family(const struct win_snapshot *s, uint32_t index, enum ip_family fam)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	size_t i;

	for (i = 0; i < s->n_addrs; i++) {
		const struct win_uaddr *u = &s->addrs[i];

		if (u->index != index || u->addr.family != fam)
			continue;
		if ((fam == IP_FAMILY_V4 && u->addr.b[0] == 127) ||
		    (fam == IP_FAMILY_V6 && memcmp(u->addr.b, v6lo, 16) == 0))
			continue;
		return 1;
	}
	return 0;
}

static int eq_alias(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void plan_weakhost(const struct win_snapshot *s, const struct win_options *o,
			  const struct win_adapter *lo, const char *lo_alias, enum ip_family fam,
			  struct win_plan *p)
{
	struct win_action *x;
	size_t i;
	int fi = fam_idx(fam);

	if (!lo || lo->weak_recv[fi] != 1 || lo->weak_send[fi] != 1) {
		x = push(p, WIN_ACT_WEAKHOST, lo_alias, lo);
		if (x) {
			x->family = fam;
			x->send = 1;
		}
	}
	for (i = 0; i < s->n_adapters; i++) {
		const struct win_adapter *a = &s->adapters[i];

		if (a == lo || win_adapter_is_loopback(a, o) || a->if_type == WIN_IF_TYPE_SOFTWARE_LOOPBACK)
			continue;
		if (o->nic[0] ? !eq_alias(a->alias, o->nic) : (a->up == 0 || !holds_family(s, a->index, fam)))
			continue;
		if (a->weak_recv[fi] == 1)
			continue;
		x = push(p, WIN_ACT_WEAKHOST, a->alias, a);
		if (x)
			x->family = fam;
	}
}

int win_setup_plan(const struct win_snapshot *s, const struct win_options *o,
		   const struct ip_addr *vips, size_t n_vips,
		   const enum win_fw_state *fw, struct win_plan *p, char *err, size_t errlen)
{
	const struct win_adapter *lo = NULL;
	const char *lo_alias;
	struct win_action *x;
	size_t i, j;
	int want[2] = { 0, 0 };

	p->n = 0;
	p->truncated = 0;
	for (i = 0; i < s->n_adapters && !lo; i++)
		if (win_adapter_is_loopback(&s->adapters[i], o))
			lo = &s->adapters[i];

	/* Refuse before changing anything: a VIP on a NIC steals it from the
	 * director, and removing an address someone put there on purpose is
	 * not ours to decide. */
	for (i = 0; i < n_vips; i++) {
		for (j = 0; j < s->n_addrs; j++) {
			const struct win_adapter *a;
			char vs[IPADDR_STRLEN];

			if (!ipaddr_equal(&s->addrs[j].addr, &vips[i]))
				continue;
			a = win_snapshot_adapter_by_index(s, s->addrs[j].index);
			if (!a || a == lo)
				continue;
			ipaddr_format(&vips[i], vs);
			errf(err, errlen,
			     "VIP %s is on \"%s\", which answers ARP for it; remove it there first "
			     "(netsh interface %s delete address \"%s\" %s)",
			     vs, a->alias, vips[i].family == IP_FAMILY_V4 ? "ipv4" : "ipv6", a->alias, vs);
			return -EEXIST;
		}
	}

	if (!lo) {
		lo_alias = o->loopback[0] ? o->loopback : o->loopback_new_name;
		push(p, WIN_ACT_LOOPBACK_CREATE, lo_alias, NULL);
	} else {
		lo_alias = lo->alias;
	}

	for (i = 0; i < n_vips; i++) {
		const struct ip_addr *v = &vips[i];
		unsigned want_len = ipaddr_host_prefix(v);
		int ok = 0;

		want[fam_idx(v->family)] = 1;
		for (j = 0; lo && j < s->n_addrs; j++) {
			const struct win_uaddr *u = &s->addrs[j];

			if (u->index != lo->index || !ipaddr_equal(&u->addr, v))
				continue;
			if (u->prefix_len == want_len && u->skip_as_source != 0) {
				ok = 1;
				continue;
			}
			x = push(p, WIN_ACT_ADDR_DEL, lo_alias, lo);
			if (x) {
				x->addr = *v;
				x->prefix_len = u->prefix_len;
			}
		}
		if (ok)
			continue;
		x = push(p, WIN_ACT_ADDR_ADD, lo_alias, lo);
		if (x) {
			x->addr = *v;
			x->prefix_len = want_len;
		}
	}
	if (want[0])
		plan_weakhost(s, o, lo, lo_alias, IP_FAMILY_V4, p);
	if (want[1])
		plan_weakhost(s, o, lo, lo_alias, IP_FAMILY_V6, p);
	if (!lo || lo->dns_register != 0)
		push(p, WIN_ACT_DNS_OFF, lo_alias, lo);
	for (i = 0; i < n_vips; i++) {
		if (fw && (fw[i] == WIN_FW_PRESENT || fw[i] == WIN_FW_OFF))
			continue;
		x = push(p, WIN_ACT_FIREWALL, lo_alias, lo);
		if (x)
			x->addr = vips[i];
	}
	return 0;
}

/* Aliases go inside double quotes of commands a user may paste. */
static void quote_safe(char *dst, size_t n, const char *src)
{
	size_t i;

	facts_text_set(dst, n, src);
	for (i = 0; dst[i]; i++) {
		unsigned char c = (unsigned char)dst[i];

		if (c < 0x20 || c == '"' || c == '`' || c == '$' || c == '\\')
			dst[i] = '_';
	}
}

static void print_action(const struct win_action *x, FILE *out)
{
	char n[FACTS_NAME_LEN], vs[IPADDR_STRLEN];
	const char *fam = x->addr.family == IP_FAMILY_V6 ? "ipv6" : "ipv4";

	quote_safe(n, sizeof(n), x->alias);
	ipaddr_format(&x->addr, vs);
	switch (x->kind) {
	case WIN_ACT_LOOPBACK_CREATE:
		fprintf(out, "# Create the Microsoft KM-TEST Loopback Adapter (root\\*MSLOOP, netloop.inf);\n"
			     "# dsr-agent does it through SetupAPI, as devcon does:\n"
			     "#   devcon.exe install $env:windir\\inf\\netloop.inf *MSLOOP\n"
			     "# then names it \"%s\" and unbinds the file-sharing client and server from it.\n", n);
		fprintf(out, "Get-NetAdapter | Where-Object { $_.ComponentID -eq '*MSLOOP' } | "
			     "Select-Object -First 1 | Rename-NetAdapter -NewName \"%s\"\n", n);
		fprintf(out, "Disable-NetAdapterBinding -Name \"%s\" -ComponentID ms_msclient,ms_server,"
			     "ms_lltdio,ms_rspndr\n", n);
		break;
	case WIN_ACT_ADDR_DEL:
		if (x->prefix_len == ipaddr_host_prefix(&x->addr))
			fprintf(out, "# %s/%u on \"%s\" may be used as a source address (SkipAsSource off): "
				     "re-add it\n", vs, x->prefix_len, n);
		else
			fprintf(out, "# %s/%u on \"%s\" has the wrong prefix: the whole prefix would be local\n",
				vs, x->prefix_len, n);
		fprintf(out, "#   netsh interface %s delete address \"%s\" %s\n", fam, n, vs);
		fprintf(out, "Remove-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -Confirm:$false\n", n, vs);
		break;
	case WIN_ACT_ADDR_ADD:
		fprintf(out, "# the VIP on the loopback adapter as a host address, never used as a source\n");
		if (x->addr.family == IP_FAMILY_V6)
			fprintf(out, "#   netsh interface ipv6 add address \"%s\" %s/128 skipassource=true\n", n, vs);
		else
			fprintf(out, "#   netsh interface ipv4 add address \"%s\" %s 255.255.255.255 skipassource=true\n",
				n, vs);
		fprintf(out, "New-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -PrefixLength %u "
			     "-SkipAsSource $true\n", n, vs, x->prefix_len);
		break;
	case WIN_ACT_WEAKHOST:
		fam = x->family == IP_FAMILY_V6 ? "ipv6" : "ipv4";
		fprintf(out, "# weak-host receive%s on \"%s\" (%s)\n", x->send ? " and send" : "", n, fam);
		fprintf(out, "#   netsh interface %s set interface \"%s\" weakhostreceive=enabled%s\n", fam, n,
			x->send ? " weakhostsend=enabled" : "");
		fprintf(out, "Set-NetIPInterface -InterfaceAlias \"%s\" -AddressFamily %s -WeakHostReceive Enabled%s\n",
			n, x->family == IP_FAMILY_V6 ? "IPv6" : "IPv4", x->send ? " -WeakHostSend Enabled" : "");
		break;
	case WIN_ACT_DNS_OFF:
		fprintf(out, "# the loopback adapter must not register the VIP in DNS\n");
		fprintf(out, "#   netsh interface ipv4 set dnsservers name=\"%s\" source=static address=none register=none\n", n);
		fprintf(out, "Set-DnsClient -InterfaceAlias \"%s\" -RegisterThisConnectionsAddress $false\n", n);
		break;
	case WIN_ACT_FIREWALL:
		fprintf(out, "# let the VIP's traffic in\n");
		fprintf(out, "#   netsh advfirewall firewall add rule name=\"" WIN_FW_RULE_PREFIX "%s\" dir=in action=allow localip=%s\n",
			vs, vs);
		fprintf(out, "New-NetFirewallRule -Name \"" WIN_FW_RULE_PREFIX "%s\" -DisplayName \"" WIN_FW_RULE_PREFIX
			     "%s\" -Direction Inbound -Action Allow -LocalAddress %s\n", vs, vs, vs);
		break;
	case WIN_ACT_COUNT:
		break;
	}
}

int win_setup_script_print(const struct win_plan *p, FILE *out)
{
	size_t i;

	fprintf(out, "# dsr-agent.exe setup --dry-run: the same steps as a PowerShell script (run elevated);\n"
		     "# each step's netsh equivalent is in the comment above it.\n"
		     "$ErrorActionPreference = 'Stop'\n");
	for (i = 0; i < p->n; i++) {
		fprintf(out, "\n");
		print_action(&p->a[i], out);
	}
	if (p->truncated)
		fprintf(out, "\n# (more steps than fit in one plan: run setup again afterwards)\n");
	return ferror(out) ? -EIO : 0;
}

static void describe(const struct win_action *x, FILE *out)
{
	char vs[IPADDR_STRLEN];

	fprintf(out, "setup: %s \"%s\"", win_action_kind_name(x->kind), x->alias);
	if (x->kind == WIN_ACT_ADDR_ADD || x->kind == WIN_ACT_ADDR_DEL)
		fprintf(out, " %s/%u", ipaddr_format(&x->addr, vs), x->prefix_len);
	else if (x->kind == WIN_ACT_FIREWALL)
		fprintf(out, " %s", ipaddr_format(&x->addr, vs));
	else if (x->kind == WIN_ACT_WEAKHOST)
		fprintf(out, " %s receive%s", x->family == IP_FAMILY_V6 ? "ipv6" : "ipv4",
			x->send ? "+send" : "");
	fprintf(out, "\n");
}

static int read_and_plan(const struct win_ops *ops, const struct win_options *o,
			 const struct ip_addr *vips, size_t n_vips, struct win_snapshot *s,
			 struct win_plan *p, FILE *out)
{
	enum win_fw_state fw[STATUS_MAX_TARGETS];
	char err[256];
	size_t i;
	int r;

	if (n_vips > STATUS_MAX_TARGETS)
		return -E2BIG;
	win_snapshot_init(s);
	r = ops->snapshot_read(s);
	if (r < 0) {
		fprintf(out, "setup: cannot read the network configuration: %s\n", strerror(-r));
		return r;
	}
	for (i = 0; i < n_vips; i++)
		fw[i] = ops->firewall_state(&vips[i]);
	r = win_setup_plan(s, o, vips, n_vips, fw, p, err, sizeof(err));
	if (r < 0)
		fprintf(out, "setup: refused: %s\n", err);
	return r;
}

int win_setup_run(const struct win_ops *ops, const struct win_options *o,
		  const struct ip_addr *vips, size_t n_vips, int dry_run, FILE *out)
{
	static struct win_snapshot s;   /* large: keep it off the stack */
	struct win_plan p;
	char err[256];
	size_t i;
	int r, round;

	r = read_and_plan(ops, o, vips, n_vips, &s, &p, out);
	if (r < 0)
		return r;
	if (dry_run)
		return win_setup_script_print(&p, out);
	if (p.n == 0) {
		fprintf(out, "setup: nothing to do, the server is set up for DR\n");
		return 0;
	}
	if (!ops->is_admin()) {
		fprintf(out, "setup: needs administrator rights: run it from an elevated prompt "
			     "(\"Run as administrator\"); nothing was changed\n");
		return -EPERM;
	}
	/* Creating the loopback adapter changes what the rest acts on: read
	 * and plan again after it. */
	for (round = 0; round < 3; round++) {
		int created = 0;

		for (i = 0; i < p.n && !created; i++) {
			describe(&p.a[i], out);
			err[0] = '\0';
			r = ops->apply(&p.a[i], o, err, sizeof(err));
			if (r < 0) {
				fprintf(out, "setup: %s failed: %s\n", win_action_kind_name(p.a[i].kind),
					err[0] ? err : strerror(-r));
				return r;
			}
			created = p.a[i].kind == WIN_ACT_LOOPBACK_CREATE;
		}
		r = read_and_plan(ops, o, vips, n_vips, &s, &p, out);
		if (r < 0)
			return r;
		if (!created)
			break;
	}
	if (p.n) {
		fprintf(out, "setup: done, but the server still reports %u step(s) as not done "
			     "(a setting it cannot read shows as not done):\n", (unsigned)p.n);
		for (i = 0; i < p.n; i++)
			describe(&p.a[i], out);
	} else {
		fprintf(out, "setup: done, the server is set up for DR\n");
	}
	return 0;
}
