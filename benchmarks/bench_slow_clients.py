#!/usr/bin/env python3
"""Issue 17's slow-client and flood figures: a release `order-api` with its default time-outs and
limits, attacked in turn by 10,000 half-open connections (slowloris), 50,000 connections opened and
dropped, and a reader of 1 byte a second, while a shopper keeps calling `GET /healthz` every 20 ms
and `POST /order` every 100 ms on connections opened before the attack
(`Tests/python/system/slow_clients.py`, shared with the tests)."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Tests" / "python" / "system"))

from slow_clients import attack_all  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=str(HERE.parent / ".build" / "release"), help="folder holding order-api")
    parser.add_argument("--slowloris", type=int, default=10_000)
    parser.add_argument("--hold", type=float, default=15, help="seconds the half-open connections are held")
    parser.add_argument("--flood", type=int, default=50_000)
    parser.add_argument("--json")
    parser.add_argument("args", nargs="*", help="extra order-api serve flags")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as root:
        results = attack_all(Path(args.bin), Path(root), args.slowloris, args.hold, args.flood, args.args)
    print("| attack | size | healthz p50 / p99 / max | healthz failures | orders acknowledged / failed / lost | open after | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        size = {"slowloris": f"{r.get('connections')} held {r.get('hold_s')} s: {r['refused_at_limit']} closed at once at a limit, "
                             f"{r['cut_at_header_timeout']} cut at the header time-out, {r.get('still_open_after_hold')} still open",
                "flood": f"{r.get('connections')} in {r.get('seconds')} s ({r.get('connect_errors')} connect errors)",
                "slow reader": f"{r.get('requests_pipelined')} pipelined, cut after {r.get('server_closed_after_s')} s"}[r["attack"]]
        print(f"| {r['attack']} | {size} | {r['healthz_p50_ms']} / {r['healthz_p99_ms']} / {r['healthz_max_ms']} ms | {r['healthz_failures']} "
              f"| {r['orders_acknowledged']} / {r['order_failures']} / {r['lost_orders']} | {r['open_connections_after']} | {r['peak_rss_mb']} MB |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
