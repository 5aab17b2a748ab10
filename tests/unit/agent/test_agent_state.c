/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the agent's portable layer over a fake platform table (the
 * seam agent_linux.c and agent_win32.c implement): facts caching, the admin
 * state from the configuration and the state file, the load-based weight,
 * and the check report with every finding and its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-proto/facts.h"
#include "agent/agent_platform.h"
#include "agent/agent_report.h"
#include "agent/agent_state.h"

static int reads, fail_read, load = 40;
static enum facts_os fake_os = FACTS_OS_WINDOWS;

/* A Windows real server whose loopback adapter has weak-host send off. */
static int fake_facts_read(struct facts *f)
{
	struct ip_addr a;
	int lo, nic;

	reads++;
	if (fail_read)
		return -EIO;
	f->os = fake_os;
	facts_text_set(f->hostname, sizeof(f->hostname), "WIN-RS1");
	nic = facts_iface_add(f, "Ethernet", 4, 1, 0);
	lo = facts_iface_add(f, "Loopback", 9, 1, 1);
	if (nic < 0 || lo < 0)
		return -ENOSPC;
	f->ifaces[nic].win_conf.weak_host_receive = 1;
	f->ifaces[lo].win_conf.weak_host_receive = 1;
	f->ifaces[lo].win_conf.weak_host_send = 0;
	f->ifaces[lo].win_conf.dns_register = 0;
	if (ipaddr_parse("192.0.2.21", &a) < 0 || facts_addr_add(f, (size_t)nic, &a, 24) < 0 ||
	    ipaddr_parse("192.0.2.100", &a) < 0 || facts_addr_add(f, (size_t)lo, &a, 32) < 0 ||
	    ipaddr_parse("0.0.0.0", &a) < 0 || facts_listener_add(f, FACTS_PROTO_TCP, &a, 80, FACTS_UNKNOWN) < 0)
		return -EINVAL;
	return 0;
}

static int fake_setup(const struct facts *f, const struct agent_setup_opts *o)
{
	(void)f;
	(void)o;
	return -ENOTSUP;
}

static int fake_load_weight(void)
{
	return load;
}

const struct agent_platform agent_platform = {
	.name = "fake",
	.os = FACTS_OS_WINDOWS,
	.facts_read = fake_facts_read,
	.setup = fake_setup,
	.load_weight = fake_load_weight,
};

static void state_caches_facts(void **state)
{
	static struct agent_state st;
	struct agent_config cfg;
	const struct facts *f;
	int err = 0;
	(void)state;

	agent_config_defaults(&cfg);
	cfg.facts_cache_ms = 1000;
	agent_state_init(&st, &cfg);
	reads = 0;
	f = agent_state_facts(&st, 5000, &err);
	assert_non_null(f);
	assert_string_equal(f->hostname, "WIN-RS1");
	assert_non_null(agent_state_facts(&st, 5999, &err));
	assert_int_equal(reads, 1);
	assert_non_null(agent_state_facts(&st, 6000, &err));
	assert_int_equal(reads, 2);
	fail_read = 1;
	assert_null(agent_state_facts(&st, 9000, &err));
	assert_int_equal(err, -EIO);
	fail_read = 0;
}

static void state_admin_from_config_and_file(void **state)
{
	static struct facts f;
	struct agent_config cfg;
	char path[] = "/tmp/dsrkit-test-state-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	agent_config_defaults(&cfg);
	cfg.admin = ADMIN_STATE_DRAIN;
	cfg.weight = 30;
	facts_init(&f, FACTS_OS_WINDOWS);
	agent_state_admin_apply(&cfg, &f);
	assert_int_equal(f.admin, ADMIN_STATE_DRAIN);
	assert_int_equal(f.weight, 30);

	/* the state file overrides the configuration */
	facts_text_set(cfg.state_file, sizeof(cfg.state_file), path);
	fp = fopen(path, "w");
	fputs("admin_state = maint\nadmin_reason = disk swap\nweight = auto\n", fp);
	fclose(fp);
	agent_state_admin_apply(&cfg, &f);
	assert_int_equal(f.admin, ADMIN_STATE_MAINT);
	assert_string_equal(f.admin_reason, "disk swap");
	assert_int_equal(f.weight, 40);   /* from the fake load */
	load = -EIO;
	agent_state_admin_apply(&cfg, &f);
	assert_int_equal(f.weight, FACTS_UNKNOWN);
	load = 40;

	/* a broken state file is ignored: the configuration stands */
	fp = fopen(path, "w");
	fputs("port = 1\n", fp);
	fclose(fp);
	agent_state_admin_apply(&cfg, &f);
	assert_int_equal(f.admin, ADMIN_STATE_DRAIN);
	assert_int_equal(f.weight, 30);
	/* a missing one too */
	unlink(path);
	agent_state_admin_apply(&cfg, &f);
	assert_int_equal(f.admin, ADMIN_STATE_DRAIN);
}

static void report_names_codes_and_fixes(void **state)
{
	static struct facts f;
	struct status_target t[2];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	(void)state;

	facts_init(&f, FACTS_OS_WINDOWS);
	assert_int_equal(fake_facts_read(&f), 0);
	assert_int_equal(ipaddr_parse("192.0.2.100", &t[0].vip), 0);
	t[0].port = 80;
	assert_int_equal(ipaddr_parse("192.0.2.101", &t[1].vip), 0);
	t[1].port = 0;
	assert_int_equal(agent_report_print(out, &f, t, 2, &color_none), RULES_VERDICT_CRITICAL);
	fclose(out);
	assert_non_null(strstr(text, "VIP 192.0.2.100 port 80: CRITICAL"));
	assert_non_null(strstr(text, "WEAKHOST_SEND_LOOPBACK"));
	assert_non_null(strstr(text, "netsh interface ipv4 set interface \"Loopback\" weakhostsend=enabled"));
	assert_non_null(strstr(text, "PowerShell: Set-NetIPInterface -InterfaceAlias \"Loopback\""));
	assert_non_null(strstr(text, "VIP 192.0.2.101: CRITICAL"));
	assert_non_null(strstr(text, "VIP_MISSING"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_caches_facts),
		cmocka_unit_test(state_admin_from_config_and_file),
		cmocka_unit_test(report_names_codes_and_fixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
