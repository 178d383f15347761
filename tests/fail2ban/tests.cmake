# The shipped fail2ban filter and jail (contrib/fail2ban), checked with the
# real fail2ban (Debian package fail2ban): fail2ban-regex on the annotated
# corpora, a real fail2ban-server end to end, fail2ban-client --test.
# Included from tests/CMakeLists.txt.
foreach(t corpus injection e2e config converter-gaps burst-after-logrotate)
	string(REPLACE "-" "_" name fail2ban_${t})
	add_test(NAME ${name}
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fail2ban/${t}.sh
			$<TARGET_FILE:kerio2syslog>)
	set_tests_properties(${name} PROPERTIES
		LABELS fail2ban
		TIMEOUT 300)
endforeach()
set_tests_properties(fail2ban_e2e PROPERTIES TIMEOUT 120)
set_tests_properties(fail2ban_config PROPERTIES TIMEOUT 60)
set_tests_properties(fail2ban_burst_after_logrotate PROPERTIES TIMEOUT 120)
