/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf.h - reader of keepalived's configuration syntax.
 *
 * The whole file (with its `include`s) becomes a tree of statements: each
 * node is a keyword, the words after it on its line, and its `{ }` block.
 * Comments start with `#` or `!`; `include GLOB` splices files in at any
 * level, relative paths taken from the including file's folder.  Nothing
 * here knows what a keyword means: callers walk the tree (kaconf_vs.h for
 * virtual servers; the checker for MISC_CHECK/TCP_CHECK blocks), so blocks
 * they do not need cost nothing.  Errors are "file:line: what is wrong".
 */
#ifndef DSRKIT_KACONF_H
#define DSRKIT_KACONF_H

#include <stddef.h>

#include "bounded/buf.h"

/* Bounds on outside input. */
#define KACONF_FILE_MAX   (16u * 1024 * 1024) /* bytes per file */
#define KACONF_FILES_MAX  4096                /* files, includes counted */
#define KACONF_DEPTH_MAX  8                   /* include nesting */
#define KACONF_NEST_MAX   32                  /* block nesting */
#define KACONF_WORD_MAX   1024                /* bytes per word */
#define KACONF_ARGS_MAX   128                 /* words after a keyword */
#define KACONF_NODES_MAX  4000000             /* statements in all */

struct kaconf_node {
	char *word;                /* the keyword */
	char **args;               /* the other words on its line */
	size_t nargs;
	struct kaconf_node *child; /* first statement of its block, or NULL */
	struct kaconf_node *next;  /* next statement at the same level */
	int has_block;             /* a { } followed, even an empty one */
	const char *file;          /* owned by the struct kaconf */
	unsigned line;
};

struct kaconf;

/* No `include` processing (fuzzing, unit tests of single texts). */
#define KACONF_NO_INCLUDE 0x1u

/* Parse a file.  Returns 0 and *out (free with kaconf_free), or a negative
 * errno with the reason appended to err ("file:line: ..."). */
__attribute__((warn_unused_result))
int kaconf_parse_file(const char *path, unsigned flags, struct kaconf **out, struct buf *err);

/* Parse len bytes named `name` in messages; includes resolve relative to
 * the current directory. */
__attribute__((warn_unused_result))
int kaconf_parse_mem(const char *name, const char *data, size_t len, unsigned flags,
		     struct kaconf **out, struct buf *err);

/* A reader that needs each top-level statement only once: take(n, arg) is
 * called as soon as n and its whole block are read (file order, includes
 * spliced in).  It returns 1 to take n out of the tree, whose memory then
 * goes to the statements after it (n and everything below it are invalid
 * once take returns), 0 to leave n in the tree, or a negative errno that
 * stops the parse and is its result.  Statements taken out still count
 * against KACONF_NODES_MAX and in kaconf_node_count.  A 10,000-service
 * file read this way never holds its whole tree (12 MB for 2.5 MB of
 * text). */
struct kaconf_hook {
	int (*take)(const struct kaconf_node *n, void *arg);
	void *arg;
};

/* kaconf_parse_file / kaconf_parse_mem with a hook (NULL: none). */
__attribute__((warn_unused_result))
int kaconf_parse_file_hook(const char *path, unsigned flags, const struct kaconf_hook *hook,
			   struct kaconf **out, struct buf *err);
__attribute__((warn_unused_result))
int kaconf_parse_mem_hook(const char *name, const char *data, size_t len, unsigned flags,
			  const struct kaconf_hook *hook, struct kaconf **out, struct buf *err);

/* First top-level statement (NULL for an empty file); owned by cf. */
const struct kaconf_node *kaconf_root(const struct kaconf *cf);
size_t kaconf_node_count(const struct kaconf *cf);
void kaconf_free(struct kaconf *cf);

/* First statement named `word` at n's level, n itself included (case
 * sensitive, as keepalived), or NULL.  Iterate with
 *   for (x = kaconf_node_find(first, "w"); x; x = kaconf_node_find(x->next, "w")) */
const struct kaconf_node *kaconf_node_find(const struct kaconf_node *n, const char *word);

/* The capacity an array of n elements must grow to before element n is
 * added, or 0 when it has room: `first` at the start, then doubling, so n
 * appends cost O(n) copies in all (the readers' arrays of services, real
 * servers, groups and group entries). */
static inline size_t kaconf_grow_to(size_t n, size_t first)
{
	if (n == 0)
		return first;
	if (n >= first && (n & (n - 1)) == 0)
		return n * 2;
	return 0;
}

#endif
