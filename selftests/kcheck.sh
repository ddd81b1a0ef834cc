#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the kernel code, as TAP: a W=1 build with -Werror, a
# sparse (C=2) run with no warnings, and checkpatch.pl --strict with no
# findings, on every kernel C file and header of the module, the reproducer
# and the UAPI header; and the probe path's layout (kmod/track.c).
# checkpatch comes from Debian's linux-source-6.1.
#
# Usage: selftests/kcheck.sh [SERIES]   (default 6.1)
set -uo pipefail

# shellcheck source=selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series=${1:-6.1}
TAP_PREFIX="kcheck: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

checkpatch_dir() {
	local dir=$LM_CACHE/checkpatch
	if [ ! -x "$dir/checkpatch.pl" ]; then
		lm_kselftest_headers >/dev/null
		lm_untar "$dir" /usr/src/linux-source-6.1.tar.xz 2 \
			linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch ||
			lm_die "cannot extract checkpatch.pl"
	fi
	echo "$dir"
}

"$LM_TOP/selftests/qemu/deps.sh" >&2 || lm_die "installing dependencies failed"
eval "$("$LM_TOP/selftests/qemu/fetch-kernel.sh" "$series")" ||
	lm_die "cannot fetch the $series kernel"
work=$LM_TOP/build/kcheck-$KVER
rm -rf "$work"
mkdir -p "$work/leakmon" "$work/leakbind" "$work/lm_floor/include/uapi/linux"
cp -r "$LM_TOP/Kbuild" "$LM_TOP/kmod" "$LM_TOP/include" "$work/leakmon/"
cp "$LM_TOP"/selftests/leakbind/{leakbind.c,Kbuild} "$work/leakbind/"
# the benchmark's floor module (selftests/bench/bench.sh builds it the same way)
cp "$LM_TOP"/selftests/bench/floor/{lm_floor.c,Kbuild} \
	"$LM_TOP"/kmod/{probe_table.h,compat.h,features.mk} \
	"$work/lm_floor/"
cp "$LM_TOP/include/uapi/linux/leakmon.h" "$work/lm_floor/include/uapi/linux/"

for m in leakmon leakbind lm_floor; do
	# shellcheck disable=SC2086
	${KBUILD_WRAP:+"$KBUILD_WRAP"} make -C "$KDIR" M="$work/$m" $KMAKEFLAGS \
		W=1 KCFLAGS=-Werror modules >"$work/$m-w1.log" 2>&1
	ok $? "$m builds with W=1 -Werror on $KVER"
	# The same flags again, so that nothing is compiled twice: sparse
	# alone runs over every file (C=2)
	# shellcheck disable=SC2086
	${KBUILD_WRAP:+"$KBUILD_WRAP"} make -C "$KDIR" M="$work/$m" $KMAKEFLAGS \
		W=1 KCFLAGS=-Werror C=2 modules >"$work/$m-sparse.log" 2>&1
	rc=$?
	warnings=$(grep -E '(warning|error):' "$work/$m-sparse.log" || true)
	[ -n "$warnings" ] && { echo "$warnings" | sed 's/^/# /'; rc=1; }
	ok $rc "sparse (C=2) clean for $m on $KVER"
done

# The probe path's functions each within one page (kmod/track.c), and
# each probe handler that ends in a jump to one (kmod/probe_table.h) in
# the same page: a section is page aligned where it holds one of them, so
# that its offsets give the pages.  The __pfx_ symbols (from 6.2) name
# the padding before a function; lm_save_arg0_ jumps nowhere.
ko=$work/leakmon/leakmon.ko
rc=0
declare -A sect addr size
while read -r name sec a sz; do
	sect[$name]=$sec addr[$name]=$((0x$a)) size[$name]=$((0x$sz))
done < <(objdump -t "$ko" 2>/dev/null | awk '$3 == "F" { print $NF, $4, $1, $5 }')
for f in lm_track_alloc lm_track_free lm_track_handover; do
	if [ -z "${addr[$f]:-}" ]; then
		echo "# $f: not in $ko"
		rc=1
	elif (( addr[$f] % 4096 + size[$f] > 4096 )); then
		echo "# $f: ends $(( addr[$f] % 4096 + size[$f] )) bytes into its page"
		rc=1
	fi
done
for h in "${!addr[@]}"; do
	[[ $h =~ _(kp|krp|fp|fpx)$ && ! $h =~ ^(__pfx_|lm_save_arg0_) ]] || continue
	case $h in
	*_handover_*) f=lm_track_handover ;;
	*_alloc_ret_*) f=lm_track_alloc ;;
	*) f=lm_track_free ;;
	esac
	if [ "${sect[$h]}" != "${sect[$f]:-}" ] ||
		(( addr[$h] / 4096 != ${addr[$f]:-0} / 4096 ||
		   addr[$h] % 4096 + size[$h] > 4096 )); then
		echo "# $h: not in the page of $f"
		rc=1
	fi
done
ok $rc "the probe path and its handlers within three pages on $KVER"

cp_dir=$(checkpatch_dir)
out=$("$cp_dir/checkpatch.pl" --strict --no-tree --terse --show-types -f \
	"$LM_TOP"/kmod/*.c "$LM_TOP"/kmod/*.h \
	"$LM_TOP"/include/uapi/linux/leakmon.h "$LM_TOP"/include/*.h \
	"$LM_TOP"/selftests/leakbind/leakbind.c \
	"$LM_TOP"/selftests/bench/floor/lm_floor.c 2>&1)
rc=$?
[ "$rc" -ne 0 ] && echo "$out" | sed 's/^/# /'
ok $rc "checkpatch.pl --strict clean"
exit $failed
