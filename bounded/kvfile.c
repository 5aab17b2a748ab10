/* SPDX-License-Identifier: Apache-2.0 */
/* kvfile.c - "key = value" file reader; see kvfile.h. */
#include "bounded/kvfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bounded/buf.h"

int kvfile_parse(const char *text, size_t len, const char *fname, kvfile_cb *cb, void *ctx,
		 char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned lineno = 0;

	if (errlen)
		err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, i;
		char line[KVFILE_LINE_MAX + 1], why[200], *key, *eq, *v, *end;
		int r;

		lineno++;
		if (n > KVFILE_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", fname, lineno, KVFILE_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)line[i];

			if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) {
				snprintf(err, errlen, "%s:%u: control character (byte 0x%02x) in the line", fname,
					 lineno, ch);
				return -EINVAL;
			}
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
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value', got '%.40s'", fname, lineno, key);
			return -EINVAL;
		}
		v = eq + 1;
		while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		*eq = '\0';
		if (!*key) {
			snprintf(err, errlen, "%s:%u: missing key before '='", fname, lineno);
			return -EINVAL;
		}
		v += strspn(v, " \t");
		if (!*v) {
			snprintf(err, errlen, "%s:%u: %s: missing value", fname, lineno, key);
			return -EINVAL;
		}
		why[0] = '\0';
		r = cb(ctx, key, v, why, sizeof(why));
		if (r < 0) {
			snprintf(err, errlen, "%s:%u: %s", fname, lineno, why[0] ? why : "invalid value");
			return r;
		}
	}
	return 0;
}

int kvfile_load(const char *path, size_t max_bytes, kvfile_cb *cb, void *ctx, char *err, size_t errlen)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");
	int r;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	buf_init(&b, max_bytes);
	r = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			snprintf(err, errlen, "%s:1: file larger than %zu bytes", path, max_bytes);
			r = -EFBIG;
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		r = -EIO;
		goto out;
	}
	r = kvfile_parse(buf_str(&b), b.len, path, cb, ctx, err, errlen);
out:
	fclose(f);
	buf_free(&b);
	return r;
}
