/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs_stream.c - virtual servers block by block; see kaconf_vs_stream.h. */
#include "kaconf/kaconf_vs_stream.h"

#include <errno.h>
#include <string.h>

#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vsg.h"

struct stream {
	const struct kaconf_vs_sink *sink;
	struct kaconf_vs_list *l;
	/* mistakes in the blocks already dropped: they go after those of the
	 * groups, which are known only at the end of the file */
	struct buf errs;
	int nerr;
	int stop;      /* -E2BIG: nothing more is collected, as kaconf_vs_collect stops */
	int keep;      /* a `virtual_server group` seen: later blocks stay in the tree */
	int hook_err;  /* the parse stopped on our error, not on the file's */
};

static int hand_on(struct stream *s)
{
	int r = 0;

	if (s->nerr == 0 && s->l->n)
		r = s->sink->each(s->l, s->sink->arg);
	kaconf_vs_list_clear(s->l);
	return r;
}

static int take(const struct kaconf_node *n, void *arg)
{
	struct stream *s = arg;
	int r;

	/* groups, global_defs, vrrp_instance...: kept, they are small and the
	 * groups are needed at the end */
	if (strcmp(n->word, "virtual_server") != 0)
		return 0;
	if (n->nargs == 2 && strcmp(n->args[0], "group") == 0)
		s->keep = 1;
	if (s->keep)
		return 0;
	if (s->stop)
		return 1;
	r = kaconf_vs_collect_one(n, NULL, s->l, &s->errs, &s->nerr);
	if (r == -E2BIG) {
		s->stop = r;
		kaconf_vs_list_clear(s->l);
		return 1;
	}
	if (r == 0)
		r = hand_on(s);
	if (r < 0) {
		s->hook_err = r;
		return r;
	}
	return 1;
}

/* What stayed in the tree: the groups, then the blocks kept. */
static int finish(struct stream *s, const struct kaconf *cf, struct buf *err)
{
	struct kaconf_vsg_list groups;
	const struct kaconf_node *n;
	int r = kaconf_vsg_collect(cf, &groups, err, &s->nerr);

	if (r == -ENOMEM)
		goto out;
	(void)buf_append_lines(err, &s->errs);
	r = s->stop;
	for (n = kaconf_node_find(kaconf_root(cf), "virtual_server"); r == 0 && n;
	     n = kaconf_node_find(n->next, "virtual_server")) {
		r = kaconf_vs_collect_one(n, &groups, s->l, err, &s->nerr);
		if (r == 0)
			r = hand_on(s);
		kaconf_vs_list_clear(s->l);
	}
	if (r == 0)
		r = s->nerr ? -EINVAL : 0;
out:
	kaconf_vsg_list_free(&groups);
	return r;
}

static int stream_run(const char *path, const char *data, size_t len, unsigned flags,
		      const struct kaconf_vs_sink *sink, struct kaconf_vs_list *l, struct buf *err)
{
	struct stream s = { .sink = sink, .l = l };
	struct kaconf_hook hook = { .take = take, .arg = &s };
	struct kaconf *cf = NULL;
	int r;

	kaconf_vs_list_init(l);
	buf_init(&s.errs, err->max);
	if (data)
		r = kaconf_parse_mem_hook(path, data, len, flags, &hook, &cf, err);
	else
		r = kaconf_parse_file_hook(path, flags, &hook, &cf, err);
	if (r == 0)
		r = finish(&s, cf, err);
	else if (!s.hook_err)
		buf_free(&l->warnings); /* a file that does not parse: its errors alone */
	kaconf_vs_list_clear(l);
	kaconf_free(cf);
	buf_free(&s.errs);
	return r;
}

int kaconf_vs_stream_file(const char *path, unsigned flags, const struct kaconf_vs_sink *sink,
			  struct kaconf_vs_list *l, struct buf *err)
{
	return stream_run(path, NULL, 0, flags, sink, l, err);
}

int kaconf_vs_stream_mem(const char *name, const char *data, size_t len, unsigned flags,
			 const struct kaconf_vs_sink *sink, struct kaconf_vs_list *l, struct buf *err)
{
	/* "" for an empty text: data NULL means a file */
	return stream_run(name, data ? data : "", len, flags, sink, l, err);
}
