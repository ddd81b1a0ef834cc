#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (started by selftests/check.sh): loads leakmon and
# runs every selftest program, each printing TAP.  A program that dies
# without reporting a failure of its own gets a "not ok" line here.
#
# Environment: LEAKMON_KO, LEAKBIND_KO (modules built for this kernel),
# LEAKMON_TESTS (directory of test programs), LEAKMON_CLI (the CLI to test,
# normally the ASan/UBSan build), LEAKMON_SRC (the source tree), LEAKMON_YNL
# (the kernel's YNL client, tools/net/ynl; ynl_test skips without it);
# LEAKMON_FUZZ_COUNT (nl_fuzz's messages as root, default 1,000,000);
# LEAKMON_DEBS (the built .debs; pkg_test and systemd_test install them),
# LEAKMON_KDIR, LEAKMON_UPGRADE_KVER and LEAKMON_UPGRADE_KDIR (see
# selftests/pkg_test.sh);
# LEAKMON_DAEMONS (Debian's nginx and apache2, unpacked; daemon_test skips
# without it);
# LEAKMON_PROGRAMS (the programs to run, in this script's order whatever
# the list's: default daemon_test leakmon_test ynl_test cli_test
# monitor_test graph_test nl_fuzz kmemleak pkg_test systemd_test
# lockdown_test, and cli_test_valgrind only when named; leakmon_test names
# the module's tests, every program of LEAKMON_AREAS below, and
# leakmon_NAME one of them; check.sh splits a kernel's programs over VMs
# that run side by side); LEAKMON_CLI_PLAIN (the
# plain CLI, for cli_test_valgrind); LEAKMON_VALGRIND_PART and
# LEAKMON_GRAPH_PART (default all; check.sh passes module: the tests that
# need no module run on the host).
#
# After each program a line "# time NAME SECONDS" (check.sh's summary).
set -u
: "${LEAKMON_KO:?}" "${LEAKBIND_KO:?}" "${LEAKMON_TESTS:?}" "${LEAKMON_CLI:?}"
: "${LEAKMON_SRC:?}"
export LEAKMON_KO LEAKBIND_KO LEAKMON_CLI LEAKMON_TESTS LEAKMON_SRC

echo "TAP version 13"
echo "# kernel $(uname -r), $(nproc) CPUs"

PROGRAMS=" ${LEAKMON_PROGRAMS:-daemon_test leakmon_test ynl_test cli_test monitor_test graph_test nl_fuzz kmemleak pkg_test systemd_test lockdown_test} "
# The module's tests (selftests/leakmon_*.c, one program an area), in the
# order they run.
LEAKMON_AREAS="accounting protocol events probes faults scale reach"

# wanted NAME: NAME is among LEAKMON_PROGRAMS (leakmon_test: every
# leakmon_AREA program)
wanted() {
	case $PROGRAMS in *" $1 "*) return 0 ;; esac
	case $1 in
	leakmon_*) case $PROGRAMS in *" leakmon_test "*) return 0 ;; esac ;;
	esac
	return 1
}

run() {
	local name=$1 out rc t0 t1
	shift
	wanted "$name" || return 0
	out=$(mktemp)
	read -r t0 _ </proc/uptime
	echo "# === $name (uptime $t0 s)"
	"$@" >"$out" 2>&1
	rc=$?
	read -r t1 _ </proc/uptime
	cat "$out"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok 1 $name exited with status $rc"
	fi
	awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "# time %s %.0f\n", n, b - a }'
	rm -f "$out"
}

# kmemleak's own scan, every 10 minutes, costs the debug kernel's guest
# about 40 s of CPU each time under TCG; kmemleak_check scans at the end.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan=off >/sys/kernel/debug/kmemleak
fi
if ! insmod "$LEAKMON_KO"; then
	echo "not ok 1 insmod leakmon.ko"
	exit 1
fi
# Real nginx and apache2 under load: 0 unreachable objects in the whole
# kernel.  First, before the programs that leak on purpose (leakbind,
# lm_workload's "apache2"): their leaks stay unreachable until the end.
run daemon_test "$LEAKMON_SRC/selftests/daemon_test.sh"
for area in $LEAKMON_AREAS; do
	run "leakmon_$area" "$LEAKMON_TESTS/leakmon_$area"
done
run ynl_test "$LEAKMON_SRC/selftests/ynl_test.sh"
run cli_test "$LEAKMON_SRC/selftests/cli_test.sh"
# The same tests on the plain build under valgrind memcheck (check.sh runs
# it on one kernel, in a VM of its own: it is slow; each CLI run starts
# valgrind anew, 7 s of CPU under emulation).  LEAKMON_VALGRIND_PART:
# cli_test.sh's LEAKMON_CLI_PART (check.sh runs the part that needs no
# module on the host).
run cli_test_valgrind env LEAKMON_CLI="${LEAKMON_CLI_PLAIN:-}" \
	LEAKMON_CLI_VALGRIND=1 LEAKMON_CLI_PART="${LEAKMON_VALGRIND_PART:-all}" \
	"$LEAKMON_SRC/selftests/cli_test.sh"
run monitor_test "$LEAKMON_SRC/selftests/monitor_test.sh"
# LEAKMON_GRAPH_PART: graph_test.sh's (check.sh runs the part that needs no
# module, graph alone on files it writes, on the host).
run graph_test env LEAKMON_GRAPH_PART="${LEAKMON_GRAPH_PART:-all}" \
	"$LEAKMON_SRC/selftests/graph_test.sh"
# The libnl fuzzer (LEAKMON_FUZZ_COUNT root messages, as many again as
# nobody; about 12,000 a second under TCG on a stock kernel, 300 on the
# debug kernel).
run nl_fuzz "$LEAKMON_TESTS/nl_fuzz" --count "${LEAKMON_FUZZ_COUNT:-1000000}"
if [ -d /sys/module/leakmon ]; then
	rmmod leakmon || echo "not ok 1 final rmmod leakmon"
fi
# On a kernel with kmemleak (make check-debug), once everything is unloaded.
if [ -e /sys/kernel/debug/kmemleak ]; then
	run kmemleak "$LEAKMON_SRC/selftests/kmemleak_check.sh"
fi
# The Debian packages, installed last: DKMS builds the module in the VM.
if [ -n "${LEAKMON_DEBS:-}" ]; then
	run pkg_test "$LEAKMON_SRC/selftests/pkg_test.sh" --guest "$LEAKMON_DEBS"
	# The CLI's package again, its units started by systemd (PID 1 when
	# run-vm.sh boots with --init systemd; a skip otherwise).
	run systemd_test "$LEAKMON_SRC/selftests/systemd_test.sh" "$LEAKMON_DEBS"
fi
# Module signatures enforced and the kernel locked down, as under Secure
# Boot: one-way switches, so last of all.
run lockdown_test "$LEAKMON_SRC/selftests/lockdown_test.sh"
dmesg | grep -E 'leakmon|leakbind' | tail -n 5 | sed 's/^/# dmesg: /'
echo "# === end (uptime $(cut -d' ' -f1 /proc/uptime) s)"
exit 0
