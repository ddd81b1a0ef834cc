/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where leakmon adapts to kernel API differences.
 *
 * Differences are detected by feature tests: whether a macro exists, or,
 * where a type or function has to be tried, a Kbuild probe compiled against
 * the target kernel's headers.  Nothing in leakmon tests LINUX_VERSION_CODE.
 */
#ifndef _LEAKMON_COMPAT_H
#define _LEAKMON_COMPAT_H

#include <linux/cgroup.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/af_unix.h>
#if IS_ENABLED(CONFIG_KFENCE)
#include <linux/kfence.h>
#endif

/*
 * copy_from_kernel_nofault() of memory that may have been freed and reused
 * since (the pass's reads of objects and what they point to): a pointer
 * read there may be any value.  One below PAGE_OFFSET (user space, or not
 * canonical) is refused here without being touched.  A non-canonical one
 * raises a general protection fault, which 5.10's fixup survives but
 * reports as a WARNING ("General protection fault in user access"), and
 * its own canonical test trusts the CPU's virtual address width over the
 * paging in use (seen under QEMU with LA57 and 4-level paging).
 * Everything the pass reads is in the direct map, vmalloc space or the
 * module area, all above PAGE_OFFSET.
 */
static inline long lm_compat_read_kernel(void *dst, const void *src,
					 size_t size)
{
	if ((unsigned long)src < PAGE_OFFSET)
		return -ERANGE;
	return copy_from_kernel_nofault(dst, src, size);
}

/* cgroup v2 id of a task's default-hierarchy cgroup, 0 without cgroups. */
static inline u64 lm_compat_task_cgroup_id(struct task_struct *task)
{
#ifdef CONFIG_CGROUPS
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(task));
	rcu_read_unlock();
	return id;
#else
	return 0;
#endif
}

/*
 * A token of a task's cgroup membership that changes when it moves: its
 * css_set, compared, never dereferenced (NULL without cgroups).
 */
static inline const void *lm_compat_task_css_set(struct task_struct *task)
{
#ifdef CONFIG_CGROUPS
	return (const void *)rcu_access_pointer(task->cgroups);
#else
	return NULL;
#endif
}

/*
 * Bytes the slab allocator holds for the live object that starts at base,
 * or 0 when this object cannot tell.  ksize() answers for objects of any
 * slab cache, not only kmalloc ones, on every kernel leakmon supports: from
 * the cache of the object's slab (5.10: __ksize() via virt_to_head_page()
 * and PageSlab; 6.1 and 6.12: folio_test_slab(); 7.2: page_slab() of the
 * compound head), so it cannot reach the WARN_ON()s that guard non-slab
 * pages.  Except for a KFENCE object (kernels from 5.12, when sampling is on):
 * its ksize() is the size requested, not the cache's, so it is skipped and
 * the next object measured instead.
 */
static inline size_t lm_compat_obj_size(const void *base)
{
#if IS_ENABLED(CONFIG_KFENCE)
	if (is_kfence_address(base))
		return 0;
#endif
	return ksize(base);
}

/*
 * leakmon's entry caches are never merged with another cache of the same
 * size: /proc/slabinfo and slabtop then show leakmon's own memory under its
 * names, kmem_cache_destroy() at unload checks that no entry is left
 * ("Objects remaining"), and fault injection (slub_debug=A,<name>) can aim
 * at them alone.  Kernels from 6.5 have SLAB_NO_MERGE; before it, a cache
 * with a constructor is never merged (slab_unmergeable()).  The constructor
 * does nothing (every entry is initialised when allocated); it costs SLUB
 * one pointer per object, kept after the object instead of inside it.
 */
#ifdef SLAB_NO_MERGE
#define LM_COMPAT_SLAB_NO_MERGE SLAB_NO_MERGE
#define lm_compat_no_merge_ctor NULL
#else
#define LM_COMPAT_SLAB_NO_MERGE 0
static inline void lm_compat_no_merge_ctor(void *obj)
{
}
#endif

/*
 * The descriptors an AF_UNIX skb carries (SCM_RIGHTS), or NULL.  Up to
 * 6.12 UNIXCB() is in <net/af_unix.h>; later kernels moved it into
 * net/unix/af_unix.h, with the same leading members (unchanged since
 * 2.6.x).  Under structure layout randomization their order is unknown,
 * and no descriptor in flight is found.
 */
#ifdef UNIXCB
#define lm_compat_unix_fp(skb) (UNIXCB(skb).fp)
#elif defined(CONFIG_RANDSTRUCT) || defined(CONFIG_GCC_PLUGIN_RANDSTRUCT)
#define lm_compat_unix_fp(skb) ((struct scm_fp_list *)NULL)
#else
struct lm_compat_unix_skb_parms {
	struct pid *pid;
	kuid_t uid;
	kgid_t gid;
	struct scm_fp_list *fp;
};

#define lm_compat_unix_fp(skb) \
	(((struct lm_compat_unix_skb_parms *)(skb)->cb)->fp)
#endif

/*
 * Process accounting's state in the initial pid namespace (the address of
 * struct bsd_acct_struct, whose first member ns->bacct points to), or NULL
 * when it is off or the kernel has none.  Read under rcu_read_lock().
 */
static inline const void *lm_compat_acct_state(void)
{
#ifdef CONFIG_BSD_PROCESS_ACCT
	return READ_ONCE(init_pid_ns.bacct);
#else
	return NULL;
#endif
}

/*
 * The files registered with an io_uring instance (IORING_REGISTER_FILES),
 * read under its ctx->uring_lock: a table of tagged file pointers up to
 * 6.12 (struct io_fixed_file, ctx->nr_user_files), of resource nodes from
 * 6.13 on (struct io_rsrc_data), whose struct io_rsrc_node is private to
 * io_uring/rsrc.h: its leading members are mirrored here (7.2's).  The
 * low bits of a file pointer are io_uring's flags (FFS_NOWAIT, FFS_ISREG).
 * Which layout a kernel has is found by a Kbuild probe (LM_HAVE_URING_*);
 * on 5.10 struct io_ring_ctx is private (below); before io_uring of 5.15
 * was backported there, no registered file is found.
 */
#define LM_COMPAT_URING_FLAGS	0x3UL

#if defined(LM_HAVE_URING_FIXED) || defined(LM_HAVE_URING_NODES)
#include <linux/io_uring_types.h>

#define LM_COMPAT_URING 1

static inline struct mutex *lm_compat_uring_lock(void *ctx)
{
	return &((struct io_ring_ctx *)ctx)->uring_lock;
}

#ifdef LM_HAVE_URING_FIXED
#define LM_COMPAT_URING_MIRRORED 0

static inline unsigned int lm_compat_uring_nr_files(void *ctx)
{
	struct io_ring_ctx *c = ctx;

	return c->file_table.files ? c->nr_user_files : 0;
}

static inline struct file *lm_compat_uring_file(void *ctx, unsigned int i)
{
	struct io_ring_ctx *c = ctx;

	return (struct file *)(c->file_table.files[i].file_ptr &
			       ~LM_COMPAT_URING_FLAGS);
}
#else
/*
 * A layout copied, not compiled: a file found through it is followed only
 * once the object table knows it as a live file (reach_walk.c).
 */
#define LM_COMPAT_URING_MIRRORED 1

struct lm_compat_uring_node {
	unsigned char type;		/* IORING_RSRC_FILE: 0 */
	int refs;
	u64 tag;
	unsigned long file_ptr;
};

static inline unsigned int lm_compat_uring_nr_files(void *ctx)
{
	struct io_ring_ctx *c = ctx;

	return c->file_table.data.nodes ? c->file_table.data.nr : 0;
}

static inline struct file *lm_compat_uring_file(void *ctx, unsigned int i)
{
	struct io_ring_ctx *c = ctx;
	const struct lm_compat_uring_node *node =
		(const void *)c->file_table.data.nodes[i];

	if (!node || node->type != 0)
		return NULL;
	return (struct file *)(node->file_ptr & ~LM_COMPAT_URING_FLAGS);
}
#endif
#elif defined(LM_HAVE_URING_PRIVATE)
/*
 * 5.10 with io_uring as of 5.15 (backported, with io_is_uring_fops()):
 * struct io_ring_ctx is private to io_uring/io_uring.c.  Its members up to
 * the file table are mirrored, and only ever read, without its lock, by
 * lm_compat_read_kernel(): a layout that differs reads words that are
 * no table's files, and finds nothing.  A file found is followed only once
 * the object table knows it, and only by such reads (reach_walk.c).
 */
#include <linux/percpu-refcount.h>
#include <linux/uaccess.h>

#define LM_COMPAT_URING 1
#define LM_COMPAT_URING_MIRRORED 1
#define LM_COMPAT_URING_MAX_FILES BIT(15)	/* IORING_MAX_FIXED_FILES */

struct lm_compat_uring_ctx {
	struct {
		struct percpu_ref refs;
		void *rings;
		unsigned int flags;
		unsigned int bits;
	} ____cacheline_aligned_in_smp;
	struct {
		struct mutex uring_lock;	/* not taken: its offset */
		u32 *sq_array;
		void *sq_sqes;
		unsigned int cached_sq_head;
		unsigned int sq_entries;
		struct list_head defer_list;
		void *rsrc_node;
		unsigned long *files;		/* struct io_file_table */
		unsigned int nr_user_files;
	} ____cacheline_aligned_in_smp;
};

static inline struct mutex *lm_compat_uring_lock(void *ctx)
{
	return NULL;	/* read without it */
}

static inline unsigned int lm_compat_uring_nr_files(void *ctx)
{
	struct lm_compat_uring_ctx *c = ctx;
	unsigned long *files;
	unsigned int nr;

	if (lm_compat_read_kernel(&files, &c->files, sizeof(files)) ||
	    lm_compat_read_kernel(&nr, &c->nr_user_files, sizeof(nr)) ||
	    !files || nr > LM_COMPAT_URING_MAX_FILES)
		return 0;
	return nr;
}

static inline struct file *lm_compat_uring_file(void *ctx, unsigned int i)
{
	struct lm_compat_uring_ctx *c = ctx;
	unsigned long *files, ptr;

	if (lm_compat_read_kernel(&files, &c->files, sizeof(files)) ||
	    !files || lm_compat_read_kernel(&ptr, files + i, sizeof(ptr)))
		return NULL;
	/* FFS_ASYNC_READ, FFS_ASYNC_WRITE, FFS_ISREG */
	return (struct file *)(ptr & ~0x7UL);
}
#else
#define LM_COMPAT_URING 0
#define LM_COMPAT_URING_MIRRORED 0

static inline struct mutex *lm_compat_uring_lock(void *ctx)
{
	return NULL;
}

static inline unsigned int lm_compat_uring_nr_files(void *ctx)
{
	return 0;
}

static inline struct file *lm_compat_uring_file(void *ctx, unsigned int i)
{
	return NULL;
}
#endif

/*
 * The io_uring instances a thread registered with IORING_REGISTER_RING_FDS
 * (5.18; liburing's io_uring_register_ring_fd()): its io_uring context
 * holds a reference to each in one of IO_RINGFD_REG_MAX slots, written by
 * the thread only.  lm_compat_uring_ringfd() returns the file in slot i of
 * t, referenced, or NULL; under rcu_read_lock(), for a thread found in its
 * group's list there (its context lives until a grace period after the
 * thread is released).  A file's memory outlives a grace period, and from
 * 6.7 on may serve another file at once (SLAB_TYPESAFE_BY_RCU), which
 * get_file_rcu() on the slot's address checks.
 */
#ifdef LM_HAVE_RINGFDS
#include <linux/io_uring_types.h>

#define LM_COMPAT_URING_RINGFDS IO_RINGFD_REG_MAX

/* Whether thread t has an io_uring context (may have registered rings) */
static inline bool lm_compat_uring_task(struct task_struct *t)
{
	return READ_ONCE(t->io_uring);
}

static inline struct file *lm_compat_uring_ringfd(struct task_struct *t,
						  unsigned int i)
{
	struct io_uring_task *tctx = READ_ONCE(t->io_uring);
	struct file **slot;

	if (!tctx)
		return NULL;
	slot = &tctx->registered_rings[i];
#ifdef LM_HAVE_GET_FILE_RCU_SLOT
	return get_file_rcu((struct file __force __rcu **)slot);
#else
	{
		struct file *f = READ_ONCE(*slot);

		return f && get_file_rcu(f) ? f : NULL;
	}
#endif
}
#else
#define LM_COMPAT_URING_RINGFDS 0

static inline bool lm_compat_uring_task(struct task_struct *t)
{
	return false;
}

static inline struct file *lm_compat_uring_ringfd(struct task_struct *t,
						  unsigned int i)
{
	return NULL;
}
#endif

/*
 * A multicast group only CAP_NET_ADMIN (in the group's network namespace's
 * user namespace) may join: genl_bind() checks the group's flag, from
 * 6.6 and in 6.1's stable updates.  Without it (5.10) no group can refuse
 * a listener, and no event is sent while restrict_read is not 0.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define LM_COMPAT_MCAST_ADMIN 1
#define LM_COMPAT_MCAST_ADMIN_FLAGS GENL_MCAST_CAP_NET_ADMIN
#else
#define LM_COMPAT_MCAST_ADMIN 0
#endif

/*
 * fprobe (probe_table.h), where the kernel has one whose handlers get the
 * return address and entry data (6.5 on; Debian enables CONFIG_FPROBE from
 * 6.12): up to 6.13 they get a struct pt_regs and the return handler an
 * instance of a rethook pool of nr_maxactive; from 6.14 a struct
 * ftrace_regs, and the return goes through the function graph tracer's
 * shadow stack, which has no such pool.  Which one a kernel has is found
 * by a Kbuild probe (LM_HAVE_FPROBE_PT_REGS, LM_HAVE_FPROBE_FTRACE_REGS,
 * kmod/features.mk); without either, leakmon uses kprobes alone.
 */
#if defined(LM_HAVE_FPROBE_PT_REGS) || defined(LM_HAVE_FPROBE_FTRACE_REGS)
#include <linux/fprobe.h>

#define LM_COMPAT_FPROBE 1

#ifdef LM_HAVE_FPROBE_PT_REGS
#define lm_compat_fregs pt_regs

static __always_inline unsigned long
lm_compat_fprobe_arg0(struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 0);
}

static __always_inline unsigned long
lm_compat_fprobe_ret(struct pt_regs *regs)
{
	return regs_return_value(regs);
}

static inline void lm_compat_fprobe_maxactive(struct fprobe *fp, int n)
{
	fp->nr_maxactive = n;
}

/*
 * Not preferred by probe_mechanism=auto: measured on Debian's 6.12 under
 * TCG (make bench, 15 rounds side by side), these fprobes cost what
 * kprobes cost, and each one's unregistration waits for two RCU-tasks
 * grace periods (its own ftrace_ops): unloading took 3.3 s instead of
 * 0.5 s.
 */
#define LM_COMPAT_FPROBE_PREFERRED 0
#else
#define lm_compat_fregs ftrace_regs

static __always_inline unsigned long
lm_compat_fprobe_arg0(struct ftrace_regs *regs)
{
	return ftrace_regs_get_argument(regs, 0);
}

static __always_inline unsigned long
lm_compat_fprobe_ret(struct ftrace_regs *regs)
{
	return ftrace_regs_get_return_value(regs);
}

static inline void lm_compat_fprobe_maxactive(struct fprobe *fp, int n)
{
}

/*
 * Preferred by probe_mechanism=auto: on Debian's 7.2 under TCG these
 * fprobes cost a little less than kprobes (make bench, 15 rounds side by
 * side: the floor's overhead on socket() + close() 18.6 % against 21.8 %),
 * they share one ftrace_ops, so unloading takes as long as with kprobes,
 * and they miss nothing to a softirq that interrupts a handler.
 */
#define LM_COMPAT_FPROBE_PREFERRED 1
#endif
#endif

#endif /* _LEAKMON_COMPAT_H */
