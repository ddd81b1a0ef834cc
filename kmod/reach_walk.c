// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the reachability pass's walk (reach.c has the pass).
 *
 * It visits every process's descriptor table and memory mappings and
 * marks each tracked object it reaches (a file, and for a socket its inode
 * and its sk); an object whose owner no longer runs is handed over to the
 * process that holds it.  From a file it follows what the file holds for
 * the process: descriptors in flight to a unix socket, the files
 * registered with an io_uring instance, overlayfs's real file; and the
 * io_uring instances its threads registered.
 *
 * It holds a lock for a bounded batch at a time (LM_REACH_FDS descriptors
 * under the task's and its descriptor table's spinlocks, LM_REACH_VMAS
 * mappings under the mmap lock, LM_REACH_FDS registered files under an
 * io_uring instance's mutex) and offers the CPU between batches.  Tasks
 * are found by pid number (idr_get_next() under RCU, as /proc does), so a
 * walk survives any process exiting under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/magic.h>
#include <net/af_unix.h>
#include <net/scm.h>
#include <net/sock.h>

#include "leakmon.h"
#include "compat.h"
#include "reach.h"

#define LM_REACH_FDS		256	/* descriptors per batch */
#define LM_REACH_VMAS		128	/* mappings per batch */
/* unix sockets whose queued descriptors are visited per descriptor batch */
#define LM_REACH_UNIX		64
/* io_uring instances whose registered files are visited per batch */
#define LM_REACH_RINGS		16
/* Tries for an io_uring instance's lock, 100-200 us apart */
#define LM_REACH_RING_TRIES	50

/* The walk under way */
struct lm_walk {
	struct lm_reach_clock *c;
	/* the process being visited, its owner when needed */
	struct task_struct *task;
	struct lm_holder id;		/* task's process */
	struct lm_owner *holder;
	bool holder_tried;
	unsigned int fd, batch;
	/* unix sockets with queued skbs, referenced, to visit after the batch */
	struct file *unix_q[LM_REACH_UNIX];
	unsigned int nunix, unix_budget;
	/* io_uring instances, referenced, to visit after the batch */
	struct file *rings[LM_REACH_RINGS];
	unsigned int nrings;
	bool rings_open;		/* lm_reach_file() may queue one */
};

/* Mark one object of p->task's process; find its owner if asked to. */
static enum lm_hold lm_reach_hold(struct lm_walk *p, unsigned int kind,
				  const void *obj)
{
	struct lm_owner *o;
	enum lm_hold r;

	r = lm_track_hold(kind, obj, &p->id, p->holder, !p->holder_tried);
	if (r == LM_HOLD_ASK) {
		p->holder_tried = true;
		o = lm_track_owner_of(p->task);
		if (IS_ERR(o))
			return LM_HOLD_MARKED;
		p->holder = o;
		r = lm_track_hold(kind, obj, &p->id, o, false);
	}
	if (r == LM_HOLD_MOVED)
		p->c->st->reattributed++;
	return r;
}

/*
 * overlayfs opens a file of the real inode behind each regular file opened
 * on it, and keeps it in that file's private data: the real file itself up
 * to 6.12, the first member of its struct ovl_file after (which is not in
 * the headers).  Both candidates are only looked up as keys of the table:
 * an address that is not a tracked file marks nothing.  (A directory's
 * real file is not found: it stays in the kernel class.)
 */
static void lm_reach_backing(struct lm_walk *p, struct file *file)
{
	void *priv = READ_ONCE(file->private_data);
	struct file *real;

	if (!priv ||
	    lm_reach_hold(p, LEAKMON_KIND_FILE_BLOB, priv) != LM_HOLD_UNTRACKED)
		return;
	if (!lm_compat_read_kernel(&real, priv, sizeof(real)) && real)
		lm_reach_hold(p, LEAKMON_KIND_FILE_BLOB, real);
}

/*
 * An io_uring instance's file: an anonymous inode's, named by io_uring
 * (anon_inode_getfile_secure() up to 6.x, anon_inode_create_getfile()
 * after), which nothing else creates.
 */
static bool lm_reach_is_ring(const struct file *file,
			     const struct inode *inode)
{
	return LM_COMPAT_URING && inode->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file->f_path.dentry->d_name.name, "[io_uring]");
}

/* Queue an io_uring instance for lm_reach_rings(), once per batch. */
static void lm_reach_queue_ring(struct lm_walk *p, struct file *file)
{
	unsigned int i;

	for (i = 0; i < p->nrings; i++)
		if (p->rings[i] == file)
			return;
	p->rings[p->nrings++] = get_file(file);
}

/* A file, and for a socket its inode and its sk. */
static void lm_reach_file(struct lm_walk *p, struct file *file)
{
	struct inode *inode = file_inode(file);
	struct socket *sock;
	struct sock *sk;

	lm_reach_hold(p, LEAKMON_KIND_FILE_BLOB, file);
	if (!inode)
		return;
	if (p->rings_open && p->nrings < LM_REACH_RINGS &&
	    lm_reach_is_ring(file, inode)) {
		lm_reach_queue_ring(p, file);
		return;
	}
	if (inode->i_sb->s_magic == OVERLAYFS_SUPER_MAGIC &&
	    S_ISREG(inode->i_mode)) {
		lm_reach_backing(p, file);
		return;
	}
	if (inode->i_sb->s_magic != SOCKFS_MAGIC)
		return;
	sock = SOCKET_I(inode);
	lm_reach_hold(p, LEAKMON_KIND_SOCK_INODE, inode);
	sk = READ_ONCE(sock->sk);
	if (!sk)
		return;
	lm_reach_hold(p, LEAKMON_KIND_SK_BLOB, sk);
	/* descriptors queued to it, for lm_reach_inflight() */
	if (READ_ONCE(sk->sk_family) == AF_UNIX &&
	    !skb_queue_empty_lockless(&sk->sk_receive_queue) &&
	    p->unix_budget && p->nunix < LM_REACH_UNIX) {
		p->unix_budget--;
		p->unix_q[p->nunix++] = get_file(file);
	}
}

/*
 * Descriptors in flight: files sent over SCM_RIGHTS and not yet received
 * are held by the process that can receive them, the holder of the unix
 * socket in whose receive queue they wait (systemd's socket activation and
 * fd store, supervisors passing listeners to workers).  Their scm_fp_list
 * holds a reference to each while its skb is queued, and the queue's lock
 * keeps the skb queued; the files are marked under it, as af_unix's
 * garbage collector visits them.  A queued unix socket's own queue is
 * visited too, up to LM_REACH_UNIX sockets per descriptor batch (a
 * cycle of sockets sent to each other ends there).  The queue is bounded
 * by the receiver's buffer and the sender's limit on descriptors in
 * flight (RLIMIT_NOFILE).
 */
static void lm_reach_inflight(struct lm_walk *p)
{
	struct scm_fp_list *fpl;
	struct sk_buff *skb;
	struct file *file;
	struct sock *sk;
	int i;

	while (p->nunix) {
		file = p->unix_q[--p->nunix];
		sk = SOCKET_I(file_inode(file))->sk;
		if (sk) {
			spin_lock(&sk->sk_receive_queue.lock);
			skb_queue_walk(&sk->sk_receive_queue, skb) {
				fpl = lm_compat_unix_fp(skb);
				for (i = 0; fpl && i < fpl->count; i++) {
					lm_reach_file(p, fpl->fp[i]);
					p->c->st->fds++;
				}
			}
			spin_unlock(&sk->sk_receive_queue.lock);
		}
		fput(file);
	}
}

/*
 * An io_uring instance's lock.  Tried, not waited for: a task that holds
 * it while it submits may be sending leakmon a request that waits for this
 * pass (LEAKMON_CMD_SCAN over io_uring).  A ring missed once is found by
 * the next pass; an object is judged only when two passes agree.
 */
static bool lm_reach_ring_lock(struct mutex *lock)
{
	unsigned int i;

	for (i = 0; i < LM_REACH_RING_TRIES; i++) {
		if (mutex_trylock(lock))
			return true;
		usleep_range(100, 200);
	}
	return false;
}

/*
 * A registered file found without its instance's lock (5.10, compat.h):
 * it may be unregistered and freed while it is read, so it is only read
 * by lm_compat_read_kernel(), and what it leads to only looked up as
 * keys of the table (a socket's inode and sk; not the descriptors queued
 * to a unix socket, nor overlayfs's real file).
 */
static void lm_reach_file_nofault(struct lm_walk *p, struct file *file)
{
	struct super_block *sb;
	unsigned long magic;
	struct inode *inode;
	struct sock *sk;

	if (lm_compat_read_kernel(&inode, &file->f_inode, sizeof(inode)) ||
	    !inode ||
	    lm_compat_read_kernel(&sb, &inode->i_sb, sizeof(sb)) ||
	    lm_compat_read_kernel(&magic, &sb->s_magic, sizeof(magic)) ||
	    magic != SOCKFS_MAGIC)
		return;
	lm_reach_hold(p, LEAKMON_KIND_SOCK_INODE, inode);
	if (!lm_compat_read_kernel(&sk, &SOCKET_I(inode)->sk, sizeof(sk)) &&
	    sk)
		lm_reach_hold(p, LEAKMON_KIND_SK_BLOB, sk);
}

/*
 * The files registered with an io_uring instance (IORING_REGISTER_FILES):
 * a process may close its descriptors once they are registered (liburing's
 * direct descriptors are never in the table at all), and the instance
 * keeps a reference to each, for whoever holds the instance (its
 * descriptor, or a mapping of its rings).  The table changes only under
 * the instance's uring_lock, taken LM_REACH_FDS files at a time (where
 * its layout is known: compat.h).  io_uring refuses to register an
 * instance in another, so there is no cycle.
 */
static void lm_reach_ring(struct lm_walk *p, struct file *ring)
{
	void *ctx = READ_ONCE(ring->private_data);
	struct mutex *lock = lm_compat_uring_lock(ctx);
	unsigned int i = 0, nr, end;
	struct file *f;

	do {
		if (lock && !lm_reach_ring_lock(lock))
			break;
		p->unix_budget = LM_REACH_UNIX;
		nr = lm_compat_uring_nr_files(ctx);
		end = min(nr, i + LM_REACH_FDS);
		for (; i < end; i++) {
			f = lm_compat_uring_file(ctx, i);
			if (!f)
				continue;
			p->c->st->fds++;
			/* a layout copied: only a file the table knows */
			if (LM_COMPAT_URING_MIRRORED &&
			    lm_reach_hold(p, LEAKMON_KIND_FILE_BLOB, f) ==
			    LM_HOLD_UNTRACKED)
				continue;
			if (lock)
				lm_reach_file(p, f);
			else
				lm_reach_file_nofault(p, f);
		}
		if (lock)
			mutex_unlock(lock);
		lm_reach_inflight(p);
		lm_reach_step(p->c);
	} while (i < nr);
	p->unix_budget = 0;
}

/* The io_uring instances queued in the batch that ended; no lock held. */
static void lm_reach_rings(struct lm_walk *p)
{
	p->rings_open = false;
	while (p->nrings) {
		struct file *ring = p->rings[--p->nrings];

		lm_reach_ring(p, ring);
		fput(ring);
	}
	p->rings_open = true;
}

/* iterate_fd() callback: the task's and the table's locks are held. */
static int lm_reach_fd(const void *arg, struct file *file, unsigned int fd)
{
	struct lm_walk *p = (struct lm_walk *)arg;

	lm_reach_file(p, file);
	p->c->st->fds++;
	p->fd = fd + 1;
	return ++p->batch >= LM_REACH_FDS || p->nrings == LM_REACH_RINGS;
}

/*
 * A thread of the group that still has its descriptor table and mm (the
 * leader may have exited before the others), referenced; NULL if none.
 */
static struct task_struct *lm_reach_live_thread(struct task_struct *leader)
{
	struct task_struct *t, *found = NULL;

	rcu_read_lock();
	for_each_thread(leader, t) {
		if (READ_ONCE(t->files)) {
			get_task_struct(t);
			found = t;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void lm_reach_fds(struct lm_walk *p, struct task_struct *t)
{
	int more;

	p->fd = 0;
	do {
		p->batch = 0;
		p->unix_budget = LM_REACH_UNIX;
		task_lock(t);
		more = t->files ? iterate_fd(t->files, p->fd, lm_reach_fd, p) : 0;
		task_unlock(t);
		lm_reach_inflight(p);
		lm_reach_rings(p);
		lm_reach_step(p->c);
	} while (more);
	p->unix_budget = 0;	/* no socket is queued outside this loop */
}

static void lm_reach_vmas(struct lm_walk *p, struct task_struct *t)
{
	struct vm_area_struct *vma = NULL;
	struct mm_struct *mm = get_task_mm(t);
	struct file *exe;
	unsigned long addr = 0;
	unsigned int n;

	if (!mm)
		return;
	do {
		mmap_read_lock(mm);
		for (n = 0, vma = find_vma(mm, addr);
		     vma && n < LM_REACH_VMAS && p->nrings < LM_REACH_RINGS;
		     vma = find_vma(mm, addr), n++) {
			addr = vma->vm_end;
			p->c->st->vmas++;
			if (vma->vm_file)
				lm_reach_file(p, vma->vm_file);
		}
		mmap_read_unlock(mm);
		lm_reach_rings(p);
		lm_reach_step(p->c);
	} while (vma);
	/*
	 * The executable: on overlayfs (containers, and this project's VM)
	 * the mappings hold the lower layer's file, and only mm->exe_file
	 * the file exec opened.
	 */
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe)
		lm_reach_hold(p, LEAKMON_KIND_FILE_BLOB, exe);
	rcu_read_unlock();
	mmput(mm);
}

/*
 * The io_uring instances the process's threads registered with
 * IORING_REGISTER_RING_FDS (compat.h): a process may close a ring's
 * descriptor once it is registered, and the thread's io_uring context
 * holds the ring for it.
 *
 * One thread a batch, in the order of their thread ids: under RCU, the
 * thread with an io_uring context whose id is the lowest above *tid; its
 * slots (LM_COMPAT_URING_RINGFDS, no more than a batch's LM_REACH_RINGS)
 * each visited as a descriptor of the ring would be (its registered files
 * queued for lm_reach_rings()).  The id resumes the walk where a position
 * in the thread list would not: a thread that exits between two batches
 * shifts the list but no other thread's id.  A thread made meanwhile with
 * a lower id (ids wrapped) is not visited: its rings are younger than the
 * pass or also another thread's or descriptor's.  False when no thread is
 * left; p->nrings is 0 on entry.
 */
static bool lm_reach_ringfds_next(struct lm_walk *p, pid_t *tid)
{
	struct task_struct *t, *next = NULL;
	pid_t nr, lowest = 0;
	unsigned int i;
	struct file *f;

	for_each_thread(p->task, t) {
		nr = task_pid_nr(t);
		if (nr <= *tid || (next && nr >= lowest) ||
		    !lm_compat_uring_task(t))
			continue;
		next = t;
		lowest = nr;
	}
	if (!next)
		return false;
	BUILD_BUG_ON(LM_COMPAT_URING_RINGFDS > LM_REACH_RINGS);
	for (i = 0; i < LM_COMPAT_URING_RINGFDS; i++) {
		f = lm_compat_uring_ringfd(next, i);
		if (!f)
			continue;
		lm_reach_file(p, f);
		p->c->st->fds++;
		fput(f);
	}
	*tid = lowest;
	return true;
}

/*
 * Every thread's registered rings, a thread a batch: a scan of the thread
 * list for each thread that has an io_uring context (few do).
 */
static void lm_reach_ringfds(struct lm_walk *p)
{
	pid_t tid = 0;
	bool more;

	if (!LM_COMPAT_URING_RINGFDS)
		return;
	do {
		rcu_read_lock();
		more = lm_reach_ringfds_next(p, &tid);
		rcu_read_unlock();
		lm_reach_rings(p);
		lm_reach_step(p->c);
	} while (more);
}

/* The next thread group leader from pid *nr on, referenced; NULL at end. */
static struct task_struct *lm_reach_next(int *nr)
{
	struct task_struct *t = NULL;
	struct pid *pid;

	rcu_read_lock();
	while ((pid = idr_get_next(&init_pid_ns.idr, nr))) {
		(*nr)++;
		t = pid_task(pid, PIDTYPE_TGID);
		if (t) {
			get_task_struct(t);
			break;
		}
	}
	rcu_read_unlock();
	return t;
}

static void lm_reach_procs(struct lm_walk *p)
{
	struct task_struct *leader, *t;
	int nr = 1;

	while ((leader = lm_reach_next(&nr))) {
		t = lm_reach_live_thread(leader);
		put_task_struct(leader);
		if (!t)
			continue;
		p->c->st->tasks++;
		p->task = t;
		p->id.tgid = task_tgid_nr(t);
		p->id.start_ns = t->group_leader->start_boottime;
		p->holder = NULL;
		p->holder_tried = false;
		lm_reach_fds(p, t);
		lm_reach_vmas(p, t);
		lm_reach_ringfds(p);
		if (p->holder)
			lm_track_owner_put(p->holder);
		put_task_struct(t);
		lm_reach_step(p->c);
	}
}

int lm_reach_walk(struct lm_reach_clock *c)
{
	struct lm_walk *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->c = c;
	p->rings_open = true;
	lm_reach_procs(p);
	kfree(p);
	return 0;
}
