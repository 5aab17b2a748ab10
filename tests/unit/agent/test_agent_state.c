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
#include "agent/agent_admin.h"
#include "agent/agent_state.h"
#include "agent/read_budget.h"

static int reads, fail_read, load = 40, extra_addr;
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
	if (extra_addr && (ipaddr_parse("192.0.2.101", &a) < 0 || facts_addr_add(f, (size_t)lo, &a, 32) < 0))
		return -EINVAL;
	return 0;
}

/* The quick re-read: the Linux ARP sysctls of the interfaces with addresses. */
static int quick_reads, quick_arp_ignore = 1;

static int fake_quick_reread(struct facts *f)
{
	int changed = f->linux_all.arp_ignore != quick_arp_ignore;

	quick_reads++;
	f->linux_all.arp_ignore = quick_arp_ignore;
	return changed;
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
	.facts_quick_reread = fake_quick_reread,
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


/* The generation: moves on exactly when a fact or the admin state changes,
 * once when the facts become unreadable, and lands in the document. */
/* A quick re-read that sees the ARP sysctl reset moves the generation on
 * at once and keeps every other fact of the last whole read; one that sees
 * nothing new changes nothing; before the first whole read it does not run. */
static void state_quick_refresh(void **state)
{
	static struct agent_state st;
	struct agent_config cfg;
	uint32_t g0;
	size_t n_addrs;
	(void)state;

	agent_config_defaults(&cfg);
	agent_state_init(&st, &cfg);
	quick_reads = 0;
	assert_int_equal(agent_state_quick_refresh(&st), 0);
	assert_int_equal(quick_reads, 0);
	quick_arp_ignore = 1;
	assert_int_equal(agent_state_refresh(&st, 100), 1);
	st.facts.linux_all.arp_ignore = 1;      /* as the whole read would have it */
	g0 = st.generation;
	n_addrs = st.facts.n_addrs;
	assert_int_equal(agent_state_quick_refresh(&st), 0);
	assert_int_equal(st.generation, g0);
	quick_arp_ignore = 0;
	assert_int_equal(agent_state_quick_refresh(&st), 1);
	assert_true(st.generation != g0);
	assert_int_equal(st.facts.generation, st.generation);
	assert_int_equal(st.facts.linux_all.arp_ignore, 0);
	assert_int_equal(st.facts.n_addrs, n_addrs);
	assert_string_equal(st.facts.hostname, "WIN-RS1");
	assert_int_equal(agent_state_quick_refresh(&st), 0);
	assert_int_equal(quick_reads, 3);
	quick_arp_ignore = 1;
}

/* The watcher's reading budget: full at the start, spent by reads, filled
 * at 1/(gap + 1) of the time up to the burst, and when it is whole again. */
static void read_budget_shares(void **state)
{
	struct read_budget b;
	(void)state;

	read_budget_start(&b, 1000);
	assert_int_equal(read_budget_credit(&b, 1000, READ_GAP_EVENT), READ_BURST_US);
	read_budget_spend(&b, 150000);                  /* one 150 ms read: 50 ms owed */
	assert_true(read_budget_credit(&b, 1000, READ_GAP_EVENT) < 0);
	/* owed 50 ms at a fifth of the time: whole 250 ms later */
	assert_int_equal(read_budget_due(&b, READ_GAP_EVENT), 1000 + 250000);
	assert_int_equal(read_budget_credit(&b, 1000 + 250000, READ_GAP_EVENT), 0);
	/* a twentieth for the tick: 21 ms of time buy 1 ms of reading */
	assert_int_equal(read_budget_credit(&b, 1000 + 250000 + 21000, READ_GAP_TICK), 1000);
	/* never above the burst, however long the quiet */
	assert_int_equal(read_budget_credit(&b, UINT64_MAX / 2, READ_GAP_EVENT), READ_BURST_US);
	assert_int_equal(read_budget_due(&b, READ_GAP_EVENT), UINT64_MAX / 2);
	/* time going backwards changes nothing */
	assert_int_equal(read_budget_credit(&b, 5, READ_GAP_EVENT), READ_BURST_US);
}

static void state_generation(void **state)
{
	static struct agent_state st;
	struct agent_config cfg;
	char path[] = "/tmp/dsrkit-test-gen-XXXXXX";
	int fd = mkstemp(path), err = 0;
	uint32_t g0, g1;
	FILE *fp;
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	agent_config_defaults(&cfg);
	facts_text_set(cfg.state_file, sizeof(cfg.state_file), path);
	agent_state_init(&st, &cfg);
	assert_int_equal(agent_state_refresh(&st, 100), 1);     /* the first read is news */
	g0 = st.generation;
	assert_int_equal(st.facts.generation, g0);
	assert_int_equal(agent_state_refresh(&st, 150), 0);     /* nothing changed */
	assert_int_equal(agent_state_refresh(&st, 200), 0);
	assert_int_equal(st.generation, g0);
	/* the admin state */
	fp = fopen(path, "w");
	fputs("admin_state = drain\n", fp);
	fclose(fp);
	assert_int_equal(agent_state_refresh(&st, 250), 1);
	g1 = st.generation;
	assert_true(g1 != g0);
	assert_int_equal(st.facts.admin, ADMIN_STATE_DRAIN);
	assert_int_equal(st.facts.generation, g1);
	assert_int_equal(agent_state_refresh(&st, 300), 0);
	/* a fact */
	extra_addr = 1;
	assert_int_equal(agent_state_refresh(&st, 350), 1);
	assert_true(st.generation != g1);
	g1 = st.generation;
	/* unreadable: once */
	fail_read = 1;
	assert_int_equal(agent_state_refresh(&st, 400), -EIO);
	assert_true(st.generation != g1);
	g1 = st.generation;
	assert_int_equal(agent_state_refresh(&st, 450), -EIO);
	assert_int_equal(st.generation, g1);
	fail_read = 0;
	assert_int_equal(agent_state_refresh(&st, 500), 1);      /* readable again: news */
	assert_true(st.generation != g1);
	/* agent_state_facts within the cache time gives the same generation */
	assert_non_null(agent_state_facts(&st, 600, &err));
	assert_int_equal(agent_state_facts(&st, 600, &err)->generation, st.generation);
	extra_addr = 0;
	unlink(path);
	/* two agents started at different times start apart */
	{
		static struct agent_state other;

		agent_state_init(&other, &cfg);
		assert_true(other.generation > 1000);
	}
}

/* DSR-Director reports: per name, bounded, "changed" only on news. */
static void state_directors(void **state)
{
	static struct agent_state st;
	struct agent_config cfg;
	struct http_director_report r[2];
	const char *why;
	size_t i;
	(void)state;

	agent_config_defaults(&cfg);
	agent_state_init(&st, &cfg);
	assert_int_equal(http_director_parse("lvs1; vip=192.0.2.100; weight=0; active=2; inactive=1", 54, &r[0], &why), 0);
	assert_int_equal(agent_state_directors_note(&st, r, 1, 10), 1);
	assert_int_equal(agent_state_directors_note(&st, r, 1, 20), 0);
	assert_int_equal(st.directors[0].seen_ms, 20);
	r[0].active = 0;
	assert_int_equal(agent_state_directors_note(&st, r, 1, 30), 1);
	assert_int_equal(agent_state_directors_note(&st, r, 0, 30), 0);
	for (i = 0; i < AGENT_MAX_DIRECTORS + 3; i++) {
		snprintf(r[1].name, sizeof(r[1].name), "d%zu", i);
		r[1].vip = r[0].vip;
		assert_int_equal(agent_state_directors_note(&st, &r[1], 1, 40 + i), 1);
	}
	assert_int_equal(st.n_directors, AGENT_MAX_DIRECTORS);
}

/* drain --wait's rule: reports from before the drain began, or older than
 * the freshness, are not looked at; one fresh report with weight or an
 * active connection keeps it waiting. */
static void drain_rule(void **state)
{
	static const struct agent_admin_row idle = { "lvs1", "192.0.2.100", 80, 0, 0, 3, 100 };
	struct agent_admin_row r[2];
	(void)state;

	r[0] = idle;
	assert_int_equal(agent_admin_drained(r, 1, 102, 5, 100), 1);
	assert_int_equal(agent_admin_drained(r, 1, 102, 5, 101), 0);   /* from before the drain */
	assert_int_equal(agent_admin_drained(r, 1, 106, 5, 100), 0);   /* stale: no fresh report */
	assert_int_equal(agent_admin_drained(r, 0, 102, 5, 100), 0);   /* nobody reported */
	r[1] = idle;
	snprintf(r[1].director, sizeof(r[1].director), "lvs2");
	r[1].active = 1;
	assert_int_equal(agent_admin_drained(r, 2, 102, 5, 100), 0);   /* one still has a connection */
	r[1].active = 0;
	r[1].weight = 5;
	assert_int_equal(agent_admin_drained(r, 2, 102, 5, 100), 0);   /* one has not set weight 0 */
	r[1].unix_time = 99;
	assert_int_equal(agent_admin_drained(r, 2, 102, 5, 100), 1);   /* its report is from before */
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
		cmocka_unit_test(state_generation),
		cmocka_unit_test(state_quick_refresh),
		cmocka_unit_test(read_budget_shares),
		cmocka_unit_test(state_directors),
		cmocka_unit_test(drain_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
