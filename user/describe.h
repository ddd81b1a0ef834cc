/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Names for what an unreachable object is (LEAKMON_A_UNREACH): socket
 * families, types, protocols, states, filesystems.
 */
#ifndef LEAKMON_DESCRIBE_H
#define LEAKMON_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#include "leakmon_nl.h"

/* "AF_INET", ... or NULL when unknown */
const char *desc_family(unsigned int family);
/* "STREAM", ... or NULL */
const char *desc_sock_type(unsigned int type);
/* "TCP", ... for family's protocol number, or NULL */
const char *desc_protocol(unsigned int family, unsigned int protocol);
/* "ESTABLISHED" ... "CLOSE", "LISTEN" (sk_state), or NULL */
const char *desc_state(unsigned int state);
/* "sockfs", "anon_inodefs", "ext4", ... or NULL */
const char *desc_fs(uint32_t magic);
/* "regular", "socket", "fifo", ... from the S_IFMT bits, or NULL */
const char *desc_file_type(uint32_t mode);
/* Flag names ("bound", ...) of LEAKMON_UNREACH_F_* bit i, or NULL */
const char *desc_flag(unsigned int bit);

/*
 * One line saying what the objects of u are, e.g.
 * "AF_INET STREAM TCP, CLOSE, not bound, file refs 1"; known names, else
 * numbers.
 */
void desc_unreach(char *buf, size_t size, const struct lm_unreach *u);

#endif /* LEAKMON_DESCRIBE_H */
