/* SPDX-License-Identifier: Apache-2.0 */
/* bird.h - BIRD's control socket, as the VIP announcement (announce.h)
 * asks it: is the direct protocol that exports the announced VIPs up?
 *
 * `show protocols "NAME"` on BIRD's unix control socket, through the loop,
 * bounded in size and time, so that "BIRD is not running" is an error on
 * stderr, /status and /metrics instead of a silent no-announce.  announce.c
 * starts one probe every ANNOUNCE_BIRD_PERIOD_MS and shows the state.
 * The reply parser is pure and exported for the unit tests and the
 * libFuzzer target (tests/fuzz/fuzz_announce_bird.c). */
#ifndef DSRKIT_CHECKER_CHECKD_BIRD_H
#define DSRKIT_CHECKER_CHECKD_BIRD_H

#include <stddef.h>

#include "bounded/buf.h"
#include "checker/dsr-checkd/conf.h"
#include "checker/dsr-checkd/loop.h"

#define CHECKD_BIRD_TIMEOUT_MS  2000
#define CHECKD_BIRD_REPLY_MAX   (64 * 1024)  /* greeting and reply together */
#define CHECKD_BIRD_LINE_MAX    1024         /* BIRD's own lines stay under 512 */
#define CHECKD_BIRD_WORD_MAX    16           /* a protocol state word ("up", "start") */
#define CHECKD_BIRD_ERROR_MAX   400

/* What BIRD's control socket said; a short code and a text each, written once. */
enum checkd_bird_state {
	CHECKD_BIRD_UNKNOWN = 0,    /* not asked yet */
	CHECKD_BIRD_OFF,            /* announce_bird_socket off: not checked */
	CHECKD_BIRD_UP,             /* the protocol is up */
	CHECKD_BIRD_NOT_RUNNING,    /* the socket cannot be connected to */
	CHECKD_BIRD_NO_PROTOCOL,    /* BIRD has no protocol of that name */
	CHECKD_BIRD_PROTOCOL_DOWN,  /* the protocol exists in another state */
	CHECKD_BIRD_NO_ANSWER,      /* no complete reply within CHECKD_BIRD_TIMEOUT_MS */
	CHECKD_BIRD_BAD_REPLY,      /* a reply not understood, or an error */
	CHECKD_BIRD_COUNT
};

/* "unknown", "off", "up", "not_running", "no_protocol", "protocol_down",
 * "no_answer", "bad_reply". */
const char *checkd_bird_state_name(enum checkd_bird_state s);

struct checkd_bird_reply {
	enum checkd_bird_state state;     /* UP, NO_PROTOCOL, PROTOCOL_DOWN or BAD_REPLY */
	char word[CHECKD_BIRD_WORD_MAX];  /* UP, PROTOCOL_DOWN: the protocol's state word */
	char why[300];                    /* BAD_REPLY: what is wrong, peer text escaped */
};

/* Parse the len bytes BIRD's control socket has sent so far: the greeting
 * ("0001 BIRD 2.0.12 ready."), then the reply to `show protocols "NAME"`
 * for protocol (lines of a 4-digit code and '-' or ' ', the ' ' one ending
 * the reply; a line starting with a space continues the code before it; a
 * '+' line is an asynchronous message, skipped).  Pure.
 * Returns 1 when the reply is complete (r->state says what it means), 0
 * when more bytes are needed, -EBADMSG for a reply that cannot be one
 * (r->state BAD_REPLY, r->why): no greeting, a line without a code, a
 * line over CHECKD_BIRD_LINE_MAX, more than CHECKD_BIRD_REPLY_MAX
 * bytes, a protocol line of fewer than four columns, an error code. */
__attribute__((warn_unused_result))
int checkd_bird_parse(const char *data, size_t len, const char *protocol, struct checkd_bird_reply *r);

/* The client: what BIRD said last, and the probe in flight.  Embedded in
 * its owner (announce.c), which reads socket, proto, state and error for
 * /status and /metrics and writes nothing. */
struct checkd_bird {
	struct loop *loop;
	const char *iface;        /* the announce interface, named in log lines (the owner's) */
	char socket[CHECKD_ANNOUNCE_SOCKET_MAX], proto[CHECKD_ANNOUNCE_PROTO_MAX];
	enum checkd_bird_state state;
	char word[CHECKD_BIRD_WORD_MAX];
	char error[CHECKD_BIRD_ERROR_MAX];  /* the state in words, "" when up or off */
	/* the probe in flight (fd -1: none) */
	int fd;
	struct loop_io io;
	struct loop_timer deadline;
	struct buf rx;
};

/* Set up b (no socket, state UNKNOWN) on loop; iface must outlive b. */
void checkd_bird_init(struct checkd_bird *b, struct loop *loop, const char *iface);

/* After every configuration: when the socket path or the protocol name
 * changed, the probe in flight ends and the state starts again (OFF for
 * the socket "off", logged; else UNKNOWN).  Unchanged: nothing. */
void checkd_bird_configure(struct checkd_bird *b, const char *socket, const char *protocol);

/* Is BIRD not to be asked (announce_bird_socket off)? */
int checkd_bird_off(const struct checkd_bird *b);

/* Ask BIRD once, unless it is off or a probe is in flight.  The answer
 * (or its absence after CHECKD_BIRD_TIMEOUT_MS) lands in state, word and
 * error from the loop, logged when the state changed. */
void checkd_bird_start(struct checkd_bird *b);

/* End the probe in flight, if any (its descriptor, deadline and buffer);
 * the state stays.  Call it before freeing b. */
void checkd_bird_close(struct checkd_bird *b);

#endif
