/* SPDX-License-Identifier: Apache-2.0 */
/* win32_service.c - see win32_service.h.  The SCM service, its install and
 * removal, and the Event Log source (messages from dsr-agent-msg.mc,
 * linked into the exe as its message table). */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent-proto/agent_config.h"
#include "agent/file_trust.h"
#include "win-realserver/win32_service.h"

#define SVC_W L"dsr-agent"
#define EVENT_ID_TEXT 1          /* MessageId 1 of dsr-agent-msg.mc: "%1" */
#define EVENTLOG_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" SVC_W

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static void (*stop_fn)(void);
static int (*svc_main)(int, char **);
static int svc_argc;
static char **svc_argv;
static HANDLE event_source;
static FILE *svc_log;          /* the service's log file; NULL on a console */

void win32_log(enum win32_log_level level, const char *fmt, ...)
{
	static const WORD types[WIN32_LOG_COUNT] = {
		[WIN32_LOG_INFO] = EVENTLOG_INFORMATION_TYPE,
		[WIN32_LOG_WARNING] = EVENTLOG_WARNING_TYPE,
		[WIN32_LOG_ERROR] = EVENTLOG_ERROR_TYPE,
	};
	char line[512];
	WCHAR wline[512];
	const WCHAR *strs[1] = { wline };
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		line[0] = '\0';
	va_end(ap);
	fprintf(svc_log ? svc_log : stderr, "dsr-agent: %s\n", line);
	if (!event_source)
		event_source = RegisterEventSourceW(NULL, SVC_W);
	if (event_source && MultiByteToWideChar(CP_UTF8, 0, line, -1, wline, 512))
		ReportEventW(event_source, types[(unsigned)level < WIN32_LOG_COUNT ? level : 0], 0,
			     EVENT_ID_TEXT, NULL, 1, 0, strs, NULL);
}

/* --- running as the service ---------------------------------------------- */

static void report(DWORD state, DWORD exit_code, DWORD wait_hint)
{
	static DWORD checkpoint = 1;

	if (!status_handle)
		return;
	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwWin32ExitCode = exit_code;
	status.dwWaitHint = wait_hint;
	status.dwControlsAccepted = state == SERVICE_START_PENDING ? 0 : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
	status.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : checkpoint++;
	SetServiceStatus(status_handle, &status);
}

void win32_note(const char *fmt, ...)
{
	FILE *out = svc_log ? svc_log : stderr;
	va_list ap;

	fputs("dsr-agent: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

void win32_service_ready(void)
{
	report(SERVICE_RUNNING, NO_ERROR, 0);
}

void win32_service_on_stop(void (*fn)(void))
{
	stop_fn = fn;
}

static DWORD WINAPI handler(DWORD control, DWORD type, void *data, void *ctx)
{
	(void)type;
	(void)data;
	(void)ctx;
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		report(SERVICE_STOP_PENDING, NO_ERROR, 5000);
		if (stop_fn)
			stop_fn();
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

/* A service has no console: what the agent says on stderr (a broken
 * configuration, a refused client) goes to %ProgramData%\dsrkit\dsr-agent.log;
 * the Event Log gets the start, the stop and the errors. */
static int data_dir_w(WCHAR pd[MAX_PATH])
{
	/* not %ProgramData%: a service's environment need not have it */
	return SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, pd) == S_OK ? 0 : -ENOENT;
}

int win32_data_dir(char *out, size_t n)
{
	WCHAR pd[MAX_PATH];

	if (data_dir_w(pd) < 0 || !WideCharToMultiByte(CP_UTF8, 0, pd, -1, out, (int)n, NULL, NULL))
		return -ENOENT;
	return 0;
}

static void log_open(void)
{
	WCHAR pd[MAX_PATH], path[MAX_PATH + 32];

	if (data_dir_w(pd) < 0)
		return;
	_snwprintf(path, MAX_PATH + 32, L"%ls\\dsrkit", pd);
	path[MAX_PATH + 31] = 0;
	CreateDirectoryW(path, NULL);
	_snwprintf(path, MAX_PATH + 32, L"%ls\\dsrkit\\dsr-agent.log", pd);
	path[MAX_PATH + 31] = 0;
	/* a service starts without standard handles, and the C runtime's
	 * stderr cannot be reopened there: the log is a file of its own */
	svc_log = _wfopen(path, L"a");
	if (svc_log)
		setvbuf(svc_log, NULL, _IONBF, 0);
}

/* The configuration is the CLI's to read, but its complaints go to a
 * stderr nobody sees under the SCM: say them in the log first. */
static void config_precheck(int argc, char **argv)
{
	static char text[AGENT_CONFIG_MAX_BYTES + 1];
	static struct agent_config cfg;
	char err[512];
	const char *path = NULL;
	FILE *f;
	size_t n;
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--config") == 0)
			path = argv[i + 1];
	if (!path)
		return;
	f = fopen(path, "r");
	if (!f) {
		win32_log(WIN32_LOG_ERROR, "cannot read the configuration %s: %s", path, strerror(errno));
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	agent_config_defaults(&cfg);
	if (agent_config_parse(text, n, path, &cfg, err, sizeof(err)) < 0)
		win32_log(WIN32_LOG_ERROR, "%s", err);
}

static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
	int r;

	/* the SCM passes the service's name: whatever it was installed as */
	status_handle = RegisterServiceCtrlHandlerExW(argc > 0 && argv[0] ? argv[0] : SVC_W, handler, NULL);
	if (!status_handle)
		return;
	log_open();
	config_precheck(svc_argc, svc_argv);
	report(SERVICE_START_PENDING, NO_ERROR, 10000);
	win32_log(WIN32_LOG_INFO, "service starting");
	r = svc_main(svc_argc, svc_argv);
	win32_log(r ? WIN32_LOG_ERROR : WIN32_LOG_INFO, "service stopped (exit %d)", r);
	report(SERVICE_STOPPED, r ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR, 0);
}

static BOOL WINAPI console_handler(DWORD type)
{
	if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
		return FALSE;
	if (stop_fn)
		stop_fn();
	return TRUE;
}

void win32_service_console(void)
{
	SetConsoleCtrlHandler(console_handler, TRUE);
}

int win32_service_dispatch(int (*main_fn)(int, char **), int argc, char **argv)
{
	SERVICE_TABLE_ENTRYW table[] = { { (WCHAR *)SVC_W, service_main }, { NULL, NULL } };

	svc_main = main_fn;
	svc_argc = argc;
	svc_argv = argv;
	if (StartServiceCtrlDispatcherW(table))
		return status.dwWin32ExitCode == NO_ERROR ? 0 : 1;
	if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		SetConsoleCtrlHandler(console_handler, TRUE);
		return -ENOTSUP;
	}
	fprintf(stderr, "dsr-agent: the service dispatcher failed (error %lu)\n", (unsigned long)GetLastError());
	return -EIO;
}

/* --- service install | uninstall | start | stop -------------------------- */

static void say_error(const char *what)
{
	DWORD e = GetLastError();

	if (e == ERROR_ACCESS_DENIED)
		fprintf(stderr, "dsr-agent: %s: access denied: run it from an elevated prompt "
				"(\"Run as administrator\")\n", what);
	else
		fprintf(stderr, "dsr-agent: %s failed (error %lu)\n", what, (unsigned long)e);
}

/* The data folder's security (issue 16, finding 3): ProgramData lets every
 * user create files, so a folder that inherits its ACL lets a local user
 * write agent.conf before the administrator does.  Owner Administrators,
 * SYSTEM and Administrators full control, inherited by what is created in
 * it, nothing from ProgramData ("P": protected).  The MSI runs `service
 * lock-datadir` as a deferred, non-impersonated custom action once the
 * folder exists; `service install` runs it too. */
#define DATA_DIR_SDDL L"O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

static int lock_data_dir(void)
{
	WCHAR pd[MAX_PATH], path[MAX_PATH + 16];
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	PSID owner = NULL;
	BOOL present = FALSE, defaulted = FALSE;
	char dir[MAX_PATH * 3 + 16], why[700];
	DWORD e;

	if (data_dir_w(pd) < 0) {
		fprintf(stderr, "dsr-agent: cannot find the machine's application data folder\n");
		return 1;
	}
	_snwprintf(path, MAX_PATH + 16, L"%ls\\dsrkit", pd);
	path[MAX_PATH + 15] = 0;
	if (!WideCharToMultiByte(CP_UTF8, 0, path, -1, dir, (int)sizeof(dir), NULL, NULL))
		return 1;
	if (!CreateDirectoryW(path, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
		say_error("creating the data folder");
		return 1;
	}
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(DATA_DIR_SDDL, SDDL_REVISION_1, &sd, NULL) ||
	    !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
	    !GetSecurityDescriptorOwner(sd, &owner, &defaulted)) {
		say_error("building the data folder's ACL");
		LocalFree(sd);
		return 1;
	}
	/* also replaces what existing files inherited; a file with ACEs of its
	 * own, or another owner, stays refused by the trust check at start */
	e = SetNamedSecurityInfoW(path, SE_FILE_OBJECT,
				  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
					  PROTECTED_DACL_SECURITY_INFORMATION,
				  owner, NULL, dacl, NULL);
	LocalFree(sd);
	if (e != ERROR_SUCCESS) {
		SetLastError(e);
		say_error("setting the data folder's ACL");
		return 1;
	}
	/* writes are what matter: the secrets in it are checked on their own */
	if (file_trust_check(dir, 0, why, sizeof(why)) != 0) {
		fprintf(stderr, "dsr-agent: the data folder's ACL did not take: %s\n", why);
		return 1;
	}
	printf("%s: SYSTEM and Administrators only, not inherited from ProgramData\n", dir);
	return 0;
}

static int wait_state(SC_HANDLE svc, DWORD want, DWORD ms)
{
	SERVICE_STATUS_PROCESS sp;
	DWORD got, waited = 0;

	for (;;) {
		if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof(sp), &got))
			return -EIO;
		if (sp.dwCurrentState == want)
			return 0;
		if (want == SERVICE_RUNNING && sp.dwCurrentState == SERVICE_STOPPED) {
			fprintf(stderr, "dsr-agent: the service stopped during start (exit %lu, see the "
					"Application event log, source dsr-agent)\n",
				(unsigned long)(sp.dwServiceSpecificExitCode ? sp.dwServiceSpecificExitCode
									    : sp.dwWin32ExitCode));
			return -EIO;
		}
		if (waited >= ms)
			return -ETIMEDOUT;
		Sleep(200);
		waited += 200;
	}
}

static int eventlog_register(const WCHAR *exe)
{
	HKEY key;
	DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
	LONG e = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);

	if (e != ERROR_SUCCESS)
		return -EIO;
	e = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
			   (DWORD)((wcslen(exe) + 1) * sizeof(WCHAR)));
	if (e == ERROR_SUCCESS)
		e = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof(types));
	RegCloseKey(key);
	return e == ERROR_SUCCESS ? 0 : -EIO;
}

static int install(const char *config)
{
	WCHAR exe[MAX_PATH], cmd[MAX_PATH * 3], wcfg[MAX_PATH];
	SERVICE_DESCRIPTIONW desc = { (WCHAR *)L"dsrkit: reports this server's Direct Routing facts "
					       L"(VIPs on the loopback adapter, weak host, listeners) over mutual TLS" };
	SC_HANDLE scm, svc;
	DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);

	if (!n || n >= MAX_PATH)
		return 1;
	if (config) {
		if (!MultiByteToWideChar(CP_UTF8, 0, config, -1, wcfg, MAX_PATH))
			return 2;
		_snwprintf(cmd, MAX_PATH * 3, L"\"%ls\" serve --service --config \"%ls\"", exe, wcfg);
	} else {
		_snwprintf(cmd, MAX_PATH * 3, L"\"%ls\" serve --service", exe);
	}
	cmd[MAX_PATH * 3 - 1] = 0;
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
	if (!scm) {
		say_error("opening the service manager");
		return 1;
	}
	svc = CreateServiceW(scm, SVC_W, L"dsrkit DR agent", SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
			     SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, cmd, NULL, NULL, L"HTTP\0\0", NULL, NULL);
	if (!svc && GetLastError() == ERROR_SERVICE_EXISTS) {
		svc = OpenServiceW(scm, SVC_W, SERVICE_ALL_ACCESS);
		if (svc && !ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_AUTO_START, SERVICE_NO_CHANGE, cmd,
						 NULL, NULL, L"HTTP\0\0", NULL, NULL, NULL)) {
			CloseServiceHandle(svc);
			svc = NULL;
		}
	}
	if (!svc) {
		say_error("creating the service");
		CloseServiceHandle(scm);
		return 1;
	}
	ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc);
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	if (eventlog_register(exe) < 0)
		fprintf(stderr, "dsr-agent: warning: the Event Log source could not be registered\n");
	printf("service %s installed: %ls\n", WIN32_SERVICE_NAME, cmd);
	return 0;
}

static int control(const char *verb)
{
	SC_HANDLE scm, svc;
	SERVICE_STATUS st;
	int r = 0;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (!scm) {
		say_error("opening the service manager");
		return 1;
	}
	svc = OpenServiceW(scm, SVC_W, SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
	if (!svc) {
		if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST && strcmp(verb, "uninstall") == 0) {
			printf("service %s is not installed\n", WIN32_SERVICE_NAME);
			CloseServiceHandle(scm);
			return 0;
		}
		say_error("opening the service");
		CloseServiceHandle(scm);
		return 1;
	}
	if (strcmp(verb, "start") == 0) {
		if (!StartServiceW(svc, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) {
			say_error("starting the service");
			r = 1;
		} else if (wait_state(svc, SERVICE_RUNNING, 15000) < 0) {
			r = 1;
		} else {
			printf("service %s running\n", WIN32_SERVICE_NAME);
		}
	} else {
		/* stop, and uninstall (which stops first) */
		SERVICE_STATUS_PROCESS sp;
		DWORD got;

		if (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof(sp), &got) &&
		    sp.dwCurrentState == SERVICE_STOPPED) {
			/* nothing to stop */
		} else if (ControlService(svc, SERVICE_CONTROL_STOP, &st) || GetLastError() == ERROR_SERVICE_NOT_ACTIVE) {
			if (wait_state(svc, SERVICE_STOPPED, 15000) < 0)
				r = 1;
		} else {
			say_error("stopping the service");
			r = 1;
		}
		if (strcmp(verb, "uninstall") == 0) {
			if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
				say_error("removing the service");
				r = 1;
			} else {
				RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY);
				r = 0;
				printf("service %s removed\n", WIN32_SERVICE_NAME);
			}
		} else if (!r) {
			printf("service %s stopped\n", WIN32_SERVICE_NAME);
		}
	}
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return r;
}

int win32_service_command(int argc, char **argv)
{
	const char *verb = argc > 2 ? argv[2] : "";

	if (strcmp(verb, "install") == 0) {
		int r = lock_data_dir();

		if (r)
			return r;
		if (argc == 3)
			return install(NULL);
		if (argc == 5 && strcmp(argv[3], "--config") == 0)
			return install(argv[4]);
	} else if (argc == 3 && strcmp(verb, "lock-datadir") == 0) {
		return lock_data_dir();
	} else if (argc == 3 && (strcmp(verb, "uninstall") == 0 || strcmp(verb, "start") == 0 ||
				 strcmp(verb, "stop") == 0)) {
		return control(verb);
	}
	fprintf(stderr, "usage: dsr-agent.exe service install [--config FILE] | uninstall | start | stop | lock-datadir\n");
	return 2;
}
