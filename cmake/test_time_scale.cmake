# ctest's own last-resort TIMEOUTs scale with RTCSHIM_TEST_TIME_SCALE as it is when CMake
# configures (the harnesses and test programs read it when they run: tests/common/test_time.h,
# tests/wine/wine-run.sh). Shared by the Linux tests (tests/CMakeLists.txt) and the Windows
# build's Wine tests (tests/wine/CMakeLists.txt).
# Every directory with tests runs this at its end: cmake_language(DEFER CALL rtcshim_scale_timeouts).
#
# The same deferred call gives every test its audio devices unless the test names its own:
# calls capture silence and play into nothing (no test needs a sound card; CI has none),
# and IRTCClient::put_Preferred* saves under the build tree instead of $HOME.
#
# Under ASan (RTCSHIM_SANITIZE) every test also gets LeakSanitizer's list of what GStreamer's
# dependencies leak on purpose (tests/sanitize/lsan.supp) and whole allocation stacks
# (fast_unwind_on_malloc=0; print_suppressions=0 keeps stderr to what the program wrote): GLib's first quark block, abandoned once GStreamer registers more
# than 2048 quarks, matches its suppression only by the library constructor in its stack, and
# with the fast unwinder every g_malloc'd block's stack ends at g_malloc. Most tests load
# GStreamer through the library, so all get it; it makes their start-up slower, not their checks.
set(RTCSHIM_TIME_SCALE "$ENV{RTCSHIM_TEST_TIME_SCALE}")
if(NOT RTCSHIM_TIME_SCALE MATCHES "^[1-9][0-9]*$")
  set(RTCSHIM_TIME_SCALE 1)
endif()
function(rtcshim_scale_timeouts)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test ${tests})
    get_test_property(${test} ENVIRONMENT env)
    if(NOT env MATCHES "RTCSHIM_AUDIO_SOURCE=")
      set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT
        "RTCSHIM_AUDIO_SOURCE=audiotestsrc is-live=true wave=silence" "RTCSHIM_AUDIO_SINK=fakesink")
    endif()
    if(NOT env MATCHES "XDG_CONFIG_HOME=")
      set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT "XDG_CONFIG_HOME=${CMAKE_BINARY_DIR}/tests/config")
    endif()
    if(RTCSHIM_SANITIZE AND NOT env MATCHES "ASAN_OPTIONS=")
      set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT
        "ASAN_OPTIONS=abort_on_error=1:fast_unwind_on_malloc=0"
        "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/sanitize/lsan.supp:print_suppressions=0")
    endif()
    if(RTCSHIM_TIME_SCALE EQUAL 1)
      continue()
    endif()
    get_test_property(${test} TIMEOUT timeout)
    if(NOT timeout)
      set(timeout 1500)   # ctest's default
    endif()
    math(EXPR timeout "${timeout} * ${RTCSHIM_TIME_SCALE}")
    set_tests_properties(${test} PROPERTIES TIMEOUT ${timeout})
  endforeach()
endfunction()
