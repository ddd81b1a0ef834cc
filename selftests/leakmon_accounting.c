// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, accounting exactness: every object counted, and
 * counted to its owner.  Kselftest harness, TAP output; the helpers and the
 * fixture are in leakmon_test.h.
 */
#include "leakmon_test.h"

/* ---- no false positives ------------------------------------------------ */

static int churn_sockets_and_files(void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		int s = tcp_socket();
		int f = open("/proc/self/status", O_RDONLY);

		if (s < 0 || f < 0)
			return 1;
		close(s);
		close(f);
	}
	return 0;
}

TEST_F_TIMEOUT(leakmon, no_false_positives, 300)
{
	struct lm_totals t0, t1;
	struct live_goal goal;
	int per_child = 2500;
	pid_t pids[4];
	int i, k;

	totals(self->h, &t0);
	for (k = 0; k < LM_NKINDS; k++)
		goal.live[k] = t0.kind[k].live;
	for (i = 0; i < 4; i++)
		pids[i] = spawn(churn_sockets_and_files, &per_child);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, wait_child(pids[i]));
	ASSERT_TRUE(settle(self->h, live_is, &goal))
		log_live(_metadata, self->h, &goal);
	totals(self->h, &t1);
	/*
	 * The probes did see all of it: 10,000 sockets, each with a socket
	 * blob, and 20,000 file blobs (the sockets' files and the others).
	 */
	EXPECT_LE(10000, t1.kind[SOCK].tracked - t0.kind[SOCK].tracked);
	EXPECT_LE(20000, t1.kind[BLOB].tracked - t0.kind[BLOB].tracked);
	EXPECT_LE(10000, t1.kind[SK].tracked - t0.kind[SK].tracked);
	EXPECT_LE(10000, t1.kind[SOCK].freed - t0.kind[SOCK].freed);
	EXPECT_LE(20000, t1.kind[BLOB].freed - t0.kind[BLOB].freed);
	EXPECT_LE(10000, t1.kind[SK].freed - t0.kind[SK].freed);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(t0.kind[k].orphans, t1.kind[k].orphans);
		EXPECT_EQ(0, t1.kind[k].missed_alloc - t0.kind[k].missed_alloc);
		EXPECT_EQ(0, t1.kind[k].missed_free - t0.kind[k].missed_free);
	}
	/* The exited churners, with nothing live, are gone. */
	for (i = 0; i < 4; i++) {
		struct lm_owner o;

		EXPECT_FALSE(owner_of(self->h, pids[i], &o));
	}
}

/* ---- the incident ------------------------------------------------------- */

TEST_F_TIMEOUT(leakmon, apache2_refused_bind_leak, 300)
{
	struct owner_goal goal = {
		.live = { [SOCK] = BINDS, [BLOB] = BINDS, [SK] = BINDS },
	};
	struct held_child c;
	struct lm_totals t0, t1;
	struct lm_owner o;

	ASSERT_EQ(0, sh("insmod %s", env_or_die("LEAKBIND_KO")));
	totals(self->h, &t0);
	ASSERT_EQ(0, held_start(&c, apache2_body));
	ASSERT_EQ(0, held_stopped(&c)) TH_LOG("not all binds were refused");
	goal.tgid = c.pid;

	/* Alive: exactly +1000 of each, all attributed to it and its uid. */
	ASSERT_TRUE(owner_of(self->h, c.pid, &o));
	EXPECT_STREQ("apache2", o.comm);
	EXPECT_EQ(NOBODY, o.uid);
	EXPECT_FALSE(o.exited);
	EXPECT_EQ(BINDS, o.kind[SOCK].live);
	EXPECT_EQ(BINDS, o.kind[BLOB].live);
	EXPECT_EQ(BINDS, o.kind[SK].live);
	EXPECT_EQ(BINDS, o.kind[SOCK].allocated);
	EXPECT_EQ(0, o.kind[SOCK].freed);
	totals(self->h, &t1);
	EXPECT_EQ(t0.kind[SOCK].live + BINDS, t1.kind[SOCK].live);
	EXPECT_EQ(t0.kind[BLOB].live + BINDS, t1.kind[BLOB].live);
	EXPECT_EQ(t0.kind[SK].live + BINDS, t1.kind[SK].live);

	/* Exited: the same objects, now orphans of apache2. */
	ASSERT_EQ(0, held_finish(&c));
	goal.exited = true;
	ASSERT_TRUE(settle(self->h, owner_is, &goal));
	ASSERT_TRUE(owner_of(self->h, c.pid, &o));
	EXPECT_STREQ("apache2", o.comm);
	EXPECT_NE(0, o.exit_ns);
	totals(self->h, &t1);
	EXPECT_EQ(t0.kind[SOCK].orphans + BINDS, t1.kind[SOCK].orphans);
	EXPECT_EQ(t0.kind[BLOB].orphans + BINDS, t1.kind[BLOB].orphans);
	EXPECT_EQ(t0.kind[SK].orphans + BINDS, t1.kind[SK].orphans);
	EXPECT_EQ(t0.owners_exited + 1, t1.owners_exited);
	EXPECT_EQ(0, sh("rmmod leakbind"));
}

/* ---- a process that leaks socket descriptors ---------------------------- */

TEST_F_TIMEOUT(leakmon, fd_leak_then_close, 300)
{
	struct owner_goal goal = { .live = { 0 } };
	struct held_child c;
	struct live_goal base;
	struct lm_totals t0, t1;
	struct lm_owner o;
	int k;

	totals(self->h, &t0);
	for (k = 0; k < LM_NKINDS; k++)
		base.live[k] = t0.kind[k].live;
	ASSERT_EQ(0, held_start(&c, fd_leaker_body));
	ASSERT_EQ(0, held_stopped(&c));
	ASSERT_TRUE(owner_of(self->h, c.pid, &o));
	EXPECT_EQ(HELD, o.kind[SOCK].live);
	EXPECT_EQ(HELD, o.kind[BLOB].live);
	EXPECT_EQ(HELD, o.kind[SK].live);
	totals(self->h, &t1);
	EXPECT_EQ(t0.kind[SOCK].live + HELD, t1.kind[SOCK].live);

	/* Closed while the process still runs: its live count drops to 0. */
	ASSERT_EQ(0, held_continue(&c));
	ASSERT_EQ(0, held_stopped(&c));
	goal.tgid = c.pid;
	EXPECT_TRUE(settle(self->h, owner_is, &goal));
	ASSERT_EQ(0, held_finish(&c));
	EXPECT_TRUE(settle(self->h, live_is, &base))
		log_live(_metadata, self->h, &base);
	EXPECT_FALSE(owner_of(self->h, c.pid, &o));
}

/* ---- a process that renames itself -------------------------------------- */

/*
 * A socket under the name it was started with, then prctl(PR_SET_NAME) and
 * a socket at once, within the same tick (the CPU's owner cache holds the
 * owner with the old name).  Compared once a tick, the name stayed the old
 * one for good: a threshold alert named the process by its old name.
 */
static void renamer_body(void)
{
	int a = tcp_socket(), b;

	prctl(PR_SET_NAME, "lm-renamed");
	b = tcp_socket();
	checkpoint(a >= 0 && b >= 0);
}

TEST_F_TIMEOUT(leakmon, renamed_process_shows_its_new_name, 300)
{
	struct held_child c;
	struct lm_owner o;

	ASSERT_EQ(0, held_start(&c, renamer_body));
	ASSERT_EQ(0, held_stopped(&c));
	ASSERT_TRUE(owner_of(self->h, c.pid, &o));
	EXPECT_STREQ("lm-renamed", o.comm);
	EXPECT_EQ(2, o.kind[SOCK].live);
	EXPECT_EQ(2, o.kind[SK].live);
	ASSERT_EQ(0, held_finish(&c));
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* ---- accepted connections: each side owns its own ------------------------ */

#define CONNS 30

/* Set up by the test before forking: the listener and where it listens. */
static int conn_listener;
static struct sockaddr_storage conn_addr;
static socklen_t conn_addrlen;

/* Connect CONNS times to conn_addr; stop there. */
static void conn_client_body(void)
{
	int fds[CONNS], i, ok = 0;

	prctl(PR_SET_NAME, "lm-client");
	for (i = 0; i < CONNS; i++) {
		fds[i] = socket(conn_addr.ss_family, SOCK_STREAM, 0);
		ok += fds[i] >= 0 &&
		      !connect(fds[i], (struct sockaddr *)&conn_addr,
			       conn_addrlen);
	}
	checkpoint(ok == CONNS);
}

/* Accept CONNS connections on the inherited listener; stop. */
static void conn_server_body(void)
{
	int i, ok = 0;

	prctl(PR_SET_NAME, "lm-server");
	for (i = 0; i < CONNS; i++)
		ok += accept(conn_listener, NULL, NULL) >= 0;
	checkpoint(ok == CONNS);
}

/* The owner of objects allocated outside task context. */
static bool softirq_owner(struct lm_handle *h, struct lm_owner *out)
{
	struct lm_owners o = { 0 };
	bool found = false;
	size_t i;

	if (lm_dump_owners(h, &o) != LM_OK)
		return false;
	for (i = 0; i < o.n && !found; i++)
		if (o.owner[i].type == LEAKMON_OWNER_TYPE_SOFTIRQ) {
			*out = o.owner[i];
			found = true;
		}
	lm_owners_free(&o);
	return found;
}

/*
 * One process makes CONNS connections to a listener, another accepts them:
 * each owns exactly its CONNS sockets.  Over TCP the accepted side's sk is
 * created in softirq, in the middle of whatever task was interrupted (here
 * the client, whose connect() runs the loopback's receive path): it is the
 * [softirq] owner's until accept hands it over.  Over AF_UNIX the client
 * allocates it in connect(): accept hands it over from the client.
 */
static void accepted_sockets(struct __test_metadata *_metadata,
			     struct lm_handle *h, int family,
			     void (*client_body)(void),
			     void (*server_body)(void))
{
	struct held_child client, server;
	struct lm_owner c, sv, irq0, irq1;
	int k;

	ASSERT_TRUE(softirq_owner(h, &irq0));
	ASSERT_EQ(0, held_start(&client, client_body));
	ASSERT_EQ(0, held_stopped(&client));
	ASSERT_TRUE(owner_of(h, client.pid, &c));
	/* Before accept, TCP's children are nobody's process's. */
	if (family == AF_INET)
		EXPECT_EQ(CONNS, c.kind[SK].live);
	ASSERT_EQ(0, held_start(&server, server_body));
	ASSERT_EQ(0, held_stopped(&server));

	ASSERT_TRUE(owner_of(h, client.pid, &c));
	ASSERT_TRUE(owner_of(h, server.pid, &sv));
	ASSERT_TRUE(softirq_owner(h, &irq1));
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(CONNS, c.kind[k].live)
			TH_LOG("client: %s live %lu", lm_kind_name(k),
			       c.kind[k].live);
		EXPECT_EQ(CONNS, sv.kind[k].live)
			TH_LOG("server: %s live %lu", lm_kind_name(k),
			       sv.kind[k].live);
	}
	/* The server allocated its socket inodes and files, received its sks. */
	EXPECT_EQ(CONNS, sv.kind[SOCK].allocated);
	EXPECT_EQ(0, sv.kind[SK].allocated);
	EXPECT_EQ(CONNS, sv.kind[SK].received);
	EXPECT_EQ(0, c.kind[SK].received);
	if (family == AF_INET) {
		EXPECT_EQ(CONNS, c.kind[SK].allocated);
		EXPECT_EQ(0, c.kind[SK].handed_over);
		EXPECT_LE(irq0.kind[SK].handed_over + CONNS,
			  irq1.kind[SK].handed_over);
	} else {
		EXPECT_EQ(2 * CONNS, c.kind[SK].allocated);
		EXPECT_EQ(CONNS, c.kind[SK].handed_over);
	}
	EXPECT_EQ(0, held_finish(&server));
	EXPECT_EQ(0, held_finish(&client));
}

/* A TCP listener on the loopback, in conn_listener and conn_addr */
static int conn_listen_tcp(void)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&conn_addr;

	conn_listener = tcp_socket();
	if (conn_listener < 0)
		return -1;
	memset(&conn_addr, 0, sizeof(conn_addr));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	conn_addrlen = sizeof(*in);
	if (bind(conn_listener, (struct sockaddr *)in, conn_addrlen) ||
	    getsockname(conn_listener, (struct sockaddr *)in, &conn_addrlen) ||
	    listen(conn_listener, CONNS))
		return -1;
	return 0;
}

TEST_F_TIMEOUT(leakmon, accepted_tcp_sockets_are_the_acceptors, 300)
{
	ASSERT_EQ(0, conn_listen_tcp());
	accepted_sockets(_metadata, self->h, AF_INET, conn_client_body,
			 conn_server_body);
	close(conn_listener);
}

TEST_F_TIMEOUT(leakmon, accepted_unix_sockets_are_the_acceptors, 300)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&conn_addr;

	conn_listener = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, conn_listener);
	memset(&conn_addr, 0, sizeof(conn_addr));
	un->sun_family = AF_UNIX;
	/* abstract: "\0leakmon-accept-<pid>" */
	snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
		 "leakmon-accept-%d", getpid());
	conn_addrlen = offsetof(struct sockaddr_un, sun_path) + 1 +
		       strlen(un->sun_path + 1);
	ASSERT_EQ(0, bind(conn_listener, (struct sockaddr *)un, conn_addrlen));
	ASSERT_EQ(0, listen(conn_listener, CONNS));
	accepted_sockets(_metadata, self->h, AF_UNIX, conn_client_body,
			 conn_server_body);
	close(conn_listener);
}

/*
 * The client on CPU 0, the server on CPU 1: the connections' sks, made
 * in softirq on the client's CPU, are among that CPU's recent entries
 * (kmod/recent.c) for the last connections when the server accepts them.
 */
static void conn_client_on_cpu0_body(void)
{
	if (pin_to_cpu(0))
		_exit(3);
	conn_client_body();
}

static void conn_server_on_cpu1_body(void)
{
	if (pin_to_cpu(1))
		_exit(3);
	conn_server_body();
}

TEST_F_TIMEOUT(leakmon, accepted_on_another_cpu_are_the_acceptors, 300)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no other CPU to accept on");
	ASSERT_EQ(0, conn_listen_tcp());
	accepted_sockets(_metadata, self->h, AF_INET, conn_client_on_cpu0_body,
			 conn_server_on_cpu1_body);
	close(conn_listener);
}

/* ---- freed on another CPU than allocated ---------------------------------- */

/*
 * Sockets made on CPU 0 and closed on CPU 1 right after, while their
 * entries are among CPU 0's recent ones (kmod/recent.c): every release is
 * found there and credited to the owner, none is an unknown free.
 */
TEST_F_TIMEOUT(leakmon, freed_on_another_cpu_while_recent, 300)
{
	struct owner_goal g = { .tgid = getpid() };
	struct lm_owner o0, o1;
	int fds[2], i, k;
	cpu_set_t was;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no other CPU to free on");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(was), &was));
	/* the test's first socket makes its owner */
	ASSERT_EQ(0, pin_to_cpu(1));
	i = tcp_socket();
	ASSERT_LE(0, i);
	close(i);
	ASSERT_TRUE(owner_of(self->h, getpid(), &o0));
	for (k = 0; k < LM_NKINDS; k++)
		g.live[k] = o0.kind[k].live;
	ASSERT_EQ(0, pin_to_cpu(0));
	for (i = 0; i < 2; i++)
		ASSERT_LE(0, fds[i] = tcp_socket());
	ASSERT_EQ(0, pin_to_cpu(1));
	for (i = 0; i < 2; i++)
		close(fds[i]);
	EXPECT_EQ(0, sched_setaffinity(0, sizeof(was), &was));
	EXPECT_TRUE(settle(self->h, owner_is, &g));
	ASSERT_TRUE(owner_of(self->h, getpid(), &o1));
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(o0.kind[k].live, o1.kind[k].live)
			TH_LOG("%s live %lu, was %lu", lm_kind_name(k),
			       o1.kind[k].live, o0.kind[k].live);
		EXPECT_EQ(o0.kind[k].allocated + 2, o1.kind[k].allocated);
		EXPECT_EQ(o0.kind[k].freed + 2, o1.kind[k].freed)
			TH_LOG("%s freed %lu, was %lu", lm_kind_name(k),
			       o1.kind[k].freed, o0.kind[k].freed);
	}
}

/* ---- a full table ------------------------------------------------------ */

/*
 * Fill a table of LIMIT objects with a process of HOLD sockets (body) and
 * check that it holds exactly LIMIT objects, every allocation beyond them
 * counted untracked.  before, if any, runs first, with the limit set.
 */
static void fill_table(struct __test_metadata *_metadata,
		       FIXTURE_DATA(leakmon) *self, void (*before)(void),
		       void (*body)(void))
{
	struct held_child c;
	struct lm_totals t0, t1;
	struct live_goal base;
	struct lm_handle *h;
	uint64_t full = 0;
	int k;

	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload("max_objects=1000"));
	h = open_or_die();
	if (before)
		before();
	quiesce(h);
	totals(h, &t0);
	ASSERT_EQ(LIMIT, t0.config.max_objects);
	ASSERT_GT(LIMIT, t0.objects);
	for (k = 0; k < LM_NKINDS; k++)
		base.live[k] = t0.kind[k].live;

	ASSERT_EQ(0, held_start(&c, body));
	ASSERT_EQ(0, held_stopped(&c));
	totals(h, &t1);
	EXPECT_EQ(LIMIT, t1.objects);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_kind_totals *a = &t0.kind[k], *b = &t1.kind[k];

		EXPECT_EQ(b->observed - a->observed,
			  (b->tracked - a->tracked) + (untracked(b) - untracked(a)))
			TH_LOG("kind %d: observed %lu tracked %lu untracked %lu",
			       k, b->observed - a->observed,
			       b->tracked - a->tracked,
			       untracked(b) - untracked(a));
		full += b->untracked_table_full - a->untracked_table_full;
	}
	EXPECT_LE(3 * HOLD - LIMIT, full);
	ASSERT_EQ(0, held_finish(&c));
	EXPECT_TRUE(settle(h, live_is, &base))
		log_live(_metadata, h, &base);
	lm_close(h);
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

TEST_F_TIMEOUT(leakmon, table_full, 300)
{
	fill_table(_metadata, self, NULL, hold_body);
}

/* Sockets made and closed here (pinned to CPU 0): its spare slots */
static void churn_here(void)
{
	int i, s;

	for (i = 0; i < 20; i++) {
		s = tcp_socket();
		if (s >= 0)
			close(s);
	}
}

static void hold_on_cpu1_body(void)
{
	if (pin_to_cpu(1))
		_exit(3);
	hold_body();
}

/*
 * Each CPU keeps spare table slots for its next allocations (given back by
 * its releases): CPU 0's spares, left by sockets made and closed there,
 * still count as free when a process on CPU 1 fills the table.
 */
TEST_F_TIMEOUT(leakmon, table_full_spares_elsewhere, 300)
{
	cpu_set_t was;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no other CPU to hold spare slots");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(was), &was));
	ASSERT_EQ(0, pin_to_cpu(0));
	fill_table(_metadata, self, churn_here, hold_on_cpu1_body);
	EXPECT_EQ(0, sched_setaffinity(0, sizeof(was), &was));
}

/* ---- loaded mid-life: frees of unknown objects are ignored ------------- */

TEST_F_TIMEOUT(leakmon, frees_before_load_ignored, 300)
{
	struct lm_totals t0, t1;
	int fds[200], i;

	for (i = 0; i < 200; i++)
		ASSERT_LE(0, fds[i] = tcp_socket());
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
	totals(self->h, &t0);
	for (i = 0; i < 200; i++)
		close(fds[i]);
	for (i = 0; i < SETTLE_MS / 50; i++) {
		totals(self->h, &t1);
		if (t1.kind[SOCK].unknown_frees - t0.kind[SOCK].unknown_frees >= 200)
			break;
		msleep(50);
	}
	EXPECT_LE(200, t1.kind[SOCK].unknown_frees - t0.kind[SOCK].unknown_frees);
	EXPECT_LE(200, t1.kind[BLOB].unknown_frees - t0.kind[BLOB].unknown_frees);
	EXPECT_LE(200, t1.kind[SK].unknown_frees - t0.kind[SK].unknown_frees);
	/* Never counted below what is live. */
	EXPECT_GE(t0.kind[SOCK].live, t1.kind[SOCK].live);
	EXPECT_GT(1U << 30, t1.kind[SOCK].live);
}

/* ---- reset ------------------------------------------------------------- */

TEST_F_TIMEOUT(leakmon, reset_keeps_live_state, 300)
{
	struct lm_totals t0, t1;
	int k;

	totals(self->h, &t0);
	ASSERT_EQ(LM_OK, lm_reset(self->h));
	totals(self->h, &t1);
	EXPECT_LT(t0.reset_ns, t1.reset_ns);
	for (k = 0; k < LM_NKINDS; k++) {
		/* Our own netlink socket is the only activity here. */
		EXPECT_GE(10, t1.kind[k].observed);
		EXPECT_EQ(t0.kind[k].orphans, t1.kind[k].orphans);
	}
	EXPECT_EQ(t0.objects, t1.objects);
}

/* ---- memory per entry -------------------------------------------------- */

/* The sizes Documentation/design.md states, read from SLUB. */
TEST_F_TIMEOUT(leakmon, entry_sizes, 300)
{
	long obj = slab_attr("leakmon_obj", "object_size");
	long owner = slab_attr("leakmon_owner", "object_size");

	if (obj < 0)
		SKIP(return, "no /sys/kernel/slab/leakmon_obj (not SLUB?)");
	TH_LOG("leakmon_obj %ld bytes (slot %ld), leakmon_owner %ld bytes (slot %ld)",
	       obj, slab_attr("leakmon_obj", "slab_size"), owner,
	       slab_attr("leakmon_owner", "slab_size"));
	EXPECT_EQ(32, obj);
	if (debug_kernel()) {
		TH_LOG("debug kernel (lockdep or KASAN): slot and owner sizes not judged");
		return;
	}
	/* 32 bytes, or 40 with the free pointer after it (compat.h) */
	EXPECT_GE(40, slab_attr("leakmon_obj", "slab_size"));
	EXPECT_GE(256, owner);
}

/* ---- bytes per object, measured by the module ---------------------------- */

TEST_F_TIMEOUT(leakmon, obj_size_measured, 300)
{
	long osz = slab_attr("sock_inode_cache", "object_size");
	long ssz = slab_attr("sock_inode_cache", "slab_size");
	struct lm_totals t;
	int s, f, k;

	ASSERT_LE(0, s = tcp_socket());
	ASSERT_LE(0, f = open("/proc/self/status", O_RDONLY));
	close(f);
	close(s);
	totals(self->h, &t);
	TH_LOG("obj_size: sock_inode %u (slab object %ld, slot %ld), file_blob %u, sk_blob %u",
	       t.kind[SOCK].obj_size, osz, ssz, t.kind[BLOB].obj_size,
	       t.kind[SK].obj_size);
	if (osz < 0)
		SKIP(return, "no /sys/kernel/slab/sock_inode_cache (not SLUB?)");
	/* ksize(): the whole slot, or the object when the slot holds metadata */
	EXPECT_TRUE(t.kind[SOCK].obj_size == osz || t.kind[SOCK].obj_size == ssz);
	/* socket_alloc: a socket and an inode, well over 512 bytes */
	EXPECT_LE(512, t.kind[SOCK].obj_size);
	for (k = 0; k < LM_NKINDS; k++) {
		if (!t.kind[k].enabled || !t.kind[k].tracked)
			continue;
		/* blobs: a few pointers to a few hundred bytes, never zero */
		EXPECT_LE(8, t.kind[k].obj_size) TH_LOG("%s", t.kind[k].name);
		EXPECT_GE(4096, t.kind[k].obj_size) TH_LOG("%s", t.kind[k].name);
	}
	osz = slab_attr("lsm_file_cache", "object_size");
	ssz = slab_attr("lsm_file_cache", "slab_size");
	if (osz > 0 && t.kind[BLOB].obj_size)
		EXPECT_TRUE(t.kind[BLOB].obj_size == osz ||
			    t.kind[BLOB].obj_size == ssz)
			TH_LOG("lsm_file_cache: object %ld, slot %ld", osz, ssz);
}

TEST_HARNESS_MAIN
