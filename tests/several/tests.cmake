# Several mail servers (issue 12): the CrowdSec collection and the central
# rsyslog over RELP under contrib/, proven with the real engines: Debian's
# crowdsec 1.4.6 (unpacked from its package into the build tree, see
# several/lib.sh), rsyslogd with omrelp/imrelp, fail2ban-regex.  Loopback
# ports 20500-20599 only.  Included from tests/CMakeLists.txt.
set(SEVERAL_CACHE ${CMAKE_BINARY_DIR}/several-cache)
foreach(t agreement hubtest hubready relp shared central late long outage)
	add_test(NAME several_${t}
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/several/${t}.sh
			$<TARGET_FILE:kerio2syslog> ${SEVERAL_CACHE})
	set_tests_properties(several_${t} PROPERTIES
		LABELS several
		TIMEOUT 240)
endforeach()
# agreement also replays fuzz.py's three seeds of 2000 entries each (4 to 8
# minutes on 2 busy cores).
set_tests_properties(several_agreement PROPERTIES TIMEOUT 900)
# diskfull mounts a small tmpfs as the central host's log directory: root
# only (skipped otherwise).
add_test(NAME several_diskfull
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/several/diskfull.sh
		$<TARGET_FILE:kerio2syslog> ${SEVERAL_CACHE})
set_tests_properties(several_diskfull PROPERTIES
	LABELS several TIMEOUT 240 SKIP_RETURN_CODE 77)
add_test(NAME several_install
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/several/install.sh
		$<TARGET_FILE:kerio2syslog> ${SEVERAL_CACHE} ${CMAKE_BINARY_DIR})
set_tests_properties(several_install PROPERTIES LABELS several TIMEOUT 60)
