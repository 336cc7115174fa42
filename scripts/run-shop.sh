#!/usr/bin/env bash
# Builds and runs the example shop locally: the static site on http://127.0.0.1:8080 and the
# order API on http://127.0.0.1:8081 with its SQLite database in ./.data/.
# Environment: SHOP_PORT (8080), API_PORT (8081), ADMIN_TOKEN (generated when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
shop_port="${SHOP_PORT:-8080}"
api_port="${API_PORT:-8081}"
swift build --product storefront --product order-api
bin="$(swift build --show-bin-path)"
"$bin/storefront" build --base-url "http://127.0.0.1:$shop_port" --api-url "http://127.0.0.1:$api_port"
mkdir -p .data
export ADMIN_TOKEN="${ADMIN_TOKEN:-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
"$bin/order-api" --port "$api_port" --content content --site-status site-status.json --db .data/orders.sqlite \
  --storefront-url "http://127.0.0.1:$shop_port" --allowed-origins "http://127.0.0.1:$shop_port" &
api_pid=$!
python3 -m http.server "$shop_port" --bind 127.0.0.1 --directory public >/dev/null 2>&1 &
web_pid=$!
trap 'kill $api_pid $web_pid 2>/dev/null || true' EXIT INT TERM
echo "shop:        http://127.0.0.1:$shop_port/"
echo "order API:   http://127.0.0.1:$api_port/ (admin token: $ADMIN_TOKEN)"
wait $api_pid
