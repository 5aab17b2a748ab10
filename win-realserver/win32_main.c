/* SPDX-License-Identifier: Apache-2.0 */
/* win32_main.c - the entry point of dsr-agent.exe.  It runs the same CLI as
 * the Linux agent (dsr_agent.c, whose main() the Windows build renames
 * dsr_agent_main with -Dmain=dsr_agent_main) and adds what only Windows
 * has:
 *   --loopback NAME, --nic NAME    override the adapters (any command)
 *   service install|uninstall|start|stop   the SCM service
 *   serve --service                the service's main under the SCM (what
 *                                  `service install` and the MSI register)
 *   the configuration under ProgramData when no --config is given
 *   after `check`: the facts Windows would not give, and the firewall
 * Arguments come from GetCommandLineW as UTF-8, so adapter aliases in any
 * language work.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent/file_trust.h"
#include "win-realserver/agent_win32.h"
#include "win-realserver/win32_service.h"

#define MAX_ARGS 64

int dsr_agent_main(int argc, char **argv);

static char *utf8_dup(const WCHAR *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s;

	if (n <= 0)
		return NULL;
	s = malloc((size_t)n);
	if (s && !WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL)) {
		free(s);
		return NULL;
	}
	return s;
}

/* The default configuration: %ProgramData%\dsrkit\agent.conf. */
static int default_config(char *out, size_t n)
{
	char dir[MAX_PATH * 3];

	if (win32_data_dir(dir, sizeof(dir)) < 0)
		return -ENOENT;
	snprintf(out, n, "%s\\dsrkit\\agent.conf", dir);
	return 0;
}

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	fclose(f);
	return 1;
}

/* Whether another account could write the configuration's folder before
 * the administrator (issue 16, finding 3). */
static void data_dir_note(void)
{
	char dir[MAX_PATH * 3 + 16], why[700];
	int r;

	if (win32_data_dir(dir, sizeof(dir) - 8) < 0)
		return;
	strcat(dir, "\\dsrkit");
	r = file_trust_check(dir, 0, why, sizeof(why));
	if (r == 0)
		printf("data folder %s: only SYSTEM and Administrators may write it\n", dir);
	else if (r == -ENOENT)
		printf("data folder %s: not there yet (the MSI or `dsr-agent.exe service install` makes it)\n", dir);
	else
		printf("data folder %s; fix: dsr-agent.exe service lock-datadir\n", why);
}

/* After the portable report: what Windows would not say, the data folder,
 * and the firewall rule of each VIP (not part of the protocol's facts). */
static void check_notes(int argc, char **argv)
{
	const struct win_snapshot *s = win32_last_snapshot();
	size_t i;
	int k;

	data_dir_note();

	for (i = 0; i < s->n_notes; i++)
		printf("note: %s\n", s->notes[i]);
	for (k = 2; k + 1 < argc; k++) {
		struct ip_addr v;
		char vs[IPADDR_STRLEN];

		if (strcmp(argv[k], "--vip") != 0 || ipaddr_parse(argv[k + 1], &v) < 0)
			continue;
		ipaddr_format(&v, vs);
		switch (win32_ops.firewall_state(&v)) {
		case WIN_FW_PRESENT:
			printf("firewall %s: rule \"" WIN_FW_RULE_PREFIX "%s\" present and enabled\n", vs, vs);
			break;
		case WIN_FW_OFF:
			printf("firewall %s: the firewall is off for every profile\n", vs);
			break;
		case WIN_FW_ABSENT:
			printf("firewall %s: no dsrkit rule; fix: dsr-agent.exe setup --vip %s, or\n"
			       "    netsh advfirewall firewall add rule name=\"" WIN_FW_RULE_PREFIX "%s\" dir=in action=allow localip=%s\n"
			       "    New-NetFirewallRule -Name \"" WIN_FW_RULE_PREFIX "%s\" -DisplayName \"" WIN_FW_RULE_PREFIX
			       "%s\" -Direction Inbound -Action Allow -LocalAddress %s\n", vs, vs, vs, vs, vs, vs, vs);
			break;
		default:
			printf("firewall %s: unknown (the firewall's COM interface did not answer)\n", vs);
			break;
		}
	}
}

int main(void)
{
	static char *av[MAX_ARGS + 3];
	static char cfg[MAX_PATH * 3];
	WCHAR **wargv;
	int wargc, ac = 0, i, has_config = 0, json = 0, service_mode = 0, r;
	const char *cmd;

	wargv = CommandLineToArgvW(GetCommandLineW(), &wargc);
	if (!wargv || wargc > MAX_ARGS) {
		fprintf(stderr, "dsr-agent: cannot read the command line (at most %d arguments)\n", MAX_ARGS);
		return 2;
	}
	for (i = 0; i < wargc; i++) {
		char *a = utf8_dup(wargv[i]);
		char *v;

		if (!a)
			return 2;
		v = i + 1 < wargc ? utf8_dup(wargv[i + 1]) : NULL;
		if ((strcmp(a, "--loopback") == 0 || strcmp(a, "--nic") == 0) && v) {
			if (a[2] == 'l')
				facts_text_set(win32_options.loopback, sizeof(win32_options.loopback), v);
			else
				facts_text_set(win32_options.nic, sizeof(win32_options.nic), v);
			i++;
			continue;
		}
		free(v);
		if (strcmp(a, "--service") == 0) {
			service_mode = 1;
			continue;
		}
		has_config |= strcmp(a, "--config") == 0;
		json |= strcmp(a, "--json") == 0;
		av[ac++] = a;
	}
	LocalFree(wargv);
	cmd = ac > 1 ? av[1] : "";

	if (strcmp(cmd, "service") == 0)
		return win32_service_command(ac, av);
	if (!has_config && (strcmp(cmd, "serve") == 0 || strcmp(cmd, "check") == 0) &&
	    default_config(cfg, sizeof(cfg)) == 0 && (strcmp(cmd, "serve") == 0 || file_exists(cfg))) {
		av[ac++] = "--config";
		av[ac++] = cfg;
	}
	av[ac] = NULL;
	if (strcmp(cmd, "serve") == 0 && service_mode) {
		/* Under the SCM the service main runs the same command. */
		r = win32_service_dispatch(dsr_agent_main, ac, av);
		if (r != -ENOTSUP)
			return r < 0 ? 1 : r;
	} else if (strcmp(cmd, "serve") == 0) {
		win32_service_console();
	}
	r = dsr_agent_main(ac, av);
	if (strcmp(cmd, "check") == 0 && !json)
		check_notes(ac, av);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		printf("\nWindows: dsr-agent.exe [--loopback NAME] [--nic NAME] check|setup ...\n"
		       "         dsr-agent.exe service install [--config FILE]|uninstall|start|stop|lock-datadir\n"
		       "  --loopback NAME  the adapter holding the VIPs (default: the KM-TEST loopback adapter)\n"
		       "  --nic NAME       the NIC receiving the VIP traffic (default: every NIC)\n"
		       "  the configuration defaults to %%ProgramData%%\\dsrkit\\agent.conf\n");
	return r;
}
