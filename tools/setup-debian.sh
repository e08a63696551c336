#!/bin/sh
# Installs every Debian 12 package that building, testing and the demos need.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -eu

PACKAGES="
  build-essential cmake pkg-config python3 git
  libglib2.0-dev glib-networking libosip2-dev libcmocka-dev libxml2-dev
  libwine-dev wine64-tools mingw-w64-common
  valgrind clang libclang-rt-14-dev
  sip-tester baresip linphone-cli kamailio kamailio-presence-modules tshark
  iproute2 util-linux tmux openssl nftables dnsmasq-base
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 libz-mingw-w64-dev meson ninja-build wine64
"

missing=""
for pkg in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done

if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
