#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by bench.sh and profile.sh after selftests/lib.sh: builds what a
# benchmark VM runs for one kernel.
#
# lm_bench_prepare SERIES [REV]: leakmon.ko (lm_build, tag bench), the
# floor module, the workload program and, with REV, the module of that
# revision of the tree.  Sets LEAKMON_KO, FLOOR_KO, BENCH_BIN and B_KO
# (empty without REV), and everything lm_build sets.  Exits on failure.
# shellcheck disable=SC2034 # set for the scripts sourcing this

lm_bench_prepare() {
	local series=$1 rev=${2:-} fdir bdir

	LM_BUILD_TAG=bench lm_build "$series"
	fdir=$LM_BUILD/lm_floor
	rm -rf "$fdir"
	mkdir -p "$fdir/include/uapi/linux"
	cp "$LM_TOP/selftests/bench/floor/lm_floor.c" \
		"$LM_TOP/selftests/bench/floor/Kbuild" \
		"$LM_TOP"/kmod/{probe_table.h,compat.h,features.mk} "$fdir/"
	cp "$LM_TOP/include/uapi/linux/leakmon.h" "$fdir/include/uapi/linux/"
	lm_kbuild lm_floor.ko "$fdir"
	FLOOR_KO=$fdir/lm_floor.ko
	B_KO=''
	if [ -n "$rev" ]; then
		# the revision's module: its Kbuild, kmod/ and include/
		bdir=$LM_BUILD/leakmon_b
		rm -rf "$bdir"
		mkdir -p "$bdir"
		git -C "$LM_TOP" archive "$rev" Kbuild kmod include |
			tar -x -C "$bdir"
		lm_kbuild "leakmon.ko of $rev" "$bdir"
		B_KO=$bdir/leakmon.ko
	fi
	mkdir -p "$LM_BUILD/bench"
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$LM_BUILD/bench/lm_bench" \
		"$LM_TOP/selftests/bench/lm_bench.c" ||
		lm_die "building lm_bench failed"
	BENCH_BIN=$LM_BUILD/bench/lm_bench
}
