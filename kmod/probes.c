// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: probe points.
 *
 * Each kind has a list of candidate pairs of allocation and release hooks;
 * at load the first pair whose probes both register is used, as fprobes
 * where the kernel has them and they pay, else as kprobes (probe_table.h).
 * Entry probes are used wherever the object is an argument; a return probe
 * only where the object (or the success of its allocation) is known only
 * on return.  Release hooks are registered before allocation hooks, so
 * that every object entered in the table has a live release hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <net/sock.h>
#include <uapi/linux/magic.h>
#include <linux/tracepoint.h>
#include <linux/sched/signal.h>

#include "leakmon.h"
#include "compat.h"
#include "probe_table.h"

/* ---- handler bodies (probe_table.h wraps them per mechanism) ---------- */

/*
 * sock_alloc() returns a socket only when its inode was allocated and fully
 * initialised (an inode whose initialisation fails is freed again inside
 * alloc_inode() without ever being returned).
 */
static int lm_sock_alloc_ret(unsigned long ret, unsigned long arg0)
{
	struct socket *sock = (struct socket *)ret;

	if (!sock)
		return 0;
	/* The slab object is the struct socket_alloc that starts with sock. */
	return lm_track_alloc(LEAKMON_KIND_SOCK_INODE, SOCK_INODE(sock),
			      container_of(sock, struct socket_alloc, socket));
}

/*
 * __destroy_inode() runs for every inode of every filesystem, in process
 * context, when the inode dies; its memory follows after an RCU grace
 * period.  Being in process context matters: a kprobe that fires while
 * another kprobe handler runs on the same CPU is skipped (counted as
 * missed), which is what happens to sock_free_inode() in RCU callbacks
 * whenever a softirq interrupts a probe handler.
 */
static int lm_sock_inode_destroy(unsigned long arg0)
{
	struct inode *inode = (struct inode *)arg0;

	if (inode->i_sb->s_magic != SOCKFS_MAGIC)
		return 0;
	return lm_track_free(LEAKMON_KIND_SOCK_INODE, inode);
}

static int lm_sock_inode_alloc_ret(unsigned long ret, unsigned long arg0)
{
	struct inode *inode = (struct inode *)ret;

	if (!inode)
		return 0;
	/* sock_alloc_inode() returns the inode inside a struct socket_alloc. */
	return lm_track_alloc(LEAKMON_KIND_SOCK_INODE, inode,
			      container_of(inode, struct socket_alloc,
					   vfs_inode));
}

static int lm_sock_inode_free(unsigned long arg0)
{
	return lm_track_free(LEAKMON_KIND_SOCK_INODE, (void *)arg0);
}

/*
 * LSM blobs: security_file_alloc() and security_sk_alloc() allocate the
 * blob (file->f_security, sk->sk_security), then run the LSM hooks; a
 * failing hook frees the blob again through the matching free function,
 * and a failed blob allocation frees nothing.  Only a zero return leaves a
 * blob, and only when some LSM uses one: the entry saves the object (the
 * first argument), the return body reads the blob pointer from it.  A blob
 * is tracked under the address of the object that carries it (the file,
 * the sock), which the reachability pass finds in descriptor tables and
 * inspects (reach.c); the blob's own size is what is measured.
 */
static __always_inline int lm_blob_alloc(unsigned int kind, size_t offset,
					 unsigned long ret, unsigned long arg0)
{
	char *obj = (char *)arg0;
	void *blob;

	if ((int)ret != 0)	/* an int: the upper half is not the callee's */
		return 0;
	blob = READ_ONCE(*(void **)(obj + offset));
	if (!blob)
		return 0;
	return lm_track_alloc(kind, obj, blob);
}

static __always_inline int lm_blob_free(unsigned int kind, size_t offset,
					unsigned long arg0)
{
	char *obj = (char *)arg0;
	void *blob = READ_ONCE(*(void **)(obj + offset));

	if (!blob)
		return 0;
	return lm_track_free(kind, obj);
}

static int lm_file_blob_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return lm_blob_alloc(LEAKMON_KIND_FILE_BLOB,
			     offsetof(struct file, f_security), ret, arg0);
}

static int lm_file_blob_free(unsigned long arg0)
{
	return lm_blob_free(LEAKMON_KIND_FILE_BLOB,
			    offsetof(struct file, f_security), arg0);
}

static int lm_sk_blob_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return lm_blob_alloc(LEAKMON_KIND_SK_BLOB,
			     offsetof(struct sock, sk_security), ret, arg0);
}

static int lm_sk_blob_free(unsigned long arg0)
{
	return lm_blob_free(LEAKMON_KIND_SK_BLOB,
			    offsetof(struct sock, sk_security), arg0);
}

/* sock_graft(): the accepting process takes the socket over. */
static int lm_sk_blob_handover(unsigned long arg0)
{
	char *sk = (char *)arg0;
	void *blob = READ_ONCE(*(void **)(sk + offsetof(struct sock,
							sk_security)));

	if (!blob)
		return 0;
	return lm_track_handover(LEAKMON_KIND_SK_BLOB, sk);
}

/* ---- hook tables (probe_table.h) --------------------------------------- */

struct lm_kind_state {
	struct lm_hook alloc;
	struct lm_hook free;
	struct lm_hook handover;	/* optional */
	char reason[LM_REASON_LEN];
};

static struct lm_kind_state lm_state[LM_NKINDS];
static struct tracepoint *lm_exit_tp;

/*
 * probe_exclude: symbols never to probe, for a kernel where probing one of
 * them is known to misbehave; the kind falls back to its next candidate
 * pair, or is disabled.
 */
static char lm_exclude_param[256];
module_param_string(probe_exclude, lm_exclude_param, sizeof(lm_exclude_param),
		    0444);
MODULE_PARM_DESC(probe_exclude,
		 "Symbols never to probe, comma-separated (default none): the next candidate is used");

/* Is sym listed in probe_exclude? */
static bool lm_excluded(const char *sym)
{
	const char *p = lm_exclude_param;
	size_t n = strlen(sym);

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, sym, n))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Every name in probe_exclude must be a candidate symbol (typos fail). */
static int lm_exclude_check(void)
{
	char buf[sizeof(lm_exclude_param)], *list = buf, *name;
	const struct lm_pair *p;
	unsigned int k;
	bool found;

	if (!lm_exclude_param[0])
		return 0;
	strscpy(buf, lm_exclude_param, sizeof(buf));
	while ((name = strsep(&list, ","))) {
		found = false;
		for (k = 0; k < LM_NKINDS && !found; k++) {
			for (p = lm_kinds[k].pairs; p->alloc.symbol; p++)
				if (!strcmp(name, p->alloc.symbol) ||
				    !strcmp(name, p->free.symbol))
					found = true;
			if (lm_kinds[k].handover &&
			    !strcmp(name, lm_kinds[k].handover->symbol))
				found = true;
		}
		if (!found) {
			pr_err("probe_exclude: '%s' is not a probe leakmon uses\n",
			       name);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * probe_mechanism: how the probes attach (probe_table.h): auto, the
 * default, takes fprobes where the kernel has them and they pay
 * (compat.h: from 6.14) and falls back to kprobes for a pair that does not
 * register as fprobes.
 */
static char lm_mechanism_param[16] = "auto";
module_param_string(probe_mechanism, lm_mechanism_param,
		    sizeof(lm_mechanism_param), 0444);
MODULE_PARM_DESC(probe_mechanism,
		 "How probes attach: auto (fprobe on kernels from 6.14 that have it, else kprobe; default), kprobe, fprobe");

static enum lm_mechanism lm_mech_order[LM_MECH_COUNT];
static int lm_nmech;

/*
 * Register the first pair whose two probes both register, release probe
 * first, with the first mechanism that takes them; describe every failure
 * in the kind's reason.
 */
static int lm_kind_enable(unsigned int kind)
{
	struct lm_kind_state *st = &lm_state[kind];
	const struct lm_pair *p;
	size_t off = 0, len = sizeof(st->reason);
	enum lm_mechanism mech;
	const char *sym;
	int err = -ENOENT, i;

	for (p = lm_kinds[kind].pairs; p->alloc.symbol; p++) {
		if (lm_excluded(p->free.symbol) ||
		    lm_excluded(p->alloc.symbol)) {
			sym = lm_excluded(p->free.symbol) ? p->free.symbol :
							    p->alloc.symbol;
			err = -EPERM;
			off += scnprintf(st->reason + off, len - off,
					 "%s%s: excluded", off ? ", " : "",
					 sym);
			continue;
		}
		for (i = 0; i < lm_nmech; i++) {
			mech = lm_mech_order[i];
			if (mech == LM_MECH_FPROBE)
				lm_track_nesting();
			err = lm_pair_register(&st->alloc, &st->free, p, mech,
					       LM_CFG(kretprobe_maxactive),
					       &sym);
			if (!err)
				return 0;
			off += scnprintf(st->reason + off, len - off,
					 "%s%s: %s error %d", off ? ", " : "",
					 sym, lm_mechanism_names[mech], err);
			if (i + 1 < lm_nmech)
				pr_info("kind %s: %s does not register as %s (error %d): trying %s\n",
					lm_kinds[kind].name, sym,
					lm_mechanism_names[mech], err,
					lm_mechanism_names[lm_mech_order[i + 1]]);
		}
	}
	return err;
}

/*
 * The kind's handover probe, once its pair is registered.  Without it the
 * kind is still tracked; its objects stay with whoever allocated them.
 */
static void lm_kind_handover(unsigned int kind)
{
	const struct lm_cand *c = lm_kinds[kind].handover;
	struct lm_hook *h = &lm_state[kind].handover;
	int err;

	if (!c)
		return;
	if (lm_excluded(c->symbol)) {
		pr_info("kind %s: %s excluded: objects stay with their allocator\n",
			lm_kinds[kind].name, c->symbol);
		return;
	}
	err = lm_hook_register(h, c, lm_state[kind].alloc.mech,
			       LM_CFG(kretprobe_maxactive));
	if (err) {
		pr_warn("kind %s: cannot probe %s as %s (error %d): objects stay with their allocator\n",
			lm_kinds[kind].name, c->symbol,
			lm_mechanism_names[h->mech], err);
		return;
	}
	h->cand = c;
}

/* ---- process exit ----------------------------------------------------- */

static void lm_exit_probe(void *data, struct task_struct *p)
{
	lm_track_task_exit(p);
}

static void lm_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		*(struct tracepoint **)priv = tp;
}

/* ---- setup ------------------------------------------------------------ */

static char lm_kinds_param[64] = "all";
module_param_string(kinds, lm_kinds_param, sizeof(lm_kinds_param), 0444);
MODULE_PARM_DESC(kinds,
		 "Kinds to track: all, or a comma-separated list of sock_inode, file_blob, sk_blob");

/* The kinds the "kinds" parameter selects, as a bit mask; 0 if invalid. */
static unsigned int lm_selected_kinds(void)
{
	char buf[sizeof(lm_kinds_param)], *list = buf, *name;
	unsigned int mask = 0, k;

	strscpy(buf, lm_kinds_param, sizeof(buf));
	while ((name = strsep(&list, ","))) {
		name = strim(name);
		if (!strcmp(name, "all")) {
			mask |= (1U << LM_NKINDS) - 1;
			continue;
		}
		for (k = 0; k < LM_NKINDS; k++)
			if (!strcmp(name, lm_kinds[k].name))
				break;
		if (k == LM_NKINDS) {
			pr_err("kinds: unknown kind '%s' (known: all, sock_inode, file_blob, sk_blob)\n",
			       name);
			return 0;
		}
		mask |= 1U << k;
	}
	return mask;
}

int lm_probes_init(void)
{
	unsigned int k, enabled = 0, selected;
	int err;

	/* the keys: inodes, files and socks (lm_track_alloc()) */
	BUILD_BUG_ON(__alignof__(struct inode) < LM_KEY_ALIGN ||
		     __alignof__(struct file) < LM_KEY_ALIGN ||
		     __alignof__(struct sock) < LM_KEY_ALIGN);
	selected = lm_selected_kinds();
	if (!selected) {
		pr_err("kinds='%s' selects nothing to track\n", lm_kinds_param);
		return -EINVAL;
	}
	err = lm_exclude_check();
	if (err)
		return err;
	lm_nmech = lm_mechanisms(lm_mechanism_param, lm_mech_order);
	if (lm_nmech == -EOPNOTSUPP) {
		pr_err("probe_mechanism=fprobe: this kernel has no fprobe (CONFIG_FPROBE, 6.5's handlers); use auto or kprobe\n");
		return lm_nmech;
	}
	if (lm_nmech < 0) {
		pr_err("probe_mechanism='%s' is not one of auto, kprobe, fprobe\n",
		       lm_mechanism_param);
		return lm_nmech;
	}

	for_each_kernel_tracepoint(lm_find_tp, &lm_exit_tp);
	if (!lm_exit_tp) {
		pr_err("tracepoint sched_process_exit not found\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(lm_exit_tp, lm_exit_probe, NULL);
	if (err) {
		pr_err("cannot attach to sched_process_exit: %d\n", err);
		return err;
	}

	for (k = 0; k < LM_NKINDS; k++) {
		if (!(selected & (1U << k))) {
			strscpy(lm_state[k].reason,
				"not selected by the kinds parameter",
				sizeof(lm_state[k].reason));
			continue;
		}
		if (lm_kind_enable(k)) {
			pr_warn("kind %s disabled: %s\n", lm_kinds[k].name,
				lm_state[k].reason);
			continue;
		}
		lm_state[k].reason[0] = '\0';
		lm_kind_handover(k);
		enabled++;
	}
	if (!enabled) {
		pr_err("nothing can be tracked on this kernel (reasons above)\n");
		err = -ENOENT;
		goto err_tp;
	}
	return 0;

err_tp:
	tracepoint_probe_unregister(lm_exit_tp, lm_exit_probe, NULL);
	tracepoint_synchronize_unregister();
	return err;
}

/*
 * The reverse of lm_probes_init(): fprobes one by one, a kind's allocation
 * probe before its release probe; then the kprobes in two batches, the
 * kretprobes (the allocation hooks) first, so that unloading waits for two
 * RCU grace periods instead of one per probe (on a busy host, or a debug
 * kernel, a grace period can take a good part of a second).
 */
void lm_probes_exit(void)
{
	struct kprobe *kps[3 * LM_NKINDS];
	struct kretprobe *rps[3 * LM_NKINDS];
	unsigned int nk = 0, nr = 0;
	int k;

	for (k = LM_NKINDS - 1; k >= 0; k--) {
		lm_hook_collect(&lm_state[k].handover, kps, &nk, rps, &nr);
		lm_hook_collect(&lm_state[k].alloc, kps, &nk, rps, &nr);
		lm_hook_collect(&lm_state[k].free, kps, &nk, rps, &nr);
	}
	if (nr)
		unregister_kretprobes(rps, nr);
	if (nk)
		unregister_kprobes(kps, nk);
	for (k = 0; k < LM_NKINDS; k++) {
		lm_state[k].handover.cand = NULL;
		lm_state[k].alloc.cand = NULL;
		lm_state[k].free.cand = NULL;
	}
	tracepoint_probe_unregister(lm_exit_tp, lm_exit_probe, NULL);
	tracepoint_synchronize_unregister();
}

void lm_probes_info(unsigned int kind, struct lm_kind_info *info)
{
	const struct lm_kind_state *st = &lm_state[kind];

	info->name = lm_kinds[kind].name;
	info->enabled = st->alloc.cand && st->free.cand;
	info->alloc_probe = st->alloc.cand ? st->alloc.cand->label : NULL;
	info->free_probe = st->free.cand ? st->free.cand->label : NULL;
	info->mechanism = info->enabled ? lm_mechanism_names[st->alloc.mech] :
					  NULL;
	info->handover_probe = st->handover.cand ? st->handover.cand->label :
						   NULL;
	strscpy(info->reason, st->reason, sizeof(info->reason));
	info->missed_alloc = lm_hook_missed(&st->alloc);
	info->missed_free = lm_hook_missed(&st->free);
	info->missed_handover = lm_hook_missed(&st->handover);
}
