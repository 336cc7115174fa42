"""Responsive images in Chromium: a phone-sized window at 2x density and a desktop window each
load the copy `srcset` and `sizes` choose for the product page's main image (`currentSrc`), and
the page does not shift while its images arrive over a slow network (Cumulative Layout Shift from
the browser's own layout-shift entries, at most 0.01)."""
import io
import shutil

import pytest
from PIL import Image, ImageDraw

from browser_support import Browser, make_browser, serve_shop, stop_shop
from support import REPO

# Every layout shift since the page started (buffered), less those right after input.
CLS = """
const done = arguments[arguments.length - 1];
let total = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
}).observe({type: 'layout-shift', buffered: true});
setTimeout(() => done(total), 500);
"""


def photo() -> bytes:
    """A 3000 x 2000 JPEG with shapes in it."""
    image = Image.new("RGB", (3000, 2000), (90, 140, 60))
    draw = ImageDraw.Draw(image)
    for index in range(12):
        draw.ellipse((index * 240, 300 + index * 60, index * 240 + 600, 900 + index * 60), fill=(200 - index * 10, 80 + index * 9, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def photo_shop(tmp_path, bin_dir):
    """The example shop, with the tote bag's picture a 3,000-pixel photo."""
    root = tmp_path / "shop"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    (root / "content" / "images" / "tote-photo.jpg").write_bytes(photo())
    product = root / "content" / "products" / "farm-tote.md"
    product.write_text(product.read_text().replace("images: [/images/farm-tote.svg]", "images: [/images/tote-photo.jpg]"))
    shop = serve_shop(root, tmp_path, bin_dir)
    yield shop
    stop_shop(shop)
    assert shop.process.returncode == 0, shop.log.read_text()[-3000:]


@pytest.fixture
def window(photo_shop, shots, request):
    driver = make_browser()
    yield Browser(driver, photo_shop, shots, request.node.name)
    driver.quit()


def main_image(window, width, height, density, mobile):
    window.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                  {"width": width, "height": height, "deviceScaleFactor": density, "mobile": mobile})
    # Slow enough that the images arrive after the page is first laid out.
    window.driver.execute_cdp_cmd("Network.enable", {})
    window.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                  {"offline": False, "latency": 300, "downloadThroughput": 400_000, "uploadThroughput": 400_000})
    window.open("/products/farm-tote/")
    image = window.find(".gallery img")
    window.wait(lambda d: d.execute_script("const i = arguments[0]; return i.complete && i.naturalWidth > 0", image), timeout=60)
    source = window.driver.execute_script("return arguments[0].currentSrc", image)
    shift = window.driver.execute_async_script(CLS)
    window.screenshot(f"{width}px")
    return source, shift


def test_a_phone_loads_the_960_copy_and_nothing_shifts(window):
    source, shift = main_image(window, 390, 844, 2, True)
    # 390 CSS px less the page's margins is 358 px, 716 device pixels: the 960 w WebP.
    assert source.endswith("/images/_v/tote-photo-960.webp"), source
    assert shift <= 0.01, f"Cumulative Layout Shift {shift}"


def test_a_desktop_loads_the_640_copy_and_nothing_shifts(window):
    source, shift = main_image(window, 1280, 900, 1, False)
    # The left column is at most 35.5 rem (568 px) wide: the 640 w WebP.
    assert source.endswith("/images/_v/tote-photo-640.webp"), source
    assert shift <= 0.01, f"Cumulative Layout Shift {shift}"
    sizes = window.driver.execute_script("const i = document.querySelector('.gallery img'); return [i.getAttribute('width'), i.getAttribute('height')]")
    assert sizes == ["1600", "1067"]
