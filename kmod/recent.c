// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: recent entries, off the probe path.
 *
 * An allocation's entry waits among its CPU's LM_RECENT newest (struct
 * lm_pcpu.recent) before it goes to the object table: the allocation that
 * finds them full moves the oldest there (lm_recent_settle_one()).  A
 * release looks among its own CPU's recent entries first, then in the
 * table: the objects of a socket loop are freed while their entries are
 * recent, and those never touch a bucket (a line cold in the caches, and
 * under emulation a fill of the software TLB).  An object freed or handed
 * over on another CPU than its allocation's while its entry is recent
 * there is looked for among every CPU's, then in the table again (the
 * probe path's own: lm_recent_unlink_any() in track.c).
 *
 * What is here: the locks' setup, a pass's move of all of them to the
 * table before it walks the processes (lm_track_settle()), and their end
 * at unload.
 *
 * Lock order: a CPU's recent_lock -> object bucket lock.  No two
 * recent_locks are held at once.
 */
#include "leakmon.h"
#include "track.h"

void lm_recent_init(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(lm_pcpu, cpu)->recent_lock);
}

/*
 * Every CPU's recent entries to the object table (leakmon.h).  Entries
 * whose objects' frees were missed are dropped, counted as replaced.
 */
void lm_track_settle(void)
{
	struct lm_obj *obj, *drop = NULL;
	unsigned long flags;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lm_pcpu *c = per_cpu_ptr(lm_pcpu, cpu);

		if (!READ_ONCE(c->nrecent))
			continue;
		spin_lock_irqsave(&c->recent_lock, flags);
		while (c->nrecent) {
			obj = lm_recent_settle_one(c);
			if (obj) {
				obj->next = drop;
				drop = obj;
			}
		}
		spin_unlock_irqrestore(&c->recent_lock, flags);
	}
	while ((obj = drop)) {
		drop = obj->next;
		local_irq_save(flags);
		lm_obj_drop(obj);
		local_irq_restore(flags);
	}
}

/* Free every recent entry: no probe handler runs any more (module exit). */
void lm_recent_exit(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct lm_pcpu *c = per_cpu_ptr(lm_pcpu, cpu);

		while (c->nrecent)
			kmem_cache_free(lm_obj_cache, c->recent[--c->nrecent]);
	}
}
