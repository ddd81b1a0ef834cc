#!/bin/bash
# run-vm.sh - boot a Debian kernel under QEMU (TCG, no KVM) with the host's
# root filesystem shared read-only (virtio-9p, tmpfs overlay on top) and run
# one command in the guest.
#
# Usage: selftests/qemu/run-vm.sh [--kernel SERIES] [--out DIR] [--timeout SEC]
#                                 [--mem MB] [--env NAME=VALUE]... [--fresh-tmp]
#                                 [--init systemd] -- COMMAND [ARG...]
#
# COMMAND is a host path (the guest sees the host's files at the same paths;
# a relative path is taken from the current directory, which is also the
# guest's).  It runs as root with stdin from /dev/null; its stdout and stderr
# go to the guest's /dev/ttyS1, captured in DIR/guest.log and printed on
# stdout after the VM has stopped.  The kernel console is in DIR/console.log,
# the guest's full kernel log (dmesg, when the command finished) in
# DIR/dmesg.log.
#
# Exit status: the command's, or 1 if the kernel logged a problem (BUG,
# WARNING, Oops, ... each printed as "run-vm: kernel problem: ..."), the guest
# died before the command finished, or the timeout (default 1200 s) expired.
#
#   --kernel SERIES  kernel series known to fetch-kernel.sh (default 6.1)
#   --out DIR        where the logs go (default: a new /tmp/leakmon-vm.XXXXXX)
#   --timeout SEC    kill QEMU after SEC seconds (default 1200)
#   --mem MB         guest memory (default 1024; 3072 for a -debug series)
#   --smp N          guest CPUs (default 2)
#   --accel ACCEL    QEMU -accel value (default tcg,thread=single, or
#                    $LEAKMON_QEMU_ACCEL)
#   QEMU: qemu.sh's (bookworm-backports' QEMU 10 from the cache, else the
#   system's); $LEAKMON_QEMU=PATH or =system chooses another
#   --env NAME=VAL   export NAME=VAL in the guest (repeatable)
#   --fresh-tmp      mount an empty tmpfs on the guest's /tmp (by default the
#                    guest's /tmp shows the host's /tmp, writes go to RAM)
#   --append ARGS    more kernel command line parameters (repeatable)
#   --qemu-arg ARG   one more QEMU argument (repeatable; the profiler's
#                    -perfmap)
#   --init systemd   boot the host's systemd as PID 1 (target lm-vm.target:
#                    sysinit and basic.target, journald, no getty, nothing of
#                    multi-user.target) and run COMMAND in the oneshot service
#                    lm-vm.service, which ends the VM when it ends;
#                    by default a shell is PID 1 and runs COMMAND itself
#
# The guest has /proc, /sys, /dev (with /dev/fd), /dev/pts, /dev/shm, /run,
# /sys/fs/cgroup (cgroup2), /sys/kernel/debug, /sys/kernel/tracing,
# /sys/fs/bpf mounted, lo up, hostname leakmon-vm, HOME=/root, LEAKMON_VM=1,
# the kernel's modules at /lib/modules/$(uname -r) (read-only; modprobe
# works) and panic_on_warn=1 set.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=$(realpath -m -- "${LEAKMON_CACHE:-/var/cache/leakmon}")
PROG=run-vm

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }
usage() { # full help with --help, the synopsis after a usage error
	if [[ ${1:-2} == 0 ]]; then
		sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
	else
		sed -n '/^# Usage:/,/^#$/{/^#$/d;s/^# \{0,1\}//p}' "$0" >&2
		echo "(--help for details)" >&2
	fi
	exit "${1:-2}"
}

SERIES=6.1 OUT='' TIMEOUT=1200 MEM='' SMP=2 FRESH_TMP=0 EXTRA_APPEND='' INIT_SYSTEM=sh
# Multi-threaded TCG runs each vCPU in its own host thread and does not keep
# them coherent while the kernel patches its own code (kprobes, ftrace,
# static keys): under load a vCPU executes half-patched instructions
# (NULL-pointer calls at a patched call site, or a CPU stuck on a removed
# int3).  Round-robin TCG (thread=single) emulates the same 2 vCPUs exactly.
ACCEL=${LEAKMON_QEMU_ACCEL:-tcg,thread=single}
ENVS=() QEMU_ARGS=()
while (($#)); do
	case $1 in
	--kernel) SERIES=${2:?--kernel needs a value}; shift 2 ;;
	--out) OUT=${2:?--out needs a value}; shift 2 ;;
	--timeout) TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
	--mem) MEM=${2:?--mem needs a value}; shift 2 ;;
	--smp) SMP=${2:?--smp needs a value}; shift 2 ;;
	--accel) ACCEL=${2:?--accel needs a value}; shift 2 ;;
	--env)
		[[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env needs NAME=VALUE, got '${2:-}'"
		ENVS+=("$2"); shift 2 ;;
	--fresh-tmp) FRESH_TMP=1; shift ;;
	--init)
		[[ ${2:-} == systemd ]] || die "--init takes systemd, got '${2:-}'"
		INIT_SYSTEM=systemd; shift 2 ;;
	--append)
		[[ ${2:-} =~ ^[A-Za-z0-9_.,=\ -]+$ ]] || die "--append takes plain name[=value] words, got '${2:-}'"
		EXTRA_APPEND+=" $2"; shift 2 ;;
	--qemu-arg) QEMU_ARGS+=("${2:?--qemu-arg needs a value}"); shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	*) msg "unknown argument '$1' (the guest command goes after --)"; usage ;;
	esac
done
(($#)) || { msg "no guest command given"; usage; }
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
# KASAN's shadow takes an eighth of the memory, kmemleak and lockdep more,
# and leakmon_scale's 10,000 processes have 32 KiB kernel stacks there.
[[ -n $MEM ]] || { [[ $SERIES == *-debug ]] && MEM=3072 || MEM=1024; }
# The debug kernel (6.1 with KASAN and 5-level paging built in) dies at boot
# on a CPU with LA57: "KASAN: wild-memory-access in rcu_is_watching" from
# an interrupt during identify_cpu().  Its guest runs with 4-level paging.
CPU=max
[[ $SERIES != *-debug ]] || CPU=max,la57=off
[[ $MEM =~ ^[1-9][0-9]*$ ]] || die "--mem must be a positive number of MB"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die "--smp must be a positive number"

for tool in qemu-system-x86_64 cpio modprobe timeout; do
	command -v "$tool" >/dev/null || die "$tool not found; run $HERE/deps.sh"
done
# bookworm-backports' QEMU 10 (2.5 times as fast at the guests' process
# starts as Debian 12's 7.2), else the system's: qemu.sh
QEMU=$("$HERE/qemu.sh") || die "qemu.sh found no QEMU to run"
QEMU_VERSION=$("$QEMU" --version 2>/dev/null | awk 'NR == 1 { print $4 }') || true
[[ -x /bin/busybox ]] || die "/bin/busybox not found; run $HERE/deps.sh"
[[ $INIT_SYSTEM != systemd || -x /lib/systemd/systemd ]] ||
	die "--init systemd: /lib/systemd/systemd not found (package systemd)"

# Guest command: resolve relative script paths against the current directory.
CMD=("$@")
if [[ ${CMD[0]} == */* ]]; then
	[[ -e ${CMD[0]} ]] || die "guest command not found: ${CMD[0]}"
	CMD[0]=$(realpath -- "${CMD[0]}")
	[[ -x ${CMD[0]} ]] || die "guest command is not executable: ${CMD[0]}"
	if ((FRESH_TMP)) && [[ ${CMD[0]} == /tmp/* ]]; then
		die "--fresh-tmp hides ${CMD[0]} from the guest (it is under /tmp)"
	fi
fi

# --------------------------------------------------------------- the kernel
KVER='' VMLINUX='' MODDIR=''
kinfo=$("$HERE/fetch-kernel.sh" "$SERIES") || die "fetch-kernel.sh $SERIES failed"
eval "$kinfo"
[[ -f $VMLINUX && -d $MODDIR ]] || die "fetch-kernel.sh gave no usable kernel for $SERIES"
# The guest binds MODDIR under the overlay's root, where an absolute
# symbolic link on the way would resolve to the initramfs's own root.
MODDIR=$(realpath "$MODDIR")

# ------------------------------------------------------ initramfs (cached)
# /init (busybox, PID 1 in the initramfs): load the 9p and overlay modules,
# mount the host's root read-only under a tmpfs overlay, prepare every mount
# of the guest there, then switch_root to STAGE2.  Doing the mounts here with
# the static busybox is much faster than with the host's tools over 9p.
# @KVER@ and @MODDIR@ are filled in when the initramfs is built; the job file
# path and --fresh-tmp come in as kernel command line parameters.
# shellcheck disable=SC2016 # guest-side scripts: expand in the guest
INIT='#!/bin/busybox sh
/bin/busybox mkdir -p /dev /proc /sys /lower /upper /newroot
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin
# The VM ends with a reboot, which ends QEMU (-no-reboot): the debug
# kernel ignored SysRq o (power off) from here.
fail() {
	echo "leakmon-initramfs: $*"
	echo b >/proc/sysrq-trigger
	sleep 60
	# not rebooted: PID 1 exits, the kernel panics (panic=-1), QEMU
	# ends; never on to the job as if nothing failed
	exit 1
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in $(cat /modules.list); do
	insmod "/modules/$m.ko" || fail "insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose root /lower ||
	fail "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 upper /upper
mkdir -p /upper/upper /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/upper,workdir=/upper/work overlay /newroot ||
	fail "cannot mount the overlay"
R=/newroot
mnt() { # TYPE DIR [OPTIONS]
	mkdir -p "$R$2" && mount -t "$1" ${3:+-o "$3"} "$1" "$R$2" || fail "cannot mount $1 on $2"
}
mnt tmpfs /run mode=0755,nosuid,nodev
mkdir -p $R/run/leakmon
cp /bin/busybox /stage2 $R/run/leakmon/
cp "/lower$leakmon_job" $R/run/leakmon/job || fail "cannot read job file $leakmon_job"
for d in dev proc sys; do mount --move "/$d" "$R/$d"; done
# What udev would add to devtmpfs; bash needs /dev/fd for <(...).
ln -sfn /proc/self/fd $R/dev/fd
for i in 0:stdin 1:stdout 2:stderr; do ln -sfn "/proc/self/fd/${i%%:*}" "$R/dev/${i#*:}"; done
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=666
mnt tmpfs /dev/shm mode=1777,nosuid,nodev
mnt cgroup2 /sys/fs/cgroup
mnt debugfs /sys/kernel/debug
mnt tracefs /sys/kernel/tracing
mnt bpf /sys/fs/bpf
mnt securityfs /sys/kernel/security
[ "$leakmon_tmp" = fresh ] && mnt tmpfs /tmp mode=1777,nosuid,nodev
mkdir -p "$R/lib/modules/@KVER@" && mount --bind "$R@MODDIR@" "$R/lib/modules/@KVER@" ||
	fail "cannot bind @MODDIR@ to /lib/modules/@KVER@"
hostname leakmon-vm
ip link set lo up || fail "cannot set lo up"
stty -F $R/dev/ttyS1 raw -echo
if [ "$leakmon_init" = systemd ]; then
	mkdir -p $R/run/systemd/system
	cp /lm-vm.target /lm-vm.service $R/run/systemd/system/
	# a docker image leaves /.dockerenv: systemd would take the VM for a
	# container (and ignore the kernel command line)
	rm -f $R/.dockerenv $R/run/.containerenv
	# tmp.conf of Debian empties /tmp at boot ("D"): here the /tmp of the host
	mkdir -p $R/run/tmpfiles.d
	echo "d /tmp 1777 root root -" >$R/run/tmpfiles.d/tmp.conf
	exec switch_root $R /lib/systemd/systemd --unit=lm-vm.target \
		--show-status=1 --log-color=0
fi
exec switch_root $R /run/leakmon/busybox sh /run/leakmon/stage2
'
# --init systemd: the boot's target (systemd --unit=) and the service that
# runs STAGE2.  Runtime units (/run/systemd/system) win over the host's.
# Only what these pull in starts: sysinit.target (journald, tmpfiles,
# udev, the host's sysinit.target.wants), basic.target, timers and sockets.
VM_TARGET='[Unit]
Description=leakmon test VM
Requires=lm-vm.service
After=lm-vm.service
AllowIsolate=yes
'
VM_SERVICE='[Unit]
Description=leakmon test job (then the VM ends)
After=basic.target systemd-journald.socket
[Service]
Type=oneshot
ExecStart=/run/leakmon/busybox sh /run/leakmon/stage2
StandardInput=null
StandardOutput=journal+console
TimeoutStartSec=infinity
'
# STAGE2 (busybox sh, PID 1 on the host's root, or lm-vm.service under
# --init systemd): run the job, write the markers, dump the kernel log,
# end the VM.
# shellcheck disable=SC2016 # guest-side script
STAGE2='export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb LEAKMON_VM=1
BB=/run/leakmon/busybox
end_vm() { # a reboot: QEMU ends (-no-reboot)
	$BB sync
	echo b >/proc/sysrq-trigger
	$BB sleep 60
	exit 1
}
. /run/leakmon/job || {
	echo "leakmon-vm: cannot read /run/leakmon/job" >/dev/console
	end_vm
}
cd "$LEAKMON_CWD" 2>/dev/null || cd /
unset LEAKMON_CWD
exec 3>/dev/ttyS1
read -r up _ </proc/uptime
echo "LEAKMON-GUEST-START $up" >&3
"$@" </dev/null >&3 2>&3
rc=$?
echo "LEAKMON-GUEST-EXIT $rc" >&3
$BB stty -F /dev/ttyS1 raw -echo # returns once the output is sent
exec 3>&-
if [ -e /dev/ttyS2 ]; then
	$BB dmesg >/dev/ttyS2 2>&1
	$BB stty -F /dev/ttyS2 raw -echo
fi
end_vm
'

# Modules (and their dependencies, in load order) for 9p and overlay.
modbase=${MODDIR%/lib/modules/"$KVER"}
mapfile -t modlines < <(modprobe -d "$modbase" -S "$KVER" --show-depends -a \
	virtio_pci 9pnet_virtio 9p overlay 2>&1) || true
MODFILES=()
for l in "${modlines[@]}"; do
	case $l in
	insmod\ *)
		read -r _ f _ <<<"$l"
		[[ " ${MODFILES[*]} " == *" $f "* ]] || MODFILES+=("$f") ;;
	builtin\ *) ;;
	*) die "modprobe --show-depends for $KVER: $l" ;;
	esac
done
((${#MODFILES[@]})) || msg "note: 9p/overlay/virtio are all built into $KVER"

build_initramfs() { # OUTFILE
	local out=$1 stage f name list=()
	stage=$(mktemp -d "${TMPDIR:-/tmp}/leakmon-initramfs.XXXXXX")
	mkdir -p "$stage/bin" "$stage/modules"
	cp /bin/busybox "$stage/bin/busybox"
	local init=${INIT//@KVER@/$KVER}
	printf '%s' "${init//@MODDIR@/$MODDIR}" >"$stage/init"
	printf '%s' "$STAGE2" >"$stage/stage2"
	printf '%s' "$VM_TARGET" >"$stage/lm-vm.target"
	printf '%s' "$VM_SERVICE" >"$stage/lm-vm.service"
	chmod 755 "$stage/init" "$stage/stage2"
	for f in "${MODFILES[@]}"; do
		name=$(basename "$f")
		case $f in
		*.ko) cp "$f" "$stage/modules/$name" ;;
		*.ko.xz) name=${name%.xz}; xz -dc "$f" >"$stage/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -dcq "$f" >"$stage/modules/$name" ;;
		*.ko.gz) name=${name%.gz}; gzip -dc "$f" >"$stage/modules/$name" ;;
		*) die "unexpected module file $f" ;;
		esac
		list+=("${name%.ko}")
	done
	printf '%s\n' "${list[@]}" >"$stage/modules.list"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out.tmp.$$" || die "cpio failed"
	mv "$out.tmp.$$" "$out"
	rm -rf "$stage"
}

key=$( { printf '%s\n' "$KVER" "$MODDIR" "$INIT" "$STAGE2" "$VM_TARGET" "$VM_SERVICE" \
	"${MODFILES[@]}"; sha256sum /bin/busybox; } |
	sha256sum | cut -c1-16)
INITRD=$CACHE/kernels/$KVER/initramfs-$key.cpio
if [[ ! -s $INITRD ]]; then
	mkdir -p "$CACHE/kernels/$KVER"
	exec 8>"$CACHE/kernels/$KVER/.initramfs.lock"
	flock 8
	if [[ ! -s $INITRD ]]; then
		msg "building initramfs for $KVER"
		build_initramfs "$INITRD"
		find "$CACHE/kernels/$KVER" -maxdepth 1 -name 'initramfs-*.cpio' ! -path "$INITRD" -delete
	fi
	exec 8>&-
fi

# ------------------------------------------------------------- the run
if [[ -z $OUT ]]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/leakmon-vm.XXXXXX")
else
	mkdir -p "$OUT" || die "cannot create $OUT"
fi
OUT=$(realpath -- "$OUT")
[[ $OUT =~ ^[A-Za-z0-9_./+-]+$ ]] ||
	die "--out path must not contain spaces or special characters: $OUT"
# shq WORD: quote WORD for a POSIX shell.
shq() { local sq="'" esc="'\\''"; printf "'%s'" "${1//$sq/$esc}"; }

CONSOLE=$OUT/console.log GUEST=$OUT/guest.log DMESG=$OUT/dmesg.log JOB=$OUT/job.sh
rm -f "$CONSOLE" "$GUEST" "$DMESG"

{
	# POSIX sh (busybox) syntax: the guest sources this file.
	printf 'LEAKMON_CWD=%s\n' "$(shq "$PWD")"
	for e in ${ENVS[@]+"${ENVS[@]}"}; do
		printf 'export %s=%s\n' "${e%%=*}" "$(shq "${e#*=}")"
	done
	printf 'set --'
	for a in "${CMD[@]}"; do printf ' %s' "$(shq "$a")"; done
	printf '\n'
} >"$JOB"

APPEND="console=ttyS0 loglevel=5 panic=-1 panic_on_warn=1 oops=panic"
APPEND+=" rdinit=/init leakmon_job=$JOB"
# Under TCG a vCPU is a host thread's time slice: when the host is busy
# (check.sh runs two VMs on two CPUs) a guest CPU can stand still for tens
# of seconds and the soft-lockup detector, at its default 20 s, reports a
# "BUG: soft lockup" in whatever code it stopped in (seen in depmod's page
# fault).  At its maximum, 60 (120 s), a real lockup is still reported.
APPEND+=" watchdog_thresh=60"
# Timestamps on every console line (the debug config has no PRINTK_TIME):
# where a slow run spent its time.
APPEND+=" printk.time=1"
# A transparent huge page is cleared in one page fault, 2 MiB of
# instruction-by-instruction emulation: with both vCPUs in such faults
# (dpkg-deb's xz threads in pkg_test) the guest reported RCU stalls and
# stood still for minutes.  Nothing tested here needs huge pages.
APPEND+=" transparent_hugepage=never"
# A debug kernel (KASAN, lockdep) runs ACPI's _PRT method so slowly under
# TCG that it hits the AML loop timeout: PCI INTx then has no routing and
# the 9p root no interrupt (the guest hangs before /init).  acpi=noirq
# routes PCI interrupts without ACPI.
[[ $SERIES != *-debug ]] || APPEND+=" acpi=noirq"
# On the debug kernel (CONFIG_FAILSLAB), leakmon's two caches are marked for
# fault injection (SLAB_FAILSLAB), so that leakmon_faults' failslab test can
# fail their allocations and nothing else's.
[[ $SERIES != *-debug ]] || APPEND+=" slub_debug=A,leakmon_obj,leakmon_owner"
if ((FRESH_TMP)); then APPEND+=" leakmon_tmp=fresh"; fi
[[ $INIT_SYSTEM != systemd ]] || APPEND+=" leakmon_init=systemd"
APPEND+=$EXTRA_APPEND
# shellcheck disable=SC2054 # commas are part of QEMU option values
qemu=(
	"$QEMU" -accel "$ACCEL" -cpu "$CPU" -m "$MEM" -smp "$SMP"
	-nographic -no-reboot -nodefaults -no-user-config -monitor none
	-kernel "$VMLINUX" -initrd "$INITRD" -append "$APPEND"
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap
	-chardev "file,id=s0,path=${CONSOLE//,/,,}" -serial chardev:s0
	-chardev "file,id=s1,path=${GUEST//,/,,}" -serial chardev:s1
	-chardev "file,id=s2,path=${DMESG//,/,,}" -serial chardev:s2
	${QEMU_ARGS[@]+"${QEMU_ARGS[@]}"}
)
start=$(date +%s.%N)
qrc=0
# QEMU's CPU time (user + system, from bash's `time`): a VM that uses much
# less than its wall time waits (sleeps, timers) and leaves the CPU to
# others.
cpu=$({ TIMEFORMAT='%U %S'; time timeout --kill-after=10 "$TIMEOUT" "${qemu[@]}" \
	</dev/null >"$OUT/qemu.log" 2>&1 || echo "qrc $?" >&2; } 2>&1)
[[ $cpu =~ qrc\ ([0-9]+) ]] && qrc=${BASH_REMATCH[1]}
cpu=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%.0f", $1 + $2 }' <<<"$cpu")
end=$(date +%s.%N)
for f in "$CONSOLE" "$GUEST" "$DMESG"; do
	# drop \r and SeaBIOS's terminal escapes
	[[ -f $f ]] && sed -i 's/\r//g; s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' "$f"
	touch "$f"
done

# Guest output without our markers (the exit marker may follow output that
# did not end in a newline).
awk '/^LEAKMON-GUEST-START [0-9.]+$/ { next }
     match($0, /LEAKMON-GUEST-EXIT [0-9]+$/) {
	if (RSTART > 1) print substr($0, 1, RSTART - 1)
	next
     }
     { print }' "$GUEST"

up=$(sed -n 's/^LEAKMON-GUEST-START \([0-9.]*\)$/\1/p' "$GUEST" | head -n1)
msg "kernel $KVER, QEMU ${QEMU_VERSION:-?}; guest command started at uptime ${up:-?} s; VM ran $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s, QEMU used ${cpu:-?} s of CPU; logs in $OUT"

status=0
PROBLEMS='BUG:|kernel BUG at|WARNING:|Oops|KASAN|UBSAN:|lockdep|possible circular|kmemleak|Kernel panic|general protection|RCU stall|rcu.*detected stall|INFO: task .* blocked'
# What the debug kernel logs at boot and when kmemleak's scan thread is
# turned off (its dmesg reaches DMESG whole when the log did not wrap).
BENIGN='RCU lockdep checking is enabled|kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread (started|ended))'
problems=$(cat "$CONSOLE" "$DMESG" | grep -E -- "$PROBLEMS" | grep -vE -- "$BENIGN" |
	awk '!seen[$0]++' || true)
if [[ -n $problems ]]; then
	while IFS= read -r l; do printf '%s: kernel problem: %s\n' "$PROG" "$l" >&2; done <<<"$problems"
	status=1
fi

rc=$(sed -n 's/.*LEAKMON-GUEST-EXIT \([0-9][0-9]*\)$/\1/p' "$GUEST" | tail -n1)
if ((qrc == 124 || qrc == 137)); then
	msg "timeout: killed QEMU after $TIMEOUT s; last lines of $CONSOLE:"
	tail -n 30 "$CONSOLE" >&2
	exit 1
elif ((qrc != 0)); then
	msg "QEMU failed (exit $qrc):"
	tail -n 20 "$OUT/qemu.log" >&2
	exit 1
elif [[ -z $rc ]]; then
	msg "the guest died before the command finished; last lines of $CONSOLE:"
	tail -n 30 "$CONSOLE" >&2
	exit 1
fi
((status == 0)) || exit "$status"
exit "$rc"
