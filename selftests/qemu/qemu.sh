#!/bin/bash
# qemu.sh - the QEMU that runs leakmon's test VMs: bookworm-backports'
# qemu-system-x86 (QEMU 10) unpacked into the cache, never installed, or
# the system's (Debian 12: QEMU 7.2) when that cannot be had.
#
# Usage: selftests/qemu/qemu.sh            prints the command to run
#        selftests/qemu/qemu.sh --update   the same, after looking for a
#                                          newer version (make check, once)
#
# Why: the VMs run under TCG, and QEMU 10 runs what the tests do most,
# start processes, about two and a half times as fast as 7.2 (300 fork and
# exec of /bin/true in the 6.1 guest: 12-17 s on 7.2, 5-7 s on 10.0;
# valgrind's and python3's starts about the same on both).
#
# The packages (qemu-system-x86, -common, -data and seabios) come with
# `fetch-kernel.sh --download 6.12`: apt-get download from the apt sources
# of the 6.12 kernel, whose suite is bookworm-backports.  Their shared
# libraries are Debian 12's, which deps.sh installs with the system's
# qemu-system-x86; a QEMU that does not start (a library missing, another
# release) is not used.
#
# LEAKMON_QEMU=PATH: run PATH; LEAKMON_QEMU=system: the system's
# qemu-system-x86_64.  Messages go to stderr.
# Cache: ${LEAKMON_CACHE:-/var/cache/leakmon}/qemu/<version>/, and
# qemu/current naming the one in use; delete qemu/ to unpack again.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=$(realpath -m -- "${LEAKMON_CACHE:-/var/cache/leakmon}")
PROG=qemu.sh
PKGS=(qemu-system-x86 qemu-system-common qemu-system-data seabios)
DIR=$CACHE/qemu

msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

system_qemu() {
	command -v qemu-system-x86_64 || {
		msg "error: qemu-system-x86_64 not found (selftests/qemu/deps.sh installs it)"
		exit 1
	}
}

case ${LEAKMON_QEMU:-} in
'') ;;
system) system_qemu; exit 0 ;;
*) printf '%s\n' "$LEAKMON_QEMU"; exit 0 ;;
esac
UPDATE=0
case ${1:-} in
'') ;;
--update) UPDATE=1 ;;
*) msg "usage: $PROG [--update]"; exit 2 ;;
esac

# current: the wrapper of the version in use, if it is complete
current() {
	local v
	v=$(readlink "$DIR/current" 2>/dev/null) || return 1
	[[ -f $DIR/$v/.complete ]] || return 1
	printf '%s\n' "$DIR/$v/qemu-system-x86_64"
}

if ((!UPDATE)) && current; then
	exit 0
fi
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
if ((!UPDATE)) && current; then
	exit 0
fi

# fall_back WHY: the version in use if there is one, else the system's
fall_back() {
	if current; then
		msg "$1; keeping $(readlink "$DIR/current")"
	else
		msg "$1; running the system's $(qemu-system-x86_64 --version 2>/dev/null | head -n 1)"
		system_qemu
	fi
	exit 0
}

debs=$("$HERE/fetch-kernel.sh" --download 6.12 "${PKGS[@]}") ||
	fall_back "cannot download ${PKGS[*]} from bookworm-backports"
ver=$(dpkg-deb -f "$(head -n 1 <<<"$debs")" Version) ||
	fall_back "cannot read the version of $(head -n 1 <<<"$debs")"
ver=${ver//:/_}
if [[ -f $DIR/$ver/.complete ]]; then
	ln -sfn "$ver" "$DIR/current"
	current
	exit 0
fi
rm -rf "${DIR:?}/$ver"
mkdir -p "$DIR/$ver/root"
while IFS= read -r deb; do
	dpkg-deb -x "$deb" "$DIR/$ver/root" || fall_back "cannot unpack $deb"
done <<<"$debs"
R=$DIR/$ver/root
# Its firmware and option ROMs, not the system QEMU's (-L, first found wins)
printf '#!/bin/bash\nexec %q -L %q -L %q "$@"\n' "$R/usr/bin/qemu-system-x86_64" \
	"$R/usr/share/qemu" "$R/usr/share/seabios" >"$DIR/$ver/qemu-system-x86_64"
chmod +x "$DIR/$ver/qemu-system-x86_64"
if ! out=$("$DIR/$ver/qemu-system-x86_64" --version 2>&1); then
	rm -rf "${DIR:?}/$ver"
	fall_back "bookworm-backports' QEMU $ver does not start here: $(head -n 3 <<<"$out" | tr '\n' ' ')"
fi
touch "$DIR/$ver/.complete"
ln -sfn "$ver" "$DIR/current"
msg "unpacked $(head -n 1 <<<"$out")"
find "$DIR" -mindepth 1 -maxdepth 1 -type d ! -name "$ver" -exec rm -rf {} +
current
