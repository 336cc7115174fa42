"""Browser end-to-end fixtures: a running shop and a Chromium window per test."""
import pytest

from browser_support import Browser, make_browser, start_new_shop, start_shop, stop_shop


def _serving(running):
    """Yields a started shop, then stops it and checks that it stopped cleanly."""
    yield running
    stop_shop(running)
    assert running.process.returncode == 0, f"storefront serve did not stop cleanly:\n{running.log.read_text()[-3000:]}"


def _window(shop, shots, request):
    driver = make_browser()
    yield Browser(driver, shop, shots, request.node.name)
    driver.quit()


@pytest.fixture
def shop(tmp_path, bin_dir):
    yield from _serving(start_shop(tmp_path, bin_dir))


@pytest.fixture
def new_shop(tmp_path, bin_dir):
    """A shop made by `storefront new` and served from its own folder (no themes/ there)."""
    yield from _serving(start_new_shop(tmp_path, bin_dir))


@pytest.fixture
def shots(output_dir, request):
    return output_dir / "screenshots"


@pytest.fixture
def browser(shop, shots, request):
    yield from _window(shop, shots, request)


@pytest.fixture
def new_shop_browser(new_shop, shots, request):
    yield from _window(new_shop, shots, request)
