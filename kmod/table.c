// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the tables' setup, the reachability pass's walk of the object
 * table, the totals.  Objects are entered and forgotten on the probe path
 * (track.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "leakmon.h"
#include "compat.h"
#include "track.h"

#define LM_OBJ_LOCK_BITS	10
#define LM_OWNER_LOCK_BITS	8

/* When the counters were last zeroed: load, lm_track_reset() */
static u64 lm_reset_ns;

static int lm_table_init(struct lm_table *t, unsigned int bits,
			 unsigned int lock_bits)
{
	unsigned long i;

	/* 0 < bits < 64: hash_bits, LM_OWNER_BITS_MIN..MAX */
	t->bits = bits;
	t->shift = 64 - bits;
	t->lock_mask = (1UL << min(bits, lock_bits)) - 1;
	/* an hlist_head or a pointer to an entry: one pointer, NULL */
	BUILD_BUG_ON(sizeof(struct hlist_head) != sizeof(struct lm_obj *));
	t->buckets = kvcalloc(1UL << bits, sizeof(void *), GFP_KERNEL);
	if (!t->buckets)
		return -ENOMEM;
	t->locks = kcalloc(t->lock_mask + 1, sizeof(*t->locks), GFP_KERNEL);
	if (!t->locks) {
		kvfree(t->buckets);
		t->buckets = NULL;
		return -ENOMEM;
	}
	for (i = 0; i <= t->lock_mask; i++)
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

/* ---- the reachability pass's access (reach.c) ------------------------- */

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
	if (lm_owner_is(prev, LEAKMON_OWNER_TYPE_TASK, h->tgid, h->start_ns)) {
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
			v.kind = lm_obj_kind(obj);
			v.key = (const void *)lm_obj_key(obj);
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
		lm_obj_drop(obj);
		local_irq_restore(flags);
	}
	return bucket;
}

/* ---- reporting -------------------------------------------------------- */

void lm_track_totals(struct lm_totals *t)
{
	unsigned int cpu, k, e;
	s64 live = 0;

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
	for (k = 0; k < LM_NKINDS; k++) {
		u64 *ev = t->k[k].ev;

		/* every allocation seen is tracked or dropped (leakmon.h) */
		ev[LM_EV_OBSERVED] = ev[LM_EV_TRACKED] +
				     ev[LM_EV_UNTRACKED_TABLE_FULL] +
				     ev[LM_EV_UNTRACKED_OWNERS_FULL] +
				     ev[LM_EV_UNTRACKED_NOMEM];
		t->k[k].obj_size = READ_ONCE(lm_obj_size[k]);
		live += t->k[k].live;
	}
	/* the objects in the table, as lm_track_objects() */
	t->objects = max_t(s64, live, 0);
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

/* ---- setup ------------------------------------------------------------ */

/*
 * The object table's buckets when hash_bits is 0: about 2^3 objects a
 * bucket at max_objects, 2^10 to 2^20 buckets.
 */
#define LM_OBJ_LOAD_SHIFT	3
#define LM_OBJ_BITS_MIN		10
#define LM_OBJ_BITS_MAX		20
/* The owner table's: about 2^2 owners a bucket at max_owners, 2^8 to 2^16 */
#define LM_OWNER_LOAD_SHIFT	2
#define LM_OWNER_BITS_MIN	8
#define LM_OWNER_BITS_MAX	16

int lm_track_init(void)
{
	unsigned int obj_bits, owner_bits, limit;
	int bits, err;

	BUILD_BUG_ON(sizeof(struct lm_obj) > 32);
	/* lm_obj_bucket()'s result fits 32 bits (and hash_bits is <= 24) */
	BUILD_BUG_ON(LM_OBJ_BITS_MAX > 32);
	obj_bits = LM_CFG(hash_bits);
	if (!obj_bits) {
		limit = READ_ONCE(LM_CFG(max_objects));
		bits = order_base_2(limit) - LM_OBJ_LOAD_SHIFT;
		obj_bits = clamp(bits, LM_OBJ_BITS_MIN, LM_OBJ_BITS_MAX);
	}
	LM_CFG(hash_buckets) = 1U << obj_bits;
	limit = READ_ONCE(LM_CFG(max_owners));
	bits = order_base_2(limit) - LM_OWNER_LOAD_SHIFT;
	owner_bits = clamp(bits, LM_OWNER_BITS_MIN, LM_OWNER_BITS_MAX);

	lm_pcpu = alloc_percpu(struct lm_pcpu);
	if (!lm_pcpu)
		return -ENOMEM;
	lm_recent_init();
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
	mutex_lock(&lm_config_mutex);
	lm_config_watch(LM_SET_max_objects, lm_slots_drain);
	mutex_unlock(&lm_config_mutex);
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

	mutex_lock(&lm_config_mutex);
	lm_config_watch(LM_SET_max_objects, NULL);
	mutex_unlock(&lm_config_mutex);
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
	lm_recent_exit();
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
