/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the DR rules: a correct Linux and a correct Windows real
 * server have no finding; each case breaks one prerequisite and must raise
 * its code.  A final test proves every code is covered by the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/rules.h"

static void ip(const char *s, struct ip_addr *a)
{
	assert_int_equal(ipaddr_parse(s, a), 0);
}

static void add_addr(struct facts *f, int iface, const char *s, unsigned plen)
{
	struct ip_addr a;

	ip(s, &a);
	assert_int_equal(facts_addr_add(f, (size_t)iface, &a, plen), 0);
}

static void add_listener(struct facts *f, const char *s, uint16_t port)
{
	struct ip_addr a;

	ip(s, &a);
	assert_int_equal(facts_listener_add(f, FACTS_PROTO_TCP, &a, port, FACTS_UNKNOWN), 0);
}

/* rs1 of the lab: VIPs on lo, arp_ignore=1, arp_announce=2, labhttpd on [::]:80 */
static void linux_good(struct facts *f)
{
	int lo, eth;

	facts_init(f, FACTS_OS_LINUX);
	facts_text_set(f->hostname, sizeof(f->hostname), "rs1");
	f->linux_all = (struct facts_linux_conf){ .arp_ignore = 1, .arp_announce = 2, .rp_filter = 0 };
	lo = facts_iface_add(f, "lo", 1, 1, 1);
	eth = facts_iface_add(f, "eth0", 2, 1, 0);
	assert_true(lo >= 0 && eth >= 0);
	f->ifaces[lo].linux_conf = (struct facts_linux_conf){ 0, 0, 0 };
	f->ifaces[eth].linux_conf = (struct facts_linux_conf){ 1, 2, 0 };
	add_addr(f, lo, "127.0.0.1", 8);
	add_addr(f, lo, "192.0.2.100", 32);
	add_addr(f, lo, "2001:db8::100", 128);
	add_addr(f, eth, "192.0.2.11", 24);
	add_addr(f, eth, "2001:db8::11", 64);
	add_listener(f, "::", 80);
}

static void windows_good(struct facts *f)
{
	int lo, nic, pseudo;

	facts_init(f, FACTS_OS_WINDOWS);
	facts_text_set(f->hostname, sizeof(f->hostname), "WIN-RS1");
	pseudo = facts_iface_add(f, "Loopback Pseudo-Interface 1", 1, 1, 0);
	nic = facts_iface_add(f, "Ethernet", 4, 1, 0);
	lo = facts_iface_add(f, "Loopback", 9, 1, 1);
	assert_true(lo >= 0 && nic >= 0 && pseudo >= 0);
	f->ifaces[pseudo].win_conf.weak_host_receive = 0;
	f->ifaces[nic].win_conf.weak_host_receive = 1;
	f->ifaces[nic].win_conf.weak_host_send = 0;
	f->ifaces[nic].win_conf.dns_register = 1;
	f->ifaces[lo].win_conf.weak_host_receive = 1;
	f->ifaces[lo].win_conf.weak_host_send = 1;
	f->ifaces[lo].win_conf.dns_register = 0;
	facts_text_set(f->ifaces[lo].win_conf.hardware_id, FACTS_TEXT_LEN, "*MSLOOP");
	/* the pseudo-interface holds 127.0.0.1 but is not the DR loopback */
	add_addr(f, pseudo, "127.0.0.1", 8);
	add_addr(f, nic, "192.0.2.21", 24);
	add_addr(f, nic, "2001:db8::21", 64);
	add_addr(f, lo, "192.0.2.100", 32);
	add_addr(f, lo, "2001:db8::100", 128);
	add_listener(f, "0.0.0.0", 80);
	add_listener(f, "::", 80);
}

static size_t addr_of(struct facts *f, const char *s)
{
	struct ip_addr a;
	size_t i;

	ip(s, &a);
	for (i = 0; i < f->n_addrs; i++)
		if (ipaddr_equal(&f->addrs[i].addr, &a))
			return i;
	fail_msg("no address %s", s);
	return 0;
}

static void del_addr(struct facts *f, const char *s)
{
	size_t i = addr_of(f, s);

	memmove(&f->addrs[i], &f->addrs[i + 1], (f->n_addrs - i - 1) * sizeof(f->addrs[0]));
	f->n_addrs--;
}

static struct facts_iface *ifc(struct facts *f, const char *name)
{
	int i = facts_iface_find(f, name);

	assert_true(i >= 0);
	return &f->ifaces[i];
}

/* --- mutations, one prerequisite broken each ------------------------------ */
static void m_none(struct facts *f) { (void)f; }
static void m_vip_gone(struct facts *f) { del_addr(f, "192.0.2.100"); }
static void m_vip6_gone(struct facts *f) { del_addr(f, "2001:db8::100"); }
static void m_vip_24(struct facts *f) { f->addrs[addr_of(f, "192.0.2.100")].prefix_len = 24; }
static void m_vip6_64(struct facts *f) { f->addrs[addr_of(f, "2001:db8::100")].prefix_len = 64; }
static void m_vip_eth0(struct facts *f) { f->addrs[addr_of(f, "192.0.2.100")].iface = (size_t)facts_iface_find(f, "eth0"); }
static void m_vip_nic(struct facts *f) { f->addrs[addr_of(f, "192.0.2.100")].iface = (size_t)facts_iface_find(f, "Ethernet"); }
static void m_lo_down(struct facts *f) { ifc(f, "lo")->up = 0; }
static void m_no_msloop(struct facts *f) { ifc(f, "Loopback")->loopback = 0; }
static void m_arp_ignore_0(struct facts *f) { f->linux_all.arp_ignore = 0; ifc(f, "eth0")->linux_conf.arp_ignore = 0; }
static void m_arp_ignore_8(struct facts *f) { ifc(f, "eth0")->linux_conf.arp_ignore = 8; }
static void m_arp_ignore_all_ok(struct facts *f) { ifc(f, "eth0")->linux_conf.arp_ignore = 0; }
static void m_arp_announce(struct facts *f) { f->linux_all.arp_announce = 0; ifc(f, "eth0")->linux_conf.arp_announce = 1; }
static void m_rp_strict(struct facts *f) { f->linux_all.rp_filter = 1; }
static void m_rp_loose(struct facts *f) { f->linux_all.rp_filter = 1; ifc(f, "eth0")->linux_conf.rp_filter = 2; }
static void m_unknown_sysctl(struct facts *f) { ifc(f, "eth0")->linux_conf.arp_ignore = FACTS_UNKNOWN; }
static void m_wh_nic(struct facts *f) { ifc(f, "Ethernet")->win_conf.weak_host_receive = 0; }
static void m_wh_lo_recv(struct facts *f) { ifc(f, "Loopback")->win_conf.weak_host_receive = 0; }
static void m_wh_lo_send(struct facts *f) { ifc(f, "Loopback")->win_conf.weak_host_send = 0; }
static void m_dns(struct facts *f) { ifc(f, "Loopback")->win_conf.dns_register = 1; }
static void m_wh_unknown(struct facts *f) { ifc(f, "Loopback")->win_conf.weak_host_send = FACTS_UNKNOWN; }
static void m_no_listener(struct facts *f) { f->n_listeners = 0; }
static void m_listener_other(struct facts *f) { f->n_listeners = 0; add_listener(f, "192.0.2.11", 80); }
static void m_listener_vip(struct facts *f) { f->n_listeners = 0; add_listener(f, "192.0.2.100", 80); }
static void m_listener_v6only(struct facts *f)
{
	struct ip_addr a;

	f->n_listeners = 0;
	ip("::", &a);
	assert_int_equal(facts_listener_add(f, FACTS_PROTO_TCP, &a, 80, 1), 0);
}
static void m_drain(struct facts *f) { f->admin = ADMIN_STATE_DRAIN; }
static void m_maint(struct facts *f) { f->admin = ADMIN_STATE_MAINT; facts_text_set(f->admin_reason, FACTS_TEXT_LEN, "kernel update"); }
static void m_os_unknown(struct facts *f) { f->os = FACTS_OS_UNKNOWN; }
static void m_truncated(struct facts *f) { f->truncated = FACTS_TRUNC_ALL; }
static void m_trunc_listeners(struct facts *f) { f->truncated = FACTS_TRUNC_LISTENERS; }
static void m_trunc_listeners_none(struct facts *f) { f->truncated = FACTS_TRUNC_LISTENERS; f->n_listeners = 0; }
static void m_hostile_name(struct facts *f) { facts_text_set(ifc(f, "eth0")->name, FACTS_NAME_LEN, "eth0\";rm -rf /"); f->linux_all.arp_ignore = 0; ifc(f, "eth0\";rm -rf /")->linux_conf.arp_ignore = 0; }

#define NOCODE FINDING_COUNT

struct rule_case {
	const char *name;
	void (*base)(struct facts *);
	void (*mutate)(struct facts *);
	const char *vip;
	uint16_t port;
	enum finding_code want;        /* NOCODE: expect no finding at all */
	enum rules_verdict verdict;
	const char *fix_has;           /* substring of the first matching finding's fix */
	const char *alt_has;           /* ... of fix_alt (Windows PowerShell), or NULL */
};

static const struct rule_case cases[] = {
	{ "linux good v4", linux_good, m_none, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux good v6", linux_good, m_none, "2001:db8::100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux good no port", linux_good, m_none, "192.0.2.100", 0, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux vip removed", linux_good, m_vip_gone, "192.0.2.100", 80, FINDING_VIP_MISSING, RULES_VERDICT_CRITICAL, "ip addr add 192.0.2.100/32 dev lo", NULL },
	{ "linux vip6 removed", linux_good, m_vip6_gone, "2001:db8::100", 80, FINDING_VIP_MISSING, RULES_VERDICT_CRITICAL, "ip addr add 2001:db8::100/128 dev lo", NULL },
	{ "linux vip /24", linux_good, m_vip_24, "192.0.2.100", 80, FINDING_VIP_PREFIX, RULES_VERDICT_CRITICAL, "ip addr del 192.0.2.100/24 dev lo && ip addr add 192.0.2.100/32 dev lo", NULL },
	{ "linux vip6 /64", linux_good, m_vip6_64, "2001:db8::100", 0, FINDING_VIP_PREFIX, RULES_VERDICT_CRITICAL, "/128 dev lo", NULL },
	{ "linux vip on eth0", linux_good, m_vip_eth0, "192.0.2.100", 80, FINDING_VIP_ON_ARP_IFACE, RULES_VERDICT_CRITICAL, "ip addr del 192.0.2.100/32 dev eth0", NULL },
	{ "linux vip on eth0 also missing", linux_good, m_vip_eth0, "192.0.2.100", 80, FINDING_VIP_MISSING, RULES_VERDICT_CRITICAL, "dev lo", NULL },
	{ "linux lo down", linux_good, m_lo_down, "192.0.2.100", 80, FINDING_LOOPBACK_MISSING, RULES_VERDICT_CRITICAL, "ip link set lo up", NULL },
	{ "linux arp_ignore 0", linux_good, m_arp_ignore_0, "192.0.2.100", 80, FINDING_ARP_IGNORE, RULES_VERDICT_CRITICAL, "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1", NULL },
	{ "linux arp_ignore 8 on eth0", linux_good, m_arp_ignore_8, "192.0.2.100", 80, FINDING_ARP_IGNORE, RULES_VERDICT_CRITICAL, "eth0.arp_ignore=1", NULL },
	{ "linux arp_ignore max(all, eth0)", linux_good, m_arp_ignore_all_ok, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux arp_ignore irrelevant for v6", linux_good, m_arp_ignore_0, "2001:db8::100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux arp_announce", linux_good, m_arp_announce, "192.0.2.100", 80, FINDING_ARP_ANNOUNCE, RULES_VERDICT_WARNING, "arp_announce=2", NULL },
	{ "linux rp_filter strict", linux_good, m_rp_strict, "192.0.2.100", 80, FINDING_RP_FILTER_STRICT, RULES_VERDICT_WARNING, "rp_filter=2", NULL },
	{ "linux rp_filter max is loose", linux_good, m_rp_loose, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux sysctl unknown", linux_good, m_unknown_sysctl, "192.0.2.100", 80, FINDING_FACT_UNKNOWN, RULES_VERDICT_WARNING, NULL, NULL },
	{ "linux os unknown", linux_good, m_os_unknown, "192.0.2.100", 80, FINDING_FACT_UNKNOWN, RULES_VERDICT_WARNING, NULL, NULL },
	{ "linux truncated facts", linux_good, m_truncated, "192.0.2.100", 80, FINDING_FACTS_TRUNCATED, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "linux listeners cut, the port's found", linux_good, m_trunc_listeners, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux listeners cut, the port's not found", linux_good, m_trunc_listeners_none, "192.0.2.100", 80, FINDING_FACTS_TRUNCATED, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "linux no listener", linux_good, m_no_listener, "192.0.2.100", 80, FINDING_NO_LISTENER, RULES_VERDICT_CRITICAL, "port 80", NULL },
	{ "linux listener on own address only", linux_good, m_listener_other, "192.0.2.100", 80, FINDING_NO_LISTENER, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "linux listener on the vip", linux_good, m_listener_vip, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "linux [::] v6only does not take v4", linux_good, m_listener_v6only, "192.0.2.100", 80, FINDING_NO_LISTENER, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "linux other port", linux_good, m_none, "192.0.2.100", 443, FINDING_NO_LISTENER, RULES_VERDICT_CRITICAL, "port 443", NULL },
	{ "linux drain", linux_good, m_drain, "192.0.2.100", 80, FINDING_ADMIN_DRAIN, RULES_VERDICT_OK, NULL, NULL },
	{ "linux maint", linux_good, m_maint, "192.0.2.100", 80, FINDING_ADMIN_MAINT, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "linux hostile iface name", linux_good, m_hostile_name, "192.0.2.100", 80, FINDING_ARP_IGNORE, RULES_VERDICT_CRITICAL, "eth0__rm -rf /.arp_ignore", NULL },

	{ "windows good v4", windows_good, m_none, "192.0.2.100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "windows good v6", windows_good, m_none, "2001:db8::100", 80, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "windows vip missing", windows_good, m_vip_gone, "192.0.2.100", 80, FINDING_VIP_MISSING, RULES_VERDICT_CRITICAL, "netsh interface ipv4 add address \"Loopback\" 192.0.2.100 255.255.255.255", "New-NetIPAddress -InterfaceAlias \"Loopback\" -IPAddress 192.0.2.100 -PrefixLength 32" },
	{ "windows vip /24", windows_good, m_vip_24, "192.0.2.100", 80, FINDING_VIP_PREFIX, RULES_VERDICT_CRITICAL, "netsh interface ipv4 delete address \"Loopback\" 192.0.2.100", "Remove-NetIPAddress" },
	{ "windows vip6 /64", windows_good, m_vip6_64, "2001:db8::100", 80, FINDING_VIP_PREFIX, RULES_VERDICT_CRITICAL, "2001:db8::100/128", "-PrefixLength 128" },
	{ "windows vip on nic", windows_good, m_vip_nic, "192.0.2.100", 80, FINDING_VIP_ON_ARP_IFACE, RULES_VERDICT_CRITICAL, "netsh interface ipv4 delete address \"Ethernet\" 192.0.2.100", "Remove-NetIPAddress -InterfaceAlias \"Ethernet\"" },
	{ "windows no loopback adapter", windows_good, m_no_msloop, "192.0.2.100", 80, FINDING_LOOPBACK_MISSING, RULES_VERDICT_CRITICAL, "dsr-agent.exe setup --vip 192.0.2.100", NULL },
	{ "windows weak-host recv nic", windows_good, m_wh_nic, "192.0.2.100", 80, FINDING_WEAKHOST_RECV_NIC, RULES_VERDICT_CRITICAL, "netsh interface ipv4 set interface \"Ethernet\" weakhostreceive=enabled", "Set-NetIPInterface -InterfaceAlias \"Ethernet\" -AddressFamily IPv4 -WeakHostReceive Enabled" },
	{ "windows weak-host recv loopback", windows_good, m_wh_lo_recv, "192.0.2.100", 80, FINDING_WEAKHOST_RECV_LOOPBACK, RULES_VERDICT_CRITICAL, "\"Loopback\" weakhostreceive=enabled", "-WeakHostReceive Enabled" },
	{ "windows weak-host send loopback", windows_good, m_wh_lo_send, "2001:db8::100", 80, FINDING_WEAKHOST_SEND_LOOPBACK, RULES_VERDICT_CRITICAL, "netsh interface ipv6 set interface \"Loopback\" weakhostsend=enabled", "-AddressFamily IPv6 -WeakHostSend Enabled" },
	{ "windows dns registration", windows_good, m_dns, "192.0.2.100", 80, FINDING_DNS_REGISTER_LOOPBACK, RULES_VERDICT_WARNING, "register=none", "-RegisterThisConnectionsAddress $false" },
	{ "windows weak-host unknown", windows_good, m_wh_unknown, "192.0.2.100", 80, FINDING_FACT_UNKNOWN, RULES_VERDICT_WARNING, NULL, NULL },
	{ "windows no listener", windows_good, m_no_listener, "192.0.2.100", 80, FINDING_NO_LISTENER, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "windows drain", windows_good, m_drain, "192.0.2.100", 80, FINDING_ADMIN_DRAIN, RULES_VERDICT_OK, NULL, NULL },
	{ "windows maint", windows_good, m_maint, "192.0.2.100", 80, FINDING_ADMIN_MAINT, RULES_VERDICT_CRITICAL, NULL, NULL },
	{ "windows ignores linux sysctls", windows_good, m_none, "192.0.2.100", 0, NOCODE, RULES_VERDICT_OK, NULL, NULL },
	{ "windows truncated facts", windows_good, m_truncated, "192.0.2.100", 80, FINDING_FACTS_TRUNCATED, RULES_VERDICT_CRITICAL, NULL, NULL },
};

static void rules_table(void **state)
{
	static struct facts f;
	static struct findings fs;
	size_t i, j;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *c = &cases[i];
		struct ip_addr vip;
		const struct finding *hit = NULL;

		c->base(&f);
		c->mutate(&f);
		ip(c->vip, &vip);
		findings_init(&fs);
		rules_evaluate(&f, &vip, c->port, &fs);
		for (j = 0; j < fs.n; j++) {
			const struct finding *fd = &fs.items[j];

			/* every finding is complete: a reason and a fix */
			if (!fd->reason[0] || !fd->fix[0])
				fail_msg("%s: %s without reason or fix", c->name, finding_code_name(fd->code));
			if (fd->code == c->want && !hit)
				hit = fd;
		}
		if (c->want == NOCODE) {
			if (fs.n)
				fail_msg("%s: unexpected %s: %s", c->name, finding_code_name(fs.items[0].code),
					 fs.items[0].reason);
		} else if (!hit) {
			fail_msg("%s: no %s (%zu findings, first %s)", c->name, finding_code_name(c->want),
				 fs.n, fs.n ? finding_code_name(fs.items[0].code) : "-");
		}
		if (rules_verdict(&fs) != c->verdict)
			fail_msg("%s: verdict %s, want %s", c->name, rules_verdict_name(rules_verdict(&fs)),
				 rules_verdict_name(c->verdict));
		if (c->fix_has && (!hit || !strstr(hit->fix, c->fix_has)))
			fail_msg("%s: fix \"%s\" lacks \"%s\"", c->name, hit ? hit->fix : "", c->fix_has);
		if (c->alt_has && (!hit || !strstr(hit->fix_alt, c->alt_has)))
			fail_msg("%s: PowerShell fix \"%s\" lacks \"%s\"", c->name, hit ? hit->fix_alt : "",
				 c->alt_has);
		/* Windows findings carry both fixes, Linux ones only the shell command */
		if (hit && f.os == FACTS_OS_LINUX && hit->fix_alt[0])
			fail_msg("%s: Linux finding with a PowerShell fix", c->name);
	}
}

/* Every code is exercised by the table, for each OS where it applies. */
static void rules_table_covers_every_code(void **state)
{
	int seen_linux[FINDING_COUNT] = { 0 }, seen_win[FINDING_COUNT] = { 0 };
	size_t i;
	int c;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want == NOCODE)
			continue;
		if (cases[i].base == linux_good)
			seen_linux[cases[i].want] = 1;
		else
			seen_win[cases[i].want] = 1;
	}
	for (c = 0; c < FINDING_COUNT; c++) {
		int win_only = c == FINDING_WEAKHOST_RECV_NIC || c == FINDING_WEAKHOST_RECV_LOOPBACK ||
			       c == FINDING_WEAKHOST_SEND_LOOPBACK || c == FINDING_DNS_REGISTER_LOOPBACK;
		int linux_only = c == FINDING_ARP_IGNORE || c == FINDING_ARP_ANNOUNCE ||
				 c == FINDING_RP_FILTER_STRICT;

		if (!win_only && !seen_linux[c])
			fail_msg("%s not covered for Linux", finding_code_name((enum finding_code)c));
		if (!linux_only && !seen_win[c])
			fail_msg("%s not covered for Windows", finding_code_name((enum finding_code)c));
		assert_non_null(finding_table[c].name);
		assert_non_null(finding_table[c].summary);
	}
}

static void rules_names_round_trip(void **state)
{
	int c;
	enum finding_code back;
	(void)state;

	for (c = 0; c < FINDING_COUNT; c++) {
		assert_int_equal(finding_code_parse(finding_code_name((enum finding_code)c), &back), 0);
		assert_int_equal(back, c);
		assert_non_null(finding_severity_name(finding_table[c].severity));
		assert_non_null(finding_layer_name(finding_table[c].layer));
	}
	assert_int_equal(finding_code_parse("NOPE", &back), -EINVAL);
	assert_null(finding_code_name(FINDING_COUNT));
}

/* Hundreds of VIPs against facts with every limit reached stay bounded. */
static void rules_findings_bounded(void **state)
{
	static struct facts f;
	static struct findings fs;
	struct ip_addr vip;
	int i;
	(void)state;

	facts_init(&f, FACTS_OS_LINUX);
	for (i = 0; i < FACTS_MAX_IFACES + 3; i++) {
		char n[16];

		snprintf(n, sizeof(n), "eth%d", i);
		int r = facts_iface_add(&f, n, (uint32_t)i + 2, 1, 0);

		assert_true(i < FACTS_MAX_IFACES ? r == i : r == -ENOSPC);
	}
	assert_int_equal(f.n_ifaces, FACTS_MAX_IFACES);
	assert_true(f.truncated);
	for (i = 0; i < FACTS_MAX_IFACES; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.51.%d.%d", 100 + i / 250, i % 250 + 1);
		ip(a, &vip);
		assert_int_equal(facts_addr_add(&f, (size_t)i, &vip, 24), 0);
	}
	ip("203.0.113.1", &vip);
	findings_init(&fs);
	rules_evaluate(&f, &vip, 80, &fs);
	assert_int_equal(fs.n, FINDINGS_MAX);
	assert_true(fs.truncated);
	assert_int_equal(rules_verdict(&fs), RULES_VERDICT_CRITICAL);
}

/* A fact cut at a limit never passes or fails by accident (issue 16,
 * finding 4): the VIP on an interface past the limit, an address past the
 * limit, a listener past the limit all give FACTS_TRUNCATED, never OK and
 * never a false VIP_MISSING, LOOPBACK_MISSING or NO_LISTENER. */
static int has(const struct findings *fs, enum finding_code c)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->items[i].code == c)
			return 1;
	return 0;
}

static void rules_truncation_named(void **state)
{
	static struct facts f;
	static struct findings fs;
	struct ip_addr vip, a;
	int i, lo;
	(void)state;

	/* 1: lo holds the VIP; FACTS_MAX_IFACES more interfaces; the VIP also
	 * on one past the limit (the ARP theft the old 64-row table hid) */
	facts_init(&f, FACTS_OS_LINUX);
	f.linux_all = (struct facts_linux_conf){ 1, 2, 0 };
	lo = facts_iface_add(&f, "lo", 1, 1, 1);
	ip("192.0.2.100", &vip);
	assert_int_equal(facts_addr_add(&f, (size_t)lo, &vip, 32), 0);
	ip("::", &a);
	assert_int_equal(facts_listener_add(&f, FACTS_PROTO_TCP, &a, 80, 0), 0);
	for (i = 0; i < FACTS_MAX_IFACES + 10; i++) {
		char n[16];

		snprintf(n, sizeof(n), "veth%d", i);
		(void)!facts_iface_add(&f, n, (uint32_t)i + 2, 1, 0);
	}
	assert_int_equal(f.truncated & FACTS_TRUNC_IFACES, FACTS_TRUNC_IFACES);
	findings_init(&fs);
	rules_evaluate(&f, &vip, 80, &fs);
	assert_true(has(&fs, FINDING_FACTS_TRUNCATED));
	assert_int_equal(rules_verdict(&fs), RULES_VERDICT_CRITICAL);

	/* 2: addresses cut before the VIP's: no false VIP_MISSING */
	facts_init(&f, FACTS_OS_LINUX);
	f.linux_all = (struct facts_linux_conf){ 1, 2, 0 };
	lo = facts_iface_add(&f, "lo", 1, 1, 1);
	for (i = 0; i < FACTS_MAX_ADDRS + 1; i++) {
		char t[48];

		snprintf(t, sizeof(t), "2001:db8:1::%x", i + 1);
		ip(t, &a);
		(void)!facts_addr_add(&f, (size_t)lo, &a, 128);
	}
	assert_int_equal(f.truncated, FACTS_TRUNC_ADDRS);
	findings_init(&fs);
	rules_evaluate(&f, &vip, 0, &fs);
	assert_true(has(&fs, FINDING_FACTS_TRUNCATED));
	assert_false(has(&fs, FINDING_VIP_MISSING));
	assert_false(has(&fs, FINDING_LOOPBACK_MISSING));

	/* 3: 4,096 listeners, the service's past the cut: no false NO_LISTENER */
	facts_init(&f, FACTS_OS_LINUX);
	f.linux_all = (struct facts_linux_conf){ 1, 2, 0 };
	lo = facts_iface_add(&f, "lo", 1, 1, 1);
	assert_int_equal(facts_addr_add(&f, (size_t)lo, &vip, 32), 0);
	ip("192.0.2.11", &a);
	for (i = 0; i < FACTS_MAX_LISTENERS; i++)
		assert_int_equal(facts_listener_add(&f, FACTS_PROTO_TCP, &a, (uint16_t)(20000 + i), 0), 0);
	assert_int_equal(f.truncated, 0);
	ip("::", &a);
	assert_int_equal(facts_listener_add(&f, FACTS_PROTO_TCP, &a, 80, 0), -ENOSPC);
	assert_int_equal(f.truncated, FACTS_TRUNC_LISTENERS);
	findings_init(&fs);
	rules_evaluate(&f, &vip, 80, &fs);
	assert_true(has(&fs, FINDING_FACTS_TRUNCATED));
	assert_false(has(&fs, FINDING_NO_LISTENER));
	/* ...while a port whose listener was read is judged as usual */
	findings_init(&fs);
	rules_evaluate(&f, &vip, 0, &fs);
	assert_int_equal(rules_verdict(&fs), RULES_VERDICT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_table),
		cmocka_unit_test(rules_table_covers_every_code),
		cmocka_unit_test(rules_names_round_trip),
		cmocka_unit_test(rules_findings_bounded),
		cmocka_unit_test(rules_truncation_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
