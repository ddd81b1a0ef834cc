/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: what an unreachable object is (describe.c), for the
 * reachability pass's report of LEAKMON_CMD_GET_UNREACHABLE.
 */
#ifndef _LEAKMON_DESCRIBE_H
#define _LEAKMON_DESCRIBE_H

#include <linux/fs.h>
#include <linux/net.h>
#include <linux/types.h>
#include <net/sock.h>

#define LM_SHAPE_NAME	48

/* One group's likeness: objects with equal shapes are counted together */
struct lm_shape {
	u32 flags;			/* LEAKMON_UNREACH_F_* */
	u32 file_refs;			/* LM_SHAPE_NO_FILE: no file */
	u32 fs_magic;			/* file blob */
	u32 file_mode;			/* file blob: S_IFMT bits */
	u16 family;
	u16 type;
	u16 protocol;
	u8 state;
	u8 kind;
	char name[LM_SHAPE_NAME];	/* file blob */
};

#define LM_SHAPE_NO_FILE	U32_MAX

/* A group of unreachable objects in the last pass's report */
struct lm_unreach {
	u8 type;			/* the owner's identity */
	pid_t tgid;
	u64 start_ns;
	u32 uid;			/* the owner's, at the pass */
	struct lm_shape sh;
	u64 n;				/* objects in the group */
};

/**
 * lm_reach_unreach_walk() - visit the last pass's groups (reach.c)
 * @pos: cursor, the index of the first group to visit; left at the group
 *       that made @fn stop
 * @seq: set to the pass's sequence number (unchanged before any pass)
 * @fn: called under rcu_read_lock() for each group; non-zero stops
 * @arg: for @fn
 *
 * Return: what @fn returned last, or 0.
 */
int lm_reach_unreach_walk(unsigned long *pos, u64 *seq,
			  int (*fn)(const struct lm_unreach *u, u64 seq,
				    void *arg),
			  void *arg);

/* Copies of what describing an object reads: too large for the stack */
struct lm_describe_buf {
	struct sock sk;
	struct socket sock;
	struct file file;
};

/**
 * lm_describe() - describe a tracked object for the unreachable report
 * @kind: its enum leakmon_kind
 * @key: its table key (socket inode, file, sock)
 * @sh: filled in (zeroed first)
 * @buf: scratch space
 *
 * Reads the object only through lm_compat_read_kernel(): a stale entry
 * (one whose free was missed) gives LEAKMON_UNREACH_F_UNREADABLE or what
 * the memory holds now, never a fault.  Any context; never sleeps.
 */
void lm_describe(unsigned int kind, const void *key, struct lm_shape *sh,
		 struct lm_describe_buf *buf);

#endif /* _LEAKMON_DESCRIBE_H */
