/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_fixture.h - a struct checkd for the unit tests of dsr-checkd's
 * core: no socket and no probe of its own; the tests hand its real servers
 * documents and failures as if fetched, on a clock of their own. */
#ifndef DSRKIT_TESTS_CHECKD_FIXTURE_H
#define DSRKIT_TESTS_CHECKD_FIXTURE_H

#include <stdint.h>

#include "agent-proto/facts.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"

/* d zeroed, with its loop, an empty d->facts, the check parameters
 * (interval 1 s, timeout 500 ms, retry 200 ms, rise and fall as given)
 * and agent port 9443.  Fails the test if the loop cannot be made. */
void checkd_fixture_init(struct checkd *d, uint32_t rise, uint32_t fall);

/* Frees what checkd_fixture_init and the test left in d: the real-server
 * table, d->conf, the fail-safe, d->facts and the loop. */
void checkd_fixture_free(struct checkd *d);

/* c initialised and holding text (named "t.conf", no includes), finished.
 * Fails the test with the parser's "file:line: what is wrong" otherwise.
 * The caller frees c (checkd_conf_free). */
void checkd_fixture_conf(struct checkd_conf *c, const char *text);

/* rs fetched f's status document at now, the fetch having taken 3 ms. */
void checkd_fixture_feed(struct checkd_rs *rs, const struct facts *f, int64_t now);

/* rs's fetch failed at now after 1 ms, in layer with code and the reason
 * "agent ADDR:PORT: why". */
void checkd_fixture_feed_fail(struct checkd_rs *rs, enum check_layer layer, const char *code, const char *why,
			      int64_t now);

#endif
