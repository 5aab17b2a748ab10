# SPDX-License-Identifier: Apache-2.0
# kaconf/: the reader of keepalived's configuration syntax, linked as
# objects into dsrctl and dsr-checkd.
KACONF_SRCS := kaconf/kaconf.c kaconf/kaconf_vs.c kaconf/kaconf_vs_stream.c kaconf/kaconf_vsg.c
KACONF_OBJS := $(KACONF_SRCS:%.c=$(BUILD)/obj/%.o)
