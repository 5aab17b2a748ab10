/* SPDX-License-Identifier: Apache-2.0 */
/* rules.c - the DR rules; see rules.h and the code table in
 * doc/agent-protocol.md.  Every code, its severity and layer are written
 * once, in finding_table[]. */
#include "agent-proto/rules.h"
#include "agent-proto/facts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const struct finding_info finding_table[FINDING_COUNT] = {
	[FINDING_VIP_MISSING] = { "VIP_MISSING", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"VIP not on the loopback interface" },
	[FINDING_VIP_PREFIX] = { "VIP_PREFIX", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"VIP on loopback with a prefix other than /32 (/128)" },
	[FINDING_VIP_ON_ARP_IFACE] = { "VIP_ON_ARP_IFACE", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"VIP on an interface that answers ARP/ND for it" },
	[FINDING_LOOPBACK_MISSING] = { "LOOPBACK_MISSING", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"no loopback interface (adapter) to hold the VIP, or it is down" },
	[FINDING_ARP_IGNORE] = { "ARP_IGNORE", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"effective arp_ignore is not 1 or 2: the server answers ARP for the VIP" },
	[FINDING_ARP_ANNOUNCE] = { "ARP_ANNOUNCE", FINDING_SEVERITY_WARNING, FINDING_LAYER_DR,
		"effective arp_announce is not 2: ARP requests may carry the VIP as source" },
	[FINDING_RP_FILTER_STRICT] = { "RP_FILTER_STRICT", FINDING_SEVERITY_WARNING, FINDING_LAYER_DR,
		"strict reverse-path filtering on a receiving interface" },
	[FINDING_WEAKHOST_RECV_NIC] = { "WEAKHOST_RECV_NIC", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_DR,
		"weak-host receive off on the NIC: packets for the VIP are dropped" },
	[FINDING_WEAKHOST_RECV_LOOPBACK] = { "WEAKHOST_RECV_LOOPBACK", FINDING_SEVERITY_CRITICAL,
		FINDING_LAYER_DR, "weak-host receive off on the loopback adapter" },
	[FINDING_WEAKHOST_SEND_LOOPBACK] = { "WEAKHOST_SEND_LOOPBACK", FINDING_SEVERITY_CRITICAL,
		FINDING_LAYER_DR, "weak-host send off on the loopback adapter: replies from the VIP are not sent" },
	[FINDING_DNS_REGISTER_LOOPBACK] = { "DNS_REGISTER_LOOPBACK", FINDING_SEVERITY_WARNING,
		FINDING_LAYER_DR, "the loopback adapter registers the VIP in DNS" },
	[FINDING_NO_LISTENER] = { "NO_LISTENER", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_SERVICE,
		"nothing listens on the VIP (or the wildcard address) at the service port" },
	[FINDING_ADMIN_DRAIN] = { "ADMIN_DRAIN", FINDING_SEVERITY_INFO, FINDING_LAYER_ADMIN,
		"drained by the administrator: weight 0, established connections continue" },
	[FINDING_ADMIN_MAINT] = { "ADMIN_MAINT", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_ADMIN,
		"in maintenance by the administrator: take it out" },
	[FINDING_FACT_UNKNOWN] = { "FACT_UNKNOWN", FINDING_SEVERITY_WARNING, FINDING_LAYER_FACTS,
		"a fact needed to judge the server could not be read" },
	/* critical: a VIP on an interface the agent could not list is the ARP
	 * theft dsrkit exists to catch, so no pass; and no false VIP_MISSING
	 * or NO_LISTENER either: the verdict names the truncation */
	[FINDING_FACTS_TRUNCATED] = { "FACTS_TRUNCATED", FINDING_SEVERITY_CRITICAL, FINDING_LAYER_FACTS,
		"the agent's facts were cut at a limit and this VIP cannot be judged" },
};

static const char *const severity_names[FINDING_SEVERITY_COUNT] = {
	[FINDING_SEVERITY_INFO] = "info",
	[FINDING_SEVERITY_WARNING] = "warning",
	[FINDING_SEVERITY_CRITICAL] = "critical",
};

static const char *const layer_names[FINDING_LAYER_COUNT] = {
	[FINDING_LAYER_DR] = "dr",
	[FINDING_LAYER_SERVICE] = "service",
	[FINDING_LAYER_ADMIN] = "admin",
	[FINDING_LAYER_FACTS] = "facts",
};

static const char *const verdict_names[RULES_VERDICT_COUNT] = {
	[RULES_VERDICT_OK] = "ok",
	[RULES_VERDICT_WARNING] = "warning",
	[RULES_VERDICT_CRITICAL] = "critical",
};

const char *finding_code_name(enum finding_code c)
{
	return (unsigned)c < FINDING_COUNT ? finding_table[c].name : NULL;
}

const char *finding_severity_name(enum finding_severity s)
{
	return (unsigned)s < FINDING_SEVERITY_COUNT ? severity_names[s] : NULL;
}

const char *finding_layer_name(enum finding_layer l)
{
	return (unsigned)l < FINDING_LAYER_COUNT ? layer_names[l] : NULL;
}

const char *rules_verdict_name(enum rules_verdict v)
{
	return (unsigned)v < RULES_VERDICT_COUNT ? verdict_names[v] : NULL;
}

int finding_code_parse(const char *s, enum finding_code *out)
{
	int i;

	for (i = 0; i < FINDING_COUNT; i++)
		if (strcmp(finding_table[i].name, s) == 0) {
			*out = (enum finding_code)i;
			return 0;
		}
	return -EINVAL;
}

void findings_init(struct findings *out)
{
	out->n = 0;
	out->truncated = 0;
}

int findings_has(const struct findings *fs, enum finding_code c)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->items[i].code == c)
			return 1;
	return 0;
}

enum rules_verdict rules_verdict(const struct findings *fs)
{
	enum rules_verdict v = RULES_VERDICT_OK;
	size_t i;

	for (i = 0; i < fs->n; i++) {
		enum finding_severity s = finding_table[fs->items[i].code].severity;

		if (s == FINDING_SEVERITY_CRITICAL)
			return RULES_VERDICT_CRITICAL;
		if (s == FINDING_SEVERITY_WARNING)
			v = RULES_VERDICT_WARNING;
	}
	return v;
}

/* Interface names end up inside quoted commands a user may paste: keep
 * quotes, backslashes and control characters out of them. */
static void safe_name(char *dst, size_t n, const char *src)
{
	size_t i;

	facts_text_set(dst, n, src);
	for (i = 0; dst[i]; i++) {
		unsigned char c = (unsigned char)dst[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '\'' || c == '`' ||
		    c == '$' || c == ';' || c == '&' || c == '|')
			dst[i] = '_';
	}
}

__attribute__((format(printf, 3, 4)))
static void textf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0)
		dst[0] = '\0';
}

/* Append a finding; returns it so the caller writes reason and fixes, or
 * NULL when the list is full (marked truncated). Duplicates (same code,
 * VIP and interface) are dropped, returning NULL. */
static struct finding *add(struct findings *out, enum finding_code code, const struct ip_addr *vip,
			   uint16_t port, const char *iface)
{
	struct finding *fd;
	size_t i;
	char name[FACTS_NAME_LEN];

	safe_name(name, sizeof(name), iface ? iface : "");
	for (i = 0; i < out->n; i++) {
		fd = &out->items[i];
		if (fd->code == code && strcmp(fd->iface, name) == 0 &&
		    ((!vip && fd->vip.family == IP_FAMILY_NONE) || (vip && ipaddr_equal(&fd->vip, vip))))
			return NULL;
	}
	if (out->n >= FINDINGS_MAX) {
		out->truncated = 1;
		return NULL;
	}
	fd = &out->items[out->n++];
	memset(fd, 0, sizeof(*fd));
	fd->code = code;
	if (vip)
		fd->vip = *vip;
	fd->port = port;
	facts_text_set(fd->iface, sizeof(fd->iface), name);
	facts_text_set(fd->reason, sizeof(fd->reason), finding_table[code].summary);
	return fd;
}

static int is_wildcard(const struct ip_addr *a)
{
	size_t i, n = ipaddr_len(a);

	for (i = 0; i < n; i++)
		if (a->b[i])
			return 0;
	return n > 0;
}

/* 127.0.0.0/8 and ::1: held by the OS's own loopback (Windows' "Loopback
 * Pseudo-Interface") which never faces the network. */
static int is_host_loopback(const struct ip_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (a->family == IP_FAMILY_V4)
		return a->b[0] == 127;
	return a->family == IP_FAMILY_V6 && memcmp(a->b, v6lo, 16) == 0;
}

static int iface_has_family(const struct facts *f, size_t iface, enum ip_family fam)
{
	size_t i;

	for (i = 0; i < f->n_addrs; i++)
		if (f->addrs[i].iface == iface && f->addrs[i].addr.family == fam &&
		    !is_host_loopback(&f->addrs[i].addr))
			return 1;
	return 0;
}

/* A receiving (outward) interface: not the loopback, not known down, with
 * an address of the VIP's family. */
static int is_outward(const struct facts *f, size_t i, enum ip_family fam)
{
	const struct facts_iface *fi = &f->ifaces[i];

	return !fi->loopback && fi->up != 0 && iface_has_family(f, i, fam);
}

static int eff(int all, int one)
{
	if (all == FACTS_UNKNOWN || one == FACTS_UNKNOWN)
		return FACTS_UNKNOWN;
	return all > one ? all : one;
}

static const char *lo_name(const struct facts *f)
{
	size_t i;

	for (i = 0; i < f->n_ifaces; i++)
		if (f->ifaces[i].loopback)
			return f->ifaces[i].name;
	return f->os == FACTS_OS_WINDOWS ? "Loopback" : "lo";
}

static void unknown(struct findings *out, const struct ip_addr *vip, uint16_t port, const char *iface,
		    const char *what)
{
	struct finding *fd = add(out, FINDING_FACT_UNKNOWN, vip, port, iface);

	if (!fd)
		return;
	textf(fd->reason, sizeof(fd->reason), "%s%s%s could not be read", what,
	      iface && *iface ? " of " : "", iface ? fd->iface : "");
	textf(fd->fix, sizeof(fd->fix), "run the agent with the rights to read %s", what);
}

/* --- addresses ---------------------------------------------------------- */

static void fix_addr_add(const struct facts *f, struct finding *fd, const char *vs,
			 enum ip_family fam)
{
	char lo[FACTS_NAME_LEN];

	safe_name(lo, sizeof(lo), lo_name(f));
	if (f->os == FACTS_OS_WINDOWS) {
		if (fam == IP_FAMILY_V4)
			textf(fd->fix, sizeof(fd->fix),
			      "netsh interface ipv4 add address \"%s\" %s 255.255.255.255 skipassource=true",
			      lo, vs);
		else
			textf(fd->fix, sizeof(fd->fix),
			      "netsh interface ipv6 add address \"%s\" %s/128 skipassource=true", lo, vs);
		textf(fd->fix_alt, sizeof(fd->fix_alt),
		      "New-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -PrefixLength %u -SkipAsSource $true",
		      lo, vs, fam == IP_FAMILY_V4 ? 32u : 128u);
	} else {
		textf(fd->fix, sizeof(fd->fix), "ip addr add %s/%u dev %s", vs,
		      fam == IP_FAMILY_V4 ? 32u : 128u, lo);
	}
}

static void fix_addr_del(const struct facts *f, struct finding *fd, const char *vs,
			 unsigned plen, enum ip_family fam, const char *iface)
{
	char n[FACTS_NAME_LEN];

	safe_name(n, sizeof(n), iface);
	if (f->os == FACTS_OS_WINDOWS) {
		textf(fd->fix, sizeof(fd->fix), "netsh interface %s delete address \"%s\" %s",
		      fam == IP_FAMILY_V4 ? "ipv4" : "ipv6", n, vs);
		textf(fd->fix_alt, sizeof(fd->fix_alt),
		      "Remove-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -Confirm:$false", n, vs);
	} else {
		textf(fd->fix, sizeof(fd->fix), "ip addr del %s/%u dev %s", vs, plen, n);
	}
}

/* A limit cut a table the verdict needs: one FACTS_TRUNCATED finding. */
static void truncated(const struct facts *f, struct findings *out, const struct ip_addr *vip, uint16_t port,
		      const char *what)
{
	struct finding *fd = add(out, FINDING_FACTS_TRUNCATED, vip, port, NULL);

	(void)f;
	if (!fd)
		return;
	textf(fd->reason, sizeof(fd->reason), "the agent's %s were cut at their limit (%d interfaces, %d "
	      "addresses, %d sockets): this VIP cannot be judged", what, FACTS_MAX_IFACES, FACTS_MAX_ADDRS,
	      FACTS_MAX_LISTENERS);
	textf(fd->fix, sizeof(fd->fix), "remove unused interfaces, addresses or listening sockets, or "
	      "upgrade dsr-agent and the checker together");
}

static void rules_addresses(const struct facts *f, const struct ip_addr *vip, struct findings *out)
{
	char vs[IPADDR_STRLEN];
	int on_lo = 0, lo_found = 0;
	size_t i;
	struct finding *fd;

	ipaddr_format(vip, vs);
	for (i = 0; i < f->n_ifaces; i++) {
		if (!f->ifaces[i].loopback)
			continue;
		lo_found = 1;
		if (f->ifaces[i].up == 0) {
			fd = add(out, FINDING_LOOPBACK_MISSING, NULL, 0, f->ifaces[i].name);
			if (fd) {
				textf(fd->reason, sizeof(fd->reason), "loopback interface %s is down",
				      fd->iface);
				if (f->os == FACTS_OS_WINDOWS) {
					textf(fd->fix, sizeof(fd->fix),
					      "netsh interface set interface \"%s\" admin=enabled", fd->iface);
					textf(fd->fix_alt, sizeof(fd->fix_alt),
					      "Enable-NetAdapter -Name \"%s\"", fd->iface);
				} else {
					textf(fd->fix, sizeof(fd->fix), "ip link set %s up", fd->iface);
				}
			}
		}
	}
	if (f->truncated & (FACTS_TRUNC_IFACES | FACTS_TRUNC_ADDRS)) {
		/* an interface or address not in the table may hold the VIP (or
		 * be the loopback): the absence of one proves nothing, and the
		 * VIP may sit on an ARP interface nobody sees */
		truncated(f, out, vip, 0, f->truncated & FACTS_TRUNC_IFACES ? "interfaces" : "addresses");
		lo_found = 1;
	}
	if (!lo_found) {
		fd = add(out, FINDING_LOOPBACK_MISSING, NULL, 0, NULL);
		if (fd) {
			if (f->os == FACTS_OS_WINDOWS) {
				textf(fd->reason, sizeof(fd->reason),
				      "no KM-TEST loopback adapter (*MSLOOP) to hold the VIP");
				textf(fd->fix, sizeof(fd->fix), "dsr-agent.exe setup --vip %s", vs);
				textf(fd->fix_alt, sizeof(fd->fix_alt), "dsr-agent.exe setup --vip %s", vs);
			} else {
				textf(fd->reason, sizeof(fd->reason), "no loopback interface found");
				textf(fd->fix, sizeof(fd->fix), "ip link set lo up");
			}
		}
	}

	for (i = 0; i < f->n_addrs; i++) {
		const struct facts_addr *a = &f->addrs[i];
		const struct facts_iface *fi = &f->ifaces[a->iface];

		if (!ipaddr_equal(&a->addr, vip))
			continue;
		if (fi->loopback) {
			on_lo = 1;
			if (a->prefix_len == ipaddr_host_prefix(vip))
				continue;
			fd = add(out, FINDING_VIP_PREFIX, vip, 0, fi->name);
			if (!fd)
				continue;
			textf(fd->reason, sizeof(fd->reason), "VIP %s is /%u on %s, not /%u", vs,
			      a->prefix_len, fd->iface, ipaddr_host_prefix(vip));
			if (f->os == FACTS_OS_WINDOWS) {
				char n[FACTS_NAME_LEN];

				safe_name(n, sizeof(n), fi->name);
				textf(fd->fix, sizeof(fd->fix),
				      "netsh interface %s delete address \"%s\" %s && netsh interface %s add address \"%s\" %s%s skipassource=true",
				      vip->family == IP_FAMILY_V4 ? "ipv4" : "ipv6", n, vs,
				      vip->family == IP_FAMILY_V4 ? "ipv4" : "ipv6", n, vs,
				      vip->family == IP_FAMILY_V4 ? " 255.255.255.255" : "/128");
				textf(fd->fix_alt, sizeof(fd->fix_alt),
				      "Remove-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -Confirm:$false; New-NetIPAddress -InterfaceAlias \"%s\" -IPAddress %s -PrefixLength %u -SkipAsSource $true",
				      n, vs, n, vs, ipaddr_host_prefix(vip));
			} else {
				textf(fd->fix, sizeof(fd->fix), "ip addr del %s/%u dev %s && ip addr add %s/%u dev %s",
				      vs, a->prefix_len, fd->iface, vs, ipaddr_host_prefix(vip), fd->iface);
			}
		} else {
			fd = add(out, FINDING_VIP_ON_ARP_IFACE, vip, 0, fi->name);
			if (!fd)
				continue;
			textf(fd->reason, sizeof(fd->reason), "VIP %s is on %s, which answers %s for it",
			      vs, fd->iface, vip->family == IP_FAMILY_V4 ? "ARP" : "neighbour discovery");
			fix_addr_del(f, fd, vs, a->prefix_len, vip->family, fi->name);
		}
	}
	if (!on_lo && !(f->truncated & (FACTS_TRUNC_IFACES | FACTS_TRUNC_ADDRS))) {
		fd = add(out, FINDING_VIP_MISSING, vip, 0, lo_name(f));
		if (fd) {
			textf(fd->reason, sizeof(fd->reason), "VIP %s is not on loopback %s", vs, fd->iface);
			fix_addr_add(f, fd, vs, vip->family);
		}
	}
}

/* --- Linux ARP and reverse-path sysctls ----------------------------------- */

static void rules_linux(const struct facts *f, const struct ip_addr *vip, struct findings *out)
{
	size_t i;
	struct finding *fd;

	if (vip->family != IP_FAMILY_V4)
		return; /* IPv6 ND answers only for the receiving interface's addresses */
	for (i = 0; i < f->n_ifaces; i++) {
		const struct facts_iface *fi = &f->ifaces[i];
		int ig, an, rp;

		if (!is_outward(f, i, IP_FAMILY_V4))
			continue;
		ig = eff(f->linux_all.arp_ignore, fi->linux_conf.arp_ignore);
		an = eff(f->linux_all.arp_announce, fi->linux_conf.arp_announce);
		rp = eff(f->linux_all.rp_filter, fi->linux_conf.rp_filter);
		if (ig == FACTS_UNKNOWN) {
			unknown(out, NULL, 0, fi->name, "arp_ignore");
		} else if (ig != 1 && ig != 2) {
			fd = add(out, FINDING_ARP_IGNORE, NULL, 0, fi->name);
			if (fd) {
				textf(fd->reason, sizeof(fd->reason),
				      "arp_ignore on %s is %d (all=%d, %s=%d), want 1 or 2", fd->iface, ig,
				      f->linux_all.arp_ignore, fd->iface, fi->linux_conf.arp_ignore);
				textf(fd->fix, sizeof(fd->fix),
				      "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.%s.arp_ignore=1",
				      fd->iface);
			}
		}
		if (an == FACTS_UNKNOWN) {
			unknown(out, NULL, 0, fi->name, "arp_announce");
		} else if (an != 2) {
			fd = add(out, FINDING_ARP_ANNOUNCE, NULL, 0, fi->name);
			if (fd) {
				textf(fd->reason, sizeof(fd->reason),
				      "arp_announce on %s is %d (all=%d, %s=%d), want 2", fd->iface, an,
				      f->linux_all.arp_announce, fd->iface, fi->linux_conf.arp_announce);
				textf(fd->fix, sizeof(fd->fix),
				      "sysctl -w net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.%s.arp_announce=2",
				      fd->iface);
			}
		}
		if (rp == FACTS_UNKNOWN) {
			unknown(out, NULL, 0, fi->name, "rp_filter");
		} else if (rp == 1) {
			fd = add(out, FINDING_RP_FILTER_STRICT, NULL, 0, fi->name);
			if (fd) {
				textf(fd->reason, sizeof(fd->reason),
				      "rp_filter on %s is strict (all=%d, %s=%d)", fd->iface,
				      f->linux_all.rp_filter, fd->iface, fi->linux_conf.rp_filter);
				textf(fd->fix, sizeof(fd->fix),
				      "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2",
				      fd->iface);
			}
		}
	}
}

/* --- Windows weak host and DNS registration ------------------------------- */

static void weakhost(struct findings *out, enum finding_code code, const struct facts_iface *fi,
		     const struct ip_addr *vip, const char *what)
{
	const char *fam = vip->family == IP_FAMILY_V4 ? "ipv4" : "ipv6";
	int send = code == FINDING_WEAKHOST_SEND_LOOPBACK;
	struct finding *fd = add(out, code, NULL, 0, fi->name);

	if (!fd)
		return;
	textf(fd->reason, sizeof(fd->reason), "weak-host %s is off on %s %s", send ? "send" : "receive",
	      what, fd->iface);
	textf(fd->fix, sizeof(fd->fix), "netsh interface %s set interface \"%s\" %s=enabled", fam,
	      fd->iface, send ? "weakhostsend" : "weakhostreceive");
	textf(fd->fix_alt, sizeof(fd->fix_alt),
	      "Set-NetIPInterface -InterfaceAlias \"%s\" -AddressFamily %s -%s Enabled", fd->iface,
	      vip->family == IP_FAMILY_V4 ? "IPv4" : "IPv6", send ? "WeakHostSend" : "WeakHostReceive");
}

static void rules_windows(const struct facts *f, const struct ip_addr *vip, struct findings *out)
{
	size_t i;
	struct finding *fd;

	for (i = 0; i < f->n_ifaces; i++) {
		const struct facts_iface *fi = &f->ifaces[i];
		const struct facts_windows_conf *w = &fi->win_conf;

		if (fi->loopback) {
			if (w->weak_host_receive == FACTS_UNKNOWN)
				unknown(out, NULL, 0, fi->name, "weak-host receive");
			else if (!w->weak_host_receive)
				weakhost(out, FINDING_WEAKHOST_RECV_LOOPBACK, fi, vip, "the loopback adapter");
			if (w->weak_host_send == FACTS_UNKNOWN)
				unknown(out, NULL, 0, fi->name, "weak-host send");
			else if (!w->weak_host_send)
				weakhost(out, FINDING_WEAKHOST_SEND_LOOPBACK, fi, vip, "the loopback adapter");
			if (w->dns_register == FACTS_UNKNOWN) {
				unknown(out, NULL, 0, fi->name, "DNS registration");
			} else if (w->dns_register) {
				fd = add(out, FINDING_DNS_REGISTER_LOOPBACK, NULL, 0, fi->name);
				if (fd) {
					textf(fd->reason, sizeof(fd->reason),
					      "loopback adapter %s registers its addresses (the VIP) in DNS",
					      fd->iface);
					textf(fd->fix, sizeof(fd->fix),
					      "netsh interface ipv4 set dnsservers name=\"%s\" source=static address=none register=none",
					      fd->iface);
					textf(fd->fix_alt, sizeof(fd->fix_alt),
					      "Set-DnsClient -InterfaceAlias \"%s\" -RegisterThisConnectionsAddress $false",
					      fd->iface);
				}
			}
		} else if (is_outward(f, i, vip->family)) {
			if (w->weak_host_receive == FACTS_UNKNOWN)
				unknown(out, NULL, 0, fi->name, "weak-host receive");
			else if (!w->weak_host_receive)
				weakhost(out, FINDING_WEAKHOST_RECV_NIC, fi, vip, "the NIC");
		}
	}
}

/* --- the service and the administrator ------------------------------------ */

static int listens(const struct facts *f, const struct ip_addr *vip, uint16_t port)
{
	size_t i;

	for (i = 0; i < f->n_listeners; i++) {
		const struct facts_listener *l = &f->listeners[i];

		if (l->proto != FACTS_PROTO_TCP || l->port != port)
			continue;
		if (ipaddr_equal(&l->addr, vip))
			return 1;
		if (is_wildcard(&l->addr)) {
			if (l->addr.family == vip->family)
				return 1;
			/* "::" takes IPv4 too unless v6only (Linux bindv6only=0) */
			if (l->addr.family == IP_FAMILY_V6 && vip->family == IP_FAMILY_V4 && l->v6only != 1)
				return 1;
		}
	}
	return 0;
}

static void rules_admin(const struct facts *f, struct findings *out)
{
	struct finding *fd;
	enum finding_code c;

	if (f->admin == ADMIN_STATE_UP)
		return;
	c = f->admin == ADMIN_STATE_DRAIN ? FINDING_ADMIN_DRAIN : FINDING_ADMIN_MAINT;
	fd = add(out, c, NULL, 0, NULL);
	if (!fd)
		return;
	textf(fd->reason, sizeof(fd->reason), "administrative state is %s%s%s",
	      admin_state_name(f->admin), f->admin_reason[0] ? ": " : "", f->admin_reason);
	textf(fd->fix, sizeof(fd->fix), "set admin_state = up in the agent's configuration when done");
}

void rules_evaluate(const struct facts *f, const struct ip_addr *vip, uint16_t port,
		    struct findings *out)
{
	char vs[IPADDR_STRLEN];
	struct finding *fd;

	if (vip->family != IP_FAMILY_V4 && vip->family != IP_FAMILY_V6)
		return;
	ipaddr_format(vip, vs);
	rules_addresses(f, vip, out);
	switch (f->os) {
	case FACTS_OS_LINUX:
		rules_linux(f, vip, out);
		break;
	case FACTS_OS_WINDOWS:
		rules_windows(f, vip, out);
		break;
	default:
		unknown(out, NULL, 0, NULL, "the operating system");
		break;
	}
	if (port && !listens(f, vip, port) && (f->truncated & FACTS_TRUNC_LISTENERS)) {
		/* a listener found proves itself; one not found may be past the cut */
		truncated(f, out, vip, port, "listening sockets");
	} else if (port && !listens(f, vip, port)) {
		fd = add(out, FINDING_NO_LISTENER, vip, port, NULL);
		if (fd) {
			textf(fd->reason, sizeof(fd->reason), "nothing listens on %s%s%s:%u (or the wildcard) over TCP",
			      vip->family == IP_FAMILY_V6 ? "[" : "", vs,
			      vip->family == IP_FAMILY_V6 ? "]" : "", port);
			textf(fd->fix, sizeof(fd->fix),
			      "start the service on port %u, bound to %s or the wildcard address", port, vs);
		}
	}
	rules_admin(f, out);
}
