# SPDX-License-Identifier: Apache-2.0
# arp/: the director-side ARP/ND problem detector: frames, the detector
# (active rounds and passive watch), "which interface holds this address",
# and the `dsrctl arp-check` command.  dsrctl and dsr-checkd stand on it.
ARP_FRAME_SRCS := arp/arp_packet.c arp/nd_packet.c
ARP_SRCS       := $(ARP_FRAME_SRCS) arp/arp_detect.c arp/iface.c
ARP_CMD_SRCS   := arp/arp_check_cmd.c
ARP_FRAME_OBJS := $(ARP_FRAME_SRCS:%.c=$(BUILD)/obj/%.o)
ARP_OBJS       := $(ARP_SRCS:%.c=$(BUILD)/obj/%.o)
ARP_CMD_OBJS   := $(ARP_CMD_SRCS:%.c=$(BUILD)/obj/%.o)
IFACE_OBJS     := $(BUILD)/obj/arp/iface.o
