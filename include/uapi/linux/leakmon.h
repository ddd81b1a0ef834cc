/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * leakmon: per-owner accounting of socket inodes and LSM security blobs.
 *
 * Generic netlink family "leakmon", version 1 (LEAKMON_GENL_VERSION).
 * The family exists only in the initial network namespace.
 *
 * Objects and owners
 * ------------------
 * An object is one live kernel allocation of a tracked kind (enum
 * leakmon_kind).  Its owner is the process (thread group) that was current
 * when the object was allocated, identified by its tgid and its start time
 * (so a reused pid is a new owner).  A free is always credited to the owner
 * recorded at allocation, never to the task that happens to free it.  When
 * an owner's process exits while it still has live objects, the owner stays
 * listed with LEAKMON_OWNER_A_EXITED set; its live objects are its orphans.
 * An exited owner disappears when its last object is freed.
 *
 * All times are CLOCK_BOOTTIME nanoseconds (the clock of
 * clock_gettime(CLOCK_BOOTTIME)), so they can be compared with
 * LEAKMON_A_NOW_NS of a LEAKMON_CMD_GET_TOTALS reply.
 *
 * Commands
 * --------
 * LEAKMON_CMD_GET_TOTALS: do. Request: no attributes.  Reply:
 *
 *    LEAKMON_A_VERSION: NLA_NUL_STRING, release of the module
 *    LEAKMON_A_NOW_NS: NLA_U64, CLOCK_BOOTTIME of the reply
 *    LEAKMON_A_RESET_NS: NLA_U64, CLOCK_BOOTTIME of the last reset (or
 *                        of module load)
 *    LEAKMON_A_OBJECTS: NLA_U64, entries in the object table
 *    LEAKMON_A_OWNERS: NLA_U32, owners listed (alive and exited)
 *    LEAKMON_A_OWNERS_EXITED: NLA_U32, owners whose process has exited
 *    LEAKMON_A_CONFIG: NLA_NESTED, as in LEAKMON_CMD_GET_CONFIG
 *    LEAKMON_A_KIND: NLA_NESTED, once per kind, in kind order
 *        LEAKMON_KIND_A_ID: NLA_U32, enum leakmon_kind
 *        LEAKMON_KIND_A_NAME: NLA_NUL_STRING, the kind's name:
 *                             "sock_inode", "file_blob" or "sk_blob"
 *                             (see enum leakmon_kind)
 *        LEAKMON_KIND_A_ENABLED: NLA_U8, 1 if its probes are registered
 *        LEAKMON_KIND_A_ALLOC_PROBE: NLA_NUL_STRING, probed symbol for
 *                                    allocation, with "(ret)" appended
 *                                    for a return probe
 *        LEAKMON_KIND_A_FREE_PROBE: NLA_NUL_STRING, probed symbol for
 *                                   release
 *        LEAKMON_KIND_A_DISABLED_REASON: NLA_NUL_STRING, only when not
 *                                        enabled
 *        LEAKMON_KIND_A_LIVE: NLA_U64, tracked objects now live
 *        LEAKMON_KIND_A_ORPHANS: NLA_U64, live objects of exited owners
 *        LEAKMON_KIND_A_OBSERVED: NLA_U64, allocations seen by the probe
 *        LEAKMON_KIND_A_TRACKED: NLA_U64, allocations entered in the table
 *        LEAKMON_KIND_A_FREED: NLA_U64, frees of tracked objects
 *        LEAKMON_KIND_A_UNTRACKED_TABLE_FULL: NLA_U64, allocations not
 *                                             tracked: object table full
 *        LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL: NLA_U64, not tracked: owner
 *                                              table full
 *        LEAKMON_KIND_A_UNTRACKED_NOMEM: NLA_U64, not tracked: atomic
 *                                        allocation of an entry failed
 *        LEAKMON_KIND_A_UNKNOWN_FREES: NLA_U64, frees of objects not in
 *                                      the table (allocated before the
 *                                      module loaded, or untracked);
 *                                      ignored
 *        LEAKMON_KIND_A_REPLACED: NLA_U64, allocations at an address
 *                                 still in the table (its free was
 *                                 missed); the stale entry is dropped
 *        LEAKMON_KIND_A_MISSED_ALLOC: NLA_U64, allocation probe misses
 *                                     (kprobe nmissed, kretprobe nmissed)
 *        LEAKMON_KIND_A_MISSED_FREE: NLA_U64, release probe misses
 *        LEAKMON_KIND_A_OBJ_SIZE: NLA_U32, bytes the slab allocator holds
 *                                 for one object of the kind (ksize() of
 *                                 a tracked object, measured in the
 *                                 running kernel); absent until the
 *                                 first object has been seen
 *
 *    OBSERVED = TRACKED + UNTRACKED_TABLE_FULL + UNTRACKED_OWNERS_FULL +
 *    UNTRACKED_NOMEM holds exactly between resets.  LIVE and ORPHANS are
 *    state and survive a reset; the other counters restart from zero.
 *
 * LEAKMON_CMD_GET_OWNERS: dump. Request: no attributes.  One message per
 *    owner.  When owners were added or removed while dumping, every
 *    message from then on (NLMSG_DONE included) carries NLM_F_DUMP_INTR:
 *    such a torn dump may miss or repeat owners and should be retried.
 *    Each message:
 *
 *    LEAKMON_A_OWNER: NLA_NESTED
 *        LEAKMON_OWNER_A_TGID: NLA_U32, thread group id in the initial
 *                              pid namespace
 *        LEAKMON_OWNER_A_START_NS: NLA_U64, process start (CLOCK_BOOTTIME)
 *        LEAKMON_OWNER_A_COMM: NLA_NUL_STRING, comm at the most recent
 *                              allocation
 *        LEAKMON_OWNER_A_UID: NLA_U32, real uid (initial user namespace)
 *                             at the most recent allocation
 *        LEAKMON_OWNER_A_CGROUP_ID: NLA_U64, cgroup v2 id (the inode
 *                                   number of the cgroup's directory)
 *                                   at the most recent allocation
 *        LEAKMON_OWNER_A_EXITED: NLA_FLAG, the process has exited
 *        LEAKMON_OWNER_A_EXIT_NS: NLA_U64, when it exited, if it has
 *        LEAKMON_OWNER_A_KIND: NLA_NESTED, once per kind, in kind order
 *            LEAKMON_OWNER_KIND_A_ID: NLA_U32, enum leakmon_kind
 *            LEAKMON_OWNER_KIND_A_LIVE: NLA_U64
 *            LEAKMON_OWNER_KIND_A_ALLOCATED: NLA_U64, since reset
 *            LEAKMON_OWNER_KIND_A_FREED: NLA_U64, since reset
 *            LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS: NLA_U64, 0 if never
 *            LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS: NLA_U64, 0 if never
 *
 * LEAKMON_CMD_RESET: do, CAP_NET_ADMIN. Request: no attributes.  Zeroes the
 *    event counters (global and per owner); live objects stay tracked.
 *
 * LEAKMON_CMD_GET_CONFIG: do. Request: no attributes.  Reply:
 *
 *    LEAKMON_A_CONFIG: NLA_NESTED
 *        LEAKMON_CONFIG_A_MAX_OBJECTS: NLA_U32, object table limit
 *        LEAKMON_CONFIG_A_MAX_OWNERS: NLA_U32, owner table limit
 *        LEAKMON_CONFIG_A_RESTRICT_READ: NLA_U8, 1 if reading needs
 *                                        CAP_NET_ADMIN
 *        LEAKMON_CONFIG_A_HASH_BUCKETS: NLA_U32, object hash buckets
 *                                       (load time only; read only)
 *
 * LEAKMON_CMD_SET_CONFIG: do, CAP_NET_ADMIN. Request:
 *
 *    LEAKMON_A_CONFIG: NLA_NESTED, any subset of
 *        LEAKMON_CONFIG_A_MAX_OBJECTS: 1 .. LEAKMON_MAX_OBJECTS_LIMIT
 *        LEAKMON_CONFIG_A_MAX_OWNERS: 1 .. LEAKMON_MAX_OWNERS_LIMIT
 *        LEAKMON_CONFIG_A_RESTRICT_READ: 0 or 1
 *
 *    The reply is the new configuration, as for LEAKMON_CMD_GET_CONFIG.
 *    Lowering a limit below the current number of entries keeps existing
 *    entries; only new ones are refused.
 *
 * Errors
 * ------
 * Every rejection carries an extended ack message.  EPERM: the command
 * needs CAP_NET_ADMIN in the initial user namespace (or reading is
 * restricted).  EINVAL: malformed or unknown attributes.  ERANGE: a
 * configuration value out of range.  New attributes may be added to
 * replies: parsers must ignore attribute types they do not know.
 */

#ifndef _UAPI_LINUX_LEAKMON_H
#define _UAPI_LINUX_LEAKMON_H

#define LEAKMON_GENL_NAME		"leakmon"
#define LEAKMON_GENL_VERSION		1

#define LEAKMON_MAX_OBJECTS_LIMIT	67108864U	/* 2^26 */
#define LEAKMON_MAX_OWNERS_LIMIT	1048576U	/* 2^20 */

enum leakmon_cmd {
	LEAKMON_CMD_UNSPEC,
	LEAKMON_CMD_GET_TOTALS,
	LEAKMON_CMD_GET_OWNERS,
	LEAKMON_CMD_RESET,
	LEAKMON_CMD_GET_CONFIG,
	LEAKMON_CMD_SET_CONFIG,

	__LEAKMON_CMD_MAX
};

#define LEAKMON_CMD_MAX (__LEAKMON_CMD_MAX - 1)

enum leakmon_kind {
	LEAKMON_KIND_SOCK_INODE,	/* "sock_inode": socket inode */
	LEAKMON_KIND_FILE_BLOB,		/* "file_blob": LSM file blob */
	LEAKMON_KIND_SK_BLOB,		/* "sk_blob": LSM socket blob */

	__LEAKMON_KIND_MAX
};

#define LEAKMON_KIND_MAX (__LEAKMON_KIND_MAX - 1)

enum leakmon_attr {
	LEAKMON_A_UNSPEC,
	LEAKMON_A_PAD,
	LEAKMON_A_VERSION,
	LEAKMON_A_NOW_NS,
	LEAKMON_A_RESET_NS,
	LEAKMON_A_OBJECTS,
	LEAKMON_A_OWNERS,
	LEAKMON_A_OWNERS_EXITED,
	LEAKMON_A_CONFIG,
	LEAKMON_A_KIND,
	LEAKMON_A_OWNER,

	__LEAKMON_A_MAX
};

#define LEAKMON_A_MAX (__LEAKMON_A_MAX - 1)

enum leakmon_kind_attr {
	LEAKMON_KIND_A_UNSPEC,
	LEAKMON_KIND_A_PAD,
	LEAKMON_KIND_A_ID,
	LEAKMON_KIND_A_NAME,
	LEAKMON_KIND_A_ENABLED,
	LEAKMON_KIND_A_ALLOC_PROBE,
	LEAKMON_KIND_A_FREE_PROBE,
	LEAKMON_KIND_A_DISABLED_REASON,
	LEAKMON_KIND_A_LIVE,
	LEAKMON_KIND_A_ORPHANS,
	LEAKMON_KIND_A_OBSERVED,
	LEAKMON_KIND_A_TRACKED,
	LEAKMON_KIND_A_FREED,
	LEAKMON_KIND_A_UNTRACKED_TABLE_FULL,
	LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL,
	LEAKMON_KIND_A_UNTRACKED_NOMEM,
	LEAKMON_KIND_A_UNKNOWN_FREES,
	LEAKMON_KIND_A_REPLACED,
	LEAKMON_KIND_A_MISSED_ALLOC,
	LEAKMON_KIND_A_MISSED_FREE,
	LEAKMON_KIND_A_OBJ_SIZE,

	__LEAKMON_KIND_A_MAX
};

#define LEAKMON_KIND_A_MAX (__LEAKMON_KIND_A_MAX - 1)

enum leakmon_owner_attr {
	LEAKMON_OWNER_A_UNSPEC,
	LEAKMON_OWNER_A_PAD,
	LEAKMON_OWNER_A_TGID,
	LEAKMON_OWNER_A_START_NS,
	LEAKMON_OWNER_A_COMM,
	LEAKMON_OWNER_A_UID,
	LEAKMON_OWNER_A_CGROUP_ID,
	LEAKMON_OWNER_A_EXITED,
	LEAKMON_OWNER_A_EXIT_NS,
	LEAKMON_OWNER_A_KIND,

	__LEAKMON_OWNER_A_MAX
};

#define LEAKMON_OWNER_A_MAX (__LEAKMON_OWNER_A_MAX - 1)

enum leakmon_owner_kind_attr {
	LEAKMON_OWNER_KIND_A_UNSPEC,
	LEAKMON_OWNER_KIND_A_PAD,
	LEAKMON_OWNER_KIND_A_ID,
	LEAKMON_OWNER_KIND_A_LIVE,
	LEAKMON_OWNER_KIND_A_ALLOCATED,
	LEAKMON_OWNER_KIND_A_FREED,
	LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS,
	LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS,

	__LEAKMON_OWNER_KIND_A_MAX
};

#define LEAKMON_OWNER_KIND_A_MAX (__LEAKMON_OWNER_KIND_A_MAX - 1)

enum leakmon_config_attr {
	LEAKMON_CONFIG_A_UNSPEC,
	LEAKMON_CONFIG_A_MAX_OBJECTS,
	LEAKMON_CONFIG_A_MAX_OWNERS,
	LEAKMON_CONFIG_A_RESTRICT_READ,
	LEAKMON_CONFIG_A_HASH_BUCKETS,

	__LEAKMON_CONFIG_A_MAX
};

#define LEAKMON_CONFIG_A_MAX (__LEAKMON_CONFIG_A_MAX - 1)

#endif /* _UAPI_LINUX_LEAKMON_H */
