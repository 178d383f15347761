#!/bin/bash
# kerio2syslog --follow --output journal, exactly once, under the follow-mode
# torture of the file sink (tests/follow/stress.sh): for each seed, a
# seeded schedule appends numbered entries to a Kerio log (every 13th
# wrapped onto a second line) in bursts and drips, and meanwhile
#   - rotates it by rename (security.log -> .1 -> .2 ...) and by
#     copytruncate as logrotate does it (cp, then truncate, the writer
#     paused between), and two renames in a row;
#   - kills the follower (with its state file) with SIGKILL and starts it
#     again, at once or after two rotations of either kind while it is down;
#   - stops it with SIGSTOP, rotates while it is stopped, then SIGCONT (or
#     kill -9 while stopped, and a restart).
# Then the journal must hold every entry of that run once, in order, with
# KERIO2SYSLOG_SEQ 1..N (each run has its own state file, so its own
# KERIO2SYSLOG_INSTANCE).  Prints per seed: entries, kills, renames,
# copytruncates, SIGSTOPs, lost, duplicated, and the schedule before the
# first difference.  The schedule depends on the seed only (timing still
# varies), so a failure is repeated with `follow.sh KERIO2SYSLOG SEED`.
# Skipped (77) while the binary has no --output journal.
#
# usage: follow.sh path/to/kerio2syslog [seed...]
#   (default: seed 1 and one random seed; JD_N entries each, 700)
K2S=$(realpath -e "$1") || exit 64
shift
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

N=${JD_N:-700}
SEEDS=("$@")
[ "${#SEEDS[@]}" -gt 0 ] || SEEDS=(1 $(((RANDOM << 15 | RANDOM) % 1000000 + 2)))

if ! jd_start; then
	not_ok "journald did not start"
	f2b_finish
fi
mkdir -p "$T/probe"
# (cd in the namespace: entering it sets the directory to its root.)
jd_run sh -c 'cd "$1" && exec "$2" --output journal /dev/null' sh \
    "$T/probe" "$K2S" >/dev/null 2>&1
if [ -e "$T/probe/journal" ]; then
	echo "SKIPPED: $K2S has no --output journal yet" >&2
	exit 77
fi

# note TEXT: the schedule, for the report.
note()
{
	printf 'entry %d: %s\n' "$n" "$*" >>"$D/schedule"
}

# append K: the next K entries (not past N) in one write, one Kerio stamp.
append()
{
	local k=$1 last i stamp
	last=$((n + k - 1))
	[ "$last" -gt "$N" ] && last=$N
	[ "$last" -lt "$n" ] && return 0
	stamp=$(TZ=$KERIO_TZ date '+[%d/%b/%Y %H:%M:%S]')
	for ((i = n; i <= last; i++)); do
		if [ $((i % 13)) -eq 0 ]; then
			printf '%s Failed SMTP login from 192.0.2.%d, entry %d,\nwrapped.\n' \
			    "$stamp" $((i % 250 + 1)) "$i"
		else
			printf '%s Failed SMTP login from 192.0.2.%d, entry %d.\n' \
			    "$stamp" $((i % 250 + 1)) "$i"
		fi
	done >>"$LOG" || not_ok "cannot append to $LOG"
	n=$((last + 1))
}

drip()
{
	local k=$1 i
	for ((i = 0; i < k; i++)); do
		append 1
		sleep "0.0$((RANDOM % 4))"
	done
}

# shift_rotated: as logrotate, LOG.K becomes LOG.K+1, the oldest first.
shift_rotated()
{
	local k
	INROT=$((INROT + 1))
	for ((k = INROT - 1; k >= 1; k--)); do
		[ -e "$LOG.$k" ] && mv "$LOG.$k" "$LOG.$((k + 1))"
	done
}

# rotate_input rename|copytruncate: one rotation of the input, noted, then a
# few entries into the new file.  copytruncate is done as logrotate does it,
# the writer (this script) paused between the copy and the truncation, so
# that any loss is the follower's.
rotate_input()
{
	note "  $1"
	shift_rotated
	if [ "$1" = rename ]; then
		RENAMES=$((RENAMES + 1))
		mv "$LOG" "$LOG.1"
	else
		COPIES=$((COPIES + 1))
		cp "$LOG" "$LOG.1"
	fi
	: >"$LOG"
	append $((1 + RANDOM % 20))
}

follower()
{
	(TZ=$KERIO_TZ exec nsenter -t "$JD_PID" -m -- "$K2S" --follow "$LOG" \
	    --state "$ST" --format rfc3339 --hostname mail --output journal \
	    --from-start) 2>>"$D/follower.err" &
	FOLLOWER=$!
}

kill9()
{
	kill -9 "$FOLLOWER" 2>/dev/null && KILLS=$((KILLS + 1))
	wait "$FOLLOWER" 2>/dev/null
}

# rotate: a burst, then one rotation, by rename or by copytruncate.
rotate()
{
	local how=(rename copytruncate)
	append $((1 + RANDOM % 30))
	rotate_input "${how[RANDOM % 2]}"
}

# act NAME [copy]: one step of the schedule, noted in it.
act()
{
	case $1 in
	burst)
		note "burst"
		append $((10 + RANDOM % 90)) ;;
	drip)
		note "drip"
		drip $((3 + RANDOM % 10)) ;;
	rename | copytruncate)
		rotate_input "$1" ;;
	two)
		note "two rotations in a row:"
		rotate_input rename
		rotate_input rename ;;
	kill)
		# A random moment: the follower has had 0 to 0.3 s.
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		note "kill -9, restart"
		kill9
		follower ;;
	down)
		# Two rotations while down, each a rename or a copytruncate;
		# every third time (or with "copy"), a copytruncate then a
		# rename.
		note "kill -9, then while down:"
		kill9
		DOWNS=$((DOWNS + 1))
		if [ "${2:-}" = copy ] || [ $((RANDOM % 3)) -eq 0 ]; then
			append $((1 + RANDOM % 30))
			rotate_input copytruncate
			rotate_input rename
		else
			rotate
			rotate
		fi
		note "restart"
		follower ;;
	stop)
		note "SIGSTOP, then while stopped:"
		kill -STOP "$FOLLOWER" && STOPS=$((STOPS + 1))
		rotate
		sleep "0.$((RANDOM % 3))"
		if [ $((RANDOM % 4)) -eq 0 ]; then
			note "kill -9 while stopped, restart"
			kill9
			follower
		else
			note "SIGCONT"
			kill -CONT "$FOLLOWER"
		fi ;;
	pause)
		note "pause"
		sleep "0.$((RANDOM % 4))" ;;
	esac
}

# The schedule's steps, each with its weight (in 100).
WEIGHTS="burst:30 drip:10 kill:14 down:8 stop:10 rename:8 copytruncate:8
two:6 pause:6"

# pick_step: STEP, drawn by WEIGHTS.
pick_step()
{
	local r=$((RANDOM % 100)) s
	for s in $WEIGHTS; do
		r=$((r - ${s#*:}))
		if [ "$r" -lt 0 ]; then
			STEP=${s%:*}
			return
		fi
	done
}

# run SEED: one schedule against the journal; prints its figures.
run()
{
	local seed=$1 t0=$SECONDS I got lost dup first
	RANDOM=$seed
	D=$T/seed-$seed
	mkdir -p "$D/kerio"
	LOG=$D/kerio/security.log
	ST=$D/follow.state
	: >"$LOG"
	: >"$D/schedule"
	n=1 INROT=0 KILLS=0 RENAMES=0 COPIES=0 STOPS=0 DOWNS=0
	CLEANUP="kill -9 \$FOLLOWER 2>/dev/null; $CLEANUP"
	# Without a state, only the current file is read (--from-start): the
	# torture starts once the starting position is saved.
	follower
	wait_until 30 test -s "$ST" ||
	    not_ok "seed $seed: no state file $ST within 30 s"
	# Every run has each scenario at least once, then draws its steps.
	act burst
	act down copy
	act burst
	act stop
	act two
	while [ "$n" -le "$N" ]; do
		pick_step
		act "$STEP"
		if ! kill -0 "$FOLLOWER" 2>/dev/null; then
			note "the follower had died: restart"
			echo "seed $seed, entry $n: the follower had died" >&2
			follower
		fi
	done

	I="KERIO2SYSLOG_INSTANCE=$ST"
	# In order, so the last entry's SEQ means all came (or none ever will).
	if ! wait_until 60 jd_has 1 "$I" KERIO2SYSLOG=1 "KERIO2SYSLOG_SEQ=$N"; then
		echo "seed $seed: no KERIO2SYSLOG_SEQ=$N within 60 s" \
		    "($(jd_count "$I" KERIO2SYSLOG=1) records)" >&2
	fi
	kill "$FOLLOWER"
	wait "$FOLLOWER"
	jd_field MESSAGE "$I" KERIO2SYSLOG=1 |
	    sed -n 's/.*, entry \([0-9]*\)[.,].*/\1/p' >"$D/got"
	seq 1 "$N" >"$D/want"
	got=$(wc -l <"$D/got")
	lost=$(comm -23 <(sort "$D/want") <(sort -u "$D/got") | wc -l)
	dup=$((got - $(sort -u "$D/got" | wc -l)))
	echo "seed $seed: entries $N, kills $KILLS ($DOWNS with two rotations" \
	    "while down), renames $RENAMES, copytruncates $COPIES, SIGSTOPs" \
	    "$STOPS (each with a rotation while stopped), records $got," \
	    "lost $lost, duplicated $dup ($((SECONDS - t0)) s)"
	if cmp -s "$D/want" "$D/got"; then
		ok "seed $seed: $N entries in the journal, each once, in order"
	else
		not_ok "seed $seed: records $got, lost $lost, duplicated $dup;" \
		    "$(diff "$D/want" "$D/got" | head -4 | xargs)"
		first=$(diff "$D/want" "$D/got" | sed -n '1s/^\([0-9]*\).*/\1/p')
		echo "  schedule before entry $first (follow.sh K2S $seed):" >&2
		awk -v s="$first" '$2 + 0 <= s' "$D/schedule" | tail -n 8 |
		    sed 's/^/    /' >&2
		sed 's/^/  follower: /' "$D/follower.err" | sort | uniq -c |
		    head -n 8 >&2
	fi
	jd_field KERIO2SYSLOG_SEQ "$I" KERIO2SYSLOG=1 >"$D/seq"
	if cmp -s "$D/want" "$D/seq"; then
		ok "seed $seed: KERIO2SYSLOG_SEQ 1..$N"
	else
		not_ok "seed $seed: KERIO2SYSLOG_SEQ:" \
		    "$(diff "$D/want" "$D/seq" | head -4 | xargs)"
	fi
	check "seed $seed: wrapped entries joined" "$((N / 13))" \
	    "$(jd_field MESSAGE "$I" KERIO2SYSLOG=1 | grep -c 'wrapped\.$')"
}

for seed in "${SEEDS[@]}"; do
	run "$seed"
done
f2b_finish
