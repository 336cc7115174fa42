"""Issue 17, short version: slowloris, a connection flood and a reader of 1 byte a second against
the real order API, while a shopper keeps using it (`slow_clients.py`; the long version is
`test_slow_clients_and_floods_at_full_size`, run by `make soak`, and
`benchmarks/bench_slow_clients.py` for the figures)."""
from __future__ import annotations

import json

import pytest

import http.client
import socket
import time

from orderapi import ApiServer, send, write_shop
from slow_clients import ATTACK_SOURCES, attack_all, raise_descriptor_limit


def check(results):
    for result in results:
        name = result["attack"]
        assert result["healthz_failures"] == 0, (name, result)
        assert result["order_failures"] == 0 and result["orders_acknowledged"] > 0, (name, result)
        assert result["lost_orders"] == 0, (name, result)
        # Only the probes' connections (and the one reading /metrics) are left.
        assert result["open_connections_after"] <= 3, (name, result)
    slow = results[0]
    # Held 4 s against a 2 s header time-out: the server closed every half-open connection it had admitted.
    assert slow["still_open_after_hold"] == 0, slow
    reader = results[2]
    assert reader["server_closed_after_s"] is not None, reader


def test_slow_clients_and_floods_leave_the_shop_working(bin_dir, tmp_path, output_dir):
    results = attack_all(bin_dir, tmp_path, slowloris_connections=1000, hold=4, flood_connections=3000,
                         args=["--header-timeout", "2", "--write-timeout", "3", "--max-connections", "600", "--max-connections-per-address", "8"])
    (output_dir / "slow-clients.json").write_text(json.dumps(results, indent=1))
    check(results)


@pytest.mark.soak
def test_slow_clients_and_floods_at_full_size(bin_dir, tmp_path, output_dir):
    """Issue 17's sizes with the default time-outs and limits: 10,000 half-open connections held
    15 s (past the 10 s header time-out), 50,000 opened and dropped, a reader of 1 byte a second."""
    results = attack_all(bin_dir, tmp_path, slowloris_connections=10_000, hold=15, flood_connections=50_000, args=[])
    (output_dir / "slow-clients-soak.json").write_text(json.dumps(results, indent=1))
    check(results)


def test_out_of_descriptors_is_logged_and_the_server_recovers(bin_dir, tmp_path):
    """With 200 descriptors and the default connection limit, 260 connections run the server out:
    it says so, keeps serving the connection it had, and accepts again once they close."""
    raise_descriptor_limit()
    write_shop(tmp_path)
    with ApiServer(bin_dir, tmp_path, open_files=200) as server:
        kept = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        assert send(kept, "GET", "/healthz")[0] == 200
        attackers = []
        for index in range(260):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((ATTACK_SOURCES[index], 0))
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))  # queued by the kernel even when not accepted
            attackers.append(sock)
        deadline = time.monotonic() + 15
        while "out of file descriptors" not in server.log_tail(200) and time.monotonic() < deadline:
            time.sleep(0.2)
        log = server.log_tail(200)
        assert "the open-file limit is below the connection limit" in log
        assert "out of file descriptors" in log
        assert send(kept, "GET", "/healthz")[0] == 200, "the open connection is still served"
        for sock in attackers:
            sock.close()
        deadline = time.monotonic() + 15
        answered = False
        while not answered and time.monotonic() < deadline:
            try:
                fresh = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
                answered = send(fresh, "GET", "/healthz")[0] == 200
                fresh.close()
            except OSError:
                time.sleep(0.2)
        assert answered, "a new connection is accepted once descriptors are free"
        deadline = time.monotonic() + 10
        while "file descriptors available again" not in server.log_tail(200) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "file descriptors available again" in server.log_tail(200)
        assert server.alive()
