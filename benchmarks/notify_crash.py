#!/usr/bin/env python3
"""Notification outbox under crashes, at scale: --orders orders of mixed payment methods are placed
and moved on (paid, shipped, delivered, cancelled) by the admin API while `order-api` is SIGKILLed
and restarted --kills times at random points; an aiosmtpd server and a webhook receiver with two
endpoints run throughout. Prints a summary for benchmarks/RESULTS.md: events, deliveries, lost
(must be 0), duplicates (deliveries in flight at a kill, sent again with the same Message-ID or
webhook-id after their 120 s lease), wall time.

Usage: benchmarks/notify_crash.py [--orders 1000] [--kills 20] [--seed 1] [--bin .build/debug]
The code is shared with Tests/python/system/test_notification_crash.py (outbox_crash.py there).
Needs the Python packages of Tests/python/requirements.txt (aiosmtpd, standardwebhooks)."""
import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "Tests" / "python" / "system"), str(REPO / "Tests" / "python")]

from outbox_crash import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bin", default=os.environ.get("STOREFRONT_BIN", str(REPO / ".build" / "debug")),
                        help="the folder with order-api (default: $STOREFRONT_BIN or .build/debug)")
    parser.add_argument("--settle-timeout", type=float, default=300, help="seconds after the last restart for every delivery to be sent")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notify-crash-") as tmp:
        summary = run(Path(args.bin), Path(tmp) / "shop", orders=args.orders, kills=args.kills, seed=args.seed,
                      settle_timeout=args.settle_timeout)
    for problem in summary.problems[:20]:
        print("problem:", problem)
    for key in summary.lost[:20]:
        print("lost:", key)
    print(f"RESULT notify_crash orders={summary.orders} kills={summary.kills} events={summary.events} deliveries={summary.deliveries} "
          f"lost={len(summary.lost)} duplicates={summary.duplicates} problems={len(summary.problems)} wall_s={summary.wall_seconds:.1f}")
    return 0 if not summary.lost and not summary.problems else 1


if __name__ == "__main__":
    sys.exit(main())
