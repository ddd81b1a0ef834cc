#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz_cli.sh: the CLI's parsers under libFuzzer with ASan and UBSan
# (user/fuzz/: fuzz_reply for the netlink replies of every command,
# fuzz_record for `leakmon graph`'s recording files), each for
# FUZZ_SECONDS (default 30) from a seed corpus: the reply messages the unit
# tests build, and the recording example of Documentation/cli.md.  A crash,
# leak or sanitizer report is "not ok", with the reproducer's path.  TAP.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-30}
WORK=$TOP/build/fuzz
mkdir -p "$TOP/build"
n=0 failed=0

ok() { # STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

echo "TAP version 13"
if ! make -s -C "$TOP/user" fuzz >"$WORK.build.log" 2>&1 ||
	! make -s -C "$TOP/user" SANITIZE=1 unit >>"$WORK.build.log" 2>&1; then
	sed 's/^/# /' "$WORK.build.log" | tail -n 20
	ok 1 "fuzz: the harnesses build with clang"
	echo "1..$n"
	exit 1
fi
mkdir -p "$WORK/reply" "$WORK/record" "$WORK/artifacts"
"$TOP/user/build-san/unit_tests" --write-seeds "$WORK/reply" ||
	{ ok 1 "fuzz: seed corpus written"; echo "1..$n"; exit 1; }
# Documentation/cli.md's recording example, one JSON object a line.
awk '/^    \{"type":"header"/ { on = 1 }
     on && /^    \{/ { if (line != "") print line; line = substr($0, 5); next }
     on && /^     / { sub(/^ +/, ""); line = line $0; next }
     on { print line; exit }' "$TOP/Documentation/cli.md" >"$WORK/record/cli-md-example"
[ "$(wc -l <"$WORK/record/cli-md-example")" -ge 5 ] ||
	{ ok 1 "fuzz: recording seed taken from Documentation/cli.md"; echo "1..$n"; exit 1; }

for h in reply record; do
	log=$WORK/$h.log
	rc=0
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$TOP/user/build-fuzz/fuzz_$h" -max_total_time="$SECONDS_EACH" \
		-artifact_prefix="$WORK/artifacts/$h-" -print_final_stats=1 \
		"$WORK/$h" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
	echo "# fuzz_$h: ${runs:-?} inputs in ${SECONDS_EACH} s, ${cov:-cov: ?}, corpus $(ls "$WORK/$h" | wc -l) files"
	if [ "$rc" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 10 | sed 's/^/# /'
	fi
	ok "$rc" "fuzz: fuzz_$h ran ${SECONDS_EACH} s without a crash, leak or sanitizer report"
done
echo "1..$n"
exit "$failed"
