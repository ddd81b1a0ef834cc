/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon kernel selftests (kselftest harness, TAP output): what the test
 * programs share.  One program an area, each one translation unit that
 * includes this header (the harness keeps its list of tests per
 * translation unit), all of them tests of one fixture, leakmon:
 *
 *   leakmon_accounting  accounting exactness
 *   leakmon_protocol    netlink protocol and permissions
 *   leakmon_events      notifications
 *   leakmon_probes      probes and module parameters
 *   leakmon_faults      fault injection (failslab)
 *   leakmon_scale       scale (LEAKMON_SCALE)
 *   leakmon_reach       the reachability pass
 *
 * selftests/guest/run_tests.sh runs them in that order; "leakmon_test" in
 * its LEAKMON_PROGRAMS names them all.  The helpers here are static inline:
 * a program that does not use one is not warned about it.
 *
 * Run as root inside a VM, with leakmon.ko and leakbind.ko given by the
 * environment variables LEAKMON_KO and LEAKBIND_KO (and the kernel's
 * module directory by LEAKMON_MODDIR, for loop.ko).  Each test measures
 * deltas against a baseline it takes itself, so earlier tests' leaks do not
 * disturb later ones.  Frees of socket inodes happen in RCU callbacks, so
 * "back to baseline" is polled for with a deadline, then checked for exact
 * equality.
 *
 * Every test has a watchdog of at least 300 s (the harness's default is
 * 30 s): on the debug kernel under emulation, a module reload alone can take
 * several seconds.
 */
#ifndef LEAKMON_TEST_H
#define LEAKMON_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "leakmon_nl.h"

#define SOCK LEAKMON_KIND_SOCK_INODE
#define BLOB LEAKMON_KIND_FILE_BLOB
#define SK LEAKMON_KIND_SK_BLOB
#define NOBODY 65534
#define SETTLE_MS 20000

/* ---- helpers ------------------------------------------------------------ */

static inline int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static inline const char *env_or_die(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "# %s is not set\n", name);
		exit(KSFT_FAIL);
	}
	return v;
}

static inline bool leakmon_loaded(void)
{
	return access("/sys/module/leakmon", F_OK) == 0;
}

/*
 * Load and unload with the system calls insmod and rmmod make, without
 * starting them (two execs over the 9p root are most of a cycle under TCG).
 */
static inline int module_load(const char *params)
{
	int fd = open(env_or_die("LEAKMON_KO"), O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return rc;
}

static inline int module_unload(void)
{
	return syscall(SYS_delete_module, "leakmon", O_NONBLOCK);
}

/*
 * (Re)load leakmon with the given parameters ("" for defaults), as rmmod
 * and insmod would, and saying why when it fails.
 */
static inline int leakmon_reload(const char *params)
{
	if (leakmon_loaded() && module_unload()) {
		fprintf(stderr, "# rmmod leakmon: %s\n", strerror(errno));
		return -1;
	}
	if (module_load(params)) {
		fprintf(stderr, "# insmod leakmon.ko %s: %s\n", params,
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The kernel log holds text (what `dmesg | grep -qF text` says, without
 * its three execs, seconds on the debug kernel under emulation).
 */
static inline bool kernel_log_has(const char *text)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	bool found;
	char *buf;

	if (len <= 0)
		return false;
	buf = malloc(len + 1);
	if (!buf)
		return false;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	buf[len > 0 ? len : 0] = '\0';
	found = strstr(buf, text) != NULL;
	free(buf);
	return found;
}

static inline void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* CLOCK_MONOTONIC in seconds */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline struct lm_handle *open_or_die(void)
{
	struct lm_handle *h;
	struct lm_error err;

	if (lm_open(&h, &err) != LM_OK) {
		fprintf(stderr, "# lm_open: %s %s %s\n", lm_strstatus(err.status),
			strerror(err.err), err.detail);
		exit(KSFT_FAIL);
	}
	return h;
}

static inline void totals(struct lm_handle *h, struct lm_totals *t)
{
	if (lm_get_totals(h, t) != LM_OK) {
		fprintf(stderr, "# get totals failed: %s\n",
			lm_last_error(h)->extack);
		exit(KSFT_FAIL);
	}
}

/* Copy of the owner tgid (any start time); false if not listed. */
static inline bool owner_of(struct lm_handle *h, pid_t tgid,
			    struct lm_owner *out)
{
	struct lm_owners o = { 0 };
	const struct lm_owner *p;
	bool found = false;

	if (lm_dump_owners(h, &o) != LM_OK) {
		fprintf(stderr, "# dump failed: %s\n", lm_last_error(h)->extack);
		exit(KSFT_FAIL);
	}
	p = lm_owners_find(&o, tgid, 0);
	if (p) {
		*out = *p;
		found = true;
	}
	lm_owners_free(&o);
	return found;
}

/* The one live owner whose comm is comm. */
static inline bool owner_named(struct lm_handle *h, const char *comm,
			       struct lm_owner *out)
{
	struct lm_owners o = { 0 };
	int found = 0;
	size_t i;

	if (lm_dump_owners(h, &o) != LM_OK) {
		fprintf(stderr, "# dump failed: %s\n", lm_last_error(h)->extack);
		exit(KSFT_FAIL);
	}
	for (i = 0; i < o.n; i++) {
		if (!o.owner[i].exited && !strcmp(o.owner[i].comm, comm)) {
			*out = o.owner[i];
			found++;
		}
	}
	lm_owners_free(&o);
	return found == 1;
}

typedef bool (*settle_fn)(struct lm_handle *h, void *arg);

/* Poll until fn holds, up to SETTLE_MS; true if it did. */
static inline bool settle(struct lm_handle *h, settle_fn fn, void *arg)
{
	int waited;

	for (waited = 0; waited < SETTLE_MS; waited += 50) {
		if (fn(h, arg))
			return true;
		msleep(50);
	}
	return fn(h, arg);
}

struct live_goal {
	uint64_t live[LM_NKINDS];
};

static inline bool live_is(struct lm_handle *h, void *arg)
{
	struct live_goal *g = arg;
	struct lm_totals t;
	int k;

	totals(h, &t);
	for (k = 0; k < LM_NKINDS; k++)
		if (t.kind[k].live != g->live[k])
			return false;
	return true;
}

/* Say which kind missed its goal, and by how much. */
static inline void log_live(struct __test_metadata *_metadata,
			    struct lm_handle *h, const struct live_goal *g)
{
	struct lm_totals t;
	int k;

	totals(h, &t);
	for (k = 0; k < LM_NKINDS; k++)
		if (t.kind[k].live != g->live[k])
			TH_LOG("%s: live %lu, expected %lu (missed alloc %lu, free %lu)",
			       t.kind[k].name, t.kind[k].live, g->live[k],
			       t.kind[k].missed_alloc, t.kind[k].missed_free);
}

/*
 * Wait until live counts hold still for 300 ms: objects of earlier tests
 * (netlink sockets, for one) are freed from RCU callbacks a little later,
 * and a baseline taken before that would be off by them.
 */
static inline void quiesce(struct lm_handle *h)
{
	struct lm_totals a, b;
	int i, k;
	bool same;

	totals(h, &a);
	for (i = 0; i < 30; i++) {
		msleep(300);
		totals(h, &b);
		same = true;
		for (k = 0; k < LM_NKINDS; k++)
			same &= a.kind[k].live == b.kind[k].live;
		if (same)
			return;
		a = b;
	}
}

static inline void drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("drop privileges");
		_exit(100);
	}
}

static inline int tcp_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0);
}

/* Fork a child that runs fn(arg) and returns its status as exit code. */
static inline pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

/*
 * A child sharing the parent's memory (CLONE_VM, like vfork but the parent
 * goes on): no page tables to copy, so thousands of them are cheap even on
 * the debug kernel.  One at a time: they share the stack, so the caller
 * waits for each before the next.
 */
static inline pid_t spawn_vm(int (*fn)(void *), void *arg)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));

	return clone(fn, stack + sizeof(stack), CLONE_VM | SIGCHLD, arg);
}

static inline int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * A child that stops itself (SIGSTOP) at each checkpoint, so the parent can
 * look at the module's view of it, and goes on when continued.  No pipes or
 * other files: nothing but the child's own work changes the counts.
 */
struct held_child {
	pid_t pid;
	/* held_stopped(): how it ended where it did not stop (wait_child) */
	int status;
};

/* In the child: a checkpoint, reached only if ok (else exit 3). */
static inline void checkpoint(bool ok)
{
	if (!ok)
		_exit(3);
	raise(SIGSTOP);
}

static inline int held_start(struct held_child *c, void (*body)(void))
{
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		body();
		_exit(0);
	}
	return 0;
}

/* Wait for the next checkpoint: 0 when the child stopped there. */
static inline int held_stopped(struct held_child *c)
{
	int st;

	c->status = -1;
	if (waitpid(c->pid, &st, WUNTRACED) != c->pid)
		return -1;
	if (WIFSTOPPED(st))
		return 0;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return -1;
}

static inline int held_continue(struct held_child *c)
{
	return kill(c->pid, SIGCONT);
}

/* Let the child run to its end; its exit status. */
static inline int held_finish(struct held_child *c)
{
	if (held_continue(c))
		return -1;
	return wait_child(c->pid);
}

/* ---- fixture ------------------------------------------------------------ */

FIXTURE(leakmon) {
	struct lm_handle *h;
	double t0;
};

FIXTURE_SETUP(leakmon)
{
	self->t0 = now_s();
	if (geteuid() != 0)
		SKIP(return, "needs root to load modules");
	if (!leakmon_loaded())
		ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
	quiesce(self->h);
}

/* Each test's wall time, for make check's account of where time goes */
FIXTURE_TEARDOWN(leakmon)
{
	if (self->h)
		lm_close(self->h);
	printf("# test time %s %.1f s\n", _metadata->name, now_s() - self->t0);
	fflush(stdout);
}

/* ---- workloads of more than one area ------------------------------------ */

/* The incident: apache2, whose binds are refused, leaks BINDS sockets. */
#define BINDS 1000

static inline void apache2_body(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	long refused = 0;
	int i;

	drop_privileges();
	prctl(PR_SET_NAME, "apache2");
	for (i = 0; i < BINDS; i++) {
		int s = tcp_socket();

		if (s < 0)
			break;
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno == EPERM)
			refused++;
		close(s);
	}
	checkpoint(refused == BINDS);
}

struct owner_goal {
	pid_t tgid;
	bool exited;
	uint64_t live[LM_NKINDS];
};

static inline bool owner_is(struct lm_handle *h, void *arg)
{
	struct owner_goal *g = arg;
	struct lm_owner o;
	int k;

	if (!owner_of(h, g->tgid, &o) || o.exited != g->exited)
		return false;
	for (k = 0; k < LM_NKINDS; k++)
		if (o.kind[k].live != g->live[k])
			return false;
	return true;
}

/* A process that holds HELD sockets, then closes them. */
#define HELD 500

static inline void fd_leaker_body(void)
{
	int fds[HELD], i, opened = 0;

	for (i = 0; i < HELD; i++)
		opened += (fds[i] = tcp_socket()) >= 0;
	checkpoint(opened == HELD);
	for (i = 0; i < HELD; i++)
		close(fds[i]);
	checkpoint(true);
}

/* A process that holds HOLD sockets, where LIMIT objects fill the table. */
#define LIMIT 1000
#define HOLD 5000

static inline void hold_body(void)
{
	static int fds[HOLD];
	struct rlimit rl = { HOLD + 100, HOLD + 100 };
	int i, opened = 0;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < HOLD; i++) {
		fds[i] = tcp_socket();
		opened += fds[i] >= 0;
	}
	checkpoint(opened == HOLD);
}

static inline uint64_t untracked(const struct lm_kind_totals *k)
{
	return k->untracked_table_full + k->untracked_owners_full +
	       k->untracked_nomem;
}

/* Processes that churn beside a test (reload_under_churn, scan_under_churn) */
#define CHURNERS 4

/* ---- slab caches ------------------------------------------------------- */

static inline long slab_attr(const char *cache, const char *attr)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/%s", cache, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * A debug kernel: lockdep makes every spinlock bigger, KASAN adds metadata
 * and red zones to every slab object, so the sizes Documentation/ states
 * for production kernels do not apply there.
 */
static inline bool debug_kernel(void)
{
	char line[256];
	bool kasan = false;
	FILE *f;

	if (access("/proc/lockdep", F_OK) == 0)
		return true;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return false;
	while (!kasan && fgets(line, sizeof(line), f))
		kasan = strstr(line, " __asan_load8\n") != NULL;
	fclose(f);
	return kasan;
}

/* ---- notifications ------------------------------------------------------ */

#define EVENTS_MAX 512

struct ev_log {
	struct lm_event ev[EVENTS_MAX];
	int n;
	int lost;
};

static inline struct lm_handle *events_open(void)
{
	struct lm_handle *h = open_or_die();

	if (lm_events_join(h) != LM_OK) {
		fprintf(stderr, "# join events: %s\n", lm_last_error(h)->detail);
		exit(KSFT_FAIL);
	}
	return h;
}

/* Everything that arrives within ms milliseconds. */
static inline void collect(struct lm_handle *h, struct ev_log *log, int ms)
{
	double t0 = now_s();
	struct lm_event ev;
	bool got;
	int left;

	for (;;) {
		left = ms - (int)((now_s() - t0) * 1000);
		if (left <= 0)
			return;
		if (lm_event_next(h, &ev, left, &got) != LM_OK) {
			log->lost++;
			continue;
		}
		if (got && log->n < EVENTS_MAX)
			log->ev[log->n++] = ev;
	}
}

static inline void log_events(struct __test_metadata *_metadata,
			      const struct ev_log *log)
{
	int i;

	for (i = 0; i < log->n; i++) {
		const struct lm_event *e = &log->ev[i];

		TH_LOG("event %s: tgid %u comm %s live %lu orphans %lu kinds %lu/%lu/%lu reason %u objects %lu/%u",
		       lm_event_name(e->cmd), e->tgid, e->comm, e->live,
		       e->orphans, e->kind[SOCK].count, e->kind[BLOB].count,
		       e->kind[SK].count, e->reason, e->objects,
		       e->max_objects);
	}
}

static inline int count_events(const struct ev_log *log, uint8_t cmd,
			       pid_t tgid)
{
	int i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->ev[i].cmd == cmd &&
		     (!tgid || log->ev[i].tgid == (uint32_t)tgid);
	return n;
}

static inline const struct lm_event *find_event(const struct ev_log *log,
						uint8_t cmd, pid_t tgid)
{
	int i;

	for (i = 0; i < log->n; i++)
		if (log->ev[i].cmd == cmd &&
		    (!tgid || log->ev[i].tgid == (uint32_t)tgid))
			return &log->ev[i];
	return NULL;
}

/* ---- descriptors over SCM_RIGHTS ---------------------------------------- */

/* Send n descriptors in one message (at most REACH_MAX_FDS). */
#define REACH_MAX_FDS 32
static inline int send_fds(int via, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(REACH_MAX_FDS * sizeof(int))] = { 0 };
	char b = 'x';
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	if (n < 1 || n > REACH_MAX_FDS)
		return -1;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(via, &m, 0) == 1 ? 0 : -1;
}

static inline int send_fd(int via, int fd)
{
	return send_fds(via, &fd, 1);
}

/* Receive one message's descriptors into fds; their number, or -1. */
static inline int recv_fds(int via, int *fds, int max)
{
	char cbuf[CMSG_SPACE(REACH_MAX_FDS * sizeof(int))];
	char b;
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int n;

	if (recvmsg(via, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (n > max)
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return n;
}

static inline int recv_fd(int via)
{
	int fd;

	return recv_fds(via, &fd, 1) == 1 ? fd : -1;
}

/* ---- files and the CLI -------------------------------------------------- */

static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static inline long read_long(const char *path)
{
	long v = LONG_MIN;
	FILE *f = fopen(path, "r");

	if (!f)
		return LONG_MIN;
	if (fscanf(f, "%ld", &v) != 1)
		v = LONG_MIN;
	fclose(f);
	return v;
}

/* Run the CLI (LEAKMON_CLI) with args; its stdout in out, its exit status. */
static inline int cli(const char *args, char *out, size_t size)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", env_or_die("LEAKMON_CLI"),
		 args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < size && fgets(out + n, size - n, p))
		n += strlen(out + n);
	out[n] = '\0';
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif /* LEAKMON_TEST_H */
