#!/usr/bin/env bash
# Runs `swift test --skip-build` (extra arguments are passed on) with a limit on the whole run:
# SWIFT_TEST_LIMIT seconds, 900 by default. Every suite also has a 2-minute `.timeLimit`, which
# fails a hung test under its own name; this limit is the backstop. The run gets a process group
# of its own, and on expiry the whole group is killed, the test binaries that `swift test` started
# included, so nothing outlives the run.
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${SWIFT_TEST_LIMIT:-900}
setsid "${SWIFT:-swift}" test --skip-build "$@" &
run=$!
(
  sleep "$limit"
  echo "swift test ran past ${limit} s: stopping it and its test processes" >&2
  # Where each thread of a hung test binary is waiting, for the log (when gdb is installed).
  if command -v gdb >/dev/null; then
    for pid in $(pgrep -f "$PWD/.build/.*PackageTests"); do
      gdb -p "$pid" -batch -ex "thread apply all bt 12" >&2 2>/dev/null || true
    done
  fi
  kill -KILL -- "-$run" 2>/dev/null
  pkill -KILL -f "$PWD/.build/.*PackageTests" 2>/dev/null
) &
watchdog=$!
wait "$run"
status=$?
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null
# A test binary left behind by a crashed `swift test` must not outlive the run either.
pkill -KILL -f "$PWD/.build/.*PackageTests" 2>/dev/null
exit "$status"
