"""Steady order load for the system tests: client threads placing orders with Idempotency-Keys,
resending a request whose connection died with the same key and body, and keeping every
acknowledged answer."""
from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid

from orderapi import DEFAULT_PRODUCTS, ApiServer, expected_total, order_body, random_items, send


class Ledger:
    """What the clients were told: every acknowledged order by Idempotency-Key."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: dict[str, dict] = {}
        self.in_flight_retries = 0  # requests resent after the connection died under them
        self.replays_after_crash = 0  # of those, answered as replays: committed before the kill
        self.problems: list[str] = []

    def snapshot(self) -> dict[str, dict]:
        with self.lock:
            return dict(self.acked)


class Shopper(threading.Thread):
    """Places orders back to back; a request whose connection dies is resent with the same key and body."""

    def __init__(self, server: ApiServer, ledger: Ledger, seed: int, stop: threading.Event, products=DEFAULT_PRODUCTS):
        super().__init__(daemon=True)
        self.server, self.ledger, self.rng, self.stop, self.products = server, ledger, random.Random(seed), stop, products
        self.connection: http.client.HTTPConnection | None = None

    def run(self):
        while not self.stop.is_set():
            items = random_items(self.rng, self.products)
            self.place(items, order_body(items), str(uuid.uuid4()))

    def place(self, items, body, key):
        attempts = 0
        while True:
            attempts += 1
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15)
                status, headers, data = send(self.connection, "POST", "/order", body, {"Idempotency-Key": key})
            except (OSError, http.client.HTTPException):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                if attempts == 1:
                    with self.ledger.lock:
                        self.ledger.in_flight_retries += 1
                time.sleep(0.02)
                continue
            if status != 201:
                with self.ledger.lock:
                    self.ledger.problems.append(f"POST /order answered {status}: {data[:200]!r}")
                return
            order = json.loads(data)["order"]
            record = {
                "id": order["id"],
                "total": order["totalMinor"],
                "lines": [(l["sku"], l["quantity"], l["unitPriceMinor"], l["lineTotalMinor"]) for l in order["lines"]],
                "email": body["customer"]["email"],
                "at": time.monotonic(),
            }
            with self.ledger.lock:
                if record["total"] != expected_total(items, self.products):
                    self.ledger.problems.append(f"order {order['id']} total {record['total']} != {expected_total(items, self.products)}")
                if attempts > 1 and headers.get("idempotent-replayed") == "true":
                    self.ledger.replays_after_crash += 1
                previous = self.ledger.acked.get(key)
                if previous and previous["id"] != record["id"]:
                    self.ledger.problems.append(f"key {key} acknowledged as {previous['id']} and {record['id']}")
                self.ledger.acked[key] = record
            return
