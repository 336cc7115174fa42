#!/usr/bin/env bash
# Builds the storefront binary of a reference revision (default: main) in its own worktree, for
# checking that an optimised build writes exactly the same output tree.
# Usage: benchmarks/build-baseline.sh [REV]   -> prints the binary's path
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-main}"
dir="${BASELINE_DIR:-/tmp/storefront-baseline}"
export PATH="/opt/swift/usr/bin:$PATH"
commit="$(git rev-parse "$rev")"
if [ ! -d "$dir" ]; then
  git worktree add --detach "$dir" "$commit" >&2
else
  git -C "$dir" checkout -q --detach "$commit" >&2
fi
(cd "$dir" && swift build -c release --product storefront >&2)
echo "$dir/.build/release/storefront"
