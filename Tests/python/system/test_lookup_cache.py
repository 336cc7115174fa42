"""GET /order answers are kept in memory by the server; a change made by another process on the same
database must still show at the next lookup. Here that process is `order-api reconcile` (run from
cron beside the server in production), which finds a payment whose notification never arrived and
marks the order paid. Real processes: order-api serve, payment-sandbox, order-api reconcile."""
import json
import os
import re
import subprocess
import time
import urllib.parse

from orderapi import ApiServer, order_body, request, write_shop
from support import free_port


def lookups_from(server, source):
    _, _, body = request("GET", server.base + "/metrics")
    match = re.search(rf'^order_lookups_total{{source="{source}"}} (\d+)$', body.decode(), re.M)
    return int(match.group(1)) if match else 0


def form_post(url, fields):
    # The sandbox answers "pay" after its one notification attempt; against a port where nothing
    # listens, the HTTP client keeps retrying the connection until its 10 s deadline.
    return request("POST", url, body=urllib.parse.urlencode(fields).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=40)


def test_reconcile_in_another_process_shows_at_the_next_lookup(bin_dir, tmp_path):
    write_shop(tmp_path)
    sandbox_port = free_port()
    sandbox_base = f"http://127.0.0.1:{sandbox_port}"
    sandbox_log = open(tmp_path / "sandbox.log", "wb")
    # One notification attempt, to an address where nothing listens: the notification is lost.
    sandbox = subprocess.Popen(
        [str(bin_dir / "payment-sandbox"), "--port", str(sandbox_port), "--resend-attempts", "1", "--log-level", "warning"],
        stdout=sandbox_log, stderr=subprocess.STDOUT)
    gateway = {"ECPAY_ENV": "sandbox", "ECPAY_SANDBOX_URL": sandbox_base}
    env = dict(gateway, ORDER_API_PUBLIC_URL=f"http://127.0.0.1:{free_port()}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request("GET", sandbox_base + "/", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "payment-sandbox did not start"
                time.sleep(0.05)
        with ApiServer(bin_dir, tmp_path, env=env) as server:
            status, _, body = request("POST", server.base + "/order", body=order_body([("AVO-A", 1)], email="cache@example.com", method="credit_card"))
            assert status == 201, body
            answer = json.loads(body)
            order_id, step = answer["order"]["id"], answer["payment"]
            lookup = f"{server.base}/order?id={order_id}&contact=cache@example.com"

            def status_now():
                code, _, text = request("GET", lookup)
                assert code == 200, text
                return json.loads(text)["order"]["status"]

            assert status_now() == "created"
            assert status_now() == "created"
            assert lookups_from(server, "memory") == 1, "the second lookup was answered from memory"

            # The shopper pays in the sandbox; the notification to the API is lost.
            status, _, _ = form_post(step["url"], step["fields"])
            assert status in (200, 303)
            status, _, _ = form_post(f"{sandbox_base}/ecpay/credit/{step['fields']['MerchantTradeNo']}/pay", {})
            assert status == 200
            time.sleep(0.5)
            assert status_now() == "created", "the notification never reached the API"
            assert status_now() == "created"

            # Another process applies the payment to the same database.
            reconcile = subprocess.run(
                [str(bin_dir / "order-api"), "reconcile", "--db", str(server.db)],
                env=dict(os.environ, **gateway), capture_output=True, text=True, timeout=60)
            assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
            assert "paid 1" in reconcile.stdout, reconcile.stdout

            memory_before = lookups_from(server, "memory")
            assert status_now() == "paid"
            assert status_now() == "paid"
            assert lookups_from(server, "memory") == memory_before + 1, "read once from the database, then from memory"
            assert server.alive()
    finally:
        sandbox.kill()
        sandbox.wait(timeout=30)
        sandbox_log.close()
