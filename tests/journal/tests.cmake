# A real systemd-journald, private to each test (tests/journal/lib.sh), and
# fail2ban's systemd backend reading it.  Root only: exit 77 (skipped, and
# said loudly) where the machine cannot run a private journald.
# Included from tests/CMakeLists.txt.
foreach(t harness fail2ban-backlog fail2ban-corpus fail2ban-catchup
		repeated-hour late-replay)
	string(REPLACE "-" "_" name journal_${t})
	if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/journal/${t}.sh)
		add_test(NAME ${name}
			COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/journal/${t}.sh
				$<TARGET_FILE:kerio2syslog>
				$<$<BOOL:${k2s_journal}>:$<TARGET_FILE:sink-driver>>)
		set_tests_properties(${name} PROPERTIES
			LABELS journal
			TIMEOUT 300
			SKIP_RETURN_CODE 77)
	endif()
endforeach()

# The journal sink's own tests, where it is built (k2s_journal): its unit
# test, and the driver that the process tests run (it writes through the
# sink's struct sink_ops, with a commit as follow mode's).
if(k2s_journal)
	add_executable(test_sink_journal test_sink_journal.c)
	target_link_libraries(test_sink_journal PRIVATE k2s_core
		PkgConfig::CMOCKA)
	add_test(NAME unit_sink_journal COMMAND test_sink_journal)
	set_tests_properties(unit_sink_journal PROPERTIES LABELS unit
		TIMEOUT 60)
endif()
if(k2s_journal)
	add_executable(sink-driver journal/sink-driver.c)
	target_link_libraries(sink-driver PRIVATE k2s_core)
	foreach(t sink torture)
		add_test(NAME journal_${t}
			COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/journal/${t}.sh
				$<TARGET_FILE:kerio2syslog>
				$<TARGET_FILE:sink-driver>)
		set_tests_properties(journal_${t} PROPERTIES
			LABELS journal
			TIMEOUT 300
			SKIP_RETURN_CODE 77)
	endforeach()
endif()
# kerio2syslog --follow --output journal itself (skipped until wired):
# under the follow-mode torture (follow.sh), and with journald away, its
# socket missing then refusing (away.sh).
if(k2s_journal)
	foreach(t follow away)
		add_test(NAME journal_${t}
			COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/journal/${t}.sh
				$<TARGET_FILE:kerio2syslog>)
		set_tests_properties(journal_${t} PROPERTIES LABELS journal
			TIMEOUT 300 SKIP_RETURN_CODE 77)
	endforeach()
endif()
