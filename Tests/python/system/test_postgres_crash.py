"""Crash safety on PostgreSQL with two order-api instances on one database (pg_crash.py): SIGKILLs
of either instance under order load (restarted), and PostgreSQL itself stopped with
`pg_ctl stop -m immediate` and started again while the instances keep running. Meanwhile no
request hangs (503 database_unavailable within 6 s, /readyz 503); afterwards orders succeed again
without restarting the instances. At the end every acknowledged order is there exactly once with
its lines and total, retried keys made no second order, stock is conserved and reserved equals
what the open orders hold, constraints and indexes are intact. Target: 0 lost, 0 duplicated."""
from __future__ import annotations

import json
import os

import pytest

from pg_crash import Cluster, PostgresMissing, run_harness

STOCK = 1_000_000
PRODUCTS = {"AVO-A": (380, STOCK), "AVO-B": (1290, STOCK), "OIL-C": (450, STOCK), "CHIP-D": (95, STOCK)}


@pytest.fixture
def cluster():
    try:
        cluster = Cluster()
    except PostgresMissing as missing:
        if os.environ.get("STOREFRONT_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL 15 is not available: {missing}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.timeout(480)
def test_postgres_two_instances_sigkill_and_database_crash(bin_dir, tmp_path, output_dir, cluster):
    figures = run_harness(bin_dir / "order-api", tmp_path, cluster, PRODUCTS, kills=4, database_crashes=2, clients=6, seed=11, log=print)
    (output_dir / "postgres-crash.json").write_text(json.dumps(figures, indent=2))
    print("postgres-crash", figures)
    assert figures["database_unavailable_answers"] > 0, "the shoppers never met the database outage"
    assert figures["acknowledged"] > 100, "the load was too light to mean anything"
    # A request in flight when PostgreSQL dies answers within PostgresPool's deadline too.
    assert not figures["hung_in_flight_at_database_crash"], figures["hung_in_flight_at_database_crash"][:3]
