#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real daemons under load, inside the test VM, as TAP: Debian bookworm's
# nginx and apache2 (mpm_event), started as Debian starts them (nginx -g
# 'daemon on; master_process on;' as nginx.service does; apachectl start
# with Debian's envvars, modules, confs and default site enabled by
# a2enmod, a2enconf and a2ensite as the package's postinst does, when
# selftests/lib.sh unpacks it), from the
# package's own configuration files with their paths moved into a
# temporary directory and the listener on 127.0.0.1.  Both daemonize: the
# launching process exits and the master and its workers keep the sockets
# (the double-forking daemon).  For each daemon:
#   - under load from ab (apache2-utils) on loopback, keep-alive and fresh
#     connections side by side, reachability passes find nothing
#     unreachable (objects in flight are young, held or closing);
#   - after the load, two passes (scan_grace 1 s): 0 unreachable
#     ('leakmon check unreachable' and 'scan --json'); the master (and its
#     workers) hold the sockets in 'leakmon top --json', the exited
#     launcher has none left unreachable;
#   - graceful restart (nginx -s reload, apachectl graceful), load again,
#     two passes: 0 unreachable;
#   - stop (nginx -s quit, apachectl graceful-stop), every process gone,
#     two passes: 0 unreachable, and no owner of the daemon keeps live
#     objects other than closing TCP connections.
# On a failure 'leakmon unreachable' and 'leakmon top' are printed as TAP
# diagnostics.  Leaves scan_grace at 10 (the module's default).
#
# Environment: LEAKMON_CLI, LEAKMON_DAEMONS (unpacked nginx, nginx-common,
# apache2, apache2-bin, apache2-data and apache2-utils: selftests/lib.sh),
# LEAKMON_DAEMON_LOAD (seconds of each load at least, default 3; it lasts
# two passes at least).  Needs root, the
# leakmon module loaded (run_tests.sh), jq, pgrep and the
# www-data user.
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when a
# prerequisite is missing.
set -u
: "${LEAKMON_CLI:?}"
CLI=$LEAKMON_CLI
D=${LEAKMON_DAEMONS:-}
LOAD_S=${LEAKMON_DAEMON_LOAD:-3}
GRACE=/sys/module/leakmon/parameters/scan_grace
AB=$D/usr/bin/ab
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

skip() {
	echo "1..0 # SKIP $*"
	exit 4
}
for tool in jq pgrep; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -w "$GRACE" ] || skip "leakmon is not loaded, or has no scan_grace"
getent passwd www-data >/dev/null || skip "no www-data user"
for f in usr/sbin/nginx usr/sbin/apache2 usr/sbin/apache2ctl usr/bin/ab \
	etc/nginx/nginx.conf etc/apache2/apache2.conf \
	etc/apache2/mods-enabled/mpm_event.load \
	etc/apache2/sites-enabled/000-default.conf; do
	[ -e "$D/$f" ] ||
		skip "LEAKMON_DAEMONS has no $f (selftests/lib.sh unpacks Debian's nginx and apache2)"
done

TAP_PREFIX="daemon: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
diag() { sed 's/^/# /'; }

T=$(mktemp -d)
chmod 755 "$T"
cleanup() {
	local pid
	for pid in $(pgrep -x nginx) $(pgrep -x apache2); do
		kill -9 "$pid" 2>/dev/null
	done
	echo 10 >"$GRACE"
	rm -rf "$T"
}
trap cleanup EXIT
echo 1 >"$GRACE"

# lm OUT ARGS...: the CLI, stdout to OUT, stderr to OUT.err; fails on a
# non-zero exit or a sanitizer report.  NICE: a command prefix (a pass
# under load runs at nice -15, below).
NICE=()
lm() {
	local out=$1 rc err=''
	shift
	"${NICE[@]}" "$CLI" "$@" >"$out" 2>"$out.err"
	rc=$?
	# read, not grep: under load a process of its own waits its turn
	# behind ab and the daemon's workers
	IFS= read -r -d '' err <"$out.err" || true
	if [ "$rc" -ne 0 ] ||
		[[ $err =~ AddressSanitizer|LeakSanitizer|runtime\ error: ]]; then
		echo "# leakmon $*: exit $rc"
		diag <"$out.err"
		return 1
	fi
}
# show_leaks: what leaked and who holds what, for the CI log
show_leaks() {
	echo "# leakmon unreachable:"
	"$CLI" unreachable 2>&1 | diag
	echo "# leakmon top -n 0:"
	"$CLI" top -n 0 2>&1 | diag
}
# no_leaks LABEL: two passes more than scan_grace after the last activity
# find 0 unreachable objects
no_leaks() {
	local u c
	sleep 1.2
	lm "$T/scan1" scan && lm "$T/scan2.json" scan --json &&
		lm "$T/unr" check unreachable
	u=$(jq '.scan.unreachable' "$T/scan2.json" 2>/dev/null)
	c=$(cat "$T/unr" 2>/dev/null)
	if [ "$u" != 0 ] || [ "$c" != 0 ]; then
		# An entry whose release the probes missed is dropped by the
		# pass that finds its memory unreadable, which may be the next
		# one; a leak stays.
		show_leaks
		diag <<<"one more pass"
		lm "$T/scan2.json" scan --json && lm "$T/unr" check unreachable
		u=$(jq '.scan.unreachable' "$T/scan2.json" 2>/dev/null)
		c=$(cat "$T/unr" 2>/dev/null)
	fi
	[ "$u" = 0 ] && [ "$c" = 0 ]
	ok $? "$1: two passes find 0 unreachable (check unreachable $c, scan --json $u)"
	mark "passes done"
	if [ "$u" != 0 ] || [ "$c" != 0 ]; then
		show_leaks
	fi
}

# load NAME PORT: ab, keep-alive (8 at a time) and fresh connections (4 at
# a time) side by side, while passes run back to back, until at least two
# passes have run and LOAD_S seconds have passed (SIGINT: ab prints its
# results); every request answered 200, and no pass under load finds
# anything unreachable
load() {
	mark "$1: load starts"
	local name=$1 url=http://127.0.0.1:$2/ ka fresh scans=0 bad=0 u ms
	local end=$((SECONDS + LOAD_S)) limit=$((SECONDS + 90))
	"$AB" -q -k -c 8 -t 120 -n 100000 "$url" >"$T/ab-ka" 2>&1 &
	ka=$!
	"$AB" -q -c 4 -t 120 -n 100000 "$url" >"$T/ab-fresh" 2>&1 &
	fresh=$!
	while [ "$scans" -lt 2 ] || [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$ka" 2>/dev/null && kill -0 "$fresh" 2>/dev/null &&
			[ "$SECONDS" -lt "$limit" ] || break
		# The pass runs in the kernel in the CLI's context: at nice 0
		# it waited for the emulated CPU behind ab and the workers
		# (apache2: 15 to 24 s a pass), at -15 it takes its turns
		# among them all the same.
		NICE=(nice -n -15)
		lm "$T/load-scan.json" scan --json || { bad=1; NICE=(); break; }
		# jq too: at nice 0 under the load it waited seconds for the
		# CPU (the pass itself takes milliseconds: printed below)
		read -r u ms < <("${NICE[@]}" jq -r \
			'"\(.scan.unreachable) \(.scan.duration_ns / 1e6 | floor)"' \
			"$T/load-scan.json")
		NICE=()
		scans=$((scans + 1))
		mark "pass $scans under load: $u unreachable, the pass ${ms} ms,"
		if [ "$u" != 0 ]; then
			# once a load: each listing costs seconds
			[ "$bad" -eq 1 ] || show_leaks
			bad=1
		fi
	done
	kill -INT "$ka" "$fresh" 2>/dev/null
	wait "$ka" "$fresh"
	local nka nfresh fka ffresh
	nka=$(awk '/^Complete requests:/ { print $3 }' "$T/ab-ka")
	nfresh=$(awk '/^Complete requests:/ { print $3 }' "$T/ab-fresh")
	fka=$(awk '/^Failed requests:/ { print $3 }' "$T/ab-ka")
	ffresh=$(awk '/^Failed requests:/ { print $3 }' "$T/ab-fresh")
	echo "# $name: $nka keep-alive requests ($(awk '/^Keep-Alive requests:/ { print $3 }' "$T/ab-ka") kept alive), $nfresh on fresh connections; $scans passes meanwhile"
	[ "${nka:-0}" -gt 0 ] && [ "${nfresh:-0}" -gt 0 ] && [ "$fka" = 0 ] &&
		[ "$ffresh" = 0 ] && ! grep -q '^Non-2xx' "$T/ab-ka" "$T/ab-fresh"
	ok $? "$name: every request answered 200 (failed: $fka keep-alive, $ffresh fresh)"
	if [ "${nka:-0}" -eq 0 ] || [ "$fka" != 0 ]; then
		diag <"$T/ab-ka"
	fi
	[ "$scans" -ge 2 ] && [ "$bad" -eq 0 ]
	ok $? "$name: $scans passes under load find nothing unreachable"
}

# pids_of COMM: the pids of the running processes named COMM
pids_of() {
	pgrep -x "$1" | tr '\n' ' '
}
# gone COMM: no process named COMM runs
gone() {
	! pgrep -x "$1" >/dev/null
}
# holders NAME COMM MASTER T0: in 'top --json', the master is alive and
# owns sockets; the daemon's live processes received the sockets of the
# exited launcher; the exited processes named COMM since T0 (the launcher,
# the configuration tests), if still listed, keep nothing: what they made
# that the daemon holds was handed over to it, what nobody holds was freed
holders() {
	local name=$1 comm=$2 master=$3 t0=$4 rc
	lm "$T/top.json" top -n 0 --json || { ok 1 "$name: top --json"; return; }
	echo "# $name's owners: tgid state live unreachable" \
		"{kind: [live, received, handed_over]}"
	jq -c --arg c "$comm" --argjson t0 "$t0" '.rows[] |
		select(.comm == $c and .start_ns >= $t0) |
		[.tgid, .state, .live, .unreachable,
		 (.kinds | map_values([.live, .received, .handed_over]))]' \
		"$T/top.json" | diag
	jq -e --argjson m "$master" --arg c "$comm" '
		[.rows[] | select(.tgid == $m and .comm == $c and
			.state == "alive" and .kinds.sock_inode.live >= 1)] |
		length == 1' "$T/top.json" >/dev/null
	ok $? "$name: master $master is listed alive, holding sockets"
	# an exited owner is listed while it has live objects
	jq -e --arg c "$comm" --argjson t0 "$t0" '
		[.rows[] | select(.comm == $c and .start_ns >= $t0)] as $r |
		([$r[] | select(.state == "alive") |
		  .kinds.sock_inode.received] | add) >= 1 and
		([$r[] | select(.state == "exited" and
				(.live != 0 or .unreachable != 0))] |
		 length == 0)' "$T/top.json" >/dev/null
	rc=$?
	ok $rc "$name: the exited launcher handed its sockets over and keeps nothing"
	[ $rc -eq 0 ] || show_leaks
}
# stopped COMM T0: in 'top --json', every owner named COMM started since
# T0 has exited and keeps no live object but closing connections
stopped() {
	lm "$T/top.json" top -n 0 --json || return 2
	jq -e --arg c "$1" --argjson t0 "$2" '
		[.rows[] | select(.comm == $c and .start_ns >= $t0) |
		 select(.state != "exited" or
			([.kinds[] | select(.live > (.closing // 0))] |
			 length > 0))] | length == 0' "$T/top.json" >/dev/null
}
# after_stop NAME COMM T0: stopped, at once or within five more passes (a
# connection still on its way out right after the stop, not yet closing at
# the last pass, settles; what a process left behind stays)
after_stop() {
	local name=$1 comm=$2 t0=$3 rc passes=0
	stopped "$comm" "$t0"
	rc=$?
	while [ "$rc" -eq 1 ] && [ "$passes" -lt 5 ]; do
		sleep 1
		lm "$T/stop-scan.json" scan --json || break
		passes=$((passes + 1))
		stopped "$comm" "$t0"
		rc=$?
	done
	[ "$passes" -eq 0 ] || echo "# $name: $passes more passes after the stop"
	ok $rc "$name: its owners have exited and keep nothing but closing connections"
	if [ $rc -ne 0 ]; then
		echo "# $name's owners: tgid state {kind: [live, kernel, closing, unreachable]}"
		jq -c --arg c "$comm" --argjson t0 "$t0" '.rows[] |
			select(.comm == $c and .start_ns >= $t0 and .live > 0) |
			[.tgid, .state, (.kinds | map_values([.live, .kernel,
			 .closing, .unreachable]))]' "$T/top.json" | diag
		show_leaks
		# the classes of every object at the last pass (young and
		# held are not per owner), and whether a release was missed
		echo "# leakmon scan (a pass) and leakmon status:"
		{ "$CLI" scan; "$CLI" status; } 2>&1 | diag
	fi
}
# mark WHAT: where the time goes
mark() {
	local up _
	read -r up _ </proc/uptime
	echo "# $1 at uptime $up s"
}
now_ns() {
	awk '{ printf "%d\n", $1 * 1000000000 - 1000000000 }' /proc/uptime
}

echo "TAP version 13"
echo "# $(grep -h '^Version' "$D/.pkgversions" 2>/dev/null | sort -u | tr '\n' ' ')"
mkdir -p "$T/www"
for i in $(seq 64); do echo "leakmon daemon_test $i"; done >"$T/www/index.html"
chmod -R a+rX "$T/www"

no_leaks "before the daemons"

# ---------------------------------------------------------------- nginx
NG=$T/nginx
NPORT=18080
mkdir -p "$NG/log" "$NG/tmp"
cp -r "$D/etc/nginx" "$NG/etc"
rm -f "$NG/etc/sites-enabled/"*
# Debian's nginx.conf, its paths moved to $NG; four workers (auto is 2);
# the compiled-in temporary directories (/var/lib/nginx) moved too
sed -i -e "s#/etc/nginx/#$NG/etc/#g" -e "s#/run/nginx.pid#$NG/nginx.pid#" \
	-e "s#/var/log/nginx/#$NG/log/#g" \
	-e 's#^worker_processes auto;#worker_processes 4;#' \
	-e "s#^http {#http {\\n\\tclient_body_temp_path $NG/tmp/body;\\n\\tproxy_temp_path $NG/tmp/proxy;\\n\\tfastcgi_temp_path $NG/tmp/fastcgi;\\n\\tuwsgi_temp_path $NG/tmp/uwsgi;\\n\\tscgi_temp_path $NG/tmp/scgi;#" \
	"$NG/etc/nginx.conf"
# the package's default site (the postinst links it), on 127.0.0.1 only
sed -e "s#listen 80 default_server;#listen 127.0.0.1:$NPORT default_server;#" \
	-e '/listen \[::\]:80/d' -e "s#root /var/www/html;#root $T/www;#" \
	"$D/etc/nginx/sites-available/default" >"$NG/etc/sites-enabled/default"
# nginx.service's command lines
NGINX=("$D/usr/sbin/nginx" -c "$NG/etc/nginx.conf" -e "$NG/log/error.log"
	-g 'daemon on; master_process on;')

mark "nginx: starting"
t0=$(now_ns)
"${NGINX[@]}" -t -q 2>"$T/nginx.err"
rc=$?
ok $rc "nginx: nginx -t accepts Debian's configuration"
[ $rc -eq 0 ] || diag <"$T/nginx.err"
"${NGINX[@]}" 2>"$T/nginx.err" &
launcher=$!
wait "$launcher"
rc=$?
until_ok 10 test -s "$NG/nginx.pid"
master=$(cat "$NG/nginx.pid" 2>/dev/null)
until_ok 20 test "$(pgrep -P "${master:-0}" -x nginx | wc -l)" -eq 4
workers=$(pgrep -P "${master:-0}" -x nginx | wc -l)
[ "$rc" -eq 0 ] && [ -n "$master" ] && [ "$master" != "$launcher" ] &&
	kill -0 "$master" && [ "$workers" -eq 4 ]
ok $? "nginx: daemonized (launcher $launcher exited $rc, master ${master:-none}, $workers workers)"
[ -s "$T/nginx.err" ] && diag <"$T/nginx.err"
diag <"$NG/log/error.log"

load nginx "$NPORT"
no_leaks "nginx after the load"
holders nginx nginx "${master:-0}" "$t0"

old_workers=$(pgrep -P "${master:-0}" -x nginx | tr '\n' ' ')
"${NGINX[@]}" -s reload 2>"$T/nginx.err"
rc=$?
# the old workers finish, four new ones take over
reloaded() {
	local w
	for w in $old_workers; do
		kill -0 "$w" 2>/dev/null && return 1
	done
	[ "$(pgrep -P "${master:-0}" -x nginx | wc -l)" -eq 4 ]
}
until_ok 30 reloaded
ok $? "nginx: -s reload (exit $rc) replaced the workers, master ${master:-none} stays"
load "nginx after reload" "$NPORT"
no_leaks "nginx after reload and load"

"${NGINX[@]}" -s quit 2>"$T/nginx.err"
rc=$?
until_ok 30 gone nginx
ok $? "nginx: -s quit (exit $rc): every process has exited (left: $(pids_of nginx))"
no_leaks "nginx after quit"
after_stop nginx nginx "$t0"

# -------------------------------------------------------------- apache2
AP=$T/apache2
APORT=18081
mkdir -p "$AP/log"
cp -r "$D/etc/apache2" "$AP/etc"
# the modules from the unpacked package
sed -i "s#/usr/lib/apache2/modules/#$D/usr/lib/apache2/modules/#" \
	"$AP/etc/mods-available/"*.load
# Debian's envvars, its run, lock and log directories moved to $AP
sed -e "s#/var/run/apache2#$AP/run#" -e "s#/var/lock/apache2#$AP/lock#" \
	-e "s#/var/log/apache2#$AP/log#" "$D/etc/apache2/envvars" >"$AP/envvars"
echo "Listen 127.0.0.1:$APORT" >"$AP/etc/ports.conf"
sed -i -e "s#<VirtualHost \*:80>#<VirtualHost *:$APORT>#" \
	-e "s#DocumentRoot /var/www/html#DocumentRoot $T/www\\n\\t<Directory $T/www/>\\n\\t\\tRequire all granted\\n\\t</Directory>#" \
	"$AP/etc/sites-available/000-default.conf"
export APACHE_CONFDIR=$AP/etc APACHE_ENVVARS=$AP/envvars
export APACHE_HTTPD=$D/usr/sbin/apache2
# what apache2.service does: apachectl, told it runs under systemd
export APACHE_STARTED_BY_SYSTEMD=true
apachectl() {
	sh "$D/usr/sbin/apache2ctl" "$@"
}
mark "apache2: starting"
t0=$(now_ns)
apachectl start >"$T/apache.err" 2>&1
rc=$?
pidfile=$AP/run/apache2.pid
until_ok 10 test -s "$pidfile"
master=$(cat "$pidfile" 2>/dev/null)
# mpm_event's StartServers 2: two children of 25 threads
until_ok 20 test "$(pgrep -P "${master:-0}" -x apache2 | wc -l)" -ge 2
workers=$(pgrep -P "${master:-0}" -x apache2 | wc -l)
[ "$rc" -eq 0 ] && [ -n "$master" ] && kill -0 "$master" && [ "$workers" -ge 2 ]
ok $? "apache2: apachectl start daemonized (exit $rc, master ${master:-none}, $workers children)"
[ -s "$T/apache.err" ] && diag <"$T/apache.err"
diag <"$AP/log/error.log"

load apache2 "$APORT"
no_leaks "apache2 after the load"
holders apache2 apache2 "${master:-0}" "$t0"

old_workers=$(pgrep -P "${master:-0}" -x apache2 | tr '\n' ' ')
apachectl graceful >"$T/apache.err" 2>&1
rc=$?
graceful() {
	local w
	for w in $old_workers; do
		kill -0 "$w" 2>/dev/null && return 1
	done
	[ "$(pgrep -P "${master:-0}" -x apache2 | wc -l)" -ge 2 ]
}
until_ok 30 graceful
ok $? "apache2: apachectl graceful (exit $rc) replaced the children, master ${master:-none} stays"
diag <"$T/apache.err"
load "apache2 after graceful" "$APORT"
no_leaks "apache2 after graceful and load"

apachectl graceful-stop >"$T/apache.err" 2>&1
rc=$?
until_ok 30 gone apache2
ok $? "apache2: apachectl graceful-stop (exit $rc): every process has exited (left: $(pids_of apache2))"
no_leaks "apache2 after graceful-stop"
after_stop apache2 apache2 "$t0"

echo 10 >"$GRACE"
[ "$(cat "$GRACE")" = 10 ]
ok $? "scan_grace restored to 10"
echo "1..$n"
exit "$failed"
