#!/usr/bin/env bash
# Every Swift test suite carries a time limit, so a hung test fails on its own and names itself
# instead of eating CI's time. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib, re, sys

problems = []
for path in sorted(pathlib.Path("Tests").rglob("*.swift")):
    text = path.read_text(encoding="utf-8")
    # An @Suite attribute runs up to the declaration it is attached to (it may span lines).
    for match in re.finditer(r"@Suite\b(.*?)\b(?:struct|class|enum|actor|extension)\b", text, re.S):
        if ".timeLimit(" not in match.group(1):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{path}:{line}: this suite has no .timeLimit trait")
    if "@Test" in text and "@Suite" not in text:
        problems.append(f"{path}: tests outside a suite (put them in one with a .timeLimit)")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
