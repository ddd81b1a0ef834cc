#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP helpers shared by the shell selftests; source it after setting
# TAP_PREFIX (prepended to every description).  $failed is 1 once any test
# failed: exit with it.
# shellcheck disable=SC2034 # used by the scripts that source this
n=0 failed=0

# ok RC DESCRIPTION: one TAP line, "ok" when RC is 0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n ${TAP_PREFIX:-}$2"
	else
		echo "not ok $n ${TAP_PREFIX:-}$2"
		failed=1
	fi
}
