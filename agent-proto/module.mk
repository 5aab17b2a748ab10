# SPDX-License-Identifier: Apache-2.0
# agent-proto/: the portable core of the agent protocol (facts, rules, JSON
# writer, status document, HTTP request and config parsers).  No OS headers:
# the same files build for Linux, the checker and (mingw-w64) Windows.
# status_parse.c needs json-c and is Linux only (the checker's side).

AGENT_PROTO_SRCS := agent-proto/facts.c agent-proto/rules.c agent-proto/jsonw.c \
	agent-proto/status.c agent-proto/http_request.c agent-proto/agent_config.c
AGENT_PROTO_OBJS := $(AGENT_PROTO_SRCS:%.c=$(BUILD)/obj/%.o)
AGENT_PROTO_PARSE_SRCS := agent-proto/status_parse.c
AGENT_PROTO_PARSE_OBJS := $(AGENT_PROTO_PARSE_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/lib/libdsrkit-agent-proto.a: $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(call say,AR)
	$(Q)$(AR) rcs $@ $^
LIBS += $(BUILD)/lib/libdsrkit-agent-proto.a

# The portable core must stay free of OS headers: compile it for Windows.
MINGW_CC ?= x86_64-w64-mingw32-gcc
.PHONY: agent-proto-mingw
agent-proto-mingw:
	@if command -v $(MINGW_CC) >/dev/null 2>&1; then \
		for f in $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS); do \
			$(MINGW_CC) -std=gnu11 $(WARN) -I. -DDSRKIT_VERSION='"$(VERSION)"' -fsyntax-only $$f || exit 1; \
		done; echo "agent-proto-mingw: portable core compiles with $(MINGW_CC)"; \
	else echo "agent-proto-mingw: $(MINGW_CC) not found, skipped"; fi
unit: agent-proto-mingw
