// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: attribute socket inodes and LSM security blobs to the processes
 * that allocated them, and keep per-owner counts of what is still live.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/log2.h>

#include "leakmon.h"
#include "events.h"
#include "../include/leakmon-version.h"

/* Serialises writers of the configuration below. */
DEFINE_MUTEX(lm_config_mutex);

unsigned int lm_max_objects = 1U << 20;
unsigned int lm_max_owners = 1U << 16;
bool lm_restrict_read;
unsigned int lm_hash_buckets;
static unsigned int lm_hash_bits;

unsigned int lm_kretprobe_maxactive;

unsigned int lm_event_threshold;
unsigned int lm_event_rate = 10;
unsigned int lm_event_queue_max = 256;

#define LM_HASH_BITS_MIN 8
#define LM_HASH_BITS_MAX 24
#define LM_MAXACTIVE_MAX 65536

static int lm_param_set_range(const char *val, const struct kernel_param *kp,
			      unsigned int min, unsigned int max)
{
	unsigned int v;
	int err;

	err = kstrtouint(val, 0, &v);
	if (err) {
		pr_err("%s: not a number: '%s'\n", kp->name, val);
		return err;
	}
	if (v < min || v > max) {
		pr_err("%s: %u out of range %u..%u\n", kp->name, v, min, max);
		return -ERANGE;
	}
	mutex_lock(&lm_config_mutex);
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	mutex_unlock(&lm_config_mutex);
	return 0;
}

static int lm_param_set_objects(const char *val, const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LEAKMON_MAX_OBJECTS_LIMIT);
}

static int lm_param_set_owners(const char *val, const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LEAKMON_MAX_OWNERS_LIMIT);
}

static int lm_param_set_threshold(const char *val,
				  const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 0, LEAKMON_MAX_OBJECTS_LIMIT);
}

static int lm_param_set_rate(const char *val, const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LEAKMON_EVENT_RATE_LIMIT);
}

static int lm_param_set_queue_max(const char *val,
				  const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LEAKMON_EVENT_QUEUE_LIMIT);
}

static int lm_param_set_hash_bits(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int v;

	/* 0 asks for a size derived from max_objects. */
	if (!kstrtouint(val, 0, &v) && !v) {
		*(unsigned int *)kp->arg = 0;
		return 0;
	}
	return lm_param_set_range(val, kp, LM_HASH_BITS_MIN, LM_HASH_BITS_MAX);
}

static int lm_param_set_maxactive(const char *val,
				  const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 0, LM_MAXACTIVE_MAX);
}

#define LM_SCAN_INTERVAL_MAX	86400	/* seconds */
#define LM_SCAN_GRACE_MAX	3600
#define LM_CLOSING_MAX_MAX	86400

static int lm_param_set_interval(const char *val,
				 const struct kernel_param *kp)
{
	int err = lm_param_set_range(val, kp, 0, LM_SCAN_INTERVAL_MAX);

	if (!err) {
		mutex_lock(&lm_config_mutex);
		lm_reach_interval_changed();
		mutex_unlock(&lm_config_mutex);
	}
	return err;
}

static int lm_param_set_grace(const char *val, const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LM_SCAN_GRACE_MAX);
}

static int lm_param_set_closing_max(const char *val,
				    const struct kernel_param *kp)
{
	return lm_param_set_range(val, kp, 1, LM_CLOSING_MAX_MAX);
}

static const struct kernel_param_ops lm_interval_ops = {
	.set = lm_param_set_interval,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_grace_ops = {
	.set = lm_param_set_grace,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_closing_max_ops = {
	.set = lm_param_set_closing_max,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_objects_ops = {
	.set = lm_param_set_objects,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_owners_ops = {
	.set = lm_param_set_owners,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_threshold_ops = {
	.set = lm_param_set_threshold,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_rate_ops = {
	.set = lm_param_set_rate,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_queue_max_ops = {
	.set = lm_param_set_queue_max,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_hash_bits_ops = {
	.set = lm_param_set_hash_bits,
	.get = param_get_uint,
};

static const struct kernel_param_ops lm_maxactive_ops = {
	.set = lm_param_set_maxactive,
	.get = param_get_uint,
};

module_param_cb(max_objects, &lm_objects_ops, &lm_max_objects, 0644);
MODULE_PARM_DESC(max_objects,
		 "Most objects tracked at once (1..67108864, default 1048576)");
module_param_cb(max_owners, &lm_owners_ops, &lm_max_owners, 0644);
MODULE_PARM_DESC(max_owners,
		 "Most owners listed at once (1..1048576, default 65536)");
module_param_named(restrict_read, lm_restrict_read, bool, 0644);
MODULE_PARM_DESC(restrict_read,
		 "Reading over netlink needs CAP_NET_ADMIN (default 0)");
module_param_cb(event_threshold, &lm_threshold_ops, &lm_event_threshold, 0644);
MODULE_PARM_DESC(event_threshold,
		 "Live objects of one owner that trigger an event (0..67108864, default 0: off)");
module_param_cb(event_rate, &lm_rate_ops, &lm_event_rate, 0644);
MODULE_PARM_DESC(event_rate,
		 "Most events sent per second (1..100000, default 10)");
module_param_cb(event_queue_max, &lm_queue_max_ops, &lm_event_queue_max,
		0644);
MODULE_PARM_DESC(event_queue_max,
		 "Most events waiting to be sent (1..65536, default 256)");
module_param_cb(hash_bits, &lm_hash_bits_ops, &lm_hash_bits, 0444);
MODULE_PARM_DESC(hash_bits,
		 "log2 of object hash buckets, 8..24 (0: from max_objects)");
module_param_cb(kretprobe_maxactive, &lm_maxactive_ops,
		&lm_kretprobe_maxactive, 0444);
MODULE_PARM_DESC(kretprobe_maxactive,
		 "Return probes in flight, 0..65536 (0: max(64, 8 * CPUs))");
module_param_cb(scan_interval, &lm_interval_ops, &lm_scan_interval, 0644);
MODULE_PARM_DESC(scan_interval,
		 "Seconds between reachability passes (0..86400, default 60; 0: on request only)");
module_param_cb(scan_grace, &lm_grace_ops, &lm_scan_grace, 0644);
MODULE_PARM_DESC(scan_grace,
		 "Objects younger than this many seconds are not judged (1..3600, default 10)");
module_param_cb(closing_max, &lm_closing_max_ops, &lm_closing_max, 0644);
MODULE_PARM_DESC(closing_max,
		 "Seconds a socket may be closing before it counts as unreachable (1..86400, default 300)");

static int __init lm_init(void)
{
	unsigned int bits = lm_hash_bits;
	int err;

	if (!bits) {
		/* About eight objects per bucket at the limit. */
		bits = order_base_2(lm_max_objects);
		bits = clamp_t(unsigned int, bits, 13, 23) - 3;
	}
	lm_hash_buckets = 1U << bits;

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
		LEAKMON_VERSION, lm_hash_buckets, lm_max_objects,
		lm_max_owners);
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
