# ctest's own last-resort TIMEOUTs scale with RTCSHIM_TEST_TIME_SCALE as it is when CMake
# configures (the harnesses and test programs read it when they run: tests/common/test_time.h,
# tests/wine/wine-run.sh). Shared by the Linux tests (tests/CMakeLists.txt) and the Windows
# build's Wine tests (tests/wine/CMakeLists.txt).
# Every directory with tests runs this at its end: cmake_language(DEFER CALL rtcshim_scale_timeouts).
set(RTCSHIM_TIME_SCALE "$ENV{RTCSHIM_TEST_TIME_SCALE}")
if(NOT RTCSHIM_TIME_SCALE MATCHES "^[1-9][0-9]*$")
  set(RTCSHIM_TIME_SCALE 1)
endif()
function(rtcshim_scale_timeouts)
  if(RTCSHIM_TIME_SCALE EQUAL 1)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test ${tests})
    get_test_property(${test} TIMEOUT timeout)
    if(NOT timeout)
      set(timeout 1500)   # ctest's default
    endif()
    math(EXPR timeout "${timeout} * ${RTCSHIM_TIME_SCALE}")
    set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout})
  endforeach()
endfunction()
