# SPDX-License-Identifier: Apache-2.0
# checker/lib/: what dsr-check and dsr-checkd share: the agent client
# (non-blocking mutual TLS), the HTTP response reader, the judgement with
# the agent's own rules, verdicts, the rise/fall state machine, the
# dsrkit.conf reader, the data-path probe (private fwmark services through
# libdsrkit-ipvs) and the daemon socket's line protocol.

CHECKER_LIB := $(BUILD)/obj/checker/lib
CHECKER_CORE_OBJS := $(CHECKER_LIB)/verdict.o $(CHECKER_LIB)/http_resp.o $(CHECKER_LIB)/agent_conn.o \
	$(CHECKER_LIB)/dsrkit_conf.o $(CHECKER_LIB)/judge.o $(TLSFILES_OBJS)
CHECKER_DATAPATH_OBJS := $(CHECKER_LIB)/datapath.o $(CHECKER_LIB)/datapath_kind.o
CHECKER_SM_OBJS := $(CHECKER_LIB)/check_sm.o
DAEMON_PROTO_OBJS := $(CHECKER_LIB)/daemon_proto.o
TICKET_CACHE_OBJS := $(CHECKER_LIB)/ticket_cache.o
