#!/usr/bin/env bash
# Runs the test suites back to back and counts failures: FLAKY_SWIFT_RUNS runs (30) of
# `swift test --skip-build` and FLAKY_PYTEST_RUNS runs (5) of `python3 -m pytest -q Tests/python`.
# Logs of failed runs are kept in test-output/flaky/. Exits 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
swift_runs=${FLAKY_SWIFT_RUNS:-30}
pytest_runs=${FLAKY_PYTEST_RUNS:-5}
logs=test-output/flaky
mkdir -p "$logs"
swift_failed=0
pytest_failed=0
for run in $(seq 1 "$swift_runs"); do
  started=$(date +%s)
  if scripts/swift-test.sh > "$logs/swift-$run.log" 2>&1; then
    rm -f "$logs/swift-$run.log"
    outcome=passed
  else
    swift_failed=$((swift_failed + 1))
    outcome="FAILED (test-output/flaky/swift-$run.log)"
  fi
  echo "swift test run $run/$swift_runs: $outcome in $(( $(date +%s) - started )) s"
done
for run in $(seq 1 "$pytest_runs"); do
  started=$(date +%s)
  if python3 -m pytest -q Tests/python > "$logs/pytest-$run.log" 2>&1; then
    rm -f "$logs/pytest-$run.log"
    outcome=passed
  else
    pytest_failed=$((pytest_failed + 1))
    outcome="FAILED (test-output/flaky/pytest-$run.log)"
  fi
  echo "pytest run $run/$pytest_runs: $outcome in $(( $(date +%s) - started )) s"
done
echo "swift test: $((swift_runs - swift_failed)) passed, $swift_failed failed"
echo "pytest: $((pytest_runs - pytest_failed)) passed, $pytest_failed failed"
[ "$swift_failed" -eq 0 ] && [ "$pytest_failed" -eq 0 ]
