#!/usr/bin/env python3
"""What notifications cost POST /order, and how soon a committed event is attempted.

Usage: bench_notify.py [--content DIR] [--order-api BIN] [--sandbox BIN] [--runs 3] [--duration 10]
                       [--connections 64] [--threads 2] [--paced 300]

Alternates, in one invocation, runs of the same order-api binary with notifications OFF (no
SMTP_URL, no webhook endpoint) and ON (SMTP_URL to the payment sandbox's real SMTP server on
loopback, MAIL_FROM, one OWNER_EMAIL, and one webhook endpoint on a loopback sink that answers
204), so every order causes 3 deliveries: the shopper's e-mail, the owner's e-mail and a signed
webhook. Reports POST /order acknowledged/s (wrk, median and range) for both, and the ratio.

Then, with notifications on, places --paced orders at about 50/s (a busy shop, not a flood) and
reads from the database how long after the commit each delivery was sent (deliveries.sent_at -
created_at: an upper bound of commit to first attempt, since it includes the SMTP or HTTP
exchange): p50, p95, max; and after the wrk runs, how many deliveries were still pending (the
backlog a flood leaves, drained afterwards).
"""
import argparse
import asyncio
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import json

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_api import Server, free_port, post_json, wrk, summary  # noqa: E402

TOKEN = "bench-admin-token-0123456789"


class Sink(threading.Thread):
    """A minimal HTTP/1.1 keep-alive server answering 204 to everything, counting requests."""

    def __init__(self):
        super().__init__(daemon=True)
        self.port = free_port()
        self.count = 0
        self.ready = threading.Event()

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)) if b"ontent-" in head else 0
                await reader.readexactly(length)
                self.count += 1
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def run(self):
        async def main():
            server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)
            self.ready.set()
            async with server:
                await server.serve_forever()
        asyncio.run(main())


def admin(base, method, path, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def skus_of(content, workdir):
    skus = []
    for name in sorted(os.listdir(os.path.join(content, "products")))[:20000]:
        with open(os.path.join(content, "products", name)) as f:
            text = f.read(600)
        stock, sku = re.search(r"^stock: (\d+)", text, re.M), re.search(r"^sku: (\S+)", text, re.M)
        if sku and stock and int(stock.group(1)) >= 300:
            skus.append(sku.group(1))
    path = os.path.join(workdir, "skus.txt")
    with open(path, "w") as f:
        f.write("\n".join(skus) + "\n")
    return skus, path


def start(mode, args, workdir, mail_port, sink):
    os.environ["ADMIN_TOKEN"] = TOKEN
    for name in ("SMTP_URL", "MAIL_FROM", "OWNER_EMAIL", "WEBHOOK_ALLOW_PRIVATE"):
        os.environ.pop(name, None)
    if mode == "on":
        os.environ.update(SMTP_URL=f"smtp://127.0.0.1:{mail_port}?tls=none", MAIL_FROM="Bench Shop <shop@example.tw>",
                          OWNER_EMAIL="owner@example.tw", WEBHOOK_ALLOW_PRIVATE="1")
    server = Server(args.order_api, args.content, tempfile.mkdtemp(dir=workdir))
    if mode == "on":
        admin(server.base, "POST", "/admin/webhooks", {"url": f"http://127.0.0.1:{sink.port}/hook"})
    return server


def latencies(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT sent_at - created_at FROM deliveries WHERE status = 'sent' AND attempts = 1").fetchall()
        pending = connection.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]
    return sorted(r[0] for r in rows), pending


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", default="/tmp/bench/content")
    parser.add_argument("--order-api", default=os.path.join(os.path.dirname(HERE), ".build", "release", "order-api"))
    parser.add_argument("--sandbox", default=os.path.join(os.path.dirname(HERE), ".build", "release", "payment-sandbox"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paced", type=int, default=300)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="notify-bench-")
    mail_port = free_port()
    sandbox = subprocess.Popen([args.sandbox, "--port", str(free_port()), "--mail-port", str(mail_port)],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "sandbox.log"), "w"))
    sink = Sink()
    sink.start()
    sink.ready.wait(10)
    skus, sku_file = skus_of(args.content, workdir)
    print(f"# Notification cost\nmachine: {os.cpu_count()} cores; wrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
          f"{args.runs} alternating runs per mode; content {args.content}")
    rates = {"off": [], "on": []}
    backlog = []
    try:
        for run in range(args.runs):
            for mode in ("off", "on"):
                server = start(mode, args, workdir, mail_port, sink)
                result = wrk(server.base + "/order", os.path.join(HERE, "wrk", "post_order.lua"), args, {"BENCH_SKUS": sku_file})
                rates[mode].append(result["ok_rate"])
                if mode == "on":
                    backlog.append(latencies(server.db)[1])
                server.stop()
                print(f"  run {run + 1} {mode:>3}: POST /order {result['ok_rate']:.0f} acknowledged/s (load {result['load']:.2f})", flush=True)
        # Commit to attempt at a shop's pace.
        server = start("on", args, workdir, mail_port, sink)
        for i in range(args.paced):
            post_json(server.base + "/order", {
                "items": [{"sku": skus[i % len(skus)], "quantity": 1}], "paymentMethod": "cash_on_delivery",
                "customer": {"name": "王小明", "email": f"paced-{i}@example.com", "phone": "0912345678"},
                "shipping": {"postalCode": "741", "city": "台南市", "address": "頭社里 88 號"}})
            time.sleep(0.02)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and latencies(server.db)[1] > 0:
            time.sleep(0.2)
        times, pending = latencies(server.db)
        server.stop()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"\n| POST /order | acknowledged/s, median (min-max) |\n|---|---|\n| notifications off | {summary(rates['off'])} |\n"
          f"| notifications on (2 e-mails + 1 webhook per order) | {summary(rates['on'])} |\n\n"
          f"on/off: {on / off:.3f} ({(on / off - 1) * 100:+.1f} %); deliveries still pending right after each 'on' wrk run "
          f"(drained afterwards): {backlog}")
    print(f"commit to sent (first attempt), {len(times)} deliveries at ~50 orders/s: p50 {p(0.5)} ms, p95 {p(0.95)} ms, max {times[-1]} ms; "
          f"pending after 60 s: {pending}; webhook posts received in all: {sink.count}")


if __name__ == "__main__":
    main()
