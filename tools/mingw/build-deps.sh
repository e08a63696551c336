#!/bin/sh
# Cross-builds rtcshim.dll's dependency chain for x86_64-w64-mingw32 from Debian's source
# packages, as static libraries only, into a prefix cached outside the clone:
#
#   libosip2 (--disable-mt)   libffi   pcre2 (8-bit)   gettext's intl   zlib (Debian's
#   libz-mingw-w64-dev)   GLib (glib, gobject, gmodule, gio)   OpenSSL (libcrypto, libssl)
#   glib-networking's OpenSSL backend (libgioopenssl.a, registered by g_io_openssl_load)
#   libxml2 (presence documents: PIDF, watcherinfo; no iconv, zlib, lzma, HTTP or FTP)
#   cmocka (for the unit tests run under Wine; not linked into the DLL)
#
# usage: tools/mingw/build-deps.sh      prints the prefix on its last line of stdout
# env:   RTCSHIM_MINGW_CACHE   cache root (default /var/cache/rtcshim-mingw)
#        RTCSHIM_MINGW_JOBS    parallel jobs (default: nproc)
#
# The prefix is <cache>/<key>, the key a hash of the pinned versions and checksums, the
# toolchain's and zlib's package versions and RECIPE (bump it when a build option below
# changes): a second run with the same key does nothing. Each finished step leaves a stamp,
# so a run that was interrupted goes on where it stopped.
# Sources come from `apt-get source --download-only` against a private apt state that
# adds deb-src lines for the machine's own Debian mirror (bookworm, trixie, security), so
# the system's apt configuration is not touched. Only each package's upstream tarball
# (the .orig) is built; its SHA-256 is pinned here as well as checked by apt against the
# signed Sources index. The mirror serves some source packages only in part (a .dsc or
# Debian diff can 404 while the .orig downloads), hence the pin on the .orig alone.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tools/mingw"
cache=${RTCSHIM_MINGW_CACHE:-/var/cache/rtcshim-mingw}
jobs=${RTCSHIM_MINGW_JOBS:-$(nproc 2>/dev/null || echo 2)}
host=x86_64-w64-mingw32
RECIPE=1

# name  source-package=debian-version  suite  orig-tarball  sha256
# Versions the mirror serves in full or at least as an .orig; the bookworm libosip2 (5.3.0)
# and glib-networking (2.74.0) and the security pcre2/zlib 404 there.
pins() {
  cat <<'EOF'
osip libosip2=5.3.1-1.1 trixie libosip2_5.3.1.orig.tar.gz fe82fe841608266ac15a5c1118216da00c554d5006e2875a8ac3752b1e6adc79
ffi libffi=3.4.4-1 bookworm libffi_3.4.4.orig.tar.gz d66c56ad259a82cf2a9dfc408b32bf5da52371500b84745f7fb8b645712df676
pcre2 pcre2=10.42-1 bookworm pcre2_10.42.orig.tar.gz c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f
gettext gettext=0.21-12 bookworm gettext_0.21.orig.tar.xz d20fcbb537e02dcf1383197ba05bd0734ef7bf5db06bdb241eb69b7d16b73192
glib glib2.0=2.74.6-2+deb12u9 bookworm glib2.0_2.74.6.orig.tar.xz 069cf7e51cd261eb163aaf06c8d1754c6835f31252180aff5814e5afc7757fbc
openssl openssl=3.0.22-1~deb12u2 bookworm-security openssl_3.0.22.orig.tar.gz 67ebca7e50d17383028045486653492195b83db95f8558709701bb47b5c1ef81
gnet glib-networking=2.80.1-1 trixie glib-networking_2.80.1.orig.tar.xz b80e2874157cd55071f1b6710fa0b911d5ac5de106a9ee2a4c9c7bee61782f8e
xml2 libxml2=2.9.14+dfsg-1.3~deb12u6 bookworm libxml2_2.9.14+dfsg.orig.tar.xz 4fe913dec8b1ab89d13b489b419a8203176ea39e931eaa0d25b17eafb9c279e9
cmocka cmocka=1.1.5-2.1 bookworm cmocka_1.1.5.orig.tar.xz f0ccd8242d55e2fd74b16ba518359151f6f8383ff8aef4976e48393f77bba8b6
EOF
}

say() { echo "build-deps: $*" >&2; }
die() { say "$*"; exit 1; }

for tool in ${host}-gcc-win32 ${host}-g++-win32 meson ninja cmake pkg-config apt-get make perl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run tools/setup-debian.sh)"
done
[ -f /usr/$host/lib/libz.a ] || die "libz-mingw-w64-dev is missing (run tools/setup-debian.sh)"

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }
key=$( { pins; echo "gcc $(pkgver gcc-mingw-w64-x86-64-win32)"; echo "crt $(pkgver mingw-w64-x86-64-dev)";
         echo "zlib $(pkgver libz-mingw-w64-dev)"; echo "recipe $RECIPE"; } | sha256sum | cut -c1-16)
prefix="$cache/$key"

mkdir -p "$cache"
exec 9>"$cache/$key.lock"
flock 9
if [ -f "$prefix/.complete" ]; then
  say "cached: $prefix"
  echo "$prefix"
  exit 0
fi

started=$(date +%s)
work="$cache/$key.work"
mkdir -p "$prefix" "$work" "$cache/sources"
logs="$prefix/build-logs"
mkdir -p "$logs"

# Each step runs under `set -e` in a subshell, logs to its own file (the tail is shown on
# failure) and leaves a stamp in the prefix when it succeeded.
step() {
  name=$1; shift
  if [ -f "$prefix/.step-$name" ]; then
    say "$name: done before"
    return 0
  fi
  t0=$(date +%s)
  set +e
  (set -e; "$@") >"$logs/$name.log" 2>&1
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    say "$name FAILED (log $logs/$name.log):"
    tail -40 "$logs/$name.log" >&2
    exit 1
  fi
  echo "$(( $(date +%s) - t0 ))" >"$prefix/.step-$name"
  say "$name: $(cat "$prefix/.step-$name") s"
}

# --- sources ------------------------------------------------------------------------------
apt_state="$cache/apt"
apt_opts="-o Dir::Etc::SourceList=$apt_state/sources.list -o Dir::Etc::SourceParts=$apt_state/none
  -o Dir::State::Lists=$apt_state/lists -o Dir::Cache=$apt_state/cache -o Debug::NoLocking=1"

apt_index() {
  mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial" "$apt_state/none"
  main=$(apt-get indextargets --format '$(REPO_URI)' 'Release: bookworm' 'Identifier: Packages' | head -1)
  security=$(apt-get indextargets --format '$(REPO_URI)' 'Release: bookworm-security' 'Identifier: Packages' | head -1)
  [ -n "$main" ] || die "no bookworm entry in the system's apt sources to derive the mirror from"
  {
    echo "deb-src $main bookworm main"
    echo "deb-src $main trixie main"
    [ -z "$security" ] || echo "deb-src $security bookworm-security main"
  } >"$apt_state/sources.list"
  # shellcheck disable=SC2086
  apt-get $apt_opts -q update
}

# fetch PKG=VERSION ORIG SHA256: downloads into the source cache and verifies the .orig.
fetch() {
  spec=$1 orig=$2 sum=$3
  file="$cache/sources/$orig"
  if [ -f "$file" ] && echo "$sum  $file" | sha256sum -c --quiet - 2>/dev/null; then
    return 0
  fi
  tmp="$cache/sources/tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # The pinned Debian revision first; if the index has moved on (a point release replaces
  # it), any revision with the same upstream tarball will do: the checksum is the pin.
  pkg=${spec%%=*}
  upstream=$(echo "$orig" | sed -e "s/^[^_]*_//" -e 's/\.orig\.tar\..*//')
  # shellcheck disable=SC2086
  versions="${spec#*=} $(apt-cache $apt_opts showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' \
                          | grep -F -- "$upstream-" || true)"
  for v in $versions; do
    # apt-get fails when the .dsc or Debian diff 404s but still fetches the .orig.
    # shellcheck disable=SC2086
    (cd "$tmp" && apt-get $apt_opts -q source --download-only "$pkg=$v") || true
    [ -f "$tmp/$orig" ] && break
  done
  [ -f "$tmp/$orig" ] || die "$orig: not served for $spec (or any revision of $upstream)"
  echo "$sum  $tmp/$orig" | sha256sum -c --quiet - || die "$orig: checksum mismatch"
  mv "$tmp/$orig" "$file"
  rm -rf "$tmp"
}

have_all_sources() {
  pins | while read -r name spec suite orig sum; do
    echo "$sum  $cache/sources/$orig" | sha256sum -c --quiet - >/dev/null 2>&1 || echo "$orig"
  done | grep -q . && return 1
  return 0
}

fetch_all() {
  if have_all_sources; then
    echo "every source is in $cache/sources"
    return 0
  fi
  apt_index
  pins | while read -r name spec suite orig sum; do
    fetch "$spec" "$orig" "$sum"
    echo "$name $spec $orig ok"
  done
}

unpack() {   # unpack NAME: a fresh $work/src/NAME (and no $work/build/NAME)
  orig=$(pins | awk -v n="$1" '$1 == n { print $4 }')
  rm -rf "$work/src/$1" "$work/build/$1"
  mkdir -p "$work/src/$1"
  tar -xf "$cache/sources/$orig" -C "$work/src/$1" --strip-components=1
}

# --- build steps --------------------------------------------------------------------------
export PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig:/usr/$host/lib/pkgconfig"
export PKG_CONFIG_PATH=""
cross_env="CC=$host-gcc-win32 CXX=$host-g++-win32 AR=$host-ar RANLIB=$host-ranlib STRIP=$host-strip"
cflags="-O2"

autotools() {   # autotools DIR CONFIGURE-ARGS...: configure, make, install (static only)
  dir=$1; shift
  # shellcheck disable=SC2086
  (cd "$dir" && env $cross_env CFLAGS="$cflags" CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" \
     ./configure --host=$host --prefix="$prefix" --libdir="$prefix/lib" \
       --enable-static --disable-shared "$@" && make -j"$jobs" && make install)
}

build_osip() {
  unpack osip
  # --disable-mt: rtcshim runs no osip threads, and with winpthreads found osip would
  # define osip_thread_t twice. Only the library directories are built (no docs, no tests).
  dir="$work/src/osip"
  # shellcheck disable=SC2086
  (cd "$dir" && env $cross_env CFLAGS="$cflags" ./configure --host=$host --prefix="$prefix" --libdir="$prefix/lib" \
       --enable-static --disable-shared --disable-mt \
     && make -j"$jobs" -C src && make -C src install && make -C include install && make install-pkgconfigDATA)
}

build_ffi() {
  unpack ffi
  autotools "$work/src/ffi" --disable-docs --disable-multi-os-directory
}

build_pcre2() {
  unpack pcre2
  # 8-bit library only, no pcre2grep, no tests: what GLib links.
  cmake -S "$work/src/pcre2" -B "$work/build/pcre2" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" -DRTCSHIM_MINGW_PREFIX="$prefix" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=OFF -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF \
    -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF -DPCRE2_SUPPORT_JIT=OFF -DPCRE2_STATIC_PIC=OFF
  ninja -C "$work/build/pcre2" -j"$jobs" install
}

build_intl() {
  unpack gettext
  # GLib needs a libintl even with NLS off. Only gettext-runtime's intl/ is built, with the
  # included gettext (with --disable-nls it would build nothing).
  dir="$work/src/gettext/gettext-runtime"
  # shellcheck disable=SC2086
  (cd "$dir" && env $cross_env CFLAGS="$cflags" ./configure --host=$host --prefix="$prefix" --libdir="$prefix/lib" \
       --enable-static --disable-shared --with-included-gettext --disable-java --disable-csharp \
       --disable-libasprintf --disable-c++ --enable-threads=windows --without-libiconv-prefix \
     && make -j"$jobs" -C intl && make -C intl install)
}

meson_cross() {   # meson_cross SRC BUILD OPTIONS...
  src=$1 build=$2; shift 2
  printf "[constants]\nprefix = '%s'\n" "$prefix" >"$work/prefix.ini"
  meson setup "$build" "$src" --cross-file "$work/prefix.ini" --cross-file "$here/x86_64-w64-mingw32.ini" \
    --prefix "$prefix" --libdir lib --buildtype release -Ddefault_library=static --wrap-mode=nodownload "$@"
  ninja -C "$build" -j"$jobs"
  meson install -C "$build" --no-rebuild
}

build_glib() {
  unpack glib
  meson_cross "$work/src/glib" "$work/build/glib" \
    -Dtests=false -Dinstalled_tests=false -Dnls=disabled -Dman=false -Dgtk_doc=false \
    -Dlibmount=disabled -Dselinux=disabled -Dxattr=false -Dlibelf=disabled -Ddtrace=false \
    -Dsystemtap=false -Dsysprof=disabled -Dglib_debug=disabled
}

build_openssl() {
  unpack openssl
  # Static libraries and headers only: no programs, tests, modules, engines; ciphers
  # that TLS never negotiates are left out. `build_libs` and `install_dev` skip the rest.
  dir="$work/src/openssl"
  (cd "$dir" && ./Configure mingw64 --cross-compile-prefix=$host- --prefix="$prefix" --libdir=lib \
       no-shared no-tests no-module no-legacy no-engine no-dso no-dynamic-engine no-autoload-config \
       no-idea no-camellia no-seed no-bf no-cast no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 no-whirlpool \
       no-aria no-sm2 no-sm3 no-sm4 no-gost no-srp no-ts no-cms no-cmp no-ct no-rfc3779 no-srtp \
       no-sctp no-ssl3 no-weak-ssl-ciphers no-ui-console no-capieng no-padlockeng no-afalgeng \
     && make -j"$jobs" build_libs && make install_dev)
}

build_cmocka() {
  unpack cmocka
  cmake -S "$work/src/cmocka" -B "$work/build/cmocka" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" -DRTCSHIM_MINGW_PREFIX="$prefix" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
  ninja -C "$work/build/cmocka" -j"$jobs" install
}

build_xml2() {
  unpack xml2
  # Only the library, its headers and its .pc (whose Cflags carry -DLIBXML_STATIC):
  # PIDF and watcherinfo are UTF-8 XML read from memory, so no iconv, zlib, lzma, HTTP,
  # FTP or loadable modules; the programs (xmllint, xmlcatalog) are not built.
  dir="$work/src/xml2"
  # shellcheck disable=SC2086
  (cd "$dir" && env $cross_env CFLAGS="$cflags" ./configure --host=$host --prefix="$prefix" --libdir="$prefix/lib" \
       --enable-static --disable-shared --without-python --without-lzma --without-zlib --without-iconv \
       --without-icu --without-http --without-ftp --without-modules --without-debug \
     && make -j"$jobs" libxml2.la && make install-libLTLIBRARIES install-pkgconfigDATA && make -C include install)
}

build_gnet() {
  unpack gnet
  meson_cross "$work/src/gnet" "$work/build/gnet" \
    -Dgnutls=disabled -Dopenssl=enabled -Dlibproxy=disabled -Dgnome_proxy=disabled \
    -Denvironment_proxy=disabled -Dinstalled_tests=false
}

rm -f "$prefix/.step-sources"     # always checked: a new pin needs its source
step sources fetch_all
step libosip2 build_osip
step libffi build_ffi
step pcre2 build_pcre2
step intl build_intl
step glib build_glib
step openssl build_openssl
step glib-networking build_gnet
step cmocka build_cmocka
step libxml2 build_xml2

{ pins; echo "zlib libz-mingw-w64-dev=$(pkgver libz-mingw-w64-dev) (binary package)";
  echo "toolchain gcc-mingw-w64-x86-64-win32=$(pkgver gcc-mingw-w64-x86-64-win32)"; } >"$prefix/VERSIONS"
rm -rf "$work"
say "chain built in $(( $(date +%s) - started )) s: $prefix ($(du -sh "$prefix" | cut -f1))"
touch "$prefix/.complete"
echo "$prefix"
