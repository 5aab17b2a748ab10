# win-realserver/: dsr-agent, the real-server agent.  The portable part
# (CLI, state, report) builds for every platform; agent_linux.c and
# status_server.c are the Linux platform.  A Windows build adds
# agent_win32.c and its own server behind the same two headers
# (agent_platform.h, status_server.h).

AGENT_COMMON_SRCS := win-realserver/dsr_agent.c win-realserver/agent_state.c win-realserver/agent_report.c
AGENT_LINUX_SRCS := win-realserver/agent_linux.c win-realserver/status_server.c
AGENT_OBJS := $(AGENT_COMMON_SRCS:%.c=$(BUILD)/obj/%.o) $(AGENT_LINUX_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/bin/dsr-agent: $(AGENT_OBJS) $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS) -lnl-route-3 -lnl-3
BINS += $(BUILD)/bin/dsr-agent

$(BUILD)/bin/dsrkit-pki: win-realserver/dsrkit-pki
	@mkdir -p $(dir $@)
	install -m 755 $< $@
BINS += $(BUILD)/bin/dsrkit-pki

.PHONY: install-agent
install-agent: $(BUILD)/bin/dsr-agent $(BUILD)/bin/dsrkit-pki
	install -D -m 755 $(BUILD)/bin/dsr-agent $(DESTDIR)$(SBINDIR)/dsr-agent
	install -D -m 755 $(BUILD)/bin/dsrkit-pki $(DESTDIR)$(BINDIR)/dsrkit-pki
	install -D -m 644 win-realserver/dsr-agent.8 $(DESTDIR)$(MANDIR)/man8/dsr-agent.8
	install -D -m 644 win-realserver/dsr-agent.conf.5 $(DESTDIR)$(MANDIR)/man5/dsr-agent.conf.5
	install -D -m 644 win-realserver/dsrkit-pki.1 $(DESTDIR)$(MANDIR)/man1/dsrkit-pki.1
	install -D -m 644 packaging/agent.conf.example $(DESTDIR)$(DATADIR)/doc/dsrkit-agent/examples/agent.conf.example
INSTALL_TARGETS += install-agent

# The portable layer over a fake platform table (tests/unit/test_agent_state.c).
$(BUILD)/tests/test_agent_state: $(BUILD)/obj/tests/unit/test_agent_state.o \
		$(BUILD)/obj/win-realserver/agent_state.o $(BUILD)/obj/win-realserver/agent_report.o \
		$(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_agent_state

# The Windows build (dsr-agent.exe, its wine tests, the MSI).
include win-realserver/win.mk
