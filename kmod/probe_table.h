/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the candidate probe points of each kind, by preference.
 *
 * Included by kmod/probes.c, and by the benchmark's floor module
 * (selftests/bench/floor/lm_floor.c), which maps the handlers' names
 * (#define, before it includes this) to handlers that only return: both
 * register exactly these probes.  A file that includes this header
 * defines the handlers declared below.
 */
#ifndef _LEAKMON_PROBE_TABLE_H
#define _LEAKMON_PROBE_TABLE_H

#include <linux/kprobes.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/leakmon.h>

/* The handlers, static in the file that includes this header */
static int lm_sock_inode_destroy(struct kprobe *kp, struct pt_regs *regs);
static int lm_sock_inode_free(struct kprobe *kp, struct pt_regs *regs);
static int lm_file_blob_free(struct kprobe *kp, struct pt_regs *regs);
static int lm_sk_blob_free(struct kprobe *kp, struct pt_regs *regs);
static int lm_sk_blob_handover(struct kprobe *kp, struct pt_regs *regs);
static int lm_sock_alloc_ret(struct kretprobe_instance *ri,
			     struct pt_regs *regs);
static int lm_sock_inode_alloc_ret(struct kretprobe_instance *ri,
				   struct pt_regs *regs);
static int lm_save_arg0(struct kretprobe_instance *ri, struct pt_regs *regs);
static int lm_file_blob_alloc_ret(struct kretprobe_instance *ri,
				  struct pt_regs *regs);
static int lm_sk_blob_alloc_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs);

/* One probe: an entry kprobe (pre) or a kretprobe (ret, optional entry). */
struct lm_cand {
	const char *symbol;
	const char *label;		/* as reported */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	size_t data_size;
};

/* Allocation and release probes that only work together. */
struct lm_pair {
	struct lm_cand alloc;
	struct lm_cand free;
};

struct lm_kind_def {
	const char *name;
	const struct lm_pair *pairs;	/* by preference; ends with { } */
	/* where an object changes owner; optional, with a pair only */
	const struct lm_cand *handover;
};

static const struct lm_pair lm_sock_inode_pairs[] = {
	{
		.alloc = { .symbol = "sock_alloc", .label = "sock_alloc(ret)",
			   .ret = lm_sock_alloc_ret },
		.free = { .symbol = "__destroy_inode",
			  .label = "__destroy_inode(sockfs)",
			  .pre = lm_sock_inode_destroy },
	},
	{
		.alloc = { .symbol = "sock_alloc_inode",
			   .label = "sock_alloc_inode(ret)",
			   .ret = lm_sock_inode_alloc_ret },
		.free = { .symbol = "sock_free_inode",
			  .label = "sock_free_inode",
			  .pre = lm_sock_inode_free },
	},
	{ }
};

static const struct lm_pair lm_file_blob_pairs[] = {
	{
		.alloc = { .symbol = "security_file_alloc",
			   .label = "security_file_alloc(ret)",
			   .entry = lm_save_arg0,
			   .ret = lm_file_blob_alloc_ret,
			   .data_size = sizeof(void *) },
		.free = { .symbol = "security_file_free",
			  .label = "security_file_free",
			  .pre = lm_file_blob_free },
	},
	{ }
};

/* Socket blobs may come and go in softirq (accepted TCP children). */
static const struct lm_pair lm_sk_blob_pairs[] = {
	{
		.alloc = { .symbol = "security_sk_alloc",
			   .label = "security_sk_alloc(ret)",
			   .entry = lm_save_arg0,
			   .ret = lm_sk_blob_alloc_ret,
			   .data_size = sizeof(void *) },
		.free = { .symbol = "security_sk_free",
			  .label = "security_sk_free",
			  .pre = lm_sk_blob_free },
	},
	{ }
};

/*
 * An accepted socket is grafted onto the acceptor's struct socket
 * (sock_graft() calls security_sock_graft()), wherever its sk was
 * allocated: in softirq for TCP, by the connecting process for AF_UNIX.
 */
static const struct lm_cand lm_sk_blob_handover_cand = {
	.symbol = "security_sock_graft", .label = "security_sock_graft",
	.pre = lm_sk_blob_handover,
};

static const struct lm_kind_def lm_kinds[__LEAKMON_KIND_MAX] = {
	[LEAKMON_KIND_SOCK_INODE] = {
		.name = "sock_inode",
		.pairs = lm_sock_inode_pairs,
	},
	[LEAKMON_KIND_FILE_BLOB] = {
		.name = "file_blob",
		.pairs = lm_file_blob_pairs,
	},
	[LEAKMON_KIND_SK_BLOB] = {
		.name = "sk_blob",
		.pairs = lm_sk_blob_pairs,
		.handover = &lm_sk_blob_handover_cand,
	},
};

/* A registered hook: one kprobe or one kretprobe. */
struct lm_hook {
	const struct lm_cand *cand;	/* NULL when not registered */
	struct kprobe kp;
	struct kretprobe rp;
};

/*
 * Register c on h (the caller sets h->cand on success): an entry kprobe,
 * or a kretprobe with maxactive instances (0: max(64, 8 * CPUs)).
 */
static inline int lm_hook_register(struct lm_hook *h, const struct lm_cand *c,
				   int maxactive)
{
	memset(&h->kp, 0, sizeof(h->kp));
	memset(&h->rp, 0, sizeof(h->rp));
	if (c->pre) {
		h->kp.symbol_name = c->symbol;
		h->kp.pre_handler = c->pre;
		return register_kprobe(&h->kp);
	}
	h->rp.kp.symbol_name = c->symbol;
	h->rp.entry_handler = c->entry;
	h->rp.handler = c->ret;
	h->rp.data_size = c->data_size;
	h->rp.maxactive = maxactive ?: max_t(int, 64, 8 * num_possible_cpus());
	return register_kretprobe(&h->rp);
}

static inline void lm_hook_unregister(struct lm_hook *h)
{
	if (!h->cand)
		return;
	if (h->cand->pre)
		unregister_kprobe(&h->kp);
	else
		unregister_kretprobe(&h->rp);
	h->cand = NULL;
}

/*
 * Add h's probe to the kprobes (kps, *nk) or the kretprobes (rps, *nr) to
 * unregister together: unregister_kprobes() and unregister_kretprobes()
 * wait for one RCU grace period per call, not one per probe.
 */
static inline void lm_hook_collect(struct lm_hook *h,
				   struct kprobe **kps, unsigned int *nk,
				   struct kretprobe **rps, unsigned int *nr)
{
	if (!h->cand)
		return;
	if (h->cand->pre)
		kps[(*nk)++] = &h->kp;
	else
		rps[(*nr)++] = &h->rp;
}

#endif /* _LEAKMON_PROBE_TABLE_H */
