// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, probes and module parameters (refused values,
 * kinds, probe_exclude, probe_mechanism, kretprobe and fprobe misses,
 * reloads under churn).  Kselftest harness, TAP output; the helpers and
 * the fixture are in leakmon_test.h.
 */
#include <sys/utsname.h>

#include "leakmon_test.h"

/* ---- module parameters -------------------------------------------------- */

TEST_F_TIMEOUT(leakmon, bad_module_parameters_refused, 300)
{
	static const char *const bad[] = {
		"max_objects=0", "max_objects=67108865", "max_owners=0",
		"max_owners=abc", "hash_bits=7", "hash_bits=25",
		"kretprobe_maxactive=-1", "kretprobe_maxactive=65537",
		"kinds=bogus", "kinds=", "kinds=sock_inode,nope",
		"probe_exclude=nope", "probe_exclude=sock_alloc,",
		"event_threshold=67108865", "event_rate=0",
		"event_rate=100001", "event_queue_max=0",
		"event_queue_max=65537", "probe_mechanism=bogus",
		"probe_mechanism=",
	};
	unsigned int i;

	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, module_unload());
	/* finit_module(2) as insmod makes it: the kernel refuses each one */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, module_load(bad[i]))
			TH_LOG("%s was accepted", bad[i]);
		EXPECT_FALSE(leakmon_loaded());
		if (leakmon_loaded())
			module_unload();
	}
	/* The kernel log says which value was wrong and what is allowed. */
	EXPECT_TRUE(kernel_log_has("leakmon: hash_bits: 25 out of range 8..24"));
	ASSERT_EQ(0, leakmon_reload("hash_bits=12 kretprobe_maxactive=128"));
	self->h = open_or_die();
	{
		struct lm_config c;

		ASSERT_EQ(LM_OK, lm_get_config(self->h, &c));
		EXPECT_EQ(4096, c.hash_buckets);
	}
}

/* ---- tracking a subset of kinds ---------------------------------------- */

TEST_F_TIMEOUT(leakmon, unselected_kinds_are_disabled_and_say_why, 300)
{
	struct lm_totals t0, t1;
	int s;

	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload("kinds=sock_inode,sk_blob"));
	self->h = open_or_die();
	totals(self->h, &t0);
	EXPECT_TRUE(t0.kind[SOCK].enabled);
	EXPECT_TRUE(t0.kind[SK].enabled);
	EXPECT_FALSE(t0.kind[BLOB].enabled);
	EXPECT_STREQ("not selected by the kinds parameter",
		     t0.kind[BLOB].disabled_reason);
	EXPECT_STREQ("", t0.kind[BLOB].alloc_probe);
	ASSERT_LE(0, s = tcp_socket());
	close(s);
	totals(self->h, &t1);
	EXPECT_LT(t0.kind[SOCK].observed, t1.kind[SOCK].observed);
	EXPECT_EQ(0, t1.kind[BLOB].observed);
	/* The CLI shows it, in both forms. */
	EXPECT_EQ(0, sh("%s status | grep -q '^file_blob    disabled: not selected'",
			env_or_die("LEAKMON_CLI")));
	EXPECT_EQ(0, sh("%s status --json | grep -q '\"disabled_reason\": \"not selected'",
			env_or_die("LEAKMON_CLI")));
	lm_close(self->h);
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

/* ---- probe_exclude: fallback pairs, disabled kinds, refusing to load ---- */

TEST_F_TIMEOUT(leakmon, excluded_probes_fall_back_disable_or_refuse, 300)
{
	struct lm_totals t0, t1;
	int s;

	lm_close(self->h);
	self->h = NULL;

	/* sock_inode's first pair excluded: its second pair is used, and works. */
	ASSERT_EQ(0, leakmon_reload("probe_exclude=sock_alloc"));
	self->h = open_or_die();
	totals(self->h, &t0);
	EXPECT_TRUE(t0.kind[SOCK].enabled);
	EXPECT_STREQ("sock_alloc_inode(ret)", t0.kind[SOCK].alloc_probe);
	EXPECT_STREQ("sock_free_inode", t0.kind[SOCK].free_probe);
	ASSERT_LE(0, s = tcp_socket());
	totals(self->h, &t1);
	EXPECT_LE(t0.kind[SOCK].observed + 1, t1.kind[SOCK].observed);
	EXPECT_LE(t0.kind[SOCK].live + 1, t1.kind[SOCK].live);
	close(s);
	lm_close(self->h);
	self->h = NULL;

	/* Both pairs excluded: the kind is disabled, its reason names both. */
	ASSERT_EQ(0, leakmon_reload("probe_exclude=__destroy_inode,sock_free_inode"));
	self->h = open_or_die();
	totals(self->h, &t0);
	EXPECT_FALSE(t0.kind[SOCK].enabled);
	EXPECT_STREQ("__destroy_inode: excluded, sock_free_inode: excluded",
		     t0.kind[SOCK].disabled_reason);
	EXPECT_TRUE(t0.kind[BLOB].enabled);
	EXPECT_TRUE(t0.kind[SK].enabled);
	EXPECT_EQ(0, sh("%s status | grep -q '^sock_inode   disabled: __destroy_inode: excluded'",
			env_or_die("LEAKMON_CLI")));
	lm_close(self->h);
	self->h = NULL;

	/* Nothing left to track: the module refuses to load, naming them. */
	ASSERT_EQ(0, module_unload());
	EXPECT_NE(0, module_load("probe_exclude=sock_alloc,sock_alloc_inode,security_file_free,security_sk_alloc"));
	EXPECT_FALSE(leakmon_loaded());
	EXPECT_TRUE(kernel_log_has("kind sock_inode disabled: sock_alloc: excluded, sock_alloc_inode: excluded"));
	EXPECT_TRUE(kernel_log_has("kind file_blob disabled: security_file_free: excluded"));
	EXPECT_TRUE(kernel_log_has("kind sk_blob disabled: security_sk_alloc: excluded"));
	EXPECT_TRUE(kernel_log_has("nothing can be tracked"));

	/* A name leakmon does not probe is a typo: refused. */
	EXPECT_NE(0, module_load("probe_exclude=sock_allocx"));
	EXPECT_FALSE(leakmon_loaded());
	EXPECT_TRUE(kernel_log_has("probe_exclude: 'sock_allocx' is not a probe leakmon uses"));

	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

/* ---- probe_mechanism: fprobe where the kernel has it, else kprobe ------ */

/*
 * Is sym, as a kprobe, in the kernel's list of registered kprobes?  (At
 * its start, or after the ENDBR of kernels built for IBT: +0x4.)
 */
static bool kprobe_listed(const char *sym)
{
	return sh("grep -Eq ' %s\\+0x[04] ' /sys/kernel/debug/kprobes/list",
		  sym) == 0;
}

/*
 * Every enabled kind reports the mechanism want; the release probe of
 * sk_blob is a kprobe exactly when the report says so; a socket's three
 * objects are seen coming and going.
 */
static void check_mechanism(struct __test_metadata *_metadata,
			    struct lm_handle *h, const char *want)
{
	struct lm_totals t0, t1;
	int k, s;

	totals(h, &t0);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_TRUE(t0.kind[k].enabled);
		EXPECT_STREQ(want, t0.kind[k].mechanism);
	}
	ASSERT_LE(0, s = tcp_socket());
	totals(h, &t1);
	for (k = 0; k < LM_NKINDS; k++) {
		EXPECT_EQ(t0.kind[k].observed + 1, t1.kind[k].observed)
			TH_LOG("%s with %s", t1.kind[k].name, want);
		EXPECT_EQ(t0.kind[k].live + 1, t1.kind[k].live);
	}
	close(s);
	quiesce(h);
	totals(h, &t1);
	for (k = 0; k < LM_NKINDS; k++)
		EXPECT_EQ(t0.kind[k].live, t1.kind[k].live)
			TH_LOG("%s with %s", t1.kind[k].name, want);
	/* (a shell's files come and go: after the counts) */
	EXPECT_EQ(!strcmp(want, "kprobe"), kprobe_listed("security_sk_free"))
		TH_LOG("security_sk_free as a kprobe, with %s", want);
}

TEST_F_TIMEOUT(leakmon, probe_mechanism_reported_and_chosen, 300)
{
	struct lm_totals t;
	char out[8192], line[64];
	bool fprobe;

	/* The default, auto: one mechanism for every kind, and it says which */
	quiesce(self->h);
	totals(self->h, &t);
	fprobe = !strcmp(t.kind[SOCK].mechanism, "fprobe");
	TH_LOG("auto gives %s", t.kind[SOCK].mechanism);
	check_mechanism(_metadata, self->h, fprobe ? "fprobe" : "kprobe");
	EXPECT_EQ(0, cli("status", out, sizeof(out)));
	snprintf(line, sizeof(line), "\n  %ss: alloc ",
		 fprobe ? "fprobe" : "kprobe");
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("leakmon status:\n%s", out);
	EXPECT_EQ(0, cli("status --json", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, fprobe ? "\"probe_mechanism\": \"fprobe\"" :
					     "\"probe_mechanism\": \"kprobe\""));

	/* kprobes on request, on every kernel */
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload("probe_mechanism=kprobe"));
	self->h = open_or_die();
	quiesce(self->h);
	check_mechanism(_metadata, self->h, "kprobe");
	lm_close(self->h);
	self->h = NULL;

	/*
	 * fprobe on request: taken wherever auto took it; elsewhere taken, or
	 * refused as unsupported, saying so.
	 */
	ASSERT_EQ(0, module_unload());
	if (module_load("probe_mechanism=fprobe") == 0) {
		self->h = open_or_die();
		quiesce(self->h);
		check_mechanism(_metadata, self->h, "fprobe");
		lm_close(self->h);
		self->h = NULL;
	} else {
		int err = errno;

		EXPECT_FALSE(fprobe) TH_LOG("auto took fprobe, fprobe refused");
		EXPECT_EQ(EOPNOTSUPP, err);
		EXPECT_FALSE(leakmon_loaded());
		EXPECT_TRUE(kernel_log_has("probe_mechanism=fprobe: this kernel has no fprobe"));
	}
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

/* ---- kprobe misses ---------------------------------------------------- */

#define MISS_PROCS 4

struct miss_shared {
	atomic_int stop;
	atomic_long made[MISS_PROCS];
};

struct miss_arg {
	struct miss_shared *sh;
	int i;
};

/* Open and close TCP sockets until told to stop; count each one made. */
static int miss_churn(void *arg)
{
	struct miss_arg *a = arg;

	while (!atomic_load(&a->sh->stop)) {
		int s = tcp_socket();

		if (s < 0)
			return 1;
		close(s);
		atomic_fetch_add(&a->sh->made[a->i], 1);
	}
	return 0;
}

/*
 * Load leakmon with params, run MISS_PROCS processes that open and close
 * sockets, until misses were counted (at least a second, 60 s at most) or,
 * when none are expected, for two seconds; then, for each kind, the
 * allocations leakmon observed plus those it missed must be exactly the
 * sockets made (each socket is one socket inode, one file and one sock).
 * Returns the allocations missed.
 */
static uint64_t misses_under_churn(struct __test_metadata *_metadata,
				   FIXTURE_DATA(leakmon) *self,
				   const char *params, bool want_miss)
{
	struct miss_arg args[MISS_PROCS];
	pid_t pids[MISS_PROCS];
	struct lm_totals t0, t1;
	struct miss_shared *sh;
	uint64_t missed = 0;
	long made = 0;
	int i, k, ms;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		EXPECT_NE(MAP_FAILED, sh);
		return 0;
	}
	lm_close(self->h);
	self->h = NULL;
	if (leakmon_reload(params)) {
		EXPECT_EQ(0, 1) TH_LOG("cannot load leakmon with %s", params);
		munmap(sh, sizeof(*sh));
		return 0;
	}
	self->h = open_or_die();
	quiesce(self->h);
	totals(self->h, &t0);
	for (i = 0; i < MISS_PROCS; i++) {
		args[i].sh = sh;
		args[i].i = i;
		pids[i] = spawn(miss_churn, &args[i]);
		EXPECT_LT(0, pids[i]);
	}
	for (ms = 0; ms < (want_miss ? 60000 : 2000); ms += 100) {
		msleep(100);
		totals(self->h, &t1);
		missed = 0;
		for (k = 0; k < LM_NKINDS; k++)
			missed += t1.kind[k].missed_alloc - t0.kind[k].missed_alloc;
		if (want_miss && missed && ms >= 1000)
			break;
	}
	atomic_store(&sh->stop, 1);
	for (i = 0; i < MISS_PROCS; i++) {
		if (pids[i] > 0)
			EXPECT_EQ(0, wait_child(pids[i]));
		made += atomic_load(&sh->made[i]);
	}
	munmap(sh, sizeof(*sh));
	totals(self->h, &t1);
	missed = 0;
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_kind_totals *a = &t0.kind[k], *b = &t1.kind[k];
		uint64_t obs = b->observed - a->observed;
		uint64_t miss = b->missed_alloc - a->missed_alloc;

		TH_LOG("%s: %s: %ld made, %lu observed, %lu missed", params,
		       b->name, made, obs, miss);
		EXPECT_EQ(made, obs + miss);
		EXPECT_EQ(obs, b->tracked - a->tracked +
			       untracked(b) - untracked(a));
		missed += miss;
	}
	return missed;
}

/*
 * With kprobes and one kretprobe instance (kretprobe_maxactive=1), an
 * allocation that starts while another is in flight (on the other CPU, or
 * after a preemption) is not seen: the kernel counts it in the
 * kretprobe's nmissed, which leakmon exports as missed_alloc.  The
 * accounting stays exact, the CLI warns, and with the defaults back every
 * allocation is seen again.
 */
TEST_F_TIMEOUT(leakmon, kprobe_misses_counted, 300)
{
	struct lm_totals t0, t1;
	char out[8192];
	int i;

	EXPECT_LT(0, misses_under_churn(_metadata, self,
					"kretprobe_maxactive=1 probe_mechanism=kprobe",
					true)) TH_LOG("no kretprobe miss in 60 s");

	/* The CLI says tracking is incomplete, and why. */
	EXPECT_EQ(0, cli("status", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "warning: tracking incomplete"))
		TH_LOG("leakmon status:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "probe misses")) TH_LOG("leakmon status:\n%s", out);

	/* With the defaults back, one process's sockets are all seen. */
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
	quiesce(self->h);
	totals(self->h, &t0);
	for (i = 0; i < 100; i++)
		close(tcp_socket());
	totals(self->h, &t1);
	EXPECT_EQ(100, t1.kind[SOCK].observed - t0.kind[SOCK].observed);
	EXPECT_EQ(0, t1.kind[SOCK].missed_alloc);
}

/*
 * The same with fprobes, where the kernel has them: up to 6.13 their
 * returns come from a rethook pool of kretprobe_maxactive instances, and
 * an exhausted pool is counted (fprobe nmissed, missed_alloc); from 6.14
 * they go through the function graph tracer's shadow stack, which has no
 * such pool, and nothing may be missed.  Either way the accounting is
 * exact.
 */
TEST_F_TIMEOUT(leakmon, fprobe_misses_counted, 300)
{
	const char *params = "kretprobe_maxactive=1 probe_mechanism=fprobe";
	struct utsname u;
	unsigned int major = 0, minor = 0;
	bool pool;
	uint64_t missed;

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(2, sscanf(u.release, "%u.%u", &major, &minor));
	pool = major < 6 || (major == 6 && minor < 14);
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, module_unload());
	if (module_load(params)) {
		int err = errno;

		ASSERT_EQ(0, leakmon_reload(""));
		self->h = open_or_die();
		ASSERT_EQ(EOPNOTSUPP, err);
		SKIP(return, "no fprobe on %s (CONFIG_FPROBE with 6.5's handlers)",
		     u.release);
	}
	self->h = open_or_die();
	missed = misses_under_churn(_metadata, self, params, pool);
	if (pool) {
		EXPECT_LT(0, missed) TH_LOG("no fprobe miss in 60 s");
	} else {
		EXPECT_EQ(0, missed);
	}
	lm_close(self->h);
	self->h = NULL;
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

/* ---- rmmod/insmod under load ------------------------------------------- */

static int churn_forever(void *arg)
{
	(void)arg;
	/*
	 * At the lowest priority: they still run on every CPU the cycle
	 * does not (and on its own while it waits), but do not stretch the
	 * cycle itself fivefold on a 2-CPU guest.
	 */
	if (setpriority(PRIO_PROCESS, 0, 19))
		return 1;
	for (;;) {
		int s = tcp_socket();
		int f = open("/proc/self/status", O_RDONLY);

		if (s >= 0)
			close(s);
		if (f >= 0)
			close(f);
	}
	return 0;
}

/* Whether /proc/slabinfo has a line for cache; -1 if it cannot be read. */
static int slabinfo_has(const char *cache)
{
	char line[512];
	size_t n = strlen(cache);
	int found = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, cache, n) && line[n] == ' ')
			found = 1;
	fclose(f);
	return found;
}

/*
 * Unload/load cycles (LEAKMON_RELOADS, default 100, as make check runs
 * them) while 4 processes open and close sockets and files as fast as they
 * can: every load works and sees the churn, and after the last unload
 * nothing of leakmon's own caches is left.  The caches are never merged with others
 * (compat.h), so kmem_cache_destroy() checks that they are empty (a BUG
 * "Objects remaining" and a kept cache otherwise) and /proc/slabinfo shows
 * them by name while the module is loaded.
 */
TEST_F_TIMEOUT(leakmon, reload_under_churn, 1800)
{
	const char *env = getenv("LEAKMON_RELOADS");
	int i, reloads = env ? atoi(env) : 100;
	double t_unload = 0, t_load = 0;
	struct lm_totals t;
	pid_t pids[CHURNERS];

	ASSERT_LT(0, reloads) TH_LOG("LEAKMON_RELOADS=%s", env);
	TH_LOG("%d cycles under %d churners", reloads, CHURNERS);
	lm_close(self->h);
	self->h = NULL;
	for (i = 0; i < CHURNERS; i++)
		pids[i] = spawn(churn_forever, NULL);
	for (i = 0; i < reloads; i++) {
		struct lm_handle *h;
		double t0 = now_s();
		int ms;

		if (leakmon_loaded())
			ASSERT_EQ(0, module_unload())
				TH_LOG("cycle %d: delete_module: %s", i,
				       strerror(errno));
		t_unload += now_s() - t0;
		t0 = now_s();
		ASSERT_EQ(0, module_load(""))
			TH_LOG("cycle %d: finit_module: %s", i, strerror(errno));
		t_load += now_s() - t0;
		h = open_or_die();
		for (ms = 0; ms < 5000; ms += 10) {
			totals(h, &t);
			if (t.kind[SOCK].observed)
				break;
			msleep(10);
		}
		EXPECT_LT(0, t.kind[SOCK].observed) TH_LOG("cycle %d", i);
		lm_close(h);
	}
	/* where a cycle's seconds go (the rest: the first observation) */
	printf("# %d cycles: unloading %.1f s, loading %.1f s\n", reloads,
	       t_unload, t_load);
	EXPECT_EQ(1, slabinfo_has("leakmon_obj"));
	EXPECT_EQ(1, slabinfo_has("leakmon_owner"));
	/* The last unload with the churners still running. */
	ASSERT_EQ(0, module_unload());
	for (i = 0; i < CHURNERS; i++) {
		kill(pids[i], SIGKILL);
		wait_child(pids[i]);
	}
	EXPECT_EQ(0, slabinfo_has("leakmon_obj"));
	EXPECT_EQ(0, slabinfo_has("leakmon_owner"));
	EXPECT_NE(0, access("/sys/kernel/slab/leakmon_obj", F_OK));
	EXPECT_NE(0, access("/sys/kernel/slab/leakmon_owner", F_OK));
	ASSERT_EQ(0, leakmon_reload(""));
	self->h = open_or_die();
}

TEST_HARNESS_MAIN
