# The package as deployed: a Debian 12 tree booted with systemd-nspawn,
# the .deb installed with apt, the README's and the manual's commands run
# in it (system.sh).  Registered only with -DK2S_SYSTEM_TEST=ON: it needs
# root, mmdebstrap and Debian's archive (for the tree, cached under
# /var/cache/kerio2syslog-tests), and the .deb, built first into
# K2S_SYSTEM_DEB_DIR by tests/package/build.sh (.ci/run does).
# Included from tests/CMakeLists.txt.
if(K2S_SYSTEM_TEST)
	set(K2S_SYSTEM_DEB_DIR ${PROJECT_BINARY_DIR}/packages CACHE PATH
		"Where the system test finds the .deb to install")
	add_test(NAME system
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/system/system.sh
			${K2S_SYSTEM_DEB_DIR})
	set_tests_properties(system PROPERTIES
		LABELS system TIMEOUT 1200 SKIP_RETURN_CODE 77)
endif()
