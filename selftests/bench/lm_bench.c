// SPDX-License-Identifier: GPL-2.0
/*
 * lm_bench: the benchmark's workloads (selftests/bench/), one per run.
 *
 *   lm_bench sock N       N x socket(AF_INET, SOCK_STREAM) + close()
 *   lm_bench sock2 N      the same on two CPUs at once: one process pinned
 *                         to each of CPUs 0 and 1, N iterations each
 *   lm_bench open N       N x open() + close() of a file (LM_BENCH_FILE,
 *                         default /run/lm_bench.file, created if missing)
 *   lm_bench tcp N        N x a loopback TCP connection: connect(),
 *                         accept(), close() of both ends
 *   lm_bench hold N       opens N sockets, prints "ready", holds them until
 *                         stdin reaches end of file
 *   lm_bench owners N     N short-lived child processes each open a socket
 *                         in the descriptor table they share with this
 *                         process, then exit: N exited owners with one
 *                         live object each; prints "ready", holds them
 *                         until stdin closes
 *
 * The timed modes print one JSON object:
 *   {"workload":"sock","n":N,"ns_per_op":X,"seconds":S}
 * where ns_per_op is wall time divided by N (for sock2: by N, with both
 * CPUs busy, so a perfectly parallel run costs what one CPU costs).
 * Exit status: 0, 1 on a system call failure (message on stderr), 2 on bad
 * arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static void die(const char *what)
{
	fprintf(stderr, "lm_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sock_loop(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		close(fd);
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Two pinned children start together (a pipe as the starting gun). */
static void sock2(long n)
{
	int go[2], ready[2];
	pid_t pid[2];
	char c = 0;

	if (pipe(go) || pipe(ready))
		die("pipe");
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (!pid[i]) {
			pin(i);
			close(go[1]);
			if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			sock_loop(n);
			_exit(0);
		}
	}
	for (int i = 0; i < 2; i++)
		if (read(ready[0], &c, 1) != 1)
			die("read");
	close(go[1]);	/* end of file: both start */
	for (int i = 0; i < 2; i++) {
		int st;

		if (waitpid(pid[i], &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "lm_bench: a sock2 worker failed\n");
			exit(1);
		}
	}
}

static void open_loop(long n)
{
	const char *path = getenv("LM_BENCH_FILE");
	int fd;

	if (!path)
		path = "/run/lm_bench.file";
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		die(path);
	close(fd);
	for (long i = 0; i < n; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die("open");
		close(fd);
	}
}

static void tcp_loop(long n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int l, c, a, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(l, (struct sockaddr *)&sin, &len) || listen(l, 64))
		die("listen");
	for (long i = 0; i < n; i++) {
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0)
			die("socket");
		/* RST on close: no TIME_WAIT pile-up over many iterations */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
			die("connect");
		a = accept(l, NULL, NULL);
		if (a < 0)
			die("accept");
		close(c);
		close(a);
	}
	close(l);
}

static void raise_nofile(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= (rlim_t)n + 64)
		return;
	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE)");
}

/* Signal readiness, then block until stdin is closed. */
static void hold_until_eof(void)
{
	char buf[64];

	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
}

static void hold(long n)
{
	raise_nofile(n);
	for (long i = 0; i < n; i++)
		if (socket(AF_INET, SOCK_DGRAM, 0) < 0)
			die("socket");
	hold_until_eof();
}

/*
 * A child sharing our memory and descriptor table (clone(CLONE_VM |
 * CLONE_FILES | CLONE_VFORK), no CLONE_THREAD: a process of its own)
 * allocates the socket; the descriptor stays in the shared table when the
 * child exits, so the socket's objects outlive their owner.  Much cheaper
 * than fork() under emulation.
 */
static int owner_child(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_INET, SOCK_DGRAM, 0);
	return *fd < 0;
}

static void owners(long n)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int fd;

	raise_nofile(n);
	signal(SIGCHLD, SIG_IGN);	/* children reap themselves */
	for (long i = 0; i < n; i++) {
		fd = -1;
		if (clone(owner_child, stack + sizeof(stack),
			  CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &fd) < 0)
			die("clone");
		if (fd < 0) {
			fprintf(stderr, "lm_bench: socket() in child %ld failed\n", i);
			exit(1);
		}
	}
	hold_until_eof();
}

int main(int argc, char **argv)
{
	const char *mode;
	double t0, t;
	char *end;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: lm_bench sock|sock2|open|tcp|hold|owners N\n");
		return 2;
	}
	mode = argv[1];
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || n < 1 || n > 100000000) {
		fprintf(stderr, "lm_bench: bad count '%s' (1..100000000)\n",
			argv[2]);
		return 2;
	}
	if (!strcmp(mode, "hold")) {
		hold(n);
		return 0;
	}
	if (!strcmp(mode, "owners")) {
		owners(n);
		return 0;
	}
	t0 = now();
	if (!strcmp(mode, "sock"))
		sock_loop(n);
	else if (!strcmp(mode, "sock2"))
		sock2(n);
	else if (!strcmp(mode, "open"))
		open_loop(n);
	else if (!strcmp(mode, "tcp"))
		tcp_loop(n);
	else {
		fprintf(stderr, "lm_bench: unknown workload '%s'\n", mode);
		return 2;
	}
	t = now() - t0;
	printf("{\"workload\":\"%s\",\"n\":%ld,\"ns_per_op\":%.1f,\"seconds\":%.3f}\n",
	       mode, n, t * 1e9 / n, t);
	return 0;
}
