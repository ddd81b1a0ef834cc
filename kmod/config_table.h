/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon's configuration settings, one entry each.  config.c includes this
 * file once for each thing it makes of them, with LM_SETTING() defined for
 * it (no include guard on purpose):
 *
 *	LM_SETTING(kind, name, default, text, attribute, min, max, mode,
 *		   extra...)
 *
 * kind:
 *   CONFIG       an unsigned int, min..max: the module parameter name
 *                (sysfs mode), and attribute in LEAKMON_A_CONFIG, reported
 *                and set by LEAKMON_CMD_SET_CONFIG
 *   CONFIG_LEVEL the same for a small unsigned int whose parameter also
 *                takes what param_set_bool() takes (y, n, ..., the name
 *                alone: 1); the attribute is a u8
 *   PARAM        an unsigned int, min..max: a module parameter only
 *                (attribute 0)
 *   SHOWN        an unsigned int that LEAKMON_A_CONFIG reports as the
 *                attribute; no parameter, and LEAKMON_CMD_SET_CONFIG
 *                refuses it with text (min, max and mode 0)
 * The value is LM_CFG(name) (leakmon.h), default its value at load.
 * text: the parameter's description (modinfo).
 * extra: more members of struct lm_setting: .zero_ok (0 is taken besides
 * min..max), .minus_one (the parameter takes and shows -1 for U32_MAX).
 * Code that must know of a change registers with lm_config_watch().
 *
 * LEAKMON_A_CONFIG holds the attributes in this order, theirs in enum
 * leakmon_config_attr.  A new setting is an entry here, its attribute in
 * include/uapi/linux/leakmon.h if it has one, what uses it, and its
 * documentation.
 */

LM_SETTING(CONFIG, max_objects, 1U << 20,
	   "Most objects tracked at once (1..67108864, default 1048576)",
	   LEAKMON_CONFIG_A_MAX_OBJECTS, 1, LEAKMON_MAX_OBJECTS_LIMIT, 0644)
LM_SETTING(CONFIG, max_owners, 1U << 16,
	   "Most owners listed at once (1..1048576, default 65536)",
	   LEAKMON_CONFIG_A_MAX_OWNERS, 1, LEAKMON_MAX_OWNERS_LIMIT, 0644)
LM_SETTING(CONFIG_LEVEL, restrict_read, 0,
	   "Who reads over netlink: 0 anyone, 1 CAP_NET_ADMIN or reader_gid, 2 anyone the owners of its own uid (default 0)",
	   LEAKMON_CONFIG_A_RESTRICT_READ, 0, LEAKMON_RESTRICT_READ_MAX, 0644)
LM_SETTING(SHOWN, hash_buckets, 0,
	   "hash_buckets is read-only: set it at load with the hash_bits parameter",
	   LEAKMON_CONFIG_A_HASH_BUCKETS, 0, 0, 0)
LM_SETTING(CONFIG, event_threshold, 0,
	   "Live objects of one owner that trigger an event (0..67108864, default 0: off)",
	   LEAKMON_CONFIG_A_EVENT_THRESHOLD, 0, LEAKMON_MAX_OBJECTS_LIMIT, 0644)
LM_SETTING(CONFIG, event_rate, 10,
	   "Most events sent per second (1..100000, default 10)",
	   LEAKMON_CONFIG_A_EVENT_RATE, 1, LEAKMON_EVENT_RATE_LIMIT, 0644)
LM_SETTING(CONFIG, event_queue_max, 256,
	   "Most events waiting to be sent (1..65536, default 256)",
	   LEAKMON_CONFIG_A_EVENT_QUEUE_MAX, 1, LEAKMON_EVENT_QUEUE_LIMIT, 0644)
LM_SETTING(CONFIG, reader_gid, LEAKMON_READER_GID_NONE,
	   "Group whose members read everything whatever restrict_read says (-1: none, default)",
	   LEAKMON_CONFIG_A_READER_GID, 0, LEAKMON_READER_GID_NONE, 0644,
	   .minus_one = true)
LM_SETTING(PARAM, hash_bits, 0,
	   "log2 of object hash buckets, 8..24 (0: from max_objects)",
	   0, LM_HASH_BITS_MIN, LM_HASH_BITS_MAX, 0444, .zero_ok = true)
LM_SETTING(PARAM, kretprobe_maxactive, 0,
	   "Return probes in flight, 0..65536 (0: max(64, 8 * CPUs))",
	   0, 0, LM_MAXACTIVE_MAX, 0444)
LM_SETTING(PARAM, scan_interval, 60,
	   "Seconds between reachability passes (0..86400, default 60; 0: on request only)",
	   0, 0, LM_SCAN_INTERVAL_MAX, 0644)
LM_SETTING(PARAM, scan_grace, 10,
	   "Objects younger than this many seconds are not judged (1..3600, default 10)",
	   0, 1, LM_SCAN_GRACE_MAX, 0644)
LM_SETTING(PARAM, closing_max, 300,
	   "Seconds a socket may be closing before it counts as unreachable (1..86400, default 300)",
	   0, 1, LM_CLOSING_MAX_MAX, 0644)
