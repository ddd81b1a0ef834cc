// SPDX-License-Identifier: GPL-2.0
/*
 * lm_workload: the processes leakmon is meant to find, for the demo and the
 * CLI tests.
 *
 *   lm_workload apache2 N [UID]   as "apache2" under UID (default 65534):
 *                                 N socket()+bind()+close(); with leakbind
 *                                 loaded every bind() fails and leaks
 *   lm_workload churn SECONDS     as "nginx": socket()+close() and
 *                                 open()+close() in a loop (well behaved)
 *   lm_workload fdleak N SECONDS [RAMP]
 *                                 as "embedhttpd": opens N sockets (spread
 *                                 over RAMP seconds, default at once), keeps
 *                                 them for SECONDS, then exits
 *
 * Prints one line saying what it did; exits 0, or 1 on an unexpected error,
 * 2 on bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "lm_workload: bad number '%s' (%ld..%ld)\n", s,
			min, max);
		exit(2);
	}
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int apache2(long n, uid_t uid)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	long i, refused = 0;

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid)) {
		perror("lm_workload: setresuid");
		return 1;
	}
	prctl(PR_SET_NAME, "apache2");
	for (i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		if (s < 0) {
			perror("lm_workload: socket");
			return 1;
		}
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno == EPERM)
			refused++;
		close(s);
	}
	printf("apache2 (pid %d, uid %u): %ld binds, %ld refused\n", getpid(),
	       uid, n, refused);
	return 0;
}

static int churn(long seconds)
{
	double end = now() + seconds;
	long loops = 0;

	prctl(PR_SET_NAME, "nginx");
	while (now() < end) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int f = open("/proc/self/stat", O_RDONLY);

		if (s < 0 || f < 0) {
			perror("lm_workload: churn");
			return 1;
		}
		close(s);
		close(f);
		loops++;
	}
	printf("nginx (pid %d): %ld sockets and files opened and closed\n",
	       getpid(), loops);
	return 0;
}

static int fdleak(long n, long seconds, long ramp)
{
	struct rlimit rl = { n + 64, n + 64 };
	useconds_t gap = ramp ? (useconds_t)(ramp * 1000000 / n) : 0;
	long i;

	prctl(PR_SET_NAME, "embedhttpd");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("lm_workload: setrlimit");
	for (i = 0; i < n; i++) {
		if (socket(AF_INET, SOCK_STREAM, 0) < 0) {
			perror("lm_workload: socket");
			return 1;
		}
		if (gap)
			usleep(gap);
	}
	printf("embedhttpd (pid %d): holding %ld sockets for %ld s\n",
	       getpid(), n, seconds);
	fflush(stdout);
	sleep(seconds);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 5) {
		if (!strcmp(argv[1], "apache2") && argc <= 4)
			return apache2(number(argv[2], 1, 1000000),
				       argc == 4 ? number(argv[3], 0, INT_MAX)
						 : 65534);
		if (!strcmp(argv[1], "churn") && argc == 3)
			return churn(number(argv[2], 1, 86400));
		if (!strcmp(argv[1], "fdleak") && argc >= 4)
			return fdleak(number(argv[2], 1, 1000000),
				      number(argv[3], 0, 86400),
				      argc == 5 ? number(argv[4], 0, 3600) : 0);
	}
	fprintf(stderr,
		"usage: lm_workload apache2 N [UID] | churn SECONDS |\n"
		"       fdleak N SECONDS [RAMP]\n");
	return 2;
}
