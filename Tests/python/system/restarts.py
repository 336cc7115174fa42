"""Issue 17's restarts (shared by `test_restarts.py` and `benchmarks/bench_restarts.py`): wrk polls
`GET /order` and a few clients place orders without pause, while `order-api` is stopped (SIGTERM)
and started again, again and again, on one listening socket that this harness holds as systemd's
`.socket` unit does (`LISTEN_FDS`). Every request must be answered, and every order acknowledged
with a 201 must be in the database afterwards."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from orderapi import ApiServer, order_body, readonly, write_shop

REPO = Path(__file__).resolve().parents[3]
WRK_GET = REPO / "benchmarks" / "wrk" / "get.lua"
PRODUCTS = {"AVO-A": (380, 10_000_000), "AVO-B": (1290, 10_000_000)}


class OrderPlacer(threading.Thread):
    """Places orders one after another on a kept-alive connection until stopped."""

    def __init__(self, port: int, index: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.index, self.stop = port, index, stop
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.latencies: list[float] = []

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps(order_body([("AVO-A", 1), ("AVO-B", 1)], email=f"placer{self.index}@example.com"))
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                connection.request("POST", "/order", body, {"Content-Type": "application/json"})
                answer = connection.getresponse()
                payload = answer.read()
                if answer.status == 201:
                    self.acknowledged.append(json.loads(payload)["order"]["id"])
                else:
                    self.failures.append(f"{answer.status} {payload[:200]!r}")
            except Exception as error:  # noqa: BLE001 - a broken connection is a failed request
                self.failures.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.latencies.append((time.monotonic() - start) * 1000)
        connection.close()


def run_restarts(bin_dir: Path, restarts: int, interval: float, connections: int = 16, placers: int = 4) -> dict:
    """Restarts the API `restarts` times, `interval` seconds apart, under load; returns the report."""
    with tempfile.TemporaryDirectory(prefix="restarts-") as folder:
        root = write_shop(Path(folder), PRODUCTS)
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.bind(("127.0.0.1", 0))
        listening.listen(4096)
        server = ApiServer(bin_dir, root, listening=listening)
        wrk = None
        try:
            server.start()
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("POST", "/order", json.dumps(order_body([("AVO-A", 1)], email="poll@example.com")),
                               {"Content-Type": "application/json"})
            answer = connection.getresponse()
            polled = json.loads(answer.read())["order"]["id"]
            connection.close()
            paths = root / "paths.txt"
            paths.write_text(f"/order?id={polled}&contact=poll@example.com\n")
            wrk = subprocess.Popen(
                ["wrk", "-t1", f"-c{connections}", "-d3600s", "--timeout", "20s", "-s", str(WRK_GET), server.base + "/order"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "BENCH_PATHS": str(paths)})
            stop = threading.Event()
            threads = [OrderPlacer(server.port, index, stop) for index in range(placers)]
            for thread in threads:
                thread.start()
            gaps, exit_codes = [], []
            for _ in range(restarts):
                time.sleep(interval)
                begin = time.monotonic()
                server.stop()
                exit_codes.append(server.process.returncode)
                server.start()
                gaps.append((time.monotonic() - begin) * 1000)
            time.sleep(interval)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            wrk.send_signal(signal.SIGINT)
            output, _ = wrk.communicate(timeout=60)
            wrk = None
            match = re.search(r"BENCH_JSON (\{.*\})", output)
            polling = json.loads(match.group(1)) if match else {"unparsed": output[-2000:]}
            acknowledged = [order for thread in threads for order in thread.acknowledged]
            server.stop()
            exit_codes.append(server.process.returncode)
            with readonly(Path(server.db)) as db:
                stored = {row[0] for row in db.execute("SELECT id FROM orders")}
            latencies = sorted(latency for thread in threads for latency in thread.latencies)
            return {
                "restarts": restarts,
                "interval_s": interval,
                "exit_codes": exit_codes,
                "restart_ms_max": round(max(gaps), 1) if gaps else None,
                "get_order": {
                    "requests": polling.get("requests"), "errors": polling.get("errors"), "statuses": polling.get("statuses"),
                    "p99_ms": polling.get("p99_us", 0) / 1000, "max_ms": polling.get("max_us", 0) / 1000,
                },
                "post_order": {
                    "acknowledged": len(acknowledged), "failures": len([f for t in threads for f in t.failures]),
                    "failure_examples": [f for t in threads for f in t.failures][:5],
                    "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1) if latencies else None,
                    "max_ms": round(latencies[-1], 1) if latencies else None,
                },
                "lost_orders": len([order for order in acknowledged if order not in stored]),
                "server_log_errors": [line for line in server.log_path.read_text(errors="replace").splitlines() if " error " in line][:5],
            }
        finally:
            if wrk is not None:
                wrk.kill()
                wrk.wait()
            server.__exit__(None, None, None)
            listening.close()
