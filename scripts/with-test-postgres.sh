#!/usr/bin/env bash
# Runs a command beside one throwaway PostgreSQL 15 cluster, removed afterwards whatever happens.
#
#   scripts/with-test-postgres.sh COMMAND [ARGS...]
#
# Starts a cluster with scripts/pg-cluster.sh in a new folder under /tmp, exports
# STOREFRONT_TEST_PG_DIR (that folder: DIR/url, DIR/socket-url) and STOREFRONT_REQUIRE_POSTGRES=1
# (so a test that cannot reach PostgreSQL fails instead of skipping), runs COMMAND and exits with
# its status. The cluster is stopped and its folder removed on exit, on failure and on
# Ctrl-C/TERM. `make test` runs the Swift tests and pytest inside it: one cluster for the run.
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '4p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -u /tmp/sf-test-pg-XXXXXX)

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  "$here/pg-cluster.sh" stop "$dir" >/dev/null 2>&1 || echo "with-test-postgres: could not stop the cluster in $dir" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/pg-cluster.sh" start "$dir" >/dev/null
echo "with-test-postgres: PostgreSQL for the tests in $dir ($(sed 's#://[^@]*@#://…@#' "$dir/url"))" >&2
export STOREFRONT_TEST_PG_DIR=$dir
export STOREFRONT_REQUIRE_POSTGRES=1
status=0
"$@" || status=$?
exit "$status"
