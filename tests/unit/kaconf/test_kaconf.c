/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of kaconf: the statement tree, includes, and a table of
 * hostile inputs, each refused with "file:line: what is wrong". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kaconf/kaconf.h"

static struct kaconf *parse_ok(const char *text)
{
	struct kaconf *cf = NULL;
	struct buf err;

	buf_init(&err, 4096);
	if (kaconf_parse_mem("t.conf", text, strlen(text), KACONF_NO_INCLUDE, &cf, &err) != 0)
		fail_msg("unexpected error: %s", buf_str(&err));
	buf_free(&err);
	return cf;
}

static void tree_shape(void **state)
{
	struct kaconf *cf = parse_ok("! keepalived\n"
				     "global_defs {\n  router_id lb1 # comment\n}\n"
				     "virtual_server 192.0.2.100 80 {\r\n"
				     "  lb_algo rr\n"
				     "  real_server 192.0.2.11 80 { weight 2 }\n"
				     "  real_server 192.0.2.12 80\n  {\n    weight 1\n  }\n"
				     "  notify \"/usr/bin/logger hello world\"\n"
				     "  empty {}\n"
				     "}\n");
	const struct kaconf_node *n = kaconf_root(cf), *vs, *rs;
	(void)state;

	assert_string_equal(n->word, "global_defs");
	assert_true(n->has_block);
	assert_string_equal(n->child->word, "router_id");
	assert_int_equal(n->child->nargs, 1);
	assert_string_equal(n->child->args[0], "lb1");
	vs = kaconf_node_find(n, "virtual_server");
	assert_non_null(vs);
	assert_int_equal(vs->line, 5);
	assert_int_equal(vs->nargs, 2);
	assert_string_equal(vs->args[1], "80");
	rs = kaconf_node_find(vs->child, "real_server");
	assert_int_equal(rs->line, 7);
	assert_string_equal(rs->child->word, "weight");
	assert_string_equal(rs->child->args[0], "2");
	rs = kaconf_node_find(rs->next, "real_server");
	assert_int_equal(rs->line, 8);
	assert_true(rs->has_block);
	assert_int_equal(rs->child->line, 10);
	n = kaconf_node_find(vs->child, "notify");
	assert_int_equal(n->nargs, 1);
	assert_string_equal(n->args[0], "/usr/bin/logger hello world");
	n = kaconf_node_find(vs->child, "empty");
	assert_true(n->has_block);
	assert_null(n->child);
	assert_string_equal(n->file, "t.conf");
	kaconf_free(cf);
}

static void empty_and_comments(void **state)
{
	struct kaconf *cf = parse_ok("");
	(void)state;

	assert_null(kaconf_root(cf));
	kaconf_free(cf);
	cf = parse_ok("# only\n! comments\n\n   \t\n");
	assert_null(kaconf_root(cf));
	kaconf_free(cf);
}

struct hostile {
	const char *name;
	const char *text;   /* NULL: use gen */
	size_t len;         /* 0: strlen */
	int ok;
	const char *err;    /* expected start of the error text */
};

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *p = malloc(hl + ul * n + tl + 1);

	assert_non_null(p);
	memcpy(p, head, hl);
	for (i = 0; i < n; i++)
		memcpy(p + hl + i * ul, unit, ul);
	memcpy(p + hl + n * ul, tail, tl + 1);
	return p;
}

/* The hook takes the virtual_server statements out of the tree (their
 * memory goes to the statements after them); the others stay. */
struct taken {
	unsigned lines[8];
	size_t n;
	int fail_at;
};

static int take_vs(const struct kaconf_node *n, void *arg)
{
	struct taken *t = arg;

	if (strcmp(n->word, "virtual_server") != 0)
		return 0;
	assert_true(t->n < 8);
	assert_non_null(n->child); /* called with the whole block */
	t->lines[t->n++] = n->line;
	return t->fail_at && n->line == (unsigned)t->fail_at ? -ENOMEM : 1;
}

static void hook_takes_statements(void **state)
{
	static const char text[] = "global_defs {\n router_id lb1\n}\n"           /* 1-3 */
				   "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.11 80 { weight 2 }\n}\n"
				   "virtual_server_group G {\n 192.0.2.2 80\n}\n"  /* 7-9 */
				   "virtual_server 192.0.2.3 80 {\n lb_algo rr\n}\n" /* 10-12 */
				   "vrrp_instance V {\n state MASTER\n}\n";          /* 13-15 */
	struct taken t = { .n = 0 };
	struct kaconf_hook hook = { .take = take_vs, .arg = &t };
	const struct kaconf_node *n;
	struct kaconf *cf = NULL;
	struct buf err;
	(void)state;

	buf_init(&err, 4096);
	assert_int_equal(kaconf_parse_mem_hook("t.conf", text, strlen(text), 0, &hook, &cf, &err), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.lines[0], 4);
	assert_int_equal(t.lines[1], 10);
	n = kaconf_root(cf);
	assert_string_equal(n->word, "global_defs");
	assert_string_equal(n->child->args[0], "lb1");
	n = n->next;
	assert_string_equal(n->word, "virtual_server_group");
	assert_string_equal(n->child->word, "192.0.2.2");
	n = n->next;
	assert_string_equal(n->word, "vrrp_instance");
	assert_string_equal(n->child->args[0], "MASTER");
	assert_null(n->next);
	assert_null(kaconf_node_find(kaconf_root(cf), "virtual_server"));
	assert_int_equal(kaconf_node_count(cf), 11); /* the taken ones counted too */
	kaconf_free(cf);

	/* an error of the hook stops the parse and is its result */
	t.n = 0;
	t.fail_at = 10;
	assert_int_equal(kaconf_parse_mem_hook("t.conf", text, strlen(text), 0, &hook, &cf, &err), -ENOMEM);
	assert_null(cf);
	assert_int_equal(t.n, 2);
	buf_free(&err);
}

static void check_case(const char *name, const char *text, size_t len, int ok, const char *want)
{
	struct kaconf *cf = NULL;
	struct buf err;
	int r;

	buf_init(&err, 4096);
	r = kaconf_parse_mem("t.conf", text, len, KACONF_NO_INCLUDE, &cf, &err);
	if (ok && r != 0)
		fail_msg("%s: refused: %s", name, buf_str(&err));
	if (!ok) {
		if (r == 0)
			fail_msg("%s: accepted", name);
		if (strncmp(buf_str(&err), want, strlen(want)) != 0)
			fail_msg("%s: error '%s', want '%s...'", name, buf_str(&err), want);
		assert_null(cf);
	}
	kaconf_free(cf);
	buf_free(&err);
}

static void hostile_table(void **state)
{
	static const struct hostile cases[] = {
		{ "stray close", "a\n}\n", 0, 0, "t.conf:2: '}' without a block to close" },
		{ "unclosed", "a {\n b\n", 0, 0, "t.conf:1: block opened here is never closed" },
		{ "unclosed nested", "a {\n b {\n}\n", 0, 0, "t.conf:1: block opened here is never closed" },
		{ "brace first", "{ x }\n", 0, 0, "t.conf:1: '{' without a keyword before it" },
		{ "unterminated quote", "a \"b\nc\"\n", 0, 0, "t.conf:1: unterminated quoted string" },
		{ "quote at eof", "a \"b", 0, 0, "t.conf:1: unterminated quoted string" },
		{ "NUL byte", "a b\0c\n", 6, 0, "t.conf:1: NUL byte in configuration" },
		{ "NUL in quote", "x\na \"b\0c\"\n", 10, 0, "t.conf:2: NUL byte" },
		{ "truncated block", "virtual_server 1 2 {\n real_server 3 4 {", 0, 0,
		  "t.conf:2: block opened here is never closed" },
		{ "close after close", "a { }\n}", 0, 0, "t.conf:2: '}' without" },
		{ "hash inside word", "a b#c\n", 0, 1, NULL },
		{ "crlf", "a {\r\n b\r\n}\r\n", 0, 1, NULL },
		{ "no final newline", "a { b }", 0, 1, NULL },
		{ "include ignored when disabled", "include /nonexistent\n", 0, 1, NULL },
	};
	size_t i;
	char *p;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(cases[i].name, cases[i].text, cases[i].len ? cases[i].len : strlen(cases[i].text),
			   cases[i].ok, cases[i].err);
	/* exact limits: a word of KACONF_WORD_MAX passes, one more fails */
	p = repeat("a ", "x", KACONF_WORD_MAX, "\n");
	check_case("word at max", p, strlen(p), 1, NULL);
	free(p);
	p = repeat("a ", "x", KACONF_WORD_MAX + 1, "\n");
	check_case("word over max", p, strlen(p), 0, "t.conf:1: word too long");
	free(p);
	p = repeat("a", " x", KACONF_ARGS_MAX, "\n");
	check_case("args at max", p, strlen(p), 1, NULL);
	free(p);
	p = repeat("a", " x", KACONF_ARGS_MAX + 1, "\n");
	check_case("args over max", p, strlen(p), 0, "t.conf:1: too many words");
	free(p);
	{
		char *open = repeat("", "b {\n", KACONF_NEST_MAX, "");
		char *close = repeat(open, "}\n", KACONF_NEST_MAX, "");

		check_case("nesting at max", close, strlen(close), 1, NULL);
		free(open);
		free(close);
		open = repeat("", "b {\n", KACONF_NEST_MAX + 1, "");
		close = repeat(open, "}\n", KACONF_NEST_MAX + 1, "");
		check_case("nesting over max", close, strlen(close), 0, "t.conf:33: blocks nested too deep");
		free(open);
		free(close);
	}
}

/* Includes: relative to the including file, globs sorted, loops bounded. */
static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void includes(void **state)
{
	struct kaconf *cf = NULL;
	struct buf err;
	char path[256], sub[128];
	const struct kaconf_node *n;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/kaconf-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/conf.d", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put("main.conf", "first\ninclude conf.d/*.conf # comment\nlast\n");
	put("conf.d/b.conf", "bee {\n include ../leaf.inc\n}\n");
	put("conf.d/a.conf", "ay\n");
	put("leaf.inc", "leaf 1\n");
	put("loop.conf", "include loop.conf\n");
	put("missing.conf", "x\ninclude nothere.conf\n");
	put("noglob.conf", "include none-*.conf\ny\n");

	buf_init(&err, 8192);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	assert_int_equal(kaconf_parse_file(path, 0, &cf, &err), 0);
	n = kaconf_root(cf);
	assert_string_equal(n->word, "first");
	n = n->next;
	assert_string_equal(n->word, "ay");
	assert_non_null(strstr(n->file, "conf.d/a.conf"));
	n = n->next;
	assert_string_equal(n->word, "bee");
	assert_string_equal(n->child->word, "leaf");
	assert_int_equal(n->child->line, 1);
	assert_non_null(strstr(n->child->file, "leaf.inc"));
	n = n->next;
	assert_string_equal(n->word, "last");
	assert_int_equal(n->line, 3);
	kaconf_free(cf);

	snprintf(path, sizeof(path), "%s/loop.conf", dir);
	assert_true(kaconf_parse_file(path, 0, &cf, &err) < 0);
	assert_non_null(strstr(buf_str(&err), "loop.conf:1: includes nested too deep"));
	buf_reset(&err);
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	assert_true(kaconf_parse_file(path, 0, &cf, &err) < 0);
	assert_non_null(strstr(buf_str(&err), "missing.conf:2: included file not found"));
	buf_reset(&err);
	snprintf(path, sizeof(path), "%s/noglob.conf", dir);
	assert_int_equal(kaconf_parse_file(path, 0, &cf, &err), 0);
	assert_string_equal(kaconf_root(cf)->word, "y");
	kaconf_free(cf);
	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	assert_int_equal(kaconf_parse_file(path, 0, &cf, &err), -ENOENT);
	assert_non_null(strstr(buf_str(&err), "absent.conf: cannot read"));
	buf_free(&err);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* Depth is nesting, not file count: one glob of 1,000 files is one level
 * (it used to push every match and fail past 8); real nesting past
 * KACONF_DEPTH_MAX still fails, at the include line that went too deep. */
static void include_many_and_deep(void **state)
{
	struct kaconf *cf = NULL;
	const struct kaconf_node *n;
	struct buf err;
	char path[256], rel[64], text[128];
	int i;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/kaconf-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof(rel), "conf.d/%04d.conf", i);
		snprintf(text, sizeof(text), "f%d\n", i);
		put(rel, text);
	}
	put("main.conf", "first\ninclude conf.d/*.conf\nlast\n");
	buf_init(&err, 8192);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	assert_int_equal(kaconf_parse_file(path, 0, &cf, &err), 0);
	n = kaconf_root(cf);
	assert_string_equal(n->word, "first");
	for (i = 0; i < 1000; i++) {
		n = n->next;
		assert_non_null(n);
		snprintf(text, sizeof(text), "f%d", i);
		assert_string_equal(n->word, text);
		assert_int_equal(n->line, 1);
	}
	n = n->next;
	assert_string_equal(n->word, "last");
	assert_int_equal(n->line, 3);
	kaconf_free(cf);

	/* d0 includes d1 ... : KACONF_DEPTH_MAX levels pass, one more fails */
	for (i = 0; i <= KACONF_DEPTH_MAX + 1; i++) {
		snprintf(rel, sizeof(rel), "d%d.conf", i);
		snprintf(text, sizeof(text), "w%d\n\ninclude d%d.conf\n", i, i + 1);
		put(rel, i == KACONF_DEPTH_MAX + 1 ? "end\n" : text);
	}
	snprintf(path, sizeof(path), "%s/d1.conf", dir);
	assert_int_equal(kaconf_parse_file(path, 0, &cf, &err), 0);
	kaconf_free(cf);
	snprintf(path, sizeof(path), "%s/d0.conf", dir);
	assert_true(kaconf_parse_file(path, 0, &cf, &err) < 0);
	snprintf(text, sizeof(text), "d%d.conf:3: includes nested too deep", KACONF_DEPTH_MAX);
	assert_non_null(strstr(buf_str(&err), text));
	buf_free(&err);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tree_shape),
		cmocka_unit_test(empty_and_comments),
		cmocka_unit_test(hook_takes_statements),
		cmocka_unit_test(hostile_table),
		cmocka_unit_test(includes),
		cmocka_unit_test(include_many_and_deep),
	};

	return cmocka_run_group_tests_name("kaconf", tests, NULL, NULL);
}
