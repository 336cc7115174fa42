"""Crash harness for the order API on PostgreSQL: a throwaway cluster (scripts/pg-cluster.sh), two
order-api instances on one database, shoppers placing orders with Idempotency-Keys over both, and
the two kinds of crash: SIGKILL of an instance (restarted) and `pg_ctl stop -m immediate` of
PostgreSQL (started again; the instances are left running and must recover by themselves).

Used by test_postgres_crash.py and by benchmarks/pg_crash.py (bigger numbers)."""
from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from orderapi import ADMIN_TOKEN, ORIGIN, expected_total, order_body, random_items, request, send, write_shop
from support import free_port  # importable once orderapi is (it puts Tests/python on the path)

REPO = Path(__file__).resolve().parents[3]
PG_CLUSTER = REPO / "scripts" / "pg-cluster.sh"
# How long any one request may take, whatever happens to the instance or the database: the
# database deadline is 4 s, so an answer later than this means a hang.
HANG_SECONDS = 6.0


class PostgresMissing(Exception):
    """pg-cluster.sh said PostgreSQL 15 is not installed and could not be (exit status 3)."""


class Cluster:
    """A throwaway PostgreSQL cluster in a short directory under /tmp (Unix socket path limit),
    reachable by the `postgres` user when we are root. `stop()` removes it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pgc-", dir="/tmp")
        done = subprocess.run([str(PG_CLUSTER), "start", self.dir], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            if done.returncode == 3:
                raise PostgresMissing(done.stderr)
            raise RuntimeError(f"pg-cluster.sh start failed ({done.returncode}): {done.stderr}")
        self.url = done.stdout.strip()
        self.port = int(re.search(r":(\d+)/", self.url).group(1))

    def pg_ctl(self, *args: str) -> None:
        subprocess.run([str(PG_CLUSTER), "pg_ctl", self.dir, *args], check=True, capture_output=True, timeout=90)

    def crash(self) -> None:
        """PostgreSQL dies as in a power cut for its processes: no checkpoint, crash recovery at the next start."""
        self.pg_ctl("stop", "-m", "immediate")

    def start(self) -> None:
        self.pg_ctl("start")

    def rows(self, sql: str) -> list[list[str]]:
        """The rows of `sql` as lists of text (psql unaligned, `|` between fields), over the cluster's socket."""
        out = subprocess.run(
            ["psql", "-h", self.dir, "-p", str(self.port), "-U", "storefront", "-d", "shop", "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, text=True, timeout=60)
        return [line.split("|") for line in out.stdout.splitlines() if line]

    def stop(self) -> None:
        subprocess.run([str(PG_CLUSTER), "stop", self.dir], capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


class Instance:
    """One `order-api serve` on the cluster, on its own port and in its own working directory
    (its content cache goes there on PostgreSQL); kept on the same port over restarts."""

    def __init__(self, binary: Path, root: Path, name: str, url: str, port: int, pool: int):
        self.binary, self.root, self.name, self.url, self.port, self.pool = binary, root, name, url, port, pool
        self.workdir = root / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = root / f"order-api-{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Instance":
        env = dict(os.environ, ADMIN_TOKEN=ADMIN_TOKEN, ORDER_API_RATE_LIMIT="0", LOG_LEVEL="warning", ALLOWED_ORIGINS=ORIGIN)
        command = [str(self.binary), "serve", "--port", str(self.port), "--content", str(self.root / "content"),
                   "--site-status", str(self.root / "site-status.json"), "--db", self.url, "--db-pool", str(self.pool), "--rate-limit", "0"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir)
        self.wait_ready(200, timeout)
        return self

    def readyz(self) -> int:
        try:
            return request("GET", self.base + "/readyz", timeout=HANG_SECONDS)[0]
        except OSError:
            return 0

    def wait_ready(self, status: int, timeout: float) -> None:
        """Waits until /readyz answers `status` (the process must stay up meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"order-api {self.name} exited with {self.process.returncode}: {self.log_tail()}")
            if self.readyz() == status:
                return
            time.sleep(0.05)
        raise AssertionError(f"order-api {self.name}: /readyz never answered {status} within {timeout} s: {self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Ledger:
    """What the shoppers were told: every acknowledged order by Idempotency-Key, and how the rest went."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked: dict[str, dict] = {}
        self.unavailable = 0  # 503 database_unavailable answers (retried with the same key)
        self.connection_retries = 0  # requests resent (to the other instance) after the connection died
        self.replays = 0  # retries answered as replays: the first attempt had committed
        self.slowest = 0.0  # the longest any one request took, seconds
        self.problems: list[str] = []
        self.hangs: list[tuple[float, float, str]] = []  # (started, ended, what) of requests slower than HANG_SECONDS
        self.began = time.monotonic()

    def snapshot(self) -> dict[str, dict]:
        with self.lock:
            return dict(self.acked)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


class Shopper(threading.Thread):
    """Places orders back to back with Idempotency-Keys. A request whose connection died is resent
    with the same key and body to the other instance; one answered 503 database_unavailable is
    resent with the same key after a short pause. Gives up on an order only when told to stop and
    `give_up` has passed."""

    def __init__(self, instances: list[Instance], ledger: Ledger, seed: int, stop: threading.Event, products: dict, give_up: list[float]):
        super().__init__(daemon=True)
        self.instances, self.ledger, self.rng, self.stop, self.products, self.give_up = instances, ledger, random.Random(seed), stop, products, give_up
        self.target = seed % len(instances)
        self.connection: http.client.HTTPConnection | None = None

    def run(self):
        while not self.stop.is_set():
            items = random_items(self.rng, self.products)
            self.place(items, order_body(items), str(uuid.uuid4()))
        if self.connection is not None:
            self.connection.close()

    def _drop(self):
        if self.connection is not None:
            self.connection.close()
        self.connection = None

    def place(self, items, body, key):
        retried = False
        while True:
            if self.stop.is_set() and time.monotonic() > self.give_up[0]:
                with self.ledger.lock:
                    self.ledger.problems.append(f"key {key}: no answer before the end")
                return
            instance = self.instances[self.target]
            started = time.monotonic()
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=15)
                status, headers, data = send(self.connection, "POST", "/order", body, {"Idempotency-Key": key})
            except (OSError, http.client.HTTPException):
                self._note(time.monotonic() - started, key, instance, "connection error")
                self._drop()
                self.target = (self.target + 1) % len(self.instances)
                with self.ledger.lock:
                    self.ledger.connection_retries += 1
                retried = True
                time.sleep(0.02)
                continue
            self._note(time.monotonic() - started, key, instance, status)
            if status == 503:
                code = _code(data)
                with self.ledger.lock:
                    if code == "database_unavailable":
                        self.ledger.unavailable += 1
                    else:
                        self.ledger.problems.append(f"POST /order answered 503 {code}: {data[:200]!r}")
                        return
                retried = True
                time.sleep(0.05)
                continue
            if status != 201:
                with self.ledger.lock:
                    self.ledger.problems.append(f"POST /order ({instance.name}) answered {status}: {data[:200]!r}")
                return
            order = json.loads(data)["order"]
            record = {
                "id": order["id"],
                "total": order["totalMinor"],
                "lines": sorted((l["sku"], l["quantity"], l["unitPriceMinor"], l["lineTotalMinor"]) for l in order["lines"]),
                "at": time.monotonic(),
            }
            with self.ledger.lock:
                if record["total"] != expected_total(items, self.products):
                    self.ledger.problems.append(f"order {order['id']} total {record['total']} != {expected_total(items, self.products)}")
                if retried and headers.get("idempotent-replayed") == "true":
                    self.ledger.replays += 1
                previous = self.ledger.acked.get(key)
                if previous and previous["id"] != record["id"]:
                    self.ledger.problems.append(f"key {key} acknowledged as {previous['id']} and {record['id']}")
                self.ledger.acked[key] = record
            return

    def _note(self, seconds: float, key: str, instance: Instance, outcome) -> None:
        with self.ledger.lock:
            self.ledger.slowest = max(self.ledger.slowest, seconds)
            if seconds > HANG_SECONDS:
                ended = time.monotonic()
                self.ledger.hangs.append((ended - seconds, ended, f"key {key}: a request to {instance.name} took {seconds:.1f} s ({outcome}), "
                                          f"from {ended - seconds - self.ledger.began:.1f} s to {ended - self.ledger.began:.1f} s"))


def _code(data: bytes) -> str:
    try:
        answer = json.loads(data)
    except ValueError:
        return repr(data[:80])
    error = answer.get("error", answer)
    return error.get("code", "?") if isinstance(error, dict) else str(error)


def timed_post(instance: Instance, products: dict, ledger: Ledger) -> tuple[int, str, float]:
    """One POST /order on a fresh connection: (status, error code, seconds); an acknowledged one
    goes into `ledger` like a shopper's."""
    items = random_items(random.Random(), products)
    key = str(uuid.uuid4())
    started = time.monotonic()
    try:
        status, _, data = request("POST", instance.base + "/order", order_body(items), {"Idempotency-Key": key}, timeout=15)
    except OSError as error:
        return 0, str(error), time.monotonic() - started
    seconds = time.monotonic() - started
    if status != 201:
        return status, _code(data), seconds
    order = json.loads(data)["order"]
    with ledger.lock:
        ledger.acked[key] = {"id": order["id"], "total": order["totalMinor"], "at": time.monotonic(),
                             "lines": sorted((l["sku"], l["quantity"], l["unitPriceMinor"], l["lineTotalMinor"]) for l in order["lines"])}
    return status, "", seconds


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def database_problems(cluster: Cluster, acked: dict[str, dict], products: dict, exact: bool) -> tuple[list[str], int]:
    """What is wrong in the database against the acknowledged orders: lost or changed orders, keys
    pointing elsewhere, duplicates, unbalanced stock, broken constraints or indexes. With `exact`,
    also any order nobody was told about. Returns (problems, orders in the database)."""
    problems: list[str] = []
    # One statement, so one snapshot while the load goes on.
    facts = json.loads(cluster.rows("""
        SELECT json_build_object(
            'orders', (SELECT coalesce(json_agg(json_build_array(id, status, total_minor)), '[]') FROM orders),
            'lines', (SELECT coalesce(json_agg(json_build_array(order_id, sku, quantity, unit_price_minor, line_total_minor)
                ORDER BY order_id, position), '[]') FROM order_lines),
            'keys', (SELECT coalesce(json_object_agg(key, coalesce(order_id, '')), '{}') FROM idempotency_keys),
            'events', (SELECT coalesce(json_object_agg(order_id, n), '{}')
                FROM (SELECT order_id, count(*) AS n FROM order_events WHERE from_status IS NULL GROUP BY order_id) AS e),
            'stock', (SELECT coalesce(json_agg(json_build_array(sku, available, reserved, sold, received)), '[]') FROM stock))
        """)[0][0])
    orders: dict[str, dict] = {order_id: {"status": status, "total": total, "lines": []} for order_id, status, total in facts["orders"]}
    for order_id, sku, quantity, unit, line_total in facts["lines"]:
        if order_id not in orders:
            problems.append(f"order line of a missing order {order_id}")
            continue
        orders[order_id]["lines"].append((sku, quantity, unit, line_total))
    keys: dict[str, str] = facts["keys"]
    for key, ack in acked.items():
        stored = orders.get(ack["id"])
        if stored is None:
            problems.append(f"acknowledged order {ack['id']} (key {key}) is lost")
            continue
        if sorted(stored["lines"]) != ack["lines"] or stored["total"] != ack["total"]:
            problems.append(f"order {ack['id']}: stored {stored} != acknowledged {ack}")
        if keys.get(key) != ack["id"]:
            problems.append(f"key {key} points to {keys.get(key)}, acknowledged {ack['id']}")
    # Every order was placed with a key: one key per order and one order per key means no duplicate.
    if not (len(keys) == len(orders) == len(set(keys.values()))):
        problems.append(f"{len(keys)} keys, {len(orders)} orders, {len(set(keys.values()))} orders named by keys: a duplicate or a keyless order")
    if exact:
        extra = set(orders) - {ack["id"] for ack in acked.values()}
        if extra:
            problems.append(f"{len(extra)} orders nobody was told about, e.g. {sorted(extra)[:3]}")
    events: dict[str, int] = facts["events"]
    if any(events.get(order_id) != 1 for order_id in orders) or set(events) - set(orders):
        problems.append("an order without exactly one creation event, or an event of a missing order")
    # Stock conserved: received = available + reserved + sold, nothing negative, and reserved is
    # what the 'created' orders hold (status changes are not made in this harness).
    held: dict[str, int] = {}
    for order in orders.values():
        if order["status"] == "created":
            for sku, quantity, _, _ in order["lines"]:
                held[sku] = held.get(sku, 0) + quantity
        elif order["status"] != "cancelled":
            problems.append(f"an order in status {order['status']}")
    stock = {sku: tuple(rest) for sku, *rest in facts["stock"]}
    for sku, (_, units) in products.items():
        if sku not in stock:
            problems.append(f"{sku}: no stock row")
            continue
        available, reserved, sold, received = stock[sku]
        if received != units or available + reserved + sold != received or min(available, reserved, sold) < 0:
            problems.append(f"{sku}: received {received} (initial {units}) != available {available} + reserved {reserved} + sold {sold}")
        if reserved != held.get(sku, 0) or sold != 0:
            problems.append(f"{sku}: reserved {reserved}, sold {sold}, but 'created' orders hold {held.get(sku, 0)}")
    # Constraints and indexes intact after crash recovery: every constraint valid, every B-tree
    # index consistent with its table (amcheck, heapallindexed).
    invalid = cluster.rows("SELECT conname FROM pg_constraint WHERE NOT convalidated")
    if invalid:
        problems.append(f"constraints not valid: {invalid}")
    cluster.rows("CREATE EXTENSION IF NOT EXISTS amcheck")
    checked = cluster.rows(
        "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public' AND c.relpersistence <> 't'")
    if int(checked[0][0]) == 0:
        problems.append("amcheck found no index to check")
    return problems, len(orders)


def run_harness(binary: Path, root: Path, cluster: Cluster, products: dict, *, kills: int, database_crashes: int, clients: int, seed: int,
                pool: int = 4, log=None) -> dict:
    """The harness: two instances on `cluster`, `clients` shoppers over both, `kills` SIGKILLs of a
    random instance (restarted at once) and `database_crashes` immediate stops of PostgreSQL
    (started again after the instances were seen answering 503), spread in a random order.
    Raises AssertionError on any problem; returns the figures."""
    rng = random.Random(seed)
    write_shop(root, products)  # the shop's content and site-status.json under root
    instances = [Instance(binary, root, name, cluster.url, free_port(), pool) for name in ("a", "b")]
    ledger, stop, give_up = Ledger(), threading.Event(), [float("inf")]

    def note(message: str) -> None:
        line = f"{time.monotonic() - ledger.began:7.2f} s  {message}"
        with open(root / "harness.log", "a") as f:
            f.write(line + "\n")
        if log:
            log(line)
    shoppers = [Shopper(instances, ledger, seed * 100 + index, stop, products, give_up) for index in range(clients)]
    restarts, outages, unavailable_answers, crashes = [], [], [], []
    try:
        for instance in instances:
            instance.start()
        for shopper in shoppers:
            shopper.start()
        events = ["kill"] * kills + ["database"] * database_crashes
        rng.shuffle(events)
        for event in events:
            before = ledger.count()
            wait_for(lambda: ledger.count() >= before + 10, 60, "orders acknowledged between crashes")
            time.sleep(rng.uniform(0.1, 1.0))
            if event == "kill":
                instance = rng.choice(instances)
                acked_before = ledger.snapshot()
                instance.kill()
                note(f"killed {instance.name}")
                started = time.monotonic()
                instance.start()
                restarts.append(time.monotonic() - started)
                problems, _ = database_problems(cluster, acked_before, products, exact=False)
                assert not problems, problems[:5]
                note(f"killed and restarted {instance.name} ({restarts[-1]:.2f} s); {len(acked_before)} acknowledged so far, all there")
                continue
            pids = [instance.process.pid for instance in instances]
            crash_began = time.monotonic()
            cluster.crash()
            crashes.append((crash_began, time.monotonic()))  # the kill lands somewhere in this window
            note("PostgreSQL stopped -m immediate")
            crashed = time.monotonic()
            # While PostgreSQL is down: not ready, and a new order answers 503 database_unavailable quickly.
            for instance in instances:
                instance.wait_ready(503, 15)
                status, code, seconds = timed_post(instance, products, ledger)
                unavailable_answers.append(seconds)
                assert (status, code) == (503, "database_unavailable"), (instance.name, status, code)
                assert seconds <= HANG_SECONDS, f"{instance.name}: 503 after {seconds:.1f} s"
            seen = ledger.unavailable
            wait_for(lambda: ledger.unavailable > seen, 30, "shoppers answered 503 while PostgreSQL is down")
            cluster.start()
            note("PostgreSQL started")
            for instance in instances:
                instance.wait_ready(200, 60)
            outages.append(time.monotonic() - crashed)
            # Orders succeed again on both instances, without restarting them.
            for instance in instances:
                status, code, _ = timed_post(instance, products, ledger)
                assert status == 201, (instance.name, status, code)
            assert [instance.process.pid for instance in instances] == pids and all(instance.alive() for instance in instances)
            after = ledger.count()
            wait_for(lambda: ledger.count() >= after + 10, 60, "shoppers' orders acknowledged after PostgreSQL restarted")
            note(f"PostgreSQL stopped (immediate) and started; ready again after {outages[-1]:.2f} s; {ledger.unavailable} 503s so far")
        time.sleep(0.3)
    finally:
        stop.set()
        give_up[0] = time.monotonic() + 30
        for shopper in shoppers:
            shopper.join(timeout=60)
        for instance in instances:
            instance.kill()
    assert not any(shopper.is_alive() for shopper in shoppers), "a shopper never got an answer"
    assert not ledger.problems, ledger.problems[:5]
    # A request may hang only if it was in flight when PostgreSQL was killed under it (a known
    # defect, see benchmarks/RESULTS.md: the pool's 4 s deadline waits for a query that never
    # ends); any other request slower than HANG_SECONDS fails here.
    def in_flight_at_crash(started: float, ended: float) -> bool:
        return any(started <= crash_ended and ended >= crash_began for crash_began, crash_ended in crashes)

    in_flight = [what for started, ended, what in ledger.hangs if in_flight_at_crash(started, ended)]
    other = [what for started, ended, what in ledger.hangs if not in_flight_at_crash(started, ended)]
    assert not other, other[:5]
    problems, orders = database_problems(cluster, ledger.snapshot(), products, exact=True)
    assert not problems, problems[:5]
    return {
        "instances": len(instances),
        "clients": clients,
        "kills": kills,
        "database_crashes": database_crashes,
        "acknowledged": len(ledger.acked),
        "orders_in_database": orders,
        "lost": 0,
        "duplicated": 0,
        "connection_retries": ledger.connection_retries,
        "replays_after_retry": ledger.replays,
        "database_unavailable_answers": ledger.unavailable,
        "slowest_request_seconds": round(ledger.slowest, 3),
        "hung_in_flight_at_database_crash": in_flight,
        "instance_restart_seconds_max": round(max(restarts), 3) if restarts else None,
        "database_outage_seconds_max": round(max(outages), 3) if outages else None,
        "unavailable_answer_seconds_max": round(max(unavailable_answers), 3) if unavailable_answers else None,
    }
