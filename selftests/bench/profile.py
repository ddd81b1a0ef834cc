#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where each configuration's time goes under QEMU's emulation.

profile.py [--json-out FILE] [--top N] GUEST_LOG SLICE=SAMPLES...

Reads the profiling VM's log (selftests/bench/guest_profile.sh: the guest
kernel's and modules' text symbols, and the workload's runs per slice, a
slice being one configuration in one round, CONFIG@ROUND) and one `perf
record` of QEMU per slice, made while the slice's workload ran (SAMPLES:
its `perf script -F ip,sym,dso`, made while QEMU's /tmp/perf-PID.map was
there).  QEMU ran with -perfmap, so a sample in
translated code names the guest instruction it was translated from; each is
credited to the guest function holding that instruction ("guest"), the
others to QEMU's own functions ("qemu": the translator, its lookups of
translated code, the emulated MMU) or the host kernel ("host").

In a slice, a function's time per operation = the workload's time per
operation (median of the slice's runs) x the function's share of the
slice's samples; a configuration's is the mean over its slices.
Prints each configuration's time per operation and, for each configuration
against the one before it, the functions whose time per operation differs
most; with --json-out, every function's time per operation.
"""

import argparse
import base64
import bisect
import collections
import gzip
import json
import re
import statistics
import sys

OTHER = "(other code: trampolines, BPF)"
REUSED = "(a module's freed init code, reused: trampolines)"
OBJECTS_PER_OP = {"sock": 3, "sock2": 3, "open": 1, "tcp": 6}


def read_log(path):
    """Kernel symbols, module symbols and samples per configuration."""
    lines = open(path, errors="replace").read().splitlines()
    ksyms = []
    modsyms = collections.defaultdict(list)
    samples = collections.defaultdict(list)
    workload = None
    cores = {}
    inits = {}
    if "PROFILE-KALLSYMS-BEGIN" in lines:
        blob = lines[lines.index("PROFILE-KALLSYMS-BEGIN") + 1]
        for line in gzip.decompress(base64.b64decode(blob)).decode().splitlines():
            f = line.split()
            if len(f) >= 3:
                ksyms.append((int(f[0], 16), " ".join(f[2:4])))
    for line in lines:
        f = line.split(None, 3)
        if line.startswith("PROFILE-SYM ") and len(f) == 4:
            modsyms[f[1]].append((int(f[2], 16), f[3].strip()))
        elif line.startswith("PROFILE-INIT ") and len(f) >= 3:
            inits[f[1]] = int(f[2], 16)
        elif line.startswith("PROFILE-MODULE "):
            # name size refs deps state address: where its code ends, the
            # next module's or other code (ftrace's trampolines, BPF) begins
            m = line.split()
            if len(m) >= 8 and m[7].startswith("0x"):
                base, end = int(m[7], 16), int(m[7], 16) + int(m[3])
                if m[1] == "-":
                    ksyms.append((end, OTHER))
                else:
                    cores[m[1]] = (base, end)
        elif line.startswith("PROFILE-SAMPLE ") and len(f) >= 3:
            s = json.loads(line.split(None, 2)[2])
            samples[f[1]].append(s["ns_per_op"])
            workload = s["workload"]
    if len(ksyms) < 1000:
        sys.exit("profile.py: no kernel symbols in the guest log")
    # A module's init code was freed after it ran; what runs there now
    # (ftrace's trampolines, BPF) is not the module's.  Its init code is
    # outside its core, or in the page at .init.text (these modules' init
    # code is a few hundred bytes).
    for cfg, (base, end) in cores.items():
        init = inits.get(cfg, -1)
        syms = [(a, n if base <= a < end and not init <= a < init + 4096
                 else REUSED) for a, n in modsyms[cfg]]
        modsyms[cfg] = syms + [(end, OTHER)]
    return ksyms, modsyms, samples, workload


def attribute(path, syms):
    """Samples of one perf record by function."""
    syms = sorted(syms)
    addrs = [a for a, _ in syms]
    out = open(path, errors="replace").read()
    counts = collections.Counter()
    n = 0
    for line in out.splitlines():
        n += 1
        m = re.search(r"guest-0x([0-9a-f]+)", line)
        if m:
            i = bisect.bisect_right(addrs, int(m.group(1), 16)) - 1
            counts["guest " + (syms[i][1] if i >= 0 else "?")] += 1
            continue
        f = line.split()
        sym = f[1] if len(f) > 1 else "?"
        where = "host" if "kernel.kallsyms" in line else "qemu"
        if "perf-" in line or "[JIT]" in line:
            where, sym = "qemu", "(translated code, no guest address)"
        counts[f"{where} {sym}"] += 1
    return counts, n


# QEMU's search for the translated code of the next guest instruction
# after a transfer it could not chain (a return, an indirect call, a jump
# to another page)
LOOKUP = ("helper_lookup_tb_ptr", "qht_lookup_custom", "curr_cflags",
          "get_page_addr_code_hostp", "qemu_ram_block_from_host",
          "qemu_ram_addr_from_host_nofail")


def category(key):
    where, sym = key.split(" ", 1)
    if where == "guest":
        return "guest modules" if sym.endswith("]") else "guest kernel"
    if where == "qemu":
        return "qemu: code lookups" if sym in LOOKUP else "qemu: other"
    return "host kernel"


def cfg_module(cfg):
    return {"floor": "lm_floor"}.get(cfg, "leakmon")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json-out")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("log")
    ap.add_argument("data", nargs="+", metavar="SLICE=SAMPLES")
    a = ap.parse_args()
    ksyms, modsyms, samples, workload = read_log(a.log)
    slices = collections.defaultdict(list)  # configuration: its slices
    for spec in a.data:
        sl, data = spec.split("=", 1)
        if not samples.get(sl):
            sys.exit(f"profile.py: no workload samples of {sl} in the log")
        counts, n = attribute(data, ksyms + modsyms.get(sl, []))
        if not n:
            sys.exit(f"profile.py: no perf samples in {data}")
        per_op = statistics.median(samples[sl])
        slices[sl.split("@")[0]].append({
            "slice": sl, "ns_per_op": per_op, "runs": len(samples[sl]),
            "perf_samples": n,
            "functions": {k: v / n * per_op for k, v in counts.items()}})
    # a configuration: the mean of its slices
    res = {"workload": workload, "configs": {}}
    order = list(slices)
    for cfg in order:
        sls = slices[cfg]
        funcs = collections.Counter()
        for x in sls:
            funcs.update(x["functions"])
        res["configs"][cfg] = {
            "ns_per_op": statistics.mean(x["ns_per_op"] for x in sls),
            "slices": [{k: v for k, v in x.items() if k != "functions"}
                       for x in sls],
            "runs": sum(x["runs"] for x in sls),
            "perf_samples": sum(x["perf_samples"] for x in sls),
            "functions": {k: round(v / len(sls), 1) for k, v in funcs.items()},
        }

    nobj = OBJECTS_PER_OP.get(workload)
    print(f"workload {workload}: ns per operation (the mean of the slices' "
          "medians, their\nrange), slices, runs of the workload, QEMU's "
          "samples")
    for cfg in order:
        c = res["configs"][cfg]
        per = [x["ns_per_op"] for x in c["slices"]]
        print(f"  {cfg:10} {c['ns_per_op']:7.0f}  {min(per):7.0f} to "
              f"{max(per):7.0f}  {len(per):2d}  {c['runs']:4d}  "
              f"{c['perf_samples']:8d}")
    for prev, cfg in zip(order, order[1:]):
        fa = res["configs"][prev]["functions"]
        fb = res["configs"][cfg]["functions"]
        diff = res["configs"][cfg]["ns_per_op"] - res["configs"][prev]["ns_per_op"]
        cats = collections.Counter()
        for k in set(fa) | set(fb):
            cats[category(k)] += fb.get(k, 0) - fa.get(k, 0)
        print(f"\n{cfg} against {prev}: {diff:+.0f} ns per operation")
        for c, v in sorted(cats.items()):
            print(f"  {c:20} {v:+7.0f}")
        print("by function, ns per operation:")
        print(f"  {prev:>9} {cfg:>9}  {'added':>7}")
        keys = sorted(set(fa) | set(fb), key=lambda k: -abs(fb.get(k, 0) - fa.get(k, 0)))
        for k in keys[:a.top]:
            print(f"  {fa.get(k, 0):9.0f} {fb.get(k, 0):9.0f}  "
                  f"{fb.get(k, 0) - fa.get(k, 0):+7.0f}  {k[:48]}")
    for cfg in order:
        own = {k: v for k, v in res["configs"][cfg]["functions"].items()
               if k.startswith("guest ") and k.endswith("]")
               and f"[{cfg_module(cfg)}]" in k}
        mods = collections.defaultdict(float)
        for k, v in own.items():
            mods[k[k.rindex("[") + 1:-1]] += v
        for mod, v in sorted(mods.items()):
            per = f", {v / nobj:.0f} per tracked object" if nobj else ""
            print(f"\n{cfg}: the code of {mod}: {v:.0f} ns per "
                  f"operation{per}")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
