#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by check.sh and demo.sh: install what is missing, fetch a Debian
# kernel, and build everything the VM needs for it.  Source it, then call
# lm_build SERIES; it sets KVER, KDIR, LM_BUILD and the paths below
# (LEAKMON_KO, LEAKBIND_KO, LEAKMON_CLI_*, LEAKMON_TESTS, LEAKMON_YNL,
# LEAKMON_MONITOR_TOOLS, LEAKMON_DAEMONS).
# shellcheck disable=SC2034 # those are set for the scripts sourcing this
#
# Cache (rebuildable, delete to refetch): ${LEAKMON_CACHE:-/var/cache/leakmon}

LM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LM_CACHE=${LEAKMON_CACHE:-/var/cache/leakmon}

lm_msg() { printf '%s\n' "$*" >&2; }
lm_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# kselftest.h and kselftest_harness.h, extracted from Debian's
# linux-source-6.1 package (never committed to this tree).
lm_kselftest_headers() {
	local dir=$LM_CACHE/kselftest tarball=/usr/src/linux-source-6.1.tar.xz

	if [ -f "$dir/kselftest_harness.h" ]; then
		echo "$dir"
		return
	fi
	if [ ! -f "$tarball" ]; then
		lm_msg "installing linux-source-6.1 (for the kselftest headers)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends linux-source-6.1 >&2 ||
			lm_die "cannot install linux-source-6.1"
	fi
	lm_untar "$dir" "$tarball" 4 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h ||
		lm_die "cannot extract the kselftest headers"
	echo "$dir"
}

# lm_untar DIR TARBALL STRIP MEMBER...: the members of TARBALL, STRIP
# leading components off their names, as the new directory DIR.  Each
# caller extracts into a directory of its own and renames it to DIR, the
# first one wins: jobs of make check extract side by side (a shared
# DIR.tmp, one job's rm under another's tar, failed kcheck in a rehearsal
# from an empty cache).
lm_untar() {
	local dir=$1 tarball=$2 strip=$3 tmp
	shift 3
	tmp=$(mktemp -d "$dir.XXXXXX") || return 1
	if ! tar -xJf "$tarball" -C "$tmp" --strip-components="$strip" "$@"; then
		rm -rf "$tmp"
		return 1
	fi
	chmod 755 "$tmp"
	mv -T "$tmp" "$dir" 2>/dev/null && return 0
	# DIR was there: another caller's, or left incomplete by an older run
	local m
	for m; do
		m=$(cut -d/ -f$((strip + 1))- <<<"$m")
		[ -e "$dir/$m" ] || { rm -rf "$dir" && mv -T "$tmp" "$dir"; return; }
	done
	rm -rf "$tmp"
}

# The kernel's YNL client (tools/net/ynl), the YNL schemas
# (Documentation/netlink/*.yaml) and the genetlink controller's spec
# (Documentation/netlink/specs/nlctrl.yaml), extracted from Debian's
# linux-source-6.12 (bookworm-backports, downloaded with fetch-kernel.sh's
# private apt configuration; never committed to this tree).  Prints the
# ynl directory.  Call it in a subshell ($(...)): it holds a lock on fd 8.
lm_ynl() {
	local dir=$LM_CACHE/ynl src=linux-source-6.12 deb

	mkdir -p "$LM_CACHE"
	exec 8>"$LM_CACHE/.ynl.lock"
	flock 8 || lm_die "cannot lock $LM_CACHE/.ynl.lock"
	if [ -f "$dir/.complete" ]; then
		echo "$dir/tools/net/ynl"
		return
	fi
	deb=$("$LM_TOP/selftests/qemu/fetch-kernel.sh" --download 6.12 "$src") ||
		lm_die "cannot download $src"
	lm_msg "extracting the YNL client from ${deb##*/}"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$src.tar.xz" |
		tar -xJ -C "$dir.tmp" --strip-components=1 --wildcards \
			--no-wildcards-match-slash "$src/tools/net/ynl" \
			"$src/Documentation/netlink/*.yaml" \
			"$src/Documentation/netlink/specs/nlctrl.yaml"
	if [ ! -f "$dir.tmp/tools/net/ynl/cli.py" ] ||
		[ ! -f "$dir.tmp/Documentation/netlink/genetlink.yaml" ] ||
		[ ! -f "$dir.tmp/Documentation/netlink/specs/nlctrl.yaml" ]; then
		lm_die "cannot extract the YNL client from $deb"
	fi
	dpkg-deb -f "$deb" Version >"$dir.tmp/.pkgversion"
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "$dir/tools/net/ynl"
}

# lm_unpack_debs DIR PKG...: download Debian bookworm's PKGs (fetch-kernel.sh
# --download) and unpack them, never installed, into a fresh DIR, with
# their versions in DIR/.pkgversions.
lm_unpack_debs() {
	local dir=$1 deb debs
	shift
	debs=$("$LM_TOP/selftests/qemu/fetch-kernel.sh" --download 6.1 "$@") ||
		lm_die "cannot download $*"
	lm_msg "unpacking $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	while read -r deb; do
		dpkg-deb -x "$deb" "$dir" || lm_die "cannot unpack $deb"
		dpkg-deb -f "$deb" Package Version >>"$dir/.pkgversions"
	done <<<"$debs"
}

# lm_check_bins DIR FILE...: each FILE under DIR exists and finds its shared
# libraries on the host (else: which package deps.sh should install).
lm_check_bins() {
	local dir=$1 bin
	shift
	for bin in "$@"; do
		[ -e "$dir/$bin" ] || lm_die "$dir/$bin is missing"
		if ldd "$dir/$bin" 2>/dev/null | grep -q 'not found'; then
			lm_die "$dir/$bin: $(ldd "$dir/$bin" | grep 'not found' | tr -s ' \n' ' ')(add the library's package to selftests/qemu/deps.sh)"
		fi
	done
}

# Debian bookworm's zabbix-agent (zabbix_agentd), zabbix-proxy-sqlite3
# (zabbix_get), prometheus (promtool) and prometheus-node-exporter
# (node_exporter, usr/bin/prometheus-node-exporter), downloaded with fetch-kernel.sh
# and unpacked (never installed: their postinst would start services) into
# $LM_CACHE/monitor-tools; their shared libraries are host packages
# (deps.sh).  Prints the directory; the binaries are in usr/sbin and
# usr/bin under it.  Call it in a subshell ($(...)): it holds a lock on
# fd 7.
lm_monitor_tools() {
	local dir=$LM_CACHE/monitor-tools
	local pkgs=(zabbix-agent zabbix-proxy-sqlite3 prometheus
		prometheus-node-exporter)

	mkdir -p "$LM_CACHE"
	exec 7>"$LM_CACHE/.monitor-tools.lock"
	flock 7 || lm_die "cannot lock $LM_CACHE/.monitor-tools.lock"
	# unpacked again when the list changed (.complete names the packages)
	if [ "$(cat "$dir/.complete" 2>/dev/null)" != "${pkgs[*]}" ]; then
		lm_unpack_debs "$dir.tmp" "${pkgs[@]}"
		echo "${pkgs[*]}" >"$dir.tmp/.complete"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	lm_check_bins "$dir" usr/sbin/zabbix_agentd usr/bin/zabbix_get \
		usr/bin/promtool usr/bin/prometheus-node-exporter
	echo "$dir"
}

# Debian bookworm's nginx and apache2 (mpm_event), with apache2-utils for
# ab, downloaded with fetch-kernel.sh and unpacked (never installed: their
# postinst would start the services) into $LM_CACHE/daemons for
# selftests/daemon_test.sh, which starts them in the VM from their own
# configuration files (apache2's defaults enabled as its postinst does);
# their shared libraries are host packages (deps.sh).
# Prints the directory.  Call it in a subshell ($(...)): it holds a lock on
# fd 5.
lm_daemons() {
	local dir=$LM_CACHE/daemons
	local pkgs=(nginx nginx-common apache2 apache2-bin apache2-data
		apache2-utils)

	mkdir -p "$LM_CACHE"
	exec 5>"$LM_CACHE/.daemons.lock"
	flock 5 || lm_die "cannot lock $LM_CACHE/.daemons.lock"
	if [ ! -f "$dir/.complete" ] ||
		[ ! -e "$dir/etc/apache2/mods-enabled/mpm_event.load" ]; then
		lm_unpack_debs "$dir.tmp" "${pkgs[@]}"
		# apache2's postinst on a fresh install: its modules, confs
		# and default site enabled by Debian's own a2enmod, a2enconf
		# and a2ensite (here: perl under emulation takes seconds)
		(
			export APACHE_CONFDIR=$dir.tmp/etc/apache2
			export APACHE_STATE_DIRECTORY=$dir.tmp/var/lib/apache2
			a2en=$dir.tmp/usr/sbin
			perl "$a2en/a2enmod" -m -q mpm_event authz_host \
				auth_basic access_compat authn_file authz_user \
				alias dir autoindex env mime negotiation setenvif \
				filter deflate status reqtimeout &&
				perl "$a2en/a2enconf" -m -q charset \
					localized-error-pages \
					other-vhosts-access-log security \
					serve-cgi-bin &&
				perl "$a2en/a2ensite" -q 000-default
		) >&2 || lm_die "a2enmod, a2enconf or a2ensite failed in $dir.tmp"
		touch "$dir.tmp/.complete"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	lm_check_bins "$dir" usr/sbin/nginx usr/sbin/apache2 usr/bin/ab \
		usr/lib/apache2/modules/mod_mpm_event.so
	echo "$dir"
}

# Build an out-of-tree module from a copy of its sources in $2 for $KDIR
# (in the series' build chroot when fetch-kernel.sh gave a KBUILD_WRAP).
lm_kbuild() {
	local name=$1 dir=$2
	shift 2
	# shellcheck disable=SC2086
	${KBUILD_WRAP:+"$KBUILD_WRAP"} make -s -C "$KDIR" M="$dir" $KMAKEFLAGS \
		KCFLAGS=-Werror W=1 modules "$@" >&2 ||
		lm_die "building $name for $KVER failed"
}

# lm_build SERIES: fetch SERIES' kernel, build leakmon, leakbind, the CLI and
# the selftest programs for it, and set LM_BUILD, LEAKMON_KO, ... for the
# caller.  Jobs of make check call it side by side (the debug kernel's
# next to the stock kernels'): fd 6 holds a lock while packages are
# installed and while anything shared (user/, the caches) is built; the
# kernel is fetched outside it (building the debug kernel takes minutes).
# LM_BUILD_TAG, when set, gives the job a directory of its own
# (build/KVER-TAG, where its VM writes): jobs of one kernel that run side by
# side (check.sh's parts, the benchmark).  The modules are built once per
# kernel and source (build/KVER-ko/HASH/, never rebuilt in place while a
# VM may load them) and the selftest programs, which do not depend on the
# kernel, once (build/tests): make check built them ten times before.
lm_build() {
	local series=$1 ksft facts key kobuild

	mkdir -p "$LM_TOP/build"
	exec 6>>"$LM_TOP/build/.lm_build.lock"
	flock 6 || lm_die "cannot lock $LM_TOP/build/.lm_build.lock"
	"$LM_TOP/selftests/qemu/deps.sh" >&2 || lm_die "installing dependencies failed"
	flock -u 6
	facts=$("$LM_TOP/selftests/qemu/fetch-kernel.sh" "$series") ||
		lm_die "cannot fetch the $series kernel"
	eval "$facts"
	flock 6 || lm_die "cannot lock $LM_TOP/build/.lm_build.lock"
	LM_BUILD=$LM_TOP/build/$KVER${LM_BUILD_TAG:+-$LM_BUILD_TAG}
	mkdir -p "$LM_BUILD"

	key=$( {
		echo "$KVER $KDIR $KMAKEFLAGS $KBUILD_WRAP"
		tar -C "$LM_TOP" -cf - --sort=name --mtime=@0 --owner=0 --group=0 \
			Kbuild kmod include selftests/leakbind/leakbind.c selftests/leakbind/Kbuild
	} | sha256sum | cut -c1-16)
	kobuild=$LM_TOP/build/$KVER-ko/$key
	if [ ! -f "$kobuild/.complete" ]; then
		rm -rf "$kobuild"
		lm_msg "building leakmon.ko for $KVER"
		mkdir -p "$kobuild/leakmon" "$kobuild/leakbind"
		cp -r "$LM_TOP/Kbuild" "$LM_TOP/kmod" "$LM_TOP/include" "$kobuild/leakmon/"
		lm_kbuild leakmon.ko "$kobuild/leakmon"
		lm_msg "building leakbind.ko (test only) for $KVER"
		cp "$LM_TOP/selftests/leakbind/leakbind.c" \
			"$LM_TOP/selftests/leakbind/Kbuild" "$kobuild/leakbind/"
		lm_kbuild leakbind.ko "$kobuild/leakbind"
		touch "$kobuild/.complete"
		# earlier sources' builds, unless a job may still use one
		find "$LM_TOP/build/$KVER-ko" -mindepth 1 -maxdepth 1 -type d \
			! -name "$key" -mmin +240 -exec rm -rf {} + 2>/dev/null
	else
		lm_msg "leakmon.ko and leakbind.ko for $KVER: built ($kobuild)"
	fi
	LEAKMON_KO=$kobuild/leakmon/leakmon.ko
	LEAKBIND_KO=$kobuild/leakbind/leakbind.ko

	lm_msg "building the CLI (plain and ASan/UBSan)"
	make -s -C "$LM_TOP/user" >&2 || lm_die "building the CLI failed"
	make -s -C "$LM_TOP/user" SANITIZE=1 >&2 ||
		lm_die "building the sanitized CLI failed"
	LEAKMON_CLI_PLAIN=$LM_TOP/user/leakmon
	LEAKMON_CLI_SAN=$LM_TOP/user/build-san/leakmon

	ksft=$(lm_kselftest_headers)
	lm_msg "building the selftest programs"
	make -s -C "$LM_TOP/selftests" KSFT_INC="$ksft" OUT="$LM_TOP/build/tests" >&2 ||
		lm_die "building the selftests failed"
	LEAKMON_TESTS=$LM_TOP/build/tests
	LEAKMON_YNL=$(lm_ynl) || exit 1
	LEAKMON_MONITOR_TOOLS=$(lm_monitor_tools) || exit 1
	LEAKMON_DAEMONS=$(lm_daemons) || exit 1
	exec 6>&-
}
