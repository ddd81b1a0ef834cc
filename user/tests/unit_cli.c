// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the CLI's argument validation (run when LEAKMON_CLI names
 * the binary).
 */
#include "unit.h"

/* ---- CLI argument validation ---- */

static int run_cli(const char *cli, char *out, size_t outsize, ...)
{
	char *argv[16];
	int pipefd[2], status, n = 0;
	size_t len = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	argv[n++] = (char *)cli;
	va_start(ap, outsize);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	if (pipe(pipefd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pipefd[1], 1);
		dup2(devnull, 2);
		close(pipefd[0]);
		execv(cli, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < outsize &&
	       (r = read(pipefd[0], out + len, outsize - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Run the CLI with stdout to /dev/null; its stderr into err */
static int run_cli_stderr(const char *cli, char *err, size_t errsize, ...)
{
	char *argv[16];
	int pipefd[2], status, n = 0;
	size_t len = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	argv[n++] = (char *)cli;
	va_start(ap, errsize);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;

	if (pipe(pipefd) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(cli, argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < errsize &&
	       (r = read(pipefd[0], err + len, errsize - 1 - len)) > 0)
		len += (size_t)r;
	err[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * An old name is refused: usage exit code, and one line on stderr that
 * starts with prefix and names each of the new names (NULL-terminated)
 */
static void cli_renamed_ok(const char *cli, const char *what,
			   const char *prefix, const char *a1, const char *a2,
			   const char *a3, const char *const *names)
{
	char err[4096];
	bool good;
	int rc = run_cli_stderr(cli, err, sizeof(err), a1, a2, a3, NULL);

	good = rc == EXIT_USAGE && !strncmp(err, prefix, strlen(prefix)) &&
	       strchr(err, '\n') == err + strlen(err) - 1 &&
	       strstr(err, "was renamed");
	for (size_t i = 0; good && names[i]; i++)
		good = strstr(err, names[i]) != NULL;
	ok(good, "cli: %s is refused with one line naming the new name (rc %d): %s",
	   what, rc, err);
}

#define CLI_EXIT(want, ...)						\
	do {								\
		int rc_ = run_cli(cli, out, sizeof(out), __VA_ARGS__, NULL); \
		ok(rc_ == (want), "cli: %s exits %d (got %d)",		\
		   #__VA_ARGS__, want, rc_);				\
	} while (0)

void test_cli(void)
{
	const char *cli = getenv("LEAKMON_CLI");
	static char out[65536];
	int rc;

	if (!cli || access(cli, X_OK)) {
		diag("LEAKMON_CLI not set: CLI tests skipped");
		return;
	}
	rc = run_cli(cli, out, sizeof(out), (char *)NULL);
	ok(rc == EXIT_USAGE, "cli: no command exits 2");
	CLI_EXIT(EXIT_USAGE, "frobnicate");
	CLI_EXIT(EXIT_USAGE, "--bogus");
	CLI_EXIT(EXIT_OK, "help");
	CLI_EXIT(EXIT_OK, "help", "top");
	CLI_EXIT(EXIT_USAGE, "help", "nothing");
	CLI_EXIT(EXIT_OK, "--help");
	CLI_EXIT(EXIT_OK, "--version");
	CLI_EXIT(EXIT_OK, "top", "--help");
	CLI_EXIT(EXIT_OK, "status", "--help");
	CLI_EXIT(EXIT_OK, "config", "--help");
	CLI_EXIT(EXIT_OK, "reset", "--help");
	CLI_EXIT(EXIT_OK, "scan", "--help");
	CLI_EXIT(EXIT_OK, "version", "--help");
	CLI_EXIT(EXIT_OK, "events", "--help");
	CLI_EXIT(EXIT_USAGE, "events", "-c", "0");
	CLI_EXIT(EXIT_USAGE, "events", "-t", "0");
	CLI_EXIT(EXIT_USAGE, "events", "-t", "86401");
	CLI_EXIT(EXIT_USAGE, "events", "extra");
	CLI_EXIT(EXIT_OK, "events", "--priority-prefix", "--help");
	CLI_EXIT(EXIT_USAGE, "events", "-p", "extra");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "abc");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "-1");
	CLI_EXIT(EXIT_USAGE, "top", "-n", "99999999999999999999999");
	CLI_EXIT(EXIT_USAGE, "top", "-n");
	CLI_EXIT(EXIT_USAGE, "top", "--by", "pid");
	CLI_EXIT(EXIT_USAGE, "top", "--by", "uid", "--by", "cgroup");
	CLI_EXIT(EXIT_USAGE, "top", "--sort", "size");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "0");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "1x");
	CLI_EXIT(EXIT_USAGE, "top", "-i", "4000");
	CLI_EXIT(EXIT_USAGE, "top", "--frob");
	CLI_EXIT(EXIT_USAGE, "top", "-z");
	CLI_EXIT(EXIT_OK, "record", "--help");
	CLI_EXIT(EXIT_OK, "graph", "--help");
	CLI_EXIT(EXIT_OK, "watch", "--help");
	CLI_EXIT(EXIT_USAGE, "record", "-i", "1");
	CLI_EXIT(EXIT_USAGE, "record", "-i", "0.05", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-d", "x", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-n", "0", "-o", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "extra");
	CLI_EXIT(EXIT_USAGE, "graph");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.jpg");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.png", "--top", "13");
	CLI_EXIT(EXIT_USAGE, "graph", "/nonexistent/x", "-o", "x.png", "--by", "uid");
	CLI_EXIT(EXIT_RUNTIME, "graph", "/nonexistent/x", "-o", "x.png");
	CLI_EXIT(EXIT_BADFILE, "graph", "/dev/null", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_BADFILE, "graph", "/etc/passwd", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--since", "yesterday");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--until", "3y");
	CLI_EXIT(EXIT_USAGE, "graph", "-o", "x.png", "--since", "1d", "--until", "2d");
	CLI_EXIT(EXIT_BADFILE, "graph", "/usr/include/linux", "-o", "/nonexistent/x.png");
	CLI_EXIT(EXIT_RUNTIME, "graph", "/nonexistent/d", "--since", "7d", "-o", "x.png");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--keep-days", "30");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--max-total", "8M");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1k");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "2G");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1m");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1M",
		 "--max-total", "1M");
	CLI_EXIT(EXIT_USAGE, "record", "-o", "/nonexistent/x", "--rotate-size", "1M",
		 "--keep-days", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "-i", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "--by", "pid");
	CLI_EXIT(EXIT_USAGE, "watch", "--sort", "size");
	CLI_EXIT(EXIT_USAGE, "watch", "-c", "0");
	CLI_EXIT(EXIT_USAGE, "watch", "extra");
	CLI_EXIT(EXIT_USAGE, "top", "extra");
	CLI_EXIT(EXIT_USAGE, "status", "--json", "x");
	CLI_EXIT(EXIT_USAGE, "status", "--top");
	CLI_EXIT(EXIT_USAGE, "reset", "--json");
	CLI_EXIT(EXIT_USAGE, "scan", "extra");
	CLI_EXIT(EXIT_USAGE, "scan", "--bogus");
	CLI_EXIT(EXIT_USAGE, "config", "--max-objects", "0");
	CLI_EXIT(EXIT_USAGE, "config", "--max-objects", "67108865");
	CLI_EXIT(EXIT_USAGE, "config", "--event-threshold", "67108865");
	CLI_EXIT(EXIT_USAGE, "config", "--event-threshold", "-1");
	CLI_EXIT(EXIT_USAGE, "config", "--event-rate", "0");
	CLI_EXIT(EXIT_USAGE, "config", "--event-queue-max", "65537");
	CLI_EXIT(EXIT_USAGE, "config", "--event-rate", "5", "--event-rate", "6");
	CLI_EXIT(EXIT_USAGE, "config", "--max-owners", "1e3");
	CLI_EXIT(EXIT_USAGE, "config", "--max-owners", "4294967296");
	CLI_EXIT(EXIT_USAGE, "config", "--restrict-read", "3");
	CLI_EXIT(EXIT_USAGE, "config", "--reader-gid", "-1");
	CLI_EXIT(EXIT_USAGE, "config", "--reader-gid", "4294967296");
	CLI_EXIT(EXIT_USAGE, "config", "--reader-gid", "no-such-group-lm");
	CLI_EXIT(EXIT_USAGE, "config", "--restrict-read", "0", "--restrict-read", "1");
	CLI_EXIT(EXIT_USAGE, "version", "now");
	CLI_EXIT(EXIT_OK, "check", "--help");
	CLI_EXIT(EXIT_OK, "check", "--list");
	CLI_EXIT(EXIT_OK, "prometheus", "--help");
	CLI_EXIT(EXIT_OK, "growth", "--help");
	CLI_EXIT(EXIT_USAGE, "check");
	CLI_EXIT(EXIT_USAGE, "check", "frob");
	CLI_EXIT(EXIT_USAGE, "check", "owner.live");
	CLI_EXIT(EXIT_USAGE, "check", "owner.live", "x");
	CLI_EXIT(EXIT_USAGE, "check", "live", "extra");
	CLI_EXIT(EXIT_USAGE, "check", "--window", "10", "live");
	CLI_EXIT(EXIT_USAGE, "check", "--window", "604801", "live");
	CLI_EXIT(EXIT_USAGE, "check", "-n", "0", "discovery.owners");
	CLI_EXIT(EXIT_USAGE, "check", "--state", "", "live");
	CLI_EXIT(EXIT_USAGE, "prometheus", "extra");
	CLI_EXIT(EXIT_USAGE, "prometheus", "-o");
	CLI_EXIT(EXIT_USAGE, "growth", "--window", "abc");

	{
		static const char *const check_new[] = {
			"'unreachable'", "'exited'", NULL };
		static const char *const owner_new[] = {
			"'owner.unreachable'", "'owner.exited'", NULL };
		static const char *const uid_new[] = {
			"'uid.unreachable'", "'uid.exited'", NULL };
		static const char *const sort_new[] = { "'unreachable'", NULL };

		cli_renamed_ok(cli, "check orphans", "leakmon: check: 'orphans'",
			       "check", "orphans", NULL, check_new);
		cli_renamed_ok(cli, "check owner.orphans",
			       "leakmon: check: 'owner.orphans'", "check",
			       "owner.orphans", "1", owner_new);
		cli_renamed_ok(cli, "check uid.orphans",
			       "leakmon: check: 'uid.orphans'", "check",
			       "uid.orphans", "0", uid_new);
		cli_renamed_ok(cli, "top --sort orphans",
			       "leakmon: top: --sort 'orphans'", "top", "--sort",
			       "orphans", sort_new);
		cli_renamed_ok(cli, "watch --sort orphans",
			       "leakmon: watch: --sort 'orphans'", "watch",
			       "--sort", "orphans", sort_new);
	}
	CLI_EXIT(EXIT_USAGE, "top", "--sort", "orphans");
	CLI_EXIT(EXIT_USAGE, "watch", "-s", "orphans");
	CLI_EXIT(EXIT_OK, "top", "--sort", "unreachable", "--help");

	rc = run_cli(cli, out, sizeof(out), "version", "--json", (char *)NULL);
	ok((rc == EXIT_OK && json_valid(out) && strstr(out, "\"cli_version\"")) ||
	   rc == EXIT_PERM, "cli: version --json is valid JSON (exit %d)", rc);
}
