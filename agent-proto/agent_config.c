/* SPDX-License-Identifier: Apache-2.0 */
/* agent_config.c - see agent_config.h and dsr-agent.conf(5). */
#include "agent-proto/agent_config.h"
#include "agent-proto/facts.h"
#include "bounded/ipaddr.h"
#include "bounded/kvfile.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void agent_config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen.family = IP_FAMILY_V6;   /* :: */
	c->port = AGENT_DEFAULT_PORT;
	facts_text_set(c->tls_cert, sizeof(c->tls_cert), "/etc/dsrkit/pki/agent.crt");
	facts_text_set(c->tls_key, sizeof(c->tls_key), "/etc/dsrkit/pki/agent.key");
	facts_text_set(c->tls_ca, sizeof(c->tls_ca), "/etc/dsrkit/pki/ca.crt");
	c->tls_min_minor = 3;
	c->admin = ADMIN_STATE_UP;
	c->weight = FACTS_UNKNOWN;
	c->agent_check_listen.family = IP_FAMILY_V6;
	c->client_timeout_ms = 5000;
	c->max_clients = 1024;
	c->facts_cache_ms = 1000;
	c->watch_interval_ms = 50;
	c->handshake_timeout_ms = 2000;
	c->max_handshakes = 64;
	c->max_handshakes_per_source = 8;
}

/* ::ffff:a.b.c.d as a.b.c.d (a dual-stack socket reports IPv4 peers so) */
static struct ip_addr unmapped(const struct ip_addr *a)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };
	struct ip_addr r = *a;

	if (a->family == IP_FAMILY_V6 && memcmp(a->b, pre, 12) == 0) {
		memset(&r, 0, sizeof(r));
		r.family = IP_FAMILY_V4;
		memcpy(r.b, a->b + 12, 4);
	}
	return r;
}

int agent_config_checker_allowed(const struct agent_config *c, const struct ip_addr *a)
{
	struct ip_addr u = unmapped(a);
	size_t i;

	for (i = 0; i < c->n_checker_allow; i++)
		if (c->checker_allow[i].addr.family == u.family &&
		    ipaddr_same_prefix(&c->checker_allow[i].addr, &u, c->checker_allow[i].prefix_len))
			return 1;
	return 0;
}

/* The line reader (bounded/kvfile.c) adds "file:line: "; a setter only
 * says what is wrong with its key. */
struct ctx {
	struct agent_config *c;
	int state_only;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, x->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_path(struct ctx *x, const char *key, const char *v, char *dst, size_t n)
{
	if (!*v)
		return fail(x, "%s needs a path", key);
	if (strlen(v) >= n)
		return fail(x, "%s: path longer than %u bytes", key, (unsigned)(n - 1));
	facts_text_set(dst, n, v);
	return 0;
}

static int set_u32(struct ctx *x, const char *key, const char *v, uint32_t min, uint32_t max,
		   uint32_t *out)
{
	if (parse_u32(v, out, min, max) < 0)
		return fail(x, "%s: '%s' is not a number in %u-%u", key, v, min, max);
	return 0;
}

static int set_vip(struct ctx *x, const char *v, struct agent_config *c)
{
	char word[IPADDR_STRLEN + 8];
	const char *p = v;
	struct ip_addr a;
	size_t n;
	int ports = 0;

	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(word))
		return fail(x, "vip: expected 'ADDRESS [PORT...]'");
	memcpy(word, p, n);
	word[n] = '\0';
	if (ipaddr_parse(word, &a) < 0)
		return fail(x, "vip: '%s' is not an IPv4 or IPv6 address", word);
	p += n;
	for (;;) {
		uint32_t port;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (n >= sizeof(word) || parse_u32n(p, n, &port, 1, 65535) < 0)
			return fail(x, "vip: port '%.*s' is not a number in 1-65535", (int)(n < 16 ? n : 16), p);
		if (c->n_targets >= STATUS_MAX_TARGETS)
			return fail(x, "vip: more than %d VIP/port pairs", STATUS_MAX_TARGETS);
		c->targets[c->n_targets].vip = a;
		c->targets[c->n_targets++].port = (uint16_t)port;
		ports++;
		p += n;
	}
	if (!ports) {
		if (c->n_targets >= STATUS_MAX_TARGETS)
			return fail(x, "vip: more than %d VIP/port pairs", STATUS_MAX_TARGETS);
		c->targets[c->n_targets].vip = a;
		c->targets[c->n_targets++].port = 0;
	}
	return 0;
}

static int set_addr(struct ctx *x, const char *key, const char *v, struct ip_addr *out)
{
	if (ipaddr_parse(v, out) < 0)
		return fail(x, "%s: '%s' is not an IPv4 or IPv6 address", key, v);
	return 0;
}

/* checker_allow = PREFIX [PREFIX...]; repeated lines add up. */
static int set_allow(struct ctx *x, const char *v, struct agent_config *c)
{
	char word[IPADDR_STRLEN + 8];
	const char *p = v;
	size_t n;
	int any = 0;

	for (;;) {
		struct agent_prefix *ap;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return fail(x, "checker_allow: '%.*s...' is not an address or prefix", 16, p);
		memcpy(word, p, n);
		word[n] = '\0';
		if (c->n_checker_allow >= AGENT_MAX_CHECKER_ALLOW)
			return fail(x, "checker_allow: more than %d prefixes", AGENT_MAX_CHECKER_ALLOW);
		ap = &c->checker_allow[c->n_checker_allow];
		if (ipaddr_parse_prefix(word, &ap->addr, &ap->prefix_len) < 0)
			return fail(x, "checker_allow: '%s' is not an address or ADDRESS/PREFIX", word);
		ap->addr = unmapped(&ap->addr);
		if (ap->addr.family == IP_FAMILY_V4 && ap->prefix_len > 32)
			ap->prefix_len -= 96;
		c->n_checker_allow++;
		any = 1;
		p += n;
	}
	if (!any)
		return fail(x, "checker_allow needs an address or ADDRESS/PREFIX");
	return 0;
}

static int set_admin(struct ctx *x, const char *key, const char *v, struct agent_config *c)
{
	uint32_t w;

	if (strcmp(key, "admin_state") == 0) {
		if (admin_state_parse(v, &c->admin) < 0)
			return fail(x, "admin_state: '%s' is not up, drain or maint", v);
		return 0;
	}
	if (strcmp(key, "weight") == 0) {
		if (strcmp(v, "none") == 0)
			c->weight = FACTS_UNKNOWN;
		else if (strcmp(v, "auto") == 0)
			c->weight = AGENT_WEIGHT_AUTO;
		else if (parse_u32(v, &w, 0, 100) == 0)
			c->weight = (int)w;
		else
			return fail(x, "weight: '%s' is not 0-100, auto or none", v);
		return 0;
	}
	if (strlen(v) >= sizeof(c->admin_reason))
		return fail(x, "admin_reason longer than %u bytes", (unsigned)(sizeof(c->admin_reason) - 1));
	facts_text_set(c->admin_reason, sizeof(c->admin_reason), v);
	return 0;
}

static int apply(struct ctx *x, const char *key, const char *v, struct agent_config *c, int state_only)
{
	uint32_t u;
	int is_admin = strcmp(key, "admin_state") == 0 || strcmp(key, "weight") == 0 ||
		       strcmp(key, "admin_reason") == 0;

	if (is_admin)
		return set_admin(x, key, v, c);
	if (state_only)
		return fail(x, "'%s' not allowed in a state file (admin_state, weight, admin_reason only)", key);
	if (strcmp(key, "listen") == 0)
		return set_addr(x, key, v, &c->listen);
	if (strcmp(key, "port") == 0) {
		if (set_u32(x, key, v, 1, 65535, &u) < 0)
			return -EINVAL;
		c->port = (uint16_t)u;
		return 0;
	}
	if (strcmp(key, "tls_cert") == 0)
		return set_path(x, key, v, c->tls_cert, sizeof(c->tls_cert));
	if (strcmp(key, "tls_key") == 0)
		return set_path(x, key, v, c->tls_key, sizeof(c->tls_key));
	if (strcmp(key, "tls_ca") == 0)
		return set_path(x, key, v, c->tls_ca, sizeof(c->tls_ca));
	if (strcmp(key, "tls_crl") == 0)
		return set_path(x, key, v, c->tls_crl, sizeof(c->tls_crl));
	if (strcmp(key, "tls_min_version") == 0) {
		if (strcmp(v, "1.3") == 0)
			c->tls_min_minor = 3;
		else if (strcmp(v, "1.2") == 0)
			c->tls_min_minor = 2;
		else
			return fail(x, "tls_min_version: '%s' is not 1.2 or 1.3", v);
		return 0;
	}
	if (strcmp(key, "vip") == 0)
		return set_vip(x, v, c);
	if (strcmp(key, "state_file") == 0)
		return set_path(x, key, v, c->state_file, sizeof(c->state_file));
	if (strcmp(key, "agent_check_port") == 0) {
		if (set_u32(x, key, v, 0, 65535, &u) < 0)
			return -EINVAL;
		c->agent_check_port = (uint16_t)u;
		return 0;
	}
	if (strcmp(key, "agent_check_listen") == 0)
		return set_addr(x, key, v, &c->agent_check_listen);
	if (strcmp(key, "client_timeout_ms") == 0)
		return set_u32(x, key, v, 100, 600000, &c->client_timeout_ms);
	if (strcmp(key, "max_clients") == 0)
		return set_u32(x, key, v, 1, 65536, &c->max_clients);
	if (strcmp(key, "facts_cache_ms") == 0)
		return set_u32(x, key, v, 0, 600000, &c->facts_cache_ms);
	if (strcmp(key, "handshake_timeout_ms") == 0)
		return set_u32(x, key, v, 100, 600000, &c->handshake_timeout_ms);
	if (strcmp(key, "max_handshakes") == 0)
		return set_u32(x, key, v, 1, 65536, &c->max_handshakes);
	if (strcmp(key, "max_handshakes_per_source") == 0)
		return set_u32(x, key, v, 1, 65536, &c->max_handshakes_per_source);
	if (strcmp(key, "checker_allow") == 0)
		return set_allow(x, v, c);
	if (strcmp(key, "watch_interval_ms") == 0)
		return set_u32(x, key, v, 10, 60000, &c->watch_interval_ms);
	return fail(x, "unknown key '%s'", key);
}

static int line_cb(void *ctx, const char *key, const char *value, char *why, size_t whylen)
{
	struct ctx *x = ctx;

	x->why = why;
	x->whylen = whylen;
	return apply(x, key, value, x->c, x->state_only);
}

static int parse(const char *text, size_t len, const char *fname, struct agent_config *c, char *err,
		 size_t errlen, int state_only)
{
	struct ctx x = { c, state_only, NULL, 0 };

	if (len > AGENT_CONFIG_MAX_BYTES) {
		if (errlen)
			snprintf(err, errlen, "%s:1: file larger than %d bytes", fname, AGENT_CONFIG_MAX_BYTES);
		return -EINVAL;
	}
	return kvfile_parse(text, len, fname, line_cb, &x, err, errlen);
}

int agent_config_parse(const char *text, size_t len, const char *fname, struct agent_config *c,
		       char *err, size_t errlen)
{
	return parse(text, len, fname, c, err, errlen, 0);
}

int agent_config_parse_state(const char *text, size_t len, const char *fname, struct agent_config *c,
			     char *err, size_t errlen)
{
	return parse(text, len, fname, c, err, errlen, 1);
}
