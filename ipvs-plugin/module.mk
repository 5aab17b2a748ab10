# SPDX-License-Identifier: Apache-2.0
# ipvs-plugin/: libdsrkit-ipvs (shared + static, one public header, hidden
# internals, pkg-config file).  dsrctl, on top of it, is in ipvs-plugin/dsrctl/.

IPVS_SOVER   := 0
IPVS_LIBVER  := 0.1.0
IPVS_LIB_SRCS := ipvs-plugin/ipvs_msg.c ipvs-plugin/ipvs_nl.c ipvs-plugin/ipvs_table.c \
	ipvs-plugin/ipvs_ops.c ipvs-plugin/ipvs_apply.c ipvs-plugin/ipvs_sync.c bounded/buf.c
IPVS_PIC_OBJS := $(IPVS_LIB_SRCS:%.c=$(BUILD)/pic/%.o)
IPVS_A   := $(BUILD)/lib/libdsrkit-ipvs.a
IPVS_SO  := $(BUILD)/lib/libdsrkit-ipvs.so.$(IPVS_LIBVER)
IPVS_PC  := $(BUILD)/lib/pkgconfig/dsrkit-ipvs.pc

ALL_CFLAGS += -Iipvs-plugin/include

# Library objects: position independent, only IPVS_API symbols exported.
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(IPVS_A): $(IPVS_PIC_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(call say,AR)
	$(Q)$(AR) rcs $@ $^

$(IPVS_SO): $(IPVS_PIC_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,libdsrkit-ipvs.so.$(IPVS_SOVER) -o $@ $^ $(LDLIBS_NL)
	$(Q)ln -sf libdsrkit-ipvs.so.$(IPVS_LIBVER) $(BUILD)/lib/libdsrkit-ipvs.so.$(IPVS_SOVER)
	$(Q)ln -sf libdsrkit-ipvs.so.$(IPVS_SOVER) $(BUILD)/lib/libdsrkit-ipvs.so

$(IPVS_PC): ipvs-plugin/dsrkit-ipvs.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(IPVS_LIBVER)|' $< >$@

LIBS += $(IPVS_A) $(IPVS_SO) $(IPVS_PC)

.PHONY: install-ipvs
install-ipvs: $(IPVS_A) $(IPVS_SO)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/dsrkit
	install -m 644 $(IPVS_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(IPVS_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libdsrkit-ipvs.so.$(IPVS_LIBVER) $(DESTDIR)$(LIBDIR)/libdsrkit-ipvs.so.$(IPVS_SOVER)
	ln -sf libdsrkit-ipvs.so.$(IPVS_SOVER) $(DESTDIR)$(LIBDIR)/libdsrkit-ipvs.so
	install -m 644 ipvs-plugin/include/dsrkit/ipvs.h $(DESTDIR)$(INCLUDEDIR)/dsrkit/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(IPVS_LIBVER)|' ipvs-plugin/dsrkit-ipvs.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/dsrkit-ipvs.pc
INSTALL_TARGETS += install-ipvs
