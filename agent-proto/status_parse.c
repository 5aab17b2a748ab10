/* SPDX-License-Identifier: Apache-2.0 */
/* status_parse.c - a /v1/status document back into the facts model, for the
 * checker (which judges the facts again with the same rules).  Linux only:
 * json-c.  Every field is type-checked and bounded; a document that breaks
 * the schema is refused with the reason, never half-trusted. */
#include "agent-proto/status.h"
#include "agent-proto/facts.h"
#include "bounded/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define PARSE_MAX_DEPTH 8

struct pctx {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

static struct json_object *member(struct json_object *o, const char *k, enum json_type t, int optional)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		return NULL;
	if (optional && json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_is_type(v, t) ? v : NULL;
}

static int get_string(struct pctx *c, struct json_object *o, const char *k, char *dst, size_t n,
		      int optional)
{
	struct json_object *v = member(o, k, json_type_string, 0);
	size_t l;

	if (!v) {
		if (optional && !json_object_object_get_ex(o, k, NULL)) {
			dst[0] = '\0';
			return 0;
		}
		return fail(c, "\"%s\" missing or not a string", k);
	}
	l = (size_t)json_object_get_string_len(v);
	if (l >= n || memchr(json_object_get_string(v), '\0', l))
		return fail(c, "\"%s\" too long or holds NUL", k);
	/* json-c's own check lets overlong forms (C0 85) through: one
	 * definition of valid text, the writer's, decides */
	if (!utf8_valid(json_object_get_string(v), l))
		return fail(c, "\"%s\" is not valid UTF-8", k);
	memcpy(dst, json_object_get_string(v), l);
	dst[l] = '\0';
	return 0;
}

/* Integer in [min, max], or null (FACTS_UNKNOWN) when nullable. */
static int get_int(struct pctx *c, struct json_object *o, const char *k, int min, int max,
		   int nullable, int *out)
{
	struct json_object *v = NULL;
	int64_t x;

	if (!json_object_object_get_ex(o, k, &v))
		return fail(c, "\"%s\" missing", k);
	if (nullable && json_object_is_type(v, json_type_null)) {
		*out = FACTS_UNKNOWN;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return fail(c, "\"%s\" is not an integer", k);
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < min || x > max)
		return fail(c, "\"%s\" out of range [%d, %d]", k, min, max);
	*out = (int)x;
	return 0;
}

/* true/false, or null (FACTS_UNKNOWN) when nullable. */
static int get_bool(struct pctx *c, struct json_object *o, const char *k, int nullable, int *out)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		return fail(c, "\"%s\" missing", k);
	if (nullable && json_object_is_type(v, json_type_null)) {
		*out = FACTS_UNKNOWN;
		return 0;
	}
	if (!json_object_is_type(v, json_type_boolean))
		return fail(c, "\"%s\" is not a boolean", k);
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

static int get_addr(struct pctx *c, struct json_object *o, const char *k, struct ip_addr *out)
{
	char t[IPADDR_STRLEN + 8];

	if (get_string(c, o, k, t, sizeof(t), 0) < 0)
		return -EPROTO;
	if (ipaddr_parse(t, out) < 0)
		return fail(c, "\"%s\" is not an IP address", k);
	return 0;
}

static int parse_linux_conf(struct pctx *c, struct json_object *o, const char *k,
			    struct facts_linux_conf *out)
{
	struct json_object *v = member(o, k, json_type_object, 1);

	if (!v)
		return 0; /* optional: stays unknown */
	if (get_int(c, v, "arp_ignore", 0, 255, 1, &out->arp_ignore) < 0 ||
	    get_int(c, v, "arp_announce", 0, 255, 1, &out->arp_announce) < 0 ||
	    get_int(c, v, "rp_filter", 0, 255, 1, &out->rp_filter) < 0)
		return -EPROTO;
	return 0;
}

static int parse_iface(struct pctx *c, struct json_object *o, struct facts *f)
{
	char name[FACTS_NAME_LEN];
	int idx, up, lo, pos, plen;
	size_t i, n;
	struct json_object *addrs, *win;
	struct facts_iface *fi;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "interface is not an object");
	if (get_string(c, o, "name", name, sizeof(name), 0) < 0 ||
	    get_int(c, o, "index", 0, INT32_MAX, 0, &idx) < 0 ||
	    get_bool(c, o, "up", 1, &up) < 0 || get_bool(c, o, "loopback", 0, &lo) < 0)
		return -EPROTO;
	pos = facts_iface_add(f, name, (uint32_t)idx, up, lo);
	if (pos < 0)
		return 0; /* past FACTS_MAX_IFACES: marked truncated, judged as such */
	fi = &f->ifaces[pos];
	addrs = member(o, "addresses", json_type_array, 0);
	if (!addrs)
		return fail(c, "interface %s: \"addresses\" missing or not an array", name);
	n = json_object_array_length(addrs);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(addrs, i);
		struct ip_addr ip;

		if (!json_object_is_type(a, json_type_object))
			return fail(c, "interface %s: address is not an object", name);
		if (get_addr(c, a, "address", &ip) < 0 || get_int(c, a, "prefix_len", 0, 128, 0, &plen) < 0)
			return -EPROTO;
		if (facts_addr_add(f, (size_t)pos, &ip, (unsigned)plen) == -EINVAL) /* -ENOSPC: truncated */
			return fail(c, "interface %s: prefix length %d too long", name, plen);
	}
	if (parse_linux_conf(c, o, "linux", &fi->linux_conf) < 0)
		return -EPROTO;
	win = member(o, "windows", json_type_object, 1);
	if (win) {
		struct facts_windows_conf *w = &fi->win_conf;

		if (get_bool(c, win, "weak_host_send", 1, &w->weak_host_send) < 0 ||
		    get_bool(c, win, "weak_host_receive", 1, &w->weak_host_receive) < 0 ||
		    get_bool(c, win, "dns_register", 1, &w->dns_register) < 0 ||
		    get_string(c, win, "description", w->description, sizeof(w->description), 1) < 0 ||
		    get_string(c, win, "hardware_id", w->hardware_id, sizeof(w->hardware_id), 1) < 0)
			return -EPROTO;
	}
	return 0;
}

static int parse_listener(struct pctx *c, struct json_object *o, struct facts *f)
{
	char proto[8];
	enum facts_proto p;
	struct ip_addr a;
	int port, v6only;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, "listener is not an object");
	if (get_string(c, o, "proto", proto, sizeof(proto), 0) < 0 || get_addr(c, o, "address", &a) < 0 ||
	    get_int(c, o, "port", 0, 65535, 0, &port) < 0 || get_bool(c, o, "v6only", 1, &v6only) < 0)
		return -EPROTO;
	if (facts_proto_parse(proto, &p) < 0)
		return fail(c, "unknown listener proto \"%s\"", proto);
	(void)!facts_listener_add(f, p, &a, (uint16_t)port, v6only); /* -ENOSPC: truncated */
	return 0;
}

/* "truncated_tables": which tables the agent cut short; an agent that
 * does not say (older ones) may have cut any. */
static int truncated_tables(struct pctx *c, struct json_object *root)
{
	struct json_object *arr = NULL;
	int bits = 0;
	size_t i, n;

	if (!json_object_object_get_ex(root, "truncated_tables", &arr))
		return FACTS_TRUNC_ALL;
	if (!json_object_is_type(arr, json_type_array)) {
		fail(c, "\"truncated_tables\" is not an array");
		return 0;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(arr, i));

		if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
			t = "";
		if (strcmp(t, "interfaces") == 0)
			bits |= FACTS_TRUNC_IFACES;
		else if (strcmp(t, "addresses") == 0)
			bits |= FACTS_TRUNC_ADDRS;
		else if (strcmp(t, "listeners") == 0)
			bits |= FACTS_TRUNC_LISTENERS;
		else
			bits |= FACTS_TRUNC_ALL; /* a table this build does not know */
	}
	if (!bits) {
		fail(c, "\"truncated\" is true but \"truncated_tables\" names none");
		return 0;
	}
	return bits;
}

static int parse_doc(struct pctx *c, struct json_object *root, struct facts *f)
{
	struct json_object *agent, *admin, *arr;
	char schema[64], os[16], state[16];
	int version, trunc;
	size_t i, n;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, "document is not a JSON object");
	if (get_string(c, root, "schema", schema, sizeof(schema), 0) < 0)
		return -EPROTO;
	if (strcmp(schema, STATUS_SCHEMA) != 0)
		return fail(c, "schema \"%s\" is not %s", schema, STATUS_SCHEMA);
	if (get_int(c, root, "version", 0, INT32_MAX, 0, &version) < 0)
		return -EPROTO;
	if (version != STATUS_VERSION)
		return fail(c, "version %d not supported (this build reads %d)", version, STATUS_VERSION);

	/* protocol 1.1; an agent of 1.0 sends none (the checker then polls) */
	{
		struct json_object *g;

		if (json_object_object_get_ex(root, "generation", &g)) {
			int64_t v;

			errno = 0;
			v = json_object_get_int64(g);
			if (!json_object_is_type(g, json_type_int) || errno || v < 0 || v > (int64_t)UINT32_MAX)
				return fail(c, "\"generation\" is not an integer in 0-4294967295");
			f->generation = v;
		}
	}

	agent = member(root, "agent", json_type_object, 0);
	if (!agent)
		return fail(c, "\"agent\" missing or not an object");
	if (get_string(c, agent, "os", os, sizeof(os), 0) < 0)
		return -EPROTO;
	if (facts_os_parse(os, &f->os) < 0)
		return fail(c, "unknown os \"%s\"", os);
	if (get_string(c, agent, "version", f->agent_version, sizeof(f->agent_version), 0) < 0 ||
	    get_string(c, agent, "os_release", f->os_release, sizeof(f->os_release), 0) < 0 ||
	    get_string(c, agent, "hostname", f->hostname, sizeof(f->hostname), 0) < 0)
		return -EPROTO;

	admin = member(root, "admin", json_type_object, 0);
	if (!admin)
		return fail(c, "\"admin\" missing or not an object");
	if (get_string(c, admin, "state", state, sizeof(state), 0) < 0)
		return -EPROTO;
	if (admin_state_parse(state, &f->admin) < 0)
		return fail(c, "unknown admin state \"%s\"", state);
	if (get_int(c, admin, "weight", 0, 100, 1, &f->weight) < 0 ||
	    get_string(c, admin, "reason", f->admin_reason, sizeof(f->admin_reason), 1) < 0)
		return -EPROTO;

	if (parse_linux_conf(c, root, "linux_all", &f->linux_all) < 0)
		return -EPROTO;
	if (get_bool(c, root, "truncated", 0, &trunc) < 0)
		return -EPROTO;

	arr = member(root, "interfaces", json_type_array, 0);
	if (!arr)
		return fail(c, "\"interfaces\" missing or not an array");
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++)
		if (parse_iface(c, json_object_array_get_idx(arr, i), f) < 0)
			return -EPROTO;
	arr = member(root, "listeners", json_type_array, 0);
	if (!arr)
		return fail(c, "\"listeners\" missing or not an array");
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++)
		if (parse_listener(c, json_object_array_get_idx(arr, i), f) < 0)
			return -EPROTO;
	if (trunc) {
		int bits = truncated_tables(c, root);

		if (!bits)
			return -EPROTO;
		f->truncated |= bits;
	}
	return 0;
}

int status_parse(const char *text, size_t len, struct facts *out, char *err, size_t errlen)
{
	struct pctx c = { err, errlen };
	struct json_tokener *tok;
	struct json_object *root;
	int r;

	if (errlen)
		err[0] = '\0';
	facts_init(out, FACTS_OS_UNKNOWN);
	if (len > STATUS_DOC_MAX || len > INT32_MAX)
		return fail(&c, "document larger than %d bytes", STATUS_DOC_MAX);
	tok = json_tokener_new_ex(PARSE_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		r = fail(&c, "not JSON: %s", json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	/* only whitespace may follow the document */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t') {
			r = fail(&c, "data after the JSON document");
			goto out;
		}
	r = parse_doc(&c, root, out);
out:
	json_object_put(root);
	json_tokener_free(tok);
	return r;
}
