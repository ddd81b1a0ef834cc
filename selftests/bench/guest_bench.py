#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs inside the benchmark VM (started by selftests/bench/bench.sh).

In one boot: every workload under every configuration, in interleaved
rounds (the order of the configurations rotates from round to round), then
leakmon's memory per tracked object and per owner, and the time of
`leakmon top --json` at growing owner counts.  Progress goes to stdout as
"# " lines; the results as one JSON document between the lines
LEAKMON-BENCH-JSON-BEGIN and LEAKMON-BENCH-JSON-END.

Environment: LEAKMON_KO, LM_FLOOR_KO, LM_BENCH (the workload program),
LEAKMON_CLI (the plain, unsanitized CLI), LEAKMON_SRC (the source tree),
LEAKMON_KDIR (the kernel's headers, for bcc), BENCH_ROUNDS, BENCH_SMOKE
(1: small counts), BENCH_CONFIGS (comma list, default all), LEAKMON_B_KO
and BENCH_B (another revision's module and its name: the leakmon_b
configuration), BENCH_CLOCK (wall, or icount: QEMU runs with -icount
shift=0, and every time measured here is a count of guest instructions,
one per virtual nanosecond).
"""

import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

KO = os.environ["LEAKMON_KO"]
FLOOR_KO = os.environ["LM_FLOOR_KO"]
BENCH = os.environ["LM_BENCH"]
CLI = os.environ["LEAKMON_CLI"]
SRC = os.environ["LEAKMON_SRC"]
KDIR = os.environ.get("LEAKMON_KDIR", "")
KO_B = os.environ.get("LEAKMON_B_KO", "")
SMOKE = os.environ.get("BENCH_SMOKE", "0") == "1"
CLOCK = os.environ.get("BENCH_CLOCK", "wall")
# what a nanosecond of this guest's clock is
UNIT = "insns" if CLOCK == "icount" else "ns"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if SMOKE else "5"))
ALL_CONFIGS = ["baseline", "floor", "leakmon", "bpftrace", "bcc_memleak"]
# On request (BENCH_CONFIGS): floor_kprobe and leakmon_kprobe, the two
# modules with probe_mechanism=kprobe, where the default (auto) takes
# fprobes: both mechanisms side by side in one boot.
# With another revision's module (bench.sh, BENCH_B): leakmon_b, and by
# default only what a comparison of the two needs.
DEFAULT_CONFIGS = (["baseline", "floor", "leakmon", "leakmon_b"] if KO_B
                   else ALL_CONFIGS)
CONFIGS = [c for c in os.environ.get("BENCH_CONFIGS", ",".join(DEFAULT_CONFIGS)).split(",") if c]
# The configurations that load leakmon (one of the two modules)
LEAKMONS = ("leakmon", "leakmon_kprobe", "leakmon_b")

# Iterations per run: about a second each for the baseline under TCG.
if SMOKE:
    WORKLOADS = {"sock": 2000, "sock2": 1000, "open": 2000, "tcp": 200}
    MEM_SOCKETS = [1000, 3000]
    DUMP_OWNERS = [100, 300, 1000]
    DUMP_REPEAT = 3
else:
    WORKLOADS = {"sock": 30000, "sock2": 15000, "open": 60000, "tcp": 3000}
    MEM_SOCKETS = [10000, 100000]
    DUMP_OWNERS = [1000, 10000, 100000]
    DUMP_REPEAT = 5

BPFTRACE_SCRIPT = os.path.join(SRC, "selftests/bench/live.bt")
TRACER_START_TIMEOUT = 600  # seconds: LLVM/clang under TCG are slow


T0 = time.monotonic()


def log(msg):
    """A progress line, with the seconds since the start: where a slow run
    spent its time."""
    print(f"# {time.monotonic() - T0:6.1f} s  {msg}", flush=True)


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, text=True, capture_output=True, **kw)


def modules_loaded():
    with open("/proc/modules") as f:
        return {line.split()[0] for line in f}


def insmod(ko, *params):
    r = run(["insmod", ko, *params], check=False)
    if r.returncode:
        raise RuntimeError(f"insmod {ko} {' '.join(params)}: {r.stderr.strip()}")


def rmmod(name):
    if name in modules_loaded():
        r = run(["rmmod", name], check=False)
        if r.returncode:
            raise RuntimeError(f"rmmod {name}: {r.stderr.strip()}")


def status():
    return json.loads(run([CLI, "status", "--json"]).stdout)


def kind_counters(st):
    keys = ["missed_alloc", "missed_free", "untracked", "replaced"]
    return {k: sum(kd.get(k, 0) for kd in st["kinds"].values()) for k in keys}


# What leakmon's handlers did, per kind: the mix of a workload's operation
EVENTS = ["tracked", "freed", "unknown_frees", "handed_over"]


def kind_events(st):
    return {f"{kind}.{e}": kd.get(e, 0)
            for kind, kd in st["kinds"].items() for e in EVENTS}


KPROBE_LIST = "/sys/kernel/debug/kprobes/list"


def kprobes_registered():
    """The kprobes and kretprobes registered and enabled in the kernel right
    now (a perf kprobe is registered disabled, then enabled once its program
    is attached)."""
    with open(KPROBE_LIST) as f:
        return sum(1 for line in f if "[DISABLED]" not in line)


class Tracer:
    """A tracer started in the background; ready once it says it attached
    and, for one that sets kprobes, once that many more are registered: a
    tracer prints its attach message before it attaches, and a loaded host
    can stretch the time between the two past any fixed wait."""

    def __init__(self, name, cmd, ready_text, env=None, kprobes=0):
        self.name, self.cmd, self.ready_text = name, cmd, ready_text
        self.env = env
        self.kprobes = kprobes
        self.proc = None
        self.exit = None  # how the last run ended: its exit code, or "killed"
        self.log = f"/run/bench-{name}.log"

    def start(self):
        out = open(self.log, "w")
        want = kprobes_registered() + self.kprobes if self.kprobes else 0
        self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < TRACER_START_TIMEOUT:
            time.sleep(0.5)
            text = open(self.log, errors="replace").read()
            if self.ready_text in text and (not want or kprobes_registered() >= want):
                time.sleep(1)  # tracepoints have no such list: a margin
                return time.monotonic() - t0
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): "
                                   + " | ".join(text.strip().splitlines()[-4:]))
        self.stop()
        raise RuntimeError(f"{self.name} did not attach within {TRACER_START_TIMEOUT} s")

    def stop(self):
        """SIGINT, then SIGKILL after 120 s; returns the seconds it took
        (about one, for bpftrace and memleak)."""
        t0 = time.monotonic()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.exit = self.proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                self.exit = "killed"
        elif self.proc:
            self.exit = self.proc.returncode
        self.proc = None
        return time.monotonic() - t0

    def output(self):
        try:
            return open(self.log, errors="replace").read()
        except OSError:
            return ""


def btf_offset(struct, member):
    """Offset of struct.member in the running kernel, from its BTF (pahole)."""
    r = run(["pahole", "-F", "btf", "-C", struct, "/sys/kernel/btf/vmlinux"],
            check=False)
    for line in r.stdout.splitlines():
        fields = line.split(";", 1)
        if len(fields) == 2 and fields[0].split()[-1:] == [member]:
            return int(fields[1].split()[1])
    raise RuntimeError(f"no offset for {struct}.{member} in the kernel's BTF "
                       f"(pahole: {r.stderr.strip()[-200:]})")


def bpftrace_kprobes():
    """The kprobes and kretprobes bpftrace's script registers."""
    with open(BPFTRACE_SCRIPT) as f:
        return sum(1 for line in f if re.match(r"k(ret)?probe:", line))


def bpftrace_args():
    return [str(btf_offset(*m)) for m in (("socket_alloc", "vfs_inode"),
                                          ("file", "f_security"),
                                          ("sock", "sk_security"),
                                          ("inode", "i_sb"),
                                          ("super_block", "s_magic"))]


def bcc_env():
    """bcc compiles memleak against /lib/modules/$(uname -r)/build."""
    rel = platform.release()
    moddir = f"/lib/modules/{rel}"
    build = os.path.join(moddir, "build")
    if not KDIR or not os.path.isdir(KDIR):
        raise RuntimeError("no kernel headers (LEAKMON_KDIR) for bcc")
    if os.path.realpath(build) != os.path.realpath(KDIR):
        if os.path.lexists(build):
            os.remove(build)
        os.symlink(KDIR, build)
    # Debian splits the headers: the arch tree's Makefile names the common one.
    common = None
    with open(os.path.join(KDIR, "Makefile")) as f:
        for line in f:
            if line.startswith("include ") and "linux-headers" in line:
                common = os.path.dirname(line.split()[1])
    if common and os.path.isdir(common):
        src = os.path.join(moddir, "source")
        if os.path.lexists(src):
            os.remove(src)
        os.symlink(common, src)
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Config:
    def __init__(self, name):
        self.name = name
        self.tracer = None
        self.error = None
        self.start_s = []
        self.stops = []  # [seconds, exit code or "killed"] per teardown

    def setup(self):
        if self.name == "floor":
            insmod(FLOOR_KO)
        elif self.name == "leakmon":
            insmod(KO)
        elif self.name == "floor_kprobe":
            insmod(FLOOR_KO, "probe_mechanism=kprobe")
        elif self.name == "leakmon_kprobe":
            insmod(KO, "probe_mechanism=kprobe")
        elif self.name == "leakmon_b":
            if not KO_B:
                raise RuntimeError("no other module (bench.sh: BENCH_B)")
            insmod(KO_B)
        elif self.name == "bpftrace":
            env = dict(os.environ, BPFTRACE_MAP_KEYS_MAX="65536")
            self.tracer = Tracer("bpftrace", ["bpftrace", BPFTRACE_SCRIPT,
                                              *bpftrace_args()], "Attaching", env,
                                 bpftrace_kprobes())
        elif self.name == "bcc_memleak":
            # kernel mode (no -p): kmalloc/kmem_cache tracepoints; a report
            # interval longer than the run, so that only tracing is measured
            self.tracer = Tracer("bcc_memleak", ["memleak-bpfcc", "3600"],
                                 "Attaching to kernel allocators", bcc_env())
        if self.tracer:
            self.start_s.append(round(self.tracer.start(), 1))

    def teardown(self):
        if self.name in ("floor", "floor_kprobe"):
            rmmod("lm_floor")
        elif self.name in LEAKMONS:
            rmmod("leakmon")
        elif self.tracer:
            took = self.tracer.stop()
            self.stops.append([round(took, 1), self.tracer.exit])
            if took > 10:
                log(f"{self.name}: stopping took {took:.0f} s "
                    f"(exit {self.tracer.exit})")
            self.tracer = None


# A sample is the fastest of SPLIT runs of n / SPLIT iterations: the host's
# other jobs only ever slow a run down, and a slow phase of the host that
# covers one run of a configuration no longer decides its sample.
SPLIT = 1 if SMOKE else 3


def workload(name, n):
    best = None
    for _ in range(SPLIT):
        r = run([BENCH, name, str(max(1, n // SPLIT))])
        ns = json.loads(r.stdout)["ns_per_op"]
        best = ns if best is None else min(best, ns)
    return best


def check_same_probes():
    """The floor must probe exactly what leakmon probes."""
    insmod(KO)
    st = status()
    rmmod("leakmon")
    lm = {k: f"{v['alloc_probe']}/{v['free_probe']}"
          + (f"/{v['handover_probe']}" if v.get("handover_probe") else "")
          + f"@{v['probe_mechanism']}"
          for k, v in st["kinds"].items() if v.get("enabled")}
    insmod(FLOOR_KO)
    with open("/sys/module/lm_floor/parameters/probes") as f:
        text = f.read().strip()
    rmmod("lm_floor")
    fl = dict(item.split("=", 1) for item in text.split(",") if item)
    return lm, fl


def bpftrace_accounting_once():
    """Hold sockets under bpftrace's script, stop it, and read the holder's
    live counts from the maps it prints."""
    n = 300
    env = dict(os.environ, BPFTRACE_MAP_KEYS_MAX="65536")
    t = Tracer("bpftrace-check", ["bpftrace", BPFTRACE_SCRIPT, *bpftrace_args()],
               "Attaching", env, bpftrace_kprobes())
    t.start()
    try:
        h = Holder("hold", n)
        time.sleep(1)
    finally:
        t.stop()
    pid = h.proc.pid
    h.close()
    live = {}
    out = t.output().splitlines()
    for line in out:
        if line.startswith(f"@live[{pid}, "):
            kind = int(line.split(",")[1].split("]")[0])
            live[kind] = int(line.split(":")[1])
    # file blobs: the sockets' files plus the holder's own open and mapped
    # files (its executable, libraries, pipes), as leakmon counts them too
    res = {"sockets": n, "live_by_kind": live,
           "ok": live.get(0) == n and live.get(2) == n and
           n <= live.get(1, 0) <= n + 16}
    if not res["ok"]:  # what bpftrace said, for the report
        res["bpftrace"] = {"exit": t.exit,
                           "live_rows": sum(1 for x in out if x.startswith("@live[")),
                           "said": [x for x in out if x and not x.startswith("@")][-4:]}
    return res


def check_bpftrace_accounting():
    """bpftrace's script must count what leakmon counts.  A run in which it
    saw nothing of the holder at all (under TCG its probes can go live after
    the holder's sockets were made) is tried again, three runs at most; the
    result says how many it took, and any count that is wrong fails."""
    for attempt in range(1, 4):
        res = bpftrace_accounting_once()
        res["runs"] = attempt
        if res["live_by_kind"]:
            break
    return res


def bench_rounds(configs):
    samples = {c.name: {w: [] for w in WORKLOADS} for c in configs}
    # leakmon's misses per run, and the other leakmon configurations' apart
    counters = {c: {w: [] for w in WORKLOADS} for c in LEAKMONS}
    # leakmon's events per operation, each round
    events = {w: [] for w in WORKLOADS}
    for w, n in WORKLOADS.items():  # warm-up (caches, TCG's translations)
        workload(w, n)
    for r in range(ROUNDS):
        order = configs[r % len(configs):] + configs[:r % len(configs)]
        for cfg in order:
            if cfg.error:
                continue
            try:
                cfg.setup()
            except (RuntimeError, OSError) as e:
                cfg.error = str(e)
                log(f"round {r + 1}: {cfg.name} unavailable: {e}")
                cfg.teardown()
                continue
            try:
                for w, n in WORKLOADS.items():
                    st0 = status() if cfg.name in LEAKMONS else None
                    ns = workload(w, n)
                    samples[cfg.name][w].append(ns)
                    if st0 is None:
                        continue
                    st1 = status()
                    before, after = kind_counters(st0), kind_counters(st1)
                    counters[cfg.name][w].append(
                        {k: after[k] - before[k] for k in after})
                    if cfg.name == "leakmon":
                        before, after = kind_events(st0), kind_events(st1)
                        events[w].append({k: round((after[k] - before[k]) / n, 3)
                                          for k in after
                                          if after[k] != before[k]})
            finally:
                cfg.teardown()
            log(f"round {r + 1}/{ROUNDS} {cfg.name}: " +
                ", ".join(f"{w} {samples[cfg.name][w][-1]:.0f} {UNIT}"
                          for w in WORKLOADS if samples[cfg.name][w]))
    return samples, counters, events


def summarize(samples, configs):
    """Medians and spreads per configuration; overheads paired by round."""
    out = {}
    base = samples.get("baseline", {})
    for c in configs:
        per = {}
        for w, xs in samples[c.name].items():
            if not xs:
                continue
            med = statistics.median(xs)
            d = {"median_ns": round(med, 1), "min_ns": round(min(xs), 1),
                 "max_ns": round(max(xs), 1), "samples_ns": [round(x, 1) for x in xs],
                 "spread": round((max(xs) - min(xs)) / med, 4)}
            bx = base.get(w, [])
            if c.name != "baseline" and len(bx) == len(xs):
                ov = [x / b - 1 for x, b in zip(xs, bx)]
                d["overhead"] = round(statistics.median(ov), 4)
                d["overhead_min"] = round(min(ov), 4)
                d["overhead_max"] = round(max(ov), 4)
            per[w] = d
        out[c.name] = {"available": c.error is None, "error": c.error,
                       "tracer_start_s": c.start_s, "tracer_stops": c.stops,
                       "workloads": per}
    ratios = {}
    for w in WORKLOADS:
        lm = out.get("leakmon", {}).get("workloads", {}).get(w, {}).get("overhead")
        r = {}
        for other in ("floor", "bpftrace", "bcc_memleak"):
            o = out.get(other, {}).get("workloads", {}).get(w, {}).get("overhead")
            key = f"leakmon_to_{other}"
            r[key] = round(lm / o, 3) if lm is not None and o and o > 0 else None
        lk = out.get("leakmon_kprobe", {}).get("workloads", {}).get(w, {}).get("overhead")
        fk = out.get("floor_kprobe", {}).get("workloads", {}).get(w, {}).get("overhead")
        if lk is not None or fk is not None:
            r["leakmon_kprobe_to_floor_kprobe"] = (round(lk / fk, 3) if lk is not None
                                                  and fk and fk > 0 else None)
        ratios[w] = r
    return out, ratios


def compare_b(samples):
    """leakmon against leakmon_b, round by round (both ran in each)."""
    out = {}
    for w in WORKLOADS:
        a = samples.get("leakmon", {}).get(w, [])
        b = samples.get("leakmon_b", {}).get(w, [])
        if not a or len(a) != len(b):
            continue
        diff = [x - y for x, y in zip(a, b)]
        out[w] = {"median_diff_ns": round(statistics.median(diff), 1),
                  "rounds_faster": sum(1 for d in diff if d < 0),
                  "rounds": len(diff)}
    return out


def slab(cache):
    d = f"/sys/kernel/slab/{cache}"
    if not os.path.isdir(d):
        return None
    vals = {}
    for f in ("objects", "slabs", "order", "object_size", "slab_size", "objs_per_slab"):
        with open(os.path.join(d, f)) as fh:
            vals[f] = int(fh.read().split()[0])
    vals["bytes"] = vals["slabs"] * (os.sysconf("SC_PAGE_SIZE") << vals["order"])
    vals["merged"] = os.path.islink(d)
    return vals


def bucket_bytes(cfg):
    """The object and owner bucket arrays and their locks (kmod/table.c)."""
    owners = cfg["max_owners"]
    owner_bits = min(max((owners - 1).bit_length(), 10), 18) - 2
    return 8 * cfg["hash_buckets"] + 4 * 1024 + (8 << owner_bits) + 4 * 256


class Holder:
    def __init__(self, mode, n):
        self.proc = subprocess.Popen([BENCH, mode, str(n)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.proc.kill()
            raise RuntimeError(f"lm_bench {mode} {n} failed")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(600)


def settle():
    """Let frees deferred to RCU callbacks (socket inodes) land."""
    time.sleep(1.5)


def live_total(st):
    return sum(k["live"] for k in st["kinds"].values())


SCAN_REPEAT = 3


def scan_cost(n):
    """Reachability passes over a process holding n sockets."""
    runs = []
    for _ in range(SCAN_REPEAT):
        r = run([CLI, "scan", "--json"])
        runs.append(json.loads(r.stdout)["scan"])
    last = runs[-1]
    res = {"fds": last["fds"], "processes": last["processes"],
           "objects": last["objects"],
           "held": sum(k["held"] for k in last["kinds"].values()),
           "ms": round(statistics.median(x["duration_ns"] for x in runs) / 1e6, 2),
           "ms_all": [round(x["duration_ns"] / 1e6, 2) for x in runs],
           "max_step_ms": round(max(x["max_step_ns"] for x in runs) / 1e6, 3)}
    log(f"scan: {n} sockets held, {res['fds']} fds, {res['objects']} objects: "
        f"{res['ms']} ms a pass, longest step {res['max_step_ms']} ms")
    return res


def memory_phase():
    # scan_grace=1: the held sockets are judged a second after they opened
    insmod(KO, "scan_grace=1")
    try:
        settle()
        s0, st0 = slab("leakmon_obj"), status()
        if s0 is None:
            raise RuntimeError("/sys/kernel/slab/leakmon_obj not found")
        res = {"slab_merged": s0["merged"], "object_size": s0["object_size"],
               "slab_size": s0["slab_size"], "bucket_bytes": bucket_bytes(st0["config"]),
               "points": []}
        for n in MEM_SOCKETS:
            h = Holder("hold", n)
            settle()
            s1, st1 = slab("leakmon_obj"), status()
            sc = scan_cost(n)
            h.close()
            dobj = live_total(st1) - live_total(st0)
            dbytes = s1["bytes"] - s0["bytes"]
            p = {"sockets": n, "tracked_objects": dobj, "slab_bytes": dbytes,
                 "bytes_per_object": round(dbytes / dobj, 1) if dobj else None,
                 "bytes_per_object_with_buckets":
                     round((s1["bytes"] + res["bucket_bytes"]) / live_total(st1), 1),
                 "untracked": kind_counters(st1)["untracked"],
                 "scan": sc}
            res["points"].append(p)
            log(f"memory: {n} sockets, {dobj} tracked objects, "
                f"{p['bytes_per_object']} B/object of slab "
                f"({p['bytes_per_object_with_buckets']} B with the bucket arrays)")
            settle()
        return res
    finally:
        rmmod("leakmon")


def dump_phase():
    max_owners = 1 << (max(DUMP_OWNERS) * 2 - 1).bit_length()
    # No periodic pass: it would hand the exited owners' sockets to the
    # holder, which holds them, and the owners would go in the middle of
    # the dumps (seen on 5.10: 100,004 owners, then 4 rows).
    insmod(KO, f"max_owners={max_owners}", "scan_interval=0")
    try:
        settle()
        so0 = slab("leakmon_owner")
        st0 = status()
        res = {"max_owners": max_owners, "points": []}
        for n in DUMP_OWNERS:
            t0 = time.monotonic()
            h = Holder("owners", n)
            made = time.monotonic() - t0
            try:
                st = status()
                so = slab("leakmon_owner")
                times, rows = [], None
                for _ in range(DUMP_REPEAT):
                    t0 = time.monotonic()
                    r = run([CLI, "top", "--json"])
                    times.append(time.monotonic() - t0)
                    doc = json.loads(r.stdout)
                    rows = doc["rows_total"]
                downers = st["owners"] - st0["owners"]
                p = {"owners": st["owners"], "bench_owners": n,
                     "top_json_s": round(statistics.median(times), 4),
                     "top_json_s_all": [round(t, 4) for t in times],
                     "rows_total": rows, "create_s": round(made, 1),
                     "owner_slab_bytes": so["bytes"] - so0["bytes"] if so and so0 else None}
                if p["owner_slab_bytes"] is not None and downers > 0:
                    p["bytes_per_owner"] = round(p["owner_slab_bytes"] / downers, 1)
                res["points"].append(p)
                log(f"dump: {st['owners']} owners, top --json {p['top_json_s']:.3f} s "
                    f"(rows {rows}), {p.get('bytes_per_owner')} B/owner")
            finally:
                h.close()
            settle()
        pts = res["points"]
        if len(pts) >= 2:
            # least squares t = a + b * owners; linear when no point is far off
            xs = [p["owners"] for p in pts]
            ys = [p["top_json_s"] for p in pts]
            mx, my = statistics.mean(xs), statistics.mean(ys)
            b = (sum((x - mx) * (y - my) for x, y in zip(xs, ys)) /
                 sum((x - mx) ** 2 for x in xs))
            a = my - b * mx
            res["fit"] = {"fixed_s": round(a, 4), "us_per_owner": round(b * 1e6, 2),
                          "max_residual": round(max(abs(y - (a + b * x)) / y
                                                    for x, y in zip(xs, ys)), 3)}
        return res
    finally:
        rmmod("leakmon")


def main():
    result = {"kernel": platform.release(), "cpus": os.cpu_count(), "smoke": SMOKE,
              "rounds": ROUNDS, "workloads": WORKLOADS, "configs": CONFIGS,
              "clock": CLOCK, "errors": []}
    log(f"kernel {platform.release()}, {os.cpu_count()} CPUs, {ROUNDS} rounds, "
        f"configurations {', '.join(CONFIGS)}, clock {CLOCK}")
    for tool, cfg in (("bpftrace", "bpftrace"), ("memleak-bpfcc", "bcc_memleak")):
        if cfg in CONFIGS and not shutil.which(tool):
            result["errors"].append(f"{tool} not installed")
    lm, fl = check_same_probes()
    result["probes"] = {"leakmon": lm, "floor": fl, "same": lm == fl}
    log(f"probes: leakmon {lm}; floor {'the same' if lm == fl else fl}")

    if "bpftrace" in CONFIGS:
        try:
            result["bpftrace_check"] = check_bpftrace_accounting()
        except (RuntimeError, OSError) as e:
            result["bpftrace_check"] = {"ok": False, "error": str(e)}
        log(f"bpftrace accounting check: {result['bpftrace_check']}")

    configs = [Config(c) for c in CONFIGS]
    samples, counters, events = bench_rounds(configs)
    result["results"], result["ratios"] = summarize(samples, configs)
    result["leakmon_counters"] = counters["leakmon"]
    result["leakmon_events"] = events
    if "leakmon_kprobe" in CONFIGS:
        result["leakmon_kprobe_counters"] = counters["leakmon_kprobe"]
    if "leakmon_b" in CONFIGS:
        result["leakmon_b"] = os.environ.get("BENCH_B", KO_B)
        result["leakmon_b_counters"] = counters["leakmon_b"]
        result["leakmon_vs_b"] = compare_b(samples)
    result["memory"] = memory_phase()
    result["dump"] = dump_phase()

    print("LEAKMON-BENCH-JSON-BEGIN")
    print(json.dumps(result, indent=1))
    print("LEAKMON-BENCH-JSON-END", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, never hang the VM
        print(f"# bench failed: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
