"""The PostgreSQL fixtures themselves: a fresh database per test, dropped afterwards, and a private
cluster a fault test can crash and start again without losing committed rows."""
from __future__ import annotations

import subprocess

import pytest


def test_each_test_gets_a_fresh_database_that_is_dropped(pg_cluster, pg_database):
    name = pg_database.rsplit("/", 1)[1].split("?", 1)[0]
    assert pg_cluster.psql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "1"
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database=name) == "0"
    # The URL is the TCP one order-api takes, with the cluster's password.
    out = subprocess.run(["psql", pg_database.replace("postgres://", "postgresql://"), "-XAtc", "SELECT current_database()"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == name, out.stderr
    other = pg_cluster.create_database()
    pg_cluster.drop_database(other)
    assert pg_cluster.psql(f"SELECT count(*) FROM pg_database WHERE datname = '{other}'") == "0"


def test_a_private_cluster_survives_a_crash_and_restart(private_pg_cluster):
    cluster = private_pg_cluster
    cluster.psql("CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)", database="shop")
    cluster.stop_immediate()
    with pytest.raises(RuntimeError):
        cluster.psql("SELECT 1")
    cluster.start_again()
    assert cluster.psql("SELECT sum(n) FROM t", database="shop") == "3"
