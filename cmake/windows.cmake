# rtcshim.dll: the same COM classes as an in-process server for Windows, cross-built with
# mingw-w64 against the static dependency chain tools/mingw/build-deps.sh builds.
#   cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DRTCSHIM_MINGW_PREFIX=$(tools/mingw/build-deps.sh)
# (tools/mingw/build-dll.sh does both.) Included by the top-level CMakeLists.txt when the
# target system is Windows; the Linux build never reads this file.
#
# What differs from the Linux library:
#  - ole32/oleaut32 provide CoInitialize, CoCreateInstance, BSTR, VARIANT, SAFEARRAY and
#    GUID strings, so src/com's Linux runtime (apartment.c, bstr.c, variant.c, guid.c,
#    cocreate.c) is left out; src/com/win32/ adds the apartment pump, the UTF-16 strings
#    and the server exports (DllGetClassObject ...);
#  - src/sip's platform seams come from src/sip/win32/ instead of platform_posix.c and
#    netif.c;
#  - uuid.lib's base GUIDs replace include/guids.c;
#  - media: the engine's default backend (binds RTP ports, moves no audio), see README.
#  - one static DLL: GLib, libosip2, OpenSSL and glib-networking are linked in; it
#    imports only system DLLs and exports only the four Dll* functions.

if(NOT RTCSHIM_MINGW_PREFIX OR NOT EXISTS "${RTCSHIM_MINGW_PREFIX}/.complete")
  message(FATAL_ERROR "RTCSHIM_MINGW_PREFIX must name the prefix tools/mingw/build-deps.sh built")
endif()

option(RTCSHIM_WERROR "Treat warnings as errors" OFF)
find_package(PkgConfig REQUIRED)
# --static flags: the chain is static libraries only.
set(PKG_CONFIG_ARGN --static)
pkg_check_modules(WIN_DEPS REQUIRED glib-2.0 gio-2.0 gobject-2.0 libosip2 libssl libcrypto libxml-2.0)
pkg_check_modules(WIN_CMOCKA cmocka)
# cmocka installs its static library under its own name.
find_library(WIN_CMOCKA_STATIC_LIBRARY cmocka-static PATHS ${RTCSHIM_MINGW_PREFIX}/lib NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
find_library(GIOOPENSSL_LIBRARY gioopenssl PATHS ${RTCSHIM_MINGW_PREFIX}/lib/gio/modules NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)
find_program(WIDL NAMES widl widl-stable x86_64-w64-mingw32-widl REQUIRED)
find_path(WINE_IDL_DIR oaidl.idl PATHS /usr/include/wine/wine/windows NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)

add_compile_options(-Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type)
if(RTCSHIM_WERROR)
  add_compile_options(-Werror)
endif()
# widl: the same IDL as on Linux, with Wine's IDL files for the imports (mingw-w64 ships
# headers only); the generated headers are compiled against mingw-w64's headers.
set(GEN ${CMAKE_BINARY_DIR}/include)
file(MAKE_DIRECTORY ${GEN})
set(generated_headers)
set(generated_iids)
foreach(idl rtccore uccapi)
  add_custom_command(
    OUTPUT ${GEN}/${idl}.h ${GEN}/${idl}_i.c
    COMMAND ${WIDL} -I ${WINE_IDL_DIR} -I ${CMAKE_SOURCE_DIR}/include -h -H ${GEN}/${idl}.h
            -u -U ${GEN}/${idl}_i.c ${CMAKE_SOURCE_DIR}/include/${idl}.idl
    DEPENDS ${CMAKE_SOURCE_DIR}/include/${idl}.idl
    COMMENT "widl ${idl}.idl"
    VERBATIM)
  list(APPEND generated_headers ${GEN}/${idl}.h)
  list(APPEND generated_iids ${GEN}/${idl}_i.c)
endforeach()
add_custom_target(rtcshim_generated_headers DEPENDS ${generated_headers} ${generated_iids})

# Everything that includes the project's headers and the static chain.
add_library(rtcshim_win_deps INTERFACE)
add_dependencies(rtcshim_win_deps rtcshim_generated_headers)
target_include_directories(rtcshim_win_deps INTERFACE ${GEN} ${CMAKE_SOURCE_DIR}/include
  ${CMAKE_SOURCE_DIR}/src/com/include ${CMAKE_SOURCE_DIR}/src/sip/include ${CMAKE_SOURCE_DIR}/src/media/include
  ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/src/com ${CMAKE_SOURCE_DIR}/src/sip
  ${CMAKE_SOURCE_DIR}/rtccore ${CMAKE_SOURCE_DIR}/ucc)
# <winsock2.h> first in every file: libosip2's headers use struct timeval and Winsock types
# without including it, and <windows.h> alone would bring the old <winsock.h> in.
target_compile_options(rtcshim_win_deps INTERFACE -include winsock2.h ${WIN_DEPS_STATIC_CFLAGS})
# COBJMACROS for every file: the forced <winsock2.h> includes the COM headers first.
target_compile_definitions(rtcshim_win_deps INTERFACE G_LOG_DOMAIN="rtcshim" COBJMACROS= CONST_VTABLE=
  _WIN32_WINNT=0x0601 WINVER=0x0601 UNICODE _UNICODE)
target_link_libraries(rtcshim_win_deps INTERFACE ${GIOOPENSSL_LIBRARY} ${WIN_DEPS_STATIC_LDFLAGS}
  ole32 oleaut32 uuid ws2_32 iphlpapi bcrypt crypt32 user32 advapi32)

file(GLOB sip_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/sip/*.c)
list(REMOVE_ITEM sip_sources ${CMAKE_SOURCE_DIR}/src/sip/platform_posix.c ${CMAKE_SOURCE_DIR}/src/sip/netif.c)
file(GLOB sip_win32_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/sip/win32/*.c)
file(GLOB com_win32_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/com/win32/*.c)
file(GLOB rtccore_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/rtccore/*.c)
file(GLOB ucc_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/ucc/*.c)
# src/com less the Linux COM runtime (ole32/oleaut32 provide it on Windows).
file(GLOB com_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/com/*.c)
foreach(linux_only apartment bstr cocreate guid variant)
  list(REMOVE_ITEM com_sources ${CMAKE_SOURCE_DIR}/src/com/${linux_only}.c)
endforeach()

# Media: src/media/no_media.c, the engine's default backend (RTP ports, no audio); the RTC
# and UCC objects see a backend that moves no audio and say so (rtccore/media.c).
add_library(rtcshim_objects OBJECT ${com_sources} ${com_win32_sources} ${sip_sources} ${sip_win32_sources}
  ${CMAKE_SOURCE_DIR}/src/media/no_media.c ${rtccore_sources} ${ucc_sources} ${generated_iids})
target_link_libraries(rtcshim_objects PUBLIC rtcshim_win_deps)
set_source_files_properties(${generated_iids} PROPERTIES COMPILE_OPTIONS -Wno-missing-field-initializers)

# The DLL: exports from rtcshim.def only; libgcc and everything else static.
add_library(rtcshim SHARED $<TARGET_OBJECTS:rtcshim_objects> ${CMAKE_SOURCE_DIR}/cmake/rtcshim.def)
set_target_properties(rtcshim PROPERTIES PREFIX "" OUTPUT_NAME rtcshim)
target_link_libraries(rtcshim PRIVATE rtcshim_win_deps)
target_link_options(rtcshim PRIVATE -static -static-libgcc -Wl,--no-undefined -s)

# The same objects as a static archive for the unit tests (they reach internals).
add_library(rtcshim_internal STATIC $<TARGET_OBJECTS:rtcshim_objects>)
target_link_libraries(rtcshim_internal PUBLIC rtcshim_win_deps)

if(BUILD_TESTING)
  add_subdirectory(tests/wine)
endif()
