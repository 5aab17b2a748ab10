# kaconf/: the reader of keepalived's configuration syntax, linked as
# objects into dsrctl (and dsr-checkd).
KACONF_SRCS := kaconf/kaconf.c kaconf/kaconf_vs.c

$(BUILD)/tests/test_kaconf: $(BUILD)/obj/tests/unit/test_kaconf.o $(KACONF_SRCS:%.c=$(BUILD)/obj/%.o) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_kaconf

FUZZ_TARGETS += fuzz_kaconf
FUZZ_SRCS_fuzz_kaconf := tests/fuzz/fuzz_kaconf.c $(KACONF_SRCS) $(BOUNDED_SRCS)
