"""Issue 17, short version of the spike (`spike.py`; the full one is `benchmarks/bench_spike.py`):
baseline, a ramp to 10x, a hold and back, with no 5xx and no broken connection."""
from __future__ import annotations

import json

from spike import run_spike


def test_a_tenfold_spike_answers_every_request(bin_dir, output_dir):
    report = run_spike(bin_dir, baseline=3, ramp=3, hold=6, after=3, workers=48, prepared=60)
    (output_dir / "spike.json").write_text(json.dumps(report, indent=1))
    assert report["server_alive"]
    assert report["errors"] == 0, report
    for entry in report["phases"].values():
        assert entry["requests"] > 0, entry
        if entry["route"] != "POST /payment/stripe/webhook":
            assert entry["answered_2xx"] + entry["rate_limited"] == entry["requests"], entry
        else:
            # Verified and refused: the benchmark places no Stripe checkout (see spike.py).
            assert entry["statuses"] == [400], entry
