"""The outbox survives SIGKILL: 60 orders of mixed payment methods are placed and moved on
(shipped, delivered, cancelled) by the admin API while `order-api` is killed and restarted 3 times;
every delivery ends `sent`, no (event, destination) is lost and every duplicate repeats its
Message-ID or webhook-id. The large run is `benchmarks/notify_crash.py`."""
import os

import pytest

from outbox_crash import run


@pytest.mark.timeout(600)  # mostly the 120 s lease of a delivery in flight at the last kill
def test_no_notification_is_lost_when_the_api_is_killed(bin_dir, tmp_path):
    seed = int(os.environ.get("NOTIFY_CRASH_SEED", "20261205"))
    summary = run(bin_dir, tmp_path / "shop", orders=60, kills=3, seed=seed)
    assert summary.kills == 3
    assert summary.events >= 60 and summary.deliveries > summary.events
    assert summary.lost == [], summary.lost[:10]
    assert summary.problems == [], summary.problems[:10]
    assert summary.emails_received + summary.webhooks_received == summary.deliveries + summary.duplicates


@pytest.mark.soak
def test_no_notification_is_lost_in_a_long_crash_run(bin_dir, tmp_path):
    """The benchmark's size (`make soak`): 1000 orders, 20 kills."""
    summary = run(bin_dir, tmp_path / "shop", orders=1000, kills=20, seed=1, settle_timeout=300)
    assert summary.lost == [], summary.lost[:10]
    assert summary.problems == [], summary.problems[:10]
