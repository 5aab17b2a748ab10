# SPDX-License-Identifier: Apache-2.0
# packaging/: what `make install` adds beyond the programs and their man
# pages (systemd units, sysusers.d, tmpfiles.d, default configuration, bash completion,
# examples), and the packages: `make deb`, `make rpm`, `make packages`,
# `make pkg-check`.  See doc/packaging.md.
#
# This file is read after the programs' module.mk files (LAYERS) but before
# tests/module.mk, so anything that needs the full INSTALL_TARGETS, BINS or
# LIBS uses them in a recipe (expanded when it runs), never in a
# prerequisite list.

SYSTEMD_UNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),$(PREFIX)/lib/systemd/system)
SYSUSERSDIR     ?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),$(PREFIX)/lib/sysusers.d)
TMPFILESDIR     ?= $(or $(shell pkg-config --variable=tmpfilesdir systemd 2>/dev/null),$(PREFIX)/lib/tmpfiles.d)
BASHCOMPDIR     ?= $(DATADIR)/bash-completion/completions
DOCDIR          ?= $(DATADIR)/doc

PKG_DIR      := $(BUILD)/packages
PKG_UNITS    := $(wildcard packaging/systemd/*.service)
PKG_COMPLETIONS := dsrctl dsr-check dsr-checkd dsr-agent dsrkit-pki
DIRECTOR_EXAMPLES := $(DOCDIR)/dsrkit-director/examples
AGENT_EXAMPLES    := $(DOCDIR)/dsrkit-agent/examples

# Units name the programs in SBINDIR and the files in SYSCONFDIR (the same
# text for PREFIX=/usr, as the packages install them).
# Configuration files go to SYSCONFDIR only when absent: `make install`
# never overwrites an admin's file (packages install them as conffiles).
define install_conf
	install -d $(DESTDIR)$(SYSCONFDIR)/dsrkit
	[ -e $(DESTDIR)$(SYSCONFDIR)/dsrkit/$(1) ] || install -m 0644 packaging/etc/$(1) $(DESTDIR)$(SYSCONFDIR)/dsrkit/$(1)
endef

.PHONY: install-packaging
install-packaging:
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DIRECTOR_EXAMPLES)/keepalived \
		$(DESTDIR)$(DIRECTOR_EXAMPLES)/grafana $(DESTDIR)$(DIRECTOR_EXAMPLES)/prometheus $(DESTDIR)$(AGENT_EXAMPLES)
	for u in $(PKG_UNITS); do \
		sed -e 's|=/usr/sbin/|=$(SBINDIR)/|' -e 's| /etc/dsrkit/| $(SYSCONFDIR)/dsrkit/|' $$u \
			>$(DESTDIR)$(SYSTEMD_UNITDIR)/$$(basename $$u) || exit 1; \
		chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$$(basename $$u); done
	install -m 0644 packaging/sysusers/dsrkit-agent.conf packaging/sysusers/dsrkit-director.conf \
		$(DESTDIR)$(SYSUSERSDIR)/
	install -m 0644 packaging/tmpfiles/dsrctl.conf $(DESTDIR)$(TMPFILESDIR)/
	for c in $(PKG_COMPLETIONS); do \
		install -m 0644 packaging/bash-completion/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c || exit 1; done
	install -m 0644 packaging/man/dsrkit.conf.5 packaging/man/dsr-checkd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/keepalived/dsrkit-dr.conf $(DESTDIR)$(DIRECTOR_EXAMPLES)/keepalived/
	install -m 0644 packaging/keepalived/dsrkit.conf.example $(DESTDIR)$(DIRECTOR_EXAMPLES)/
	install -d $(DESTDIR)$(DIRECTOR_EXAMPLES)/keepalived/ha
	install -m 0644 packaging/keepalived/ha/* $(DESTDIR)$(DIRECTOR_EXAMPLES)/keepalived/ha/
	install -d $(DESTDIR)$(DIRECTOR_EXAMPLES)/bird
	install -m 0644 packaging/bird/*.conf $(DESTDIR)$(DIRECTOR_EXAMPLES)/bird/
	install -d $(DESTDIR)$(DIRECTOR_EXAMPLES)/systemd
	install -m 0644 packaging/systemd/dsr-checkd-announce.conf $(DESTDIR)$(DIRECTOR_EXAMPLES)/systemd/
	install -m 0644 packaging/etc/checkd.conf $(DESTDIR)$(DIRECTOR_EXAMPLES)/checkd.conf.example
	$(if $(wildcard packaging/grafana/*.json),install -m 0644 $(wildcard packaging/grafana/*.json) $(DESTDIR)$(DIRECTOR_EXAMPLES)/grafana/)
	install -m 0644 packaging/prometheus/dsrkit-checkd.rules.yml packaging/prometheus/dsrkit-checkd.test.yml \
		$(DESTDIR)$(DIRECTOR_EXAMPLES)/prometheus/
	$(call install_conf,dsrkit.conf)
	$(call install_conf,checkd.conf)
	$(call install_conf,agent.conf)
INSTALL_TARGETS += install-packaging

# What the packages build and install: the native programs and libraries
# only (no Windows cross build, no lab tools, no tests).  Recipes, so the
# lists are complete (see the top of this file).
.PHONY: build-native install-native
build-native:
	$(MAKE) $(LIBS) $(BINS)
install-native: build-native
	$(MAKE) $(INSTALL_TARGETS)

# ---- packages ----
.PHONY: deb rpm packages pkg-check
deb:
	packaging/build-deb $(PKG_DIR)
rpm:
	packaging/build-rpm $(PKG_DIR)

# The Windows MSI comes from win-realserver's rules when they define it.
WIN_MSI := $(BUILD)/win/dsr-agent.msi
packages: deb rpm
	@rm -f $(PKG_DIR)/*.msi
	@if $(MAKE) -n $(WIN_MSI) >/dev/null 2>&1; then \
		$(MAKE) $(WIN_MSI) && cp $(WIN_MSI) $(PKG_DIR)/dsr-agent-$(VERSION).msi; \
	else echo "packages: no MSI rule ($(WIN_MSI)) in this tree, skipped"; fi
	cd $(PKG_DIR) && rm -f SHA256SUMS && sha256sum *.deb *.rpm $$(ls *.msi 2>/dev/null) >SHA256SUMS
	@echo "packages: $(PKG_DIR)"; cat $(PKG_DIR)/SHA256SUMS

# lintian, rpmlint, deb/rpm file list comparison, systemd-analyze verify and
# the install test in a debootstrap root (PKG_CHECK_SKIP_ROOT=1 skips it).
# Part of `make check` (a prerequisite, so it runs before the check recipe;
# deps first, as on a fresh machine the tools come from there).
pkg-check: deps
	$(MAKE) deb rpm
	packaging/pkg-check $(PKG_DIR)
check: pkg-check

# ---- Prometheus and Grafana ----
# The shipped alerting rules parse (promtool check rules) and pass their unit
# tests (promtool test rules); a prerequisite of `make check`, as pkg-check.
PROM_RULES := packaging/prometheus/dsrkit-checkd.rules.yml
PROM_SCRAPES := build/lab/checkd-http/metrics.txt build/lab/checkd-datapath-arp/metrics-arp.txt \
	build/lab/checkd-datapath-arp/metrics-datapath.txt build/lab/ha-ecmp/metrics.txt
.PHONY: prometheus-rules prometheus-names
prometheus-rules:
	promtool check rules $(PROM_RULES)
	cd packaging/prometheus && promtool test rules dsrkit-checkd.test.yml
check: prometheus-rules

# After the lab (it saves real scrapes): every metric the Grafana dashboard
# and the rules name exists.  The check's own test first: a name no scrape
# has must fail it.
prometheus-names:
	@mkdir -p $(BUILD)/check-names
	@printf '# TYPE dsrkit_x_total counter\ndsrkit_x_total 1\n' >$(BUILD)/check-names/scrape.txt
	@printf '{"panels":[{"title":"t","targets":[{"expr":"sum by (a) (rate(%s[1m]))"}]}]}' \
		dsrkit_x_total >$(BUILD)/check-names/good.json
	@printf '{"panels":[{"title":"t","targets":[{"expr":"sum by (a) (rate(%s[1m]))"}]}]}' \
		dsrkit_y_total >$(BUILD)/check-names/bad.json
	@tests/prometheus/check-names --scrape $(BUILD)/check-names/scrape.txt \
		--dashboard $(BUILD)/check-names/good.json >/dev/null || \
		{ echo "prometheus-names: check-names refused a dashboard it should pass" >&2; exit 1; }
	@if tests/prometheus/check-names --scrape $(BUILD)/check-names/scrape.txt \
		--dashboard $(BUILD)/check-names/bad.json >/dev/null; then \
		echo "prometheus-names: check-names passed a dashboard with an unknown metric" >&2; exit 1; fi
	tests/prometheus/check-names $(addprefix --scrape ,$(PROM_SCRAPES)) \
		$(addprefix --dashboard ,$(wildcard packaging/grafana/*.json)) --rules $(PROM_RULES)
