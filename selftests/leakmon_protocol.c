// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, the netlink protocol (rejections and their
 * extack messages, the configuration) and its permissions.  Kselftest
 * harness, TAP output; the helpers and the fixture are in leakmon_test.h.
 */
#include "leakmon_test.h"

#define LM_PARAM "/sys/module/leakmon/parameters/"

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

/* ---- restrict_read 2 and reader_gid: who sees whose rows ------------- */

#define CUST_A		2001	/* two customers */
#define CUST_B		2002
#define MONITOR		2003	/* the monitoring user, in READER_GID */
#define READER_GID	2100
#define CUST_SOCKETS	5
#define CUST_LEAKS	3

/*
 * A customer's process: as uid, named apache2 (so leakbind refuses and
 * leaks its binds), CUST_SOCKETS sockets held and CUST_LEAKS leaked.
 */
static void customer_body(uid_t uid)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int i, refused = 0, held = 0;

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		_exit(100);
	prctl(PR_SET_NAME, "apache2");
	for (i = 0; i < CUST_SOCKETS; i++)
		held += tcp_socket() >= 0;
	for (i = 0; i < CUST_LEAKS; i++) {
		int s = tcp_socket();

		if (s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno == EPERM)
			refused++;
		close(s);
	}
	checkpoint(held == CUST_SOCKETS && refused == CUST_LEAKS);
}

static void customer_a(void)
{
	customer_body(CUST_A);
}

static void customer_b(void)
{
	customer_body(CUST_B);
}

/* What one reader saw: rows of A, of B and of anyone else */
struct view_result {
	int totals_status, totals_err, dump_status, dump_err, unreach_status;
	char extack[LM_EXTACK_SIZE];
	bool own_view;
	uint32_t view_uid;
	int rows_a, rows_b, rows_other, saw_a, saw_b;
	int groups_a, groups_b, groups_other, groups_no_uid;
};

struct viewer {
	uid_t uid;
	gid_t group;		/* a supplementary group, or 0 */
	pid_t a, b;		/* the customers' processes */
	int fd;
};

static int viewer_body(void *arg)
{
	const struct viewer *v = arg;
	struct view_result r = { 0 };
	struct lm_unreachs u = { 0 };
	struct lm_owners o = { 0 };
	struct lm_totals t;
	struct lm_handle *h;
	gid_t g = v->group;
	size_t i;

	if (v->uid && (setgroups(g ? 1 : 0, &g) ||
		       setresgid(v->uid, v->uid, v->uid) ||
		       setresuid(v->uid, v->uid, v->uid)))
		_exit(100);
	h = open_or_die();
	r.totals_status = lm_get_totals(h, &t);
	r.totals_err = lm_last_error(h)->err;
	snprintf(r.extack, sizeof(r.extack), "%s", lm_last_error(h)->extack);
	r.own_view = t.own_view;
	r.view_uid = t.view_uid;
	r.dump_status = lm_dump_owners(h, &o);
	r.dump_err = lm_last_error(h)->err;
	for (i = 0; r.dump_status == LM_OK && i < o.n; i++) {
		const struct lm_owner *w = &o.owner[i];

		r.rows_a += w->uid == CUST_A;
		r.rows_b += w->uid == CUST_B;
		r.rows_other += w->uid != CUST_A && w->uid != CUST_B;
		r.saw_a += w->tgid == (uint32_t)v->a;
		r.saw_b += w->tgid == (uint32_t)v->b;
	}
	r.unreach_status = lm_dump_unreachable(h, &u);
	for (i = 0; r.unreach_status == LM_OK && i < u.n; i++) {
		const struct lm_unreach *w = &u.u[i];

		r.groups_no_uid += !w->has_uid;
		r.groups_a += w->uid == CUST_A && w->tgid == (uint32_t)v->a;
		r.groups_b += w->uid == CUST_B && w->tgid == (uint32_t)v->b;
		r.groups_other += w->uid != CUST_A && w->uid != CUST_B;
	}
	lm_unreachs_free(&u);
	lm_owners_free(&o);
	lm_close(h);
	return write(v->fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

static int view_as(uid_t uid, gid_t group, pid_t a, pid_t b,
		   struct view_result *r)
{
	struct viewer v = { .uid = uid, .group = group, .a = a, .b = b };
	int p[2], ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	v.fd = p[1];
	pid = spawn(viewer_body, &v);
	ok = read(p[0], r, sizeof(*r)) == sizeof(*r);
	close(p[0]);
	close(p[1]);
	return wait_child(pid) == 0 && ok ? 0 : -1;
}

/* Write a module parameter: 0, or the errno the write failed with */
static int param_write(const char *name, const char *val)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), LM_PARAM "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		err = -errno;
	close(fd);
	return err;
}

static int set_read(struct lm_handle *h, uint8_t level, uint32_t gid)
{
	struct lm_config set = {
		.present = LM_CFG_RESTRICT_READ | LM_CFG_READER_GID,
		.restrict_read = level, .reader_gid = gid,
	};

	return lm_set_config(h, &set, NULL);
}

/* Sees everything: both customers' rows, groups, and root's rows */
#define EXPECT_FULL_VIEW(r, who) do {					\
	EXPECT_EQ(LM_OK, (r).totals_status) TH_LOG("%s", who);		\
	EXPECT_FALSE((r).own_view) TH_LOG("%s", who);			\
	EXPECT_EQ(LM_OK, (r).dump_status) TH_LOG("%s", who);		\
	EXPECT_EQ(1, (r).saw_a) TH_LOG("%s", who);			\
	EXPECT_EQ(1, (r).saw_b) TH_LOG("%s", who);			\
	EXPECT_LE(1, (r).rows_other) TH_LOG("%s", who);			\
	EXPECT_EQ(LM_NKINDS, (r).groups_a) TH_LOG("%s", who);		\
	EXPECT_EQ(LM_NKINDS, (r).groups_b) TH_LOG("%s", who);		\
	EXPECT_EQ(0, (r).groups_no_uid) TH_LOG("%s", who);		\
} while (0)

TEST_F_TIMEOUT(leakmon, restrict_read_per_customer, 300)
{
	struct held_child a, b;
	struct view_result r;
	struct lm_config now;
	struct lm_scan sc;
	int i;

	ASSERT_EQ(0, sh("insmod %s", env_or_die("LEAKBIND_KO")));
	ASSERT_EQ(0, held_start(&a, customer_a));
	ASSERT_EQ(0, held_stopped(&a)) TH_LOG("customer A's binds");
	ASSERT_EQ(0, held_start(&b, customer_b));
	ASSERT_EQ(0, held_stopped(&b)) TH_LOG("customer B's binds");
	ASSERT_EQ(0, write_str(LM_PARAM "scan_grace", "1"));
	msleep(2100);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(LM_OK, lm_scan(self->h, &sc));

	/* 2: each customer sees the totals and its own rows only ... */
	ASSERT_EQ(LM_OK, set_read(self->h, 2, READER_GID));
	ASSERT_EQ(0, view_as(CUST_A, 0, a.pid, b.pid, &r));
	EXPECT_EQ(LM_OK, r.totals_status);
	EXPECT_TRUE(r.own_view);
	EXPECT_EQ(CUST_A, r.view_uid);
	EXPECT_EQ(LM_OK, r.dump_status);
	EXPECT_EQ(1, r.saw_a);
	EXPECT_EQ(0, r.saw_b);
	EXPECT_EQ(0, r.rows_b);
	EXPECT_EQ(0, r.rows_other);
	EXPECT_EQ(LM_OK, r.unreach_status);
	EXPECT_EQ(LM_NKINDS, r.groups_a);
	EXPECT_EQ(0, r.groups_b);
	EXPECT_EQ(0, r.groups_other);
	ASSERT_EQ(0, view_as(CUST_B, 0, a.pid, b.pid, &r));
	EXPECT_TRUE(r.own_view);
	EXPECT_EQ(CUST_B, r.view_uid);
	EXPECT_EQ(0, r.saw_a);
	EXPECT_EQ(1, r.saw_b);
	EXPECT_EQ(0, r.rows_a);
	EXPECT_EQ(0, r.rows_other);
	EXPECT_EQ(0, r.groups_a);
	EXPECT_EQ(LM_NKINDS, r.groups_b);
	EXPECT_EQ(0, r.groups_other);
	/* ... a user with no process sees none ... */
	ASSERT_EQ(0, view_as(NOBODY, 0, a.pid, b.pid, &r));
	EXPECT_EQ(LM_OK, r.dump_status);
	EXPECT_EQ(0, r.rows_a + r.rows_b);
	EXPECT_EQ(0, r.groups_a + r.groups_b + r.groups_other);
	/* ... the monitoring user (reader_gid) and root see everything. */
	ASSERT_EQ(0, view_as(MONITOR, READER_GID, a.pid, b.pid, &r));
	EXPECT_FULL_VIEW(r, "monitor, restrict_read 2");
	ASSERT_EQ(0, view_as(0, 0, a.pid, b.pid, &r));
	EXPECT_FULL_VIEW(r, "root, restrict_read 2");

	/* 1: the customers read nothing, the monitoring user everything */
	ASSERT_EQ(LM_OK, set_read(self->h, 1, READER_GID));
	ASSERT_EQ(0, view_as(CUST_A, 0, a.pid, b.pid, &r));
	EXPECT_EQ(LM_ERR_KERNEL, r.totals_status);
	EXPECT_EQ(EPERM, r.totals_err);
	EXPECT_NE(NULL, strstr(r.extack, "reader_gid")) TH_LOG("%s", r.extack);
	EXPECT_EQ(LM_ERR_KERNEL, r.dump_status);
	EXPECT_EQ(EPERM, r.dump_err);
	ASSERT_EQ(0, view_as(MONITOR, READER_GID, a.pid, b.pid, &r));
	EXPECT_FULL_VIEW(r, "monitor, restrict_read 1");
	/* without the group, the monitoring user is a customer */
	ASSERT_EQ(LM_OK, set_read(self->h, 1, LEAKMON_READER_GID_NONE));
	ASSERT_EQ(0, view_as(MONITOR, READER_GID, a.pid, b.pid, &r));
	EXPECT_EQ(EPERM, r.totals_err);

	/* 0: everyone sees everything */
	ASSERT_EQ(LM_OK, set_read(self->h, 0, LEAKMON_READER_GID_NONE));
	ASSERT_EQ(0, view_as(CUST_A, 0, a.pid, b.pid, &r));
	EXPECT_FULL_VIEW(r, "customer A, restrict_read 0");

	/* the parameters: a level, a bool's spellings, -1 for no group */
	EXPECT_EQ(0, param_write("restrict_read", "2"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(2, now.restrict_read);
	EXPECT_EQ(0, param_write("restrict_read", "N"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(0, now.restrict_read);
	EXPECT_EQ(0, param_write("restrict_read", "y"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(1, now.restrict_read);
	EXPECT_EQ(-ERANGE, param_write("restrict_read", "3"));
	EXPECT_EQ(-ERANGE, param_write("restrict_read", "-1"));
	EXPECT_EQ(-EINVAL, param_write("restrict_read", "maybe"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(1, now.restrict_read);
	EXPECT_EQ(0, param_write("reader_gid", "2100"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(READER_GID, now.reader_gid);
	EXPECT_EQ(0, param_write("reader_gid", "-1"));
	EXPECT_EQ(-1, read_long(LM_PARAM "reader_gid"));
	ASSERT_EQ(LM_OK, lm_get_config(self->h, &now));
	EXPECT_EQ(LEAKMON_READER_GID_NONE, now.reader_gid);
	EXPECT_EQ(0, param_write("restrict_read", "0"));

	EXPECT_EQ(0, write_str(LM_PARAM "scan_grace", "10"));
	EXPECT_EQ(0, held_finish(&a));
	EXPECT_EQ(0, held_finish(&b));
	EXPECT_EQ(0, sh("rmmod leakbind"));
	/* The leaks stay forever: the tests after this one start afresh. */
	EXPECT_EQ(0, leakmon_reload(""));
}

TEST_F_TIMEOUT(leakmon, restrict_read_out_of_range, 300)
{
	uint32_t u32 = 7;
	uint8_t u8 = LEAKMON_RESTRICT_READ_MAX + 1;
	char buf[256];
	size_t len;

	len = config_nest(buf, LEAKMON_CONFIG_A_RESTRICT_READ, &u8, sizeof(u8));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, ERANGE, "restrict_read 3");
	len = config_nest(buf, LEAKMON_CONFIG_A_RESTRICT_READ, &u32,
			  sizeof(u32));
	expect_rejected(_metadata, self->h, LEAKMON_CMD_SET_CONFIG, 0, buf,
			len, EINVAL, "restrict_read as a u32");
}

TEST_HARNESS_MAIN
