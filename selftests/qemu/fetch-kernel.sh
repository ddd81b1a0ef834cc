#!/bin/bash
# fetch-kernel.sh - download and unpack a Debian kernel (image, modules,
# headers, kbuild) into a private cache, for out-of-tree module builds and
# for booting under QEMU.  Nothing is installed into the system.
#
# Usage: selftests/qemu/fetch-kernel.sh [SERIES]      (SERIES: 6.1 (default), 5.10, 6.12, 7.2,
#                                                     6.1-debug: see debug-kernel.sh)
#        eval "$(selftests/qemu/fetch-kernel.sh 6.1)"
#        ${KBUILD_WRAP:+"$KBUILD_WRAP"} make -C "$KDIR" M="$PWD" $KMAKEFLAGS modules
#        selftests/qemu/fetch-kernel.sh --download SERIES PACKAGE...
#
# --download fetches other packages (apt-get download, newest version) with
# the apt sources of SERIES (the system's plus the series' extra suites) into
# the cache's debs/ and prints the path of each .deb, one a line.
#
# Prints shell assignments on stdout (progress goes to stderr):
#   SERIES KVER KPKGVER KROOT KDIR VMLINUX VMLINUZ MODDIR KMAKEFLAGS KBUILD_WRAP
# KBUILD_WRAP is empty unless the series' headers need a newer toolchain than
# the host's: then it is a command that runs its arguments in a build chroot
# (as root; it bind-mounts the cache, the working directory and every M=DIR
# and -C DIR directory at their host paths, and mounts /proc), and every
# module build must be run through it.
# Cache: ${LEAKMON_CACHE:-/var/cache/leakmon}/kernels/<KVER>/ and, for the
# series that need one, the build chroot chroots/<SUITE>/ (made with
# debootstrap, under a minute and about 500 MB); delete either to rebuild it.
# The newest package version in apt's sources is chosen for which image,
# headers and kbuild packages all exist at exactly that version.  If apt
# cannot answer (e.g. no package lists), the newest cached kernel of the
# series is used.  LEAKMON_KPKGVER=<version> pins a package version.
set -euo pipefail

CACHE=$(realpath -m -- "${LEAKMON_CACHE:-/var/cache/leakmon}")
PROG=fetch-kernel.sh

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# Series table.  Columns (|-separated):
#   series | extra apt suites ("-" = the system's apt sources only) |
#   ABI regex (the @ABI@ in package names) | packages to unpack besides headers
#   and kbuild | kbuild package | make variables needed for module builds |
#   build chroot ("" = build on the host; else "SUITE PACKAGE...": module
#   builds run in a debootstrap --variant=minbase chroot of that suite of the
#   system's mirror, with those packages)
# All packages are required at the same version as linux-image-@ABI@-amd64.
# 7.2's linux-image is a metapackage: vmlinuz (in /usr/lib/modules/<KVER>/),
# modules and config come in linux-binary, -modules and -base.  Its headers
# call gcc-16 (sid only) and its kbuild tools need sid's libc.
SERIES_TABLE='
5.10|bullseye bullseye-security|5\.10\.0-[0-9]+|linux-image-@ABI@-amd64|linux-kbuild-5.10|CC=gcc-12|
6.1|-|6\.1\.0-[0-9]+|linux-image-@ABI@-amd64|linux-kbuild-6.1||
6.12|bookworm-backports|6\.12\.[0-9]+\+deb12|linux-image-@ABI@-amd64|linux-kbuild-@ABI@||
7.2|sid|7\.2\.[0-9]+\+deb[0-9]+|linux-binary-@ABI@-amd64 linux-modules-@ABI@-amd64 linux-base-@ABI@-amd64|linux-kbuild-@ABI@||sid make gcc-16 libc6-dev libelf1t64 libssl3t64 zlib1g pahole sparse
'

DOWNLOAD=()
if [[ ${1:-} == --download ]]; then
	[[ $# -ge 3 ]] || die "usage: $PROG --download SERIES PACKAGE..."
	DOWNLOAD=("${@:3}")
	set -- "$2"
fi
SERIES=${1:-6.1}
[[ $# -le 1 ]] || die "usage: $PROG [SERIES]"
# 6.1-debug: Debian's 6.1 source built with KASAN, kmemleak, lockdep, ...
if [[ $SERIES == 6.1-debug ]]; then
	((${#DOWNLOAD[@]} == 0)) || set -- 6.1
	((${#DOWNLOAD[@]} > 0)) || exec "$(dirname "${BASH_SOURCE[0]}")/debug-kernel.sh"
	SERIES=6.1
fi
row=$(awk -F'|' -v s="$SERIES" '$1 == s' <<<"$SERIES_TABLE")
[[ -n $row ]] || die "unknown kernel series '$SERIES' (known: $(awk -F'|' 'NF>1 {printf "%s ", $1}' <<<"$SERIES_TABLE"))"
IFS='|' read -r _ SUITES ABI_RE IMAGE_PKGS KBUILD_PKG KMAKEFLAGS CHROOT <<<"$row"

tools=(apt-get apt-cache dpkg-deb depmod xz zstd make gcc flock)
[[ -z $CHROOT ]] || tools+=(debootstrap unshare chroot mount umount)
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null || die "$tool not found; run selftests/qemu/deps.sh"
done

mkdir -p "$CACHE/kernels" "$CACHE/debs" || die "cannot create cache directory $CACHE"
exec 9>"$CACHE/.fetch-kernel.lock"
flock 9 || die "cannot lock $CACHE/.fetch-kernel.lock"

# ---------------------------------------------------------------- apt access
# mirror_uris: sets MIRROR_URI and SECURITY_URI as the system's own apt
# sources name them.
mirror_uris() {
	local targets
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
	targets=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null || true)
	MIRROR_URI=$(awk '$1 ~ /^[a-z]+$/ {print $2; exit}' <<<"$targets")
	SECURITY_URI=$(awk '$1 ~ /-security$/ {print $2; exit}' <<<"$targets")
	[[ -n $MIRROR_URI ]] || die "cannot find the Debian mirror in the system's apt sources (run apt-get update?)"
}

APT_OPTS=(-o APT::Sandbox::User=root -q)
if [[ $SUITES != - ]]; then
	# Private apt configuration adding other suites of the system's mirror;
	# used only to look up and download packages.
	aptdir="$CACHE/apt/${SUITES// /+}"
	APT_OPTS+=(
		-o "Dir::Etc::SourceList=$aptdir/sources.list"
		-o "Dir::Etc::SourceParts=$aptdir/empty"
		-o "Dir::Etc::Preferences=/dev/null"
		-o "Dir::Etc::PreferencesParts=$aptdir/empty"
		-o "Dir::State::Lists=$aptdir/lists"
		-o "Dir::State::Status=$aptdir/status"
		-o "Dir::Cache=$aptdir/cache"
	)
	private_apt_update() {
		local suite
		mirror_uris
		mkdir -p "$aptdir/empty" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
		: >"$aptdir/status"
		for suite in $SUITES; do
			if [[ $suite == *-security ]]; then
				[[ -n $SECURITY_URI ]] || die "no security mirror in the system's apt sources"
				echo "deb $SECURITY_URI $suite main"
			else
				echo "deb $MIRROR_URI $suite main"
			fi
		done >"$aptdir/sources.list"
		msg "updating private apt lists for: $SUITES"
		apt-get "${APT_OPTS[@]}" update >&2 || die "apt-get update (private lists for $SUITES) failed"
		touch "$aptdir/updated"
	}
	# Refresh at most once a day.
	if [[ ! -e $aptdir/updated ]] || [[ -n $(find "$aptdir/updated" -mmin +1440) ]]; then
		private_apt_update
	fi
fi

# --download: the candidate version of each package, downloaded once.
if ((${#DOWNLOAD[@]})); then
	for p in "${DOWNLOAD[@]}"; do
		v=$(apt-cache "${APT_OPTS[@]}" policy "$p" 2>/dev/null |
			awk '$1 == "Candidate:" {print $2}')
		[[ -n $v && $v != "(none)" ]] || die "no package $p in the apt sources of $SERIES"
		if ! compgen -G "$CACHE/debs/${p}_${v//:/%3a}_*.deb" >/dev/null; then
			msg "downloading: $p=$v"
			(cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "$p=$v" >&2) ||
				die "apt-get download failed: $p=$v"
		fi
		compgen -G "$CACHE/debs/${p}_${v//:/%3a}_*.deb" | head -n1
	done
	exit 0
fi

subst() { local s=${1//@ABI@/$2}; printf '%s' "$s"; }

# resolve_version: sets ABI and KPKGVER to the newest complete package set.
resolve_version() {
	local names n pkgs=() p v abi best_abi='' best_ver='' pin=${LEAKMON_KPKGVER:-}
	names=$(apt-cache "${APT_OPTS[@]}" pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-(${ABI_RE})-amd64\$" || true)
	[[ -n $names ]] || return 1
	for n in $names; do
		abi=${n#linux-image-}
		abi=${abi%-amd64}
		pkgs+=("$n" "linux-headers-$abi-amd64" "linux-headers-$abi-common" "$(subst "$KBUILD_PKG" "$abi")")
		for p in $IMAGE_PKGS; do pkgs+=("$(subst "$p" "$abi")"); done
	done
	# "pkg version" lines for every candidate package and version
	local avail
	avail=$(apt-cache "${APT_OPTS[@]}" madison "${pkgs[@]}" 2>/dev/null |
		awk -F'|' '{gsub(/ /, "", $1); gsub(/ /, "", $2); print $1 " " $2}' | sort -u)
	while read -r p v; do
		[[ $p =~ ^linux-image-(${ABI_RE})-amd64$ ]] || continue
		[[ -z $pin || $v == "$pin" ]] || continue
		abi=${p#linux-image-}
		abi=${abi%-amd64}
		local need=("linux-headers-$abi-amd64" "linux-headers-$abi-common" "$(subst "$KBUILD_PKG" "$abi")") ok=1 q
		for q in $IMAGE_PKGS; do need+=("$(subst "$q" "$abi")"); done
		for q in "${need[@]}"; do
			grep -qxF "$q $v" <<<"$avail" || { ok=0; break; }
		done
		((ok)) || continue
		if [[ -z $best_ver ]] || dpkg --compare-versions "$v" gt "$best_ver"; then
			best_ver=$v best_abi=$abi
		fi
	done <<<"$avail"
	[[ -n $best_ver ]] || return 1
	ABI=$best_abi KPKGVER=$best_ver
}

# newest complete cached kernel of this series (offline fallback)
cached_version() {
	local d v best_d='' best_v=''
	for d in "$CACHE"/kernels/*/; do
		[[ -e $d/.complete && $(cat "$d/.series" 2>/dev/null) == "$SERIES" ]] || continue
		v=$(cat "$d/.pkgversion")
		[[ -z ${LEAKMON_KPKGVER:-} || $v == "$LEAKMON_KPKGVER" ]] || continue
		if [[ -z $best_v ]] || dpkg --compare-versions "$v" gt "$best_v"; then
			best_v=$v best_d=$d
		fi
	done
	[[ -n $best_v ]] || return 1
	ABI=$(basename "$best_d")
	ABI=${ABI%-amd64}
	KPKGVER=$best_v
}

# Remember the answer until apt's package lists change (apt-cache is slow).
LISTS=/var/lib/apt/lists
[[ $SUITES == - ]] || LISTS=$aptdir/lists
RESOLVED=$CACHE/.resolved-$SERIES
if [[ -z ${LEAKMON_KPKGVER:-} && -s $RESOLVED && $RESOLVED -nt $LISTS ]] &&
	read -r ABI KPKGVER <"$RESOLVED" && [[ -n $KPKGVER ]]; then
	:
elif resolve_version ||
	{ [[ $SUITES == - ]] && msg "refreshing apt's package lists" &&
	  apt-get -q -o DPkg::Lock::Timeout=600 update >&2 && resolve_version; }; then
	[[ -n ${LEAKMON_KPKGVER:-} ]] || echo "$ABI $KPKGVER" >"$RESOLVED"
else
	if cached_version; then
		msg "warning: apt knows no complete linux $SERIES package set; using cached $ABI-amd64 ($KPKGVER)"
	elif [[ $SUITES == - ]]; then
		die "no linux-image/headers/kbuild set for $SERIES in apt's sources (run apt-get update?)"
	else
		die "no linux-image/headers/kbuild set for $SERIES in suites: $SUITES"
	fi
fi

KVER=$ABI-amd64
KDEST=$CACHE/kernels/$KVER
KROOT=$KDEST/root

# ------------------------------------------------------------ build chroot
# The wrapper that runs a command in the build chroot.  Written into the
# chroot's cache directory with @ROOT@ and @CACHE@ filled in.
# shellcheck disable=SC2016 # expands when the wrapper runs
KBUILD_WRAP_SCRIPT='#!/bin/bash
# kbuild-wrap - run a command (a module build) inside a build chroot of
# leakmon'\''s kernel cache.  Written by leakmon'\''s selftests/qemu/fetch-kernel.sh;
# delete the directory it is in to rebuild the chroot.
#
# Usage: kbuild-wrap COMMAND [ARG...]
#        kbuild-wrap make -C "$KDIR" M="$PWD" modules
#
# Runs COMMAND as root, chrooted to @ROOT@, in a private mount namespace
# with /proc mounted and these host directories bind-mounted at their own
# paths: the cache @CACHE@, the working directory (unless it would hide a
# directory of the chroot) and the directory of every M=DIR, -C DIR, -CDIR
# and --directory=DIR argument.  PATH and TMPDIR (/tmp) are the chroot'\''s.
# Everything mounted is unmounted (and every mount point created removed)
# when COMMAND ends.  Exit status: COMMAND'\''s, 125 if the wrapper failed.
set -euo pipefail
ROOT=@ROOT@
CACHE=@CACHE@
PROG=kbuild-wrap

die() { printf "%s: error: %s\n" "$PROG" "$*" >&2; exit 125; }
(($#)) || die "usage: $0 COMMAND [ARG...]"
((EUID == 0)) || die "must run as root (it mounts and chroots)"
[[ -x $ROOT/usr/bin/make ]] || die "no build chroot at $ROOT (run fetch-kernel.sh)"

# Mounts made here stay in a mount namespace of our own.  unshare execs in
# place, so the re-executed script has the same PID.
if [[ ${LEAKMON_KBUILD_WRAP_NS:-} != "$$" ]]; then
	export LEAKMON_KBUILD_WRAP_NS=$$
	exec unshare --mount --propagation private -- /bin/bash "$0" "$@"
fi
unset LEAKMON_KBUILD_WRAP_NS
# One command at a time in this chroot: a build of another tree beside
# this one (make bench of one tree, make check of another) removes the
# mount points it created when it ends, and removing one that a bind
# mount of this command sits on detaches that mount here too.
exec 8>"$ROOT.lock"
flock 8 || die "cannot lock $ROOT.lock"

MOUNTED=() CREATED=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local i
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" ||
			printf "%s: warning: cannot unmount %s\n" "$PROG" "${MOUNTED[i]}" >&2
	done
	for ((i = ${#CREATED[@]} - 1; i >= 0; i--)); do
		rmdir "${CREATED[i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM HUP

# inside DIR: ROOT/DIR, refusing paths that leave the chroot (symlinks).
inside() {
	local p
	p=$(realpath -m -- "$ROOT$1")
	[[ $p == "$ROOT" || $p == "$ROOT"/* ]] || die "$1 leads out of the chroot ($p)"
	printf "%s" "$p"
}

# bind DIR [soft]: bind-mount the host directory DIR at DIR in the chroot.
# Refuses (soft: skips) a directory that would hide one of the chroot.
bind() {
	local dir=$1 soft=${2:-} d m miss=()
	for m in "${MOUNTED[@]}"; do
		[[ $dir == "${m#"$ROOT"}" || $dir == "${m#"$ROOT"}"/* ]] && return 0
	done
	d=$(inside "$dir")
	if [[ -e $d ]] && [[ ! -d $d || -n $(ls -A -- "$d") ]]; then
		[[ -n $soft ]] && return 0
		die "$dir exists in the chroot; refusing to hide it"
	fi
	while [[ ! -e $d ]]; do
		miss=("$d" ${miss[@]+"${miss[@]}"})
		d=$(dirname -- "$d")
	done
	for d in ${miss[@]+"${miss[@]}"}; do
		mkdir -- "$d" || die "cannot create $d"
		CREATED+=("$d")
	done
	d=$(inside "$dir")
	mount --bind -- "$dir" "$d" || die "cannot bind-mount $dir"
	MOUNTED+=("$d")
}

# Directories named by the arguments, absolute and existing.
dirs=("$CACHE")
prev=""
for a in "$@"; do
	d=""
	case $prev in -C | --directory) d=$a ;; esac
	case $a in
	M=?*) d=${a#M=} ;;
	--directory=?*) d=${a#--directory=} ;;
	-C?*) d=${a#-C} ;;
	esac
	prev=$a
	[[ -n $d ]] || continue
	d=$(realpath -m -- "$d")
	[[ -d $d ]] && dirs+=("$d")
done
# Parents before children: a directory under a bound one needs no mount.
mapfile -t dirs < <(printf "%s\n" "${dirs[@]}" | awk "{ print length(\$0), \$0 }" |
	sort -n -u | cut -d" " -f2-)

d=$(inside /proc)
mount -t proc proc "$d" || die "cannot mount /proc in the chroot"
MOUNTED+=("$d")
for d in "${dirs[@]}"; do
	[[ $d != / ]] || die "refusing to bind-mount / into the chroot"
	bind "$d"
done
[[ $PWD == / ]] || bind "$PWD" soft

rc=0
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/tmp \
	chroot "$ROOT" /bin/sh -c "cd \"\$1\" 2>/dev/null || cd /; shift; exec \"\$@\"" \
	sh "$PWD" "$@" || rc=$?
exit "$rc"
'

# ensure_chroot: build the series' build chroot (once; again when its
# package list changes) and write its wrapper; sets KBUILD_WRAP.
ensure_chroot() {
	local suite=${CHROOT%% *} pkgs dir tmp script
	read -r -a pkgs <<<"${CHROOT#"$suite"}"
	dir=$CACHE/chroots/$suite
	KBUILD_WRAP=$dir/kbuild-wrap
	if [[ ! -e $dir/.complete || $(cat "$dir/.packages" 2>/dev/null) != "${pkgs[*]}" ]]; then
		mirror_uris
		mkdir -p "$CACHE/chroots" || die "cannot create $CACHE/chroots"
		tmp=$(mktemp -d "$CACHE/chroots/.$suite.XXXXXX")
		chmod 755 "$tmp"
		WORK=$tmp
		trap 'safe_rm "$WORK"' EXIT
		msg "building the $suite build chroot in $dir (debootstrap; once)"
		# debootstrap mounts /proc, /sys, ... in the target: keep those in a
		# mount namespace of its own, gone when it exits (also on failure).
		if ! unshare --mount --propagation private -- \
			debootstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" \
			"$suite" "$tmp/root" "$MIRROR_URI" >"$tmp/debootstrap.log" 2>&1; then
			tail -n 20 "$tmp/debootstrap.log" "$tmp/root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
			die "debootstrap $suite failed (see above)"
		fi
		rm -f "$tmp/root/var/cache/apt/archives/"*.deb
		printf '%s\n' "${pkgs[*]}" >"$tmp/.packages"
		safe_rm "$dir"
		mv "$tmp" "$dir"
		trap - EXIT
	fi
	script=${KBUILD_WRAP_SCRIPT//@ROOT@/$(printf '%q' "$dir/root")}
	script=${script//@CACHE@/$(printf '%q' "$CACHE")}
	if [[ ! -x $KBUILD_WRAP || $(<"$KBUILD_WRAP") != "${script%$'\n'}" ]]; then
		printf '%s' "$script" >"$KBUILD_WRAP.tmp"
		chmod 755 "$KBUILD_WRAP.tmp"
		mv "$KBUILD_WRAP.tmp" "$KBUILD_WRAP"
	fi
	if [[ ! -e $dir/.complete ]]; then
		"$KBUILD_WRAP" make --version >/dev/null || die "$KBUILD_WRAP does not work"
		touch "$dir/.complete"
	fi
}

# safe_rm DIR: rm -rf DIR, unless something is mounted below it.
safe_rm() {
	[[ -e $1 ]] || return 0
	if awk -v d="$1" 'index($5 "/", d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		msg "not deleting $1: something is mounted below it"
		return 1
	fi
	rm -rf -- "$1"
}

# extract_vmlinux BZIMAGE OUT: find the xz/zstd payload, keep the ELF.
extract_vmlinux() {
	local img=$1 out=$2 tmp=$2.tmp off
	local -a tries
	# "offset decompressor" for every xz (FD 37 7A 58 5A 00) and zstd
	# (28 B5 2F FD) magic in the image
	mapfile -t tries < <(
		LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img" | cut -d: -f1 | sed 's/$/ xz/' || true
		LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$img" | cut -d: -f1 | sed 's/$/ zstd/' || true
	)
	for off in "${tries[@]}"; do
		# Trailing data after the payload makes the decompressor fail
		# after it has written everything; the ELF check decides.
		tail -c +"$((${off% *} + 1))" "$img" | "${off#* }" -dcq >"$tmp" 2>/dev/null || true
		if [[ $(head -c4 "$tmp" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
			mv "$tmp" "$out"
			return 0
		fi
	done
	rm -f "$tmp"
	return 1
}

# selftest_kdir KDIR: build a trivial module against KDIR.
selftest_kdir() {
	local kdir=$1 t rc=0
	t=$(mktemp -d "${TMPDIR:-/tmp}/leakmon-kdir-test.XXXXXX")
	cat >"$t/hello.c" <<'EOF'
#include <linux/module.h>
static int __init hello_init(void) { return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := hello.o' >"$t/Kbuild"
	# shellcheck disable=SC2086 # KMAKEFLAGS is a list of VAR=value words
	if ! ${KBUILD_WRAP:+"$KBUILD_WRAP"} make -s -C "$kdir" M="$t" $KMAKEFLAGS modules \
		>"$t/build.log" 2>&1 ||
		[[ ! -f $t/hello.ko ]]; then
		cat "$t/build.log" >&2
		rc=1
	elif [[ $(modinfo -F vermagic "$t/hello.ko") != "$KVER "* ]]; then
		msg "vermagic mismatch: $(modinfo -F vermagic "$t/hello.ko")"
		rc=1
	fi
	rm -rf "$t"
	return "$rc"
}

build_kernel_tree() {
	local pkgs=() p deb work
	pkgs=("linux-headers-$ABI-amd64" "linux-headers-$ABI-common" "$(subst "$KBUILD_PKG" "$ABI")")
	for p in $IMAGE_PKGS; do pkgs+=("$(subst "$p" "$ABI")"); done

	msg "preparing $KVER (packages at $KPKGVER) in $KDEST"
	local dl=()
	for p in "${pkgs[@]}"; do
		compgen -G "$CACHE/debs/${p}_${KPKGVER//:/%3a}_*.deb" >/dev/null || dl+=("$p=$KPKGVER")
	done
	if ((${#dl[@]})); then
		msg "downloading: ${dl[*]}"
		(cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "${dl[@]}" >&2) ||
			die "apt-get download failed: ${dl[*]}"
	fi

	work=$(mktemp -d "$CACHE/kernels/.$KVER.XXXXXX")
	chmod 755 "$work"
	WORK=$work
	trap 'rm -rf "$WORK"' EXIT
	for p in "${pkgs[@]}"; do
		deb=$(compgen -G "$CACHE/debs/${p}_${KPKGVER//:/%3a}_*.deb" | head -n1) ||
			die "downloaded package missing: $p $KPKGVER"
		dpkg-deb -x "$deb" "$work/root" || die "dpkg-deb -x $deb failed"
	done
	local root=$work/root moddir
	# Relocate: headers/build links point into /usr/src of a real install.
	local hdr=$root/usr/src/linux-headers-$KVER
	[[ -f $hdr/Makefile ]] || die "no $hdr/Makefile in the headers package"
	sed -i "s#\([[:space:]=]\)/usr/src/#\1$KROOT/usr/src/#g" "$hdr/Makefile"
	grep -q "$KROOT/usr/src/" "$hdr/Makefile" ||
		die "unexpected headers Makefile (no /usr/src include): $(head -c 300 "$hdr/Makefile")"

	for moddir in "$root/lib/modules/$KVER" "$root/usr/lib/modules/$KVER"; do
		[[ -d $moddir ]] && break
	done
	[[ -d $moddir ]] || die "no modules directory for $KVER in the image package"
	ln -sfn "$KROOT/usr/src/linux-headers-$KVER" "$moddir/build"
	ln -sfn "$KROOT/usr/src/linux-headers-$ABI-common" "$moddir/source"
	local base=$root
	[[ $moddir == "$root/usr/lib/"* ]] && base=$root/usr
	depmod -b "$base" "$KVER" || die "depmod failed for $KVER"

	local vmlinuz=$root/boot/vmlinuz-$KVER
	if [[ ! -e $vmlinuz && -f $moddir/vmlinuz ]]; then
		# 7.2 on: the image is in the modules directory
		mkdir -p "$root/boot"
		ln -s "../${moddir#"$root"/}/vmlinuz" "$vmlinuz"
	fi
	[[ -f $vmlinuz ]] || die "no /boot/vmlinuz-$KVER or vmlinuz in the modules directory in the image packages"
	extract_vmlinux "$vmlinuz" "$root/boot/vmlinux-$KVER" ||
		die "cannot extract an ELF vmlinux from $vmlinuz"

	echo "$SERIES" >"$work/.series"
	echo "$KPKGVER" >"$work/.pkgversion"
	rm -rf "$KDEST"
	mv "$work" "$KDEST"
	trap - EXIT
	msg "testing an out-of-tree module build against $KDEST"
	selftest_kdir "$KROOT/usr/src/linux-headers-$KVER" ||
		die "a trivial module does not build against $KROOT/usr/src/linux-headers-$KVER"
	touch "$KDEST/.complete"
}

KBUILD_WRAP=''
[[ -z $CHROOT ]] || ensure_chroot
if [[ ! -e $KDEST/.complete || $(cat "$KDEST/.pkgversion" 2>/dev/null) != "$KPKGVER" ]]; then
	build_kernel_tree
fi

MODDIR=$KROOT/lib/modules/$KVER
[[ -d $MODDIR ]] || MODDIR=$KROOT/usr/lib/modules/$KVER
for v in SERIES KVER KPKGVER KROOT; do printf '%s=%q\n' "$v" "${!v}"; done
printf 'KDIR=%q\n' "$KROOT/usr/src/linux-headers-$KVER"
printf 'VMLINUX=%q\n' "$KROOT/boot/vmlinux-$KVER"
printf 'VMLINUZ=%q\n' "$KROOT/boot/vmlinuz-$KVER"
printf 'MODDIR=%q\n' "$MODDIR"
printf 'KMAKEFLAGS=%q\n' "$KMAKEFLAGS"
printf 'KBUILD_WRAP=%q\n' "$KBUILD_WRAP"
