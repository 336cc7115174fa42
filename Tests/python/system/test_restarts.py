"""Issue 17: restarts and deploys drop no request (`restarts.py`). The API is restarted on one
listening socket, passed in as systemd passes it (`LISTEN_FDS`), while wrk polls `GET /order`
and clients place orders without pause: no refused connection, no failed request, no lost order.
`make test` restarts it 10 times; `make soak` 60 times, under more connections."""
from __future__ import annotations

import json

import pytest

from restarts import run_restarts


def check(report: dict) -> None:
    assert all(code == 0 for code in report["exit_codes"]), report
    polling, placing = report["get_order"], report["post_order"]
    assert polling["errors"] == 0, report
    assert polling["requests"] > 0 and polling["statuses"] == {"200": polling["requests"]}, report
    assert placing["failures"] == 0, report
    assert placing["acknowledged"] > 0, report
    assert report["lost_orders"] == 0, report
    assert report["server_log_errors"] == [], report


def test_ten_restarts_under_load_fail_no_request_and_lose_no_order(bin_dir, output_dir):
    report = run_restarts(bin_dir, restarts=10, interval=1.0)
    (output_dir / "restarts.json").write_text(json.dumps(report, indent=1))
    check(report)


@pytest.mark.soak
@pytest.mark.timeout(1800)
def test_sixty_restarts_under_heavier_load(bin_dir, output_dir):
    report = run_restarts(bin_dir, restarts=60, interval=3.0, connections=64, placers=8)
    (output_dir / "restarts-soak.json").write_text(json.dumps(report, indent=1))
    check(report)
