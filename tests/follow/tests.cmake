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

add_test(NAME follow_process
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/process.sh
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(follow_process PROPERTIES LABELS follow TIMEOUT 150)

# Issue 8, holes 6-13: the commit and the output side of exactly once.
add_test(NAME follow_commit_holes
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/process.sh
		$<TARGET_FILE:kerio2syslog>
		two_instances state_tmp_symlink save_failed_then_rotate
		negative_out_size hup_while_skipping flush_at_two_crashes
		year_range stdout_epipe options_changed enospc_half_line hup_storm
		fault_sweep)
set_tests_properties(follow_commit_holes PROPERTIES LABELS follow
	TIMEOUT 200)

# Issue 8, the input side of exactly-once: one scenario per hole.
add_test(NAME follow_input_holes
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/process.sh
		$<TARGET_FILE:kerio2syslog> two_rotations_stopped
		two_rotations_paused copytruncate_stopped renumbered_identity
		truncate_unfinished truncate_regrow_round crash_before_first_save
		planted_link dated_rotations deleted_not_rotated renumbered_device)
set_tests_properties(follow_input_holes PROPERTIES LABELS follow TIMEOUT 240)

# The torture tests of issue 8: SIGKILL injected at the Nth write, rename,
# fsync and openat (strace), and a seeded random schedule of kill -9,
# SIGSTOP, rotations and long entries. Short runs here; the long ones are
# `fault-sweep.sh --long` and `stress.sh --entries 20000`.
add_test(NAME follow_fault_sweep
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/fault-sweep.sh
		$<TARGET_FILE:kerio2syslog>)
add_test(NAME follow_stress
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/stress.sh
		$<TARGET_FILE:kerio2syslog>)
# What they found, made certain (see the head of torture-cases.sh).
add_test(NAME follow_torture_cases
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/torture-cases.sh
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(follow_fault_sweep follow_stress follow_torture_cases
	PROPERTIES LABELS "follow;torture" TIMEOUT 300)

# The merge of issue 8's two halves: where they meet.
add_test(NAME follow_merge
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/follow/process.sh
		$<TARGET_FILE:kerio2syslog> unsaved_start_save_fails
		truncate_save_failed mark_on_disk state_tmp_fifo
		appears_save_failed)
set_tests_properties(follow_merge PROPERTIES LABELS follow TIMEOUT 120)
