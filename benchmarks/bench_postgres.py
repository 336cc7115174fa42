#!/usr/bin/env python3
"""Order API on PostgreSQL, two instances on one database, against one instance on SQLite.

Usage: bench_postgres.py --order-api BIN --content DIR [--pools 4,10,20] [--duration 10] [--connections 64]
                         [--runs 1] [--readiness-runs 3] [--json OUT]

Builds nothing: BIN is a release order-api (`swift build -c release --product order-api`), DIR a
content folder (e.g. ../shared/bench/make-catalog.py DIR/.. 100000 plus content/store.json and
content/pages, as bench_api.py's `make bench-api` prepares it).

Starts a throwaway PostgreSQL 15 cluster (scripts/pg-cluster.sh, fsync on, synchronous_commit on)
in a temporary directory, and for each pool size a fresh database with two order-api instances
on it (own ports and working directories, --rate-limit 0, --db-pool N). Measures with two wrk
processes at once, one per instance, each with half of --connections:
  - GET /order for orders placed before the run (both instances' answers summed);
  - POST /order with valid, distinct orders (cash on delivery, one unit of an in-stock SKU):
    acknowledged (201) orders per second summed over both instances, p50/p99 (the worse of the
    two wrk processes);
  - the CPU seconds spent meanwhile by the order-api processes, by PostgreSQL's processes and by
    wrk (/proc/PID/stat), per acknowledged order;
then, in the same run, one order-api instance on SQLite (same binary, same content, one wrk with
--connections), and start to ready (first GET /readyz 200) on PostgreSQL and on SQLite: the first
start (a new database, one stock row per product) and a restart on the existing database.
Afterwards checks every database: a row for every acknowledged order, every stock row balanced.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from bench_api import free_port, get, post_json

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PG_CLUSTER = os.path.join(REPO, "scripts", "pg-cluster.sh")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / TICK


class Cluster:
    """A throwaway PostgreSQL cluster (pg-cluster.sh), one database per use."""

    def __init__(self, directory):
        self.dir = directory
        self.url = subprocess.run([PG_CLUSTER, "start", directory], check=True, capture_output=True, text=True).stdout.strip()
        self.port = int(re.search(r":(\d+)/", self.url).group(1))

    def psql(self, sql, database="shop"):
        out = subprocess.run(["psql", "-h", self.dir, "-p", str(self.port), "-U", "storefront", "-d", database, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def new_database(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name}")
        self.psql(f"CREATE DATABASE {name}")
        return self.url.replace("/shop?", f"/{name}?")

    def server_pids(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        pids = [postmaster]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                            pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def stop(self):
        subprocess.run([PG_CLUSTER, "stop", self.dir], check=False, capture_output=True)


class Server:
    """One order-api serve in its own working directory (its content cache goes there on PostgreSQL)."""

    def __init__(self, binary, content, workdir, db, pool=None):
        os.makedirs(workdir, exist_ok=True)
        self.port = free_port()
        self.workdir = workdir
        self.args = [binary, "serve", "--port", str(self.port), "--content", content, "--db", db, "--rate-limit", "0",
                     "--site-status", os.path.join(REPO, "site-status.json")]
        if pool is not None:
            self.args += ["--db-pool", str(pool)]
        self.command = "LOG_LEVEL=warning " + " ".join(self.args)
        start = time.monotonic()
        self.process = subprocess.Popen(self.args, cwd=workdir, env=dict(os.environ, LOG_LEVEL="warning", ADMIN_TOKEN=ADMIN_TOKEN),
                                        stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(workdir, "server.log"), "a"))
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = start + 300
        while True:
            if self.process.poll() is not None:
                sys.exit(f"order-api exited with {self.process.returncode}; see {workdir}/server.log")
            if time.monotonic() > deadline:
                self.stop()
                sys.exit(f"order-api not ready after 300 s; see {workdir}/server.log")
            try:
                if get(self.base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.005)
        self.ready_seconds = time.monotonic() - start

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk_command(url, script, connections, args):
    return ["wrk", "-t", "1", "-c", str(connections), "-d", f"{args.duration}s", "--latency", "-s", script, url]


def wrk_parallel(jobs, cpu_groups):
    """Runs the wrk processes of `jobs` ([(cmd, env)]) at once; returns their results and the CPU
    seconds each group of pids in `cpu_groups` ({name: callable → pids}) spent meanwhile."""
    load = os.getloadavg()[0]
    groups = {name: pids() for name, pids in cpu_groups.items()}
    before = {name: cpu_seconds(pids) for name, pids in groups.items()}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **env)) for cmd, env in jobs]
    wrk_cpu = [0.0] * len(procs)
    stop = threading.Event()

    def sample():  # wrk's own CPU, read before it exits
        while not stop.is_set():
            for i, p in enumerate(procs):
                wrk_cpu[i] = max(wrk_cpu[i], cpu_seconds([p.pid]))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    outputs = [p.communicate() for p in procs]
    stop.set()
    sampler.join()
    after = {name: cpu_seconds(pids) for name, pids in groups.items()}
    results = []
    for (cmd, env), p, (stdout, stderr) in zip(jobs, procs, outputs):
        match = re.search(r"BENCH_JSON (\{.*\})", stdout)
        if p.returncode != 0 or not match:
            sys.exit(f"wrk failed: {' '.join(cmd)}\n{stdout}\n{stderr}")
        result = json.loads(match.group(1))
        seconds = result["duration_us"] / 1e6
        ok = sum(n for code, n in result["statuses"].items() if code.startswith("2"))
        result.update(rate=result["requests"] / seconds, ok_rate=ok / seconds, ok=ok, seconds=seconds,
                      command=" ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(cmd))
        results.append(result)
    cpu = {name: after[name] - before[name] for name in groups}
    cpu["wrk"] = sum(wrk_cpu)
    ok = sum(r["ok"] for r in results)
    return {"runs": results, "ok_rate": sum(r["ok_rate"] for r in results), "ok": ok, "requests": sum(r["requests"] for r in results),
            "p50_us": max(r["p50_us"] for r in results), "p99_us": max(r["p99_us"] for r in results), "p999_us": max(r["p999_us"] for r in results),
            "non2xx": sum(r["requests"] - r["ok"] for r in results), "statuses": [r["statuses"] for r in results],
            "cpu": cpu, "cpu_ms_per_ok": {k: 1000 * v / ok if ok else 0 for k, v in cpu.items()}, "load": load}


ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"


def admin(method, url, body=None):
    """An admin API call: (status, parsed JSON)."""
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def price_on(server, sku):
    _, answer = admin("GET", server.base + "/admin/products?q=" + urllib.parse.quote(sku))
    return next((p["priceMinor"] for p in answer["products"] if p["sku"] == sku), None)


def broadcast_latency(servers, sku, runs):
    """Seconds from an admin price edit answered by one instance to the other pricing at the new
    price (its catalog reloaded after the LISTEN/NOTIFY announcement). The price is put back after."""
    original = price_on(servers[0], sku)
    seconds, answered = [], []
    for run in range(runs):
        new_minor = original + 1 + run
        started = time.monotonic()
        status, _ = admin("PATCH", servers[0].base + "/admin/products/" + sku, {"price": str(new_minor)})
        assert status == 200
        answered.append(time.monotonic() - started)
        while price_on(servers[1], sku) != new_minor:
            if time.monotonic() - started > 30:
                sys.exit("the other instance did not reprice within 30 s")
            time.sleep(0.002)
        seconds.append(time.monotonic() - started)
    admin("PATCH", servers[0].base + "/admin/products/" + sku, {"price": str(original)})
    return seconds, answered


def order_body(sku, email):
    return {"items": [{"sku": sku, "quantity": 1}], "paymentMethod": "cash_on_delivery",
            "customer": {"name": "Lookup", "email": email, "phone": "0912345678"},
            "shipping": {"postalCode": "741", "city": "Tainan", "address": "88 Toushe Road"}}


def in_stock_skus(content, count=20000):
    skus = []
    for name in sorted(os.listdir(os.path.join(content, "products")))[:count]:
        with open(os.path.join(content, "products", name)) as f:
            text = f.read(600)
        stock = re.search(r"^stock: (\d+)", text, re.M)
        sku = re.search(r"^sku: (\S+)", text, re.M)
        if sku and stock and int(stock.group(1)) >= 300:
            skus.append(sku.group(1))
    return skus


def place_lookups(servers, skus, path_file, tag):
    lookups = []
    for i in range(200):
        email = f"lookup-{tag}-{i}@example.com"
        _, answer = post_json(servers[i % len(servers)].base + "/order", order_body(skus[i], email))
        lookups.append(f"/order?id={answer['order']['id']}&contact={urllib.parse.quote(email, safe='@')}")
    with open(path_file, "w") as f:
        f.write("\n".join(lookups) + "\n")
    return len(lookups)


def fmt(result, label):
    cpu = result["cpu_ms_per_ok"]
    return (f"| {label} | {result['ok_rate']:.0f} | {result['p50_us'] / 1000:.2f} ms | {result['p99_us'] / 1000:.2f} ms | "
            f"{result['p999_us'] / 1000:.2f} ms | {result['non2xx']} | {cpu.get('order-api', 0):.2f} / {cpu.get('postgres', 0):.2f} / {cpu.get('wrk', 0):.2f} | "
            f"{result['load']:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--order-api", required=True, help="a release order-api binary")
    parser.add_argument("--content", required=True)
    parser.add_argument("--pools", default="4,10,20", help="PostgreSQL pool sizes (--db-pool) to measure, comma separated")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64, help="wrk connections in all (split over the two instances)")
    parser.add_argument("--runs", type=int, default=1, help="GET and POST runs per configuration")
    parser.add_argument("--readiness-runs", type=int, default=3, help="start-to-ready measurements per database (0 skips them)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--broadcast-runs", type=int, default=5, help="admin price edits timed until the other instance prices them (0 skips)")
    parser.add_argument("--json")
    args = parser.parse_args()
    binary = os.path.abspath(args.order_api)
    content = os.path.abspath(args.content)
    if not os.path.isdir(os.path.join(content, "products")):
        sys.exit(f"{content}/products does not exist (see --help)")
    products = len(os.listdir(os.path.join(content, "products")))
    work = tempfile.mkdtemp(prefix="pg-bench-")
    # A short path of its own for the cluster (Unix socket path limit), reachable by the postgres user.
    cluster_dir = tempfile.mkdtemp(prefix="pgb-", dir="/tmp")
    os.rmdir(cluster_dir)
    cluster = Cluster(cluster_dir)
    servers = []
    report = {"products": products, "pools": {}, "sqlite": {}, "ready": {}}
    try:
        print(f"# Order API on PostgreSQL, two instances\nmachine: {os.cpu_count()} cores; {products:,} products; "
              f"wrk -t1 -c{args.connections // 2} -d{args.duration}s per instance (SQLite: one wrk -c{args.connections}); "
              f"cluster: {cluster.url} (fsync=on, synchronous_commit=on); PostgreSQL {cluster.psql('SHOW server_version')}", flush=True)
        skus = in_stock_skus(content)
        sku_file = os.path.join(work, "skus.txt")
        with open(sku_file, "w") as f:
            f.write("\n".join(skus) + "\n")
        get_lua = os.path.join(HERE, "wrk", "get.lua")
        post_lua = os.path.join(HERE, "wrk", "post_order.lua")
        half = max(1, args.connections // 2)
        api_pids = lambda: [s.process.pid for s in servers]  # noqa: E731
        groups = {"order-api": api_pids, "postgres": cluster.server_pids}

        # Start to ready, PostgreSQL vs SQLite: a first start (new database) and a restart.
        for kind in ("postgres", "sqlite") if args.readiness_runs > 0 else ():
            fresh, restart = [], []
            for run in range(args.readiness_runs):
                directory = os.path.join(work, f"ready-{kind}-{run}")
                db = cluster.new_database(f"ready{run}") if kind == "postgres" else os.path.join(directory, "orders.sqlite")
                for attempt in range(2):
                    server = Server(binary, content, directory, db, pool=10 if kind == "postgres" else None)
                    (fresh if attempt == 0 else restart).append(server.ready_seconds)
                    if attempt == 0:
                        # Let it write its content cache (after ready), as a restart or a deploy finds it.
                        cache = os.path.join(directory, "data", "content.cache") if kind == "postgres" else db + ".content-cache"
                        deadline = time.monotonic() + 60
                        while not os.path.exists(cache) and time.monotonic() < deadline:
                            time.sleep(0.05)
                        time.sleep(0.5)
                    server.stop()
                if kind == "postgres":
                    cluster.psql(f"DROP DATABASE ready{run}")
            report["ready"][kind] = {"first": fresh, "restart": restart, "command": server.command}
            print(f"start to ready on {kind}: first start (new database, {products:,} stock rows) median {statistics.median(fresh):.3f} s "
                  f"({min(fresh):.3f}-{max(fresh):.3f}); restart median {statistics.median(restart):.3f} s ({min(restart):.3f}-{max(restart):.3f})",
                  flush=True)

        # Two instances on PostgreSQL, per pool size.
        for pool in [int(p) for p in args.pools.split(",")]:
            url = cluster.new_database(f"bench{pool}")
            servers[:] = [Server(binary, content, os.path.join(work, f"pg{pool}-{name}"), url, pool=pool) for name in ("a", "b")]
            print(f"pool {pool}: {servers[0].command}  (and the same on port {servers[1].port})", flush=True)
            paths = os.path.join(work, f"paths-{pool}.txt")
            placed = place_lookups(servers, skus, paths, f"pg{pool}")
            entry = {"get": [], "post": [], "commands": [s.command for s in servers]}
            for run in range(args.runs):
                entry["get"].append(wrk_parallel([(wrk_command(s.base + "/order", get_lua, half, args), {"BENCH_PATHS": paths}) for s in servers], groups))
                entry["post"].append(wrk_parallel(
                    [(wrk_command(s.base + "/order", post_lua, half, args), {"BENCH_SKUS": sku_file, "BENCH_TAG": f"p{pool}r{run}{name}-"})
                     for s, name in zip(servers, "ab")], groups))
                print(f"  run {run + 1}: GET /order {entry['get'][-1]['ok_rate']:.0f}/s, POST /order {entry['post'][-1]['ok_rate']:.0f} acknowledged/s "
                      f"p99 {entry['post'][-1]['p99_us'] / 1000:.1f} ms; CPU ms per order: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in entry["post"][-1]["cpu_ms_per_ok"].items()), flush=True)
            if args.broadcast_runs:
                latency, answered = broadcast_latency(servers, skus[0], args.broadcast_runs)
                entry["price_edit_to_other_instance_s"] = latency
                entry["price_edit_answered_s"] = answered
                print(f"  price edit on one instance to the other pricing it: median {statistics.median(latency) * 1000:.0f} ms, "
                      f"max {max(latency) * 1000:.0f} ms ({len(latency)} edits; the PATCH itself answered in a median "
                      f"{statistics.median(answered) * 1000:.0f} ms)", flush=True)
            for s in servers:
                s.stop()
            servers.clear()
            acknowledged = placed + sum(r["ok"] for r in entry["post"])
            database = f"bench{pool}"
            orders = int(cluster.psql("SELECT count(*) FROM orders", database))
            unbalanced = int(cluster.psql("SELECT count(*) FROM stock WHERE available < 0 OR received <> available + reserved + sold", database))
            reserved_mismatch = int(cluster.psql(
                "SELECT count(*) FROM stock s WHERE reserved <> coalesce((SELECT sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE l.sku = s.sku AND o.status = 'created'), 0)", database))
            entry.update(orders=orders, acknowledged=acknowledged, unbalanced=unbalanced, reserved_mismatch=reserved_mismatch)
            print(f"  database: {orders} orders for {acknowledged} acknowledged; stock rows unbalanced {unbalanced}, reserved != open lines {reserved_mismatch}",
                  flush=True)
            if orders < acknowledged or unbalanced or reserved_mismatch:
                sys.exit("PostgreSQL lost acknowledged orders or unbalanced stock")
            cluster.psql(f"DROP DATABASE bench{pool}")
            report["pools"][pool] = entry

        # One instance on SQLite, same binary and content, the same connections in all.
        if not args.skip_sqlite:
            directory = os.path.join(work, "sqlite")
            db = os.path.join(directory, "orders.sqlite")
            servers[:] = [Server(binary, content, directory, db)]
            print(f"sqlite: {servers[0].command}", flush=True)
            paths = os.path.join(work, "paths-sqlite.txt")
            placed = place_lookups(servers, skus, paths, "sqlite")
            entry = {"get": [], "post": [], "commands": [servers[0].command]}
            sqlite_groups = {"order-api": api_pids}
            for run in range(args.runs):
                base = servers[0].base
                entry["get"].append(wrk_parallel([(wrk_command(base + "/order", get_lua, args.connections, args), {"BENCH_PATHS": paths})], sqlite_groups))
                entry["post"].append(wrk_parallel(
                    [(wrk_command(base + "/order", post_lua, args.connections, args), {"BENCH_SKUS": sku_file, "BENCH_TAG": f"s{run}-"})], sqlite_groups))
                print(f"  run {run + 1}: GET /order {entry['get'][-1]['ok_rate']:.0f}/s, POST /order {entry['post'][-1]['ok_rate']:.0f} acknowledged/s "
                      f"p99 {entry['post'][-1]['p99_us'] / 1000:.1f} ms", flush=True)
            servers[0].stop()
            servers.clear()
            with sqlite3.connect(db) as connection:
                orders = connection.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
                unbalanced = connection.execute("SELECT COUNT(*) FROM stock WHERE available < 0 OR received != available + reserved + sold").fetchone()[0]
            acknowledged = placed + sum(r["ok"] for r in entry["post"])
            entry.update(orders=orders, acknowledged=acknowledged, unbalanced=unbalanced)
            if orders < acknowledged or unbalanced:
                sys.exit("SQLite lost acknowledged orders or unbalanced stock")
            report["sqlite"] = entry

        print("\n| configuration | rate/s (2xx) | p50 | p99 | p99.9 | non-2xx | CPU ms per answer: order-api / postgres / wrk | load avg |\n"
              "|---|---|---|---|---|---|---|---|")
        for pool, entry in report["pools"].items():
            for r in entry["get"]:
                print(fmt(r, f"PostgreSQL, 2 instances, pool {pool}: GET /order"))
            for r in entry["post"]:
                print(fmt(r, f"PostgreSQL, 2 instances, pool {pool}: POST /order"))
        if report["sqlite"]:
            for r in report["sqlite"]["get"]:
                print(fmt(r, "SQLite, 1 instance: GET /order"))
            for r in report["sqlite"]["post"]:
                print(fmt(r, "SQLite, 1 instance: POST /order"))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(report, f, indent=1)
    finally:
        for s in servers:
            s.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
