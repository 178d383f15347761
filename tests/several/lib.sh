# shellcheck shell=bash
# Shared helpers for the several-servers tests; sourced, not run.
#
# The caller sources it and calls several_init with its own arguments:
# the kerio2syslog binary (K2S), a directory in the build tree where the
# crowdsec package is kept between runs (CACHE), and for some tests the
# build tree (BUILD).  The checks, wait_until and the corpus helpers are
# the fail2ban tests' (tests/fail2ban/lib.sh).
#
# CrowdSec: Debian 12's crowdsec package (1.4.6) registers with the central
# API in its postinst, which fails without network and leaves dpkg broken.
# So the package is never installed: cs_package fetches the .deb with
# "apt-get download" and unpacks it with "dpkg-deb -x" under CACHE, and the
# tests run its crowdsec and cscli binaries with their own configuration in
# a temporary directory (local API on loopback, no central API).
#
# Ports: loopback 20500-20599 only; each test script takes its own block,
# and as root its own network namespace (several_own_loopback).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../fail2ban/lib.sh
. "$HERE/../fail2ban/lib.sh"

CONTRIB=$HERE/../../contrib
CROWDSEC_PKG=crowdsec

several_init()
{
	K2S=$1
	CACHE=$2
	BUILD=$3
	if [ -z "$CACHE" ]; then
		echo "usage: $0 path/to/kerio2syslog cache-dir [build-dir]" >&2
		exit 64
	fi
	mkdir -p "$CACHE" || exit 73
	several_own_loopback "$@"
	f2b_init
	CLEANUP='several_stop_all'
}

# several_own_loopback ARG...: as root, runs the test again with its ARGs
# in a network namespace of its own, with a loopback alone, so that its
# fixed ports meet no other run on this machine (another build tree's
# tests, a CrowdSec installed here). The crowdsec package is unpacked
# first: that needs the network. Not root: the machine's loopback.
several_own_loopback()
{
	if [ "$(id -u)" -ne 0 ] || [ -n "${K2S_SEVERAL_NETNS:-}" ] ||
	    ! command -v ip >/dev/null; then
		return 0
	fi
	cs_package || exit 69
	K2S_SEVERAL_NETNS=1 exec unshare -n -- bash -c \
	    'ip link set lo up && exec "$@"' sh "$0" "$@"
}

# Processes started with bg_start, stopped at exit (by pid, never by name).
PIDS=
several_stop_all()
{
	local pid
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
}

# bg_start PIDVAR LOG COMMAND...: start COMMAND in the background with its
# output in LOG, remember its pid in PIDVAR and for the cleanup.
bg_start()
{
	local var=$1 log=$2
	shift 2
	"$@" >"$log" 2>&1 &
	printf -v "$var" '%s' "$!"
	PIDS="$PIDS $!"
}

# bg_stop PID: stop one process started with bg_start and wait for it.
bg_stop()
{
	local pid rest=
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for pid in $PIDS; do
		[ "$pid" = "$1" ] || rest="$rest $pid"
	done
	PIDS=$rest
	return 0
}

# port_open PORT: something listens on 127.0.0.1:PORT.
port_open()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# has_open PID FILE: process PID holds FILE open.
has_open()
{
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# now_ms: the wall clock in milliseconds.
now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# cs_package: unpack Debian's crowdsec package under $CACHE once (the
# download is 30 MB) and set CS_ROOT, CROWDSEC and CSCLI.  Several tests
# may ask at once, so the first one holds a lock while it works.
cs_package()
{
	CS_ROOT=$CACHE/crowdsec-root
	CROWDSEC=$CS_ROOT/usr/bin/crowdsec
	CSCLI=$CS_ROOT/usr/bin/cscli
	(
		flock 9
		[ -x "$CSCLI" ] && exit 0
		local tmp
		tmp=$(mktemp -d "$CACHE/crowdsec-dl.XXXXXX") || exit 1
		if ! (cd "$tmp" && apt-get download -q "$CROWDSEC_PKG") \
		    >"$tmp/apt.log" 2>&1; then
			cat "$tmp/apt.log" >&2
			rm -rf "$tmp"
			exit 1
		fi
		rm -rf "$CS_ROOT.new"
		dpkg-deb -x "$tmp"/crowdsec_*.deb "$CS_ROOT.new" &&
		    mv "$CS_ROOT.new" "$CS_ROOT"
		local rc=$?
		rm -rf "$tmp"
		exit $rc
	) 9>"$CACHE/crowdsec.lock"
	if [ ! -x "$CSCLI" ]; then
		not_ok "crowdsec: could not fetch and unpack Debian's $CROWDSEC_PKG package (apt-get download $CROWDSEC_PKG)"
		f2b_finish
	fi
	CS_HUB=$CS_ROOT/usr/share/crowdsec/hub
}

# cs_config DIR PORT: a crowdsec configuration under DIR (DIR/config.yaml)
# with its local API on 127.0.0.1:PORT, no central API, no metrics port,
# the package's offline hub, and the kerio2syslog collection installed as
# local items (copies, as an administrator installs them by hand).
# DIR/acquis.d is read for acquisition.
cs_config()
{
	local dir=$1 port=$2
	mkdir -p "$dir"/etc/{parsers/s00-raw,parsers/s01-parse,parsers/s02-enrich,scenarios,acquis.d} \
	    "$dir/data" "$dir/log" || return 1
	cp -r "$CS_ROOT/etc/crowdsec/patterns" "$dir/etc/"
	cp "$CS_ROOT/etc/crowdsec/simulation.yaml" "$dir/etc/"
	cp "$CS_HUB/parsers/s00-raw/crowdsecurity/syslog-logs.yaml" \
	    "$dir/etc/parsers/s00-raw/"
	cp "$CS_HUB/parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml" \
	    "$dir/etc/parsers/s02-enrich/"
	cp "$CONTRIB/crowdsec/parsers/s00-raw/kerio2syslog/kerio-security-logs.yaml" \
	    "$dir/etc/parsers/s00-raw/"
	cp "$CONTRIB/crowdsec/parsers/s01-parse/kerio2syslog/kerio-logs.yaml" \
	    "$dir/etc/parsers/s01-parse/"
	cp "$CONTRIB"/crowdsec/scenarios/kerio2syslog/*.yaml "$dir/etc/scenarios/"
	# Decisions as the package's profiles.yaml makes them: a 4h ban.
	cp "$CS_ROOT/etc/crowdsec/profiles.yaml" "$dir/etc/"
	cat >"$dir/config.yaml" <<EOF
common:
  daemonize: false
  log_media: file
  log_dir: $dir/log/
  log_level: info
  working_dir: $dir
config_paths:
  config_dir: $dir/etc/
  data_dir: $dir/data/
  simulation_path: $dir/etc/simulation.yaml
  hub_dir: $CS_HUB/
  index_path: $CS_HUB/.index.json
  plugin_dir: $CS_ROOT/usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_dir: $dir/etc/acquis.d
  parser_routines: 1
cscli:
  output: human
  color: no
db_config:
  type: sqlite
  db_path: $dir/data/crowdsec.db
  use_wal: false
api:
  client:
    credentials_path: $dir/etc/local_api_credentials.yaml
  server:
    listen_uri: 127.0.0.1:$port
    profiles_path: $dir/etc/profiles.yaml
prometheus:
  enabled: false
EOF
}

# cs_agent_config DIR LAPI-DIR: an agent only (api.server.enable: false, as
# the README says to set on each server): DIR's configuration, but its
# alerts go to the local API of LAPI-DIR, where it is registered as
# machine "$(basename DIR)".
cs_agent_config()
{
	local dir=$1 lapi=$2 port
	port=$(sed -n 's/^    listen_uri: 127.0.0.1:\([0-9]*\)$/\1/p' \
	    "$lapi/config.yaml")
	cs_config "$dir" "$port" || return 1
	sed -i 's/^  server:$/  server:\n    enable: false/' "$dir/config.yaml"
	"$CSCLI" -c "$lapi/config.yaml" machines add "$(basename "$dir")" \
	    --password "pw-$(basename "$dir")-0123456789" \
	    -f "$dir/etc/local_api_credentials.yaml" --force \
	    >"$dir/log/register.log" 2>&1
}

# cs_register DIR: a machine for DIR's own agent and cscli, in DIR's
# database (crowdsec in replay mode pushes its alerts to its own local
# API; cscli alerts/decisions read them through it).
cs_register()
{
	"$CSCLI" -c "$1/config.yaml" machines add "local-$(basename "$1")" \
	    --auto -f "$1/etc/local_api_credentials.yaml" --force \
	    >"$1/log/register.log" 2>&1
}

# cs_acquire DIR FILE...: DIR's crowdsec reads FILEs, through the shipped
# acquisition file with its file name replaced.
cs_acquire()
{
	local dir=$1 f list=
	shift
	for f; do
		list="$list  - $f\n"
	done
	grep -q '^  - /var/log/keriosecurity.log$' \
	    "$CONTRIB/crowdsec/acquis.d/kerio2syslog.yaml" || return 1
	sed "s|^  - /var/log/keriosecurity.log\$|${list%\\n}|" \
	    "$CONTRIB/crowdsec/acquis.d/kerio2syslog.yaml" \
	    >"$dir/etc/acquis.d/kerio2syslog.yaml"
}

# cs_decisions DIR: the addresses with a decision in DIR's local API, one
# a line, sorted (read with cscli from DIR's own database).
cs_decisions()
{
	"$CSCLI" -c "$1/config.yaml" decisions list -o json 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin) or []
print("\n".join(sorted({x["value"] for a in d for x in a.get("decisions") or []})))'
}

# bouncer_decisions PORT KEY: the addresses the local API on PORT tells a
# bouncer with KEY to ban, one a line, sorted: the bouncer's own request
# (GET /v1/decisions with X-Api-Key), as a firewall bouncer makes it.
bouncer_decisions()
{
	curl -fsS -H "X-Api-Key: $2" "http://127.0.0.1:$1/v1/decisions" |
	    python3 -c 'import json, sys
d = json.load(sys.stdin) or []
print("\n".join(sorted({x["value"] for x in d if x.get("type") == "ban"})))'
}

# cs_replay DIR LOG DUMP: crowdsec in replay mode on LOG (kerio2syslog's
# lines) with DIR's configuration and its local API in the same process;
# DUMP gets the parser and bucket dumps.
cs_replay()
{
	mkdir -p "$3"
	"$CROWDSEC" -c "$1/config.yaml" -dsn "file://$2" -type syslog \
	    -no-capi -dump-data "$3" >"$3/crowdsec.out" 2>&1
}

# cs_parsed DUMP: "epoch source_ip" for each line the kerio parser took, in
# the dump's order; epoch from the line's own rfc3339 stamp ("-" for a
# bsd stamp).  The address
# is written as fail2ban writes it (IPv6 compressed, lower case), so that
# the two compare as addresses, not as spellings.
cs_parsed()
{
	python3 - "$1/parser-dump.yaml" <<'EOF'
import datetime, ipaddress, sys, yaml
def norm(a):
    try:
        return ipaddress.ip_address(a).compressed
    except ValueError:
        return a
# libyaml's loader where there is one: the pure Python one takes 25 s on
# the dump of 2000 lines.
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
d = yaml.load(open(sys.argv[1], "rb"), Loader=loader) or {}
for r in (d.get("s01-parse") or {}).get("kerio2syslog/kerio-logs") or []:
    if not r.get("success"):
        continue
    ev = r["evt"]
    raw = ev["Line"]["Raw"]
    if isinstance(raw, bytes):  # YAML's !!binary: not UTF-8
        raw = raw.decode("utf-8", "replace")
    try:
        t = datetime.datetime.fromisoformat(
            raw.split(" ", 1)[0].replace("Z", "+00:00"))
        epoch = int(t.timestamp())
    except ValueError:
        epoch = "-"
    print(epoch, norm(ev["Meta"]["source_ip"]))
EOF
}

# rsyslog_start PIDVAR DIR CONF: rsyslogd in the foreground with CONF, its
# own pid file and work directory under DIR (no imuxsock, no imklog: CONF
# loads only what it needs).
rsyslog_start()
{
	local var=$1 dir=$2 conf=$3
	mkdir -p "$dir/work"
	bg_start "$var" "$dir/rsyslogd.out" \
	    rsyslogd -n -f "$conf" -i "$dir/rsyslogd.pid"
}

# central_conf DIR PORT: the shipped central snippet, listening on PORT and
# writing under DIR/remote.
central_conf()
{
	local dir=$1 port=$2
	mkdir -p "$dir/work" "$dir/remote"
	sed -e "s|port=\"2514\"|port=\"$port\"|" \
	    -e "s|/var/log/remote/|$dir/remote/|" \
	    -e "s|/var/spool/rsyslog/|$dir/work/|" \
	    -e "s|/usr/local/bin/kerio2syslog-central-write|$CONTRIB/rsyslog/kerio2syslog-central-write|" \
	    "$CONTRIB/rsyslog/kerio2syslog-central.conf" >"$dir/snippet.conf"
	printf 'global(workDirectory="%s/work")\ninclude(file="%s/snippet.conf")\n' \
	    "$dir" "$dir" >"$dir/rsyslog.conf"
}

# sender_conf DIR PORT: the shipped sender snippet, reading
# DIR/keriosecurity.log and sending to 127.0.0.1:PORT.
sender_conf()
{
	local dir=$1 port=$2
	mkdir -p "$dir/work"
	sed -e "s|/var/log/keriosecurity.log|$dir/keriosecurity.log|" \
	    -e 's|target="central.example.net"|target="127.0.0.1"|' \
	    -e "s|port=\"2514\"|port=\"$port\"|" \
	    "$CONTRIB/rsyslog/kerio2syslog-sender.conf" >"$dir/snippet.conf"
	printf 'global(workDirectory="%s/work")\ninclude(file="%s/snippet.conf")\n' \
	    "$dir" "$dir" >"$dir/rsyslog.conf"
}

# rsyslog_init: rsyslogd and the modules the snippets load are installed,
# and the snippets have the port the tests point elsewhere.
rsyslog_init()
{
	for tool in rsyslogd flock; do
		command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 69; }
	done
	for m in imfile omrelp imrelp; do
		if [ ! -f "/usr/lib/x86_64-linux-gnu/rsyslog/$m.so" ] &&
		    ! find /usr/lib -name "$m.so" -path '*rsyslog*' | grep -q .; then
			echo "rsyslog module $m is missing (packages rsyslog, rsyslog-relp)" >&2
			exit 69
		fi
	done
	for c in "$CONTRIB/rsyslog/kerio2syslog-central.conf" \
	    "$CONTRIB/rsyslog/kerio2syslog-sender.conf"; do
		grep -q 'port="2514"' "$c" ||
		    { not_ok "$c: no port=\"2514\" to point at the test's port"; f2b_finish; }
	done
}

# relp_start PORT: the central rsyslogd ($central, under $T/central, RELP on
# PORT) and two servers a and b (under $T/a and $T/b), each with its
# rsyslogd ($sender_a, $sender_b) forwarding its kerio2syslog output, and
# its kerio2syslog ($k2s_a, $k2s_b) following $T/HOST/security.log into
# $T/HOST/keriosecurity.log with host name server-HOST.  Every
# configuration is checked with rsyslogd -N1 first.
relp_start()
{
	local port=$1 h
	central_conf "$T/central" "$port"
	for h in a b; do
		sender_conf "$T/$h" "$port"
	done
	for h in central a b; do
		rsyslogd -N1 -f "$T/$h/rsyslog.conf" >"$T/$h/check.out" 2>&1 ||
		    not_ok "rsyslog config for $h: $(grep -v '^rsyslogd: version' "$T/$h/check.out" | head -3)"
	done
	[ "$failed" -eq 0 ] || f2b_finish
	rsyslog_start central "$T/central" "$T/central/rsyslog.conf"
	wait_until 20 port_open "$port" ||
	    { not_ok "central rsyslogd does not listen"; f2b_finish; }
	for h in a b; do
		: >"$T/$h/security.log"
		rsyslog_start "sender_$h" "$T/$h" "$T/$h/rsyslog.conf"
		bg_start "k2s_$h" "$T/$h/k2s.out" "$K2S" \
		    --follow "$T/$h/security.log" --from-start \
		    --state "$T/$h/state" --output "$T/$h/keriosecurity.log" \
		    --format rfc3339 --hostname "server-$h"
	done
}

# Bursts (outage.sh, diskfull.sh): N numbered entries per server, the
# central host's files under $REMOTE, a step's deadline DEADLINE.

# burst_writer HOST [SLOW]: N numbered entries ("seq-HOST-NNNNNN") into
# $T/HOST/security.log, a third at a time: the second third waits for
# $T/two (20 a second with SLOW), the last for $T/three.
burst_writer()
{
	local h=$1 slow=${2:-} i stamp
	stamp=$(date '+%d/%b/%Y %H:%M:%S')
	for ((i = 1; i <= N; i++)); do
		if ((i == N / 3 + 1)); then
			wait_until 120 test -e "$T/two" || return 1
		elif ((i == 2 * N / 3 + 1)); then
			wait_until 120 test -e "$T/three" || return 1
		fi
		printf '[%s] SMTP: User seq-%s-%06d doesn'"'"'t exist. Attempt from IP address 203.0.113.8.\n' \
		    "$stamp" "$h" "$i"
		if [ -n "$slow" ] && ((i > N / 3 && i <= 2 * N / 3 && i % 10 == 0)); then
			sleep 0.5
		fi
	done >>"$T/$h/security.log"
}

# burst_seqs HOST FILE: the entries' numbers in FILE, in its order.
burst_seqs()
{
	sed -n "s/.* User seq-$1-\([0-9]*\) doesn't exist.*/\1/p" "$2"
}

# burst_in I PATTERN...: entry I of both servers is in the files PATTERNs
# name (globs, expanded at each call; HOST stands for the server's letter).
burst_in()
{
	local i h p
	i=$(printf %06d "$1")
	shift
	for h in a b; do
		for p; do
			# shellcheck disable=SC2086 # the pattern is a glob
			cat ${p//HOST/$h} 2>/dev/null
		done | grep -q "seq-$h-$i " || return 1
	done
}

# burst_step WHAT COMMAND...: COMMAND succeeds within DEADLINE seconds, or
# the test ends failed with what each server wrote and the central host
# has.
burst_step()
{
	local what=$1 h
	shift
	wait_until "$DEADLINE" "$@" && return 0
	not_ok "$what: not within $DEADLINE s"
	for h in a b; do
		echo "# server $h: $(wc -l <"$T/$h/keriosecurity.log") written, $(cat "$REMOTE/server-$h/kerio.log" 2>/dev/null | wc -l) at the central host"
	done
	ls -l "$T/central/work" | sed 's/^/# /'
	grep -v "session broken" "$T/central/rsyslogd.out" | sort | uniq -c | sort -rn | head -8 | sed 's/^/# /'
	f2b_finish
}
