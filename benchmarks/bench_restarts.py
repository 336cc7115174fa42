#!/usr/bin/env python3
"""Issue 17's restart benchmark: see `Tests/python/system/restarts.py` for the method. Prints the
failed requests, the lost orders and the worst latencies while the API is restarted N times."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Tests" / "python" / "system"))

from restarts import run_restarts  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=str(HERE.parent / ".build" / "release"))
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds of load between restarts")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections polling GET /order")
    parser.add_argument("--placers", type=int, default=4, help="clients placing orders one after another")
    parser.add_argument("--json")
    args = parser.parse_args()
    report = run_restarts(Path(args.bin), args.restarts, args.interval, args.connections, args.placers)
    polling, placing = report["get_order"], report["post_order"]
    print("| route | requests | failed | p99 | worst |")
    print("|---|---|---|---|---|")
    print(f"| GET /order (wrk, {args.connections} connections) | {polling['requests']} | {polling['errors']} "
          f"| {polling['p99_ms']:.1f} ms | {polling['max_ms']:.1f} ms |")
    print(f"| POST /order ({args.placers} clients) | {placing['acknowledged']} acknowledged | {placing['failures']} "
          f"| {placing['p99_ms']} ms | {placing['max_ms']} ms |")
    print(f"\n{report['restarts']} restarts; longest stop-and-start {report['restart_ms_max']} ms; "
          f"lost orders {report['lost_orders']}; exit codes {sorted(set(report['exit_codes']))}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
