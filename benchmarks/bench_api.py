#!/usr/bin/env python3
"""Order API benchmark: wrk on loopback against a release build of order-api.

Usage: bench_api.py [--content DIR] [--runs 3] [--readiness-runs N] [--cold-start-runs N] [--duration 10] [--connections 64]
                    [--threads 2] [--distinct 30000] [--order-api BIN] [--json OUT]

Measures, each over --runs wrk runs (median, min-max):
  - time from process start to the first 200 from GET /readyz (with the given catalog);
  - the ceiling: GET /healthz, a trivial route in the same binary;
  - GET /order?id=…&contact=… for orders placed before the run (answered from memory after the
    first lookup), and after each POST run for --distinct orders drawn from the database, more than
    the answer cache holds (20,000), so that most lookups read the database;
  - POST /order with valid, distinct orders (cash on delivery, one unit of an in-stock SKU), the
    database in WAL mode with synchronous=FULL: acknowledged (201) orders per second, p50/p99/p99.9;
  - resident memory at idle and the peak under load (/proc/PID/status);
  - the load average (1 minute) before each wrk run, since the machine may be shared;
and afterwards checks the database: a row for every acknowledged order, and no stock row oversold
(available >= 0 and received = available + reserved + sold).
"""
import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


class Server:
    def __init__(self, binary, content, workdir):
        self.port = free_port()
        self.db = os.path.join(workdir, "orders.sqlite")
        env = dict(os.environ, ORDER_API_RATE_LIMIT="0", LOG_LEVEL="warning", ORDER_API_PORT=str(self.port),
                   ORDER_API_CONTENT=content, ORDER_API_DB=self.db, ORDER_API_SITE_STATUS=os.path.join(REPO, "site-status.json"))
        self.command = f"ORDER_API_RATE_LIMIT=0 LOG_LEVEL=warning {binary} serve --port {self.port} --content {content} --db {self.db}"
        start = time.monotonic()
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "server.log"), "w"))
        self.base = f"http://127.0.0.1:{self.port}"
        while True:
            if self.process.poll() is not None:
                sys.exit(f"order-api exited with {self.process.returncode}; see {workdir}/server.log")
            try:
                status, _ = get(self.base + "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.005)
        self.ready_seconds = time.monotonic() - start

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url, script, args, env_extra, sampler=None):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s", "--latency", "-s", script, url]
    env = dict(os.environ, **env_extra)
    stop = threading.Event()
    peak = [0.0]

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], sampler())
            time.sleep(0.2)

    thread = threading.Thread(target=sample) if sampler else None
    if thread:
        thread.start()
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    stop.set()
    if thread:
        thread.join()
    match = re.search(r"BENCH_JSON (\{.*\})", proc.stdout)
    if proc.returncode != 0 or not match:
        sys.exit(f"wrk failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(match.group(1))
    seconds = result["duration_us"] / 1e6
    ok = sum(n for code, n in result["statuses"].items() if code.startswith("2"))
    result.update(rate=result["requests"] / seconds, ok_rate=ok / seconds, ok=ok, peak_rss_mb=peak[0], command=" ".join(cmd), load=load)
    return result


def distinct_lookups(db, path_file, count):
    """Writes GET /order paths for `count` random stored orders (by e-mail); returns how many."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT id, customer_email FROM orders ORDER BY random() LIMIT ?", (count,)).fetchall()
    with open(path_file, "w") as f:
        f.write("".join(f"/order?id={id}&contact={urllib.parse.quote(email, safe='@')}\n" for id, email in rows))
    return len(rows)


def summary(values, unit="", digits=0):
    return f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", default="/tmp/storefront-bench/sf-100000/content")
    parser.add_argument("--order-api", default=os.path.join(REPO, ".build", "release", "order-api"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readiness-runs", type=int, help="start-to-ready measurements (default: --runs)")
    parser.add_argument("--cold-start-runs", type=int, default=0, help="first starts after dropping the page cache (root only)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=30000, help="orders in the many-orders GET run (0 skips it)")
    parser.add_argument("--json")
    args = parser.parse_args()
    if not os.path.isdir(args.content):
        sys.exit(f"{args.content} does not exist: run bench_generator.py first (or pass --content)")
    workdir = tempfile.mkdtemp(prefix="order-api-bench-")
    print(f"# Order API benchmark\nmachine: {os.cpu_count()} cores; wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback; {args.runs} runs each")
    # Start to ready: the first start creates the database and a stock row per product; later
    # starts (restarts, deploys) open the existing database.
    readiness = []
    fresh = []
    for _ in range(args.runs if args.readiness_runs is None else args.readiness_runs):
        directory = tempfile.mkdtemp(dir=workdir)
        for attempt in range(2):
            server = Server(args.order_api, args.content, directory)
            (fresh if attempt == 0 else readiness).append(server.ready_seconds)
            if attempt == 0:
                # A server that has run for a moment has written its content cache (after it became
                # ready); a restart, or a deploy, finds it.
                deadline = time.monotonic() + 30
                while not os.path.exists(server.db + ".content-cache") and time.monotonic() < deadline:
                    time.sleep(0.05)
            server.stop()
    # The first start after a boot: the content files, the cache and the binary are not in the page
    # cache. Needs root (/proc/sys/vm/drop_caches); skipped otherwise.
    cold = []
    for _ in range(args.cold_start_runs):
        try:
            subprocess.run(["sync"], check=True)
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")
        except OSError as error:
            print(f"cold starts skipped: {error}")
            break
        server = Server(args.order_api, args.content, tempfile.mkdtemp(dir=workdir))
        cold.append(server.ready_seconds)
        server.stop()
    server = Server(args.order_api, args.content, workdir)
    print(f"server: {server.command}")
    if readiness:
        print(f"start to ready (GET /readyz 200): restart with an existing database {summary(readiness, ' s', 3)}; "
              f"first start (new database, {len(os.listdir(os.path.join(args.content, 'products'))):,} stock rows) {summary(fresh, ' s', 3)}")
    if cold:
        print(f"first start with a cold page cache (after drop_caches): {summary(cold, ' s', 3)}")
    time.sleep(1)
    idle = rss_mb(server.process.pid)
    # SKUs with plenty of stock, read from the content files, and orders to look up.
    skus = []
    for name in sorted(os.listdir(os.path.join(args.content, "products")))[:20000]:
        with open(os.path.join(args.content, "products", name)) as f:
            text = f.read(2000)
        stock = re.search(r"^stock: (\d+)", text, re.M)
        sku = re.search(r"^sku: (\S+)", text, re.M)
        if sku and stock and int(stock.group(1)) >= 150:
            skus.append(sku.group(1))
        # A product with options: each variant's line (`- {sku: X, ..., stock: N}`).
        for variant in re.finditer(r"^\s*- \{sku: ([^,\s]+),.*\bstock: (\d+)", text, re.M):
            if int(variant.group(2)) >= 150:
                skus.append(variant.group(1))
    sku_file = os.path.join(workdir, "skus.txt")
    with open(sku_file, "w") as f:
        f.write("\n".join(skus) + "\n")
    lookups = []
    for i in range(200):
        email = f"lookup-{i}@example.com"
        status, answer = post_json(server.base + "/order", {
            "items": [{"sku": skus[i], "quantity": 1}], "paymentMethod": "cash_on_delivery",
            "customer": {"name": "Lookup", "email": email, "phone": "0912345678"},
            "shipping": {"postalCode": "741", "city": "Tainan", "address": "88 Toushe Road"}})
        lookups.append(f"/order?id={answer['order']['id']}&contact={email}")
    path_file = os.path.join(workdir, "paths.txt")
    with open(path_file, "w") as f:
        f.write("\n".join(lookups) + "\n")
    sampler = lambda: rss_mb(server.process.pid)  # noqa: E731
    results = {"healthz": [], "get_order": [], "post_order": [], "get_distinct": []}
    distinct_file = os.path.join(workdir, "distinct.txt")
    for run in range(args.runs):
        results["healthz"].append(wrk(server.base + "/healthz", os.path.join(HERE, "wrk", "get.lua"), args, {"BENCH_PATHS": ""}, sampler))
        results["get_order"].append(wrk(server.base + "/order", os.path.join(HERE, "wrk", "get.lua"), args, {"BENCH_PATHS": path_file}, sampler))
        results["post_order"].append(wrk(server.base + "/order", os.path.join(HERE, "wrk", "post_order.lua"), args, {"BENCH_SKUS": sku_file}, sampler))
        if args.distinct:
            drawn = distinct_lookups(server.db, distinct_file, args.distinct)
            results["get_distinct"].append(wrk(server.base + "/order", os.path.join(HERE, "wrk", "get.lua"), args, {"BENCH_PATHS": distinct_file}, sampler))
            results["get_distinct"][-1]["orders"] = drawn
            print(f"  run {run + 1}: GET /order over {drawn:,} distinct orders {results['get_distinct'][-1]['ok_rate']:.0f}/s "
                  f"(load {results['get_distinct'][-1]['load']:.2f}), peak RSS {results['get_distinct'][-1]['peak_rss_mb']:.0f} MB", flush=True)
        print(f"  run {run + 1}: healthz {results['healthz'][-1]['rate']:.0f}/s (load {results['healthz'][-1]['load']:.2f}), "
              f"GET /order {results['get_order'][-1]['ok_rate']:.0f}/s (load {results['get_order'][-1]['load']:.2f}), "
              f"POST /order {results['post_order'][-1]['ok_rate']:.0f} acknowledged/s (load {results['post_order'][-1]['load']:.2f})", flush=True)
    after = rss_mb(server.process.pid)
    server.stop()
    # The database after the runs: every acknowledged order is there, and nothing is oversold.
    acknowledged = sum(r["ok"] for r in results["post_order"]) + len(lookups)
    with sqlite3.connect(server.db) as db:
        orders = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        oversold = db.execute("SELECT COUNT(*) FROM stock WHERE available < 0 OR received != available + reserved + sold").fetchone()[0]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    ceiling = statistics.median(r["rate"] for r in results["healthz"])
    print("\n| endpoint | rate/s, median (min-max) | fraction of ceiling | p50 | p99 | p99.9 | non-2xx | load avg (1 min) |\n|---|---|---|---|---|---|---|---|")
    rows = [("healthz", "GET /healthz (ceiling)", "rate"), ("get_order", "GET /order (200 orders)", "ok_rate"),
            ("post_order", "POST /order (acknowledged)", "ok_rate"), ("get_distinct", f"GET /order ({min((r['orders'] for r in results['get_distinct']), default=0):,}+ distinct orders)", "ok_rate")]
    for key, label, field in rows:
        runs = results[key]
        if not runs:
            continue
        rates = [r[field] for r in runs]
        bad = sum(r["requests"] - r["ok"] for r in runs)
        print(f"| {label} | {summary(rates)} | {statistics.median(rates) / ceiling:.2f} | {statistics.median(r['p50_us'] for r in runs) / 1000:.2f} ms | "
              f"{statistics.median(r['p99_us'] for r in runs) / 1000:.2f} ms | {statistics.median(r['p999_us'] for r in runs) / 1000:.2f} ms | {bad} | "
              f"{summary([r['load'] for r in runs], digits=2)} |")
    peak = max(r["peak_rss_mb"] for rs in results.values() for r in rs)
    print(f"\nresident memory: idle {idle:.0f} MB, peak under load {peak:.0f} MB, after the runs {after:.0f} MB")
    if results["get_distinct"]:
        print(f"resident memory during the distinct-orders runs (answer cache filling to its limit): peak "
              f"{summary([r['peak_rss_mb'] for r in results['get_distinct']], ' MB')}")
    print(f"database: journal_mode={mode}; {orders} orders stored for {acknowledged} acknowledged; stock rows oversold or unbalanced: {oversold}")
    # Orders in flight when wrk stops may commit without being counted, so the database may hold a
    # few more than were acknowledged, never fewer.
    if orders < acknowledged or oversold:
        sys.exit("the database lost acknowledged orders or oversold stock")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ready_seconds": readiness, "first_start_seconds": fresh, "cold_first_start_seconds": cold, "idle_rss_mb": idle, "peak_rss_mb": peak, "results": results, "orders": orders}, f, indent=1)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
