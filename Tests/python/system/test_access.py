"""Access control against the real order-api: admin tokens (missing, wrong, rotated out), slow-down
then lock-out of repeated failures, order-id guessing, CORS and security headers."""
from __future__ import annotations

import http.client
import json
import random
import string
import time

from orderapi import ORIGIN, ApiServer, order_body, request, send, write_shop

ADMIN_ROUTES = [("GET", "/admin/orders"), ("GET", "/admin/orders.csv"), ("GET", "/admin/orders/0123456789abcdef"),
                ("POST", "/admin/orders/0123456789abcdef/status"), ("GET", "/admin/site-status"), ("PUT", "/admin/site-status"),
                ("GET", "/admin/products"), ("PATCH", "/admin/products/AVO-A"), ("POST", "/admin/catalog/reload")]
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase


def admin_status(server: ApiServer, token: str | None, method="GET", path="/admin/orders", forwarded="198.51.100.1"):
    headers = {"X-Forwarded-For": forwarded, "Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    status, answer_headers, body = request(method, server.base + path, b"{}", headers)
    return status, answer_headers, body


def test_admin_tokens_missing_wrong_and_rotated_out(bin_dir, tmp_path):
    write_shop(tmp_path)
    env = {"ADMIN_TOKEN": "old-token-aaaaaaaaaaaaaaaa,new-token-bbbbbbbbbbbbbbbb", "ORDER_API_ADMIN_FAILURE_LIMIT": "0"}
    with ApiServer(bin_dir, tmp_path, env=env, args=["--trust-proxy"]) as server:
        assert admin_status(server, "old-token-aaaaaaaaaaaaaaaa")[0] == 200
        assert admin_status(server, "new-token-bbbbbbbbbbbbbbbb")[0] == 200
        for method, path in ADMIN_ROUTES:
            for token in (None, "", "wrong", "new-token-bbbbbbbbbbbbbbbbx", "NEW-TOKEN-BBBBBBBBBBBBBBBB"):
                status, headers, body = admin_status(server, token, method, path)
                assert status == 401, (method, path, token, status)
                assert headers.get("www-authenticate") == "Bearer"
                assert json.loads(body)["error"]["code"] == "unauthorized"
    # Rotation: the old token is dropped from ADMIN_TOKEN and the server restarted.
    env["ADMIN_TOKEN"] = "new-token-bbbbbbbbbbbbbbbb"
    with ApiServer(bin_dir, tmp_path, env=env, args=["--trust-proxy"]) as server:
        assert admin_status(server, "old-token-aaaaaaaaaaaaaaaa")[0] == 401
        assert admin_status(server, "new-token-bbbbbbbbbbbbbbbb")[0] == 200


def test_repeated_admin_failures_are_slowed_down_then_locked_out(bin_dir, tmp_path, output_dir):
    write_shop(tmp_path)
    env = {"ORDER_API_ADMIN_FAILURE_LIMIT": "6"}
    with ApiServer(bin_dir, tmp_path, env=env, args=["--trust-proxy"]) as server:
        attacker = "203.0.113.9"
        durations = []
        for attempt in range(6):
            started = time.monotonic()
            status, _, _ = admin_status(server, f"guess-{attempt}", forwarded=attacker)
            durations.append(time.monotonic() - started)
            assert status == 401
        # From the fourth failure on, each 401 is held back: at least 0.2 s, 0.4 s, 0.8 s.
        for index, least in ((3, 0.2), (4, 0.4), (5, 0.8)):
            assert durations[index] >= least, durations
        # Locked out now, even with the right token.
        status, headers, body = admin_status(server, "system-test-admin-token-0123456789abcdef", forwarded=attacker)
        assert status == 429 and int(headers["retry-after"]) > 0
        assert json.loads(body)["error"]["code"] == "rate_limited"
        # Another address is not affected.
        assert admin_status(server, "system-test-admin-token-0123456789abcdef", forwarded="198.51.100.7")[0] == 200
        (output_dir / "admin-lockout.json").write_text(json.dumps({"failure_seconds": [round(d, 3) for d in durations],
                                                                   "retry_after": int(headers["retry-after"])}))


def test_guessing_orders_finds_nothing_and_is_rate_limited(bin_dir, tmp_path, output_dir):
    write_shop(tmp_path)
    with ApiServer(bin_dir, tmp_path, env={"ORDER_API_RATE_LIMIT": "60"}, args=["--trust-proxy"]) as server:
        status, _, body = request("POST", server.base + "/order", order_body([("AVO-A", 1)], email="owner@example.com"),
                                  {"X-Forwarded-For": "192.0.2.1"})
        assert status == 201
        real = json.loads(body)["order"]["id"]
        rng = random.Random(5)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        bodies, statuses = set(), {}
        for guess in range(10_000):
            kind = guess % 3
            order_id = real if kind == 1 else "".join(rng.choice(ALPHABET) for _ in range(16))
            contact = "owner@example.com" if kind == 2 else rng.choice([f"x{guess}@example.com", f"09{rng.randrange(10**8):08d}", "OWNER@example.co"])
            # Spread over addresses, 40 guesses each, so the limiter does not hide the answers.
            forwarded = f"10.{guess // 40 // 256 % 256}.{guess // 40 % 256}.{guess % 7 + 1}"
            status, headers, answer = send(connection, "GET", f"/order?id={order_id}&contact={contact}", None, {"X-Forwarded-For": forwarded})
            statuses[status] = statuses.get(status, 0) + 1
            if status == 404:
                bodies.add(answer)
        assert statuses.get(200, 0) == 0, statuses
        assert statuses.get(404, 0) == 10_000, statuses
        assert len(bodies) == 1, "wrong id and wrong contact must answer the same bytes"
        # One address guessing fast is stopped after its 60 requests a minute.
        answered, limited, retry_after = 0, 0, None
        for guess in range(300):
            order_id = "".join(rng.choice(ALPHABET) for _ in range(16))
            status, headers, _ = send(connection, "GET", f"/order?id={order_id}&contact=a@example.com", None, {"X-Forwarded-For": "203.0.113.50"})
            if status == 429:
                limited += 1
                retry_after = int(headers["retry-after"])
            else:
                answered += 1
        assert 60 <= answered <= 70 and limited >= 230, (answered, limited)
        assert retry_after and retry_after >= 1
        (output_dir / "order-guessing.json").write_text(json.dumps({"guesses": 10_000, "found": 0, "distinct_404_bodies": len(bodies),
                                                                    "single_address": {"answered": answered, "limited": limited}}))


def test_cors_answers_only_the_configured_origin(bin_dir, tmp_path):
    write_shop(tmp_path)
    with ApiServer(bin_dir, tmp_path) as server:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, idempotency-key"}
        status, headers, _ = request("OPTIONS", server.base + "/order", None, {"Origin": ORIGIN, **preflight})
        assert status == 204 and headers["access-control-allow-origin"] == ORIGIN
        assert "Idempotency-Key" in headers["access-control-allow-headers"]
        status, headers, _ = request("GET", server.base + "/healthz", None, {"Origin": ORIGIN})
        assert headers.get("access-control-allow-origin") == ORIGIN and "Origin" in headers.get("vary", "")
        for origin in ["https://evil.example", "null", ORIGIN + ".evil.example", ORIGIN + ":443", ORIGIN.upper(), "http://shop.test.example",
                       ORIGIN + "/", "https://sub.shop.test.example", ORIGIN + "."]:
            status, headers, body = request("OPTIONS", server.base + "/order", None, {"Origin": origin, **preflight})
            assert status == 403 and json.loads(body)["error"]["code"] == "origin_not_allowed", origin
            assert "access-control-allow-origin" not in headers, origin
            status, headers, _ = request("POST", server.base + "/order", order_body([("AVO-A", 1)]), {"Origin": origin})
            assert "access-control-allow-origin" not in headers, origin
            assert "access-control-allow-credentials" not in headers


def test_security_headers_on_every_kind_of_api_answer(bin_dir, tmp_path):
    write_shop(tmp_path)
    with ApiServer(bin_dir, tmp_path) as server:
        probes = [("GET", "/healthz", None, {}), ("GET", "/openapi.yaml", None, {}), ("GET", "/nowhere", None, {}),
                  ("POST", "/order", b"{", {"Content-Type": "application/json"}), ("POST", "/order", order_body([("AVO-A", 1)]), {}),
                  ("GET", "/order?id=x&contact=y", None, {}), ("GET", "/admin/orders", None, {}), ("DELETE", "/order", None, {})]
        for method, path, body, headers in probes:
            status, answer_headers, _ = request(method, server.base + path, body, headers)
            assert answer_headers["x-content-type-options"] == "nosniff", path
            assert answer_headers["referrer-policy"] == "no-referrer", path
            assert "frame-ancestors 'none'" in answer_headers["content-security-policy"], path
            assert answer_headers["x-frame-options"] == "DENY", path
            assert answer_headers["x-request-id"], path
            if path != "/openapi.yaml":
                assert answer_headers["cache-control"] == "no-store", path
