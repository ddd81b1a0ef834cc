/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the candidate probe points of each kind, by preference, and the
 * two mechanisms that attach a handler to one.
 *
 * Included by kmod/probes.c, and by the benchmark's floor module
 * (selftests/bench/floor/lm_floor.c), whose handler bodies do nothing: both
 * register exactly these probes, the same way.  A file that includes this
 * header defines the handler bodies declared below.
 *
 * A body sees what it needs of the probed call whatever the mechanism: an
 * entry body the call's first argument; a return body the return value and,
 * where its candidate saves it at the entry, the first argument.  Each body
 * has one small wrapper per mechanism that calls it directly:
 *
 *   kprobe  a kprobe at the entry, a kretprobe with maxactive instances
 *           for the return: every kernel;
 *   fprobe  an fprobe (the function tracer at the entry; a rethook, or the
 *           function graph tracer from 6.14, for the return), where the
 *           kernel has one with 6.5's handlers (compat.h,
 *           LM_COMPAT_FPROBE): no kprobe layer between ftrace and the
 *           handler, and a recursion guard per context (an interrupt that
 *           hits a handler still runs its own probes) instead of per CPU.
 */
#ifndef _LEAKMON_PROBE_TABLE_H
#define _LEAKMON_PROBE_TABLE_H

#include <linux/kprobes.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/leakmon.h>

#include "compat.h"

enum lm_mechanism {
	LM_MECH_KPROBE,
	LM_MECH_FPROBE,
	LM_MECH_COUNT
};

static const char *const lm_mechanism_names[LM_MECH_COUNT] = {
	[LM_MECH_KPROBE] = "kprobe",
	[LM_MECH_FPROBE] = "fprobe",
};

/*
 * A wrapper sits in the section of the probe path's function its body
 * ends in (kmod/track.c: .text.lm_track_alloc, _free, _handover), which
 * starts a page: the module is linked with track.o before probes.o, and
 * each section fits in its page, so that the body's jump there stays
 * within one page.  Under QEMU's emulation a jump within a page is chained
 * to the code it reaches, one to another page is a lookup of translated
 * code.  Not traced, as that function.  path: alloc, free or handover.
 */
#define LM_WRAPPER(path)	__section(".text.lm_track_" #path)

#ifdef LM_COMPAT_FPROBE
/* The fprobe wrappers of an entry body, of a return body (as below) */
#define LM_FPROBE_ENTRY(body, path)					\
static LM_WRAPPER(path) notrace						\
int body##_fp(struct fprobe *fp, unsigned long ip, unsigned long ret_ip, \
	      struct lm_compat_fregs *regs, void *data)			\
{									\
	return body(lm_compat_fprobe_arg0(regs));			\
}

#define LM_FPROBE_RETURN(body, saved)					\
static LM_WRAPPER(alloc) notrace					\
void body##_fpx(struct fprobe *fp, unsigned long ip, unsigned long ret_ip, \
		struct lm_compat_fregs *regs, void *data)		\
{									\
	body(lm_compat_fprobe_ret(regs),				\
	     (saved) ? *(unsigned long *)data : 0);			\
}

/* fprobe members of a candidate's initializer */
#define LM_FPROBE_INIT(...)	__VA_ARGS__,
#else
#define LM_FPROBE_ENTRY(body, path)
#define LM_FPROBE_RETURN(body, saved)
#define LM_FPROBE_INIT(...)
#endif

/* The kprobe wrapper of an entry body */
#define LM_KPROBE_ENTRY(body, path)					\
static LM_WRAPPER(path) notrace						\
int body##_kp(struct kprobe *kp, struct pt_regs *regs)			\
{									\
	return body(regs_get_kernel_argument(regs, 0));			\
}

/*
 * The kretprobe wrapper of a return body; saved: its candidate saves the
 * first argument at the entry (else the body gets 0 for it).
 */
#define LM_KPROBE_RETURN(body, saved)					\
static LM_WRAPPER(alloc) notrace					\
int body##_krp(struct kretprobe_instance *ri, struct pt_regs *regs)	\
{									\
	return body(regs_return_value(regs),				\
		    (saved) ? *(unsigned long *)ri->data : 0);		\
}

/*
 * The handler bodies, static in the file that includes this header: entry
 * bodies get the first argument, return bodies the return value and the
 * first argument (or 0).  A body returns what its wrapper returns, always
 * 0 (a kprobe pre-handler's 1 skips the single-step, an fprobe entry
 * handler's non-zero its exit handler; a kretprobe handler's is ignored):
 * a body that ends in a call returning that 0 lets its wrapper end in a
 * jump to the callee, whose return goes straight back to the probe core
 * (under QEMU's emulation each return is a lookup of translated code).
 */
static int lm_sock_inode_destroy(unsigned long arg0);
static int lm_sock_inode_free(unsigned long arg0);
static int lm_file_blob_free(unsigned long arg0);
static int lm_sk_blob_free(unsigned long arg0);
static int lm_sk_blob_handover(unsigned long arg0);
static int lm_sock_alloc_ret(unsigned long ret, unsigned long arg0);
static int lm_sock_inode_alloc_ret(unsigned long ret, unsigned long arg0);
static int lm_file_blob_alloc_ret(unsigned long ret, unsigned long arg0);
static int lm_sk_blob_alloc_ret(unsigned long ret, unsigned long arg0);

LM_KPROBE_ENTRY(lm_sock_inode_destroy, free)
LM_KPROBE_ENTRY(lm_sock_inode_free, free)
LM_KPROBE_ENTRY(lm_file_blob_free, free)
LM_KPROBE_ENTRY(lm_sk_blob_free, free)
LM_KPROBE_ENTRY(lm_sk_blob_handover, handover)
LM_KPROBE_RETURN(lm_sock_alloc_ret, false)
LM_KPROBE_RETURN(lm_sock_inode_alloc_ret, false)
LM_KPROBE_RETURN(lm_file_blob_alloc_ret, true)
LM_KPROBE_RETURN(lm_sk_blob_alloc_ret, true)

LM_FPROBE_ENTRY(lm_sock_inode_destroy, free)
LM_FPROBE_ENTRY(lm_sock_inode_free, free)
LM_FPROBE_ENTRY(lm_file_blob_free, free)
LM_FPROBE_ENTRY(lm_sk_blob_free, free)
LM_FPROBE_ENTRY(lm_sk_blob_handover, handover)
LM_FPROBE_RETURN(lm_sock_alloc_ret, false)
LM_FPROBE_RETURN(lm_sock_inode_alloc_ret, false)
LM_FPROBE_RETURN(lm_file_blob_alloc_ret, true)
LM_FPROBE_RETURN(lm_sk_blob_alloc_ret, true)

/* The entry half of a return probe that saves the first argument */
static int lm_save_arg0_krp(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	*(unsigned long *)ri->data = regs_get_kernel_argument(regs, 0);
	return 0;
}

#ifdef LM_COMPAT_FPROBE
static int lm_save_arg0_fp(struct fprobe *fp, unsigned long ip,
			   unsigned long ret_ip, struct lm_compat_fregs *regs,
			   void *data)
{
	*(unsigned long *)data = lm_compat_fprobe_arg0(regs);
	return 0;
}
#endif

/* One probe: at the entry (pre), or at the return (ret, optional entry). */
struct lm_cand {
	const char *symbol;
	const char *label;		/* as reported */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	size_t data_size;
#ifdef LM_COMPAT_FPROBE
	fprobe_entry_cb fp_entry;	/* pre, or entry */
	fprobe_exit_cb fp_exit;		/* ret */
#endif
};

/* A candidate at the entry of sym, handled by body */
#define LM_AT_ENTRY(sym, text, body)					\
	{ .symbol = sym, .label = text, .pre = body##_kp,		\
	  LM_FPROBE_INIT(.fp_entry = body##_fp) }

/* At the return of sym; the body gets no first argument */
#define LM_AT_RETURN(sym, text, body)					\
	{ .symbol = sym, .label = text, .ret = body##_krp,		\
	  LM_FPROBE_INIT(.fp_exit = body##_fpx) }

/* At the return of sym; the first argument is saved at its entry */
#define LM_AT_RETURN_ARG0(sym, text, body)				\
	{ .symbol = sym, .label = text, .entry = lm_save_arg0_krp,	\
	  .ret = body##_krp, .data_size = sizeof(unsigned long),	\
	  LM_FPROBE_INIT(.fp_entry = lm_save_arg0_fp,			\
			 .fp_exit = body##_fpx) }

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
		.alloc = LM_AT_RETURN("sock_alloc", "sock_alloc(ret)",
				      lm_sock_alloc_ret),
		.free = LM_AT_ENTRY("__destroy_inode",
				    "__destroy_inode(sockfs)",
				    lm_sock_inode_destroy),
	},
	{
		.alloc = LM_AT_RETURN("sock_alloc_inode",
				      "sock_alloc_inode(ret)",
				      lm_sock_inode_alloc_ret),
		.free = LM_AT_ENTRY("sock_free_inode", "sock_free_inode",
				    lm_sock_inode_free),
	},
	{ }
};

static const struct lm_pair lm_file_blob_pairs[] = {
	{
		.alloc = LM_AT_RETURN_ARG0("security_file_alloc",
					   "security_file_alloc(ret)",
					   lm_file_blob_alloc_ret),
		.free = LM_AT_ENTRY("security_file_free",
				    "security_file_free", lm_file_blob_free),
	},
	{ }
};

/* Socket blobs may come and go in softirq (accepted TCP children). */
static const struct lm_pair lm_sk_blob_pairs[] = {
	{
		.alloc = LM_AT_RETURN_ARG0("security_sk_alloc",
					   "security_sk_alloc(ret)",
					   lm_sk_blob_alloc_ret),
		.free = LM_AT_ENTRY("security_sk_free", "security_sk_free",
				    lm_sk_blob_free),
	},
	{ }
};

/*
 * An accepted socket is grafted onto the acceptor's struct socket
 * (sock_graft() calls security_sock_graft()), wherever its sk was
 * allocated: in softirq for TCP, by the connecting process for AF_UNIX.
 */
static const struct lm_cand lm_sk_blob_handover_cand =
	LM_AT_ENTRY("security_sock_graft", "security_sock_graft",
		    lm_sk_blob_handover);

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

/* A registered hook: a kprobe, a kretprobe, or an fprobe. */
struct lm_hook {
	const struct lm_cand *cand;	/* NULL when not registered */
	enum lm_mechanism mech;
	struct kprobe kp;
	struct kretprobe rp;
#ifdef LM_COMPAT_FPROBE
	struct fprobe fp;
#endif
};

/* Return probes in flight: maxactive, or by default max(64, 8 * CPUs) */
static inline int lm_hook_maxactive(int maxactive)
{
	return maxactive ?: max_t(int, 64, 8 * num_possible_cpus());
}

#ifdef LM_COMPAT_FPROBE
static inline int lm_hook_register_fprobe(struct lm_hook *h,
					  const struct lm_cand *c,
					  int maxactive)
{
	const char *sym = c->symbol;

	memset(&h->fp, 0, sizeof(h->fp));
	h->fp.entry_handler = c->fp_entry;
	h->fp.exit_handler = c->fp_exit;
	h->fp.entry_data_size = c->data_size;
	lm_compat_fprobe_maxactive(&h->fp, lm_hook_maxactive(maxactive));
	return register_fprobe_syms(&h->fp, &sym, 1);
}
#endif

/*
 * Register c on h with mechanism mech (the caller sets h->cand on
 * success); maxactive bounds the return probes in flight (0: the default),
 * where the mechanism has such a bound.  -EOPNOTSUPP: no fprobe here.
 */
static inline int lm_hook_register(struct lm_hook *h, const struct lm_cand *c,
				   enum lm_mechanism mech, int maxactive)
{
	h->mech = mech;
	if (mech == LM_MECH_FPROBE) {
#ifdef LM_COMPAT_FPROBE
		return lm_hook_register_fprobe(h, c, maxactive);
#else
		return -EOPNOTSUPP;
#endif
	}
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
	h->rp.maxactive = lm_hook_maxactive(maxactive);
	return register_kretprobe(&h->rp);
}

static inline void lm_hook_unregister(struct lm_hook *h)
{
	if (!h->cand)
		return;
#ifdef LM_COMPAT_FPROBE
	if (h->mech == LM_MECH_FPROBE)
		unregister_fprobe(&h->fp);
#endif
	if (h->mech == LM_MECH_KPROBE && h->cand->pre)
		unregister_kprobe(&h->kp);
	else if (h->mech == LM_MECH_KPROBE)
		unregister_kretprobe(&h->rp);
	h->cand = NULL;
}

/*
 * The mechanisms to try, in order, for the probe_mechanism setting (auto:
 * fprobe where the kernel has it and it pays, LM_COMPAT_FPROBE_PREFERRED,
 * then kprobe); fills order and returns how many, -EINVAL for an unknown
 * setting, -EOPNOTSUPP for fprobe on a kernel without it.
 */
static inline int lm_mechanisms(const char *setting,
				enum lm_mechanism order[LM_MECH_COUNT])
{
	int n = 0;

	bool fprobe = false, preferred = false;

#ifdef LM_COMPAT_FPROBE
	fprobe = true;
	preferred = LM_COMPAT_FPROBE_PREFERRED;
#endif
	if (!strcmp(setting, "auto")) {
		if (preferred)
			order[n++] = LM_MECH_FPROBE;
		order[n++] = LM_MECH_KPROBE;
	} else if (!strcmp(setting, "kprobe")) {
		order[n++] = LM_MECH_KPROBE;
	} else if (!strcmp(setting, "fprobe")) {
		if (!fprobe)
			return -EOPNOTSUPP;
		order[n++] = LM_MECH_FPROBE;
	} else {
		return -EINVAL;
	}
	return n;
}

/*
 * Register pair p with mechanism mech: its release probe on free, then its
 * allocation probe on alloc (so that every object entered in the table has
 * a live release probe).  On failure nothing stays registered, and *failed
 * names the symbol that did not register.
 */
static inline int lm_pair_register(struct lm_hook *alloc, struct lm_hook *free,
				   const struct lm_pair *p,
				   enum lm_mechanism mech, int maxactive,
				   const char **failed)
{
	int err;

	*failed = p->free.symbol;
	err = lm_hook_register(free, &p->free, mech, maxactive);
	if (err)
		return err;
	free->cand = &p->free;
	*failed = p->alloc.symbol;
	err = lm_hook_register(alloc, &p->alloc, mech, maxactive);
	if (err) {
		lm_hook_unregister(free);
		return err;
	}
	alloc->cand = &p->alloc;
	return 0;
}

/* Events the hook's probe skipped (nmissed) */
static inline unsigned long lm_hook_missed(const struct lm_hook *h)
{
	if (!h->cand)
		return 0;
#ifdef LM_COMPAT_FPROBE
	if (h->mech == LM_MECH_FPROBE)
		return READ_ONCE(h->fp.nmissed);
#endif
	if (h->cand->pre)
		return h->kp.nmissed;
	return h->rp.nmissed + h->rp.kp.nmissed;
}

/*
 * Unregister h at once if it is an fprobe; else add its probe to the
 * kprobes (kps, *nk) or the kretprobes (rps, *nr) to unregister together:
 * unregister_kprobes() and unregister_kretprobes() wait for one RCU grace
 * period per call, not one per probe.
 */
static inline void lm_hook_collect(struct lm_hook *h,
				   struct kprobe **kps, unsigned int *nk,
				   struct kretprobe **rps, unsigned int *nr)
{
	if (!h->cand)
		return;
	if (h->mech == LM_MECH_FPROBE)
		lm_hook_unregister(h);
	else if (h->cand->pre)
		kps[(*nk)++] = &h->kp;
	else
		rps[(*nr)++] = &h->rp;
}

#endif /* _LEAKMON_PROBE_TABLE_H */
