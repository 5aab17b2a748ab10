/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the sync daemon read (through the fake kernel seam) and of
 * the connection-table count (on files shaped like /proc/net/ip_vs_conn). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/ipvs-plugin/fake_kernel.h"

static struct ipvs_sync_daemon daemon4(uint32_t state, uint32_t id, const char *ifn, const char *grp,
				       uint16_t port)
{
	struct ipvs_sync_daemon d;

	memset(&d, 0, sizeof(d));
	d.state = state;
	d.syncid = id;
	snprintf(d.mcast_ifn, sizeof(d.mcast_ifn), "%s", ifn);
	if (grp) {
		d.mcast_af = AF_INET;
		inet_pton(AF_INET, grp, &d.mcast_group.v4);
		d.mcast_port = port;
		d.mcast_ttl = 1;
		d.sync_maxlen = 1472;
	}
	return d;
}

static void none_running(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_sync_daemon d[2];
	size_t n = 7;

	(void)state;
	assert_int_equal(ipvs_sync_daemon_get(h, d, 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(fk->cmds[IPVS_CMD_GET_DAEMON], 1);
	fake_close(h, fk);
}

static void master_and_backup_both_ways(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_sync_daemon d[2];
	char g[INET6_ADDRSTRLEN];
	size_t n;

	(void)state;
	fk->daemons[0] = daemon4(IPVS_SYNC_MASTER, 1, "eth0", "224.0.0.81", 8848);
	/* an older kernel: no group, port, ttl, maxlen */
	fk->daemons[1] = daemon4(IPVS_SYNC_BACKUP, 2, "eth0", NULL, 0);
	fk->ndaemons = 2;
	assert_int_equal(ipvs_sync_daemon_get(h, d, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].state, IPVS_SYNC_MASTER);
	assert_int_equal(d[0].syncid, 1);
	assert_string_equal(d[0].mcast_ifn, "eth0");
	assert_int_equal(d[0].mcast_af, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, &d[0].mcast_group, g, sizeof(g)), "224.0.0.81");
	assert_int_equal(d[0].mcast_port, 8848);
	assert_int_equal(d[0].mcast_ttl, 1);
	assert_int_equal(d[0].sync_maxlen, 1472);
	assert_int_equal(d[1].state, IPVS_SYNC_BACKUP);
	assert_int_equal(d[1].syncid, 2);
	assert_int_equal(d[1].mcast_af, 0);
	assert_int_equal(d[1].mcast_port, 0);
	assert_string_equal(ipvs_sync_state_name(d[0].state), "master");
	assert_string_equal(ipvs_sync_state_name(d[1].state), "backup");
	assert_string_equal(ipvs_sync_state_name(0), "none");
	/* a caller with room for one gets the first */
	assert_int_equal(ipvs_sync_daemon_get(h, d, 1, &n), 0);
	assert_int_equal(n, 1);
	fake_close(h, fk);
}

static void ipv6_group(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_sync_daemon d[2];
	char g[INET6_ADDRSTRLEN];
	size_t n;

	(void)state;
	fk->daemons[0] = daemon4(IPVS_SYNC_MASTER, 9, "bond0.42", NULL, 0);
	fk->daemons[0].mcast_af = AF_INET6;
	inet_pton(AF_INET6, "ff02::8848", &fk->daemons[0].mcast_group.v6);
	fk->daemons[0].mcast_port = 9000;
	fk->ndaemons = 1;
	assert_int_equal(ipvs_sync_daemon_get(h, d, 2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].mcast_af, AF_INET6);
	assert_string_equal(inet_ntop(AF_INET6, &d[0].mcast_group, g, sizeof(g)), "ff02::8848");
	assert_int_equal(d[0].mcast_port, 9000);
	assert_string_equal(d[0].mcast_ifn, "bond0.42");
	fake_close(h, fk);
}

static void kernel_error_kept(void **state)
{
	struct fake_kernel *fk;
	struct ipvs *h = fake_open(&fk);
	struct ipvs_sync_daemon d[2];
	size_t n;

	(void)state;
	fk->fail_cmd = IPVS_CMD_GET_DAEMON;
	fk->fail_errno = -EPERM;
	n = 5;
	assert_int_equal(ipvs_sync_daemon_get(h, d, 2, &n), -EPERM);
	assert_int_equal(n, 0);
	assert_string_equal(ipvs_errmsg(h), "read sync daemons: Operation not permitted");
	fake_close(h, fk);
}

static void hostile_daemon_attrs(void **state)
{
	struct ipvs_sync_daemon d;
	struct buf b;
	struct ipvs_msg_view v;
	size_t off = 0;
	uint8_t junk[8] = { 8, 0, 99, 0, 1, 2, 3, 4 };

	(void)state;
	/* no IPVS_CMD_ATTR_DAEMON at all */
	assert_int_equal(ipvs_sync_msg_parse(junk, sizeof(junk), &d), -EINVAL);
	/* truncated */
	assert_int_equal(ipvs_sync_msg_parse(junk, 3, &d), -EINVAL);
	/* a complete message cut short by one byte */
	buf_init(&b, 4096);
	{
		struct ipvs_sync_daemon x = daemon4(IPVS_SYNC_BACKUP, 3, "eth1", "224.0.0.81", 8848);

		assert_int_equal(ipvs_sync_msg_build(&b, 0x42, 1, 0, &x), 0);
	}
	assert_int_equal(ipvs_msg_next(b.data, b.len, &off, &v), 1);
	assert_int_equal(ipvs_sync_msg_parse(v.attrs, v.attrs_len, &d), 0);
	assert_int_equal(d.syncid, 3);
	assert_int_equal(ipvs_sync_msg_parse(v.attrs, v.attrs_len - 1, &d), -EINVAL);
	buf_free(&b);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/dsrkit-conn-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void conn_count_file(void **state)
{
	uint64_t t = 99, e = 99;
	char *p;

	(void)state;
	p = write_tmp("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
		      "TCP C0000202 A1B2 C0000264 0050 C000020B 0050 ESTABLISHED     899\n"
		      "TCP C0000202 A1B3 C0000264 0050 C000020C 0050 FIN_WAIT          1\n"
		      "UDP C0000202 A1B4 C0000264 0035 C000020C 0035 UDP             299\n"
		      "TCP C0000202 A1B5 C0000264 0050 C000020B 0050 ESTABLISHED     12");
	assert_int_equal(ipvs_conn_count(p, &t, &e), 0);
	assert_int_equal(t, 4);
	assert_int_equal(e, 2);
	unlink(p);
	p = write_tmp("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
	assert_int_equal(ipvs_conn_count(p, &t, &e), 0);
	assert_int_equal(t, 0);
	assert_int_equal(e, 0);
	unlink(p);
	assert_int_equal(ipvs_conn_count("/nonexistent/ip_vs_conn", &t, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(none_running),
		cmocka_unit_test(master_and_backup_both_ways),
		cmocka_unit_test(ipv6_group),
		cmocka_unit_test(kernel_error_kept),
		cmocka_unit_test(hostile_daemon_attrs),
		cmocka_unit_test(conn_count_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
