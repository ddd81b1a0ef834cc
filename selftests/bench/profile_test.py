#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks selftests/bench/profile.py on made-up input, as TAP (no VM):

- a sample in translated code is credited to the guest function holding
  its guest address (kernel or module), one past a module's code to the
  other code after it, one in a module's freed init code to that;
- samples in QEMU and the host kernel keep their names and categories;
- a slice's ns per operation by function is its share of the slice's
  samples times the median of the slice's runs, a configuration's the
  mean over its slices, and a module's symbols are its slice's only (a
  module loads at another address in each round);
- the report's added time by category adds up to the difference of the
  configurations' times per operation;
- a slice without runs, or without samples, is an error.

Usage: selftests/bench/profile_test.py.  Exit status: 0 if every test
passed.
"""
import base64
import gzip
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILE = os.path.join(HERE, "profile.py")

n = 0
failed = 0


def ok(cond, desc, problems=()):
    global n, failed
    n += 1
    for p in problems if not cond else ():
        print("# " + p)
    print("%s %d profile: %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1


KSYMS = ["ffffffff81000000 T _stext", "ffffffff81001000 T memset",
         "ffffffff81002000 t helper_one", "ffffffff81003000 T _etext"]
# enough symbols that profile.py takes the list for a kernel's
KSYMS += ["ffffffff82%06x t filler_%d" % (i * 16, i) for i in range(1200)]


def guest_log(slices):
    """slices: (name, module base or None, [ns_per_op of each run])"""
    blob = base64.b64encode(gzip.compress("\n".join(KSYMS).encode())).decode()
    lines = ["PROFILE-KALLSYMS-BEGIN", blob, "PROFILE-KALLSYMS-END",
             "PROFILE-MODULE - virtio 4096 0 - Live 0xffffffffc0001000"]
    for name, base, runs in slices:
        if base is not None:
            lines += [f"PROFILE-SYM {name} {base + 0x10:x} lm_track_alloc [leakmon]",
                      f"PROFILE-SYM {name} {base + 0x800:x} lm_track_free [leakmon]",
                      f"PROFILE-SYM {name} {base + 0x8000:x} lm_init [leakmon]",
                      f"PROFILE-MODULE {name} leakmon 8192 0 - Live 0x{base:x}",
                      f"PROFILE-INIT {name} 0x{base + 0x8000:x}"]
        lines.append(f"PROFILE-PHASE {name} start")
        for r in runs:
            lines.append(f"PROFILE-SAMPLE {name} " + json.dumps(
                {"workload": "sock", "n": 1000, "ns_per_op": r, "seconds": 1}))
        lines.append(f"PROFILE-PHASE {name} end")
    return "\n".join(lines) + "\n"


def samples(counts):
    """perf script -F ip,sym,dso lines: {(kind, what): count}"""
    out = []
    for (kind, what), c in counts.items():
        if kind == "guest":
            line = f" 7f0000001000 guest-0x{what:x} (/tmp/perf-1.map)"
        elif kind == "qemu":
            line = f" 55000000a000 {what} (/usr/bin/qemu-system-x86_64)"
        else:
            line = f" ffffffff9000 {what} ([kernel.kallsyms])"
        out += [line] * c
    return "\n".join(out) + "\n"


def run(tmp, log, files, expect_ok=True):
    with open(os.path.join(tmp, "guest.log"), "w") as f:
        f.write(log)
    args = []
    for name, text in files.items():
        path = os.path.join(tmp, name + ".samples")
        with open(path, "w") as f:
            f.write(text)
        args.append(f"{name}={path}")
    js = os.path.join(tmp, "out.json")
    if os.path.exists(js):
        os.unlink(js)
    r = subprocess.run([sys.executable, PROFILE, "--json-out", js,
                        os.path.join(tmp, "guest.log")] + args,
                       capture_output=True, text=True)
    res = json.load(open(js)) if r.returncode == 0 else None
    return r, res


def near(a, b):
    return abs(a - b) < 0.11


with tempfile.TemporaryDirectory() as tmp:
    B1, B2 = 0xffffffffc0100000, 0xffffffffc0200000
    log = guest_log([("baseline@1", None, [1000, 1100, 900]),
                     ("leakmon@1", B1, [2000, 2000, 3000]),
                     ("baseline@2", None, [1000]),
                     ("leakmon@2", B2, [3000])])
    files = {
        # 100 samples at a median of 1000 ns: 10 ns each
        "baseline@1": samples({("guest", 0xffffffff81001010): 50,
                               ("qemu", "helper_lookup_tb_ptr"): 30,
                               ("host", "do_syscall_64"): 20}),
        "baseline@2": samples({("guest", 0xffffffff81001010): 50,
                               ("qemu", "helper_lookup_tb_ptr"): 30,
                               ("host", "do_syscall_64"): 20}),
        # 100 samples at 2000 ns: 20 ns each
        "leakmon@1": samples({("guest", 0xffffffff81001010): 40,
                              ("guest", B1 + 0x20): 20,
                              ("guest", B1 + 0x900): 10,
                              ("guest", B1 + 0x8010): 5,
                              ("guest", B1 + 0x2000 + 0x100): 5,
                              ("qemu", "helper_lookup_tb_ptr"): 10,
                              ("qemu", "[unknown]"): 10}),
        # 100 samples at 3000 ns: 30 ns each; this round's module is at B2,
        # and an address of B1's code is something else's now
        "leakmon@2": samples({("guest", 0xffffffff81001010): 40,
                              ("guest", B2 + 0x20): 30,
                              ("guest", B1 + 0x20): 10,
                              ("qemu", "helper_lookup_tb_ptr"): 20}),
    }
    r, res = run(tmp, log, files)
    ok(r.returncode == 0 and res is not None, "runs on two rounds of two configurations",
       r.stderr.splitlines()[-3:])
    if res:
        b, lm = res["configs"]["baseline"], res["configs"]["leakmon"]
        ok(near(b["ns_per_op"], 1000) and near(lm["ns_per_op"], 2500),
           "a configuration's time is the mean of its slices' medians",
           [f"baseline {b['ns_per_op']}, leakmon {lm['ns_per_op']}"])
        ok(len(lm["slices"]) == 2 and lm["runs"] == 4 and lm["perf_samples"] == 200,
           "slices, runs and samples counted", [str(lm["slices"])])
        f = lm["functions"]
        want = {
            "guest memset": (40 * 20 + 40 * 30) / 2,
            "guest lm_track_alloc [leakmon]": (20 * 20 + 30 * 30) / 2,
            "guest lm_track_free [leakmon]": 10 * 20 / 2,
            "qemu helper_lookup_tb_ptr": (10 * 20 + 20 * 30) / 2,
            "qemu [unknown]": 10 * 20 / 2,
        }
        bad = [f"{k}: {f.get(k)} != {v}" for k, v in want.items()
               if not near(f.get(k, -1), v)]
        ok(not bad, "functions' ns per operation: share x median, mean over slices", bad)
        reused = [k for k in f if "freed init code" in k]
        ok(len(reused) == 1 and near(f[reused[0]], 5 * 20 / 2),
           "a sample in a module's freed init code is not the module's",
           [str(sorted(f))])
        other = [k for k in f if "other code" in k]
        ok(len(other) == 1 and near(f[other[0]], (5 * 20 + 10 * 30) / 2),
           "samples past a module's code, or at its address of another round, "
           "are other code", [str(sorted(f))])
        ok(near(b["functions"].get("host do_syscall_64", -1), 200),
           "host kernel samples keep their names",
           [str(b["functions"])])
        ok(near(sum(f.values()), lm["ns_per_op"]),
           "a configuration's functions add up to its time per operation",
           [f"{sum(f.values())} against {lm['ns_per_op']}"])
        lines = r.stdout.splitlines()
        try:
            i = lines.index("leakmon against baseline: +1500 ns per operation")
            cats = {l.split()[0] + " " + l.split()[1]: int(l.split()[-1])
                    for l in lines[i + 1:i + 6]}
        except (ValueError, IndexError):
            cats = {}
        ok(cats and sum(cats.values()) == 1500 and
           cats.get("guest modules") == 750,
           "the added time by category adds up, the module's code counted",
           [str(cats)] + lines[:20])
        ok(all(len(l) <= 80 for l in lines), "the report fits 80 columns",
           [l for l in lines if len(l) > 80][:3])
    r, _ = run(tmp, guest_log([("baseline@1", None, [])]),
               {"baseline@1": samples({("qemu", "x"): 1})})
    ok(r.returncode != 0 and "no workload samples" in r.stderr,
       "a slice without runs is an error", [r.stderr.strip()])
    r, _ = run(tmp, guest_log([("baseline@1", None, [1000])]),
               {"baseline@1": ""})
    ok(r.returncode != 0 and "no perf samples" in r.stderr,
       "a slice without samples is an error", [r.stderr.strip()])

print("1..%d" % n)
sys.exit(1 if failed else 0)
