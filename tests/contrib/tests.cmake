# The systemd unit and the logrotate file under contrib/, checked with the
# real systemd-analyze and logrotate (see check-units.sh).
add_test(NAME contrib_units
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/contrib/check-units.sh
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(contrib_units PROPERTIES
	TIMEOUT 120
	LABELS "contrib;units")
