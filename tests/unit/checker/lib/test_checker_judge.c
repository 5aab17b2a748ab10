/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the checker's judgement: a status document rendered by the
 * agent side (agent-proto) is parsed and judged again; each broken fact
 * gives the layer and code dsr-check prints.  The agent's own verdict is
 * never read: a document claiming "ok" over bad facts still fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agent-proto/facts.h"
#include "tests/unit/checker/good_facts.h"
#include "agent-proto/status.h"
#include "checker/lib/judge.h"
#include "checker/lib/verdict.h"

static struct facts f;

static void good_linux(void)
{
	static const uint16_t ports[] = { 80 };

	good_linux_facts(&f, ports, 1);
}

static void judge_facts(struct judgement *j, uint16_t port)
{
	struct buf doc;
	struct ip_addr vip;

	assert_int_equal(ipaddr_parse("192.0.2.100", &vip), 0);
	buf_init(&doc, STATUS_DOC_MAX);
	assert_int_equal(status_render(&f, NULL, 0, &doc), 0);
	judge_status(buf_str(&doc), doc.len, &vip, port, j);
	buf_free(&doc);
}

static void healthy(void **state)
{
	struct judgement j;
	(void)state;

	good_linux();
	f.weight = 75;
	judge_facts(&j, 80);
	assert_true(verdict_is_ok(&j.verdict));
	assert_int_equal(j.weight_hint, 75);
	assert_int_equal(j.admin, ADMIN_STATE_UP);
	assert_int_equal(j.n_findings, 0);
}

static void vip_missing_is_facts_layer(void **state)
{
	struct judgement j;
	(void)state;

	good_linux();
	f.n_addrs = 0;  /* no VIP anywhere */
	judge_facts(&j, 80);
	assert_int_equal(j.verdict.layer, CHECK_LAYER_FACTS);
	assert_string_equal(j.verdict.code, "VIP_MISSING");
}

static void arp_and_listener(void **state)
{
	struct judgement j;
	(void)state;

	good_linux();
	f.linux_all.arp_ignore = 0;
	f.ifaces[1].linux_conf.arp_ignore = 0;
	judge_facts(&j, 80);
	assert_int_equal(j.verdict.layer, CHECK_LAYER_FACTS);
	assert_string_equal(j.verdict.code, "ARP_IGNORE");

	good_linux();
	judge_facts(&j, 8080);  /* nothing listens there */
	assert_int_equal(j.verdict.layer, CHECK_LAYER_FACTS);
	assert_string_equal(j.verdict.code, "NO_LISTENER");
	judge_facts(&j, 0);     /* no port: no listener check */
	assert_true(verdict_is_ok(&j.verdict));
}

static void admin_states(void **state)
{
	struct judgement j;
	(void)state;

	good_linux();
	f.admin = ADMIN_STATE_DRAIN;
	judge_facts(&j, 80);
	assert_true(verdict_is_ok(&j.verdict));  /* drain is a weight, decided by the caller */
	assert_int_equal(j.admin, ADMIN_STATE_DRAIN);
	f.admin = ADMIN_STATE_MAINT;
	judge_facts(&j, 80);
	assert_int_equal(j.verdict.layer, CHECK_LAYER_ADMIN);
	assert_string_equal(j.verdict.code, "ADMIN_MAINT");
}

static void bad_documents_are_protocol_layer(void **state)
{
	static const char *const docs[] = {
		"",
		"not json",
		"[]",
		"{\"schema\":\"something-else\",\"version\":1}",
		"{\"schema\":\"dsrkit-agent-status\",\"version\":99}",
		"{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"interfaces\":\"x\"}",
	};
	struct ip_addr vip;
	size_t i;
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.100", &vip), 0);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct judgement j;

		judge_status(docs[i], strlen(docs[i]), &vip, 80, &j);
		if (j.verdict.layer != CHECK_LAYER_PROTOCOL)
			fail_msg("document %zu judged as layer %s", i, check_layer_name(j.verdict.layer));
		assert_string_equal(j.verdict.code, "PROTO_MALFORMED");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy),
		cmocka_unit_test(vip_missing_is_facts_layer),
		cmocka_unit_test(arp_and_listener),
		cmocka_unit_test(admin_states),
		cmocka_unit_test(bad_documents_are_protocol_layer),
	};
	return cmocka_run_group_tests_name("checker_judge", tests, NULL, NULL);
}
