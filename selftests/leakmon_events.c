// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, notifications (threshold, orphans, saturation,
 * rate limit, who hears them).  Kselftest harness, TAP output; the helpers and the fixture
 * are in leakmon_test.h.
 */
#include "leakmon_test.h"

/* ---- notifications ------------------------------------------------------ */

static void set_threshold(struct __test_metadata *_metadata,
			  struct lm_handle *h, uint32_t v)
{
	struct lm_config set = { .present = LM_CFG_EVENT_THRESHOLD,
				 .event_threshold = v };
	struct lm_config now;

	ASSERT_EQ(LM_OK, lm_set_config(h, &set, &now));
	ASSERT_EQ(v, now.event_threshold);
}

static void set_rate(struct __test_metadata *_metadata,
		     struct lm_handle *h, uint32_t v)
{
	struct lm_config set = { .present = LM_CFG_EVENT_RATE,
				 .event_rate = v };
	struct lm_config now;

	ASSERT_EQ(LM_OK, lm_set_config(h, &set, &now));
	ASSERT_EQ(v, now.event_rate);
}

static int ping_body(void *arg)
{
	int s;

	(void)arg;
	prctl(PR_SET_NAME, "lm-ping");
	s = tcp_socket();
	if (s >= 0)
		close(s);
	return s < 0;
}

/*
 * With the threshold at 1, start processes named lm-ping (each a threshold
 * event) until one shows in file: the listener writing it has joined.
 */
static bool listener_ready(const char *file)
{
	int i;

	for (i = 0; i < 300; i++) {
		wait_child(spawn(ping_body, NULL));
		msleep(100);
		if (!sh("grep -q lm-ping %s", file))
			return true;
	}
	return false;
}

/*
 * The incident as alerts: apache2 leaks 1,000 objects of each kind with
 * the threshold at 500 (summed over kinds): one threshold event when it
 * reaches 500, one orphans event with its 3,000 orphans after it exits,
 * nothing else about it and no saturation.
 */
TEST_F_TIMEOUT(leakmon, events_threshold_and_orphans, 300)
{
	struct owner_goal goal = {
		.exited = true,
		.live = { [SOCK] = BINDS, [BLOB] = BINDS, [SK] = BINDS },
	};
	const struct lm_event *e;
	struct lm_totals t0, t1;
	struct held_child c;
	struct lm_handle *evh;
	static struct ev_log log;
	uint64_t sum;
	int k;

	evh = events_open();
	ASSERT_EQ(0, sh("insmod %s", env_or_die("LEAKBIND_KO")));
	/*
	 * With the threshold at 1 every process alerts: lift the rate limit,
	 * so that the default 10 per second cannot drop apache2's alert on a
	 * slow machine (events_rate_limited tests the limit).
	 */
	set_rate(_metadata, self->h, LEAKMON_EVENT_RATE_LIMIT);
	/*
	 * The CLI listens too (JSON lines) until it has printed apache2's
	 * orphans event and is stopped with SIGTERM (at most 300 seconds).
	 */
	set_threshold(_metadata, self->h, 1);
	ASSERT_EQ(0, sh("rm -f /tmp/lm_ev.json /tmp/lm_ev.rc /tmp/lm_ev.pid; "
			"(%s events --json -t 300 >/tmp/lm_ev.json & "
			"echo $! >/tmp/lm_ev.pid; wait $!; "
			"echo $? >/tmp/lm_ev.rc) &", env_or_die("LEAKMON_CLI")));
	ASSERT_TRUE(listener_ready("/tmp/lm_ev.json"));
	set_threshold(_metadata, self->h, 500);
	totals(self->h, &t0);
	ASSERT_EQ(0, held_start(&c, apache2_body));
	ASSERT_EQ(0, held_stopped(&c)) TH_LOG("not all binds were refused");
	ASSERT_EQ(0, held_finish(&c));
	goal.tgid = c.pid;
	EXPECT_TRUE(settle(self->h, owner_is, &goal));
	/* The orphans event waits until the count has held still for 1 s. */
	collect(evh, &log, 6000);
	set_threshold(_metadata, self->h, 0);
	set_rate(_metadata, self->h, 10);
	EXPECT_EQ(0, sh("rmmod leakbind"));
	totals(self->h, &t1);
	log_events(_metadata, &log);
	EXPECT_EQ(0, log.lost);

	EXPECT_EQ(1, count_events(&log, LEAKMON_CMD_EVENT_THRESHOLD, c.pid));
	e = find_event(&log, LEAKMON_CMD_EVENT_THRESHOLD, c.pid);
	if (e) {
		EXPECT_STREQ("apache2", e->comm);
		EXPECT_EQ(NOBODY, e->uid);
		EXPECT_EQ(500, e->threshold);
		EXPECT_EQ(500, e->live);
		for (sum = 0, k = 0; k < LM_NKINDS; k++)
			sum += e->kind[k].count;
		EXPECT_EQ(500, sum);
		EXPECT_NE(0, e->start_ns);
		EXPECT_NE(0, e->time_ns);
	}
	EXPECT_EQ(1, count_events(&log, LEAKMON_CMD_EVENT_ORPHANS, c.pid));
	e = find_event(&log, LEAKMON_CMD_EVENT_ORPHANS, c.pid);
	if (e) {
		EXPECT_STREQ("apache2", e->comm);
		EXPECT_EQ(NOBODY, e->uid);
		EXPECT_EQ(3 * BINDS, e->orphans);
		EXPECT_EQ(BINDS, e->kind[SOCK].count);
		EXPECT_EQ(BINDS, e->kind[BLOB].count);
		EXPECT_EQ(BINDS, e->kind[SK].count);
	}
	EXPECT_EQ(0, count_events(&log, LEAKMON_CMD_EVENT_SATURATED, 0));
	EXPECT_TRUE(t1.has_events);
	EXPECT_LE(t0.events.sent + 2, t1.events.sent);
	EXPECT_EQ(t0.events.rate_limited, t1.events.rate_limited);
	lm_close(evh);

	/* What the CLI printed: the same two events about apache2. */
	for (k = 0; k < 600 && sh("grep -q '\"event\": \"exited\", .*\"tgid\": %d,' /tmp/lm_ev.json",
				  c.pid); k++)
		msleep(100);
	EXPECT_EQ(0, sh("kill -TERM $(cat /tmp/lm_ev.pid)"));
	for (k = 0; k < 600 && access("/tmp/lm_ev.rc", F_OK); k++)
		msleep(100);
	sh("sed 's/^/# cli: /' /tmp/lm_ev.json");
	EXPECT_EQ(0, sh("grep -qx 0 /tmp/lm_ev.rc"));
	EXPECT_EQ(0, sh("test $(grep -c '^{\"event\": \"threshold\", .*\"tgid\": %d, \"comm\": \"apache2\", .*\"threshold\": 500, \"live\": 500, \"kinds\": {' /tmp/lm_ev.json) = 1",
			c.pid));
	/* LEAKMON_CMD_EVENT_ORPHANS: the CLI's "exited", its total "live" */
	EXPECT_EQ(0, sh("test $(grep -c '^{\"event\": \"exited\", .*\"tgid\": %d, \"comm\": \"apache2\", .*\"live\": 3000, \"kinds\": {\"sock_inode\": 1000, \"file_blob\": 1000, \"sk_blob\": 1000}}$' /tmp/lm_ev.json) = 1",
			c.pid));
}

/*
 * A full table: one saturation event for the episode, however many
 * allocations are dropped; the holder's sockets, closed when it exits,
 * are not orphans.
 */
TEST_F_TIMEOUT(leakmon, events_saturation_once, 300)
{
	static struct ev_log log;
	const struct lm_event *e;
	struct held_child c;
	struct live_goal base;
	struct lm_totals t0;
	struct lm_handle *h, *evh;
	int k;

	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload("max_objects=1000"));
	h = open_or_die();
	evh = events_open();
	quiesce(h);
	totals(h, &t0);
	for (k = 0; k < LM_NKINDS; k++)
		base.live[k] = t0.kind[k].live;

	ASSERT_EQ(0, held_start(&c, hold_body));
	ASSERT_EQ(0, held_stopped(&c));
	collect(evh, &log, 2000);
	ASSERT_EQ(0, held_finish(&c));
	EXPECT_TRUE(settle(h, live_is, &base))
		log_live(_metadata, h, &base);
	collect(evh, &log, 3000);
	log_events(_metadata, &log);
	EXPECT_EQ(0, log.lost);
	EXPECT_EQ(1, count_events(&log, LEAKMON_CMD_EVENT_SATURATED, 0));
	e = find_event(&log, LEAKMON_CMD_EVENT_SATURATED, 0);
	if (e) {
		EXPECT_EQ(LEAKMON_SATURATION_TABLE_FULL, e->reason);
		EXPECT_EQ(LIMIT, e->max_objects);
		EXPECT_EQ(LIMIT, e->objects);
		EXPECT_EQ(c.pid, e->tgid);
	}
	EXPECT_EQ(0, count_events(&log, LEAKMON_CMD_EVENT_ORPHANS, c.pid));
	lm_close(evh);
	lm_close(h);
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

/* A burst over event_rate: the excess is dropped and counted. */
TEST_F_TIMEOUT(leakmon, events_rate_limited, 300)
{
	struct lm_config set = { .present = LM_CFG_EVENT_RATE, .event_rate = 2 };
	static struct ev_log log;
	struct lm_totals t0, t1;
	struct lm_handle *evh;
	pid_t pids[20];
	int i, s;

	evh = events_open();
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	set_threshold(_metadata, self->h, 1);
	totals(self->h, &t0);
	/* Twenty owners reach the threshold (one socket) in a burst. */
	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			s = tcp_socket();
			_exit(s < 0);
		}
	}
	for (i = 0; i < 20; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	collect(evh, &log, 2000);
	set_threshold(_metadata, self->h, 0);
	set.event_rate = 10;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	/* What was queued before is sent or dropped by now. */
	collect(evh, &log, 3000);
	totals(self->h, &t1);
	log_events(_metadata, &log);
	TH_LOG("sent %lu, rate limited %lu", t1.events.sent - t0.events.sent,
	       t1.events.rate_limited - t0.events.rate_limited);
	/* Every event was either sent (and received) or counted as dropped. */
	EXPECT_LE(1, t1.events.rate_limited - t0.events.rate_limited);
	EXPECT_EQ(t1.events.sent - t0.events.sent, (uint64_t)log.n);
	lm_close(evh);
}

/* Threshold events of the processes named lm-ping */
static int pings(const struct ev_log *log)
{
	int i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->ev[i].cmd == LEAKMON_CMD_EVENT_THRESHOLD &&
		     !strcmp(log->ev[i].comm, "lm-ping");
	return n;
}

static bool has_admin_group(struct lm_handle *h)
{
	const struct lm_family *f = lm_family(h);
	unsigned int i;

	for (i = 0; i < f->nmcgrps; i++)
		if (!strcmp(f->mcgrps[i].name, LEAKMON_MCGRP_EVENTS_ADMIN))
			return true;
	return false;
}

static void set_restrict(struct __test_metadata *_metadata,
			 struct lm_handle *h, uint8_t v)
{
	struct lm_config set = { .present = LM_CFG_RESTRICT_READ,
				 .restrict_read = v };

	ASSERT_EQ(LM_OK, lm_set_config(h, &set, NULL));
}

/*
 * A listener without privilege: joins, says it is ready on the pipe, and
 * exits with what it heard in 4 s (64: it joined events-admin; 100 and
 * up: it failed).
 */
static int unprivileged_listener(void *arg)
{
	int *ready = arg, n = 0;
	static struct ev_log log;
	struct lm_handle *h;
	char c = 'r';

	drop_privileges();
	if (lm_open(&h, NULL) != LM_OK || lm_events_join(h) != LM_OK)
		return 101;
	if (write(ready[1], &c, 1) != 1)
		return 102;
	collect(h, &log, 4000);
	n = pings(&log);
	return (lm_events_admin(h) ? 64 : 0) + (n > 63 ? 63 : n);
}

/*
 * restrict_read 1: events name owners, so they go only to the group
 * events-admin, which only CAP_NET_ADMIN may join, where the kernel has
 * it (6.1's stable updates on); a listener without the capability joins
 * "events" and hears none.  Without events-admin (5.10) nobody hears
 * them, and they are counted as restricted.
 */
TEST_F_TIMEOUT(leakmon, events_restricted_go_to_admins_only, 300)
{
	static struct ev_log log;
	struct lm_totals t0, t1;
	struct lm_handle *evh;
	int ready[2], i, rc;
	bool admin_group;
	pid_t pid;
	char c;

	evh = events_open();
	admin_group = has_admin_group(evh);
	EXPECT_EQ(admin_group, lm_events_admin(evh));
	ASSERT_EQ(0, pipe(ready));
	set_restrict(_metadata, self->h, 1);
	pid = spawn(unprivileged_listener, ready);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	totals(self->h, &t0);
	set_threshold(_metadata, self->h, 1);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, wait_child(spawn(ping_body, NULL)));
	collect(evh, &log, 3000);
	set_threshold(_metadata, self->h, 0);
	totals(self->h, &t1);
	rc = wait_child(pid);
	set_restrict(_metadata, self->h, 0);
	log_events(_metadata, &log);
	TH_LOG("events-admin %s; sent %lu, restricted %lu; unprivileged listener: %d",
	       admin_group ? "registered" : "absent",
	       t1.events.sent - t0.events.sent,
	       t1.events.restricted - t0.events.restricted, rc);
	/* the listener without privilege joined "events", heard nothing */
	EXPECT_EQ(0, rc);
	if (admin_group) {
		EXPECT_EQ(3, pings(&log));
		EXPECT_LE(3, t1.events.sent - t0.events.sent);
	} else {
		EXPECT_EQ(0, pings(&log));
		EXPECT_LE(3, t1.events.restricted - t0.events.restricted);
	}
	close(ready[0]);
	close(ready[1]);
	lm_close(evh);
}

TEST_HARNESS_MAIN
