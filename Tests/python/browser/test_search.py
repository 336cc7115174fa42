"""Search in a real headless Chromium against `storefront serve`: the example shop (Chinese titles,
`Hass` and `guacamole` in one description), 2,000 mixed Chinese and English products with brands
(the shape of `make-catalog.py --rich`, made here so the test needs nothing outside the
repository), and a shop with no products. The index is the one `storefront build` wrote."""
import json
import random
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_support import Browser, make_browser, serve_shop, stop_shop
from support import REPO



def titles(browser):
    return [e.text for e in browser.find_all("[data-search-results] .card-title")]


def prices(browser):
    """Each result's lowest price, in minor units (TWD has none below the dollar)."""
    return [int(re.sub(r"\D", "", e.text)) for e in browser.find_all("[data-search-results] .price")]


def query(browser):
    return parse_qs(urlparse(browser.driver.current_url).query)


def wait_results(browser, status_text):
    try:
        browser.text_in("[data-search-status]", status_text)
    except TimeoutException:
        shown = browser.find("[data-search-status]").text
        raise AssertionError(f"waited for {status_text!r} in the search status; it says {shown!r} at {browser.driver.current_url}; "
                             f"requests pending: {browser.pending_requests()}") from None


def script_errors(browser):
    """Console messages from scripts (a failed fetch is logged by the network layer, not here)."""
    return [e["message"] for e in browser.driver.get_log("browser") if e.get("source") != "network" and e["level"] == "SEVERE"]


def test_searching_the_example_shop(shop, browser):
    browser.open("/")
    # Other pages do not load the search script until a search box gets focus.
    assert not browser.driver.execute_script("return !!window.storefrontSearch")
    box = browser.visible("#site-search-q")
    box.click()
    browser.wait(lambda d: d.execute_script("return !!window.storefrontSearch"))
    # A typo in an English word of the description, with suggestions under the box.
    box.send_keys("guacamloe")
    # The list answers the whole word before the keys move in it (an earlier answer for the first
    # letters typed could be replaced under the selection).
    browser.wait(lambda d: browser.find("#site-search-q-list").get_attribute("data-query") == "guacamloe")
    browser.visible("#site-search-q-list li")
    assert [li.text for li in browser.find_all("#site-search-q-list li")] == ["哈斯酪梨"]
    box.send_keys(Keys.ARROW_DOWN)
    assert browser.find("#site-search-q-list li").get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == "site-search-q-s0"
    box.send_keys(Keys.ENTER)
    browser.wait(lambda d: d.current_url.endswith("/products/hass/"))

    # A Chinese query: every published product has 酪梨 somewhere; the draft is never found.
    browser.open("/search/?q=" + "酪梨")
    wait_results(browser, "找到 14 件商品")
    assert "酪梨冰淇淋（4 杯入）" not in titles(browser)
    # The matched characters are marked.
    assert browser.find("[data-search-results] .card-title mark").text == "酪梨"
    browser.screenshot("chinese")

    # A category facet with its count, then its results.
    gift = browser.wait(lambda d: next((l for l in browser.find_all("[data-search-facets] label") if l.text.startswith("禮盒 ")), None))
    assert gift.text == "禮盒 (3)"
    gift.find_element(By.CSS_SELECTOR, "input").click()
    wait_results(browser, "找到 3 件商品")
    assert query(browser)["category"] == ["禮盒"]
    assert set(titles(browser)) == {"山丘精選酪梨禮盒", "酪梨好油禮盒", "季節酪梨定期配（四回）"}

    # A price range and a sort, both in the URL.
    browser.open("/search/?q=" + "酪梨")
    wait_results(browser, "找到 14 件商品")
    browser.find("[data-search-min]").send_keys("500")
    browser.find("[data-search-max]").send_keys("1200")
    browser.find("[data-search-form] button[type=submit]").click()
    browser.wait(lambda d: query(browser).get("max") == ["1200"])
    wait_results(browser, "件商品")
    assert prices(browser) and all(500 <= p <= 1200 for p in prices(browser))
    in_range = len(prices(browser))
    Select(browser.find("[data-search-sort]")).select_by_value("price-desc")
    browser.wait(lambda d: query(browser).get("sort") == ["price-desc"])
    browser.wait(lambda d: prices(browser) == sorted(prices(browser), reverse=True) and len(prices(browser)) == in_range)
    # Back: the filtered search by relevance again, from the URL.
    browser.driver.back()
    browser.wait(lambda d: "sort" not in query(browser) and Select(browser.find("[data-search-sort]")).first_selected_option.get_attribute("value") == "relevance")
    assert query(browser)["min"] == ["500"]

    # Newest first (each product's `date`); products without a date come last.
    browser.open("/search/?q=" + "酪梨" + "&sort=newest")
    wait_results(browser, "找到 14 件商品")
    assert Select(browser.find("[data-search-sort]")).first_selected_option.get_attribute("value") == "newest"
    newest = titles(browser)
    assert newest[:4] == ["酪梨葉茶", "季節酪梨定期配（四回）", "酪梨好油禮盒", "山丘精選酪梨禮盒"]
    assert newest[-1] == "酪梨插畫防水貼紙組"

    # A single character, and a query across word boundaries inside one title.
    browser.open("/search/?q=" + "梨")
    wait_results(browser, "找到 14 件商品")
    browser.open("/search/?q=" + "精選酪梨禮")
    wait_results(browser, "找到 1 件商品")
    browser.find("[data-search-results] a").click()
    browser.wait(lambda d: "/products/" in d.current_url)
    assert browser.find("h1").text == "山丘精選酪梨禮盒"

    # Nothing found: close terms are offered; hostile input is shown as text.
    browser.open("/search/?q=guacamolle%20xyzzyq")
    wait_results(browser, "找不到")
    suggested = browser.wait(lambda d: [a.text for a in browser.find_all(".search-suggest a")])
    assert "guacamole" in suggested
    next(a for a in browser.find_all(".search-suggest a") if a.text == "guacamole").click()
    wait_results(browser, "找到 1 件商品")
    assert titles(browser) == ["哈斯酪梨"]
    browser.open("/search/?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E%01%07%F0%9F%A5%91" + "a" * 1000)
    wait_results(browser, "<script>alert(1)</script>")
    assert browser.find("[data-search-query]").get_attribute("value").startswith("<script>")
    assert browser.driver.execute_script("return document.querySelectorAll('[data-search-status] script, [data-search-results] script').length") == 0
    assert browser.csp_violations() == []
    assert script_errors(browser) == []


def test_without_javascript_the_search_page_explains_itself(shop, shots, request):
    browser = Browser(make_browser(javascript=False), shop, shots, request.node.name)
    try:
        browser.open("/search/?q=test")
        notice = browser.visible("[data-search-noscript]")
        assert "JavaScript" in notice.text
        links = [a.get_attribute("href") for a in notice.find_elements(By.CSS_SELECTOR, "a")]
        assert any("/categories/" in href for href in links)
        assert not browser.find("[data-search-app]").is_displayed()
    finally:
        browser.driver.quit()


def test_a_missing_index_falls_back_to_the_categories(shop, browser):
    site = shop.root / ".data" / "site"
    (site / "search" / "manifest.json").unlink()
    browser.open("/search/?q=" + "酪梨")
    wait_results(browser, "搜尋暫時無法使用")
    assert browser.find("[data-search-fallback]").is_displayed()
    assert browser.find_all("[data-search-fallback] a[href*='/categories/']")
    assert script_errors(browser) == []


def test_a_stale_index_falls_back_to_the_categories(shop, browser):
    """A manifest whose shards are gone (a half-deployed site, or a cached manifest after the next
    deploy removed its files), and one of a format this script does not read."""
    manifest_file = shop.root / ".data" / "site" / "search" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["terms"] = [[first, "t-000000000000.bin"] for first, _ in manifest["terms"]]
    manifest_file.write_text(json.dumps(manifest))
    browser.open("/search/?q=" + "酪梨")
    wait_results(browser, "搜尋暫時無法使用")
    assert browser.find("[data-search-fallback]").is_displayed()
    assert script_errors(browser) == []
    manifest_file.write_text(json.dumps({**manifest, "format": 1}))
    browser.open("/search/?q=" + "酪梨")
    wait_results(browser, "搜尋暫時無法使用")
    assert script_errors(browser) == []


def test_only_the_latest_answer_is_shown_while_typing(shop, browser):
    browser.open("/")
    box = browser.visible("#site-search-q")
    box.click()
    browser.wait(lambda d: d.execute_script("return !!window.storefrontSearch"))
    for text in ["h", "ha", "has", "hass"]:
        box.send_keys(text[-1])
    box.send_keys(Keys.BACKSPACE * 4)
    box.send_keys("酪梨好油")
    browser.wait(lambda d: [li.text for li in browser.find_all("#site-search-q-list li")][:1] == ["酪梨好油禮盒"])


@pytest.fixture
def empty_shop(tmp_path, bin_dir):
    root = tmp_path / "shop"
    root.mkdir()
    (root / "content").mkdir()
    shutil.copy(REPO / "content" / "store.json", root / "content" / "store.json")
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    shutil.copytree(REPO / "content" / "images", root / "content" / "images")
    (root / "content" / "products").mkdir()
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    shop = serve_shop(root, tmp_path, bin_dir)
    yield shop
    stop_shop(shop)


def test_a_shop_with_no_products(empty_shop, shots, request):
    browser = Browser(make_browser(), empty_shop, shots, request.node.name)
    try:
        browser.open("/search/?q=" + "酪梨")
        wait_results(browser, "找不到")
        assert titles(browser) == []
        assert script_errors(browser) == []
    finally:
        browser.driver.quit()


SYLLABLES = "ka lo mi ra ve no su ta ri en do ma li ko se an ru vi ze ol ba te qu ni fa go hu ja pe".split()
ADJECTIVES = "ripe creamy fresh organic seasonal premium golden wild smoky roasted raw handmade aged floral".split()
NOUNS = "avocado mango pineapple lychee guava papaya banana plum peach oolong honey jam soap teapot granola".split()
PLACES = "台南 大內 玉井 楠西 麻豆 阿里山 梨山 花蓮 台東 屏東 南投 鹿谷 宜蘭 新竹 埔里".split()
QUALITIES = "有機 友善 無毒 冷壓 手工 特選 頂級 精選 家庭號 經典 限量 當季".split()
NAMES = "哈斯酪梨 厚綠酪梨 愛文芒果 金煌芒果 鳳梨 荔枝 玉荷包 龍眼 文旦 芭樂 高山烏龍茶 東方美人茶 龍眼蜜 果醬 苦茶油".split()
CATEGORIES = "酪梨 芒果 鳳梨 茶葉 蜂蜜 油品 禮盒 fruit tea pantry".split()


def write_products(folder: Path, count: int, seed: int = 3):
    """`count` products, half English with a brand from a few hundred made-up names, half Chinese."""
    rng = random.Random(seed)
    brands = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(400)})
    brands = [b for b in brands if len(b) >= 5]
    folder.mkdir(parents=True)
    for i in range(count):
        if i % 2:
            brand = rng.choice(brands)
            title = f"{brand} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, {rng.choice(['250 g', '1 kg', 'gift set'])}"
        else:
            brand = rng.choice(PLACES) + "家果園"
            title = f"{rng.choice(PLACES)}{rng.choice(QUALITIES)}{rng.choice(NAMES)} {rng.choice(['1公斤', '6入', '一盒'])}"
        (folder / f"product-{i:06d}.md").write_text(
            f'---\ntitle: "{title}"\nsku: SKU-{i:06d}\nprice: {rng.choice([99, 250, 380, 880, 1200, 2400])}\nstock: {rng.randint(0, 50)}\n'
            f'brand: "{brand}"\ncategories: [{rng.choice(CATEGORIES)}]\nweight: {i}\n---\n\nFresh from the farm, {rng.choice(NOUNS)} and {rng.choice(NOUNS)}.\n')


@pytest.fixture
def rich_shop(tmp_path, bin_dir):
    """2,000 mixed products, with the example shop's settings and pages."""
    root = tmp_path / "shop"
    root.mkdir()
    write_products(root / "content" / "products", 2000)
    shutil.copy(REPO / "content" / "store.json", root / "content" / "store.json")
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    shop = serve_shop(root, tmp_path, bin_dir)
    yield shop
    stop_shop(shop)


def product_file(shop, number):
    text = (shop.root / "content" / "products" / f"product-{number:06d}.md").read_text()
    return {key: value.strip('"') for key, value in re.findall(r'^(title|brand): (.*)$', text, re.M)}


def test_searching_two_thousand_products(rich_shop, shots, request):
    browser = Browser(make_browser(), rich_shop, shots, request.node.name)
    try:
        # An English brand with one typo (a swap) finds that brand's product in the top 5.
        wanted = product_file(rich_shop, 1)
        brand = wanted["brand"].lower()
        at = next(i for i in range(1, len(brand) - 1) if brand[i] != brand[i + 1])
        typo = brand[:at] + brand[at + 1] + brand[at] + brand[at + 2:]
        browser.open("/search/?q=" + typo)
        wait_results(browser, "件商品")
        assert any(t.lower().startswith(brand + " ") for t in titles(browser)[:5]), (typo, titles(browser)[:5])
        # A Chinese substring of a title, across its word boundaries (one that at most three titles have).
        titles_all = [product_file(rich_shop, n)["title"] for n in range(0, 2000, 2)]
        chinese, middle = next((t, t[1:5]) for t in titles_all if sum(t[1:5] in other for other in titles_all) <= 3)
        browser.open("/search/?q=" + middle)
        wait_results(browser, "件商品")
        assert chinese in titles(browser)[:5]
        # Paging: 24 to a page, the second page in the URL, and back.
        browser.open("/search/?q=farm")
        wait_results(browser, "件商品")
        total = int(re.search(r"(\d+)", browser.find("[data-search-status]").text).group(1))
        assert total > 24 and len(titles(browser)) == 24
        first_page = titles(browser)
        browser.find("[data-search-pager] a[rel=next]").click()
        browser.wait(lambda d: query(browser).get("page") == ["2"])
        browser.wait(lambda d: titles(browser) and titles(browser) != first_page)
        assert len(titles(browser)) == min(24, total - 24)
        browser.driver.back()
        browser.wait(lambda d: "page" not in query(browser) and titles(browser) == first_page)
        assert script_errors(browser) == []
    finally:
        browser.driver.quit()
