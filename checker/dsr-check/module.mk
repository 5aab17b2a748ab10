# SPDX-License-Identifier: Apache-2.0
# checker/dsr-check/: dsr-check, the keepalived MISC_CHECK program.

$(BUILD)/bin/dsr-check: $(BUILD)/obj/checker/dsr-check/dsr_check.o $(CHECKER_CORE_OBJS) $(CHECKER_DATAPATH_OBJS) \
		$(IFACE_OBJS) $(DAEMON_PROTO_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL)
BINS += $(BUILD)/bin/dsr-check

.PHONY: install-checker
install-checker: $(BUILD)/bin/dsr-check
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/bin/dsr-check $(DESTDIR)$(BINDIR)/dsr-check
	install -m 0644 checker/dsr-check/dsr-check.8 $(DESTDIR)$(MANDIR)/man8/dsr-check.8
INSTALL_TARGETS += install-checker
