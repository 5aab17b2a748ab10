# tests/: unit tests of bounded/, the lab's own tools, and shared test rules.
# Other parts declare their unit tests in their own module.mk.

$(BUILD)/tests/test_bounded: $(BUILD)/obj/tests/unit/test_bounded.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_bounded

FUZZ_TARGETS += fuzz_ipaddr
FUZZ_SRCS_fuzz_ipaddr := tests/fuzz/fuzz_ipaddr.c $(BOUNDED_SRCS)

# labhttpd: the real servers' HTTP service inside the lab.
$(BUILD)/bin/labhttpd: $(BUILD)/obj/tests/lab/tools/labhttpd.o $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
LAB_TOOLS += $(BUILD)/bin/labhttpd
