#!/usr/bin/env bash
# Runs the test suites back to back and counts failures: FLAKY_SWIFT_RUNS runs (30) of
# `swift test --skip-build` and FLAKY_PYTEST_RUNS runs (5) of `python3 -m pytest -q Tests/python`.
# Logs of failed runs are kept in test-output/flaky/. Exits 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=test-output/flaky
mkdir -p "$logs"
summary=()
failures=0

# repeat NAME COUNT COMMAND...: runs COMMAND COUNT times, keeping the logs of failed runs.
repeat() {
  local name=$1 count=$2 failed=0
  shift 2
  for run in $(seq 1 "$count"); do
    local started log="$logs/$name-$run.log" outcome=passed
    started=$(date +%s)
    if "$@" > "$log" 2>&1; then
      rm -f "$log"
    else
      failed=$((failed + 1))
      outcome="FAILED ($log)"
    fi
    echo "$name run $run/$count: $outcome in $(( $(date +%s) - started )) s"
  done
  summary+=("$name: $((count - failed)) passed, $failed failed")
  failures=$((failures + failed))
}

repeat swift "${FLAKY_SWIFT_RUNS:-30}" scripts/swift-test.sh
repeat pytest "${FLAKY_PYTEST_RUNS:-5}" python3 -m pytest -q Tests/python
printf '%s\n' "${summary[@]}"
[ "$failures" -eq 0 ]
