#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the profiling VM (started by selftests/bench/profile.sh).
#
# Prints the text symbols of the kernel and its modules once (gzip, base64,
# between the lines PROFILE-KALLSYMS-BEGIN and PROFILE-KALLSYMS-END) and
# /proc/modules ("PROFILE-MODULE - LINE"), then for each configuration:
# loads its module and prints the module's text symbols ("PROFILE-SYM
# CONFIG ADDRESS NAME [MODULE]"), its /proc/modules line and where its
# init code was ("PROFILE-INIT CONFIG ADDRESS"), runs one short pass of the workload,
# says "PROFILE-PHASE CONFIG start", runs the workload for PROFILE_SECONDS
# (one "PROFILE-SAMPLE CONFIG JSON" line per run of PROFILE_N iterations),
# says "PROFILE-PHASE CONFIG end" and unloads the module.  The host records
# QEMU's samples while a phase runs.
#
# Environment: PROFILE_CONFIGS (names among baseline, floor, leakmon,
# leakmon_b), PROFILE_WORKLOAD, PROFILE_SECONDS, PROFILE_N, LM_BENCH,
# LEAKMON_KO, LM_FLOOR_KO, LEAKMON_B_KO.
set -eu

echo PROFILE-KALLSYMS-BEGIN
grep ' [tT] ' /proc/kallsyms | gzip -1 | base64 -w 0
echo
echo PROFILE-KALLSYMS-END
sed 's/^/PROFILE-MODULE - /' /proc/modules

for cfg in $PROFILE_CONFIGS; do
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
				echo "PROFILE-SYM $cfg $addr $name [$mod]"
			done
		grep "^$mod " /proc/modules | sed "s/^/PROFILE-MODULE $cfg /"
		init=/sys/module/$mod/sections/.init.text
		[ ! -r "$init" ] || echo "PROFILE-INIT $cfg $(cat "$init")"
	fi
	"$LM_BENCH" "$PROFILE_WORKLOAD" "$PROFILE_N" >/dev/null
	echo "PROFILE-PHASE $cfg start"
	end=$(($(date +%s) + PROFILE_SECONDS))
	while [ "$(date +%s)" -lt "$end" ]; do
		echo "PROFILE-SAMPLE $cfg $("$LM_BENCH" "$PROFILE_WORKLOAD" "$PROFILE_N")"
	done
	echo "PROFILE-PHASE $cfg end"
	[ -z "$mod" ] || rmmod "$mod"
done
