// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the object table and the owner table.
 *
 * Both are fixed arrays of buckets sized at load time (owners in hlists,
 * objects in singly linked chains), each guarded by one of a small array
 * of hashed spinlocks.  Probe handlers hold one bucket lock at a time for a
 * chain walk and never sleep; entries come from each CPU's free ones or
 * from dedicated slab caches with GFP_ATOMIC, and every failure is counted.
 * An owner's counters are atomics of their own: a probe handler takes no
 * owner lock.
 *
 * Lock order: owner bucket lock -> owner->lock.  Object bucket locks are
 * never held together with any other leakmon lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/ktime.h>
#include <linux/cred.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "leakmon.h"
#include "compat.h"
#include "events.h"

#define LM_OBJ_LOCK_BITS	10
#define LM_OWNER_LOCK_BITS	8
/* A saturation episode ends this long after its last drop. */
#define LM_SAT_QUIET_NS		NSEC_PER_SEC
/*
 * Free entries kept per CPU (struct lm_pcpu.mag): a release hands its
 * entry to the next allocation on the same CPU without the slab allocator.
 * 32 entries of 32 bytes per CPU, counted in the leakmon_obj cache.
 */
#define LM_MAG_SIZE		32

/*
 * An object's entry: 32 bytes.  Its chain is singly linked: every removal
 * walks the chain from its bucket anyway, to find the entry by its key.
 */
struct lm_obj {
	struct lm_obj *next;		/* bucket chain; bucket lock */
	unsigned long key;
	struct lm_owner *owner;
	u8 kind;
	u8 held;			/* LM_HELD_*: how the pass reached it */
	u8 cls;				/* enum lm_class at the last pass */
	/* seconds of boot time: when allocated, or closing since (cls) */
	u32 stamp;
};

/* lm_obj.held */
#define LM_HELD_OWNER	BIT(0)	/* this pass: in its owner's process */
#define LM_HELD_OTHER	BIT(1)	/* this pass: in another process */
#define LM_HELD_AWAY	BIT(2)	/* the last pass: only in other processes */

struct lm_pcpu {
	/*
	 * The owner of the last allocation in task context on this CPU,
	 * valid while lm_owner_frees equals owner_frees (probe handlers
	 * only, interrupts off).
	 */
	struct lm_owner *owner;
	int owner_frees;
	/*
	 * The cgroup membership (css_set) of current when owner's identity
	 * was last copied on this CPU: the cgroup id is looked up again only
	 * when it changes.  (A css_set freed and made again at the same
	 * address for another cgroup, the task moved twice between two of
	 * its allocations here, would go unseen until the next cache miss.)
	 */
	const void *owner_css;
	unsigned int nmag;
	struct lm_obj *mag[LM_MAG_SIZE];
	long live[LM_NKINDS];
	long orphans[LM_NKINDS];
	unsigned long ev[LM_NKINDS][LM_EV_MAX];
};

struct lm_table {
	void *buckets;			/* lm_owner_head(), lm_obj_slot() */
	spinlock_t *locks;		/* hashed: bucket & lock mask */
	unsigned int bits;
	unsigned int lock_bits;
};

static struct lm_table lm_objs;
static struct lm_table lm_owners;
static struct kmem_cache *lm_obj_cache;
static struct kmem_cache *lm_owner_cache;
static struct lm_pcpu __percpu *lm_pcpu;
static atomic_t lm_nr_objects;
static atomic_t lm_nr_owners;
static atomic_t lm_nr_exited;
static atomic_t lm_owner_gen;
/* Owners freed so far: a CPU's cached owner is valid while it stays. */
static atomic_t lm_owner_frees;
static u64 lm_reset_ns;
/* Bytes per object of each kind (ksize()), 0 until measured. */
static u32 lm_obj_size[LM_NKINDS];
/* LM_SATURATED: a saturation episode is on (its event was queued). */
#define LM_SATURATED	0
static unsigned long lm_saturated;
static u64 lm_last_drop_ns;
/* The owner of objects allocated outside task context; never exits. */
static struct lm_owner *lm_irq_owner;

static inline void lm_ev(unsigned int kind, enum lm_event ev)
{
	this_cpu_inc(lm_pcpu->ev[kind][ev]);
}

static int lm_table_init(struct lm_table *t, unsigned int bits,
			 unsigned int lock_bits)
{
	unsigned int i;

	t->bits = bits;
	t->lock_bits = min(bits, lock_bits);
	/* an hlist_head or a pointer to an entry: one pointer, NULL */
	BUILD_BUG_ON(sizeof(struct hlist_head) != sizeof(struct lm_obj *));
	t->buckets = kvcalloc(1UL << bits, sizeof(void *), GFP_KERNEL);
	if (!t->buckets)
		return -ENOMEM;
	t->locks = kcalloc(1UL << t->lock_bits, sizeof(*t->locks), GFP_KERNEL);
	if (!t->locks) {
		kvfree(t->buckets);
		t->buckets = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < (1U << t->lock_bits); i++)
		spin_lock_init(&t->locks[i]);
	return 0;
}

static void lm_table_free(struct lm_table *t)
{
	kfree(t->locks);
	kvfree(t->buckets);
	t->locks = NULL;
	t->buckets = NULL;
}

static inline spinlock_t *lm_lock_of(struct lm_table *t, unsigned long b)
{
	return &t->locks[b & ((1UL << t->lock_bits) - 1)];
}

/* The chain of owners of bucket b */
static inline struct hlist_head *lm_owner_head(unsigned long b)
{
	return (struct hlist_head *)lm_owners.buckets + b;
}

/* The link to the first entry of object bucket b */
static inline struct lm_obj **lm_obj_slot(unsigned long b)
{
	return (struct lm_obj **)lm_objs.buckets + b;
}

/*
 * In bucket b, whose lock the caller holds: the link to the entry of key
 * (of kind, or of any kind with LM_KIND_ANY), or to the chain's end (NULL).
 */
#define LM_KIND_ANY	UINT_MAX
static inline struct lm_obj **lm_obj_seek(unsigned long b, unsigned long key,
					  unsigned int kind)
{
	struct lm_obj **link = lm_obj_slot(b);

	for (; *link; link = &(*link)->next)
		if ((*link)->key == key &&
		    (kind == LM_KIND_ANY || (*link)->kind == kind))
			break;
	return link;
}

static inline unsigned long lm_obj_bucket(unsigned long key)
{
	return hash_long(key, lm_objs.bits);
}

static inline unsigned long lm_owner_bucket(pid_t tgid, u64 start_ns)
{
	return hash_64(start_ns ^ ((u64)tgid << 32 | (u32)tgid), lm_owners.bits);
}

/* ---- owners ---------------------------------------------------------- */

static inline void lm_owner_put(struct lm_owner *o);

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

static void lm_owner_fill_identity(struct lm_owner *o, struct task_struct *t)
{
	strscpy(o->comm, t->comm, sizeof(o->comm));
	o->uid = lm_task_uid(t);
	o->cgroup_id = lm_compat_task_cgroup_id(t);
}

/* Two command names alike: two loads each, not a call to memcmp(). */
static inline bool lm_comm_eq(const char *a, const char *b)
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
 * its comm (exec, prctl), uid (setuid) and cgroup (a move) are copied when
 * they changed.  Interrupts off.
 */
static inline void lm_owner_refresh(struct lm_owner *o, struct lm_pcpu *c)
{
	const void *css = lm_compat_task_css_set(current);

	if (likely(c->owner == o && c->owner_css == css &&
		   lm_comm_eq(o->comm, current->comm) &&
		   uid_eq(o->uid, current_real_cred()->uid)))
		return;
	spin_lock(&o->lock);
	lm_owner_fill_identity(o, current);
	spin_unlock(&o->lock);
	c->owner_css = css;
}

static struct lm_owner *lm_owner_find_type(struct hlist_head *head, u8 type,
					   pid_t tgid, u64 start_ns)
{
	struct lm_owner *o;

	hlist_for_each_entry(o, head, node)
		if (o->tgid == tgid && o->start_ns == start_ns &&
		    o->type == type)
			return o;
	return NULL;
}

static struct lm_owner *lm_owner_find(struct hlist_head *head, pid_t tgid,
				      u64 start_ns)
{
	return lm_owner_find_type(head, LEAKMON_OWNER_TYPE_TASK, tgid,
				  start_ns);
}

/*
 * Under bucket b's lock: the owner (type, tgid, start_ns) with a new
 * reference; or a new one, counted, zeroed but for its key and lock, not
 * in the table yet (*fresh: the caller fills it, sets its references and
 * adds it); or an ERR_PTR naming why there is none.
 */
static struct lm_owner *lm_owner_lookup(unsigned long b, u8 type, pid_t tgid,
					u64 start_ns, bool *fresh)
{
	struct lm_owner *o;

	*fresh = false;
	o = lm_owner_find_type(lm_owner_head(b), type, tgid, start_ns);
	if (o) {
		atomic_inc(&o->ref);
		return o;
	}
	if (atomic_inc_return(&lm_nr_owners) > READ_ONCE(lm_max_owners)) {
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
static struct lm_owner *lm_owner_get(struct task_struct *t)
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
 * (interrupts off: a probe handler).  No lock and no lookup: a process
 * making sockets in a loop finds its owner here every time.
 *
 * The cached pointer is only read while no owner was freed since it was
 * cached (lm_owner_frees), and an owner freed after that read keeps its
 * memory until the handler ends: the owner cache is SLAB_TYPESAFE_BY_RCU
 * and interrupts are off.  The memory may meanwhile serve another owner,
 * so the key is checked again once the reference is taken.
 */
static inline struct lm_owner *lm_owner_cached(struct lm_pcpu *c)
{
	struct task_struct *t = current;
	u64 start_ns = t->group_leader->start_boottime;
	pid_t tgid = task_tgid_nr(t);
	struct lm_owner *o = c->owner;

	if (!o || atomic_read(&lm_owner_frees) != c->owner_frees ||
	    o->tgid != tgid || o->start_ns != start_ns ||
	    o->type != LEAKMON_OWNER_TYPE_TASK ||
	    !atomic_inc_not_zero(&o->ref))
		return NULL;
	/* the key as set before the reference was (lm_owner_get) */
	smp_acquire__after_ctrl_dep();
	if (likely(o->tgid == tgid && o->start_ns == start_ns &&
		   o->type == LEAKMON_OWNER_TYPE_TASK))
		return o;
	lm_owner_put(o);
	return NULL;
}

/*
 * The owner of an allocation made by current, as lm_owner_get().  Outside
 * task context current is whatever task was interrupted: the object is the
 * softirq owner's (the table holds a reference to it until the module is
 * unloaded).
 */
static struct lm_owner *lm_owner_get_current(void)
{
	struct lm_pcpu *c;
	struct lm_owner *o;

	if (!in_task()) {
		atomic_inc(&lm_irq_owner->ref);
		return lm_irq_owner;
	}
	c = this_cpu_ptr(lm_pcpu);
	o = lm_owner_cached(c);
	if (!o) {
		o = lm_owner_get(current);
		if (IS_ERR(o))
			return o;
		/* o cannot be freed while referenced: valid from now on */
		c->owner = o;
		c->owner_frees = atomic_read(&lm_owner_frees);
		c->owner_css = NULL;
	}
	lm_owner_refresh(o, c);
	return o;
}

/* The last reference of an owner: out of the table, freed */
static noinline void lm_owner_put_last(struct lm_owner *o)
{
	unsigned long b = lm_owner_bucket(o->tgid, o->start_ns);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	/* Found by a lookup meanwhile: it lives on. */
	if (!atomic_dec_and_test(&o->ref)) {
		spin_unlock_irqrestore(lock, flags);
		return;
	}
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

/*
 * Drop a reference: without a lock unless it may be the last (as
 * atomic_dec_and_lock(), inline: a probe handler puts one per object).
 */
static inline void lm_owner_put(struct lm_owner *o)
{
	if (likely(atomic_add_unless(&o->ref, -1, 1)))
		return;
	lm_owner_put_last(o);
}

/* The owner's live objects of a kind */
static inline u32 lm_owner_live_kind(const struct lm_owner *o,
				     unsigned int kind)
{
	return atomic_read(&o->live[kind]) & LM_LIVE_COUNT;
}

/* The owner's live objects, all kinds */
static u64 lm_owner_live(const struct lm_owner *o)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < LM_NKINDS; i++)
		sum += lm_owner_live_kind(o, i);
	return sum;
}

/* The owner's identity and per-kind live counts into an event; o->lock. */
static void lm_owner_event(const struct lm_owner *o, struct lm_notif *ev,
			   u8 cmd, u64 now)
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
	LM_ACCT_UNRECEIVE,	/* a receipt taken back: it was not handed */
	LM_ACCT_HAND_OVER,	/* handed over by the owner to another */
};

/*
 * Credit what happened to one object of a kind to o, without a lock: each
 * counter is an atomic of its own, and the exited owners' total follows
 * LM_LIVE_EXITED in the live count (struct lm_owner).  An allocation or a
 * receipt that takes the owner to the event threshold fills ev and returns
 * true: the caller queues it once no lock is held.
 */
static bool lm_owner_account(struct lm_owner *o, unsigned int kind,
			     enum lm_acct what, struct lm_notif *ev)
{
	struct lm_owner_acct *k = &o->k[kind];
	unsigned int thr;
	unsigned long flags;
	u64 now;
	int v;

	switch (what) {
	case LM_ACCT_ALLOC:
	case LM_ACCT_RECEIVE:
		v = atomic_inc_return(&o->live[kind]);
		if (v & LM_LIVE_EXITED)
			this_cpu_inc(lm_pcpu->orphans[kind]);
		if (what == LM_ACCT_RECEIVE) {
			atomic64_inc(&k->received);
		} else {
			now = ktime_get_coarse_boottime_ns();
			atomic64_inc(&k->allocated);
			if (unlikely(!READ_ONCE(k->first_ns)))
				WRITE_ONCE(k->first_ns, now);
			WRITE_ONCE(k->last_ns, now);
		}
		thr = READ_ONCE(lm_event_threshold);
		if (likely(!thr || READ_ONCE(o->over) ||
			   lm_owner_live(o) < thr))
			return false;
		/* One event per crossing: the first to get here sends it */
		if (cmpxchg(&o->over, 0, 1))
			return false;
		spin_lock_irqsave(&o->lock, flags);
		lm_owner_event(o, ev, LEAKMON_CMD_EVENT_THRESHOLD,
			       ktime_get_boot_fast_ns());
		spin_unlock_irqrestore(&o->lock, flags);
		ev->threshold = thr;
		return true;
	case LM_ACCT_FREE:
	case LM_ACCT_DROP:
	case LM_ACCT_UNRECEIVE:
	case LM_ACCT_HAND_OVER:
		v = atomic_dec_return(&o->live[kind]);
		if (v & LM_LIVE_EXITED)
			this_cpu_dec(lm_pcpu->orphans[kind]);
		if (what == LM_ACCT_FREE)
			atomic64_inc(&k->freed);
		else if (what == LM_ACCT_UNRECEIVE)
			atomic64_dec(&k->received);
		else if (what == LM_ACCT_HAND_OVER)
			atomic64_inc(&k->handed_over);
		/* Re-armed below half the threshold (or with events off). */
		if (unlikely(READ_ONCE(o->over))) {
			thr = READ_ONCE(lm_event_threshold);
			if (!thr || lm_owner_live(o) * 2 < thr)
				WRITE_ONCE(o->over, 0);
		}
		break;
	}
	return false;
}

/* The event pipeline's look at an exited owner (struct lm_exit_ops) */
static u64 lm_owner_exited_look(struct lm_owner *o, struct lm_notif *ev)
{
	unsigned long flags;
	u64 live;

	spin_lock_irqsave(&o->lock, flags);
	lm_owner_event(o, ev, LEAKMON_CMD_EVENT_ORPHANS, o->exit_ns);
	live = lm_owner_live(o);
	spin_unlock_irqrestore(&o->lock, flags);
	return live;
}

static const struct lm_exit_ops lm_exit_ops = {
	.look = lm_owner_exited_look,
	.put = lm_owner_put,
};

void lm_track_task_exit(struct task_struct *task)
{
	pid_t tgid = task_tgid_nr(task);
	u64 start_ns = task->group_leader->start_boottime;
	unsigned long b = lm_owner_bucket(tgid, start_ns);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	struct lm_owner *o;
	struct lm_notif ev;
	unsigned long flags;
	bool marked = false, orphans = false;
	unsigned int i;

	/* Only the end of the whole thread group matters. */
	if (atomic_read(&task->signal->live) != 0)
		return;

	spin_lock_irqsave(lock, flags);
	o = lm_owner_find(lm_owner_head(b), tgid, start_ns);
	if (o) {
		spin_lock(&o->lock);
		if (!o->exited) {
			o->exited = true;
			o->exit_ns = ktime_get_boot_fast_ns();
			for (i = 0; i < LM_NKINDS; i++)
				this_cpu_add(lm_pcpu->orphans[i],
					     (long)(atomic_fetch_or(LM_LIVE_EXITED,
								    &o->live[i]) &
						    LM_LIVE_COUNT));
			marked = true;
			atomic_inc(&lm_nr_exited);
			/*
			 * Its files are closed only after this tracepoint:
			 * whether objects outlive the process is seen later,
			 * by the event pipeline's work item, which takes
			 * over the reference the live process held.
			 */
			if (lm_owner_live(o)) {
				memset(&ev, 0, sizeof(ev));
				ev.cmd = LEAKMON_CMD_EVENT_ORPHANS;
				ev.time_ns = o->exit_ns;
				orphans = true;
			}
		}
		spin_unlock(&o->lock);
	}
	spin_unlock_irqrestore(lock, flags);
	if (orphans && lm_notify_exit(&ev, o, &lm_exit_ops, task))
		marked = false;
	/* Drop the reference the live process held. */
	if (marked)
		lm_owner_put(o);
}

void lm_track_owner_put(struct lm_owner *o)
{
	lm_owner_put(o);
}

/* ---- objects ---------------------------------------------------------- */

/* An entry from this CPU's free ones, or else a new one; interrupts off */
static inline struct lm_obj *lm_obj_alloc(void)
{
	struct lm_pcpu *c = this_cpu_ptr(lm_pcpu);

	if (likely(c->nmag))
		return c->mag[--c->nmag];
	return kmem_cache_alloc(lm_obj_cache, GFP_ATOMIC | __GFP_NOWARN);
}

/* Keep an unlinked entry for this CPU's next allocation; interrupts off */
static inline void lm_obj_free(struct lm_obj *obj)
{
	struct lm_pcpu *c = this_cpu_ptr(lm_pcpu);

	if (likely(c->nmag < LM_MAG_SIZE))
		c->mag[c->nmag++] = obj;
	else
		kmem_cache_free(lm_obj_cache, obj);
}

/*
 * Forget an object whose entry was unlinked: credit its owner, free it.
 * Interrupts off.
 */
static void lm_obj_release(struct lm_obj *obj, bool count_free)
{
	unsigned int kind = obj->kind;

	lm_owner_account(obj->owner, kind,
			 count_free ? LM_ACCT_FREE : LM_ACCT_DROP, NULL);
	lm_owner_put(obj->owner);
	lm_obj_free(obj);
	atomic_dec(&lm_nr_objects);
	this_cpu_dec(lm_pcpu->live[kind]);
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
	ev.objects = atomic_read(&lm_nr_objects);
	ev.owners = atomic_read(&lm_nr_owners);
	ev.max_objects = READ_ONCE(lm_max_objects);
	ev.max_owners = READ_ONCE(lm_max_owners);
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

static void __lm_track_alloc(unsigned int kind, const void *ptr,
			     const void *base)
{
	unsigned long key = (unsigned long)ptr;
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *obj, *old, **link;
	struct lm_owner *o;
	struct lm_notif ev;
	bool crossed;

	lm_ev(kind, LM_EV_OBSERVED);
	lm_track_measure(kind, base);
	if (atomic_inc_return(&lm_nr_objects) > READ_ONCE(lm_max_objects)) {
		atomic_dec(&lm_nr_objects);
		lm_track_drop(kind, LM_EV_UNTRACKED_TABLE_FULL);
		return;
	}
	o = lm_owner_get_current();
	if (IS_ERR(o)) {
		atomic_dec(&lm_nr_objects);
		lm_track_drop(kind, PTR_ERR(o) == -ENOSPC ?
			      LM_EV_UNTRACKED_OWNERS_FULL :
			      LM_EV_UNTRACKED_NOMEM);
		return;
	}
	obj = lm_obj_alloc();
	if (!obj) {
		lm_owner_put(o);
		atomic_dec(&lm_nr_objects);
		lm_track_drop(kind, LM_EV_UNTRACKED_NOMEM);
		return;
	}
	obj->key = key;
	obj->owner = o;
	obj->kind = kind;
	obj->held = 0;
	obj->cls = LM_CLS_NONE;
	obj->stamp = lm_now_s();
	/* Count it live before anyone can find it. */
	crossed = lm_owner_account(o, kind, LM_ACCT_ALLOC, &ev);
	this_cpu_inc(lm_pcpu->live[kind]);
	lm_ev(kind, LM_EV_TRACKED);
	lm_track_rearm();
	if (crossed)
		lm_notify(&ev);

	spin_lock(lock);
	link = lm_obj_seek(b, key, LM_KIND_ANY);
	old = *link;
	if (old)
		*link = old->next;
	obj->next = *lm_obj_slot(b);
	*lm_obj_slot(b) = obj;
	spin_unlock(lock);

	/* A live entry at this address means its free was missed. */
	if (old) {
		lm_ev(old->kind, LM_EV_REPLACED);
		lm_obj_release(old, false);
	}
}

/* The entry of (key, kind) in bucket b, whose lock the caller holds */
static inline struct lm_obj *lm_obj_find(unsigned long b, unsigned long key,
					 unsigned int kind)
{
	return *lm_obj_seek(b, key, kind);
}

static void __lm_track_free(unsigned int kind, const void *ptr)
{
	unsigned long key = (unsigned long)ptr;
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *obj, **link;

	spin_lock(lock);
	link = lm_obj_seek(b, key, kind);
	obj = *link;
	if (obj)
		*link = obj->next;
	spin_unlock(lock);

	if (!obj) {
		lm_ev(kind, LM_EV_UNKNOWN_FREES);
		return;
	}
	lm_ev(kind, LM_EV_FREED);
	lm_obj_release(obj, true);
}

/*
 * lm_track_alloc() and lm_track_free() run from probe handlers with
 * interrupts off throughout: a probe that fires while another probe handler
 * is active on the same CPU is skipped by the kprobes core, and a softirq
 * run from an interrupt in the middle of a handler is where that happens
 * (sockets and their blobs are also freed in softirq and RCU callbacks).
 */
void lm_track_alloc(unsigned int kind, const void *ptr, const void *base)
{
	unsigned long flags;

	local_irq_save(flags);
	__lm_track_alloc(kind, ptr, base);
	local_irq_restore(flags);
}

void lm_track_free(unsigned int kind, const void *ptr)
{
	unsigned long flags;

	local_irq_save(flags);
	__lm_track_free(kind, ptr);
	local_irq_restore(flags);
}

/*
 * Give the object at ptr to owner to (which the caller references): the
 * new owner counts it before the entry names it, so that a concurrent free
 * never takes the new owner below zero; then the previous owner counts it
 * handed over.  False if it is not tracked or already to's.
 */
bool lm_track_give(unsigned int kind, const void *ptr, struct lm_owner *to)
{
	unsigned long key = (unsigned long)ptr;
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_owner *prev = NULL;
	struct lm_obj *obj;
	struct lm_notif ev;
	unsigned long flags;
	bool crossed;

	atomic_inc(&to->ref);
	crossed = lm_owner_account(to, kind, LM_ACCT_RECEIVE, &ev);
	spin_lock_irqsave(lock, flags);
	obj = lm_obj_find(b, key, kind);
	if (obj && obj->owner != to) {
		prev = obj->owner;
		obj->owner = to;
	}
	spin_unlock_irqrestore(lock, flags);
	if (!prev) {
		lm_owner_account(to, kind, LM_ACCT_UNRECEIVE, NULL);
		lm_owner_put(to);
		return false;
	}
	lm_ev(kind, LM_EV_HANDED_OVER);
	lm_owner_account(prev, kind, LM_ACCT_HAND_OVER, NULL);
	lm_owner_put(prev);
	if (crossed)
		lm_notify(&ev);
	return true;
}

/*
 * Hand the object at ptr over to current's owner, if it is tracked and
 * another's.  Task context only (an accept); elsewhere there is nobody to
 * hand it to.
 */
static void __lm_track_handover(unsigned int kind, const void *ptr)
{
	struct lm_owner *o = lm_owner_get_current();

	if (IS_ERR(o))
		return;		/* the object stays its owner's */
	lm_track_give(kind, ptr, o);
	lm_owner_put(o);
}

void lm_track_handover(unsigned int kind, const void *ptr)
{
	unsigned long flags;

	if (!in_task())
		return;
	local_irq_save(flags);
	__lm_track_handover(kind, ptr);
	local_irq_restore(flags);
}

/* ---- the reachability pass's access (reach.c) ------------------------- */

/* Whether o is a running process (not exited, not the softirq owner). */
static bool lm_owner_alive(const struct lm_owner *o)
{
	return o->type == LEAKMON_OWNER_TYPE_TASK && !READ_ONCE(o->exited);
}

struct lm_owner *lm_track_owner_of(struct task_struct *t)
{
	struct lm_owner *o = lm_owner_get(t);

	if (!IS_ERR(o) && !lm_owner_alive(o)) {
		lm_owner_put(o);
		return ERR_PTR(-ESRCH);
	}
	return o;
}

void lm_track_owner_hold(struct lm_owner *o)
{
	atomic_inc(&o->ref);
}

/*
 * The owner of a network namespace's kernel sockets (tgid 0, its inode
 * number in start_ns), with a reference; created when first needed, gone
 * with its last object (no process holds a reference for it).
 */
struct lm_owner *lm_track_netns_owner(u32 inum)
{
	unsigned long b = lm_owner_bucket(0, inum);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	struct lm_owner *o;
	unsigned long flags;
	bool fresh;

	spin_lock_irqsave(lock, flags);
	o = lm_owner_lookup(b, LEAKMON_OWNER_TYPE_NETNS, 0, inum, &fresh);
	if (fresh) {
		o->uid = GLOBAL_ROOT_UID;
		strscpy(o->comm, "[netns]", sizeof(o->comm));
		atomic_set(&o->ref, 1);
		hlist_add_head(&o->node, lm_owner_head(b));
		atomic_inc(&lm_owner_gen);
	}
	spin_unlock_irqrestore(lock, flags);
	return o;
}

/* Set an object's held bits (after it changed hands in the walk). */
static void lm_obj_held(unsigned int kind, const void *ptr, u8 held)
{
	unsigned long key = (unsigned long)ptr;
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *obj;
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	obj = lm_obj_find(b, key, kind);
	if (obj)
		obj->held = held;
	spin_unlock_irqrestore(lock, flags);
}

/*
 * Mark the object at ptr reached by the pass in the process h.  When its
 * owner no longer runs, or the last pass found it only in other processes,
 * hand it over to holder, h's owner: as an accept does, the holder counts
 * it before the entry names it.  Without a holder yet, LM_HOLD_ASK asks
 * the caller for one (and to call again).
 */
enum lm_hold lm_track_hold(unsigned int kind, const void *ptr,
			   const struct lm_holder *h, struct lm_owner *holder,
			   bool ask)
{
	unsigned long key = (unsigned long)ptr;
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_owner *prev;
	struct lm_obj *obj;
	unsigned long flags;
	bool give;

	spin_lock_irqsave(lock, flags);
	obj = lm_obj_find(b, key, kind);
	if (!obj) {
		spin_unlock_irqrestore(lock, flags);
		return LM_HOLD_UNTRACKED;
	}
	prev = obj->owner;
	if (prev->type == LEAKMON_OWNER_TYPE_TASK && prev->tgid == h->tgid &&
	    prev->start_ns == h->start_ns) {
		obj->held |= LM_HELD_OWNER;
		spin_unlock_irqrestore(lock, flags);
		return LM_HOLD_MARKED;
	}
	obj->held |= LM_HELD_OTHER;
	/*
	 * Held by another process than its owner: handed over to it if the
	 * owner no longer runs, or if the last pass, too, found it only in
	 * other processes (the owner passed it on and closed its own).
	 */
	give = !lm_owner_alive(prev) || (obj->held & LM_HELD_AWAY);
	spin_unlock_irqrestore(lock, flags);
	if (!give)
		return LM_HOLD_MARKED;
	if (!holder)
		return ask ? LM_HOLD_ASK : LM_HOLD_MARKED;
	if (!lm_track_give(kind, ptr, holder))
		return LM_HOLD_MARKED;
	/* Its holder's own now: not away, whoever else holds it. */
	lm_obj_held(kind, ptr, LM_HELD_OWNER);
	return LM_HOLD_MOVED;
}

unsigned long lm_track_buckets(void)
{
	return 1UL << lm_objs.bits;
}

/*
 * Classify the objects of n buckets from bucket on: fn sees each under its
 * bucket's lock (the object cannot be freed meanwhile: its release probe
 * waits for the lock) and returns its class.  The pass's marks are
 * cleared.  Returns the next bucket.
 */
unsigned long lm_track_classify(unsigned long bucket, unsigned long n,
				u8 (*fn)(struct lm_obj_view *v, void *arg),
				void *arg)
{
	struct lm_obj_view v;
	struct lm_obj *obj, **link, *stale = NULL;
	unsigned long flags, end = min(bucket + n, lm_track_buckets());

	for (; bucket < end; bucket++) {
		spinlock_t *lock = lm_lock_of(&lm_objs, bucket);

		/* An entry added meanwhile is young: no lock for an empty one */
		if (!READ_ONCE(*lm_obj_slot(bucket)))
			continue;
		spin_lock_irqsave(lock, flags);
		link = lm_obj_slot(bucket);
		while ((obj = *link)) {
			v.kind = obj->kind;
			v.key = (const void *)obj->key;
			v.owner = obj->owner;
			v.held = obj->held & (LM_HELD_OWNER | LM_HELD_OTHER);
			v.cls = obj->cls;
			v.stamp = obj->stamp;
			obj->cls = fn(&v, arg);
			if (obj->cls == LM_CLS_STALE) {
				*link = obj->next;
				obj->next = stale;
				stale = obj;
				continue;
			}
			obj->stamp = v.stamp;
			/* What the next pass needs of this one's marks */
			obj->held = (obj->held & (LM_HELD_OWNER | LM_HELD_OTHER)) ==
				    LM_HELD_OTHER ? LM_HELD_AWAY : 0;
			link = &obj->next;
		}
		spin_unlock_irqrestore(lock, flags);
	}
	/* Entries whose free was missed: dropped, counted as replaced */
	while ((obj = stale)) {
		stale = obj->next;
		local_irq_save(flags);
		lm_ev(obj->kind, LM_EV_REPLACED);
		lm_obj_release(obj, false);
		local_irq_restore(flags);
	}
	return bucket;
}

/* ---- reporting -------------------------------------------------------- */

void lm_track_totals(struct lm_totals *t)
{
	unsigned int cpu, k, e;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		struct lm_pcpu *p = per_cpu_ptr(lm_pcpu, cpu);

		for (k = 0; k < LM_NKINDS; k++) {
			t->k[k].live += READ_ONCE(p->live[k]);
			t->k[k].orphans += READ_ONCE(p->orphans[k]);
			for (e = 0; e < LM_EV_MAX; e++)
				t->k[k].ev[e] += READ_ONCE(p->ev[k][e]);
		}
	}
	for (k = 0; k < LM_NKINDS; k++)
		t->k[k].obj_size = READ_ONCE(lm_obj_size[k]);
	t->objects = atomic_read(&lm_nr_objects);
	t->owners = atomic_read(&lm_nr_owners);
	t->owners_exited = atomic_read(&lm_nr_exited);
	t->reset_ns = READ_ONCE(lm_reset_ns);
}

void lm_track_reset(void)
{
	unsigned int cpu, k, e;
	unsigned long b, flags;
	struct lm_owner *o;

	for_each_possible_cpu(cpu) {
		struct lm_pcpu *p = per_cpu_ptr(lm_pcpu, cpu);

		for (k = 0; k < LM_NKINDS; k++)
			for (e = 0; e < LM_EV_MAX; e++)
				WRITE_ONCE(p->ev[k][e], 0);
	}
	for (b = 0; b < (1UL << lm_owners.bits); b++) {
		spinlock_t *lock = lm_lock_of(&lm_owners, b);

		/*
		 * An owner added meanwhile counts from now on: no lock for
		 * an empty bucket (most are: lockdep made the locking of all
		 * of them a tenth of a second under emulation)
		 */
		if (hlist_empty(lm_owner_head(b)))
			continue;
		spin_lock_irqsave(lock, flags);
		hlist_for_each_entry(o, lm_owner_head(b), node) {
			for (k = 0; k < LM_NKINDS; k++) {
				atomic64_set(&o->k[k].allocated, 0);
				atomic64_set(&o->k[k].freed, 0);
				atomic64_set(&o->k[k].received, 0);
				atomic64_set(&o->k[k].handed_over, 0);
			}
		}
		spin_unlock_irqrestore(lock, flags);
		cond_resched();
	}
	WRITE_ONCE(lm_reset_ns, ktime_get_boot_fast_ns());
}

u32 lm_owner_generation(void)
{
	/* Never zero: a zero cb->seq means "no consistency checking". */
	return (u32)atomic_read(&lm_owner_gen) | 1U << 31;
}

/*
 * A copy of an owner: its identity as of one moment (its lock), its
 * counters each as of about then (they change without the lock).
 */
static void lm_owner_snapshot(struct lm_owner *o, struct lm_owner_snap *s)
{
	unsigned int k;

	spin_lock(&o->lock);
	s->type = o->type;
	s->tgid = o->tgid;
	s->exited = o->exited;
	s->uid = from_kuid_munged(&init_user_ns, o->uid);
	s->start_ns = o->start_ns;
	s->exit_ns = o->exit_ns;
	s->cgroup_id = o->cgroup_id;
	memcpy(s->comm, o->comm, sizeof(s->comm));
	spin_unlock(&o->lock);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_owner_acct *a = &o->k[k];

		s->live[k] = lm_owner_live_kind(o, k);
		s->k[k].allocated = atomic64_read(&a->allocated);
		s->k[k].freed = atomic64_read(&a->freed);
		s->k[k].first_ns = READ_ONCE(a->first_ns);
		s->k[k].last_ns = READ_ONCE(a->last_ns);
		s->k[k].received = atomic64_read(&a->received);
		s->k[k].handed_over = atomic64_read(&a->handed_over);
	}
}

void lm_track_owner_snap(struct lm_owner *o, struct lm_owner_snap *s)
{
	unsigned long flags;

	local_irq_save(flags);
	lm_owner_snapshot(o, s);
	local_irq_restore(flags);
}

int lm_owner_walk(unsigned long *bucket, unsigned long *index,
		  int (*fn)(const struct lm_owner_snap *s, void *arg),
		  void *arg)
{
	struct lm_owner_snap s;
	struct lm_owner *o;
	unsigned long flags, i;
	int ret = 0;

	for (; *bucket < (1UL << lm_owners.bits); (*bucket)++, *index = 0) {
		spinlock_t *lock = lm_lock_of(&lm_owners, *bucket);

		/*
		 * An owner added meanwhile may or may not be listed, locked
		 * or not: no lock for an empty bucket
		 */
		if (hlist_empty(lm_owner_head(*bucket)))
			continue;
		i = 0;
		spin_lock_irqsave(lock, flags);
		hlist_for_each_entry(o, lm_owner_head(*bucket), node) {
			if (i++ < *index)
				continue;
			lm_owner_snapshot(o, &s);
			ret = fn(&s, arg);
			if (ret)
				break;
			(*index)++;
		}
		spin_unlock_irqrestore(lock, flags);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- setup ------------------------------------------------------------ */

/*
 * The softirq owner, listed like any other (tgid 0, start 0: its bucket is
 * the idle task's, which lm_owner_find() never confuses with it).  Its
 * reference of a live process is never dropped; lm_track_exit() frees it
 * with the table.
 */
static int lm_irq_owner_init(void)
{
	struct lm_owner *o;
	unsigned long b;

	o = kmem_cache_alloc(lm_owner_cache, GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	spin_lock_init(&o->lock);
	o->type = LEAKMON_OWNER_TYPE_SOFTIRQ;
	strscpy(o->comm, "[softirq]", sizeof(o->comm));
	o->uid = GLOBAL_ROOT_UID;
	atomic_set(&o->ref, 1);
	b = lm_owner_bucket(0, 0);
	/* Nothing else can see the table yet. */
	hlist_add_head(&o->node, lm_owner_head(b));
	atomic_inc(&lm_nr_owners);
	lm_irq_owner = o;
	return 0;
}

int lm_track_init(void)
{
	unsigned int obj_bits, owner_bits, max_owners;
	int err;

	BUILD_BUG_ON(sizeof(struct lm_obj) > 32);
	obj_bits = ilog2(lm_hash_buckets);
	/* About four owners per bucket at the limit. */
	max_owners = READ_ONCE(lm_max_owners);
	owner_bits = order_base_2(max_owners);
	owner_bits = clamp_t(unsigned int, owner_bits, 10, 18) - 2;

	lm_pcpu = alloc_percpu(struct lm_pcpu);
	if (!lm_pcpu)
		return -ENOMEM;
	lm_obj_cache = kmem_cache_create("leakmon_obj",
					 sizeof(struct lm_obj),
					 __alignof__(struct lm_obj),
					 LM_COMPAT_SLAB_NO_MERGE,
					 lm_compat_no_merge_ctor);
	if (!lm_obj_cache) {
		err = -ENOMEM;
		goto err_pcpu;
	}
	/*
	 * Typesafe by RCU for the CPUs' owner caches (lm_owner_cached);
	 * such a cache is never merged.
	 */
	lm_owner_cache = kmem_cache_create("leakmon_owner",
					   sizeof(struct lm_owner),
					   __alignof__(struct lm_owner),
					   SLAB_TYPESAFE_BY_RCU, NULL);
	if (!lm_owner_cache) {
		err = -ENOMEM;
		goto err_obj_cache;
	}
	err = lm_table_init(&lm_objs, obj_bits, LM_OBJ_LOCK_BITS);
	if (err)
		goto err_owner_cache;
	err = lm_table_init(&lm_owners, owner_bits, LM_OWNER_LOCK_BITS);
	if (err)
		goto err_objs;
	err = lm_irq_owner_init();
	if (err)
		goto err_owners;
	lm_reset_ns = ktime_get_boot_fast_ns();
	return 0;

err_owners:
	lm_table_free(&lm_owners);
err_objs:
	lm_table_free(&lm_objs);
err_owner_cache:
	kmem_cache_destroy(lm_owner_cache);
err_obj_cache:
	kmem_cache_destroy(lm_obj_cache);
err_pcpu:
	free_percpu(lm_pcpu);
	return err;
}

/* Buckets freed between two cond_resched() at unload */
#define LM_RESCHED_BUCKETS	1024

/* Called once no probe handler can run any more. */
void lm_track_exit(void)
{
	struct hlist_node *tmp;
	struct lm_owner *o;
	struct lm_obj *obj;
	unsigned int cpu;
	unsigned long b;

	for (b = 0; b < (1UL << lm_objs.bits); b++) {
		while ((obj = *lm_obj_slot(b))) {
			*lm_obj_slot(b) = obj->next;
			kmem_cache_free(lm_obj_cache, obj);
		}
		if (!(b % LM_RESCHED_BUCKETS))
			cond_resched();
	}
	for (b = 0; b < (1UL << lm_owners.bits); b++) {
		hlist_for_each_entry_safe(o, tmp, lm_owner_head(b), node) {
			hlist_del(&o->node);
			kmem_cache_free(lm_owner_cache, o);
		}
	}
	for_each_possible_cpu(cpu) {
		struct lm_pcpu *c = per_cpu_ptr(lm_pcpu, cpu);

		while (c->nmag)
			kmem_cache_free(lm_obj_cache, c->mag[--c->nmag]);
	}
	lm_irq_owner = NULL;
	lm_table_free(&lm_owners);
	lm_table_free(&lm_objs);
	kmem_cache_destroy(lm_owner_cache);
	kmem_cache_destroy(lm_obj_cache);
	free_percpu(lm_pcpu);
}
