# win-realserver/: dsr-agent.  The Windows build is in win.mk.
include win-realserver/win.mk
