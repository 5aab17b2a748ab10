# SPDX-License-Identifier: Apache-2.0
# checker/dsr-check/: dsr-check, the keepalived MISC_CHECK program.

# Linked statically (DSR_CHECK_STATIC=no for a dynamic link): keepalived
# starts it once per check, and in a static binary nothing is loaded or
# relocated at start, and `--daemon` (a unix-socket question) touches no
# page of OpenSSL, json-c or libnl.  See doc/keepalived.md "What a check costs".
DSR_CHECK_STATIC ?= yes
ifeq ($(DSR_CHECK_STATIC),yes)
DSR_CHECK_LDFLAGS := -static -Wl,--no-warnings
else
DSR_CHECK_LDFLAGS :=
endif
$(BUILD)/bin/dsr-check: $(BUILD)/obj/checker/dsr-check/dsr_check.o $(BUILD)/obj/checker/dsr-check/keeper.o \
		$(CHECKER_CORE_OBJS) $(CHECKER_DATAPATH_OBJS) \
		$(TICKET_CACHE_OBJS) $(IFACE_OBJS) $(DAEMON_PROTO_OBJS) $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) \
		$(BOUNDED_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) $(DSR_CHECK_LDFLAGS) -o $@ $^ $(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL)
BINS += $(BUILD)/bin/dsr-check

.PHONY: install-checker
install-checker: $(BUILD)/bin/dsr-check
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/bin/dsr-check $(DESTDIR)$(BINDIR)/dsr-check
	install -m 0644 checker/dsr-check/dsr-check.8 $(DESTDIR)$(MANDIR)/man8/dsr-check.8
INSTALL_TARGETS += install-checker
