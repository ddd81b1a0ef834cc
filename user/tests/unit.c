// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of libleakmon's parsers and receive loop, fed netlink
 * messages built in memory, and of the CLI's helpers.  TAP output.
 *
 * With LEAKMON_CLI set to the CLI binary, its argument validation is
 * checked too (those cases fail before any netlink traffic).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "cli.h"
#include "describe.h"
#include "json.h"
#include "json_read.h"
#include "growth.h"
#include "lm_internal.h"
#include "monitor.h"
#include "status.h"
#include "top_model.h"
#include "axis.h"
#include "record.h"
#include "sparkline.h"

#define FAMILY_ID	0x1d
#define PORTID		4242
#define SEQ		1000

static int ntests, nfailed;

__attribute__((format(printf, 2, 3)))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%s %d - ", cond ? "ok" : "not ok", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- message builders ---- */

static union {
	char buf[16384];
	uint64_t align;
} mb;

static struct nlmsghdr *genl_msg(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAMILY_ID;
	nlh->nlmsg_pid = PORTID;
	nlh->nlmsg_seq = SEQ;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = LEAKMON_GENL_VERSION;
	return nlh;
}

static void put_config(struct nlmsghdr *nlh, bool unknown)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);

	mnl_attr_put_u32(nlh, LEAKMON_CONFIG_A_MAX_OBJECTS, 1000000);
	mnl_attr_put_u32(nlh, LEAKMON_CONFIG_A_MAX_OWNERS, 50000);
	mnl_attr_put_u8(nlh, LEAKMON_CONFIG_A_RESTRICT_READ, 1);
	if (unknown)
		mnl_attr_put_u64(nlh, LEAKMON_CONFIG_A_MAX + 1, 77);
	mnl_attr_put_u32(nlh, LEAKMON_CONFIG_A_HASH_BUCKETS, 65536);
	mnl_attr_nest_end(nlh, n);
}

struct kind_opts {
	uint32_t id;
	bool no_id;
	bool unknown;		/* add attributes of unknown types */
	bool short_live;	/* LEAKMON_KIND_A_LIVE as 4 bytes */
	bool pad;		/* a LEAKMON_KIND_A_PAD before the u64s */
};

static void put_kind(struct nlmsghdr *nlh, const struct kind_opts *ko)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_KIND);
	uint64_t base = (uint64_t)ko->id * 1000;

	if (ko->unknown)
		mnl_attr_put_strz(nlh, LEAKMON_KIND_A_MAX + 5, "future");
	if (!ko->no_id)
		mnl_attr_put_u32(nlh, LEAKMON_KIND_A_ID, ko->id);
	mnl_attr_put_strz(nlh, LEAKMON_KIND_A_NAME,
			  ko->id == 0 ? "sock_inode" : "file_blob");
	mnl_attr_put_u8(nlh, LEAKMON_KIND_A_ENABLED, ko->id == 0);
	mnl_attr_put_strz(nlh, LEAKMON_KIND_A_ALLOC_PROBE, "sock_alloc_inode(ret)");
	mnl_attr_put_strz(nlh, LEAKMON_KIND_A_FREE_PROBE, "sock_free_inode");
	if (ko->id != 0)
		mnl_attr_put_strz(nlh, LEAKMON_KIND_A_DISABLED_REASON,
				  "no LSM file blobs");
	if (ko->pad)
		mnl_attr_put(nlh, LEAKMON_KIND_A_PAD, 0, NULL);
	if (ko->short_live)
		mnl_attr_put_u32(nlh, LEAKMON_KIND_A_LIVE, 1);
	else
		mnl_attr_put_u64(nlh, LEAKMON_KIND_A_LIVE, base + 1);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_ORPHANS, base + 2);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_OBSERVED, base + 3);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_TRACKED, base + 4);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_FREED, base + 5);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_UNTRACKED_TABLE_FULL, base + 6);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL, base + 7);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_UNTRACKED_NOMEM, base + 8);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_UNKNOWN_FREES, base + 9);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_REPLACED, base + 10);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_MISSED_ALLOC, base + 11);
	mnl_attr_put_u64(nlh, LEAKMON_KIND_A_MISSED_FREE, base + 12);
	if (ko->unknown) {
		struct nlattr *u = mnl_attr_nest_start(nlh, LEAKMON_KIND_A_MAX + 1);

		mnl_attr_put_u32(nlh, 1, 5);
		mnl_attr_nest_end(nlh, u);
	}
	mnl_attr_nest_end(nlh, n);
}

static struct nlmsghdr *totals_msg(bool unknown)
{
	struct nlmsghdr *nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	struct kind_opts k0 = { .id = 0, .unknown = unknown };
	struct kind_opts k1 = { .id = 1, .unknown = unknown, .pad = true };

	if (unknown)
		mnl_attr_put_u32(nlh, LEAKMON_A_MAX + 1, 0xdead);
	mnl_attr_put_strz(nlh, LEAKMON_A_VERSION, "0.1.0");
	mnl_attr_put_u64(nlh, LEAKMON_A_NOW_NS, 5000000000ULL);
	mnl_attr_put_u64(nlh, LEAKMON_A_RESET_NS, 1000000000ULL);
	mnl_attr_put_u64(nlh, LEAKMON_A_OBJECTS, 123);
	mnl_attr_put_u32(nlh, LEAKMON_A_OWNERS, 7);
	mnl_attr_put_u32(nlh, LEAKMON_A_OWNERS_EXITED, 2);
	put_config(nlh, unknown);
	put_kind(nlh, &k0);
	put_kind(nlh, &k1);
	if (unknown)
		mnl_attr_put_strz(nlh, 200, "from the future");
	return nlh;
}

/* ---- parser tests ---- */

static bool totals_ok(const struct lm_totals *t)
{
	const struct lm_kind_totals *k0 = &t->kind[0], *k1 = &t->kind[1];

	return !strcmp(t->version, "0.1.0") && t->now_ns == 5000000000ULL &&
	       t->reset_ns == 1000000000ULL && t->objects == 123 &&
	       t->owners == 7 && t->owners_exited == 2 && t->has_config &&
	       t->config.max_objects == 1000000 &&
	       t->config.max_owners == 50000 && t->config.restrict_read == 1 &&
	       t->config.hash_buckets == 65536 &&
	       t->config.present == (LM_CFG_MAX_OBJECTS | LM_CFG_MAX_OWNERS |
				      LM_CFG_RESTRICT_READ | LM_CFG_HASH_BUCKETS) &&
	       k0->present && k0->enabled && !strcmp(k0->name, "sock_inode") &&
	       !strcmp(k0->alloc_probe, "sock_alloc_inode(ret)") &&
	       !strcmp(k0->free_probe, "sock_free_inode") &&
	       k0->live == 1 && k0->orphans == 2 && k0->observed == 3 &&
	       k0->tracked == 4 && k0->freed == 5 &&
	       k0->untracked_table_full == 6 && k0->untracked_owners_full == 7 &&
	       k0->untracked_nomem == 8 && k0->unknown_frees == 9 &&
	       k0->replaced == 10 && k0->missed_alloc == 11 &&
	       k0->missed_free == 12 &&
	       k1->present && !k1->enabled &&
	       !strcmp(k1->disabled_reason, "no LSM file blobs") &&
	       k1->live == 1001 && k1->missed_free == 1012;
}

static void test_totals(void)
{
	struct lm_totals t;
	struct lm_error err;
	int ret;

	ret = lm_parse_totals(totals_msg(false), &t, &err);
	ok(ret == LM_OK && totals_ok(&t), "totals: all fields parsed");

	ret = lm_parse_totals(totals_msg(true), &t, &err);
	ok(ret == LM_OK && totals_ok(&t),
	   "totals: unknown attributes at every level ignored (%s)",
	   err.detail);

	ret = lm_parse_totals(totals_msg(false), &t, NULL);
	ok(ret == LM_OK, "totals: NULL error pointer accepted");
}

static void test_totals_kind_above_max(void)
{
	struct nlmsghdr *nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	struct kind_opts k0 = { .id = 0 }, k7 = { .id = LEAKMON_KIND_MAX + 5 };
	struct lm_totals t;
	struct lm_error err;
	int ret;

	put_kind(nlh, &k7);
	put_kind(nlh, &k0);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_OK && t.kind[0].present && t.kind[0].live == 1 &&
	   !t.kind[1].present, "totals: kind id above LEAKMON_KIND_MAX ignored");
}

static void test_totals_bad(void)
{
	struct nlmsghdr *nlh;
	struct kind_opts k = { .id = 0 };
	struct lm_totals t;
	struct lm_error err;
	int ret;

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put_u32(nlh, LEAKMON_A_NOW_NS, 5);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO && err.status == LM_ERR_PROTO &&
	   strstr(err.detail, "LEAKMON_A_NOW_NS"),
	   "totals: u64 attribute sent as u32 rejected (%s)", err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put_u64(nlh, LEAKMON_A_OWNERS, 5);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: u32 attribute sent as u64 rejected");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	k.short_live = true;
	put_kind(nlh, &k);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO && strstr(err.detail, "LEAKMON_KIND_A_LIVE"),
	   "totals: wrong-length attribute inside a kind nest rejected (%s)",
	   err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	k.short_live = false;
	k.no_id = true;
	put_kind(nlh, &k);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: kind nest without id rejected (%s)",
	   err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	k.no_id = false;
	put_kind(nlh, &k);
	put_kind(nlh, &k);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: kind reported twice rejected (%s)",
	   err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put(nlh, LEAKMON_A_VERSION, 3, "abc");
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: string without NUL rejected (%s)",
	   err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put(nlh, LEAKMON_A_VERSION, 0, NULL);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: empty string attribute rejected");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put_u64(nlh, LEAKMON_A_OBJECTS, 1);
	/* an attribute header claiming more bytes than the message has */
	mnl_attr_put_u64(nlh, LEAKMON_A_NOW_NS, 2);
	((struct nlattr *)((char *)nlh + nlh->nlmsg_len - 12))->nla_len = 40;
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: truncated trailing attribute rejected (%s)",
	   err.detail);

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: message shorter than genl header rejected");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS);
	mnl_attr_put_u32(nlh, LEAKMON_A_CONFIG, 3);
	ret = lm_parse_totals(nlh, &t, &err);
	ok(ret == LM_ERR_PROTO, "totals: nest with a 4-byte payload rejected");
}

struct owner_opts {
	uint32_t tgid;
	uint64_t start_ns;
	const char *comm;
	uint32_t uid;
	uint64_t cgroup;
	bool exited;
	uint64_t live[LM_NKINDS];
	bool no_tgid;
	bool flag_payload;	/* EXITED flag with a payload: invalid */
	bool future_kind;	/* a kind nest with an id above the max */
	bool unknown;
};

static void put_owner_kind(struct nlmsghdr *nlh, uint32_t id, uint64_t live,
			   bool unknown)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_OWNER_A_KIND);

	mnl_attr_put_u32(nlh, LEAKMON_OWNER_KIND_A_ID, id);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_LIVE, live);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_ALLOCATED, live + 10);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_FREED, 10);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS, 111);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS, 222);
	if (unknown)
		mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_MAX + 3, 1);
	mnl_attr_nest_end(nlh, n);
}

static struct nlmsghdr *owner_msg(void *buf, const struct owner_opts *oo)
{
	struct nlmsghdr *nlh = genl_msg(buf, LEAKMON_CMD_GET_OWNERS);
	struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_OWNER);

	nlh->nlmsg_flags = NLM_F_MULTI;
	if (!oo->no_tgid)
		mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_TGID, oo->tgid);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_A_START_NS, oo->start_ns);
	mnl_attr_put_strz(nlh, LEAKMON_OWNER_A_COMM, oo->comm ? oo->comm : "apache2");
	mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_UID, oo->uid);
	mnl_attr_put_u64(nlh, LEAKMON_OWNER_A_CGROUP_ID, oo->cgroup);
	if (oo->unknown)
		mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_MAX + 1, 9);
	if (oo->exited || oo->flag_payload) {
		if (oo->flag_payload)
			mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_EXITED, 1);
		else
			mnl_attr_put(nlh, LEAKMON_OWNER_A_EXITED, 0, NULL);
		mnl_attr_put_u64(nlh, LEAKMON_OWNER_A_EXIT_NS, 999);
	}
	if (oo->future_kind)
		put_owner_kind(nlh, LEAKMON_KIND_MAX + 1, 50, false);
	for (uint32_t k = 0; k < LM_NKINDS; k++)
		put_owner_kind(nlh, k, oo->live[k], oo->unknown);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static void test_owner(void)
{
	struct owner_opts oo = {
		.tgid = 1234, .start_ns = 55, .uid = 33, .cgroup = 4321,
		.exited = true, .live = { 3, 4 }, .unknown = true,
		.future_kind = true,
	};
	struct lm_owner o;
	struct lm_error err;
	bool found;
	int ret;

	ret = lm_parse_owner(owner_msg(mb.buf, &oo), &o, &found, &err);
	ok(ret == LM_OK && found && o.tgid == 1234 && o.start_ns == 55 &&
	   o.uid == 33 && o.cgroup_id == 4321 && o.exited && o.exit_ns == 999 &&
	   !strcmp(o.comm, "apache2") && o.kind[0].present &&
	   o.kind[0].live == 3 && o.kind[0].allocated == 13 &&
	   o.kind[0].freed == 10 && o.kind[0].first_alloc_ns == 111 &&
	   o.kind[0].last_alloc_ns == 222 && o.kind[1].present &&
	   o.kind[1].live == 4 && lm_owner_live(&o) == 7,
	   "owner: repeated kind nests, flag, unknown attributes and future kind (%s)",
	   err.detail);

	oo.comm = "a-very-long-command-name";
	ret = lm_parse_owner(owner_msg(mb.buf, &oo), &o, &found, &err);
	ok(ret == LM_OK && strlen(o.comm) == LM_COMM_SIZE - 1 &&
	   !strncmp(o.comm, oo.comm, LM_COMM_SIZE - 1),
	   "owner: comm longer than 16 characters truncated");
	oo.comm = NULL;

	oo.exited = false;
	ret = lm_parse_owner(owner_msg(mb.buf, &oo), &o, &found, &err);
	ok(ret == LM_OK && !o.exited && o.exit_ns == 0, "owner: alive owner");

	oo.flag_payload = true;
	ret = lm_parse_owner(owner_msg(mb.buf, &oo), &o, &found, &err);
	ok(ret == LM_ERR_PROTO && strstr(err.detail, "LEAKMON_OWNER_A_EXITED"),
	   "owner: flag with a payload rejected (%s)", err.detail);
	oo.flag_payload = false;

	oo.no_tgid = true;
	ret = lm_parse_owner(owner_msg(mb.buf, &oo), &o, &found, &err);
	ok(ret == LM_ERR_PROTO, "owner: missing tgid rejected (%s)", err.detail);
	oo.no_tgid = false;

	{
		struct nlmsghdr *nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_OWNERS);

		mnl_attr_put_u32(nlh, 300, 1);
		ret = lm_parse_owner(nlh, &o, &found, &err);
		ok(ret == LM_OK && !found,
		   "owner: message without LEAKMON_A_OWNER ignored");
	}
	{
		struct nlmsghdr *nlh = owner_msg(mb.buf, &oo);
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_OWNER);

		mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_TGID, 1);
		mnl_attr_put_u64(nlh, LEAKMON_OWNER_A_START_NS, 1);
		mnl_attr_nest_end(nlh, n);
		ret = lm_parse_owner(nlh, &o, &found, &err);
		ok(ret == LM_ERR_PROTO, "owner: two owners in one message rejected");
	}
	{
		struct nlmsghdr *nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_OWNERS);
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_OWNER);
		struct nlattr *k = mnl_attr_nest_start(nlh, LEAKMON_OWNER_A_KIND);

		mnl_attr_put_u32(nlh, LEAKMON_OWNER_KIND_A_ID, 0);
		mnl_attr_put_u32(nlh, LEAKMON_OWNER_KIND_A_LIVE, 1);
		mnl_attr_nest_end(nlh, k);
		mnl_attr_put_u32(nlh, LEAKMON_OWNER_A_TGID, 1);
		mnl_attr_put_u64(nlh, LEAKMON_OWNER_A_START_NS, 1);
		mnl_attr_nest_end(nlh, n);
		ret = lm_parse_owner(nlh, &o, &found, &err);
		ok(ret == LM_ERR_PROTO &&
		   strstr(err.detail, "LEAKMON_OWNER_KIND_A_LIVE"),
		   "owner: wrong-length attribute in owner kind nest rejected (%s)",
		   err.detail);
	}
}

/* A group as the module sends it for the leakbind reproducer */
static struct nlmsghdr *unreach_msg(void *buf, uint32_t kind, bool file,
				    bool unknown)
{
	struct nlmsghdr *nlh = genl_msg(buf, LEAKMON_CMD_GET_UNREACHABLE);
	struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_UNREACH);

	mnl_attr_put_u64(nlh, LEAKMON_UNREACH_A_SEQ, 7);
	mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_OWNER_TYPE, 0);
	mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_TGID, 141);
	mnl_attr_put_u64(nlh, LEAKMON_UNREACH_A_START_NS, 55);
	mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_KIND, kind);
	mnl_attr_put_u64(nlh, LEAKMON_UNREACH_A_COUNT, 1000);
	mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_FLAGS, 0);
	mnl_attr_put_u16(nlh, LEAKMON_UNREACH_A_FAMILY, 2);
	mnl_attr_put_u16(nlh, LEAKMON_UNREACH_A_SOCK_TYPE, 1);
	mnl_attr_put_u16(nlh, LEAKMON_UNREACH_A_PROTOCOL, 6);
	mnl_attr_put_u8(nlh, LEAKMON_UNREACH_A_STATE, 7);
	mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_FILE_REFS, 1);
	if (file) {
		mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_FS_MAGIC, 0x534F434B);
		mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_FILE_MODE, S_IFSOCK);
		mnl_attr_put_strz(nlh, LEAKMON_UNREACH_A_NAME, "TCP");
	}
	if (unknown)
		mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_MAX + 5, 1);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static void test_unreach(void)
{
	struct lm_unreach u;
	struct lm_error err;
	char what[256];
	bool found;
	int ret;

	ret = lm_parse_unreach(unreach_msg(mb.buf, LEAKMON_KIND_SOCK_INODE,
					   false, true), &u, &found, &err);
	ok(ret == LM_OK && found && u.seq == 7 && u.tgid == 141 &&
	   u.start_ns == 55 && u.count == 1000 && u.has_sock &&
	   u.family == 2 && u.sock_type == 1 && u.protocol == 6 &&
	   u.state == 7 && u.has_refs && u.file_refs == 1 && !u.has_file,
	   "unreach: a socket group, an unknown attribute ignored (%s)",
	   err.detail);
	desc_unreach(what, sizeof(what), &u);
	ok(!strcmp(what, "AF_INET STREAM TCP, CLOSE, not bound, file refs 1"),
	   "unreach: the leakbind group in words: %s", what);

	ret = lm_parse_unreach(unreach_msg(mb.buf, LEAKMON_KIND_FILE_BLOB,
					   true, false), &u, &found, &err);
	desc_unreach(what, sizeof(what), &u);
	ok(ret == LM_OK && u.has_file && !strcmp(u.name, "TCP") &&
	   !strcmp(what, "file of AF_INET STREAM TCP, CLOSE, not bound, "
		   "file refs 1"),
	   "unreach: a socket's file blob: %s", what);

	memset(&u, 0, sizeof(u));
	u.kind = LEAKMON_KIND_FILE_BLOB;
	u.has_file = u.has_refs = true;
	u.fs_magic = 0xEF53;
	u.file_mode = S_IFREG;
	u.file_refs = 2;
	snprintf(u.name, sizeof(u.name), "access.log");
	desc_unreach(what, sizeof(what), &u);
	ok(!strcmp(what, "regular file \"access.log\" on ext4, file refs 2"),
	   "unreach: a regular file: %s", what);

	memset(&u, 0, sizeof(u));
	u.kind = LEAKMON_KIND_SK_BLOB;
	u.has_sock = true;
	u.family = 44;
	u.sock_type = 3;
	u.protocol = 9;
	u.state = 99;
	u.flags = LEAKMON_UNREACH_F_BOUND | LEAKMON_UNREACH_F_CONNECTED |
		  LEAKMON_UNREACH_F_NO_SOCKET | LEAKMON_UNREACH_F_DEAD;
	desc_unreach(what, sizeof(what), &u);
	ok(!strcmp(what, "AF_XDP RAW proto 9, state 99, bound, connected, "
		   "no socket inode, dead"),
	   "unreach: numbers where names are unknown, flags: %s", what);
	u.flags = LEAKMON_UNREACH_F_UNREADABLE;
	desc_unreach(what, sizeof(what), &u);
	ok(!strncmp(what, "unreadable", 10), "unreach: unreadable: %s", what);

	{
		struct nlmsghdr *nlh = genl_msg(mb.buf,
						LEAKMON_CMD_GET_UNREACHABLE);
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_UNREACH);

		mnl_attr_put_u64(nlh, LEAKMON_UNREACH_A_COUNT, 3);
		mnl_attr_nest_end(nlh, n);
		ret = lm_parse_unreach(nlh, &u, &found, &err);
		ok(ret == LM_ERR_PROTO && strstr(err.detail, "KIND"),
		   "unreach: a group without a kind rejected (%s)", err.detail);
	}
	{
		struct nlmsghdr *nlh = genl_msg(mb.buf,
						LEAKMON_CMD_GET_UNREACHABLE);
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_UNREACH);

		mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_KIND, 0);
		mnl_attr_put_u32(nlh, LEAKMON_UNREACH_A_FAMILY, 2);
		mnl_attr_nest_end(nlh, n);
		ret = lm_parse_unreach(nlh, &u, &found, &err);
		ok(ret == LM_ERR_PROTO &&
		   strstr(err.detail, "LEAKMON_UNREACH_A_FAMILY"),
		   "unreach: a wrong-length attribute rejected (%s)",
		   err.detail);
	}
}

static void test_config(void)
{
	struct nlmsghdr *nlh;
	struct lm_config c;
	struct lm_error err;
	int ret;

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	put_config(nlh, true);
	ret = lm_parse_config(nlh, &c, &err);
	ok(ret == LM_OK && c.max_objects == 1000000 && c.max_owners == 50000 &&
	   c.restrict_read == 1 && c.hash_buckets == 65536,
	   "config: parsed, unknown attribute ignored");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);

		mnl_attr_put_u32(nlh, LEAKMON_CONFIG_A_MAX_OWNERS, 9);
		mnl_attr_nest_end(nlh, n);
	}
	ret = lm_parse_config(nlh, &c, &err);
	ok(ret == LM_OK && c.present == LM_CFG_MAX_OWNERS && c.max_owners == 9,
	   "config: present mask lists only the attributes sent");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	ret = lm_parse_config(nlh, &c, &err);
	ok(ret == LM_ERR_PROTO, "config: reply without LEAKMON_A_CONFIG rejected");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);

		mnl_attr_put_u32(nlh, LEAKMON_CONFIG_A_RESTRICT_READ, 1);
		mnl_attr_nest_end(nlh, n);
	}
	ret = lm_parse_config(nlh, &c, &err);
	ok(ret == LM_ERR_PROTO, "config: u8 attribute sent as u32 rejected (%s)",
	   err.detail);
}

/* The table LM_CONFIG_FIELDS makes, and what libleakmon does with it */
static void test_config_fields(void)
{
	struct lm_config all = { 0 }, c;
	const struct lm_config_field_desc *f;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *a;
	struct lm_error err;
	unsigned int n = 0, nsettable = 0;
	bool ok_table = true;
	uint32_t every = 0;
	uint16_t last = 0;
	int ret;

	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		f = &lm_config_fields[i];
		if (f->bit != 1U << (f->attr - 1) || f->attr <= last ||
		    lm_config_field_by_attr(f->attr) != f ||
		    (f->settable && f->min > f->max) ||
		    (f->type == LM_CFG_TYPE_U8 && f->max > UINT8_MAX)) {
			diag("field %s", f->name);
			ok_table = false;
		}
		last = f->attr;
		every |= f->bit;
		nsettable += f->settable;
	}
	ok(ok_table && !lm_config_field_by_attr(LEAKMON_CONFIG_A_MAX + 1) &&
	   !strcmp(lm_config_fields[LM_CFG_IDX_RESTRICT_READ].name,
		   "restrict_read") &&
	   !lm_config_fields[LM_CFG_IDX_HASH_BUCKETS].settable &&
	   LM_CFG_MAX_OBJECTS == 1 && LM_CFG_HASH_BUCKETS == 8 &&
	   LM_CFG_EVENT_QUEUE_MAX == 64,
	   "config fields: in attribute order, bits and lookup agree");

	/* values go to the members of their names */
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++)
		lm_config_store(&all, &lm_config_fields[i],
				lm_config_fields[i].type == LM_CFG_TYPE_U8 ?
				2 : 1000 + i);
	ok(all.present == every && all.max_objects == 1000 &&
	   all.max_owners == 1001 && all.restrict_read == 2 &&
	   all.hash_buckets == 1003 && all.event_threshold == 1004 &&
	   all.event_rate == 1005 && all.event_queue_max == 1006 &&
	   all.reader_gid == 1007 &&
	   lm_config_value(&all, &lm_config_fields[LM_CFG_IDX_EVENT_RATE]) ==
	   1005,
	   "config fields: lm_config_store() and lm_config_value() by name");

	/* set-config: refused locally if it names a read-only field */
	memset(&err, 0, sizeof(err));
	ret = lm_config_check_set(&all, &err);
	ok(ret == LM_ERR_LOCAL && err.err == EINVAL &&
	   !strcmp(err.detail, "hash_buckets cannot be set"),
	   "config set: hash_buckets refused (%s)", err.detail);
	memset(&err, 0, sizeof(err));
	c = (struct lm_config){ .present = LM_CFG_MAX_OWNERS | 1U << 20 };
	ret = lm_config_check_set(&c, &err);
	ok(ret == LM_ERR_LOCAL && err.err == EINVAL,
	   "config set: unknown fields refused (%s)", err.detail);

	/* ... else its attributes, in order, a u8 for a bool */
	all.present &= ~LM_CFG_HASH_BUCKETS;
	memset(&err, 0, sizeof(err));
	ret = lm_config_check_set(&all, &err);
	nlh = genl_msg(mb.buf, LEAKMON_CMD_SET_CONFIG);
	nest = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);
	lm_config_put_attrs(nlh, &all);
	mnl_attr_nest_end(nlh, nest);
	last = 0;
	ok_table = ret == LM_OK;
	mnl_attr_for_each_nested(a, nest) {
		f = lm_config_field_by_attr(mnl_attr_get_type(a));
		if (!f || !f->settable || f->attr <= last ||
		    mnl_attr_get_payload_len(a) !=
		    (f->type == LM_CFG_TYPE_U8 ? 1U : 4U))
			ok_table = false;
		last = mnl_attr_get_type(a);
		n++;
	}
	ret = lm_parse_config(nlh, &c, &err);
	ok(ok_table && n == nsettable && ret == LM_OK &&
	   c.present == all.present &&
	   c.max_objects == 1000 && c.restrict_read == 2 &&
	   c.event_queue_max == 1006 && c.reader_gid == 1007,
	   "config set: the request's attributes, parsed back");

	nlh = genl_msg(mb.buf, LEAKMON_CMD_SET_CONFIG);
	nest = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);
	c = (struct lm_config){ .present = LM_CFG_EVENT_RATE, .event_rate = 5,
				.max_owners = 9 };
	lm_config_put_attrs(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
	a = mnl_attr_get_payload(nest);
	ok(mnl_attr_get_payload_len(nest) == MNL_ATTR_HDRLEN + 4 &&
	   mnl_attr_get_type(a) == LEAKMON_CONFIG_A_EVENT_RATE &&
	   mnl_attr_get_u32(a) == 5,
	   "config set: only the fields present are sent");
}

/* ---- receive loop tests ---- */

struct dgram {
	union {
		char buf[16384];
		uint64_t align;
	};
	size_t len;
};

static struct nlmsghdr *dg_next(struct dgram *d)
{
	return (struct nlmsghdr *)(d->buf + d->len);
}

static void dg_commit(struct dgram *d, struct nlmsghdr *nlh)
{
	d->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void dg_owner(struct dgram *d, uint32_t tgid, uint16_t extra_flags)
{
	struct owner_opts oo = { .tgid = tgid, .start_ns = tgid * 10ULL,
				 .live = { tgid, 0 } };
	struct nlmsghdr *nlh = owner_msg(dg_next(d), &oo);

	nlh->nlmsg_flags |= extra_flags;
	dg_commit(d, nlh);
}

static struct nlmsghdr *dg_ctl(struct dgram *d, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dg_next(d));

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_pid = PORTID;
	nlh->nlmsg_seq = SEQ;
	return nlh;
}

static void dg_done(struct dgram *d, int error, const char *extack)
{
	struct nlmsghdr *nlh = dg_ctl(d, NLMSG_DONE, NLM_F_MULTI);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = error;
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	}
	dg_commit(d, nlh);
}

/* NLMSG_ERROR; echo > 0: the request's payload (echo bytes) is included */
static void dg_error(struct dgram *d, int error, const char *extack,
		     size_t echo)
{
	struct nlmsghdr *nlh = dg_ctl(d, NLMSG_ERROR, echo ? 0 : NLM_F_CAPPED);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) + echo);
	e->msg.nlmsg_type = FAMILY_ID;
	e->msg.nlmsg_seq = SEQ;
	if (echo)
		memset(mnl_nlmsg_put_extra_header(nlh, echo), 0xee, echo);
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 24);
	}
	dg_commit(d, nlh);
}

struct collect {
	struct lm_owners o;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data,
		      struct lm_error *err)
{
	struct collect *c = data;
	struct lm_owner o;
	bool found;
	int ret = lm_parse_owner(nlh, &o, &found, err);

	if (ret == LM_OK && found && c->o.n < 16)
		c->o.owner[c->o.n++] = o;
	return ret;
}

static struct lm_owner collect_buf[16];

static void rx_init(struct lm_rx *rx, bool dump, struct collect *c,
		    struct lm_error *err)
{
	memset(rx, 0, sizeof(*rx));
	memset(c, 0, sizeof(*c));
	lm_error_clear(err);
	c->o.owner = collect_buf;
	rx->portid = PORTID;
	rx->seq = SEQ;
	rx->type = FAMILY_ID;
	rx->dump = dump;
	rx->cb = collect_cb;
	rx->data = c;
	rx->err = err;
}

static void test_rx_dump(void)
{
	static struct dgram d, d2;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	int ret;

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, 0);
	dg_owner(&d, 3, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.nmsgs == 3 &&
	   c.o.n == 3 && c.o.owner[2].tgid == 3 && !rx.intr,
	   "rx: three-message dump ending in NLMSG_DONE");

	/* the same dump split over two datagrams */
	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, 0);
	d2.len = 0;
	dg_owner(&d2, 3, 0);
	dg_done(&d2, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && !rx.done && rx.nmsgs == 2,
	   "rx: multi-part dump: not done after the first datagram");
	ret = lm_rx_feed(&rx, d2.buf, d2.len);
	ok(ret == LM_OK && rx.done && rx.nmsgs == 3 && c.o.n == 3,
	   "rx: multi-part dump: done after the second datagram");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, NLM_F_DUMP_INTR);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.intr && rx.status == LM_OK &&
	   rx.nmsgs == 2, "rx: NLM_F_DUMP_INTR noticed, dump drained to DONE");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_ctl(&d, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR);
	mnl_nlmsg_put_extra_header(dg_next(&d), sizeof(int));
	dg_commit(&d, dg_next(&d));
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.intr, "rx: NLM_F_DUMP_INTR on NLMSG_DONE noticed");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_done(&d, -EPERM, "reading is restricted");
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_KERNEL &&
	   err.status == LM_ERR_KERNEL && err.err == EPERM &&
	   !strcmp(err.extack, "reading is restricted"),
	   "rx: error and extack carried by NLMSG_DONE (%s)", err.extack);
}

static void test_rx_errors(void)
{
	static struct dgram d;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	int ret;

	d.len = 0;
	dg_error(&d, -EPERM, "needs CAP_NET_ADMIN", 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_KERNEL &&
	   err.err == EPERM && !strcmp(err.extack, "needs CAP_NET_ADMIN") &&
	   err.has_offs && err.offs == 24,
	   "rx: NLMSG_ERROR (capped) with extack message and offset");

	d.len = 0;
	dg_error(&d, -EINVAL, "bad attribute", 12);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_KERNEL && err.err == EINVAL &&
	   !strcmp(err.extack, "bad attribute"),
	   "rx: NLMSG_ERROR echoing the request: extack found after it");

	d.len = 0;
	dg_error(&d, -ERANGE, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_KERNEL && err.err == ERANGE &&
	   !err.extack[0], "rx: NLMSG_ERROR without extack");

	/* found by user/fuzz/fuzz_reply.c */
	d.len = 0;
	dg_error(&d, INT_MIN, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_PROTO,
	   "rx: NLMSG_ERROR with error INT_MIN is a protocol error");

	d.len = 0;
	dg_error(&d, -EPERM, NULL, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_len = 0x80000010u;
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_ERR_PROTO && !rx.done,
	   "rx: a message claiming 2 GiB is malformed, not walked");

	d.len = 0;
	{
		struct owner_opts oo = { .tgid = 9, .start_ns = 1 };
		struct nlmsghdr *nlh = owner_msg(dg_next(&d), &oo);

		nlh->nlmsg_flags = 0;
		dg_commit(&d, nlh);
	}
	dg_error(&d, 0, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.nmsgs == 1 &&
	   c.o.n == 1, "rx: do request: reply then ack");

	d.len = 0;
	dg_error(&d, 0, "warning text", 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_OK && !strcmp(err.extack, "warning text"),
	   "rx: ack with a warning keeps the text, succeeds");
}

static void test_rx_framing(void)
{
	static struct dgram d;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	struct nlmsghdr *nlh;
	int ret;

	/* a reply to an earlier request is skipped */
	d.len = 0;
	nlh = dg_ctl(&d, NLMSG_ERROR, NLM_F_CAPPED);
	nlh->nlmsg_seq = SEQ - 3;
	memset(mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)), 0,
	       sizeof(struct nlmsgerr));
	dg_commit(&d, nlh);
	dg_owner(&d, 1, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.stale == 1 &&
	   rx.nmsgs == 1, "rx: stale reply to an earlier sequence skipped");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_seq = SEQ + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO && strstr(err.detail, "sequence"),
	   "rx: reply with a later sequence number is a protocol error (%s)",
	   err.detail);

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_pid = PORTID + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: reply for another port is a protocol error");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_type = FAMILY_ID + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: unexpected message type is a protocol error");

	/* a bad message mid-dump: error kept, rest drained to DONE */
	d.len = 0;
	dg_owner(&d, 1, 0);
	{
		struct owner_opts oo = { .tgid = 2, .flag_payload = true };

		nlh = owner_msg(dg_next(&d), &oo);
		dg_commit(&d, nlh);
	}
	dg_owner(&d, 3, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_PROTO &&
	   rx.nmsgs == 3 && c.o.n == 1,
	   "rx: malformed message mid-dump fails the call after draining");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_len = (uint32_t)d.len + 100;
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_ERR_PROTO && rx.status == LM_ERR_PROTO,
	   "rx: nlmsg_len beyond the datagram is a protocol error");

	d.len = 0;
	dg_ctl(&d, NLMSG_ERROR, 0);
	dg_commit(&d, dg_next(&d));
	rx_init(&rx, false, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: truncated NLMSG_ERROR is a protocol error");

	d.len = 0;
	dg_done(&d, 0, NULL);
	rx_init(&rx, false, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: NLMSG_DONE in reply to a do request is a protocol error");
}

/* ---- JSON ---- */

struct jp {
	const char *s;
};

static void jp_ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static bool jp_string(struct jp *p)
{
	if (*p->s != '"')
		return false;
	p->s++;
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		int n;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			p->s++;
			if (*p->s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p->s[i]) ||
					    !p->s[i])
						return false;
				p->s += 5;
			} else if (*p->s && strchr("\"\\/bfnrt", *p->s)) {
				p->s++;
			} else {
				return false;
			}
			continue;
		}
		n = utf8_seq_len((const unsigned char *)p->s);
		if (!n)
			return false;
		p->s += n;
	}
	p->s++;
	return true;
}

static bool jp_digits(struct jp *p)
{
	const char *start = p->s;

	while (*p->s >= '0' && *p->s <= '9')
		p->s++;
	return p->s > start;
}

static bool jp_number(struct jp *p)
{
	if (*p->s == '-')
		p->s++;
	if (*p->s == '0')
		p->s++;
	else if (!jp_digits(p))
		return false;
	if (*p->s == '.') {
		p->s++;
		if (!jp_digits(p))
			return false;
	}
	if (*p->s == 'e' || *p->s == 'E') {
		p->s++;
		if (*p->s == '+' || *p->s == '-')
			p->s++;
		if (!jp_digits(p))
			return false;
	}
	return true;
}

static bool jp_value(struct jp *p, int depth);

static bool jp_container(struct jp *p, int depth, char close, bool obj)
{
	p->s++;
	jp_ws(p);
	if (*p->s == close) {
		p->s++;
		return true;
	}
	for (;;) {
		jp_ws(p);
		if (obj) {
			if (!jp_string(p))
				return false;
			jp_ws(p);
			if (*p->s++ != ':')
				return false;
		}
		if (!jp_value(p, depth + 1))
			return false;
		jp_ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		return *p->s++ == close;
	}
}

static bool jp_value(struct jp *p, int depth)
{
	if (depth > 64)
		return false;
	jp_ws(p);
	switch (*p->s) {
	case '{':
		return jp_container(p, depth, '}', true);
	case '[':
		return jp_container(p, depth, ']', false);
	case '"':
		return jp_string(p);
	case 't':
		return !strncmp(p->s, "true", 4) && (p->s += 4);
	case 'f':
		return !strncmp(p->s, "false", 5) && (p->s += 5);
	case 'n':
		return !strncmp(p->s, "null", 4) && (p->s += 4);
	default:
		return jp_number(p);
	}
}

static bool json_valid(const char *s)
{
	struct jp p = { .s = s };

	if (!jp_value(&p, 0))
		return false;
	jp_ws(&p);
	return *p.s == '\0';
}

static char *json_capture_style(enum json_style style,
				void (*fn)(struct json *j, void *arg),
				void *arg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct json j;

	json_init_style(&j, f, style);
	fn(&j, arg);
	fclose(f);
	return out;
}

static char *json_capture(void (*fn)(struct json *j, void *arg), void *arg)
{
	return json_capture_style(JSON_PRETTY, fn, arg);
}

static const char *const json_style_name[] = {
	[JSON_PRETTY] = "pretty", [JSON_SPACED] = "spaced",
	[JSON_COMPACT] = "compact",
};

static void escape_str(struct json *j, void *arg)
{
	json_str(j, NULL, arg);
}

/* The same escaping in every layout */
static bool escapes_to(const char *in, const char *want)
{
	bool same = true;

	for (int st = JSON_PRETTY; st <= JSON_COMPACT; st++) {
		char *got = json_capture_style(st, escape_str, (void *)in);

		if (strcmp(got, want)) {
			diag("escape (%s): got %s want %s",
			     json_style_name[st], got, want);
			same = false;
		}
		free(got);
	}
	return same;
}

static void doc_sample(struct json *j, void *arg)
{
	(void)arg;
	json_obj_open(j, NULL);
	json_str(j, "name", "a\"b");
	json_u64(j, "big", UINT64_MAX);
	json_i64(j, "neg", -5);
	json_double(j, "rate", 1.5, 3);
	json_double(j, "nan", NAN, 3);
	json_bool(j, "yes", true);
	json_null(j, "nothing");
	json_obj_open(j, "empty");
	json_obj_close(j);
	json_arr_open(j, "list");
	json_u64(j, NULL, 1);
	json_obj_open(j, NULL);
	json_str(j, "k", "\x01\xff");
	json_obj_close(j);
	json_arr_close(j);
	json_arr_open(j, "empty_list");
	json_arr_close(j);
	json_obj_close(j);
	json_finish(j);
}

static void test_json(void)
{
	char *doc;

	ok(escapes_to("plain", "\"plain\""), "json: plain string");
	ok(escapes_to("q\"b\\s/", "\"q\\\"b\\\\s/\""),
	   "json: quote and backslash escaped");
	ok(escapes_to("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\""),
	   "json: short control escapes");
	ok(escapes_to("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
	   "json: other control characters as \\u00XX");
	ok(escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
	   "json: valid UTF-8 kept");
	ok(escapes_to("\x80x", "\"\\ufffdx\""),
	   "json: lone continuation byte replaced");
	ok(escapes_to("\xc0\x80", "\"\\ufffd\\ufffd\""),
	   "json: overlong NUL replaced");
	ok(escapes_to("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),
	   "json: UTF-16 surrogate replaced");
	ok(escapes_to("\xe2\x82", "\"\\ufffd\\ufffd\""),
	   "json: truncated sequence at end replaced");
	ok(escapes_to("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
	   "json: code point above U+10FFFF replaced");

	doc = json_capture(doc_sample, NULL);
	ok(json_valid(doc), "json: nested document is valid JSON");
	ok(strstr(doc, "\"big\": 18446744073709551615") &&
	   strstr(doc, "\"rate\": 1.500") && strstr(doc, "\"nan\": null") &&
	   strstr(doc, "\"empty\": {}") && strstr(doc, "\"empty_list\": []"),
	   "json: numbers, null for NaN, empty containers");
	free(doc);

	ok(!json_valid("{\"a\": 1,}") && !json_valid("{\"a\" 1}") &&
	   !json_valid("\"\x01\"") && !json_valid("01") && json_valid("[1, -2.5e3]"),
	   "json: test validator rejects bad documents");
}

static void escape_member(struct json *j, void *arg)
{
	(void)arg;
	json_obj_open(j, NULL);
	json_str(j, "k\"\\\n\x01\x80", "v\t\x7f\xc0\xafw");
	json_opt_u64(j, "opt", true, 7);
	json_opt_u64(j, "none", false, 7);
	json_obj_close(j);
	json_finish(j);
}

/*
 * The three layouts, byte for byte: the --json documents (pretty), the
 * lines of `leakmon events --json` (spaced) and of a recording (compact)
 * are stable interfaces.
 */
static void test_json_layouts(void)
{
	static const char *const want[] = {
		[JSON_PRETTY] =
			"{\n"
			"  \"name\": \"a\\\"b\",\n"
			"  \"big\": 18446744073709551615,\n"
			"  \"neg\": -5,\n"
			"  \"rate\": 1.500,\n"
			"  \"nan\": null,\n"
			"  \"yes\": true,\n"
			"  \"nothing\": null,\n"
			"  \"empty\": {},\n"
			"  \"list\": [\n"
			"    1,\n"
			"    {\n"
			"      \"k\": \"\\u0001\\ufffd\"\n"
			"    }\n"
			"  ],\n"
			"  \"empty_list\": []\n"
			"}\n",
		[JSON_SPACED] =
			"{\"name\": \"a\\\"b\", \"big\": 18446744073709551615, "
			"\"neg\": -5, \"rate\": 1.500, \"nan\": null, "
			"\"yes\": true, \"nothing\": null, \"empty\": {}, "
			"\"list\": [1, {\"k\": \"\\u0001\\ufffd\"}], "
			"\"empty_list\": []}\n",
		[JSON_COMPACT] =
			"{\"name\":\"a\\\"b\",\"big\":18446744073709551615,"
			"\"neg\":-5,\"rate\":1.500,\"nan\":null,\"yes\":true,"
			"\"nothing\":null,\"empty\":{},"
			"\"list\":[1,{\"k\":\"\\u0001\\ufffd\"}],"
			"\"empty_list\":[]}\n",
	};
	static const char *const want_esc[] = {
		[JSON_PRETTY] =
			"{\n"
			"  \"k\\\"\\\\\\n\\u0001\\ufffd\": "
			"\"v\\t\\u007f\\ufffd\\ufffdw\",\n"
			"  \"opt\": 7,\n"
			"  \"none\": null\n"
			"}\n",
		[JSON_SPACED] =
			"{\"k\\\"\\\\\\n\\u0001\\ufffd\": "
			"\"v\\t\\u007f\\ufffd\\ufffdw\", \"opt\": 7, "
			"\"none\": null}\n",
		[JSON_COMPACT] =
			"{\"k\\\"\\\\\\n\\u0001\\ufffd\":"
			"\"v\\t\\u007f\\ufffd\\ufffdw\",\"opt\":7,"
			"\"none\":null}\n",
	};

	for (int st = JSON_PRETTY; st <= JSON_COMPACT; st++) {
		char *doc = json_capture_style(st, doc_sample, NULL);
		char *esc = json_capture_style(st, escape_member, NULL);

		ok(doc && !strcmp(doc, want[st]) && json_valid(doc),
		   "json %s: the nested document byte for byte",
		   json_style_name[st]);
		if (doc && strcmp(doc, want[st]))
			diag("got:\n%s", doc);
		ok(esc && !strcmp(esc, want_esc[st]) && json_valid(esc),
		   "json %s: keys and values escaped, json_opt_u64",
		   json_style_name[st]);
		if (esc && strcmp(esc, want_esc[st]))
			diag("got:\n%s", esc);
		if (st != JSON_PRETTY)
			ok(doc && esc &&
			   strchr(doc, '\n') == doc + strlen(doc) - 1 &&
			   strchr(esc, '\n') == esc + strlen(esc) - 1,
			   "json %s: one line, ending in a newline",
			   json_style_name[st]);
		free(doc);
		free(esc);
	}
}

/* ---- number parsing ---- */

static void test_numbers(void)
{
	uint64_t v = 0;

	ok(parse_u64("0", 10, &v) == 0 && v == 0 &&
	   parse_u64("42", 100, &v) == 0 && v == 42,
	   "parse_u64: plain decimals");
	ok(parse_u64("18446744073709551615", UINT64_MAX, &v) == 0 &&
	   v == UINT64_MAX, "parse_u64: UINT64_MAX");
	ok(parse_u64("18446744073709551616", UINT64_MAX, &v) == -ERANGE &&
	   parse_u64("99999999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "parse_u64: overflow is ERANGE");
	ok(parse_u64("101", 100, &v) == -ERANGE, "parse_u64: above max is ERANGE");
	ok(parse_u64("", 10, &v) == -EINVAL && parse_u64("-1", 10, &v) == -EINVAL &&
	   parse_u64("+1", 10, &v) == -EINVAL && parse_u64(" 1", 10, &v) == -EINVAL &&
	   parse_u64("1 ", 10, &v) == -EINVAL && parse_u64("1a", 10, &v) == -EINVAL &&
	   parse_u64("0x10", 100, &v) == -EINVAL && parse_u64("1.5", 10, &v) == -EINVAL,
	   "parse_u64: empty, signed, spaced, hex, fractional rejected");

	ok(parse_seconds_ns("1", UINT64_MAX, &v) == 0 && v == 1000000000ULL,
	   "parse_seconds_ns: whole seconds");
	ok(parse_seconds_ns("0.5", UINT64_MAX, &v) == 0 && v == 500000000ULL &&
	   parse_seconds_ns("2.25", UINT64_MAX, &v) == 0 && v == 2250000000ULL &&
	   parse_seconds_ns("0.000000001", UINT64_MAX, &v) == 0 && v == 1,
	   "parse_seconds_ns: fractions down to a nanosecond");
	ok(parse_seconds_ns("0.0000000001", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("1.", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns(".5", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("-1", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("1e3", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("", UINT64_MAX, &v) == -EINVAL,
	   "parse_seconds_ns: malformed rejected");
	ok(parse_seconds_ns("3601", 3600000000000ULL, &v) == -ERANGE &&
	   parse_seconds_ns("99999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "parse_seconds_ns: too large is ERANGE");
}

static void test_format(void)
{
	char b[64];

	fmt_count(b, sizeof(b), 12345, 8);
	ok(!strcmp(b, "12345"), "fmt_count: fits as is (%s)", b);
	fmt_count(b, sizeof(b), 123456789, 8);
	ok(!strcmp(b, "123.5M"),
	   "fmt_count: scaled to fit (%s)", b);
	fmt_count(b, sizeof(b), UINT64_MAX, 8);
	ok(strlen(b) <= 8, "fmt_count: UINT64_MAX fits (%s)", b);
	fmt_rate(b, sizeof(b), -2.5, 8);
	ok(!strcmp(b, "-2.5"), "fmt_rate: signed (%s)", b);
	fmt_rate(b, sizeof(b), 123456789.0, 8);
	ok(strlen(b) <= 8, "fmt_rate: scaled (%s)", b);

	fmt_name(b, sizeof(b), "ab\x1b[31mcd", 20);
	ok(!strcmp(b, "ab?[31mcd"), "fmt_name: control characters replaced");
	fmt_name(b, sizeof(b), "verylongusername", 8);
	ok(!strcmp(b, "verylon+"), "fmt_name: cut marked with + (%s)", b);
	fmt_name_tail(b, sizeof(b), "/system.slice/apache2.service", 16);
	ok(!strcmp(b, "...ache2.service") && strlen(b) == 16,
	   "fmt_name_tail: keeps the end (%s)", b);

	fmt_bytes(b, sizeof(b), 512);
	ok(!strcmp(b, "512 B"), "fmt_bytes: bytes (%s)", b);
	fmt_bytes(b, sizeof(b), 24ULL << 30);
	ok(!strcmp(b, "24.0 GiB"), "fmt_bytes: GiB (%s)", b);
	fmt_duration(b, sizeof(b), 3723ULL * 1000000000ULL);
	ok(!strcmp(b, "1h02m"), "fmt_duration: (%s)", b);
}

/* ---- top model ---- */

static struct lm_owner mk_owner(uint32_t tgid, uint64_t start, uint32_t uid,
				uint64_t cg, bool exited, uint64_t l0,
				uint64_t l1)
{
	struct lm_owner o;

	memset(&o, 0, sizeof(o));
	o.tgid = tgid;
	o.start_ns = start;
	o.uid = uid;
	o.cgroup_id = cg;
	o.exited = exited;
	o.kind[0].present = o.kind[1].present = true;
	o.kind[0].live = l0;
	o.kind[1].live = l1;
	o.kind[0].allocated = l0 + 1;
	o.kind[0].freed = 1;
	return o;
}

static void test_top(void)
{
	struct lm_owner prev_v[] = {
		mk_owner(100, 1, 0, 1, false, 10, 0),
		mk_owner(200, 5, 33, 2, false, 50, 0),	/* pid reused below */
		mk_owner(300, 1, 33, 2, false, 9, 0),	/* gone */
	};
	struct lm_owner cur_v[] = {
		mk_owner(100, 1, 0, 1, false, 20, 10),	/* +20 in 2 s */
		mk_owner(200, 7, 33, 2, false, 4, 0),	/* new: +4 */
		mk_owner(400, 1, 33, 3, true, 5, 0),	/* exited, new */
		mk_owner(500, 1, 1000, 3, false, 5, 0),	/* ties 400 on live */
	};
	struct lm_owners prev = { .owner = prev_v, .n = 3 };
	struct lm_owners cur = { .owner = cur_v, .n = 4 };
	struct top_rows r;

	ok(top_build(&cur, &prev, 2.0, TOP_BY_TASK, &r) == 0 && r.n == 4,
	   "top: one row per owner");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[0].key == 100 && r.row[0].live_total == 30 &&
	   r.row[1].key == 400 && r.row[2].key == 500 && r.row[3].key == 200,
	   "top: sort by live, ties broken by unreachable, exited, then tgid");
	ok(fabs(r.row[0].rate - 10.0) < 1e-9 && fabs(r.row[3].rate - 2.0) < 1e-9,
	   "top: rate from matched owner, missing owner counts as 0 (pid reuse is a new owner)");
	ok(r.row[1].exited == 5 && r.row[0].exited == 0,
	   "top: exited counts the live objects of exited owners");
	top_sort(&r, TOP_SORT_UNREACHABLE);
	ok(r.row[0].key == 400 && r.row[1].key == 100,
	   "top: sort by unreachable, before a pass by exited, then live");
	top_sort(&r, TOP_SORT_RATE);
	ok(r.row[0].key == 100 && r.row[1].key == 400 && r.row[2].key == 500 &&
	   r.row[3].key == 200, "top: sort by rate, ties broken by live, exited, id");
	top_rows_free(&r);

	/* a pass found 3 leaked objects of 500 (alive), none of 400 */
	cur_v[3].kind[0].scanned = cur_v[2].kind[0].scanned = true;
	cur_v[3].kind[0].unreachable = 3;
	ok(top_build(&cur, NULL, 0, TOP_BY_TASK, &r) == 0 && r.n == 4,
	   "top: rows after a pass");
	top_sort(&r, TOP_SORT_UNREACHABLE);
	ok(r.row[0].key == 500 && r.row[0].unreachable == 3 &&
	   r.row[0].scanned && r.row[1].key == 400 && !r.row[2].scanned,
	   "top: sort by unreachable: the leaking owner first, then exited");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[1].key == 500 && r.row[2].key == 400,
	   "top: sort by live, ties broken by unreachable first");
	cur_v[3].kind[0].scanned = cur_v[2].kind[0].scanned = false;
	cur_v[3].kind[0].unreachable = 0;
	top_rows_free(&r);

	ok(top_build(&cur, NULL, 0, TOP_BY_UID, &r) == 0 && r.n == 3,
	   "top: by uid: one row per uid");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[0].key == 0 && r.row[1].key == 33 && r.row[1].owners == 2 &&
	   r.row[1].owners_exited == 1 && r.row[1].live_total == 9 &&
	   r.row[1].exited == 5 && r.row[1].allocated_total == 11 &&
	   r.row[1].freed_total == 2 && !r.row[1].owner && r.row[1].rate == 0,
	   "top: by uid: sums of live, exited, allocated, freed, owners");
	top_rows_free(&r);

	ok(top_build(&cur, &prev, 2.0, TOP_BY_CGROUP, &r) == 0 && r.n == 3,
	   "top: by cgroup: one row per cgroup");
	top_sort(&r, TOP_SORT_RATE);
	ok(r.row[0].key == 1 && fabs(r.row[0].rate - 10.0) < 1e-9 &&
	   r.row[1].key == 3 && fabs(r.row[1].rate - 5.0) < 1e-9,
	   "top: by cgroup: group rate is the sum of its owners' rates");
	top_rows_free(&r);

	{
		struct lm_owners empty = { 0 };

		ok(top_build(&empty, NULL, 0, TOP_BY_UID, &r) == 0 && r.n == 0,
		   "top: no owners, no rows");
		top_rows_free(&r);
	}
}

static void test_incomplete(void)
{
	struct lm_kind_totals k;
	char buf[512];

	memset(&k, 0, sizeof(k));
	k.present = k.enabled = true;
	k.live = 5;
	k.unknown_frees = 3;
	ok(!kind_incomplete(&k, buf, sizeof(buf)),
	   "status: complete tracking gives no warning");
	k.untracked_table_full = 10;
	k.missed_free = 2;
	ok(kind_incomplete(&k, buf, sizeof(buf)) &&
	   strstr(buf, "10 allocations untracked (object table full 10)") &&
	   strstr(buf, "2 probe misses"),
	   "status: untracked and missed explained (%s)", buf);
}

/* ---- files ---- */

/* Write s into a new temporary file named from tmpl; false on failure. */
static bool write_tmp(char *tmpl, const char *s)
{
	int fd = mkstemp(tmpl);
	FILE *f;

	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return false;
	}
	fputs(s, f);
	return !fclose(f);
}

static void test_signed_only(void)
{
	char none[] = "/tmp/leakmon-lockdown-XXXXXX";
	char integ[] = "/tmp/leakmon-lockdown-XXXXXX";
	char no[] = "/tmp/leakmon-sigenf-XXXXXX";
	char yes[] = "/tmp/leakmon-sigenf-XXXXXX";
	char why[96] = "";

	if (!write_tmp(none, "[none] integrity confidentiality\n") ||
	    !write_tmp(integ, "none [integrity] confidentiality\n") ||
	    !write_tmp(no, "N\n") || !write_tmp(yes, "Y\n")) {
		ok(false, "signed_only: temporary files");
		return;
	}
	ok(!cli_signed_only(none, no, why, sizeof(why)),
	   "signed_only: no lockdown, signatures not enforced");
	ok(!cli_signed_only("/nonexistent/a", "/nonexistent/b", why,
			    sizeof(why)),
	   "signed_only: neither file (no securityfs, no module support)");
	ok(cli_signed_only(integ, no, why, sizeof(why)) &&
	   !strcmp(why, "the kernel is locked down (integrity)"),
	   "signed_only: lockdown integrity (%s)", why);
	ok(cli_signed_only(none, yes, why, sizeof(why)) &&
	   !strcmp(why, "module signatures are enforced"),
	   "signed_only: module.sig_enforce=1 (%s)", why);
	unlink(none);
	unlink(integ);
	unlink(no);
	unlink(yes);
}

static void test_meminfo(void)
{
	char path[] = "/tmp/leakmon-meminfo-XXXXXX";
	int fd = mkstemp(path);
	struct meminfo m;
	FILE *f;

	if (fd < 0) {
		ok(false, "meminfo: temporary file");
		return;
	}
	f = fdopen(fd, "w");
	fprintf(f, "MemTotal:       16000000 kB\n"
		   "Slab:            2000000 kB\n"
		   "SReclaimable:     300000 kB\n"
		   "SUnreclaim:      1700000 kB\n");
	fclose(f);
	ok(read_meminfo(path, &m) == 0 && m.has_sunreclaim &&
	   m.sunreclaim_kb == 1700000 && m.has_sreclaimable &&
	   m.sreclaimable_kb == 300000, "meminfo: SUnreclaim and SReclaimable");
	unlink(path);
	ok(read_meminfo(path, &m) < 0 && !m.has_sunreclaim,
	   "meminfo: missing file reported");
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static void test_cgroup_paths(void)
{
	char root[] = "/tmp/leakmon-cg-XXXXXX";
	char p[256], *paths[5];
	uint64_t ids[5];
	size_t found;

	if (!mkdtemp(root)) {
		ok(false, "cgroup: temporary directory");
		return;
	}
	snprintf(p, sizeof(p), "%s/system.slice", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/system.slice/apache2.service", root);
	mkdir(p, 0755);
	ids[0] = ino_of(p);
	ids[1] = ino_of(root);
	ids[2] = 1ULL << 60;
	snprintf(p, sizeof(p), "%s/user.slice", root);
	mkdir(p, 0755);
	ids[3] = ino_of(p);
	ids[4] = ids[0];

	found = cgroup_paths(root, ids, 5, paths);
	ok(found == 4 && paths[0] && !strcmp(paths[0], "/system.slice/apache2.service") &&
	   paths[1] && !strcmp(paths[1], "/") && !paths[2] &&
	   paths[3] && !strcmp(paths[3], "/user.slice") &&
	   paths[4] && !strcmp(paths[4], paths[0]),
	   "cgroup: ids resolved to paths by inode, unknown id left NULL");
	for (int i = 0; i < 5; i++)
		free(paths[i]);

	snprintf(p, sizeof(p), "%s/system.slice/apache2.service", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/system.slice", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/user.slice", root);
	rmdir(p);
	rmdir(root);
}

/* ---- rendered output: valid JSON, 80 columns ---- */

static bool lines_fit(const char *text, size_t width)
{
	size_t col = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if (++col > width) {
			diag("line too long: %.*s", (int)col, p - col + 1);
			return false;
		}
	}
	return true;
}

static char *render_status(bool json, const struct lm_totals *t,
			   const struct meminfo *m)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (json)
		status_print_json(f, t, 1, m);
	else
		status_print_human(f, t, 1, m);
	fclose(f);
	return out;
}

static void test_render_status(void)
{
	struct meminfo m = { .has_sunreclaim = true, .sunreclaim_kb = 1700000 };
	struct lm_totals t;
	char *out;

	lm_parse_totals(totals_msg(false), &t, NULL);
	snprintf(t.version, sizeof(t.version), "0.1\"\n\x01\xff");
	out = render_status(true, &t, &m);
	ok(json_valid(out) && strstr(out, "\"sunreclaim_bytes\": 1740800000") &&
	   strstr(out, "\"sreclaimable_bytes\": null") &&
	   strstr(out, "\"tracking_incomplete\": true") &&
	   strstr(out, "\"sock_inode\": {") && strstr(out, "\"untracked\": 21"),
	   "render: status --json is valid JSON with kB turned into bytes");
	free(out);

	out = render_status(false, &t, &m);
	ok(strstr(out, "warning: tracking incomplete: sock_inode:\n") != NULL,
	   "render: status warns that tracking is incomplete");
	{
		size_t col = 0, widest = 0;

		for (const char *c = out; *c; c++) {
			col = *c == '\n' ? 0 : col + 1;
			if (col > widest)
				widest = col;
		}
		ok(widest <= 80, "render: status with warnings fits 80 columns (%zu)",
		   widest);
	}
	free(out);

	for (int k = 0; k < LM_NKINDS; k++) {
		t.kind[k].untracked_table_full = t.kind[k].untracked_owners_full = 0;
		t.kind[k].untracked_nomem = t.kind[k].missed_alloc = 0;
		t.kind[k].missed_free = t.kind[k].replaced = 0;
	}
	out = render_status(false, &t, &m);
	ok(!strstr(out, "warning"), "render: no warning when tracking is complete");
	free(out);
	out = render_status(true, &t, &m);
	ok(json_valid(out) && strstr(out, "\"tracking_incomplete\": false") &&
	   strstr(out, "\"warnings\": []"),
	   "render: status --json without warnings");
	free(out);
}

/* What `leakmon config` prints: a stable interface (Documentation/cli.md) */
static void test_render_config(void)
{
	static const char usage[] =
		"Usage: leakmon config [--max-objects N] [--max-owners N]\n"
		"                      [--restrict-read 0|1|2] [--event-threshold N]\n"
		"                      [--event-rate N] [--event-queue-max N]\n"
		"                      [--reader-gid N] [--json]\n"
		"\n"
		"Without options, print the module's configuration.  With options,\n"
		"change it (needs CAP_NET_ADMIN) and print the new configuration.\n"
		"Lowering a limit keeps existing entries; only new ones are refused.\n"
		"\n"
		"  --max-objects N       object table limit (1..67108864)\n"
		"  --max-owners N        owner table limit (1..1048576)\n"
		"  --restrict-read 0|1|2 who reads what\n"
		"                        (0..2, 0 all, 1 admin or reader group, 2 own rows)\n"
		"  --event-threshold N   alert when an owner holds N live objects\n"
		"                        (0..67108864, 0: off; see leakmon events)\n"
		"  --event-rate N        most alerts sent per second (1..100000)\n"
		"  --event-queue-max N   most alerts waiting to be sent (1..65536)\n"
		"  --reader-gid N        group that reads everything\n"
		"                        (0..4294967295, 4294967295: none)\n"
		"  -j, --json            one JSON document on stdout\n"
		"  -h, --help            this text\n";
	static const char human[] =
		"max_objects    1048576\n"
		"max_owners     65536\n"
		"restrict_read  1\n"
		"hash_buckets   131072\n"
		"event_threshold 0\n"
		"event_rate     10\n"
		"event_queue_max 256\n";
	static const char json[] =
		"{\n"
		"  \"max_objects\": 1048576,\n"
		"  \"max_owners\": 65536,\n"
		"  \"restrict_read\": true,\n"
		"  \"restrict_read_level\": 1,\n"
		"  \"hash_buckets\": 131072,\n"
		"  \"event_threshold\": 0,\n"
		"  \"event_rate\": 10,\n"
		"  \"event_queue_max\": 256,\n"
		"  \"reader_gid\": null\n"
		"}\n";
	static const char part_json[] =
		"{\"config\": {\"max_objects\": null, \"max_owners\": 4294967295, "
		"\"restrict_read\": false, \"restrict_read_level\": 0, "
		"\"hash_buckets\": null, "
		"\"event_threshold\": null, \"event_rate\": 7, "
		"\"event_queue_max\": null, \"reader_gid\": null}}\n";
	struct lm_config full = {
		.present = 0x7f, .max_objects = 1048576, .max_owners = 65536,
		.restrict_read = 1, .hash_buckets = 131072,
		.event_threshold = 0, .event_rate = 10, .event_queue_max = 256,
	};
	struct lm_config part = {
		.present = LM_CFG_MAX_OWNERS | LM_CFG_RESTRICT_READ |
			   LM_CFG_EVENT_RATE,
		.max_objects = 99, .max_owners = 4294967295U, .event_rate = 7,
	};
	char *out = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	f = open_memstream(&out, &len);
	usage_config(f);
	fclose(f);
	ok(!strcmp(out, usage), "render: config --help, from the field table");
	if (strcmp(out, usage))
		diag("got:\n%s", out);
	free(out);

	f = open_memstream(&out, &len);
	config_print_human(f, &full);
	fclose(f);
	ok(!strcmp(out, human), "render: config, every field");
	free(out);

	f = open_memstream(&out, &len);
	config_print_human(f, &part);
	fclose(f);
	ok(!strcmp(out, "max_owners     4294967295\nrestrict_read  0\n"
		   "event_rate     7\n"),
	   "render: config, only the fields present");
	free(out);

	f = open_memstream(&out, &len);
	json_init(&j, f);
	json_config(&j, NULL, &full);
	json_finish(&j);
	fclose(f);
	ok(!strcmp(out, json), "render: config --json, every field");
	free(out);

	f = open_memstream(&out, &len);
	json_init_style(&j, f, JSON_SPACED);
	json_obj_open(&j, NULL);
	json_config(&j, "config", &part);
	json_obj_close(&j);
	json_finish(&j);
	fclose(f);
	ok(!strcmp(out, part_json),
	   "render: config --json, null for the fields not present");
	free(out);
}

static char *render_top(bool json, enum top_by by, enum top_sort sort,
			bool rate, const struct lm_owners *cur,
			const struct lm_owners *prev, char *const *cgpaths)
{
	struct top_args a = { .limit = 0, .by = by, .sort = sort,
			      .interval_ns = rate ? 1000000000ULL : 0 };
	struct top_rows r;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	top_build(cur, rate ? prev : NULL, 1.0, by, &r);
	top_sort(&r, sort);
	if (json)
		top_print_json(f, &a, cur, &r, r.n, 1.0, 5000000000ULL, cgpaths);
	else
		top_print_human(f, &a, cur, &r, r.n, 1.0, cgpaths);
	fclose(f);
	top_rows_free(&r);
	return out;
}

static void test_render_top(void)
{
	struct lm_owner v[] = {
		mk_owner(4194304, 1, 4294967294U, 1, false, UINT64_MAX / 4, 7),
		mk_owner(2, 2, 0, 2, true, 12, 123456789012ULL),
		mk_owner(3, 3, 65534, 3, false, 0, 0),
	};
	struct lm_owners cur = { .owner = v, .n = 3 };
	struct lm_owners prev = { .owner = v + 1, .n = 1 };
	char *cg[] = { "/a/very/long/cgroup/path/that/does/not/fit/in/the/column/system.slice/apache2.service",
		       NULL, "/" };
	static const enum top_by bys[] = { TOP_BY_TASK, TOP_BY_UID, TOP_BY_CGROUP };
	bool all_fit = true, all_valid = true;

	snprintf(v[0].comm, sizeof(v[0].comm), "0123456789abcdef");
	snprintf(v[1].comm, sizeof(v[1].comm), "a\"b\\c\n\x1b[2J\xc3");
	for (size_t b = 0; b < 3; b++) {
		for (int rate = 0; rate < 2; rate++) {
			char *h = render_top(false, bys[b], TOP_SORT_LIVE, rate,
					     &cur, &prev, cg);
			char *j = render_top(true, bys[b], TOP_SORT_RATE, rate,
					     &cur, &prev, cg);

			all_fit &= lines_fit(h, 80);
			if (!json_valid(j)) {
				diag("invalid JSON:\n%s", j);
				all_valid = false;
			}
			free(h);
			free(j);
		}
	}
	ok(all_fit, "render: top human output fits 80 columns (task, uid, cgroup; with and without rate)");
	ok(all_valid, "render: top --json is valid JSON for every --by");

	{
		char *j = render_top(true, TOP_BY_TASK, TOP_SORT_LIVE, true,
				     &cur, &prev, NULL);

		ok(strstr(j, "\"rate_per_s\": 0.000") && strstr(j, "\"age_s\": 4") &&
		   strstr(j, "\"state\": \"exited\"") &&
		   strstr(j, "\"exit_ns\": null"),
		   "render: top --json fields (rate, age_s, state, exit_ns)");
		ok(strstr(j, "\"exited_objects\": 123456789024") &&
		   strstr(j, "\"unreachable\": null") && !strstr(j, "orphan"),
		   "render: top --json: exited_objects, unreachable null before a pass");
		free(j);
	}
	{
		char *h = render_top(false, TOP_BY_TASK, TOP_SORT_UNREACHABLE,
				     false, &cur, &prev, NULL);
		char *u;

		ok(strstr(h, " UNREACH\n") && strstr(h, "sorted by unreachable") &&
		   strstr(h, "      -\n") && !strstr(h, "orphan") &&
		   !strstr(h, "ORPHAN") && !strstr(h, "UNREACH:"),
		   "render: top: UNREACH is - before a pass, no footnote");
		free(h);
		v[1].kind[1].scanned = v[0].kind[0].scanned = true;
		v[1].kind[1].unreachable = 4;
		h = render_top(false, TOP_BY_TASK, TOP_SORT_UNREACHABLE, true,
			       &cur, &prev, NULL);
		u = render_top(false, TOP_BY_UID, TOP_SORT_UNREACHABLE, false,
			       &cur, &prev, NULL);
		ok(strstr(h, "exited ") && strstr(h, "       4    +0.0\n") &&
		   strstr(h, "\nUNREACH: leaked objects") && lines_fit(h, 80) &&
		   !strstr(h, "*") && strstr(u, " UNREACH  ALLOCS") &&
		   lines_fit(u, 80),
		   "render: top: a pass's leaked objects under UNREACH, explained");
		free(h);
		free(u);
		v[1].kind[1].scanned = v[0].kind[0].scanned = false;
		v[1].kind[1].unreachable = 0;
	}
}

/* ---- the real kernel, through nlctrl (no leakmon module needed) ---- */

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned int *)data)++;
	return LM_OK;
}

static void test_live_nlctrl(void)
{
	struct lm_raw_result res;
	struct lm_handle *h;
	struct lm_error err;
	unsigned int count = 0;
	char attrs[64];
	struct nlattr *a = (struct nlattr *)attrs;
	uint32_t flags;
	int ret;

	ret = lm_open_family(&h, "nlctrl", &err);
	if (ret != LM_OK) {
		diag("no generic netlink here (%s: %s): live tests skipped",
		     lm_strstatus(ret), err.detail);
		return;
	}
	ok(lm_family(h)->id == GENL_ID_CTRL && lm_family(h)->nops > 0 &&
	   lm_family_op(lm_family(h), CTRL_CMD_GETFAMILY, &flags),
	   "live: nlctrl resolved, its ops recorded");

	ret = lm_raw(h, CTRL_CMD_GETFAMILY, NLM_F_DUMP, NULL, 0, count_cb,
		     &count, &res);
	ok(ret == LM_OK && res.error == 0 && res.nmsgs > 1 &&
	   count == res.nmsgs,
	   "live: multi-part dump of all families (%u messages)", res.nmsgs);

	/* CTRL_ATTR_FAMILY_NAME is NLA_NUL_STRING: send one without NUL */
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = MNL_ATTR_HDRLEN + 4;
	memcpy(attrs + MNL_ATTR_HDRLEN, "abcd", 4);
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, attrs, MNL_ALIGN(a->nla_len),
		     NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL &&
	   lm_last_error(h)->err == EINVAL,
	   "live: malformed attribute refused with EINVAL, extack '%s'%s",
	   res.extack, res.has_offs ? " (with offset)" : "");

	/* an attribute longer than the message */
	a->nla_len = 40;
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, attrs, 8, NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL,
	   "live: truncated attribute refused, extack '%s'", res.extack);

	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, NULL, 0, NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL,
	   "live: request without a family refused (%s)", strerror(res.error));

	count = 0;
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, NLM_F_DUMP, NULL, 0, count_cb,
		     &count, &res);
	ok(ret == LM_OK && count > 1, "live: handle usable after errors");
	lm_close(h);

	ret = lm_open_family(&h, "leakmon-none", &err);
	ok(ret == LM_ERR_NOFAMILY && err.status == LM_ERR_NOFAMILY && !h,
	   "live: missing family is LM_ERR_NOFAMILY (%s)", err.detail);
}

/* ---- slab growth, check keys, prometheus ---- */

static void mk_series(struct growth_series *g, size_t n, uint64_t t0_ms,
		      uint64_t step_ms, uint64_t u0, int64_t du, uint64_t r0,
		      int64_t dr)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->boot_id, sizeof(g->boot_id), "boot-1");
	for (size_t i = 0; i < n; i++) {
		struct growth_sample *s = &g->s[i];

		s->t_ms = t0_ms + i * step_ms;
		s->sunreclaim = (uint64_t)((int64_t)u0 + (int64_t)i * du);
		s->sreclaimable = (uint64_t)((int64_t)r0 + (int64_t)i * dr);
		s->tracked_unrecl = i * 1000;
		s->tracked_recl = GROWTH_UNKNOWN;
	}
	g->n = n;
}

static void test_lsq(void)
{
	double x[] = { 0, 1, 2, 3, 4 }, y[5], slope = 0;
	bool res;

	for (int i = 0; i < 5; i++)
		y[i] = 7 + 3 * x[i];
	res = lsq_slope(x, y, 5, &slope);
	ok(res && slope == 3,
	   "growth: least squares of an exact line (slope %g)", slope);
	/* symmetric noise around y = 2x: +1 -1 -1 +1 ... */
	y[0] = 1; y[1] = 1; y[2] = 3; y[3] = 7; y[4] = 9;
	res = lsq_slope(x, y, 5, &slope);
	ok(res && fabs(slope - 2.2) < 1e-12,
	   "growth: least squares of noisy points (slope %g, expected 2.2)",
	   slope);
	ok(!lsq_slope(x, y, 1, &slope), "growth: one point has no slope");
	x[1] = x[2] = 0;
	ok(!lsq_slope(x, y, 2, &slope), "growth: points at one time have no slope");
	{
		/* large byte counts and times: centring keeps it exact */
		double bx[3] = { 1e12, 1e12 + 1000, 1e12 + 2000 };
		double by[3] = { 3e13, 3e13 + 5000, 3e13 + 10000 };

		res = lsq_slope(bx, by, 3, &slope);
		ok(res && fabs(slope - 5) < 1e-9,
		   "growth: large values keep their precision (slope %g)", slope);
	}
}

static char *series_text(const struct growth_series *g)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	growth_write(f, g);
	fclose(f);
	return out;
}

static void test_growth_file(void)
{
	static struct growth_series g, h;
	static const char *const bad_files[] = {
		"",
		"leakmon-growth 2\nboot b\nend 0\n",
		"something else\nboot b\nend 0\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\n",		/* no end */
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\nend 1",	/* no newline */
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\nend 2\n",
		"leakmon-growth 1\nboot b\ns 5 2 3 - -\ns 5 2 3 - -\nend 2\n",
		"leakmon-growth 1\nboot b\ns 1 x 3 - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 -2 3 - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 - - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 4\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 4 5 6\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 99999999999999999999 3 4 5\nend 1\n",
		"leakmon-growth 1\nboot b\nend 0\ns 1 2 3 4 5\n",
		"leakmon-growth 1\nnoboot\nend 0\n",
		"leakmon-growth 1\nboot b\n\x01\xff\nend 0\n",
	};
	char why[200], *text;
	bool all_bad = true;

	mk_series(&g, 3, 1000, 60000, 100, 10, 200, -5);
	g.s[1].tracked_recl = 77;
	text = series_text(&g);
	ok(!growth_parse(text, &h, why, sizeof(why)) && h.n == 3 &&
	   !memcmp(h.s, g.s, sizeof(g.s[0]) * 3) && !strcmp(h.boot_id, "boot-1"),
	   "growth: state file round trip");
	ok(strstr(text, "s 1000 100 200 0 -\n") && strstr(text, "end 3\n"),
	   "growth: state file format (unknown bytes as '-')");
	free(text);

	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		why[0] = '\0';
		if (!growth_parse(bad_files[i], &h, why, sizeof(why)) || !why[0] ||
		    h.n) {
			diag("accepted: %s", bad_files[i]);
			all_bad = false;
		}
	}
	ok(all_bad, "growth: %zu corrupt or truncated files are refused with a reason",
	   sizeof(bad_files) / sizeof(bad_files[0]));

	/* append: minimum interval, order, thinning when full */
	mk_series(&g, 1, 1000, 0, 1, 0, 1, 0);
	{
		struct growth_sample s = g.s[0];
		bool all = true;

		s.t_ms = 1000 + 29999;
		ok(!growth_append(&g, &s, 30000) && g.n == 1,
		   "growth: a sample within the minimum interval is not added");
		s.t_ms = 500;
		ok(!growth_append(&g, &s, 0) && g.n == 1,
		   "growth: an older sample is not added");
		for (uint64_t i = 1; i < GROWTH_MAX_SAMPLES + 10; i++) {
			s.t_ms = 1000 + i * 30000;
			all &= growth_append(&g, &s, 30000);
		}
		ok(all && g.n <= GROWTH_MAX_SAMPLES &&
		   g.n >= GROWTH_MAX_SAMPLES * 3 / 4 &&
		   g.s[g.n - 1].t_ms == s.t_ms && g.s[0].t_ms == 1000,
		   "growth: a full series is thinned, keeping the oldest and newest (%zu samples)",
		   g.n);
		all = true;
		for (size_t i = 1; i < g.n; i++)
			all &= g.s[i].t_ms > g.s[i - 1].t_ms;
		ok(all, "growth: thinned series stays in order");
	}
}

static void test_growth_fit(void)
{
	static struct growth_series g;
	struct growth_fit fit;
	double pct = -1;
	char why[200];
	bool res;

	/* SUnreclaim +1000 B and SReclaimable -250 B per minute, 61 samples */
	mk_series(&g, 61, 5000, 60000, 1000000000, 1000, 500000000, -250);
	growth_fit(&g, 3600, &fit);
	ok(fit.ok && fit.samples == 61 && fit.span_s == 3600 &&
	   fabs(fit.sunreclaim_per_h - 60000) < 1e-6 &&
	   fabs(fit.sreclaimable_per_h + 15000) < 1e-6 &&
	   fabs(fit.slab_per_h - 45000) < 1e-6,
	   "growth: fit over an hour: %.3f + %.3f = %.3f bytes/hour",
	   fit.sunreclaim_per_h, fit.sreclaimable_per_h, fit.slab_per_h);
	ok(!fit.tracked_ok && !growth_explained(&fit, &pct, why, sizeof(why)),
	   "growth: explained needs tracked bytes in the samples (%s)", why);

	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_recl = 0;
	growth_fit(&g, 3600, &fit);
	/* tracked: +1000 B per sample = 60000 B/h of 45000 B/h: capped */
	res = growth_explained(&fit, &pct, why, sizeof(why));
	ok(fit.tracked_ok && fabs(fit.tracked_per_h - 60000) < 1e-6 &&
	   res && pct == 100,
	   "growth: explained is capped at 100%% (%.1f)", pct);
	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_unrecl = i * 300;
	growth_fit(&g, 3600, &fit);
	res = growth_explained(&fit, &pct, why, sizeof(why));
	ok(res && fabs(pct - 40) < 1e-9,
	   "growth: explained share (%.3f%%, expected 40%%)", pct);

	/* the window: only the last 10 minutes (11 samples) */
	growth_fit(&g, 600, &fit);
	ok(fit.ok && fit.samples == 11 && fit.span_s == 600 &&
	   fabs(fit.sunreclaim_per_h - 60000) < 1e-6,
	   "growth: the window selects the newest samples (%zu)", fit.samples);

	mk_series(&g, 1, 5000, 0, 1, 0, 1, 0);
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 1 && strstr(fit.why, "need 2"),
	   "growth: one sample gives no slope (%s)", fit.why);
	mk_series(&g, 3, 5000, 60000, 1, 1, 1, 1);
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 3 && strstr(fit.why, "need 360 s"),
	   "growth: samples spanning too little of the window give no slope (%s)",
	   fit.why);
	g.n = 0;
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 0, "growth: no samples, no slope (%s)",
	   fit.why);

	/* slab shrinking: nothing to explain */
	mk_series(&g, 61, 5000, 60000, 1000000, -10, 1000000, -10);
	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_recl = 0;
	growth_fit(&g, 3600, &fit);
	ok(fit.ok && fit.slab_per_h < 0 &&
	   !growth_explained(&fit, &pct, why, sizeof(why)) &&
	   strstr(why, "not growing"),
	   "growth: a shrinking slab has no explained share (%s)", why);
}

static bool file_has(const char *path, const char *needle)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

static void test_growth_state(void)
{
	static struct growth_series g;
	char dir[] = "/tmp/leakmon-unit.XXXXXX", path[256], warn[600], err[600];
	struct growth_sample s = { .t_ms = 100000, .sunreclaim = 4096,
				   .sreclaimable = 8192,
				   .tracked_unrecl = 10, .tracked_recl = 20 };
	int ret, status, nchild = 8;
	bool all_ok = true;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(false, "growth: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/growth", dir);

	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "no series yet") &&
	   file_has(path, "boot boot-A\ns 100000 4096 8192 10 20\nend 1\n"),
	   "growth: a missing state file starts a series (%s)", warn);

	s.t_ms += 10000;
	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && !warn[0],
	   "growth: no sample within the minimum interval");
	s.t_ms += 30000;
	ret = growth_update(path, "boot-A", &s, true, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && file_has(path, "end 1\n"),
	   "growth: --no-sample reads without adding");
	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 2 && file_has(path, "end 2\n"),
	   "growth: a sample older than the minimum interval is added");

	ret = growth_update(path, "boot-B", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "another boot") &&
	   file_has(path, "boot boot-B\n"),
	   "growth: a series of another boot is replaced (%s)", warn);

	f = fopen(path, "w");
	fputs("leakmon-growth 1\nboot boot-B\ns 1 2", f);
	fclose(f);
	ret = growth_update(path, "boot-B", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "starting a new series") &&
	   file_has(path, "end 1\n"),
	   "growth: a corrupt state file is replaced with a warning (%s)", warn);

	/* concurrent callers: the file stays valid, samples in order */
	unlink(path);
	for (int i = 0; i < nchild; i++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			static struct growth_series cg;
			struct growth_sample cs = s;
			char w[600], e[600];

			for (int k = 0; k < 20; k++) {
				cs.t_ms = 1000000 + (uint64_t)(k * nchild + i) * 40000;
				if (growth_update(path, "boot-C", &cs, false, &cg, w,
						  sizeof(w), e, sizeof(e)))
					_exit(1);
				if (strstr(w, "starting a new series"))
					_exit(2);	/* saw a corrupt file */
			}
			_exit(0);
		}
	}
	for (int i = 0; i < nchild; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			all_ok = false;
	}
	ret = growth_update(path, "boot-C", NULL, true, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(all_ok && !ret && !warn[0] && g.n >= 20,
	   "growth: %d concurrent writers leave a valid series (%zu samples)",
	   nchild, g.n);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd),
			 "test $(ls %s | wc -l) -eq 2", dir);	/* file + lock */
		ok(system(cmd) == 0,
		   "growth: no temporary files are left behind");
	}

	/* an unwritable place: an error, and the sample is still used */
	snprintf(path, sizeof(path), "%s/nodir/growth", dir);
	ret = growth_update(path, "boot-C", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(ret < 0 && err[0] && g.n == 1,
	   "growth: an unwritable state file is an error (%s)", err);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		diag("cannot remove %s", dir);
}

static void write_file(const char *dir, const char *sub, const char *name,
		       const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_mon_bytes(void)
{
	char dir[] = "/tmp/leakmon-slab.XXXXXX", cmd[256];
	struct mon_kind_bytes kb[LM_NKINDS];
	struct lm_totals t;
	uint64_t recl, unrecl;

	memset(&t, 0, sizeof(t));
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		t.kind[k].present = true;
		t.kind[k].live = 10;
	}
	if (!mkdtemp(dir)) {
		ok(false, "bytes: mkdtemp");
		return;
	}
	write_file(dir, "sock_inode_cache", "object_size", "768\n");
	write_file(dir, "sock_inode_cache", "reclaim_account", "1\n");
	write_file(dir, "lsm_file_cache", "object_size", "16\n");
	write_file(dir, "lsm_file_cache", "reclaim_account", "0\n");
	t.kind[LEAKMON_KIND_SK_BLOB].obj_size = 32;
	mon_bytes(&t, dir, kb, &recl, &unrecl);
	ok(kb[0].src == MON_SIZE_SLAB && kb[0].obj_size == 768 &&
	   kb[0].reclaimable && kb[1].src == MON_SIZE_SLAB &&
	   kb[1].obj_size == 16 && !kb[1].reclaimable &&
	   kb[2].src == MON_SIZE_KERNEL && kb[2].bytes == 320 &&
	   recl == 7680 && unrecl == 160 + 320,
	   "bytes: sizes from /sys/kernel/slab when the module has none, reclaimable split (%" PRIu64 " + %" PRIu64 ")",
	   recl, unrecl);
	t.kind[0].obj_size = 832;
	t.kind[LEAKMON_KIND_SK_BLOB].obj_size = 0;
	write_file(dir, "sock_inode_cache", "reclaim_account", "0\n");
	mon_bytes(&t, dir, kb, &recl, &unrecl);
	ok(kb[0].src == MON_SIZE_KERNEL && kb[0].obj_size == 832 &&
	   !kb[0].reclaimable && kb[2].src == MON_SIZE_UNKNOWN &&
	   kb[2].bytes == 0 && recl == 0 && unrecl == 8320 + 160,
	   "bytes: the module's size first; reclaim_account 0 counts as unreclaimable; unknown size counts 0");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
}

static void mk_mon(struct mon *m, struct lm_owner *v, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->g = calloc(1, sizeof(*m->g));
	m->m.has_sunreclaim = m->m.has_sreclaimable = true;
	m->m.sunreclaim_kb = 1000;
	m->m.sreclaimable_kb = 2000;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		m->t.kind[k].present = true;
		m->t.kind[k].live = 100 * (k + 1);
		m->t.kind[k].orphans = 10 * (k + 1);
		m->t.kind[k].untracked_nomem = k;
		m->kb[k].obj_size = 8;
		m->kb[k].src = k ? MON_SIZE_UNKNOWN : MON_SIZE_KERNEL;
		m->kb[k].bytes = 800 * (k + 1);
		m->kb[k].reclaimable = !k;
	}
	m->tracked_recl = 800;
	m->tracked_unrecl = 4000;
	m->t.owners = (uint32_t)n;
	m->o.owner = v;
	m->o.n = n;
	mk_series(m->g, 61, 5000, 60000, 1000000000, 1000, 500000000, 0);
	for (size_t i = 0; i < m->g->n; i++)
		m->g->s[i].tracked_recl = 0;
	growth_fit(m->g, 3600, &m->fit);
}

static char *check_out(const struct mon *m, const char *key, uint64_t arg,
		       int *rc, char *err, size_t errsize)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*rc = check_value(f, m, check_find(key), arg, 2, err, errsize);
	fclose(f);
	return out;
}

static void test_check_values(void)
{
	struct lm_owner v[] = {
		mk_owner(10, 1, 0, 1, false, 5, 0),
		mk_owner(20, 2, 33, 1, true, 300, 300),	/* the leak */
		mk_owner(30, 3, 33, 1, false, 50, 1),
		mk_owner(20, 9, 33, 1, false, 1, 0),	/* reused tgid */
	};
	static const struct { const char *key; uint64_t arg; const char *want; } cases[] = {
		{ "sunreclaim", 0, "1024000\n" },
		{ "sreclaimable", 0, "2048000\n" },
		{ "slab.growth", 0, "60000\n" },
		{ "slab.growth.unreclaimable", 0, "60000\n" },
		{ "slab.growth.reclaimable", 0, "0\n" },
		{ "slab.growth.window", 0, "3600\n" },
		{ "slab.growth.samples", 0, "61\n" },
		{ "explained", 0, "100.0\n" },
		{ "live", 0, "600\n" },
		{ "live.sock", 0, "100\n" },
		{ "live.blob", 0, "500\n" },
		{ "live.fblob", 0, "200\n" },
		{ "live.skblob", 0, "300\n" },
		{ "exited", 0, "60\n" },
		{ "owners", 0, "4\n" },
		{ "untracked", 0, "3\n" },
		{ "incomplete", 0, "1\n" },
		{ "tracked.bytes", 0, "4800\n" },
		{ "tracked.bytes.reclaimable", 0, "800\n" },
		{ "tracked.bytes.unreclaimable", 0, "4000\n" },
		{ "top.live", 0, "600\n" },
		{ "owner.live", 20, "601\n" },
		{ "owner.exited", 20, "600\n" },
		{ "owner.live", 99, "0\n" },
		{ "uid.live", 33, "652\n" },
		{ "uid.exited", 33, "600\n" },
		{ "uid.exited", 0, "0\n" },
	};
	struct mon m;
	char err[600], *out;
	bool all = true;
	int rc;

	mk_mon(&m, v, 4);
	snprintf(v[1].comm, sizeof(v[1].comm), "apache2");
	snprintf(v[0].comm, sizeof(v[0].comm), "a\nb");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = check_out(&m, cases[i].key, cases[i].arg, &rc, err,
				sizeof(err));
		if (rc || strcmp(out, cases[i].want)) {
			diag("check %s %" PRIu64 ": rc %d, '%s', expected '%s' (%s)",
			     cases[i].key, cases[i].arg, rc, out, cases[i].want,
			     err);
			all = false;
		}
		free(out);
	}
	ok(all, "check: %zu keys give their value", sizeof(cases) / sizeof(cases[0]));
	ok(!check_find("orphans") && !check_find("owner.orphans") &&
	   !check_find("uid.orphans") && check_renamed("orphans") &&
	   strstr(check_renamed("orphans"), "'unreachable'") &&
	   strstr(check_renamed("orphans"), "'exited'") &&
	   strstr(check_renamed("owner.orphans"), "'owner.unreachable'") &&
	   strstr(check_renamed("owner.orphans"), "'owner.exited'") &&
	   strstr(check_renamed("uid.orphans"), "'uid.unreachable'") &&
	   strstr(check_renamed("uid.orphans"), "'uid.exited'") &&
	   !check_renamed("exited") && !check_renamed("frob"),
	   "check: the keys of earlier versions are refused, naming the new ones");
	for (size_t i = 0; i < check_nkeys; i++)
		if (strstr(check_keys[i].name, "orphan") ||
		    strstr(check_keys[i].help, "orphan"))
			all = false;
	ok(all, "check: no key is called or described 'orphan' any more");

	out = check_out(&m, "top.owner", 0, &rc, err, sizeof(err));
	ok(!rc && !strcmp(out, "apache2\n"), "check: top.owner names the largest owner");
	free(out);

	out = check_out(&m, "discovery.owners", 0, &rc, err, sizeof(err));
	ok(!rc && json_valid(out) && strstr(out, "\"{#TGID}\": \"20\"") &&
	   strstr(out, "\"{#COMM}\": \"apache2\"") &&
	   strstr(out, "\"{#STATE}\": \"exited\"") &&
	   strstr(out, "\"{#TGID}\": \"30\"") && !strstr(out, "\"10\"") &&
	   out[0] == '[',
	   "check: discovery.owners: top 2, one entry per tgid, valid LLD JSON");
	free(out);
	out = check_out(&m, "discovery.uids", 0, &rc, err, sizeof(err));
	ok(!rc && json_valid(out) && strstr(out, "\"{#UID}\": \"33\"") &&
	   strstr(out, "\"{#UID}\": \"0\""),
	   "check: discovery.uids is valid LLD JSON");
	free(out);

	m.g->n = 1;
	growth_fit(m.g, 3600, &m.fit);
	out = check_out(&m, "slab.growth", 0, &rc, err, sizeof(err));
	ok(rc == EXIT_NODATA && !out[0] && strstr(err, "need 2"),
	   "check: slab.growth with one sample exits %d without a value (%s)",
	   EXIT_NODATA, err);
	free(out);
	out = check_out(&m, "explained", 0, &rc, err, sizeof(err));
	ok(rc == EXIT_NODATA && !out[0], "check: explained too (%s)", err);
	free(out);
	out = check_out(&m, "slab.growth.samples", 0, &rc, err, sizeof(err));
	ok(!rc && !strcmp(out, "1\n"), "check: slab.growth.samples still answers");
	free(out);
	free(m.g);
}

/* Lines of the Prometheus text format, and families kept together */
static bool prom_valid(const char *text, int *samples)
{
	char names[64][80];
	int nnames = 0;
	const char *p = text;
	char cur[80] = "";

	*samples = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[1024], name[80];
		size_t len;

		if (!nl)
			return false;
		len = (size_t)(nl - p);
		if (len >= sizeof(line))
			return false;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%79s", name) != 1)
				return false;
		} else {
			const char *q = line;
			char *end;

			while (*q == '_' || *q == ':' || (*q >= 'a' && *q <= 'z') ||
			       (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
				q++;
			if (q == line || (size_t)(q - line) >= sizeof(name))
				return false;
			memcpy(name, line, (size_t)(q - line));
			name[q - line] = '\0';
			if (*q == '{') {
				/* label="value" pairs, escaped */
				q++;
				while (*q != '}') {
					while (*q && *q != '=')
						q++;
					if (q[0] != '=' || q[1] != '"')
						return false;
					for (q += 2; *q && *q != '"'; q++)
						if (*q == '\\' && !*++q)
							return false;
					if (*q++ != '"')
						return false;
					if (*q == ',')
						q++;
				}
				q++;
			}
			if (*q++ != ' ')
				return false;
			strtod(q, &end);
			if (end == q || *end)
				return false;
			(*samples)++;
		}
		if (strcmp(name, cur)) {
			for (int i = 0; i < nnames; i++)
				if (!strcmp(names[i], name))
					return false;	/* family split */
			if (nnames < 64)
				snprintf(names[nnames++], sizeof(names[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
		}
	}
	return true;
}

static void test_prometheus(void)
{
	struct lm_owner v[6];
	struct mon m;
	char *out = NULL;
	size_t len = 0;
	int samples = 0;
	bool valid;
	FILE *f;

	for (int i = 0; i < 6; i++)
		v[i] = mk_owner((uint32_t)(100 + i), 1, (uint32_t)i, 1, i == 5,
				(uint64_t)(10 * (i + 1)), 0);
	snprintf(v[5].comm, sizeof(v[5].comm), "ap\"a\\c\nhe\xff");
	mk_mon(&m, v, 6);
	m.totals_rc = EXIT_OK;
	m.owners_rc = EXIT_OK;
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	valid = prom_valid(out, &samples);
	ok(valid && samples > 20,
	   "prometheus: text format, families together (%d samples)", samples);
	ok(strstr(out, "leakmon_up 1\n") &&
	   strstr(out, "leakmon_slab_bytes{type=\"unreclaimable\"} 1024000\n") &&
	   strstr(out, "leakmon_slab_growth_bytes_per_hour{type=\"unreclaimable\"} 60000\n") &&
	   strstr(out, "leakmon_live_objects{kind=\"sock_inode\"} 100\n") &&
	   strstr(out, "leakmon_object_size_bytes{kind=\"sock_inode\",source=\"kernel\"} 8\n") &&
	   strstr(out, "leakmon_tracked_bytes{kind=\"sock_inode\",type=\"reclaimable\"} 800\n") &&
	   strstr(out, "# TYPE leakmon_untracked_total counter\n"),
	   "prometheus: totals, slab, growth, sizes");
	ok(strstr(out, "comm=\"ap\\\"a\\\\c\\nhe\xef\xbf\xbd\"") != NULL,
	   "prometheus: label values escaped, invalid UTF-8 replaced");
	/* top 2 by live (105, 104) + 105 exited; the rest in "other" */
	ok(strstr(out, "leakmon_owner_live_objects{tgid=\"105\"") &&
	   strstr(out, "leakmon_owner_live_objects{tgid=\"104\"") &&
	   !strstr(out, "tgid=\"103\"") &&
	   strstr(out, "leakmon_owner_live_objects{tgid=\"other\",comm=\"other\",uid=\"other\",state=\"other\",user=\"other\"} 100\n") &&
	   strstr(out, "leakmon_uid_live_objects{uid=\"other\",user=\"other\"} 100\n"),
	   "prometheus: top-K owners and users plus an \"other\" row");
	ok(!strstr(out, "unreachable_objects{tgid") &&
	   !strstr(out, "unreachable_objects{uid"),
	   "prometheus: no owner or user unreachable rows before a pass");
	free(out);

	/* after a pass: 101 leaked 7, so it gets a row of its own */
	for (int i = 0; i < 6; i++)
		v[i].kind[0].scanned = true;
	v[1].kind[0].unreachable = 7;
	out = NULL;
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	{
		const char *u = strstr(out, "\nleakmon_owner_unreachable_objects{tgid=\"101\",");
		const char *x = strstr(out, "\nleakmon_owner_unreachable_objects{tgid=\"105\",");
		const char *nl = u ? strchr(u + 1, '\n') : NULL;

		ok(prom_valid(out, &samples) && nl && !strncmp(nl - 2, " 7", 2) &&
		   x && strstr(out, "leakmon_owner_live_objects{tgid=\"101\",") &&
		   strstr(out, "leakmon_owner_unreachable_objects{tgid=\"other\",comm=\"other\",uid=\"other\",state=\"other\",user=\"other\"} 0\n") &&
		   strstr(out, "# TYPE leakmon_uid_unreachable_objects gauge\n") &&
		   strstr(out, "leakmon_uid_unreachable_objects{uid=\"other\",user=\"other\"} 0\n"),
		   "prometheus: after a pass, owner and user unreachable rows; the leaking owner among the rows");
	}
	free(out);
	v[1].kind[0].unreachable = 0;

	out = NULL;
	m.totals_rc = EXIT_NOMODULE;
	m.g->n = 1;
	growth_fit(m.g, 3600, &m.fit);
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	ok(prom_valid(out, &samples) && strstr(out, "leakmon_up 0\n") &&
	   !strstr(out, "live_objects") && !strstr(out, "bytes_per_hour") &&
	   strstr(out, "leakmon_slab_growth_samples 1\n"),
	   "prometheus: without the module, slab metrics only");
	free(out);
	free(m.g);
}

/* ---- CLI argument validation ---- */

static int run_cli(const char *cli, char *out, size_t outsize, ...)
{
	char *argv[16];
	int pipefd[2], status, n = 0;
	size_t len = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	argv[n++] = (char *)cli;
	va_start(ap, outsize);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	if (pipe(pipefd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pipefd[1], 1);
		dup2(devnull, 2);
		close(pipefd[0]);
		execv(cli, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < outsize &&
	       (r = read(pipefd[0], out + len, outsize - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Run the CLI with stdout to /dev/null; its stderr into err */
static int run_cli_stderr(const char *cli, char *err, size_t errsize, ...)
{
	char *argv[16];
	int pipefd[2], status, n = 0;
	size_t len = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	argv[n++] = (char *)cli;
	va_start(ap, errsize);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	if (pipe(pipefd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(cli, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < errsize &&
	       (r = read(pipefd[0], err + len, errsize - 1 - len)) > 0)
		len += (size_t)r;
	err[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * An old name is refused: usage exit code, and one line on stderr that
 * starts with prefix and names each of the new names (NULL-terminated)
 */
static void cli_renamed_ok(const char *cli, const char *what,
			   const char *prefix, const char *a1, const char *a2,
			   const char *a3, const char *const *names)
{
	char err[4096];
	bool good;
	int rc = run_cli_stderr(cli, err, sizeof(err), a1, a2, a3, NULL);

	good = rc == EXIT_USAGE && !strncmp(err, prefix, strlen(prefix)) &&
	       strchr(err, '\n') == err + strlen(err) - 1 &&
	       strstr(err, "was renamed");
	for (size_t i = 0; good && names[i]; i++)
		good = strstr(err, names[i]) != NULL;
	ok(good, "cli: %s is refused with one line naming the new name (rc %d): %s",
	   what, rc, err);
}

#define CLI_EXIT(want, ...)						\
	do {								\
		int rc_ = run_cli(cli, out, sizeof(out), __VA_ARGS__, NULL); \
		ok(rc_ == (want), "cli: %s exits %d (got %d)",		\
		   #__VA_ARGS__, want, rc_);				\
	} while (0)

static void test_cli(void)
{
	const char *cli = getenv("LEAKMON_CLI");
	static char out[65536];
	int rc;

	if (!cli || access(cli, X_OK)) {
		diag("LEAKMON_CLI not set: CLI tests skipped");
		return;
	}
	rc = run_cli(cli, out, sizeof(out), (char *)NULL);
	ok(rc == EXIT_USAGE, "cli: no command exits 2");
	CLI_EXIT(EXIT_USAGE, "frobnicate");
	CLI_EXIT(EXIT_USAGE, "--bogus");
	CLI_EXIT(EXIT_OK, "help");
	CLI_EXIT(EXIT_OK, "help", "top");
	CLI_EXIT(EXIT_USAGE, "help", "nothing");
	CLI_EXIT(EXIT_OK, "--help");
	CLI_EXIT(EXIT_OK, "--version");
	CLI_EXIT(EXIT_OK, "top", "--help");
	CLI_EXIT(EXIT_OK, "status", "--help");
	CLI_EXIT(EXIT_OK, "config", "--help");
	CLI_EXIT(EXIT_OK, "reset", "--help");
	CLI_EXIT(EXIT_OK, "scan", "--help");
	CLI_EXIT(EXIT_OK, "version", "--help");
	CLI_EXIT(EXIT_OK, "events", "--help");
	CLI_EXIT(EXIT_USAGE, "events", "-c", "0");
	CLI_EXIT(EXIT_USAGE, "events", "-t", "0");
	CLI_EXIT(EXIT_USAGE, "events", "-t", "86401");
	CLI_EXIT(EXIT_USAGE, "events", "extra");
	CLI_EXIT(EXIT_OK, "events", "--priority-prefix", "--help");
	CLI_EXIT(EXIT_USAGE, "events", "-p", "extra");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "abc");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "-1");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "99999999999999999999999");
	CLI_EXIT(EXIT_USAGE, "top", "-n");
	CLI_EXIT(EXIT_USAGE, "top", "--by", "pid");
	CLI_EXIT(EXIT_USAGE, "top", "--by", "uid", "--by", "cgroup");
	CLI_EXIT(EXIT_USAGE, "top", "--sort", "size");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "0");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "1x");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "4000");
	CLI_EXIT(EXIT_USAGE, "top", "--frob");
	CLI_EXIT(EXIT_USAGE, "top", "-z");
	CLI_EXIT(EXIT_OK, "record", "--help");
	CLI_EXIT(EXIT_OK, "graph", "--help");
	CLI_EXIT(EXIT_OK, "watch", "--help");
	CLI_EXIT(EXIT_USAGE, "record", "-i", "1");
	CLI_EXIT(EXIT_USAGE, "record", "-i", "0.05", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-d", "x", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-n", "0", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "extra");
	CLI_EXIT(EXIT_USAGE, "graph");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.jpg");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.png", "--top", "13");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.png", "--by", "uid");
	CLI_EXIT(EXIT_RUNTIME, "graph", "/nonexistent/x", "-o", "x.png");
	CLI_EXIT(EXIT_BADFILE, "graph", "/dev/null", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_BADFILE, "graph", "/etc/passwd", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--since", "yesterday");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--until", "3y");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--since", "1d", "--until", "2d");
	CLI_EXIT(EXIT_BADFILE, "graph", "/usr/include/linux", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_RUNTIME, "graph", "/nonexistent/d", "--since", "7d", "-o", "x.png");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--keep-days", "30");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--max-total", "8M");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1k");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "2G");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1m");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1M",
		 "--max-total", "1M");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1M",
		 "--keep-days", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "-i", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "--by", "pid");
	CLI_EXIT(EXIT_USAGE, "watch", "--sort", "size");
	CLI_EXIT(EXIT_USAGE, "watch", "-c", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "extra");
	CLI_EXIT(EXIT_USAGE, "top", "extra");
	CLI_EXIT(EXIT_USAGE, "status", "--json", "x");
	CLI_EXIT(EXIT_USAGE, "status", "--top");
	CLI_EXIT(EXIT_USAGE, "reset", "--json");
	CLI_EXIT(EXIT_USAGE, "scan", "extra");
	CLI_EXIT(EXIT_USAGE, "scan", "--bogus");
	CLI_EXIT(EXIT_USAGE, "config", "--max-objects", "0");
	CLI_EXIT(EXIT_USAGE, "config", "--max-objects", "67108865");
	CLI_EXIT(EXIT_USAGE, "config", "--event-threshold", "67108865");
	CLI_EXIT(EXIT_USAGE, "config", "--event-threshold", "-1");
	CLI_EXIT(EXIT_USAGE, "config", "--event-rate", "0");
	CLI_EXIT(EXIT_USAGE, "config", "--event-queue-max", "65537");
	CLI_EXIT(EXIT_USAGE, "config", "--event-rate", "5", "--event-rate", "6");
	CLI_EXIT(EXIT_USAGE, "config", "--max-owners", "1e3");
	CLI_EXIT(EXIT_USAGE, "config", "--max-owners", "4294967296");
	CLI_EXIT(EXIT_USAGE, "config", "--restrict-read", "3");
	CLI_EXIT(EXIT_USAGE, "config", "--reader-gid", "-1");
	CLI_EXIT(EXIT_USAGE, "config", "--restrict-read", "0", "--restrict-read", "1");
	CLI_EXIT(EXIT_USAGE, "version", "now");
	CLI_EXIT(EXIT_OK, "check", "--help");
	CLI_EXIT(EXIT_OK, "check", "--list");
	CLI_EXIT(EXIT_OK, "prometheus", "--help");
	CLI_EXIT(EXIT_OK, "growth", "--help");
	CLI_EXIT(EXIT_USAGE, "check");
	CLI_EXIT(EXIT_USAGE, "check", "frob");
	CLI_EXIT(EXIT_USAGE, "check", "owner.live");
	CLI_EXIT(EXIT_USAGE, "check", "owner.live", "x");
	CLI_EXIT(EXIT_USAGE, "check", "live", "extra");
	CLI_EXIT(EXIT_USAGE, "check", "--window", "10", "live");
	CLI_EXIT(EXIT_USAGE, "check", "--window", "604801", "live");
	CLI_EXIT(EXIT_USAGE, "check", "-n", "0", "discovery.owners");
	CLI_EXIT(EXIT_USAGE, "check", "--state", "", "live");
	CLI_EXIT(EXIT_USAGE, "prometheus", "extra");
	CLI_EXIT(EXIT_USAGE, "prometheus", "-o");
	CLI_EXIT(EXIT_USAGE, "growth", "--window", "abc");

	{
		static const char *const check_new[] = {
			"'unreachable'", "'exited'", NULL };
		static const char *const owner_new[] = {
			"'owner.unreachable'", "'owner.exited'", NULL };
		static const char *const uid_new[] = {
			"'uid.unreachable'", "'uid.exited'", NULL };
		static const char *const sort_new[] = { "'unreachable'", NULL };

		cli_renamed_ok(cli, "check orphans", "leakmon: check: 'orphans'",
			       "check", "orphans", NULL, check_new);
		cli_renamed_ok(cli, "check owner.orphans",
			       "leakmon: check: 'owner.orphans'", "check",
			       "owner.orphans", "1", owner_new);
		cli_renamed_ok(cli, "check uid.orphans",
			       "leakmon: check: 'uid.orphans'", "check",
			       "uid.orphans", "0", uid_new);
		cli_renamed_ok(cli, "top --sort orphans",
			       "leakmon: top: --sort 'orphans'", "top", "--sort",
			       "orphans", sort_new);
		cli_renamed_ok(cli, "watch --sort orphans",
			       "leakmon: watch: --sort 'orphans'", "watch",
			       "--sort", "orphans", sort_new);
	}
	CLI_EXIT(EXIT_USAGE, "top", "--sort", "orphans");
	CLI_EXIT(EXIT_USAGE, "watch", "-s", "orphans");
	CLI_EXIT(EXIT_OK, "top", "--sort", "unreachable", "--help");

	rc = run_cli(cli, out, sizeof(out), "version", "--json", (char *)NULL);
	ok((rc == EXIT_OK && json_valid(out) && strstr(out, "\"cli_version\"")) ||
	   rc == EXIT_PERM, "cli: version --json is valid JSON (exit %d)", rc);
}

/* ---- notifications (lm_parse_event, leakmon events output) ---- */

struct event_opts {
	uint8_t cmd;
	bool unknown;		/* attributes and a kind of unknown types */
	bool long_tgid;		/* LEAKMON_EVENT_A_TGID as 8 bytes */
	const char *comm;
	uint64_t count;		/* per kind */
};

static struct nlmsghdr *event_msg(void *buf, const struct event_opts *eo)
{
	struct nlmsghdr *nlh = genl_msg(buf, eo->cmd);
	struct nlattr *n, *k;

	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = 0;
	if (eo->unknown)
		mnl_attr_put_u32(nlh, LEAKMON_A_MAX + 1, 5);
	n = mnl_attr_nest_start(nlh, LEAKMON_A_EVENT);
	mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_TIME_NS, 123456789);
	if (eo->long_tgid)
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_TGID, 141);
	else
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_TGID, 141);
	mnl_attr_put_strz(nlh, LEAKMON_EVENT_A_COMM,
			  eo->comm ? eo->comm : "apache2");
	if (eo->unknown)
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_MAX + 1, 1);
	if (eo->cmd == LEAKMON_CMD_EVENT_SATURATED) {
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_REASON,
				 LEAKMON_SATURATION_TABLE_FULL);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_KIND_ID,
				 LEAKMON_KIND_SK_BLOB);
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_OBJECTS, 1000);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_MAX_OBJECTS, 1000);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_OWNERS, 12);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_MAX_OWNERS, 65536);
	} else {
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_START_NS, 55);
		mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_UID, 65534);
		mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_CGROUP_ID, 4321);
		if (eo->cmd == LEAKMON_CMD_EVENT_THRESHOLD) {
			mnl_attr_put_u32(nlh, LEAKMON_EVENT_A_THRESHOLD, 500);
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_LIVE,
					 eo->count * LM_NKINDS);
		} else if (eo->cmd == LEAKMON_CMD_EVENT_UNREACHABLE) {
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_UNREACHABLE,
					 eo->count * LM_NKINDS);
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_NEW, eo->count);
		} else {
			mnl_attr_put_u64(nlh, LEAKMON_EVENT_A_ORPHANS,
					 eo->count * LM_NKINDS);
		}
		for (uint32_t i = 0; i < LM_NKINDS + (eo->unknown ? 1 : 0); i++) {
			k = mnl_attr_nest_start(nlh, LEAKMON_EVENT_A_KIND);
			mnl_attr_put_u32(nlh, LEAKMON_OWNER_KIND_A_ID, i);
			mnl_attr_put_u64(nlh, LEAKMON_OWNER_KIND_A_LIVE,
					 eo->count);
			mnl_attr_nest_end(nlh, k);
		}
	}
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static char *events_json_text(const struct lm_event *ev)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	events_json(f, ev);
	fclose(f);
	return text;
}

static void test_events(void)
{
	struct event_opts eo = { .cmd = LEAKMON_CMD_EVENT_THRESHOLD,
				 .unknown = true, .count = 1000 };
	char line[256], *text;
	struct lm_error err;
	struct lm_event ev;
	bool found;
	int ret;

	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_THRESHOLD &&
	   ev.time_ns == 123456789 && ev.tgid == 141 && ev.start_ns == 55 &&
	   !strcmp(ev.comm, "apache2") && ev.uid == 65534 &&
	   ev.cgroup_id == 4321 && ev.threshold == 500 && ev.live == 3000 &&
	   ev.kind[0].present && ev.kind[2].present &&
	   ev.kind[1].count == 1000 &&
	   (ev.present & (LM_EVF_THRESHOLD | LM_EVF_LIVE | LM_EVF_UID)) ==
	   (LM_EVF_THRESHOLD | LM_EVF_LIVE | LM_EVF_UID) &&
	   !(ev.present & LM_EVF_ORPHANS),
	   "event: threshold, with unknown attributes and a future kind (%s)",
	   err.detail);
	events_format(line, sizeof(line), &ev, 123456789 + 5000000000ULL,
		      1000000);
	ok(strlen(line) <= 80 && strstr(line, "threshold apache2[141] ") &&
	   strstr(line, ": 3000 = sock 1000 fblob 1000 skblob 1000"),
	   "event: human line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) && strchr(text, '\n') == text + strlen(text) - 1 &&
	   strstr(text, "\"event\": \"threshold\"") &&
	   strstr(text, "\"kinds\": {\"sock_inode\": 1000, \"file_blob\": 1000, \"sk_blob\": 1000}") &&
	   strstr(text, "\"threshold\": 500") && strstr(text, "\"live\": 3000"),
	   "event: one JSON object on one line: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_ORPHANS;
	eo.comm = "a-very-long-command-name";
	eo.count = 123456789012ULL;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_ORPHANS &&
	   ev.orphans == 3 * eo.count && (ev.present & LM_EVF_ORPHANS) &&
	   !(ev.present & LM_EVF_LIVE) && strlen(ev.comm) == LM_COMM_SIZE - 1,
	   "event: exited (LEAKMON_CMD_EVENT_ORPHANS), comm truncated (%s)",
	   err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 && strstr(line, " exited ") &&
	   !strstr(line, "orphan"),
	   "event: long names and big counts fit 80 columns '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) && strstr(text, "\"event\": \"exited\"") &&
	   strstr(text, "\"live\": 370370367036") && !strstr(text, "orphan") &&
	   !strstr(text, "\"threshold\""), "event: exited JSON: %s",
	   text ? text : "(null)");
	free(text);
	eo.comm = NULL;

	eo.cmd = LEAKMON_CMD_EVENT_UNREACHABLE;
	eo.count = 1000;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.cmd == LEAKMON_CMD_EVENT_UNREACHABLE &&
	   ev.unreachable == 3000 && ev.added == 1000 &&
	   (ev.present & (LM_EVF_UNREACHABLE | LM_EVF_NEW)) ==
	   (LM_EVF_UNREACHABLE | LM_EVF_NEW) && ev.kind[2].count == 1000,
	   "event: unreachable (%s)", err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 &&
	   strstr(line, "unreachable apache2[141] ") &&
	   strstr(line, ": 3000 (+1000 since the last pass)"),
	   "event: unreachable line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) &&
	   strstr(text, "\"event\": \"unreachable\"") &&
	   strstr(text, "\"unreachable\": 3000") &&
	   strstr(text, "\"new\": 1000") && !strstr(text, "\"orphans\""),
	   "event: unreachable JSON: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_SATURATED;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && found && ev.reason == LEAKMON_SATURATION_TABLE_FULL &&
	   ev.kind_id == LEAKMON_KIND_SK_BLOB && ev.objects == 1000 &&
	   ev.max_objects == 1000 && ev.owners == 12 &&
	   ev.max_owners == 65536 && !ev.kind[0].present,
	   "event: saturated (%s)", err.detail);
	events_format(line, sizeof(line), &ev, 0, 1000000);
	ok(strlen(line) <= 80 &&
	   strstr(line, "saturated object table full: 1000/1000 objects"),
	   "event: saturated line '%s'", line);
	text = events_json_text(&ev);
	ok(text && json_valid(text) &&
	   strstr(text, "\"reason\": \"object_table_full\"") &&
	   strstr(text, "\"kind\": \"sk_blob\""),
	   "event: saturated JSON: %s", text ? text : "(null)");
	free(text);

	eo.cmd = LEAKMON_CMD_EVENT_SATURATED + 7;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_OK && !found, "event: an unknown command is skipped");
	ret = lm_parse_event(genl_msg(mb.buf, LEAKMON_CMD_GET_TOTALS), &ev,
			     &found, &err);
	ok(ret == LM_OK && !found, "event: a reply that is no event is skipped");
	ret = lm_parse_event(genl_msg(mb.buf, LEAKMON_CMD_EVENT_ORPHANS), &ev,
			     &found, &err);
	ok(ret == LM_OK && !found, "event: no LEAKMON_A_EVENT: skipped");

	eo.cmd = LEAKMON_CMD_EVENT_THRESHOLD;
	eo.long_tgid = true;
	ret = lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, &err);
	ok(ret == LM_ERR_PROTO && strstr(err.detail, "LEAKMON_EVENT_A_TGID"),
	   "event: wrong-length attribute rejected (%s)", err.detail);
	eo.long_tgid = false;
	{
		struct nlmsghdr *nlh = event_msg(mb.buf, &eo);

		/* cut the message inside its last attribute */
		nlh->nlmsg_len -= 6;
		ret = lm_parse_event(nlh, &ev, &found, &err);
		ok(ret == LM_ERR_PROTO, "event: truncated message rejected (%s)",
		   err.detail);
	}
}

/*
 * The lines of `leakmon events --json`, byte for byte: those of
 * Documentation/cli.md ("events --json"), with root for the user.
 */
static void test_events_lines(void)
{
	struct lm_event ex = {
		.cmd = LEAKMON_CMD_EVENT_ORPHANS,
		.present = LM_EVF_TIME | LM_EVF_TGID | LM_EVF_START |
			   LM_EVF_COMM | LM_EVF_UID | LM_EVF_CGROUP |
			   LM_EVF_ORPHANS,
		.time_ns = 813000000000ULL, .tgid = 141,
		.start_ns = 800000000000ULL, .comm = "apache2", .uid = 0,
		.cgroup_id = 1, .orphans = 3000,
		.kind = { { true, 1000 }, { true, 1000 }, { true, 1000 } },
	};
	struct lm_event sat = {
		.cmd = LEAKMON_CMD_EVENT_SATURATED,
		.present = LM_EVF_TIME | LM_EVF_TGID | LM_EVF_COMM |
			   LM_EVF_REASON | LM_EVF_KIND_ID | LM_EVF_OBJECTS |
			   LM_EVF_MAX_OBJECTS | LM_EVF_OWNERS |
			   LM_EVF_MAX_OWNERS,
		.time_ns = 900000000000ULL, .tgid = 77, .comm = "lm_hold",
		.reason = LEAKMON_SATURATION_TABLE_FULL,
		.kind_id = LEAKMON_KIND_SOCK_INODE, .objects = 1000,
		.max_objects = 1000, .owners = 12, .max_owners = 65536,
	};
	struct lm_event bare = {
		.cmd = LEAKMON_CMD_EVENT_THRESHOLD,
		.present = LM_EVF_COMM, .comm = "a\"b\x01",
	};
	static const char want_ex[] =
		"{\"event\": \"exited\", \"time_ns\": 813000000000, "
		"\"tgid\": 141, \"comm\": \"apache2\", "
		"\"start_ns\": 800000000000, \"uid\": 0, \"user\": \"root\", "
		"\"cgroup_id\": 1, \"live\": 3000, \"kinds\": "
		"{\"sock_inode\": 1000, \"file_blob\": 1000, "
		"\"sk_blob\": 1000}}\n";
	static const char want_sat[] =
		"{\"event\": \"saturated\", \"time_ns\": 900000000000, "
		"\"tgid\": 77, \"comm\": \"lm_hold\", "
		"\"reason\": \"object_table_full\", \"kind\": \"sock_inode\", "
		"\"objects\": 1000, \"max_objects\": 1000, \"owners\": 12, "
		"\"max_owners\": 65536}\n";
	static const char want_bare[] =
		"{\"event\": \"threshold\", \"time_ns\": null, "
		"\"tgid\": null, \"comm\": \"a\\\"b\\u0001\", "
		"\"start_ns\": null, \"uid\": null, \"user\": null, "
		"\"cgroup_id\": null, \"threshold\": null, \"live\": null, "
		"\"kinds\": {}}\n";
	char *text;

	text = events_json_text(&ex);
	ok(text && !strcmp(text, want_ex),
	   "event: exited JSON line byte for byte: %s", text ? text : "(null)");
	free(text);
	text = events_json_text(&sat);
	ok(text && !strcmp(text, want_sat),
	   "event: saturated JSON line byte for byte: %s",
	   text ? text : "(null)");
	free(text);
	text = events_json_text(&bare);
	ok(text && !strcmp(text, want_bare),
	   "event: attributes not sent are null, no kinds {}: %s",
	   text ? text : "(null)");
	free(text);
}

static char *events_print_text(const struct lm_event *ev, bool json,
			       bool prefix)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	events_print(f, ev, json, prefix, 0, 1000000);
	fclose(f);
	return text;
}

/* --priority-prefix: "<N>" before each line, for journald (sd-daemon(3)) */
static void test_events_priority(void)
{
	static const struct {
		uint8_t cmd;
		int prio;
		const char *name;
	} want[] = {
		{ LEAKMON_CMD_EVENT_UNREACHABLE, LOG_ERR, "unreachable" },
		{ LEAKMON_CMD_EVENT_SATURATED, LOG_WARNING, "saturated" },
		{ LEAKMON_CMD_EVENT_THRESHOLD, LOG_NOTICE, "threshold" },
		{ LEAKMON_CMD_EVENT_ORPHANS, LOG_INFO, "exited" },
	};
	struct event_opts eo = { .count = 1000 };
	char prefix[8], *plain, *text;
	struct lm_event ev;
	bool found;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		eo.cmd = want[i].cmd;
		lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, NULL);
		snprintf(prefix, sizeof(prefix), "<%d>", want[i].prio);
		plain = events_print_text(&ev, false, false);
		text = events_print_text(&ev, false, true);
		ok(found && events_priority(ev.cmd) == want[i].prio &&
		   plain && text && !strncmp(text, prefix, strlen(prefix)) &&
		   !strcmp(text + strlen(prefix), plain) &&
		   strstr(plain, want[i].name) && plain[0] != '<' &&
		   strchr(text, '\n') == text + strlen(text) - 1,
		   "event priority: %s is %s, one line: %s", want[i].name,
		   prefix, text ? text : "(null)");
		free(plain);
		free(text);
	}
	/* warning or above (a lower number): what journalctl -p warning shows */
	ok(events_priority(LEAKMON_CMD_EVENT_UNREACHABLE) <= LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_SATURATED) <= LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_THRESHOLD) > LOG_WARNING &&
	   events_priority(LEAKMON_CMD_EVENT_ORPHANS) > LOG_WARNING,
	   "event priority: unreachable and saturated at warning or above, the others below");
	eo.cmd = LEAKMON_CMD_EVENT_UNREACHABLE;
	lm_parse_event(event_msg(mb.buf, &eo), &ev, &found, NULL);
	text = events_print_text(&ev, true, true);
	ok(text && !strncmp(text, "<3>{", 4) && json_valid(text + 3),
	   "event priority: with --json, the prefix and then the object: %s",
	   text ? text : "(null)");
	free(text);
}

static struct nlmsghdr *ctrl_msg(uint8_t cmd, bool with_id, uint16_t id)
{
	struct nlmsghdr *nlh = genl_msg(mb.buf, cmd);

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_seq = 0;
	if (with_id)
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, id);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, LEAKMON_GENL_NAME);
	return nlh;
}

/* The module unloaded under leakmon events: nlctrl's DELFAMILY */
static void test_family_gone(void)
{
	struct nlmsghdr *nlh;

	ok(lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, true, FAMILY_ID),
			       FAMILY_ID),
	   "family gone: CTRL_CMD_DELFAMILY of the family");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, true,
					 FAMILY_ID + 1), FAMILY_ID),
	   "family gone: not for another family's DELFAMILY");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_NEWFAMILY, true, FAMILY_ID),
				FAMILY_ID) &&
	   !lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELMCAST_GRP, true,
					 FAMILY_ID), FAMILY_ID),
	   "family gone: not for NEWFAMILY or DELMCAST_GRP");
	ok(!lm_ctrl_family_gone(ctrl_msg(CTRL_CMD_DELFAMILY, false, 0), 0),
	   "family gone: not without CTRL_ATTR_FAMILY_ID");
	nlh = ctrl_msg(CTRL_CMD_DELFAMILY, true, FAMILY_ID);
	nlh->nlmsg_type = FAMILY_ID;
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: only from nlctrl (GENL_ID_CTRL)");
	nlh = genl_msg(mb.buf, CTRL_CMD_DELFAMILY);
	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_attr_put_u32(nlh, CTRL_ATTR_FAMILY_ID, FAMILY_ID);
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: a CTRL_ATTR_FAMILY_ID of the wrong size is not taken");
	nlh = mnl_nlmsg_put_header(mb.buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	ok(!lm_ctrl_family_gone(nlh, FAMILY_ID),
	   "family gone: a message without a genl header is not taken");
}

/* ---- record, graph axes, sparklines ---- */

static const char rec_hdr[] =
	"{\"type\":\"header\",\"format\":\"leakmon-record\",\"version\":1,"
	"\"host\":\"h\\u00e9\",\"kernel\":\"6.1\",\"cli_version\":\"0.1.0\","
	"\"module_version\":null,\"interval_s\":2.000,\"duration_s\":null,"
	"\"top\":10,\"t\":1000.000}\n";

static void test_record(void)
{
	struct rec_header h = { .interval_s = 2, .top = 10, .start_t = 1000 };
	struct rec_owner o[2] = {
		{ .tgid = 141, .start_ns = 7, .comm = "apache2", .uid = 65534,
		  .exited = true, .live = 30,
		  .live_kind = { 10, 10, 10 } },
		{ .tgid = 142, .comm = "apa\"che2\n", .live = 5 },
	};
	struct rec_sample s = { .t = 1002, .boot_ns = 5, .module = true,
				.live = 35, .exited = 30, .has_slab = true,
				.sunreclaim = 4096, .sreclaimable = 8192,
				.slab = 12288 };
	struct rec_sample d = { .t = 1004, .has_slab = true,
				.sunreclaim = 4096 };
	char *l[6], text[8192], why[256];
	struct recording r;
	struct rec_series *ser;
	struct jdoc jd = { 0 };
	size_t len = 0;
	int ret, ns;

	snprintf(h.host, sizeof(h.host), "host\"1");
	snprintf(d.error, sizeof(d.error), "module not loaded");
	l[0] = rec_line_header(&h);
	l[1] = rec_line_sample(&s, o, 2);
	l[2] = rec_line_gap(1004, 6, "module not loaded");
	l[3] = rec_line_sample(&d, NULL, 0);
	l[4] = rec_line_resume(1006, 7, true);
	s.t = 1006;
	l[5] = rec_line_sample(&s, o, 1);
	text[0] = '\0';
	for (int i = 0; i < 6; i++) {
		ok(l[i] && strchr(l[i], '\n') == l[i] + strlen(l[i]) - 1,
		   "record: line %d is one line ending in a newline", i);
		if (l[i])
			strcat(text, l[i]);
		free(l[i]);
	}
	len = strlen(text);
	ret = rec_parse(text, len, &r, why, sizeof(why));
	ok(ret == REC_OK && r.n == 3 && r.no == 3 && r.ngaps == 1 &&
	   r.recordings == 1, "record: round trip (%d %s)", ret, why);
	ok(strstr(text, "\"version\":2,") && strstr(text, "\"exited\":30,") &&
	   !strstr(text, "orphan"),
	   "record: format version 2 writes \"exited\"");
	if (ret == REC_OK) {
		ok(!strcmp(r.h.host, "host\"1") && r.h.interval_s == 2 &&
		   r.h.top == 10, "record: header fields");
		ok(r.s[0].module && r.s[0].live == 35 && r.s[0].exited == 30 &&
		   r.s[0].sunreclaim == 4096 && r.s[0].sreclaimable == 8192 &&
		   !r.s[1].module && !strcmp(r.s[1].error, "module not loaded"),
		   "record: sample fields");
		ok(r.o[0].tgid == 141 && r.o[0].exited &&
		   r.o[0].live_kind[2] == 10 && !strcmp(r.o[1].comm, "apa\"che2\n"),
		   "record: owner fields, escaped comm");
		ok(r.gap[0].t0 == 1004 && r.gap[0].t1 == 1006 &&
		   !strcmp(r.gap[0].reason, "module not loaded"),
		   "record: gap from 1004 to the resume at 1006");
		ns = rec_series(&r, REC_BY_COMM, 5, &ser);
		ok(ns == 2 && !strcmp(ser[0].name, "apache2") &&
		   ser[0].y[0] == 30 && isnan(ser[0].y[1]) &&
		   ser[0].y[2] == 30 && ser[0].max == 30 && ser[0].tasks == 1 &&
		   !strcmp(ser[1].name, "apa\"che2?"),
		   "record: series per comm, NaN without the module");
		if (ns > 0)
			rec_series_free(ser, (size_t)ns);
		ns = rec_series(&r, REC_BY_TASK, 1, &ser);
		ok(ns == 1 && !strcmp(ser[0].name, "apache2[141]"),
		   "record: series per task, limited to the top 1");
		if (ns > 0)
			rec_series_free(ser, (size_t)ns);
	}
	rec_free(&r);

	/* every cut inside the last line is "truncated" */
	ret = rec_parse(text, len - 1, &r, why, sizeof(why));
	ok(ret == REC_TRUNCATED && strstr(why, "truncated"),
	   "record: a missing final newline is truncated (%s)", why);
	rec_free(&r);
	ret = rec_parse(text, len - 40, &r, why, sizeof(why));
	ok(ret == REC_TRUNCATED, "record: a cut line is truncated (%s)", why);
	rec_free(&r);
	ret = rec_parse(text, 0, &r, why, sizeof(why));
	ok(ret == REC_EMPTY && strstr(why, "empty"),
	   "record: empty file (%s)", why);
	rec_free(&r);
	ret = rec_parse(rec_hdr, strlen(rec_hdr), &r, why, sizeof(why));
	ok(ret == REC_EMPTY && strstr(why, "no samples") &&
	   !strcmp(r.h.host, "h\xc3\xa9"),
	   "record: a header alone has no samples (%s), \\u00e9 decoded",
	   why);
	rec_free(&r);
	{
		static const char *const foreign[] = {
			"root:x:0:0:root:/root:/bin/bash\n",
			"{\"a\":1}\n",
			"[1,2]\n",
			"{\"type\":\"sample\",\"t\":1}\n",
			"{\"type\":\"header\",\"format\":\"other\"}\n",
			"\x89PNG\r\n\x1a\n",
			"{\"type\":\"header\"",
		};

		for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]);
		     i++) {
			ret = rec_parse(foreign[i], strlen(foreign[i]), &r, why,
					sizeof(why));
			ok(ret == REC_FOREIGN &&
			   strstr(why, "not a leakmon recording"),
			   "record: foreign text %zu refused (%s)", i, why);
			rec_free(&r);
		}
	}
	snprintf(text, sizeof(text), "%s{\"type\":\"header\",\"format\":"
		 "\"leakmon-record\",\"version\":3}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_VERSION_ERR, "record: a newer version refused (%s)",
	   why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":1,\"orphans\":0,\"top\":[{\"tgid\":-1,"
		 "\"live\":1}]}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "line 2") && strstr(why, "tgid"),
	   "record: a bad owner is corrupt, with its line (%s)", why);
	rec_free(&r);
	/*
	 * Version 1 (rec_hdr) called the objects of exited owners "orphans";
	 * a version 2 recording appended after it says "exited".
	 */
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":9,\"orphans\":7,\"top\":[{"
		 "\"tgid\":3,\"exited\":true,\"live\":7,\"orphans\":7}]}\n"
		 "{\"type\":\"header\",\"format\":\"leakmon-record\","
		 "\"version\":2,\"interval_s\":2,\"top\":10,\"t\":6}\n"
		 "{\"type\":\"sample\",\"t\":7,\"module\":true,\"live\":9,"
		 "\"exited\":8,\"top\":[]}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_OK && r.recordings == 2 && r.n == 2 &&
	   r.s[0].exited == 7 && r.s[1].exited == 8 && r.no == 1 &&
	   r.o[0].exited && r.o[0].live == 7,
	   "record: version 1 read, its \"orphans\" as exited (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":9,\"exited\":7,\"top\":[]}\n",
		 rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "orphans"),
	   "record: a version 1 sample needs its \"orphans\" (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":false}\n{\"type\":\"sample\",\"t\":4,"
		 "\"module\":false}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "backwards"),
	   "record: time going backwards is corrupt (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"future\"}\n"
		 "{\"type\":\"sample\",\"t\":5,\"module\":false}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_OK && r.lines_skipped == 1,
	   "record: a line of an unknown type is skipped");
	rec_free(&r);

	/* the JSON reader */
	ok(!jparse(&jd, " {\"a\":[1,-2.5e3,true,null,\"x\\ty\"],\"b\":{}} ",
		   41, why, sizeof(why)) && jd.v[1].type == JT_OBJ &&
	   jget(&jd, &jd.v[1], "a")->type == JT_ARR,
	   "json reader: nested values (%s)", why);
	{
		static const char *const badj[] = {
			"{", "{\"a\"}", "{\"a\":01}", "[1,]", "\"\\x\"",
			"{\"a\":1}x", "tru", "\"a\tb\"", "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]",
		};

		for (size_t i = 0; i < sizeof(badj) / sizeof(badj[0]); i++)
			ok(jparse(&jd, badj[i], strlen(badj[i]), why,
				  sizeof(why)) == -EINVAL,
			   "json reader: '%s' refused (%s)", badj[i], why);
	}
	ok(!jparse(&jd, "18446744073709551615", 20, why, sizeof(why)) &&
	   jd.v[1].is_uint && jd.v[1].u == UINT64_MAX,
	   "json reader: 64-bit counts are exact");
	jdoc_free(&jd);
}

/*
 * The lines of a recording, byte for byte: the example of
 * Documentation/cli.md ("The recording format"), one object a line.
 */
/* Bytes of the regular files in the directory of path */
static uint64_t dir_bytes(const char *path)
{
	char dir[PATH_MAX], p[PATH_MAX * 2];
	const char *slash = strrchr(path, '/');
	uint64_t total = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!stat(p, &st) && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

/* How many entries of dir end in suffix */
static unsigned int dir_count(const char *dir, const char *suffix)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] != '.' && l >= sl &&
		    !strcmp(e->d_name + l - sl, suffix))
			n++;
	}
	closedir(d);
	return n;
}

/* ---- the flight recorder: sizes, times, rotation, sets of files ---- */

static void test_record_parsers(void)
{
	uint64_t v = 0;
	double t = 0;

	ok(!parse_size("1048576", UINT64_MAX, &v) && v == 1048576 &&
	   !parse_size("64k", UINT64_MAX, &v) && v == 65536 &&
	   !parse_size("8M", UINT64_MAX, &v) && v == 8 << 20 &&
	   !parse_size("1GiB", UINT64_MAX, &v) && v == 1 << 30,
	   "size: bytes, k, M, GiB");
	ok(parse_size("8m", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("-1M", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("M", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("2G", 1 << 30, &v) == -ERANGE &&
	   parse_size("99999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "size: bad units, signs, overflow refused");
	ok(!parse_when("7d", 1000000, &t) && t == 1000000 - 7 * 86400 &&
	   !parse_when("90m", 1000000, &t) && t == 1000000 - 5400 &&
	   !parse_when("2w", 2000000, &t) && t == 2000000 - 14 * 86400 &&
	   !parse_when("@1700000000", 0, &t) && t == 1700000000,
	   "when: durations back from now, @UNIXTIME");
	{
		struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 1,
				 .tm_hour = 8, .tm_min = 30, .tm_isdst = -1 };
		double want = (double)mktime(&tm);

		ok(!parse_when("2026-12-01 08:30", 0, &t) && t == want &&
		   !parse_when("2026-12-01T08:30:00", 0, &t) && t == want &&
		   !parse_when("2026-12-01", 0, &t) && t == want - 8.5 * 3600,
		   "when: local dates and times");
	}
	ok(parse_when("7", 0, &t) == -EINVAL &&
	   parse_when("7y", 0, &t) == -EINVAL &&
	   parse_when("d", 0, &t) == -EINVAL &&
	   parse_when("yesterday", 0, &t) == -EINVAL &&
	   parse_when("2026-13-01", 0, &t) == -EINVAL &&
	   parse_when("2026-12-01 8", 0, &t) == -EINVAL &&
	   parse_when("@", 0, &t) == -EINVAL,
	   "when: no unit, unknown unit or word, bad date refused");
}

/* Records n samples step s apart from t0 into o, rotating as record does */
static bool rec_sim(struct rec_out *o, double t0, double step, unsigned int n,
		    uint64_t *peak)
{
	struct rec_header h = { .interval_s = step, .top = 10 };
	struct rec_owner w[10];
	bool good = true;

	snprintf(h.host, sizeof(h.host), "sim");
	for (unsigned int i = 0; i < 10; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].tgid = 100 + i;
		snprintf(w[i].comm, sizeof(w[i].comm), "%s",
			 i ? "php-fpm" : "apache2");
		w[i].live_kind[0] = w[i].live_kind[1] = 10 * (10 - i);
	}
	for (unsigned int i = 0; i < n && good; i++) {
		struct rec_sample s = { .t = t0 + step * i, .module = true,
					.has_slab = true,
					.sunreclaim = (uint64_t)1 << 26,
					.sreclaimable = (uint64_t)1 << 27 };
		char why[256], *l;

		/* apache2 leaks a socket and its file blob a minute */
		w[0].live_kind[0] = w[0].live_kind[1] = 100 + i;
		w[0].live = 2 * (100 + i);
		s.live = w[0].live;
		if (rec_out_due(o)) {
			good = !rec_out_rotate(o, s.t, why, sizeof(why));
			if (!good)
				diag("rotate: %s", why);
			h.start_t = s.t;
			l = rec_line_header(&h);
			good = good && l && !rec_out_write(o, l);
			free(l);
		} else if (!i) {
			h.start_t = s.t;
			l = rec_line_header(&h);
			good = l && !rec_out_write(o, l);
			free(l);
		}
		l = rec_line_sample(&s, w, 10);
		good = good && l && !rec_out_write(o, l);
		free(l);
		o->last_t = s.t;
		/* the most: when the file is full, and at the end */
		if (peak && (rec_out_due(o) || i + 1 == n)) {
			uint64_t total = dir_bytes(o->path);

			if (total > *peak)
				*peak = total;
		}
	}
	return good;
}
static void test_record_rotation(void)
{
	char dir[] = "/tmp/leakmon-unit-rec-XXXXXX", path[PATH_MAX];
	char name[PATH_MAX + 64], why[4400] = "", cmd[PATH_MAX + 32];
	const double week = 7 * 86400, t0 = 1790000000;
	struct rec_out o = { 0 };
	struct recording r;
	unsigned int files = 0, seq;
	uint64_t peak = 0;
	char *in[1];
	double t;
	bool gz, mono, good;
	int ret;

	rec_segment_name(name, sizeof(name), "/d/recorder.jsonl", 1790000000.7,
			 0, true);
	ok(!strcmp(name, "/d/recorder.jsonl-20260921T141320Z.gz") &&
	   rec_segment_parse("recorder.jsonl-20260921T141320Z.gz",
			     "recorder.jsonl", &t, &seq, &gz) &&
	   t == 1790000000 && !seq && gz, "segment: name %s and back", name);
	ok(rec_segment_parse("a-b.jsonl-20260921T141320Z-3", NULL, &t, &seq,
			     &gz) && seq == 3 && !gz &&
	   !rec_segment_parse("recorder.jsonl", NULL, &t, &seq, &gz) &&
	   !rec_segment_parse("x-20260922T124000Z.gz.tmp", NULL, &t, &seq,
			      &gz) &&
	   !rec_segment_parse("x-20260922T1240Z", NULL, &t, &seq, &gz) &&
	   !rec_segment_parse("other.jsonl-20260922T124000Z.gz",
			      "recorder.jsonl", &t, &seq, &gz),
	   "segment: a sequence number; other names are no segments");

	if (!mkdtemp(dir)) {
		ok(false, "rotation: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/recorder.jsonl", dir);
	in[0] = dir;

	/* a simulated week, a sample in 5 minutes, 64 KiB files, 128 KiB */
	ok(!rec_out_open(&o, path, why, sizeof(why)), "rotation: open (%s)",
	   why);
	o.rotate_size = 64 << 10;
	o.max_total = 128 << 10;
	good = rec_sim(&o, t0, 300, 7 * 288, &peak);
	ok(good, "rotation: a week written, %u files rotated, %u removed",
	   o.rotated, o.removed);
	rec_out_close(&o);
	ok(peak <= o.max_total + 4096 && o.removed > 0 && o.rotated > 10,
	   "rotation: the directory stays within 128 KiB and a line (peak %" PRIu64 ")",
	   peak);
	ok(dir_count(dir, ".gz") == o.rotated - o.removed &&
	   dir_count(dir, ".tmp") == 0 && dir_count(dir, "Z") == 0,
	   "rotation: every rotated file is gzip'ed (%u)",
	   dir_count(dir, ".gz"));
	snprintf(cmd, sizeof(cmd), "zcat %s/*.gz | grep -c '\"type\":\"header\"' >/dev/null", dir);
	ok(system(cmd) == 0, "rotation: zcat reads the rotated files");

	/* what is left, read back in time order */
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	mono = ret == REC_OK;
	for (size_t i = 1; mono && i < r.n; i++)
		mono = r.s[i].t == r.s[i - 1].t + 300;
	ok(mono && r.t_end == t0 + 300.0 * (7 * 288 - 1) &&
	   files == o.rotated - o.removed + 1 && r.recordings == files,
	   "set: %zu samples 5 minutes apart in %u files, up to the last (%s)",
	   r.n, files, why);
	ok(ret == REC_OK && r.o[r.s[r.n - 1].first_owner].live ==
	   2 * (100 + 7 * 288 - 1) && !strcmp(r.h.host, "sim"),
	   "set: owners and header carried over");
	rec_free(&r);
	ret = rec_load_set(in, 1, t0 + week - 6 * 3600, t0 + week - 3 * 3600,
			   "unit", &r, &files, why, sizeof(why));
	ok(ret == REC_OK && r.n == 37 && r.s[0].t == t0 + week - 6 * 3600,
	   "set: --since and --until keep 3 hours (%zu samples, %u files)",
	   r.n, files);
	rec_free(&r);
	ret = rec_load_set(in, 1, t0 + 2 * week, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_NODATA && strstr(why, "no samples"),
	   "set: nothing in the range is REC_NODATA (%s)", why);
	rec_free(&r);

	/* a week with the unit's bounds: nothing removed, all of it drawn */
	{
		char d2[] = "/tmp/leakmon-unit-rec-XXXXXX";

		if (mkdtemp(d2)) {
			snprintf(path, sizeof(path), "%s/recorder.jsonl", d2);
			rec_out_open(&o, path, why, sizeof(why));
			o.rotate_size = 1 << 20;
			o.max_total = 8 << 20;
			o.keep_s = 30 * 86400;
			peak = 0;
			rec_sim(&o, t0, 60, 7 * 1440, NULL);
			rec_out_close(&o);
			peak = dir_bytes(path);
			in[0] = d2;
			ret = rec_load_set(in, 1, t0 + 60 * 7 * 1440 - week,
					   NAN, "unit", &r, &files, why,
					   sizeof(why));
			ok(ret == REC_OK && !o.removed && r.n == 7 * 1440 &&
			   r.t_end - r.s[0].t == week - 60,
			   "week: %u rotated, none removed, %zu samples span "
			   "the week, %" PRIu64 " bytes (%.1f per sample)",
			   o.rotated, r.n, peak,
			   (double)peak / (7 * 1440));
			rec_free(&r);
			snprintf(cmd, sizeof(cmd), "rm -rf %s", d2);
			if (system(cmd))
				diag("%s failed", cmd);
		}
	}

	/* 40 days kept to 30: the oldest segments go by age */
	snprintf(path, sizeof(path), "%s/recorder.jsonl", dir);
	in[0] = dir;
	snprintf(cmd, sizeof(cmd), "rm -f %s/*", dir);
	ok(system(cmd) == 0, "keep-days: a fresh directory");
	rec_out_open(&o, path, why, sizeof(why));
	o.rotate_size = 256 << 10;
	o.keep_s = 30 * 86400;
	good = rec_sim(&o, t0, 300, 40 * 288, NULL);
	ok(good && o.removed > 0, "keep-days: 40 days written, %u removed",
	   o.removed);
	rec_out_close(&o);
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	t = t0 + 300.0 * (40 * 288 - 1);
	ok(ret == REC_OK && r.s[0].t >= t - 30 * 86400 - 86400 &&
	   r.s[0].t <= t - 29 * 86400,
	   "keep-days: about 30 days left (%.2f days)",
	   ret ? 0 : (t - r.s[0].t) / 86400);
	rec_free(&r);

	/* a segment left plain (a crash before gzip) and a bad file */
	rec_segment_name(name, sizeof(name), path, t0, 0, false);
	{
		FILE *f = fopen(name, "w");

		if (f) {
			fprintf(f, "%s{\"type\":\"sample\",\"t\":%.3f,"
				"\"module\":false}\n", rec_hdr, t0);
			fclose(f);
		}
		snprintf(cmd, sizeof(cmd), "%s/bad.jsonl", dir);
		f = fopen(cmd, "w");
		if (f) {
			fprintf(f, "%s{\"type\":\"sample\"}\n", rec_hdr);
			fclose(f);
		}
	}
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_OK && r.s[0].t == t0,
	   "set: a plain segment is read, a bad file skipped (%s)", why);
	rec_free(&r);
	rec_out_open(&o, path, why, sizeof(why));
	o.rotate_size = 64 << 10;
	o.keep_s = 0;
	rec_out_prune(&o, t);
	rec_out_close(&o);
	ok(access(name, F_OK) && errno == ENOENT &&
	   (snprintf(name + strlen(name), 4, ".gz"), !access(name, R_OK)),
	   "prune: a plain segment left behind is gzip'ed");
	{
		char *named[2] = { dir, cmd };

		ret = rec_load_set(named, 2, NAN, NAN, "unit", &r, &files,
				   why, sizeof(why));
		ok(ret == REC_CORRUPT && strstr(why, "bad.jsonl"),
		   "set: a bad file named on the command line fails (%s)",
		   why);
		rec_free(&r);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		diag("%s failed", cmd);
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_IO, "set: a missing directory is REC_IO (%s)", why);
	rec_free(&r);
}

static void test_record_lines(void)
{
	struct rec_header h = {
		.host = "web3", .kernel = "6.1.0-26-amd64",
		.cli_version = "0.1.0", .module_version = "0.1.0",
		.interval_s = 2, .top = 10, .start_t = 1700000000.0,
	};
	struct rec_owner o = {
		.tgid = 141, .start_ns = 800000000000ULL, .comm = "apache2",
		.uid = 65534, .exited = true, .live = 3000,
		.live_kind = { 1000, 1000, 1000 },
	};
	struct rec_sample s = {
		.t = 1700000000.002, .boot_ns = 812000000000ULL,
		.module = true, .objects = 3300, .live = 3300, .owners = 4,
		.owners_exited = 1, .exited = 3000,
		.reset_ns = 100000000000ULL, .has_slab = true,
		.slab = 435159040, .sunreclaim = 120586240,
		.sreclaimable = 314572800,
	};
	struct rec_sample d = {
		.t = 1700000060.0, .boot_ns = 872000000000ULL,
		.error = "module not loaded", .has_slab = true,
		.slab = 435159040, .sunreclaim = 120586240,
		.sreclaimable = 314572800,
	};
	static const char *const want[] = {
		"{\"type\":\"header\",\"format\":\"leakmon-record\","
		"\"version\":2,\"host\":\"web3\",\"kernel\":\"6.1.0-26-amd64\","
		"\"cli_version\":\"0.1.0\",\"module_version\":\"0.1.0\","
		"\"interval_s\":2.000,\"duration_s\":null,\"top\":10,"
		"\"t\":1700000000.000}\n",
		"{\"type\":\"sample\",\"t\":1700000000.002,"
		"\"boot_ns\":812000000000,\"slab_bytes\":435159040,"
		"\"sunreclaim_bytes\":120586240,"
		"\"sreclaimable_bytes\":314572800,\"module\":true,"
		"\"reset_ns\":100000000000,\"objects\":3300,\"live\":3300,"
		"\"exited\":3000,\"owners\":4,\"owners_exited\":1,"
		"\"top\":[{\"tgid\":141,\"start_ns\":800000000000,"
		"\"comm\":\"apache2\",\"uid\":65534,\"exited\":true,"
		"\"live\":3000,\"kinds\":{\"sock_inode\":1000,"
		"\"file_blob\":1000,\"sk_blob\":1000}}]}\n",
		"{\"type\":\"gap\",\"t\":1700000060.000,"
		"\"boot_ns\":872000000000,\"reason\":\"module not loaded\"}\n",
		"{\"type\":\"sample\",\"t\":1700000060.000,"
		"\"boot_ns\":872000000000,\"slab_bytes\":435159040,"
		"\"sunreclaim_bytes\":120586240,"
		"\"sreclaimable_bytes\":314572800,\"module\":false,"
		"\"error\":\"module not loaded\"}\n",
		"{\"type\":\"resume\",\"t\":1700000070.000,"
		"\"boot_ns\":882000000000,\"reloaded\":true}\n",
		/* no slab figures, no owners, a duration */
		"{\"type\":\"sample\",\"t\":1700000000.002,"
		"\"boot_ns\":812000000000,\"slab_bytes\":null,"
		"\"sunreclaim_bytes\":null,\"sreclaimable_bytes\":null,"
		"\"module\":true,\"reset_ns\":100000000000,\"objects\":3300,"
		"\"live\":3300,\"exited\":3000,\"owners\":4,"
		"\"owners_exited\":1,\"top\":[]}\n",
		"{\"type\":\"header\",\"format\":\"leakmon-record\","
		"\"version\":2,\"host\":\"web3\",\"kernel\":\"6.1.0-26-amd64\","
		"\"cli_version\":\"0.1.0\",\"module_version\":null,"
		"\"interval_s\":2.000,\"duration_s\":60.000,\"top\":10,"
		"\"t\":1700000000.000}\n",
	};
	char *got[7];

	got[0] = rec_line_header(&h);
	got[1] = rec_line_sample(&s, &o, 1);
	got[2] = rec_line_gap(1700000060.0, 872000000000ULL,
			      "module not loaded");
	got[3] = rec_line_sample(&d, NULL, 0);
	got[4] = rec_line_resume(1700000070.0, 882000000000ULL, true);
	s.has_slab = false;
	got[5] = rec_line_sample(&s, &o, 0);
	h.module_version[0] = '\0';
	h.duration_s = 60;
	got[6] = rec_line_header(&h);
	for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++) {
		ok(got[i] && !strcmp(got[i], want[i]),
		   "record: line %zu byte for byte", i);
		if (got[i] && strcmp(got[i], want[i]))
			diag("got  %s# want %s", got[i], want[i]);
		free(got[i]);
	}
}

static void test_axis(void)
{
	struct axis a;
	char buf[64];

	axis_nice(&a, 0, 1200, 7, false);
	ok(a.lo == 0 && a.hi == 1200 && a.step == 200 && a.n == 7,
	   "axis: 0..1200 in 7 ticks: step 200 (%g..%g step %g, %zu)",
	   a.lo, a.hi, a.step, a.n);
	axis_nice(&a, 0, 1201, 7, false);
	ok(a.step == 500 && a.hi == 1500 && a.n == 4,
	   "axis: 0..1201: step 500 up to 1500 (%g, %g)", a.step, a.hi);
	axis_nice(&a, 0, 0, 7, false);
	ok(a.lo == 0 && a.hi == 1 && a.n >= 2,
	   "axis: an empty range becomes 0..1 (%g..%g)", a.lo, a.hi);
	axis_nice(&a, 3, 3, 7, false);
	ok(a.lo < 3 && a.hi > 3, "axis: a constant gets a range around it");
	axis_nice(&a, 100.0 * 1048576, 104.0 * 1048576, 7, true);
	ok(a.step == 1048576 && a.lo == 100.0 * 1048576,
	   "axis: bytes 100..104 MiB: step 1 MiB (%g)", a.step);
	axis_nice(&a, 0, 3e9, 7, true);
	ok(a.step == 512.0 * 1048576 && a.n <= 7,
	   "axis: bytes 0..3e9: step 512 MiB (%g, %zu ticks)", a.step, a.n);
	for (int m = 2; m <= 12; m++) {
		axis_nice(&a, 17, 98765, (size_t)m, false);
		if (a.n > (size_t)m || a.lo > 17 || a.hi < 98765)
			break;
		if (m == 12)
			ok(true, "axis: never more ticks than asked, range covered");
	}
	axis_time(&a, 1000000000.0 + 7, 1000000000.0 + 7 + 600, 8);
	ok(a.step == 120 && a.n == 5 && fmod(a.tick[0], 60) == 0,
	   "axis: 10 min in 8 ticks: every 2 min on whole minutes (%g, %zu, %g)",
	   a.step, a.n, a.tick[0]);
	axis_time(&a, 1000000000.0, 1000000000.0 + 20, 8);
	ok(a.step == 5 && a.n == 5, "axis: 20 s: every 5 s (%g, %zu)",
	   a.step, a.n);
	axis_time(&a, 0, 3 * 86400, 8);
	ok(a.step == 43200, "axis: 3 days: every 12 h (%g)", a.step);
	setenv("TZ", "UTC", 1);
	tzset();
	axis_time_label(buf, sizeof(buf), 3723, 5, 60);
	ok(!strcmp(buf, "01:02:03"), "axis: label with seconds (%s)", buf);
	axis_time_label(buf, sizeof(buf), 3723, 60, 600);
	ok(!strcmp(buf, "01:02"), "axis: label in minutes (%s)", buf);
	axis_time_label(buf, sizeof(buf), 86400 * 31 + 3600, 3600, 86400 * 3);
	ok(!strcmp(buf, "02-01 01:00"), "axis: label with the date (%s)", buf);
	axis_count_label(buf, sizeof(buf), 950);
	ok(!strcmp(buf, "950"), "axis: count 950 (%s)", buf);
	axis_count_label(buf, sizeof(buf), 1500);
	ok(!strcmp(buf, "1.5k"), "axis: count 1.5k (%s)", buf);
	axis_count_label(buf, sizeof(buf), 2000000);
	ok(!strcmp(buf, "2M"), "axis: count 2M (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 100.0 * 1048576, 1048576);
	ok(!strcmp(buf, "100 MiB"), "axis: bytes 100 MiB (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 1.5 * 1048576, 524288);
	ok(!strcmp(buf, "1.5 MiB"), "axis: bytes 1.5 MiB (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 0, 1048576);
	ok(!strcmp(buf, "0 MiB"), "axis: 0 in the step's unit (%s)", buf);
}

static void test_sparkline(void)
{
	const uint64_t v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	const uint64_t big[] = { 1, 1000000 }, zero[] = { 0, 0, 0 };
	char buf[128];
	size_t n;

	n = sparkline(buf, sizeof(buf), v, 8, 8, false);
	ok(n == 8 && !strcmp(buf, " .:-=+*#"), "sparkline: ramp (%s)", buf);
	n = sparkline(buf, sizeof(buf), v, 8, 4, false);
	ok(n == 4 && !strcmp(buf, "=+*#"),
	   "sparkline: the last 4 values (%s)", buf);
	n = sparkline(buf, sizeof(buf), v + 6, 2, 5, false);
	ok(n == 5 && !strcmp(buf, "   *#"),
	   "sparkline: short history right-aligned (%s)", buf);
	sparkline(buf, sizeof(buf), big, 2, 2, false);
	ok(!strcmp(buf, ".#"), "sparkline: a small value never shows as 0 (%s)",
	   buf);
	sparkline(buf, sizeof(buf), zero, 3, 3, false);
	ok(!strcmp(buf, "   "), "sparkline: all zero (%s)", buf);
	n = sparkline(buf, sizeof(buf), v, 8, 8, true);
	ok(n == 8 && strlen(buf) == 24 &&
	   !strcmp(buf + 21, "\xe2\x96\x88") && !memcmp(buf, "\xe2\x96\x81", 3),
	   "sparkline: UTF-8 blocks U+2581..U+2588");
	n = sparkline(buf, 10, v, 8, 8, true);
	ok(n == 0 && !buf[0], "sparkline: too small a buffer gives \"\"");
	n = sparkline(buf, sizeof(buf), NULL, 0, 3, false);
	ok(n == 3 && !strcmp(buf, "   "), "sparkline: no values");
}

/*
 * unit_tests --write-seeds DIR: the reply messages the tests build, one a
 * file, as the seed corpus of the fuzzer (user/fuzz/fuzz_reply.c).
 */
static int write_seed(const char *dir, const char *name,
		      const struct nlmsghdr *nlh)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len ||
	    fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int write_seeds(const char *dir)
{
	static union {
		char buf[16384];
		uint64_t align;
	} b;
	struct owner_opts oo = { .tgid = 42, .start_ns = 7, .comm = "apache2",
				 .uid = 65534, .cgroup = 9, .exited = true,
				 .live = { 1000, 1000, 1000 }, .unknown = true };
	struct event_opts eo = { .cmd = LEAKMON_CMD_EVENT_THRESHOLD,
				 .comm = "nginx", .count = 5 };
	struct nlmsghdr *nlh;
	int rc = 0;

	rc |= write_seed(dir, "totals", totals_msg(false));
	rc |= write_seed(dir, "totals-unknown", totals_msg(true));
	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	put_config(nlh, true);
	rc |= write_seed(dir, "config", nlh);
	rc |= write_seed(dir, "owner", owner_msg(b.buf, &oo));
	for (uint8_t cmd = LEAKMON_CMD_EVENT_THRESHOLD;
	     cmd <= LEAKMON_CMD_EVENT_SATURATED; cmd++) {
		char name[32];

		eo.cmd = cmd;
		eo.unknown = cmd == LEAKMON_CMD_EVENT_SATURATED;
		snprintf(name, sizeof(name), "event-%u", cmd);
		rc |= write_seed(dir, name, event_msg(b.buf, &eo));
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	printf("TAP version 13\n");
	test_totals();
	test_totals_kind_above_max();
	test_totals_bad();
	test_owner();
	test_unreach();
	test_config();
	test_config_fields();
	test_events();
	test_events_lines();
	test_events_priority();
	test_family_gone();
	test_rx_dump();
	test_rx_errors();
	test_rx_framing();
	test_json();
	test_json_layouts();
	test_numbers();
	test_format();
	test_top();
	test_incomplete();
	test_meminfo();
	test_signed_only();
	test_cgroup_paths();
	test_render_status();
	test_render_config();
	test_render_top();
	test_lsq();
	test_growth_file();
	test_growth_fit();
	test_growth_state();
	test_mon_bytes();
	test_check_values();
	test_prometheus();
	test_live_nlctrl();
	test_record();
	test_record_parsers();
	test_record_rotation();
	test_record_lines();
	test_axis();
	test_sparkline();
	test_cli();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
