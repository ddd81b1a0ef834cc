#!/bin/bash
# debug-kernel.sh - build Debian's 6.1 kernel source (package linux-source-6.1)
# as a debug kernel for leakmon's tests: allnoconfig +
# selftests/qemu/debug.config (a small QEMU guest; KASAN, kmemleak, lockdep with PROVE_RCU,
# DEBUG_OBJECTS, DEBUG_ATOMIC_SLEEP, UBSAN, failslab; kprobes, 9p, overlayfs
# and AppArmor built in).  Built once per machine and cached.
#
# Usage: selftests/qemu/debug-kernel.sh            (prints shell assignments)
#        eval "$(selftests/qemu/debug-kernel.sh)"
#
# Prints the assignments fetch-kernel.sh prints for a Debian series
# (SERIES KVER KPKGVER KROOT KDIR VMLINUX VMLINUZ MODDIR KMAKEFLAGS
# KBUILD_WRAP), so that `fetch-kernel.sh 6.1-debug`, run-vm.sh and
# lm_build use it like any other kernel; progress goes to stderr.
# Cache: ${LEAKMON_CACHE:-/var/cache/leakmon}/debug-kernel/<key>/, the key
# being a hash of the source package version, debug.config's options and
# RECIPE; delete it to rebuild.  LEAKMON_DEBUG_JOBS sets make -j (default: CPUs).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=$(realpath -m -- "${LEAKMON_CACHE:-/var/cache/leakmon}")
PROG=debug-kernel.sh
TARBALL=/usr/src/linux-source-6.1.tar.xz
FRAGMENT=$HERE/debug.config

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

if [[ ! -f $TARBALL ]]; then
	"$HERE/deps.sh" linux-source-6.1 >&2 || die "cannot install linux-source-6.1"
fi
[[ -f $TARBALL ]] || die "$TARBALL is missing (package linux-source-6.1)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed"
# Bump RECIPE when the build steps below change what is built.
RECIPE=1
# The key ignores the fragment's comments and blank lines: a comment
# changed is no rebuild.
key=$( { echo "$srcver recipe $RECIPE"; grep -vE '^[[:space:]]*(#|$)' "$FRAGMENT"; } |
	sha256sum | cut -c1-16)
DIR=$CACHE/debug-kernel/$key
SRC=$DIR/src OBJ=$DIR/obj ROOT=$DIR/root

print_facts() {
	local kver
	kver=$(<"$DIR/kernelrelease")
	printf 'SERIES=%q\nKVER=%q\nKPKGVER=%q\nKROOT=%q\n' 6.1-debug "$kver" "$srcver" "$ROOT"
	# run-vm.sh boots VMLINUX: the bzImage (the ELF would need CONFIG_PVH)
	printf 'KDIR=%q\nVMLINUX=%q\nVMLINUZ=%q\n' "$OBJ" "$OBJ/arch/x86/boot/bzImage" \
		"$OBJ/arch/x86/boot/bzImage"
	printf 'MODDIR=%q\nKMAKEFLAGS=%q\nKBUILD_WRAP=%q\n' "$ROOT/lib/modules/$kver" "" ""
}

if [[ -f $DIR/.complete ]]; then
	print_facts
	exit 0
fi

mkdir -p "$CACHE/debug-kernel"
exec 9>"$CACHE/debug-kernel/.lock"
flock 9 || die "cannot lock $CACHE/debug-kernel/.lock"
if [[ -f $DIR/.complete ]]; then
	print_facts
	exit 0
fi

"$HERE/deps.sh" >&2 || die "installing the build dependencies failed"
start=$(date +%s)
rm -rf "$DIR"
mkdir -p "$SRC" "$OBJ" "$ROOT/boot"
msg "extracting $TARBALL ($srcver)"
tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 || die "cannot extract $TARBALL"

# Not niced: in make check everything of the debug kernel's lane waits for
# this build, the longest step of a run from an empty cache, while the VMs
# beside it are not waited for.
mk() { make -C "$SRC" O="$OBJ" "$@"; }
msg "configuring (allnoconfig + debug.config)"
mk -s allnoconfig >&2
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >&2 ||
	die "merge_config.sh failed"
mk -s olddefconfig >&2
# Every option of the fragment must have survived olddefconfig.
bad=()
while IFS= read -r line; do
	[[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]] || continue
	name=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
	if [[ $want == n ]]; then
		grep -qE "^CONFIG_$name=" "$OBJ/.config" && bad+=("CONFIG_$name should be off")
	else
		grep -qxF "CONFIG_$name=$want" "$OBJ/.config" ||
			bad+=("CONFIG_$name=$want is not set (got: $(grep -E "^(# )?CONFIG_${name}[= ]" "$OBJ/.config" || echo absent))")
	fi
done <"$FRAGMENT"
((${#bad[@]} == 0)) || die "the configuration lost options: ${bad[*]}"

jobs=${LEAKMON_DEBUG_JOBS:-$(nproc)}
msg "building bzImage and modules with -j$jobs (takes a while the first time)"
mk -s -j"$jobs" bzImage modules >"$DIR/build.log" 2>&1 ||
	{ tail -n 30 "$DIR/build.log" >&2; die "the kernel build failed (log: $DIR/build.log)"; }
mk -s kernelrelease >"$DIR/kernelrelease"
mk -s INSTALL_MOD_PATH="$ROOT" modules_install >>"$DIR/build.log" 2>&1 ||
	die "modules_install failed"
cp "$OBJ/vmlinux" "$ROOT/boot/vmlinux"
cp "$OBJ/.config" "$ROOT/boot/config"
msg "built $(<"$DIR/kernelrelease") in $(($(date +%s) - start)) s"
touch "$DIR/.complete"
find "$CACHE/debug-kernel" -mindepth 1 -maxdepth 1 -type d ! -path "$DIR" -exec rm -rf {} +
print_facts
