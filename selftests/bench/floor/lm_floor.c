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
 * module costs is the price of a probe on these functions.
 *
 * The mechanism (kprobe or fprobe) is chosen by the same rule and the same
 * parameter, probe_mechanism, and the handlers are the same wrappers
 * (probe_table.h) around empty bodies.
 *
 * The "probes" parameter (read-only) lists the labels registered, in the
 * order of leakmon's kinds, as "kind=alloc_label/free_label@mechanism,..."
 * (with "/handover_label" before the "@" where the kind's handover probe
 * registered), so that the benchmark can check both modules probe the same
 * points the same way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>

#include "probe_table.h"

/* The handler bodies, empty: each probe's wrapper calls one and returns */
static int lm_sock_inode_destroy(unsigned long arg0)
{
	return 0;
}

static int lm_sock_inode_free(unsigned long arg0)
{
	return 0;
}

static int lm_file_blob_free(unsigned long arg0)
{
	return 0;
}

static int lm_sk_blob_free(unsigned long arg0)
{
	return 0;
}

static int lm_sk_blob_handover(unsigned long arg0)
{
	return 0;
}

static int lm_sock_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return 0;
}

static int lm_sock_inode_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return 0;
}

static int lm_file_blob_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return 0;
}

static int lm_sk_blob_alloc_ret(unsigned long ret, unsigned long arg0)
{
	return 0;
}

#define LM_FLOOR_NKINDS ARRAY_SIZE(lm_kinds)

static struct lm_hook lm_alloc_hooks[LM_FLOOR_NKINDS];
static struct lm_hook lm_free_hooks[LM_FLOOR_NKINDS];
static struct lm_hook lm_handover_hooks[LM_FLOOR_NKINDS];
static struct tracepoint *lm_exit_tp;

static char lm_probes_param[512];
module_param_string(probes, lm_probes_param, sizeof(lm_probes_param), 0444);
MODULE_PARM_DESC(probes, "Probes registered (read-only)");

static char lm_mechanism_param[16] = "auto";
module_param_string(probe_mechanism, lm_mechanism_param,
		    sizeof(lm_mechanism_param), 0444);
MODULE_PARM_DESC(probe_mechanism,
		 "How probes attach, as leakmon's parameter: auto, kprobe, fprobe");

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
	enum lm_mechanism order[LM_MECH_COUNT], mech;
	const struct lm_pair *p;
	size_t off = 0, len = sizeof(lm_probes_param);
	unsigned int k, enabled = 0;
	const char *failed;
	struct lm_hook *h;
	int err, nmech, i;

	for_each_kernel_tracepoint(lm_floor_find_tp, &lm_exit_tp);
	if (!lm_exit_tp) {
		pr_err("tracepoint sched_process_exit not found\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(lm_exit_tp, lm_floor_exit_probe, NULL);
	if (err)
		return err;

	nmech = lm_mechanisms(lm_mechanism_param, order);
	if (nmech < 0) {
		pr_err("probe_mechanism='%s': unknown, or no fprobe here\n",
		       lm_mechanism_param);
		err = nmech;
		goto err_tp;
	}
	for (k = 0; k < LM_FLOOR_NKINDS; k++) {
		for (p = lm_kinds[k].pairs; p->alloc.symbol; p++) {
			for (i = 0; i < nmech; i++)
				if (!lm_pair_register(&lm_alloc_hooks[k],
						      &lm_free_hooks[k], p,
						      order[i], 0, &failed))
					break;
			if (i < nmech)
				break;
		}
		if (!p->alloc.symbol)
			continue;
		enabled++;
		mech = lm_alloc_hooks[k].mech;
		off += scnprintf(lm_probes_param + off, len - off,
				 "%s%s=%s/%s", off ? "," : "",
				 lm_kinds[k].name, p->alloc.label,
				 p->free.label);
		h = &lm_handover_hooks[k];
		if (lm_kinds[k].handover &&
		    !lm_hook_register(h, lm_kinds[k].handover, mech, 0)) {
			h->cand = lm_kinds[k].handover;
			off += scnprintf(lm_probes_param + off, len - off,
					 "/%s", h->cand->label);
		}
		off += scnprintf(lm_probes_param + off, len - off, "@%s",
				 lm_mechanism_names[mech]);
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
