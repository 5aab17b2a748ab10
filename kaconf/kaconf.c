/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf.c - tokenizer (files, includes, comments, braces, quotes) and
 * the statement tree; see kaconf.h. */
#include "kaconf/kaconf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum tok_kind { TOK_EOF, TOK_WORD, TOK_OPEN, TOK_CLOSE, TOK_ERR };

struct src {
	char *data;        /* owned */
	size_t len, pos;
	unsigned line;
	unsigned file;     /* index in kaconf.files */
	int at_line_start; /* no token yet on this line */
	/* The files an `include` matched, read one after the other at this
	 * same depth: depth is nesting, not file count. */
	char **next;       /* owned, each owned; NULL when none */
	size_t nnext, inext;
	unsigned from_file, from_line; /* the include statement */
};

/* Nodes and their words live in chunks freed all at once: a 10,000-service
 * file is 130,000 statements, and one malloc each (plus the word copies)
 * doubled the memory touched, which is what costs most in a VM.  Chunks
 * stay under glibc's mmap threshold so a second parse reuses the heap. */
#define CHUNK_SIZE (120 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	/* data follows, 8-byte aligned (the header is 24 bytes) */
};

struct kaconf {
	struct kaconf_node *root;
	char **files;
	size_t nfiles;
	size_t nnodes;
	struct chunk *chunks;
};

static void *arena_alloc(struct kaconf *cf, size_t n)
{
	struct chunk *c = cf->chunks;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE - sizeof(*c) ? n : CHUNK_SIZE - sizeof(*c);

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = cf->chunks;
		c->used = 0;
		c->cap = cap;
		cf->chunks = c;
	}
	p = (char *)(c + 1) + c->used;
	c->used += n;
	return p;
}

/* Where the arena stood, to give back what was allocated since (a
 * statement a hook took out of the tree). */
struct arena_mark {
	struct chunk *c;
	size_t used;
};

static struct arena_mark arena_mark(const struct kaconf *cf)
{
	struct arena_mark m = { cf->chunks, cf->chunks ? cf->chunks->used : 0 };

	return m;
}

static void arena_rewind(struct kaconf *cf, struct arena_mark m)
{
	while (cf->chunks != m.c) {
		struct chunk *next = cf->chunks->next;

		free(cf->chunks);
		cf->chunks = next;
	}
	if (m.c)
		m.c->used = m.used;
}

static char *arena_strdup(struct kaconf *cf, const char *s, size_t len)
{
	char *p = arena_alloc(cf, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

struct lexer {
	struct kaconf *cf;
	struct src stack[KACONF_DEPTH_MAX + 1];
	int depth;         /* sources on the stack */
	unsigned flags;
	const struct kaconf_hook *hook; /* or NULL */
	struct buf *err;
	/* one token of lookahead */
	int have;
	enum tok_kind kind;
	char word[KACONF_WORD_MAX + 1];
	size_t wlen;
	unsigned file, line;
	int first_on_line;
};

/* Error text is best effort: when err is full the errno still tells. */
__attribute__((format(printf, 2, 3)))
static void msgf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (buf_vappendf(b, fmt, ap) < 0) {
		/* keep what fitted */
	}
	va_end(ap);
}

static void errf(struct lexer *lx, unsigned file, unsigned line, const char *what, const char *arg)
{
	msgf(lx->err, "%s:%u: %s%s%s\n", lx->cf->files[file], line, what,
			  arg ? ": " : "", arg ? arg : "");
}

static int add_file_name(struct kaconf *cf, const char *name)
{
	char **nf;

	if (cf->nfiles >= KACONF_FILES_MAX)
		return -E2BIG;
	nf = realloc(cf->files, (cf->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	cf->files = nf;
	cf->files[cf->nfiles] = strdup(name);
	if (!cf->files[cf->nfiles])
		return -ENOMEM;
	return (int)cf->nfiles++;
}

/* Makes s read data (owned) as the file name; the include list it holds
 * stays. */
static int src_load(struct lexer *lx, struct src *s, const char *name, char *data, size_t len)
{
	int idx = add_file_name(lx->cf, name);

	if (idx < 0) {
		free(data);
		return idx;
	}
	free(s->data);
	s->data = data;
	s->len = len;
	s->pos = 0;
	s->line = 1;
	s->file = (unsigned)idx;
	s->at_line_start = 1;
	return 0;
}

static int push_data(struct lexer *lx, const char *name, char *data, size_t len)
{
	struct src *s;
	int r;

	if (lx->depth > KACONF_DEPTH_MAX) {
		free(data);
		return -ELOOP;
	}
	s = &lx->stack[lx->depth];
	memset(s, 0, sizeof(*s));
	r = src_load(lx, s, name, data, len);
	if (r == 0)
		lx->depth++;
	return r;
}

static void src_free(struct src *s)
{
	size_t i;

	free(s->data);
	s->data = NULL;
	for (i = 0; i < s->nnext; i++)
		free(s->next[i]);
	free(s->next);
	s->next = NULL;
	s->nnext = s->inext = 0;
}

static int read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *p = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > KACONF_FILE_MAX) {
		r = -EFBIG;
		goto out;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)n;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	p = NULL;
	r = 0;
out:
	free(p);
	close(fd);
	return r;
}

static void read_error(struct lexer *lx, const char *path, int r, unsigned from_file, unsigned from_line)
{
	if (lx->cf->nfiles == 0)
		msgf(lx->err, "%s: cannot read: %s\n", path, strerror(-r));
	else
		msgf(lx->err, "%s:%u: cannot read %s: %s\n", lx->cf->files[from_file], from_line, path,
		     strerror(-r));
}

static void push_error(struct lexer *lx, const char *path, int r, unsigned from_file, unsigned from_line)
{
	if (r == -ELOOP)
		errf(lx, from_file, from_line, "includes nested too deep (a loop?)", path);
	else if (r == -E2BIG)
		errf(lx, from_file, from_line, "too many included files", path);
}

static int push_file(struct lexer *lx, const char *path, unsigned from_file, unsigned from_line)
{
	char *data = NULL;
	size_t len = 0;
	int r = read_file(path, &data, &len);

	if (r < 0) {
		read_error(lx, path, r, from_file, from_line);
		return r;
	}
	r = push_data(lx, path, data, len);
	push_error(lx, path, r, from_file, from_line);
	return r;
}

/* The next file of the include list of s into s: 1 if one was loaded, 0
 * when the list is done, or -errno (said in lx->err). */
static int src_next_file(struct lexer *lx, struct src *s)
{
	const char *path;
	char *data = NULL;
	size_t len = 0;
	int r;

	if (s->inext >= s->nnext)
		return 0;
	path = s->next[s->inext++];
	r = read_file(path, &data, &len);
	if (r < 0) {
		read_error(lx, path, r, s->from_file, s->from_line);
		return r;
	}
	r = src_load(lx, s, path, data, len);
	push_error(lx, path, r, s->from_file, s->from_line);
	return r < 0 ? r : 1;
}

/* `include PATTERN...`: relative patterns start at the including file's
 * folder; each pattern is a glob, and its files come in sorted order. */
static int do_include(struct lexer *lx, char **pats, size_t npats, unsigned file, unsigned line)
{
	const char *cur = lx->cf->files[file];
	const char *slash = strrchr(cur, '/');
	size_t dirlen = slash ? (size_t)(slash - cur) + 1 : 0;
	glob_t *gl;
	size_t i, total = 0;
	int r = 0;

	if (npats == 0) {
		errf(lx, file, line, "include needs a file name", NULL);
		return -EINVAL;
	}
	gl = calloc(npats, sizeof(*gl));
	if (!gl)
		return -ENOMEM;
	for (i = 0; i < npats; i++) {
		struct buf path;
		int g;

		buf_init(&path, 4096);
		if (pats[i][0] != '/' && dirlen && buf_append(&path, cur, dirlen) < 0)
			r = -ENAMETOOLONG;
		if (r == 0 && buf_append_str(&path, pats[i]) < 0)
			r = -ENAMETOOLONG;
		if (r < 0) {
			errf(lx, file, line, "include path too long", NULL);
			buf_free(&path);
			goto out;
		}
		g = glob(buf_str(&path), GLOB_ERR, NULL, &gl[i]);
		if (g == GLOB_NOMATCH && !strpbrk(pats[i], "*?[")) {
			errf(lx, file, line, "included file not found", buf_str(&path));
			r = -ENOENT;
		} else if (g != 0 && g != GLOB_NOMATCH) {
			errf(lx, file, line, "cannot expand include", buf_str(&path));
			r = -EINVAL;
		}
		buf_free(&path);
		if (r < 0)
			goto out;
		total += gl[i].gl_pathc;
	}
	if (total > KACONF_FILES_MAX) {
		errf(lx, file, line, "too many included files", pats[0]);
		r = -E2BIG;
		goto out;
	}
	if (total == 0)
		goto out;
	/* One frame on the stack for the whole list: its files are read one
	 * after the other at the same depth. */
	if (lx->depth > KACONF_DEPTH_MAX) {
		errf(lx, file, line, "includes nested too deep (a loop?)", gl[0].gl_pathc ? gl[0].gl_pathv[0] : pats[0]);
		r = -ELOOP;
		goto out;
	}
	{
		struct src *s = &lx->stack[lx->depth];
		size_t k, n = 0;

		memset(s, 0, sizeof(*s));
		s->from_file = file;
		s->from_line = line;
		s->next = calloc(total, sizeof(*s->next));
		if (!s->next) {
			r = -ENOMEM;
			goto out;
		}
		lx->depth++; /* now owned by the stack, freed with it */
		for (i = 0; i < npats && r == 0; i++)
			for (k = 0; k < gl[i].gl_pathc && r == 0; k++) {
				s->next[n] = strdup(gl[i].gl_pathv[k]);
				if (!s->next[n])
					r = -ENOMEM;
				else
					s->nnext = ++n;
			}
		if (r == 0) {
			r = src_next_file(lx, s);
			r = r < 0 ? r : 0;
		}
	}
out:
	for (i = 0; i < npats; i++)
		globfree(&gl[i]);
	free(gl);
	return r;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads the next raw token of the top source into lx; TOK_EOF when the
 * whole stack is done. */
static enum tok_kind lex_raw(struct lexer *lx)
{
	while (lx->depth > 0) {
		struct src *s = &lx->stack[lx->depth - 1];

		while (s->pos < s->len) {
			char c = s->data[s->pos];
			size_t start;

			if (c == '\n') {
				s->line++;
				s->at_line_start = 1;
				s->pos++;
				continue;
			}
			if (is_space(c)) {
				s->pos++;
				continue;
			}
			if (c == '\0') {
				lx->file = s->file;
				lx->line = s->line;
				errf(lx, s->file, s->line, "NUL byte in configuration", NULL);
				return TOK_ERR;
			}
			if (c == '#' || c == '!') {
				while (s->pos < s->len && s->data[s->pos] != '\n')
					s->pos++;
				continue;
			}
			lx->file = s->file;
			lx->line = s->line;
			lx->first_on_line = s->at_line_start;
			s->at_line_start = 0;
			if (c == '{' || c == '}') {
				s->pos++;
				return c == '{' ? TOK_OPEN : TOK_CLOSE;
			}
			if (c == '"') {
				start = ++s->pos;
				while (s->pos < s->len && s->data[s->pos] != '"' && s->data[s->pos] != '\n')
					s->pos++;
				if (s->pos >= s->len || s->data[s->pos] != '"') {
					errf(lx, s->file, s->line, "unterminated quoted string", NULL);
					return TOK_ERR;
				}
				lx->wlen = s->pos - start;
				s->pos++;
			} else {
				start = s->pos;
				while (s->pos < s->len && !is_space(s->data[s->pos]) &&
				       s->data[s->pos] != '\n' && s->data[s->pos] != '{' &&
				       s->data[s->pos] != '}' && s->data[s->pos] != '\0')
					s->pos++;
				lx->wlen = s->pos - start;
			}
			if (lx->wlen > KACONF_WORD_MAX) {
				errf(lx, s->file, s->line, "word too long", NULL);
				return TOK_ERR;
			}
			memcpy(lx->word, s->data + start, lx->wlen);
			lx->word[lx->wlen] = '\0';
			if (memchr(lx->word, '\0', lx->wlen)) {
				errf(lx, s->file, s->line, "NUL byte in configuration", NULL);
				return TOK_ERR;
			}
			return TOK_WORD;
		}
		{
			int r = src_next_file(lx, s);

			if (r < 0)
				return TOK_ERR;
			if (r > 0)
				continue;
		}
		src_free(s);
		lx->depth--;
	}
	return TOK_EOF;
}

/* Next token with includes expanded. */
static enum tok_kind lex(struct lexer *lx)
{
	for (;;) {
		enum tok_kind k = lex_raw(lx);
		char *pats[KACONF_ARGS_MAX];
		size_t n = 0, i;
		unsigned file, line;
		int r = 0;

		if (k != TOK_WORD || !lx->first_on_line || strcmp(lx->word, "include") != 0 ||
		    (lx->flags & KACONF_NO_INCLUDE))
			return k;
		file = lx->file;
		line = lx->line;
		/* the rest of the line names the files */
		{
			struct src *s = &lx->stack[lx->depth - 1];

			while (s->pos < s->len && s->data[s->pos] != '\n' && r == 0) {
				char c = s->data[s->pos];
				size_t st, e;

				if (is_space(c)) {
					s->pos++;
					continue;
				}
				if (c == '#' || c == '!')
					break;
				if (c == '{' || c == '}' || c == '\0') {
					errf(lx, file, line, "unexpected character after include", NULL);
					r = -EINVAL;
					break;
				}
				if (c == '"') {
					st = ++s->pos;
					while (s->pos < s->len && s->data[s->pos] != '"' && s->data[s->pos] != '\n')
						s->pos++;
					if (s->pos >= s->len || s->data[s->pos] != '"') {
						errf(lx, file, line, "unterminated quoted string", NULL);
						r = -EINVAL;
						break;
					}
					e = s->pos++;
				} else {
					st = s->pos;
					while (s->pos < s->len && !is_space(s->data[s->pos]) &&
					       s->data[s->pos] != '\n' && s->data[s->pos] != '\0' &&
					       s->data[s->pos] != '{' && s->data[s->pos] != '}')
						s->pos++;
					e = s->pos;
				}
				if (n == KACONF_ARGS_MAX || e - st > KACONF_WORD_MAX) {
					errf(lx, file, line, "include line too long", NULL);
					r = -E2BIG;
					break;
				}
				pats[n] = strndup(s->data + st, e - st);
				if (!pats[n]) {
					r = -ENOMEM;
					break;
				}
				n++;
			}
		}
		if (r == 0)
			r = do_include(lx, pats, n, file, line);
		for (i = 0; i < n; i++)
			free(pats[i]);
		if (r < 0)
			return TOK_ERR;
	}
}

static enum tok_kind peek(struct lexer *lx)
{
	if (!lx->have) {
		lx->kind = lex(lx);
		lx->have = 1;
	}
	return lx->kind;
}

/* Statements until `}` (depth > 0) or the end (depth 0). */
static int parse_block(struct lexer *lx, struct kaconf_node **head, int depth,
		       unsigned open_file, unsigned open_line)
{
	struct kaconf_node **tail = head;
	char *args[KACONF_ARGS_MAX];
	size_t nargs;

	for (;;) {
		enum tok_kind k = peek(lx);
		struct kaconf_node *n, **at = tail;
		struct arena_mark mark = arena_mark(lx->cf);
		unsigned file, line;

		if (k == TOK_ERR)
			return -EINVAL;
		if (k == TOK_EOF) {
			if (depth > 0) {
				errf(lx, open_file, open_line, "block opened here is never closed", NULL);
				return -EINVAL;
			}
			return 0;
		}
		lx->have = 0;
		if (k == TOK_CLOSE) {
			if (depth == 0) {
				errf(lx, lx->file, lx->line, "'}' without a block to close", NULL);
				return -EINVAL;
			}
			return 0;
		}
		if (k == TOK_OPEN) {
			errf(lx, lx->file, lx->line, "'{' without a keyword before it", NULL);
			return -EINVAL;
		}
		if (++lx->cf->nnodes > KACONF_NODES_MAX) {
			errf(lx, lx->file, lx->line, "too many statements", NULL);
			return -E2BIG;
		}
		n = arena_alloc(lx->cf, sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n, 0, sizeof(*n));
		*tail = n;
		tail = &n->next;
		n->word = arena_strdup(lx->cf, lx->word, lx->wlen);
		if (!n->word)
			return -ENOMEM;
		file = lx->file;
		line = lx->line;
		n->file = lx->cf->files[file];
		n->line = line;
		/* words on the same line are its arguments */
		nargs = 0;
		for (;;) {
			k = peek(lx);
			if (k == TOK_ERR)
				return -EINVAL;
			if (k != TOK_WORD || lx->file != file || lx->line != line)
				break;
			if (nargs == KACONF_ARGS_MAX) {
				errf(lx, file, line, "too many words", NULL);
				return -E2BIG;
			}
			args[nargs] = arena_strdup(lx->cf, lx->word, lx->wlen);
			if (!args[nargs])
				return -ENOMEM;
			nargs++;
			lx->have = 0;
		}
		if (nargs) {
			n->args = arena_alloc(lx->cf, nargs * sizeof(*n->args));
			if (!n->args)
				return -ENOMEM;
			memcpy(n->args, args, nargs * sizeof(*n->args));
			n->nargs = nargs;
		}
		if (k == TOK_OPEN) {
			int r;

			lx->have = 0;
			if (depth + 1 > KACONF_NEST_MAX) {
				errf(lx, lx->file, lx->line, "blocks nested too deep", NULL);
				return -E2BIG;
			}
			n->has_block = 1;
			r = parse_block(lx, &n->child, depth + 1, lx->file, lx->line);
			if (r < 0)
				return r;
		}
		if (depth == 0 && lx->hook) {
			int t = lx->hook->take(n, lx->hook->arg);

			if (t < 0)
				return t;
			if (t > 0) {
				/* out of the tree; the next statement reuses its memory */
				*at = NULL;
				tail = at;
				arena_rewind(lx->cf, mark);
			}
		}
	}
}

static int parse(struct lexer *lx, struct kaconf **out)
{
	int r = parse_block(lx, &lx->cf->root, 0, 0, 0);

	while (lx->depth > 0)
		src_free(&lx->stack[--lx->depth]);
	if (r < 0) {
		if (lx->err->len == 0)
			msgf(lx->err, "%s: %s\n", lx->cf->nfiles ? lx->cf->files[0] : "?",
					  strerror(-r));
		kaconf_free(lx->cf);
		return r;
	}
	*out = lx->cf;
	return 0;
}

static struct lexer *lexer_new(unsigned flags, const struct kaconf_hook *hook, struct buf *err)
{
	struct lexer *lx = calloc(1, sizeof(*lx));

	if (!lx)
		return NULL;
	lx->cf = calloc(1, sizeof(*lx->cf));
	if (!lx->cf) {
		free(lx);
		return NULL;
	}
	lx->flags = flags;
	lx->hook = hook;
	lx->err = err;
	return lx;
}

int kaconf_parse_file_hook(const char *path, unsigned flags, const struct kaconf_hook *hook,
			   struct kaconf **out, struct buf *err)
{
	struct lexer *lx = lexer_new(flags, hook, err);
	int r;

	*out = NULL;
	if (!lx)
		return -ENOMEM;
	r = push_file(lx, path, 0, 0);
	if (r < 0)
		kaconf_free(lx->cf);
	else
		r = parse(lx, out);
	free(lx);
	return r;
}

int kaconf_parse_file(const char *path, unsigned flags, struct kaconf **out, struct buf *err)
{
	return kaconf_parse_file_hook(path, flags, NULL, out, err);
}

int kaconf_parse_mem_hook(const char *name, const char *data, size_t len, unsigned flags,
			  const struct kaconf_hook *hook, struct kaconf **out, struct buf *err)
{
	struct lexer *lx;
	char *copy;
	int r;

	*out = NULL;
	if (len > KACONF_FILE_MAX) {
		msgf(err, "%s: file too large\n", name);
		return -EFBIG;
	}
	lx = lexer_new(flags, hook, err);
	copy = malloc(len + 1);
	if (!lx || !copy) {
		free(copy);
		if (lx)
			kaconf_free(lx->cf);
		free(lx);
		return -ENOMEM;
	}
	memcpy(copy, data, len);
	copy[len] = '\0';
	r = push_data(lx, name, copy, len);
	if (r < 0)
		kaconf_free(lx->cf);
	else
		r = parse(lx, out);
	free(lx);
	return r;
}

int kaconf_parse_mem(const char *name, const char *data, size_t len, unsigned flags,
		     struct kaconf **out, struct buf *err)
{
	return kaconf_parse_mem_hook(name, data, len, flags, NULL, out, err);
}

const struct kaconf_node *kaconf_root(const struct kaconf *cf)
{
	return cf ? cf->root : NULL;
}

size_t kaconf_node_count(const struct kaconf *cf)
{
	return cf ? cf->nnodes : 0;
}

void kaconf_free(struct kaconf *cf)
{
	size_t i;

	if (!cf)
		return;
	while (cf->chunks) {
		struct chunk *next = cf->chunks->next;

		free(cf->chunks);
		cf->chunks = next;
	}
	for (i = 0; i < cf->nfiles; i++)
		free(cf->files[i]);
	free(cf->files);
	free(cf);
}

const struct kaconf_node *kaconf_node_find(const struct kaconf_node *n, const char *word)
{
	for (; n; n = n->next)
		if (strcmp(n->word, word) == 0)
			return n;
	return NULL;
}
