#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kmemleak_check.sh: run last in the debug kernel's VM (after every test and
# the final rmmod): scan for leaks and fail on any suspected leak whose
# backtrace or owner names leakmon or a test module (leakbind, lm_floor).
# Leaks elsewhere in the kernel are listed as comments.  TAP; exits 4 when
# the kernel has no kmemleak.
set -u
f=/sys/kernel/debug/kmemleak
echo "TAP version 13"
echo "1..1"
if [ ! -w "$f" ]; then
	echo "ok 1 kmemleak # SKIP this kernel has no kmemleak ($f)"
	exit 4
fi
# kmemleak reports an object at the second scan that finds it unreferenced
# and unchanged (the first one records its checksum), and only if it is
# 5 s old when that scan starts; what RCU callbacks or deferred work free
# before then is not reported.  A scan takes half a minute or more on the
# debug kernel under emulation, so no fixed waits around the scans (they
# were 10 s): only what is left of 5 s between their starts.
read -r t0 _ </proc/uptime
echo scan >"$f"
read -r t1 _ </proc/uptime
sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN { w = 5 - (b - a); printf "%.2f", (w > 0 ? w : 0) }')"
read -r t2 _ </proc/uptime
echo scan >"$f"
read -r t3 _ </proc/uptime
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
	'BEGIN { printf "# kmemleak: scans of %.0f and %.0f s\n", b - a, d - c }'
report=$(cat "$f")
total=$(grep -c '^unreferenced object' <<<"$report")
# Only backtrace frames count ("comm" names the allocating task, which is
# often a test program): a symbol of leakmon or a test module, or a bare
# address ("[<...>] 0xffffffffc0123456": code of a module since unloaded).
ours=$(awk '/^unreferenced object/ { if (rec != "") print rec; rec = ""; next }
	    /^ +\[</ { f = $0; sub(/^ *\[<[^>]*>\] /, "", f); rec = rec " " f }
	    END { if (rec != "") print rec }' <<<"$report" |
	grep -cE '\[(leakmon|leakbind|lm_floor)\]|lm_track|lm_owner|lm_notify|(^| )0x[0-9a-f]+( |$)' || true)
if [ "$total" -gt 0 ]; then
	sed 's/^/# /' <<<"$report" | head -n 80
fi
echo "# kmemleak: $total suspected leaks, $ours from leakmon or a test module"
if [ "$ours" -eq 0 ]; then
	echo "ok 1 kmemleak: nothing leaked by leakmon after the suite"
else
	echo "not ok 1 kmemleak: $ours suspected leaks from leakmon"
fi
