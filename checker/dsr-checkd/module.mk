# SPDX-License-Identifier: Apache-2.0
# checker/dsr-checkd/: dsr-checkd, the checker daemon (one event loop for
# every real server; /metrics, /status, the unix socket, track files, and
# IPVS itself in standalone mode).

CHECKD_SRCS := checker/dsr-checkd/loop.c checker/dsr-checkd/conf.c checker/dsr-checkd/rs.c \
	checker/dsr-checkd/metrics.c checker/dsr-checkd/http.c checker/dsr-checkd/sock.c \
	checker/dsr-checkd/listener.c checker/dsr-checkd/notify.c checker/dsr-checkd/weight.c \
	checker/dsr-checkd/ipvs.c checker/dsr-checkd/datapath.c checker/dsr-checkd/arp.c \
	checker/dsr-checkd/webconf.c checker/dsr-checkd/webauth.c
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
