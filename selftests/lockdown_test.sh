#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# leakmon on a machine that loads only signed modules (Secure Boot): the
# unsigned test module is refused, and the CLI, finding no module, says why
# and points to README's "Secure Boot".  Runs LAST in a test VM
# (selftests/guest/run_tests.sh): module signatures enforced
# (module.sig_enforce, as if booted with module.sig_enforce=1), then the
# kernel locked down (lockdown=integrity, as Secure Boot does), and neither
# can be undone until the next boot.
#
# Environment: LEAKMON_KO (the module, unsigned), LEAKMON_CLI.
# TAP on stdout; exit 1 when a test failed, 4 when the kernel has neither
# switch (no CONFIG_MODULE_SIG, no lockdown LSM).
set -u
: "${LEAKMON_KO:?}" "${LEAKMON_CLI:?}"
TAP_PREFIX="lockdown: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

SIG=/sys/module/module/parameters/sig_enforce
LOCK=/sys/kernel/security/lockdown
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if [ ! -e "$SIG" ]; then
	echo "1..0 # SKIP the kernel does not check module signatures (CONFIG_MODULE_SIG)"
	exit 4
fi
if [ -d /sys/module/leakmon ]; then
	rmmod leakmon || { echo "not ok 1 ${TAP_PREFIX}rmmod leakmon"; exit 1; }
fi

# 1. Signatures enforced
echo 1 >"$SIG" 2>/dev/null
ok "$([ "$(cat "$SIG")" = Y ] && echo 0 || echo 1)" "module signatures enforced ($SIG: $(cat "$SIG"))"
insmod "$LEAKMON_KO" >"$out" 2>&1
rc=$?
sed 's/^/# insmod: /' "$out"
ok "$([ "$rc" -ne 0 ] && grep -q 'Key was rejected by service' "$out" && echo 0 || echo 1)" \
	"an unsigned leakmon.ko is refused: Key was rejected by service"
"$LEAKMON_CLI" status >"$out" 2>&1
rc=$?
sed 's/^/# leakmon status: /' "$out"
ok "$([ "$rc" -eq 3 ] && echo 0 || echo 1)" "status without the module exits 3 (got $rc)"
ok "$(grep -q 'module signatures are enforced, so only signed modules load' "$out" &&
	grep -q 'mokutil --import /var/lib/dkms/mok.pub' "$out" &&
	grep -q 'README, "Secure Boot"' "$out" && echo 0 || echo 1)" \
	"status says signatures are enforced and how to enroll DKMS's key"
# the two messages, nothing else
ok "$([ "$(wc -l <"$out")" -eq 2 ] && echo 0 || echo 1)" "two lines, no more"

# 2. Locked down (integrity), as under Secure Boot: named before signatures
if [ ! -e "$LOCK" ] && [ -d /sys/kernel/security ]; then
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
fi
if [ -w "$LOCK" ] && echo integrity >"$LOCK" 2>/dev/null; then
	"$LEAKMON_CLI" check unreachable >"$out" 2>&1
	rc=$?
	sed 's/^/# leakmon check unreachable: /' "$out"
	ok "$([ "$rc" -eq 3 ] && echo 0 || echo 1)" "locked down: check exits 3 (got $rc)"
	ok "$(grep -q 'the kernel is locked down (integrity), so only signed modules load' "$out" &&
		echo 0 || echo 1)" "locked down: the message names the lockdown mode"
else
	echo "ok $((n += 1)) ${TAP_PREFIX}locked down # SKIP no lockdown LSM in this kernel ($LOCK)"
	echo "ok $((n += 1)) ${TAP_PREFIX}locked down: the message # SKIP no lockdown LSM"
fi
echo "1..$n"
exit "$failed"
