#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# leakmon's systemd units, started by systemd as PID 1 the way an
# administrator starts them on a server; TAP.
#
# Usage: selftests/systemd_test.sh DEBDIR   (in a VM booted with
#        run-vm.sh --init systemd, as root, leakmon not loaded)
#
# Installs DEBDIR's leakmon package (the CLI and its units; the module is
# the test build, LEAKMON_KO, loaded with a pass every 2 s), leaves a
# recorder's last week in its state directory with files its bounds
# exclude, and enables leakmon-events.service and
# leakmon-recorder.service as shipped.  Then the apache2 reproducer
# (leakbind.ko and lm_workload): its alert reaches the journal at priority
# err; leakmon-textfile.timer, enabled, fires and writes the textfile,
# which Debian's node_exporter (unpacked, LEAKMON_ZABBIX; run as a service
# under user nobody) serves over loopback, apache2's row included; the
# recorder rotated the week's file, removed what is over 30 days old or
# over 8 MiB in all, and `leakmon graph --since 7d` draws the week from
# /var/lib/leakmon.  The module is unloaded and loaded again: the events
# unit starts again by itself and hears the next leak.  At last the units
# are disabled and the package purged.
#
# Environment: LEAKMON_KO, LEAKBIND_KO, LEAKMON_TESTS (lm_workload),
# LEAKMON_ZABBIX (the unpacked monitoring packages: node_exporter).
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when a
# prerequisite is missing.
set -u
: "${LEAKMON_KO:?}" "${LEAKBIND_KO:?}" "${LEAKMON_TESTS:?}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
TAP_PREFIX="systemd: "
# shellcheck source=selftests/tap.sh
. "$HERE/tap.sh"
# shellcheck source=selftests/recorder_week.sh
. "$HERE/recorder_week.sh"

diag() { sed 's/^/# /'; }
skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

DEBDIR=${1:?usage: systemd_test.sh DEBDIR}
VERSION=$(sed -n 's/^#define LEAKMON_VERSION "\(.*\)"/\1/p' "$TOP/include/leakmon-version.h")
NODE_EXPORTER=${LEAKMON_ZABBIX:-}/usr/bin/prometheus-node-exporter
WL=$LEAKMON_TESTS/lm_workload
NE_PORT=19101
TEXTFILE=/var/lib/prometheus/node-exporter
STATE=/var/lib/private/leakmon
UNITS="leakmon-events.service leakmon-recorder.service leakmon-textfile.timer"
NLEAK=200

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ "$(cat /proc/1/comm)" = systemd ] ||
	skip_all "PID 1 is $(cat /proc/1/comm), not systemd (run-vm.sh --init systemd)"
deb=$(find "$DEBDIR" -maxdepth 1 -name "leakmon_${VERSION}_*.deb" | head -n 1)
[ -n "$deb" ] || skip_all "no leakmon_${VERSION}_*.deb in $DEBDIR (pkg_test.sh --host builds it)"
[ -x "$NODE_EXPORTER" ] ||
	skip_all "no node_exporter at $NODE_EXPORTER (selftests/lib.sh unpacks it)"
for tool in dpkg journalctl systemd-run jq; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
if [ -d /sys/module/leakmon ]; then
	echo "not ok 1 ${TAP_PREFIX}leakmon is already loaded"
	exit 1
fi

T=$(mktemp -d)
cleanup() {
	systemctl stop lm-node-exporter.service 2>/dev/null
	# shellcheck disable=SC2086 # a list of units
	systemctl disable --now $UNITS >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

echo "TAP version 13"
echo "1..14"

# ---- install, and a week left by an earlier recorder ----
# man-db's trigger would rebuild the manual page index (pkg_test.sh)
rm -f /var/lib/man-db/auto-update
dpkg -i "$deb" >"$T/apt.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 20 "$T/apt.log" | diag
# shellcheck disable=SC2086 # a list of units
[ $rc -eq 0 ] && [ "$(systemctl is-enabled $UNITS 2>/dev/null | sort -u)" = disabled ]
ok $? "dpkg -i $(basename "$deb"): the units are there, none enabled"
section dpkg

insmod "$LEAKMON_KO" scan_interval=2 scan_grace=1
ok $? "insmod leakmon.ko scan_interval=2 scan_grace=1"

# The week: its last file a little over --rotate-size (1 MiB), so that the
# recorder rotates it at its first sample; a file of 40 days ago (over
# --keep-days 30), and 9 MiB of rotated files from 23 to 25 days ago (over
# --max-total 8M in all): what the recorder prunes when it starts.
mkdir -p /var/lib/private && chmod 0700 /var/lib/private
mkdir -p "$STATE"
synth_week "$STATE" 2800
section synth_week
week=$(cd "$STATE" && ls recorder.jsonl-*.gz)
stamp() { date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y%m%dT%H%M%SZ; }
old=recorder.jsonl-$(stamp 40).gz
echo '{"type":"header","format":"leakmon-record","version":2}' | gzip -n >"$STATE/$old"
bulk=''
for d in 25 24 23; do
	f=recorder.jsonl-$(stamp "$d").gz
	head -c 3145728 /dev/urandom >"$STATE/$f"
	bulk+=" $f"
done
diag < <(cd "$STATE" && ls -l)

section old_files
# ---- the events unit and the recorder, as shipped ----
systemctl enable --now leakmon-events.service leakmon-recorder.service >"$T/en.log" 2>&1
rc=$?
diag <"$T/en.log"
# listening: leakmon events, the unit's main process, has joined a
# multicast group (a generic netlink socket of its descriptors with a group
# in /proc/net/netlink): an alert sent from now on reaches it
listening() {
	local pid inodes
	pid=$(systemctl show -p MainPID --value leakmon-events.service)
	[ "${pid:-0}" -gt 0 ] || return 1
	inodes=$(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		tr -dc '0-9\n' | tr '\n' ' ')
	[ -n "$inodes" ] &&
		awk -v ino=" $inodes" '$2 == 16 && $4 != "00000000" && index(ino, " " $10 " ") { f = 1 }
			END { exit !f }' /proc/net/netlink
}
until_ok 30 listening
[ $rc -eq 0 ] && systemctl is-active -q leakmon-events.service leakmon-recorder.service
ok $? "systemctl enable --now leakmon-events.service leakmon-recorder.service"

# the apache2 reproducer: refused binds that leak their sockets
leak() {
	insmod "$LEAKBIND_KO" && "$WL" apache2 "$1" >/dev/null
	rmmod leakbind
}
# alerts N: the journal has N lines of apache2's unreachable objects
alerts() {
	[ "$(journalctl -q -u leakmon-events.service -p err..err -o cat |
		grep -c 'unreachable .*apache2\[')" -ge "$1" ]
}
leak "$NLEAK"
until_ok 60 alerts 1
ok $? "the apache2 leak: its alert is in the journal at priority err"
journalctl -q -u leakmon-events.service -o cat | diag

section events
# ---- the textfile timer, node_exporter ----
mkdir -p "$TEXTFILE"
systemctl enable --now leakmon-textfile.timer >"$T/en.log" 2>&1
rc=$?
until_ok 60 grep -q 'comm="apache2"' "$TEXTFILE/leakmon.prom"
[ $rc -eq 0 ] && grep -q '^leakmon_up 1$' "$TEXTFILE/leakmon.prom" &&
	[ "$(systemctl show -p Result --value leakmon-textfile.service)" = success ] &&
	[ "$(stat -c %a "$TEXTFILE/leakmon.prom")" = 644 ]
ok $? "leakmon-textfile.timer fired: $TEXTFILE/leakmon.prom (0644) names apache2"
diag <"$T/en.log"

systemd-run -q --unit=lm-node-exporter --uid=nobody --gid=nogroup \
	"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NE_PORT" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TEXTFILE"
until_ok 60 http_get "$NE_PORT" /metrics "$T/ne.metrics"
rc=$?
grep '^leakmon_owner_unreachable_objects{.*apache2' "$T/ne.metrics" | diag
[ $rc -eq 0 ] && grep -q '^node_textfile_scrape_error 0$' "$T/ne.metrics" &&
	grep -q "^leakmon_owner_unreachable_objects{comm=\"apache2\",.*} $((3 * NLEAK))\$" "$T/ne.metrics"
ok $? "node_exporter (as nobody) serves the textfile: apache2's $((3 * NLEAK)) unreachable objects"
systemctl stop lm-node-exporter.service

section textfile
# ---- the recorder's directory ----
# rotated: a segment that is neither the week's nor one of the test's
rotated() {
	local f
	for f in "$STATE"/recorder.jsonl-*.gz; do
		f=${f##*/}
		case " $week $old$bulk " in *" $f "*) ;; *) return 0 ;; esac
	done
	return 1
}
until_ok 60 rotated
rc=$?
diag < <(cd "$STATE" && ls -ln)
total=$(find "$STATE" -maxdepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
owner=$(stat -c %U "$STATE/recorder.jsonl")
kept() {
	local f
	for f in $week; do
		[ -e "$STATE/$f" ] || return 1
	done
}
oldest=${bulk# }
oldest=${oldest%% *}
[ $rc -eq 0 ] && [ ! -e "$STATE/$old" ] && [ "$total" -le 8388608 ] &&
	[ ! -e "$STATE/$oldest" ] && [ "$owner" != root ] && kept
ok $? "the recorder (user $owner) rotated the week's file, dropped the 40-day-old one and the oldest until $total <= 8 MiB"

"$(command -v leakmon)" graph --since 7d -o "$T/week.png" >"$T/week.out" 2>"$T/week.err"
rc=$?
diag <"$T/week.err"
[ $rc -eq 0 ] && [ -s "$T/week.png" ] && week_out "$T/week.out"
ok $? "leakmon graph --since 7d draws the week from /var/lib/leakmon"

section recorder
# ---- the module unloaded and loaded again ----
restarts=$(systemctl show -p NRestarts --value leakmon-events.service)
rmmod leakmon
ok $? "rmmod leakmon under the three units"
insmod "$LEAKMON_KO" scan_interval=2 scan_grace=1
back() {
	[ "$(systemctl show -p NRestarts --value leakmon-events.service)" -gt "$restarts" ] &&
		listening
}
# RestartSec=15s
until_ok 60 back
ok $? "leakmon-events.service started again by itself ($(systemctl show -p NRestarts --value leakmon-events.service) restarts)"
leak 20
until_ok 60 alerts 2
ok $? "and the next apache2 leak's alert reaches the journal"

section reload
# ---- off, and purged ----
# shellcheck disable=SC2086 # a list of units
systemctl disable --now $UNITS >"$T/dis.log" 2>&1
rc=$?
diag <"$T/dis.log"
# shellcheck disable=SC2086 # a list of units
[ $rc -eq 0 ] && ! systemctl is-active -q $UNITS
ok $? "systemctl disable --now the three units"

dpkg --purge leakmon >"$T/apt.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 20 "$T/apt.log" | diag
systemctl list-units --no-legend 'leakmon*' | diag
ls -la /lib/systemd/system/leakmon-events.service "$TEXTFILE" "$STATE" /var/lib/leakmon 2>&1 | diag
[ $rc -eq 0 ] && [ ! -e /lib/systemd/system/leakmon-events.service ] &&
	[ ! -e "$TEXTFILE/leakmon.prom" ] && [ ! -e "$STATE" ] &&
	[ ! -e /var/lib/leakmon ] && [ -z "$(systemctl list-units --no-legend 'leakmon*')" ]
ok $? "dpkg --purge leakmon: no unit left loaded, units, textfile and recordings gone"
rmmod leakmon
ok $? "rmmod leakmon"
exit "$failed"
