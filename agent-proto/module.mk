# agent-proto/: the portable core of the agent protocol (facts, rules, JSON
# writer, status document, HTTP request and config parsers).  No OS headers:
# the same files build for Linux, the checker and (mingw-w64) Windows.
# status_parse.c needs json-c and is Linux only (the checker's side).

AGENT_PROTO_SRCS := agent-proto/facts.c agent-proto/rules.c agent-proto/jsonw.c \
	agent-proto/status.c agent-proto/http_request.c agent-proto/agent_config.c
AGENT_PROTO_OBJS := $(AGENT_PROTO_SRCS:%.c=$(BUILD)/obj/%.o)
AGENT_PROTO_PARSE_OBJS := $(BUILD)/obj/agent-proto/status_parse.o

$(BUILD)/lib/libdsrkit-agent-proto.a: $(AGENT_PROTO_OBJS) $(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^
LIBS += $(BUILD)/lib/libdsrkit-agent-proto.a

$(BUILD)/tests/test_rules: $(BUILD)/obj/tests/unit/test_rules.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_rules

$(BUILD)/tests/test_agent_json: $(BUILD)/obj/tests/unit/test_agent_json.o $(AGENT_PROTO_OBJS) \
		$(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_JSON) $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_agent_json

FUZZ_TARGETS += fuzz_agent_status
FUZZ_SRCS_fuzz_agent_status := tests/fuzz/fuzz_agent_status.c agent-proto/status_parse.c \
	$(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_LIBS_fuzz_agent_status := $(LDLIBS_JSON)

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

$(BUILD)/tests/test_agent_http: $(BUILD)/obj/tests/unit/test_agent_http.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_agent_http

$(BUILD)/tests/test_agent_config: $(BUILD)/obj/tests/unit/test_agent_config.o $(AGENT_PROTO_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_agent_config

FUZZ_TARGETS += fuzz_agent_http fuzz_agent_config
FUZZ_SRCS_fuzz_agent_http := tests/fuzz/fuzz_agent_http.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
FUZZ_SRCS_fuzz_agent_config := tests/fuzz/fuzz_agent_config.c $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
