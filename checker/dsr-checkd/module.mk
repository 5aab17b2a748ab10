# checker/: dsr-check (keepalived MISC_CHECK) and, later, dsr-checkd.

CHECKER_CORE_SRCS := checker/verdict.c checker/http_resp.c checker/agent_conn.c checker/dsrkit_conf.c \
	checker/judge.c
CHECKER_CORE_OBJS := $(CHECKER_CORE_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/bin/dsr-check: $(BUILD)/obj/checker/dsr_check.o $(CHECKER_CORE_OBJS) $(BUILD)/obj/checker/datapath.o $(BUILD)/obj/checker/datapath_kind.o $(BUILD)/obj/checker/iface.o $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(BUILD)/lib/libdsrkit-ipvs.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL)
BINS += $(BUILD)/bin/dsr-check

$(BUILD)/tests/test_checker_http: $(BUILD)/obj/tests/unit/test_checker_http.o $(BUILD)/obj/checker/http_resp.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_checker_http

$(BUILD)/tests/test_checker_conf: $(BUILD)/obj/tests/unit/test_checker_conf.o $(BUILD)/obj/checker/dsrkit_conf.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_checker_conf

FUZZ_TARGETS += fuzz_http_resp
FUZZ_SRCS_fuzz_http_resp := tests/fuzz/fuzz_http_resp.c checker/http_resp.c $(BOUNDED_SRCS)
FUZZ_TARGETS += fuzz_dsrkit_conf
FUZZ_SRCS_fuzz_dsrkit_conf := tests/fuzz/fuzz_dsrkit_conf.c checker/dsrkit_conf.c $(BOUNDED_SRCS)

.PHONY: install-checker
install-checker: $(BUILD)/bin/dsr-check
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/bin/dsr-check $(DESTDIR)$(BINDIR)/dsr-check
	install -m 0644 checker/dsr-check.8 $(DESTDIR)$(MANDIR)/man8/dsr-check.8
INSTALL_TARGETS += install-checker

$(BUILD)/tests/test_check_sm: $(BUILD)/obj/tests/unit/test_check_sm.o $(BUILD)/obj/checker/check_sm.o $(BUILD)/obj/checker/verdict.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_check_sm

$(BUILD)/tests/test_checker_judge: $(BUILD)/obj/tests/unit/test_checker_judge.o $(BUILD)/obj/tests/unit/good_facts.o \
		$(BUILD)/obj/checker/judge.o \
		$(BUILD)/obj/checker/verdict.o $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_JSON) $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_checker_judge

# The ARP-problem detector (dsrctl arp-check, dsr-checkd).
ARP_DETECT_OBJS := $(BUILD)/obj/checker/arp_packet.o $(BUILD)/obj/checker/nd_packet.o $(BUILD)/obj/checker/arp_detect.o

$(BUILD)/tests/test_arp_packet: $(BUILD)/obj/tests/unit/test_arp_packet.o $(BUILD)/obj/checker/arp_packet.o \
		$(BUILD)/obj/checker/nd_packet.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_arp_packet

FUZZ_TARGETS += fuzz_arp_frame
FUZZ_SRCS_fuzz_arp_frame := tests/fuzz/fuzz_arp_frame.c checker/arp_packet.c checker/nd_packet.c $(BOUNDED_SRCS)

# ---- dsr-checkd: the checker daemon (issue 7) ----
# kaconf/ and ipvs-plugin/ are read after this file: name their parts here.
CHECKD_KACONF_SRCS := kaconf/kaconf.c kaconf/kaconf_vs.c
CHECKD_SRCS := checker/checkd_loop.c checker/checkd_conf.c checker/checkd_rs.c checker/checkd_metrics.c \
	checker/checkd_http.c checker/checkd_sock.c checker/checkd_listener.c checker/checkd_proto.c checker/checkd_notify.c \
	checker/checkd_weight.c checker/check_sm.c $(CHECKD_KACONF_SRCS)
# Standalone mode and the IPVS counters need libdsrkit-ipvs (ipvs-plugin/);
# without it dsr-checkd builds with a stub that says so.
ifneq ($(wildcard ipvs-plugin/include/dsrkit/ipvs.h),)
CHECKD_SRCS += checker/checkd_ipvs.c checker/checkd_datapath.c checker/checkd_arp.c checker/datapath.c \
	checker/datapath_kind.c checker/arp_detect.c checker/arp_packet.c checker/nd_packet.c checker/iface.c
CHECKD_IPVS_LIBS := $(BUILD)/lib/libdsrkit-ipvs.a
$(BUILD)/obj/checker/checkd_ipvs.o: ALL_CFLAGS += -Iipvs-plugin/include
else
CHECKD_SRCS += checker/checkd_ipvs_none.c
CHECKD_IPVS_LIBS :=
endif
CHECKD_OBJS := $(CHECKD_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/bin/dsr-checkd: $(BUILD)/obj/checker/checkd_main.o $(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) \
		$(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(CHECKD_IPVS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(CHECKD_IPVS_LIBS) $(LDLIBS_TLS) $(LDLIBS_JSON) \
		$(if $(CHECKD_IPVS_LIBS),$(LDLIBS_NL))
BINS += $(BUILD)/bin/dsr-checkd

# dsr-check --daemon speaks the socket's line protocol
$(BUILD)/bin/dsr-check: $(BUILD)/obj/checker/checkd_proto.o

$(BUILD)/tests/test_checkd: $(BUILD)/obj/tests/unit/test_checkd.o $(BUILD)/obj/tests/unit/good_facts.o \
		$(CHECKD_OBJS) $(CHECKER_CORE_OBJS) \
		$(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(CHECKD_IPVS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(CHECKD_IPVS_LIBS) $(LDLIBS_TLS) $(LDLIBS_JSON) \
		$(if $(CHECKD_IPVS_LIBS),$(LDLIBS_NL)) $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_checkd

$(BUILD)/tests/test_checkd_conf: $(BUILD)/obj/tests/unit/test_checkd_conf.o $(BUILD)/obj/checker/checkd_conf.o \
		$(BUILD)/obj/checker/datapath_kind.o $(BUILD)/obj/checker/arp_packet.o \
		$(CHECKD_KACONF_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/checker/checkd_proto.o $(BUILD)/obj/checker/verdict.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_checkd_conf

FUZZ_TARGETS += fuzz_checkd_conf
FUZZ_SRCS_fuzz_checkd_conf := tests/fuzz/fuzz_checkd_conf.c checker/checkd_conf.c checker/datapath_kind.c \
	checker/arp_packet.c $(CHECKD_KACONF_SRCS) $(BOUNDED_SRCS)
FUZZ_TARGETS += fuzz_checkd_proto
FUZZ_SRCS_fuzz_checkd_proto := tests/fuzz/fuzz_checkd_proto.c checker/checkd_proto.c checker/verdict.c \
	$(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)

.PHONY: install-checkd
install-checkd: $(BUILD)/bin/dsr-checkd
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/bin/dsr-checkd $(DESTDIR)$(SBINDIR)/dsr-checkd
	install -m 0644 checker/dsr-checkd.8 $(DESTDIR)$(MANDIR)/man8/dsr-checkd.8
# The unit and the Grafana dashboard are installed by install-packaging
# (packaging/module.mk): systemd's unit directory, not LIBDIR (multiarch).
INSTALL_TARGETS += install-checkd

# dsrkit-tlsresp: many TLS agents in one process, for the dsr-checkd bench and lab tests
$(BUILD)/bin/dsrkit-tlsresp: $(BUILD)/obj/tests/bench/tools/tlsresp.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS)
LAB_TOOLS += $(BUILD)/bin/dsrkit-tlsresp
