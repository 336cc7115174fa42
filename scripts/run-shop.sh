#!/usr/bin/env bash
# Builds and runs the example shop locally with `storefront serve`: the site, the order API
# (under /api) and the payment sandbox (under /sandbox) on http://127.0.0.1:8080, with its
# SQLite database in ./.data/. It rebuilds and live-reloads pages when content/, themes/ or
# site-status.json change.
# Environment: SHOP_PORT (8080), ADMIN_TOKEN (a fresh one is printed when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build --product storefront
exec "$(swift build --show-bin-path)/storefront" serve --port "${SHOP_PORT:-8080}"
