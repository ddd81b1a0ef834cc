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
 * An object allocated outside task context (softirq, or in principle
 * hardirq or NMI: a TCP connection's child socket is created when the
 * handshake's last packet arrives) is never credited to the task that
 * happened to be interrupted: it belongs to the owner of type
 * LEAKMON_OWNER_TYPE_SOFTIRQ (tgid 0, comm "[softirq]"), which never exits.
 * When a process accepts a connection, the socket's LSM blob is handed
 * over to it (LEAKMON_KIND_A_HANDOVER_PROBE): the giving owner counts it
 * in HANDED_OVER, the process in RECEIVED.  For every owner and kind,
 * LIVE = ALLOCATED + RECEIVED - FREED - HANDED_OVER since the owner's
 * first object, when no reset came in between.
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
 *    LEAKMON_A_EVENTS: NLA_NESTED, what became of the notifications
 *                      (see "Notifications" below); counters since reset
 *        LEAKMON_EVENTS_A_SENT: NLA_U64, multicast to a group
 *        LEAKMON_EVENTS_A_NO_LISTENERS: NLA_U64, not sent: nobody had
 *                                       joined a group
 *        LEAKMON_EVENTS_A_RESTRICTED: NLA_U64, not sent: restrict_read
 *                                     is not 0 and only "events" had
 *                                     listeners
 *        LEAKMON_EVENTS_A_RATE_LIMITED: NLA_U64, dropped: more than
 *                                       event_rate in one second
 *        LEAKMON_EVENTS_A_QUEUE_FULL: NLA_U64, dropped: event_queue_max
 *                                     events were already queued
 *        LEAKMON_EVENTS_A_NOMEM: NLA_U64, dropped: atomic allocation of
 *                                the queued event failed
 *        LEAKMON_EVENTS_A_SEND_FAILED: NLA_U64, message allocation or
 *                                      multicast failed (a listener's
 *                                      receive buffer was full: ENOBUFS)
 *    LEAKMON_A_SCAN: NLA_NESTED, the last reachability pass, as in
 *                    LEAKMON_CMD_SCAN's reply; absent before the first
 *    LEAKMON_A_VIEW_UID: NLA_U32, present only when the caller sees the
 *                        owners of one uid alone (restrict_read 2, see
 *                        "Who reads what" below): that uid, the caller's
 *                        real uid (0xffffffff: none, the socket was
 *                        opened with another uid).  Absent: the caller
 *                        sees every owner.
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
 *        LEAKMON_KIND_A_REPLACED: NLA_U64, stale entries dropped (an
 *                                 object's free was missed): an
 *                                 allocation at an address still in the
 *                                 table, or a reachability pass that
 *                                 could not read the object at all or
 *                                 found its memory serving another
 *                                 (a socket and its sock or file not
 *                                 pointing at each other)
 *        LEAKMON_KIND_A_MISSED_ALLOC: NLA_U64, allocation probe misses
 *                                     (kprobe nmissed, kretprobe nmissed,
 *                                     or fprobe nmissed)
 *        LEAKMON_KIND_A_MISSED_FREE: NLA_U64, release probe misses
 *        LEAKMON_KIND_A_OBJ_SIZE: NLA_U32, bytes the slab allocator holds
 *                                 for one object of the kind (ksize() of
 *                                 a tracked object, measured in the
 *                                 running kernel); absent until the
 *                                 first object has been seen
 *        LEAKMON_KIND_A_HANDOVER_PROBE: NLA_NUL_STRING, probed symbol
 *                                       where objects of the kind change
 *                                       owner (sk_blob: accept); absent
 *                                       for a kind without one, or when
 *                                       it could not be registered
 *        LEAKMON_KIND_A_HANDED_OVER: NLA_U64, objects that changed owner
 *        LEAKMON_KIND_A_MISSED_HANDOVER: NLA_U64, handover probe misses
 *                                        (the object stays with its
 *                                        previous owner)
 *        LEAKMON_KIND_A_PROBE_MECHANISM: NLA_NUL_STRING, how the kind's
 *                                        probes attach: "kprobe"
 *                                        (kprobes and kretprobes) or
 *                                        "fprobe" (fprobes, where the
 *                                        kernel has them; module
 *                                        parameter probe_mechanism);
 *                                        only when enabled
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
 *            LEAKMON_OWNER_KIND_A_RECEIVED: NLA_U64, objects handed over
 *                                           to this owner, since reset
 *            LEAKMON_OWNER_KIND_A_HANDED_OVER: NLA_U64, objects this
 *                                              owner handed over to
 *                                              another, since reset
 *        LEAKMON_OWNER_A_TYPE: NLA_U32, enum leakmon_owner_type; absent
 *                              from a module older than the attribute
 *                              (then every owner is a process)
 *        LEAKMON_OWNER_A_NETNS_INUM: NLA_U32, for an owner of type netns:
 *                                    the namespace's inode number (as in
 *                                    /proc/PID/ns/net); its TGID and
 *                                    START_NS are 0, its COMM "[netns]"
 *    Once a reachability pass has run, each LEAKMON_OWNER_A_KIND nest
 *    also has the owner's objects of the kind in three of the pass's
 *    classes (see "Reachability" below), as of the last pass:
 *            LEAKMON_OWNER_KIND_A_KERNEL: NLA_U64
 *            LEAKMON_OWNER_KIND_A_CLOSING: NLA_U64
 *            LEAKMON_OWNER_KIND_A_UNREACHABLE: NLA_U64, leaked objects
 *
 * LEAKMON_CMD_RESET: do, CAP_NET_ADMIN. Request: no attributes.  Zeroes the
 *    event counters (global and per owner); live objects stay tracked.
 *
 * LEAKMON_CMD_GET_CONFIG: do. Request: no attributes.  Reply:
 *
 *    LEAKMON_A_CONFIG: NLA_NESTED
 *        LEAKMON_CONFIG_A_MAX_OBJECTS: NLA_U32, object table limit
 *        LEAKMON_CONFIG_A_MAX_OWNERS: NLA_U32, owner table limit
 *        LEAKMON_CONFIG_A_RESTRICT_READ: NLA_U8, who reads what, enum
 *                                        leakmon_restrict_read (0, 1 or
 *                                        2; see "Who reads what")
 *        LEAKMON_CONFIG_A_HASH_BUCKETS: NLA_U32, object hash buckets
 *                                       (load time only; read only)
 *        LEAKMON_CONFIG_A_EVENT_THRESHOLD: NLA_U32, live objects (sum
 *                                          over kinds) of one owner that
 *                                          trigger a threshold event;
 *                                          0: off
 *        LEAKMON_CONFIG_A_EVENT_RATE: NLA_U32, most events sent per second
 *        LEAKMON_CONFIG_A_EVENT_QUEUE_MAX: NLA_U32, most events waiting
 *                                          to be sent
 *        LEAKMON_CONFIG_A_READER_GID: NLA_U32, the group (gid in the
 *                                     initial user namespace) whose
 *                                     members read everything whatever
 *                                     restrict_read says;
 *                                     LEAKMON_READER_GID_NONE: none
 *
 * LEAKMON_CMD_SET_CONFIG: do, CAP_NET_ADMIN. Request:
 *
 *    LEAKMON_A_CONFIG: NLA_NESTED, any subset of
 *        LEAKMON_CONFIG_A_MAX_OBJECTS: 1 .. LEAKMON_MAX_OBJECTS_LIMIT
 *        LEAKMON_CONFIG_A_MAX_OWNERS: 1 .. LEAKMON_MAX_OWNERS_LIMIT
 *        LEAKMON_CONFIG_A_RESTRICT_READ: 0 .. LEAKMON_RESTRICT_READ_MAX
 *        LEAKMON_CONFIG_A_EVENT_THRESHOLD: 0 .. LEAKMON_MAX_OBJECTS_LIMIT
 *        LEAKMON_CONFIG_A_EVENT_RATE: 1 .. LEAKMON_EVENT_RATE_LIMIT
 *        LEAKMON_CONFIG_A_EVENT_QUEUE_MAX: 1 .. LEAKMON_EVENT_QUEUE_LIMIT
 *        LEAKMON_CONFIG_A_READER_GID: any; LEAKMON_READER_GID_NONE for
 *                                     none
 *
 *    The reply is the new configuration, as for LEAKMON_CMD_GET_CONFIG.
 *    Lowering a limit below the current number of entries keeps existing
 *    entries; only new ones are refused.
 *
 * LEAKMON_CMD_SCAN: do, CAP_NET_ADMIN. Request: no attributes.  Runs a
 *    reachability pass now (or waits for the one running) and replies with
 *    its result:
 *    LEAKMON_A_SCAN: NLA_NESTED
 *        LEAKMON_SCAN_A_SEQ: NLA_U64, passes since the module loaded
 *        LEAKMON_SCAN_A_TIME_NS: NLA_U64, when the pass ended
 *        LEAKMON_SCAN_A_DURATION_NS: NLA_U64, how long it took
 *        LEAKMON_SCAN_A_MAX_STEP_NS: NLA_U64, the longest stretch it ran
 *                                    without offering the CPU
 *        LEAKMON_SCAN_A_TASKS: NLA_U64, processes visited
 *        LEAKMON_SCAN_A_FDS: NLA_U64, descriptors visited
 *        LEAKMON_SCAN_A_VMAS: NLA_U64, memory mappings visited
 *        LEAKMON_SCAN_A_OBJECTS: NLA_U64, tracked objects classified
 *        LEAKMON_SCAN_A_REATTRIBUTED: NLA_U64, objects handed over to
 *                                     the process that holds them (see
 *                                     "held" below)
 *        LEAKMON_SCAN_A_OWNERS_UNREPORTED: NLA_U64, owners whose kernel,
 *                                          closing or unreachable objects
 *                                          are counted in the totals but
 *                                          not per owner (the pass reports
 *                                          at most 4096 such owners)
 *        LEAKMON_SCAN_A_INTERVAL_S: NLA_U32, seconds between passes
 *                                   (module parameter scan_interval;
 *                                   0: only on request)
 *        LEAKMON_SCAN_A_GRACE_S: NLA_U32, objects younger than this are
 *                                not judged (scan_grace)
 *        LEAKMON_SCAN_A_CLOSING_MAX_S: NLA_U32, how long a socket may be
 *                                      closing before it counts as
 *                                      unreachable (closing_max)
 *        LEAKMON_SCAN_A_KIND: NLA_NESTED, once per kind, in kind order
 *            LEAKMON_SCAN_KIND_A_ID: NLA_U32, enum leakmon_kind
 *            LEAKMON_SCAN_KIND_A_YOUNG, LEAKMON_SCAN_KIND_A_HELD,
 *            LEAKMON_SCAN_KIND_A_KERNEL, LEAKMON_SCAN_KIND_A_CLOSING,
 *            LEAKMON_SCAN_KIND_A_UNREACHABLE: NLA_U64, objects of the
 *                                      kind in each class; they sum to
 *                                      OBJECTS of the kind
 *        LEAKMON_SCAN_A_GROUPS_UNREPORTED: NLA_U64, unreachable objects
 *                                          counted but not described in
 *                                          LEAKMON_CMD_GET_UNREACHABLE
 *                                          (at most 1024 groups a pass)
 *
 * LEAKMON_CMD_GET_UNREACHABLE: dump. Request: no attributes.  What the
 *    unreachable objects of the last pass are: one message per group of
 *    objects of one owner and one kind that look alike, in owner order
 *    (type, tgid, start), the largest group of an owner first.  Empty
 *    before the first pass.  When a new pass replaces the report while
 *    dumping, every message from then on carries NLM_F_DUMP_INTR (retry).
 *    Only the kind's own attributes are present (sockets: family to
 *    state; file blobs: the file's).  Each message:
 *
 *    LEAKMON_A_UNREACH: NLA_NESTED
 *        LEAKMON_UNREACH_A_SEQ: NLA_U64, the pass (LEAKMON_SCAN_A_SEQ)
 *        LEAKMON_UNREACH_A_OWNER_TYPE: NLA_U32, enum leakmon_owner_type
 *        LEAKMON_UNREACH_A_TGID, LEAKMON_UNREACH_A_START_NS,
 *        LEAKMON_UNREACH_A_NETNS_INUM: the owner, as LEAKMON_OWNER_A_*
 *        LEAKMON_UNREACH_A_KIND: NLA_U32, enum leakmon_kind
 *        LEAKMON_UNREACH_A_COUNT: NLA_U64, objects in the group
 *        LEAKMON_UNREACH_A_FLAGS: NLA_U32, LEAKMON_UNREACH_F_* bits
 *        LEAKMON_UNREACH_A_FAMILY: NLA_U16, socket family (AF_*)
 *        LEAKMON_UNREACH_A_SOCK_TYPE: NLA_U16, SOCK_STREAM, ...
 *        LEAKMON_UNREACH_A_PROTOCOL: NLA_U16, IPPROTO_*, ...
 *        LEAKMON_UNREACH_A_STATE: NLA_U8, sk_state (TCP_* numbering, as
 *                                 in /proc/net/tcp; UDP and unix
 *                                 sockets use it too)
 *        LEAKMON_UNREACH_A_FILE_REFS: NLA_U32, the file's reference count
 *                                     (the socket's file for a socket);
 *                                     absent when there is no file
 *        LEAKMON_UNREACH_A_FS_MAGIC: NLA_U32, file blob: the magic of
 *                                    the file's filesystem (SOCKFS_MAGIC,
 *                                    ANON_INODE_FS_MAGIC, ...)
 *        LEAKMON_UNREACH_A_FILE_MODE: NLA_U32, file blob: the inode's
 *                                     type bits (S_IFMT)
 *        LEAKMON_UNREACH_A_NAME: NLA_NUL_STRING, file blob: the last
 *                                component of the file's name, at most 47
 *                                bytes ("TCP" for a TCP socket's file,
 *                                "[eventfd]" for an anonymous one)
 *        LEAKMON_UNREACH_A_UID: NLA_U32, the owner's uid, as
 *                               LEAKMON_OWNER_A_UID at the pass; absent
 *                               from a module older than the attribute
 *
 * Reachability
 * ------------
 * A pass walks every process's descriptor table and memory mappings and
 * marks the objects it reaches, then sorts every live object into one
 * class:
 *    young: allocated less than scan_grace seconds before the pass, or
 *           during it (between its allocation and its descriptor);
 *    held: reachable from a live process (a descriptor or a mapping of
 *          it, a descriptor in flight to one of its unix sockets, a file
 *          registered with one of its io_uring instances), or a
 *          connection waiting in a listener's accept queue; an
 *          object held by a process that is not its owner, whose owner
 *          has exited (or is the softirq owner), or which the pass before
 *          also found only in other processes than its owner's, is
 *          handed over to the holder, counted in RECEIVED and HANDED_OVER
 *          as an accept is;
 *    kernel: a socket the kernel created for itself (no file; kernel
 *            socket of a network namespace), a kernel-internal file (a
 *            SysV shared memory segment), a file the kernel took from
 *            userspace (an active swap file or device, a loop device's
 *            backing file, binfmt_misc's interpreter of an entry with
 *            flag F); a kernel socket, with its
 *            inode, is handed over to the owner of its network namespace
 *            (LEAKMON_OWNER_TYPE_NETNS), whoever allocated it;
 *    closing: a socket being closed by the kernel (no socket inode any
 *             more, e.g. TCP FIN_WAIT1 or LAST_ACK), a file being
 *             released; for at most closing_max seconds;
 *    unreachable: none of these: nothing holds it.  These are leaked
 *                 objects, whether their owner runs or not.
 * Notifications
 * -------------
 * The family has two multicast groups, LEAKMON_MCGRP_EVENTS ("events"),
 * which anyone may join, and LEAKMON_MCGRP_EVENTS_ADMIN ("events-admin"),
 * which only CAP_NET_ADMIN may join (kernels from 6.6, and 6.1's stable
 * updates, where the kernel checks a group's capability; earlier kernels
 * have only "events").  Both get the same events; a listener joins one.
 * Its messages are notifications (sequence number 0, port id 0), one event
 * each, with one LEAKMON_A_EVENT nest whose content depends on the
 * command.  The probes only detect and queue an event; a work item builds
 * and sends it, and only when the group has listeners (events that
 * happen while nobody listens are not kept), so an event describes the
 * state when it happened, a moment before it arrives.  At most
 * event_rate events are sent per second and at most event_queue_max wait;
 * the rest are dropped and counted (LEAKMON_A_EVENTS of GET_TOTALS).  While
 * restrict_read is not 0 only "events-admin" gets them: every event names
 * an owner, and "events" cannot check its listeners' capability, group or
 * uid (reader_gid's members, and the owners themselves, do not hear
 * them).
 *
 * LEAKMON_CMD_EVENT_THRESHOLD: an owner's live objects, summed over the
 *    kinds, reached event_threshold.  Sent once; the owner is re-armed when
 *    its live count falls below half the threshold (so a leak gives one
 *    event, a count hovering around the threshold does not give many).
 *
 *    LEAKMON_A_EVENT: NLA_NESTED
 *        LEAKMON_EVENT_A_TIME_NS: NLA_U64, when it happened
 *        LEAKMON_EVENT_A_TGID, LEAKMON_EVENT_A_START_NS,
 *        LEAKMON_EVENT_A_COMM, LEAKMON_EVENT_A_UID,
 *        LEAKMON_EVENT_A_CGROUP_ID: the owner, as LEAKMON_OWNER_A_*
 *        LEAKMON_EVENT_A_THRESHOLD: NLA_U32, event_threshold then
 *        LEAKMON_EVENT_A_LIVE: NLA_U64, the owner's live objects (sum)
 *        LEAKMON_EVENT_A_KIND: NLA_NESTED, once per kind, in kind order
 *            LEAKMON_OWNER_KIND_A_ID: NLA_U32, enum leakmon_kind
 *            LEAKMON_OWNER_KIND_A_LIVE: NLA_U64, live objects of the kind
 *
 * LEAKMON_CMD_EVENT_ORPHANS: an owner's process exited with live objects,
 *    which are now orphans.  One event per owner, however many objects,
 *    sent once the exiting process has closed its files (it closes them
 *    after the exit is seen; those are not orphans) and the owner's live
 *    count has then held still for one second, with the counts of that
 *    moment.
 *
 *    LEAKMON_A_EVENT: NLA_NESTED
 *        LEAKMON_EVENT_A_TIME_NS: NLA_U64, when the process exited
 *        LEAKMON_EVENT_A_TGID ... LEAKMON_EVENT_A_CGROUP_ID: the owner
 *        LEAKMON_EVENT_A_ORPHANS: NLA_U64, its orphans (sum over kinds)
 *        LEAKMON_EVENT_A_KIND: NLA_NESTED, once per kind, in kind order
 *            LEAKMON_OWNER_KIND_A_ID: NLA_U32, enum leakmon_kind
 *            LEAKMON_OWNER_KIND_A_LIVE: NLA_U64, orphans of the kind
 *
 * LEAKMON_CMD_EVENT_UNREACHABLE: a reachability pass found more of an
 *    owner's objects unreachable (leaked) than the pass before it (an
 *    owner the pass before did not report had none).  One event per owner
 *    and pass at most, so a leak that goes on gives one event per
 *    scan_interval; an owner whose count stays or falls gives none.
 *
 *    LEAKMON_A_EVENT: NLA_NESTED
 *        LEAKMON_EVENT_A_TIME_NS: NLA_U64, when the pass ended
 *        LEAKMON_EVENT_A_TGID ... LEAKMON_EVENT_A_CGROUP_ID: the owner
 *        LEAKMON_EVENT_A_UNREACHABLE: NLA_U64, its unreachable objects
 *                                     (sum over kinds)
 *        LEAKMON_EVENT_A_NEW: NLA_U64, how many more than at the pass
 *                             before
 *        LEAKMON_EVENT_A_KIND: NLA_NESTED, once per kind, in kind order
 *            LEAKMON_OWNER_KIND_A_ID: NLA_U32, enum leakmon_kind
 *            LEAKMON_OWNER_KIND_A_LIVE: NLA_U64, unreachable objects of
 *                                       the kind
 *
 * LEAKMON_CMD_EVENT_SATURATED: tracking is incomplete: an allocation could
 *    not be tracked (the first drop of an episode).  One event per episode;
 *    the episode ends with the first allocation tracked at least one second
 *    after the last drop.
 *
 *    LEAKMON_A_EVENT: NLA_NESTED
 *        LEAKMON_EVENT_A_TIME_NS: NLA_U64, when the first drop happened
 *        LEAKMON_EVENT_A_REASON: NLA_U32, enum leakmon_saturation
 *        LEAKMON_EVENT_A_KIND_ID: NLA_U32, enum leakmon_kind of the
 *                                 dropped allocation
 *        LEAKMON_EVENT_A_TGID, LEAKMON_EVENT_A_COMM: the process whose
 *                                allocation was dropped
 *        LEAKMON_EVENT_A_OBJECTS: NLA_U64, entries in the object table
 *        LEAKMON_EVENT_A_MAX_OBJECTS: NLA_U32, its limit
 *        LEAKMON_EVENT_A_OWNERS: NLA_U32, owners listed
 *        LEAKMON_EVENT_A_MAX_OWNERS: NLA_U32, their limit
 *
 *    Listeners must ignore commands and attributes they do not know.
 *
 * Who reads what
 * --------------
 * RESET, SET_CONFIG and SCAN need CAP_NET_ADMIN in the initial user
 * namespace.  Reading (GET_TOTALS, GET_CONFIG, the dumps) depends on
 * restrict_read (enum leakmon_restrict_read):
 *    0 (LEAKMON_RESTRICT_READ_NONE, the default): anyone reads everything;
 *    1 (LEAKMON_RESTRICT_READ_ADMIN): reading needs CAP_NET_ADMIN or
 *      membership of reader_gid (EPERM otherwise);
 *    2 (LEAKMON_RESTRICT_READ_OWN_UID): anyone reads the totals and the
 *      configuration, but the rows of GET_OWNERS and GET_UNREACHABLE only
 *      of owners whose uid is the caller's real uid (what /proc mounted
 *      with hidepid=invisible shows of other users' processes: nothing);
 *      GET_TOTALS says so with LEAKMON_A_VIEW_UID.  CAP_NET_ADMIN or
 *      membership of reader_gid reads everything.
 * As netlink_capable() does for the capability, the module asks it of
 * both the task that sends the request and the opener of the socket
 * (its file's credentials): the group must be one of both tasks'
 * (in_group_p()), and a caller sees its own uid's owners only if the
 * socket was opened with that real uid too (otherwise no owner).  A
 * dump is judged once, when it starts.
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
#define LEAKMON_EVENT_RATE_LIMIT	100000U		/* events per second */
#define LEAKMON_EVENT_QUEUE_LIMIT	65536U
/* LEAKMON_CONFIG_A_READER_GID: no reader group */
#define LEAKMON_READER_GID_NONE		0xffffffffU

/* LEAKMON_CONFIG_A_RESTRICT_READ: who reads what ("Who reads what") */
enum leakmon_restrict_read {
	LEAKMON_RESTRICT_READ_NONE,	/* anyone, everything */
	LEAKMON_RESTRICT_READ_ADMIN,	/* CAP_NET_ADMIN or reader_gid */
	LEAKMON_RESTRICT_READ_OWN_UID,	/* anyone, owners of its uid */

	__LEAKMON_RESTRICT_READ_MAX
};

#define LEAKMON_RESTRICT_READ_MAX (__LEAKMON_RESTRICT_READ_MAX - 1)

/* The multicast group of the notifications */
#define LEAKMON_MCGRP_EVENTS		"events"
#define LEAKMON_MCGRP_EVENTS_ADMIN	"events-admin"

enum leakmon_cmd {
	LEAKMON_CMD_UNSPEC,
	LEAKMON_CMD_GET_TOTALS,
	LEAKMON_CMD_GET_OWNERS,
	LEAKMON_CMD_RESET,
	LEAKMON_CMD_GET_CONFIG,
	LEAKMON_CMD_SET_CONFIG,
	LEAKMON_CMD_EVENT_THRESHOLD,	/* notification only */
	LEAKMON_CMD_EVENT_ORPHANS,	/* notification only */
	LEAKMON_CMD_EVENT_SATURATED,	/* notification only */
	LEAKMON_CMD_SCAN,
	LEAKMON_CMD_GET_UNREACHABLE,
	LEAKMON_CMD_EVENT_UNREACHABLE,	/* notification only */

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

/* What an owner is (LEAKMON_OWNER_A_TYPE) */
enum leakmon_owner_type {
	LEAKMON_OWNER_TYPE_TASK,	/* "task": a process (thread group) */
	LEAKMON_OWNER_TYPE_SOFTIRQ,	/* "softirq": allocations outside
					 * task context
					 */
	LEAKMON_OWNER_TYPE_NETNS,	/* "netns": a network namespace's
					 * kernel sockets
					 */

	__LEAKMON_OWNER_TYPE_MAX
};

#define LEAKMON_OWNER_TYPE_MAX (__LEAKMON_OWNER_TYPE_MAX - 1)

/* Why an allocation was not tracked (LEAKMON_EVENT_A_REASON) */
enum leakmon_saturation {
	LEAKMON_SATURATION_TABLE_FULL,	/* "object_table_full": max_objects */
	LEAKMON_SATURATION_OWNERS_FULL,	/* "owner_table_full": max_owners */
	LEAKMON_SATURATION_NOMEM,	/* "nomem": entry allocation failed */

	__LEAKMON_SATURATION_MAX
};

#define LEAKMON_SATURATION_MAX (__LEAKMON_SATURATION_MAX - 1)

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
	LEAKMON_A_EVENTS,
	LEAKMON_A_EVENT,
	LEAKMON_A_SCAN,
	LEAKMON_A_UNREACH,
	LEAKMON_A_VIEW_UID,

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
	LEAKMON_KIND_A_HANDOVER_PROBE,
	LEAKMON_KIND_A_HANDED_OVER,
	LEAKMON_KIND_A_MISSED_HANDOVER,
	LEAKMON_KIND_A_PROBE_MECHANISM,

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
	LEAKMON_OWNER_A_TYPE,
	LEAKMON_OWNER_A_NETNS_INUM,

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
	LEAKMON_OWNER_KIND_A_RECEIVED,
	LEAKMON_OWNER_KIND_A_HANDED_OVER,
	LEAKMON_OWNER_KIND_A_KERNEL,
	LEAKMON_OWNER_KIND_A_CLOSING,
	LEAKMON_OWNER_KIND_A_UNREACHABLE,

	__LEAKMON_OWNER_KIND_A_MAX
};

#define LEAKMON_OWNER_KIND_A_MAX (__LEAKMON_OWNER_KIND_A_MAX - 1)

enum leakmon_config_attr {
	LEAKMON_CONFIG_A_UNSPEC,
	LEAKMON_CONFIG_A_MAX_OBJECTS,
	LEAKMON_CONFIG_A_MAX_OWNERS,
	LEAKMON_CONFIG_A_RESTRICT_READ,
	LEAKMON_CONFIG_A_HASH_BUCKETS,
	LEAKMON_CONFIG_A_EVENT_THRESHOLD,
	LEAKMON_CONFIG_A_EVENT_RATE,
	LEAKMON_CONFIG_A_EVENT_QUEUE_MAX,
	LEAKMON_CONFIG_A_READER_GID,

	__LEAKMON_CONFIG_A_MAX
};

#define LEAKMON_CONFIG_A_MAX (__LEAKMON_CONFIG_A_MAX - 1)

enum leakmon_events_attr {
	LEAKMON_EVENTS_A_UNSPEC,
	LEAKMON_EVENTS_A_PAD,
	LEAKMON_EVENTS_A_SENT,
	LEAKMON_EVENTS_A_NO_LISTENERS,
	LEAKMON_EVENTS_A_RESTRICTED,
	LEAKMON_EVENTS_A_RATE_LIMITED,
	LEAKMON_EVENTS_A_QUEUE_FULL,
	LEAKMON_EVENTS_A_NOMEM,
	LEAKMON_EVENTS_A_SEND_FAILED,

	__LEAKMON_EVENTS_A_MAX
};

#define LEAKMON_EVENTS_A_MAX (__LEAKMON_EVENTS_A_MAX - 1)

enum leakmon_event_attr {
	LEAKMON_EVENT_A_UNSPEC,
	LEAKMON_EVENT_A_PAD,
	LEAKMON_EVENT_A_TIME_NS,
	LEAKMON_EVENT_A_TGID,
	LEAKMON_EVENT_A_START_NS,
	LEAKMON_EVENT_A_COMM,
	LEAKMON_EVENT_A_UID,
	LEAKMON_EVENT_A_CGROUP_ID,
	LEAKMON_EVENT_A_THRESHOLD,
	LEAKMON_EVENT_A_LIVE,
	LEAKMON_EVENT_A_ORPHANS,
	LEAKMON_EVENT_A_KIND,
	LEAKMON_EVENT_A_REASON,
	LEAKMON_EVENT_A_KIND_ID,
	LEAKMON_EVENT_A_OBJECTS,
	LEAKMON_EVENT_A_MAX_OBJECTS,
	LEAKMON_EVENT_A_OWNERS,
	LEAKMON_EVENT_A_MAX_OWNERS,
	LEAKMON_EVENT_A_UNREACHABLE,
	LEAKMON_EVENT_A_NEW,

	__LEAKMON_EVENT_A_MAX
};

#define LEAKMON_EVENT_A_MAX (__LEAKMON_EVENT_A_MAX - 1)

enum leakmon_scan_attr {
	LEAKMON_SCAN_A_UNSPEC,
	LEAKMON_SCAN_A_PAD,
	LEAKMON_SCAN_A_SEQ,
	LEAKMON_SCAN_A_TIME_NS,
	LEAKMON_SCAN_A_DURATION_NS,
	LEAKMON_SCAN_A_MAX_STEP_NS,
	LEAKMON_SCAN_A_TASKS,
	LEAKMON_SCAN_A_FDS,
	LEAKMON_SCAN_A_VMAS,
	LEAKMON_SCAN_A_OBJECTS,
	LEAKMON_SCAN_A_REATTRIBUTED,
	LEAKMON_SCAN_A_OWNERS_UNREPORTED,
	LEAKMON_SCAN_A_INTERVAL_S,
	LEAKMON_SCAN_A_GRACE_S,
	LEAKMON_SCAN_A_CLOSING_MAX_S,
	LEAKMON_SCAN_A_KIND,
	LEAKMON_SCAN_A_GROUPS_UNREPORTED,

	__LEAKMON_SCAN_A_MAX
};

#define LEAKMON_SCAN_A_MAX (__LEAKMON_SCAN_A_MAX - 1)

enum leakmon_scan_kind_attr {
	LEAKMON_SCAN_KIND_A_UNSPEC,
	LEAKMON_SCAN_KIND_A_PAD,
	LEAKMON_SCAN_KIND_A_ID,
	LEAKMON_SCAN_KIND_A_YOUNG,
	LEAKMON_SCAN_KIND_A_HELD,
	LEAKMON_SCAN_KIND_A_KERNEL,
	LEAKMON_SCAN_KIND_A_CLOSING,
	LEAKMON_SCAN_KIND_A_UNREACHABLE,

	__LEAKMON_SCAN_KIND_A_MAX
};

#define LEAKMON_SCAN_KIND_A_MAX (__LEAKMON_SCAN_KIND_A_MAX - 1)

enum leakmon_unreach_attr {
	LEAKMON_UNREACH_A_UNSPEC,
	LEAKMON_UNREACH_A_PAD,
	LEAKMON_UNREACH_A_SEQ,
	LEAKMON_UNREACH_A_OWNER_TYPE,
	LEAKMON_UNREACH_A_TGID,
	LEAKMON_UNREACH_A_START_NS,
	LEAKMON_UNREACH_A_NETNS_INUM,
	LEAKMON_UNREACH_A_KIND,
	LEAKMON_UNREACH_A_COUNT,
	LEAKMON_UNREACH_A_FLAGS,
	LEAKMON_UNREACH_A_FAMILY,
	LEAKMON_UNREACH_A_SOCK_TYPE,
	LEAKMON_UNREACH_A_PROTOCOL,
	LEAKMON_UNREACH_A_STATE,
	LEAKMON_UNREACH_A_FILE_REFS,
	LEAKMON_UNREACH_A_FS_MAGIC,
	LEAKMON_UNREACH_A_FILE_MODE,
	LEAKMON_UNREACH_A_NAME,
	LEAKMON_UNREACH_A_UID,

	__LEAKMON_UNREACH_A_MAX
};

#define LEAKMON_UNREACH_A_MAX (__LEAKMON_UNREACH_A_MAX - 1)

/* What a group of unreachable objects is (LEAKMON_UNREACH_A_FLAGS) */
enum leakmon_unreach_flag {
	/* "bound": a socket with a local address (port, unix path) */
	LEAKMON_UNREACH_F_BOUND = 1 << 0,
	/* "connected": a socket with a peer */
	LEAKMON_UNREACH_F_CONNECTED = 1 << 1,
	/* "no_socket": an sk that lost its socket inode */
	LEAKMON_UNREACH_F_NO_SOCKET = 1 << 2,
	/* "no_sk": a socket inode without an sk */
	LEAKMON_UNREACH_F_NO_SK = 1 << 3,
	/* "dead": an sk marked dead (closed by its owner) */
	LEAKMON_UNREACH_F_DEAD = 1 << 4,
	/* "no_file": a socket without a file */
	LEAKMON_UNREACH_F_NO_FILE = 1 << 5,
	/* "unreadable": the object could not be read (a stale entry) */
	LEAKMON_UNREACH_F_UNREADABLE = 1 << 6,
};

#endif /* _UAPI_LINUX_LEAKMON_H */
