#!/bin/bash
# deps.sh - install the host packages that leakmon's build and QEMU test
# harness need.  Only missing packages are installed; silent when all present.
#
# Usage: selftests/qemu/deps.sh [EXTRA_PACKAGE...]
#
# Needs root (or sudo) only when something is missing.  Packages are installed
# with `apt-get install -y --no-install-recommends`.  Add new packages to the
# PACKAGES list below.
set -euo pipefail

PACKAGES=(
	# QEMU harness
	qemu-system-x86 busybox-static cpio zstd xz-utils kmod iproute2
	# out-of-tree module build against Debian's kernel headers
	gcc make bc flex bison libelf-dev libssl-dev dwarves sparse
	# build chroots for kernels whose headers need a newer toolchain (7.2)
	debootstrap
	# kselftest headers and checkpatch.pl are taken from the kernel source
	linux-source-6.1
	# userspace and tests; libnl for the netlink fuzzer (selftests/nl_fuzz.c);
	# clang and its libFuzzer runtime for the CLI's fuzzers (user/fuzz/);
	# valgrind for the CLI tests under memcheck (cli_test_valgrind)
	libmnl-dev pkg-config jq python3 libnl-genl-3-dev clang libclang-rt-14-dev
	valgrind
	# leakmon graph (cairo: PNG, SVG) and watch (ncursesw); the VM tests
	# drive watch in tmux and decode the PNG with python3-pil
	# (selftests/graph_test.sh)
	libcairo2-dev libncurses-dev tmux python3-pil
	# the recorder's rotated files are gzip'ed (user/record.c)
	zlib1g-dev
	# man page lint (selftests/man_test.sh)
	mandoc groff-base perl
	# the kernel's YNL client (selftests/ynl_test.sh)
	python3-yaml python3-jsonschema
	# Debian packages and DKMS (selftests/pkg_test.sh): dpkg-buildpackage,
	# lintian, and dkms with the host's installed kernel headers
	dpkg-dev debhelper dh-dkms dkms fakeroot lintian linux-headers-amd64
	# the bash completion is tested with the bash-completion framework
	bash-completion
	# systemd-analyze verify and security on the packaged units
	# (selftests/units_test.sh)
	systemd
	# make bench: bpftrace and bcc's memleak run in the guest, pahole reads
	# structure offsets from the kernel's BTF there (selftests/bench/)
	bpftrace bpfcc-tools
	# shared libraries of zabbix_agentd, zabbix_get and promtool, which
	# selftests/lib.sh unpacks from Debian's zabbix-agent,
	# zabbix-proxy-sqlite3 and prometheus packages (never installed: their
	# postinst starts services) for selftests/monitor_test.sh
	libmodbus5 libcurl3-gnutls libgnutls30 libldap-2.5-0 libpcre2-8-0
	# shared libraries of apache2 and ab, unpacked by selftests/lib.sh
	# from Debian's apache2-bin and apache2-utils (never installed) for
	# selftests/daemon_test.sh; nginx needs only libraries already here
	libapr1 libaprutil1
)
PACKAGES+=("$@")

die() { printf 'deps.sh: error: %s\n' "$*" >&2; exit 1; }

installed() {
	local status
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
	[[ $status == ii* ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
	installed "$pkg" || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || die "not root and no sudo; install by hand: ${missing[*]}"
	sudo=(sudo)
fi

printf 'deps.sh: installing: %s\n' "${missing[*]}" >&2
apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}" >&2; then
	# Stale package lists are the usual cause; refresh once and retry.
	printf 'deps.sh: install failed; running apt-get update and retrying\n' >&2
	"${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=600 update >&2 ||
		die "apt-get update failed"
	"${sudo[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}" >&2 ||
		die "apt-get install failed for: ${missing[*]}"
fi

still=()
for pkg in "${missing[@]}"; do
	installed "$pkg" || still+=("$pkg")
done
((${#still[@]} == 0)) || die "still missing after install: ${still[*]}"
