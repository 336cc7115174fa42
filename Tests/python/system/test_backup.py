"""Backups and recovery with the real binaries: `order-api backup` under order load, `order-api
restore` refusing while the server runs and refusing bad files, then restoring and serving."""
from __future__ import annotations

import fcntl
import json
import shutil
import sqlite3
import subprocess
import threading
import time

from load import Ledger, Shopper
from orderapi import ApiServer, database_facts, request, state_digest, stock_problems, write_shop

STOCK = 1_000_000
PRODUCTS = {"AVO-A": (380, STOCK), "AVO-B": (1290, STOCK), "OIL-C": (450, STOCK), "CHIP-D": (95, STOCK)}


def order_api(bin_dir, *args, timeout=120):
    return subprocess.run([str(bin_dir / "order-api"), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_backup_under_load_then_restore(bin_dir, tmp_path, output_dir):
    write_shop(tmp_path, PRODUCTS)
    backup = tmp_path / "backups" / "orders-1.sqlite"
    backup.parent.mkdir()
    server = ApiServer(bin_dir, tmp_path).start()
    ledger, stop = Ledger(), threading.Event()
    shoppers = [Shopper(server, ledger, seed, stop, PRODUCTS) for seed in range(6)]
    try:
        for shopper in shoppers:
            shopper.start()
        time.sleep(2)
        acked_before = ledger.snapshot()
        started = time.monotonic()
        result = order_api(bin_dir, "backup", "--to", backup, "--db", server.db)
        backup_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        assert "integrity ok" in result.stdout
        time.sleep(1)
        during = len(ledger.snapshot()) - len(acked_before)
        stop.set()
        for shopper in shoppers:
            shopper.join(timeout=60)
        assert not ledger.problems, ledger.problems[:3]
        assert during > 0, "orders must keep flowing while the backup runs"

        # The backup: sound, every order acknowledged before it started, and a consistent snapshot
        # (stock conserved against exactly the orders it holds).
        facts = database_facts(backup)
        assert facts.integrity == ["ok"]
        missing = [ack["id"] for ack in acked_before.values() if ack["id"] not in facts.orders]
        assert not missing, f"{len(missing)} orders acknowledged before the backup are missing"
        for ack in acked_before.values():
            assert facts.orders[ack["id"]]["lines"] == ack["lines"] and facts.orders[ack["id"]]["total"] == ack["total"]
        assert not stock_problems(facts, {sku: units for sku, (_, units) in PRODUCTS.items()})
        assert not (backup.parent / (backup.name + "-wal")).exists(), "a backup is one self-contained file"

        # Restore refuses while the server has the database open, and changes nothing.
        live_digest = state_digest(server.db)
        refused = order_api(bin_dir, "restore", "--from", backup, "--db", server.db)
        assert refused.returncode != 0 and "stop the server first" in refused.stderr, refused.stderr
        assert state_digest(server.db) == live_digest
        live_orders = len(database_facts(server.db).orders)
    finally:
        stop.set()
        server.stop()

    # Stopped: restore, keeping the replaced database aside, then serve from the restored one.
    started = time.monotonic()
    result = order_api(bin_dir, "restore", "--from", backup, "--db", server.db)
    restore_seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    kept = [path for path in server.db.parent.glob("orders.sqlite.before-restore-*") if not path.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and len(database_facts(kept[0]).orders) == live_orders, "the replaced database is kept whole"
    started = time.monotonic()
    server.start()
    start_seconds = time.monotonic() - started
    try:
        status, _, body = request("GET", server.base + "/readyz")
        assert status == 200, body
        restored = database_facts(server.db)
        assert restored.integrity == ["ok"] and set(restored.orders) == set(facts.orders)
        sample = next(iter(acked_before.values()))
        status, _, body = request("GET", server.base + f"/order?id={sample['id']}&contact={sample['email']}")
        assert status == 200 and json.loads(body)["order"]["totalMinor"] == sample["total"]
    finally:
        server.stop()
    figures = {"orders_in_backup": len(facts.orders), "acknowledged_before_backup": len(acked_before),
               "orders_during_backup_window": during, "backup_bytes": backup.stat().st_size,
               "backup_seconds": round(backup_seconds, 3), "restore_seconds": round(restore_seconds, 3),
               "restart_seconds": round(start_seconds, 3)}
    (output_dir / "backup-restore.json").write_text(json.dumps(figures, indent=2))
    print("backup-restore", figures)


def test_restore_refuses_damaged_and_foreign_files(bin_dir, tmp_path):
    write_shop(tmp_path)
    server = ApiServer(bin_dir, tmp_path)
    with server:
        request("POST", server.base + "/order", {"items": [{"sku": "AVO-A", "quantity": 1}],
                                                 "customer": {"name": "n", "email": "a@example.com", "phone": "0912345678"},
                                                 "shipping": {"city": "c", "address": "a"}, "paymentMethod": "cash_on_delivery"})
        good = tmp_path / "good.sqlite"
        assert order_api(bin_dir, "backup", "--to", good, "--db", server.db).returncode == 0
        again = order_api(bin_dir, "backup", "--to", good, "--db", server.db)
        assert again.returncode != 0 and "already exists" in again.stderr
    digest = state_digest(server.db)

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    newer = tmp_path / "newer.sqlite"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
    broken_stock = tmp_path / "broken-stock.sqlite"
    shutil.copy(good, broken_stock)
    with sqlite3.connect(broken_stock) as connection:
        connection.execute("UPDATE stock SET available = available + 5 WHERE sku = 'AVO-A'")
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")

    for path, reason in [(garbage, "not"), (truncated, ""), (newer, "newer order-api"), (broken_stock, "received = available"),
                         (foreign, "not an order-api database"), (tmp_path / "absent.sqlite", "no backup file")]:
        result = order_api(bin_dir, "restore", "--from", path, "--db", server.db)
        assert result.returncode != 0, (path.name, result.stdout)
        assert reason in result.stderr, (path.name, result.stderr)
        assert state_digest(server.db) == digest, path.name
        assert not list(server.db.parent.glob("*.before-restore-*")), path.name
        assert not list(server.db.parent.glob(".*tmp-*")), "no temporary file is left behind"


def test_server_will_not_start_while_a_restore_holds_the_database(bin_dir, tmp_path):
    write_shop(tmp_path)
    server = ApiServer(bin_dir, tmp_path)
    server.db.parent.mkdir(parents=True)
    with open(str(server.db) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            server.start(timeout=10)
            raise AssertionError("order-api started on a database being restored")
        except RuntimeError as error:
            assert "being restored" in str(error)
