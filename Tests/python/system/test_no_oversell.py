"""No oversell against the real order-api process: 200 concurrent buyers for the last 10 units, and a
mix of orders, cancellations, payments, refunds and expiries checked for stock conservation."""
from __future__ import annotations

import http.client
import json
import random
import threading
import time

from orderapi import (ApiServer, admin_headers, database_facts, order_body, readonly, request, send, stock_problems,
                      write_shop)


def test_200_buyers_for_the_last_10_units(bin_dir, tmp_path, output_dir):
    products = {"LAST-10": (990, 10), "PLENTY": (100, 1000)}
    write_shop(tmp_path, products)
    with ApiServer(bin_dir, tmp_path) as server:
        barrier = threading.Barrier(200)
        statuses: list[int] = []
        lock = threading.Lock()

        def buyer(index: int):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            connection.connect()
            body = order_body([("LAST-10", 1)], email=f"buyer{index}@example.com")
            barrier.wait()
            status, _, _ = send(connection, "POST", "/order", body)
            connection.close()
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=buyer, args=(index,)) for index in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(statuses) == 200
        assert statuses.count(201) == 10, sorted(set(statuses))
        assert statuses.count(409) == 190
        facts = database_facts(server.db)
        assert facts.stock["LAST-10"][:3] == (0, 10, 0)
        assert len(facts.orders) == 10
        assert not stock_problems(facts, {sku: units for sku, (_, units) in products.items()})
        # The 11th buyer, later, is refused too.
        status, _, body = request("POST", server.base + "/order", order_body([("LAST-10", 1)]))
        assert status == 409 and json.loads(body)["error"]["code"] == "cart_changed"


def test_stock_is_conserved_through_cancellations_payments_refunds_and_expiries(bin_dir, tmp_path, output_dir):
    products = {"SCARCE": (500, 25), "RARE": (800, 12)}
    initial = {sku: units for sku, (_, units) in products.items()}
    write_shop(tmp_path, products)
    env = {"ORDER_EXPIRY_CREDIT_CARD": "1", "ORDER_EXPIRY_ATM": "2", "ORDER_API_EXPIRY_SWEEP_INTERVAL": "1"}
    stop = threading.Event()
    counts = {"placed": 0, "refused": 0, "admin_changes": 0, "checks": 0, "lookups": 0}
    problems: list[str] = []
    ids: list[tuple[str, str]] = []  # (order id, e-mail)
    lock = threading.Lock()

    with ApiServer(bin_dir, tmp_path, env=env) as server:
        def buyer(seed: int):
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not stop.is_set():
                email = f"b{seed}-{rng.randrange(10**9)}@example.com"
                items = [(sku, rng.randint(1, 3)) for sku in rng.sample(sorted(products), rng.randint(1, 2))]
                method = rng.choice(["credit_card", "atm", "cash_on_delivery"])
                status, _, body = send(connection, "POST", "/order", order_body(items, email=email, method=method))
                with lock:
                    if status == 201:
                        counts["placed"] += 1
                        ids.append((json.loads(body)["order"]["id"], email))
                    elif status == 409:
                        counts["refused"] += 1
                    else:
                        problems.append(f"POST /order {status} {body[:200]!r}")
                if rng.random() < 0.3 and ids:
                    with lock:
                        order_id, contact = rng.choice(ids)
                    status, _, _ = send(connection, "GET", f"/order?id={order_id}&contact={contact}")
                    with lock:
                        counts["lookups"] += 1
                        if status != 200:
                            problems.append(f"GET /order {status}")
                time.sleep(rng.uniform(0, 0.02))

        def owner():
            rng = random.Random(99)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not stop.is_set():
                with lock:
                    choice = rng.choice(ids) if ids else None
                if choice:
                    target = rng.choice(["cancelled", "paid", "paid", "refunded", "shipped"])
                    status, _, body = send(connection, "POST", f"/admin/orders/{choice[0]}/status", {"status": target}, admin_headers())
                    with lock:
                        if status == 200:
                            counts["admin_changes"] += 1
                        elif status != 409:  # 409: illegal from the current state, or no stock to honour a late payment
                            problems.append(f"status change {status} {body[:200]!r}")
                time.sleep(rng.uniform(0, 0.03))

        def checker():
            while not stop.is_set():
                facts = database_facts(server.db)
                found = stock_problems(facts, initial)
                with lock:
                    counts["checks"] += 1
                    problems.extend(found)
                status, _, body = request("GET", server.base + "/admin/products", headers=admin_headers())
                for product in json.loads(body)["products"]:
                    stock = product["stock"]
                    if stock["available"] + stock["reserved"] + stock["sold"] != initial[product["sku"]]:
                        with lock:
                            problems.append(f"API stock {product['sku']} {stock}")
                time.sleep(0.05)

        threads = [threading.Thread(target=buyer, args=(seed,)) for seed in range(6)]
        threads += [threading.Thread(target=owner), threading.Thread(target=checker)]
        for thread in threads:
            thread.start()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not problems, problems[:5]
        # Let every unpaid online order run out, then everything it held must be back on sale.
        time.sleep(3.5)
        facts = database_facts(server.db)
        assert not stock_problems(facts, initial)
        leftover = [o for o in facts.orders.values() if o["status"] == "created"]
        with_reservation = sum(q for o in leftover for _, q, _, _ in o["lines"])
        assert sum(level[1] for level in facts.stock.values()) == with_reservation
        with readonly(server.db) as connection:
            methods = dict(connection.execute("SELECT id, payment_method FROM orders").fetchall())
        # Only cash-on-delivery orders (which never expire) may still hold stock unpaid.
        assert all(methods[order_id] == "cash_on_delivery" for order_id, o in facts.orders.items() if o["status"] == "created")
        assert facts.statuses.get("expired", 0) > 0 and counts["admin_changes"] > 10 and counts["checks"] > 20, (facts.statuses, counts)
    (output_dir / "stock-conservation.json").write_text(json.dumps({**counts, "final_statuses": facts.statuses}, indent=2))

