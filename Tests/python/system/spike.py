"""Issue 17's spike (shared by `benchmarks/bench_spike.py` and `test_spike.py`): a shop's busiest day, about ten times its normal traffic, against a release
`order-api` with its default limits (`--rate-limit 60` per address, `--trust-proxy` so each
simulated shopper has an address of its own behind the proxy).

The mix per second at 1x (the CDN serves the pages, `catalog.json` and `site-status.json`; they
never reach the API and are not sent here):
- `GET /order` polling from order pages, 30/s (each shopper polls their own order);
- `POST /order`, 5/s, in bursts (the second's orders all at once);
- Stripe `checkout.session.completed` notifications, signed, 2/s (for orders placed earlier).
Baseline 20 s, ramp to 10x over 10 s, hold 30 s, back to 1x for 30 s. Latencies are measured from
when each request was due, not when a worker got to it (no coordinated omission). A 429 from the
rate limit is reported apart; a 5xx or a broken connection is an error (0 required)."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import queue
import random
import tempfile
import threading
import time
from pathlib import Path

from orderapi import ApiServer, order_body, write_shop

WEBHOOK_SECRET = "whsec_spike_benchmark"
# Every shopper behind one carrier-grade NAT address (`shared_address`).
SHARED_ADDRESS = "100.64.0.1"
RATES = {"GET /order": 30, "POST /order": 5, "POST /payment/stripe/webhook": 2}


def multiplier(t: float, baseline: float, ramp: float, hold: float) -> float:
    if t < baseline:
        return 1
    if t < baseline + ramp:
        return 1 + 9 * (t - baseline) / ramp
    if t < baseline + ramp + hold:
        return 10
    return 1


class Spike:
    def __init__(self, server: ApiServer, seed: int, shared_address: bool = False):
        self.server = server
        self.shared_address = shared_address
        self.rng = random.Random(seed)
        self.jobs: queue.Queue = queue.Queue()
        self.results: list[tuple[float, str, int, float]] = []  # (due offset, route, status, latency ms)
        self.lock = threading.Lock()
        self.orders: list[tuple[str, str]] = []  # (id, contact)
        self.start = 0.0

    def address(self) -> str:
        if self.shared_address:
            return SHARED_ADDRESS
        return f"100.{self.rng.randrange(64, 128)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"

    def prepare(self, count: int):
        """Orders placed before the run, for the polling and the notifications (each from an
        address of its own, also with `shared_address`: they were placed over days)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        for index in range(count):
            email = f"shopper{index}@example.com"
            connection.request("POST", "/order", json.dumps(order_body([("AVO-A", 1)], email=email)),
                               {"Content-Type": "application/json", "X-Forwarded-For": f"10.0.{index // 250}.{index % 250 + 1}"})
            answer = connection.getresponse()
            body = answer.read()
            assert answer.status == 201, body
            self.orders.append((json.loads(body)["order"]["id"], email))

    def request(self, route: str):
        headers = {"X-Forwarded-For": self.address()}
        if route == "GET /order":
            order_id, contact = self.rng.choice(self.orders)
            return "GET", f"/order?id={order_id}&contact={contact}", None, headers
        if route == "POST /order":
            headers["Content-Type"] = "application/json"
            return "POST", "/order", json.dumps(order_body([(self.rng.choice(["AVO-A", "AVO-B", "OIL-C"]), 1)], email="spike@example.com")), headers
        order_id, _ = self.rng.choice(self.orders)
        event = json.dumps({"id": f"evt_{self.rng.getrandbits(64):x}", "type": "checkout.session.completed",
                            "data": {"object": {"id": "cs_test", "client_reference_id": order_id, "amount_total": 38000,
                                                "currency": "twd", "payment_status": "paid"}}})
        stamp = int(time.time())
        signature = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.{event}".encode(), hashlib.sha256).hexdigest()
        headers.update({"Content-Type": "application/json", "Stripe-Signature": f"t={stamp},v1={signature}"})
        return "POST", "/payment/stripe/webhook", event, headers

    def schedule(self, seconds: float, shape):
        """Puts each request on the queue at the second it is due (POSTs as one burst a second)."""
        self.start = time.monotonic()
        second = 0
        while second < seconds:
            m = shape(second)
            due = []
            for route, rate in RATES.items():
                count = int(rate * m + self.rng.random())
                for n in range(count):
                    offset = second if route == "POST /order" else second + n / max(count, 1)
                    due.append((offset, route, self.request(route)))
            # In the order they are due, so that no worker sleeps on a later request while an earlier one waits.
            for job in sorted(due, key=lambda job: job[0]):
                self.jobs.put(job)
            second += 1
            wait = self.start + second - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def work(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        while True:
            job = self.jobs.get()
            if job is None:
                return
            offset, route, (method, path, body, headers) = job
            due = self.start + offset
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                connection.request(method, path, body, headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except Exception:  # noqa: BLE001 - a broken connection counts as an error
                status = 0
                connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            with self.lock:
                self.results.append((offset, route, status, (time.monotonic() - due) * 1000))


def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


def run_spike(bin_dir: Path, baseline: float, ramp: float, hold: float, after: float, workers: int = 96, prepared: int = 300,
              shared_address: bool = False) -> dict:
    """Runs the spike against a new server; returns the figures per route and phase. With
    `shared_address`, every shopper comes from one address (carrier-grade NAT) and the server runs
    with `--order-lookup-limit 30`, as the README advises there: `GET /order` is then limited per
    order id, and only `POST /order` per address."""
    total = baseline + ramp + hold + after
    with tempfile.TemporaryDirectory(prefix="spike-") as root:
        write_shop(Path(root))
        env = {"ORDER_API_RATE_LIMIT": "60", "STRIPE_SECRET_KEY": "sk_test_spike", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "STRIPE_API_BASE": "http://127.0.0.1:9", "ORDER_API_PUBLIC_URL": "https://api.test.example"}
        args = ["--trust-proxy"] + (["--order-lookup-limit", "30"] if shared_address else [])
        with ApiServer(Path(bin_dir), Path(root), env=env, args=args) as server:
            spike = Spike(server, seed=17, shared_address=shared_address)
            spike.prepare(prepared)
            threads = [threading.Thread(target=spike.work, daemon=True) for _ in range(workers)]
            for thread in threads:
                thread.start()
            spike.schedule(total, lambda s: multiplier(s, baseline, ramp, hold))
            for _ in threads:
                spike.jobs.put(None)
            for thread in threads:
                thread.join()
            alive = server.alive()
    phases = {"baseline": (0, baseline), "ramp": (baseline, baseline + ramp), "10x": (baseline + ramp, baseline + ramp + hold),
              "after": (baseline + ramp + hold, total)}
    report = {"phases": {}, "server_alive": alive}
    for route in RATES:
        for phase, (start, end) in phases.items():
            rows = [r for r in spike.results if r[1] == route and start <= r[0] < end]
            ok = [r[3] for r in rows if 200 <= r[2] < 500 and r[2] != 429]
            report["phases"][f"{route} {phase}"] = {
                "route": route, "phase": phase, "requests": len(rows), "rate": round(len(rows) / (end - start)),
                "answered_2xx": sum(1 for r in rows if 200 <= r[2] < 300), "p50_ms": percentile(ok, 0.5), "p99_ms": percentile(ok, 0.99),
                "p999_ms": percentile(ok, 0.999), "rate_limited": sum(1 for r in rows if r[2] == 429),
                "errors": sum(1 for r in rows if r[2] >= 500 or r[2] == 0), "statuses": sorted({r[2] for r in rows})}
    # Recovery: after the spike, the first whole second whose p99 (all routes) is within 1.5x the baseline p99.
    baseline_p99 = percentile([r[3] for r in spike.results if r[0] < baseline and r[2] not in (0, 429)], 0.99) or 0
    end_of_spike = baseline + ramp + hold
    recovered = None
    for second in range(int(end_of_spike), int(total)):
        window = [r[3] for r in spike.results if second <= r[0] < second + 1 and r[2] not in (0, 429)]
        if window and percentile(window, 0.99) <= max(1.5 * baseline_p99, 5):
            recovered = second - end_of_spike
            break
    report.update({"baseline_p99_ms": baseline_p99, "recovered_after_s": recovered,
                   "errors": sum(1 for r in spike.results if r[2] >= 500 or r[2] == 0)})
    return report
