"""Helpers for the order-API system tests: a throw-away shop, the real `order-api` process, an HTTP
client on keep-alive connections, and read-only looks at the SQLite file."""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import free_port  # noqa: E402

ADMIN_TOKEN = "system-test-admin-token-0123456789abcdef"
ORIGIN = "https://shop.test.example"

# sku -> (price in TWD, initial stock)
DEFAULT_PRODUCTS = {
    "AVO-A": (380, 5000),
    "AVO-B": (1290, 5000),
    "OIL-C": (450, 5000),
    "CHIP-D": (95, 5000),
}


def write_shop(root: Path, products: dict[str, tuple[int, int | None]] = DEFAULT_PRODUCTS, closed: bool = False) -> Path:
    """A content directory with `products` (price, stock) and a site-status file; returns root."""
    content = root / "content"
    (content / "products").mkdir(parents=True, exist_ok=True)
    store = {
        "name": "Crash Test Farm",
        "baseURL": ORIGIN,
        "currency": "TWD",
        "locale": "en",
        "paymentMethods": ["credit_card", "atm", "cash_on_delivery"],
        "shipping": {"flatFee": "150", "freeShippingThreshold": "2000"},
    }
    (content / "store.json").write_text(json.dumps(store))
    for sku, (price, stock) in products.items():
        lines = ["---", f'title: "Product {sku}"', f"sku: {sku}", f"price: {price}"]
        if stock is not None:
            lines.append(f"stock: {stock}")
        lines += ["---", "", f"The {sku} product.", ""]
        (content / "products" / f"{sku.lower()}.md").write_text("\n".join(lines))
    status = {"status": "closed" if closed else "open", "message": "", "announcement": ""}
    (root / "site-status.json").write_text(json.dumps(status))
    return root


def expected_total(lines: list[tuple[str, int]], products=DEFAULT_PRODUCTS) -> int:
    """The order total in TWD by the shop's rules: subtotal plus 150 shipping under 2000."""
    subtotal = sum(products[sku][0] * quantity for sku, quantity in lines)
    return subtotal + (0 if subtotal >= 2000 else 150)


def order_body(items: list[tuple[str, int]], email: str | None = None, method: str = "cash_on_delivery", **extra) -> dict:
    body = {
        "items": [{"sku": sku, "quantity": quantity} for sku, quantity in items],
        "customer": {"name": "Test Buyer", "email": email or f"buyer-{uuid.uuid4().hex[:10]}@example.com", "phone": "0912-345-678"},
        "shipping": {"postalCode": "742", "city": "Tainan", "address": "88 Toushe"},
        "paymentMethod": method,
        "note": "",
    }
    body.update(extra)
    return body


class ApiServer:
    """The real `order-api serve` on a free loopback port, with its log in the test's temp dir."""

    def __init__(self, bin_dir: Path, root: Path, env: dict[str, str] | None = None, args: list[str] | None = None, db: str | None = None,
                 open_files: int | None = None, listening: socket.socket | None = None):
        self.binary = bin_dir / "order-api"
        self.root = root
        # A SQLite file in the shop's folder, or the PostgreSQL URL given.
        self.db = Path(db) if db and "://" not in db else (db or root / "data" / "orders.sqlite")
        self.postgres = isinstance(self.db, str)
        # A listening socket this harness holds, as systemd's `.socket` unit does: each start is
        # handed it as descriptor 3 (LISTEN_FDS=1, LISTEN_PID), and it stays open across restarts.
        self.listening = listening
        self.port = listening.getsockname()[1] if listening else free_port()
        self.extra_env = env or {}
        self.args = args or []
        # A soft and hard limit on the server's open files (RLIMIT_NOFILE), to run it out of descriptors.
        self.open_files = open_files
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = root / "order-api.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "ApiServer":
        env = dict(os.environ)
        env.update({
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "ORDER_API_RATE_LIMIT": "0",
            "LOG_LEVEL": "warning",
            "ALLOWED_ORIGINS": ORIGIN,
        })
        env.update(self.extra_env)
        command = [
            str(self.binary), "serve", "--port", str(self.port), "--content", str(self.root / "content"),
            "--site-status", str(self.root / "site-status.json"), "--db", str(self.db), *self.args,
        ]
        log = open(self.log_path, "ab")
        limit = self.open_files
        listening = self.listening.fileno() if self.listening else None
        if listening is not None:
            # The shell learns its own pid ($$) and keeps it through exec, as LISTEN_PID requires.
            command = ["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', "sh", *command]

        def preexec():
            if limit:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
            if listening is not None:
                # Only descriptor 3 is inheritable: Python's own are not (PEP 446), and dup2 onto
                # itself keeps close-on-exec, hence set_inheritable.
                os.dup2(listening, 3)
                os.set_inheritable(3, True)

        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=preexec,
                                        close_fds=listening is None)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"order-api exited with {self.process.returncode}: {self.log_tail()}")
            try:
                status, _, _ = request("GET", self.base + "/healthz", timeout=1)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("order-api did not become healthy: " + self.log_tail())

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.alive():
            self.process.kill()
            self.process.wait(timeout=30)


def request(method: str, url: str, body=None, headers: dict[str, str] | None = None, timeout: float = 10):
    """One HTTP request on a new connection: (status, headers, body bytes)."""
    scheme, _, rest = url.partition("://")
    host_port, _, path = rest.partition("/")
    host, _, port = host_port.partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        return send(connection, method, "/" + path, body, headers)
    finally:
        connection.close()


def send(connection: http.client.HTTPConnection, method: str, path: str, body=None, headers: dict[str, str] | None = None):
    """One request on an open (keep-alive) connection: (status, headers, body bytes)."""
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def admin_headers(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def readonly(db: Path) -> sqlite3.Connection:
    """A read-only connection that never writes to the database (fine beside the running server)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


STATE_TABLES = {
    "orders": "id",
    "order_lines": "order_id, position",
    "order_events": "seq",
    "stock": "sku",
    "idempotency_keys": "key",
}


def state_digest(db: Path) -> str:
    """SHA-256 of every row of the order and stock tables, read in one snapshot."""
    digest = hashlib.sha256()
    with readonly(db) as connection:
        connection.execute("BEGIN")
        for table, order in STATE_TABLES.items():
            digest.update(table.encode())
            for row in connection.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                digest.update(repr(tuple(row)).encode())
        connection.execute("COMMIT")
    return digest.hexdigest()


@dataclass
class DatabaseFacts:
    """What one read snapshot of the database says."""
    integrity: list[str]
    stock: dict[str, tuple[int, int, int, int]]  # sku -> (available, reserved, sold, received)
    orders: dict[str, dict]  # id -> {"status", "total", "lines": [(sku, quantity, unit, line_total)]}
    keys: dict[str, str]  # idempotency key -> order id
    statuses: dict[str, int] = field(default_factory=dict)


def database_facts(db: Path) -> DatabaseFacts:
    with readonly(db) as connection:
        connection.execute("BEGIN")
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        stock = {row["sku"]: (row["available"], row["reserved"], row["sold"], row["received"]) for row in connection.execute("SELECT * FROM stock")}
        orders = {
            row["id"]: {"status": row["status"], "total": row["total_minor"], "lines": []}
            for row in connection.execute("SELECT id, status, total_minor FROM orders")
        }
        for row in connection.execute("SELECT * FROM order_lines ORDER BY order_id, position"):
            orders[row["order_id"]]["lines"].append((row["sku"], row["quantity"], row["unit_price_minor"], row["line_total_minor"]))
        keys = {row["key"]: row["order_id"] for row in connection.execute("SELECT key, order_id FROM idempotency_keys")}
        connection.execute("COMMIT")
    facts = DatabaseFacts(integrity, stock, orders, keys)
    for order in orders.values():
        facts.statuses[order["status"]] = facts.statuses.get(order["status"], 0) + 1
    return facts


def stock_problems(facts: DatabaseFacts, initial: dict[str, int]) -> list[str]:
    """Every SKU whose initial stock differs from available + reserved + sold, or whose reserved
    and sold units differ from what its orders hold."""
    problems = []
    held: dict[str, list[int]] = {sku: [0, 0] for sku in initial}
    for order in facts.orders.values():
        bucket = 0 if order["status"] == "created" else 1 if order["status"] in ("paid", "shipped", "delivered") else None
        if bucket is None:
            continue
        for sku, quantity, _, _ in order["lines"]:
            held.setdefault(sku, [0, 0])[bucket] += quantity
    for sku, units in initial.items():
        available, reserved, sold, received = facts.stock.get(sku, (None, None, None, None))
        if available is None or available + reserved + sold != units or received != units:
            problems.append(f"{sku}: initial {units} != available {available} + reserved {reserved} + sold {sold} (received {received})")
        elif [reserved, sold] != held[sku]:
            problems.append(f"{sku}: reserved/sold {reserved}/{sold} but orders hold {held[sku][0]}/{held[sku][1]}")
    return problems


def random_items(rng: random.Random, products=DEFAULT_PRODUCTS, most: int = 3) -> list[tuple[str, int]]:
    skus = rng.sample(sorted(products), rng.randint(1, min(most, len(products))))
    return [(sku, rng.randint(1, 3)) for sku in skus]
