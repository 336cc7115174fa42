"""deploy/haproxy.cfg, tested: the real haproxy in front of two real order-api instances on one
database. Orders are spread over both; an instance that stops answering /readyz is taken out
(orders keep succeeding, no 5xx once HAProxy marks it DOWN) and comes back when restarted.

The database both instances share is the `shared_db` fixture: for now one SQLite file (order-api
supports several processes on one file). For PostgreSQL, make it return `pg_database` (see its
docstring)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from orderapi import ApiServer, order_body, request, write_shop
from support import REPO, free_port

CONFIG = REPO / "deploy" / "haproxy.cfg"
CHECK_INTERVAL = "200ms"


@pytest.fixture
def shared_db(pg_database) -> str:
    """What both instances get as --db: one PostgreSQL database."""
    return pg_database


class HAProxy:
    """haproxy -f deploy/haproxy.cfg, its ports and socket given through the environment."""

    def __init__(self, root: Path, backends: list[int]):
        self.port = free_port()
        self.socket = root / "haproxy.sock"
        self.log = root / "haproxy.log"
        self.env = dict(os.environ, HAPROXY_BIND=f"127.0.0.1:{self.port}", HAPROXY_STATS_SOCKET=str(self.socket),
                        HAPROXY_LOG="stdout", HAPROXY_CHECK_INTERVAL=CHECK_INTERVAL,
                        ORDER_API_1=f"127.0.0.1:{backends[0]}", ORDER_API_2=f"127.0.0.1:{backends[1]}")
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HAProxy":
        check = subprocess.run(["haproxy", "-c", "-f", str(CONFIG)], env=self.env, capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stdout + check.stderr
        with open(self.log, "ab") as log:
            # -db: stay in the foreground, so the fixture owns the process.
            self.process = subprocess.Popen(["haproxy", "-db", "-f", str(CONFIG)], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"haproxy exited: {self.log.read_text(errors='replace')[-2000:]}"
            if self.socket.exists():
                try:
                    self.command("show info")
                    return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("haproxy did not start: " + self.log.read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def command(self, line: str) -> str:
        """One command on the admin socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def states(self) -> dict[str, str]:
        """The order_api servers' status (UP, DOWN, ...) from `show stat`."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {row["svname"]: row["status"].split(" ")[0] for row in rows
                if row["pxname"] == "order_api" and row["svname"] not in ("BACKEND", "FRONTEND")}

    def wait_for(self, server: str, status: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.states().get(server) == status:
                return
            time.sleep(0.05)
        raise AssertionError(f"{server} never became {status}: {self.states()}")


def orders_created(server: ApiServer) -> int:
    """orders_created_total of one instance, straight from its own port."""
    status, _, body = request("GET", server.base + "/metrics")
    assert status == 200
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in body.decode().splitlines() if line.startswith("orders_created_total"))


def place(base: str, count: int) -> list[int]:
    """`count` orders through `base`; their statuses."""
    statuses = []
    for _ in range(count):
        status, _, body = request("POST", base + "/order", order_body([("AVO-A", 1)]), timeout=15)
        statuses.append(status)
    return statuses


@pytest.mark.skipif(shutil.which("haproxy") is None and not os.environ.get("STOREFRONT_REQUIRE_POSTGRES"),
                    reason="haproxy is not installed (scripts/install-deps.sh --test installs it)")
@pytest.mark.timeout(180)
def test_haproxy_spreads_orders_and_takes_a_dead_instance_out(bin_dir, tmp_path, shared_db):
    servers = []
    for name in ("a", "b"):
        root = write_shop(tmp_path / name)
        server = ApiServer(bin_dir, root)
        server.db = shared_db
        servers.append(server)
    proxy = HAProxy(tmp_path, [server.port for server in servers])
    try:
        for server in servers:
            server.start()
        proxy.start()
        proxy.wait_for("api1", "UP")
        proxy.wait_for("api2", "UP")

        # Both instances take orders; readiness and metrics are not reachable through the proxy.
        assert place(proxy.base, 20) == [201] * 20
        spread = [orders_created(server) for server in servers]
        assert sum(spread) == 20 and min(spread) >= 5, spread
        assert request("GET", proxy.base + "/metrics")[0] == 404

        # One instance dies: HAProxy's /readyz check marks it DOWN, and every order then succeeds.
        servers[0].kill()
        proxy.wait_for("api1", "DOWN")
        assert proxy.states()["api2"] == "UP"
        before = orders_created(servers[1])
        assert place(proxy.base, 20) == [201] * 20
        assert orders_created(servers[1]) == before + 20

        # Restarted on its port, it is checked back in and takes orders again.
        servers[0].start()
        proxy.wait_for("api1", "UP")
        assert place(proxy.base, 20) == [201] * 20
        assert orders_created(servers[0]) >= 5, "the restarted instance gets its share"
    finally:
        proxy.stop()
        for server in servers:
            server.kill()
