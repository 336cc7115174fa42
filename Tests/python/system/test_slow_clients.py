"""Issue 17, short version: slowloris, a connection flood and a reader of 1 byte a second against
the real order API, while a shopper keeps using it (`slow_clients.py`; the long version is
`test_slow_clients_and_floods_at_full_size`, run by `make soak`, and
`benchmarks/bench_slow_clients.py` for the figures)."""
from __future__ import annotations

import json

import pytest

from slow_clients import attack_all


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
