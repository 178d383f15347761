# The shipped fail2ban filter and jail (contrib/fail2ban), checked with the
# real fail2ban (Debian package fail2ban): fail2ban-regex on the annotated
# corpora, on the examples of the catalogue of Kerio's messages
# (catalogue) and on random attacks, a real fail2ban-server end to end,
# fail2ban-client --test, fail2ban's own samples and configuration tests on
# the pull request to fail2ban (upstream); as root, fail2ban-server in
# private namespaces: no ban through DNS (dns, with strace), bans that
# reach nftables (nftables).
# Included from tests/CMakeLists.txt.
foreach(t corpus catalogue injection e2e config converter-gaps dns nftables
		burst-after-logrotate upstream installed-here)
	string(REPLACE "-" "_" name fail2ban_${t})
	add_test(NAME ${name}
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fail2ban/${t}.sh
			$<TARGET_FILE:kerio2syslog>)
	set_tests_properties(${name} PROPERTIES
		LABELS fail2ban
		TIMEOUT 300)
endforeach()
# Random attacks from fixed seeds (python3, as fail2ban itself).
add_test(NAME fail2ban_fuzz
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fail2ban/fuzz.py
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(fail2ban_fuzz PROPERTIES LABELS fail2ban TIMEOUT 120)
set_tests_properties(fail2ban_e2e PROPERTIES TIMEOUT 120)
set_tests_properties(fail2ban_upstream PROPERTIES TIMEOUT 120)
# Exit 77: not root, so no namespaces; reported as skipped, not passed.
set_tests_properties(fail2ban_dns fail2ban_nftables PROPERTIES TIMEOUT 180
	SKIP_RETURN_CODE 77)
set_tests_properties(fail2ban_burst_after_logrotate PROPERTIES TIMEOUT 120)
# config and e2e again, on this machine as it is once the package was
# installed (in a private mount namespace; root only, else skipped).
set_tests_properties(fail2ban_installed_here PROPERTIES TIMEOUT 180
	SKIP_RETURN_CODE 77)
