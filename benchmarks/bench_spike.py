#!/usr/bin/env python3
"""Issue 17's spike benchmark: see `Tests/python/system/spike.py` for the traffic and the method."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Tests" / "python" / "system"))

from spike import run_spike  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=str(HERE.parent / ".build" / "release"))
    parser.add_argument("--baseline", type=float, default=20)
    parser.add_argument("--ramp", type=float, default=10)
    parser.add_argument("--hold", type=float, default=30)
    parser.add_argument("--after", type=float, default=30)
    parser.add_argument("--workers", type=int, default=96)
    parser.add_argument("--shared-address", action="store_true", help="every shopper behind one address, with --order-lookup-limit 30")
    parser.add_argument("--json")
    args = parser.parse_args()
    report = run_spike(Path(args.bin), args.baseline, args.ramp, args.hold, args.after, args.workers, shared_address=args.shared_address)
    print("| route | phase | requests | rate/s | p50 | p99 | p99.9 | 429 | errors (5xx, broken) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for e in report["phases"].values():
        print(f"| {e['route']} | {e['phase']} | {e['requests']} | {e['rate']} | {e['p50_ms']} ms | {e['p99_ms']} ms | {e['p999_ms']} ms "
              f"| {e['rate_limited']} | {e['errors']} |")
    print(f"\nbaseline p99 {report['baseline_p99_ms']} ms; back within 1.5x of it {report['recovered_after_s']} s after the spike; "
          f"errors {report['errors']}; server alive {report['server_alive']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
