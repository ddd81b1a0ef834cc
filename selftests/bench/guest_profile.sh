#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the profiling VM (started by selftests/bench/profile.sh).
#
# Prints the text symbols of the kernel and its modules once (gzip, base64,
# between the lines PROFILE-KALLSYMS-BEGIN and PROFILE-KALLSYMS-END) and
# /proc/modules ("PROFILE-MODULE - LINE"), then in each of PROFILE_ROUNDS
# rounds, for each configuration (a slice, S = CONFIG@ROUND): loads its
# module and prints the module's text symbols ("PROFILE-SYM S ADDRESS NAME
# [MODULE]"), its /proc/modules line and where its init code was
# ("PROFILE-INIT S ADDRESS"), runs one short pass of the workload, says
# "PROFILE-PHASE S start", runs the workload for PROFILE_SECONDS (one
# "PROFILE-SAMPLE S JSON" line per run of PROFILE_N iterations), says
# "PROFILE-PHASE S end" and unloads the module.  The host records QEMU's
# samples while a slice runs.
#
# Environment: PROFILE_CONFIGS (names among baseline, floor, leakmon,
# leakmon_b), PROFILE_ROUNDS, PROFILE_WORKLOAD, PROFILE_SECONDS,
# PROFILE_N, LM_BENCH, LEAKMON_KO, LM_FLOOR_KO, LEAKMON_B_KO.
set -eu

echo PROFILE-KALLSYMS-BEGIN
grep ' [tT] ' /proc/kallsyms | gzip -1 | base64 -w 0
echo
echo PROFILE-KALLSYMS-END
sed 's/^/PROFILE-MODULE - /' /proc/modules

# slice CONFIG ROUND: one configuration's phase in one round, named
# CONFIG@ROUND in everything it prints
slice() {
	cfg=$1 s=$1@$2
	case $cfg in
	baseline) ko='' ;;
	floor) ko=$LM_FLOOR_KO ;;
	leakmon) ko=$LEAKMON_KO ;;
	leakmon_b) ko=${LEAKMON_B_KO:?leakmon_b needs LEAKMON_B_KO} ;;
	*) echo "guest_profile: unknown configuration '$cfg'" >&2; exit 2 ;;
	esac
	mod=''
	if [ -n "$ko" ]; then
		insmod "$ko"
		mod=$(basename "$ko" .ko)
		grep " [tT] .*\[$mod\]\$" /proc/kallsyms |
			while read -r addr _ name _; do
				echo "PROFILE-SYM $s $addr $name [$mod]"
			done
		grep "^$mod " /proc/modules | sed "s/^/PROFILE-MODULE $s /"
		init=/sys/module/$mod/sections/.init.text
		[ ! -r "$init" ] || echo "PROFILE-INIT $s $(cat "$init")"
	fi
	"$LM_BENCH" "$PROFILE_WORKLOAD" "$PROFILE_N" >/dev/null
	echo "PROFILE-PHASE $s start"
	end=$(($(date +%s) + PROFILE_SECONDS))
	while [ "$(date +%s)" -lt "$end" ]; do
		echo "PROFILE-SAMPLE $s $("$LM_BENCH" "$PROFILE_WORKLOAD" "$PROFILE_N")"
	done
	echo "PROFILE-PHASE $s end"
	[ -z "$mod" ] || rmmod "$mod"
}

# The configurations' order rotates from round to round, as in make bench.
set -- $PROFILE_CONFIGS
r=1
while [ "$r" -le "$PROFILE_ROUNDS" ]; do
	i=0
	while [ "$i" -lt $# ]; do
		eval "slice \${$(((i + r - 1) % $# + 1))} $r"
		i=$((i + 1))
	done
	r=$((r + 1))
done
