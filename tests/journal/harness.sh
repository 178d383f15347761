#!/bin/bash
# The journald harness (lib.sh) proves itself: a real systemd-journald,
# private to this test, takes N records with sequence fields from three
# writers in turn (python3-systemd's sendv, logger --journald, and one
# record through /dev/log), and journalctl reads every one back exactly
# once, in order, with its fields intact; a record that a local user
# writes carries that user's _UID, whatever fields it forges; the
# machine's own journal directories are left as they were.
#
# usage: harness.sh path/to/kerio2syslog   (the binary is not used yet)
K2S=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
jd_init

N=${JD_N:-300}
RUN=$$.$RANDOM

# What the machine has before: the harness must leave it alone.
host_state()
{
	local d
	for d in /run/systemd/journal /run/log/journal /var/log/journal; do
		if [ -e "$d" ]; then
			printf '%s %s\n' "$d" "$(stat -c '%i %Y' "$d")"
		else
			printf '%s absent\n' "$d"
		fi
	done
}
before=$(host_state)

if jd_start; then
	ok "systemd-journald $JD_PID runs in its own mount namespace"
else
	not_ok "journald did not start"
	f2b_finish
fi

# Records 1..N: most through one python process, every tenth through
# logger --journald, record N/2 through the syslog socket.
half=$((N / 2))
i=1
while [ "$i" -le "$N" ]; do
	if [ "$i" -eq "$half" ]; then
		jd_run logger -t jdtest "JD_SEQ=$i syslog" || not_ok "logger $i"
	elif [ $((i % 10)) -eq 0 ]; then
		printf '%s\n' "MESSAGE=logger record $i" SYSLOG_IDENTIFIER=jdtest \
		    "JD_RUN=$RUN" "JD_SEQ=$i" | jd_logger || not_ok "logger --journald $i"
	else
		# A batch up to the next record another writer takes.
		j=$i
		while [ "$((j + 1))" -le "$N" ] && [ "$((j + 1))" -ne "$half" ] &&
		    [ $(((j + 1) % 10)) -ne 0 ]; do
			j=$((j + 1))
		done
		for k in $(seq "$i" "$j"); do
			printf 'MESSAGE=record %d: caf\303\251 <a@b>, "q"\t%s\n' \
			    "$k" "SYSLOG_IDENTIFIER=jdtest	JD_RUN=$RUN	JD_SEQ=$k"
		done | jd_send_many || not_ok "sendv batch $i-$j"
		i=$j
	fi
	i=$((i + 1))
done

# The syslog record has no JD_RUN field; match it by its identifier.
if wait_until 60 jd_has "$N" SYSLOG_IDENTIFIER=jdtest; then
	ok "$N records came back"
else
	not_ok "only $(jd_count SYSLOG_IDENTIFIER=jdtest) of $N records" \
	    "came back within 60 s"
fi

# Every sequence number once, in order.
jd_field MESSAGE SYSLOG_IDENTIFIER=jdtest |
    sed -n 's/^JD_SEQ=\([0-9]*\) syslog$/\1/p
	s/^\(logger \)\{0,1\}record \([0-9]*\).*/\2/p' >"$T/seq"
seq 1 "$N" >"$T/want"
if diff -u "$T/want" "$T/seq" >"$T/seq.diff"; then
	ok "sequence 1..$N, each once, in order"
else
	not_ok "sequence differs (- expected, + read back):"
	grep '^[-+][0-9]' "$T/seq.diff" | head -20
fi
seq 1 "$N" | grep -vx "$half" >"$T/want.field"
jd_field JD_SEQ JD_RUN="$RUN" >"$T/seq.field"
if cmp -s "$T/want.field" "$T/seq.field"; then
	ok "JD_SEQ fields of the $((N - 1)) native records, in order"
else
	not_ok "JD_SEQ fields differ: $(diff "$T/want.field" "$T/seq.field" | head -5)"
fi
check "a record's bytes" 'record 7: café <a@b>, "q"' \
    "$(jd_field MESSAGE JD_SEQ=7 JD_RUN="$RUN")"

# A local user can choose every field but the trusted ones.
printf '%s\n' MESSAGE=forged SYSLOG_IDENTIFIER=jdtest "JD_RUN=$RUN" \
    JD_SEQ=forged _UID=0 |
    jd_run setpriv --reuid=65534 --regid=65534 --clear-groups \
    logger --journald || not_ok "logger --journald as nobody"
wait_until 30 jd_has 1 JD_SEQ=forged || not_ok "the forged record did not come"
check "_UID of a record written by nobody" 65534 \
    "$(jd_field _UID JD_SEQ=forged)"
check "records of root with _UID=0 in this run" "$((N - 1))" \
    "$(jd_count JD_RUN="$RUN" _UID=0)"

pid=$JD_PID
jd_stop
if f2b_dead "$pid"; then
	ok "journald $pid stopped"
else
	not_ok "journald $pid still runs"
fi
check "the machine's journal directories" "$before" "$(host_state)"
f2b_finish
