#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Which file of a component calls which (its imports), from the symbols of
# the compiled objects, and that they form no cycle; TAP.
#
# Usage: selftests/imports_test.sh NAME=DIR...
#
# Each DIR holds the .o files of one component (kmod/'s, from a build of
# the module; user/lib's, from make -C user).  An edge a -> b: a.o has an
# undefined symbol that b.o defines.  The edges are printed as comments
# (the drawing); a cycle among them, or a DIR without objects, fails.
#
# Exit status: 0 if every component is free of cycles, 1 otherwise, 4
# (skip) when nm or python3 is missing.
set -u
TAP_PREFIX="imports: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

for tool in nm python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 4
	fi
done
(($#)) || { echo "usage: imports_test.sh NAME=DIR..." >&2; exit 2; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "TAP version 13"
echo "1..$#"
for arg in "$@"; do
	name=${arg%%=*} dir=${arg#*=}
	objs=("$dir"/*.o)
	if [ ! -e "${objs[0]}" ]; then
		ok 1 "$name: no objects in $dir"
		continue
	fi
	# "FILE KIND SYMBOL" for every defined (global) or undefined symbol
	for o in "${objs[@]}"; do
		nm "$o" | awk -v f="$(basename "$o" .o)" \
			'NF == 2 && $1 == "U" { print f, "U", $2 }
			 NF == 3 && $2 ~ /^[BDGRSTVW]$/ { print f, "D", $3 }'
	done >"$T/symbols"
	python3 - "$T/symbols" >"$T/edges" <<'EOF'
import sys
defs, uses = {}, {}
for line in open(sys.argv[1]):
    f, kind, sym = line.split()
    if kind == "D":
        defs[sym] = f
    else:
        uses.setdefault(f, set()).add(sym)
edges = {}
for f, syms in uses.items():
    for s in syms:
        t = defs.get(s)
        if t and t != f:
            edges.setdefault(f, {}).setdefault(t, []).append(s)
for f in sorted(edges):
    for t in sorted(edges[f]):
        names = sorted(edges[f][t])
        more = f" +{len(names) - 3}" if len(names) > 3 else ""
        print(f"{f} -> {t}: {' '.join(names[:3])}{more}")
# strongly connected components of more than one file (Tarjan)
index, low, stack, on, cycles = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            cycles.append(sorted(comp))
for v in sorted(set(defs.values()) | set(uses)):
    if v not in index:
        visit(v)
for c in cycles:
    print("CYCLE: " + " <-> ".join(c))
EOF
	rc=$?
	sed "s|^|# $name: |" "$T/edges"
	grep -q '^CYCLE: ' "$T/edges" && rc=1
	ok $rc "$name: ${#objs[@]} files, no cycle among their imports"
done
exit "$failed"
