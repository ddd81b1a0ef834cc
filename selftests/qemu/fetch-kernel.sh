#!/bin/bash
# fetch-kernel.sh - download and unpack a Debian kernel (image, modules,
# headers, kbuild) into a private cache, for out-of-tree module builds and
# for booting under QEMU.  Nothing is installed into the system.
#
# Usage: selftests/qemu/fetch-kernel.sh [SERIES]      (SERIES: 6.1 (default), 5.10, 6.12)
#        eval "$(selftests/qemu/fetch-kernel.sh 6.1)"
#        make -C "$KDIR" M="$PWD" $KMAKEFLAGS modules
#        selftests/qemu/fetch-kernel.sh --download SERIES PACKAGE...
#
# --download fetches other packages (apt-get download, newest version) with
# the apt sources of SERIES (the system's plus the series' extra suites) into
# the cache's debs/ and prints the path of each .deb, one a line.
#
# Prints shell assignments on stdout (progress goes to stderr):
#   SERIES KVER KPKGVER KROOT KDIR VMLINUX VMLINUZ MODDIR KMAKEFLAGS
# Cache: ${LEAKMON_CACHE:-/var/cache/leakmon}/kernels/<KVER>/ (delete to rebuild).
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
#   and kbuild | kbuild package | make variables needed for module builds
# All packages are required at the same version as linux-image-@ABI@-amd64.
SERIES_TABLE='
5.10|bullseye bullseye-security|5\.10\.0-[0-9]+|linux-image-@ABI@-amd64|linux-kbuild-5.10|CC=gcc-12
6.1|-|6\.1\.0-[0-9]+|linux-image-@ABI@-amd64|linux-kbuild-6.1|
6.12|bookworm-backports|6\.12\.[0-9]+\+deb12|linux-image-@ABI@-amd64|linux-kbuild-@ABI@|
'
# 7.2 (sid: linux-binary-@ABI@-amd64 + linux-modules-@ABI@-amd64, kbuild
# linux-kbuild-@ABI@) would also unpack, but its headers need gcc-16, i.e. a
# sid chroot for module builds; not wired up yet.

DOWNLOAD=()
if [[ ${1:-} == --download ]]; then
	[[ $# -ge 3 ]] || die "usage: $PROG --download SERIES PACKAGE..."
	DOWNLOAD=("${@:3}")
	set -- "$2"
fi
SERIES=${1:-6.1}
[[ $# -le 1 ]] || die "usage: $PROG [SERIES]"
row=$(awk -F'|' -v s="$SERIES" '$1 == s' <<<"$SERIES_TABLE")
[[ -n $row ]] || die "unknown kernel series '$SERIES' (known: $(awk -F'|' 'NF>1 {printf "%s ", $1}' <<<"$SERIES_TABLE"))"
IFS='|' read -r _ SUITES ABI_RE IMAGE_PKGS KBUILD_PKG KMAKEFLAGS <<<"$row"

for tool in apt-get apt-cache dpkg-deb depmod xz zstd make gcc flock; do
	command -v "$tool" >/dev/null || die "$tool not found; run selftests/qemu/deps.sh"
done

mkdir -p "$CACHE/kernels" "$CACHE/debs" || die "cannot create cache directory $CACHE"
exec 9>"$CACHE/.fetch-kernel.lock"
flock 9 || die "cannot lock $CACHE/.fetch-kernel.lock"

# ---------------------------------------------------------------- apt access
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
		local targets uri sec_uri suite
		# Mirror URIs as the system's own apt sources name them.
		# shellcheck disable=SC2016 # apt's own $(FIELD) syntax
		targets=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null || true)
		uri=$(awk '$1 ~ /^[a-z]+$/ {print $2; exit}' <<<"$targets")
		sec_uri=$(awk '$1 ~ /-security$/ {print $2; exit}' <<<"$targets")
		[[ -n $uri ]] || die "cannot find the Debian mirror in the system's apt sources (run apt-get update?)"
		mkdir -p "$aptdir/empty" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
		: >"$aptdir/status"
		for suite in $SUITES; do
			if [[ $suite == *-security ]]; then
				[[ -n $sec_uri ]] || die "no security mirror in the system's apt sources"
				echo "deb $sec_uri $suite main"
			else
				echo "deb $uri $suite main"
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
elif resolve_version; then
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
	if ! make -s -C "$kdir" M="$t" $KMAKEFLAGS modules >"$t/build.log" 2>&1 ||
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
	sed -i "s#\([[:space:]]\)/usr/src/#\1$KROOT/usr/src/#g" "$hdr/Makefile"
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
	[[ -f $vmlinuz ]] || die "no /boot/vmlinuz-$KVER in the image package"
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
