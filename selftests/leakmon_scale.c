// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, scale (5,000 owners in a dump, 100,000 sockets
 * over 10,000 processes).  Kselftest harness, TAP output; the helpers and
 * the fixture are in leakmon_test.h.
 */
#include "leakmon_test.h"

/*
 * The two tests of scale (5,000 owners in one dump, 100,000 sockets over
 * 10,000 processes) run at 1/LEAKMON_SCALE of it (default 1).  make check
 * sets 10 on debug kernels: there KASAN, lockdep and kmemleak make every
 * process and socket cost about fifteen times its time, 10,000 processes
 * exiting at once stall the guest's CPUs for minutes under TCG, and the
 * code paths are the same at a tenth of the count.
 */
static int scaled(int n)
{
	const char *env = getenv("LEAKMON_SCALE");
	int div = env ? atoi(env) : 1;

	return div >= 1 && div <= n ? n / div : n;
}

/* ---- a dump of 5,000 owners ------------------------------------------- */

#define OWNERS 5000

static int owner_child(void *arg)
{
	int via = *(int *)arg, s;

	prctl(PR_SET_NAME, "lm-owner");
	s = tcp_socket();
	return s < 0 || send_fd(via, s) ? 1 : 0;
}

static size_t count_comm(struct lm_handle *h, const char *comm, bool *intr)
{
	struct lm_owners o = { 0 };
	size_t i, n = 0;

	if (lm_dump_owners(h, &o) != LM_OK)
		return 0;
	for (i = 0; i < o.n; i++)
		n += !strcmp(o.owner[i].comm, comm);
	*intr = o.interrupted;
	lm_owners_free(&o);
	return n;
}

TEST_F_TIMEOUT(leakmon, dump_5000_owners, 600)
{
	struct rlimit rl = { OWNERS + 100, OWNERS + 100 };
	static int fds[OWNERS];
	struct lm_config set = { .present = LM_CFG_MAX_OWNERS };
	const int owners = scaled(OWNERS);
	bool intr = false;
	int sp[2], i;
	pid_t pid;

	TH_LOG("%d owners (LEAKMON_SCALE)", owners);
	/*
	 * No periodic pass meanwhile: it would hand the exited owners'
	 * sockets to this process, which holds them, and they would go.
	 */
	ASSERT_EQ(0, sh("echo 0 >/sys/module/leakmon/parameters/scan_interval"));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	for (i = 0; i < owners; i++) {
		pid = spawn_vm(owner_child, &sp[1]);
		ASSERT_LT(0, pid);
		fds[i] = recv_fd(sp[0]);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, wait_child(pid));
	}
	EXPECT_EQ(owners, count_comm(self->h, "lm-owner", &intr));
	EXPECT_FALSE(intr);
	for (i = 0; i < owners; i++)
		close(fds[i]);
	close(sp[0]);
	close(sp[1]);
	/* Their last objects freed, the exited owners disappear. */
	for (i = 0; i < SETTLE_MS / 50; i++) {
		if (!count_comm(self->h, "lm-owner", &intr))
			break;
		msleep(50);
	}
	EXPECT_EQ(0, count_comm(self->h, "lm-owner", &intr));
	EXPECT_EQ(0, sh("echo 60 >/sys/module/leakmon/parameters/scan_interval"));
	/* The owner limit is honoured and its drops counted. */
	set.max_owners = 1;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	pid = spawn(owner_child, &sp[1]);
	fds[0] = recv_fd(sp[0]);
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, count_comm(self->h, "lm-owner", &intr));
	set.max_owners = 1U << 16;
	ASSERT_EQ(LM_OK, lm_set_config(self->h, &set, NULL));
	close(fds[0]);
	close(sp[0]);
	close(sp[1]);
}

/* ---- 100,000 sockets over 10,000 processes -------------------------------- */

#define MEM_PROCS 10000
#define MEM_SOCKS 10
#define MEM_STACK 16384

static atomic_int mem_ready, mem_failed;

/* A process sharing the parent's memory (CLONE_VM), not its files. */
static int mem_child(void *arg)
{
	int i, ok = 1;

	(void)arg;
	prctl(PR_SET_NAME, "lm-mem");
	for (i = 0; i < MEM_SOCKS; i++)
		ok &= socket(AF_INET, SOCK_DGRAM, 0) >= 0;
	atomic_fetch_add(ok ? &mem_ready : &mem_failed, 1);
	for (;;)
		pause();
	return 0;
}

/* Bytes of whole slabs of a cache (SLUB statistics), -1 without them. */
static long slab_bytes(const char *cache)
{
	long slabs = slab_attr(cache, "slabs");
	long order = slab_attr(cache, "order");

	if (slabs < 0 || order < 0)
		return -1;
	return slabs * (sysconf(_SC_PAGESIZE) << order);
}

/*
 * 10,000 processes holding 10 UDP sockets each: every process is an owner
 * with exactly its 10 sockets, and leakmon's memory for them, measured from
 * its own slab caches, is within what Documentation/design.md states: at
 * most 48 bytes per tracked object (the bucket arrays and the CPUs' free
 * entries included) and at most 256 bytes per owner.
 */
TEST_F_TIMEOUT(leakmon, sockets_100000_over_10000_processes, 900)
{
	long obj0, own0, obj1, own1, threads_max;
	struct lm_totals t0, t1;
	struct lm_owners o = { 0 };
	static pid_t pids[MEM_PROCS];
	size_t i, full = 0;
	char *stacks;
	double per_obj, per_owner, buckets;
	unsigned long owner_buckets;
	uint64_t objs = 0;
	char buf[32];
	const int procs = scaled(MEM_PROCS);
	int n, k;

	obj0 = slab_bytes("leakmon_obj");
	own0 = slab_bytes("leakmon_owner");
	if (obj0 < 0 || own0 < 0)
		SKIP(return, "no SLUB statistics in /sys/kernel/slab/leakmon_obj");
	/* threads-max scales with RAM: 1 GiB allows about 7,800 */
	threads_max = read_long("/proc/sys/kernel/threads-max");
	ASSERT_EQ(0, write_str("/proc/sys/kernel/threads-max", "100000"));
	stacks = mmap(NULL, (size_t)MEM_PROCS * MEM_STACK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, stacks);
	TH_LOG("%d sockets over %d processes (LEAKMON_SCALE)",
	       procs * MEM_SOCKS, procs);
	quiesce(self->h);
	totals(self->h, &t0);
	for (n = 0; n < procs; n++) {
		pids[n] = clone(mem_child, stacks + (size_t)(n + 1) * MEM_STACK,
				CLONE_VM | SIGCHLD, NULL);
		if (pids[n] < 0)
			break;
	}
	EXPECT_EQ(procs, n) TH_LOG("clone: %s", strerror(errno));
	for (i = 0; i < 6000 && atomic_load(&mem_ready) +
	     atomic_load(&mem_failed) < n; i++)
		msleep(50);
	EXPECT_EQ(n, atomic_load(&mem_ready));
	quiesce(self->h);
	totals(self->h, &t1);
	obj1 = slab_bytes("leakmon_obj");
	own1 = slab_bytes("leakmon_owner");
	ASSERT_EQ(LM_OK, lm_dump_owners(self->h, &o));
	for (i = 0; i < o.n; i++)
		full += !strcmp(o.owner[i].comm, "lm-mem") &&
			o.owner[i].kind[SOCK].live == MEM_SOCKS &&
			o.owner[i].kind[SK].live == MEM_SOCKS &&
			o.owner[i].kind[BLOB].live == MEM_SOCKS;
	EXPECT_FALSE(o.interrupted);
	lm_owners_free(&o);
	EXPECT_EQ(procs, full);
	for (k = 0; k < LM_NKINDS; k++)
		objs += t1.kind[k].live - t0.kind[k].live;
	EXPECT_LE(3 * MEM_SOCKS * procs, objs);
	/*
	 * The bucket arrays (design.md): 8 bytes for each of hash_buckets,
	 * and for each of max_owners / 4 (rounded up to a power of two,
	 * 256 to 65536), counted in full although they serve every object
	 * and owner, not only these.
	 */
	buckets = 8.0 * t1.config.hash_buckets;
	owner_buckets = 1;
	while (owner_buckets < t1.config.max_owners)
		owner_buckets <<= 1;
	owner_buckets = owner_buckets < 1024 ? 1024 :
			owner_buckets > 262144 ? 262144 : owner_buckets;
	owner_buckets = 8 * (owner_buckets / 4);
	per_obj = ((double)(obj1 - obj0) + buckets) / objs;
	per_owner = ((double)(own1 - own0) + owner_buckets) /
		    (t1.owners - t0.owners);
	TH_LOG("%lu objects: %.1f bytes each (%.1f without the %.0f KiB of buckets)",
	       objs, per_obj, (double)(obj1 - obj0) / objs, buckets / 1024);
	TH_LOG("%u owners: %.1f bytes each (%.1f without the %.0f KiB of buckets)",
	       t1.owners - t0.owners, per_owner,
	       (double)(own1 - own0) / (t1.owners - t0.owners),
	       owner_buckets / 1024.0);
	if (debug_kernel()) {
		TH_LOG("debug kernel (lockdep or KASAN): sizes not judged");
	} else {
		EXPECT_GE(48.0, per_obj);
		EXPECT_GE(256.0, per_owner);
	}

	for (i = 0; i < (size_t)n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < (size_t)n; i++)
		waitpid(pids[i], NULL, 0);
	munmap(stacks, (size_t)MEM_PROCS * MEM_STACK);
	snprintf(buf, sizeof(buf), "%ld", threads_max);
	EXPECT_EQ(0, write_str("/proc/sys/kernel/threads-max", buf));
}

TEST_HARNESS_MAIN
