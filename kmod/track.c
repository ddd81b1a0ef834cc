// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the object table and the owner table on the probe path: the
 * owner of an allocation, found, made or cached per CPU, its accounting,
 * and the object's entry.  The owners off the probe path are owner.c's,
 * the tables' setup and walks table.c's (track.h).
 *
 * Both are fixed arrays of buckets sized at load time (owners in hlists,
 * objects in singly linked chains), each guarded by one of a small array
 * of hashed spinlocks.  Probe handlers hold one bucket lock at a time for a
 * chain walk and never sleep; entries come from each CPU's free ones or
 * from dedicated slab caches with GFP_ATOMIC, table slots from each CPU's
 * spare ones, and every failure is counted.
 * An owner's counters are atomics of their own: a probe handler takes no
 * owner lock.
 *
 * Lock order: owner bucket lock -> owner->lock; a CPU's recent_lock ->
 * object bucket lock (recent.c).  Object bucket locks are never held
 * together with any other leakmon lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/cred.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/jump_label.h>

#include "leakmon.h"
#include "compat.h"
#include "events.h"
#include "track.h"

/* A saturation episode ends this long after its last drop. */
#define LM_SAT_QUIET_NS		NSEC_PER_SEC

struct lm_table lm_objs;
struct lm_table lm_owners;
struct kmem_cache *lm_obj_cache;
struct kmem_cache *lm_owner_cache;
struct lm_pcpu __percpu *lm_pcpu;
/* Slots of max_objects in use or spare on a CPU: never above the limit */
static atomic_t lm_slots;
atomic_t lm_nr_owners;
atomic_t lm_nr_exited;
atomic_t lm_owner_gen;
atomic_t lm_owner_frees;
u32 lm_obj_size[LM_NKINDS];
/* LM_SATURATED: a saturation episode is on (its event was queued). */
#define LM_SATURATED	0
static unsigned long lm_saturated;
/* A CPU may hold spare slots: set on giving one back, cleared by a theft */
static int lm_slots_spared;
static u64 lm_last_drop_ns;
struct lm_owner *lm_irq_owner;

/* ---- owners ---------------------------------------------------------- */

/*
 * A process's uid is its objective (real credentials') uid: the one ps and
 * /proc show.  Not current_uid(): the kernel borrows other credentials for
 * a moment to act on a process's behalf (overlayfs opens the file beneath
 * with the mounter's), and a customer's process would show as root's.
 */
static inline kuid_t lm_task_uid(struct task_struct *t)
{
	return t == current ? current_real_cred()->uid : task_uid(t);
}

/*
 * The name is copied whole, not as a string: a task's name ends in a NUL
 * within its 16 bytes whatever else they hold.
 */
static void lm_owner_fill_identity(struct lm_owner *o, struct task_struct *t)
{
	BUILD_BUG_ON(sizeof(o->comm) != sizeof(t->comm));
	memcpy(o->comm, t->comm, sizeof(o->comm));
	o->uid = lm_task_uid(t);
	o->cgroup_id = lm_compat_task_cgroup_id(t);
}

/* Two task names equal: two words each (TASK_COMM_LEN is 16) */
static __always_inline bool lm_comm_eq(const char *a, const char *b)
{
	u64 a0, a1, b0, b1;

	BUILD_BUG_ON(TASK_COMM_LEN != 2 * sizeof(u64));
	memcpy(&a0, a, sizeof(a0));
	memcpy(&a1, a + sizeof(a0), sizeof(a1));
	memcpy(&b0, b, sizeof(b0));
	memcpy(&b1, b + sizeof(b0), sizeof(b1));
	return a0 == b0 && a1 == b1;
}

/*
 * The identity of an allocation's owner is current's at the allocation:
 * its name (exec, prctl(PR_SET_NAME), /proc/PID/comm), uid (setuid) and
 * cgroup (a move).  Each CPU copies it again (lm_owner_refresh()) where
 * the name, the uid or the css_set differ, and once a tick
 * (lm_pcpu_clock() forgets the css_set): a css_set freed and made again at
 * the same address for another cgroup is seen by the next tick.  The name
 * is compared on every allocation (six instructions): compared once a
 * tick, a process that renamed itself and made its sockets within the
 * tick kept its old name until its next allocation after it, for good if
 * it made none (a threshold alert named the old name).  o is c's cached
 * owner; the CPU's own (lm_track_alloc()).
 */
static __always_inline bool lm_owner_current(const struct lm_owner *o,
					     const struct lm_pcpu *c,
					     const void *css)
{
	return c->owner_css == css && lm_comm_eq(o->comm, current->comm) &&
	       uid_eq(o->uid, current_real_cred()->uid);
}

static noinline void lm_owner_refresh(struct lm_owner *o, struct lm_pcpu *c,
				      const void *css)
{
	spin_lock(&o->lock);
	lm_owner_fill_identity(o, current);
	spin_unlock(&o->lock);
	c->owner_css = css;
}

/*
 * Under bucket b's lock: the owner (type, tgid, start_ns) with a new
 * reference; or a new one, counted, zeroed but for its key and lock, not
 * in the table yet (*fresh: the caller fills it, sets its references and
 * adds it); or an ERR_PTR naming why there is none.
 */
struct lm_owner *lm_owner_lookup(unsigned long b, u8 type, pid_t tgid,
				 u64 start_ns, bool *fresh)
{
	struct lm_owner *o;

	*fresh = false;
	/* One whose last reference is gone (lm_owner_put()) is passed by. */
	hlist_for_each_entry(o, lm_owner_head(b), node)
		if (lm_owner_is(o, type, tgid, start_ns) &&
		    atomic_inc_not_zero(&o->ref))
			return o;
	if (atomic_inc_return(&lm_nr_owners) > READ_ONCE(LM_CFG(max_owners))) {
		atomic_dec(&lm_nr_owners);
		return ERR_PTR(-ENOSPC);
	}
	/*
	 * Not kmem_cache_zalloc(): __GFP_ZERO on a cache with a constructor
	 * (compat.h) is a WARN in new_slab().
	 */
	o = kmem_cache_alloc(lm_owner_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!o) {
		atomic_dec(&lm_nr_owners);
		return ERR_PTR(-ENOMEM);
	}
	memset(o, 0, sizeof(*o));
	spin_lock_init(&o->lock);
	o->type = type;
	o->tgid = tgid;
	o->start_ns = start_ns;
	*fresh = true;
	return o;
}

/*
 * The owner of task t's process, with a reference for the caller (an
 * object's).  Returns an ERR_PTR naming the reason it cannot be tracked.
 */
struct lm_owner *lm_owner_get(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader;
	pid_t tgid = task_tgid_nr(t);
	u64 start_ns = leader->start_boottime;
	unsigned long b = lm_owner_bucket(tgid, start_ns);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	struct lm_owner *o;
	unsigned long flags;
	bool fresh;

	spin_lock_irqsave(lock, flags);
	o = lm_owner_lookup(b, LEAKMON_OWNER_TYPE_TASK, tgid, start_ns, &fresh);
	if (!fresh)
		goto out;
	lm_owner_fill_identity(o, t);
	/*
	 * A process whose last thread already passed the exit tracepoint
	 * will not be seen exiting again: it starts out exited.
	 */
	if (atomic_read(&t->signal->live) == 0) {
		unsigned int i;

		o->exited = true;
		o->exit_ns = ktime_get_boot_fast_ns();
		for (i = 0; i < LM_NKINDS; i++)
			atomic_set(&o->live[i], LM_LIVE_EXITED);
		/* its fields before its reference (lm_owner_cached) */
		smp_wmb();
		atomic_set(&o->ref, 1);
		atomic_inc(&lm_nr_exited);
	} else {
		/* its fields before its reference (lm_owner_cached) */
		smp_wmb();
		atomic_set(&o->ref, 2);
	}
	hlist_add_head(&o->node, lm_owner_head(b));
	atomic_inc(&lm_owner_gen);
out:
	spin_unlock_irqrestore(lock, flags);
	return o;
}

/*
 * The owner of current's process from this CPU's cache, referenced, or NULL
 * (a probe handler: lm_track_alloc()).  No lock and no lookup: a process
 * making sockets in a loop finds its owner here every time.
 *
 * The cache holds a process owner (lm_owner_get_uncached()), and the
 * number of owners freed before it was cached (lm_owner_frees, counted
 * before an owner's memory can serve another).  The cached pointer is
 * only read while that number is unchanged: the owner was not freed, and
 * if it is freed from then on its memory stays an owner's until the
 * handler ends (the cache is SLAB_TYPESAFE_BY_RCU, preemption is off).
 * Where the number is still the same after the key was read, the key was
 * the cached owner's, and it is current's process's.  Then, unless current
 * has begun to exit, the owner holds the reference of a live process: the
 * exit drops it only once every thread of the process passed
 * exit_signals(), which marks the thread PF_EXITING first.  So the
 * reference is taken with one increment, not atomic_inc_not_zero()'s loop
 * and a second look at the key.
 */
static __always_inline struct lm_owner *lm_owner_cached(struct lm_pcpu *c)
{
	struct task_struct *t = current;
	struct lm_owner *o = c->owner;
	int frees = atomic_read(&lm_owner_frees);

	if (!o || frees != c->owner_frees)
		return NULL;
	/* the count read before the key (lm_owner_put_last()) */
	smp_rmb();
	if (o->tgid != task_tgid_nr(t) ||
	    o->start_ns != t->group_leader->start_boottime ||
	    (t->flags & PF_EXITING))
		return NULL;
	/* and after it */
	smp_rmb();
	if (atomic_read(&lm_owner_frees) != frees)
		return NULL;
	atomic_inc(&o->ref);
	return o;
}

/*
 * current's owner, not in this CPU's cache: looked up (or made), its
 * identity current's, cached, with a reference for the caller; or NULL
 * and the reason in c->owner_err.  The CPU's own (lm_track_alloc()).
 */
static noinline struct lm_owner *lm_owner_get_uncached(struct lm_pcpu *c)
{
	struct lm_owner *o = lm_owner_get(current);

	if (IS_ERR(o)) {
		c->owner_err = PTR_ERR(o);
		return NULL;
	}
	/* o cannot be freed while referenced: valid from now on */
	c->owner = o;
	c->owner_frees = atomic_read(&lm_owner_frees);
	lm_owner_refresh(o, c, lm_compat_task_css_set(current));
	return o;
}

/*
 * current's owner, referenced, in task context on CPU c (its own);
 * NULL, the reason in c->owner_err, where lm_owner_get() has none.  Inline
 * for a cached owner whose identity is unchanged; a miss and a changed
 * identity are out of line.  NULL rather than an ERR_PTR, and the reason
 * not in a variable of the caller's: the compiler knows a cached owner is
 * not NULL and leaves the caller's check to the miss, and no variable's
 * address brings a stack canary.
 */
static __always_inline struct lm_owner *lm_owner_get_task(struct lm_pcpu *c)
{
	struct lm_owner *o;
	const void *css;

	o = lm_owner_cached(c);
	if (unlikely(!o))
		return lm_owner_get_uncached(c);
	css = lm_compat_task_css_set(current);
	if (unlikely(!lm_owner_current(o, c, css)))
		lm_owner_refresh(o, c, css);
	return o;
}

/*
 * An owner whose last reference is gone: out of the table, freed.  Nothing
 * takes a reference from 0 (struct lm_owner.ref): it cannot live on.
 */
noinline void lm_owner_put_last(struct lm_owner *o)
{
	unsigned long b = lm_owner_bucket(o->tgid, o->start_ns);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	hlist_del(&o->node);
	atomic_inc(&lm_owner_gen);
	/* Before the memory can serve another owner (owner_cached) */
	atomic_inc(&lm_owner_frees);
	spin_unlock_irqrestore(lock, flags);
	atomic_dec(&lm_nr_owners);
	if (o->exited)
		atomic_dec(&lm_nr_exited);
	kmem_cache_free(lm_owner_cache, o);
}

/* The owner's identity and per-kind live counts into an event; o->lock. */
void lm_owner_event(const struct lm_owner *o, struct lm_notif *ev, u8 cmd,
		    u64 now)
{
	unsigned int i;

	memset(ev, 0, sizeof(*ev));
	ev->cmd = cmd;
	ev->time_ns = now;
	ev->tgid = o->tgid;
	ev->start_ns = o->start_ns;
	ev->uid = from_kuid_munged(&init_user_ns, o->uid);
	ev->cgroup_id = o->cgroup_id;
	memcpy(ev->comm, o->comm, sizeof(ev->comm));
	for (i = 0; i < LM_NKINDS; i++)
		ev->count[i] = lm_owner_live_kind(o, i);
}

/* What happened to one object of an owner (lm_owner_account) */
enum lm_acct {
	LM_ACCT_ALLOC,		/* allocated by the owner */
	LM_ACCT_FREE,		/* freed */
	LM_ACCT_DROP,		/* entry dropped, the object's free unseen */
	LM_ACCT_RECEIVE,	/* handed over to the owner */
	LM_ACCT_HAND_OVER,	/* handed over by the owner to another */
};

/*
 * This CPU's clocks (struct lm_pcpu), read once a jiffy; the CPU's own.
 * The coarse boot-time clock (ktime_get_coarse_boottime_ns(), a call into
 * the kernel) moves only at a tick, so the value read in the tick is the
 * tick's (at worst the previous tick's, where this CPU sees jiffies move
 * before the clock); lm_now_s() is a division of jiffies.
 */
static __always_inline void lm_pcpu_clock(struct lm_pcpu *c)
{
	unsigned long j = READ_ONCE(jiffies);

	if (unlikely(j != c->now_jiffies)) {
		c->now_jiffies = j;
		c->now_ns = ktime_get_coarse_boottime_ns();
		c->now_s = lm_now_s();
		/* the css_set looked at again (lm_owner_current()) */
		c->owner_css = NULL;
	}
}

/*
 * The threshold event of an owner whose receipt or allocation crossed thr
 * (lm_owner_account()), queued; no lock held.  Out of line: the event on
 * the stack is zeroed on every call (Debian's kernels initialise every
 * stack variable) and brings a stack canary, some 40 instructions that
 * the object's path no longer runs.
 */
static noinline void lm_owner_send_over(struct lm_owner *o, unsigned int thr)
{
	struct lm_notif ev;
	unsigned long flags;

	spin_lock_irqsave(&o->lock, flags);
	lm_owner_event(o, &ev, LEAKMON_CMD_EVENT_THRESHOLD,
		       ktime_get_boot_fast_ns());
	spin_unlock_irqrestore(&o->lock, flags);
	ev.threshold = thr;
	lm_notify(&ev);
}

/*
 * Credit what happened to one object of a kind to o, without a lock: each
 * counter is an atomic of its own, and the exited owners' total follows
 * LM_LIVE_EXITED in the live count (struct lm_owner).  An allocation or a
 * receipt that takes the owner to the event threshold claims the crossing
 * (one event per crossing: the first to get there) and returns the
 * threshold; the caller sends the event with lm_owner_send_over() once no
 * lock is held.  Otherwise 0.  Allocations on the CPU's own path, at now
 * (lm_pcpu_clock()).
 *
 * Inline: every caller names what happened, so each keeps only its case,
 * and the object's path makes no call for it (a call and its return are
 * two lookups of translated code under QEMU's emulation).
 */
static __always_inline unsigned int lm_owner_account(struct lm_owner *o,
						     unsigned int kind,
						     enum lm_acct what,
						     u64 now)
{
	struct lm_owner_acct *k = &o->k[kind];
	unsigned int thr;
	int v;

	switch (what) {
	case LM_ACCT_ALLOC:
	case LM_ACCT_RECEIVE:
		/* k's counters first: its address is not computed twice */
		if (what == LM_ACCT_RECEIVE) {
			atomic64_inc(&k->received);
		} else {
			WRITE_ONCE(k->last_ns, now);
			atomic64_inc(&k->allocated);
			if (unlikely(!READ_ONCE(k->first_ns)))
				WRITE_ONCE(k->first_ns, now);
		}
		v = atomic_inc_return(&o->live[kind]);
		if (v & LM_LIVE_EXITED)
			this_cpu_inc(lm_pcpu->orphans[kind]);
		thr = READ_ONCE(LM_CFG(event_threshold));
		if (likely(!thr || READ_ONCE(o->over) ||
			   lm_owner_live(o) < thr))
			return 0;
		return cmpxchg(&o->over, 0, 1) ? 0 : thr;
	case LM_ACCT_FREE:
	case LM_ACCT_DROP:
	case LM_ACCT_HAND_OVER:
		v = atomic_dec_return(&o->live[kind]);
		if (v & LM_LIVE_EXITED)
			this_cpu_dec(lm_pcpu->orphans[kind]);
		if (what == LM_ACCT_FREE)
			atomic64_inc(&k->freed);
		else if (what == LM_ACCT_HAND_OVER)
			atomic64_inc(&k->handed_over);
		/* Re-armed below half the threshold (or with events off). */
		if (unlikely(READ_ONCE(o->over))) {
			thr = READ_ONCE(LM_CFG(event_threshold));
			if (!thr || lm_owner_live(o) * 2 < thr)
				WRITE_ONCE(o->over, 0);
		}
		break;
	}
	return 0;
}

/* ---- table slots ------------------------------------------------------ */

/*
 * max_objects is enforced on lm_slots, the slots in use plus those spare
 * on CPUs (struct lm_pcpu.spare).  An allocation takes one of its CPU's
 * spares, a release gives one back to its CPU: a loop of sockets touches
 * no shared counter.  A CPU without spares takes a batch, or near the
 * limit a single slot, from lm_slots; when there is none left it takes
 * the other CPUs' spares back first, so that "full" means max_objects in
 * use, as without the spares.  (Two CPUs racing at the limit can each see
 * the other's slot taken for a moment and count one allocation untracked
 * that would have fitted, as with a single counter.)
 */

/* Say that this CPU holds spares (after they were added: lm_slots_steal) */
static inline void lm_slots_mark_spared(void)
{
	if (unlikely(!READ_ONCE(lm_slots_spared)))
		WRITE_ONCE(lm_slots_spared, 1);
}

/* The other CPUs' spare slots back to lm_slots: whether there were any */
static bool lm_slots_steal(void)
{
	unsigned int cpu;
	bool got = false;
	int n;

	if (!READ_ONCE(lm_slots_spared))
		return false;
	WRITE_ONCE(lm_slots_spared, 0);
	/* cleared before the spares are read: a spare given back is seen */
	smp_mb();
	for_each_possible_cpu(cpu) {
		atomic_t *spare = &per_cpu_ptr(lm_pcpu, cpu)->spare;

		if (atomic_read(spare) <= 0)
			continue;
		n = atomic_xchg(spare, 0);
		atomic_sub(n, &lm_slots);
		got |= n > 0;
	}
	return got;
}

/*
 * This CPU had no spare slot (lm_slot_get took it to -1): a slot from
 * lm_slots, and a batch more when far from the limit.
 */
static noinline bool lm_slot_refill(struct lm_pcpu *c)
{
	unsigned int max;
	bool stolen = false;

	/* The -1 undone; taken by a theft meanwhile, it is a spare now. */
	while (atomic_inc_return(&c->spare) > 0)
		if (atomic_dec_return(&c->spare) >= 0)
			return true;
	max = READ_ONCE(LM_CFG(max_objects));
	if (atomic_read(&lm_slots) + 2 * LM_SLOT_BATCH <= max) {
		if (atomic_add_return(LM_SLOT_BATCH, &lm_slots) <= max) {
			atomic_add(LM_SLOT_BATCH - 1, &c->spare);
			/*
			 * The spares before the flag and the limit: a new
			 * limit is written before its drain reads the spares
			 * (lm_slots_drain), so either the drain takes these
			 * or they are given back here.
			 */
			smp_mb__after_atomic();
			if (unlikely(atomic_read(&lm_slots) >
				     READ_ONCE(LM_CFG(max_objects)))) {
				atomic_sub(atomic_xchg(&c->spare, 0), &lm_slots);
				return true;
			}
			lm_slots_mark_spared();
			return true;
		}
		atomic_sub(LM_SLOT_BATCH, &lm_slots);
	}
	for (;;) {
		if (atomic_inc_return(&lm_slots) <= max)
			return true;
		atomic_dec(&lm_slots);
		if (stolen || !lm_slots_steal())
			return false;
		stolen = true;
	}
}

/*
 * A slot for an allocation on this CPU, its own.  One atomic, not
 * atomic_dec_if_positive()'s read and compare-and-exchange: the spares go
 * below zero only here, for the moment until the increment (a theft then
 * takes the -1: the count of slots stays the sum of used and spare ones).
 */
static inline bool lm_slot_get(struct lm_pcpu *c)
{
	if (likely(atomic_dec_return(&c->spare) >= 0))
		return true;
	return lm_slot_refill(c);
}

/* A slot given back on this CPU, its own */
static inline void lm_slot_put(struct lm_pcpu *c)
{
	int n = atomic_inc_return(&c->spare);

	if (unlikely(n > 2 * LM_SLOT_BATCH)) {
		/* Lost to a theft meanwhile: nothing to give back. */
		if (atomic_try_cmpxchg(&c->spare, &n, n - LM_SLOT_BATCH))
			atomic_sub(LM_SLOT_BATCH, &lm_slots);
	} else {
		lm_slots_mark_spared();
	}
}

/*
 * max_objects changed (lm_config_watch(), process context): every spare
 * slot back, so that a lower limit holds from the next allocation on.
 */
void lm_slots_drain(void)
{
	/* the new limit before the spares are read (lm_slot_refill) */
	smp_mb();
	WRITE_ONCE(lm_slots_spared, 1);
	lm_slots_steal();
}

/* Objects tracked now: the sum of the CPUs' live counts */
unsigned long lm_track_objects(void)
{
	unsigned int cpu, k;
	long sum = 0;

	for_each_possible_cpu(cpu)
		for (k = 0; k < LM_NKINDS; k++)
			sum += READ_ONCE(per_cpu_ptr(lm_pcpu, cpu)->live[k]);
	return max(sum, 0L);
}

/* ---- objects ---------------------------------------------------------- */

/* An entry from CPU c's free ones, or else a new one; c's own */
static inline struct lm_obj *lm_obj_alloc(struct lm_pcpu *c)
{
	if (likely(c->nmag))
		return c->mag[--c->nmag];
	return kmem_cache_alloc(lm_obj_cache, GFP_ATOMIC | __GFP_NOWARN);
}

/* Keep an unlinked entry for CPU c's next allocation; c's own */
static inline void lm_obj_free(struct lm_pcpu *c, struct lm_obj *obj)
{
	if (likely(c->nmag < LM_MAG_SIZE))
		c->mag[c->nmag++] = obj;
	else
		kmem_cache_free(lm_obj_cache, obj);
}

/*
 * Forget an object of a kind whose entry was unlinked: credit its owner
 * (what: LM_ACCT_FREE or LM_ACCT_DROP), free it.  c's own.
 */
static __always_inline void __lm_obj_release(struct lm_pcpu *c,
					     struct lm_obj *obj,
					     unsigned int kind,
					     enum lm_acct what)
{
	/* read once: an atomic is a compiler barrier */
	struct lm_owner *o = obj->owner;

	lm_owner_account(o, kind, what, 0);
	lm_owner_put(o);
	lm_obj_free(c, obj);
	lm_slot_put(c);
	c->live[kind]--;
}

/*
 * Drop an unlinked entry whose object's free was missed (its memory serves
 * another object now): counted replaced.  The CPU's own.
 */
void lm_obj_drop(struct lm_obj *obj)
{
	unsigned int kind = lm_obj_kind(obj);

	lm_ev(kind, LM_EV_REPLACED);
	__lm_obj_release(this_cpu_ptr(lm_pcpu), obj, kind, LM_ACCT_DROP);
}

/*
 * An allocation was not tracked: the first drop of an episode queues a
 * saturation event.
 */
static void lm_track_drop(unsigned int kind, enum lm_event reason)
{
	struct lm_notif ev;
	u64 now = ktime_get_boot_fast_ns();

	lm_ev(kind, reason);
	WRITE_ONCE(lm_last_drop_ns, now);
	if (test_bit(LM_SATURATED, &lm_saturated) ||
	    test_and_set_bit(LM_SATURATED, &lm_saturated))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.cmd = LEAKMON_CMD_EVENT_SATURATED;
	ev.reason = reason == LM_EV_UNTRACKED_TABLE_FULL ?
		    LEAKMON_SATURATION_TABLE_FULL :
		    reason == LM_EV_UNTRACKED_OWNERS_FULL ?
		    LEAKMON_SATURATION_OWNERS_FULL : LEAKMON_SATURATION_NOMEM;
	ev.kind = kind;
	ev.time_ns = now;
	ev.tgid = task_tgid_nr(current);
	strscpy(ev.comm, current->comm, sizeof(ev.comm));
	ev.objects = lm_track_objects();
	ev.owners = atomic_read(&lm_nr_owners);
	ev.max_objects = READ_ONCE(LM_CFG(max_objects));
	ev.max_owners = READ_ONCE(LM_CFG(max_owners));
	lm_notify(&ev);
}

/* A tracked allocation ends a saturation episode quiet for long enough. */
static inline void lm_track_rearm(void)
{
	if (likely(!test_bit(LM_SATURATED, &lm_saturated)))
		return;
	if (ktime_get_boot_fast_ns() - READ_ONCE(lm_last_drop_ns) >=
	    LM_SAT_QUIET_NS)
		clear_bit(LM_SATURATED, &lm_saturated);
}

/* Measure the bytes per object of a kind on its first live object. */
static inline void lm_track_measure(unsigned int kind, const void *base)
{
	size_t size;

	if (likely(READ_ONCE(lm_obj_size[kind])))
		return;
	size = lm_compat_obj_size(base);
	if (size)
		WRITE_ONCE(lm_obj_size[kind], min_t(size_t, size, U32_MAX));
}

static __always_inline void __lm_track_alloc(unsigned int kind,
					     const void *ptr,
					     const void *base)
{
	unsigned long key = (unsigned long)ptr;
	struct lm_pcpu *c = this_cpu_ptr(lm_pcpu);
	struct lm_obj *obj, *old = NULL;
	struct lm_owner *o;
	unsigned int crossed;

	lm_track_measure(kind, base);
	if (!lm_slot_get(c)) {
		lm_track_drop(kind, LM_EV_UNTRACKED_TABLE_FULL);
		return;
	}
	/*
	 * Outside task context current is whatever task was interrupted:
	 * the object is the softirq owner's (the table holds a reference to
	 * it until the module is unloaded).
	 */
	if (!in_task()) {
		o = lm_irq_owner;
		atomic_inc(&o->ref);
	} else {
		o = lm_owner_get_task(c);
		if (unlikely(!o)) {
			lm_slot_put(c);
			lm_track_drop(kind, c->owner_err == -ENOSPC ?
				      LM_EV_UNTRACKED_OWNERS_FULL :
				      LM_EV_UNTRACKED_NOMEM);
			return;
		}
	}
	obj = lm_obj_alloc(c);
	if (!obj) {
		lm_owner_put(o);
		lm_slot_put(c);
		lm_track_drop(kind, LM_EV_UNTRACKED_NOMEM);
		return;
	}
	obj->tag = lm_obj_tag(key, kind);
	obj->owner = o;
	obj->held = 0;
	obj->cls = LM_CLS_NONE;
	lm_pcpu_clock(c);
	obj->stamp = c->now_s;
	/* Count it live before anyone can find it. */
	crossed = lm_owner_account(o, kind, LM_ACCT_ALLOC, c->now_ns);
	c->live[kind]++;
	lm_pcpu_ev(c, kind, LM_EV_TRACKED);
	lm_track_rearm();
	if (unlikely(crossed))
		lm_owner_send_over(o, crossed);

	/* Recent: the oldest of a full CPU's to the table (recent.c). */
	lm_obj_lock(&c->recent_lock);
	if (unlikely(c->nrecent == LM_RECENT))
		old = lm_recent_settle_one(c);
	c->recent[c->nrecent++] = obj;
	lm_obj_unlock(&c->recent_lock);

	/* A live entry at the same address means its free was missed. */
	if (unlikely(old))
		lm_obj_drop(old);
}

/*
 * An object freed or handed over on another CPU than its allocation's
 * while its entry is recent there: its handler finds it in neither its
 * own recent entries nor the table, and looks among every CPU's, then in
 * the table again, where the entry may have gone meanwhile (an entry moves
 * from a CPU's recent entries to the table with that CPU's recent_lock
 * held, never back).  Out of line: rare.
 *
 * Look for the entry of tag among every CPU's recent entries (those that
 * have any): fn(c, i, arg) on CPU c's recent entry i, c's recent_lock held.
 * Whether there was one.
 */
static bool lm_recent_each(unsigned long tag,
			   void (*fn)(struct lm_pcpu *c, int i, void *arg),
			   void *arg)
{
	unsigned int cpu;
	int i;

	for_each_possible_cpu(cpu) {
		struct lm_pcpu *c = per_cpu_ptr(lm_pcpu, cpu);

		if (!READ_ONCE(c->nrecent))
			continue;
		lm_obj_lock(&c->recent_lock);
		i = lm_recent_find(c, tag);
		if (i >= 0)
			fn(c, i, arg);
		lm_obj_unlock(&c->recent_lock);
		if (i >= 0)
			return true;
	}
	return false;
}

static void lm_recent_take_fn(struct lm_pcpu *c, int i, void *arg)
{
	*(struct lm_obj **)arg = lm_recent_take(c, i);
}

/*
 * The entry of tag taken out of any CPU's recent entries, or else of the
 * table, where it may have gone meanwhile; NULL if in neither.  Preemption
 * off (a probe handler, or interrupts off).
 */
static noinline struct lm_obj *lm_recent_unlink_any(unsigned long tag)
{
	struct lm_obj *obj;

	if (lm_recent_each(tag, lm_recent_take_fn, &obj))
		return obj;
	return lm_obj_unlink(tag);
}

struct lm_recent_apply {
	void (*fn)(struct lm_obj *obj, void *arg);
	void *arg;
};

static void lm_recent_apply_fn(struct lm_pcpu *c, int i, void *arg)
{
	struct lm_recent_apply *a = arg;

	a->fn(c->recent[i], a->arg);
}

/*
 * Call fn on the entry of tag, found as lm_recent_unlink_any() finds it,
 * with the lock that guards it held; whether there was one.
 */
static noinline bool
lm_recent_apply_any(unsigned long tag,
		    void (*fn)(struct lm_obj *obj, void *arg), void *arg)
{
	struct lm_recent_apply a = { .fn = fn, .arg = arg };
	unsigned long b = lm_obj_bucket(tag & ~LM_TAG_KIND);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *obj;

	if (lm_recent_each(tag, lm_recent_apply_fn, &a))
		return true;
	lm_obj_lock(lock);
	obj = *lm_obj_seek(b, tag);
	if (obj)
		fn(obj, arg);
	lm_obj_unlock(lock);
	return obj;
}

static __always_inline void __lm_track_free(unsigned int kind,
					    const void *ptr)
{
	unsigned long tag = lm_obj_tag((unsigned long)ptr, kind);
	struct lm_pcpu *c = this_cpu_ptr(lm_pcpu);
	struct lm_obj *obj = NULL;
	int i;

	/* This CPU's recent entries first, then the table, then elsewhere */
	lm_obj_lock(&c->recent_lock);
	i = lm_recent_find(c, tag);
	if (likely(i >= 0))
		obj = lm_recent_take(c, i);
	lm_obj_unlock(&c->recent_lock);
	if (unlikely(!obj)) {
		obj = lm_obj_unlink(tag);
		if (!obj)
			obj = lm_recent_unlink_any(tag);
		if (!obj) {
			lm_pcpu_ev(c, kind, LM_EV_UNKNOWN_FREES);
			return;
		}
	}
	lm_pcpu_ev(c, kind, LM_EV_FREED);
	__lm_obj_release(c, obj, kind, LM_ACCT_FREE);
}

/*
 * lm_track_alloc(), lm_track_free() and lm_track_handover() never run
 * twice at once on a CPU, and nothing else of leakmon's runs on a CPU in
 * the middle of them: they use the CPU's state (struct lm_pcpu) and take
 * an object bucket's lock without another guard.
 *
 * A kprobe's handler runs with preemption off, and a kprobe that fires
 * while another kprobe's handler is active on the same CPU is skipped by
 * the kprobes core (counted missed), as is then a return probe's entry,
 * so that its return handler never runs either: the handlers cannot nest,
 * and leakmon's other code that uses the CPU's state or the buckets'
 * locks runs in task context with interrupts off.  Interrupts can stay
 * on.  Turning them off would not spare a miss (the softirq of an
 * interrupt that came meanwhile runs at the end, still inside the
 * handler), and under QEMU's emulation each turning on ends the
 * translated block and goes back to the emulator's loop.
 *
 * An fprobe's guard is per context (task, softirq, hardirq, NMI): a
 * softirq can run an fprobe handler in the middle of another on the same
 * CPU.  With an fprobe registered (lm_track_nesting()) the three run with
 * interrupts off.  So they do with lockdep, which sees an object bucket's
 * lock taken in softirq and in task context and would take the kprobes
 * core's guard for an inconsistent lock state, and with PREEMPT_RT.
 */
static DEFINE_STATIC_KEY_FALSE(lm_nesting);

void lm_track_nesting(void)
{
	static_branch_enable(&lm_nesting);
}

static __always_inline bool lm_irqs_off(void)
{
	return IS_ENABLED(CONFIG_LOCKDEP) || IS_ENABLED(CONFIG_PREEMPT_RT) ||
	       static_branch_unlikely(&lm_nesting);
}

/* The probe path's start and end: interrupts off where they must be */
static __always_inline unsigned long lm_path_begin(void)
{
	unsigned long flags = 0;

	if (lm_irqs_off())
		local_irq_save(flags);
	return flags;
}

/* 0: what the handler that ends in a jump to the path returns */
static __always_inline int lm_path_end(unsigned long flags)
{
	if (lm_irqs_off())
		local_irq_restore(flags);
	return 0;
}

/*
 * Each starts a page of its own (the module's text is page aligned),
 * which also holds the probe handlers that jump to it (probe_table.h):
 * under QEMU's emulation a jump to another page of code is not chained
 * to the code it reaches, it is a lookup.
 * Not traced (notrace): no function tracer call on the object's path, and
 * no tracer of leakmon's own functions between a probe and its handler.
 */
__section(".text.lm_track_alloc") __aligned(PAGE_SIZE) notrace
int lm_track_alloc(unsigned int kind, const void *ptr, const void *base)
{
	unsigned long flags = lm_path_begin();

	__lm_track_alloc(kind, ptr, base);
	return lm_path_end(flags);
}

__section(".text.lm_track_free") __aligned(PAGE_SIZE) notrace
int lm_track_free(unsigned int kind, const void *ptr)
{
	unsigned long flags = lm_path_begin();

	__lm_track_free(kind, ptr);
	return lm_path_end(flags);
}

/* A hand-over in the making (__lm_track_give()) */
struct lm_give {
	struct lm_owner *to;
	struct lm_owner *prev;		/* the entry's owner before, if given */
	unsigned int kind;
	unsigned int crossed;		/* to's threshold, if it crossed it */
};

/*
 * Name g's new owner in obj, under the lock that guards the entry (its
 * bucket's, or its CPU's recent_lock).  The new owner counts the object
 * received as the entry comes to name it: a free, which credits the
 * entry's owner once it has taken the entry out under that lock, cannot
 * take the new owner below zero.
 */
static __always_inline void lm_obj_give(struct lm_obj *obj, struct lm_give *g)
{
	if (obj->owner == g->to)
		return;
	g->prev = obj->owner;
	obj->owner = g->to;
	g->crossed = lm_owner_account(g->to, g->kind, LM_ACCT_RECEIVE, 0);
	/* for the event: the entry's reference may go once unlocked */
	if (unlikely(g->crossed))
		atomic_inc(&g->to->ref);
}

static void lm_obj_give_fn(struct lm_obj *obj, void *arg)
{
	lm_obj_give(obj, arg);
}

/*
 * Give the object at ptr to owner to, with the caller's reference to it:
 * the entry keeps it, or it is dropped if the object is not handed over.
 * The CPU's own.  Then the previous owner counts it handed over.  False
 * if it is not tracked or already to's.
 */
static __always_inline bool __lm_track_give(struct lm_pcpu *c,
					    unsigned int kind,
					    const void *ptr,
					    struct lm_owner *to)
{
	unsigned long tag = lm_obj_tag((unsigned long)ptr, kind);
	unsigned long b = lm_obj_bucket((unsigned long)ptr);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_give g = { .to = to, .kind = kind };
	struct lm_obj *obj;
	int i;

	/* where a release looks for it, in the same order */
	lm_obj_lock(&c->recent_lock);
	i = lm_recent_find(c, tag);
	if (i >= 0)
		lm_obj_give(c->recent[i], &g);
	lm_obj_unlock(&c->recent_lock);
	if (i < 0) {
		lm_obj_lock(lock);
		obj = *lm_obj_seek(b, tag);
		if (obj)
			lm_obj_give(obj, &g);
		lm_obj_unlock(lock);
		if (!obj)
			lm_recent_apply_any(tag, lm_obj_give_fn, &g);
	}
	if (!g.prev) {
		lm_owner_put(to);
		return false;
	}
	lm_pcpu_ev(c, kind, LM_EV_HANDED_OVER);
	lm_owner_account(g.prev, kind, LM_ACCT_HAND_OVER, 0);
	lm_owner_put(g.prev);
	if (unlikely(g.crossed)) {
		lm_owner_send_over(to, g.crossed);
		lm_owner_put(to);
	}
	return true;
}

bool lm_track_give(unsigned int kind, const void *ptr, struct lm_owner *to)
{
	unsigned long flags;
	bool given;

	atomic_inc(&to->ref);
	local_irq_save(flags);
	given = __lm_track_give(this_cpu_ptr(lm_pcpu), kind, ptr, to);
	local_irq_restore(flags);
	return given;
}

/*
 * Hand the object at ptr over to current's owner, if it is tracked and
 * another's.  Task context only (an accept); elsewhere there is nobody to
 * hand it to.  From a probe handler: a page of its own, as
 * lm_track_alloc(); the owner's reference goes to the entry.
 */
__section(".text.lm_track_handover") __aligned(PAGE_SIZE) notrace
int lm_track_handover(unsigned int kind, const void *ptr)
{
	struct lm_owner *o;
	struct lm_pcpu *c;
	unsigned long flags;

	if (!in_task())
		return 0;
	flags = lm_path_begin();
	c = this_cpu_ptr(lm_pcpu);
	o = lm_owner_get_task(c);
	/* on an error the object stays its owner's */
	if (o)
		__lm_track_give(c, kind, ptr, o);
	return lm_path_end(flags);
}
