/* SPDX-License-Identifier: Apache-2.0 */
/* test_win_layer.c - the Windows layer on fake snapshots: every finding
 * code from Windows-shaped facts, loopback identification, the setup plan
 * and its dry-run script (golden files), the setup runner on a fake ops
 * table, and the real IP Helper read path with exports hidden.
 *
 * Built with mingw-w64 and run under wine (Debian has no cmocka for
 * mingw), so it brings its own minimal runner that ends with the
 * "N passed, N failed" line.
 *
 * Usage: test_win_layer.exe [GOLDEN_DIR [OUT_DIR]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/buf.h"
#include "win-realserver/agent_win32.h"
#include "win-realserver/win_facts.h"
#include "win-realserver/win_setup.h"

static int passed, failed;
static const char *golden_dir = "win-realserver/tests/golden";
static const char *out_dir = "build/win/test-out";

#define CHECK(c)                                                                  \
	do {                                                                      \
		if (!(c)) {                                                       \
			printf("  %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			return 1;                                                 \
		}                                                                 \
	} while (0)

static void run(const char *name, int (*fn)(void))
{
	if (fn() == 0) {
		passed++;
		printf("ok   %s\n", name);
	} else {
		failed++;
		printf("FAIL %s (the lines above say why)\n", name);
	}
}

/* --- fake servers -------------------------------------------------------- */

static struct win_snapshot snap;
static struct win_options opts;
static struct ip_addr vip, vip6;

static void addr(const char *text, unsigned plen, uint32_t index, int skip)
{
	struct ip_addr a;

	if (ipaddr_parse(text, &a) == 0 && win_snapshot_addr_add(&snap, &a, plen, index, skip) == 0)
		return;
	printf("  bad fake address %s\n", text);
	exit(2);
}

static struct win_adapter *adapter(const char *alias, uint32_t index, const char *desc, const char *hwid)
{
	struct win_adapter *a = win_snapshot_adapter_add(&snap, alias, index, 0x6000000000000ULL + index);

	facts_text_set(a->description, sizeof(a->description), desc);
	facts_text_set(a->hardware_id, sizeof(a->hardware_id), hwid);
	snprintf(a->guid, sizeof(a->guid), "{0000000%u-1111-2222-3333-444455556666}", index % 10);
	a->if_type = 6;
	a->up = 1;
	a->dns_register = 1;
	a->weak_send[0] = a->weak_recv[0] = 0;
	a->weak_send[1] = a->weak_recv[1] = 0;
	return a;
}

/* A fresh Windows Server 2022: one NIC, the pseudo loopback, no KM-TEST
 * adapter, IIS listening on :80. */
static void fresh(void)
{
	struct win_adapter *a;
	struct ip_addr any;

	win_snapshot_init(&snap);
	win_options_init(&opts);
	facts_text_set(snap.hostname, sizeof(snap.hostname), "web1");
	facts_text_set(snap.os_release, sizeof(snap.os_release), "Windows 10.0.20348");
	adapter("Ethernet", 4, "Intel(R) 82574L Gigabit Network Connection", "PCI\\VEN_8086&DEV_10D3");
	addr("192.0.2.11", 24, 4, 0);
	addr("fe80::1", 64, 4, 0);
	a = adapter("Loopback Pseudo-Interface 1", 1, "Software Loopback Interface 1", "");
	a->if_type = WIN_IF_TYPE_SOFTWARE_LOOPBACK;
	a->dns_register = 0;
	addr("127.0.0.1", 8, 1, 0);
	addr("::1", 128, 1, 0);
	if (ipaddr_parse("0.0.0.0", &any) || win_snapshot_listener_add(&snap, &any, 80, FACTS_UNKNOWN))
		exit(2);
}

/* The same server set up right: KM-TEST adapter "Loopback" with the VIP. */
static struct win_adapter *healthy(void)
{
	struct win_adapter *lo;

	fresh();
	snap.adapters[0].weak_recv[0] = 1;
	lo = adapter("Loopback", 9, "Microsoft KM-TEST Loopback Adapter", "*MSLOOP");
	lo->weak_send[0] = lo->weak_recv[0] = 1;
	lo->dns_register = 0;
	addr("192.0.2.100", 32, 9, 1);
	return lo;
}

static int judge(struct findings *fs, uint16_t port, enum admin_state admin)
{
	static struct facts f;

	facts_init(&f, FACTS_OS_WINDOWS);
	if (win_facts_build(&snap, &opts, &f) < 0)
		return -1;
	f.admin = admin;
	findings_init(fs);
	rules_evaluate(&f, &vip, port, fs);
	return 0;
}

static const struct finding *find(const struct findings *fs, enum finding_code c)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->items[i].code == c)
			return &fs->items[i];
	return NULL;
}

/* --- every finding code from Windows facts -------------------------------- */

static int t_healthy_is_ok(void)
{
	struct findings fs;

	healthy();
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(fs.n == 0);
	CHECK(rules_verdict(&fs) == RULES_VERDICT_OK);
	return 0;
}

static int t_weakhost_recv_nic(void)
{
	struct findings fs;
	const struct finding *fd;

	healthy();
	snap.adapters[0].weak_recv[0] = 0;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	fd = find(&fs, FINDING_WEAKHOST_RECV_NIC);
	CHECK(fd && fs.n == 1);
	CHECK(strcmp(fd->iface, "Ethernet") == 0);
	CHECK(strstr(fd->fix, "netsh interface ipv4 set interface \"Ethernet\" weakhostreceive=enabled"));
	CHECK(strstr(fd->fix_alt, "Set-NetIPInterface -InterfaceAlias \"Ethernet\" -AddressFamily IPv4 -WeakHostReceive Enabled"));
	return 0;
}

static int t_weakhost_loopback(void)
{
	struct findings fs;
	struct win_adapter *lo = healthy();

	lo->weak_recv[0] = 0;
	lo->weak_send[0] = 0;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_WEAKHOST_RECV_LOOPBACK));
	CHECK(find(&fs, FINDING_WEAKHOST_SEND_LOOPBACK));
	CHECK(strstr(find(&fs, FINDING_WEAKHOST_SEND_LOOPBACK)->fix, "weakhostsend=enabled"));
	CHECK(!find(&fs, FINDING_WEAKHOST_RECV_NIC));
	CHECK(rules_verdict(&fs) == RULES_VERDICT_CRITICAL);
	return 0;
}

static int t_vip_prefix(void)
{
	struct findings fs;
	const struct finding *fd;

	healthy();
	snap.addrs[snap.n_addrs - 1].prefix_len = 24;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	fd = find(&fs, FINDING_VIP_PREFIX);
	CHECK(fd && fs.n == 1);
	CHECK(strstr(fd->reason, "/24"));
	CHECK(strstr(fd->fix_alt, "-PrefixLength 32 -SkipAsSource $true"));
	return 0;
}

static int t_vip_missing(void)
{
	struct findings fs;
	const struct finding *fd;

	healthy();
	snap.n_addrs--;
	CHECK(judge(&fs, 0, ADMIN_STATE_UP) == 0);
	fd = find(&fs, FINDING_VIP_MISSING);
	CHECK(fd && fs.n == 1);
	CHECK(strstr(fd->fix, "netsh interface ipv4 add address \"Loopback\" 192.0.2.100 255.255.255.255 skipassource=true"));
	CHECK(strstr(fd->fix_alt, "New-NetIPAddress -InterfaceAlias \"Loopback\""));
	return 0;
}

static int t_vip_on_nic(void)
{
	struct findings fs;

	healthy();
	addr("192.0.2.100", 32, 4, 0);
	CHECK(judge(&fs, 0, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_VIP_ON_ARP_IFACE));
	CHECK(strstr(find(&fs, FINDING_VIP_ON_ARP_IFACE)->fix, "delete address \"Ethernet\" 192.0.2.100"));
	return 0;
}

static int t_loopback_missing(void)
{
	struct findings fs;
	const struct finding *fd;

	fresh();
	snap.adapters[0].weak_recv[0] = 1;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	fd = find(&fs, FINDING_LOOPBACK_MISSING);
	CHECK(fd);
	CHECK(strstr(fd->reason, "KM-TEST"));
	CHECK(find(&fs, FINDING_VIP_MISSING));
	/* the pseudo-interface holds 127.0.0.1 but is never the DR loopback */
	CHECK(!find(&fs, FINDING_WEAKHOST_RECV_LOOPBACK));
	return 0;
}

static int t_loopback_down(void)
{
	struct findings fs;
	struct win_adapter *lo = healthy();

	lo->up = 0;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_LOOPBACK_MISSING));
	CHECK(strstr(find(&fs, FINDING_LOOPBACK_MISSING)->fix_alt, "Enable-NetAdapter -Name \"Loopback\""));
	return 0;
}

static int t_dns_register(void)
{
	struct findings fs;
	struct win_adapter *lo = healthy();

	lo->dns_register = 1;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_DNS_REGISTER_LOOPBACK) && fs.n == 1);
	CHECK(strstr(find(&fs, FINDING_DNS_REGISTER_LOOPBACK)->fix_alt,
		     "Set-DnsClient -InterfaceAlias \"Loopback\" -RegisterThisConnectionsAddress $false"));
	CHECK(rules_verdict(&fs) == RULES_VERDICT_WARNING);
	return 0;
}

static int t_no_listener(void)
{
	struct findings fs;

	healthy();
	CHECK(judge(&fs, 443, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_NO_LISTENER) && fs.n == 1);
	snap.listeners[0].port = 443;
	CHECK(judge(&fs, 443, ADMIN_STATE_UP) == 0);
	CHECK(fs.n == 0);
	return 0;
}

static int t_listener_on_vip_v6_table(void)
{
	struct findings fs;
	struct ip_addr any6;

	healthy();
	snap.n_listeners = 0;
	/* an IPv6-table wildcard entry does not take IPv4 on Windows */
	CHECK(ipaddr_parse("::", &any6) == 0);
	CHECK(win_snapshot_listener_add(&snap, &any6, 80, 1) == 0);
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_NO_LISTENER));
	CHECK(win_snapshot_listener_add(&snap, &vip, 80, FACTS_UNKNOWN) == 0);
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(fs.n == 0);
	return 0;
}

static int t_fact_unknown(void)
{
	struct findings fs;
	struct win_adapter *lo = healthy();

	lo->weak_send[0] = FACTS_UNKNOWN;
	lo->weak_recv[0] = FACTS_UNKNOWN;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(find(&fs, FINDING_FACT_UNKNOWN));
	CHECK(rules_verdict(&fs) == RULES_VERDICT_WARNING);
	snap.truncated = 1;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	/* a cut snapshot is named, and never passes (issue 16, finding 4) */
	CHECK(find(&fs, FINDING_FACTS_TRUNCATED));
	CHECK(rules_verdict(&fs) == RULES_VERDICT_CRITICAL);
	return 0;
}

static int t_admin(void)
{
	struct findings fs;

	healthy();
	CHECK(judge(&fs, 80, ADMIN_STATE_DRAIN) == 0);
	CHECK(find(&fs, FINDING_ADMIN_DRAIN) && rules_verdict(&fs) == RULES_VERDICT_OK);
	CHECK(judge(&fs, 80, ADMIN_STATE_MAINT) == 0);
	CHECK(find(&fs, FINDING_ADMIN_MAINT) && rules_verdict(&fs) == RULES_VERDICT_CRITICAL);
	return 0;
}

/* Every code the rules can give on Windows came out of a test above. */
static int t_every_windows_code(void)
{
	static const enum finding_code linux_only[] = { FINDING_ARP_IGNORE, FINDING_ARP_ANNOUNCE,
							FINDING_RP_FILTER_STRICT };
	struct findings all, fs;
	struct win_adapter *lo;
	int c;
	size_t i, k;

	findings_init(&all);
	/* one broken server holding almost every fault at once, plus the rest */
	lo = healthy();
	lo->dns_register = 1;
	lo->weak_recv[0] = 0;
	lo->weak_send[0] = FACTS_UNKNOWN;
	snap.adapters[0].weak_recv[0] = 0;
	snap.addrs[snap.n_addrs - 1].prefix_len = 24;
	addr("192.0.2.100", 32, 4, 0);
	CHECK(judge(&fs, 443, ADMIN_STATE_MAINT) == 0);
	for (i = 0; i < fs.n && all.n < FINDINGS_MAX; i++)
		all.items[all.n++] = fs.items[i];
	lo->weak_send[0] = 0;
	lo->up = 0;
	snap.n_addrs -= 2;
	CHECK(judge(&fs, 80, ADMIN_STATE_DRAIN) == 0);
	for (i = 0; i < fs.n && all.n < FINDINGS_MAX; i++)
		all.items[all.n++] = fs.items[i];
	snap.truncated = 1;     /* a snapshot cut at a limit */
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	for (i = 0; i < fs.n && all.n < FINDINGS_MAX; i++)
		all.items[all.n++] = fs.items[i];
	snap.truncated = 0;
	for (c = 0; c < FINDING_COUNT; c++) {
		int skip = 0;

		for (k = 0; k < sizeof(linux_only) / sizeof(linux_only[0]); k++)
			skip |= linux_only[k] == (enum finding_code)c;
		if (skip)
			continue;
		if (!findings_has(&all, (enum finding_code)c)) {
			printf("  code %s never produced from Windows facts\n", finding_code_name(c));
			return 1;
		}
	}
	return 0;
}

/* --- loopback identification ---------------------------------------------- */

static int t_loopback_identity(void)
{
	struct win_adapter a;
	struct win_options o;

	win_options_init(&o);
	memset(&a, 0, sizeof(a));
	facts_text_set(a.alias, sizeof(a.alias), "Ethernet 2");
	facts_text_set(a.hardware_id, sizeof(a.hardware_id), "*msloop");
	CHECK(win_adapter_is_loopback(&a, &o));
	a.hardware_id[0] = '\0';
	CHECK(!win_adapter_is_loopback(&a, &o));
	facts_text_set(a.description, sizeof(a.description), "Microsoft KM-TEST Loopback Adapter #2");
	CHECK(win_adapter_is_loopback(&a, &o));
	a.if_type = WIN_IF_TYPE_SOFTWARE_LOOPBACK;
	CHECK(!win_adapter_is_loopback(&a, &o));
	a.if_type = 6;
	facts_text_set(o.loopback, sizeof(o.loopback), "dsrlo");
	CHECK(!win_adapter_is_loopback(&a, &o));   /* the override wins */
	facts_text_set(a.alias, sizeof(a.alias), "DSRLO");
	CHECK(win_adapter_is_loopback(&a, &o));
	return 0;
}

static int t_status_render_windows(void)
{
	static struct facts f;
	struct buf b;
	struct status_target t;
	int r;

	healthy();
	snap.adapters[snap.n_adapters - 1].dns_register = 1;
	facts_init(&f, FACTS_OS_WINDOWS);
	CHECK(win_facts_build(&snap, &opts, &f) == 0);
	t.vip = vip;
	t.port = 80;
	buf_init(&b, STATUS_DOC_MAX);
	r = status_render(&f, &t, 1, &b);
	CHECK(r == 0);
	CHECK(strstr(buf_str(&b), "\"os\": \"windows\"") || strstr(buf_str(&b), "\"os\":\"windows\""));
	CHECK(strstr(buf_str(&b), "*MSLOOP"));
	CHECK(strstr(buf_str(&b), "DNS_REGISTER_LOOPBACK"));
	CHECK(strstr(buf_str(&b), "Set-DnsClient"));
	buf_free(&b);
	return 0;
}

/* --- setup: plan, script, runner ------------------------------------------ */

static int read_file(const char *path, struct buf *b)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) < 0) {
			fclose(f);
			return -ENOSPC;
		}
	fclose(f);
	return 0;
}

/* Print the dry-run script for the snapshot and compare it with
 * GOLDEN_DIR/name; the output stays in OUT_DIR/name for a diff. */
static int golden(const char *name, const struct ip_addr *vips, size_t n)
{
	char gpath[512], opath[512];
	struct win_plan p;
	struct buf want, got;
	enum win_fw_state fw[4] = { WIN_FW_ABSENT, WIN_FW_ABSENT, WIN_FW_ABSENT, WIN_FW_ABSENT };
	char err[256];
	FILE *o;
	int same;

	snprintf(gpath, sizeof(gpath), "%s/%s", golden_dir, name);
	snprintf(opath, sizeof(opath), "%s/%s", out_dir, name);
	CHECK(win_setup_plan(&snap, &opts, vips, n, fw, &p, err, sizeof(err)) == 0);
	o = fopen(opath, "w");
	if (!o) {
		printf("  cannot write %s: %s\n", opath, strerror(errno));
		return 1;
	}
	CHECK(win_setup_script_print(&p, o) == 0);
	fclose(o);
	buf_init(&want, 1 << 20);
	buf_init(&got, 1 << 20);
	CHECK(read_file(opath, &got) == 0);
	if (read_file(gpath, &want) < 0) {
		printf("  cannot read the golden file %s: %s (output in %s)\n", gpath, strerror(errno), opath);
		return 1;
	}
	same = want.len == got.len && memcmp(want.data, got.data, got.len) == 0;
	if (!same)
		printf("  %s differs from %s\n", opath, gpath);
	buf_free(&want);
	buf_free(&got);
	return same ? 0 : 1;
}

static int t_dry_run_fresh(void)
{
	struct ip_addr v[2] = { vip, vip6 };

	fresh();
	return golden("setup-fresh.ps1", v, 2);
}

static int t_dry_run_half(void)
{
	struct win_adapter *lo;

	/* The adapter exists (unnamed, "Ethernet 2"), the VIP is /24 on it,
	 * weak-host receive is on but send is off, DNS registration on. */
	fresh();
	lo = adapter("Ethernet 2", 9, "Microsoft KM-TEST Loopback Adapter", "*MSLOOP");
	lo->weak_recv[0] = 1;
	addr("192.0.2.100", 24, 9, 1);
	return golden("setup-half.ps1", &vip, 1);
}

static int t_plan_done_is_empty(void)
{
	struct win_plan p;
	enum win_fw_state fw = WIN_FW_PRESENT;
	char err[256];

	healthy();
	CHECK(win_setup_plan(&snap, &opts, &vip, 1, &fw, &p, err, sizeof(err)) == 0);
	CHECK(p.n == 0);
	fw = WIN_FW_OFF;
	CHECK(win_setup_plan(&snap, &opts, &vip, 1, &fw, &p, err, sizeof(err)) == 0);
	CHECK(p.n == 0);
	return 0;
}

static int t_plan_refuses_vip_on_nic(void)
{
	struct win_plan p;
	char err[256];

	fresh();
	addr("192.0.2.100", 24, 4, 0);
	CHECK(win_setup_plan(&snap, &opts, &vip, 1, NULL, &p, err, sizeof(err)) == -EEXIST);
	CHECK(p.n == 0);
	CHECK(strstr(err, "\"Ethernet\""));
	return 0;
}

static int t_plan_nic_option(void)
{
	struct win_plan p;
	char err[256];
	size_t i;
	int nic_steps = 0;

	healthy();
	snap.adapters[0].weak_recv[0] = 0;
	adapter("Backup", 5, "Intel NIC", "PCI\\X");
	addr("198.51.100.7", 24, 5, 0);
	facts_text_set(opts.nic, sizeof(opts.nic), "Backup");
	CHECK(win_setup_plan(&snap, &opts, &vip, 1, NULL, &p, err, sizeof(err)) == 0);
	for (i = 0; i < p.n; i++)
		if (p.a[i].kind == WIN_ACT_WEAKHOST) {
			CHECK(strcmp(p.a[i].alias, "Backup") == 0);
			nic_steps++;
		}
	CHECK(nic_steps == 1);
	return 0;
}

/* A fake Windows: apply() changes the fake snapshot the way Windows would. */
static int fake_applied, fake_admin = 1;
static enum win_fw_state fake_fw = WIN_FW_ABSENT;
static struct win_snapshot fake_world;

static int fake_read(struct win_snapshot *s)
{
	*s = fake_world;
	return 0;
}

static enum win_fw_state fake_fw_state(const struct ip_addr *v)
{
	(void)v;
	return fake_fw;
}

static int fake_is_admin(void)
{
	return fake_admin;
}

static struct win_adapter *fake_adapter(const char *alias)
{
	size_t i;

	for (i = 0; i < fake_world.n_adapters; i++)
		if (strcmp(fake_world.adapters[i].alias, alias) == 0)
			return &fake_world.adapters[i];
	return NULL;
}

static int fake_apply(const struct win_action *x, const struct win_options *o, char *err, size_t errlen)
{
	struct win_adapter *a = fake_adapter(x->alias);
	size_t i;

	(void)o;
	fake_applied++;
	switch (x->kind) {
	case WIN_ACT_LOOPBACK_CREATE:
		snap = fake_world;
		a = adapter(x->alias, 12, "Microsoft KM-TEST Loopback Adapter", "*MSLOOP");
		fake_world = snap;
		return 0;
	case WIN_ACT_ADDR_DEL:
		for (i = 0; i < fake_world.n_addrs; i++)
			if (ipaddr_equal(&fake_world.addrs[i].addr, &x->addr) && fake_world.addrs[i].index == x->index)
				fake_world.addrs[i] = fake_world.addrs[--fake_world.n_addrs];
		return 0;
	case WIN_ACT_ADDR_ADD:
		if (!a || x->luid != a->luid) {
			snprintf(err, errlen, "no such interface %s", x->alias);
			return -ENOENT;
		}
		return win_snapshot_addr_add(&fake_world, &x->addr, x->prefix_len, a->index, 1);
	case WIN_ACT_WEAKHOST:
		a->weak_recv[x->family == IP_FAMILY_V6] = 1;
		if (x->send)
			a->weak_send[x->family == IP_FAMILY_V6] = 1;
		return 0;
	case WIN_ACT_DNS_OFF:
		a->dns_register = 0;
		return 0;
	case WIN_ACT_FIREWALL:
		fake_fw = WIN_FW_PRESENT;
		return 0;
	case WIN_ACT_COUNT:
		break;
	}
	return -EINVAL;
}

static const struct win_ops fake_ops = {
	.snapshot_read = fake_read,
	.firewall_state = fake_fw_state,
	.is_admin = fake_is_admin,
	.apply = fake_apply,
};

static int t_setup_converges(void)
{
	FILE *devnull = fopen("NUL", "w");
	struct findings fs;
	int r;

	if (!devnull)
		devnull = stdout;
	fresh();
	snap.addrs[0].prefix_len = 24;
	fake_world = snap;
	fake_fw = WIN_FW_ABSENT;
	fake_admin = 1;
	fake_applied = 0;
	r = win_setup_run(&fake_ops, &opts, &vip, 1, 0, devnull);
	CHECK(r == 0);
	CHECK(fake_applied >= 6);
	/* the fake server is now a correct DR real server */
	snap = fake_world;
	CHECK(judge(&fs, 80, ADMIN_STATE_UP) == 0);
	CHECK(fs.n == 0);
	/* idempotent: a second run changes nothing */
	fake_applied = 0;
	CHECK(win_setup_run(&fake_ops, &opts, &vip, 1, 0, devnull) == 0);
	CHECK(fake_applied == 0);
	if (devnull != stdout)
		fclose(devnull);
	return 0;
}

static int t_setup_needs_admin(void)
{
	FILE *devnull = fopen("NUL", "w");

	if (!devnull)
		devnull = stdout;
	fresh();
	fake_world = snap;
	fake_admin = 0;
	fake_applied = 0;
	CHECK(win_setup_run(&fake_ops, &opts, &vip, 1, 0, devnull) == -EPERM);
	CHECK(fake_applied == 0);
	/* a dry run needs no rights */
	CHECK(win_setup_run(&fake_ops, &opts, &vip, 1, 1, devnull) == 0);
	fake_admin = 1;
	if (devnull != stdout)
		fclose(devnull);
	return 0;
}

/* --- the real read path, with exports hidden ------------------------------- */

static int hide_all(const char *name)
{
	return strcmp(name, "GetIpInterfaceEntry") == 0 || strcmp(name, "GetUnicastIpAddressTable") == 0 ||
	       strcmp(name, "SetInterfaceDnsSettings") == 0;
}

static int t_real_read_missing_exports(void)
{
	static struct facts f;
	const struct win_snapshot *s;
	struct win32_hooks h = { .hide_export = hide_all };
	struct findings fs;
	size_t i;
	int unknown = 1;

	win32_hooks_set(&h);
	facts_init(&f, FACTS_OS_WINDOWS);
	CHECK(win32_facts_read(&f) == 0);
	win32_hooks_set(NULL);
	s = win32_last_snapshot();
	CHECK(s->n_adapters > 0);
	CHECK(s->n_notes > 0);
	CHECK(strstr(s->notes[0], "GetIpInterfaceEntry") || strstr(s->notes[0], "GetUnicastIpAddressTable"));
	for (i = 0; i < f.n_ifaces; i++)
		unknown &= f.ifaces[i].win_conf.weak_host_receive == FACTS_UNKNOWN;
	CHECK(unknown);
	/* addresses still come, from GetAdaptersAddresses */
	CHECK(f.n_addrs > 0);
	findings_init(&fs);
	rules_evaluate(&f, &vip, 0, &fs);
	CHECK(fs.n > 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		golden_dir = argv[1];
	if (argc > 2)
		out_dir = argv[2];
	if (ipaddr_parse("192.0.2.100", &vip) || ipaddr_parse("2001:db8::100", &vip6))
		return 2;

	run("healthy server has no finding", t_healthy_is_ok);
	run("WEAKHOST_RECV_NIC", t_weakhost_recv_nic);
	run("WEAKHOST_RECV_LOOPBACK and WEAKHOST_SEND_LOOPBACK", t_weakhost_loopback);
	run("VIP_PREFIX (VIP /24)", t_vip_prefix);
	run("VIP_MISSING", t_vip_missing);
	run("VIP_ON_ARP_IFACE", t_vip_on_nic);
	run("LOOPBACK_MISSING (no KM-TEST adapter)", t_loopback_missing);
	run("LOOPBACK_MISSING (adapter down)", t_loopback_down);
	run("DNS_REGISTER_LOOPBACK", t_dns_register);
	run("NO_LISTENER", t_no_listener);
	run("NO_LISTENER and the IPv6 listener table", t_listener_on_vip_v6_table);
	run("FACT_UNKNOWN", t_fact_unknown);
	run("ADMIN_DRAIN and ADMIN_MAINT", t_admin);
	run("every Windows finding code is produced", t_every_windows_code);
	run("loopback adapter identification", t_loopback_identity);
	run("status document from Windows facts", t_status_render_windows);
	run("setup --dry-run, fresh server (golden)", t_dry_run_fresh);
	run("setup --dry-run, half-configured server (golden)", t_dry_run_half);
	run("setup plan is empty when done", t_plan_done_is_empty);
	run("setup refuses a VIP on a NIC", t_plan_refuses_vip_on_nic);
	run("setup --nic limits the NIC steps", t_plan_nic_option);
	run("setup converges and is idempotent", t_setup_converges);
	run("setup needs administrator rights", t_setup_needs_admin);
	run("real read path with missing exports", t_real_read_missing_exports);

	printf("win-layer: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
