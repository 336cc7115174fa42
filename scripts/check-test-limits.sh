#!/usr/bin/env bash
# Every Swift test suite carries a time limit, so a hung test fails on its own and names itself
# instead of eating CI's time. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib, re, sys

problems = []
files = {path: path.read_text(encoding="utf-8") for path in sorted(pathlib.Path("Tests").rglob("*.swift"))}
# Suites declared with a time limit; an extension of one (in another file) inherits its traits.
limited = set()
for text in files.values():
    for match in re.finditer(r"@Suite\b(.*?)\b(?:struct|class|enum|actor)\s+(\w+)", text, re.S):
        if ".timeLimit(" in match.group(1):
            limited.add(match.group(2))
for path in files:
    text = files[path]
    # An @Suite attribute runs up to the declaration it is attached to (it may span lines).
    for match in re.finditer(r"@Suite\b(.*?)\b(?:struct|class|enum|actor|extension)\b", text, re.S):
        if ".timeLimit(" not in match.group(1):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{path}:{line}: this suite has no .timeLimit trait")
    extended = re.findall(r"^extension\s+(\w+)", text, re.M)
    if "@Test" in text and "@Suite" not in text and not any(name in limited for name in extended):
        problems.append(f"{path}: tests outside a suite (put them in one with a .timeLimit)")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
