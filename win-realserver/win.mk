# win-realserver/win.mk - dsr-agent.exe for Windows Server, cross-built with
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
	-DDSRKIT_VERSION='"$(VERSION)"' -D_WIN32_WINNT=0x0A00 -DUNICODE -D_UNICODE \
	-ffunction-sections -fdata-sections -MMD -MP
WIN_LDFLAGS := -static -static-libgcc -municode -Wl,--gc-sections -s
WIN_LIBS    := -liphlpapi -lws2_32 -lsetupapi -lole32 -loleaut32 -lhttpapi -lcrypt32 -ladvapi32

$(WIN_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(MINGW_CC) $(WIN_CFLAGS) -c -o $@ $<

# The portable core, file for file the same as the Linux agent's.
WIN_CORE_SRCS := $(AGENT_PROTO_SRCS) $(BOUNDED_SRCS)
# The Windows layer: the snapshot model and setup planner (portable), the
# IP Helper/SetupAPI/firewall reader and actions (agent_win32.c).
WIN_LAYER_SRCS := win-realserver/win_facts.c win-realserver/win_setup.c win-realserver/agent_win32.c

WIN_CORE_OBJS  := $(WIN_CORE_SRCS:%.c=$(WIN_BUILD)/obj/%.o)
WIN_LAYER_OBJS := $(WIN_LAYER_SRCS:%.c=$(WIN_BUILD)/obj/%.o)

# The layer's tests: a plain main() (no -municode).
$(WIN_BUILD)/test_win_layer.exe: $(WIN_BUILD)/obj/win-realserver/tests/test_win_layer.o \
		$(WIN_LAYER_OBJS) $(WIN_CORE_OBJS)
	$(MINGW_CC) -static -static-libgcc -o $@ $^ $(WIN_LIBS)

WIN_TEST_PROGS := $(WIN_BUILD)/test_win_layer.exe

.PHONY: win win-check
win: $(WIN_TEST_PROGS)
all: win

# Runs every Windows test under wine in its own network namespace.
win-check: win $(WIN_CHECK_NATIVE)
	win-realserver/tests/win-check.sh

unit: win-check

-include $(shell find $(WIN_BUILD)/obj -name '*.d' 2>/dev/null)
