#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the leakmon CLI against the real module, inside the test VM, as
# TAP.  Uses the CLI named by LEAKMON_CLI (the ASan/UBSan build in
# `make check`), leakbind.ko and lm_workload.  Needs root, jq and setpriv.
#
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when a
# prerequisite is missing.
set -u
: "${LEAKMON_CLI:?}" "${LEAKMON_KO:?}" "${LEAKBIND_KO:?}" "${LEAKMON_TESTS:?}"
CLI=$LEAKMON_CLI
WL=$LEAKMON_TESTS/lm_workload
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for tool in jq setpriv; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 4
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 4
fi

TAP_PREFIX="cli: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# check NAME COMMAND...: the command's exit status decides (stdout dropped)
check() {
	local name=$1
	shift
	"$@" >/dev/null
	ok $? "$name"
}
# run_cli EXPECTED_RC OUTFILE ARGS...: stdout to OUTFILE, stderr to OUTFILE.err
run_cli() {
	local want=$1 out=$2 rc
	shift 2
	"$CLI" "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "# leakmon $*: exit $rc, expected $want"
		sed 's/^/#   /' "$out.err"
		return 1
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$out.err"; then
		echo "# leakmon $*: sanitizer report"
		sed 's/^/#   /' "$out.err"
		return 1
	fi
	return 0
}
width_ok() {
	local w
	w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1")
	[ "$w" -le 80 ] || { echo "# $1: $w columns"; return 1; }
}

T=$(mktemp -d)
echo "TAP version 13"
echo "1..17"

[ -d /sys/module/leakmon ] || insmod "$LEAKMON_KO"
insmod "$LEAKBIND_KO"
"$WL" apache2 200 >/dev/null
rmmod leakbind
sleep 1

run_cli 0 "$T/status.json" status --json
ok $? "status --json exits 0"
check "status --json is valid JSON with every kind enabled" \
	jq -e '.kinds.sock_inode.enabled and .kinds.file_blob.enabled and
	       .kinds.sk_blob.enabled and
	       (.meminfo.sunreclaim_bytes > 0)' "$T/status.json"
check "status reports the 200 orphaned sockets and their blobs" \
	jq -e '.kinds.sock_inode.orphans >= 200 and
	       .kinds.file_blob.orphans >= 200 and
	       .kinds.sk_blob.orphans >= 200' "$T/status.json"
check "status gives each kind's measured object size and the alert counters" \
	jq -e '.kinds.sock_inode.obj_size > 0 and .kinds.file_blob.obj_size > 0 and
	       .kinds.sk_blob.obj_size > 0 and (.events.sent | type == "number") and
	       (.config.event_threshold | type == "number")' "$T/status.json"
"$CLI" status >"$T/status.txt" 2>&1
grep -qE '^  live [0-9]+, orphans [0-9]+, [0-9]+ bytes each$' "$T/status.txt" &&
	grep -qE '^alerts ' "$T/status.txt" && [ "$(awk '{ print length }' "$T/status.txt" | sort -n | tail -n1)" -le 80 ]
ok $? "status shows object sizes and alerts, in 80 columns"

run_cli 0 "$T/top.json" top --json --sort orphans -n 3
ok $? "top --json --sort orphans exits 0"
check "apache2 leads top --sort orphans with 200 sockets and blobs" \
	jq -e '.rows[0].comm == "apache2" and .rows[0].exited and
	       .rows[0].uid == 65534 and
	       .rows[0].kinds.sock_inode.live == 200 and
	       .rows[0].kinds.file_blob.live == 200 and
	       .rows[0].kinds.sk_blob.live == 200' "$T/top.json"

run_cli 0 "$T/uid.json" top --by uid --json
check "top --by uid shows uid 65534 with its orphans" \
	jq -e '[.rows[] | select(.uid == 65534 and .orphans >= 600)] |
	       length == 1' "$T/uid.json"

run_cli 0 "$T/cg.json" top --by cgroup --json
check "top --by cgroup aggregates owners" \
	jq -e '(.rows | length) >= 1 and (.rows[0].owners >= 1)' \
	"$T/cg.json"

run_cli 0 "$T/top.txt" top && run_cli 0 "$T/status.txt" status
ok $? "human status and top exit 0"
width_ok "$T/top.txt" && width_ok "$T/status.txt" && grep -q apache2 "$T/top.txt"
ok $? "human output fits 80 columns and names apache2"

# A process whose socket count climbs: rate sorting puts it first.
"$WL" fdleak 300 6 4 >/dev/null &
leaker=$!
sleep 1
run_cli 0 "$T/rate.json" top --json --sort rate -i 2 -n 1
check "top --sort rate ranks the growing fd leaker first" \
	jq -e '.rows[0].comm == "embedhttpd" and .rows[0].rate_per_s > 10' \
	"$T/rate.json"
kill "$leaker" 2>/dev/null
wait "$leaker" 2>/dev/null

run_cli 2 "$T/u1" top -n abc && run_cli 2 "$T/u2" frobnicate &&
	run_cli 2 "$T/u3" top --by nothing && run_cli 2 "$T/u4" top --sort
ok $? "usage errors exit 2"
grep -q . "$T/u1.err" && [ ! -s "$T/u1" ]
ok $? "usage errors explain themselves on stderr only"

setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$CLI" reset >"$T/p" 2>"$T/p.err"
rc=$?
[ "$rc" -eq 4 ] && grep -q "CAP_NET_ADMIN" "$T/p.err"
ok $? "unprivileged reset exits 4 with the kernel's message (rc $rc)"
sed 's/^/# /' "$T/p.err"

setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$CLI" status --json >"$T/p2" 2>"$T/p2.err"
ok $? "unprivileged status works by default"

"$CLI" config --max-objects 0 >"$T/c" 2>"$T/c.err"
rc=$?
[ "$rc" -ne 0 ] && grep -qi "range" "$T/c.err"
ok $? "config --max-objects 0 is refused with a message (rc $rc)"
sed 's/^/# /' "$T/c.err"

run_cli 0 "$T/ev" config --event-threshold 500 --event-rate 20 --json &&
	[ "$(jq -c '[.event_threshold, .event_rate, .event_queue_max > 0]' "$T/ev")" = '[500,20,true]' ] &&
	run_cli 0 "$T/ev2" config --event-threshold 0 --event-rate 10 &&
	grep -q '^event_threshold 0$' "$T/ev2" && grep -q '^event_rate  *10$' "$T/ev2"
ok $? "config sets and shows the alert settings (--event-threshold, --event-rate)"

run_cli 0 "$T/v" version
ok $? "version exits 0"

rmmod leakmon
run_cli 3 "$T/m" status && grep -q "family leakmon not found" "$T/m.err"
ok $? "status without the module exits 3 and says how to load it"
insmod "$LEAKMON_KO"

rm -rf "$T"
exit $failed
