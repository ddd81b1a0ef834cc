#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP helpers shared by the shell selftests; source it after setting
# TAP_PREFIX (prepended to every description).  $failed is 1 once any test
# failed: exit with it.
# shellcheck disable=SC2034 # used by the scripts that source this
n=0 failed=0

# ok RC DESCRIPTION: one TAP line, "ok" when RC is 0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n ${TAP_PREFIX:-}$2"
	else
		echo "not ok $n ${TAP_PREFIX:-}$2"
		failed=1
	fi
}

# until_ok SECONDS CMD...: run CMD every 0.1 s until it succeeds (0) or
# SECONDS have passed (1).  The tests wait for what they need, not for a
# fixed time: under TCG the debug kernel is ten times slower than the
# stock one, and a loaded host slows both.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
# has_socket PID: process PID has a socket open
has_socket() {
	find "/proc/$1/fd" -mindepth 1 -lname 'socket:*' 2>/dev/null | grep -q .
}
# holds_fds PID N: process PID has N open files or more
holds_fds() {
	[ "$(find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l)" -ge "$2" ]
}

# http_get PORT PATH OUT: GET PATH from 127.0.0.1:PORT (HTTP/1.0, bash's
# /dev/tcp, no client needed), the body into OUT; 1 unless the status is 200
http_get() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	read -r line <&3
	[[ $line == "HTTP/1."?" 200"* ]] || { exec 3<&-; return 1; }
	sed '1,/^\r\{0,1\}$/d' <&3 >"$3"
	exec 3<&-
}

# section NAME: a line "# time PREFIX NAME N s" (PREFIX: TAP_PREFIX without
# its ": "), N the seconds since the previous section's line or since
# tap.sh was sourced; where a test's time goes, in the TAP log (the " s"
# keeps the line out of check.sh's slowest programs, "# time NAME N")
read -r tap_section_t0 _ </proc/uptime 2>/dev/null || tap_section_t0=0
section() {
	local t
	read -r t _ </proc/uptime 2>/dev/null || t=0
	awk -v p="${TAP_PREFIX%: }" -v s="$1" -v a="$tap_section_t0" -v b="$t" \
		'BEGIN { printf "# time %s %s %.1f s\n", p, s, b - a }'
	tap_section_t0=$t
}
