"""Hostile input against the real order-api: at least 10,000 generated requests on POST /order,
GET /order, the admin routes and the payment callbacks, plus header-level abuse over raw sockets.

Asserts: no 5xx, the process never dies, every 4xx is a JSON error with a code, security headers
on every answer, and no rejected request changes the database: after each one, a read-only
connection compares SQLite's `PRAGMA data_version` (it moves whenever another connection commits)
and, when it moved, a SHA-256 of every row of the orders, lines, events, stock and idempotency
tables with the hash from before the request. Payment callbacks carry no valid signature, so they
must change nothing whatever they answer (the test turns both gateways on, so they are live routes).
"""
from __future__ import annotations

import http.client
import json
import random
import subprocess
import socket
import time
import urllib.parse

import pytest

from hostile import base_order, form, mutate_json, query, raw_requests
from orderapi import ADMIN_TOKEN, ApiServer, order_body, readonly, request, send, state_digest, write_shop

PRODUCTS = {"AVO-A": (380, 10**8), "AVO-B": (1290, 10**8), "OIL-C": (450, 10**8), "CHIP-D": (95, 10**8)}
PAYMENT_PATHS = ["/payment/ecpay/notify", "/payment/ecpay/payment-info", "/payment/stripe/webhook"]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/json; charset=latin1", "", "*/*"]


# On PostgreSQL: one hash of the order and stock tables (the same tables `state_digest` reads).
POSTGRES_DIGEST = """SELECT md5(concat_ws('#',
    (SELECT string_agg(t::text, '|' ORDER BY id COLLATE "C") FROM orders t),
    (SELECT string_agg(t::text, '|' ORDER BY order_id COLLATE "C", position) FROM order_lines t),
    (SELECT string_agg(t::text, '|' ORDER BY seq) FROM order_events t),
    (SELECT string_agg(t::text, '|' ORDER BY sku COLLATE "C") FROM stock t),
    (SELECT string_agg(t::text, '|' ORDER BY key COLLATE "C") FROM idempotency_keys t)))"""


def postgres_query(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class Fuzzer:
    def __init__(self, server: ApiServer, seed: int):
        self.server = server
        self.rng = random.Random(seed)
        self.connection: http.client.HTTPConnection | None = None
        self.watch = None if server.postgres else readonly(server.db)
        self.version = self.data_version()
        self.digest = self.state()
        self.empty_commits = 0
        self.previous = ""
        self.count = 0
        self.statuses: dict[int, int] = {}
        self.closed_early = 0
        self.http_layer_rejections = 0
        self.problems: list[str] = []
        self.order_ids = [self.place_real_order()]
        self.digest = self.state()

    def data_version(self) -> int | str:
        """SQLite's `data_version` (moves on any commit); on PostgreSQL the tables' hash itself."""
        if self.server.postgres:
            return postgres_query(self.server.db, POSTGRES_DIGEST)
        return self.watch.execute("PRAGMA data_version").fetchone()[0]

    def state(self) -> str:
        return self.data_version() if self.server.postgres else state_digest(self.server.db)

    def place_real_order(self) -> str:
        status, _, body = request("POST", self.server.base + "/order", order_body([("AVO-A", 1)], email="real@example.com"))
        assert status == 201
        self.version = self.data_version()
        return json.loads(body)["order"]["id"]

    def send(self, label: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, changes_nothing=False):
        self.count += 1
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            status, answer_headers, answer = send(self.connection, method, path, body, headers)
        except (OSError, http.client.HTTPException):
            # The server may answer 413 and close before a huge body is fully sent.
            self.connection.close()
            self.connection = None
            self.closed_early += 1
            if not self.server.alive():
                pytest.fail(f"order-api died on {label} {method} {path[:80]}: {self.server.log_tail()}")
            self.check_unchanged(label, method, path, 400, changes_nothing=True)
            return None
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.problems.append(f"{status} on {label} {method} {path[:80]} {body[:120] if body else b''!r}: {answer[:200]!r}")
        if status == 400 and not answer and answer_headers.get("connection") == "close":
            # Refused by the HTTP parser before routing (a request line or header block over its
            # limit): an empty 400 and a closed connection, with nothing to sniff or frame.
            self.http_layer_rejections += 1
            self.connection.close()
            self.connection = None
            self.check_unchanged(label, method, path, status, changes_nothing)
            return status, answer
        if answer_headers.get("x-content-type-options") != "nosniff" or "frame-ancestors 'none'" not in answer_headers.get("content-security-policy", ""):
            self.problems.append(f"security headers missing on {method} {path[:80]}: {answer_headers}")
        if 400 <= status < 500 and method != "HEAD":
            try:
                assert isinstance(json.loads(answer)["error"]["code"], str)
            except Exception:
                self.problems.append(f"{status} without a JSON error on {label} {method} {path[:80]}: {answer[:200]!r}")
        self.check_unchanged(label, method, path, status, changes_nothing)
        self.previous = f"{label} {method} {path[:60]} -> {status}"
        return status, answer

    def check_unchanged(self, label, method, path, status, changes_nothing):
        """After a rejected request (or any payment callback): no commit at all, or, if SQLite saw
        a commit, the order and stock tables still hash the same. The digest is recomputed only
        when `data_version` moved, so it always describes the state before the next request."""
        version = self.data_version()
        if version == self.version:
            return
        digest = self.state()
        if status >= 400 or changes_nothing:
            if digest != self.digest:
                self.problems.append(f"{label} {method} {path[:80]} answered {status} but changed the order or stock tables "
                                     f"(after {self.previous})")
            else:
                self.empty_commits += 1
        self.version, self.digest = version, digest

    def hostile_headers(self, admin: bool = False) -> dict:
        headers = {}
        content_type = self.rng.choice(CONTENT_TYPES)
        if content_type:
            headers["Content-Type"] = content_type
        if self.rng.random() < 0.3:
            headers["Idempotency-Key"] = self.rng.choice(["k-" + str(self.rng.randrange(10**9)), "", "x" * 256, "a b", "'; DROP TABLE idempotency_keys;--", "é"])
        if self.rng.random() < 0.2:
            headers["X-Request-Id"] = self.rng.choice(["ok-id", "<script>", "x" * 500, "../../etc/passwd"])
        if self.rng.random() < 0.2:
            headers["X-Forwarded-For"] = self.rng.choice(["1.2.3.4", "' OR 1=1", "::1, 10.0.0.1", "x" * 1000])
        if self.rng.random() < 0.2:
            headers["Origin"] = self.rng.choice(["https://evil.example", "null", "https://shop.test.example.evil.example"])
        if admin:
            headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        return {k: v.encode("latin-1", "replace").decode("latin-1") for k, v in headers.items()}

    def post_order(self):
        body = mutate_json(self.rng, base_order(self.rng, sorted(PRODUCTS) + ["NOPE", "draft"]))
        self.send("order body", "POST", "/order", body, self.hostile_headers())

    def get_order(self):
        names = ["id", "contact"] + (["extra"] if self.rng.random() < 0.1 else [])
        text = query(self.rng, names)
        if self.rng.random() < 0.1:
            text = f"id={self.order_ids[0]}&contact=" + urllib.parse.quote(self.rng.choice(["REAL@example.com", "real@example.com ", "0912345678", "912345678"]))
        self.send("order query", self.rng.choice(["GET", "GET", "HEAD", "DELETE", "PUT"]), "/order?" + text, None, self.hostile_headers())

    def admin(self):
        rng = self.rng
        headers = self.hostile_headers(admin=rng.random() < 0.85)
        if "Authorization" not in headers and rng.random() < 0.5:
            headers["Authorization"] = rng.choice(["Bearer ", "Bearer wrong", "Basic " + ADMIN_TOKEN, "bearer " + ADMIN_TOKEN + "x", ADMIN_TOKEN])
        order_id = rng.choice(self.order_ids + ["missing", "../../etc", "' OR 1=1 --", "長" * 50, "%00"])
        choice = rng.randrange(7)
        if choice == 0:
            self.send("admin list", "GET", "/admin/orders?" + query(rng, ["status", "from", "to", "q", "cursor", "limit"]), None, headers)
        elif choice == 1:
            self.send("admin csv", "GET", "/admin/orders.csv?" + query(rng, ["status", "from", "to", "q"]), None, headers)
        elif choice == 2:
            self.send("admin order", "GET", "/admin/orders/" + urllib.parse.quote(order_id, safe=""), None, headers)
        elif choice == 3:
            body = mutate_json(rng, {"status": rng.choice(["paid", "shipped", "cancelled", "refunded"]), "trackingNumber": "T1", "note": "n"})
            self.send("admin status", "POST", "/admin/orders/" + urllib.parse.quote(order_id, safe="") + "/status", body, headers)
        elif choice == 4:
            body = mutate_json(rng, {"status": "open", "message": "m", "announcement": "a"})
            self.send("admin site-status", "PUT", "/admin/site-status", body, headers)
        elif choice == 5:
            sku = rng.choice(sorted(PRODUCTS) + ["NOPE", "../x", "A" * 100])
            body = mutate_json(rng, {"price": "380", "stock": 10**8})
            self.send("admin product", "PATCH", "/admin/products/" + urllib.parse.quote(sku, safe=""), body, headers)
        else:
            self.send("admin products", "GET", "/admin/products?" + query(rng, ["q", "cursor", "limit"]), None, headers)

    def payment(self):
        rng = self.rng
        path = rng.choice(PAYMENT_PATHS)
        if "stripe" in path:
            event = {"id": "evt_fuzz", "type": "checkout.session.completed",
                     "data": {"object": {"client_reference_id": rng.choice(self.order_ids), "amount_total": 380, "payment_status": "paid"}}}
            body = mutate_json(rng, event)
            headers = {"Content-Type": "application/json", "Stripe-Signature": rng.choice([
                f"t={int(time.time())},v1=" + "0" * 64, "t=0,v1=abc", "", "v1=" + "f" * 64, "t=99999999999,v1=x,v1=y", "garbage"])}
        else:
            fields = {"MerchantID": rng.choice(["3002607", "2000132", "9999999"]), "MerchantTradeNo": rng.choice(self.order_ids),
                      "RtnCode": rng.choice(["1", "2", "10100058"]), "TradeAmt": rng.choice(["380", "1", "-1"]),
                      "PaymentDate": "2026/01/01 00:00:00", "CheckMacValue": "%064X" % rng.getrandbits(256)}
            body = form(rng, fields)
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        self.send("payment callback", "POST", path, body, headers, changes_nothing=True)

    def raw(self):
        for label, payload in raw_requests(self.server.port):
            self.count += 1
            status = raw_exchange(self.server.port, payload)
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status >= 500:
                    self.problems.append(f"{status} on raw {label}")
            if not self.server.alive():
                pytest.fail(f"order-api died on raw {label}: {self.server.log_tail()}")
            self.check_unchanged("raw " + label, "RAW", "", 400, changes_nothing=label != "pipelined garbage after a good request")

    def run(self, total: int):
        actions = [self.post_order] * 9 + [self.get_order] * 3 + [self.admin] * 5 + [self.payment] * 3
        while self.count < total:
            if self.count % 2000 == 0:
                self.raw()
            self.rng.choice(actions)()
            if self.count % 500 == 0:
                assert self.server.alive(), self.server.log_tail()
                self.order_ids = self.order_ids[:1] + self.known_orders()

    def known_orders(self) -> list[str]:
        if self.server.postgres:
            return postgres_query(self.server.db, "SELECT id FROM orders ORDER BY created_at DESC LIMIT 5").split()
        return [row[0] for row in self.watch.execute("SELECT id FROM orders ORDER BY created_at DESC LIMIT 5")]


def raw_exchange(port: int, payload: bytes) -> int | None:
    """Sends bytes, returns the first answer's status, or None if the server just closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def run_fuzz(bin_dir, tmp_path, output_dir, total: int, seed: int, name: str, db: str | None = None):
    write_shop(tmp_path, PRODUCTS)
    env = {
        "ORDER_API_ADMIN_FAILURE_LIMIT": "0",  # lock-out is tested in test_access; here every admin body must be parsed
        # Both gateways on, so the payment callbacks are live routes that verify what they get.
        # (ECPay stage needs no network to make checkout forms; the fuzzer never places Stripe orders.)
        "ECPAY_ENV": "stage",
        "STRIPE_SECRET_KEY": "sk_test_hostile_input",
        "STRIPE_WEBHOOK_SECRET": "whsec_hostile_input",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "ORDER_API_PUBLIC_URL": "https://api.test.example",
    }
    with ApiServer(bin_dir, tmp_path, env=env, db=db) as server:
        fuzzer = Fuzzer(server, seed)
        started = time.monotonic()
        fuzzer.run(total)
        elapsed = time.monotonic() - started
        assert server.alive()
        status, _, _ = request("GET", server.base + "/healthz")
        assert status == 200
        if server.postgres:
            assert postgres_query(server.db, "SELECT count(*) FROM stock WHERE received <> available + reserved + sold OR available < 0") == "0"
        else:
            with readonly(server.db) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        figures = {"requests": fuzzer.count, "seconds": round(elapsed, 1), "statuses": dict(sorted(fuzzer.statuses.items())),
                   "closed_before_answer": fuzzer.closed_early, "http_layer_rejections": fuzzer.http_layer_rejections,
                   "commits_without_change": fuzzer.empty_commits, "problems": len(fuzzer.problems)}
        (output_dir / f"{name}.json").write_text(json.dumps(figures, indent=2))
        print(name, figures)
        assert not fuzzer.problems, "\n".join(fuzzer.problems[:10])
        assert fuzzer.count >= total
        assert not any(code >= 500 for code in fuzzer.statuses)


def test_ten_thousand_hostile_requests(bin_dir, tmp_path, output_dir):
    run_fuzz(bin_dir, tmp_path, output_dir, total=10_000, seed=1, name="hostile-input")


def test_hostile_requests_against_a_postgresql_instance(bin_dir, tmp_path, output_dir, pg_database):
    # Fewer requests: every check of "nothing changed" hashes the tables through psql.
    run_fuzz(bin_dir, tmp_path, output_dir, total=800, seed=2, name="hostile-input-postgres", db=pg_database)


@pytest.mark.soak
def test_hostile_input_soak(bin_dir, tmp_path, output_dir):
    run_fuzz(bin_dir, tmp_path, output_dir, total=100_000, seed=20260101, name="hostile-input-soak")
