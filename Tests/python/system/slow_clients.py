"""Slow clients and connection floods against the real `order-api serve`, while a shopper keeps
using it: the harness shared by `test_slow_clients.py` (short, in `make test`) and
`benchmarks/bench_slow_clients.py` (the sizes of issue 17, in `make soak`).

Each attack runs beside two probes on connections opened before it (established connections are
never refused): `GET /healthz` every 20 ms and `POST /order` every 100 ms. Afterwards every
acknowledged order must be readable, and the server must have let go of the attackers."""
from __future__ import annotations

import http.client
import json
import resource
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

from orderapi import ADMIN_TOKEN, ApiServer, order_body, send, write_shop

ATTACK_SOURCES = [f"127.0.{block}.{host}" for block in (1, 2) for host in range(2, 252)]


def raise_descriptor_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class Probe:
    """The shopper beside the attack."""
    server: ApiServer
    healthz_ms: list[float] = field(default_factory=list)
    healthz_failures: int = 0
    acknowledged: list[str] = field(default_factory=list)
    order_failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run_health(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status, _, _ = send(connection, "GET", "/healthz")
                if status != 200:
                    self.healthz_failures += 1
            except Exception:  # noqa: BLE001 - counted, then a new connection
                self.healthz_failures += 1
                connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            self.healthz_ms.append((time.monotonic() - started) * 1000)
            time.sleep(0.02)

    def run_orders(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        while not self.stop.is_set():
            try:
                status, _, body = send(connection, "POST", "/order", order_body([("AVO-A", 1)], email="probe@example.com"))
                if status == 201:
                    self.acknowledged.append(json.loads(body)["order"]["id"])
                else:
                    self.order_failures.append(f"{status}: {body[:120]!r}")
            except Exception as error:  # noqa: BLE001
                self.order_failures.append(repr(error))
                connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
            time.sleep(0.1)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.run_health, daemon=True), threading.Thread(target=self.run_orders, daemon=True)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def summary(self) -> dict:
        latencies = sorted(self.healthz_ms)
        def pct(p):
            return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2) if latencies else None
        return {"healthz_requests": len(latencies), "healthz_failures": self.healthz_failures, "healthz_p50_ms": pct(0.5),
                "healthz_p99_ms": pct(0.99), "healthz_max_ms": round(max(latencies), 2) if latencies else None,
                "orders_acknowledged": len(self.acknowledged), "order_failures": len(self.order_failures)}


def slowloris(port: int, count: int, hold: float) -> dict:
    """`count` connections, each sending half a request head and then nothing, held `hold` seconds."""
    sockets, refused_at_connect = [], 0
    for index in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((ATTACK_SOURCES[index % len(ATTACK_SOURCES)], 0))
            sock.settimeout(5)
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: shop\r\nX-a: ")
            sock.setblocking(False)
            sockets.append(sock)
        except OSError:
            refused_at_connect += 1
            sock.close()
    time.sleep(hold)
    still_open = 0
    for sock in sockets:
        try:
            sock.recv(1)  # b"": the server closed it
        except BlockingIOError:
            still_open += 1  # nothing to read and not closed: the server still holds it
        except OSError:
            pass  # reset by the server
        sock.close()
    return {"connections": count, "failed_to_connect": refused_at_connect, "still_open_after_hold": still_open, "hold_s": hold}


def flood(port: int, count: int, threads: int = 8) -> dict:
    """`count` connections opened and dropped at once, from `threads` threads."""
    errors = [0]
    lock = threading.Lock()

    def worker(share: int, offset: int):
        for index in range(share):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((ATTACK_SOURCES[(offset + index) % len(ATTACK_SOURCES)], 0))
                sock.connect(("127.0.0.1", port))
            except OSError:
                with lock:
                    errors[0] += 1
            finally:
                sock.close()

    started = time.monotonic()
    workers = [threading.Thread(target=worker, args=(count // threads, n * 1000)) for n in range(threads)]
    for worker_thread in workers:
        worker_thread.start()
    for worker_thread in workers:
        worker_thread.join()
    return {"connections": count, "connect_errors": errors[0], "seconds": round(time.monotonic() - started, 2)}


def slow_reader(server: ApiServer, requests: int, seconds: float) -> dict:
    """Pipelines `requests` large answers and reads them one byte a second for `seconds`; reports
    when the server cut the connection (its write time-out count went up: the client still has
    buffered bytes to read then)."""
    before = metric(server, 'http_connections_timed_out_total{phase="write"}')
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(b"GET /openapi.yaml HTTP/1.1\r\nHost: shop\r\n\r\n" * requests)
    sock.settimeout(1)
    received, closed_after = 0, None
    started = time.monotonic()
    while time.monotonic() - started < seconds and closed_after is None:
        try:
            if sock.recv(1):
                received += 1
        except OSError:
            pass
        if metric(server, 'http_connections_timed_out_total{phase="write"}') > before:
            closed_after = round(time.monotonic() - started, 1)
        time.sleep(1)
    sock.close()
    return {"requests_pipelined": requests, "bytes_read": received, "server_closed_after_s": closed_after}


def metric(server: ApiServer, name: str) -> float:
    """One value from `/metrics` (0 when absent)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    _, _, body = send(connection, "GET", "/metrics")
    connection.close()
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def open_connections(server: ApiServer) -> int:
    return int(metric(server, "http_connections_open"))


def all_acknowledged_stored(server: ApiServer, ids: list[str]) -> list[str]:
    """The acknowledged order ids the API cannot show."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    missing = []
    for order_id in ids:
        status, _, _ = send(connection, "GET", f"/admin/orders/{order_id}", None, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        if status != 200:
            missing.append(order_id)
    return missing


def run_attack(server: ApiServer, name: str, attack) -> dict:
    """Runs `attack()` beside the probes; returns the figures, with the server's state after."""
    counters = ["http_connections_refused_total", 'http_connections_timed_out_total{phase="header"}', 'http_connections_timed_out_total{phase="write"}']
    before = {name: metric(server, name) for name in counters}
    with Probe(server) as probe:
        time.sleep(0.5)
        result = attack()
        time.sleep(0.5)
    result["refused_at_limit"] = int(metric(server, counters[0]) - before[counters[0]])
    result["cut_at_header_timeout"] = int(metric(server, counters[1]) - before[counters[1]])
    result["cut_at_write_timeout"] = int(metric(server, counters[2]) - before[counters[2]])
    result.update(probe.summary())
    result["attack"] = name
    result["lost_orders"] = len(all_acknowledged_stored(server, probe.acknowledged))
    result["order_failure_examples"] = probe.order_failures[:3]
    result["open_connections_after"] = open_connections(server)
    result["peak_rss_mb"] = peak_rss_mb(server.process.pid)
    return result


def median(values):
    return statistics.median(values) if values else None


def attack_all(bin_dir, root, slowloris_connections: int, hold: float, flood_connections: int, args: list[str]) -> list[dict]:
    """The three attacks in turn against one server started with `args`."""
    raise_descriptor_limit()
    write_shop(root)
    with ApiServer(bin_dir, root, args=args) as server:
        return [
            run_attack(server, "slowloris", lambda: slowloris(server.port, slowloris_connections, hold=hold)),
            run_attack(server, "flood", lambda: flood(server.port, flood_connections)),
            run_attack(server, "slow reader", lambda: slow_reader(server, 200, seconds=45)),
        ]
