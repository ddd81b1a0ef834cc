// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the reachability pass.
 *
 * An object whose owner has exited is not necessarily leaked (a child
 * inherited it, a descriptor was passed on), and an object whose owner
 * runs may be (a refcount leak in the kernel).  The pass tells them apart:
 *
 *  1. the walk (reach_walk.c) visits every process's descriptor table and
 *     memory mappings and marks each tracked object it reaches; an object
 *     whose owner no longer runs is handed over to the process that holds
 *     it;
 *  2. the classification visits every entry of the object table and sorts
 *     it into young, held, kernel, closing or unreachable (see the UAPI
 *     header), and counts them per kind and per owner.
 *
 * Both run in process context, from a work item (every scan_interval
 * seconds) or on request (LEAKMON_CMD_SCAN), one pass at a time.  They
 * hold a lock for a bounded batch at a time (the classification a bucket
 * lock, LM_REACH_BUCKETS buckets at a time) and offer the CPU between
 * batches; the longest stretch is measured and reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <uapi/linux/magic.h>
#include <net/sock.h>

#include "leakmon.h"
#include "compat.h"
#include "describe.h"
#include "events.h"
#include "reach.h"

#define LM_REACH_BUCKETS	256	/* object buckets per batch */
/* Owners with kernel, closing or unreachable objects reported per pass */
#define LM_REACH_OWNERS		4096
#define LM_REACH_SLOTS		(2 * LM_REACH_OWNERS)
/* Groups of unreachable objects described per pass */
#define LM_REACH_GROUPS		1024
#define LM_REACH_GSLOTS		(2 * LM_REACH_GROUPS)
/* Kernel sockets handed to their namespace's owner per bucket batch */
#define LM_REACH_GIVE		64
/* Words of process accounting's state searched for its file */
#define LM_REACH_ACCT_WORDS	64

/* An owner's objects in the reported classes, during a pass */
struct lm_reach_slot {
	struct lm_owner *owner;		/* referenced until the report */
	u32 n[LM_NKINDS][LM_RO_MAX];
	/* the owner's identity, filled in for the report */
	u8 type;
	pid_t tgid;
	u64 start_ns;
	u32 uid;
};

/* ... and in the report, by identity */
struct lm_reach_row {
	u8 type;
	pid_t tgid;
	u64 start_ns;
	u32 n[LM_NKINDS][LM_RO_MAX];
};

/* Unreachable objects of one owner that look alike, during a pass ... */
struct lm_reach_group {
	struct lm_reach_slot *slot;	/* NULL: free */
	struct lm_shape sh;
	u64 n;
};

struct lm_reach_report {
	struct rcu_head rcu;
	struct lm_reach_stats st;
	unsigned int ngroups;
	struct lm_unreach *groups;	/* after rows[] */
	unsigned int nr;
	struct lm_reach_row rows[];
};

/* An object to hand over once its bucket's lock is released */
struct lm_reach_give {
	unsigned int kind;
	const void *key;
	u32 inum;
};

/* One pass under way */
struct lm_pass {
	struct lm_reach_stats st;
	struct lm_reach_clock clock;	/* its longest stretch */
	u32 start_s, now_s, grace, closing_max;
	/* files kernel users keep without a descriptor (lm_reach_kept()) */
	unsigned long acct[LM_REACH_ACCT_WORDS];
	/* the classification's per-owner counts */
	struct lm_reach_slot *slots;
	unsigned int used;
	/* and its groups of unreachable objects */
	struct lm_reach_group *groups;
	unsigned int ngroups;
	/* kernel sockets not yet their namespace's */
	struct lm_reach_give give[LM_REACH_GIVE];
	unsigned int ngive;
	/* copies of the object being inspected (lm_reach_inspect()) */
	struct lm_describe_buf buf;
	struct lm_shape shape;
	/* an event being made (lm_reach_notify()) */
	struct lm_notif ev;
};

static DEFINE_MUTEX(lm_reach_mutex);	/* one pass at a time */
static struct lm_reach_report __rcu *lm_report;
static u64 lm_reach_seq;
static struct delayed_work lm_reach_work;

/* ---- the classification ----------------------------------------------- */

/*
 * Process accounting (acct(2), Debian's acct package) writes to a file the
 * kernel opened and keeps in its state, struct bsd_acct_struct, found from
 * the pid namespace (ns->bacct: its first member) and private to
 * kernel/acct.c; the process that switched it on has long exited.  Its
 * words are copied (under RCU, which keeps the state: it is freed with
 * kfree_rcu()), and a file blob equal to one of them is the kernel's.  A
 * word that is not a file pointer matches no file blob.  Only the initial
 * pid namespace's accounting is found (a container's own is not).
 */
static void lm_reach_acct(struct lm_pass *p)
{
	const void *acct;
	size_t size;

	memset(p->acct, 0, sizeof(p->acct));
	rcu_read_lock();
	acct = lm_compat_acct_state();
	if (acct) {
		/* within the allocation: a KFENCE object's own size */
		size = min(ksize(acct), sizeof(p->acct));
		if (lm_compat_read_kernel(p->acct, acct,
					  round_down(size, sizeof(long))))
			memset(p->acct, 0, sizeof(p->acct));
	}
	rcu_read_unlock();
}

static bool lm_reach_acct_file(const struct lm_pass *p, const void *file)
{
	unsigned int i;

	for (i = 0; i < LM_REACH_ACCT_WORDS; i++)
		if (p->acct[i] == (unsigned long)file)
			return true;
	return false;
}

/*
 * A kernel socket belongs to its network namespace: queue its sk and its
 * socket's inode for the namespace's owner (c: a copy of the sk).
 */
static void lm_reach_to_netns(struct lm_pass *p, const struct lm_obj_view *v,
			      const struct sock *c)
{
	struct net *net = read_pnet(&c->sk_net);
	u32 inum;

	if (lm_compat_read_kernel(&inum, &net->ns.inum, sizeof(inum)))
		return;
	if (v->owner->type == LEAKMON_OWNER_TYPE_NETNS &&
	    v->owner->start_ns == inum)
		return;
	if (p->ngive + 2 > LM_REACH_GIVE)
		return;		/* the next batch, or the next pass */
	p->give[p->ngive++] = (struct lm_reach_give){
		.kind = LEAKMON_KIND_SK_BLOB, .key = v->key, .inum = inum };
	if (c->sk_socket)
		p->give[p->ngive++] = (struct lm_reach_give){
			.kind = LEAKMON_KIND_SOCK_INODE,
			.key = SOCK_INODE(c->sk_socket), .inum = inum };
}

/* Hand the queued kernel sockets over; no lock is held. */
static void lm_reach_give_all(struct lm_pass *p)
{
	struct lm_owner *o = NULL;
	unsigned int i;

	for (i = 0; i < p->ngive; i++) {
		struct lm_reach_give *g = &p->give[i];

		if (!o || o->start_ns != g->inum) {
			if (o)
				lm_track_owner_put(o);
			o = lm_track_netns_owner(g->inum);
			if (IS_ERR(o)) {
				o = NULL;
				continue;
			}
		}
		if (lm_track_give(g->kind, g->key, o))
			p->st.reattributed++;
	}
	if (o)
		lm_track_owner_put(o);
	p->ngive = 0;
}

/*
 * An object whose partner does not point back at it (a sock and its
 * socket, a socket and its file): its memory serves another object now,
 * its release was missed (LM_CLS_STALE); unless the link read a moment
 * ago has changed since: a socket released meanwhile lets go of its sock
 * (sock_orphan()) and of its file before the partner is cleared or freed.
 */
static u8 lm_reach_let_go(const void *link, const void *seen)
{
	void *now;

	if (!lm_compat_read_kernel(&now, link, sizeof(now)) && now != seen)
		return LM_CLS_CLOSING;
	return LM_CLS_STALE;
}

/*
 * An object whose memory says it was let go of (its socket released, no
 * reference left): being freed, or freed already and its release missed
 * (freed memory keeps what it held then).  Closing at the first pass that
 * sees it so; still so at a pass of a later second, it is gone and its
 * entry stale: never a leak, whatever closing_max.
 */
static u8 lm_reach_released(const struct lm_pass *p,
			    const struct lm_obj_view *v)
{
	return v->cls == LM_CLS_CLOSING && v->stamp != p->now_s ?
	       LM_CLS_STALE : LM_CLS_CLOSING;
}

/*
 * What an object nothing reached is, from the object itself.  Its bucket's
 * lock keeps it alive only while its release probe works: an entry whose
 * free the probe missed (a kprobe that fires inside another handler is
 * skipped, counted in missed_free) names freed memory.  So the object is
 * only ever read, into a copy, by lm_compat_read_kernel(): never
 * written, never a fault, and no KASAN report for a stale entry.  An
 * object that cannot be read at all is gone (LM_CLS_STALE: the entry is
 * dropped); one that can is judged for what its memory holds.
 */
static u8 lm_reach_inspect(struct lm_pass *p, const struct lm_obj_view *v)
{
	switch (v->kind) {
	case LEAKMON_KIND_SOCK_INODE: {
		struct socket *sock = SOCKET_I((struct inode *)v->key);
		const void *ops;
		struct file *file;
		void *back;

		if (lm_compat_read_kernel(&file, &sock->file, sizeof(file)))
			return LM_CLS_STALE;
		/*
		 * A user's socket has a file from its creation on; a kernel
		 * socket has none, and its protocol's operations until it is
		 * released (__sock_release() clears both).
		 */
		if (!file) {
			if (lm_compat_read_kernel(&ops, &sock->ops, sizeof(ops)))
				return LM_CLS_STALE;
			return ops ? LM_CLS_KERNEL : lm_reach_released(p, v);
		}
		/*
		 * ... whose private data is the socket: a freed socket's
		 * memory names a file that now serves another.
		 */
		if (lm_compat_read_kernel(&back, &file->private_data,
					  sizeof(back)) || back != sock)
			return lm_reach_let_go(&sock->file, file);
		return LM_CLS_UNREACHABLE;
	}
	case LEAKMON_KIND_FILE_BLOB: {
		struct file *c = &p->buf.file;
		struct inode *host;
		unsigned int flags;
		umode_t mode;
		gfp_t gfp;

		if (lm_compat_read_kernel(c, v->key, sizeof(*c)))
			return LM_CLS_STALE;
		if (!file_count(c))
			return lm_reach_released(p, v);
		/* process accounting's file */
		if (lm_reach_acct_file(p, v->key))
			return LM_CLS_KERNEL;
		/*
		 * A file the kernel opened behind another file: overlayfs's
		 * file of the real (upper or lower) inode behind the file a
		 * process opened (its private data, which the walk does not
		 * read), and the like.
		 */
		if (c->f_mode & FMODE_NOACCOUNT)
			return LM_CLS_KERNEL;
		/*
		 * A file exec's loaders opened (open_exec(): __FMODE_EXEC,
		 * which open(2) cannot ask for) and that no process maps:
		 * binfmt_misc's interpreter of an entry with flag F, which
		 * the kernel keeps for as long as the entry exists
		 * (systemd-binfmt and update-binfmts register it and exit),
		 * or a program being exec'd.
		 */
		if (c->f_flags & __FMODE_EXEC)
			return LM_CLS_KERNEL;
		if (lm_compat_read_kernel(&flags, &c->f_inode->i_flags,
					  sizeof(flags)))
			return LM_CLS_UNREACHABLE;
		/* A kernel-internal file: a SysV segment, ... */
		if (flags & S_PRIVATE)
			return LM_CLS_KERNEL;
		/*
		 * ... or one the kernel took from userspace: an active swap
		 * file or device (swapon closed its descriptor; the flag is
		 * on the inode of the mapping: a device's, not the /dev
		 * node's), ...
		 */
		if (lm_compat_read_kernel(&host, &c->f_mapping->host,
					  sizeof(host)) ||
		    lm_compat_read_kernel(&flags, &host->i_flags,
					  sizeof(flags)))
			return LM_CLS_UNREACHABLE;
		if (flags & S_SWAPFILE)
			return LM_CLS_KERNEL;
		/*
		 * ... or a loop device's backing file (losetup closed its
		 * descriptor): loop clears __GFP_IO and __GFP_FS from the
		 * file's mapping for as long as it keeps it, which no
		 * filesystem does for a file (XFS clears only __GFP_FS).
		 */
		if (lm_compat_read_kernel(&mode, &c->f_inode->i_mode,
					  sizeof(mode)) ||
		    !(S_ISREG(mode) || S_ISBLK(mode)) ||
		    lm_compat_read_kernel(&gfp, &c->f_mapping->gfp_mask,
					  sizeof(gfp)))
			return LM_CLS_UNREACHABLE;
		return gfp & __GFP_IO ? LM_CLS_UNREACHABLE : LM_CLS_KERNEL;
	}
	case LEAKMON_KIND_SK_BLOB: {
		struct sock *c = &p->buf.sk;
		void *back;

		if (lm_compat_read_kernel(c, v->key, sizeof(*c)))
			return LM_CLS_STALE;
		/* No reference left: freed, or an RCU grace period away */
		if (!refcount_read(&c->sk_refcnt))
			return lm_reach_released(p, v);
		if (c->sk_kern_sock) {
			lm_reach_to_netns(p, v, c);
			return LM_CLS_KERNEL;
		}
		if (!c->sk_socket)
			/* being closed, or waiting in an accept queue */
			return sock_flag(c, SOCK_DEAD) ? LM_CLS_CLOSING :
							 LM_CLS_HELD;
		/*
		 * A sock's socket points back at it.  Memory that does not
		 * was freed and serves another object now: the sock's
		 * release probe was missed.  Netlink's socks are freed in an
		 * RCU callback, where a probe that fires inside another
		 * handler is skipped, and they are kmalloc's memory, reused
		 * at once by anything (seen on 5.10: the CLI's own netlink
		 * socket, listed as a leak of the exited CLI).
		 */
		if (lm_compat_read_kernel(&back, &c->sk_socket->sk,
					  sizeof(back)) || back != v->key)
			return lm_reach_let_go(&((struct sock *)v->key)->sk_socket,
					       c->sk_socket);
		return LM_CLS_UNREACHABLE;
	}
	}
	return LM_CLS_UNREACHABLE;
}

static struct lm_reach_slot *
lm_reach_count_owner(struct lm_pass *p, struct lm_owner *o, unsigned int kind,
		     unsigned int ro)
{
	unsigned int i = hash_ptr(o, ilog2(LM_REACH_SLOTS));
	struct lm_reach_slot *s;

	for (;; i = (i + 1) & (LM_REACH_SLOTS - 1)) {
		s = &p->slots[i];
		if (s->owner == o)
			break;
		if (!s->owner) {
			if (p->used >= LM_REACH_OWNERS) {
				p->st.owners_unreported++;
				return NULL;
			}
			lm_track_owner_hold(o);
			s->owner = o;
			p->used++;
			break;
		}
	}
	s->n[kind][ro]++;
	return s;
}

/* Count an unreachable object of slot's owner in its group. */
static void lm_reach_group(struct lm_pass *p, struct lm_reach_slot *slot,
			   const struct lm_obj_view *v)
{
	struct lm_shape *sh = &p->shape;
	struct lm_reach_group *g;
	unsigned int i;

	if (!slot) {
		p->st.groups_unreported++;
		return;
	}
	lm_describe(v->kind, v->key, sh, &p->buf);
	i = jhash(sh, sizeof(*sh), (u32)(slot - p->slots)) &
	    (LM_REACH_GSLOTS - 1);
	for (;; i = (i + 1) & (LM_REACH_GSLOTS - 1)) {
		g = &p->groups[i];
		if (g->slot == slot && !memcmp(&g->sh, sh, sizeof(*sh)))
			break;
		if (!g->slot) {
			if (p->ngroups >= LM_REACH_GROUPS) {
				p->st.groups_unreported++;
				return;
			}
			g->slot = slot;
			g->sh = *sh;
			p->ngroups++;
			break;
		}
	}
	g->n++;
}

static u8 lm_reach_classify(struct lm_obj_view *v, void *arg)
{
	struct lm_pass *p = arg;
	u8 cls, counted;

	if (v->cls != LM_CLS_CLOSING &&
	    (v->stamp >= p->start_s || p->now_s - v->stamp < p->grace))
		cls = LM_CLS_YOUNG;
	else if (v->held)
		cls = LM_CLS_HELD;
	else
		cls = lm_reach_inspect(p, v);
	/*
	 * The object cannot be read (its memory is gone: a KFENCE page, ...)
	 * or its memory serves another object (lm_reach_let_go()): its free
	 * was missed.  Not a leak: the entry is dropped.
	 */
	if (cls == LM_CLS_STALE) {
		p->st.stale++;
		return cls;
	}
	counted = cls;
	if (cls == LM_CLS_CLOSING) {
		/* The stamp says since when; too long is a leak. */
		if (v->cls != LM_CLS_CLOSING)
			v->stamp = p->now_s;
		else if (p->now_s - v->stamp >= p->closing_max)
			counted = LM_CLS_UNREACHABLE;
	} else if (cls == LM_CLS_UNREACHABLE && v->cls != LM_CLS_UNREACHABLE) {
		/*
		 * Not judged until a second pass agrees: a descriptor that
		 * moved during the walk (passed to a process visited before,
		 * inherited by a child with a lower pid) is missed once.
		 */
		counted = LM_CLS_YOUNG;
	}
	p->st.objects++;
	p->st.k[v->kind].cls[counted]++;
	if (counted == LM_CLS_KERNEL)
		lm_reach_count_owner(p, v->owner, v->kind, LM_RO_KERNEL);
	else if (counted == LM_CLS_CLOSING)
		lm_reach_count_owner(p, v->owner, v->kind, LM_RO_CLOSING);
	else if (counted == LM_CLS_UNREACHABLE)
		lm_reach_group(p, lm_reach_count_owner(p, v->owner, v->kind,
						       LM_RO_UNREACHABLE), v);
	return cls;
}

static int lm_reach_id_cmp(u8 xtype, pid_t xtgid, u64 xstart, u8 ytype,
			   pid_t ytgid, u64 ystart)
{
	if (xtype != ytype)
		return xtype < ytype ? -1 : 1;
	if (xtgid != ytgid)
		return xtgid < ytgid ? -1 : 1;
	if (xstart != ystart)
		return xstart < ystart ? -1 : 1;
	return 0;
}

static int lm_reach_row_cmp(const void *a, const void *b)
{
	const struct lm_reach_row *x = a, *y = b;

	return lm_reach_id_cmp(x->type, x->tgid, x->start_ns,
			       y->type, y->tgid, y->start_ns);
}

/* Owner order, then the largest group first */
static int lm_reach_unreach_cmp(const void *a, const void *b)
{
	const struct lm_unreach *x = a, *y = b;
	int c = lm_reach_id_cmp(x->type, x->tgid, x->start_ns,
				y->type, y->tgid, y->start_ns);

	if (c || x->n == y->n)
		return c;
	return x->n > y->n ? -1 : 1;
}

/* An owner's unreachable objects in a report, summed over kinds */
static u64 lm_reach_unreachable(const struct lm_reach_report *r, u8 type,
				pid_t tgid, u64 start_ns)
{
	struct lm_reach_row key = {
		.type = type, .tgid = tgid, .start_ns = start_ns,
	};
	const struct lm_reach_row *row;
	unsigned int k;
	u64 sum = 0;

	row = r ? bsearch(&key, r->rows, r->nr, sizeof(r->rows[0]),
			  lm_reach_row_cmp) : NULL;
	for (k = 0; row && k < LM_NKINDS; k++)
		sum += row->n[k][LM_RO_UNREACHABLE];
	return sum;
}

/*
 * An owner has more unreachable objects than at the pass before (old):
 * tell the listeners (LEAKMON_CMD_EVENT_UNREACHABLE).
 */
static void lm_reach_notify(struct lm_pass *p, const struct lm_reach_slot *s,
			    const struct lm_owner_snap *snap,
			    const struct lm_reach_report *old)
{
	struct lm_notif *ev = &p->ev;
	unsigned int k;
	u64 sum = 0, before;

	for (k = 0; k < LM_NKINDS; k++)
		sum += s->n[k][LM_RO_UNREACHABLE];
	if (!sum)
		return;
	before = lm_reach_unreachable(old, snap->type, snap->tgid,
				      snap->start_ns);
	if (sum <= before)
		return;
	memset(ev, 0, sizeof(*ev));
	ev->cmd = LEAKMON_CMD_EVENT_UNREACHABLE;
	ev->time_ns = p->st.time_ns;
	ev->tgid = snap->tgid;
	ev->start_ns = snap->start_ns;
	ev->uid = snap->uid;
	ev->cgroup_id = snap->cgroup_id;
	memcpy(ev->comm, snap->comm, sizeof(ev->comm));
	ev->added = sum - before;
	for (k = 0; k < LM_NKINDS; k++)
		ev->count[k] = s->n[k][LM_RO_UNREACHABLE];
	lm_notify(ev);
}

/*
 * The per-owner counts and the groups into a report (NULL: no memory);
 * old is the report of the pass before, if any.
 */
static struct lm_reach_report *lm_reach_report(struct lm_pass *p,
					       const struct lm_reach_report *old)
{
	struct lm_reach_report *r;
	struct lm_owner_snap snap;
	unsigned int i, nr = 0, ng = 0;
	size_t rows;

	rows = ALIGN(struct_size(r, rows, p->used), sizeof(u64));
	r = kvzalloc(rows + array_size(p->ngroups, sizeof(*r->groups)),
		     GFP_KERNEL);
	for (i = 0; i < LM_REACH_SLOTS; i++) {
		struct lm_reach_slot *s = &p->slots[i];

		if (!s->owner)
			continue;
		lm_track_owner_snap(s->owner, &snap);
		/* the slot now stands for the owner's identity */
		s->type = snap.type;
		s->tgid = snap.tgid;
		s->start_ns = snap.start_ns;
		s->uid = snap.uid;
		lm_reach_notify(p, s, &snap, old);
		if (r) {
			r->rows[nr].type = snap.type;
			r->rows[nr].tgid = snap.tgid;
			r->rows[nr].start_ns = snap.start_ns;
			memcpy(r->rows[nr].n, s->n, sizeof(s->n));
			nr++;
		}
		lm_track_owner_put(s->owner);
	}
	if (!r)
		return NULL;
	r->groups = (struct lm_unreach *)((char *)r + rows);
	for (i = 0; i < LM_REACH_GSLOTS; i++) {
		struct lm_reach_group *g = &p->groups[i];
		struct lm_unreach *w = &r->groups[ng];

		if (!g->slot)
			continue;
		w->type = g->slot->type;
		w->tgid = g->slot->tgid;
		w->start_ns = g->slot->start_ns;
		w->uid = g->slot->uid;
		w->sh = g->sh;
		w->n = g->n;
		ng++;
	}
	r->nr = nr;
	r->ngroups = ng;
	sort(r->rows, nr, sizeof(r->rows[0]), lm_reach_row_cmp, NULL);
	sort(r->groups, ng, sizeof(r->groups[0]), lm_reach_unreach_cmp, NULL);
	r->st = p->st;
	return r;
}

/* ---- passes ----------------------------------------------------------- */

static int lm_reach_pass(struct lm_reach_stats *out)
{
	struct lm_reach_report *r, *old;
	struct lm_pass *p;
	unsigned long b = 0;
	u64 t0;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->slots = kvcalloc(LM_REACH_SLOTS, sizeof(*p->slots), GFP_KERNEL);
	if (!p->slots)
		goto free_pass;
	p->groups = kvcalloc(LM_REACH_GSLOTS, sizeof(*p->groups), GFP_KERNEL);
	if (!p->groups)
		goto free_slots;
	t0 = ktime_get_ns();
	p->clock = (struct lm_reach_clock){ .st = &p->st, .step_ns = t0 };
	p->start_s = lm_now_s();
	p->grace = READ_ONCE(LM_CFG(scan_grace));
	p->closing_max = READ_ONCE(LM_CFG(closing_max));

	/* what the walk may reach, in the table; what comes after is young */
	lm_track_settle();
	if (lm_reach_walk(&p->clock))
		goto free_groups;
	lm_reach_acct(p);
	p->now_s = lm_now_s();
	while (b < lm_track_buckets()) {
		b = lm_track_classify(b, LM_REACH_BUCKETS, lm_reach_classify, p);
		lm_reach_give_all(p);
		lm_reach_step(&p->clock);
	}

	p->st.seq = ++lm_reach_seq;
	p->st.time_ns = ktime_get_boot_fast_ns();
	p->st.duration_ns = ktime_get_ns() - t0;
	old = rcu_dereference_protected(lm_report,
					lockdep_is_held(&lm_reach_mutex));
	r = lm_reach_report(p, old);
	if (out)
		*out = p->st;
	kvfree(p->groups);
	kvfree(p->slots);
	kfree(p);
	if (!r)
		return -ENOMEM;
	old = rcu_replace_pointer(lm_report, r,
				  lockdep_is_held(&lm_reach_mutex));
	if (old)
		kvfree_rcu(old, rcu);
	return 0;

free_groups:
	kvfree(p->groups);
free_slots:
	kvfree(p->slots);
free_pass:
	kfree(p);
	return -ENOMEM;
}

int lm_reach_run(struct lm_reach_stats *st)
{
	int err;

	if (mutex_lock_interruptible(&lm_reach_mutex))
		return -EINTR;
	err = lm_reach_pass(st);
	mutex_unlock(&lm_reach_mutex);
	return err;
}

bool lm_reach_last(struct lm_reach_stats *st)
{
	struct lm_reach_report *r;
	bool found = false;

	rcu_read_lock();
	r = rcu_dereference(lm_report);
	if (r) {
		*st = r->st;
		found = true;
	}
	rcu_read_unlock();
	return found;
}

bool lm_reach_owner(const struct lm_owner_snap *s,
		    u64 n[LM_NKINDS][LM_RO_MAX])
{
	struct lm_reach_row key = {
		.type = s->type, .tgid = s->tgid, .start_ns = s->start_ns,
	};
	struct lm_reach_report *r;
	struct lm_reach_row *row;
	unsigned int k, c;
	bool found = false;

	rcu_read_lock();
	r = rcu_dereference(lm_report);
	if (r) {
		found = true;
		row = bsearch(&key, r->rows, r->nr, sizeof(r->rows[0]),
			      lm_reach_row_cmp);
		for (k = 0; k < LM_NKINDS; k++)
			for (c = 0; c < LM_RO_MAX; c++)
				n[k][c] = row ? row->n[k][c] : 0;
	}
	rcu_read_unlock();
	return found;
}

int lm_reach_unreach_walk(unsigned long *pos, u64 *seq,
			  int (*fn)(const struct lm_unreach *u, u64 seq,
				    void *arg),
			  void *arg)
{
	struct lm_reach_report *r;
	int err = 0;

	rcu_read_lock();
	r = rcu_dereference(lm_report);
	if (r) {
		*seq = r->st.seq;
		for (; *pos < r->ngroups; (*pos)++) {
			err = fn(&r->groups[*pos], r->st.seq, arg);
			if (err)
				break;
		}
	}
	rcu_read_unlock();
	return err;
}

static void lm_reach_workfn(struct work_struct *work)
{
	unsigned int interval;
	int err;

	err = lm_reach_run(NULL);
	if (err && err != -EINTR)
		pr_warn_ratelimited("reachability pass failed: %d\n", err);
	interval = READ_ONCE(LM_CFG(scan_interval));
	if (interval)
		queue_delayed_work(system_unbound_wq, &lm_reach_work,
				   interval * HZ);
}

/*
 * scan_interval was set (lm_config_watch(), lm_config_mutex held): the next
 * pass comes that long from now.
 */
static void lm_reach_interval_changed(void)
{
	unsigned int interval = READ_ONCE(LM_CFG(scan_interval));

	if (interval)
		mod_delayed_work(system_unbound_wq, &lm_reach_work,
				 interval * HZ);
	else
		cancel_delayed_work(&lm_reach_work);
}

int lm_reach_init(void)
{
	unsigned int interval;

	INIT_DELAYED_WORK(&lm_reach_work, lm_reach_workfn);
	mutex_lock(&lm_config_mutex);
	lm_config_watch(LM_SET_scan_interval, lm_reach_interval_changed);
	interval = READ_ONCE(LM_CFG(scan_interval));
	if (interval)
		queue_delayed_work(system_unbound_wq, &lm_reach_work,
				   interval * HZ);
	mutex_unlock(&lm_config_mutex);
	return 0;
}

void lm_reach_exit(void)
{
	struct lm_reach_report *r;

	mutex_lock(&lm_config_mutex);
	lm_config_watch(LM_SET_scan_interval, NULL);
	mutex_unlock(&lm_config_mutex);
	/* The work re-queues itself: cancel_delayed_work_sync() knows. */
	cancel_delayed_work_sync(&lm_reach_work);
	mutex_lock(&lm_reach_mutex);
	r = rcu_replace_pointer(lm_report, NULL,
				lockdep_is_held(&lm_reach_mutex));
	mutex_unlock(&lm_reach_mutex);
	synchronize_rcu();
	kvfree(r);
}
