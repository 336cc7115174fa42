"""`order-api migrate-store` with the real binary: a shop's SQLite file, filled by a real server,
copied into a fresh PostgreSQL database; every table's rows counted on both sides, the stock
invariant on the copy, a second run refused, and the password never printed."""
from __future__ import annotations

import sqlite3
import subprocess

from orderapi import ApiServer, order_body, request, write_shop

TABLES = ["orders", "order_lines", "stock", "order_events", "idempotency_keys", "payment_attempts", "payment_notifications",
          "payment_events_seen", "outbox_events", "deliveries", "webhook_endpoints", "admin_auth_failures"]


def order_api(bin_dir, *args, timeout=120):
    return subprocess.run([str(bin_dir / "order-api"), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_migrate_store_copies_a_real_shop(bin_dir, tmp_path, pg_cluster, pg_database):
    write_shop(tmp_path)
    with ApiServer(bin_dir, tmp_path) as server:
        for index in range(12):
            status, _, _ = request("POST", server.base + "/order", order_body([("AVO-A", 1), ("CHIP-D", index % 3 + 1)]),
                                   headers={"Idempotency-Key": f"key-{index}"})
            assert status == 201
    with sqlite3.connect(server.db) as connection:
        expected = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    assert expected["orders"] == 12 and expected["idempotency_keys"] == 12 and expected["stock"] == 4

    result = order_api(bin_dir, "migrate-store", "--from", server.db, "--to", pg_database)
    assert result.returncode == 0, result.stderr
    assert f"{len(TABLES)} tables, {sum(expected.values())} rows" in result.stdout
    assert "orders" in result.stdout and "counts and stock checked" in result.stdout
    assert ":storefront@" not in result.stdout + result.stderr, "the password is never printed"

    database = pg_database.rsplit("/", 1)[1].split("?", 1)[0]
    copied = {table: int(pg_cluster.psql(f"SELECT count(*) FROM {table}", database=database)) for table in TABLES}
    assert copied == expected
    assert pg_cluster.psql("SELECT count(*) FROM stock WHERE received != available + reserved + sold OR available < 0", database=database) == "0"
    reserved = pg_cluster.psql("SELECT reserved FROM stock WHERE sku = 'AVO-A'", database=database)
    assert reserved == "12"

    # A second run finds the target full and changes nothing; the target can come from ORDER_API_DB.
    again = subprocess.run([str(bin_dir / "order-api"), "migrate-store", "--from", str(server.db)], capture_output=True, text=True,
                           timeout=120, env={"ORDER_API_DB": pg_database, "PATH": "/usr/bin:/bin"})
    assert again.returncode != 0
    assert "is not empty" in again.stderr, again.stderr
    assert ":storefront@" not in again.stdout + again.stderr
    assert {table: int(pg_cluster.psql(f"SELECT count(*) FROM {table}", database=database)) for table in TABLES} == expected

    # A bad target is a usage error naming the setting, without the password.
    bad = order_api(bin_dir, "migrate-store", "--from", server.db, "--to", "mysql://root:hunter2@db/shop")
    assert bad.returncode != 0 and "--to" in bad.stderr and "hunter2" not in bad.stderr
