/* libFuzzer target: dsr-checkd's keepalived-syntax reader on arbitrary
 * text.  Includes go to an in-memory file that includes itself, so the
 * include path, its depth bound and its error paths are fuzzed too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/checkd_conf.h"

static const char *inc_text = "include self.conf\nvirtual_server 192.0.2.1 1 { lb_kind DR }\n";

static int fz_read(void *ctx, const char *path, char **text, size_t *len)
{
	(void)ctx;
	if (strcmp(path, "self.conf"))
		return -ENOENT;
	*len = strlen(inc_text);
	*text = malloc(*len + 1);
	if (!*text)
		return -ENOMEM;
	memcpy(*text, inc_text, *len + 1);
	return 0;
}

static const struct checkd_conf_reader reader = { fz_read, NULL, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkd_conf c;
	char err[300];
	char *copy = malloc(size ? size : 1);
	size_t i, j;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	checkd_conf_init(&c);
	if (checkd_conf_parse(&c, &reader, "fuzz", copy, size, err, sizeof(err)) == 0 &&
	    checkd_conf_finish(&c, err, sizeof(err)) == 0) {
		for (i = 0; i < c.n_svc; i++) {
			if (!c.svc[i].dr || c.svc[i].n_rs > CHECKD_CONF_RS_MAX)
				abort();
			for (j = 0; j < c.svc[i].n_rs; j++)
				if (!c.svc[i].fwmark && c.svc[i].rs[j].addr.family != c.svc[i].vip.family)
					abort();
		}
		if (c.rise < 1 || c.fall < 1)
			abort();
	} else if (strncmp(err, "fuzz:", 5) != 0 && strncmp(err, "self.conf:", 10) != 0) {
		abort(); /* every error names the file and line */
	}
	checkd_conf_free(&c);
	free(copy);
	return 0;
}
