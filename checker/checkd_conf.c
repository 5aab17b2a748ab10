/* checkd_conf.c - keepalived-syntax reader of dsr-checkd; see checkd_conf.h.
 *
 * keepalived's grammar is line oriented: a keyword with its arguments, a
 * `{` opening a block, `}` closing one, `#` or `!` starting a comment.  The
 * reader turns the text into a stream of words, `{`, `}` and ends of line,
 * and a small stack of block kinds decides what each statement means. */
#include "checker/checkd_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded/strparse.h"

#define WORD_MAX   1024
#define WORDS_MAX  64
#define DEPTH_MAX  32

enum block {
	BLOCK_TOP,
	BLOCK_VS,        /* virtual_server */
	BLOCK_RS,        /* real_server */
	BLOCK_CHECK,     /* a *_CHECK block inside a real_server */
	BLOCK_DAEMON,    /* dsr_checkd */
	BLOCK_SKIP,      /* anything else: read and ignored */
	BLOCK_COUNT
};

struct parser {
	struct checkd_conf *c;
	const struct checkd_conf_reader *r;
	enum block stack[DEPTH_MAX];
	unsigned depth;
	unsigned file_depth;
	/* the statement being read */
	char words[WORDS_MAX][WORD_MAX];
	unsigned n_words;
	unsigned last_n_words;   /* the statement just ended, for a '{' on the next line */
	char *err;
	size_t errlen;
};

struct source {
	const char *name;
	const char *p, *end;
	unsigned line;
};

void checkd_conf_init(struct checkd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_ms = 2000;
	c->timeout_ms = 0;        /* 0: dsrkit.conf's timeout */
	c->retry_ms = 0;          /* 0: the interval */
	c->rise = 1;
	c->fall = 1;
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9445");
}

void checkd_conf_free(struct checkd_conf *c)
{
	size_t i;

	for (i = 0; i < c->n_svc; i++)
		free(c->svc[i].rs);
	free(c->svc);
	c->svc = NULL;
	c->n_svc = c->cap_svc = 0;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *ps, const struct source *s, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%u: %s", s->name, s->line, what);
	return -EINVAL;
}

static void where(char *out, const struct source *s)
{
	snprintf(out, CHECKD_CONF_WHERE_MAX, "%s:%u", s->name, s->line);
}

/* keepalived takes seconds, with a fraction ("1.5"); we also take "500ms". */
static int parse_seconds_ms(const char *w, uint32_t *out, uint32_t min_ms, uint32_t max_ms)
{
	const char *dot = strchr(w, '.');
	uint32_t sec, frac = 0, scale = 100;
	size_t i;

	if (!dot)
		return parse_duration_ms(w, out, min_ms, max_ms);
	if (dot == w || parse_u32n(w, (size_t)(dot - w), &sec, 0, max_ms / 1000) < 0)
		return -EINVAL;
	for (i = 1; dot[i]; i++) {
		if (dot[i] < '0' || dot[i] > '9' || i > 3)
			return -EINVAL;
		frac += (uint32_t)(dot[i] - '0') * scale;
		scale /= 10;
	}
	if (i == 1)
		return -EINVAL;
	sec = sec * 1000 + frac;
	if (sec < min_ms || sec > max_ms)
		return -ERANGE;
	*out = sec;
	return 0;
}

static int parse_yes_no(const char *w, int *out)
{
	if (!strcasecmp(w, "yes") || !strcasecmp(w, "on") || !strcmp(w, "1") || !strcasecmp(w, "true"))
		*out = 1;
	else if (!strcasecmp(w, "no") || !strcasecmp(w, "off") || !strcmp(w, "0") || !strcasecmp(w, "false"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

/* "255.255.255.0" (keepalived) or "24" into a prefix length. */
static int parse_granularity(const char *w, uint32_t *prefix)
{
	struct ip_addr m;
	unsigned i, n = 0, seen_zero = 0;

	if (parse_u32(w, prefix, 0, 128) == 0)
		return 0;
	if (ipaddr_parse(w, &m) < 0)
		return -EINVAL;
	for (i = 0; i < ipaddr_len(&m) * 8; i++) {
		int bit = (m.b[i / 8] >> (7 - i % 8)) & 1;

		if (bit && seen_zero)
			return -EINVAL;  /* not contiguous */
		if (bit)
			n++;
		else
			seen_zero = 1;
	}
	*prefix = n;
	return 0;
}

static struct checkd_conf_svc *cur_svc(struct parser *ps)
{
	return &ps->c->svc[ps->c->n_svc - 1];
}

static struct checkd_conf_rs *cur_rs(struct parser *ps)
{
	struct checkd_conf_svc *v = cur_svc(ps);

	return &v->rs[v->n_rs - 1];
}

static int push(struct parser *ps, const struct source *s, enum block b)
{
	if (ps->depth >= DEPTH_MAX)
		return fail(ps, s, "blocks nested deeper than %d", DEPTH_MAX);
	ps->stack[ps->depth++] = b;
	return 0;
}

static int open_vs(struct parser *ps, const struct source *s)
{
	struct checkd_conf *c = ps->c;
	struct checkd_conf_svc *v;
	char (*w)[WORD_MAX] = ps->words;

	if (ps->n_words != 3)
		return fail(ps, s, "virtual_server wants an address and a port, or fwmark and a number");
	if (c->n_svc >= CHECKD_CONF_SERVICES_MAX)
		return fail(ps, s, "more than %d virtual_server blocks", CHECKD_CONF_SERVICES_MAX);
	if (c->n_svc == c->cap_svc) {
		size_t nc = c->cap_svc ? c->cap_svc * 2 : 16;
		struct checkd_conf_svc *n = realloc(c->svc, nc * sizeof(*n));

		if (!n)
			return fail(ps, s, "out of memory");
		c->svc = n;
		c->cap_svc = nc;
	}
	v = &c->svc[c->n_svc++];
	memset(v, 0, sizeof(*v));
	v->protocol = IPPROTO_TCP;
	snprintf(v->sched, sizeof(v->sched), "wlc");
	where(v->where, s);
	if (!strcmp(w[1], "fwmark")) {
		if (parse_u32(w[2], &v->fwmark, 1, UINT32_MAX) < 0)
			return fail(ps, s, "fwmark '%s' is not a number 1-4294967295", w[2]);
		return 0;
	}
	if (!strcmp(w[1], "group"))
		return fail(ps, s, "virtual_server group is not supported by dsr-checkd; list the VIPs");
	if (ipaddr_parse(w[1], &v->vip) < 0)
		return fail(ps, s, "'%s' is not an IP address", w[1]);
	{
		uint32_t port;

		if (parse_u32(w[2], &port, 0, 65535) < 0)
			return fail(ps, s, "port '%s' is not 0-65535", w[2]);
		v->port = (uint16_t)port;
	}
	return 0;
}

static int open_rs(struct parser *ps, const struct source *s)
{
	struct checkd_conf_svc *v = cur_svc(ps);
	struct checkd_conf_rs *rs;
	uint32_t port = 0;
	size_t i;

	if (ps->n_words != 3 && ps->n_words != 2)
		return fail(ps, s, "real_server wants an address and a port");
	if (v->n_rs >= CHECKD_CONF_RS_MAX)
		return fail(ps, s, "more than %d real servers in one virtual_server", CHECKD_CONF_RS_MAX);
	if (v->n_rs == v->cap_rs) {
		size_t nc = v->cap_rs ? v->cap_rs * 2 : 4;
		struct checkd_conf_rs *n = realloc(v->rs, nc * sizeof(*n));

		if (!n)
			return fail(ps, s, "out of memory");
		v->rs = n;
		v->cap_rs = nc;
	}
	rs = &v->rs[v->n_rs];
	memset(rs, 0, sizeof(*rs));
	if (ipaddr_parse(ps->words[1], &rs->addr) < 0)
		return fail(ps, s, "'%s' is not an IP address", ps->words[1]);
	if (ps->n_words == 3 && parse_u32(ps->words[2], &port, 0, 65535) < 0)
		return fail(ps, s, "port '%s' is not 0-65535", ps->words[2]);
	if (!v->fwmark && v->vip.family != rs->addr.family)
		return fail(ps, s, "real server %s and VIP are of different address families", ps->words[1]);
	rs->port = (uint16_t)port;
	rs->weight = 1;
	rs->retry = UINT32_MAX;
	where(rs->where, s);
	for (i = 0; i < v->n_rs; i++)
		if (ipaddr_equal(&v->rs[i].addr, &rs->addr) && v->rs[i].port == rs->port)
			return fail(ps, s, "real server %s %u is listed twice (first at %s)", ps->words[1], port,
				    v->rs[i].where);
	v->n_rs++;
	return 0;
}

/* Statement with a block: which block does it open? */
static int open_block(struct parser *ps, const struct source *s)
{
	enum block top = ps->stack[ps->depth - 1];
	const char *k = ps->n_words ? ps->words[0] : "";
	size_t kl = strlen(k);
	int r;

	switch (top) {
	case BLOCK_TOP:
		if (!strcmp(k, "virtual_server")) {
			r = open_vs(ps, s);
			return r < 0 ? r : push(ps, s, BLOCK_VS);
		}
		if (!strcmp(k, "dsr_checkd"))
			return push(ps, s, BLOCK_DAEMON);
		break;
	case BLOCK_VS:
		if (!strcmp(k, "real_server")) {
			r = open_rs(ps, s);
			return r < 0 ? r : push(ps, s, BLOCK_RS);
		}
		break;
	case BLOCK_RS:
		if (kl > 6 && !strcmp(k + kl - 6, "_CHECK"))
			return push(ps, s, BLOCK_CHECK);
		break;
	case BLOCK_CHECK:
	case BLOCK_DAEMON:
	case BLOCK_SKIP:
	case BLOCK_COUNT:
		break;
	}
	return push(ps, s, BLOCK_SKIP);
}

/* "--agent-port N" inside a MISC_CHECK's misc_path names the agent's port. */
static void misc_path_agent_port(struct checkd_conf_rs *rs, const char *path)
{
	const char *p = strstr(path, "--agent-port");
	char num[8];
	size_t n = 0;

	if (!p)
		return;
	p += strlen("--agent-port");
	while (*p == ' ' || *p == '=')
		p++;
	while (p[n] >= '0' && p[n] <= '9' && n < sizeof(num) - 1) {
		num[n] = p[n];
		n++;
	}
	num[n] = '\0';
	if (parse_u32(num, &rs->agent_port, 1, 65535) < 0)
		rs->agent_port = 0;  /* not ours to judge: dsr-check reports it */
}

static int daemon_setting(struct parser *ps, const struct source *s)
{
	struct checkd_conf *c = ps->c;
	const char *k = ps->words[0], *v = ps->words[1];

	if (ps->n_words != 2)
		return fail(ps, s, "%s wants one value", k);
	if (!strcmp(k, "interval")) {
		c->interval_given = 1;
		return parse_seconds_ms(v, &c->interval_ms, 10, 3600000) < 0
			       ? fail(ps, s, "interval '%s' is not 10ms-3600s (e.g. 1s, 500ms)", v) : 0;
	}
	if (!strcmp(k, "timeout")) {
		c->timeout_given = 1;
		return parse_seconds_ms(v, &c->timeout_ms, 10, 300000) < 0
			       ? fail(ps, s, "timeout '%s' is not 10ms-300s", v) : 0;
	}
	if (!strcmp(k, "retry"))
		return parse_seconds_ms(v, &c->retry_ms, 10, 3600000) < 0
			       ? fail(ps, s, "retry '%s' is not 10ms-3600s", v) : 0;
	if (!strcmp(k, "rise"))
		return parse_u32(v, &c->rise, 1, 100) < 0 ? fail(ps, s, "rise '%s' is not 1-100", v) : 0;
	if (!strcmp(k, "fall")) {
		c->fall_given = 1;
		return parse_u32(v, &c->fall, 1, 100) < 0 ? fail(ps, s, "fall '%s' is not 1-100", v) : 0;
	}
	if (!strcmp(k, "agent_port"))
		return parse_u32(v, &c->agent_port, 1, 65535) < 0 ? fail(ps, s, "agent_port '%s' is not 1-65535", v)
								    : 0;
	if (!strcmp(k, "standalone"))
		return parse_yes_no(v, &c->standalone) < 0 ? fail(ps, s, "standalone wants yes or no") : 0;
	if (!strcmp(k, "listen") || !strcmp(k, "socket") || !strcmp(k, "track_dir") ||
	    !strcmp(k, "keepalived_conf")) {
		char *dst = !strcmp(k, "listen") ? c->listen : !strcmp(k, "socket") ? c->socket_path
				: !strcmp(k, "track_dir") ? c->track_dir : c->keepalived_conf;
		size_t cap = !strcmp(k, "listen") ? sizeof(c->listen) : CHECKD_CONF_PATH_MAX;

		if (strlen(v) >= cap)
			return fail(ps, s, "%s value too long", k);
		if (!strcmp(k, "listen") && !strcmp(v, "off"))
			v = "";
		memcpy(dst, v, strlen(v) + 1);
		return 0;
	}
	return fail(ps, s, "unknown dsr_checkd setting '%s'", k);
}

static int load_file(struct parser *ps, const char *path, const struct source *from);

struct include_ctx {
	struct parser *ps;
	const struct source *from;
	int matched;
};

static int include_one(void *arg, const char *path)
{
	struct include_ctx *ic = arg;

	ic->matched++;
	return load_file(ic->ps, path, ic->from);
}

static int do_include(struct parser *ps, const struct source *s)
{
	char path[CHECKD_CONF_PATH_MAX], pattern[WORD_MAX];
	struct include_ctx ic = { ps, s, 0 };
	const char *slash;
	int r;

	if (ps->n_words != 2)
		return fail(ps, s, "include wants one file or pattern");
	if (!ps->r)
		return fail(ps, s, "include is not allowed here");
	/* the included files reuse the statement buffer */
	snprintf(pattern, sizeof(pattern), "%s", ps->words[1]);
	ps->n_words = 0;
	/* relative to the including file, as keepalived does */
	slash = strrchr(s->name, '/');
	if (pattern[0] != '/' && slash) {
		if (snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - s->name), s->name, pattern) >=
		    (int)sizeof(path))
			return fail(ps, s, "include path too long");
	} else if (snprintf(path, sizeof(path), "%s", pattern) >= (int)sizeof(path)) {
		return fail(ps, s, "include path too long");
	}
	if (ps->r->glob)
		r = ps->r->glob(ps->r->ctx, path, include_one, &ic);
	else
		r = include_one(&ic, path);
	if (r == -EINVAL)
		return r;  /* the included file's own error is in err already */
	if (r < 0)
		return fail(ps, s, "include %s: %s", pattern, strerror(-r));
	/* keepalived ignores a pattern that matches nothing; so do we */
	return 0;
}

/* A complete simple statement (no block). */
static int statement(struct parser *ps, const struct source *s)
{
	enum block top = ps->stack[ps->depth - 1];
	char (*w)[WORD_MAX] = ps->words;
	const char *k = w[0];
	uint32_t n;

	if (!strcmp(k, "include") && top != BLOCK_SKIP)
		return do_include(ps, s);
	switch (top) {
	case BLOCK_VS: {
		struct checkd_conf_svc *v = cur_svc(ps);

		if (!strcmp(k, "lb_kind") || !strcmp(k, "lvs_method")) {
			if (ps->n_words != 2)
				return fail(ps, s, "%s wants one value", k);
			v->kind_given = 1;
			v->dr = !strcasecmp(w[1], "DR");
			if (!v->dr && strcasecmp(w[1], "NAT") && strcasecmp(w[1], "TUN"))
				return fail(ps, s, "%s '%s' is not DR, NAT or TUN", k, w[1]);
		} else if (!strcmp(k, "lb_algo") || !strcmp(k, "lvs_sched")) {
			if (ps->n_words != 2 || strlen(w[1]) >= sizeof(v->sched))
				return fail(ps, s, "%s wants one scheduler name", k);
			snprintf(v->sched, sizeof(v->sched), "%s", w[1]);
		} else if (!strcmp(k, "protocol")) {
			if (ps->n_words != 2)
				return fail(ps, s, "protocol wants TCP, UDP or SCTP");
			if (!strcasecmp(w[1], "TCP"))
				v->protocol = IPPROTO_TCP;
			else if (!strcasecmp(w[1], "UDP"))
				v->protocol = IPPROTO_UDP;
			else if (!strcasecmp(w[1], "SCTP"))
				v->protocol = IPPROTO_SCTP;
			else
				return fail(ps, s, "protocol '%s' is not TCP, UDP or SCTP", w[1]);
		} else if (!strcmp(k, "delay_loop")) {
			if (ps->n_words != 2 || parse_seconds_ms(w[1], &v->delay_loop_ms, 10, 3600000) < 0)
				return fail(ps, s, "delay_loop wants seconds (e.g. 2, 0.5)");
		} else if (!strcmp(k, "persistence_timeout")) {
			if (ps->n_words != 2 || parse_u32(w[1], &v->persistence_timeout, 0, 2678400) < 0)
				return fail(ps, s, "persistence_timeout wants seconds");
		} else if (!strcmp(k, "persistence_granularity")) {
			if (ps->n_words != 2 || parse_granularity(w[1], &v->persistence_prefix) < 0)
				return fail(ps, s, "persistence_granularity wants a netmask or prefix length");
		}
		return 0;
	}
	case BLOCK_RS:
		if (!strcmp(k, "weight")) {
			if (ps->n_words != 2 || parse_u32(w[1], &n, 0, 65535) < 0)
				return fail(ps, s, "weight wants 0-65535");
			cur_rs(ps)->weight = n;
		}
		return 0;
	case BLOCK_CHECK: {
		struct checkd_conf_rs *rs = cur_rs(ps);

		if (!strcmp(k, "retry") || !strcmp(k, "nb_get_retry")) {
			if (ps->n_words != 2 || parse_u32(w[1], &rs->retry, 0, 100) < 0)
				return fail(ps, s, "%s wants 0-100", k);
		} else if (!strcmp(k, "delay_before_retry")) {
			if (ps->n_words != 2 || parse_seconds_ms(w[1], &rs->delay_before_retry_ms, 10, 3600000) < 0)
				return fail(ps, s, "delay_before_retry wants seconds");
		} else if (!strcmp(k, "misc_path") && ps->n_words >= 2) {
			misc_path_agent_port(rs, w[1]);
		}
		return 0;
	}
	case BLOCK_DAEMON:
		return daemon_setting(ps, s);
	case BLOCK_TOP:
	case BLOCK_SKIP:
	case BLOCK_COUNT:
		break;
	}
	return 0;
}

static int end_statement(struct parser *ps, const struct source *s)
{
	int r = 0;

	if (ps->n_words)
		r = statement(ps, s);
	if (ps->n_words)
		ps->last_n_words = ps->n_words;
	ps->n_words = 0;
	return r;
}

/* Read one word starting at s->p (not a brace, not a comment). */
static int read_word(struct parser *ps, struct source *s)
{
	char *out;
	size_t n = 0;

	if (ps->n_words >= WORDS_MAX)
		return fail(ps, s, "more than %d words in one statement", WORDS_MAX);
	ps->last_n_words = 0;
	out = ps->words[ps->n_words];
	if (*s->p == '"') {
		s->p++;
		while (s->p < s->end && *s->p != '"') {
			if (*s->p == '\n' || *s->p == '\0')
				return fail(ps, s, "unterminated quoted string");
			if (n + 1 >= WORD_MAX)
				return fail(ps, s, "word longer than %d bytes", WORD_MAX - 1);
			out[n++] = *s->p++;
		}
		if (s->p >= s->end)
			return fail(ps, s, "unterminated quoted string");
		s->p++;
	} else {
		while (s->p < s->end && *s->p != ' ' && *s->p != '\t' && *s->p != '\r' && *s->p != '\n' &&
		       *s->p != '{' && *s->p != '}') {
			if (*s->p == '\0')
				return fail(ps, s, "NUL byte in the configuration");
			if (n + 1 >= WORD_MAX)
				return fail(ps, s, "word longer than %d bytes", WORD_MAX - 1);
			out[n++] = *s->p++;
		}
	}
	out[n] = '\0';
	ps->n_words++;
	return 0;
}

static int parse_source(struct parser *ps, struct source *s)
{
	int r;

	while (s->p < s->end) {
		char ch = *s->p;

		if (ch == '\n') {
			r = end_statement(ps, s);
			if (r < 0)
				return r;
			s->line++;
			s->p++;
		} else if (ch == ' ' || ch == '\t' || ch == '\r') {
			s->p++;
		} else if ((ch == '#' || ch == '!') && ps->n_words == 0) {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (ch == '#' || ch == '!') {
			/* a comment after words on the line */
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (ch == '{') {
			s->p++;
			if (ps->n_words == 0 && ps->last_n_words) {
				/* brace on its own line: it opens the previous statement's block */
				ps->n_words = ps->last_n_words;
				r = open_block(ps, s);
			} else if (ps->n_words == 0) {
				r = push(ps, s, BLOCK_SKIP);
			} else {
				r = open_block(ps, s);
			}
			ps->n_words = 0;
			ps->last_n_words = 0;
			if (r < 0)
				return r;
		} else if (ch == '}') {
			r = end_statement(ps, s);
			if (r < 0)
				return r;
			if (ps->depth <= 1)
				return fail(ps, s, "'}' without an open block");
			ps->depth--;
			s->p++;
		} else {
			r = read_word(ps, s);
			if (r < 0)
				return r;
		}
	}
	return end_statement(ps, s);
}

static int load_file(struct parser *ps, const char *path, const struct source *from)
{
	char *text = NULL;
	size_t len = 0;
	struct source s;
	int r;

	if (ps->file_depth >= CHECKD_CONF_INCLUDE_DEPTH)
		return from ? fail(ps, from, "includes nested deeper than %d (a loop?)", CHECKD_CONF_INCLUDE_DEPTH)
			    : -ELOOP;
	if (ps->c->n_files >= CHECKD_CONF_FILES_MAX)
		return from ? fail(ps, from, "more than %d configuration files", CHECKD_CONF_FILES_MAX) : -EMFILE;
	r = ps->r->read(ps->r->ctx, path, &text, &len);
	if (r < 0) {
		if (from)
			return fail(ps, from, "cannot read %s: %s", path, strerror(-r));
		snprintf(ps->err, ps->errlen, "%s: %s", path, strerror(-r));
		return -EINVAL;
	}
	ps->c->n_files++;
	ps->file_depth++;
	s = (struct source){ .name = path, .p = text, .end = text + len, .line = 1 };
	r = parse_source(ps, &s);
	ps->file_depth--;
	free(text);
	return r;
}

static int run(struct checkd_conf *c, const struct checkd_conf_reader *r, const char *name, const char *text,
	       size_t len, const char *path, char *err, size_t errlen)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	int ret;

	if (!ps) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ps->c = c;
	ps->r = r;
	ps->err = err;
	ps->errlen = errlen;
	ps->stack[0] = BLOCK_TOP;
	ps->depth = 1;
	if (path) {
		ret = load_file(ps, path, NULL);
	} else {
		struct source s = { .name = name, .p = text, .end = text + len, .line = 1 };

		c->n_files++;
		ps->file_depth = 1;
		ret = parse_source(ps, &s);
		if (ret == 0 && ps->depth > 1) {
			s.line--;
			ret = fail(ps, &s, "end of file inside a block ('}' missing)");
		}
	}
	if (path && ret == 0 && ps->depth > 1) {
		snprintf(err, errlen, "%s: end of file inside a block ('}' missing)", path);
		ret = -EINVAL;
	}
	free(ps);
	return ret;
}

int checkd_conf_parse(struct checkd_conf *c, const struct checkd_conf_reader *r, const char *name,
		      const char *text, size_t len, char *err, size_t errlen)
{
	return run(c, r, name, text, len, NULL, err, errlen);
}

int checkd_conf_load(struct checkd_conf *c, const struct checkd_conf_reader *r, const char *path, char *err,
		     size_t errlen)
{
	return run(c, r, path, NULL, 0, path, err, errlen);
}

int checkd_conf_finish(struct checkd_conf *c, char *err, size_t errlen)
{
	size_t i, j, n_rs = 0;

	/* only DR services concern dsr-checkd; keepalived's default is NAT */
	for (i = j = 0; i < c->n_svc; i++) {
		if (!c->svc[i].dr) {
			c->n_skipped++;
			free(c->svc[i].rs);
			continue;
		}
		for (size_t k = 0; k < j; k++) {
			const struct checkd_conf_svc *a = &c->svc[k], *b = &c->svc[i];

			if (a->fwmark == b->fwmark && a->protocol == b->protocol && a->port == b->port &&
			    ipaddr_equal(&a->vip, &b->vip) && (a->fwmark || a->vip.family == b->vip.family)) {
				snprintf(err, errlen, "%s: virtual_server defined twice (first at %s)", b->where, a->where);
				for (; i < c->n_svc; i++)
					free(c->svc[i].rs);
				c->n_svc = j;
				return -EINVAL;
			}
		}
		n_rs += c->svc[i].n_rs;
		c->svc[j++] = c->svc[i];
	}
	c->n_svc = j;
	if (c->standalone) {
		for (i = 0; i < c->n_svc; i++) {
			if (!c->svc[i].n_rs) {
				snprintf(err, errlen, "%s: virtual_server without real servers", c->svc[i].where);
				return -EINVAL;
			}
		}
	}
	(void)n_rs;
	return 0;
}

/* ---- the real file system ---- */

static int fs_read(void *ctx, const char *path, char **text, size_t *len)
{
	struct stat st;
	char *t;
	size_t got = 0;
	int fd;
	(void)ctx;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > CHECKD_CONF_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	t = malloc((size_t)st.st_size + 1);
	if (!t) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, t + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	t[got] = '\0';
	*text = t;
	*len = got;
	return 0;
}

static int fs_glob(void *ctx, const char *pattern, int (*add)(void *arg, const char *path), void *arg)
{
	glob_t g;
	size_t i;
	int r;
	(void)ctx;

	r = glob(pattern, GLOB_ERR, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0)
		return -EIO;
	for (i = 0, r = 0; i < g.gl_pathc && r == 0; i++)
		r = add(arg, g.gl_pathv[i]);
	globfree(&g);
	return r;
}

const struct checkd_conf_reader checkd_conf_fs_reader = {
	.read = fs_read,
	.glob = fs_glob,
	.ctx = NULL,
};
