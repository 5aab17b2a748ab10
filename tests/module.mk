# SPDX-License-Identifier: Apache-2.0
# tests/: the unit tests (cmocka; tests/unit/ mirrors the source folders),
# the libFuzzer targets (tests/fuzz/) and the lab's own tools.  The
# Windows layer's tests live in win-realserver/tests (win-realserver/module.mk).

TU := $(BUILD)/obj/tests/unit
define unit_link
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1)
endef

# bounded/
$(BUILD)/tests/test_bounded: $(TU)/bounded/test_bounded.o $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_bounded

# agent-proto/
$(BUILD)/tests/test_rules: $(TU)/agent-proto/test_rules.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_agent_json: $(TU)/agent-proto/test_agent_json.o $(AGENT_PROTO_OBJS) \
		$(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_JSON) $(LDLIBS_CMOCKA))
$(BUILD)/tests/test_agent_http: $(TU)/agent-proto/test_agent_http.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_agent_config: $(TU)/agent-proto/test_agent_config.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_rules $(BUILD)/tests/test_agent_json $(BUILD)/tests/test_agent_http \
	$(BUILD)/tests/test_agent_config

# kaconf/
$(BUILD)/tests/test_kaconf: $(TU)/kaconf/test_kaconf.o $(KACONF_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_kaconf

# arp/
$(BUILD)/tests/test_arp_packet: $(TU)/arp/test_arp_packet.o $(ARP_FRAME_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_arp_packet

# agent/: the portable layer over a fake platform table.
$(BUILD)/tests/test_agent_state: $(TU)/agent/test_agent_state.o $(BUILD)/obj/agent/agent_state.o \
		$(BUILD)/obj/agent/agent_admin.o $(BUILD)/obj/agent/agent_report.o $(BUILD)/obj/agent/read_budget.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_agent_state
$(BUILD)/tests/test_file_trust: $(TU)/agent/test_file_trust.o $(BUILD)/obj/agent/file_trust_linux.o
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_file_trust
$(BUILD)/tests/test_linux_parse: $(TU)/agent/test_linux_parse.o $(BUILD)/obj/agent/linux_parse.o \
		$(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_linux_parse

# ipvs-plugin/: messages and apply through the seam (a fake kernel).
IPVS_TEST_COMMON := $(TU)/ipvs-plugin/fake_kernel.o
$(BUILD)/tests/test_ipvs_msg: $(TU)/ipvs-plugin/test_ipvs_msg.o $(IPVS_TEST_COMMON) $(IPVS_A)
	$(call unit_link,$(LDLIBS_NL) $(LDLIBS_CMOCKA))
$(BUILD)/tests/test_ipvs_apply: $(TU)/ipvs-plugin/test_ipvs_apply.o $(IPVS_TEST_COMMON) $(IPVS_A)
	$(call unit_link,$(LDLIBS_NL) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_ipvs_msg $(BUILD)/tests/test_ipvs_apply
$(BUILD)/tests/test_ipvs_sync: $(TU)/ipvs-plugin/test_ipvs_sync.o $(IPVS_TEST_COMMON) $(IPVS_A)
	$(call unit_link,$(LDLIBS_NL) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_ipvs_sync

# ipvs-plugin/dsrctl/: configuration reading, the diff, lint rules.
$(BUILD)/tests/test_ipvs_conf: $(TU)/ipvs-plugin/dsrctl/test_ipvs_conf.o $(DSRCTL_CONF_OBJS) $(KACONF_OBJS) \
		$(BUILD)/obj/bounded/strparse.o $(BUILD)/obj/bounded/ipaddr.o $(IPVS_A)
	$(call unit_link,$(LDLIBS_NL) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_ipvs_conf
$(BUILD)/tests/test_ha_lint: $(TU)/ipvs-plugin/dsrctl/test_ha_lint.o $(HA_LINT_OBJS) $(KACONF_OBJS) \
		$(BUILD)/obj/bounded/strparse.o $(BUILD)/obj/bounded/ipaddr.o $(BUILD)/obj/bounded/buf.o
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_ha_lint

# checker/lib/
$(BUILD)/tests/test_checker_http: $(TU)/checker/lib/test_checker_http.o $(CHECKER_LIB)/http_resp.o $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_checker_conf: $(TU)/checker/lib/test_checker_conf.o $(CHECKER_LIB)/dsrkit_conf.o $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_check_sm: $(TU)/checker/lib/test_check_sm.o $(CHECKER_SM_OBJS) $(CHECKER_LIB)/verdict.o
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_checker_judge: $(TU)/checker/lib/test_checker_judge.o $(TU)/checker/good_facts.o \
		$(CHECKER_LIB)/judge.o $(CHECKER_LIB)/verdict.o $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_JSON) $(LDLIBS_CMOCKA))
$(BUILD)/tests/test_ticket_cache: $(TU)/checker/lib/test_ticket_cache.o $(TICKET_CACHE_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checker_http $(BUILD)/tests/test_checker_conf $(BUILD)/tests/test_check_sm \
	$(BUILD)/tests/test_checker_judge $(BUILD)/tests/test_ticket_cache

# checker/dsr-checkd/
$(BUILD)/tests/test_checkd: $(TU)/checker/dsr-checkd/test_checkd.o $(TU)/checker/good_facts.o \
		$(TU)/checker/dsr-checkd/checkd_fixture.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB) $(LDLIBS_CMOCKA))
$(BUILD)/tests/test_checkd_conf: $(TU)/checker/dsr-checkd/test_checkd_conf.o $(BUILD)/obj/checker/dsr-checkd/conf.o \
		$(CHECKER_LIB)/datapath_kind.o $(BUILD)/obj/arp/arp_packet.o $(KACONF_OBJS) $(DAEMON_PROTO_OBJS) \
		$(CHECKER_LIB)/verdict.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
$(BUILD)/tests/test_page: $(TU)/checker/dsr-checkd/test_page.o $(TU)/checker/good_facts.o \
		$(TU)/checker/dsr-checkd/checkd_fixture.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checkd $(BUILD)/tests/test_checkd_conf $(BUILD)/tests/test_page
$(BUILD)/tests/test_checkd_files: $(TU)/checker/dsr-checkd/test_checkd_files.o $(TU)/checker/good_facts.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checkd_files

# tlsfiles/
$(BUILD)/tests/test_tlsfiles: $(TU)/tlsfiles/test_tlsfiles.o $(TLSFILES_OBJS)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_tlsfiles
$(BUILD)/tests/test_checkd_failsafe: $(TU)/checker/dsr-checkd/test_checkd_failsafe.o $(TU)/checker/good_facts.o \
		$(TU)/checker/dsr-checkd/checkd_fixture.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checkd_failsafe
$(BUILD)/tests/test_checkd_ha: $(TU)/checker/dsr-checkd/test_checkd_ha.o $(BUILD)/obj/checker/dsr-checkd/ha.o \
		$(AGENT_PROTO_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_NL) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checkd_ha
$(BUILD)/tests/test_checkd_announce: $(TU)/checker/dsr-checkd/test_checkd_announce.o $(TU)/checker/good_facts.o \
		$(TU)/checker/dsr-checkd/checkd_fixture.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	$(call unit_link,$(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB) $(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_checkd_announce

# ---- fuzz targets (tests/fuzz/NAME.c, seed corpus tests/fuzz/corpus/NAME) ----
FUZZ_TARGETS += fuzz_ipaddr
FUZZ_SRCS_fuzz_ipaddr := tests/fuzz/fuzz_ipaddr.c $(BOUNDED_SRCS)

FUZZ_TARGETS += fuzz_agent_status fuzz_agent_http fuzz_agent_config fuzz_agent_longpoll
FUZZ_SRCS_fuzz_agent_longpoll := tests/fuzz/fuzz_agent_longpoll.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_agent_status := tests/fuzz/fuzz_agent_status.c $(AGENT_PROTO_PARSE_SRCS) \
	$(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_agent_status := $(LDLIBS_JSON)
FUZZ_SRCS_fuzz_agent_http := tests/fuzz/fuzz_agent_http.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_agent_config := tests/fuzz/fuzz_agent_config.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)

FUZZ_TARGETS += fuzz_kaconf
FUZZ_SRCS_fuzz_kaconf := tests/fuzz/fuzz_kaconf.c $(KACONF_SRCS) $(BOUNDED_SRCS)

FUZZ_TARGETS += fuzz_arp_frame
FUZZ_SRCS_fuzz_arp_frame := tests/fuzz/fuzz_arp_frame.c $(ARP_FRAME_SRCS) $(BOUNDED_SRCS)

FUZZ_TARGETS += fuzz_ipvs_msg
FUZZ_SRCS_fuzz_ipvs_msg := tests/fuzz/fuzz_ipvs_msg.c ipvs-plugin/ipvs_msg.c bounded/buf.c
FUZZ_LIBS_fuzz_ipvs_msg := -lnl-genl-3 -lnl-3

FUZZ_TARGETS += fuzz_http_resp fuzz_dsrkit_conf fuzz_checkd_proto
FUZZ_SRCS_fuzz_http_resp := tests/fuzz/fuzz_http_resp.c checker/lib/http_resp.c $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_dsrkit_conf := tests/fuzz/fuzz_dsrkit_conf.c checker/lib/dsrkit_conf.c $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_checkd_proto := tests/fuzz/fuzz_checkd_proto.c checker/lib/daemon_proto.c checker/lib/verdict.c \
	$(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)

# dsr-checkd's status endpoint with a web configuration file (TLS, client
# certificates, basic auth) on 127.0.0.1: part of `make unit`.
.PHONY: checkd-web-check
checkd-web-check: $(BUILD)/bin/dsr-checkd
	tests/checkd-web/run $(BUILD)/bin/dsr-checkd
unit: checkd-web-check

FUZZ_TARGETS += fuzz_checkd_webconf
FUZZ_SRCS_fuzz_checkd_webconf := tests/fuzz/fuzz_checkd_webconf.c checker/dsr-checkd/webconf.c
FUZZ_LIBS_fuzz_checkd_webconf := $(LDLIBS_WEB) $(LDLIBS_TLS)

# BIRD's control-socket reply (bird.c's parser); loop.c for the client
# beside it, never run
FUZZ_TARGETS += fuzz_announce_bird
FUZZ_SRCS_fuzz_announce_bird := tests/fuzz/fuzz_announce_bird.c checker/dsr-checkd/bird.c \
	checker/dsr-checkd/loop.c $(BOUNDED_SRCS)

# the kernel's acknowledgement of the announce device's address and link
# requests (rtnl_ack.c)
FUZZ_TARGETS += fuzz_announce_rtnl
FUZZ_SRCS_fuzz_announce_rtnl := tests/fuzz/fuzz_announce_rtnl.c checker/dsr-checkd/rtnl_ack.c

FUZZ_TARGETS += fuzz_checkd_conf
FUZZ_SRCS_fuzz_checkd_conf := tests/fuzz/fuzz_checkd_conf.c checker/dsr-checkd/conf.c checker/lib/datapath_kind.c \
	arp/arp_packet.c $(KACONF_SRCS) $(BOUNDED_SRCS)

# ---- the lab's own tools ----
# labhttpd: the real servers' HTTP service inside the lab.
$(BUILD)/bin/labhttpd: $(BUILD)/obj/tests/lab/tools/labhttpd.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
LAB_TOOLS += $(BUILD)/bin/labhttpd

# labsessions: long-lived client sessions that count what a failover cost.
$(BUILD)/bin/labsessions: $(BUILD)/obj/tests/lab/tools/labsessions.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
LAB_TOOLS += $(BUILD)/bin/labsessions

# dsrkit-tlsresp: many TLS agents in one process, for the dsr-checkd bench and lab tests
$(BUILD)/bin/dsrkit-tlsresp: $(BUILD)/obj/tests/bench/tools/tlsresp.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS)
LAB_TOOLS += $(BUILD)/bin/dsrkit-tlsresp

# dsrkit-ipvs-floor: the ipvs-apply benchmark's floors (one dump, one parse)
$(BUILD)/bin/dsrkit-ipvs-floor: $(BUILD)/obj/tests/bench/tools/ipvs_floor.o $(DSRCTL_CONF_OBJS) \
		$(BUILD)/obj/ipvs-plugin/dsrctl/apply_stamp.o $(KACONF_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_GENL)
LAB_TOOLS += $(BUILD)/bin/dsrkit-ipvs-floor
# ---- issue 18: the parsers the first campaign never reached ----
FUZZ_TARGETS += fuzz_agent_state fuzz_bounded_num fuzz_kaconf_include
FUZZ_SRCS_fuzz_agent_state := tests/fuzz/fuzz_agent_state.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_bounded_num := tests/fuzz/fuzz_bounded_num.c $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_kaconf_include := tests/fuzz/fuzz_kaconf_include.c $(KACONF_SRCS) $(BOUNDED_SRCS)
FUZZ_TARGETS += fuzz_dsrctl fuzz_checkd_listen
FUZZ_SRCS_fuzz_dsrctl := tests/fuzz/fuzz_dsrctl.c ipvs-plugin/dsrctl/dsrctl_conf.c ipvs-plugin/dsrctl/dr_lint.c \
	ipvs-plugin/dsrctl/lint_finding.c \
	$(filter-out bounded/buf.c,$(IPVS_LIB_SRCS)) $(KACONF_SRCS) $(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_dsrctl := -Iipvs-plugin/include -lnl-genl-3 -lnl-3  # (the one command compiles too)
FUZZ_SRCS_fuzz_checkd_listen := tests/fuzz/fuzz_checkd_listen.c checker/dsr-checkd/http.c checker/dsr-checkd/listener.c \
	checker/dsr-checkd/loop.c checker/dsr-checkd/webauth.c checker/dsr-checkd/webconf.c agent-proto/http_request.c \
	$(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_checkd_listen := $(LDLIBS_WEB) $(LDLIBS_TLS)
FUZZ_TARGETS += fuzz_win_facts
FUZZ_SRCS_fuzz_win_facts := tests/fuzz/fuzz_win_facts.c win-realserver/win_facts.c $(AGENT_PROTO_PARSE_SRCS) \
	$(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_win_facts := $(LDLIBS_JSON)
# win-realserver/'s portable decision on one request, built natively
$(BUILD)/tests/test_win_request: $(TU)/win-realserver/test_win_request.o \
		$(WIN_REQUEST_SRCS:%.c=$(BUILD)/obj/%.o) $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,$(LDLIBS_CMOCKA))
UNIT_TESTS += $(BUILD)/tests/test_win_request
# the Windows status server's answer to one request (win_request.c, portable)
FUZZ_TARGETS += fuzz_win_http
FUZZ_SRCS_fuzz_win_http := tests/fuzz/fuzz_win_http.c $(WIN_REQUEST_SRCS) $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
# the Linux agent's readers, parsed from buffers (agent/linux_parse.c)
FUZZ_TARGETS += fuzz_agent_proc fuzz_agent_diag
FUZZ_SRCS_fuzz_agent_proc := tests/fuzz/fuzz_agent_proc.c agent/linux_parse.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_agent_diag := tests/fuzz/fuzz_agent_diag.c agent/linux_parse.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
# dsrkit-drainwatch: fault-to-drain measured at the kernel (IPVS weight over netlink)
$(BUILD)/bin/dsrkit-drainwatch: $(BUILD)/obj/tests/lab/tools/drainwatch.o $(BOUNDED_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_NL) -lpthread
LAB_TOOLS += $(BUILD)/bin/dsrkit-drainwatch

# kaconf-check: dsrkit's keepalived.conf reader on one file, for the
# differential test against `keepalived -t` (tests/fuzz/kaconf-diff)
$(BUILD)/tests/kaconf-check: $(BUILD)/obj/tests/fuzz/kaconf_check.o $(KACONF_OBJS) $(BOUNDED_OBJS)
	$(call unit_link,)
# HAProxy's agent-check against dsr-agent's line port, HAProxy's stats
# socket as the oracle (a private network namespace on the host: no IPVS
# needed).  Part of `make unit`, so of `make check`.
# Each has two minutes: a run that hangs (one did once, under load) fails
# with its name rather than holding make check.
.PHONY: haproxy-check beats-check
haproxy-check: $(BUILD)/bin/dsr-agent $(BUILD)/bin/labhttpd $(BUILD)/bin/dsrkit-pki
	@BUILD=$(BUILD) timeout -k 10 120 tests/host/haproxy-agent-check.sh || \
		{ echo "haproxy-check: failed or timed out (2 min)"; exit 1; }
# Protocol 1.2's beats both ways: a real agent asked by hand, dsr-checkd
# against it and against responders of 1.1 and 1.2 (tests/host/).
beats-check: $(BUILD)/bin/dsr-agent $(BUILD)/bin/dsr-checkd $(BUILD)/bin/dsrkit-tlsresp $(BUILD)/bin/labhttpd \
		$(BUILD)/bin/dsrkit-pki
	@BUILD=$(BUILD) timeout -k 10 120 tests/host/checkd-beats.sh || \
		{ echo "beats-check: failed or timed out (2 min)"; exit 1; }
# both part of `make unit` (so of make check), as win-check is
ifeq ($(BUILD),build)
unit: haproxy-check beats-check
endif

# the kernel's netlink answers: IPVS through the library's seam, and the
# neighbour and route answers through libnl's send/recv hooks
FUZZ_TARGETS += fuzz_ipvs_dump fuzz_rtnl_reply
FUZZ_SRCS_fuzz_ipvs_dump := tests/fuzz/fuzz_ipvs_dump.c $(IPVS_LIB_SRCS)
FUZZ_LIBS_fuzz_ipvs_dump := -lnl-genl-3 -lnl-3
FUZZ_SRCS_fuzz_rtnl_reply := tests/fuzz/fuzz_rtnl_reply.c $(ARP_SRCS) ipvs-plugin/dsrctl/route_lookup.c $(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_rtnl_reply := -lnl-3
# their seeds' generator (tests/fuzz/nl_seedgen.c; not part of any build)
$(BUILD)/tests/nl-seedgen: $(BUILD)/obj/tests/fuzz/nl_seedgen.o
	$(call unit_link,$(LDLIBS_GENL))
