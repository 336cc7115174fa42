#!/usr/bin/env python3
"""Crash harness on PostgreSQL with bigger numbers than Tests/python/system/test_postgres_crash.py
(the same code: Tests/python/system/pg_crash.py).

Usage: pg_crash.py [--bin DIR] [--kills 12] [--database-crashes 4] [--clients 12] [--pool 4] [--seed 1] [--json OUT]

A throwaway PostgreSQL cluster (scripts/pg-cluster.sh), two order-api instances from DIR (default
$STOREFRONT_BIN or .build/debug) on it, --clients shoppers placing orders with Idempotency-Keys
over both; --kills SIGKILLs of a random instance (restarted at once) and --database-crashes
`pg_ctl stop -m immediate` of PostgreSQL (started again, the instances left running), in a
random order. Prints the figures: acknowledged orders, lost (0), duplicated (0), retries and
replays, 503 database_unavailable answers, the slowest request and the requests that hung while
in flight at a database crash. Exits non-zero on any lost or duplicated order, unbalanced stock,
broken constraint or index, or a hang other than those."""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "Tests" / "python" / "system"))
sys.path.insert(0, str(HERE.parent / "Tests" / "python"))

from pg_crash import Cluster, run_harness  # noqa: E402

STOCK = 10_000_000
PRODUCTS = {"AVO-A": (380, STOCK), "AVO-B": (1290, STOCK), "OIL-C": (450, STOCK), "CHIP-D": (95, STOCK), "TEA-E": (620, STOCK)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.environ.get("STOREFRONT_BIN", str(HERE.parent / ".build" / "debug")))
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--database-crashes", type=int, default=4)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--pool", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pg-crash-"))
    cluster = Cluster()
    started = time.monotonic()
    try:
        figures = run_harness(Path(args.bin) / "order-api", root, cluster, PRODUCTS, kills=args.kills, database_crashes=args.database_crashes,
                              clients=args.clients, seed=args.seed, pool=args.pool, log=print)
    finally:
        cluster.stop()
    figures["wall_seconds"] = round(time.monotonic() - started, 1)
    figures["hung_in_flight_at_database_crash"] = len(figures["hung_in_flight_at_database_crash"])
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
