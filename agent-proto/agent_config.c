/* agent_config.c - see agent_config.h and dsr-agent.conf(5). */
#include "agent-proto/agent_config.h"
#include "agent-proto/facts.h"
#include "bounded/ipaddr.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_LEN 1024

void agent_config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen.family = IP_FAMILY_V6;   /* :: */
	c->port = AGENT_DEFAULT_PORT;
	facts_text_set(c->tls_cert, sizeof(c->tls_cert), "/etc/dsrkit/agent.crt");
	facts_text_set(c->tls_key, sizeof(c->tls_key), "/etc/dsrkit/agent.key");
	facts_text_set(c->tls_ca, sizeof(c->tls_ca), "/etc/dsrkit/ca.crt");
	c->tls_min_minor = 3;
	c->admin = ADMIN_STATE_UP;
	c->weight = FACTS_UNKNOWN;
	c->agent_check_listen.family = IP_FAMILY_V6;
	c->client_timeout_ms = 5000;
	c->max_clients = 1024;
	c->facts_cache_ms = 1000;
}

struct ctx {
	const char *fname;
	unsigned line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!x->errlen)
		return -EINVAL;
	n = snprintf(x->err, x->errlen, "%s:%u: ", x->fname, x->line);
	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
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
	return fail(x, "unknown key '%s'", key);
}

static int parse(const char *text, size_t len, const char *fname, struct agent_config *c, char *err,
		 size_t errlen, int state_only)
{
	struct ctx x = { fname, 0, err, errlen };
	size_t pos = 0;

	if (errlen)
		err[0] = '\0';
	if (len > AGENT_CONFIG_MAX_BYTES) {
		x.line = 1;
		return fail(&x, "file larger than %d bytes", AGENT_CONFIG_MAX_BYTES);
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[LINE_MAX_LEN + 1], *key, *eq, *v, *end;
		size_t i;

		x.line++;
		if (n > LINE_MAX_LEN)
			return fail(&x, "line longer than %d bytes", LINE_MAX_LEN);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)line[i];

			if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
				return fail(&x, "control character (byte 0x%02x) in the line", ch);
		}
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		/* '#' starts a comment anywhere: no value needs one */
		end = strchr(line, '#');
		if (end)
			*end = '\0';
		key = line + strspn(line, " \t");
		end = key + strlen(key);
		while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return fail(&x, "expected 'key = value', got '%.40s'", key);
		v = eq + 1;
		while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		*eq = '\0';
		if (!*key)
			return fail(&x, "missing key before '='");
		v += strspn(v, " \t");
		if (!*v)
			return fail(&x, "%s: missing value", key);
		if (apply(&x, key, v, c, state_only) < 0)
			return -EINVAL;
	}
	return 0;
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
