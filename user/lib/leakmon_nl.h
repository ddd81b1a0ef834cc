/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libleakmon: userspace client of the "leakmon" generic netlink family.
 *
 * The attribute tree is documented in <linux/leakmon.h>.  Every call
 * returns an enum lm_status; on failure the details (errno, the kernel's
 * extended ack message, a description of a malformed reply) are in the
 * handle's struct lm_error, see lm_last_error().
 *
 * Replies are parsed forward-compatibly: attribute types this library does
 * not know are ignored, a kind id above LEAKMON_KIND_MAX is ignored, but a
 * known attribute with a wrong length or type is a protocol error.
 */
#ifndef LEAKMON_NL_H
#define LEAKMON_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/leakmon.h>

struct nlmsghdr;

#define LM_NKINDS		(LEAKMON_KIND_MAX + 1)
#define LM_COMM_SIZE		17	/* up to 16 characters and a NUL */
#define LM_NAME_SIZE		32
#define LM_PROBE_SIZE		64
#define LM_REASON_SIZE		128
#define LM_VERSION_SIZE		64
#define LM_EXTACK_SIZE		256
#define LM_DETAIL_SIZE		256
#define LM_MAX_OPS		32
#define LM_MAX_MCGRPS		8
#define LM_MCGRP_NAME_SIZE	16	/* GENL_NAMSIZ */

/* Receive buffer: big enough for any netlink dump skb (32 KiB) */
#define LM_RECV_BUFSIZE		(64 * 1024)
/* Attempts at a consistent owner dump before returning a torn one */
#define LM_DUMP_ATTEMPTS	4
/* A reply that takes longer than this is reported as ETIMEDOUT */
#define LM_RECV_TIMEOUT_S	10

enum lm_status {
	LM_OK		=  0,
	LM_ERR_LOCAL	= -1,	/* local failure (socket, memory, timeout) */
	LM_ERR_KERNEL	= -2,	/* the kernel answered with an error */
	LM_ERR_NOFAMILY	= -3,	/* family "leakmon" not registered */
	LM_ERR_PROTO	= -4,	/* malformed or unexpected reply */
};

struct lm_error {
	int status;			/* enum lm_status of the failure */
	int err;			/* positive errno, 0 if none */
	char extack[LM_EXTACK_SIZE];	/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;			/* NLMSGERR_ATTR_OFFS, if has_offs */
	char detail[LM_DETAIL_SIZE];	/* local or protocol error text */
};

struct lm_family_op {
	uint32_t cmd;
	uint32_t flags;			/* GENL_ADMIN_PERM, GENL_CMD_CAP_* */
};

struct lm_family_mcgrp {
	uint32_t id;
	char name[LM_MCGRP_NAME_SIZE];
};

struct lm_family {
	uint16_t id;
	uint32_t version;
	uint32_t hdrsize;
	uint32_t maxattr;
	unsigned int nops;
	struct lm_family_op ops[LM_MAX_OPS];
	unsigned int nmcgrps;
	struct lm_family_mcgrp mcgrps[LM_MAX_MCGRPS];
};

/*
 * The configuration (LEAKMON_A_CONFIG), one entry a field:
 *
 *	F(name, ATTR, type, min, max, help, note)
 *
 * name		the member of struct lm_config, the JSON key (config and
 *		status --json), the label in `leakmon config` and, with '-'
 *		for '_', its option
 * ATTR		the attribute is LEAKMON_CONFIG_A_<ATTR>; LM_CFG_<ATTR>, its
 *		bit in lm_config.present, is 1 << (attribute - 1)
 * type		U32: a uint32_t.  U8: a uint8_t (a u8 attribute; JSON a
 *		number).  GID: a uint32_t group id (a u32 attribute; JSON
 *		a number; the option takes a group name, a number or
 *		"none", the output names the group).  RO: a uint32_t that
 *		LEAKMON_CMD_SET_CONFIG does not take (no option)
 * min, max	what LEAKMON_CMD_SET_CONFIG takes (RO: 0, 0)
 * help, note	the option in `leakmon config --help`: help, then
 *		"(min..max)", or "(min..max, note)" if note is not ""; GID:
 *		"(note)"
 *
 * In the order of the attributes, which output follows.  A new field is
 * an entry here (the table lm_config_fields, the option, the output and
 * the parser follow from it) and its documentation.
 */
#define LM_CONFIG_FIELDS(F)						\
	F(max_objects, MAX_OBJECTS, U32, 1, LEAKMON_MAX_OBJECTS_LIMIT,	\
	  "object table limit", "")					\
	F(max_owners, MAX_OWNERS, U32, 1, LEAKMON_MAX_OWNERS_LIMIT,	\
	  "owner table limit", "")					\
	F(restrict_read, RESTRICT_READ, U8, 0,				\
	  LEAKMON_RESTRICT_READ_MAX,					\
	  "who reads what",						\
	  "0 all, 1 admin or reader group, 2 own rows")	\
	F(hash_buckets, HASH_BUCKETS, RO, 0, 0, "", "")			\
	F(event_threshold, EVENT_THRESHOLD, U32, 0,			\
	  LEAKMON_MAX_OBJECTS_LIMIT,					\
	  "alert when an owner holds N live objects",			\
	  "0: off; see leakmon events")					\
	F(event_rate, EVENT_RATE, U32, 1, LEAKMON_EVENT_RATE_LIMIT,	\
	  "most alerts sent per second", "")				\
	F(event_queue_max, EVENT_QUEUE_MAX, U32, 1,			\
	  LEAKMON_EVENT_QUEUE_LIMIT, "most alerts waiting to be sent", "") \
	F(reader_gid, READER_GID, GID, 0, LEAKMON_READER_GID_NONE,	\
	  "group that reads everything",				\
	  "a name or a number; none: no group")

#define LM_CFG_CTYPE_U32	uint32_t
#define LM_CFG_CTYPE_U8		uint8_t
#define LM_CFG_CTYPE_GID	uint32_t
#define LM_CFG_CTYPE_RO		uint32_t

/* LM_CFG_MAX_OBJECTS, ...: bits of lm_config.present */
enum lm_config_field {
#define LM_CFG_BIT(name, ATTR, ...)					\
	LM_CFG_##ATTR = 1U << (LEAKMON_CONFIG_A_##ATTR - 1),
	LM_CONFIG_FIELDS(LM_CFG_BIT)
#undef LM_CFG_BIT
};

/* LM_CFG_NFIELDS: how many; LM_CFG_IDX_*: a field's lm_config_fields[] */
enum {
#define LM_CFG_IDX(name, ATTR, ...) LM_CFG_IDX_##ATTR,
	LM_CONFIG_FIELDS(LM_CFG_IDX)
#undef LM_CFG_IDX
	LM_CFG_NFIELDS
};

/*
 * The configuration as the kernel reports it, or as it is to be set: a
 * member a field of LM_CONFIG_FIELDS, of its name (max_objects, ...).
 */
struct lm_config {
	uint32_t present;		/* LM_CFG_* of the fields that are set */
#define LM_CFG_MEMBER(name, ATTR, type, ...) LM_CFG_CTYPE_##type name;
	LM_CONFIG_FIELDS(LM_CFG_MEMBER)
#undef LM_CFG_MEMBER
};

enum lm_config_type {
	LM_CFG_TYPE_U32,
	LM_CFG_TYPE_U8,
	LM_CFG_TYPE_GID,
};

/* A field of struct lm_config, as LM_CONFIG_FIELDS gives it */
struct lm_config_field_desc {
	const char *name;
	uint16_t attr;			/* LEAKMON_CONFIG_A_* */
	uint32_t bit;			/* LM_CFG_* */
	enum lm_config_type type;
	bool settable;			/* LEAKMON_CMD_SET_CONFIG takes it */
	uint32_t min, max;
	const char *help, *note;
	size_t offset;			/* of the member in struct lm_config */
};

/* The fields, in the order of LM_CONFIG_FIELDS */
extern const struct lm_config_field_desc lm_config_fields[LM_CFG_NFIELDS];

/* The field of attribute LEAKMON_CONFIG_A_*, NULL if none */
const struct lm_config_field_desc *lm_config_field_by_attr(uint16_t attr);
/* A field's value in c, whether present or not */
uint32_t lm_config_value(const struct lm_config *c,
			 const struct lm_config_field_desc *f);
/* Store v as a field's value in c (a U8's: its low byte), mark it present */
void lm_config_store(struct lm_config *c,
		     const struct lm_config_field_desc *f, uint32_t v);

/* LEAKMON_A_EVENTS: what became of the notifications, since reset */
struct lm_event_stats {
	uint64_t sent;
	uint64_t no_listeners;
	uint64_t restricted;
	uint64_t rate_limited;
	uint64_t queue_full;
	uint64_t nomem;
	uint64_t send_failed;
};

struct lm_kind_totals {
	bool present;			/* the kernel reported this kind */
	bool enabled;
	char name[LM_NAME_SIZE];
	char alloc_probe[LM_PROBE_SIZE];
	char free_probe[LM_PROBE_SIZE];
	char disabled_reason[LM_REASON_SIZE];
	uint64_t live;
	uint64_t orphans;		/* live objects of exited owners */
	uint64_t observed;
	uint64_t tracked;
	uint64_t freed;
	uint64_t untracked_table_full;
	uint64_t untracked_owners_full;
	uint64_t untracked_nomem;
	uint64_t unknown_frees;
	uint64_t replaced;
	uint64_t missed_alloc;
	uint64_t missed_free;
	uint32_t obj_size;		/* bytes per object, 0 = not measured */
	char handover_probe[LM_PROBE_SIZE];	/* "" if none */
	uint64_t handed_over;
	uint64_t missed_handover;
	char mechanism[LM_NAME_SIZE];	/* "kprobe", "fprobe"; "" unknown */
};

/* One kind in a reachability pass: its objects in each class */
struct lm_scan_kind {
	bool present;
	uint64_t young;			/* not judged yet */
	uint64_t held;
	uint64_t kernel;
	uint64_t closing;
	uint64_t unreachable;		/* leaked */
};

/* LEAKMON_A_SCAN: a reachability pass (see <linux/leakmon.h>) */
struct lm_scan {
	bool present;			/* a pass has run */
	uint64_t seq;
	uint64_t time_ns;		/* CLOCK_BOOTTIME of its end */
	uint64_t duration_ns;
	uint64_t max_step_ns;
	uint64_t tasks;
	uint64_t fds;
	uint64_t vmas;
	uint64_t objects;
	uint64_t reattributed;
	uint64_t owners_unreported;
	uint64_t groups_unreported;	/* unreachable, not in a group */
	uint32_t interval_s;
	uint32_t grace_s;
	uint32_t closing_max_s;
	struct lm_scan_kind kind[LM_NKINDS];
};

struct lm_totals {
	char version[LM_VERSION_SIZE];
	uint64_t now_ns;		/* CLOCK_BOOTTIME */
	uint64_t reset_ns;		/* CLOCK_BOOTTIME */
	uint64_t objects;
	uint32_t owners;
	uint32_t owners_exited;
	bool has_config;
	struct lm_config config;
	bool has_events;		/* LEAKMON_A_EVENTS was sent */
	struct lm_event_stats events;
	struct lm_kind_totals kind[LM_NKINDS];	/* indexed by enum leakmon_kind */
	struct lm_scan scan;		/* the last pass, if present */
	bool own_view;			/* LEAKMON_A_VIEW_UID was sent: */
	uint32_t view_uid;		/* rows are of this uid's owners only */
};

struct lm_owner_kind {
	bool present;
	uint64_t live;
	uint64_t allocated;
	uint64_t freed;
	uint64_t first_alloc_ns;	/* 0 if never */
	uint64_t last_alloc_ns;		/* 0 if never */
	uint64_t received;		/* handed over to the owner */
	uint64_t handed_over;		/* handed over to another */
	bool scanned;			/* the three below were sent */
	uint64_t kernel;		/* at the last pass */
	uint64_t closing;
	uint64_t unreachable;
};

struct lm_owner {
	uint32_t type;			/* enum leakmon_owner_type */
	uint32_t netns_inum;		/* netns: its inode number, else 0 */
	uint32_t tgid;
	uint32_t uid;
	uint64_t start_ns;		/* CLOCK_BOOTTIME */
	uint64_t cgroup_id;
	bool exited;
	uint64_t exit_ns;		/* CLOCK_BOOTTIME, 0 if alive */
	/* a netns owner's is "net:INUM", made by this library */
	char comm[LM_COMM_SIZE];
	struct lm_owner_kind kind[LM_NKINDS];	/* indexed by enum leakmon_kind */
};

struct lm_owners {
	struct lm_owner *owner;		/* array of n, malloc'ed */
	size_t n;
	size_t cap;
	bool interrupted;		/* still torn after LM_DUMP_ATTEMPTS */
	unsigned int attempts;		/* dumps taken for this result */
};

/*
 * LEAKMON_A_UNREACH: a group of unreachable objects of one owner and kind
 * that look alike, at the last reachability pass (see <linux/leakmon.h>)
 */
#define LM_UNREACH_NAME_SIZE	48

struct lm_unreach {
	uint64_t seq;			/* the pass */
	uint32_t owner_type;		/* enum leakmon_owner_type */
	uint32_t tgid;
	uint64_t start_ns;
	uint32_t netns_inum;
	uint32_t kind;			/* enum leakmon_kind */
	uint64_t count;
	uint32_t flags;			/* LEAKMON_UNREACH_F_* */
	bool has_sock;			/* family ... state were sent */
	uint16_t family;
	uint16_t sock_type;
	uint16_t protocol;
	uint8_t state;
	bool has_refs;
	uint32_t file_refs;
	bool has_file;			/* fs_magic, file_mode, name */
	uint32_t fs_magic;
	uint32_t file_mode;
	char name[LM_UNREACH_NAME_SIZE];
	bool has_uid;			/* a module older than it has none */
	uint32_t uid;			/* the owner's, at the pass */
};

struct lm_unreachs {
	struct lm_unreach *u;		/* array of n, malloc'ed */
	size_t n;
	size_t cap;
	bool interrupted;		/* still torn after LM_DUMP_ATTEMPTS */
};

/*
 * One notification of the "events" group.  Which fields are meaningful
 * depends on cmd (see <linux/leakmon.h>); present has the LM_EVF_* bits
 * of the attributes that were sent.
 */
enum lm_event_field {
	LM_EVF_TIME		= 1U << 0,
	LM_EVF_TGID		= 1U << 1,
	LM_EVF_START		= 1U << 2,
	LM_EVF_COMM		= 1U << 3,
	LM_EVF_UID		= 1U << 4,
	LM_EVF_CGROUP		= 1U << 5,
	LM_EVF_THRESHOLD	= 1U << 6,
	LM_EVF_LIVE		= 1U << 7,
	LM_EVF_ORPHANS		= 1U << 8,
	LM_EVF_REASON		= 1U << 9,
	LM_EVF_KIND_ID		= 1U << 10,
	LM_EVF_OBJECTS		= 1U << 11,
	LM_EVF_MAX_OBJECTS	= 1U << 12,
	LM_EVF_OWNERS		= 1U << 13,
	LM_EVF_MAX_OWNERS	= 1U << 14,
	LM_EVF_UNREACHABLE	= 1U << 15,
	LM_EVF_NEW		= 1U << 16,
};

struct lm_event_kind {
	bool present;
	uint64_t count;			/* live (threshold, exited), unreachable */
};

struct lm_event {
	uint8_t cmd;			/* LEAKMON_CMD_EVENT_* */
	uint32_t present;		/* LM_EVF_* */
	uint64_t time_ns;		/* CLOCK_BOOTTIME */
	uint32_t tgid;
	uint64_t start_ns;
	char comm[LM_COMM_SIZE];
	uint32_t uid;
	uint64_t cgroup_id;
	uint32_t threshold;
	uint64_t live;			/* threshold: sum over kinds */
	uint64_t orphans;		/* exited event: live, all kinds */
	uint64_t unreachable;		/* unreachable: sum over kinds */
	uint64_t added;			/* unreachable: more than the pass before */
	struct lm_event_kind kind[LM_NKINDS];	/* by enum leakmon_kind */
	uint32_t reason;		/* enum leakmon_saturation */
	uint32_t kind_id;		/* saturated: enum leakmon_kind */
	uint64_t objects;
	uint32_t max_objects;
	uint32_t owners;
	uint32_t max_owners;
};

struct lm_raw_result {
	int error;			/* positive errno from the kernel, 0 = ok */
	char extack[LM_EXTACK_SIZE];
	bool has_offs;
	uint32_t offs;
	unsigned int nmsgs;		/* family messages received */
	bool dump_intr;			/* some message had NLM_F_DUMP_INTR */
};

/*
 * Called for each reply message of the family; return LM_OK to go on, or
 * an LM_ERR_* value to fail the call (the rest of the reply is drained).
 */
typedef int (*lm_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct lm_handle;

/* Open a socket and resolve the family.  err (may be NULL) gets details. */
int lm_open(struct lm_handle **hp, struct lm_error *err);
void lm_close(struct lm_handle *h);

const struct lm_error *lm_last_error(const struct lm_handle *h);
const struct lm_family *lm_family(const struct lm_handle *h);
/* Flags of a command from the family's op list; false if not listed */
bool lm_family_op(const struct lm_family *f, uint32_t cmd, uint32_t *flags);

int lm_get_totals(struct lm_handle *h, struct lm_totals *t);
int lm_get_config(struct lm_handle *h, struct lm_config *c);
/*
 * Send the fields of set->present (LM_CFG_MAX_OBJECTS, LM_CFG_MAX_OWNERS,
 * LM_CFG_RESTRICT_READ; LM_CFG_HASH_BUCKETS is read only and refused with
 * LM_ERR_LOCAL/EINVAL).  The new configuration goes to now (may be NULL).
 */
int lm_set_config(struct lm_handle *h, const struct lm_config *set,
		  struct lm_config *now);
int lm_reset(struct lm_handle *h);
/* Run a reachability pass now (CAP_NET_ADMIN) and return its result. */
int lm_scan(struct lm_handle *h, struct lm_scan *s);

/*
 * Collect all owners.  o must be zeroed or come from an earlier call; its
 * array is reused.  A torn dump is retried; if the last of
 * LM_DUMP_ATTEMPTS is still torn it is returned with o->interrupted set.
 */
int lm_dump_owners(struct lm_handle *h, struct lm_owners *o);
/* The last pass's groups of unreachable objects (none before a pass) */
int lm_dump_unreachable(struct lm_handle *h, struct lm_unreachs *u);
void lm_unreachs_free(struct lm_unreachs *u);
void lm_owners_free(struct lm_owners *o);
/* start_ns == 0 matches any start time */
const struct lm_owner *lm_owners_find(const struct lm_owners *o,
				      uint32_t tgid, uint64_t start_ns);
uint64_t lm_owner_live(const struct lm_owner *o);
/*
 * "alive", "exited", or for an owner that is not a process its type's
 * name ("softirq", "netns"): the STATE of every output
 */
const char *lm_owner_state(const struct lm_owner *o);

/*
 * Send command cmd with attrs (len bytes, sent verbatim after the genl
 * header, may be malformed).  nlflags are nlmsg flags: NLM_F_REQUEST is
 * always added; with NLM_F_DUMP the call is a dump, otherwise NLM_F_ACK is
 * added.  cb (may be NULL) sees every reply message of the family.
 * Returns LM_OK, or LM_ERR_KERNEL when the kernel refused (res->error,
 * res->extack), or another LM_ERR_*.  res may be NULL.
 */
int lm_raw(struct lm_handle *h, uint8_t cmd, uint16_t nlflags,
	   const void *attrs, size_t len, lm_msg_cb cb, void *data,
	   struct lm_raw_result *res);

/*
 * Notifications.  lm_events_join() makes h a listener of the family's
 * LEAKMON_MCGRP_EVENTS_ADMIN group when the module has it and the kernel
 * lets the caller join (CAP_NET_ADMIN), of its LEAKMON_MCGRP_EVENTS group
 * otherwise (their ids come from the family's multicast groups; a module
 * without either gives LM_ERR_LOCAL/ENOENT).  lm_events_admin() says
 * which: only "events-admin" hears the events while restrict_read is not
 * 0.  Use a handle only for events once joined: requests on it would skip
 * events.
 *
 * It also joins nlctrl's "notify" group, to learn that the family is
 * unregistered, and gives LM_ERR_NOFAMILY if the module was unloaded
 * since lm_open().
 *
 * lm_event_next() waits up to timeout_ms (-1: no limit) for the next
 * event: LM_OK with *got set, or LM_OK with *got false when the time ran
 * out or a signal interrupted the wait (call again to go on).  Messages that are not events of a known command are skipped.  When
 * the socket's receive buffer overflowed, events were lost: the call
 * returns LM_ERR_LOCAL with err ENOBUFS once, and the next call goes on.
 * When the module is unloaded (nlctrl's CTRL_CMD_DELFAMILY for the
 * family), it returns LM_ERR_NOFAMILY: the kernel has dropped the
 * family's listeners, so the handle hears nothing more; open a new one
 * once the module is back.
 *
 * lm_event_wait_mask() makes lm_event_next() wait with ppoll() and mask as
 * the signal mask (NULL: poll(), the caller's mask): a program that blocks
 * its stop signals and lets them in only while waiting cannot lose one
 * that comes just before the wait.
 */
int lm_events_join(struct lm_handle *h);
bool lm_events_admin(const struct lm_handle *h);
void lm_event_wait_mask(struct lm_handle *h, const sigset_t *mask);
int lm_event_fd(const struct lm_handle *h);
int lm_event_next(struct lm_handle *h, struct lm_event *ev, int timeout_ms,
		  bool *got);
/*
 * Name of a LEAKMON_CMD_EVENT_* ("threshold", "exited" for
 * LEAKMON_CMD_EVENT_ORPHANS, "saturated")
 */
const char *lm_event_name(unsigned int cmd);
/* Name of an enum leakmon_saturation ("object_table_full", ...) */
const char *lm_saturation_name(unsigned int reason);

const char *lm_strstatus(int status);
/* Compiled-in name of a kind ("sock_inode", "file_blob", "sk_blob"), or NULL */
const char *lm_kind_name(unsigned int kind);

/*
 * Parsers of one reply message (nlmsghdr + genlmsghdr + attributes), used
 * by the calls above and exported for tests.  err may be NULL.
 */
int lm_parse_totals(const struct nlmsghdr *nlh, struct lm_totals *t,
		    struct lm_error *err);
int lm_parse_config(const struct nlmsghdr *nlh, struct lm_config *c,
		    struct lm_error *err);
/* *found is false for a message without LEAKMON_A_OWNER (ignored) */
int lm_parse_owner(const struct nlmsghdr *nlh, struct lm_owner *o,
		   bool *found, struct lm_error *err);
/* *found is false for a message without LEAKMON_A_UNREACH (ignored) */
int lm_parse_unreach(const struct nlmsghdr *nlh, struct lm_unreach *u,
		     bool *found, struct lm_error *err);
/*
 * *found is false for a message that is not an event this library knows
 * (another command, or no LEAKMON_A_EVENT): to be ignored
 */
int lm_parse_event(const struct nlmsghdr *nlh, struct lm_event *ev,
		   bool *found, struct lm_error *err);

#endif /* LEAKMON_NL_H */
