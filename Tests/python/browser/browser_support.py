"""Browser end-to-end helpers: a real `storefront serve` on a free port with a private copy of the
example shop, and headless Chromium driven by Selenium."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from support import REPO, free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@dataclass
class Shop:
    """A running shop: its URL, admin token and private source tree."""
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def api(self, method, path, body=None, admin=False, headers=None):
        """Calls the order API; returns (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/api{path}", data=data, method=method)
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if admin:
            request.add_header("Authorization", f"Bearer {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def get(self, path):
        with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as response:
            return response.read().decode()

    def catalog_price(self, sku):
        catalog = json.loads(self.get("/catalog.json"))
        return next(p for p in catalog["products"] if p["sku"] == sku)["price"]

    def wait_for(self, predicate, timeout=30, message="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if predicate():
                    return
            except (urllib.error.URLError, ValueError, KeyError, StopIteration):
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {message}; server log:\n{self.log.read_text()[-3000:]}")


def start_shop(tmp_path: Path, bin_dir: Path, extra_env=None) -> Shop:
    """`storefront serve` on a private copy of the example shop and its themes."""
    root = tmp_path / "shop"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    return serve_shop(root, tmp_path, bin_dir, extra_env)


def start_new_shop(tmp_path: Path, bin_dir: Path) -> Shop:
    """`storefront new` into an empty folder, then `storefront serve` there: no theme folder anywhere."""
    root = tmp_path / "new-shop"
    subprocess.run([str(bin_dir / "storefront"), "new", str(root)], check=True, capture_output=True, text=True, timeout=60)
    return serve_shop(root, tmp_path, bin_dir)


def serve_shop(root: Path, tmp_path: Path, bin_dir: Path, extra_env=None) -> Shop:
    """Runs `storefront serve` in `root` on a free port and waits until its order API is ready."""
    port = free_port()
    token = "e2e-" + os.urandom(12).hex()
    log = tmp_path / "serve.log"
    env = dict(os.environ, **(extra_env or {}))
    env.pop("ADMIN_TOKEN", None)
    process = subprocess.Popen(
        [str(bin_dir / "storefront"), "serve", "--port", str(port), "--admin-token", token],
        cwd=root, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    shop = Shop(url=f"http://127.0.0.1:{port}", token=token, root=root, process=process, log=log)

    def ready():
        assert process.poll() is None, "storefront serve exited"
        with urllib.request.urlopen(f"{shop.url}/api/readyz", timeout=2) as response:
            return response.status == 200
    try:
        shop.wait_for(ready, timeout=90, message="storefront serve to be ready")
    except BaseException:
        stop_shop(shop)  # a server that never became ready is not left running
        raise
    return shop


def stop_shop(shop: Shop):
    if shop.process.poll() is None:
        shop.process.send_signal(signal.SIGINT)
        try:
            shop.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            shop.process.kill()
            shop.process.wait()


def make_browser(javascript=True):
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-TW"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The network log lets a timed-out wait name the requests still pending (Browser.pending_requests).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class Browser:
    """A Chromium window with the shopper's and owner's steps as methods."""

    def __init__(self, driver, shop: Shop, shots: Path, name: str):
        self.driver, self.shop, self.shots, self.name = driver, shop, shots, name

    # Plumbing.
    def open(self, path):
        self.driver.get(self.shop.url + path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait(self, condition, timeout=20):
        # A page that navigates or re-renders while the condition reads it: read it again.
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)

    def visible(self, css, timeout=20):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def clickable(self, css, timeout=20):
        return self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css)), timeout)

    def text_in(self, css, text, timeout=20):
        return self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout)

    def screenshot(self, label):
        self.shots.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.shots / f"{self.name}-{label}.png"))

    def pending_requests(self):
        """The URLs this window asked for and has not yet received or given up on, from the network
        log (read since the window opened: the log gives each entry once)."""
        if not hasattr(self, "_requests"):
            self._requests, self._settled = {}, set()
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method", ""), message.get("params", {})
            if method == "Network.requestWillBeSent":
                self._requests[params["requestId"]] = params["request"]["url"]
            elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                self._settled.add(params["requestId"])
        return [url for rid, url in self._requests.items() if rid not in self._settled]

    def csp_violations(self):
        """Console messages about the Content-Security-Policy (the pages must raise none)."""
        return [entry["message"] for entry in self.driver.get_log("browser") if "Content Security Policy" in entry["message"]]

    # Shopper.
    def add_product(self, slug, quantity=1, variant=None):
        """Adds the product page's shown variant, or `variant` (a SKU) by its deep link."""
        self.open(f"/products/{slug}/" + (f"?variant={variant}" if variant else ""))
        button = self.clickable("form[data-add-form] button.add-to-cart")
        if variant:
            self.wait(lambda d: button.get_attribute("data-sku") == variant)
        if quantity != 1:
            field = self.find("#qty")
            field.send_keys(Keys.CONTROL, "a")   # clear() does not empty a number input in Chromium
            field.send_keys(str(quantity))
        count_before = self.cart_count()
        button.click()
        self.wait(lambda d: self.cart_count() == count_before + quantity)

    def shown_price(self):
        """The product page's price as the shopper reads it (without the screen-reader label)."""
        return self.driver.execute_script("return document.querySelector('.price-now').lastChild.textContent.trim()")

    def cart_count(self):
        lines = self.driver.execute_script("return JSON.parse(localStorage.getItem('storefront.cart') || '[]')")
        return sum(line["quantity"] for line in lines)

    def fill_checkout(self, method, email="shopper@example.tw", name="王小明"):
        self.open("/checkout/")
        self.visible("#checkout-form")
        self.wait(lambda d: len(self.find_all("#summary-lines li")) > 0)
        for field, value in (("f-name", name), ("f-email", email), ("f-phone", "0912345678"),
                             ("f-postal", "745"), ("f-city", "台南市大內區"), ("f-address", "頭社里 1 號")):
            element = self.find(f"#{field}")
            element.clear()
            element.send_keys(value)
        self.find(f'input[name="paymentMethod"][value="{method}"]').click()

    def place_order(self):
        self.clickable("#place-order").click()

    def wait_for_order_page(self, timeout=30):
        self.wait(lambda d: "/order/?id=" in d.current_url, timeout)
        self.visible("#order-result", timeout)
        return re.search(r"id=([A-Za-z0-9]+)", self.driver.current_url).group(1)

    def order_status(self):
        return self.find('#order-result [data-o="status"]').get_attribute("class").split("status-")[-1]

    # Owner.
    def admin_sign_in(self):
        self.open("/admin/")
        self.visible("#token").send_keys(self.shop.token)
        self.find("#sign-in").click()
        self.visible("#admin-app")
