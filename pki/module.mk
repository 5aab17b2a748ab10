# SPDX-License-Identifier: Apache-2.0
# pki/: dsrkit-pki, the small CA for the agents' and checkers' certificates.
$(BUILD)/bin/dsrkit-pki: pki/dsrkit-pki
	@mkdir -p $(dir $@)
	$(call say,GEN)
	$(Q)install -m 755 $< $@
BINS += $(BUILD)/bin/dsrkit-pki

.PHONY: install-pki
install-pki: $(BUILD)/bin/dsrkit-pki
	install -D -m 755 $(BUILD)/bin/dsrkit-pki $(DESTDIR)$(BINDIR)/dsrkit-pki
	install -D -m 644 pki/dsrkit-pki.1 $(DESTDIR)$(MANDIR)/man1/dsrkit-pki.1
INSTALL_TARGETS += install-pki
