#!/bin/bash
# The CrowdSec collection as the hub takes it (contrib/crowdsec/hub/) and
# its copies for CrowdSec 1.4.6 (contrib/crowdsec/), by the rules of the
# hub's own checks that need no network (its taxonomy script, its linter,
# its index); hubtest.sh runs the copies with the real cscli hubtest.
#   - make-1.4.6 writes exactly the copies in the tree, whose labels are
#     all strings (1.4.6 fails on a list);
#   - each copy, read as YAML, is its hub item but for the list labels,
#     so that hubtest.sh tests every other field of the hub item as is;
#   - every hub item has its .md page, with an acquisition example;
#   - every scenario has the taxonomy's labels: a behavior "service:kind",
#     a MITRE ATT&CK technique in classification (attack.TNNNN), a
#     confidence and a spoofable of 0 to 3, a label, a service;
#   - the collection has a name matching its path, labels with a label,
#     an author matching the items' prefix, and each item it names is in
#     hub/ or is one of crowdsecurity's.
#
# usage: hubready.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"

CS=$CONTRIB/crowdsec
if "$CS/make-1.4.6" "$T/copies" 2>"$T/make.err"; then
	for d in parsers scenarios collections .tests; do
		if diff -r "$T/copies/$d" "$CS/$d" >"$T/diff.out"; then
			ok "make-1.4.6: $d/ as in the tree"
		else
			not_ok "make-1.4.6: $d/ differs from the tree (run contrib/crowdsec/make-1.4.6): $(head -3 "$T/diff.out")"
		fi
	done
else
	not_ok "make-1.4.6 failed: $(cat "$T/make.err")"
fi

python3 - "$CS" >"$T/rules.out" 2>&1 <<'EOF'
import os, re, sys, yaml
cs = sys.argv[1]
hub = os.path.join(cs, "hub")
def say(ok, what):
    print(("ok " if ok else "not_ok ") + what)
items = {}
for kind in ("parsers", "scenarios", "collections"):
    for root, _, files in os.walk(os.path.join(hub, kind)):
        for f in sorted(files):
            if f.endswith(".yaml"):
                rel = os.path.relpath(os.path.join(root, f), hub)
                items[rel] = yaml.safe_load(open(os.path.join(hub, rel)))
for rel, doc in sorted(items.items()):
    md = os.path.join(hub, rel[:-len(".yaml")] + ".md")
    text = open(md).read() if os.path.exists(md) else ""
    say(re.search(r"```yaml\nfilenames:\n(  - .*\n)+labels:\n  type: \S+\n```", text),
        "%s: an .md page with an acquisition example" % rel)
    copy = yaml.safe_load(open(os.path.join(cs, rel)))
    labels = copy.get("labels") or {}
    say(all(not isinstance(v, (list, dict)) for v in labels.values()),
        "%s: the 1.4.6 copy's labels are strings" % rel)
    author = "kerio2syslog"
    name = "%s/%s" % (author, os.path.basename(rel)[:-len(".yaml")])
    if doc.get("name") is not None or rel.startswith("scenarios/"):
        say(doc.get("name") == name, "%s: named %s" % (rel, name))
    if rel.startswith("scenarios/"):
        lb = doc.get("labels") or {}
        say(re.fullmatch(r"[a-z0-9/-]+:[a-z]+", str(lb.get("behavior", ""))),
            "%s: a behavior (%s)" % (rel, lb.get("behavior")))
        cl = lb.get("classification") or []
        say(any(re.fullmatch(r"attack\.T\d{4}(\.\d{3})?", c) for c in cl),
            "%s: a MITRE ATT&CK technique (%s)" % (rel, " ".join(cl)))
        for k in ("confidence", "spoofable"):
            v = lb.get(k)
            say(isinstance(v, int) and 0 <= v <= 3, "%s: %s 0 to 3 (%s)" % (rel, k, v))
        say(bool(lb.get("label")) and bool(lb.get("service")),
            "%s: a label and a service" % rel)
    if rel.startswith("collections/"):
        say(doc.get("author") == author, "%s: author %s" % (rel, author))
        say(bool((doc.get("labels") or {}).get("label")), "%s: labels.label" % rel)
        known = {"%s/%s" % (author, os.path.basename(r)[:-len(".yaml")]) for r in items}
        for kind in ("parsers", "scenarios"):
            for dep in doc.get(kind) or []:
                say(dep in known or dep.startswith("crowdsecurity/"),
                    "%s: %s %s is there" % (rel, kind, dep))
EOF
while read -r verdict what; do
	case $verdict in
	ok) ok "$what" ;;
	*) not_ok "${what:-$verdict}" ;;
	esac
done <"$T/rules.out"
[ -s "$T/rules.out" ] || not_ok "the rules' check printed nothing"

# What hubtest.sh runs is the hub item itself but for its list labels:
# each 1.4.6 copy, read as YAML, is its hub item with the labels whose
# value is a list dropped (1.4.6 fails to load a scenario with one,
# "cannot unmarshal !!seq into string"), every other field as is.
python3 - "$CS" >"$T/same.out" 2>&1 <<'EOF'
import os, sys, yaml
cs = sys.argv[1]
hub = os.path.join(cs, "hub")
for root, _, files in sorted(os.walk(hub)):
    for f in sorted(files):
        if not f.endswith(".yaml"):
            continue
        rel = os.path.relpath(os.path.join(root, f), hub)
        docs = list(yaml.safe_load_all(open(os.path.join(hub, rel))))
        dropped = []
        for d in docs:
            labels = d.get("labels") if isinstance(d, dict) else None
            for k in [k for k, v in (labels or {}).items() if isinstance(v, list)]:
                dropped.append(k)
                del labels[k]
        copy = list(yaml.safe_load_all(open(os.path.join(cs, rel))))
        print("%s %s: the 1.4.6 copy is the hub item without its list labels (%s)"
              % ("ok" if copy == docs else "not_ok", rel,
                 ", ".join(dropped) or "none"))
EOF
while read -r verdict what; do
	case $verdict in
	ok) ok "$what" ;;
	*) not_ok "${what:-$verdict}" ;;
	esac
done <"$T/same.out"
check "hub items compared with their 1.4.6 copies" 9 "$(grep -c . "$T/same.out")"

f2b_finish
