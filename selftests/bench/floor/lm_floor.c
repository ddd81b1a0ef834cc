// SPDX-License-Identifier: GPL-2.0
/*
 * lm_floor: the cost floor of leakmon's probes, for the benchmark only.
 *
 * Registers the probe points leakmon registers on this kernel, chosen from
 * the same candidate table (kmod/probe_table.h) by the same rule (per kind,
 * the first pair whose release and then allocation probe both register),
 * with the same kretprobe maxactive and entry data, and attaches to
 * sched_process_exit like leakmon; every handler only returns.  What
 * leakmon costs above this module is the cost of its accounting; what this
 * module costs is the price of a kprobe on these functions.
 *
 * The "probes" parameter (read-only) lists the labels registered, in the
 * order of leakmon's kinds, as "kind=alloc_label/free_label,..." (with
 * "/handover_label" where the kind's handover probe registered), so that
 * the benchmark can check both modules probe the same points.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>

static int lm_noop_pre(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

static int lm_noop_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

#define lm_sock_inode_destroy	lm_noop_pre
#define lm_sock_inode_free	lm_noop_pre
#define lm_file_blob_free	lm_noop_pre
#define lm_sk_blob_free		lm_noop_pre
#define lm_sk_blob_handover	lm_noop_pre
#define lm_sock_alloc_ret	lm_noop_ret
#define lm_sock_inode_alloc_ret	lm_noop_ret
#define lm_save_arg0		lm_noop_ret
#define lm_file_blob_alloc_ret	lm_noop_ret
#define lm_sk_blob_alloc_ret	lm_noop_ret

#include "probe_table.h"

#define LM_FLOOR_NKINDS ARRAY_SIZE(lm_kinds)

static struct lm_hook lm_alloc_hooks[LM_FLOOR_NKINDS];
static struct lm_hook lm_free_hooks[LM_FLOOR_NKINDS];
static struct lm_hook lm_handover_hooks[LM_FLOOR_NKINDS];
static struct tracepoint *lm_exit_tp;

static char lm_probes_param[512];
module_param_string(probes, lm_probes_param, sizeof(lm_probes_param), 0444);
MODULE_PARM_DESC(probes, "Probes registered (read-only)");

/* leakmon's registration, with its default kretprobe maxactive */
static int lm_floor_register(struct lm_hook *h, const struct lm_cand *c)
{
	int err = lm_hook_register(h, c, 0);

	if (!err)
		h->cand = c;
	return err;
}

static void lm_floor_exit_probe(void *data, struct task_struct *p)
{
}

static void lm_floor_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		*(struct tracepoint **)priv = tp;
}

static void lm_floor_unregister_all(void)
{
	int k;

	for (k = LM_FLOOR_NKINDS - 1; k >= 0; k--) {
		lm_hook_unregister(&lm_handover_hooks[k]);
		lm_hook_unregister(&lm_alloc_hooks[k]);
		lm_hook_unregister(&lm_free_hooks[k]);
	}
}

static int __init lm_floor_init(void)
{
	const struct lm_pair *p;
	size_t off = 0, len = sizeof(lm_probes_param);
	unsigned int k, enabled = 0;
	int err;

	for_each_kernel_tracepoint(lm_floor_find_tp, &lm_exit_tp);
	if (!lm_exit_tp) {
		pr_err("tracepoint sched_process_exit not found\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(lm_exit_tp, lm_floor_exit_probe, NULL);
	if (err)
		return err;

	for (k = 0; k < LM_FLOOR_NKINDS; k++) {
		for (p = lm_kinds[k].pairs; p->alloc.symbol; p++) {
			if (lm_floor_register(&lm_free_hooks[k], &p->free))
				continue;
			if (!lm_floor_register(&lm_alloc_hooks[k], &p->alloc))
				break;
			lm_hook_unregister(&lm_free_hooks[k]);
		}
		if (!p->alloc.symbol)
			continue;
		enabled++;
		off += scnprintf(lm_probes_param + off, len - off, "%s%s=%s/%s",
				 off ? "," : "", lm_kinds[k].name,
				 p->alloc.label, p->free.label);
		if (lm_kinds[k].handover &&
		    !lm_floor_register(&lm_handover_hooks[k],
				       lm_kinds[k].handover))
			off += scnprintf(lm_probes_param + off, len - off,
					 "/%s", lm_kinds[k].handover->label);
	}
	if (!enabled) {
		pr_err("no probe pair registers on this kernel\n");
		err = -ENOENT;
		goto err_tp;
	}
	pr_info("probes: %s\n", lm_probes_param);
	return 0;

err_tp:
	tracepoint_probe_unregister(lm_exit_tp, lm_floor_exit_probe, NULL);
	tracepoint_synchronize_unregister();
	return err;
}

static void __exit lm_floor_exit(void)
{
	lm_floor_unregister_all();
	tracepoint_probe_unregister(lm_exit_tp, lm_floor_exit_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(lm_floor_init);
module_exit(lm_floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("leakmon benchmark: leakmon's probe points with empty handlers");
