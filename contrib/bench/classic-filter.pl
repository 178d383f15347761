#!/usr/bin/perl
#
# classic-filter.pl - the classic Kerio security.log rewrite, as a baseline
#
# usage: classic-filter.pl [file ...]
#
# Before kerio2syslog, the usual way to feed Kerio's security.log to
# fail2ban was a small Perl filter behind "tail -f" (see "Kerio and
# fail2ban" on aplawrence.com): strip every bracket, then turn the leading
# "17/Jun/2011 17:00:45" into the syslog-like "Jun 17 17:00:45".  This is
# that filter rewritten line by line over files or standard input, so the
# benchmark measures the same work without tail.  Like the original, it
# knows nothing of wrapped entries (a continuation line is mangled like
# any other line), removes brackets inside messages too, and runs without
# strict or warnings.
#
# The original flushed every line, as a filter behind "tail -f" must (with
# block buffering, the last lines of a burst would wait for the next
# burst); CLASSIC_FLUSH=1 does that.  Without it, output is buffered, which
# only makes the baseline faster: the benchmark times both.

$| = 1 if $ENV{CLASSIC_FLUSH};
while (<>) {
	s/\[//g;
	s/\]//g;
	($date, $time, $rest) = split(/ /, $_, 3);
	($day, $month, $year) = split(/\//, $date);
	print "$month $day $time $rest";
}
