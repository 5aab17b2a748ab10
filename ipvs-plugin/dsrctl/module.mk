# SPDX-License-Identifier: Apache-2.0
# ipvs-plugin/dsrctl/: dsrctl, the command line over libdsrkit-ipvs
# (status, apply, lint, drain/restore) and the ARP detector (arp-check).

DSRCTL_SRCS := $(sort $(wildcard ipvs-plugin/dsrctl/*.c))
DSRCTL_CONF_OBJS := $(BUILD)/obj/ipvs-plugin/dsrctl/dsrctl_conf.o $(BUILD)/obj/ipvs-plugin/dsrctl/dr_lint.o \
	$(BUILD)/obj/ipvs-plugin/dsrctl/lint_finding.o
HA_LINT_OBJS := $(BUILD)/obj/ipvs-plugin/dsrctl/ha_lint.o $(BUILD)/obj/ipvs-plugin/dsrctl/lint_finding.o
DSRCTL_OBJS := $(DSRCTL_SRCS:%.c=$(BUILD)/obj/%.o) $(KACONF_OBJS) $(BUILD)/obj/bounded/strparse.o \
	$(BUILD)/obj/bounded/ipaddr.o $(BUILD)/obj/bounded/color.o $(ARP_CMD_OBJS) $(ARP_OBJS)

$(BUILD)/bin/dsrctl: $(DSRCTL_OBJS) $(IPVS_A)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_GENL)
BINS += $(BUILD)/bin/dsrctl

.PHONY: install-dsrctl
install-dsrctl: $(BUILD)/bin/dsrctl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BUILD)/bin/dsrctl $(DESTDIR)$(SBINDIR)/
	install -m 644 ipvs-plugin/dsrctl/dsrctl.8 $(DESTDIR)$(MANDIR)/man8/
INSTALL_TARGETS += install-dsrctl
