#!/bin/bash
# The CrowdSec collection's own tests (contrib/crowdsec/.tests/NAME:
# config.yaml, a log, parser.assert, scenario.assert, as the hub lays them
# out), run by the real "cscli hubtest run" of Debian's crowdsec 1.4.6.
#
# hubtest reads a hub directory: here a copy of the package's offline hub
# with the collection's items added to it and to its .index.json, and the
# runtime templates (.tests/template_*.yaml) written for this machine
# (loopback port 20502, no metrics port).  hubtest 1.4.6 copies the grok
# patterns from /etc/crowdsec/patterns whatever its configuration says;
# where crowdsec is not installed, it runs in a private mount namespace
# whose /etc is an overlay with the package's patterns added (nothing is
# written to the real /etc).
#
# usage: hubtest.sh path/to/kerio2syslog cache-dir
. "$(dirname "$0")/lib.sh"
several_init "$@"
cs_package

hub=$T/hub
cp -r "$CS_HUB" "$hub"
cp -r "$CONTRIB/crowdsec/parsers" "$CONTRIB/crowdsec/scenarios" \
    "$CONTRIB/crowdsec/collections" "$hub/"
mkdir -p "$hub/.tests"
cp -r "$CONTRIB"/crowdsec/.tests/* "$hub/.tests/"

# The items in the hub's index, each with its digest, as the hub's own CI
# writes them.
python3 - "$hub" <<'EOF'
import hashlib, json, os, sys, yaml
hub = sys.argv[1]
path = os.path.join(hub, ".index.json")
index = json.load(open(path))
for kind in ("parsers", "scenarios", "collections"):
    for root, _, files in os.walk(os.path.join(hub, kind)):
        if "/kerio2syslog" not in root:
            continue
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), hub)
            body = open(os.path.join(hub, rel), "rb").read()
            doc = yaml.safe_load(body)
            item = {
                "path": rel,
                "version": "0.1",
                "versions": {"0.1": {
                    "digest": hashlib.sha256(body).hexdigest(),
                    "deprecated": False}},
                "author": "kerio2syslog",
                "description": doc.get("description", ""),
                "content": "", "long_description": "",
                "labels": None, "references": None,
            }
            if kind == "parsers":
                item["stage"] = rel.split("/")[1]
            if kind == "collections":
                for k in ("parsers", "scenarios"):
                    item[k] = doc.get(k, [])
            name = "kerio2syslog/" + os.path.splitext(f)[0]
            index[kind][name] = item
json.dump(index, open(path, "w"))
EOF

cat >"$hub/.tests/template_config.yaml" <<EOF
common:
  daemonize: false
  pid_dir: ./runtime
  log_media: file
  log_level: info
  log_dir: ./runtime/log/
  working_dir: .
config_paths:
  config_dir: ./runtime/
  data_dir: ./runtime/data/
  simulation_path: ./runtime/simulation.yaml
  hub_dir: ./runtime/hub/
  index_path: ./runtime/hub/.index.json
  notification_dir: ./runtime/notifications/
  plugin_dir: $CS_ROOT/usr/lib/crowdsec/plugins/
crowdsec_service:
  parser_routines: 1
cscli:
  output: human
db_config:
  type: sqlite
  db_path: ./runtime/data/crowdsec.db
  use_wal: false
api:
  client:
    credentials_path: ./runtime/local_api_credentials.yaml
  server:
    listen_uri: 127.0.0.1:20502
    profiles_path: ./runtime/profiles.yaml
prometheus:
  enabled: false
EOF
cp "$CS_ROOT/etc/crowdsec/profiles.yaml" "$hub/.tests/template_profiles.yaml"
cp "$CS_ROOT/etc/crowdsec/simulation.yaml" \
    "$hub/.tests/template_simulation.yaml"
cat >"$T/cscli.yaml" <<EOF
common:
  log_media: stdout
config_paths:
  config_dir: $CS_ROOT/etc/crowdsec/
  data_dir: $T/data/
  hub_dir: $hub/
  index_path: $hub/.index.json
cscli:
  color: no
EOF

run="cd '$hub' && '$CSCLI' -c '$T/cscli.yaml' hubtest --hub . \
    --crowdsec '$CROWDSEC' --cscli '$CSCLI' run --all --clean"
# hubtest reads the grok patterns from /etc/crowdsec/patterns only: the
# unpacked package's go there in a private mount namespace, also over the
# machine's own where crowdsec is installed (its version's patterns).
if [ -d /etc/crowdsec/patterns ]; then
	mnt="mount --bind '$CS_ROOT/etc/crowdsec/patterns' /etc/crowdsec/patterns"
else
	mkdir -p "$T/etc-up/crowdsec" "$T/etc-work"
	cp -r "$CS_ROOT/etc/crowdsec/patterns" "$T/etc-up/crowdsec/"
	mnt="mount -t overlay overlay -o lowerdir=/etc,upperdir='$T/etc-up',workdir='$T/etc-work' /etc"
fi
unshare --mount --propagation private bash -c "
    $mnt || { echo 'cannot mount over /etc: run as root'; exit 77; }
    $run" >"$T/hubtest.out" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	not_ok "hubtest: $(cat "$T/hubtest.out")"
	f2b_finish
fi

# One row per test in hubtest's table: its name and a check or a cross.
for dir in "$CONTRIB"/crowdsec/.tests/*/; do
	name=$(basename "$dir")
	for a in parser scenario; do
		if [ -f "$dir/$a.assert" ] && [ ! -s "$dir/$a.assert" ]; then
			not_ok "hubtest $name: $a.assert is empty"
		fi
	done
	row=$(grep -E "^ *$name +" "$T/hubtest.out")
	case $row in
	*✅*) ok "hubtest $name passes" ;;
	*) not_ok "hubtest $name: ${row:-no result}" ;;
	esac
done
check "hubtest exit status" 0 "$rc"
if [ "$failed" -ne 0 ]; then
	grep -vE 'level=info' "$T/hubtest.out" | head -60
fi

f2b_finish
