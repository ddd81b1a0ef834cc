// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon kernel selftests, fault injection (failslab fails leakmon's own
 * allocations).  Kselftest harness, TAP output; the helpers and the fixture
 * are in leakmon_test.h.
 */
#include "leakmon_test.h"

/* ---- allocation failure (failslab) -------------------------------------- */

#define FAILSLAB "/sys/kernel/debug/failslab"
#define FAILS 100
#define FAIL_HOLD 300

static int failslab_set(const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAILSLAB "/%s", attr);
	return write_str(path, val);
}

static void fail_hold_body(void)
{
	static int fds[FAIL_HOLD];
	int i, opened = 0;

	for (i = 0; i < FAIL_HOLD; i++) {
		fds[i] = tcp_socket();
		opened += fds[i] >= 0;
	}
	checkpoint(opened == FAIL_HOLD);
}

/*
 * The kernel's fault injection fails the next 100 allocations from
 * leakmon's caches (only those: slub_debug=A,leakmon_obj,leakmon_owner on
 * the debug kernel's command line marks them, and failslab's cache-filter
 * keeps to marked caches; only atomic allocations fail, which leakmon's
 * are).  Every failure is one untracked_nomem, the accounting identity
 * holds, the CLI warns, and tracking goes on once the faults stop.
 */
TEST_F_TIMEOUT(leakmon, failslab_drops_counted, 300)
{
	struct lm_totals t0, t1, t2;
	struct held_child c, c2;
	char out[8192], buf[16];
	uint64_t nomem = 0;
	long left;
	int k;

	if (access(FAILSLAB, F_OK))
		SKIP(return, "no " FAILSLAB ": this kernel has no CONFIG_FAILSLAB (make check-debug's has)");
	if (slab_attr("leakmon_obj", "failslab") != 1 ||
	    slab_attr("leakmon_owner", "failslab") != 1)
		SKIP(return, "leakmon's caches are not marked for failslab: boot with slub_debug=A,leakmon_obj,leakmon_owner");

	quiesce(self->h);
	totals(self->h, &t0);
	ASSERT_EQ(0, failslab_set("verbose", "0"));
	ASSERT_EQ(0, failslab_set("cache-filter", "Y"));
	ASSERT_EQ(0, failslab_set("ignore-gfp-wait", "Y"));
	ASSERT_EQ(0, failslab_set("task-filter", "N"));
	ASSERT_EQ(0, failslab_set("interval", "1"));
	ASSERT_EQ(0, failslab_set("space", "0"));
	snprintf(buf, sizeof(buf), "%d", FAILS);
	ASSERT_EQ(0, failslab_set("times", buf));
	ASSERT_EQ(0, failslab_set("probability", "100"));

	ASSERT_EQ(0, held_start(&c, fail_hold_body));
	ASSERT_EQ(0, held_stopped(&c));
	/* Faults off; "times" counts down the failures still to come. */
	ASSERT_EQ(0, failslab_set("probability", "0"));
	left = read_long(FAILSLAB "/times");
	ASSERT_EQ(0, failslab_set("times", "1"));
	ASSERT_EQ(0, failslab_set("cache-filter", "N"));
	EXPECT_EQ(0, left) TH_LOG("only %ld of %d faults were used", FAILS - left, FAILS);

	totals(self->h, &t1);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_kind_totals *a = &t0.kind[k], *b = &t1.kind[k];

		nomem += b->untracked_nomem - a->untracked_nomem;
		EXPECT_EQ(b->observed, b->tracked + untracked(b))
			TH_LOG("%s: observed %lu tracked %lu untracked %lu",
			       b->name, b->observed, b->tracked, untracked(b));
	}
	EXPECT_EQ(FAILS - left, nomem);

	/* The CLI shows that tracking is incomplete, and why. */
	EXPECT_EQ(0, cli("status", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "warning: tracking incomplete"))
		TH_LOG("leakmon status:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "no memory")) TH_LOG("leakmon status:\n%s", out);
	EXPECT_EQ(0, cli("status --json", out, sizeof(out)));
	EXPECT_TRUE(strstr(out, "\"tracking_incomplete\": true") ||
		    strstr(out, "\"tracking_incomplete\":true"))
		TH_LOG("leakmon status --json:\n%s", out);

	/* With the faults over, every new object is tracked again. */
	ASSERT_EQ(0, held_start(&c2, fail_hold_body));
	ASSERT_EQ(0, held_stopped(&c2));
	totals(self->h, &t2);
	EXPECT_EQ(t2.kind[SOCK].observed - t1.kind[SOCK].observed,
		  t2.kind[SOCK].tracked - t1.kind[SOCK].tracked);
	EXPECT_LE(FAIL_HOLD, t2.kind[SOCK].tracked - t1.kind[SOCK].tracked);
	for (k = 0; k < LM_NKINDS; k++)
		EXPECT_EQ(t1.kind[k].untracked_nomem, t2.kind[k].untracked_nomem);
	ASSERT_EQ(0, held_finish(&c2));
	ASSERT_EQ(0, held_finish(&c));
	/* Later tests start without the warning. */
	ASSERT_EQ(LM_OK, lm_reset(self->h));
}

TEST_HARNESS_MAIN
