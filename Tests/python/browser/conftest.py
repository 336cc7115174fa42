"""Browser end-to-end fixtures: a running shop and a Chromium window per test."""
import pytest

from browser_support import Browser, make_browser, start_shop, stop_shop


@pytest.fixture
def shop(tmp_path, bin_dir):
    running = start_shop(tmp_path, bin_dir)
    yield running
    stop_shop(running)
    assert running.process.returncode == 0, f"storefront serve did not stop cleanly:\n{running.log.read_text()[-3000:]}"


@pytest.fixture
def shots(output_dir, request):
    return output_dir / "screenshots"


@pytest.fixture
def browser(shop, shots, request):
    driver = make_browser()
    wrapper = Browser(driver, shop, shots, request.node.name)
    yield wrapper
    driver.quit()
