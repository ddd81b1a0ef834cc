#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a Debian kernel in QEMU, load leakmon, run the apache2
# reproducer next to a well-behaved socket-churning process and an
# fd-leaking one, and show what `leakmon status` and `leakmon top` say.
#
# Usage: selftests/demo.sh [SERIES]   (default 6.1)
set -euo pipefail

# shellcheck source=selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lm_build "${1:-6.1}"
out=$LM_BUILD/demo
rm -rf "$out"
mkdir -p "$out"
lm_msg "booting $KVER in QEMU (software emulation; about a minute)"
"$LM_TOP/selftests/qemu/run-vm.sh" --kernel "${1:-6.1}" --out "$out" \
	--env LEAKMON_KO="$LEAKMON_KO" --env LEAKBIND_KO="$LEAKBIND_KO" \
	--env LEAKMON_CLI="$LEAKMON_CLI_PLAIN" \
	--env LM_WORKLOAD="$LEAKMON_TESTS/lm_workload" \
	-- "$LM_TOP/selftests/guest/demo.sh"
