#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make profile: where the time of the floor and of leakmon goes, function by
# function, under QEMU's emulation: the host's perf records QEMU while the
# guest runs one workload under each configuration, in one boot per kernel.
#
# Usage: selftests/bench/profile.sh [--workload W] [--rounds R]
#                                   [--seconds N] [--out DIR] [SERIES...]
#
#   SERIES        kernels to boot (default $KERNELS, else 7.2)
#   --workload W  lm_bench's workload: sock (default), sock2, open or tcp
#   --rounds R    rounds (default 4); each configuration runs once a round
#   --seconds N   seconds of samples per configuration and round (default 5)
#   --out DIR     where the results go (default build/profile)
#
# PROFILE_B (environment): a git revision of this tree; its leakmon.ko runs
# as one more configuration, leakmon_b, after leakmon.
#
# QEMU runs with -perfmap (it names the guest instruction of each block of
# translated code in /tmp/perf-PID.map); the guest prints its kernel's and
# modules' symbols (selftests/bench/guest_profile.sh), and
# selftests/bench/profile.py credits every sample to a guest function, or
# to QEMU's own code or the host kernel.  The configurations are baseline,
# floor, leakmon (and leakmon_b), each once a round for N + 5 seconds (a
# slice; N seconds recorded), their order rotating from round to round as
# in make bench.  In a slice, a function's time per operation is its share
# of the slice's samples times the median time per operation of the
# slice's runs; a configuration's is the mean over its slices, so that a
# slow spell of the host weighs on one slice of each, not on one
# configuration.
#
# Writes DIR/profile-KVER.txt (the report) and .json (every function's
# time per operation per configuration).  Needs root (perf attaches to
# QEMU) and perf (Debian's linux-perf for the running kernel).
# Exit status: 0, 1 when a run failed, 2 on bad arguments.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=selftests/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=selftests/bench/prepare.sh
. "$HERE/prepare.sh"

WORKLOAD=sock SECONDS_=5 ROUNDS=4 OUT=''
while (($#)); do
	case $1 in
	--workload)
		[[ ${2:-} =~ ^(sock|sock2|open|tcp)$ ]] || { echo "profile.sh: --workload takes sock, sock2, open or tcp" >&2; exit 2; }
		WORKLOAD=$2; shift 2 ;;
	--rounds)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "profile.sh: --rounds needs a positive number" >&2; exit 2; }
		ROUNDS=$2; shift 2 ;;
	--seconds)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "profile.sh: --seconds needs a positive number" >&2; exit 2; }
		SECONDS_=$2; shift 2 ;;
	--out) OUT=${2:?--out needs a directory}; shift 2 ;;
	-h | --help) sed -n '3,/^set -uo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	-*) echo "profile.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
# shellcheck disable=SC2206
SERIES=(${*:-${KERNELS:-7.2}})
OUT=${OUT:-$LM_TOP/build/profile}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
B_REV=''
if [ -n "${PROFILE_B:-}" ]; then
	B_REV=$(git -C "$LM_TOP" rev-parse --verify --quiet "${PROFILE_B}^{commit}") || {
		echo "profile.sh: PROFILE_B='$PROFILE_B' is not a revision of $LM_TOP" >&2
		exit 2
	}
fi
((EUID == 0)) || { echo "profile.sh: perf attaches to QEMU: run it as root" >&2; exit 2; }
perf version >/dev/null 2>&1 || "$LM_TOP/selftests/qemu/deps.sh" linux-perf >&2
perf version >/dev/null 2>&1 ||
	lm_die "perf does not run here (Debian's linux-perf runs the perf of the running kernel's series; install one that matches)"
# Per operation: sock 20 us, open 10 us, tcp 200 us under TCG; a run of
# about a second, so that starting lm_bench is a small part of a phase.
case $WORKLOAD in
sock | sock2) N=40000 ;;
open) N=80000 ;;
tcp) N=4000 ;;
esac
# -perfmap came with QEMU 8.0: the cache's QEMU 10 has it, Debian 12's 7.2
# does not (LEAKMON_QEMU=system)
QEMU=$("$LM_TOP/selftests/qemu/qemu.sh") || lm_die "no QEMU to run"
"$QEMU" -help 2>/dev/null | grep -q '^-perfmap' ||
	lm_die "$QEMU has no -perfmap (QEMU 8.0 or later has; leave LEAKMON_QEMU unset for the cache's QEMU 10)"
CONFIGS="baseline floor leakmon${B_REV:+ leakmon_b}"
SETTLE=2

# The QEMU process whose guest log is $1 (not the timeout(1) around it)
qemu_pid() {
	local pid
	for pid in $(pgrep qemu-system || true); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "path=$1" &&
			{ echo "$pid"; return 0; }
	done
	return 1
}

kill_vm() {
	local pid
	pid=$(qemu_pid "$1") && kill "$pid"
}

status=0
for series in "${SERIES[@]}"; do
	(
		set -e
		lm_bench_prepare "$series" "$B_REV"
		vm=$LM_BUILD/profile-vm
		rm -rf "$vm"
		mkdir -p "$vm"
		"$LM_TOP/selftests/qemu/run-vm.sh" --kernel "$series" --out "$vm" \
			--mem 2048 --append slub_nomerge --qemu-arg -perfmap \
			--timeout 3600 \
			--env LEAKMON_KO="$LEAKMON_KO" --env LM_FLOOR_KO="$FLOOR_KO" \
			${B_KO:+--env LEAKMON_B_KO="$B_KO"} \
			--env LM_BENCH="$BENCH_BIN" --env PROFILE_CONFIGS="$CONFIGS" \
			--env PROFILE_WORKLOAD="$WORKLOAD" --env PROFILE_N="$N" \
			--env PROFILE_SECONDS=$((SECONDS_ + SETTLE + 3)) \
			--env PROFILE_ROUNDS="$ROUNDS" \
			-- "$HERE/guest_profile.sh" >"$vm/out.log" 2>&1 &
		vmpid=$!
		# a failure here leaves no VM behind
		trap 'kill_vm "$vm/guest.log"' EXIT
		datas=() pid=''
		# each slice (CONFIG@ROUND) as the guest starts it
		while kill -0 "$vmpid" 2>/dev/null; do
			s=$(sed -n 's/^PROFILE-PHASE \([a-z_]*@[0-9]*\) start$/\1/p' \
				"$vm/guest.log" 2>/dev/null | sed -n "$((${#datas[@]} + 1))p")
			[ -n "$s" ] || { sleep 0.5; continue; }
			sleep "$SETTLE"
			pid=$(qemu_pid "$vm/guest.log") || lm_die "no QEMU process for $vm"
			lm_msg "recording $s for $SECONDS_ s"
			perf record -q -p "$pid" -o "$vm/$s.data" -- sleep "$SECONDS_" >&2
			datas+=("$s=$vm/$s.samples")
		done
		wait "$vmpid" || { cat "$vm/out.log" >&2; lm_die "the VM run failed"; }
		# QEMU's map of translated code: tens of MB
		trap '[ -z "$pid" ] || rm -f "/tmp/perf-$pid.map"' EXIT
		n=$((ROUNDS * $(wc -w <<<"$CONFIGS")))
		((${#datas[@]} == n)) ||
			lm_die "recorded ${#datas[@]} of the $n slices (see $vm)"
		# the samples with their symbols while QEMU's map is there to name
		# them
		for d in "${datas[@]}"; do
			s=${d%%=*}
			perf script -i "$vm/$s.data" -F ip,sym,dso >"$vm/$s.samples" 2>/dev/null ||
				lm_die "perf script failed on $vm/$s.data"
		done
		python3 "$HERE/profile.py" --json-out "$OUT/profile-$KVER.json" \
			"$vm/guest.log" "${datas[@]}" | tee "$OUT/profile-$KVER.txt"
		exit "${PIPESTATUS[0]}"
	) || { echo "profile.sh: the $series run failed" >&2; status=1; }
done
exit "$status"
