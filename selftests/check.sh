#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build leakmon for Debian's kernels, boot each in QEMU, run the
# selftests there, and print the TAP results and a closing line
# "N passed, N failed" (N skipped follows when tests were skipped).
#
# Usage: selftests/check.sh [SERIES...]
#   (default: $KERNELS or 6.1 5.10 6.12 7.2 6.1-debug)
# Exit status: 0 when nothing failed.
set -uo pipefail

# shellcheck source=selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck disable=SC2206
SERIES=(${*:-${KERNELS:-6.1 5.10 6.12 7.2 6.1-debug}})
pass=0 fail=0 skip=0

count() {
	local log=$1 p f s
	p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -cE '^[[:space:]]*ok [0-9]+.*# (SKIP|skip)' "$log" | tr -d ' ')
	f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$log" | tr -d ' ')
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
	echo "# $2: $((p - s)) passed, $f failed, $s skipped"
}

mkdir -p "$LM_TOP/build"

# Host side: static checks of the kernel code, the CLI's unit tests (ASan),
# the CLI's parsers under libFuzzer.
host=$LM_TOP/build/check-host.log
# Run a TAP producer; a failure it did not report itself becomes "not ok".
tap_run() {
	local name=$1 out rc
	shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ "$rc" -ne 0 ] && ! grep -qE '^[[:space:]]*not ok' "$out"; then
		echo "not ok 1 $name exited with status $rc"
	fi
	rm -f "$out"
}
{
	tap_run kcheck "$LM_TOP/selftests/kcheck.sh" "${SERIES[0]}"
	tap_run "user unit tests" make -s -C "$LM_TOP/user" test
	tap_run "cli fuzz" "$LM_TOP/selftests/fuzz_cli.sh"
	tap_run "man page" "$LM_TOP/selftests/man_test.sh"
	tap_run "zabbix template" python3 "$LM_TOP/selftests/zabbix_template_test.py"
	tap_run "packages" "$LM_TOP/selftests/pkg_test.sh" --host
} >"$host" 2>&1
sed 's/^/[host] /' "$host"
count "$host" "host checks"

# The packages are installed in one VM (LEAKMON_PKG_SERIES, default 6.1),
# when its kernel is among those tested, and upgraded there to the headers
# of LEAKMON_PKG_UPGRADE (default 6.12).
PKG_SERIES=${LEAKMON_PKG_SERIES:-6.1}
PKG_UPGRADE=${LEAKMON_PKG_UPGRADE:-6.12}

# run_series SERIES: build for SERIES' kernel and run the suite in its VM;
# everything goes to build/check-SERIES.log.
run_series() {
	local series=$1
	(
		set -e
		lm_build "$series"
		pkg_env=()
		if [ "$series" = "$PKG_SERIES" ] &&
			compgen -G "$LM_TOP/build/deb/leakmon-dkms_*_all.deb" >/dev/null; then
			up=$( (lm_upgrade_debs "$PKG_UPGRADE") | xargs)
			pkg_env=(--env LEAKMON_DEBS="$LM_TOP/build/deb" --env LEAKMON_KDIR="$KDIR"
				--env LEAKMON_UPGRADE_DEBS="$up")
		fi
		# The fuzzer's full million on the packages' kernel, 200,000 on
		# the other stock kernels, 50,000 on debug kernels (123 messages
		# a second there under TCG: 200,000 took 27 minutes).
		fuzz_count=200000
		[ "$series" = "$PKG_SERIES" ] && fuzz_count=1000000
		[[ $series == *-debug ]] && fuzz_count=50000
		# cli_test.sh once more under valgrind, on one kernel
		# (LEAKMON_VALGRIND_SERIES, default 6.1, empty for none): slow
		vg_env=()
		if [ "$series" = "${LEAKMON_VALGRIND_SERIES-6.1}" ]; then
			vg_env=(--env LEAKMON_VALGRIND=1 --env LEAKMON_CLI_PLAIN="$LEAKMON_CLI_PLAIN")
		fi
		# KASAN, lockdep and kmemleak make the debug kernel's run slow.
		# leakmon_test's reload_under_churn: 100 cycles there, where
		# lockdep, KASAN and kmemleak watch them, 20 elsewhere.
		# The CLI there is the plain build: its ASan/UBSan build runs on
		# every stock kernel, and starts slowly enough under a debug
		# kernel to triple the time of the CLI-heavy tests.
		# leakmon_test's two tests of scale at a tenth there
		# (LEAKMON_SCALE; the sizes are judged on the stock kernels).
		vm_timeout=${LEAKMON_VM_TIMEOUT:-2400} reloads=20 cli=$LEAKMON_CLI_SAN
		scale=1
		if [[ $series == *-debug ]]; then
			vm_timeout=${LEAKMON_DEBUG_VM_TIMEOUT:-4800} reloads=100
			cli=$LEAKMON_CLI_PLAIN scale=10
		fi
		out=$LM_BUILD/vm
		rm -rf "$out"
		mkdir -p "$out"
		rc=0
		"$LM_TOP/selftests/qemu/run-vm.sh" --kernel "$series" --out "$out" \
			--timeout "$vm_timeout" \
			--env LEAKMON_KO="$LEAKMON_KO" \
			--env LEAKBIND_KO="$LEAKBIND_KO" \
			--env LEAKMON_TESTS="$LEAKMON_TESTS" \
			--env LEAKMON_CLI="$cli" \
			--env LEAKMON_SRC="$LM_TOP" \
			--env LEAKMON_YNL="$LEAKMON_YNL" \
			--env LEAKMON_ZABBIX="$LEAKMON_MONITOR_TOOLS" \
			--env LEAKMON_PROMTOOL="$LEAKMON_MONITOR_TOOLS/usr/bin/promtool" \
			--env LEAKMON_FUZZ_COUNT="$fuzz_count" \
			--env LEAKMON_RELOADS="$reloads" \
			--env LEAKMON_SCALE="$scale" \
			"${pkg_env[@]}" "${vg_env[@]}" \
			-- "$LM_TOP/selftests/guest/run_tests.sh" >"$out/tap.log" || rc=$?
		cat "$out/tap.log"
		if [ "$rc" -ne 0 ]; then
			echo "not ok 1 vm-$series: the VM run failed (status $rc; logs in $out)"
		fi
	) >"$LM_TOP/build/check-$series.log" 2>&1 ||
		echo "not ok 1 build-$series: see build/check-$series.log" \
			>>"$LM_TOP/build/check-$series.log"
}

# The benchmark's smoke run (selftests/bench/bench.sh --smoke: one round,
# small counts, every configuration on every kernel), so that make bench
# cannot rot; its numbers mean nothing.  It rebuilds the module of each
# kernel, so it runs after their suites, in the same lane.
run_bench() {
	local bench=$LM_TOP/build/check-bench.log
	"$LM_TOP/selftests/bench/bench.sh" --smoke "$@" >"$bench" 2>&1 ||
		grep -qE '^not ok' "$bench" ||
		echo "not ok 1 bench smoke run failed: see build/bench-smoke/" >>"$bench"
}

# Two lanes: the stock kernels one after the other, then the benchmark's
# smoke run; and the debug kernels (their first build takes minutes, their
# suite is slow under KASAN and lockdep).  Each VM runs on one host CPU
# (TCG), so with two CPUs or more (LEAKMON_JOBS, default the CPU count) the
# lanes run side by side.  Results are printed in SERIES order at the end.
stock=() debug=()
for series in "${SERIES[@]}"; do
	if [[ $series == *-debug ]]; then debug+=("$series"); else stock+=("$series"); fi
done
stamp() {
	echo "# $(date +%H:%M:%S) $*"
}
lane_stock() {
	local series
	for series in "${stock[@]}"; do
		stamp "kernel $series: started"
		run_series "$series"
		stamp "kernel $series: done"
	done
	# Not on debug kernels: they have neither BTF nor Debian's headers layout.
	if ((${#stock[@]})); then
		stamp "bench smoke: started"
		run_bench "${stock[@]}"
		stamp "bench smoke: done"
	fi
}
lane_debug() {
	local series
	for series in "${debug[@]}"; do
		stamp "kernel $series: started"
		run_series "$series"
		stamp "kernel $series: done"
	done
}
JOBS=${LEAKMON_JOBS:-$(nproc)}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "LEAKMON_JOBS must be a positive number, got '$JOBS'" >&2; exit 2; }
if ((JOBS >= 2 && ${#stock[@]} && ${#debug[@]})); then
	lane_debug &
	debug_pid=$!
	lane_stock
	wait "$debug_pid"
else
	lane_stock
	lane_debug
fi

for series in "${SERIES[@]}"; do
	sed "s/^/[$series] /" "$LM_TOP/build/check-$series.log" | \
		grep -vE '^\[[^]]*\] (make|  (CC|LD|MODPOST|BTF))' || true
	count "$LM_TOP/build/check-$series.log" "kernel $series"
done
if ((${#stock[@]})); then
	sed 's/^/[bench] /' "$LM_TOP/build/check-bench.log"
	count "$LM_TOP/build/check-bench.log" "bench smoke"
fi

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
