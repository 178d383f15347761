# shellcheck shell=bash
# Shared by the shell tests of follow mode (tests/follow/*.sh):
# sequence-numbered Kerio entries with the exact lines they must become,
# the check that each became one whole line, once and in order, and a
# follower started and stopped by id. The bounded wait and the killing of
# a process tree are tests/lib.sh's, sourced here.
#
# Sourced by bash scripts. The caller sets BIN (the program) and, before
# starting a follower, D (a directory of the test's own); fl_start's
# follower reads $D/in/in.log, appends to $D/out/out.log and keeps
# $D/state.
#
# K2S_FOLLOW_ARGS (environment): options every follower a test starts
# gets, split at blanks. K2S_FOLLOW_ARGS=--no-inotify runs the tests on
# the stat ticks alone (once a second), as GNU tail's tests run each -F
# case with ---disable-inotify too; ctest has a NAME_noinotify entry per
# follow test for it (tests/follow/tests.cmake).

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HOST=testhost
read -r -a FOLLOW_ARGS <<<"${K2S_FOLLOW_ARGS:-}"
# The entries are stamped on a fixed day in the past and the lines they
# must become are written out, so the late mark is off: these tests are
# about exactly once; the mark's own tests are the unit, golden and
# journal ones.
FOLLOW_ARGS=(--late-after 0 "${FOLLOW_ARGS[@]}")
# The processes started (our children) and not yet reaped, for lib_cleanup:
# an id stays ours until we reap it.
PIDS=()
# The exit status of the follower, set by fl_wait.
STATUS=0
# The follower last started (see fl_start).
PID=
FPID=
# Words before the follower (a tracer) and options after the common ones.
WRAP=()
ARGS=()

# gen FIRST LAST: Kerio entries with sequence numbers, every seventh with
# a wrapped continuation line.
gen() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (i = a; i <= b; i++) {
			printf "[26/Nov/2026 10:%02d:%02d] seq=%07d Failed SMTP login from 192.0.2.%d\n", int(i / 60) % 60, i % 60, i, i % 250
			if (i % 7 == 0)
				printf "    with user name \"user%d\"\n", i
		}
	}'
}

# The sequence numbers in FILES, in order (compressed ones too).
seqs() {
	local f
	for f in "$@"; do
		[ -e "$f" ] && zcat -f "$f"
	done | grep -o 'seq=[0-9]*' | cut -d= -f2
}

# have N FILES...: all of 1..N are there (maybe with faults to find).
have() {
	local n=$1
	shift
	[ "$(seqs "$@" | wc -l)" -ge "$n" ] && seqs "$@" | grep -q "^0*$n\$"
}

# exactly N FILES...: 1..N each once, in order, and nothing else.
exactly() {
	local n=$1
	shift
	seqs "$@" | awk -v n="$n" '
		{ if ($1 + 0 != ++k) { printf "  entry %d is seq %d\n", k, $1; bad = 1; exit } }
		END { if (!bad && k != n) { printf "  %d entries, want %d\n", k, n; bad = 1 }
		      exit bad }'
}

# entries FIRST LAST [MAX]: Kerio entries FIRST..LAST on standard output,
# and the line each must become appended to $D/expect. Every seventh has
# a continuation line. With MAX (the follower's --max-entry), every fifth
# is long: a single line or a wrapped entry of many continuation lines,
# whose message is MAX - (seq % 3) bytes, so some are exactly MAX.
entries() {
	awk -v a="$1" -v b="$2" -v max="${3:-0}" -v host="$HOST" \
	    -v expf="$D/expect" '
	function stamp(i) {
		return sprintf("%02d:%02d:%02d", 10 + int(i / 3600) % 14,
		    int(i / 60) % 60, i % 60)
	}
	function fill(n, c,    s) {
		s = sprintf("%" n "s", "")
		gsub(/ /, c, s)
		return s
	}
	BEGIN {
		for (i = a; i <= b; i++) {
			msg = sprintf("seq=%07d Failed SMTP login from 192.0.2.%d",
			    i, i % 250)
			printf "[26/Nov/2026 %s] %s\n", stamp(i), msg
			if (max > 0 && i % 5 == 0) {
				want = max - i % 3
				c = sprintf("%c", 97 + i % 26)
				if (i % 2 == 0) {
					# wrapped: lines of 40 to 199 bytes
					k = 0
					while (length(msg) + 1 < want) {
						w = 40 + (i * 7 + k++ * 31) % 160
						if (length(msg) + 1 + w > want)
							w = want - length(msg) - 1
						part = fill(w, c)
						printf "  %s\n", part
						msg = msg " " part
					}
				} else {
					part = fill(want - length(msg) - 1, c)
					printf "\t%s\n", part
					msg = msg " " part
				}
			} else if (i % 7 == 0) {
				part = sprintf("with user name \"user%d\"", i)
				printf "    %s\n", part
				msg = msg " " part
			}
			printf "Nov 26 %s %s kerio: %s\n", stamp(i), host, msg >> expf
		}
	}'
}

# late SEQ: the entry SEQ without continuation, on standard output; its
# continuation is written by late_tail SEQ after the flush timeout wrote
# the entry, and becomes an entry of its own under the same stamp.
late() {
	printf '[26/Nov/2026 %s] seq=%07d Failed SMTP login, continued late\n' \
	    "$(late_stamp "$1")" "$1"
	printf 'Nov 26 %s %s kerio: seq=%07d Failed SMTP login, continued late\n' \
	    "$(late_stamp "$1")" "$HOST" "$1" >>"$D/expect"
}

late_tail() {
	printf '    late=%07d the continuation\n' "$1"
	printf 'Nov 26 %s %s kerio: [continued] late=%07d the continuation\n' \
	    "$(late_stamp "$1")" "$HOST" "$1" >>"$D/expect"
}

late_stamp() {
	printf '%02d:%02d:%02d' $((10 + $1 / 3600 % 14)) $(($1 / 60 % 60)) \
	    $(($1 % 60))
}

# verify FILES...: compares what FILES hold, in that order (the output's
# rotated copies oldest first, then the output), with $D/expect. Prints
# "entries E, lost L, duplicated U, torn T, out of order O" and, when
# something is wrong, the first differences and the entry where the
# output first goes wrong ("first difference at entry I: seq=S"). A torn
# line is one that is not exactly the line expected for the first entry
# it names, or names none: half a line, two run together, a last line
# without newline. One exception: a rotated copy may end in the start of
# the next entry's line, without newline, when that entry is then
# written whole (a write cut by kill -9 or a full disk, then the
# rotation): fail2ban reads no entry there, and the line is noted.
verify() {
	local f last=
	for f in "$@"; do
		[ -e "$f" ] && last=${f##*/}
	done
	for f in "$@"; do
		[ -e "$f" ] || continue
		awk -v f="${f##*/}" '{ print f ":" FNR "\t" $0 }' "$f"
		# A last line without newline is marked.
		[ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" != 0a ] &&
		    printf '%s:end\t\n' "${f##*/}"
	done | LC_ALL=C awk -F '\t' -v want="$D/expect" -v lastf="$last" '
	function keys(s, out,    n) {
		n = 0
		while (match(s, /(seq|late)=[0-9]+/)) {
			out[++n] = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
		}
		return n
	}
	function cut(s) {
		return length(s) > 150 ? substr(s, 1, 150) "..." : s
	}
	function tell(s) {
		if (++told <= 12)
			print "  " s
		# Where the stream first went wrong: after the last good entry.
		if (near == "")
			near = last + 1
	}
	# One output line; open: it has no newline, the last of its file.
	function take(where, text, open,    m, k, j, file) {
		file = where
		sub(/:[0-9]+$/, "", file)
		# A kill (or a full disk) cut the line, the file was rotated,
		# and the entry is written whole to the next file: what a
		# rotated copy keeps of a cut line is no entry of its own.
		if (open && file != lastf && last < n &&
		    substr(line[last + 1], 1, length(text)) == text) {
			print "  (cut line left at the end of " file ")"
			return
		}
		if (open) {
			torn++
			tell("torn " where ": " cut(text) " (no newline at the end)")
			return
		}
		m = keys(text, k)
		if (m == 0 || !(k[1] in idx)) {
			torn++
			tell("torn " where ": " cut(text) " (names no entry)")
			return
		}
		if (text != line[idx[k[1]]]) {
			torn++
			tell("torn " where ": " cut(text))
		}
		for (j = 1; j <= m; j++) {
			if (!(k[j] in idx))
				continue
			if (seen[k[j]]++) {
				dup++
				tell("duplicated " k[j] " at " where)
			}
			if (idx[k[j]] < last) {
				order++
				tell("out of order " k[j] " at " where ", after " name[last])
			}
			if (idx[k[j]] > last)
				last = idx[k[j]]
		}
	}
	BEGIN {
		while ((getline l < want) > 0) {
			keys(l, k1)
			idx[k1[1]] = ++n
			line[n] = l
			name[n] = k1[1]
		}
	}
	# Each line is taken when the next one tells whether it was open.
	$1 ~ /:end$/ {
		if (have)
			take(pw, pt, 1)
		have = 0
		next
	}
	{
		if (have)
			take(pw, pt, 0)
		pw = $1
		pt = substr($0, length($1) + 2)
		have = 1
	}
	END {
		if (have)
			take(pw, pt, 0)
		for (i = 1; i <= n; i++) {
			if (name[i] in seen) {
				if (from) {
					tell("lost " from (from != name[i - 1] ? ".." name[i - 1] : ""))
					from = ""
				}
				continue
			}
			lost++
			if (!from)
				from = name[i]
			if (near == "" || i < near)
				near = i
		}
		if (from)
			tell("lost " from (from != name[n] ? ".." name[n] : ""))
		if (told > 12)
			print "  (" told - 12 " more differences)"
		if (near != "")
			printf "  first difference at entry %d: %s\n", near, name[near]
		printf "entries %d, lost %d, duplicated %d, torn %d, out of order %d\n",
		    n, lost, dup, torn, order
		exit (lost + dup + torn + order) > 0
	}'
}

# outputs: the output's rotated copies in the order they were made
# (out.log.1, out.log.2, ...; numbers may be missing), then the output.
outputs() {
	find "$D/out" -name 'out.log.*' -printf '%f\n' | cut -d . -f 3 |
	    sort -n | sed "s|^|$D/out/out.log.|"
	printf '%s\n' "$D/out/out.log"
}

# got SEQ: the output (with its rotated copies) names entry SEQ.
got() {
	local key files
	key=$(printf 'seq=%07d' "$1")
	mapfile -t files < <(outputs)
	grep -q -s -F -- "$key" "${files[@]}"
}

# misplaced FILE LAST: how many entries after LAST (a rotated output's
# last entry before its rotation) went to FILE instead of the new output.
misplaced() {
	seqs "$1" | awk -v last="$2" '$1 + 0 > last { n++ } END { print n + 0 }'
}

# fl_start: starts a follower of $D/in/in.log into $D/out/out.log
# with state $D/state, its messages appended to $D/stderr; before it, the
# words of the array WRAP (a tracer, say), after it those of the array
# ARGS (more options). Sets PID (the process to wait
# for: a shell that waits for the follower, so that its death by a signal
# is a plain exit status, not a report of a killed job on our stderr), CHAIN (it and
# its descendants, for the cleanup) and FPID (the follower, for signals).
fl_start() {
	sh -c 'e=$1; shift; "$@" 2>>"$e" & wait $!' fl "$D/stderr" \
	    "${WRAP[@]}" "$BIN" "${FOLLOW_ARGS[@]}" --follow "$D/in/in.log" \
	    --output "$D/out/out.log" --state "$D/state" \
	    --flush-timeout "${FLUSH_MS:-100}" -H "$HOST" -v "${ARGS[@]}" \
	    2>/dev/null &
	PID=$!
	PIDS+=("$PID")
	CHAIN=("$PID")
	FPID=
	wait_until 10 fl_found
}

# fl_found: FPID is the follower (the wrapper's child, or the tracer's),
# or the chain died before it was found.
fl_found() {
	local p=${CHAIN[-1]} c want=2
	[ "${#WRAP[@]}" -gt 0 ] && want=3
	while [ "${#CHAIN[@]}" -lt "$want" ]; do
		c=$(pgrep -P "$p" | head -n 1)
		if [ -z "$c" ]; then
			kill -0 "$PID" 2>/dev/null && return 1
			return 0
		fi
		CHAIN+=("$c")
		p=$c
	done
	FPID=${CHAIN[-1]}
}

# fl_alive: the follower started last is still running.
fl_alive() {
	[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null
}

fl_gone() {
	! kill -0 "$PID" 2>/dev/null
}

# fl_wait: waits for the follower to end (bounded: then it is killed);
# sets STATUS.
fl_wait() {
	wait_until 30 fl_gone || kill_tree "$PID"
	wait "$PID"
	# shellcheck disable=SC2034 # declared above, read by the caller
	STATUS=$?
	forget "$PID"
	FPID=
}

# forget IDS...: processes reaped, whose ids may be reused: not ours now.
forget() {
	local p q keep=()
	for p in "${PIDS[@]}"; do
		for q in "$@"; do
			[ "$p" = "$q" ] && continue 2
		done
		keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# fl_signal SIGNAL: sends SIGNAL to the follower, if it runs: its id is
# only trusted while its parent is still the one we started it under
# (the follower may have died and its id been given to another process).
fl_signal() {
	[ -n "$FPID" ] && [ "$(fl_parent "$FPID")" = "${CHAIN[-2]}" ] &&
	    kill -"$1" "$FPID" 2>/dev/null
}

# fl_parent ID: the parent of process ID (none if it is gone).
fl_parent() {
	local stat f
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	# After the name in parentheses: state, then the parent.
	read -r -a f <<<"${stat##*) }"
	echo "${f[1]}"
}

# lib_top NAME: makes TOP, a directory of our own, removed on exit (kept,
# and said so, when KEEP is set) after every process started is killed.
lib_top() {
	TOP=$(mktemp -d "${TMPDIR:-/tmp}/k2s-$1.XXXXXX") || exit 1
	trap lib_exit EXIT
	trap 'exit 2' INT TERM
}

lib_exit() {
	# Only the test's own shell: a child forked for a follower and
	# signalled before its exec has this trap too.
	[ "$BASHPID" = "$$" ] || return 0
	lib_cleanup
	if [ -n "${KEEP:-}" ]; then
		echo "kept $TOP"
	else
		rm -rf "$TOP"
	fi
}

# lib_cleanup: kills (and continues) every process started, by id, and
# what each of them started (the tracer and the follower under it).
lib_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill_tree "$p"
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	PIDS=()
}
