"""Crash safety: the real order-api under steady order load, killed with SIGKILL at random moments
and restarted. After every restart: every acknowledged order is there with its exact lines and
total, stock is conserved per SKU, PRAGMA integrity_check is ok, and in-flight requests retried
with their Idempotency-Key created no duplicates. Target: 0 lost, 0 duplicated."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest

from load import Ledger, Shopper
from orderapi import ApiServer, database_facts, stock_problems, write_shop

STOCK = 1_000_000
PRODUCTS = {"AVO-A": (380, STOCK), "AVO-B": (1290, STOCK), "OIL-C": (450, STOCK), "CHIP-D": (95, STOCK)}


def verify(server: ApiServer, acked: dict[str, dict], exact: bool) -> dict:
    """Checks the database against the acknowledged orders; with `exact`, no order may exist that
    was not acknowledged (every client has its answer)."""
    facts = database_facts(server.db)
    assert facts.integrity == ["ok"], facts.integrity
    lost = [key for key, ack in acked.items() if ack["id"] not in facts.orders]
    assert not lost, f"{len(lost)} acknowledged orders lost, e.g. {lost[:3]}"
    for key, ack in acked.items():
        stored = facts.orders[ack["id"]]
        assert stored["lines"] == ack["lines"] and stored["total"] == ack["total"], (ack, stored)
        assert facts.keys.get(key) == ack["id"], f"key {key} points to {facts.keys.get(key)}, acknowledged {ack['id']}"
    # Every order was placed with a key, so one key per order and one order per key means no duplicate.
    assert len(facts.keys) == len(facts.orders) == len(set(facts.keys.values())), (len(facts.keys), len(facts.orders))
    problems = stock_problems(facts, {sku: units for sku, (_, units) in PRODUCTS.items()})
    assert not problems, problems
    if exact:
        acked_ids = {ack["id"] for ack in acked.values()}
        assert set(facts.orders) == acked_ids, f"{len(set(facts.orders) - acked_ids)} orders nobody was told about"
    return {"orders": len(facts.orders)}


def run_crash_test(bin_dir, tmp_path, output_dir, kills: int, clients: int, seed: int, name: str):
    rng = random.Random(seed)
    write_shop(tmp_path, PRODUCTS)
    server = ApiServer(bin_dir, tmp_path).start()
    ledger, stop = Ledger(), threading.Event()
    shoppers = [Shopper(server, ledger, seed * 100 + index, stop, PRODUCTS) for index in range(clients)]
    restarts = []
    try:
        for shopper in shoppers:
            shopper.start()
        for _ in range(kills):
            time.sleep(rng.uniform(0.2, 1.5))
            acked_before_kill = ledger.snapshot()
            server.kill()
            started = time.monotonic()
            server.start()
            restarts.append(time.monotonic() - started)
            verify(server, acked_before_kill, exact=False)
        time.sleep(0.5)
        stop.set()
        for shopper in shoppers:
            shopper.join(timeout=60)
            assert not shopper.is_alive(), "a client never got an answer"
        assert not ledger.problems, ledger.problems[:5]
        final = verify(server, ledger.snapshot(), exact=True)
    finally:
        stop.set()
        if server.alive():
            server.process.kill()
            server.process.wait()
    figures = {
        "kills": kills,
        "clients": clients,
        "acknowledged": len(ledger.acked),
        "orders_in_database": final["orders"],
        "lost": 0,
        "duplicated": 0,
        "in_flight_retries": ledger.in_flight_retries,
        "replays_after_crash": ledger.replays_after_crash,
        "restart_seconds_max": round(max(restarts), 3),
        "restart_seconds_mean": round(sum(restarts) / len(restarts), 3),
    }
    (output_dir / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(name, figures)
    assert len(ledger.acked) > kills * 5, "the load was too light to mean anything"
    return figures


def test_crash_safety_sigkill_under_load(bin_dir, tmp_path, output_dir):
    run_crash_test(bin_dir, tmp_path, output_dir, kills=5, clients=6, seed=7, name="crash-safety")


@pytest.mark.soak
def test_crash_safety_soak(bin_dir, tmp_path, output_dir):
    run_crash_test(bin_dir, tmp_path, output_dir, kills=25, clients=8, seed=2024, name="crash-safety-soak")
