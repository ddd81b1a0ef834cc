// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: attribute socket inodes and LSM security blobs to the processes
 * that allocated them, and keep per-owner counts of what is still live.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "leakmon.h"
#include "events.h"
#include "../include/leakmon-version.h"

static int __init lm_init(void)
{
	int err;

	err = lm_track_init();
	if (err)
		return err;
	err = lm_events_init();
	if (err)
		goto err_track;
	err = lm_probes_init();
	if (err)
		goto err_events;
	err = lm_reach_init();
	if (err)
		goto err_probes;
	err = lm_netlink_init();
	if (err)
		goto err_reach;
	pr_info("version %s loaded: %u object buckets, limits %u objects, %u owners\n",
		LEAKMON_VERSION, LM_CFG(hash_buckets), LM_CFG(max_objects),
		LM_CFG(max_owners));
	return 0;

err_reach:
	lm_reach_exit();
err_probes:
	lm_probes_exit();
err_events:
	lm_events_exit();
err_track:
	lm_track_exit();
	return err;
}

static void __exit lm_exit(void)
{
	lm_netlink_exit();
	lm_reach_exit();
	lm_probes_exit();
	lm_events_exit();
	lm_track_exit();
	pr_info("unloaded\n");
}

module_init(lm_init);
module_exit(lm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("leakmon developers");
MODULE_DESCRIPTION("Per-process accounting of socket inodes and LSM blobs");
MODULE_VERSION(LEAKMON_VERSION);
