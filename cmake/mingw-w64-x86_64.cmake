# CMake toolchain file: x86_64-w64-mingw32 with win32 threads (Debian's mingw-w64), for
# rtcshim.dll and for the CMake-built parts of the dependency chain.
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake -DRTCSHIM_MINGW_PREFIX=<prefix> ...
# RTCSHIM_MINGW_PREFIX is the prefix tools/mingw/build-deps.sh printed (also taken from the
# environment); headers, libraries and pkg-config files are looked up there and in
# mingw-w64's own /usr/x86_64-w64-mingw32, never in the build machine's /usr.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(RTCSHIM_MINGW_TRIPLE x86_64-w64-mingw32)

set(CMAKE_C_COMPILER   ${RTCSHIM_MINGW_TRIPLE}-gcc-win32)
set(CMAKE_CXX_COMPILER ${RTCSHIM_MINGW_TRIPLE}-g++-win32)
set(CMAKE_RC_COMPILER  ${RTCSHIM_MINGW_TRIPLE}-windres)
set(CMAKE_AR           /usr/bin/${RTCSHIM_MINGW_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB       /usr/bin/${RTCSHIM_MINGW_TRIPLE}-ranlib CACHE FILEPATH "")

# try_compile re-reads this file in a fresh project: pass the prefix through the environment.
if(NOT RTCSHIM_MINGW_PREFIX AND DEFINED ENV{RTCSHIM_MINGW_PREFIX})
  set(RTCSHIM_MINGW_PREFIX $ENV{RTCSHIM_MINGW_PREFIX})
endif()
set(ENV{RTCSHIM_MINGW_PREFIX} "${RTCSHIM_MINGW_PREFIX}")

set(CMAKE_FIND_ROOT_PATH /usr/${RTCSHIM_MINGW_TRIPLE} ${RTCSHIM_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools (widl, python) run here
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config sees only the cross prefixes.
set(ENV{PKG_CONFIG_LIBDIR} "${RTCSHIM_MINGW_PREFIX}/lib/pkgconfig:/usr/${RTCSHIM_MINGW_TRIPLE}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
