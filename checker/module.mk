# checker/: dsr-check (keepalived MISC_CHECK) and, later, dsr-checkd.

CHECKER_CORE_SRCS := checker/verdict.c checker/http_resp.c checker/agent_conn.c checker/dsrkit_conf.c \
	checker/judge.c
CHECKER_CORE_OBJS := $(CHECKER_CORE_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/bin/dsr-check: $(BUILD)/obj/checker/dsr_check.o $(CHECKER_CORE_OBJS) $(BUILD)/obj/checker/datapath.o $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(BUILD)/lib/libdsrkit-ipvs.a
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

$(BUILD)/tests/test_checker_judge: $(BUILD)/obj/tests/unit/test_checker_judge.o $(BUILD)/obj/checker/judge.o \
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
