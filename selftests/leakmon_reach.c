// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, the reachability pass (what nothing holds, and
 * who holds the rest).  Kselftest harness, TAP output; the helpers and the
 * fixture are in leakmon_test.h.
 */
#include <linux/io_uring.h>
#include <pthread.h>

#include "leakmon_test.h"

/* ---- reachability: what nothing holds, and who holds the rest ------------- */

#define REACH_N 20
#define LM_PARAM "/sys/module/leakmon/parameters/"

/*
 * Two passes: an object is judged unreachable only when both agree.  sc is
 * the second's, with the objects both handed over.
 */
static void scan_twice(struct __test_metadata *_metadata, struct lm_handle *h,
		       struct lm_scan *sc)
{
	uint64_t moved = 0;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(LM_OK, lm_scan(h, sc))
			TH_LOG("scan: %s", lm_last_error(h)->extack);
		moved += sc->reattributed;
	}
	/* Handed over by either pass (the first finds them) */
	sc->reattributed = moved;
	TH_LOG("pass %lu: %lu tasks, %lu fds, %lu vmas, %lu objects in %.1f ms (longest step %.2f ms), %lu handed to holders",
	       sc->seq, sc->tasks, sc->fds, sc->vmas, sc->objects,
	       sc->duration_ns / 1e6, sc->max_step_ns / 1e6, sc->reattributed);
}

/*
 * Objects younger than a second are not judged; wait that out (ages are
 * whole seconds of jiffies: an object of second s is judged from second
 * s + 1 on, at most a second later).  And no periodic pass: one of its
 * own between the test's passes would hand the objects over before them,
 * and they would count none.
 */
static void short_grace(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, write_str(LM_PARAM "scan_interval", "0"));
	ASSERT_EQ(0, write_str(LM_PARAM "scan_grace", "1"));
	msleep(1100);
}

/* The defaults again: a pass every minute, 10 s of grace */
static void default_grace(struct __test_metadata *_metadata)
{
	EXPECT_EQ(0, write_str(LM_PARAM "scan_interval", "60"));
	EXPECT_EQ(0, write_str(LM_PARAM "scan_grace", "10"));
}

static int reach_via = -1, reach_report = -1, reach_flight = -1;

/*
 * A daemon's start: open sockets and files, leave a SysV segment, fork a
 * child that keeps them all, pass more sockets to another live process
 * (the test) over SCM_RIGHTS, and exit.  Of those passed, REACH_N are
 * received before the pass, and REACH_N more, sent over a datagram socket
 * in messages of REACH_N / 2, wait in the test's receive queue during it.
 */
static void reach_parent_body(void)
{
	int fds[2 * REACH_N], i, shmid, ok = 1;
	pid_t child;

	prctl(PR_SET_NAME, "lm-parent");
	for (i = 0; i < REACH_N; i++) {
		fds[2 * i] = tcp_socket();
		fds[2 * i + 1] = open("/dev/null", O_RDONLY);
		ok &= fds[2 * i] >= 0 && fds[2 * i + 1] >= 0;
	}
	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "lm-child");
		for (;;)
			pause();
	}
	for (i = 0; i < REACH_N; i++) {
		int s = tcp_socket();

		ok &= s >= 0 && !send_fd(reach_via, s);
		close(s);
	}
	for (i = 0; i < REACH_N; i++)
		fds[i] = tcp_socket();
	ok &= !send_fds(reach_flight, fds, REACH_N / 2) &&
	      !send_fds(reach_flight, fds + REACH_N / 2, REACH_N - REACH_N / 2);
	for (i = 0; i < REACH_N; i++)
		close(fds[i]);
	ok &= write(reach_report, &child, sizeof(child)) == sizeof(child);
	ok &= write(reach_report, &shmid, sizeof(shmid)) == sizeof(shmid);
	_exit(ok && child > 0 && shmid >= 0 ? 0 : 3);
}

TEST_F_TIMEOUT(leakmon, scan_inherited_passed_and_kept_are_not_leaks, 300)
{
	int sv[2], pfd[2], fl[2], got[REACH_N], flying[REACH_N], i, n, k;
	int shmid = -1;
	pid_t parent, child = -1;
	struct lm_owner p, c, me;
	struct lm_totals t;
	struct lm_scan sc;
	uint64_t seq;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, fl));
	ASSERT_EQ(0, pipe(pfd));
	reach_via = sv[1];
	reach_report = pfd[1];
	reach_flight = fl[1];
	parent = fork();
	ASSERT_LE(0, parent);
	if (parent == 0)
		reach_parent_body();
	for (i = 0; i < REACH_N; i++)
		got[i] = recv_fd(sv[0]);
	ASSERT_EQ(sizeof(child), read(pfd[0], &child, sizeof(child)));
	ASSERT_EQ(sizeof(shmid), read(pfd[0], &shmid, sizeof(shmid)));
	ASSERT_EQ(0, wait_child(parent));
	for (i = 0; i < REACH_N; i++)
		ASSERT_LE(0, got[i]);

	short_grace(_metadata);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_TRUE(owner_of(self->h, parent, &p));
	ASSERT_TRUE(owner_of(self->h, child, &c));
	ASSERT_TRUE(owner_of(self->h, getpid(), &me));
	EXPECT_TRUE(p.exited);
	/* Nothing of the exited parent is leaked ... */
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_TRUE(p.kind[k].scanned);
		EXPECT_EQ(0, p.kind[k].unreachable)
			TH_LOG("%s: %lu unreachable", lm_kind_name(k),
			       p.kind[k].unreachable);
	}
	/* ... the segment is the kernel's, the rest went to their holders. */
	EXPECT_EQ(1, p.kind[BLOB].live);
	EXPECT_EQ(1, p.kind[BLOB].kernel);
	EXPECT_EQ(0, p.kind[SOCK].live);
	EXPECT_EQ(0, p.kind[SK].live);
	EXPECT_EQ(3 * REACH_N, p.kind[SOCK].allocated);
	EXPECT_EQ(3 * REACH_N, p.kind[SOCK].handed_over);
	EXPECT_EQ(4 * REACH_N, p.kind[BLOB].handed_over);
	EXPECT_EQ(REACH_N, c.kind[SOCK].received);
	EXPECT_EQ(REACH_N, c.kind[SK].received);
	EXPECT_EQ(2 * REACH_N, c.kind[BLOB].received);
	/* received, and still in flight to the test: the test holds both */
	EXPECT_EQ(2 * REACH_N, me.kind[SOCK].received);
	EXPECT_EQ(2 * REACH_N, me.kind[SK].received);
	EXPECT_EQ(2 * REACH_N, me.kind[BLOB].received);
	EXPECT_LE(4 * REACH_N, sc.reattributed);
	for (k = 0; k < LM_NKINDS; k++)
		EXPECT_EQ(c.kind[k].live, c.kind[k].allocated +
			  c.kind[k].received - c.kind[k].freed -
			  c.kind[k].handed_over);

	/* Every object is in exactly one class. */
	totals(self->h, &t);
	ASSERT_TRUE(t.scan.present);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_scan_kind *sk = &sc.kind[k];

		EXPECT_TRUE(sk->present);
		TH_LOG("%s: %lu young, %lu held, %lu kernel, %lu closing, %lu unreachable",
		       lm_kind_name(k), sk->young, sk->held, sk->kernel,
		       sk->closing, sk->unreachable);
	}
	EXPECT_EQ(sc.objects, sc.kind[SOCK].young + sc.kind[SOCK].held +
		  sc.kind[SOCK].kernel + sc.kind[SOCK].closing +
		  sc.kind[SOCK].unreachable + sc.kind[BLOB].young +
		  sc.kind[BLOB].held + sc.kind[BLOB].kernel +
		  sc.kind[BLOB].closing + sc.kind[BLOB].unreachable +
		  sc.kind[SK].young + sc.kind[SK].held + sc.kind[SK].kernel +
		  sc.kind[SK].closing + sc.kind[SK].unreachable);

	/* The periodic pass runs by itself. */
	seq = t.scan.seq;
	ASSERT_EQ(0, write_str(LM_PARAM "scan_interval", "1"));
	for (i = 0; i < 100 && t.scan.seq == seq; i++) {
		msleep(100);
		totals(self->h, &t);
	}
	EXPECT_LT(seq, t.scan.seq);
	EXPECT_EQ(1, t.scan.interval_s);

	EXPECT_EQ(0, sh("echo 60 >/sys/module/leakmon/parameters/scan_interval"));
	EXPECT_EQ(0, write_str(LM_PARAM "scan_grace", "10"));
	kill(child, SIGKILL);
	wait_child(child);
	/* the descriptors in flight arrive whole */
	n = recv_fds(fl[0], flying, REACH_N);
	EXPECT_EQ(REACH_N / 2, n);
	for (i = 0; i < n; i++)
		close(flying[i]);
	n = recv_fds(fl[0], flying, REACH_N);
	EXPECT_EQ(REACH_N - REACH_N / 2, n);
	for (i = 0; i < n; i++)
		close(flying[i]);
	for (i = 0; i < REACH_N; i++)
		close(got[i]);
	shmctl(shmid, IPC_RMID, NULL);
	close(sv[0]);
	close(sv[1]);
	close(pfd[0]);
	close(pfd[1]);
	close(fl[0]);
	close(fl[1]);
}

/* The owner listed for network namespace inum, or NULL */
static const struct lm_owner *netns_owner(const struct lm_owners *o,
					  uint32_t inum)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->owner[i].type == LEAKMON_OWNER_TYPE_NETNS &&
		    o->owner[i].netns_inum == inum)
			return &o->owner[i];
	return NULL;
}

/*
 * The kernel sockets of a network namespace that `ip netns add` made
 * (every container start): the namespace's, not ip's, and not leaks.
 */
TEST_F_TIMEOUT(leakmon, scan_namespace_sockets_are_the_namespaces, 300)
{
	struct lm_owners o = { 0 };
	const struct lm_owner *ip = NULL, *ns;
	char name[32];
	struct lm_scan sc;
	struct stat st;
	bool gone = false;
	size_t i;
	int k, waited;

	if (access("/usr/sbin/ip", X_OK) && access("/sbin/ip", X_OK))
		SKIP(return, "no ip(8) (iproute2) in the VM");
	sh("ip netns del lm-reach 2>/dev/null");
	ASSERT_EQ(0, sh("ip netns add lm-reach"));
	/* the bind mount of its nsfs inode: the namespace's inode number */
	ASSERT_EQ(0, stat("/run/netns/lm-reach", &st));
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_EQ(LM_OK, lm_dump_owners(self->h, &o));
	for (i = 0; i < o.n; i++)
		if (!strcmp(o.owner[i].comm, "ip") && o.owner[i].exited &&
		    (!ip || o.owner[i].start_ns > ip->start_ns))
			ip = &o.owner[i];
	ns = netns_owner(&o, st.st_ino);
	ASSERT_NE(NULL, ns) TH_LOG("no owner for netns %lu", (unsigned long)st.st_ino);
	snprintf(name, sizeof(name), "net:%lu", (unsigned long)st.st_ino);
	EXPECT_STREQ(name, ns->comm);
	EXPECT_EQ(0, ns->tgid);
	EXPECT_FALSE(ns->exited);
	TH_LOG("%s: %lu sock inodes, %lu file blobs, %lu sk blobs (received %lu, %lu, %lu)",
	       ns->comm, ns->kind[SOCK].live, ns->kind[BLOB].live,
	       ns->kind[SK].live, ns->kind[SOCK].received,
	       ns->kind[BLOB].received, ns->kind[SK].received);
	/* The namespace's sockets (netlink, ICMP, TCP control, ...) */
	EXPECT_LE(1, ns->kind[SOCK].live);
	EXPECT_LE(1, ns->kind[SK].live);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(ns->kind[k].live, ns->kind[k].kernel);
		EXPECT_EQ(ns->kind[k].live,
			  ns->kind[k].received - ns->kind[k].freed);
		EXPECT_EQ(0, ns->kind[k].allocated);
		EXPECT_EQ(0, ns->kind[k].unreachable);
		/*
		 * ip, which made them, keeps nothing leaked; usually nothing at
		 * all (an exited owner without objects is gone from the list).
		 * On the debug kernel it once kept 2 sock inodes whose sk the
		 * pass never saw (a missed allocation, or sockets still being
		 * torn down): the kernel's, not leaks.
		 */
		if (ip) {
			TH_LOG("ip: %s: %lu live, %lu kernel, %lu closing",
			       lm_kind_name(k), ip->kind[k].live,
			       ip->kind[k].kernel, ip->kind[k].closing);
			EXPECT_EQ(0, ip->kind[k].unreachable);
		}
	}
	lm_owners_free(&o);

	/*
	 * Deleted: its sockets go, and with them its owner.  The kernel
	 * tears a namespace down in a work item, after RCU grace periods:
	 * on the debug kernel under emulation once more than 30 s.
	 */
	EXPECT_EQ(0, sh("ip netns del lm-reach"));
	for (waited = 0; waited < 120000 && !gone; waited += 200) {
		ASSERT_EQ(LM_OK, lm_dump_owners(self->h, &o));
		gone = !netns_owner(&o, st.st_ino);
		lm_owners_free(&o);
		if (!gone)
			msleep(200);
	}
	EXPECT_TRUE(gone) TH_LOG("net:%lu still listed after 120 s",
				 (unsigned long)st.st_ino);
	if (!gone) {
		/* a teardown still running, or a release the probes missed? */
		struct lm_totals t;

		ASSERT_EQ(LM_OK, lm_dump_owners(self->h, &o));
		ns = netns_owner(&o, st.st_ino);
		for (k = 0; ns && k < LM_NKINDS; k++)
			TH_LOG("%s: %s: %lu live", ns->comm, lm_kind_name(k),
			       ns->kind[k].live);
		lm_owners_free(&o);
		totals(self->h, &t);
		for (k = 0; k < LM_NKINDS; k++)
			TH_LOG("module: %s: missed free %lu, replaced %lu",
			       lm_kind_name(k), t.kind[k].missed_free,
			       t.kind[k].replaced);
	}
	if (gone && waited > 10000)
		printf("# net:%lu gone after %d ms\n", (unsigned long)st.st_ino,
		       waited);
	default_grace(_metadata);
}

/*
 * A server that exits while the kernel still has to deliver what it wrote
 * to a client that does not read: the connection is closing (FIN_WAIT1,
 * no socket inode any more), not leaked.
 */
TEST_F_TIMEOUT(leakmon, scan_closing_connections_are_not_leaks, 300)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int l, c, rcv = 4096;
	struct lm_owner srv;
	struct lm_scan sc;
	pid_t server;

	l = tcp_socket();
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&sin, &len));
	c = tcp_socket();
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	server = fork();
	ASSERT_LE(0, server);
	if (server == 0) {
		static char buf[1 << 16];
		int a, i, flags;

		prctl(PR_SET_NAME, "lm-server");
		a = accept(l, NULL, NULL);
		if (a < 0)
			_exit(3);
		flags = fcntl(a, F_GETFL);
		fcntl(a, F_SETFL, flags | O_NONBLOCK);
		/* fill the send buffer: the client reads nothing */
		for (i = 0; i < 64; i++)
			if (write(a, buf, sizeof(buf)) < 0)
				break;
		_exit(0);
	}
	close(l);
	ASSERT_EQ(0, wait_child(server));
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_TRUE(owner_of(self->h, server, &srv));
	EXPECT_TRUE(srv.exited);
	/* its accepted socket's sk: dead, unsent data, being closed */
	EXPECT_EQ(1, srv.kind[SK].live);
	EXPECT_EQ(1, srv.kind[SK].closing);
	EXPECT_EQ(0, srv.kind[SK].unreachable);
	EXPECT_EQ(0, srv.kind[SOCK].live);
	EXPECT_EQ(0, srv.kind[BLOB].live);
	EXPECT_LE(1, sc.kind[SK].closing);
	close(c);
	default_grace(_metadata);
}

/* ---- the pass under churn --------------------------------------------- */

#define CHURN_S		6	/* seconds of churn */
/* ... on a debug kernel, where a pass under churn takes up to 2 s */
#define CHURN_DEBUG_S	18
#define CHURN_KEEP	32	/* descriptors a churner keeps for a while */

/*
 * A process's life in a hurry: a child opens a socket, passes it over
 * SCM_RIGHTS and exits; the churner keeps it (and a file of its own) for a
 * while, in a ring, then closes it.
 */
static int scan_churner(void *arg)
{
	int keep[CHURN_KEEP], sv[2], i, n = 0;
	time_t end = time(NULL) + *(int *)arg;

	for (i = 0; i < CHURN_KEEP; i++)
		keep[i] = -1;
	while (time(NULL) < end) {
		pid_t kid;
		int got;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return 1;
		kid = fork();
		if (kid < 0)
			return 1;
		if (kid == 0) {
			int c = tcp_socket();

			_exit(c < 0 || send_fd(sv[1], c) ? 1 : 0);
		}
		got = recv_fd(sv[0]);
		close(sv[0]);
		close(sv[1]);
		if (wait_child(kid) || got < 0)
			return 1;
		i = n++ % CHURN_KEEP;
		if (keep[i] >= 0)
			close(keep[i]);
		/* every other slot: the received socket, or a file */
		if (n & 1) {
			keep[i] = got;
		} else {
			close(got);
			keep[i] = open("/proc/self/status", O_RDONLY);
		}
	}
	return 0;
}

static uint64_t scan_sum(const struct lm_scan *sc, int k)
{
	const struct lm_scan_kind *c = &sc->kind[k];

	return c->young + c->held + c->kernel + c->closing + c->unreachable;
}

static uint64_t scan_unreach(const struct lm_scan *sc)
{
	uint64_t u = 0;
	int k;

	for (k = 0; k < LM_NKINDS; k++)
		u += sc->kind[k].unreachable;
	return u;
}

/*
 * Passes back to back while 4 processes fork, exit and pass descriptors:
 * every pass puts each object in exactly one class, finds nothing of the
 * churn leaked, and hands the exited children's sockets to their holders;
 * once the churn is over, the classes sum to the live objects.
 */
TEST_F_TIMEOUT(leakmon, scan_under_churn_every_object_in_one_class, 300)
{
	int secs = CHURN_S, passes = 0, bad_sum = 0, bad_unreach = 0;
	int running = CHURNERS, i, k, st;
	uint64_t base, moved = 0, sum;
	pid_t pids[CHURNERS];
	struct lm_scan sc;
	struct lm_totals t;
	bool done[CHURNERS] = { false };

	if (debug_kernel())
		secs = CHURN_DEBUG_S;
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &sc);
	base = scan_unreach(&sc);	/* what earlier tests left */
	for (i = 0; i < CHURNERS; i++)
		ASSERT_LT(0, pids[i] = spawn(scan_churner, &secs));
	while (running) {
		ASSERT_EQ(LM_OK, lm_scan(self->h, &sc))
			TH_LOG("scan: %s", lm_last_error(self->h)->extack);
		passes++;
		moved += sc.reattributed;
		for (sum = 0, k = 0; k < LM_NKINDS; k++)
			sum += scan_sum(&sc, k);
		if (sum != sc.objects && !bad_sum++)
			TH_LOG("pass %lu: classes sum to %lu of %lu objects",
			       sc.seq, sum, sc.objects);
		if (scan_unreach(&sc) != base && !bad_unreach++)
			TH_LOG("pass %lu: %lu unreachable, %lu before the churn",
			       sc.seq, scan_unreach(&sc), base);
		msleep(50);
		for (i = 0; i < CHURNERS; i++) {
			if (done[i] || waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			done[i] = true;
			running--;
			EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
	}
	TH_LOG("%d passes under churn, %lu objects handed to their holders",
	       passes, moved);
	EXPECT_LE(5, passes);
	EXPECT_EQ(0, bad_sum);
	EXPECT_EQ(0, bad_unreach);
	/* the children's sockets the churners kept were handed over */
	EXPECT_LT(0, moved);

	quiesce(self->h);
	scan_twice(_metadata, self->h, &sc);
	totals(self->h, &t);
	for (k = 0; k < LM_NKINDS; k++) {
		sum = scan_sum(&sc, k);
		EXPECT_EQ(t.kind[k].live, sum)
			TH_LOG("kind %d: %lu live, classes sum to %lu", k,
			       t.kind[k].live, sum);
	}
	EXPECT_EQ(base, scan_unreach(&sc));
	for (i = 0; i < CHURNERS; i++) {
		struct lm_owner o;

		EXPECT_FALSE(owner_of(self->h, pids[i], &o));
	}
	default_grace(_metadata);
}

/* ---- files the kernel took from userspace ----------------------------- */

/* Loop devices, from the kernel's loop.ko if it is a module; true if any. */
static bool have_loop(void)
{
	const char *moddir = getenv("LEAKMON_MODDIR");

	if (access("/dev/loop-control", F_OK) && moddir)
		sh("insmod \"$(find '%s' -name 'loop.ko*' | head -n 1)\" 2>/dev/null",
		   moddir);
	return access("/dev/loop-control", F_OK) == 0;
}

/*
 * losetup and swapon give a file to the kernel and close their descriptor:
 * the loop device keeps its backing file, swap its device's file.  Nothing
 * in userspace holds them, and they are not leaks: their class is kernel.
 * So is the file overlayfs opens behind a file opened on it (the VM's root
 * is an overlay, as a container's is): a process holds the one it opened.
 */
TEST_F_TIMEOUT(leakmon, scan_files_the_kernel_keeps_are_not_leaks, 300)
{
	const char *img = "/tmp/lm-swap.img", *kept = "/tmp/lm-kept.txt";
	struct lm_unreachs u = { 0 };
	struct lm_scan before, sc;
	char dev[64] = "";
	int fd;
	FILE *p;
	size_t i;

	if (!have_loop())
		SKIP(return, "no loop devices in this kernel (CONFIG_BLK_DEV_LOOP)");
	if (access("/proc/swaps", F_OK))
		SKIP(return, "no swap in this kernel (CONFIG_SWAP)");
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &before);
	fd = open(kept, O_CREAT | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sh("truncate -s 16M %s", img));
	p = popen("losetup -f --show /tmp/lm-swap.img", "r");
	ASSERT_NE(NULL, p);
	if (!fgets(dev, sizeof(dev), p))
		dev[0] = '\0';
	pclose(p);
	dev[strcspn(dev, "\n")] = '\0';
	ASSERT_EQ(0, strncmp(dev, "/dev/loop", 9)) TH_LOG("losetup: '%s'", dev);
	EXPECT_EQ(0, sh("mkswap %s >/dev/null && swapon %s", dev, dev));
	msleep(1100);
	scan_twice(_metadata, self->h, &sc);
	/* the backing file, the device's file of swapon: the kernel's */
	EXPECT_LE(before.kind[BLOB].kernel + 2, sc.kind[BLOB].kernel);
	EXPECT_EQ(scan_unreach(&before), scan_unreach(&sc));
	ASSERT_EQ(LM_OK, lm_dump_unreachable(self->h, &u));
	for (i = 0; i < u.n; i++) {
		const struct lm_unreach *g = &u.u[i];

		TH_LOG("unreachable: %lu of kind %u, '%s', fs 0x%x",
		       g->count, g->kind, g->name, g->fs_magic);
		EXPECT_TRUE(g->kind != BLOB ||
			    (strcmp(g->name, "lm-swap.img") &&
			     strcmp(g->name, "lm-kept.txt") &&
			     strcmp(g->name, dev + 5)));
	}
	lm_unreachs_free(&u);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, unlink(kept));
	EXPECT_EQ(0, sh("swapoff %s", dev));
	EXPECT_EQ(0, sh("losetup -d %s", dev));
	EXPECT_EQ(0, unlink(img));
	default_grace(_metadata);
}

/* Switch process accounting on to file, and exit. */
static int acct_on_child(void *arg)
{
	return syscall(SYS_acct, (const char *)arg) ? errno : 0;
}

/*
 * Process accounting (Debian's acct package: accton at boot, then exits)
 * writes to a file the kernel opened and keeps: not a leak, the kernel's.
 */
TEST_F_TIMEOUT(leakmon, scan_accounting_file_is_the_kernels, 300)
{
	char file[] = "/tmp/lm-acct";
	struct lm_scan before, sc;
	struct lm_owner o;
	pid_t pid;
	int fd, rc;

	fd = open(file, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &before);
	pid = spawn(acct_on_child, file);
	ASSERT_LT(0, pid);
	rc = wait_child(pid);
	if (rc == ENOSYS) {
		unlink(file);
		SKIP(return, "no process accounting in this kernel (CONFIG_BSD_PROCESS_ACCT)");
	}
	ASSERT_EQ(0, rc) TH_LOG("acct(%s): %s", file, strerror(rc));
	msleep(1100);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_TRUE(owner_of(self->h, pid, &o));
	EXPECT_TRUE(o.exited);
	/* the file, and on overlayfs (/tmp here) the real file behind it */
	EXPECT_LE(1, o.kind[BLOB].kernel);
	EXPECT_EQ(o.kind[BLOB].live, o.kind[BLOB].kernel);
	EXPECT_EQ(0, o.kind[BLOB].unreachable);
	EXPECT_EQ(scan_unreach(&before), scan_unreach(&sc));
	EXPECT_EQ(0, syscall(SYS_acct, NULL));
	EXPECT_EQ(0, unlink(file));
	default_grace(_metadata);
}

/*
 * io_uring's registered files (IORING_REGISTER_FILES): a process registers
 * REACH_N sockets and REACH_N files and closes its descriptors (liburing's
 * direct descriptors never have one), half with a ring it keeps by its
 * descriptor, half with a ring it keeps only by the mapping of its
 * submission queue.  The ring holds them for the process.
 */
static int uring_register(int ring, const int *fds, unsigned int n)
{
	return syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES,
		       fds, n);
}

static void uring_body(void)
{
	struct io_uring_params pa = { 0 }, pb = { 0 };
	int fds[2 * REACH_N], a, b, i;
	void *sq;
	bool ok;

	prctl(PR_SET_NAME, "lm-uring");
	a = syscall(__NR_io_uring_setup, 4, &pa);
	if (a < 0)
		_exit(errno == ENOSYS || errno == EPERM ? 4 : 3);
	b = syscall(__NR_io_uring_setup, 4, &pb);
	if (b < 0)
		_exit(3);
	sq = mmap(NULL, pb.sq_off.array + pb.sq_entries * sizeof(__u32),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, b,
		  IORING_OFF_SQ_RING);
	for (i = 0; i < REACH_N; i++) {
		fds[2 * i] = tcp_socket();
		fds[2 * i + 1] = open("/dev/null", O_RDONLY);
	}
	ok = sq != MAP_FAILED && !uring_register(a, fds, REACH_N) &&
	     !uring_register(b, fds + REACH_N, REACH_N);
	for (i = 0; i < 2 * REACH_N; i++)
		close(fds[i]);
	close(b);
	checkpoint(ok);
}

/*
 * A held child that set io_uring up with body (exit 4 where the kernel
 * lacks what it needs: the caller skips), scanned twice at its checkpoint:
 * every kind of its owner scanned and nothing unreachable, socks sockets
 * (inode and sk) and at least blobs files.
 */
static int uring_held(struct __test_metadata *_metadata, struct lm_handle *h,
		      void (*body)(void), unsigned long socks,
		      unsigned long blobs)
{
	struct lm_scan before, sc;
	struct held_child c;
	struct lm_owner o;
	int k;

	short_grace(_metadata);
	scan_twice(_metadata, h, &before);
	ASSERT_EQ(0, held_start(&c, body));
	if (held_stopped(&c)) {
		default_grace(_metadata);
		if (c.status == 4)
			return 4;
		ASSERT_EQ(0, c.status)
			TH_LOG("the io_uring process failed: %d", c.status);
	}
	msleep(1100);
	scan_twice(_metadata, h, &sc);
	ASSERT_TRUE(owner_of(h, c.pid, &o));
	EXPECT_EQ(socks, o.kind[SOCK].live);
	EXPECT_EQ(socks, o.kind[SK].live);
	EXPECT_LE(blobs, o.kind[BLOB].live);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_TRUE(o.kind[k].scanned);
		EXPECT_EQ(0, o.kind[k].unreachable)
			TH_LOG("%s: %lu unreachable of %lu", lm_kind_name(k),
			       o.kind[k].unreachable, o.kind[k].live);
	}
	EXPECT_EQ(scan_unreach(&before), scan_unreach(&sc));
	EXPECT_EQ(0, held_finish(&c));
	default_grace(_metadata);
	return 0;
}

TEST_F_TIMEOUT(leakmon, scan_io_uring_registered_files_are_held, 300)
{
	/* the sockets', the files' and the rings' */
	if (uring_held(_metadata, self->h, uring_body, REACH_N,
		       2 * REACH_N + 2) == 4)
		SKIP(return, "no io_uring in this kernel (CONFIG_IO_URING, io_uring_disabled)");
}

/*
 * An io_uring instance registered with IORING_REGISTER_RING_FDS (5.18;
 * liburing's io_uring_register_ring_fd()), its descriptor closed: the
 * thread's io_uring context holds the ring, and the ring holds the socket
 * registered with it (IORING_REGISTER_FILES), its descriptor closed too.
 * Exits 4 where the kernel has no IORING_REGISTER_RING_FDS.
 */
static void uring_ringfd_body(void)
{
	struct io_uring_params pa = { 0 };
	struct io_uring_rsrc_update up = { .offset = -1U };
	int ring, sock;
	bool ok;

	prctl(PR_SET_NAME, "lm-ringfd");
	ring = syscall(__NR_io_uring_setup, 4, &pa);
	if (ring < 0)
		_exit(errno == ENOSYS || errno == EPERM ? 4 : 3);
	up.data = ring;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_RING_FDS,
		    &up, 1) != 1)
		_exit(errno == EINVAL ? 4 : 3);
	sock = tcp_socket();
	ok = sock >= 0 && !uring_register(ring, &sock, 1);
	close(sock);
	close(ring);
	checkpoint(ok);
}

TEST_F_TIMEOUT(leakmon, scan_io_uring_registered_ring_is_held, 300)
{
	/* the socket's and the ring's */
	if (uring_held(_metadata, self->h, uring_ringfd_body, 1, 2) == 4)
		SKIP(return, "no io_uring with IORING_REGISTER_RING_FDS in this kernel (5.18)");
}

/*
 * Rings registered by more threads than one batch of the pass takes: the
 * leader fills all IORING_RING_SLOTS of its slots with rings whose
 * descriptors it closed, then a second thread registers the ring that
 * holds a socket, closes both descriptors and waits.  The pass visits the
 * threads a batch each, by thread id: the second thread's ring, and the
 * socket, are held.
 */
#define IORING_RING_SLOTS 16

static int ring_with_socket;

static void *ringfd_thread(void *arg)
{
	struct io_uring_params pa = { 0 };
	struct io_uring_rsrc_update up = { .offset = -1U };
	int ring, sock;

	(void)arg;
	ring = syscall(__NR_io_uring_setup, 4, &pa);
	if (ring < 0)
		return NULL;
	up.data = ring;
	sock = tcp_socket();
	if (sock >= 0 && !uring_register(ring, &sock, 1) &&
	    syscall(__NR_io_uring_register, ring, IORING_REGISTER_RING_FDS,
		    &up, 1) == 1)
		__atomic_store_n(&ring_with_socket, 1, __ATOMIC_RELEASE);
	close(sock);
	close(ring);
	for (;;)
		pause();
	return NULL;
}

static void uring_ringfd_threads_body(void)
{
	struct io_uring_rsrc_update up[IORING_RING_SLOTS];
	struct io_uring_params pa;
	int ring[IORING_RING_SLOTS], i;
	pthread_t th;

	prctl(PR_SET_NAME, "lm-ringfds");
	for (i = 0; i < IORING_RING_SLOTS; i++) {
		memset(&pa, 0, sizeof(pa));
		ring[i] = syscall(__NR_io_uring_setup, 4, &pa);
		if (ring[i] < 0)
			_exit(errno == ENOSYS || errno == EPERM ? 4 : 3);
		up[i] = (struct io_uring_rsrc_update){ .offset = -1U,
						       .data = ring[i] };
	}
	if (syscall(__NR_io_uring_register, ring[0], IORING_REGISTER_RING_FDS,
		    up, IORING_RING_SLOTS) != IORING_RING_SLOTS)
		_exit(errno == EINVAL ? 4 : 3);
	for (i = 0; i < IORING_RING_SLOTS; i++)
		close(ring[i]);
	if (pthread_create(&th, NULL, ringfd_thread, NULL))
		_exit(3);
	for (i = 0; i < 5000 &&
	     !__atomic_load_n(&ring_with_socket, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	checkpoint(__atomic_load_n(&ring_with_socket, __ATOMIC_ACQUIRE));
}

TEST_F_TIMEOUT(leakmon, scan_io_uring_rings_of_two_threads_are_held, 300)
{
	/* the socket's and the seventeen rings' */
	if (uring_held(_metadata, self->h, uring_ringfd_threads_body, 1,
		       IORING_RING_SLOTS + 2) == 4)
		SKIP(return, "no io_uring with IORING_REGISTER_RING_FDS in this kernel (5.18)");
}

#define BINFMT "/proc/sys/fs/binfmt_misc"

/* Register a binfmt_misc entry (arg), and exit. */
static int binfmt_register(void *arg)
{
	int fd = open(BINFMT "/register", O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, arg, strlen(arg));
	return n < 0 ? errno : 0;
}

/*
 * binfmt_misc with flag F opens the interpreter when the entry is
 * registered (systemd-binfmt and update-binfmts do it at boot for
 * qemu-user-binfmt, and exit), and the kernel keeps that file for as long
 * as the entry exists: not a leak, the kernel's.
 */
TEST_F_TIMEOUT(leakmon, scan_binfmt_interpreter_is_the_kernels, 300)
{
	const char *moddir = getenv("LEAKMON_MODDIR");
	char rule[] = ":lm-test:E::lmtest::/bin/true:F";
	struct lm_scan before, sc;
	bool mounted = false;
	struct lm_owner o;
	pid_t pid;
	int rc;

	if (access(BINFMT "/register", F_OK)) {
		if (moddir)
			sh("insmod \"$(find '%s' -name 'binfmt_misc.ko*' | head -n 1)\" 2>/dev/null",
			   moddir);
		mounted = !sh("mount -t binfmt_misc binfmt_misc " BINFMT " 2>/dev/null");
	}
	if (access(BINFMT "/register", F_OK))
		SKIP(return, "no binfmt_misc in this kernel (CONFIG_BINFMT_MISC)");
	short_grace(_metadata);
	scan_twice(_metadata, self->h, &before);
	pid = spawn(binfmt_register, rule);
	ASSERT_LT(0, pid);
	rc = wait_child(pid);
	ASSERT_EQ(0, rc) TH_LOG("registering %s: %s", rule, strerror(rc));
	msleep(1100);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_TRUE(owner_of(self->h, pid, &o));
	EXPECT_TRUE(o.exited);
	/* the interpreter, and on overlayfs the real file behind it */
	EXPECT_LE(1, o.kind[BLOB].kernel);
	EXPECT_EQ(o.kind[BLOB].live, o.kind[BLOB].kernel);
	EXPECT_EQ(0, o.kind[BLOB].unreachable);
	EXPECT_EQ(scan_unreach(&before), scan_unreach(&sc));
	EXPECT_EQ(0, write_str(BINFMT "/lm-test", "-1"));
	if (mounted)
		EXPECT_EQ(0, sh("umount " BINFMT));
	default_grace(_metadata);
}

#define KIDS 100

/*
 * apache2 that leaks through leakbind, and hands KIDS sockets to a child
 * of its (which keeps them until apache2 exits) and closes its own copies.
 */
static void apache2_handing_body(void)
{
	int fds[KIDS], i, ok = 1;
	pid_t kid;

	for (i = 0; i < KIDS; i++)
		ok &= (fds[i] = tcp_socket()) >= 0;
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_NAME, "lm-kid");
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	for (i = 0; i < KIDS; i++)
		close(fds[i]);
	if (kid < 0 || !ok)
		_exit(3);
	apache2_body();
}

/* The one group of kind k of tgid's objects, checked to be alone. */
static const struct lm_unreach *unreach_of(const struct lm_unreachs *u,
					   pid_t tgid, unsigned int k,
					   int *groups)
{
	const struct lm_unreach *found = NULL;
	size_t i;

	*groups = 0;
	for (i = 0; i < u->n; i++) {
		if (u->u[i].owner_type != LEAKMON_OWNER_TYPE_TASK ||
		    u->u[i].tgid != (uint32_t)tgid || u->u[i].kind != k)
			continue;
		(*groups)++;
		found = &u->u[i];
	}
	return found;
}

/* What apache2's leaked objects are: 1000 alike of each kind. */
static void check_unreach(struct __test_metadata *_metadata,
			  struct lm_handle *h, pid_t leaker, pid_t holder)
{
	struct lm_unreachs u = { 0 };
	const struct lm_unreach *g;
	int k, groups;

	ASSERT_EQ(LM_OK, lm_dump_unreachable(h, &u))
		TH_LOG("dump: %s", lm_last_error(h)->extack);
	EXPECT_FALSE(u.interrupted);
	for (k = 0; k < LM_NKINDS; k++) {
		g = unreach_of(&u, leaker, k, &groups);
		EXPECT_EQ(1, groups) TH_LOG("kind %d: %d groups", k, groups);
		if (!g)
			continue;
		EXPECT_EQ(BINDS, g->count);
		EXPECT_EQ(0, g->flags) TH_LOG("kind %d: flags 0x%x", k,
					      g->flags);
		/* the socket: AF_INET/STREAM/TCP, CLOSE, never bound ... */
		EXPECT_TRUE(g->has_sock);
		EXPECT_EQ(AF_INET, g->family);
		EXPECT_EQ(SOCK_STREAM, g->sock_type);
		EXPECT_EQ(IPPROTO_TCP, g->protocol);
		EXPECT_EQ(7 /* TCP_CLOSE */, g->state);
		/* ... its file held only by the leaked reference */
		EXPECT_TRUE(g->has_refs);
		EXPECT_EQ(1, g->file_refs);
		EXPECT_EQ(k == BLOB, g->has_file);
		if (k == BLOB) {
			EXPECT_EQ(SOCKFS_MAGIC, g->fs_magic);
			EXPECT_EQ(S_IFSOCK, g->file_mode);
			EXPECT_STREQ("TCP", g->name);
		}
		EXPECT_EQ(NULL, unreach_of(&u, holder, k, &groups));
	}
	lm_unreachs_free(&u);
}

TEST_F_TIMEOUT(leakmon, scan_names_the_leaks_of_a_live_process, 300)
{
	struct lm_handle *eh = events_open();
	struct ev_log *log = calloc(1, sizeof(*log));
	struct held_child leaker, holder;
	struct lm_owner a, f, z, kid;
	const struct lm_event *e = NULL;
	pid_t sleeper;
	struct lm_scan sc;
	int k;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, sh("insmod %s", env_or_die("LEAKBIND_KO")));
	ASSERT_EQ(0, held_start(&leaker, apache2_handing_body));
	ASSERT_EQ(0, held_stopped(&leaker)) TH_LOG("not all binds were refused");
	ASSERT_EQ(0, held_start(&holder, fd_leaker_body));
	ASSERT_EQ(0, held_stopped(&holder));
	/*
	 * A program exec'd from the VM's overlayfs root: its mappings hold
	 * the lower layer's files, only mm->exe_file the file exec opened
	 */
	sleeper = fork();
	ASSERT_LE(0, sleeper);
	if (sleeper == 0) {
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}

	short_grace(_metadata);
	scan_twice(_metadata, self->h, &sc);
	ASSERT_TRUE(owner_of(self->h, leaker.pid, &a));
	ASSERT_TRUE(owner_named(self->h, "lm-kid", &kid));
	ASSERT_TRUE(owner_of(self->h, holder.pid, &f));
	ASSERT_TRUE(owner_of(self->h, sleeper, &z));
	EXPECT_LE(1, z.kind[BLOB].live);
	EXPECT_EQ(0, z.kind[BLOB].unreachable)
		TH_LOG("sleep: %lu of its %lu file blobs unreachable",
		       z.kind[BLOB].unreachable, z.kind[BLOB].live);
	kill(sleeper, SIGKILL);
	wait_child(sleeper);
	EXPECT_FALSE(a.exited);
	for (k = 0; k < LM_NKINDS; k++) {
		/*
		 * apache2 runs, and every object it leaked is named; those
		 * its child keeps, and apache2 closed, are the child's ...
		 */
		EXPECT_TRUE(a.kind[k].scanned);
		EXPECT_EQ(BINDS, a.kind[k].unreachable);
		EXPECT_EQ(BINDS, a.kind[k].live);
		EXPECT_EQ(KIDS, a.kind[k].handed_over);
		EXPECT_EQ(BINDS + KIDS, a.kind[k].allocated);
		EXPECT_EQ(KIDS, kid.kind[k].live);
		EXPECT_EQ(KIDS, kid.kind[k].received);
		EXPECT_EQ(0, kid.kind[k].unreachable);
		/* ... while descriptors a process keeps are not leaks. */
		EXPECT_EQ(HELD, f.kind[k].live);
		EXPECT_EQ(0, f.kind[k].unreachable);
		EXPECT_LE(BINDS, sc.kind[k].unreachable);
	}
	EXPECT_LE(HELD, sc.fds);
	EXPECT_EQ(0, sc.groups_unreported);
	check_unreach(_metadata, self->h, leaker.pid, holder.pid);

	/* The pass that found the leak said so, once ... */
	collect(eh, log, 1000);
	log_events(_metadata, log);
	EXPECT_EQ(1, count_events(log, LEAKMON_CMD_EVENT_UNREACHABLE,
				  leaker.pid));
	EXPECT_EQ(0, count_events(log, LEAKMON_CMD_EVENT_UNREACHABLE,
				  holder.pid));
	e = find_event(log, LEAKMON_CMD_EVENT_UNREACHABLE, leaker.pid);
	if (e) {
		EXPECT_STREQ("apache2", e->comm);
		EXPECT_EQ(3 * BINDS, e->unreachable);
		EXPECT_EQ(3 * BINDS, e->added);
		for (k = 0; k < LM_NKINDS; k++)
			EXPECT_EQ(BINDS, e->kind[k].count);
	}
	/* ... and a pass that finds no more says nothing. */
	log->n = 0;
	ASSERT_EQ(LM_OK, lm_scan(self->h, &sc));
	collect(eh, log, 1000);
	EXPECT_EQ(0, count_events(log, LEAKMON_CMD_EVENT_UNREACHABLE,
				  leaker.pid));
	free(log);
	lm_close(eh);

	default_grace(_metadata);
	/* fd_leaker_body closes them at its second checkpoint */
	EXPECT_EQ(0, held_continue(&holder));
	EXPECT_EQ(0, held_stopped(&holder));
	EXPECT_EQ(0, held_finish(&holder));
	EXPECT_EQ(0, held_finish(&leaker));
	EXPECT_EQ(0, sh("rmmod leakbind"));
	/* The leak stays forever: the programs after this one start afresh. */
	EXPECT_EQ(0, leakmon_reload(""));
}

/*
 * Releases the probes did not see (a kprobe that fires inside another's
 * handler is skipped: "Probe misses" in Documentation/performance.md),
 * forced: with every kprobe disarmed (debugfs kprobes/enabled), a process
 * exits and so closes its sockets and files.  Their entries name freed
 * memory, which keeps what it held then: a socket released (no file, no
 * protocol), a file and a sock with no reference left.  The pass must drop
 * them as stale, not keep them as the kernel's or closing for ever, nor
 * call them leaks: their owner has exited, and an entry kept would be an
 * orphan that no process holds.
 */
#define KPROBES_ENABLED "/sys/kernel/debug/kprobes/enabled"
#define STALE_N 20

static void stale_body(void)
{
	int i, ok = 1;

	prctl(PR_SET_NAME, "lm-stale");
	for (i = 0; i < STALE_N; i++) {
		ok &= tcp_socket() >= 0;
		ok &= open("/dev/null", O_RDONLY) >= 0;
	}
	checkpoint(ok);
}

TEST_F_TIMEOUT(leakmon, scan_missed_releases_are_dropped, 300)
{
	const uint64_t want[LM_NKINDS] = {
		[SOCK] = STALE_N, [BLOB] = 2 * STALE_N, [SK] = STALE_N,
	};
	struct lm_totals t0, t1;
	struct held_child c;
	struct lm_owner o;
	struct lm_scan sc;
	int k, pass, rc;
	bool found;

	if (access(KPROBES_ENABLED, W_OK))
		SKIP(return, "no %s (debugfs, kprobes)", KPROBES_ENABLED);
	/* kprobes everywhere: the debugfs switch disarms those only */
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload("probe_mechanism=kprobe closing_max=1"));
	self->h = open_or_die();
	short_grace(_metadata);
	quiesce(self->h);
	ASSERT_EQ(0, held_start(&c, stale_body));
	ASSERT_EQ(0, held_stopped(&c));
	ASSERT_TRUE(owner_of(self->h, c.pid, &o));
	for (k = 0; k < LM_NKINDS; k++)
		ASSERT_EQ(want[k], o.kind[k].live);
	totals(self->h, &t0);

	ASSERT_EQ(0, write_str(KPROBES_ENABLED, "0"));
	rc = held_finish(&c);
	/* a socket's inode and a file go an RCU grace period later */
	msleep(2000);
	ASSERT_EQ(0, write_str(KPROBES_ENABLED, "1"));
	ASSERT_EQ(0, rc);

	/* closing at one pass, stale at the next of a later second */
	for (pass = 1; pass <= 3; pass++) {
		msleep(1100);
		ASSERT_EQ(LM_OK, lm_scan(self->h, &sc))
			TH_LOG("scan: %s", lm_last_error(self->h)->extack);
		found = owner_of(self->h, c.pid, &o);
		for (k = 0; found && k < LM_NKINDS; k++) {
			TH_LOG("pass %d: %s: %lu live, %lu kernel, %lu closing, %lu unreachable",
			       pass, lm_kind_name(k), o.kind[k].live,
			       o.kind[k].kernel, o.kind[k].closing,
			       o.kind[k].unreachable);
			EXPECT_EQ(0, o.kind[k].unreachable);
		}
	}
	/*
	 * Every entry dropped (counted replaced; or replaced by an object
	 * made at its address since), and with the last the owner goes.
	 */
	totals(self->h, &t1);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(0, found ? o.kind[k].live : 0);
		EXPECT_LE(want[k], t1.kind[k].replaced - t0.kind[k].replaced)
			TH_LOG("%s: %lu replaced", lm_kind_name(k),
			       t1.kind[k].replaced - t0.kind[k].replaced);
	}

	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

TEST_HARNESS_MAIN
