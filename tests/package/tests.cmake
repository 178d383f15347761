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
