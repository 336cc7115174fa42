"""Issue 17's spike (`spike.py`): baseline, a ramp to 10x, a hold and back, with no 5xx and no
broken connection. `make test` runs a 15 s version; `make soak` the full 90 s one (as
`benchmarks/bench_spike.py`), and the same with every shopper behind one address."""
from __future__ import annotations

import json

import pytest

from spike import run_spike


def check(report: dict) -> None:
    assert report["server_alive"]
    assert report["errors"] == 0, report
    for entry in report["phases"].values():
        assert entry["requests"] > 0, entry
        if entry["route"] != "POST /payment/stripe/webhook":
            assert entry["answered_2xx"] + entry["rate_limited"] == entry["requests"], entry
        else:
            # Verified and refused: the benchmark places no Stripe checkout (see spike.py).
            assert entry["statuses"] == [400], entry


def test_a_tenfold_spike_answers_every_request(bin_dir, output_dir):
    report = run_spike(bin_dir, baseline=3, ramp=3, hold=6, after=3, workers=48, prepared=60)
    (output_dir / "spike.json").write_text(json.dumps(report, indent=1))
    check(report)


@pytest.mark.soak
@pytest.mark.timeout(900)
@pytest.mark.parametrize("shared_address", [False, True], ids=["own-addresses", "one-address"])
def test_the_full_spike_answers_every_request(bin_dir, output_dir, shared_address):
    report = run_spike(bin_dir, baseline=20, ramp=10, hold=30, after=30, shared_address=shared_address)
    (output_dir / f"spike-soak-{'nat' if shared_address else 'own'}.json").write_text(json.dumps(report, indent=1))
    check(report)
    if shared_address:
        lookups = [entry for entry in report["phases"].values() if entry["route"] == "GET /order"]
        # Limited per order id, not per address: the polling of one address is not throttled.
        assert sum(entry["rate_limited"] for entry in lookups) < 0.01 * sum(entry["requests"] for entry in lookups), report
