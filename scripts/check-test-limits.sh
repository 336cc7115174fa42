#!/usr/bin/env bash
# Every Swift test suite carries a time limit, so a hung test fails on its own and names itself
# instead of eating CI's time. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(grep -rn --include='*.swift' '@Suite' Tests | grep -v '\.timeLimit(' || true)
if [ -n "$missing" ]; then
  echo "these test suites have no .timeLimit trait:" >&2
  echo "$missing" >&2
  exit 1
fi
free=$(grep -rln --include='*.swift' '@Test' Tests | xargs grep -L '@Suite' || true)
if [ -n "$free" ]; then
  echo "these files have tests outside a suite (put them in one with a .timeLimit):" >&2
  echo "$free" >&2
  exit 1
fi
