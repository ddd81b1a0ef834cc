#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Runs the kernel's YNL client (tools/net/ynl/cli.py) many times in one
Python process, for selftests/ynl_test.sh.

Under TCG a run of cli.py costs about 4 s, nearly all of it Python's start,
the imports and the YAML parse of the spec; the request itself takes
milliseconds.  This runs cli.py's own main() once per request, with its
argv, its stdout and its stderr redirected, so the client and the library
are the same code as on the command line; only the parsed YAML of each
file is kept between requests (a deep copy each time).

Usage: ynl_batch.py YNL_DIR
Reads one request a line on stdin, a JSON object
  {"argv": [cli.py's arguments], "out": stdout file, "err": stderr file}
and answers each with one line: cli.py's exit status.
"""

import contextlib
import copy
import json
import os
import sys
import traceback

import yaml

sys.path.insert(0, sys.argv[1])
import cli  # noqa: E402  (tools/net/ynl/cli.py)

_parsed = {}
_safe_load = yaml.safe_load


def cached_safe_load(stream):
    """yaml.safe_load, parsing each file once"""
    name = getattr(stream, "name", None)
    if not isinstance(name, str):
        return _safe_load(stream)
    key = (name, os.stat(name).st_mtime_ns)
    if key not in _parsed:
        _parsed[key] = _safe_load(stream)
    return copy.deepcopy(_parsed[key])


yaml.safe_load = cached_safe_load


def run(argv, out, err):
    """cli.py ARGV with stdout to OUT and stderr to ERR; its exit status"""
    with open(out, "w") as o, open(err, "w") as e, \
            contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        sys.argv = [os.path.join(sys.path[0], "cli.py")] + argv
        try:
            cli.main()
        except SystemExit as ex:
            if ex.code is None:
                return 0
            if isinstance(ex.code, int):
                return ex.code
            print(ex.code, file=sys.stderr)
            return 1
        except Exception:  # what the interpreter would print, and exit 1
            traceback.print_exc()
            return 1
    return 0


def main():
    # cli.py ends with exit(1) on an error: the builtin exit() closes
    # sys.stdin, so the requests come on a descriptor of their own
    requests = os.fdopen(os.dup(0), "r")
    sys.stdin = open(os.devnull)
    for line in requests:
        if not line.strip():
            continue
        req = json.loads(line)
        rc = run(req["argv"], req["out"], req["err"])
        print(rc, flush=True)


if __name__ == "__main__":
    main()
