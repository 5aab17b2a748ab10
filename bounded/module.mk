# SPDX-License-Identifier: Apache-2.0
# bounded/: the one bounded buffer, the checked number and address parsers
# and the key = value reader, shared by every part (portable C).
BOUNDED_SRCS := bounded/buf.c bounded/strparse.c bounded/ipaddr.c bounded/kvfile.c bounded/color.c bounded/utf8.c bounded/textesc.c
BOUNDED_OBJS := $(BOUNDED_SRCS:%.c=$(BUILD)/obj/%.o)
