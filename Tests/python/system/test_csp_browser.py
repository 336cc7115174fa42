"""The theme's pages satisfy their own Content-Security-Policy in a real browser.

Builds the example shop with the real `storefront`, serves it with the headers of its generated
`_headers` file (as Cloudflare Pages or Netlify would), runs the real `order-api` for checkout, and
loads every kind of page in headless Chromium: no CSP violation may be reported (neither in the
browser log nor to a `securitypolicyviolation` listener installed before any page script), and a
checkout through the API must work under the policy."""
from __future__ import annotations

import fnmatch
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from orderapi import ApiServer, database_facts, free_port

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """`_headers` rules: (path pattern, [(name, value) to set, or (name, None) to detach])."""
    rules: list[tuple[str, list[tuple[str, str | None]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        elif line.strip().startswith("!"):
            rules[-1][1].append((line.strip()[1:].strip(), None))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(rules, path: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for pattern, changes in rules:
        if fnmatch.fnmatchcase(path, pattern):
            for name, value in changes:
                if value is None:
                    headers.pop(name.lower(), None)
                else:
                    headers[name.lower()] = value
    return headers


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves public/ with the `_headers` rules, 404.html for misses, like a static host."""
    rules: list = []

    def send_head(self):
        path = self.translate_path(self.path)
        if not Path(path).exists() and not self.path.split("?")[0].endswith("/"):
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            return open(Path(self.directory) / "404.html", "rb")
        return super().send_head()

    def end_headers(self):
        for name, value in headers_for(self.rules, self.path.split("?")[0]).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("chromium and chromedriver are needed (scripts/install-deps.sh --test)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTENER})
    yield driver
    driver.quit()


def test_every_page_type_satisfies_the_content_security_policy(repo, bin_dir, tmp_path, output_dir, browser):
    site_port, api = free_port(), None
    site = f"http://127.0.0.1:{site_port}"
    shutil.copytree(repo / "content", tmp_path / "content")
    shutil.copy(repo / "site-status.json", tmp_path / "site-status.json")
    api = ApiServer(bin_dir, tmp_path, env={"ALLOWED_ORIGINS": site, "STOREFRONT_URL": site})
    public = tmp_path / "public"
    build = subprocess.run([str(bin_dir / "storefront"), "build", "--content", str(tmp_path / "content"), "--theme", str(repo / "themes/default"),
                            "--default-theme", str(repo / "themes/default"), "--site-status", str(tmp_path / "site-status.json"), "--out", str(public), "--base-url", site, "--api-url", api.base], capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr + build.stdout
    rules = parse_headers_file((public / "_headers").read_text())
    policy = headers_for(rules, "/index.html")["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert api.base in policy, "connect-src must allow the order API"

    handler = functools.partial(type("Host", (StaticHost,), {"rules": rules}), directory=str(public))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    api.start()
    violations: dict[str, list[str]] = {}
    try:
        catalog = json.loads((public / "catalog.json").read_text())
        product_urls = [p["url"] for p in catalog["products"]][:3]
        pages = ["/", "/cart/", "/checkout/", "/order/", "/pages/about/", "/pages/faq/", "/no-such-page/"]
        pages += [u.replace(site, "") or "/" for u in product_urls]
        pages += ["/" + str(p.relative_to(public).parent) + "/" for p in sorted(public.glob("categories/*/index.html"))[:2]]
        pages += ["/" + str(p.relative_to(public).parent) + "/" for p in sorted(public.glob("tags/*/index.html"))[:2]]
        pages += ["/" + str(p.relative_to(public).parent) + "/" for p in sorted(public.glob("page/*/index.html"))[:1]]
        for page in pages:
            browser.get(site + page)
            WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
            time.sleep(0.2)
            found = page_violations(browser)
            if found:
                violations[page] = found

        # The detector itself works: a page with an inline script is reported.
        (public / "csp-probe").mkdir()
        (public / "csp-probe" / "index.html").write_text("<!doctype html><title>probe</title><script>document.title = 'ran'</script>")
        browser.get(site + "/csp-probe/")
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        time.sleep(0.2)
        assert browser.title == "probe" and page_violations(browser), "an inline script must be blocked and reported"

        # A checkout under the policy: add to cart, fill the form, place the order through the API.
        browser.get(site + pages[7])
        browser.find_element(By.CSS_SELECTOR, "button.add-to-cart").click()
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return Object.keys(localStorage).length") > 0)
        browser.get(site + "/checkout/")
        WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "f-name")))
        for field, value in [("f-name", "CSP Tester"), ("f-email", "csp@example.com"), ("f-phone", "0912345678"),
                             ("f-postal", "742"), ("f-city", "Tainan"), ("f-address", "88 Toushe")]:
            browser.find_element(By.ID, field).send_keys(value)
        browser.find_element(By.CSS_SELECTOR, "input[name=paymentMethod][value=cash_on_delivery]").click()
        browser.find_element(By.ID, "place-order").click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not database_facts(api.db).orders:
            time.sleep(0.2)
        found = page_violations(browser)
        if found:
            violations["checkout flow"] = found
        assert len(database_facts(api.db).orders) == 1, "the checkout's fetch to the API must be allowed by connect-src"
    finally:
        httpd.shutdown()
        api.stop()
        (output_dir / "csp-browser.json").write_text(json.dumps({"pages": len(pages), "violations": violations}, indent=2, ensure_ascii=False))
    assert not violations, violations


def page_violations(browser) -> list[str]:
    listened = browser.execute_script("return window.__csp || []")
    logged = [entry["message"] for entry in browser.get_log("browser")
              if re.search(r"Content Security Policy|Refused to (load|execute|apply|connect|frame)", entry["message"])]
    return listened + logged
