// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, the netlink protocol (rejections and their
 * extack messages, the configuration) and its permissions.  Kselftest
 * harness, TAP output; the helpers and the fixture are in leakmon_test.h.
 */
#include "leakmon_test.h"

/* ---- netlink: rejections and extack ------------------------------------ */

static void put_attr(char *buf, size_t *off, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(buf + *off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(buf + *off + NLA_HDRLEN, data, len);
	*off += NLA_ALIGN(a->nla_len);
}

/* A LEAKMON_A_CONFIG nest holding one attribute. */
static size_t config_nest(char *buf, uint16_t type, const void *data,
			  uint16_t len)
{
	struct nlattr *nest = (struct nlattr *)buf;
	size_t off = NLA_HDRLEN;

	put_attr(buf, &off, type, data, len);
	nest->nla_type = NLA_F_NESTED | LEAKMON_A_CONFIG;
	nest->nla_len = off;
	return off;
}

static void expect_rejected(struct __test_metadata *_metadata,
			    struct lm_handle *h, uint8_t cmd, uint16_t flags,
			    const void *attrs, size_t len, int err,
			    const char *what)
{
	struct lm_raw_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = lm_raw(h, cmd, flags, attrs, len, NULL, NULL, &res);
	EXPECT_EQ(LM_ERR_KERNEL, rc) TH_LOG("%s: accepted", what);
	EXPECT_EQ(err, res.error) TH_LOG("%s: errno %d", what, res.error);
	EXPECT_NE(0, strlen(res.extack)) TH_LOG("%s: no extack", what);
	TH_LOG("%s: %s (%s)", what, strerror(res.error), res.extack);
}

TEST_F_TIMEOUT(leakmon, netlink_rejects_bad_attributes, 300)
{
	uint32_t u32 = 1000;
	uint16_t u16 = 1000;
	char buf[256];
	size_t len;

	len = 0;
	put_attr(buf, &len, 200, &u32, sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_GET_TOTALS, 0, buf,
			len, EINVAL, "unknown attribute type");
	expect_rejected(_metadata, self->h, LEAKMON_CMD_GET_OWNERS, NLM_F_DUMP,
			buf, len, EINVAL, "unknown attribute in a dump");

	len = 0;
	put_attr(buf, &len, LEAKMON_A_OBJECTS, &u32, sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_RESET, 0, buf, len,
			EINVAL, "attribute the command does not take");

	len = config_nest(buf, LEAKMON_CONFIG_A_MAX_OBJECTS, &u16, sizeof(u16));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, EINVAL, "wrong length");

	u32 = 0;
	len = config_nest(buf, LEAKMON_CONFIG_A_MAX_OBJECTS, &u32, sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "max_objects 0");

	u32 = LEAKMON_MAX_OWNERS_LIMIT + 1;
	len = config_nest(buf, LEAKMON_CONFIG_A_MAX_OWNERS, &u32, sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "max_owners above limit");

	u32 = LEAKMON_MAX_OBJECTS_LIMIT + 1;
	len = config_nest(buf, LEAKMON_CONFIG_A_EVENT_THRESHOLD, &u32,
			  sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "event_threshold above limit");

	u32 = 0;
	len = config_nest(buf, LEAKMON_CONFIG_A_EVENT_RATE, &u32, sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "event_rate 0");

	u32 = LEAKMON_EVENT_QUEUE_LIMIT + 1;
	len = config_nest(buf, LEAKMON_CONFIG_A_EVENT_QUEUE_MAX, &u32,
			  sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "event_queue_max above limit");

	u32 = 4096;
	len = config_nest(buf, LEAKMON_CONFIG_A_HASH_BUCKETS, &u32,
			  sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, EINVAL, "read-only hash_buckets");

	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, NULL, 0,
			EINVAL, "set config without LEAKMON_A_CONFIG");
}

TEST_F_TIMEOUT(leakmon, config_roundtrip, 300)
{
	struct lm_config set = { 0 }, now, before;

	ASSERT_EQ(LM_OK, lm_get_config(self->h, &before));
	set.present = LM_CFG_MAX_OWNERS;
	set.max_owners = 12345;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, &now));
	EXPECT_EQ(12345, now.max_owners);
	EXPECT_EQ(before.max_objects, now.max_objects);
	EXPECT_EQ(0, sh("grep -qx 12345 /sys/module/leakmon/parameters/max_owners"));
	/* Module parameters refuse out-of-range writes too. */
	EXPECT_NE(0, sh("echo 0 > /sys/module/leakmon/parameters/max_owners 2>/dev/null"));
	set.max_owners = before.max_owners;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, &now));
	EXPECT_EQ(before.max_owners, now.max_owners);

	/* The event settings: in the reply, in sysfs, and back. */
	EXPECT_EQ(LM_CFG_EVENT_THRESHOLD | LM_CFG_EVENT_RATE |
		  LM_CFG_EVENT_QUEUE_MAX,
		  before.present & (LM_CFG_EVENT_THRESHOLD | LM_CFG_EVENT_RATE |
				    LM_CFG_EVENT_QUEUE_MAX));
	set.present = LM_CFG_EVENT_THRESHOLD | LM_CFG_EVENT_RATE |
		      LM_CFG_EVENT_QUEUE_MAX;
	set.event_threshold = 777;
	set.event_rate = 33;
	set.event_queue_max = 44;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, &now));
	EXPECT_EQ(777, now.event_threshold);
	EXPECT_EQ(33, now.event_rate);
	EXPECT_EQ(44, now.event_queue_max);
	EXPECT_EQ(0, sh("grep -qx 777 /sys/module/leakmon/parameters/event_threshold"));
	EXPECT_EQ(0, sh("grep -qx 33 /sys/module/leakmon/parameters/event_rate"));
	EXPECT_EQ(0, sh("grep -qx 44 /sys/module/leakmon/parameters/event_queue_max"));
	EXPECT_NE(0, sh("echo 0 > /sys/module/leakmon/parameters/event_rate 2>/dev/null"));
	set.event_threshold = before.event_threshold;
	set.event_rate = before.event_rate;
	set.event_queue_max = before.event_queue_max;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, &now));
	EXPECT_EQ(before.event_rate, now.event_rate);
}

struct unpriv_result {
	int reset_status, reset_err;
	int set_status, set_err;
	int totals_status;
	char reset_extack[LM_EXTACK_SIZE];
	char set_extack[LM_EXTACK_SIZE];
};

static int unprivileged_client(void *arg)
{
	int fd = *(int *)arg;
	struct unpriv_result r = { 0 };
	struct lm_config set = { .present = LM_CFG_MAX_OBJECTS,
				 .max_objects = 5 };
	struct lm_totals t;
	struct lm_handle *h;

	drop_privileges();
	h = open_or_die();
	r.totals_status = lm_get_totals(h, &t);
	r.reset_status = lm_reset(h);
	r.reset_err = lm_last_error(h)->err;
	snprintf(r.reset_extack, sizeof(r.reset_extack), "%s",
		 lm_last_error(h)->extack);
	r.set_status = lm_set_config(h, &set, NULL);
	r.set_err = lm_last_error(h)->err;
	snprintf(r.set_extack, sizeof(r.set_extack), "%s",
		 lm_last_error(h)->extack);
	lm_close(h);
	return write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

TEST_F_TIMEOUT(leakmon, unprivileged_cannot_reset_or_configure, 300)
{
	struct unpriv_result r;
	int p[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = spawn(unprivileged_client, &p[1]);
	ASSERT_EQ(sizeof(r), read(p[0], &r, sizeof(r)));
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(LM_OK, r.totals_status);
	EXPECT_EQ(LM_ERR_KERNEL, r.reset_status);
	EXPECT_EQ(EPERM, r.reset_err);
	EXPECT_STREQ("reset needs CAP_NET_ADMIN", r.reset_extack);
	EXPECT_EQ(LM_ERR_KERNEL, r.set_status);
	EXPECT_EQ(EPERM, r.set_err);
	EXPECT_NE(0, strlen(r.set_extack));
	close(p[0]);
	close(p[1]);
}

struct read_result {
	int totals_status, totals_err;
	int dump_status, dump_err;
	char totals_extack[LM_EXTACK_SIZE];
	char dump_extack[LM_EXTACK_SIZE];
};

static int unprivileged_reader(void *arg)
{
	int fd = *(int *)arg;
	struct read_result r = { 0 };
	struct lm_owners o = { 0 };
	struct lm_totals t;
	struct lm_handle *h;

	drop_privileges();
	h = open_or_die();
	r.totals_status = lm_get_totals(h, &t);
	r.totals_err = lm_last_error(h)->err;
	snprintf(r.totals_extack, sizeof(r.totals_extack), "%s",
		 lm_last_error(h)->extack);
	r.dump_status = lm_dump_owners(h, &o);
	r.dump_err = lm_last_error(h)->err;
	snprintf(r.dump_extack, sizeof(r.dump_extack), "%s",
		 lm_last_error(h)->extack);
	lm_owners_free(&o);
	lm_close(h);
	return write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

TEST_F_TIMEOUT(leakmon, restrict_read, 300)
{
	struct lm_config set = { .present = LM_CFG_RESTRICT_READ };
	struct read_result r;
	int p[2];
	pid_t pid;

	set.restrict_read = 1;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	ASSERT_EQ(0, pipe(p));
	pid = spawn(unprivileged_reader, &p[1]);
	ASSERT_EQ(sizeof(r), read(p[0], &r, sizeof(r)));
	ASSERT_EQ(0, wait_child(pid));
	set.restrict_read = 0;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	EXPECT_EQ(LM_ERR_KERNEL, r.totals_status);
	EXPECT_EQ(EPERM, r.totals_err);
	EXPECT_NE(0, strlen(r.totals_extack));
	EXPECT_EQ(LM_ERR_KERNEL, r.dump_status);
	EXPECT_EQ(EPERM, r.dump_err);
	EXPECT_NE(0, strlen(r.dump_extack));
	TH_LOG("restricted: '%s' / '%s'", r.totals_extack, r.dump_extack);
	close(p[0]);
	close(p[1]);
}

TEST_HARNESS_MAIN
