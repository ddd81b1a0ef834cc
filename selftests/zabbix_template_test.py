#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks user/zabbix/ on the host, as TAP (no module needed):

- leakmon_template.yaml has the structure Zabbix 6.0's importer expects
  (zabbix_export, version 6.0, UUIDv4 uuids that are unique, required
  fields of templates, items, triggers, discovery rules, prototypes and
  graphs, known value types and priorities);
- every item key and item prototype key of the template has a UserParameter
  in userparameter_leakmon.conf (flexible "key[*]" for keys with
  parameters), and every trigger and graph refers to an item of the
  template;
- every UserParameter runs 'leakmon check KEY' with a KEY that
  'leakmon check --list' knows, and every key it lists has a UserParameter
  and an item (or item prototype) in the template.

Usage: selftests/zabbix_template_test.py  (LEAKMON_CLI: the CLI, default
user/leakmon).  Needs python3-yaml.  Exit status: 0 if every test passed.
"""
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZDIR = os.path.join(TOP, "user", "zabbix")
TEMPLATE = os.path.join(ZDIR, "leakmon_template.yaml")
UPFILE = os.path.join(ZDIR, "userparameter_leakmon.conf")
CLI = os.environ.get("LEAKMON_CLI", os.path.join(TOP, "user", "leakmon"))

n = 0
failed = 0


def ok(cond, desc, problems=()):
    global n, failed
    n += 1
    for p in problems:
        print("# " + p)
    print("%s %d zabbix: %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed = 1


try:
    import yaml
except ImportError:
    print("1..0 # SKIP python3-yaml is not installed")
    sys.exit(4)

UUID4 = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")
VALUE_TYPES = {"FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"}
PRIORITIES = {"NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH",
              "DISASTER"}
KEY_RE = re.compile(r"^([0-9A-Za-z_.-]+)(\[(.*)\])?$")

with open(TEMPLATE) as f:
    doc = yaml.safe_load(f)

# ---- structure ----
probs = []
uuids = []


def need(obj, where, *fields):
    for fld in fields:
        if not isinstance(obj, dict) or fld not in obj or obj[fld] in (None, ""):
            probs.append("%s: no %s" % (where, fld))


def uuid_of(obj, where):
    u = obj.get("uuid") if isinstance(obj, dict) else None
    if not isinstance(u, str) or not UUID4.match(u):
        probs.append("%s: uuid %r is not a UUIDv4 (32 hex digits)" % (where, u))
    uuids.append(u)


exp = doc.get("zabbix_export") if isinstance(doc, dict) else None
if not isinstance(exp, dict):
    probs.append("no zabbix_export mapping")
    exp = {}
if str(exp.get("version")) != "6.0":
    probs.append("version %r, expected '6.0'" % exp.get("version"))
for g in exp.get("groups", []):
    need(g, "group", "uuid", "name")
    uuid_of(g, "group %s" % g.get("name"))
group_names = {g.get("name") for g in exp.get("groups", [])}
templates = exp.get("templates") or []
if len(templates) != 1:
    probs.append("%d templates, expected 1" % len(templates))
tpl = templates[0] if templates else {}
tname = tpl.get("template", "")
need(tpl, "template", "uuid", "template", "name", "groups")
uuid_of(tpl, "template")
for g in tpl.get("groups", []):
    if g.get("name") not in group_names:
        probs.append("template group %r is not exported" % g.get("name"))

items, protos, triggers, graphs = [], [], [], []


def check_item(it, where):
    need(it, where, "uuid", "name", "key")
    uuid_of(it, where)
    vt = it.get("value_type", "UNSIGNED")
    if vt not in VALUE_TYPES:
        probs.append("%s: value_type %r" % (where, vt))
    if it.get("type", "ZABBIX_PASSIVE") not in ("ZABBIX_PASSIVE",
                                               "ZABBIX_ACTIVE"):
        probs.append("%s: type %r is not an agent item" % (where, it["type"]))
    if not KEY_RE.match(str(it.get("key", ""))):
        probs.append("%s: malformed key %r" % (where, it.get("key")))
    for t in it.get("tags", []):
        need(t, where + " tag", "tag")


def check_trigger(t, where):
    need(t, where, "uuid", "expression", "name")
    uuid_of(t, where)
    if t.get("priority", "NOT_CLASSIFIED") not in PRIORITIES:
        probs.append("%s: priority %r" % (where, t.get("priority")))
    triggers.append(t)


def check_graph(gr, where):
    need(gr, where, "uuid", "name", "graph_items")
    uuid_of(gr, where)
    for gi in gr.get("graph_items", []):
        need(gi, where + " item", "color", "item")
        need(gi.get("item", {}), where + " item", "host", "key")
        if gi.get("item", {}).get("host") != tname:
            probs.append("%s: graph item of host %r" %
                         (where, gi.get("item", {}).get("host")))
    graphs.append(gr)


for it in tpl.get("items", []):
    check_item(it, "item %s" % it.get("key"))
    items.append(it)
    for t in it.get("triggers", []):
        check_trigger(t, "trigger %s" % t.get("name"))
rules = tpl.get("discovery_rules", [])
for r in rules:
    check_item(r, "discovery rule %s" % r.get("key"))
    if not r.get("item_prototypes"):
        probs.append("discovery rule %s: no item prototypes" % r.get("key"))
    for it in r.get("item_prototypes", []):
        check_item(it, "item prototype %s" % it.get("key"))
        if "{#" not in it.get("key", ""):
            probs.append("item prototype %s: no LLD macro" % it.get("key"))
        protos.append(it)
        for t in it.get("trigger_prototypes", []):
            check_trigger(t, "trigger prototype %s" % t.get("name"))
    for t in r.get("trigger_prototypes", []):
        check_trigger(t, "trigger prototype %s" % t.get("name"))
    for gr in r.get("graph_prototypes", []):
        check_graph(gr, "graph prototype %s" % gr.get("name"))
for t in exp.get("triggers", []):
    check_trigger(t, "trigger %s" % t.get("name"))
for gr in exp.get("graphs", []):
    check_graph(gr, "graph %s" % gr.get("name"))
for m in tpl.get("macros", []):
    if not re.match(r"^\{\$[A-Z0-9_.]+\}$", str(m.get("macro"))):
        probs.append("macro %r" % m.get("macro"))
dups = sorted({u for u in uuids if uuids.count(u) > 1 and u})
if dups:
    probs.append("uuids used twice: %s" % ", ".join(dups))
ok(not probs and items and rules and triggers and graphs,
   "template has the structure of a Zabbix 6.0 export (%d items, %d "
   "discovery rules, %d item prototypes, %d triggers, %d graphs)" %
   (len(items), len(rules), len(protos), len(triggers), len(graphs)), probs)

# ---- references: triggers and graphs use items of the template ----
probs = []
keys = {it["key"] for it in items + rules + protos if "key" in it}
for t in triggers:
    for host, key in re.findall(r"\(/([^/]+)/([^,)]+)", t.get("expression", "")):
        if host != tname:
            probs.append("trigger %s: host %r" % (t.get("name"), host))
        if key not in keys:
            probs.append("trigger %s: no item %s" % (t.get("name"), key))
    if not re.search(r"\(/[^/]+/", t.get("expression", "")):
        probs.append("trigger %s: no item in its expression" % t.get("name"))
for gr in graphs:
    for gi in gr.get("graph_items", []):
        if gi.get("item", {}).get("key") not in keys:
            probs.append("graph %s: no item %s" %
                         (gr.get("name"), gi.get("item", {}).get("key")))
ok(not probs, "triggers and graphs refer to items of the template", probs)

# ---- UserParameters ----
up = {}
probs = []
with open(UPFILE) as f:
    for lineno, line in enumerate(f, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^UserParameter=([^,]+),(.*)$", line)
        if not m:
            probs.append("line %d: not a UserParameter: %s" % (lineno, line))
            continue
        if m.group(1) in up:
            probs.append("line %d: %s defined twice" % (lineno, m.group(1)))
        up[m.group(1)] = m.group(2)
ok(not probs and up, "userparameter_leakmon.conf parses (%d keys)" % len(up),
   probs)


def has_userparameter(key):
    m = KEY_RE.match(key)
    if not m:
        return False
    if m.group(2):
        return m.group(1) + "[*]" in up
    return key in up


probs = ["no UserParameter for item key %s" % it["key"]
         for it in items + rules if not has_userparameter(it["key"])]
ok(not probs, "every item and discovery rule key has a UserParameter", probs)
probs = ["no UserParameter for item prototype key %s" % it["key"]
         for it in protos if not has_userparameter(it["key"])]
ok(not probs, "every item prototype key has a UserParameter", probs)

# ---- against the CLI ----
try:
    out = subprocess.run([CLI, "check", "--list"], capture_output=True,
                         text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError) as e:
    print("# cannot run %s check --list: %s" % (CLI, e))
    out = ""
listed = {}
for line in out.splitlines():
    words = line.split()
    if words:
        listed[words[0]] = len(words) > 1 and words[1] in ("TGID", "UID")
probs = []
for k, cmd in sorted(up.items()):
    m = re.match(r'^leakmon check ([a-z.]+)( "\$1")?$', cmd)
    if not m:
        probs.append("%s: command %r is not 'leakmon check KEY'" % (k, cmd))
    elif m.group(1) not in listed:
        probs.append("%s: 'leakmon check' has no key %s" % (k, m.group(1)))
    elif listed[m.group(1)] != bool(m.group(2)) or \
            k.endswith("[*]") != bool(m.group(2)):
        probs.append("%s: argument mismatch with 'leakmon check %s'" %
                     (k, m.group(1)))
ok(listed and not probs,
   "every UserParameter runs a key of 'leakmon check --list'", probs)
probs = []
cmds = {re.sub(r' "\$1"$', "", c) for c in up.values()}
for key in sorted(listed):
    if "leakmon check " + key not in cmds:
        probs.append("no UserParameter runs 'leakmon check %s'" % key)
    zkey = "leakmon." + key
    if listed[key]:
        if not any(p["key"].startswith(zkey + "[") for p in protos):
            probs.append("no item prototype %s[...]" % zkey)
    elif zkey not in keys:
        probs.append("no item %s in the template" % zkey)
ok(listed and not probs,
   "every key of 'leakmon check --list' (%d) has a UserParameter and an "
   "item" % len(listed), probs)

print("1..%d" % n)
sys.exit(failed)
