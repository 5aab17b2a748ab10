/* SPDX-License-Identifier: Apache-2.0 */
/* kvfile.h - the one reader of dsrkit's "key = value" files (agent.conf,
 * dsrkit.conf): '#' comments, blank lines, bounded line length, control
 * characters refused, every error as "file:line: what is wrong".  Portable C. */
#ifndef DSRKIT_BOUNDED_KVFILE_H
#define DSRKIT_BOUNDED_KVFILE_H

#include <stddef.h>

#define KVFILE_LINE_MAX 1024

/* Called once per "key = value" line.  key and value are trimmed and
 * NUL-terminated.  Return 0, or a negative errno after writing the reason,
 * naming the key (e.g. "port: '0' is not a number in 1-65535"), into
 * why[whylen]; the reader puts "file:line: " in front. */
typedef int kvfile_cb(void *ctx, const char *key, const char *value, char *why, size_t whylen);

/* Parse text[0..len) named fname; calls cb for each pair in order.  Stops at
 * the first error: returns -EINVAL (or the callback's error) with
 * "fname:line: reason" in err. */
__attribute__((warn_unused_result))
int kvfile_parse(const char *text, size_t len, const char *fname, kvfile_cb *cb, void *ctx,
		 char *err, size_t errlen);

/* Read the whole file at path (at most max_bytes) and parse it.  A missing
 * file returns -ENOENT with "path: No such file or directory" in err. */
__attribute__((warn_unused_result))
int kvfile_load(const char *path, size_t max_bytes, kvfile_cb *cb, void *ctx, char *err, size_t errlen);

#endif
