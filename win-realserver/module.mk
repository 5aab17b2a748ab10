# SPDX-License-Identifier: Apache-2.0
# win-realserver/module.mk - dsr-agent.exe for Windows Server, cross-built with
# mingw-w64, and its tests under wine (`make win-check`, part of `make unit`).
#
#   build/win/dsr-agent.exe        the shipped agent: HTTPS (http.sys) only
#   build/win/dsr-agent-test.exe   the test build: adds a plain-HTTP mode
#   build/win/dsr-agent.msi        the MSI (wixl)
#   build/win/test_win_layer.exe   the Windows layer on fake facts
#
# Windows objects live in build/win/obj so they never mix with the native
# ones.  -Werror always: this code only builds with one compiler.

MINGW_CC    ?= x86_64-w64-mingw32-gcc
WIN_BUILD   := $(BUILD)/win
WIN_CFLAGS  := -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Werror -Os -I. \
	-DDSRKIT_VERSION='"$(VERSION)"' -D_WIN32_WINNT=0x0A00 \
	-ffunction-sections -MMD -MP
WIN_LDFLAGS := -static -static-libgcc -Wl,--gc-sections -s
WIN_LIBS    := -liphlpapi -lws2_32 -lsetupapi -lole32 -loleaut32 -lhttpapi -lcrypt32 -ladvapi32

$(WIN_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC)
	$(Q)$(MINGW_CC) $(WIN_CFLAGS) -c -o $@ $<

# The portable core, file for file the same as the Linux agent's.
WIN_CORE_SRCS := $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
# The Windows layer: the snapshot model and setup planner (portable), the
# IP Helper/SetupAPI/firewall reader and actions (agent_win32.c).
WIN_LAYER_SRCS := win-realserver/win_facts.c win-realserver/win_setup.c win-realserver/agent_win32.c \
	win-realserver/win32_setup.c win-realserver/win32_firewall.c

WIN_CORE_OBJS  := $(WIN_CORE_SRCS:%.c=$(WIN_BUILD)/obj/%.o)
WIN_LAYER_OBJS := $(WIN_LAYER_SRCS:%.c=$(WIN_BUILD)/obj/%.o)

# The status server's decision on one request (portable: fuzz_win_http
# builds it natively).
WIN_REQUEST_SRCS := win-realserver/win_request.c

# The layer's tests: a plain main() (no -municode).
$(WIN_BUILD)/test_win_layer.exe: $(WIN_BUILD)/obj/win-realserver/tests/test_win_layer.o \
		$(WIN_LAYER_OBJS) $(WIN_CORE_OBJS)
	$(call say,LD)
	$(Q)$(MINGW_CC) -static -static-libgcc -o $@ $^ $(WIN_LIBS)

# The agent: the same CLI as Linux (dsr_agent.c, main renamed), its state
# and report, the Windows layer, the http.sys server and the service.
WIN_AGENT_COMMON := $(AGENT_COMMON_SRCS)
WIN_AGENT_SRCS := win-realserver/win32_main.c win-realserver/win32_service.c win-realserver/win32_http.c \
	win-realserver/win32_watch.c win-realserver/win32_file_trust.c $(WIN_REQUEST_SRCS)
WIN_AGENT_OBJS := $(WIN_AGENT_COMMON:%.c=$(WIN_BUILD)/obj/%.o) $(WIN_AGENT_SRCS:%.c=$(WIN_BUILD)/obj/%.o) \
	$(WIN_LAYER_OBJS) $(WIN_CORE_OBJS) $(WIN_BUILD)/obj/dsr-agent-res.o

# dsr_agent.c keeps its main(); the Windows entry point (win32_main.c) calls it.
$(WIN_BUILD)/obj/agent/dsr_agent.o: agent/dsr_agent.c
	@mkdir -p $(dir $@)
	$(call say,CC)
	$(Q)$(MINGW_CC) $(WIN_CFLAGS) -Dmain=dsr_agent_main -c -o $@ $<

# Resources: version info and the Event Log message table.
WINDMC   ?= x86_64-w64-mingw32-windmc
WINDRES  ?= x86_64-w64-mingw32-windres
V_PARTS  := $(subst ., ,$(VERSION))
$(WIN_BUILD)/res/dsr-agent.rc: win-realserver/dsr-agent.rc.in win-realserver/dsr-agent-msg.mc
	@mkdir -p $(dir $@)
	$(call say,MC)
	$(Q)$(WINDMC) -h $(WIN_BUILD)/res -r $(WIN_BUILD)/res win-realserver/dsr-agent-msg.mc
	$(Q)sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@V1@/$(word 1,$(V_PARTS))/g' \
		-e 's/@V2@/$(word 2,$(V_PARTS))/g' -e 's/@V3@/$(word 3,$(V_PARTS))/g' $< > $@
	$(Q)echo '#include "dsr-agent-msg.rc"' >> $@
$(WIN_BUILD)/obj/dsr-agent-res.o: $(WIN_BUILD)/res/dsr-agent.rc
	$(call say,RES)
	$(Q)$(WINDRES) -I$(WIN_BUILD)/res -i $< -o $@

# The shipped exe: HTTPS only.
$(WIN_BUILD)/dsr-agent.exe: $(WIN_AGENT_OBJS) $(WIN_BUILD)/obj/win-realserver/win32_http_tls.o
	$(call say,LD)
	$(Q)$(MINGW_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)
# The test build: plain HTTP instead of TLS, for wine.  Never shipped.
$(WIN_BUILD)/dsr-agent-test.exe: $(WIN_AGENT_OBJS) $(WIN_BUILD)/obj/win-realserver/win32_http_plain.o
	$(call say,LD)
	$(Q)$(MINGW_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)

# The HTTPS transport's client check on openssl-made certificates.
$(WIN_BUILD)/test_win_tls.exe: $(WIN_BUILD)/obj/win-realserver/tests/test_win_tls.o \
		$(WIN_BUILD)/obj/win-realserver/win32_http_tls.o $(WIN_BUILD)/obj/win-realserver/win32_service.o \
		$(WIN_BUILD)/obj/win-realserver/win32_file_trust.o \
		$(WIN_CORE_OBJS)
	$(call say,LD)
	$(Q)$(MINGW_CC) -static -static-libgcc -o $@ $^ $(WIN_LIBS)

WIN_TEST_PROGS := $(WIN_BUILD)/test_win_layer.exe $(WIN_BUILD)/test_win_tls.exe $(WIN_BUILD)/dsr-agent-test.exe

# The MSI (wixl, from Debian's msitools family): the shipped exe only.
# With it, the license (LICENSE.txt, CRLF) and the notices of what the exe
# links statically (packaging/windows/make-notices).
$(WIN_BUILD)/LICENSE.txt: LICENSE
	$(call say,GEN)
	$(Q)sed 's/$$/\r/' $< >$@
$(WIN_BUILD)/THIRD-PARTY-NOTICES.txt: packaging/windows/make-notices
	$(call say,GEN)
	$(Q)packaging/windows/make-notices $@
# The data folder's DACL (SYSTEM and Administrators only) is set by the
# installed exe as a custom action (see the .wxs): wixl 0.101 has no
# <Permission>, and an MsiLockPermissionsEx row made wine's msiexec fail.
$(WIN_BUILD)/dsr-agent.msi: packaging/windows/dsr-agent.wxs $(WIN_BUILD)/dsr-agent.exe \
		packaging/windows/agent.conf.example $(WIN_BUILD)/LICENSE.txt $(WIN_BUILD)/THIRD-PARTY-NOTICES.txt
	$(call say,MSI)
	$(Q)wixl -a x64 -D Version=$(VERSION) -D Exe=$(WIN_BUILD)/dsr-agent.exe \
		-D ConfExample=packaging/windows/agent.conf.example -D License=$(WIN_BUILD)/LICENSE.txt \
		-D Notices=$(WIN_BUILD)/THIRD-PARTY-NOTICES.txt -o $@ $<

# The Linux side of the protocol test: the checker's parser and the rules.
$(BUILD)/tests/win-judge-status: $(BUILD)/obj/win-realserver/tests/judge_status.o $(AGENT_PROTO_OBJS) \
		$(AGENT_PROTO_PARSE_OBJS) $(BOUNDED_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_JSON)
WIN_CHECK_NATIVE := $(BUILD)/tests/win-judge-status

.PHONY: win win-check
win: $(WIN_BUILD)/dsr-agent.exe $(WIN_BUILD)/dsr-agent.msi $(WIN_TEST_PROGS)
all: win

# Runs every Windows test under wine in its own network namespace.
win-check: win $(WIN_CHECK_NATIVE)
	WIN_BUILD=$(WIN_BUILD) WIN_JUDGE=$(BUILD)/tests/win-judge-status win-realserver/tests/win-check.sh

# Part of `make unit` (so of `make check`); not of the sanitizer build
# (`make asan`), whose point is the native code: the exe is the same there.
ifeq ($(BUILD),build)
unit: win-check
endif

-include $(shell find $(WIN_BUILD)/obj -name '*.d' 2>/dev/null)
