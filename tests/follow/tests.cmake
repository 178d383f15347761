# Follow mode: unit tests of the state file and the rotation decisions,
# and process tests that drive a real follower (see tests/follow/*.sh).
foreach(module state rotation)
	add_executable(test_${module}
		${CMAKE_CURRENT_SOURCE_DIR}/test_${module}.c)
	target_link_libraries(test_${module} PRIVATE k2s_core
		PkgConfig::CMOCKA)
	add_test(NAME unit_${module} COMMAND test_${module})
	set_tests_properties(unit_${module} PROPERTIES
		LABELS "follow;unit" TIMEOUT 30)
endforeach()

# k2s_follow_test(NAME TIMEOUT LABELS SCRIPT [SCENARIO...]
#     [NOINOTIFY_OPTIONS OPTION...] [NOINOTIFY_ENV VAR=VALUE...]): the
# process test NAME,
# tests/follow/SCRIPT run on the program (and the SCENARIOs), and
# NAME_noinotify, the same with K2S_FOLLOW_ARGS=--no-inotify (see
# tests/follow/lib.sh): every follower it starts looks at its files on the
# stat ticks alone, so that path is proven on its own (label noinotify).
# NOINOTIFY_OPTIONS go before the program, and NOINOTIFY_ENV into the
# environment, in that run only: a shorter torture run, since each of its
# steps waits for a tick of a second.
function(k2s_follow_test name timeout labels script)
	cmake_parse_arguments(PARSE_ARGV 4 K "" ""
		"NOINOTIFY_OPTIONS;NOINOTIFY_ENV")
	add_test(NAME ${name}
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/${script}
			$<TARGET_FILE:kerio2syslog> ${K_UNPARSED_ARGUMENTS})
	add_test(NAME ${name}_noinotify
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/${script}
			${K_NOINOTIFY_OPTIONS} $<TARGET_FILE:kerio2syslog>
			${K_UNPARSED_ARGUMENTS})
	set_tests_properties(${name} PROPERTIES
		LABELS "${labels}" TIMEOUT ${timeout})
	set_tests_properties(${name}_noinotify PROPERTIES
		LABELS "${labels};noinotify" TIMEOUT ${timeout}
		ENVIRONMENT "K2S_FOLLOW_ARGS=--no-inotify;${K_NOINOTIFY_ENV}")
endfunction()

k2s_follow_test(follow_process 150 follow process.sh)

# Issue 21: only the input wakes the follower (a neighbour written 10,000
# times a second; a tracer writing into the directory per system call);
# the default flush timeout against an entry's lines written apart.
k2s_follow_test(follow_latency 120 follow process.sh
	busy_neighbour traced_into_dir wrapped_gaps)

# Issue 8, holes 6-13: the commit and the output side of exactly once.
# Without inotify, the fault_sweep scenario kills at write(2) only.
k2s_follow_test(follow_commit_holes 200 follow process.sh
	two_instances state_tmp_symlink save_failed_then_rotate
	negative_out_size hup_while_skipping flush_at_two_crashes
	year_range stdout_epipe options_changed enospc_half_line hup_storm
	fault_sweep
	NOINOTIFY_ENV SWEEP_CALLS=write)

# Which outputs are exactly once (the manual's FOLLOW MODE): standard
# output on a pipe is written at least once, redirected to a file (>>)
# exactly once, the same crash after writes the state could not save.
k2s_follow_test(follow_stdout 90 follow process.sh
	stdout_pipe_at_least_once stdout_file_exactly_once)

# Issue 18: one follower per state file, whatever its name (a link to it,
# its lock file deleted), and a --status that tells a follower that runs
# from a stalled one and from none.
k2s_follow_test(follow_lock_status 150 follow process.sh
	two_instances_symlink lock_deleted lock_taken status_truth)

# Issue 18: an entry fresh when written, late at the restart that writes
# it again (the time it is judged by, saved with the commit).
k2s_follow_test(follow_late_replay 60 follow process.sh late_replay)

# Issue 8, the input side of exactly-once: one scenario per hole.
k2s_follow_test(follow_input_holes 240 follow process.sh
	two_rotations_stopped two_rotations_paused copytruncate_stopped
	copytruncate_before_read copytruncate_at_zero_stopped
	rotated_path_missing copy_named_older_stopped
	first_start_killed_then_rotated
	renumbered_identity truncate_unfinished truncate_regrow_round
	crash_before_first_save planted_link dated_rotations
	deleted_not_rotated renumbered_device)

# The torture tests of issue 8: SIGKILL injected at the Nth write, rename,
# fsync and openat (strace), and a seeded random schedule of kill -9,
# SIGSTOP, rotations and long entries. Short runs here; the long ones are
# `fault-sweep.sh --long` and `stress.sh --entries 20000`. Without
# inotify: the kills at write(2) only (the output's and the state's), and
# one seeded schedule (seed 1) instead of two.
k2s_follow_test(follow_fault_sweep 300 "follow;torture" fault-sweep.sh
	NOINOTIFY_OPTIONS --syscalls write)
k2s_follow_test(follow_stress 300 "follow;torture" stress.sh
	NOINOTIFY_OPTIONS --seed 1)
# What they found, made certain (see the head of torture-cases.sh).
k2s_follow_test(follow_torture_cases 300 "follow;torture" torture-cases.sh)

# The merge of issue 8's two halves: where they meet.
k2s_follow_test(follow_merge 120 follow process.sh
	unsaved_start_save_fails truncate_save_failed mark_on_disk
	state_tmp_fifo appears_save_failed)
