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
	# Remember what failed, for the closing lines (a CI shows only the tail)
	# and the harness's reasons before each (kselftest's "FILE.c:LINE:TEST:
	# Expected ..." and TH_LOG lines, the last 4 of the test)
	awk -v k="$2" '
		/^[[:space:]]*(ok [0-9]+|#  RUN )/ { n = 0; next }
		/\.c:[0-9]+:[A-Za-z0-9_]+:/ { why[++n % 4] = $0; next }
		/^[[:space:]]*not ok [0-9]+/ {
			sub(/^[[:space:]]*/, "")
			print "# failed: [" k "] " $0
			for (i = (n > 4 ? n - 3 : 1); i <= n; i++) {
				w = why[i % 4]
				sub(/^[[:space:]#]*/, "", w)
				print "#   " substr(w, 1, 150)
			}
			n = 0
		}' "$log" >>"$LM_TOP/build/check-failed.txt"
	p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -cE '^[[:space:]]*ok [0-9]+.*# (SKIP|skip)' "$log" | tr -d ' ')
	f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$log" | tr -d ' ')
	pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
	echo "# $2: $((p - s)) passed, $f failed, $s skipped"
}

mkdir -p "$LM_TOP/build"
: >"$LM_TOP/build/check-failed.txt"

# Host side: static checks of the kernel code, the CLI's unit tests (ASan),
# the CLI's parsers under libFuzzer, the man page, the Zabbix template,
# the packages, the systemd units and leakmon graph alone (graph_test's
# host part).
# Run a TAP producer; a failure it did not report itself becomes "not ok".
tap_run() {
	local name=$1 out rc t0
	shift
	out=$(mktemp)
	t0=$SECONDS
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ "$rc" -ne 0 ] && ! grep -qE '^[[:space:]]*not ok' "$out"; then
		echo "not ok 1 $name exited with status $rc"
	fi
	echo "# time $name $((SECONDS - t0))"
	rm -f "$out"
}
job_host() {
	tap_run kcheck "$LM_TOP/selftests/kcheck.sh" "${SERIES[0]}"
	tap_run "user unit tests" make -s -C "$LM_TOP/user" test
	# kmod/ and user/lib: who calls whom, from the objects kcheck and the
	# unit tests built; no cycle
	local kver
	kver=$(eval "$("$LM_TOP/selftests/qemu/fetch-kernel.sh" "${SERIES[0]}")" && echo "$KVER")
	tap_run imports "$LM_TOP/selftests/imports_test.sh" \
		kmod="$LM_TOP/build/kcheck-$kver/leakmon/kmod" \
		user/lib="$LM_TOP/user/build-san/obj/lib"
	tap_run "cli fuzz" "$LM_TOP/selftests/fuzz_cli.sh"
	tap_run "man page" "$LM_TOP/selftests/man_test.sh"
	tap_run "zabbix template" python3 "$LM_TOP/selftests/zabbix_template_test.py"
	tap_run "profile report" python3 "$LM_TOP/selftests/bench/profile_test.py"
	tap_run "prometheus rules" "$LM_TOP/selftests/prom_rules_test.sh"
	# The packages' VM (the pkg job) installs what DKMS builds here, natively,
	# for its kernel and the upgrade's
	local pkg_kernels='' k facts
	if [ -n "$PKG_JOB" ]; then
		for k in "$PKG_SERIES" "$PKG_UPGRADE"; do
			facts=$("$LM_TOP/selftests/qemu/fetch-kernel.sh" "$k") &&
				pkg_kernels+=" $(eval "$facts" && echo "$KVER:$KDIR")" ||
				echo "not ok 1 fetch-kernel.sh $k (the packages' VM) failed"
		done
	fi
	tap_run "packages" env LEAKMON_PKG_KERNELS="$pkg_kernels" \
		"$LM_TOP/selftests/pkg_test.sh" --host
	tap_run "systemd units" "$LM_TOP/selftests/units_test.sh"
	# graph_test's tests of graph alone (drawing and decoding its PNG and
	# SVG, the files refused, no cairo, a recorder's week drawn), on files
	# it writes, with the ASan/UBSan build as in the VMs: here python3 and
	# PIL start in 0.1 s, under emulation in 2 s (the rest: each stock
	# kernel's VM, LEAKMON_GRAPH_PART=module)
	flock "$LM_TOP/build/.lm_build.lock" make -s -C "$LM_TOP/user" SANITIZE=1 ||
		echo "not ok 1 building the sanitized CLI failed"
	tap_run "graph_test, no module" env \
		LEAKMON_CLI="$LM_TOP/user/build-san/leakmon" LEAKMON_GRAPH_PART=host \
		"$LM_TOP/selftests/graph_test.sh"
	# the valgrind pass's tests that need no module, here where valgrind
	# starts ten times faster than in a VM (the rest: the valgrind job)
	if [ -n "$VG_JOB" ]; then
		# the plain CLI, built under lm_build's lock (lib.sh)
		flock "$LM_TOP/build/.lm_build.lock" make -s -C "$LM_TOP/user" ||
			echo "not ok 1 building the plain CLI failed"
		tap_run "cli_test under valgrind, no module" env \
			LEAKMON_CLI="$LM_TOP/user/leakmon" LEAKMON_CLI_VALGRIND=1 \
			LEAKMON_CLI_PART=host "$LM_TOP/selftests/cli_test.sh"
	fi
}

# run_series SERIES PART PROGRAMS...: build for SERIES' kernel and run
# PROGRAMS (selftests/guest/run_tests.sh's names) in one VM.  PART (- for
# none) names the job's share of the kernel's programs: parts of one kernel
# run side by side, each with a build directory of its own (LM_BUILD_TAG).
run_series() {
	local series=$1 part=${2#-}
	shift 2
	local programs="$*"
	(
		set -e
		LM_BUILD_TAG=$part lm_build "$series"
		pkg_env=()
		# the units' test needs systemd as PID 1
		[[ " $programs " != *" systemd_test "* ]] || pkg_env+=(--init systemd)
		if [[ " $programs " == *" pkg_test "* ]] &&
			compgen -G "$LM_TOP/build/deb/leakmon-dkms_*_all.deb" >/dev/null; then
			# the upgrade's kernel: its version and unpacked headers
			read -r upk upkdir < <(
				eval "$("$LM_TOP/selftests/qemu/fetch-kernel.sh" "$PKG_UPGRADE")" &&
					echo "$KVER $KDIR")
			pkg_env+=(--env LEAKMON_DEBS="$LM_TOP/build/deb" --env LEAKMON_KDIR="$KDIR"
				--env LEAKMON_UPGRADE_KVER="${upk:-}" --env LEAKMON_UPGRADE_KDIR="${upkdir:-}")
		fi
		# The fuzzer's full million on the packages' kernel, 200,000 on
		# the other stock kernels, 50,000 on debug kernels (under TCG
		# about 300 messages a second there as root, 350 as nobody:
		# its phases took 340 s in all).
		fuzz_count=200000
		[ "$series" = "$PKG_SERIES" ] && fuzz_count=1000000
		[[ $series == *-debug ]] && fuzz_count=50000
		# KASAN, lockdep and kmemleak make the debug kernel's run slow.
		# leakmon_probes' reload_under_churn: 40 cycles there, where
		# lockdep, KASAN and kmemleak watch them, 20 elsewhere (a cycle
		# takes about 4 s there: 100 were 400 of leakmon_test's 938 s,
		# the head of the run's longest chain).
		# The CLI there (leakmon_events', leakmon_probes' and
		# leakmon_faults' tests run it) is the plain build: its ASan/UBSan
		# build runs on every stock kernel, and starts slowly under a
		# debug kernel.
		# leakmon_scale's two tests at a tenth there
		# (LEAKMON_SCALE; the sizes are judged on the stock kernels).
		vm_timeout=${LEAKMON_VM_TIMEOUT:-2400} reloads=20 cli=$LEAKMON_CLI_SAN
		scale=1
		if [[ $series == *-debug ]]; then
			vm_timeout=${LEAKMON_DEBUG_VM_TIMEOUT:-4800} reloads=40
			cli=$LEAKMON_CLI_PLAIN scale=10
		fi
		out=$LM_BUILD/vm
		rm -rf "$out"
		mkdir -p "$out"
		rc=0
		# mitigations=off: the guest's CPU is emulated, and retpolines
		# and RSB filling only cost there (10% of leakmon_test's CPU
		# on 6.1, and 3 s of boot); nothing tested depends on them.
		# init_on_alloc=0: 5.10 zeroes a new user page twice with it
		# (Debian's default), and a process starts twice as slowly
		# under emulation (the CLI's "version" 0.52 -> 0.21 s, python3
		# 0.66 -> 0.32 s; 6.1 and 7.2 the same either way).  Without
		# it leakmon's memory is not zeroed for it: stricter.
		"$LM_TOP/selftests/qemu/run-vm.sh" --kernel "$series" --out "$out" \
			--timeout "$vm_timeout" \
			--append "mitigations=off init_on_alloc=0" \
			--env LEAKMON_PROGRAMS="$programs" \
			--env LEAKMON_KO="$LEAKMON_KO" \
			--env LEAKBIND_KO="$LEAKBIND_KO" \
			--env LEAKMON_TESTS="$LEAKMON_TESTS" \
			--env LEAKMON_CLI="$cli" \
			--env LEAKMON_CLI_PLAIN="$LEAKMON_CLI_PLAIN" \
			--env LEAKMON_SRC="$LM_TOP" \
			--env LEAKMON_MODDIR="$MODDIR" \
			--env LEAKMON_YNL="$LEAKMON_YNL" \
			--env LEAKMON_ZABBIX="$LEAKMON_MONITOR_TOOLS" \
			--env LEAKMON_PROMTOOL="$LEAKMON_MONITOR_TOOLS/usr/bin/promtool" \
			--env LEAKMON_DAEMONS="$LEAKMON_DAEMONS" \
			--env LEAKMON_FUZZ_COUNT="$fuzz_count" \
			--env LEAKMON_RELOADS="$reloads" \
			--env LEAKMON_SCALE="$scale" \
			--env LEAKMON_VALGRIND_PART=module \
			--env LEAKMON_GRAPH_PART=module \
			"${pkg_env[@]}" \
			-- "$LM_TOP/selftests/guest/run_tests.sh" >"$out/tap.log" || rc=$?
		cat "$out/tap.log"
		if [ "$rc" -ne 0 ]; then
			echo "not ok 1 vm-$series${part:+-$part}: the VM run failed (status $rc; logs in $out)"
		fi
	) 2>&1 || echo "not ok 1 build-$series${part:+-$part}: building for the VM failed (above)"
}

# ------------------------------------------------------------------ jobs
# What runs, as jobs on a queue that LEAKMON_JOBS workers (default: the
# CPU count) take from in order, each job once its dependencies are done.
# A VM runs on one host CPU (TCG), so with two CPUs two jobs run side by
# side.  The order puts the longest jobs first, from measured times
# (README, "How long make check takes"): the host checks (the packages'
# kernel needs the .debs they build), the debug kernel's build (27 min when
# not cached) and its suite, the packages, the valgrind pass, the stock
# kernels, the benchmark's smoke runs.
#
# The debug kernel's suite stays in one VM: split in two VMs side by side
# (rehearsal ci-v2) its halves took 39 and about 30 minutes where the
# whole took 43 beside a stock kernel's VM (two KASAN guests under TCG
# slow each other down far more than a KASAN guest and a stock one).
#
# Some of a kernel's programs (run_tests.sh's names) run in a VM of their
# own, a part of the kernel's, beside the rest:
#   LEAKMON_VALGRIND_SERIES (default 6.1, empty for none): cli_test under
#                  valgrind in a VM of its own (valgrind)
#   LEAKMON_PKG_SERIES (default 6.1): the packages installed, DKMS, the
#                  upgrade to LEAKMON_PKG_UPGRADE's headers (default 6.12),
#                  then the CLI's systemd units (systemd_test) in a VM of
#                  its own (pkg) booted with systemd as PID 1, once the
#                  host checks have built them
PKG_SERIES=${LEAKMON_PKG_SERIES:-6.1}
PKG_UPGRADE=${LEAKMON_PKG_UPGRADE:-6.12}
VG_SERIES=${LEAKMON_VALGRIND_SERIES-6.1}
# leakmon_test: the module's tests, every leakmon_* program (one an area,
# run_tests.sh's LEAKMON_AREAS).
SUITE_PROGRAMS="daemon_test leakmon_test ynl_test cli_test monitor_test graph_test nl_fuzz lockdown_test"
# On a debug kernel, what its checkers watch: the module under its
# exactness tests and the fuzzer, then the kmemleak scan.  The CLI's
# presentation tests (cli_test, monitor_test, graph_test: userspace, the
# same code on every kernel, and the module requests they make are
# leakmon_test's) run on the stock kernels only; on the debug kernel they
# took 32 of its 80 minutes in an earlier CI run.  So does ynl_test (the
# YNL spec against the module's policy: the same on every kernel; its
# requests are well-formed ones of the kinds leakmon_test and nl_fuzz
# send there): 218 s of the debug kernel's 1,742 in the last rehearsal.
DEBUG_PROGRAMS="leakmon_test nl_fuzz kmemleak"
stock=() debug=()
for series in "${SERIES[@]}"; do
	if [[ $series == *-debug ]]; then debug+=("$series"); else stock+=("$series"); fi
done

# job NAME DEPS(comma list or -) COMMAND...: one line of the queue
jobs=()
job() {
	local name=$1 deps=$2
	shift 2
	jobs+=("$name $deps $*")
}
job host - job_host
for series in "${debug[@]}"; do
	job "build-$series" - job_build "$series"
	job "$series" "build-$series" run_series "$series" - "$DEBUG_PROGRAMS"
done
PKG_JOB=''
for series in "${stock[@]}"; do
	if [ "$series" = "$PKG_SERIES" ]; then
		PKG_JOB=$series-pkg
		job "$series-pkg" host run_series "$series" pkg pkg_test systemd_test
	fi
done
VG_JOB=''
for series in "${stock[@]}"; do
	if [ "$series" = "$VG_SERIES" ]; then
		VG_JOB=$series-valgrind
		job "$series-valgrind" - run_series "$series" valgrind cli_test_valgrind
	fi
done
for series in "${stock[@]}"; do
	job "$series" - run_series "$series" - "$SUITE_PROGRAMS"
done
# The benchmark's smoke run (selftests/bench/bench.sh --smoke: one round,
# small counts, every configuration), so that make bench cannot rot; its
# numbers mean nothing.  Not on debug kernels: they have neither BTF nor
# Debian's headers layout.
for series in "${stock[@]}"; do
	job "bench-$series" - job_bench "$series"
done

# job_build SERIES: fetch or build SERIES' kernel (the debug kernel's build
# takes about 27 minutes beside the VMs when it is not cached)
job_build() {
	if "$LM_TOP/selftests/qemu/fetch-kernel.sh" "$1" >/dev/null; then
		echo "# kernel $1 ready"
	else
		echo "not ok 1 build-$1: fetch-kernel.sh $1 failed"
	fi
}
job_bench() {
	"$LM_TOP/selftests/bench/bench.sh" --smoke --out "$LM_TOP/build/bench-smoke" "$1" ||
		grep -qE '^not ok' "$LM_TOP/build/check-bench-$1.log" ||
		echo "not ok 1 bench smoke run on $1 failed: see build/bench-smoke/"
}

QDIR=$LM_TOP/build/check-queue
rm -rf "$QDIR" "$LM_TOP"/build/check-*.log
mkdir -p "$QDIR"
printf '%s\n' "${jobs[@]}" >"$QDIR/queue"
T0=$SECONDS
stamp() {
	local s=$((SECONDS - T0))
	printf '# %s +%dm%02ds %s\n' "$(date +%H:%M:%S)" $((s / 60)) $((s % 60)) "$*"
}

# take: print (and remove) the first queued job whose dependencies are
# done; status 1 when the queue is empty, 2 when nothing is ready yet.
take() {
	local line name deps d ready rest=() found=''
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if [ -z "$found" ]; then
			read -r name deps _ <<<"$line"
			ready=1
			if [ "$deps" != - ]; then
				for d in ${deps//,/ }; do
					[ -e "$QDIR/done.$d" ] || ready=''
				done
			fi
			if [ -n "$ready" ]; then
				found=$line
				continue
			fi
		fi
		rest+=("$line")
	done <"$QDIR/queue"
	if [ -n "$found" ]; then
		printf '%s\n' ${rest[@]+"${rest[@]}"} >"$QDIR/queue"
		echo "$found"
		return 0
	fi
	((${#rest[@]})) && return 2
	return 1
}

worker() {
	local id=$1 line name t0 rc lk
	exec {lk}>"$QDIR/lock"
	while :; do
		flock "$lk"
		line=$(take)
		rc=$?
		flock -u "$lk"
		if [ "$rc" -eq 1 ]; then
			break
		elif [ "$rc" -eq 2 ]; then
			sleep 1
			continue
		fi
		read -r name _ line <<<"$line"
		stamp "worker $id: $name started"
		t0=$SECONDS
		# shellcheck disable=SC2086 # the job's command line, split on purpose
		$line >"$LM_TOP/build/check-$name.log" 2>&1
		printf '%s %s %d\n' "$id" "$name" $((SECONDS - t0)) >>"$QDIR/times"
		touch "$QDIR/done.$name"
		stamp "worker $id: $name done in $((SECONDS - t0)) s"
	done
}

JOBS=${LEAKMON_JOBS:-$(nproc)}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "LEAKMON_JOBS must be a positive number, got '$JOBS'" >&2; exit 2; }
# Packages first, once, before the workers (lm_build would each wait for it)
"$LM_TOP/selftests/qemu/deps.sh" || { echo "not ok 1 installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
# The VMs' QEMU, looked for once here (a newer one unpacked) rather than by
# every VM: bookworm-backports' QEMU 10, else the system's (qemu.sh)
qemu=$("$LM_TOP/selftests/qemu/qemu.sh" --update) || qemu=''
stamp "dependencies installed; QEMU ${qemu:-missing} ($("${qemu:-false}" --version 2>/dev/null | awk 'NR == 1 { print $4 }')); $JOBS workers, ${#jobs[@]} jobs"
pids=()
for ((w = 1; w <= JOBS; w++)); do
	worker "$w" &
	pids+=($!)
done
# Interrupted (Ctrl-C, a CI's SIGTERM): the workers, what they run and
# their VMs stop too.  QEMU runs under timeout(1), in a process group of
# its own that a terminal's Ctrl-C does not reach; before this, every
# interrupted make check left two emulated guests running for up to 40
# minutes.
tree() { # PID: it and its descendants
	local p
	echo "$1"
	for p in $(pgrep -P "$1"); do tree "$p"; done
}
stop_all() {
	trap - INT TERM HUP
	stamp "interrupted: stopping the workers, their jobs and VMs"
	local all p
	all=$(for p in "${pids[@]}"; do tree "$p"; done)
	# shellcheck disable=SC2086 # a list of pids
	kill -TERM $all 2>/dev/null
	pkill -TERM -f "leakmon_job=$LM_TOP/build/" 2>/dev/null
	wait
	exit "$1"
}
trap 'stop_all 130' INT
trap 'stop_all 143' TERM HUP
wait "${pids[@]}"
trap - INT TERM HUP
stamp "all jobs done"

# Results: the host's, then each kernel's parts and benchmark, in SERIES
# order.
show() { # LOGNAME LABEL
	local log=$LM_TOP/build/check-$1.log
	[ -f "$log" ] || return 0
	sed "s/^/[$1] /" "$log" | grep -vE '^\[[^]]*\] (make|  (CC|LD|MODPOST|BTF))' || true
	count "$log" "$2"
}
show host "host checks"
for series in "${SERIES[@]}"; do
	show "build-$series" "kernel $series build"
	for part in "" -valgrind -pkg; do
		show "$series$part" "kernel $series$part"
	done
	show "bench-$series" "bench smoke $series"
done

# Where the time went: each worker's jobs, and the slowest steps (a host
# check, a kernel build, a VM's boot or one of its programs).
echo "# times: make check took $(((SECONDS - T0) / 60))m$(((SECONDS - T0) % 60))s"
sort -s -k1,1n "$QDIR/times" | awk '
	{ busy[$1] += $3; list[$1] = list[$1] sprintf(" %s %ds,", $2, $3) }
	END { for (w in busy) printf "# times: worker %s busy %dm%02ds:%s\n", w, busy[w] / 60, busy[w] % 60, list[w] }' |
	sed 's/,$//'
{
	for f in "$LM_TOP"/build/check-*.log; do
		name=${f##*/check-}
		name=${name%.log}
		sed -n 's/^# time \(.*\) \([0-9][0-9]*\)$/\2 '"$name"': \1/p' "$f"
		sed -n 's/.*guest command started at uptime \([0-9]*\)[0-9.]* s.*/\1 '"$name"': boot/p' "$f"
	done
	awk '$2 ~ /^build-/ { print $3, $2 }' "$QDIR/times"
} | sort -rn | head -n 5 | awk '{ printf "# times: slowest %d: %s s, %s\n", NR, $1, substr($0, length($1) + 2) }'

# What failed, last, where a CI's truncated log still shows it
head -n 40 "$LM_TOP/build/check-failed.txt"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
