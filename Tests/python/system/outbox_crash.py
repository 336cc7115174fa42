"""The outbox under crashes, shared by `test_notification_crash.py` (small) and
`benchmarks/notify_crash.py` (large): orders of mixed payment methods are placed and moved on by the
admin API while `order-api` is SIGKILLed and restarted at random points; an SMTP server and a webhook
receiver with two endpoints run throughout. Afterwards every delivery of every outbox event must be
`sent`, every (event, destination) must have arrived at least once, and a duplicate (a delivery in
flight at a kill, sent again after its 120 s lease ran out) must carry the same Message-ID or
webhook-id and the same content."""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from notify_support import (
    MAIL_DOMAIN, ApiServer, SmtpServer, WebhookReceiver, add_webhook, api_json, mail_env, write_notify_shop,
)
from orderapi import order_body, random_items, readonly

# What the admin does with an order after it is placed, by payment method: (status, tracking?) steps.
PLANS = {
    "cash_on_delivery": [[("shipped", True), ("delivered", False)], [("cancelled", False)], [("shipped", True)]],
    "atm": [[("paid", False), ("shipped", True)], [("cancelled", False)], [("paid", False)]],
    "credit_card": [[("paid", False), ("shipped", True), ("delivered", False)], [("cancelled", False)]],
}
STATUS_EVENT = {"paid": "order.paid", "shipped": "order.shipped", "delivered": "order.delivered", "cancelled": "order.cancelled"}
ENDPOINT_PATHS = ("/hook-a", "/hook-b")
LEASE_SECONDS = 120


@dataclass
class Summary:
    orders: int = 0
    kills: int = 0
    events: int = 0
    deliveries: int = 0
    emails_received: int = 0
    webhooks_received: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    settle_seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"orders {self.orders}, kills {self.kills}, events {self.events}, deliveries {self.deliveries}",
            f"received: {self.emails_received} e-mails, {self.webhooks_received} webhook posts",
            f"lost {len(self.lost)}, duplicates {self.duplicates}, other problems {len(self.problems)}",
            f"wall time {self.wall_seconds:.1f} s (settling after the last restart {self.settle_seconds:.1f} s)",
        ]


def plan_operations(rng: random.Random, orders: int) -> list[tuple]:
    """("place", i, method) and ("status", i, status, tracking) in a random interleaving that keeps
    each order's own steps in order."""
    methods = [rng.choice(sorted(PLANS)) for _ in range(orders)]
    steps = {i: list(rng.choice(PLANS[methods[i]])) for i in range(orders)}
    operations, placed, next_order = [], [], 0
    while next_order < orders or any(steps[i] for i in placed):
        movable = [i for i in placed if steps[i]]
        if next_order < orders and (not movable or rng.random() < 0.5):
            operations.append(("place", next_order, methods[next_order]))
            placed.append(next_order)
            next_order += 1
        else:
            i = rng.choice(movable)
            status, tracked = steps[i].pop(0)
            operations.append(("status", i, status, f"TRK{i:06d}" if tracked else None))
    return operations


def outbox(db: Path) -> tuple[dict[str, dict], list[dict]]:
    """(events by id, deliveries) read from the SQLite file in one snapshot, read-only."""
    with readonly(db) as connection:
        connection.execute("BEGIN")
        events = {row["id"]: dict(row) for row in connection.execute("SELECT seq, id, type, order_id FROM outbox_events")}
        rows = [dict(row) for row in connection.execute(
            "SELECT d.id, d.channel, d.destination, d.template, d.status, d.attempts, e.id AS event_id, e.type AS event_type "
            "FROM deliveries d JOIN outbox_events e ON e.seq = d.event_seq")]
        connection.execute("COMMIT")
    return events, rows


def run(bin_dir: Path, root: Path, orders: int = 60, kills: int = 3, seed: int = 1, settle_timeout: float = LEASE_SECONDS + 60,
        log=print) -> Summary:
    rng = random.Random(seed)
    summary = Summary(orders=orders)
    started = time.monotonic()
    write_notify_shop(root)
    smtp, receiver = SmtpServer().start(), WebhookReceiver().start()
    api = ApiServer(bin_dir, root, env={**mail_env(smtp), "WEBHOOK_ALLOW_PRIVATE": "1", "LOG_LEVEL": "error"})
    try:
        api.start()
        endpoints = {add_webhook(api, receiver.route(path))["id"]: path for path in ENDPOINT_PATHS}
        operations = plan_operations(rng, orders)
        kill_points = set(rng.sample(range(1, len(operations)), min(kills, len(operations) - 1)))
        order_ids: dict[int, str] = {}
        expected_events: dict[str, list[str]] = {}
        for index, operation in enumerate(operations):
            if index in kill_points:
                api.kill()
                summary.kills += 1
                api.start()
            if operation[0] == "place":
                _, i, method = operation
                body = order_body(random_items(rng), email=f"shopper-{i}@example.com", method=method)
                _, data = api_json(api, "POST", "/order", body, admin=False, expect=201)
                order_ids[i] = data["order"]["id"]
                expected_events[order_ids[i]] = ["order.created"]
            else:
                _, i, status, tracking = operation
                change = {"status": status, **({"trackingNumber": tracking} if tracking else {})}
                api_json(api, "POST", f"/admin/orders/{order_ids[i]}/status", change, expect=200)
                expected_events[order_ids[i]].append(STATUS_EVENT[status])
        last_restart = time.monotonic()

        # Wait until every delivery is sent: a delivery leased at a kill is retried once its lease ends.
        deadline = last_restart + settle_timeout
        while True:
            events, rows = outbox(api.db)
            unsent = [row for row in rows if row["status"] != "sent"]
            if not unsent or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        summary.settle_seconds = time.monotonic() - last_restart
        summary.events, summary.deliveries = len(events), len(rows)
        for row in unsent:
            summary.problems.append(f"delivery {row['id']} ({row['event_type']} to {row['destination']}) is {row['status']} after {row['attempts']} attempts")

        # Every order's events are in the outbox, each once.
        recorded: dict[str, list[str]] = {}
        for event in sorted(events.values(), key=lambda e: e["seq"]):
            recorded.setdefault(event["order_id"], []).append(event["type"])
        for order_id, types in expected_events.items():
            if recorded.get(order_id) != types:
                summary.problems.append(f"order {order_id}: outbox has {recorded.get(order_id)}, expected {types}")

        # Every (event, destination) arrived at least once; duplicates are the same message.
        wanted_mail = {f"d{row['id']}.{row['event_id']}@{MAIL_DOMAIN}": row for row in rows if row["channel"] == "email"}
        wanted_hooks = {(row["event_id"], endpoints.get(row["destination"])): row for row in rows if row["channel"] == "webhook"}
        mails, hooks = smtp.snapshot(), receiver.received()
        summary.emails_received, summary.webhooks_received = len(mails), len(hooks)
        by_id: dict[str, list] = {}
        for mail in mails:
            by_id.setdefault(mail.message_id, []).append(mail)
        by_hook: dict[tuple, list] = {}
        for hook in hooks:
            by_hook.setdefault((hook.headers.get("webhook-id"), hook.path), []).append(hook)
        summary.lost = [key for key in wanted_mail if key not in by_id] + [f"{key}" for key in wanted_hooks if key not in by_hook]
        for message_id, copies in by_id.items():
            row = wanted_mail.get(message_id)
            if row is None:
                summary.problems.append(f"an e-mail no delivery explains: {message_id}")
                continue
            if any(copy.rcpt_tos != [row["destination"]] for copy in copies):
                summary.problems.append(f"{message_id} went to {[c.rcpt_tos for c in copies]}, not {row['destination']}")
            if len({(copy.subject, copy.event) for copy in copies}) != 1:
                summary.problems.append(f"the copies of {message_id} differ")
            summary.duplicates += len(copies) - 1
        for key, copies in by_hook.items():
            if key not in wanted_hooks:
                summary.problems.append(f"a webhook post no delivery explains: {key}")
                continue
            if len({copy.body for copy in copies}) != 1:
                summary.problems.append(f"the copies of webhook {key} differ")
            summary.duplicates += len(copies) - 1
        counts = Counter(row["event_type"] for row in rows)
        log(f"deliveries by event: {dict(sorted(counts.items()))}")
    finally:
        api.__exit__()
        receiver.stop()
        smtp.stop()
        summary.wall_seconds = time.monotonic() - started
    for line in summary.lines():
        log(line)
    return summary
