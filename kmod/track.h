/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the object table and the owner table, inside the module's
 * tracking code: the probe path (track.c), the owners off it (owner.c),
 * the object table's walks and the tables' setup (table.c).
 *
 * Everything lm_track_alloc() and lm_track_free() call for an object is
 * in track.c or here, static inline: inlinable, the probe path makes no
 * call into owner.c or table.c.  The rest of the module sees the tables
 * through leakmon.h.
 */
#ifndef _LEAKMON_TRACK_H
#define _LEAKMON_TRACK_H

#include <linux/hash.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "leakmon.h"

struct lm_notif;

/*
 * Free entries kept per CPU (struct lm_pcpu.mag): a release hands its
 * entry to the next allocation on the same CPU without the slab allocator.
 * 32 entries of 32 bytes per CPU, counted in the leakmon_obj cache.
 */
#define LM_MAG_SIZE		32

/*
 * Table slots (max_objects) are handed to CPUs this many at a time, and a
 * CPU keeps at most twice as many spare (struct lm_pcpu.spare).
 */
#define LM_SLOT_BATCH		32

/*
 * Recent entries kept per CPU (struct lm_pcpu.recent) before they go to the
 * object table: an object freed while its entry is among its CPU's
 * LM_RECENT newest never touches a bucket (recent.c).
 */
#define LM_RECENT		8

/*
 * An object's entry: 32 bytes.  Its chain is singly linked: every removal
 * walks the chain from its bucket anyway, to find the entry by its key.
 */
struct lm_obj {
	struct lm_obj *next;		/* bucket chain; bucket lock */
	unsigned long tag;		/* key | kind: lm_obj_tag() */
	struct lm_owner *owner;
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
	 * only: lm_track_alloc()).
	 */
	struct lm_owner *owner;
	int owner_frees;
	int owner_err;		/* why lm_owner_get_uncached() had none */
	/*
	 * The cgroup membership (css_set) of current when owner's identity
	 * was last copied on this CPU, NULL once a tick: the identity is
	 * copied again when it changes (lm_owner_current()).
	 */
	const void *owner_css;
	/*
	 * Slots of max_objects this CPU holds for its next allocations: taken
	 * from lm_slots in batches and given back by releases on this CPU,
	 * taken by another CPU (lm_slots_steal) when the table is full
	 * elsewhere.  An atomic for that theft only: no other CPU writes it
	 * otherwise, and its cache line stays this CPU's.
	 */
	atomic_t spare;
	unsigned int nmag;
	struct lm_obj *mag[LM_MAG_SIZE];
	/*
	 * The entries of this CPU's newest allocations, the oldest first,
	 * not (yet) in the object table.  recent_lock guards them: taken by
	 * this CPU's handlers, by another CPU's looking for an entry there,
	 * and by whoever moves them to the table (recent.c).  An entry moves
	 * from here to the table with recent_lock held, never back.
	 */
	spinlock_t recent_lock;
	unsigned int nrecent;
	struct lm_obj *recent[LM_RECENT];
	/*
	 * The coarse boot-time clock and lm_now_s() as read at jiffy
	 * now_jiffies on this CPU (lm_pcpu_clock()): both move only at a
	 * tick.
	 */
	unsigned long now_jiffies;
	u64 now_ns;
	u32 now_s;
	long live[LM_NKINDS];
	long orphans[LM_NKINDS];
	unsigned long ev[LM_NKINDS][LM_EV_MAX];
};

/*
 * The probe path reads the shift and the mask as stored: computed from the
 * bits on every access, they were five instructions of each allocation
 * and each release.
 */
struct lm_table {
	void *buckets;			/* lm_owner_head(), lm_obj_slot() */
	spinlock_t *locks;		/* hashed: bucket & lock_mask */
	unsigned long lock_mask;	/* lock_mask + 1 locks, a power of 2 */
	unsigned int bits;		/* 2^bits buckets */
	unsigned int shift;		/* 64 - bits: lm_obj_bucket() */
};

/* The tables and their counters (track.c) */
extern struct lm_table lm_objs;
extern struct lm_table lm_owners;
extern struct kmem_cache *lm_obj_cache;
extern struct kmem_cache *lm_owner_cache;
extern struct lm_pcpu __percpu *lm_pcpu;
extern atomic_t lm_nr_owners;
extern atomic_t lm_nr_exited;
extern atomic_t lm_owner_gen;
/* Owners freed so far: a CPU's cached owner is valid while it stays. */
extern atomic_t lm_owner_frees;
/* Bytes per object of each kind (ksize()), 0 until measured. */
extern u32 lm_obj_size[LM_NKINDS];
/* The owner of objects allocated outside task context; never exits. */
extern struct lm_owner *lm_irq_owner;

static inline void lm_ev(unsigned int kind, enum lm_event ev)
{
	this_cpu_inc(lm_pcpu->ev[kind][ev]);
}

/*
 * The same on CPU c, the handler's own (lm_track_alloc()): one instruction
 * where this_cpu_inc() reloads lm_pcpu after every atomic.  Only this CPU
 * writes its counters (but for a reset's zeroing, as with this_cpu_inc()).
 */
static __always_inline void lm_pcpu_ev(struct lm_pcpu *c, unsigned int kind,
				       enum lm_event ev)
{
	c->ev[kind][ev]++;
}

static inline spinlock_t *lm_lock_of(struct lm_table *t, unsigned long b)
{
	return &t->locks[b & t->lock_mask];
}

/*
 * An object bucket's lock in the probe handlers, where interrupts (and so
 * preemption) are off.  spin_lock() is a call into the kernel
 * (_raw_spin_lock()); where it is nothing but the architecture's lock
 * around a preemption count (no lockdep, no spinlock debugging, no
 * PREEMPT_RT), the handlers take the same lock word inline.  Everywhere
 * else the table's locks are taken with spin_lock_*() as usual.
 */
#if defined(CONFIG_DEBUG_SPINLOCK) || defined(CONFIG_DEBUG_LOCK_ALLOC) || \
	defined(CONFIG_PREEMPT_RT)
static __always_inline void lm_obj_lock(spinlock_t *lock)
	__acquires(lock)
{
	spin_lock(lock);
}

static __always_inline void lm_obj_unlock(spinlock_t *lock)
	__releases(lock)
{
	spin_unlock(lock);
}
#else
static __always_inline void lm_obj_lock(spinlock_t *lock)
	__acquires(lock)
{
	__acquire(lock);
	arch_spin_lock(&lock->rlock.raw_lock);
}

static __always_inline void lm_obj_unlock(spinlock_t *lock)
	__releases(lock)
{
	arch_spin_unlock(&lock->rlock.raw_lock);
	__release(lock);
}
#endif

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
 * An entry's tag: its object's key, the address of a slab object or of a
 * member with pointers (8-byte aligned), with the kind in the low bits.  A
 * release finds its entry with one comparison a chain entry.
 */
#define LM_TAG_KIND	(LM_KEY_ALIGN - 1UL)
static inline unsigned long lm_obj_tag(unsigned long key, unsigned int kind)
{
	BUILD_BUG_ON(LM_NKINDS > LM_KEY_ALIGN);
	return key | kind;
}

static inline unsigned long lm_obj_key(const struct lm_obj *obj)
{
	return obj->tag & ~LM_TAG_KIND;
}

static inline unsigned int lm_obj_kind(const struct lm_obj *obj)
{
	return obj->tag & LM_TAG_KIND;
}

/*
 * In bucket b, whose lock the caller holds: the link to the entry of tag,
 * or to the chain's end (NULL).
 */
static inline struct lm_obj **lm_obj_seek(unsigned long b, unsigned long tag)
{
	struct lm_obj **link = lm_obj_slot(b);

	for (; *link; link = &(*link)->next)
		if ((*link)->tag == tag)
			break;
	return link;
}

/* As lm_obj_seek(): the entry of key, of any kind */
static inline struct lm_obj **lm_obj_seek_any(unsigned long b,
					      unsigned long key)
{
	struct lm_obj **link = lm_obj_slot(b);

	for (; *link; link = &(*link)->next)
		if (lm_obj_key(*link) == key)
			break;
	return link;
}

/*
 * hash_64(key, lm_objs.bits), with the shift as stored, and without its
 * cast to u32 (an instruction): the shift is at least 64 - 32.
 */
static inline unsigned long lm_obj_bucket(unsigned long key)
{
	BUILD_BUG_ON(sizeof(key) != sizeof(u64));
	return (u64)key * GOLDEN_RATIO_64 >> lm_objs.shift;
}

static inline unsigned long lm_owner_bucket(pid_t tgid, u64 start_ns)
{
	return hash_64(start_ns ^ ((u64)tgid << 32 | (u32)tgid), lm_owners.bits);
}

/* Whether o is the owner (type, tgid, start_ns) */
static __always_inline bool lm_owner_is(const struct lm_owner *o, u8 type,
					pid_t tgid, u64 start_ns)
{
	return o->tgid == tgid && o->start_ns == start_ns && o->type == type;
}

/*
 * The owner (type, tgid, start_ns) in a chain whose lock the caller holds,
 * one at 0 references passed by (lm_owner_put())
 */
static inline struct lm_owner *lm_owner_find_type(struct hlist_head *head,
						  u8 type, pid_t tgid,
						  u64 start_ns)
{
	struct lm_owner *o;

	hlist_for_each_entry(o, head, node)
		if (lm_owner_is(o, type, tgid, start_ns) &&
		    atomic_read(&o->ref))
			return o;
	return NULL;
}

/* The entry of (key, kind) in bucket b, whose lock the caller holds */
static inline struct lm_obj *lm_obj_find(unsigned long b, unsigned long key,
					 unsigned int kind)
{
	return *lm_obj_seek(b, lm_obj_tag(key, kind));
}

/*
 * Put obj in the object table, its bucket's lock not held.  Returns the
 * entry the table had at obj's address, unlinked (its object's free was
 * missed: the caller drops it, lm_obj_drop()), or NULL.
 */
static __always_inline struct lm_obj *lm_obj_insert(struct lm_obj *obj)
{
	unsigned long key = lm_obj_key(obj);
	unsigned long b = lm_obj_bucket(key);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *old, **link;

	lm_obj_lock(lock);
	link = lm_obj_seek_any(b, key);
	old = *link;
	if (old)
		*link = old->next;
	obj->next = *lm_obj_slot(b);
	*lm_obj_slot(b) = obj;
	lm_obj_unlock(lock);
	return old;
}

/* The entry of tag taken out of the object table, or NULL */
static __always_inline struct lm_obj *lm_obj_unlink(unsigned long tag)
{
	unsigned long b = lm_obj_bucket(tag & ~LM_TAG_KIND);
	spinlock_t *lock = lm_lock_of(&lm_objs, b);
	struct lm_obj *obj, **link;

	lm_obj_lock(lock);
	link = lm_obj_seek(b, tag);
	obj = *link;
	if (obj)
		*link = obj->next;
	lm_obj_unlock(lock);
	return obj;
}

/*
 * The index of the entry of tag among CPU c's recent entries, the newest
 * looked at first, or -1.  c's recent_lock held.
 */
static __always_inline int lm_recent_find(const struct lm_pcpu *c,
					  unsigned long tag)
{
	int i;

	for (i = c->nrecent - 1; i >= 0; i--)
		if (c->recent[i]->tag == tag)
			break;
	return i;
}

/* Take c's recent entry i out of the recent ones.  c's recent_lock held. */
static __always_inline struct lm_obj *lm_recent_take(struct lm_pcpu *c,
						     int i)
{
	struct lm_obj *obj = c->recent[i];

	for (c->nrecent--; i < c->nrecent; i++)
		c->recent[i] = c->recent[i + 1];
	return obj;
}

/*
 * CPU c's oldest recent entry to the object table, c's recent_lock held.
 * Returns the table's entry at its address, whose object's free was
 * missed (lm_obj_insert()), or NULL.  Recent entries go in the order of
 * their allocations: an older entry at the same address (a free missed
 * while it was recent) goes first and is dropped when this one goes.
 */
static __always_inline struct lm_obj *lm_recent_settle_one(struct lm_pcpu *c)
{
	return lm_obj_insert(lm_recent_take(c, 0));
}

/* recent.c: the recent entries off the object's path */
void lm_recent_init(void);
void lm_recent_exit(void);

/* An owner whose last reference is gone: out of the table, freed */
void lm_owner_put_last(struct lm_owner *o);

/*
 * Drop a reference: one atomic, inline (a probe handler puts one per
 * object).  The last one takes the owner out of the table: a lookup meanwhile
 * passes it by (lm_owner_lookup()), so that 0 is final.
 */
static inline void lm_owner_put(struct lm_owner *o)
{
	if (unlikely(atomic_dec_and_test(&o->ref)))
		lm_owner_put_last(o);
}

/* The owner's live objects of a kind */
static inline u32 lm_owner_live_kind(const struct lm_owner *o,
				     unsigned int kind)
{
	return atomic_read(&o->live[kind]) & LM_LIVE_COUNT;
}

/* The owner's live objects, all kinds */
static inline u64 lm_owner_live(const struct lm_owner *o)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < LM_NKINDS; i++)
		sum += lm_owner_live_kind(o, i);
	return sum;
}

/* Whether o is a running process (not exited, not the softirq owner). */
static inline bool lm_owner_alive(const struct lm_owner *o)
{
	return o->type == LEAKMON_OWNER_TYPE_TASK && !READ_ONCE(o->exited);
}

/* track.c, for owner.c and table.c: see there */
unsigned long lm_track_objects(void);
void lm_slots_drain(void);
struct lm_owner *lm_owner_lookup(unsigned long b, u8 type, pid_t tgid,
				 u64 start_ns, bool *fresh);
struct lm_owner *lm_owner_get(struct task_struct *t);
void lm_owner_event(const struct lm_owner *o, struct lm_notif *ev, u8 cmd,
		    u64 now);
void lm_obj_drop(struct lm_obj *obj);

/* owner.c, for table.c */
int lm_irq_owner_init(void);

#endif /* _LEAKMON_TRACK_H */
