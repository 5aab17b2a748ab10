/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of what dsr-checkd shows of a director pair: the metric
 * families and the "ha" member spliced into /status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "checker/dsr-checkd/ha.h"

static struct checkd_ha pair_master(void)
{
	struct checkd_ha h;

	memset(&h, 0, sizeof(h));
	h.sync_ok = 1;
	h.n_daemons = 2;
	h.daemons[0].state = IPVS_SYNC_MASTER;
	h.daemons[0].syncid = 1;
	strcpy(h.daemons[0].mcast_ifn, "eth0");
	h.daemons[0].mcast_af = AF_INET;
	inet_pton(AF_INET, "224.0.0.81", &h.daemons[0].mcast_group.v4);
	h.daemons[0].mcast_port = 8848;
	h.daemons[1].state = IPVS_SYNC_BACKUP;
	h.daemons[1].syncid = 2;
	strcpy(h.daemons[1].mcast_ifn, "eth0");
	h.conns_ok = 1;
	h.conns = 52;
	h.established = 50;
	h.n_vips = 2;
	assert_int_equal(ipaddr_parse("192.0.2.100", &h.vips[0]), 0);
	assert_int_equal(ipaddr_parse("2001:db8::100", &h.vips[1]), 0);
	h.held[0] = 1;
	return h;
}

static void metrics(void **state)
{
	struct checkd_ha h = pair_master();
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(checkd_ha_metrics_render(&h, &b), 0);
	assert_non_null(strstr(buf_str(&b),
		"dsrkit_ipvs_sync_daemon{role=\"master\",syncid=\"1\",interface=\"eth0\",group=\"224.0.0.81\",port=\"8848\"} 1\n"));
	/* an old kernel reports no group: the default is shown */
	assert_non_null(strstr(buf_str(&b),
		"dsrkit_ipvs_sync_daemon{role=\"backup\",syncid=\"2\",interface=\"eth0\",group=\"224.0.0.81\",port=\"8848\"} 1\n"));
	assert_non_null(strstr(buf_str(&b), "dsrkit_ipvs_sync_daemons_up 1\n"));
	assert_non_null(strstr(buf_str(&b), "dsrkit_ipvs_connection_table_entries{state=\"all\"} 52\n"));
	assert_non_null(strstr(buf_str(&b), "dsrkit_ipvs_connection_table_entries{state=\"established\"} 50\n"));
	assert_non_null(strstr(buf_str(&b), "dsrkit_director_vip_held{vip=\"192.0.2.100\"} 1\n"));
	assert_non_null(strstr(buf_str(&b), "dsrkit_director_vip_held{vip=\"2001:db8::100\"} 0\n"));
	buf_free(&b);
}

static void metrics_nothing_readable(void **state)
{
	struct checkd_ha h;
	struct buf b;

	(void)state;
	memset(&h, 0, sizeof(h));
	/* a hostile interface name never reaches a label */
	h.n_daemons = 1;
	strcpy(h.daemons[0].mcast_ifn, "e\"th");
	buf_init(&b, 1 << 16);
	assert_int_equal(checkd_ha_metrics_render(&h, &b), 0);
	assert_non_null(strstr(buf_str(&b), "dsrkit_ipvs_sync_daemons_up 0\n"));
	assert_null(strstr(buf_str(&b), "dsrkit_ipvs_connection_table_entries{"));
	assert_null(strstr(buf_str(&b), "e\"th"));
	buf_free(&b);
}

static void status_spliced(void **state)
{
	struct checkd_ha h = pair_master();
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_append_str(&b, "{\"schema\":\"x\",\"rs\":[]}\n"), 0);
	assert_int_equal(checkd_ha_status_append(&h, &b), 0);
	assert_string_equal(buf_str(&b),
		"{\"schema\":\"x\",\"rs\":[],\"ha\":{\"sync_daemons\":[{\"role\":\"master\",\"syncid\":1,"
		"\"interface\":\"eth0\",\"group\":\"224.0.0.81\",\"port\":8848},{\"role\":\"backup\",\"syncid\":2,"
		"\"interface\":\"eth0\",\"group\":\"224.0.0.81\",\"port\":8848}],\"connections\":52,\"established\":50,"
		"\"vips\":[{\"vip\":\"192.0.2.100\",\"held\":true},{\"vip\":\"2001:db8::100\",\"held\":false}]}}\n");
	/* not an object: refused, the document untouched */
	buf_reset(&b);
	assert_int_equal(buf_append_str(&b, "[1]"), 0);
	assert_true(checkd_ha_status_append(&h, &b) < 0);
	assert_string_equal(buf_str(&b), "[1]");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics),
		cmocka_unit_test(metrics_nothing_readable),
		cmocka_unit_test(status_spliced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
