#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The systemd units of user/systemd/ (shipped in the leakmon package), on
# the host, as TAP; no systemd needs to run here:
#   - systemd-analyze verify reports nothing on any of them, with their
#     /usr/bin/leakmon pointed at the built CLI and man:leakmon(8) at
#     Documentation/leakmon.8 (verify checks that both exist);
#   - the CLI accepts each ExecStart='s command and options;
#   - each service stays in systemd-analyze security's "OK" band (exposure
#     below 2.0), runs in the initial network namespace (the family exists
#     only there) and holds no capability but CAP_NET_ADMIN.
# They are started by systemd as PID 1 nowhere yet (issue 20).
#
# Environment: LEAKMON_CLI (default user/leakmon, built if missing).
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) without
# systemd-analyze.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UNITS=$TOP/user/systemd
CLI=${LEAKMON_CLI:-$TOP/user/leakmon}
TAP_PREFIX="units: "
# shellcheck source=selftests/tap.sh
. "$TOP/selftests/tap.sh"

if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed (Debian: systemd)"
	exit 4
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -x "$CLI" ] && [ -z "${LEAKMON_CLI:-}" ]; then
	make -s -C "$TOP/user" all >"$T/make.log" 2>&1 || sed 's/^/# /' "$T/make.log"
fi
CLI=$(realpath "$CLI")

mapfile -t units < <(cd "$UNITS" && ls -- *.service *.timer 2>/dev/null)
echo "# units: ${units[*]:-none}"
[ "${#units[@]}" -eq 4 ]
ok $? "user/systemd/ holds the four units (textfile service and timer, events, recorder)"

# A copy of the units running the built CLI, and a manual path for
# man:leakmon(8)
mkdir -p "$T/units" "$T/man/man8"
ln -s "$TOP/Documentation/leakmon.8" "$T/man/man8/leakmon.8"
for u in "${units[@]}"; do
	sed "s|/usr/bin/leakmon\\b|$CLI|g" "$UNITS/$u" >"$T/units/$u"
done

for u in "${units[@]}"; do
	(cd "$T/units" && MANPATH=$T/man SYSTEMD_UNIT_PATH=$T/units: \
		systemd-analyze verify "./$u") >"$T/verify" 2>&1
	rc=$?
	sed 's/^/# /' "$T/verify"
	[ "$rc" -eq 0 ] && [ ! -s "$T/verify" ]
	ok $? "systemd-analyze verify $u reports nothing"
done

# ExecStart='s words with --help after them: the CLI parses every option
# (an unknown one, or a value out of range, exits 2) and prints its help
for u in "${units[@]}"; do
	[[ $u == *.service ]] || continue
	line=$(sed -n 's/^ExecStart=//p' "$T/units/$u")
	read -ra cmd <<<"$line"
	"${cmd[@]}" --help >"$T/help" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/help"
	[ "$rc" -eq 0 ] && [ "${cmd[0]}" = "$CLI" ] &&
		head -n 1 "$T/help" | grep -q "^Usage: leakmon ${cmd[1]} "
	ok $? "$u: the CLI takes ExecStart=${line/$CLI/leakmon}"
done

for u in "${units[@]}"; do
	[[ $u == *.service ]] || continue
	(cd "$T/units" && MANPATH=$T/man SYSTEMD_UNIT_PATH=$T/units: \
		systemd-analyze security --offline=yes --threshold=19 "./$u") \
		>"$T/security" 2>&1
	rc=$?
	grep 'Overall exposure' "$T/security" | sed 's/^/# /'
	[ "$rc" -eq 0 ] || grep '^✗' "$T/security" | sed 's/^/# /'
	ok $rc "$u: systemd-analyze security exposure below 2.0 (OK)"

	# the family is not netnsok: another network namespace has no leakmon
	rc=0
	grep -qE '^(PrivateNetwork=(yes|true|1)|NetworkNamespacePath=|JoinsNamespaceOf=)' \
		"$UNITS/$u" && rc=1
	caps=$(sed -n 's/^\(CapabilityBoundingSet\|AmbientCapabilities\)=//p' "$UNITS/$u" |
		tr ' ' '\n' | grep -v -e '^CAP_NET_ADMIN$' -e '^$')
	[ -z "$caps" ] || { echo "# $u: $caps"; rc=1; }
	grep -q '^CapabilityBoundingSet=' "$UNITS/$u" || rc=1
	ok $rc "$u: in the initial network namespace, no capability but CAP_NET_ADMIN"
done

echo "1..$n"
exit "$failed"
