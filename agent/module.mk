# SPDX-License-Identifier: Apache-2.0
# agent/: dsr-agent, the real-server agent.  The portable part (CLI, state,
# report) builds for every platform; agent_linux.c (with linux_parse.c, the
# parsers of what it reads) and status_server.c are the Linux platform.
# win-realserver/ adds the Windows platform and its own server behind the
# same two headers (agent_platform.h, status_server.h).

AGENT_COMMON_SRCS := agent/dsr_agent.c agent/agent_state.c agent/agent_report.c agent/agent_admin.c \
	agent/read_budget.c
AGENT_LINUX_SRCS  := agent/agent_linux.c agent/linux_parse.c agent/status_server.c agent/file_trust_linux.c \
	agent/agent_watch.c
AGENT_COMMON_OBJS := $(AGENT_COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
AGENT_OBJS := $(AGENT_COMMON_OBJS) $(AGENT_LINUX_SRCS:%.c=$(BUILD)/obj/%.o) $(TLSFILES_OBJS)

$(BUILD)/bin/dsr-agent: $(AGENT_OBJS) $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_TLS) -lnl-route-3 -lnl-3
BINS += $(BUILD)/bin/dsr-agent

.PHONY: install-agent
install-agent: $(BUILD)/bin/dsr-agent
	install -D -m 755 $(BUILD)/bin/dsr-agent $(DESTDIR)$(SBINDIR)/dsr-agent
	install -D -m 644 agent/dsr-agent.8 $(DESTDIR)$(MANDIR)/man8/dsr-agent.8
	install -D -m 644 agent/dsr-agent.conf.5 $(DESTDIR)$(MANDIR)/man5/dsr-agent.conf.5
	install -D -m 644 packaging/agent.conf.example $(DESTDIR)$(DATADIR)/doc/dsrkit-agent/examples/agent.conf.example
INSTALL_TARGETS += install-agent
