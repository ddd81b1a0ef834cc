#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages and DKMS, used the way an administrator uses them; TAP.
#
# Usage: selftests/pkg_test.sh --host
#        selftests/pkg_test.sh --guest DEBDIR     (in the test VM, as root)
#
# --host builds the packages (make deb, into build/deb/), runs lintian on
# them, checks their contents, versions and systemd units (installed, off
# until enabled, stopped on removal), builds the module with DKMS
# for every kernel whose headers are installed on this machine (in private
# DKMS trees) and for the test VM's kernels (LEAKMON_PKG_KERNELS, "KVER:KDIR
# ...": the packages' kernel, then the upgrade's; the results go to
# DEBDIR/prebuilt/), and tests the bash completion of the packaged CLI.
#
# --guest installs DEBDIR's leakmon-dkms and leakmon packages with apt-get
# (DKMS installs the module for the running kernel: the one --host built,
# from DEBDIR/prebuilt/ as a vendor's DKMS tarball, or else compiled in the
# VM, which takes minutes under emulation), loads the
# module with modprobe and reads it with the packaged CLI, loads it again
# through modules-load.d as at boot (systemd-modules-load) with options
# from modprobe.d, checks that the headers of another kernel (version
# $LEAKMON_UPGRADE_KVER, unpacked in $LEAKMON_UPGRADE_KDIR) make DKMS's
# kernel hook install the module for it (built by --host, or compiled in
# the VM), and purges both packages.
# Everything it writes stays in the guest's RAM.
#
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when a
# prerequisite is missing.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
TAP_PREFIX="pkg: "
# shellcheck source=selftests/tap.sh
. "$HERE/tap.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

VERSION=$(sed -n 's/^#define LEAKMON_VERSION "\(.*\)"/\1/p' "$TOP/include/leakmon-version.h")
[ -n "$VERSION" ] || { echo "not ok 1 no LEAKMON_VERSION in include/leakmon-version.h"; exit 1; }

# ------------------------------------------------------------------ host
host() {
	local out=$TOP/build/deb log=$TOP/build/deb.log tmp rc f k
	for tool in dpkg-buildpackage lintian dkms; do
		command -v "$tool" >/dev/null ||
			skip_all "$tool is not installed (selftests/qemu/deps.sh installs it)"
	done
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now
	trap "rm -rf '$tmp'" EXIT

	mkdir -p "$TOP/build"
	make -s -C "$TOP" deb >"$log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tail -n 20 "$log" | sed 's/^/# /'
	ok $rc "make deb builds the packages (log: build/deb.log)"
	local dkms_deb=$out/leakmon-dkms_${VERSION}_all.deb
	local cli_deb debs=("$out"/leakmon_"${VERSION}"_*.deb)
	cli_deb=${debs[0]}
	[ -f "$cli_deb" ] || cli_deb=
	[ -f "$dkms_deb" ] && [ -n "$cli_deb" ] && [ -f "$out/leakmon_${VERSION}.dsc" ]
	ok $? "leakmon-dkms, leakmon and the source package leakmon $VERSION exist"
	if [ ! -f "$dkms_deb" ] || [ -z "$cli_deb" ]; then
		echo "1..$n"
		exit 1
	fi

	# lintian: errors and warnings fail; every tag is shown.
	lintian --fail-on error,warning --info --pedantic \
		"$out/leakmon_${VERSION}_"*.changes >"$tmp/lintian" 2>&1
	rc=$?
	grep -v -e '^N:' -e 'running with root privileges' "$tmp/lintian" | sed 's/^/# lintian: /'
	ok $rc "lintian passes on the source and binary packages"

	# Contents.
	dpkg-deb -c "$dkms_deb" | awk '{ print $6 }' >"$tmp/dkms.list"
	dpkg-deb -c "$cli_deb" | awk '{ print $6 }' >"$tmp/cli.list"
	rc=0
	for f in dkms.conf Kbuild kmod/main.c kmod/compat.h kmod/features.mk \
		include/leakmon-version.h \
		include/uapi/linux/leakmon.h; do
		grep -qx "./usr/src/leakmon-$VERSION/$f" "$tmp/dkms.list" ||
			{ echo "# leakmon-dkms lacks /usr/src/leakmon-$VERSION/$f"; rc=1; }
	done
	grep -qx ./etc/modprobe.d/leakmon.conf "$tmp/dkms.list" ||
		{ echo "# leakmon-dkms lacks /etc/modprobe.d/leakmon.conf"; rc=1; }
	ok $rc "leakmon-dkms holds the module source, dkms.conf and modprobe.d/leakmon.conf"
	rc=0
	for f in ./usr/bin/leakmon ./usr/share/man/man8/leakmon.8.gz \
		./usr/share/leakmon/zabbix/leakmon_template.yaml \
		./usr/share/leakmon/zabbix/userparameter_leakmon.conf \
		./usr/share/leakmon/prometheus/leakmon.rules.yml \
		./usr/share/bash-completion/completions/leakmon; do
		grep -qx "$f" "$tmp/cli.list" || { echo "# leakmon lacks $f"; rc=1; }
	done
	ok $rc "leakmon holds the CLI, leakmon(8), the bash completion, the Zabbix files and the Prometheus rules"
	rc=0
	local units=(leakmon-textfile.service leakmon-textfile.timer
		leakmon-events.service leakmon-recorder.service)
	for f in "${units[@]}"; do
		grep -qx "./lib/systemd/system/$f" "$tmp/cli.list" ||
			{ echo "# leakmon lacks /lib/systemd/system/$f"; rc=1; }
		cmp -s "$TOP/user/systemd/$f" <(dpkg-deb --fsys-tarfile "$cli_deb" |
			tar -xOf - "./lib/systemd/system/$f" 2>/dev/null) ||
			{ echo "# /lib/systemd/system/$f is not user/systemd/$f"; rc=1; }
	done
	ok $rc "leakmon holds the systemd units of user/systemd/ in /lib/systemd/system"

	# Off until enabled: the maintainer scripts enable a unit only when the
	# administrator had (was-enabled), start none, restart on upgrade only
	# those that run, stop every one on removal, forget them on purge.
	dpkg-deb -e "$cli_deb" "$tmp/ctl"
	rc=0
	# each enable stands right under a was-enabled test
	local enables guarded
	enables=$(grep -c 'deb-systemd-helper enable' "$tmp/ctl/postinst")
	guarded=$(grep -A2 -e '--quiet was-enabled' "$tmp/ctl/postinst" |
		grep -c 'deb-systemd-helper enable')
	echo "# postinst: $enables enable lines, $guarded under was-enabled"
	[ "$enables" -gt 0 ] && [ "$enables" -eq "$guarded" ] || rc=1
	# shellcheck disable=SC2016 # $_dh_action is the script's
	if grep -nE 'deb-systemd-invoke (start|restart|\$_dh_action)|systemctl (start|enable)' \
		"$tmp/ctl/postinst"; then
		rc=1
	fi
	ok $rc "postinst neither enables nor starts a unit the administrator did not enable"
	rc=0
	grep -q "deb-systemd-invoke try-restart .*leakmon-events.service" "$tmp/ctl/postinst" || rc=1
	[ ! -e "$tmp/ctl/preinst" ] || ! grep -q 'deb-systemd-invoke stop' "$tmp/ctl/preinst" ||
		{ echo "# preinst stops the units before an upgrade"; rc=1; }
	ok $rc "an upgrade restarts the units that run (try-restart), stopping none before"
	rc=0
	for f in "${units[@]}"; do
		sed -n '/deb-systemd-invoke stop/,/|| true/p' "$tmp/ctl/prerm" | grep -q "$f" ||
			{ echo "# prerm does not stop $f on removal"; rc=1; }
	done
	for f in leakmon-textfile.timer leakmon-events.service leakmon-recorder.service; do
		grep "deb-systemd-helper purge" "$tmp/ctl/postrm" | grep -q "'$f'" ||
			{ echo "# postrm does not purge $f"; rc=1; }
	done
	ok $rc "prerm stops every unit on removal, postrm forgets them on purge"

	# The maintainer scripts run, as dpkg runs them, on the package
	# unpacked in a scratch root (DPKG_ROOT: deb-systemd-helper and
	# systemctl --root work there without a running systemd).
	local root=$tmp/root links
	mkdir -p "$root"
	dpkg-deb -x "$cli_deb" "$root"
	maint() { # maint SCRIPT ARGS...
		local script=$1
		shift
		DPKG_ROOT=$root DPKG_MAINTSCRIPT_PACKAGE=leakmon \
			DPKG_MAINTSCRIPT_NAME=$script sh "$tmp/ctl/$script" "$@"
	}
	enabled() { # the units' symlinks under etc/systemd/system
		find "$root/etc/systemd/system" -type l -name 'leakmon-*' 2>/dev/null |
			sed "s|^$root/etc/systemd/system/||" | sort | xargs
	}
	rc=0
	maint postinst configure || rc=1
	links=$(enabled)
	echo "# installed: enabled '$links'"
	[ -z "$links" ] || rc=1
	systemctl --root="$root" enable leakmon-events.service >/dev/null 2>&1 || rc=1
	maint postinst configure "$VERSION" || rc=1
	links=$(enabled)
	echo "# enabled by the administrator, upgraded: '$links'"
	[ "$links" = multi-user.target.wants/leakmon-events.service ] || rc=1
	mkdir -p "$root/var/lib/private/leakmon" "$root/var/lib/prometheus/node-exporter"
	ln -s private/leakmon "$root/var/lib/leakmon"
	: >"$root/var/lib/private/leakmon/recorder.jsonl"
	: >"$root/var/lib/prometheus/node-exporter/leakmon.prom"
	maint prerm remove && maint postrm remove || rc=1
	[ ! -e "$root/var/lib/prometheus/node-exporter/leakmon.prom" ] &&
		[ -e "$root/var/lib/leakmon/recorder.jsonl" ] || rc=1
	maint postrm purge || rc=1
	links=$(enabled)
	echo "# purged: enabled '$links'"
	[ -z "$links" ] && [ ! -e "$root/var/lib/private/leakmon" ] &&
		[ ! -L "$root/var/lib/leakmon" ] || rc=1
	ok $rc "in a scratch root: installing enables no unit, an upgrade keeps the administrator's, remove drops leakmon.prom, purge the recordings and the links"

	# One release string everywhere.
	dpkg-deb -x "$dkms_deb" "$tmp/dkms"
	dpkg-deb -x "$cli_deb" "$tmp/cli"
	local conf_ver chg_ver cli_ver
	conf_ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' \
		"$tmp/dkms/usr/src/leakmon-$VERSION/dkms.conf")
	chg_ver=$(dpkg-deb -f "$cli_deb" Version)
	cli_ver=$("$tmp/cli/usr/bin/leakmon" --version 2>/dev/null | awk '{ print $NF; exit }')
	echo "# versions: header $VERSION, dkms.conf $conf_ver, package $chg_ver, CLI $cli_ver"
	[ "$conf_ver" = "$VERSION" ] && [ "$chg_ver" = "$VERSION" ] && [ "$cli_ver" = "$VERSION" ]
	ok $? "dkms.conf, the packages and the packaged CLI all say $VERSION"

	# DKMS against the headers installed on this machine, in private trees.
	local kernels=()
	for f in /lib/modules/*/build; do
		if [ ! -e "$f/include" ] || [ ! -e "$f/Makefile" ]; then
			continue
		fi
		k=${f#/lib/modules/}
		kernels+=("${k%/build}")
	done
	if [ ${#kernels[@]} -eq 0 ]; then
		ok 1 "dkms: no installed kernel headers (deps.sh installs linux-headers-amd64)"
	fi
	for k in "${kernels[@]}"; do
		local d=$tmp/dkms-$k
		mkdir -p "$d/tree"
		{
			dkms add --sourcetree "$tmp/dkms/usr/src" --dkmstree "$d/tree" \
				"leakmon/$VERSION" &&
			dkms build --sourcetree "$tmp/dkms/usr/src" --dkmstree "$d/tree" \
				"leakmon/$VERSION" -k "$k"
		} >"$d/log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			dkms status --dkmstree "$d/tree" "leakmon/$VERSION" -k "$k" |
				grep -q ": built" || rc=1
			modinfo -F vermagic "$d/tree/leakmon/$VERSION/$k/"*/module/leakmon.ko* |
				grep -q "^$k " || rc=1
		fi
		[ $rc -eq 0 ] || tail -n 20 "$d/log" | sed 's/^/# /'
		ok $rc "dkms add and build leakmon/$VERSION for the installed headers of $k"
	done

	# DKMS against the headers of the test VM's kernels (LEAKMON_PKG_KERNELS:
	# "KVER:KDIR ...", check.sh's packages' kernel first, then the
	# upgrade's), natively here: the same dkms, dkms.conf, compiler and
	# headers as in the VM, where compiling under emulation took 12 of
	# its 15 minutes.  The VM gets the result (guest_prebuilt below).
	local pre=$out/prebuilt kd kv first=1 built what
	rm -rf "$pre"
	for k in ${LEAKMON_PKG_KERNELS:-}; do
		kv=${k%%:*} kd=${k#*:}
		mkdir -p "$pre/tree"
		rc=0
		if [ -n "$first" ]; then
			dkms add --sourcetree "$tmp/dkms/usr/src" --dkmstree "$pre/tree" \
				"leakmon/$VERSION" >"$pre/log-$kv" 2>&1 || rc=1
		fi
		[ $rc -ne 0 ] ||
			dkms build --sourcetree "$tmp/dkms/usr/src" --dkmstree "$pre/tree" \
				--kernelsourcedir "$kd" "leakmon/$VERSION" -k "$kv" >>"$pre/log-$kv" 2>&1 ||
			rc=1
		built=$pre/tree/leakmon/$VERSION/$kv/$(uname -m)
		if [ $rc -eq 0 ]; then
			modinfo -F vermagic "$built"/module/leakmon.ko* | grep -q "^$kv " || rc=1
		fi
		if [ $rc -eq 0 ] && [ -n "$first" ]; then
			# The packages' kernel: a DKMS tarball, source and module,
			# as a vendor ships one (the postinst loads it: ldtarball)
			mkdir -p "$pre/tar/dkms_main_tree/$kv" "$pre/tar/dkms_source_tree"
			cp -r "$built" "$pre/tar/dkms_main_tree/$kv/" &&
				cp -r "$tmp/dkms/usr/src/leakmon-$VERSION/." "$pre/tar/dkms_source_tree/" &&
				tar -czf "$pre/leakmon-$VERSION.dkms.tar.gz" -C "$pre/tar" . || rc=1
		elif [ $rc -eq 0 ]; then
			# The upgrade's: dkms 3.0.10 loads one kernel's modules
			# from a tarball (ldtarball's `local -r` in a loop), so the
			# VM gets the built tree's directory itself
			mkdir -p "$pre/$kv" && cp -r "$built" "$pre/$kv/" || rc=1
		fi
		[ $rc -eq 0 ] || tail -n 20 "$pre/log-$kv" | sed 's/^/# /'
		what="the upgrade's kernel $kv"
		[ -z "$first" ] || what="the packages' kernel $kv (a DKMS tarball)"
		ok $rc "dkms builds leakmon/$VERSION natively for the test VM: $what"
		first=
	done

	# Bash completion of the packaged CLI, through bash-completion itself.
	if [ -r /usr/share/bash-completion/bash_completion ]; then
		local got
		got=$(LEAKMON="$tmp/cli/usr/bin/leakmon" \
			COMP="$tmp/cli/usr/share/bash-completion/completions/leakmon" \
			bash --norc -c '
			. /usr/share/bash-completion/bash_completion
			. "$COMP"
			c() { # complete WORD...: print the candidates for the last word
				COMP_WORDS=("$LEAKMON" "$@")
				COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
				COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
				COMPREPLY=()
				_leakmon "$LEAKMON" "${COMP_WORDS[COMP_CWORD]}" \
					"${COMP_WORDS[COMP_CWORD - 1]}"
				echo "${COMPREPLY[*]}"
			}
			echo "cmds=$(c "")"
			echo "by=$(c top --by "")"
			echo "rr=$(c config --restrict-read "")"
			echo "topopts=$(c top --)"
			echo "evopts=$(c events --)"
			echo "evflag=$(c events --priority-prefix "")"
			echo "help=$(c help st)"')
		local cmds want_cmds
		want_cmds=$("$tmp/cli/usr/bin/leakmon" help |
			awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | xargs)
		cmds=$(sed -n 's/^cmds=//p' <<<"$got")
		echo "# completion: commands '$cmds'"
		[ -n "$want_cmds" ] && [ "$cmds" = "$want_cmds" ]
		ok $? "completion offers every command of 'leakmon help'"
		[ "$(sed -n 's/^by=//p' <<<"$got")" = "task uid cgroup" ] &&
			[ "$(sed -n 's/^rr=//p' <<<"$got")" = "0 1 2" ] &&
			[ "$(sed -n 's/^help=//p' <<<"$got")" = "status" ]
		ok $? "completion offers an option's documented values"
		rc=0
		for f in --limit --by --sort --interval --json --help; do
			grep -q -- "^topopts=.*$f\\b" <<<"$got" || { echo "# top: no $f"; rc=1; }
		done
		ok $rc "completion offers every option of 'leakmon top --help'"
		grep -q -- '^evopts=.*--priority-prefix\b' <<<"$got" &&
			grep -qx 'evflag=' <<<"$got"
		ok $? "completion offers events --priority-prefix, a flag without a value"
	else
		ok 1 "bash-completion is not installed (deps.sh installs it)"
	fi
}

# ----------------------------------------------------------------- guest
# stamped: each line of stdin with the guest's uptime in front: where the
# slow steps (DKMS compiling under emulation, dpkg) spend their time
stamped() {
	local l up
	while IFS= read -r l; do
		read -r up _ </proc/uptime
		printf '[%s] %s\n' "$up" "$l"
	done
}
# trim_modules KVER DIR: copy the modules loaded now from KVER's tree into
# DIR, at the same paths
trim_modules() {
	local m path rel
	for m in $(awk '{ print $1 }' /proc/modules); do
		path=$(modinfo -k "$1" -n "$m") || return 1
		rel=${path#/lib/modules/"$1"/}
		mkdir -p "$2/${rel%/*}" && cp "$path" "$2/$rel" || return 1
	done
}
guest() {
	local debdir=$1 kver tmp rc
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	for tool in apt-get dkms modprobe jq; do
		command -v "$tool" >/dev/null || skip_all "$tool is not installed"
	done
	local dkms_deb=$debdir/leakmon-dkms_${VERSION}_all.deb cli_deb
	local debs=("$debdir"/leakmon_"${VERSION}"_*.deb)
	cli_deb=${debs[0]}
	[ -f "$cli_deb" ] || cli_deb=
	if [ ! -f "$dkms_deb" ] || [ -z "$cli_deb" ]; then
		echo "not ok 1 no leakmon $VERSION packages in $debdir (pkg_test.sh --host builds them)"
		exit 1
	fi
	kver=$(uname -r)
	if [ -d /sys/module/leakmon ]; then
		echo "not ok 1 leakmon is already loaded"
		exit 1
	fi

	# The VM shows this kernel's modules read-only (the host's, over 9p).
	# DKMS writes there, and runs depmod over the whole tree after each
	# install and removal: over Debian's 4,000 modules, read over 9p and
	# parsed under emulation, that was most of apt-get's time, and none
	# of it tests leakmon.  So DKMS works on a tree in RAM that holds what
	# modprobe needs here: the modules loaded now, the kernel's lists of
	# its built-in ones, and (below) the headers DKMS builds against.
	tmp=$(mktemp -d)
	mount -t tmpfs -o mode=0755 pkgtest "$tmp" && mkdir "$tmp/mods" &&
		cp /lib/modules/"$kver"/modules.builtin* /lib/modules/"$kver"/modules.order \
			"$tmp/mods/" &&
		trim_modules "$kver" "$tmp/mods" &&
		mount --bind "$tmp/mods" "/lib/modules/$kver" &&
		depmod -a "$kver"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok 1 cannot make /lib/modules/$kver writable"
		exit 1
	fi
	if [ ! -e "/lib/modules/$kver/build/include" ]; then
		rm -f "/lib/modules/$kver/build"
		if [ -d "/usr/src/linux-headers-$kver" ]; then
			ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
		elif [ -n "${LEAKMON_KDIR:-}" ] && [ -d "$LEAKMON_KDIR" ]; then
			ln -s "$LEAKMON_KDIR" "/lib/modules/$kver/build"
		fi
	fi
	echo "# headers for $kver: $(readlink -f "/lib/modules/$kver/build")"

	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -y -q -o Dpkg::Use-Pty=0 -o APT::Sandbox::User=root)
	# man-db's trigger rebuilds the manual page index after each install
	# and purge: 70 s under emulation, and nothing here reads it (as in a
	# container, where Debian's images turn it off the same way)
	rm -f /var/lib/man-db/auto-update
	# The module DKMS built for this kernel on the host (pkg_test.sh
	# --host, natively; the same dkms, compiler and headers): a DKMS
	# tarball where the package's postinst looks for one, as a vendor
	# ships pre-built modules.  Without it DKMS compiles here.
	local pre=$debdir/prebuilt how="DKMS build"
	local tarball=/usr/share/leakmon-dkms/leakmon-$VERSION.dkms.tar.gz
	if [ -f "$pre/leakmon-$VERSION.dkms.tar.gz" ] &&
		tar -tzf "$pre/leakmon-$VERSION.dkms.tar.gz" | grep -q "^./dkms_main_tree/$kver/"; then
		install -D -m 0644 "$pre/leakmon-$VERSION.dkms.tar.gz" "$tarball"
		how="DKMS tarball built on the host"
	fi
	section "setup"
	"${apt[@]}" install "$dkms_deb" "$cli_deb" 2>&1 | stamped >"$tmp/install.log"
	rc=${PIPESTATUS[0]}
	section "apt-get install ($how for $kver)"
	rm -f "$tarball"
	sed 's/^/# apt: /' "$tmp/install.log" | grep -iE 'leakmon|dkms|error|warn|sign' | head -n 30
	ok $rc "apt-get install ./leakmon-dkms_${VERSION}_all.deb ./$(basename "$cli_deb")"

	dkms status leakmon 2>&1 | sed 's/^/# dkms status: /'
	dkms status "leakmon/$VERSION" -k "$kver" 2>/dev/null | grep -q ': installed'
	ok $? "DKMS installed leakmon/$VERSION for the running kernel $kver ($how)"

	local path
	path=$(modinfo -n leakmon 2>/dev/null)
	echo "# modinfo -n leakmon: $path"
	case $path in
	/lib/modules/"$kver"/updates/dkms/leakmon.ko*) rc=0 ;;
	*) rc=1 ;;
	esac
	ok $rc "modprobe finds the DKMS module in /lib/modules/$kver/updates/dkms"

	modprobe leakmon
	ok $? "modprobe leakmon"

	local ver
	ver=$(/usr/bin/leakmon version --json 2>"$tmp/version.err")
	rc=$?
	echo "# leakmon version --json: $ver"
	[ $rc -eq 0 ] && [ ! -s "$tmp/version.err" ] &&
		[ "$(jq -r '.cli_version' <<<"$ver")" = "$VERSION" ] &&
		[ "$(jq -r '.module_version' <<<"$ver")" = "$VERSION" ]
	ok $? "the packaged CLI and the DKMS module both report $VERSION, no warning"

	/usr/bin/leakmon top >"$tmp/top" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/top" | head -n 5
	ok $rc "leakmon top (the quick start) works"

	# At boot: modules-load.d, options from modprobe.d.
	modprobe -r leakmon
	ok $? "modprobe -r leakmon"
	echo leakmon >/etc/modules-load.d/leakmon.conf
	echo "options leakmon max_owners=4321" >/etc/modprobe.d/leakmon-test.conf
	if [ -x /lib/systemd/systemd-modules-load ]; then
		/lib/systemd/systemd-modules-load
		rc=$?
		[ $rc -eq 0 ] && [ -d /sys/module/leakmon ] &&
			[ "$(/usr/bin/leakmon config --json 2>/dev/null | jq -r .max_owners)" = 4321 ]
		ok $? "/etc/modules-load.d/leakmon.conf loads it at boot (systemd-modules-load), with modprobe.d options"
	else
		echo "ok $((n += 1)) ${TAP_PREFIX}modules-load.d # SKIP systemd-modules-load is not installed"
	fi
	rm -f /etc/modules-load.d/leakmon.conf /etc/modprobe.d/leakmon-test.conf
	[ -d /sys/module/leakmon ] && modprobe -r leakmon

	# A kernel upgrade: the new kernel's headers package runs the
	# /etc/kernel/header_postinst.d hooks with the new version (its postinst
	# does so through linux-base's linux-run-hooks, which bookworm's
	# linux-base predates; run-parts is what that amounts to).  DKMS's hook
	# there builds and installs leakmon for the new kernel.  The headers
	# are the new kernel's, unpacked on the host (LEAKMON_UPGRADE_KDIR; the
	# package's /lib/modules/VERSION/build link points at them): dpkg took
	# four minutes to unpack their 17,000 files under emulation.  Its image
	# is not installed: its modules directory stands in for it.
	if [ -n "${LEAKMON_UPGRADE_KVER:-}" ]; then
		local newk=$LEAKMON_UPGRADE_KVER
		if [ "$newk" = "$kver" ] || [ ! -f "${LEAKMON_UPGRADE_KDIR:-}/Makefile" ]; then
			ok 1 "LEAKMON_UPGRADE_KVER and _KDIR name another kernel's headers ($newk, ${LEAKMON_UPGRADE_KDIR:-})"
		else
			mkdir -p "/lib/modules/$newk/kernel"
			ln -sfn "$LEAKMON_UPGRADE_KDIR" "/lib/modules/$newk/build"
			how="DKMS build"
			if [ -d "$pre/$newk/$(uname -m)/module" ]; then
				# built on the host for that kernel, where a tarball
				# would have put it (dkms 3.0.10 loads one kernel's)
				cp -r "$pre/$newk" "/var/lib/dkms/leakmon/$VERSION/" &&
					how="built on the host"
			fi
			section "the installed module's tests"
			run-parts --report --exit-on-error --arg="$newk" \
				/etc/kernel/header_postinst.d 2>&1 | stamped >"$tmp/upgrade.log"
			rc=${PIPESTATUS[0]}
			section "kernel upgrade ($how for $newk)"
			grep -iE 'dkms|leakmon|error' "$tmp/upgrade.log" | head -n 20 | sed 's/^/# upgrade: /'
			[ $rc -eq 0 ] &&
				dkms status "leakmon/$VERSION" -k "$newk" 2>/dev/null | grep -q ': installed' &&
				modinfo -F vermagic "/lib/modules/$newk/updates/dkms/leakmon.ko"* |
				grep -q "^$newk "
			ok $? "a kernel upgrade to $newk (its headers' hooks) makes DKMS install leakmon for it ($how)"
			rm -f "/lib/modules/$newk/build"
		fi
	fi

	section "before the purge"
	"${apt[@]}" purge leakmon leakmon-dkms 2>&1 | stamped >"$tmp/purge.log"
	rc=${PIPESTATUS[0]}
	section "apt-get purge"
	[ $rc -eq 0 ] || sed 's/^/# purge: /' "$tmp/purge.log" | tail -n 10
	local left
	left=$(ls /lib/modules/*/updates/dkms/leakmon.ko* /etc/modprobe.d/leakmon.conf \
		/usr/bin/leakmon 2>/dev/null)
	[ -n "$left" ] && echo "# left behind: $left"
	[ $rc -eq 0 ] && [ -z "$left" ] && [ -z "$(dkms status leakmon 2>/dev/null)" ]
	ok $? "apt-get purge removes both packages, the built modules and the conffile"
}

case ${1:-} in
--host) host ;;
--guest)
	[ $# -eq 2 ] || { echo "usage: $0 --guest DEBDIR" >&2; exit 2; }
	guest "$2" ;;
*) echo "usage: $0 --host | --guest DEBDIR" >&2; exit 2 ;;
esac
echo "1..$n"
exit $failed
