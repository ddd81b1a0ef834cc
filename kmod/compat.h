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
#include <net/af_unix.h>
#if IS_ENABLED(CONFIG_KFENCE)
#include <linux/kfence.h>
#endif

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

#endif /* _LEAKMON_COMPAT_H */
