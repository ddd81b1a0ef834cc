#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks Documentation/netlink/specs/leakmon.yaml against the real module
# with the kernel's generic YNL client (tools/net/ynl/cli.py), inside the
# test VM, as TAP.  The spec must validate against the genetlink schema; the
# client must decode every reply with it (it refuses attribute types that
# the spec does not name and sizes other than the spec's types); replies
# must carry the attributes the spec lists; and the genetlink controller,
# read with the kernel's nlctrl spec, must report the spec's operations and
# set-config checks.
#
# Environment: LEAKMON_YNL (tools/net/ynl of a kernel source tree that also
# has Documentation/netlink/genetlink.yaml and specs/nlctrl.yaml),
# LEAKMON_SRC (this tree).  leakmon.ko must be loaded.  Needs root, jq,
# setpriv, python3 with yaml and jsonschema.
#
# Exit status: 0 if every test passed, 1 otherwise, 4 (skip) when the YNL
# client is not available.
# shellcheck disable=SC2016 # jq programs: $s, $p ... are jq's variables
set -u
: "${LEAKMON_SRC:?}"
YNL=${LEAKMON_YNL:-}
SPEC=$LEAKMON_SRC/Documentation/netlink/specs/leakmon.yaml
NLDOC=$YNL/../../../Documentation/netlink
# The YNL library's bytecode goes to the guest's RAM, not next to its
# source: each of the ~20 runs of cli.py would compile it again.
export PYTHONPYCACHEPREFIX=/tmp/leakmon-ynl-pycache

if [ -z "$YNL" ] || [ ! -f "$YNL/cli.py" ] ||
	! command -v python3 >/dev/null; then
	echo "1..0 # SKIP the YNL client is not available (LEAKMON_YNL='$YNL')"
	exit 4
fi

T=$(mktemp -d)
holder=''
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$holder" ] || kill "$holder" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

TAP_PREFIX="ynl: "
# shellcheck source=selftests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# cli.py's requests run in one Python process (selftests/ynl_batch.py: the
# same main(), without the 4 s start of each run under TCG); the
# unprivileged request and the listener of notifications run cli.py itself.
coproc YNLB { python3 "$(dirname "${BASH_SOURCE[0]}")/ynl_batch.py" "$YNL"; }
# ynl EXPECTED_RC OUTFILE CLI-ARGS...: cli.py's stdout to OUTFILE, stderr to
# OUTFILE.err.  A successful reply must be clean: no message the client
# could not match to the request, no warning.
ynl() {
	local want=$1 out=$2 rc=''
	shift 2
	: >"$out.err"
	if [ -n "${YNLB[1]:-}" ] &&
		jq -cn --arg out "$out" --arg err "$out.err" \
			'{argv: $ARGS.positional, out: $out, err: $err}' \
			--args -- --no-schema --output-json "$@" >&"${YNLB[1]}"; then
		read -r rc <&"${YNLB[0]}"
	fi
	[ -n "$rc" ] || rc="none (selftests/ynl_batch.py died)"
	if [ "$rc" != "$want" ]; then
		echo "# cli.py $*: exit $rc, expected $want"
		cat "$out" "$out.err" | tail -n 20 | sed 's/^/#   /'
		return 1
	fi
	if [ "$want" -eq 0 ] &&
		grep -qE '^(Unexpected message|Netlink warning)' "$out"; then
		echo "# cli.py $*: stray output"
		sed 's/^/#   /' "$out"
		return 1
	fi
	return 0
}
lm() { local want=$1 out=$2; shift 2; ynl "$want" "$out" --spec "$SPEC" "$@"; }
ctrl() {
	local want=$1 out=$2
	shift 2
	ynl "$want" "$out" --spec "$NLDOC/specs/nlctrl.yaml" "$@"
}
# jqt FILE FILTER: FILTER (with the spec's facts as $s) is true of FILE.
jqt() { jq -e --slurpfile s "$T/spec.json" "$2 | . == true" "$1" >/dev/null; }
# refused OUTFILE ERRNO-TEXT EXTACK-PATTERN: cli.py reported the kernel's
# error and its extended ack.
refused() {
	if grep -q "^Netlink error: $2\$" "$1" && grep -q "extack: .*$3" "$1"; then
		return 0
	fi
	sed 's/^/#   /' "$1"
	return 1
}

echo "TAP version 13"

# The facts of the spec, as the YNL library reads it after validating it.
python3 - "$YNL" "$SPEC" "$NLDOC/genetlink.yaml" \
	>"$T/spec.json" 2>"$T/spec.err" <<'EOF'
import json
import sys

sys.path.insert(0, sys.argv[1])
from lib import SpecFamily  # noqa: E402

fam = SpecFamily(sys.argv[2], sys.argv[3])
facts = {"ops": {}, "replies": {}, "sets": {}, "checks": {}, "ids": {}}
for name, op in fam.ops.items():
    facts["ops"][name] = {"id": op.req_value, "modes": sorted(op.modes)}
    for mode in op.modes:
        reply = op.yaml[mode].get("reply", {}).get("attributes", [])
        facts["replies"][name] = sorted(reply)
for name, aset in fam.attr_sets.items():
    facts["sets"][name] = sorted(a.name for a in aset.attrs.values()
                                 if a.type != "pad")
    facts["ids"][name] = {a.name: a.value for a in aset.attrs.values()}
    facts["checks"][name] = {
        str(a.value): {"type": a.type, "min": a.yaml["checks"].get("min", 0),
                       "max": a.yaml["checks"]["max"]}
        for a in aset.attrs.values() if "checks" in a.yaml}
facts["kinds"] = [e.name for e in fam.consts["kind"].entries.values()]
print(json.dumps(facts))
EOF
ok $? "the spec validates against genetlink.yaml and loads"
if [ ! -s "$T/spec.json" ]; then
	tail -n 20 "$T/spec.err" | sed 's/^/#   /'
	echo "1..$n"
	exit 1
fi

ctrl 0 "$T/family" --do getfamily --json '{"family-name": "leakmon"}' &&
	jqt "$T/family" '[.ops[] | to_entries[0].value |
		{id, modes: [.flags[] | select(. == "cmd-cap-do" or
			. == "cmd-cap-dump") | ltrimstr("cmd-cap-")] | sort}] |
		sort_by(.id) == ($s[0].ops | [.[]] | sort_by(.id))'
ok $? "the kernel has the spec's operations (ids, do/dump)"

op=$(jq '.ops["set-config"].id' "$T/spec.json")
ctrl 0 "$T/policy" --dump getpolicy \
	--json "{\"family-name\": \"leakmon\", \"op\": $op}" &&
	jqt "$T/policy" '[.[].policy | select(.)] as $p |
		($p[] | select(."attr-id" == $s[0].ids.leakmon.config and
			has("policy-idx")) | ."policy-idx") as $cfg |
		[$p[] | select(."policy-id" == $cfg and has("max-value-u")) |
			{key: (."attr-id" | tostring), value: {type,
				min: ."min-value-u", max: ."max-value-u"}}] |
		from_entries == $s[0].checks.config'
rc=$?
if [ $rc -ne 0 ]; then
	echo "# the spec's checks: $(jq -c .checks.config "$T/spec.json")"
	echo "# the kernel's policy: $(jq -c '[.[].policy | select(.)]' "$T/policy" | cut -c1-1500)"
fi
ok $rc "the kernel's set-config policy has the spec's checks"

# A reachability pass first: get-totals and get-owners carry its result
lm 0 "$T/scan" --do scan &&
	jqt "$T/scan" '(keys == $s[0].replies.scan) and
		(.scan | keys == $s[0].sets.scan) and
		([.scan.kind[].id] == $s[0].kinds) and
		all(.scan.kind[]; keys == $s[0].sets["scan-kind"]) and
		.scan.objects == ([.scan.kind[] | .young + .held + .kernel +
			.closing + .unreachable] | add)'
ok $? "scan: a pass, the spec's attributes, its classes sum to its objects"
lm 0 "$T/unreach" --dump get-unreachable &&
	jqt "$T/unreach" 'type == "array" and all(.[]; keys == ["unreach"] and
		(.unreach | (keys - $s[0].sets.unreach) == [] and
			has("kind") and .count > 0))'
ok $? "get-unreachable: $(jq length "$T/unreach" 2>/dev/null) groups, each with the spec's attributes"

# view-uid: only for a caller who sees its own uid's owners alone
lm 0 "$T/totals" --do get-totals &&
	jqt "$T/totals" '(keys == ($s[0].replies["get-totals"] - ["view-uid"])) and
		(.version | type == "string" and length > 0)'
ok $? "get-totals: the spec's attributes, version $(jq -r .version "$T/totals")"
# obj-size: only once an object of the kind has been seen; the handover
# probe and its misses: for sk-blob, whose probe every kernel here has
opt='["disabled-reason", "obj-size", "handover-probe", "missed-handover"]'
jqt "$T/totals" "$opt as \$opt | ([.kind[].id] == \$s[0].kinds) and
	all(.kind[]; (keys - \$opt) == (\$s[0].sets.kind - \$opt) and
		(has(\"disabled-reason\") == (.enabled == 0)) and
		(has(\"handover-probe\") == (.id == \"sk-blob\" and .enabled == 1)) and
		(has(\"handover-probe\") == has(\"missed-handover\")) and
		(.name | type == \"string\"))"
rc=$?
kinds=$(jq -r '[.kind[].id] | join(", ")' "$T/totals")
ok "$rc" "get-totals: kind nests ($kinds) with the spec's attributes"
jqt "$T/totals" '.config | keys == $s[0].sets.config'
ok $? "get-totals: the config nest has the spec's attributes"

# An exited owner: this python3 exits at once; its child keeps the socket
# open, so the exited owner stays listed with live objects.  The child
# reports both pids once the parent has gone.
pids=$(python3 -c 'import os, socket, time
s = socket.socket()
owner = os.getpid()
if os.fork() == 0:
    for _ in range(1000):
        if os.getppid() != owner:
            break
        time.sleep(0.01)
    print(owner, os.getpid(), flush=True)
    os.close(1)
    time.sleep(60)
    os._exit(0)')
read -r owner holder <<<"$pids"
lm 0 "$T/owners" --dump get-owners &&
	jqt "$T/owners" 'length > 0 and all(.[]; keys == ["owner"] and
		(.owner | (keys - ["exited", "exit-ns", "netns-inum"]) ==
			($s[0].sets.owner - ["exited", "exit-ns", "netns-inum"]) and
			(has("netns-inum") == (.type == "netns")) and
			(.tgid | type == "number") and (.comm | type == "string") and
			(has("exited") == has("exit-ns")) and
			([.kind[].id] == $s[0].kinds) and
			all(.kind[]; keys == $s[0].sets["owner-kind"])))'
ok $? "get-owners: $(jq length "$T/owners") rows with tgid, comm, kind nests"
jqt "$T/owners" 'any(.[].owner; .type == "softirq" and .tgid == 0 and
		.comm == "[softirq]" and (has("exited") | not)) and
	all(.[].owner; .type == "task" or .type == "softirq" or
		(.type == "netns" and .tgid == 0 and ."netns-inum" > 0 and
		 .comm == "[netns]"))'
ok $? "get-owners: every owner is a task, one [softirq] (type softirq, tgid 0), or a network namespace (type netns, tgid 0, its inode number)"
jqt "$T/owners" "any(.[].owner; .tgid == ${owner:-0} and .exited == true and
	.\"exit-ns\" > 0 and .kind[0].live >= 1)"
ok $? "get-owners: an exited owner has the exited flag and exit-ns"
kill "$holder" 2>/dev/null
holder=''

lm 0 "$T/config" --do get-config &&
	jqt "$T/config" 'keys == ["config"] and (.config | keys == $s[0].sets.config)'
ok $? "get-config: the config nest has the spec's attributes"
orig=$(jq -c .config "$T/config")
max_owners=$(jq .config.\"max-owners\" "$T/config")

lm 0 "$T/set" --do set-config --json '{"config": {"max-owners": 4000}}' &&
	jq -e --argjson o "$orig" '.config == ($o | ."max-owners" = 4000)' \
		"$T/set" >/dev/null &&
	lm 0 "$T/get" --do get-config &&
	jq -e '.config."max-owners" == 4000' "$T/get" >/dev/null
ok $? "set-config max-owners 4000: the reply and get-config show it"
lm 0 "$T/set" --do set-config \
	--json "{\"config\": {\"max-owners\": $max_owners}}" &&
	jq -e --argjson o "$orig" '.config == $o' "$T/set" >/dev/null
ok $? "set-config max-owners $max_owners: back to the original configuration"

lm 1 "$T/e1" --do set-config --json '{"config": {"max-owners": 0}}' &&
	refused "$T/e1" "Numerical result out of range" \
		"'msg': 'integer out of range'.*'bad-attr': '.config.max-owners'"
ok $? "set-config max-owners 0 is refused: ERANGE, the kernel's extack"
sed -n 's/^[[:space:]]*extack: /# extack: /p' "$T/e1"
big=$(jq '.checks.config[.ids.config."max-objects" | tostring].max' \
	"$T/spec.json")
lm 1 "$T/e2" --do set-config \
	--json "{\"config\": {\"max-objects\": $((big + 1))}}" &&
	refused "$T/e2" "Numerical result out of range" \
		"'bad-attr': '.config.max-objects'"
ok $? "set-config max-objects $((big + 1)) (spec's max + 1) is refused: ERANGE"
lm 1 "$T/e3" --do set-config --json '{"config": {"hash-buckets": 4}}' &&
	refused "$T/e3" "Invalid argument" \
		"read-only.*'bad-attr': '.config.hash-buckets'"
ok $? "set-config hash-buckets (read only) is refused: EINVAL, kernel's extack"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	python3 "$YNL/cli.py" --no-schema --spec "$SPEC" --do set-config \
	--json '{"config": {"max-owners": 4000}}' >"$T/e4" 2>&1
rc=$?
[ "$rc" -eq 1 ] && refused "$T/e4" "Operation not permitted" "CAP_NET_ADMIN"
ok $? "unprivileged set-config is refused: EPERM, the kernel's extack (rc $rc)"
lm 0 "$T/rr2" --do set-config --json '{"config": {"restrict-read": 2}}' &&
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		python3 "$YNL/cli.py" --no-schema --spec "$SPEC" --output-json \
		--do get-totals >"$T/vu" 2>&1 &&
	jq -e '."view-uid" == 65534 and .config."restrict-read" == 2' \
		"$T/vu" >/dev/null
rc=$?
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/vu" | tail -n 5
lm 0 "$T/rr0" --do set-config --json '{"config": {"restrict-read": 0}}' &&
	[ $rc -eq 0 ]
ok $? "restrict-read 2: an unprivileged get-totals has view-uid, its own uid"
lm 0 "$T/config" --do get-config &&
	jq -e --argjson o "$orig" '.config == $o' "$T/config" >/dev/null
ok $? "the refused set-config requests changed nothing"

lm 0 "$T/reset" --do reset && [ "$(cat "$T/reset")" = null ]
ok $? "reset: acknowledged without a reply message"
jqt "$T/totals" '.events | keys == $s[0].sets.events'
ok $? "get-totals: the events nest has the spec's attributes"

# Notifications: a listener of the events group decodes an event-threshold
# (threshold 1: the first object of any new owner) with the spec.
# The listener subscribes once Python and the spec have loaded, seconds
# later on the debug kernel, and then listens for 6 s: new owners (each a
# new process with a socket) come until it has finished.
lm 0 "$T/thr" --do set-config --json '{"config": {"event-threshold": 1}}'
python3 "$YNL/cli.py" --no-schema --output-json --spec "$SPEC" \
	--subscribe events --sleep 6 >"$T/ntf" 2>"$T/ntf.err" &
listener=$!
while kill -0 "$listener" 2>/dev/null; do
	python3 -c 'import socket; socket.socket().close()'
	sleep 0.5
done
wait "$listener"
rc=$?
lm 0 "$T/thr" --do set-config --json '{"config": {"event-threshold": 0}}'
[ "$rc" -eq 0 ] && jqt "$T/ntf" 'all(.[]; .name | IN("event-threshold",
		"event-orphans", "event-saturated", "event-unreachable")) and
	([.[] | select(.name == "event-threshold")] | length > 0 and
	all(.[]; .msg.event | (keys - ["pad"]) == ["cgroup-id", "comm", "kind",
			"live", "start-ns", "tgid", "threshold", "time-ns", "uid"] and
			.threshold == 1 and .live >= 1 and
			([.kind[].id] == $s[0].kinds)))'
rc=$?
[ "$rc" -eq 0 ] || cat "$T/ntf" "$T/ntf.err" | tail -n 20 | sed 's/^/#   /'
ok "$rc" "event-threshold notifications decode with the spec ($(jq length "$T/ntf" 2>/dev/null))"

echo "1..$n"
exit $failed
