// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of libleakmon's parsers (totals, owners, unreachable objects,
 * configuration), fed reply messages built in memory; the builders are
 * shared (unit.h).
 */
#include "unit.h"

/* ---- message builders ---- */

union unit_msgbuf mb;

struct nlmsghdr *genl_msg(void *buf, uint8_t cmd)
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

void put_config(struct nlmsghdr *nlh, bool unknown)
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
	if (ko->id == 0)
		mnl_attr_put_strz(nlh, LEAKMON_KIND_A_PROBE_MECHANISM, "fprobe");
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

struct nlmsghdr *totals_msg(bool unknown)
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
	       !strcmp(k0->mechanism, "fprobe") && !k1->mechanism[0] &&
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

void test_totals(void)
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

void test_totals_kind_above_max(void)
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

void test_totals_bad(void)
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

struct nlmsghdr *owner_msg(void *buf, const struct owner_opts *oo)
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

void test_owner(void)
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

void test_unreach(void)
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

void test_config(void)
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
void test_config_fields(void)
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
