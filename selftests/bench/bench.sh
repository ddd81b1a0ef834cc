#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: leakmon's cost against no module, the bare-probe floor,
# bpftrace and bcc's memleak, measured side by side in one boot per kernel.
#
# Usage: selftests/bench/bench.sh [--smoke] [--rounds N] [--clock CLOCK]
#                                  [--out DIR] [SERIES...]
#
#   SERIES      kernels to boot (default $KERNELS, else 6.1 5.10 6.12 7.2)
#   --smoke     one round with small counts (make check runs this; it
#               checks that every configuration runs, not how fast)
#   --rounds N  rounds per configuration (default 5; --smoke: 1)
#   --clock C   what the guest's clock counts (default $BENCH_CLOCK, else
#               wall): wall, real time under TCG; or icount, guest
#               instructions (QEMU -icount shift=0,sleep=off: one virtual
#               nanosecond per instruction executed), which the host's load
#               does not move (a configuration's rounds agree to 0.1 % on
#               open and 0.4 % on tcp; the sock baseline's spread by up to
#               6 %, where wall time moves by up to a third on these hosts)
#   --out DIR   where the results go (default build/bench, build/bench-icount
#               with --clock icount, or build/bench-smoke)
#
# BENCH_CONFIGS (environment): a comma-separated subset of the
# configurations (baseline,floor,leakmon,bpftrace,bcc_memleak) for a quick
# look; the memory, pass and dump measurements run whatever it says.
#
# BENCH_B (environment): a git revision of this tree (make bench
# BENCH_B=HEAD~1).  Its leakmon.ko, built for each kernel, runs as one more
# configuration, leakmon_b, and the report adds each workload's median of
# the rounds' differences between leakmon and leakmon_b and how many rounds
# leakmon was faster: a change measured side by side in one boot.  Unless
# BENCH_CONFIGS says otherwise the configurations are then baseline, floor,
# leakmon and leakmon_b.
#
# For each kernel the VM (2 CPUs, 2 GiB, slub_nomerge so that leakmon's slab
# caches are its own) runs selftests/bench/guest_bench.py, which prints its
# progress and one JSON document; this script writes DIR/bench-KVER.json,
# prints the table (selftests/bench/report.py) and writes DIR/bench.json with
# every kernel.  With --smoke it prints TAP instead and exits non-zero when a
# check failed.  Exit status: 0, 1 when a VM run failed, 2 on bad arguments.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=selftests/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=selftests/bench/prepare.sh
. "$HERE/prepare.sh"

SMOKE=0 ROUNDS='' OUT='' CLOCK=${BENCH_CLOCK:-wall}
while (($#)); do
	case $1 in
	--smoke) SMOKE=1; shift ;;
	--rounds)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --rounds needs a positive number" >&2; exit 2; }
		ROUNDS=$2; shift 2 ;;
	--clock)
		(($# > 1)) || { echo "bench.sh: --clock needs wall or icount" >&2; exit 2; }
		CLOCK=$2; shift 2 ;;
	--out) OUT=${2:?--out needs a directory}; shift 2 ;;
	-h | --help) sed -n '3,/^set -uo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	-*) echo "bench.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $CLOCK in
wall) ICOUNT=() ;;
icount) ICOUNT=(--qemu-arg -icount --qemu-arg 'shift=0,sleep=off') ;;
*) echo "bench.sh: --clock is wall or icount, not '$CLOCK'" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206
SERIES=(${*:-${KERNELS:-6.1 5.10 6.12 7.2}})
if ((SMOKE)); then
	OUT=${OUT:-$LM_TOP/build/bench-smoke}
	ROUNDS=${ROUNDS:-1}
else
	[ "$CLOCK" = wall ] && OUT=${OUT:-$LM_TOP/build/bench}
	OUT=${OUT:-$LM_TOP/build/bench-$CLOCK}
	ROUNDS=${ROUNDS:-5}
fi
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
B_REV=''
if [ -n "${BENCH_B:-}" ]; then
	B_REV=$(git -C "$LM_TOP" rev-parse --verify --quiet "${BENCH_B}^{commit}") || {
		echo "bench.sh: BENCH_B='$BENCH_B' is not a revision of $LM_TOP" >&2
		exit 2
	}
fi

# bpftrace and bcc run in the guest from the host's root over 9p.
"$LM_TOP/selftests/qemu/deps.sh" bpftrace bpfcc-tools >&2 ||
	lm_die "installing bpftrace and bpfcc-tools failed"

status=0
jsons=()
for series in "${SERIES[@]}"; do
	log=$OUT/bench-$series.log
	(
		set -e
		# its own build directory: make check runs it beside the
		# kernel's suite
		lm_bench_prepare "$series" "$B_REV"
		vm=$LM_BUILD/bench-vm
		rm -rf "$vm"
		rc=0
		"$LM_TOP/selftests/qemu/run-vm.sh" --kernel "$series" --out "$vm" \
			--mem 2048 --append slub_nomerge ${ICOUNT[@]+"${ICOUNT[@]}"} \
			--timeout "${LEAKMON_BENCH_TIMEOUT:-5400}" \
			--env LEAKMON_KO="$LEAKMON_KO" \
			--env LM_FLOOR_KO="$FLOOR_KO" \
			--env LM_BENCH="$BENCH_BIN" \
			--env LEAKMON_CLI="$LEAKMON_CLI_PLAIN" \
			--env LEAKMON_SRC="$LM_TOP" \
			--env LEAKMON_KDIR="$KDIR" \
			--env BENCH_ROUNDS="$ROUNDS" --env BENCH_SMOKE="$SMOKE" \
			--env BENCH_CLOCK="$CLOCK" \
			${BENCH_CONFIGS:+--env BENCH_CONFIGS="$BENCH_CONFIGS"} \
			${B_KO:+--env LEAKMON_B_KO="$B_KO"} \
			${B_KO:+--env BENCH_B="$BENCH_B, ${B_REV:0:12}"} \
			-- "$HERE/guest_bench.py" >"$vm.out" 2>&1 || rc=$?
		cat "$vm.out"
		sed -n '/^LEAKMON-BENCH-JSON-BEGIN$/,/^LEAKMON-BENCH-JSON-END$/p' "$vm.out" |
			sed '1d;$d' >"$OUT/bench-$KVER.json"
		[ -s "$OUT/bench-$KVER.json" ] || { echo "# no results from the VM (status $rc)"; exit 1; }
		echo "RESULT $OUT/bench-$KVER.json"
		exit "$rc"
	) >"$log" 2>&1
	rc=$?
	grep -E '^(# |run-vm: )' "$log" | sed "s/^/[$series] /" >&2
	json=$(sed -n 's/^RESULT //p' "$log")
	if [ "$rc" -ne 0 ] || [ -z "$json" ]; then
		echo "bench.sh: the $series run failed (status $rc); see $log" >&2
		status=1
	fi
	[ -n "$json" ] && jsons+=("$json")
done

((${#jsons[@]})) || exit 1
if ((SMOKE)); then
	python3 "$HERE/report.py" --tap "${jsons[@]}" || status=1
else
	python3 "$HERE/report.py" --json-out "$OUT/bench.json" "${jsons[@]}" || status=1
fi
exit "$status"
