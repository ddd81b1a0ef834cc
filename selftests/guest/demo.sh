#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM (see selftests/demo.sh); README.md shows its
# output.
set -eu
: "${LEAKMON_KO:?}" "${LEAKBIND_KO:?}" "${LEAKMON_CLI:?}" "${LM_WORKLOAD:?}"

say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "load leakmon, and leakbind: the bad bind() patch behind the incident"
run insmod "$LEAKMON_KO"
run insmod "$LEAKBIND_KO"

say "start a well-behaved nginx and an embedded web server that leaks fds"
"$LM_WORKLOAD" churn 20 &
churn=$!
"$LM_WORKLOAD" fdleak 300 30 &
leaker=$!
sleep 1

say "apache2, as user nobody, makes 1000 binds that the patch refuses"
run "$LM_WORKLOAD" apache2 1000
sleep 2

say "what leakmon says"
run "$LEAKMON_CLI" status
echo
run "$LEAKMON_CLI" top
echo
run "$LEAKMON_CLI" top --by uid
echo
run "$LEAKMON_CLI" top --sort unreachable -n 3

say "the reachability pass: what nothing holds (two passes judge; objects"
say "younger than scan_grace, here 1 s, are not judged)"
echo 1 >/sys/module/leakmon/parameters/scan_grace
sleep 2
"$LEAKMON_CLI" scan >/dev/null
run "$LEAKMON_CLI" scan
echo
run "$LEAKMON_CLI" top --sort unreachable -n 3
echo
run "$LEAKMON_CLI" unreachable

kill "$leaker" "$churn" 2>/dev/null || true
wait "$leaker" "$churn" 2>/dev/null || true
rmmod leakbind
rmmod leakmon
