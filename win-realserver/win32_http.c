/* SPDX-License-Identifier: Apache-2.0 */
/* win32_http.c - `dsr-agent.exe serve`: status_server_run() (the header
 * the Linux server implements with epoll and OpenSSL) over the HTTP Server
 * API v2 (http.sys).  http.sys owns the connections, TLS, keep-alive and
 * the slow-client timeouts (set from client_timeout_ms); this loop takes
 * one parsed request at a time, answers it from the cached facts and
 * never blocks on a client.  A long-poll (protocol 1.1) is held by its
 * request ID and answered later, when the watcher (win32_watch.c) sees the
 * generation move or its wait ends.  The optional agent-check line port
 * runs on its own thread.  The transport (HTTPS or the test build's plain
 * HTTP) is behind win32_http.h. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "agent-proto/http_request.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/buf.h"
#include "agent/agent_state.h"
#include "agent/status_server.h"
#include "win-realserver/win32_http.h"
#include "win-realserver/win32_service.h"
#include "win-realserver/win32_watch.h"
#include "win-realserver/win_request.h"

#define RECV_BUF (16 * 1024)

/* A long-poll held until the generation moves or its time ends.  http.sys
 * keeps the connection; answering a request whose client went away fails,
 * and is only logged. */
struct held {
	HTTP_REQUEST_ID id;
	struct http_query q;
	uint64_t until_ms;
	char peer[64];
};

struct server {
	const struct agent_config *cfg;
	struct agent_state state;
	CRITICAL_SECTION lock;           /* the facts cache, shared with the agent-check thread */
	HANDLE queue;
	HANDLE stop_event;               /* set by stop(): the service's STOP, Ctrl-C */
	struct buf body;
	SOCKET check_sock;
	struct win32_watch watch;
	/* held long-polls, unordered; at most max_clients (http.sys' own
	 * connection limit, so one per connection, as on Linux): past it a
	 * long-poll is answered at once */
	struct held *held;
	uint32_t n_held, max_held;
	uint32_t announced;              /* the generation the held ones were compared to */
	char directors_file[AGENT_CONFIG_PATH_LEN + 16];   /* STATE_FILE.directors, or "" */
	uint64_t directors_written_ms;
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

/* One extra response header (DSR-Generation), or none. */
struct extra_header {
	const char *name, *value;
};

static ULONG respond_with(HTTP_REQUEST_ID id, USHORT status, const char *reason, const char *body, size_t len,
			  const char *allow, int disconnect, const struct extra_header *x)
{
	HTTP_RESPONSE r;
	HTTP_DATA_CHUNK chunk;
	HTTP_UNKNOWN_HEADER uh;
	ULONG sent = 0;

	memset(&r, 0, sizeof(r));
	if (x) {
		uh.pName = x->name;
		uh.NameLength = (USHORT)strlen(x->name);
		uh.pRawValue = x->value;
		uh.RawValueLength = (USHORT)strlen(x->value);
		r.Headers.UnknownHeaderCount = 1;
		r.Headers.pUnknownHeaders = &uh;
	}
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

static ULONG respond(HTTP_REQUEST_ID id, USHORT status, const char *reason, const char *body, size_t len,
		     const char *allow, int disconnect)
{
	return respond_with(id, status, reason, body, len, allow, disconnect, NULL);
}

static void respond_error(const HTTP_REQUEST *req, enum http_error e, const char *why, int disconnect)
{
	struct win_error_reply r;
	char body[256], peer[64];
	size_t n = win_request_error_render(e, why, &r, body, sizeof(body));

	peer_text(req, peer, sizeof(peer));
	win32_note("%s: %d %s: %s", peer, r.status, r.phrase, why);
	respond(req->RequestId, (USHORT)r.status, r.phrase, body, n, r.allow, disconnect);
}

/* Text of a UTF-16 URL part (http.sys has decoded and canonicalized it),
 * for win_request_decide, which judges its length. */
static int part(const WCHAR *w, size_t wlen, char *out, size_t n, size_t *len)
{
	int l;

	*len = 0;
	if (!wlen)
		return 0;
	if (wlen > (size_t)INT_MAX)
		return -EINVAL;
	l = WideCharToMultiByte(CP_UTF8, 0, w, (int)wlen, out, (int)n, NULL, NULL);
	if (l <= 0)
		return -EINVAL;
	*len = (size_t)l;
	return 0;
}

/* The status document for q, as the answer to request id (peer for the log). */
static void answer_status(HTTP_REQUEST_ID id, const struct http_query *q, const char *peer)
{
	const struct http_error_info *hi = &http_error_table[HTTP_ERR_UNAVAILABLE];
	const struct facts *f;
	const char *why;
	char body[128];
	ULONG e;
	int err = 0;

	EnterCriticalSection(&srv.lock);
	f = agent_state_facts(&srv.state, now_ms(), &err);
	buf_reset(&srv.body);
	if (f)
		err = q->has_target ? status_render(f, &q->target, 1, &srv.body)
				    : status_render(f, srv.cfg->targets, srv.cfg->n_targets, &srv.body);
	LeaveCriticalSection(&srv.lock);
	if (f && err >= 0) {
		e = respond(id, 200, "OK", srv.body.data, srv.body.len, NULL, 0);
	} else {
		why = f ? "status document too large" : "facts unreadable";
		win32_note("%s: %d %s: %s", peer, hi->status, hi->phrase, why);
		snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", why);
		e = respond(id, (USHORT)hi->status, hi->phrase, body, strlen(body), NULL, 0);
	}
	if (e != NO_ERROR)
		win32_note("%s: the answer was not sent (error %lu): the client went away", peer, (unsigned long)e);
}

/* Hold a long-poll whose generation is current; 0 when held, -1 when it
 * must be answered now (the list is full). */
static int hold(const HTTP_REQUEST *req, const struct http_query *q, uint64_t t)
{
	struct held *h;

	if (srv.n_held >= srv.max_held)
		return -1;
	h = &srv.held[srv.n_held++];
	h->id = req->RequestId;
	h->q = *q;
	h->until_ms = t + win_request_hold_ms(q);
	peer_text(req, h->peer, sizeof(h->peer));
	return 0;
}

/* Answer held long-poll i (and take it off the list): 304 with
 * DSR-Generation when the generation is still the one it waited after,
 * else the document. */
static void held_answer(uint32_t i)
{
	struct held h = srv.held[i];
	uint32_t gen;
	int same;

	srv.held[i] = srv.held[--srv.n_held];
	EnterCriticalSection(&srv.lock);
	gen = srv.state.generation;
	same = srv.state.valid && h.q.after == gen;
	LeaveCriticalSection(&srv.lock);
	if (same) {
		char v[16];
		struct extra_header x = { "DSR-Generation", v };
		ULONG e;

		snprintf(v, sizeof(v), "%u", gen);
		e = respond_with(h.id, 304, "Not Modified", NULL, 0, NULL, 0, &x);
		if (e != NO_ERROR)
			win32_note("%s: the heartbeat was not sent (error %lu): the client went away", h.peer,
				   (unsigned long)e);
		return;
	}
	answer_status(h.id, &h.q, h.peer);
}

/* Held long-polls whose wait is over; returns the ms to the next deadline
 * (INFINITE: none held). */
static DWORD held_expire(void)
{
	uint64_t t = now_ms(), next = UINT64_MAX;
	uint32_t i = 0;

	while (i < srv.n_held) {
		if (srv.held[i].until_ms <= t) {
			held_answer(i);   /* the last one moves to i */
			continue;
		}
		if (srv.held[i].until_ms < next)
			next = srv.held[i].until_ms;
		i++;
	}
	if (next == UINT64_MAX)
		return INFINITE;
	return next - t > 60000 ? 60000 : (DWORD)(next - t);
}

/* The generation moved (a watched change, a tick, or a request's own
 * re-read after facts_cache): every held long-poll gets the news now. */
static void generation_check(void)
{
	uint32_t gen;

	EnterCriticalSection(&srv.lock);
	gen = srv.state.generation;
	LeaveCriticalSection(&srv.lock);
	if (gen == srv.announced)
		return;
	srv.announced = gen;
	while (srv.n_held)
		held_answer(srv.n_held - 1);
}

/* The request as plain buffers for win_request_decide.  path and query
 * hold the UTF-8 text (3 bytes at most per UTF-16 unit of a URL within the
 * limit; a longer one fails the conversion, and is refused for its length
 * first); hdrs the unknown headers. */
static void request_read(const HTTP_REQUEST *req, struct win_request *in, char *path, size_t path_cap,
			 char *query, size_t query_cap, struct win_request_header *hdrs, size_t hdrs_cap)
{
	const HTTP_COOKED_URL *u = &req->CookedUrl;
	const HTTP_KNOWN_HEADER *cl = &req->Headers.KnownHeaders[HttpHeaderContentLength];
	const HTTP_UNKNOWN_HEADER *h = req->Headers.pUnknownHeaders;
	size_t path_len = u->AbsPathLength / sizeof(WCHAR), query_len = u->QueryStringLength / sizeof(WCHAR), i;

	memset(in, 0, sizeof(*in));
	if (req->Verb == HttpVerbGET) {
		in->verb = "GET";
		in->verb_len = 3;
	} else if (req->UnknownVerbLength && req->pUnknownVerb) {
		in->verb = req->pUnknownVerb;
		in->verb_len = req->UnknownVerbLength;
	} else {
		in->verb = "OTHER";   /* a verb http.sys knows, not GET */
		in->verb_len = 5;
	}
	in->major = req->Version.MajorVersion;
	in->minor = req->Version.MinorVersion;
	in->url_units = u->FullUrlLength / sizeof(WCHAR);
	for (i = 0; i < HttpHeaderRequestMaximum; i++)
		in->n_known += req->Headers.KnownHeaders[i].RawValueLength > 0;
	if (cl->RawValueLength) {
		in->content_length = cl->pRawValue;
		in->content_length_len = cl->RawValueLength;
	}
	in->transfer_encoding_len = req->Headers.KnownHeaders[HttpHeaderTransferEncoding].RawValueLength;
	/* the query string starts with its '?' */
	in->url_bad = part(u->pAbsPath, path_len, path, path_cap, &in->path_len) < 0 ||
		      part(query_len ? u->pQueryString + 1 : NULL, query_len ? query_len - 1 : 0, query, query_cap,
			   &in->query_len) < 0;
	in->path = path;
	in->query = query;
	for (i = 0; i < req->Headers.UnknownHeaderCount && i < hdrs_cap; i++) {
		hdrs[i].name = h[i].pName;
		hdrs[i].name_len = h[i].NameLength;
		hdrs[i].value = h[i].pRawValue;
		hdrs[i].value_len = h[i].RawValueLength;
	}
	in->unknown = hdrs;
	in->n_unknown = req->Headers.UnknownHeaderCount;
	if (in->n_unknown > hdrs_cap)   /* refused for their number before they are read */
		in->n_unknown = hdrs_cap + 1;
}

static void handle(HTTP_REQUEST *req)
{
	char path[3 * HTTP_MAX_REQUEST_LINE], query[3 * HTTP_MAX_REQUEST_LINE];
	struct win_request_header hdrs[HTTP_MAX_HEADERS];
	struct win_request in;
	struct win_answer a;
	const char *why = "";
	uint64_t t;
	int err = 0;

	if (!win32_http_client_ok(srv.queue, req->ConnectionId, &why)) {
		char peer[64];

		peer_text(req, peer, sizeof(peer));
		win32_log(WIN32_LOG_WARNING, "%s refused: %s", peer, why);
		respond(req->RequestId, 403, "Forbidden", NULL, 0, NULL, 1);
		return;
	}
	request_read(req, &in, path, sizeof(path), query, sizeof(query), hdrs, HTTP_MAX_HEADERS);
	if (win_request_decide(&in, &a) != HTTP_ERR_NONE) {
		respond_error(req, a.error, a.why, a.disconnect);
		return;
	}
	t = now_ms();
	/* on news, and once a second anyway: the file's times say who
	 * still reports (as the Linux agent does) */
	if (a.n_dirs > 0) {
		EnterCriticalSection(&srv.lock);
		if ((agent_state_directors_note(&srv.state, a.dirs, a.n_dirs, t) ||
		     t - srv.directors_written_ms >= 1000) && srv.directors_file[0]) {
			if (agent_state_directors_write(&srv.state, srv.directors_file, t) < 0)
				win32_note("cannot write %s", srv.directors_file);
			srv.directors_written_ms = t;
		}
		LeaveCriticalSection(&srv.lock);
	}
	if (win_request_hold_ms(&a.q) > 0) {
		int now_current;

		EnterCriticalSection(&srv.lock);
		now_current = agent_state_facts(&srv.state, t, &err) && a.q.after == srv.state.generation;
		LeaveCriticalSection(&srv.lock);
		/* a re-read above may have moved the generation: the held
		 * ones hear of it before this one joins them */
		generation_check();
		if (now_current && hold(req, &a.q, t) == 0)
			return;
	}
	{
		char peer[64];

		peer_text(req, peer, sizeof(peer));
		answer_status(req->RequestId, &a.q, peer);
	}
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

/* --- watching ------------------------------------------------------------- */

/* Read the facts again (why: for the log); a new generation reaches the
 * held long-polls in the loop's generation_check(). */
static void look_again(enum win32_read_kind kind, const char *why)
{
	uint64_t t0 = win32_watch_now_us();
	uint32_t gen;
	int r;

	EnterCriticalSection(&srv.lock);
	r = agent_state_refresh(&srv.state, now_ms());
	gen = srv.state.generation;
	LeaveCriticalSection(&srv.lock);
	win32_watch_read_done(&srv.watch, t0, win32_watch_now_us() - t0, kind);
	if (r > 0)
		win32_note("generation %u: the facts changed (%s)", gen, why);
	else if (r < 0 && gen != srv.announced)
		win32_note("generation %u: the facts cannot be read (%s)", gen, why);
}

static void watch_start(void)
{
	int err = 0;

	(void)win32_watch_open(&srv.watch, srv.cfg, win32_watch_now_us());
	EnterCriticalSection(&srv.lock);
	(void)agent_state_facts(&srv.state, now_ms(), &err);
	srv.announced = srv.state.generation;
	LeaveCriticalSection(&srv.lock);
}

/* One receive completed with e: handle the request.  -1 when the queue
 * is gone (stop). */
static int received(HTTP_REQUEST *req, ULONG e)
{
	if (e == NO_ERROR) {
		handle(req);
	} else if (e == ERROR_MORE_DATA) {
		/* the head is larger than our buffer: far past the limits */
		respond_error(req, HTTP_ERR_HEADERS_TOO_LARGE, "request head too large", 1);
	} else if (stopping || e == ERROR_OPERATION_ABORTED || e == ERROR_INVALID_HANDLE) {
		return -1;
	} else {
		win32_log(WIN32_LOG_WARNING, "receiving a request failed (error %lu)", (unsigned long)e);
		Sleep(10);
	}
	return 0;
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
	OVERLAPPED ov;
	WCHAR wurl[128];
	ULONG e;
	int r = -EIO, tries, posted = 0;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	srv.watch.dir = INVALID_HANDLE_VALUE;
	if (cfg->state_file[0])
		snprintf(srv.directors_file, sizeof(srv.directors_file), "%s.directors", cfg->state_file);
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
	srv.max_held = cfg->max_clients;
	srv.held = calloc(srv.max_held, sizeof(*srv.held));
	srv.stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	io_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!req || !srv.held || !srv.stop_event || !io_event) {
		r = -ENOMEM;
		goto out;
	}
	watch_start();
	win32_log(WIN32_LOG_INFO, "serving /v1/status on %s (%s)%s", url, win32_http_transport_name,
		  cfg->agent_check_port ? ", agent-check line port on" : "");
	win32_service_ready();
	r = 0;
	while (!stopping) {
		HANDLE waits[2 + WIN32_WATCH_SRC_COUNT];
		enum win32_watch_src src[WIN32_WATCH_SRC_COUNT];
		enum win32_read_kind kind;
		DWORD got = 0, n = 0, w, timeout, t2;
		int i;

		if (!posted) {
			memset(req, 0, RECV_BUF);
			memset(&ov, 0, sizeof(ov));
			ov.hEvent = io_event;
			ResetEvent(io_event);
			e = HttpReceiveHttpRequest(srv.queue, HTTP_NULL_ID, 0, req, RECV_BUF, NULL, &ov);
			if (e == ERROR_IO_PENDING)
				posted = 1;
			else if (received(req, e) < 0)
				break;
			else
				continue;
		}
		/* the stop first, the receive last: a stream of requests
		 * never keeps a change from being seen */
		waits[n++] = srv.stop_event;
		for (i = 0; i < WIN32_WATCH_SRC_COUNT; i++)
			if (srv.watch.ev[i]) {
				src[n - 1] = (enum win32_watch_src)i;
				waits[n++] = srv.watch.ev[i];
			}
		waits[n++] = io_event;
		timeout = held_expire();
		t2 = win32_watch_timeout_ms(&srv.watch, win32_watch_now_us());
		if (t2 < timeout)
			timeout = t2;
		w = WaitForMultipleObjects(n, waits, FALSE, timeout);
		if (stopping || w == WAIT_OBJECT_0 || w == WAIT_FAILED)
			break;
		if (w == WAIT_OBJECT_0 + n - 1) {
			posted = 0;
			e = GetOverlappedResult(srv.queue, &ov, &got, FALSE) ? NO_ERROR : GetLastError();
			if (received(req, e) < 0)
				break;
		} else if (w > WAIT_OBJECT_0 && w < WAIT_OBJECT_0 + n - 1) {
			enum win32_watch_src s = src[w - WAIT_OBJECT_0 - 1];

			if (win32_watch_rearm(&srv.watch, s) && win32_watch_event(&srv.watch, win32_watch_now_us()))
				look_again(WIN32_READ_EVENT, win32_watch_src_names[s]);
		}
		kind = win32_watch_poll(&srv.watch, win32_watch_now_us());
		if (kind != WIN32_READ_NONE)
			look_again(kind, kind == WIN32_READ_TICK ? "periodic re-read" : "a change held back by the budget");
		generation_check();
	}
	if (posted) {
		DWORD got = 0;

		CancelIoEx(srv.queue, &ov);
		GetOverlappedResult(srv.queue, &ov, &got, TRUE);
	}
	/* held long-polls end with the server: http.sys closes their
	 * connections when the queue is closed below */
	win32_log(WIN32_LOG_INFO, "stopped");
out:
	win32_watch_close(&srv.watch);
	free(req);
	free(srv.held);
	srv.held = NULL;
	srv.n_held = 0;
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
