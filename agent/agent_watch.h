/* SPDX-License-Identifier: Apache-2.0 */
/* agent_watch.h - what makes the Linux agent notice a change at once
 * instead of when it is next asked: rtnetlink address, link and IPv4
 * netconf events (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
 * RTNLGRP_IPV4_NETCONF: rp_filter) and inotify on the admin state file's
 * directory.  Descriptors for the caller's epoll loop; each event only says
 * "look again": the caller re-reads the facts and compares.  What sends no
 * event (the ARP sysctls, listeners) is the caller's periodic look
 * (watch_interval_ms), timed by its epoll timeout: a timer descriptor
 * would cost a read() per tick for nothing. */
#ifndef DSRKIT_AGENT_WATCH_H
#define DSRKIT_AGENT_WATCH_H

#include "agent-proto/agent_config.h"

enum agent_watch_src {
	AGENT_WATCH_NETLINK = 0,
	AGENT_WATCH_STATE_FILE,
	AGENT_WATCH_SRC_COUNT
};

struct agent_watch {
	int fd[AGENT_WATCH_SRC_COUNT];   /* -1: not open */
	int wd;                          /* inotify watch on the state file's directory */
	char state_base[AGENT_CONFIG_PATH_LEN];  /* the state file's name in it */
};

/* Open what cfg asks for (no inotify without a state file).  A source that
 * cannot be opened is reported on stderr and left out: the caller's
 * periodic look still catches its changes.  Returns 0. */
__attribute__((warn_unused_result))
int agent_watch_open(struct agent_watch *w, const struct agent_config *cfg);

/* Read and discard what fd[src] has pending.  Returns 1 when it may mean a
 * change (the facts should be read again), 0 when not (an unrelated file
 * in the state directory). */
int agent_watch_drain(struct agent_watch *w, enum agent_watch_src src);

void agent_watch_close(struct agent_watch *w);

#endif
