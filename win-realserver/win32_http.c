/* SPDX-License-Identifier: Apache-2.0 */
/* win32_http.c - `dsr-agent.exe serve`: status_server_run() (the header
 * the Linux server implements with epoll and OpenSSL) over the HTTP Server
 * API v2 (http.sys).  http.sys owns the connections, TLS, keep-alive and
 * the slow-client timeouts (set from client_timeout_ms); this loop takes
 * one parsed request at a time, answers it from the cached facts and
 * never blocks on a client.  The optional agent-check line port runs on
 * its own thread.  The transport (HTTPS or the test build's plain HTTP) is
 * behind win32_http.h. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/http_request.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/buf.h"
#include "bounded/strparse.h"
#include "agent/agent_state.h"
#include "agent/status_server.h"
#include "win-realserver/win32_http.h"
#include "win-realserver/win32_service.h"

#define RECV_BUF (16 * 1024)

struct server {
	const struct agent_config *cfg;
	struct agent_state state;
	CRITICAL_SECTION lock;           /* the facts cache, shared with the agent-check thread */
	HANDLE queue;
	HANDLE stop_event;               /* set by stop(): the service's STOP, Ctrl-C */
	struct buf body;
	SOCKET check_sock;
};

static struct server srv;
static volatile LONG stopping;

static void stop(void)
{
	InterlockedExchange(&stopping, 1);
	/* not HttpShutdownRequestQueue: the main loop waits on this event
	 * next to its overlapped receive (and wine lacks that call) */
	if (srv.stop_event)
		SetEvent(srv.stop_event);
	if (srv.check_sock != INVALID_SOCKET)
		closesocket(srv.check_sock);
}

static uint64_t now_ms(void)
{
	return GetTickCount64();
}

static void peer_text(const HTTP_REQUEST *req, char *out, size_t n)
{
	const SOCKADDR *sa = req->Address.pRemoteAddress;
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa && sa->sa_family == AF_INET) {
		const SOCKADDR_IN *s4 = (const SOCKADDR_IN *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		const SOCKADDR_IN6 *s6 = (const SOCKADDR_IN6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	snprintf(out, n, "%s:%u", a, port);
}

static ULONG respond(HTTP_REQUEST_ID id, USHORT status, const char *reason, const char *body, size_t len,
		     const char *allow, int disconnect)
{
	HTTP_RESPONSE r;
	HTTP_DATA_CHUNK chunk;
	ULONG sent = 0;

	memset(&r, 0, sizeof(r));
	r.StatusCode = status;
	r.pReason = reason;
	r.ReasonLength = (USHORT)strlen(reason);
	r.Headers.KnownHeaders[HttpHeaderContentType].pRawValue = "application/json";
	r.Headers.KnownHeaders[HttpHeaderContentType].RawValueLength = 16;
	r.Headers.KnownHeaders[HttpHeaderCacheControl].pRawValue = "no-store";
	r.Headers.KnownHeaders[HttpHeaderCacheControl].RawValueLength = 8;
	if (allow) {
		r.Headers.KnownHeaders[HttpHeaderAllow].pRawValue = allow;
		r.Headers.KnownHeaders[HttpHeaderAllow].RawValueLength = (USHORT)strlen(allow);
	}
	if (len) {
		chunk.DataChunkType = HttpDataChunkFromMemory;
		chunk.FromMemory.pBuffer = (void *)body;
		chunk.FromMemory.BufferLength = (ULONG)len;
		r.EntityChunkCount = 1;
		r.pEntityChunks = &chunk;
	}
	return HttpSendHttpResponse(srv.queue, id, disconnect ? HTTP_SEND_RESPONSE_FLAG_DISCONNECT : 0, &r, NULL,
				    &sent, NULL, 0, NULL, NULL);
}

static void respond_error(const HTTP_REQUEST *req, enum http_error e, const char *why, int disconnect)
{
	const struct http_error_info *hi = &http_error_table[e];
	char body[256], peer[64];
	int n;

	peer_text(req, peer, sizeof(peer));
	win32_note("%s: %d %s: %s", peer, hi->status, hi->phrase, why);
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", why);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	respond(req->RequestId, (USHORT)hi->status, hi->phrase, body, (size_t)n,
		e == HTTP_ERR_METHOD ? "GET" : NULL, disconnect);
}

/* Text of a UTF-16 URL part (http.sys has decoded and canonicalized it). */
static int part(const WCHAR *w, size_t wlen, char *out, size_t n)
{
	int l;

	if (!wlen) {
		out[0] = '\0';
		return 0;
	}
	l = WideCharToMultiByte(CP_UTF8, 0, w, (int)wlen, out, (int)n - 1, NULL, NULL);
	if (l <= 0)
		return -EINVAL;
	out[l] = '\0';
	return 0;
}

static void handle(HTTP_REQUEST *req)
{
	const HTTP_COOKED_URL *u = &req->CookedUrl;
	char path[HTTP_MAX_PATH], query[HTTP_MAX_REQUEST_LINE];
	const HTTP_KNOWN_HEADER *cl = &req->Headers.KnownHeaders[HttpHeaderContentLength];
	const struct facts *f;
	struct status_target one;
	const char *why = "";
	size_t path_len, query_len, i;
	unsigned n_headers = req->Headers.UnknownHeaderCount;
	int r, err = 0;

	if (!win32_http_client_ok(srv.queue, req->ConnectionId, &why)) {
		char peer[64];

		peer_text(req, peer, sizeof(peer));
		win32_log(WIN32_LOG_WARNING, "%s refused: %s", peer, why);
		respond(req->RequestId, 403, "Forbidden", NULL, 0, NULL, 1);
		return;
	}
	for (i = 0; i < HttpHeaderRequestMaximum; i++)
		n_headers += req->Headers.KnownHeaders[i].RawValueLength > 0;
	if (u->FullUrlLength / sizeof(WCHAR) > HTTP_MAX_REQUEST_LINE) {
		respond_error(req, HTTP_ERR_URI_TOO_LONG, "request line too long", 1);
		return;
	}
	if (n_headers > HTTP_MAX_HEADERS) {
		respond_error(req, HTTP_ERR_HEADERS_TOO_LARGE, "too many header lines", 1);
		return;
	}
	if (req->Version.MajorVersion != 1 || req->Version.MinorVersion > 1) {
		respond_error(req, HTTP_ERR_VERSION, "HTTP version not supported", 1);
		return;
	}
	if (req->Verb != HttpVerbGET) {
		respond_error(req, HTTP_ERR_METHOD, "only GET", 0);
		return;
	}
	if (req->Headers.KnownHeaders[HttpHeaderTransferEncoding].RawValueLength) {
		respond_error(req, HTTP_ERR_TRANSFER_ENCODING, "Transfer-Encoding not accepted", 1);
		return;
	}
	if (cl->RawValueLength) {
		uint32_t len;

		if (parse_u32n(cl->pRawValue, cl->RawValueLength, &len, 0, UINT32_MAX) < 0) {
			respond_error(req, HTTP_ERR_BAD_REQUEST, "bad Content-Length", 1);
			return;
		}
		if (len > HTTP_MAX_BODY) {
			respond_error(req, HTTP_ERR_BODY_TOO_LARGE, "request body too large", 1);
			return;
		}
	}
	path_len = u->AbsPathLength / sizeof(WCHAR);
	query_len = u->QueryStringLength / sizeof(WCHAR);
	if (part(u->pAbsPath, path_len, path, sizeof(path)) < 0 ||
	    part(query_len ? u->pQueryString + 1 : NULL, query_len ? query_len - 1 : 0, query, sizeof(query)) < 0) {
		respond_error(req, HTTP_ERR_BAD_REQUEST, "bad URL", 1);
		return;
	}
	if (strcmp(path, "/v1/status") != 0) {
		respond_error(req, HTTP_ERR_NOT_FOUND, "no such path", 0);
		return;
	}
	r = http_query_target(query, &one, &why);
	if (r < 0) {
		respond_error(req, HTTP_ERR_BAD_REQUEST, why, 0);
		return;
	}
	EnterCriticalSection(&srv.lock);
	f = agent_state_facts(&srv.state, now_ms(), &err);
	buf_reset(&srv.body);
	if (f)
		err = r == 1 ? status_render(f, &one, 1, &srv.body)
			     : status_render(f, srv.cfg->targets, srv.cfg->n_targets, &srv.body);
	LeaveCriticalSection(&srv.lock);
	if (!f || err < 0) {
		respond_error(req, HTTP_ERR_UNAVAILABLE, f ? "status document too large" : "facts unreadable", 0);
		return;
	}
	respond(req->RequestId, 200, "OK", srv.body.data, srv.body.len, NULL, 0);
}

/* --- the agent-check line port -------------------------------------------- */

static void check_line(char *line, size_t n)
{
	const struct facts *f;
	struct findings *fs;
	size_t i, j;
	int err = 0, down = 0;

	EnterCriticalSection(&srv.lock);
	f = agent_state_facts(&srv.state, now_ms(), &err);
	if (!f) {
		snprintf(line, n, "down # facts\n");
	} else if (f->admin == ADMIN_STATE_MAINT) {
		snprintf(line, n, "maint\n");
	} else if (f->admin == ADMIN_STATE_DRAIN) {
		snprintf(line, n, "drain\n");
	} else {
		fs = malloc(sizeof(*fs));
		for (i = 0; fs && i < srv.cfg->n_targets && !down; i++) {
			findings_init(fs);
			rules_evaluate(f, &srv.cfg->targets[i].vip, srv.cfg->targets[i].port, fs);
			for (j = 0; j < fs->n; j++) {
				enum finding_layer l = finding_table[fs->items[j].code].layer;

				if (finding_table[fs->items[j].code].severity == FINDING_SEVERITY_CRITICAL &&
				    (l == FINDING_LAYER_DR || l == FINDING_LAYER_SERVICE))
					down = 1;
			}
		}
		free(fs);
		/* HAProxy leaves DRAIN or MAINT only on "ready" */
		if (down)
			snprintf(line, n, "down # dr\n");
		else if (f->weight >= 0)
			snprintf(line, n, "up ready %d%%\n", f->weight);
		else
			snprintf(line, n, "up ready\n");
	}
	LeaveCriticalSection(&srv.lock);
}

static DWORD WINAPI check_thread(void *arg)
{
	(void)arg;
	while (!stopping) {
		char line[64];
		SOCKET c = accept(srv.check_sock, NULL, NULL);
		DWORD ms = 1000;

		if (c == INVALID_SOCKET)
			break;
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, (const char *)&ms, sizeof(ms));
		check_line(line, sizeof(line));
		send(c, line, (int)strlen(line), 0);
		shutdown(c, SD_SEND);
		closesocket(c);
	}
	return 0;
}

static int check_port_open(const struct agent_config *cfg)
{
	SOCKADDR_STORAGE ss;
	int len, off = 0;
	WSADATA wsa;

	if (WSAStartup(MAKEWORD(2, 2), &wsa))
		return -EIO;
	memset(&ss, 0, sizeof(ss));
	if (cfg->agent_check_listen.family == IP_FAMILY_V4) {
		SOCKADDR_IN *s4 = (SOCKADDR_IN *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, cfg->agent_check_listen.b, 4);
		s4->sin_port = htons(cfg->agent_check_port);
		len = sizeof(*s4);
	} else {
		SOCKADDR_IN6 *s6 = (SOCKADDR_IN6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, cfg->agent_check_listen.b, 16);
		s6->sin6_port = htons(cfg->agent_check_port);
		len = sizeof(*s6);
	}
	srv.check_sock = socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
	if (srv.check_sock == INVALID_SOCKET)
		return -EIO;
	if (ss.ss_family == AF_INET6)   /* "::" takes IPv4 too, as on Linux */
		setsockopt(srv.check_sock, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&off, sizeof(off));
	if (bind(srv.check_sock, (SOCKADDR *)&ss, len) || listen(srv.check_sock, 64)) {
		closesocket(srv.check_sock);
		srv.check_sock = INVALID_SOCKET;
		return -EADDRINUSE;
	}
	if (!CreateThread(NULL, 0, check_thread, NULL, 0, NULL))
		return -EIO;
	return 0;
}

/* --- the server ----------------------------------------------------------- */

static void set_limits(HTTP_SERVER_SESSION_ID session, HTTP_URL_GROUP_ID group, const struct agent_config *cfg)
{
	HTTP_TIMEOUT_LIMIT_INFO t;
	HTTP_QOS_SETTING_INFO q;
	HTTP_CONNECTION_LIMIT_INFO cl;
	USHORT secs = (USHORT)((cfg->client_timeout_ms + 999) / 1000);
	USHORT hs = (USHORT)((cfg->handshake_timeout_ms + 999) / 1000);

	memset(&t, 0, sizeof(t));
	t.Flags.Present = 1;
	t.EntityBody = secs;
	t.DrainEntityBody = secs;
	t.RequestQueue = secs;
	t.IdleConnection = secs;
	/* From accept to the last header byte, TLS handshake included: a
	 * stranger gets handshake_timeout_ms (issue 16, finding 1).  http.sys
	 * counts HeaderWait for each request, kept-alive ones too: a checker's
	 * request head is one small write, so the short bound costs it nothing.
	 * http.sys has no per-source bound an application can set: that is the
	 * firewall's (doc/windows.md). */
	t.HeaderWait = hs < secs ? hs : secs;
	t.MinSendRate = 150;       /* bytes/s; http.sys' own floor */
	if (HttpSetServerSessionProperty(session, HttpServerTimeoutsProperty, &t, sizeof(t)) != NO_ERROR)
		win32_note("http.sys refused the timeouts (client_timeout_ms); its defaults apply");
	cl.Flags.Present = 1;
	cl.MaxConnections = cfg->max_clients;
	q.QosType = HttpQosSettingTypeConnectionLimit;
	q.QosSetting = &cl;
	if (HttpSetUrlGroupProperty(group, HttpServerQosProperty, &q, sizeof(q)) != NO_ERROR)
		win32_note("http.sys refused the connection limit (max_clients)");
	if (cfg->n_checker_allow || cfg->max_handshakes != 64 || cfg->max_handshakes_per_source != 8)
		win32_note("checker_allow, max_handshakes and max_handshakes_per_source have no effect on "
			   "Windows (http.sys has no per-source bound): restrict port %u in the firewall", cfg->port);
}

int status_server_run(const struct agent_config *cfg)
{
	HTTPAPI_VERSION v2 = HTTPAPI_VERSION_2;
	HTTP_SERVER_SESSION_ID session = 0;
	HTTP_URL_GROUP_ID group = 0;
	HTTP_BINDING_INFO bind;
	HTTP_REQUEST *req = NULL;
	char url[128], err[256] = "";
	const char *step = "HttpInitialize";
	HANDLE io_event = NULL;
	WCHAR wurl[128];
	ULONG e;
	int r = -EIO, tries;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	srv.check_sock = INVALID_SOCKET;
	InitializeCriticalSection(&srv.lock);
	agent_state_init(&srv.state, cfg);
	buf_init(&srv.body, STATUS_DOC_MAX);
	win32_service_on_stop(stop);

	/* http.sys is a demand-start driver: its first start may outlast one
	 * call on a busy machine (ERROR_SERVICE_REQUEST_TIMEOUT) */
	for (tries = 0; tries < 3; tries++) {
		e = HttpInitialize(v2, HTTP_INITIALIZE_SERVER, NULL);
		if (e != ERROR_SERVICE_REQUEST_TIMEOUT)
			break;
	}
	if (e != NO_ERROR) {
		win32_log(WIN32_LOG_ERROR, "http.sys is not available (%s: error %lu)", step, (unsigned long)e);
		return -EIO;
	}
	r = win32_http_transport_begin(cfg, url, sizeof(url), err, sizeof(err));
	if (r < 0) {
		win32_log(WIN32_LOG_ERROR, "cannot start: %s", err);
		goto out;
	}
	r = -EIO;
	if (!MultiByteToWideChar(CP_UTF8, 0, url, -1, wurl, 128))
		goto out;
	step = "HttpCreateServerSession";
	e = HttpCreateServerSession(v2, &session, 0);
	if (e == NO_ERROR) {
		step = "HttpCreateUrlGroup";
		e = HttpCreateUrlGroup(session, &group, 0);
	}
	if (e == NO_ERROR) {
		step = "HttpCreateRequestQueue";
		e = HttpCreateRequestQueue(v2, NULL, NULL, 0, &srv.queue);
	}
	if (e == NO_ERROR) {
		step = "HttpSetUrlGroupProperty";
		bind.Flags.Present = 1;
		bind.RequestQueueHandle = srv.queue;
		e = HttpSetUrlGroupProperty(group, HttpServerBindingProperty, &bind, sizeof(bind));
	}
	if (e == NO_ERROR) {
		set_limits(session, group, cfg);
		step = "HttpAddUrlToUrlGroup";
		e = HttpAddUrlToUrlGroup(group, wurl, 0, 0);
	}
	if (e != NO_ERROR) {
		win32_log(WIN32_LOG_ERROR, "cannot listen on %s (%s: http.sys error %lu%s)", url, step, (unsigned long)e,
			  e == ERROR_ACCESS_DENIED ? ": run as administrator or as the service" :
			  e == ERROR_ALREADY_EXISTS ? ": another program holds this URL" : "");
		goto out;
	}
	if (cfg->agent_check_port && check_port_open(cfg) < 0) {
		win32_log(WIN32_LOG_ERROR, "cannot open the agent-check port %u", cfg->agent_check_port);
		goto out;
	}
	req = malloc(RECV_BUF);
	srv.stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	io_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!req || !srv.stop_event || !io_event) {
		r = -ENOMEM;
		goto out;
	}
	win32_log(WIN32_LOG_INFO, "serving /v1/status on %s (%s)%s", url, win32_http_transport_name,
		  cfg->agent_check_port ? ", agent-check line port on" : "");
	win32_service_ready();
	r = 0;
	while (!stopping) {
		OVERLAPPED ov;
		HANDLE waits[2];
		DWORD got = 0;

		memset(req, 0, RECV_BUF);
		memset(&ov, 0, sizeof(ov));
		ov.hEvent = io_event;
		ResetEvent(io_event);
		e = HttpReceiveHttpRequest(srv.queue, HTTP_NULL_ID, 0, req, RECV_BUF, NULL, &ov);
		if (e == ERROR_IO_PENDING) {
			waits[0] = io_event;
			waits[1] = srv.stop_event;
			if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) {
				CancelIoEx(srv.queue, &ov);
				GetOverlappedResult(srv.queue, &ov, &got, TRUE);
				break;
			}
			e = GetOverlappedResult(srv.queue, &ov, &got, FALSE) ? NO_ERROR : GetLastError();
		}
		if (e == NO_ERROR) {
			handle(req);
		} else if (e == ERROR_MORE_DATA) {
			/* the head is larger than our buffer: far past the limits */
			respond_error(req, HTTP_ERR_HEADERS_TOO_LARGE, "request head too large", 1);
		} else if (stopping || e == ERROR_OPERATION_ABORTED || e == ERROR_INVALID_HANDLE) {
			break;
		} else {
			win32_log(WIN32_LOG_WARNING, "receiving a request failed (error %lu)", (unsigned long)e);
			Sleep(10);
		}
	}
	win32_log(WIN32_LOG_INFO, "stopped");
out:
	free(req);
	if (io_event)
		CloseHandle(io_event);
	if (srv.stop_event)
		CloseHandle(srv.stop_event);
	srv.stop_event = NULL;
	if (srv.check_sock != INVALID_SOCKET)
		closesocket(srv.check_sock);
	if (group)
		HttpCloseUrlGroup(group);
	if (session)
		HttpCloseServerSession(session);
	if (srv.queue)
		HttpCloseRequestQueue(srv.queue);
	srv.queue = NULL;
	win32_http_transport_end();   /* also after a failed begin: undoes what it did */
	HttpTerminate(HTTP_INITIALIZE_SERVER, NULL);
	buf_free(&srv.body);
	return r;
}
