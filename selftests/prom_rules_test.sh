#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Prometheus alerting rules (user/prometheus/leakmon.rules.yml), as
# TAP, on the host (no module needed):
#   - 'promtool check rules' accepts them, and 'promtool check config'
#     Debian's prometheus.yml that names them in rule_files (README.md);
#   - every alert has a severity (the Zabbix template's priorities: info,
#     warning, average, high), a summary and a description; every metric
#     they and the tests' series use is one that 'leakmon prometheus'
#     writes, with its labels (Documentation/cli.md's table of metrics);
#   - the same meaning as the Zabbix template
#     (user/zabbix/leakmon_template.yaml): every trigger has its alert,
#     with the same threshold (its macro's value), the same priority, and
#     the same duration for min(...,1h);
#   - 'promtool test rules' on the scenarios of selftests/prom_rules/: a
#     healthy server (no alert), the apache2 leak (the leak alerts name
#     apache2), a saturated table, slab growth, incomplete tracking; each
#     scenario says at each of its times what every alert does;
#   - the scenarios catch broken rules: with a rule changed (a threshold,
#     a duration, a condition), its scenario fails.
# promtool is Debian's (package prometheus), unpacked by selftests/lib.sh's
# lm_monitor_tools, or $LEAKMON_PROMTOOL.  Takes a few seconds.
#
# Exit status: 0 if every test passed, 1 otherwise.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
RULES=$TOP/user/prometheus/leakmon.rules.yml
TESTS=$HERE/prom_rules

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

TAP_PREFIX="prom rules: "
# shellcheck source=selftests/tap.sh
. "$HERE/tap.sh"
diag() {
	sed 's/^/# /'
}

PROMTOOL=${LEAKMON_PROMTOOL:-}
if [ -z "$PROMTOOL" ]; then
	# shellcheck source=selftests/lib.sh
	dir=$(. "$HERE/lib.sh" && lm_monitor_tools 2>"$T/tools.log") &&
		PROMTOOL=$dir/usr/bin/promtool
fi
if [ -z "$PROMTOOL" ] || ! "$PROMTOOL" --version >"$T/version" 2>&1; then
	[ ! -f "$T/tools.log" ] || diag <"$T/tools.log"
	ok 1 "promtool runs (selftests/lib.sh's lm_monitor_tools or LEAKMON_PROMTOOL)"
	exit 1
fi
echo "# $(head -n 1 "$T/version")"

"$PROMTOOL" check rules "$RULES" >"$T/check" 2>&1
rc=$?
diag <"$T/check"
ok $rc "promtool check rules accepts user/prometheus/leakmon.rules.yml"

# Loaded as README.md says: beside Debian's prometheus.yml, named in its
# rule_files (where Debian's has two commented-out examples)
conf=$(dirname "$(dirname "$(dirname "$PROMTOOL")")")/etc/prometheus/prometheus.yml
if [ -f "$conf" ]; then
	mkdir -p "$T/etc"
	cp "$RULES" "$T/etc/"
	sed 's/^rule_files:$/&\n  - leakmon.rules.yml/' "$conf" >"$T/etc/prometheus.yml"
	"$PROMTOOL" check config "$T/etc/prometheus.yml" >"$T/config" 2>&1
	rc=$?
	diag <"$T/config"
	grep -q 'SUCCESS: 1 rule files found' "$T/config" || rc=1
else
	echo "# no $conf beside promtool"
	rc=1
fi
ok $rc "promtool check config: Debian's prometheus.yml with the rules in rule_files"

# The static checks, in Python: lines "RC DESCRIPTION" and "# ..." lines.
python3 - "$RULES" "$TOP/user/zabbix/leakmon_template.yaml" \
	"$TOP/Documentation/cli.md" "$TESTS"/*.yml >"$T/static" 2>&1 <<'EOF'
import re
import sys
import yaml

rules_file, template_file, cli_md, tests = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rules = [r for g in yaml.safe_load(open(rules_file))["groups"] for r in g["rules"]]
alerts = {r["alert"]: r for r in rules if "alert" in r}


def report(problems, desc):
    for p in problems:
        print("# " + p)
    print("%d %s" % (1 if problems else 0, desc))


# Alerts: a severity of the template's priorities, summary, description
problems = []
for name, r in alerts.items():
    if r.get("labels", {}).get("severity") not in ("info", "warning", "average", "high"):
        problems.append("%s: severity %r" % (name, r.get("labels", {}).get("severity")))
    for a in ("summary", "description"):
        if not r.get("annotations", {}).get(a, "").strip():
            problems.append("%s: no %s" % (name, a))
report(problems, "every alert has a severity (info, warning, average, high), "
       "a summary and a description (%d alerts)" % len(alerts))

# The metrics 'leakmon prometheus' writes, with their labels
metrics = {}
table = False
for line in open(cli_md):
    if line.startswith("| metric | labels | meaning |"):
        table = True
        continue
    if table and not line.startswith("|"):
        break
    if table and not line.startswith("|---"):
        cells = line.split("|")
        labels = set(re.findall(r"`([a-z_]+)`", cells[2]))
        for m in re.findall(r"`(leakmon_[a-z_]+)`", cells[1]):
            metrics[m] = labels
problems = [] if metrics else ["no table of metrics in Documentation/cli.md"]
used = set()
for name, r in alerts.items():
    text = r["expr"] + " ".join(r.get("annotations", {}).values())
    for m in set(re.findall(r"\bleakmon_[a-z_]+", text)):
        used.add(m)
        if m not in metrics:
            problems.append("%s uses %s" % (name, m))
series = 0
for t in tests:
    for test in yaml.safe_load(open(t))["tests"]:
        for s in test["input_series"]:
            m = re.match(r"([a-z_]+)\{(.*)\}$", s["series"])
            series += 1
            if not m or m.group(1) not in metrics:
                problems.append("%s: series %s" % (t, s["series"]))
                continue
            for lab in re.findall(r'([a-z_]+)="', m.group(2)):
                if lab not in metrics[m.group(1)] | {"instance", "job"}:
                    problems.append("%s: %s has no label %s" % (t, m.group(1), lab))
report(problems, "the rules use %d and the scenarios' %d series only metrics and "
       "labels that leakmon prometheus writes (Documentation/cli.md)"
       % (len(used), series))

# The Zabbix template's triggers: their alerts, thresholds, priorities.
# An alert and its trigger say the same: a threshold (">N" both), a
# duration (Zabbix min(...,1h), Prometheus for: 1h), or, for a comparison
# with another item or no data, the alert's own condition (the first
# term's key names the alert).
ALERT_OF = {
    "leakmon.unreachable": "LeakmonUnreachableObjects",
    "leakmon.owner.unreachable": "LeakmonOwnerUnreachableObjects",
    "leakmon.slab.growth": "LeakmonSlabGrowth",
    "leakmon.slab.growth.unreclaimable": "LeakmonUnreclaimableSlabGrowth",
    "leakmon.untracked": "LeakmonSaturated",
    "leakmon.incomplete": "LeakmonTrackingIncomplete",
    "leakmon.disabled": "LeakmonKindDisabled",
    "leakmon.live": "LeakmonDown",
}
# Conditions that are not a threshold: what the Prometheus expression and
# the rest of the Zabbix expression must say
SAME = {
    # incomplete, unless saturated (untracked)
    "LeakmonTrackingIncomplete": (
        r"^\(leakmon_tracking_incomplete == 1\) unless \(sum without \(kind\) \(leakmon_untracked_total\) > 0\)$",
        r"^ and last\(/[^/]+/leakmon\.untracked\)=0$"),
    # a kind whose probes are off
    "LeakmonKindDisabled": (r"^leakmon_kind_enabled == 0$", r"^$"),
    # the module unreadable for 5 minutes
    "LeakmonDown": (r"^leakmon_up == 0$", r"^$"),
}
export = yaml.safe_load(open(template_file))["zabbix_export"]
tmpl = export["templates"][0]
macros = {m["macro"]: m["value"] for m in tmpl.get("macros", [])}


def number(v):
    v = macros.get(v, v)
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if v and v[-1] in mult:
        return float(v[:-1]) * mult[v[-1]]
    return float(v)


# Triggers of one item are under it; of several, at the top of the export
triggers = list(export.get("triggers", [])) + list(tmpl.get("triggers", []))
for item in tmpl.get("items", []):
    triggers += item.get("triggers", [])
for rule in tmpl.get("discovery_rules", []):
    for item in rule.get("item_prototypes", []):
        triggers += item.get("trigger_prototypes", [])
problems = []
covered = set()
for t in triggers:
    m = re.match(r"^(\w+)\(/[^/]+/([a-z.]+)(\[[^]]*\])?(,(\w+))?\)([>=])(\S+)(.*)$",
                 t["expression"])
    if not m:
        problems.append("cannot read the trigger %s" % t["expression"])
        continue
    func, key, period = m.group(1), m.group(2), m.group(5)
    op, threshold, rest = m.group(6), m.group(7), m.group(8)
    name = ALERT_OF.get(key)
    r = alerts.get(name)
    if not r:
        problems.append("no alert for the trigger %r (%s)" % (t["name"], key))
        continue
    covered.add(name)
    sev = r.get("labels", {}).get("severity")
    if sev != t["priority"].lower():
        problems.append("%s: severity %s, Zabbix %s" % (name, sev, t["priority"]))
    if name in SAME:
        prom, zbx = SAME[name]
        if not re.match(prom, r["expr"]) or not re.match(zbx, rest):
            problems.append("%s: %r is not the trigger's %r" % (
                name, r["expr"], t["expression"]))
    else:
        got = re.search(r">\s*([0-9.e+]+)\s*$", r["expr"])
        if op != ">" or rest or not got or \
                float(got.group(1)) != number(threshold):
            problems.append("%s: threshold %s, Zabbix %s" % (
                name, got.group(1) if got else "?", t["expression"]))
    want_for = period if func in ("min", "nodata") else None
    if r.get("for") != want_for:
        problems.append("%s: for %s, Zabbix %s" % (name, r.get("for"), t["expression"]))
    print("# %s (%s) = %s %s" % (t["priority"], t["expression"], sev, name))
for name in sorted(set(alerts) - covered):
    problems.append("the alert %s has no Zabbix trigger" % name)
report(problems, "the %d Zabbix triggers and the %d alerts match: the same "
       "condition, priority and duration" % (len(triggers), len(alerts)))

# Each scenario says, at each of its times, what every alert does
problems = []
for t in tests:
    for test in yaml.safe_load(open(t))["tests"]:
        at = {}
        for a in test.get("alert_rule_test", []):
            at.setdefault(a["eval_time"], set()).add(a["alertname"])
        for when, names in at.items():
            if names != set(alerts):
                problems.append("%s at %s: not %s" % (
                    t, when, " ".join(sorted(set(alerts) - names))))
        if not at:
            problems.append("%s: no alert_rule_test" % t)
report(problems, "every scenario says at each of its times what every alert does")
EOF
rc=$?
while IFS= read -r line; do
	case $line in
	'#'*) echo "$line" ;;
	[01]' '*) ok "${line%% *}" "${line#* }" ;;
	*) echo "# $line" ;;
	esac
done <"$T/static"
[ $rc -eq 0 ] || ok 1 "the static checks ran (python3 and python3-yaml)"

# The scenarios
for f in "$TESTS"/*.yml; do
	what=$(sed -n '2{s/^# Prometheus rules test ([^)]*): //;s/\.$//;p}' "$f")
	"$PROMTOOL" test rules "$f" >"$T/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || diag <"$T/out"
	ok $rc "promtool test rules ${f#"$TOP"/}: ${what:-?}"
done

# mutant SCENARIO WHAT SED: the scenario fails against the rules changed
# by the sed expression SED (a copy of both in $T)
mutant() {
	local scenario=$1 what=$2 expr=$3
	mkdir -p "$T/m/user/prometheus" "$T/m/selftests/prom_rules"
	sed "$expr" "$RULES" >"$T/m/user/prometheus/leakmon.rules.yml"
	cp "$TESTS/$scenario.yml" "$T/m/selftests/prom_rules/"
	if cmp -s "$RULES" "$T/m/user/prometheus/leakmon.rules.yml"; then
		echo "# $expr changes nothing"
		ok 1 "$scenario fails when $what"
		return
	fi
	! "$PROMTOOL" test rules "$T/m/selftests/prom_rules/$scenario.yml" >"$T/out" 2>&1 &&
		grep -q FAILED "$T/out"
	ok $? "$scenario fails when $what"
}
mutant apache2_leak "the leak alert's threshold is 1000" \
	's/(leakmon_unreachable_objects) > 0$/(leakmon_unreachable_objects) > 1000/'
mutant apache2_leak "the owner's leak alert keeps the state label" \
	's/max without (state) (leakmon_owner_unreachable_objects/max without () (leakmon_owner_unreachable_objects/'
mutant healthy "slab growth alerts wait 30 minutes" 's/for: 1h$/for: 30m/'
mutant healthy "exited owners' objects raise the leak alert" \
	's/(leakmon_unreachable_objects) > 0$/(leakmon_exited_owner_objects) > 0/'
mutant saturated "incomplete tracking is said during saturation too" \
	's/^\(    expr: (leakmon_tracking_incomplete == 1)\) unless .*/\1/'
mutant slab_growth "the slab growth threshold is 64 MiB/h or more" \
	's/> 67108864$/>= 67108864/'

echo "1..$n"
exit $failed
