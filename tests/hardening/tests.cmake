# Hardening (issue 5): regression tests for defects found by fuzzing and
# review, bounded memory on hostile input, faults and signals. Included
# from tests/CMakeLists.txt; label "hardening". The fuzzers, valgrind and
# the static checks run from ci-part.sh, not from ctest.
set(K2S_HARDENING_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(test_regress ${K2S_HARDENING_DIR}/test_regress.c)
target_link_libraries(test_regress PRIVATE k2s_core PkgConfig::CMOCKA)
add_test(NAME hardening_regress COMMAND test_regress)

add_test(NAME hardening_memory
	COMMAND ${K2S_HARDENING_DIR}/memory.sh $<TARGET_FILE:kerio2syslog>)
add_test(NAME hardening_faults
	COMMAND ${K2S_HARDENING_DIR}/faults.sh $<TARGET_FILE:kerio2syslog>)

set_tests_properties(hardening_regress PROPERTIES
	LABELS "hardening;unit" TIMEOUT 60)
set_tests_properties(hardening_memory hardening_faults PROPERTIES
	LABELS hardening TIMEOUT 90)

# The Asan build type once compiled without any sanitizer (its flags were
# set after project() and lost): an Asan build must have ASan in it.
if(CMAKE_BUILD_TYPE STREQUAL "Asan")
	add_test(NAME hardening_asan_is_on
		COMMAND grep -q -a __asan_init $<TARGET_FILE:kerio2syslog>)
	set_tests_properties(hardening_asan_is_on PROPERTIES
		LABELS hardening TIMEOUT 10)
endif()
