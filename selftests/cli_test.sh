#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the leakmon CLI against the real module, inside the test VM, as
# TAP.  Uses the CLI named by LEAKMON_CLI (the ASan/UBSan build in
# `make check`), leakbind.ko and lm_workload.  Needs root, jq and setpriv.
#
# LEAKMON_CLI_WRAP, if set, is a command prefix every CLI run goes through;
# LEAKMON_CLI_VALGRIND=1 sets it to valgrind memcheck (for the plain
# build):
#   LEAKMON_CLI=user/leakmon LEAKMON_CLI_VALGRIND=1 cli_test.sh
# Any valgrind report (a "==PID==" line on stderr) or exit 99 fails the test.
#
# LEAKMON_CLI_PART picks the tests: "host" the ones that need no module
# (usage errors, version, help, graph's refusals of files; no root
# needed), "module" all the others, "all" (default) both.  make check
# runs the valgrind pass as the host part on the host and the module part
# in the 6.1 VM: each valgrind start takes 7 s of CPU under emulation
# against 0.6 s on the host.
#
# Coverage: every subcommand and every documented exit code is run here
# (the other scripts test them in more depth: check, prometheus and growth
# in monitor_test.sh; watch, record and graph in graph_test.sh):
#   status 0 3 | top 0 2 3 | config 0 2 | reset 0 4 | check 0 7 |
#   prometheus 0 3 | growth 0 | events 0 2 3 8 | watch 0 3 | record 0 |
#   graph 0 1 9 | version 0 | help 0 2 (no command)
# (record's exit 9, an existing file that is not a recording, is in
# graph_test.sh)
# Exit 5 (a malformed reply) cannot come from the real module: the unit
# tests (user/tests/) feed malformed replies, and the libFuzzer
# harnesses (user/fuzz, selftests/fuzz_cli.sh) arbitrary ones.
#
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when a
# prerequisite is missing.
set -u
: "${LEAKMON_CLI:?}"
PART=${LEAKMON_CLI_PART:-all}
case $PART in
all | host | module) ;;
*) echo "cli_test.sh: LEAKMON_CLI_PART must be all, host or module, not '$PART'" >&2; exit 2 ;;
esac
if [ "$PART" != host ]; then
	: "${LEAKMON_KO:?}" "${LEAKBIND_KO:?}" "${LEAKMON_TESTS:?}"
fi
CLI=$LEAKMON_CLI
if [ "${LEAKMON_CLI_VALGRIND:-0}" = 1 ]; then
	# A report names the function, without the frames the compiler
	# inlined: reading the inlined-call debug info was a quarter of
	# each start under emulation.
	LEAKMON_CLI_WRAP="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --read-inline-info=no"
	# Valgrind reads the debug info of every library that has a file in
	# /usr/lib/debug/.build-id (libc6-dbg, a dependency of Debian's
	# valgrind): libc's and libm's took 1.9 s of each 5.5 s start under
	# emulation.  It needs the dynamic loader's (for the redirections it
	# cannot run without); libc's frames keep their exported names.  As
	# root, the tests run in a mount namespace where that directory holds
	# the loader's file alone.
	ldso=$(readelf -l "$LEAKMON_CLI" 2>/dev/null |
		sed -n 's/.*interpreter: \([^]]*\)].*/\1/p')
	ldso_id=$(readelf -n "$ldso" 2>/dev/null | awk '/Build ID:/ { print $3 }')
	ldso_dbg=/usr/lib/debug/.build-id/${ldso_id:0:2}/${ldso_id:2}.debug
	if [ "${LM_VG_DEBUG_NS:-}" = 1 ]; then
		keep=$(mktemp) && cp "$ldso_dbg" "$keep" &&
			mount -t tmpfs -o size=16m,mode=755 lm-debug /usr/lib/debug/.build-id &&
			mkdir "$(dirname "$ldso_dbg")" &&
			install -m 0644 "$keep" "$ldso_dbg" ||
			{ echo "cli_test.sh: cannot hide the libraries' debug info" >&2; exit 1; }
		rm -f "$keep"
	elif [ "$(id -u)" -eq 0 ] && [ -n "$ldso_id" ] && [ -f "$ldso_dbg" ] &&
		unshare -m true 2>/dev/null; then
		LM_VG_DEBUG_NS=1 exec unshare -m bash "$0" "$@"
	fi
fi
# shellcheck disable=SC2206 # a command prefix, split on purpose
WRAP=(${LEAKMON_CLI_WRAP:-})
WL=${LEAKMON_TESTS:-}/lm_workload
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for tool in jq setpriv ${WRAP[0]:+"${WRAP[0]}"}; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 4
	fi
done
if [ "$PART" != host ] && [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 4
fi

TAP_PREFIX="cli${WRAP[0]:+ (${WRAP[0]##*/})}: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# lm ARGS...: the CLI under test, through LEAKMON_CLI_WRAP
lm() {
	"${WRAP[@]}" "$CLI" "$@"
}
# bad_report FILE: a sanitizer or valgrind report in FILE (stderr of a run)
bad_report() {
	grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|^==[0-9]+== ' "$1"
}
# check NAME COMMAND...: the command's exit status decides (stdout dropped);
# on failure the file it read (its last argument), shortened, is shown
check() {
	local name=$1 rc
	shift
	"$@" >/dev/null
	rc=$?
	[ "$rc" -eq 0 ] || [ ! -f "${!#}" ] || head -c 2000 "${!#}" | sed 's/^/#   /'
	ok "$rc" "$name"
}
# run_cli EXPECTED_RC OUTFILE ARGS...: stdout to OUTFILE, stderr to OUTFILE.err
run_cli() {
	local want=$1 out=$2 rc
	shift 2
	lm "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "# leakmon $*: exit $rc, expected $want"
		sed 's/^/#   /' "$out.err"
		return 1
	fi
	if bad_report "$out.err"; then
		echo "# leakmon $*: sanitizer or valgrind report"
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

# ---- what needs no module (LEAKMON_CLI_PART host or all)
if [ "$PART" != module ]; then
	run_cli 2 "$T/u1" top -n abc && run_cli 2 "$T/u2" frobnicate &&
		run_cli 2 "$T/u3" top --by nothing && run_cli 2 "$T/u4" top --sort
	ok $? "usage errors exit 2"
	grep -q . "$T/u1.err" && [ ! -s "$T/u1" ]
	ok $? "usage errors explain themselves on stderr only"

	lm config --max-objects 0 >"$T/c" 2>"$T/c.err"
	rc=$?
	[ "$rc" -eq 2 ] && grep -qi "range" "$T/c.err" && ! bad_report "$T/c.err"
	ok $? "config --max-objects 0 is a usage error with a message (rc $rc)"
	sed 's/^/# /' "$T/c.err"

	run_cli 0 "$T/v" version
	ok $? "version exits 0"

	run_cli 0 "$T/h" help && grep -q '^  graph ' "$T/h" &&
		run_cli 0 "$T/h2" help events && grep -q 'Usage: leakmon events' "$T/h2" &&
		run_cli 2 "$T/h3"
	ok $? "help lists the commands; no command at all exits 2"
	rc=0
	for c in status top config scan unreachable reset check prometheus growth events \
		watch record graph version; do
		run_cli 0 "$T/help-$c" "$c" --help && grep -q "Usage: leakmon $c" "$T/help-$c" ||
			{ echo "# leakmon $c --help: no usage"; rc=1; }
	done
	ok $rc "every command's --help exits 0 with its usage"
	# usage errors and unreadable files, found before any netlink
	run_cli 2 "$T/rr3" config --restrict-read 3
	ok $? "config --restrict-read 3 is a usage error"
	run_cli 2 "$T/evt2" events -t 0
	ok $? "events -t 0 is a usage error"
	: >"$T/empty" && run_cli 9 "$T/g9" graph -o "$T/g9.svg" "$T/empty" &&
		run_cli 1 "$T/g1" graph -o "$T/g1.svg" "$T/no-such-file" &&
		grep -q "no-such-file" "$T/g1.err"
	ok $? "graph of an empty file exits 9, of a missing one 1"
fi
if [ "$PART" = host ]; then
	rm -rf "$T"
	echo "1..$n"
	exit $failed
fi

# ---- against the module (LEAKMON_CLI_PART module or all)
[ -d /sys/module/leakmon ] || insmod "$LEAKMON_KO"
insmod "$LEAKBIND_KO"
# exited_left N: status counts N or more live objects of exited owners of
# each kind (the plain CLI: under valgrind a run takes seconds)
exited_left() {
	"$CLI" status --json 2>/dev/null | jq -e --argjson n "$1" \
		'[.kinds.sock_inode, .kinds.file_blob, .kinds.sk_blob] |
		 all(.exited >= $n)' >/dev/null
}
"$WL" apache2 200 >/dev/null
rmmod leakbind
until_ok 60 exited_left 200

run_cli 0 "$T/status.json" status --json
ok $? "status --json exits 0"
check "status --json is valid JSON with every kind enabled" \
	jq -e '.kinds.sock_inode.enabled and .kinds.file_blob.enabled and
	       .kinds.sk_blob.enabled and
	       (.meminfo.sunreclaim_bytes > 0)' "$T/status.json"
check "status reports the 200 sockets and blobs the exited apache2 left" \
	jq -e '.kinds.sock_inode.exited >= 200 and
	       .kinds.file_blob.exited >= 200 and
	       .kinds.sk_blob.exited >= 200' "$T/status.json"
check "status gives each kind's measured object size and the alert counters" \
	jq -e '.kinds.sock_inode.obj_size > 0 and .kinds.file_blob.obj_size > 0 and
	       .kinds.sk_blob.obj_size > 0 and (.events.sent | type == "number") and
	       (.config.event_threshold | type == "number")' "$T/status.json"
run_cli 0 "$T/status.txt" status &&
	grep -qE '^  live [0-9]+, [0-9]+ of exited owners, [0-9]+ bytes each$' "$T/status.txt" &&
	grep -qE '^alerts ' "$T/status.txt" && [ "$(awk '{ print length }' "$T/status.txt" | sort -n | tail -n1)" -le 80 ]
ok $? "status shows object sizes and alerts, in 80 columns"

# Ranked by unreachable objects (null before a pass: 0), then by objects of
# exited owners.  Whether a pass has judged apache2's objects yet, and what
# earlier tests in this boot left unreachable, is timing: apache2 is looked
# for among all rows, the order is checked on the keys.
run_cli 0 "$T/top.json" top --json --sort unreachable -n 0
ok $? "top --json --sort unreachable exits 0"
check "top --sort unreachable ranks by unreachable, then exited; apache2 with 200 sockets and blobs" \
	jq -e '([.rows[] | [(.unreachable // 0), .exited_objects]] as $k |
		$k == ($k | sort | reverse)) and
	       ([.rows[] | select(.comm == "apache2" and .exited and
				  .uid == 65534 and
				  .kinds.sock_inode.live == 200 and
				  .kinds.file_blob.live == 200 and
				  .kinds.sk_blob.live == 200)] | length >= 1)' \
	"$T/top.json"

run_cli 0 "$T/uid.json" top --by uid --json
check "top --by uid shows uid 65534 with its exited owners' objects" \
	jq -e '[.rows[] | select(.uid == 65534 and .exited_objects >= 600)] |
	       length == 1' "$T/uid.json"

run_cli 0 "$T/cg.json" top --by cgroup --json
check "top --by cgroup aggregates owners" \
	jq -e '(.rows | length) >= 1 and (.rows[0].owners >= 1)' \
	"$T/cg.json"

run_cli 0 "$T/top.txt" top
ok $? "human top exits 0 (status: above)"
width_ok "$T/top.txt" && width_ok "$T/status.txt" && grep -q apache2 "$T/top.txt"
ok $? "human output fits 80 columns and names apache2"

# A process whose socket count climbs: rate sorting puts it first.  It
# climbs for a minute (20 sockets a second), killed once top has measured:
# under valgrind, or on a debug kernel, the CLI can take many seconds to
# start and must not find the climb already over.
"$WL" fdleak 1200 70 60 >/dev/null &
leaker=$!
until_ok 60 holds_fds "$leaker" 23
run_cli 0 "$T/rate.json" top --json --sort rate -i 2 -n 1
check "top --sort rate ranks the growing fd leaker first" \
	jq -e '.rows[0].comm == "embedhttpd" and .rows[0].rate_per_s > 10' \
	"$T/rate.json"
kill "$leaker" 2>/dev/null
wait "$leaker" 2>/dev/null

run_cli 0 "$T/scan.txt" scan && run_cli 0 "$T/scan.json" scan --json
ok $? "scan as root exits 0"
check "scan --json: every kind classified, the classes sum to the objects" \
	jq -e '.scan.seq >= 2 and (.scan.kinds | length) == 3 and
	       ([.scan.kinds[] | .young + .held + .kernel + .closing +
		 .unreachable] | add) == .scan.objects' "$T/scan.json"
width_ok "$T/scan.txt" && grep -qE '^sock_inode +[0-9]+' "$T/scan.txt" &&
	run_cli 0 "$T/status2.txt" status && grep -q '^scan  ' "$T/status2.txt"
ok $? "scan's table fits 80 columns; status shows the last pass"
# The exited apache2's 200 leaked sockets, unreachable at the second pass
# that judges them (objects younger than scan_grace are not).  scan_grace
# stays 1 s until both reads of the pass are done: a periodic pass
# (scan_interval) between them with 10 s finds the sockets young if they
# are younger than that (the likely cause of the human output's check
# failing once on 6.12, not shown).
grace=/sys/module/leakmon/parameters/scan_grace
echo 1 >"$grace" && sleep 1.1 && run_cli 0 "$T/scan2.txt" scan &&
	run_cli 0 "$T/scan3.txt" scan &&
	run_cli 0 "$T/unr.json" unreachable --json
ok $? "unreachable --json exits 0 after two passes"
check "unreachable names apache2's 200 sockets: AF_INET STREAM TCP, CLOSE, not bound, file refs 1" \
	jq -e '[.owners[] | select(.comm == "apache2" and .uid == 65534 and
		.unreachable >= 600) | .groups[] |
		select(.count == 200 and .family == "AF_INET" and
		       .sock_type == "STREAM" and .protocol == "TCP" and
		       .state == "CLOSE" and .bound == false and
		       .file_refs == 1) | .kind] | sort ==
	       ["file_blob", "sk_blob", "sock_inode"]' "$T/unr.json"
run_cli 0 "$T/unr.txt" unreachable &&
	grep -qE '^ +200 sock_inode +AF_INET STREAM TCP, CLOSE, not bound, file refs 1$' "$T/unr.txt" &&
	width_ok "$T/unr.txt"
rc=$?
[ "$rc" -eq 0 ] || head -c 3000 "$T/unr.txt" | sed 's/^/#   /'
ok "$rc" "unreachable's human output: one line per group, in 80 columns"
echo 10 >"$grace"
run_cli 0 "$T/unr1.txt" unreachable 4194304 &&
	grep -q '^4194304: no unreachable objects at pass' "$T/unr1.txt"
ok $? "unreachable PID of a process without leaks says so, exits 0"

setpriv --reuid=65534 --regid=65534 --clear-groups \
	"${WRAP[@]}" "$CLI" scan >"$T/p" 2>"$T/p.err"
rc=$?
[ "$rc" -eq 4 ] && grep -q "CAP_NET_ADMIN" "$T/p.err" && ! bad_report "$T/p.err"
ok $? "unprivileged scan exits 4 with the kernel's message (rc $rc)"

setpriv --reuid=65534 --regid=65534 --clear-groups \
	"${WRAP[@]}" "$CLI" reset >"$T/p" 2>"$T/p.err"
rc=$?
[ "$rc" -eq 4 ] && grep -q "CAP_NET_ADMIN" "$T/p.err" && ! bad_report "$T/p.err"
ok $? "unprivileged reset exits 4 with the kernel's message (rc $rc)"
sed 's/^/# /' "$T/p.err"

setpriv --reuid=65534 --regid=65534 --clear-groups \
	"${WRAP[@]}" "$CLI" status --json >"$T/p2" 2>"$T/p2.err" &&
	! bad_report "$T/p2.err"
ok $? "unprivileged status works by default"

# restrict_read 2: two customers (uids 2001, 2002), each holding a socket,
# see their own rows only, and the CLI says so; the monitoring user (uid
# 2003 in the group reader_gid names) and root see both.
as_uid() { # UID [GROUP] -- CLI ARGS...
	local uid=$1 groups=--clear-groups
	shift
	if [ "$1" != -- ]; then groups=--groups=$1; shift; fi
	shift
	setpriv --reuid="$uid" --regid="$uid" "$groups" "${WRAP[@]}" "$CLI" "$@"
}
# A customer's process, holding a socket until the tests below kill it
# (under valgrind on a loaded host the tests took longer than 120 s)
customer() {
	setpriv --reuid="$1" --regid="$1" --clear-groups python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
time.sleep(3600)' &
}
customer 2001; cust_a=$!
customer 2002; cust_b=$!
sleep 1
run_cli 0 "$T/rr" config --restrict-read 2 --reader-gid 2100 &&
	grep -q '^restrict_read  2$' "$T/rr" && grep -q '^reader_gid  *2100$' "$T/rr"
ok $? "config --restrict-read 2 --reader-gid 2100 sets and shows them"
as_uid 2001 -- top -n 0 >"$T/ca" 2>"$T/ca.err" &&
	grep -q '^showing your own processes only (restrict_read=2, uid 2001)$' "$T/ca" &&
	grep -qE "^ *$cust_a " "$T/ca" && ! grep -qE "^ *$cust_b " "$T/ca" &&
	as_uid 2001 -- top -n 0 --json >"$T/ca.json" 2>>"$T/ca.err" &&
	jq -e '.view_uid == 2001 and ([.rows[].uid] | unique == [2001])' \
		"$T/ca.json" >/dev/null && ! bad_report "$T/ca.err"
rc=$?
if [ $rc -ne 0 ]; then
	cat "$T/ca" "$T/ca.err" | head -n 20 | sed 's/^/#   /'
	ps -o pid,ruid,euid,comm -p "$cust_a,$cust_b" | sed 's/^/#   /'
	lm top -n 0 --json | jq -c --argjson a "$cust_a" --argjson b "$cust_b" \
		'.rows[] | select(.tgid == $a or .tgid == $b) |
		{tgid, comm, uid, state, live}' | sed 's/^/#   /'
fi
ok $rc "restrict_read 2: customer 2001's top lists its own rows only, and says so"
as_uid 2002 -- top -n 0 --json >"$T/cb.json" 2>"$T/cb.err" &&
	jq -e --argjson b "$cust_b" '.view_uid == 2002 and
		([.rows[].uid] | unique == [2002]) and
		any(.rows[]; .tgid == $b)' "$T/cb.json" >/dev/null &&
	as_uid 2002 -- status >"$T/cb.st" 2>>"$T/cb.err" &&
	grep -q '^reading      own processes only, everything with CAP_NET_ADMIN or group 2100 (restrict_read=2)$' "$T/cb.st" &&
	grep -q 'you see the processes of uid 2002 only' "$T/cb.st" &&
	as_uid 2002 -- unreachable >"$T/cb.un" 2>>"$T/cb.err" &&
	grep -q '^showing your own processes only (restrict_read=2, uid 2002)$' "$T/cb.un" &&
	! bad_report "$T/cb.err"
rc=$?
[ $rc -eq 0 ] || cat "$T/cb.json" "$T/cb.err" "$T/cb.st" "$T/cb.un" | head -n 40 | sed 's/^/#   /'
ok $rc "restrict_read 2: customer 2002 sees its own rows, status and unreachable say so"
as_uid 2003 2100 -- top -n 0 --json >"$T/cm.json" 2>"$T/cm.err" &&
	jq -e --argjson a "$cust_a" --argjson b "$cust_b" '.view_uid == null and
		any(.rows[]; .tgid == $a) and any(.rows[]; .tgid == $b)' \
		"$T/cm.json" >/dev/null &&
	run_cli 0 "$T/cr.json" top -n 0 --json &&
	jq -e --argjson a "$cust_a" --argjson b "$cust_b" '.view_uid == null and
		any(.rows[]; .tgid == $a) and any(.rows[]; .tgid == $b)' \
		"$T/cr.json" >/dev/null && ! bad_report "$T/cm.err"
rc=$?
if [ $rc -ne 0 ]; then
	ps -o pid,ruid,etime,comm -p "$cust_a,$cust_b" | sed 's/^/#   /'
	head -c 600 "$T/cm.json" "$T/cm.err" | sed 's/^/#   /'
fi
ok $rc "restrict_read 2: the monitoring user (group 2100) and root see both customers"
run_cli 0 "$T/rr1" config --restrict-read 1 &&
	as_uid 2001 -- top >"$T/c1" 2>"$T/c1.err"
rc=$?
[ "$rc" -eq 4 ] && grep -q "reader_gid" "$T/c1.err" &&
	as_uid 2003 2100 -- top >"$T/m1" 2>"$T/m1.err" &&
	! grep -q 'showing your own' "$T/m1"
ok $? "restrict_read 1: a customer exits 4 with the kernel's message, the monitoring user reads (rc $rc)"
# ... and a listener without CAP_NET_ADMIN is told it hears no alert
as_uid 2003 2100 -- events -t 0.2 >"$T/e1" 2>"$T/e1.err"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/e1" ] &&
	grep -q '^leakmon: events: restrict_read is 1: alerts go only to listeners with CAP_NET_ADMIN (group events-admin, where the kernel has it); this one will hear none$' "$T/e1.err"
ok $? "restrict_read 1: events without CAP_NET_ADMIN says it will hear none (rc $rc)"
run_cli 0 "$T/rr0" config --restrict-read 0 --reader-gid 4294967295 &&
	grep -q '^reader_gid  *4294967295 (none)$' "$T/rr0"
ok $? "restrict_read 0 and no reader group again"
# A group by its name, and none by that word
run_cli 0 "$T/rg" config --reader-gid root &&
	grep -q '^reader_gid  *0 (root)$' "$T/rg" &&
	run_cli 0 "$T/rg2" config --reader-gid none &&
	grep -q '^reader_gid  *4294967295 (none)$' "$T/rg2" &&
	run_cli 2 "$T/rg3" config --reader-gid no-such-group-lm
ok $? "config --reader-gid takes a group's name and none"
kill "$cust_a" "$cust_b" 2>/dev/null
wait "$cust_a" "$cust_b" 2>/dev/null

run_cli 0 "$T/r" reset
ok $? "reset as root exits 0"

run_cli 0 "$T/ev" config --event-threshold 500 --event-rate 20 --json &&
	[ "$(jq -c '[.event_threshold, .event_rate, .event_queue_max > 0]' "$T/ev")" = '[500,20,true]' ] &&
	run_cli 0 "$T/ev2" config --event-threshold 0 --event-rate 10 &&
	grep -q '^event_threshold 0$' "$T/ev2" && grep -q '^event_rate  *10$' "$T/ev2"
ok $? "config sets and shows the alert settings (--event-threshold, --event-rate)"

run_cli 0 "$T/chk" check exited && grep -qE '^[0-9]+$' "$T/chk" &&
	run_cli 0 "$T/prom" prometheus && grep -q '^leakmon_up 1$' "$T/prom"
ok $? "check exited and prometheus exit 0"

run_cli 0 "$T/gr.json" growth --state "$T/growth.state" --json &&
	jq -e 'type == "object"' "$T/gr.json" >/dev/null &&
	run_cli 7 "$T/gr7" check slab.growth --state "$T/growth.state"
ok $? "growth --json exits 0; check slab.growth on one sample exits 7"

# events: an owner crossing event_threshold, then a timeout
run_cli 0 "$T/cfg" config --event-threshold 50 --event-rate 100
"${WRAP[@]}" "$CLI" events -c 1 -t 60 --json >"$T/evt" 2>"$T/evt.err" &
evp=$!
# once its netlink socket is open, a new owner of 100 sockets every
# second until the listener, slow to join the group under valgrind, has
# had its event and exited
until_ok 60 has_socket "$evp"
for _ in $(seq 40); do
	kill -0 "$evp" 2>/dev/null || break
	"$WL" fdleak 100 1 >/dev/null
done
wait "$evp"
rc=$?
[ "$rc" -eq 0 ] && ! bad_report "$T/evt.err" &&
	jq -e 'select(.event == "threshold" and .comm == "embedhttpd" and
		      .threshold == 50)' "$T/evt" >/dev/null
ok $? "events -c 1 prints the threshold alert of a 100-socket owner and exits 0 (rc $rc)"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/evt" "$T/evt.err"
# events until SIGTERM (its handler is set before it opens its netlink
# socket); -t 300 only in case the signal were lost
"${WRAP[@]}" "$CLI" events -c 1000 -t 300 >"$T/evs" 2>"$T/evs.err" &
evp=$!
until_ok 60 has_socket "$evp"
t0=$SECONDS
kill -TERM "$evp"
wait "$evp"
rc=$? took=$((SECONDS - t0))
run_cli 8 "$T/evt8" events -c 1 -t 0.5 &&
	[ "$rc" -eq 0 ] && [ "$took" -lt 60 ] && ! bad_report "$T/evs.err"
ok $? "events -t exits 8 when the events did not come, SIGTERM ends it with 0 (rc $rc in $took s)"
run_cli 0 "$T/cfg" config --event-threshold 0 --event-rate 10

run_cli 0 "$T/w" watch -c 2 -i 0.5 && grep -q apache2 "$T/w"
ok $? "watch -c 2 (plain frames when not on a terminal) exits 0"

run_cli 0 "$T/rec.out" record -i 0.5 -d 1.5 -o "$T/rec" &&
	run_cli 0 "$T/g.out" graph -o "$T/g.svg" "$T/rec" && [ -s "$T/g.svg" ]
ok $? "record -d and graph exit 0"

# events with --priority-prefix, then the module unloaded under it: the
# kernel drops the listeners silently, nlctrl's DELFAMILY tells events,
# which exits 3 (for a service manager to start it again)
run_cli 0 "$T/cfg" config --event-threshold 50 --event-rate 100
"${WRAP[@]}" "$CLI" events -p >"$T/evg" 2>"$T/evg.err" &
evp=$!
# listening once an alert came (slow to join under valgrind)
until_ok 60 has_socket "$evp"
for _ in $(seq 40); do
	"$WL" fdleak 100 1 >/dev/null
	until_ok 1 grep -q threshold "$T/evg" && break
done
rmmod leakmon
# exited PID: gone, or a zombie (our child, until waited for)
exited() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "${st%% *}" = Z ]
}
until_ok 60 exited "$evp" || kill -TERM "$evp"
wait "$evp"
rc=$?
[ "$rc" -eq 3 ] && grep -q '^<5>[-0-9:]* threshold ' "$T/evg" &&
	grep -q "the module was unloaded" "$T/evg.err" && ! bad_report "$T/evg.err"
ok $? "events -p prints <5> before a threshold line; rmmod ends it with 3 (rc $rc)"
[ "$rc" -eq 3 ] || sed 's/^/# /' "$T/evg" "$T/evg.err"

run_cli 3 "$T/m" status && grep -q "family leakmon not found" "$T/m.err"
ok $? "status without the module exits 3 and says how to load it"
run_cli 3 "$T/m2" top && run_cli 3 "$T/m3" prometheus &&
	run_cli 3 "$T/m4" watch -c 1 && run_cli 0 "$T/m5" version
ok $? "top, prometheus, watch exit 3 without the module; version exits 0"
insmod "$LEAKMON_KO"

rm -rf "$T"
echo "1..$n"
exit $failed
