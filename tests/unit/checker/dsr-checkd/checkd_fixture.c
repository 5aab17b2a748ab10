/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_fixture.c - see checkd_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "agent-proto/status.h"
#include "kaconf/kaconf.h"
#include "tests/unit/checker/dsr-checkd/checkd_fixture.h"

void checkd_fixture_init(struct checkd *d, uint32_t rise, uint32_t fall)
{
	memset(d, 0, sizeof(*d));
	assert_int_equal(loop_init(&d->loop), 0);
	d->facts = calloc(1, sizeof(*d->facts));
	d->params = (struct check_params){ .interval_ms = 1000, .timeout_ms = 500, .retry_ms = 200, .rise = rise,
					   .fall = fall };
	d->default_agent_port = 9443;
}

void checkd_fixture_free(struct checkd *d)
{
	checkd_rs_table_free(d);
	checkd_conf_free(&d->conf);
	free(d->failsafe);
	free(d->facts);
	loop_free(&d->loop);
}

void checkd_fixture_conf(struct checkd_conf *c, const char *text)
{
	char err[300];

	checkd_conf_init(c);
	if (checkd_conf_parse(c, "t.conf", text, strlen(text), KACONF_NO_INCLUDE, err, sizeof(err)) != 0 ||
	    checkd_conf_finish(c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

void checkd_fixture_feed(struct checkd_rs *rs, const struct facts *f, int64_t now)
{
	struct buf doc;

	buf_init(&doc, STATUS_DOC_MAX);
	assert_int_equal(status_render(f, NULL, 0, &doc), 0);
	rs->probe_started_ms = now - 3;
	checkd_rs_fetch_done(rs, buf_str(&doc), doc.len, NULL, now);
	buf_free(&doc);
}

void checkd_fixture_feed_fail(struct checkd_rs *rs, enum check_layer layer, const char *code, const char *why,
			      int64_t now)
{
	struct verdict v;

	verdict_fail(&v, layer, code, "agent %s:%u: %s", rs->name, rs->agent_port, why);
	rs->probe_started_ms = now - 1;
	checkd_rs_fetch_done(rs, NULL, 0, &v, now);
}
