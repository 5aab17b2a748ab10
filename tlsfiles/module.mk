# SPDX-License-Identifier: Apache-2.0
# tlsfiles/: the TLS files both ends of dsrkit's mutual TLS load beside their
# certificates (OpenSSL, Linux): the CRL, reloaded when it changes, and the
# permission check of a private key.  Linked into dsr-agent, dsr-check and
# dsr-checkd.
TLSFILES_SRCS := tlsfiles/tls_crl.c tlsfiles/tls_keyfile.c
TLSFILES_OBJS := $(TLSFILES_SRCS:%.c=$(BUILD)/obj/%.o)
