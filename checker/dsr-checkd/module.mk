# SPDX-License-Identifier: Apache-2.0
# checker/dsr-checkd/: dsr-checkd, the checker daemon (one event loop for
# every real server; /metrics, /status, the unix socket, track files, and
# IPVS itself in standalone mode).

CHECKD_SRCS := $(filter-out checker/dsr-checkd/main.c,$(sort $(wildcard checker/dsr-checkd/*.c)))
CHECKD_OBJS := $(CHECKD_SRCS:%.c=$(BUILD)/obj/%.o) $(CHECKER_SM_OBJS) $(DAEMON_PROTO_OBJS) \
	$(CHECKER_DATAPATH_OBJS) $(ARP_OBJS) $(KACONF_OBJS)

$(BUILD)/bin/dsr-checkd: $(BUILD)/obj/checker/dsr-checkd/main.o $(CHECKD_OBJS) $(CHECKER_CORE_OBJS) $(AGENT_PROTO_OBJS) \
		$(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS) $(LDLIBS_JSON) $(LDLIBS_NL) $(LDLIBS_WEB)
BINS += $(BUILD)/bin/dsr-checkd

.PHONY: install-checkd
install-checkd: $(BUILD)/bin/dsr-checkd
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/bin/dsr-checkd $(DESTDIR)$(SBINDIR)/dsr-checkd
	install -m 0644 checker/dsr-checkd/dsr-checkd.8 $(DESTDIR)$(MANDIR)/man8/dsr-checkd.8
# The unit and the Grafana dashboard are installed by install-packaging
# (packaging/module.mk): systemd's unit directory, not LIBDIR (multiarch).
INSTALL_TARGETS += install-checkd
