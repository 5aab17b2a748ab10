# ipvs-plugin/: libdsrkit-ipvs (shared + static, one public header, hidden
# internals, pkg-config file) and dsrctl on top of it.

IPVS_SOVER   := 0
IPVS_LIBVER  := 0.1.0
IPVS_LIB_SRCS := ipvs-plugin/ipvs_msg.c ipvs-plugin/ipvs_nl.c ipvs-plugin/ipvs_table.c \
	ipvs-plugin/ipvs_ops.c ipvs-plugin/ipvs_apply.c bounded/buf.c
IPVS_PIC_OBJS := $(IPVS_LIB_SRCS:%.c=$(BUILD)/pic/%.o)
IPVS_A   := $(BUILD)/lib/libdsrkit-ipvs.a
IPVS_SO  := $(BUILD)/lib/libdsrkit-ipvs.so.$(IPVS_LIBVER)
IPVS_PC  := $(BUILD)/lib/pkgconfig/dsrkit-ipvs.pc

ALL_CFLAGS += -Iipvs-plugin/include

# Library objects: position independent, only IPVS_API symbols exported.
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(IPVS_A): $(IPVS_PIC_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(IPVS_SO): $(IPVS_PIC_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libdsrkit-ipvs.so.$(IPVS_SOVER) -o $@ $^ $(LDLIBS_NL)
	ln -sf libdsrkit-ipvs.so.$(IPVS_LIBVER) $(BUILD)/lib/libdsrkit-ipvs.so.$(IPVS_SOVER)
	ln -sf libdsrkit-ipvs.so.$(IPVS_SOVER) $(BUILD)/lib/libdsrkit-ipvs.so

$(IPVS_PC): ipvs-plugin/dsrkit-ipvs.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(IPVS_LIBVER)|' $< >$@

LIBS += $(IPVS_A) $(IPVS_SO) $(IPVS_PC)

# kaconf/ is linked into dsrctl (and later dsr-checkd) as objects; its
# module.mk is read after this one, so name its sources here too.
KACONF_SRCS ?= kaconf/kaconf.c kaconf/kaconf_vs.c
DSRCTL_SRCS := ipvs-plugin/dsrctl.c ipvs-plugin/dsrctl_conf.c ipvs-plugin/dsrctl_state.c ipvs-plugin/dr_lint.c \
	ipvs-plugin/route_lookup.c $(KACONF_SRCS) bounded/strparse.c bounded/ipaddr.c \
	checker/arp_check_cmd.c checker/arp_detect.c checker/arp_packet.c checker/nd_packet.c checker/iface.c
DSRCTL_OBJS := $(DSRCTL_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/bin/dsrctl: $(DSRCTL_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_GENL)
BINS += $(BUILD)/bin/dsrctl

# Unit tests: messages and apply through the seam, the diff, lint rules.
IPVS_TEST_COMMON := $(BUILD)/obj/tests/unit/fake_kernel.o
$(BUILD)/tests/test_ipvs_msg: $(BUILD)/obj/tests/unit/test_ipvs_msg.o $(IPVS_TEST_COMMON) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_NL) $(LDLIBS_CMOCKA)
$(BUILD)/tests/test_ipvs_apply: $(BUILD)/obj/tests/unit/test_ipvs_apply.o $(IPVS_TEST_COMMON) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_NL) $(LDLIBS_CMOCKA)
$(BUILD)/tests/test_ipvs_conf: $(BUILD)/obj/tests/unit/test_ipvs_conf.o \
		$(BUILD)/obj/ipvs-plugin/dsrctl_conf.o $(BUILD)/obj/ipvs-plugin/dr_lint.o \
		$(KACONF_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bounded/strparse.o \
		$(BUILD)/obj/bounded/ipaddr.o $(IPVS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_NL) $(LDLIBS_CMOCKA)
UNIT_TESTS += $(BUILD)/tests/test_ipvs_msg $(BUILD)/tests/test_ipvs_apply $(BUILD)/tests/test_ipvs_conf

.PHONY: install-ipvs
install-ipvs: $(IPVS_A) $(IPVS_SO) $(BUILD)/bin/dsrctl
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/dsrkit $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man8
	install -m 644 $(IPVS_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(IPVS_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libdsrkit-ipvs.so.$(IPVS_LIBVER) $(DESTDIR)$(LIBDIR)/libdsrkit-ipvs.so.$(IPVS_SOVER)
	ln -sf libdsrkit-ipvs.so.$(IPVS_SOVER) $(DESTDIR)$(LIBDIR)/libdsrkit-ipvs.so
	install -m 644 ipvs-plugin/include/dsrkit/ipvs.h $(DESTDIR)$(INCLUDEDIR)/dsrkit/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(IPVS_LIBVER)|' ipvs-plugin/dsrkit-ipvs.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/dsrkit-ipvs.pc
	install -m 755 $(BUILD)/bin/dsrctl $(DESTDIR)$(SBINDIR)/
	install -m 644 ipvs-plugin/dsrctl.8 $(DESTDIR)$(MANDIR)/man8/
INSTALL_TARGETS += install-ipvs

# Fuzz: kernel answers through the message walker and attribute parser.
FUZZ_TARGETS += fuzz_ipvs_msg
FUZZ_SRCS_fuzz_ipvs_msg := tests/fuzz/fuzz_ipvs_msg.c ipvs-plugin/ipvs_msg.c bounded/buf.c
FUZZ_LIBS_fuzz_ipvs_msg := -lnl-genl-3 -lnl-3
