/* SPDX-License-Identifier: Apache-2.0 */
/* jsonw.c - see jsonw.h. */
#include "agent-proto/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "bounded/utf8.h"

void jsonw_init(struct jsonw *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	int r;

	if (w->err)
		return;
	r = buf_append(w->out, s, n);
	if (r < 0)
		w->err = r;
}

/* Before any value: the separator, and the rule that object members need
 * a key first. */
static void value_prefix(struct jsonw *w)
{
	if (w->err)
		return;
	if (w->depth == 0) {
		if (w->count[0]) {
			w->err = -EINVAL; /* one top-level value only */
			return;
		}
		w->count[0] = 1;
		return;
	}
	if (w->is_obj[w->depth]) {
		if (!w->after_key) {
			w->err = -EINVAL;
			return;
		}
		w->after_key = 0;
		return;
	}
	if (w->count[w->depth])
		put(w, ",", 1);
	w->count[w->depth] = 1;
}

static void container_open(struct jsonw *w, int obj)
{
	value_prefix(w);
	if (w->err)
		return;
	if (w->depth + 1 >= JSONW_MAX_DEPTH) {
		w->err = -EINVAL;
		return;
	}
	put(w, obj ? "{" : "[", 1);
	w->depth++;
	w->count[w->depth] = 0;
	w->is_obj[w->depth] = (unsigned char)obj;
}

static void container_close(struct jsonw *w, int obj)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->is_obj[w->depth] != obj || w->after_key) {
		w->err = -EINVAL;
		return;
	}
	put(w, obj ? "}" : "]", 1);
	w->depth--;
}

void jsonw_object_begin(struct jsonw *w) { container_open(w, 1); }
void jsonw_object_end(struct jsonw *w) { container_close(w, 1); }
void jsonw_array_begin(struct jsonw *w) { container_open(w, 0); }
void jsonw_array_end(struct jsonw *w) { container_close(w, 0); }

static void put_escaped(struct jsonw *w, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	put(w, "\"", 1);
	while (i < n && !w->err) {
		unsigned char c = s[i];
		size_t l;
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			run++;
			i++;
			continue;
		}
		put(w, (const char *)s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
			i++;
		} else if (c == '\n') {
			put(w, "\\n", 2);
			i++;
		} else if (c == '\r') {
			put(w, "\\r", 2);
			i++;
		} else if (c == '\t') {
			put(w, "\\t", 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
			i++;
		} else if ((l = utf8_seq_len(s + i, n - i)) > 0) {
			put(w, (const char *)s + i, l);
			i += l;
		} else {
			/* not valid text (bounded/utf8.h): one '?' per byte, so the
			 * string keeps its length and still fits its field when read */
			put(w, "?", 1);
			i++;
		}
	}
	put(w, (const char *)s + i - run, run);
	put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *k)
{
	if (w->err)
		return;
	if (w->depth == 0 || !w->is_obj[w->depth] || w->after_key) {
		w->err = -EINVAL;
		return;
	}
	if (w->count[w->depth])
		put(w, ",", 1);
	w->count[w->depth] = 1;
	put_escaped(w, k, strlen(k));
	put(w, ":", 1);
	w->after_key = 1;
}

void jsonw_stringn(struct jsonw *w, const char *s, size_t n)
{
	value_prefix(w);
	put_escaped(w, s, n);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	jsonw_stringn(w, s ? s : "", s ? strlen(s) : 0);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	value_prefix(w);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jsonw_bool(struct jsonw *w, int v)
{
	value_prefix(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_null(struct jsonw *w)
{
	value_prefix(w);
	put(w, "null", 4);
}

void jsonw_kv_string(struct jsonw *w, const char *k, const char *s)
{
	jsonw_key(w, k);
	jsonw_string(w, s);
}

void jsonw_kv_int(struct jsonw *w, const char *k, int64_t v)
{
	jsonw_key(w, k);
	jsonw_int(w, v);
}

void jsonw_kv_int_or_null(struct jsonw *w, const char *k, int v)
{
	jsonw_key(w, k);
	if (v < 0)
		jsonw_null(w);
	else
		jsonw_int(w, v);
}

void jsonw_kv_bool(struct jsonw *w, const char *k, int v)
{
	jsonw_key(w, k);
	jsonw_bool(w, v);
}

void jsonw_kv_tristate(struct jsonw *w, const char *k, int v)
{
	jsonw_key(w, k);
	if (v < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, v);
}

int jsonw_finish(const struct jsonw *w)
{
	if (w->err)
		return w->err;
	if (w->depth != 0 || !w->count[0])
		return -EINVAL;
	return 0;
}

int jsonw_splice_member(struct buf *doc, const char *key, const struct buf *member)
{
	size_t end = doc->len, in;
	int r;

	while (end > 0 && (doc->data[end - 1] == '\n' || doc->data[end - 1] == ' '))
		end--;
	if (end < 2 || doc->data[end - 1] != '}')
		return -EINVAL;
	in = end - 1;  /* the closing brace; is the object empty? */
	while (in > 0 && (doc->data[in - 1] == '\n' || doc->data[in - 1] == ' ' || doc->data[in - 1] == '\t'))
		in--;
	doc->len = end - 1;
	doc->data[doc->len] = '\0';
	r = buf_appendf(doc, "%s\"%s\":", in > 0 && doc->data[in - 1] == '{' ? "" : ",", key);
	if (r == 0)
		r = buf_append(doc, member->data, member->len);
	if (r == 0)
		r = buf_append_str(doc, "}\n");
	return r;
}
