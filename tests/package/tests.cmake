# What "cmake --install" stages, and that the version agrees everywhere
# (tests/package/).  The package builds themselves (dpkg-buildpackage,
# rpmbuild) and the install of the .deb run in CI: tests/package/ci-part.sh.
# Included from tests/CMakeLists.txt.
add_test(NAME package_install
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package/install.sh
		${PROJECT_BINARY_DIR})
set_tests_properties(package_install PROPERTIES
	LABELS package TIMEOUT 60)
add_test(NAME package_version
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package/version.sh
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(package_version PROPERTIES
	LABELS package TIMEOUT 60)

# status, the module behind --status (cmocka, like the other unit tests).
add_executable(test_status test_status.c)
target_link_libraries(test_status PRIVATE k2s_core PkgConfig::CMOCKA)
add_test(NAME unit_status COMMAND test_status)
set_tests_properties(unit_status PROPERTIES LABELS unit TIMEOUT 60)

# What an administrator sees: the start and rotation lines, --status and
# its exit codes, --help (a follower on temporary files).
add_test(NAME package_operate
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package/operate.sh
		$<TARGET_FILE:kerio2syslog>)
set_tests_properties(package_operate PROPERTIES
	LABELS package TIMEOUT 120)
