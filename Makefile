# SPDX-License-Identifier: Apache-2.0
# dsrkit - one GNU Makefile for the whole tree.  Each folder adds its targets
# in its own module.mk, read in the order of the layers declared in LAYERS
# (bottom first), so a module.mk may use what a lower layer defines.  See
# README.md for the targets and doc/architecture.md for the layers.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
DATADIR     ?= $(PREFIX)/share
VERSION     := 0.1.0

BUILD   ?= build

# The build speaks as kernel and git builds do: one short line a step
# ("  CC      checker/lib/verdict.o"); `make V=1` shows every command.
V ?= 0
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(patsubst $(BUILD)/obj/%,%,$(patsubst $(BUILD)/%,%,$@))'
MAKEFLAGS += --no-print-directory
endif
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wformat=2
ifeq ($(CI),true)
WARN    += -Werror
endif
PKGS_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 libnl-route-3.0 json-c openssl 2>/dev/null)
ALL_CFLAGS   = -std=gnu11 $(WARN) $(CFLAGS) -I. -D_GNU_SOURCE -DDSRKIT_VERSION='"$(VERSION)"' $(PKGS_CFLAGS) -MMD -MP
LDLIBS_NL    := -lnl-genl-3 -lnl-route-3 -lnl-3
# dsrctl: no libnl-route, whose constructors are most of its start-up
LDLIBS_GENL  := -lnl-genl-3 -lnl-3
LDLIBS_TLS   := -lssl -lcrypto
LDLIBS_JSON  := -ljson-c
# dsr-checkd's web configuration file (YAML) and its bcrypt password hashes
LDLIBS_WEB   := -lyaml -lcrypt
LDLIBS_CMOCKA := -lcmocka

# Filled in by the module.mk files.
BINS        :=
LIBS        :=
UNIT_TESTS  :=
FUZZ_TARGETS :=
LAB_TOOLS   :=
INSTALL_TARGETS :=   # phony targets a module adds; each honours DESTDIR and PREFIX

.PHONY: all check layercheck license-check cli-check browser-check unit lab fuzz fuzz-smoke fuzz-long fuzz-merge demo bench asan soak install deps clean fault-matrix
all:

# Objects of any .c file of the tree: build/obj/<path>.o
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

MODULES := $(shell awk '!/^\#/ && NF >= 2 { print $$2 }' LAYERS)
include $(wildcard $(MODULES:%=%/module.mk))

# Fuzz targets: a module adds NAME to FUZZ_TARGETS and sets FUZZ_SRCS_NAME
# (and FUZZ_LIBS_NAME); they are built with clang's libFuzzer.
FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE $(PKGS_CFLAGS) -DDSRKIT_VERSION='"$(VERSION)"'
define fuzz_rule
$(BUILD)/fuzz/$(1): $$(FUZZ_SRCS_$(1))
	@mkdir -p $$(dir $$@)
	$$(call say,FUZZ)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

fuzz: $(FUZZ_BINS)

# Each target runs a bounded time from its seed corpus (tests/fuzz/corpus/NAME).
fuzz-smoke: $(FUZZ_BINS) $(BUILD)/tests/kaconf-check
	@build-aux/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)
	@tests/fuzz/kaconf-diff $(BUILD)/tests/kaconf-check

# Every target for FUZZ_SECONDS (e.g. make fuzz-long FUZZ_SECONDS=3600).
fuzz-long: $(FUZZ_BINS)
	@build-aux/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

# Fold what the runs found (build/fuzz/corpus-NAME) into the seeds, minimised.
fuzz-merge: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		rm -rf build/fuzz/merge-$$t && mkdir -p build/fuzz/merge-$$t tests/fuzz/corpus/$$t build/fuzz/corpus-$$t && \
		$(BUILD)/fuzz/$$t -merge=1 build/fuzz/merge-$$t tests/fuzz/corpus/$$t build/fuzz/corpus-$$t >/dev/null 2>&1 && \
		rm -rf tests/fuzz/corpus/$$t && mv build/fuzz/merge-$$t tests/fuzz/corpus/$$t && \
		echo "$$t: $$(ls tests/fuzz/corpus/$$t | wc -l) seeds"; \
	done

all: $(LIBS) $(BINS) $(LAB_TOOLS)

# deps first: on a fresh Debian machine `make check` needs nothing else.
check: deps
	$(MAKE) layercheck license-check
	$(MAKE) all
	$(MAKE) cli-check
	$(MAKE) unit
	$(MAKE) -j2 fuzz    # one clang run per target, independent: both cores
	$(MAKE) fuzz-smoke
	$(MAKE) lab
	$(MAKE) browser-check
	$(MAKE) prometheus-names

# Every include points down the layers of LAYERS (and the checker's own test).
layercheck:
	@build-aux/layercheck
	@build-aux/test-layercheck

# Every source file carries its SPDX line (and the check's own test).
license-check:
	@build-aux/spdxcheck
	@build-aux/test-spdxcheck

# Habits of the command line: man pages lint-clean, completions offer what
# --help lists, colour only on a terminal and never with NO_COLOR.
cli-check: all
	@build-aux/manlint
	@tests/cli/completion-check $(BUILD)/bin
	@tests/cli/color-check $(BUILD)/bin

# The status page in Debian's Chromium, from the page the lab test
# checkd-page saved (so after `make lab`).
browser-check:
	@tests/browser/status-page

unit: $(UNIT_TESTS)
	@build-aux/run-unit $(UNIT_TESTS)

asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" unit

lab: all
	tests/lab/selftest/run
	tests/lab/run $(LAB)

# The fault matrix (issue 18, doc/reliability.md "The fault matrix"): every
# fault of the matrix with live traffic, and the endpoints under attack, in
# guests two at a time (about 20 minutes); not part of check, which it would
# take over CI's 45 minutes.  Results: build/lab/fault-matrix*/matrix.tsv
# and build/lab/fault-matrix-attack/attack.tsv.
fault-matrix: all
	tests/lab/run tests/lab/matrix/fault-matrix.sh tests/lab/matrix/fault-matrix-director.sh \
		tests/lab/matrix/fault-matrix-attack.sh

# The soak (issue 18, doc/reliability.md "Soak"; not part of check):
# dsr-checkd and 200 dsr-agents in one lab guest for SOAK_MINUTES (whole
# minutes) under random faults, reloads and rotations.  Built twice:
# ASan+UBSan (build/soak-asan) and UBSan alone (build/soak-ubsan), for a
# guest where ASan cannot start; tests/lab/soak.sh tries the first and says
# which ran.  The wrapper gives the guest a time bound for SOAK_MINUTES.
# SOAK_NS x SOAK_PER_NS real servers (10 x 20; see doc/reliability.md for
# what one guest carries).  SOAK_WHERE=host runs it on this host instead
# (tests/lab/host-run: private namespaces, no UML, no IPVS, dsr-checkd not
# standalone), where ASan runs and 200 agents fit.
# Results: build/lab/soak/soak-report.txt (build/lab/soak-host/ on the host).
SOAK_MINUTES ?= 60
SOAK_FAULT_S ?= 3
SOAK_NS      ?= 10
SOAK_PER_NS  ?= 20
SOAK_MEM     ?= 6G
SOAK_WHERE   ?= lab
SOAK_PROGS   := bin/dsr-checkd bin/dsr-agent bin/dsrkit-pki bin/labhttpd
SOAK_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined
soak:
	$(MAKE) BUILD=build/soak-asan CFLAGS="$(SOAK_CFLAGS) -fsanitize=address,undefined" \
		LDFLAGS="-fsanitize=address,undefined" $(SOAK_PROGS:%=build/soak-asan/%)
	$(MAKE) BUILD=build/soak-ubsan CFLAGS="$(SOAK_CFLAGS) -fsanitize=undefined" \
		LDFLAGS="-fsanitize=undefined" $(SOAK_PROGS:%=build/soak-ubsan/%)
	@mkdir -p build/soak-asan
	@{ echo "# lab: timeout=$$(( $(SOAK_MINUTES) * 60 + 1200 )) mem=$(SOAK_MEM)"; \
	   echo "# written by make soak: tests/lab/soak.sh for $(SOAK_MINUTES) minutes"; \
	   echo "export SOAK_MINUTES=$(SOAK_MINUTES) SOAK_FAULT_S=$(SOAK_FAULT_S) SOAK_NS=$(SOAK_NS) SOAK_PER_NS=$(SOAK_PER_NS)"; \
	   echo "export SOAK_ASAN_BIN=$(CURDIR)/build/soak-asan/bin SOAK_UBSAN_BIN=$(CURDIR)/build/soak-ubsan/bin"; \
	   echo ". tests/lab/soak.sh"; } >build/soak-asan/soak.sh
ifeq ($(SOAK_WHERE),host)
	@echo "soak: on this host for $(SOAK_MINUTES) min (tests/lab/host-run; log build/lab/soak-host/test.log)"
	@tests/lab/host-run build/soak-asan/soak.sh $(CURDIR)/build/lab/soak-host $$(( $(SOAK_MINUTES) * 60 + 1200 )); \
		rc=$$?; cat build/lab/soak-host/results; sed 's/^/  /' build/lab/soak-host/soak-report.txt 2>/dev/null; \
		! grep -q '^FAIL' build/lab/soak-host/results && [ $$rc = 0 ]
else
	tests/lab/run build/soak-asan/soak.sh
endif

# The demo tells the story, not the build: one line while it builds (the
# build's own lines go to build/demo-build.log, shown only if it fails).
demo: deps
	@mkdir -p $(BUILD)
	@echo "demo: building dsrkit (log: $(BUILD)/demo-build.log) ..."
	@$(MAKE) all >$(BUILD)/demo-build.log 2>&1 || { tail -30 $(BUILD)/demo-build.log; exit 1; }
	@tests/lab/demo

bench: deps
	$(MAKE) all
	tests/bench/run $(BENCH)

install: all $(INSTALL_TARGETS)

deps:
	@build-aux/deps

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
