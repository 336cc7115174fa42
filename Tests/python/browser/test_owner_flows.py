"""Owner flows through the admin page, with the shop rebuilt by `storefront serve`."""
import json

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_support import Browser, make_browser

CLOSED_MESSAGE = "盤點中，12 月 1 日恢復接單"


def site_status(shop):
    return json.loads(shop.get("/site-status.json"))["status"]


def test_closing_the_shop_stops_checkout_until_it_reopens(shop, browser):
    """Scenario 4: closing the shop in the admin page shows the message on the storefront, which
    cannot check out, and the API refuses orders; reopening restores both."""
    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-owner")
    try:
        owner.admin_sign_in()
        # The sections are a tab list: arrow keys, Home and End move between them.
        orders = owner.find('.admin-tabs [data-tab="orders"]')
        orders.send_keys(Keys.ARROW_RIGHT)
        owner.wait(lambda d: owner.find('[role="tab"][aria-selected="true"]').get_attribute("data-tab") == "products")
        assert owner.find("#tab-products").is_displayed() and not owner.find("#tab-orders").is_displayed()
        assert owner.driver.switch_to.active_element.get_attribute("data-tab") == "products"
        owner.driver.switch_to.active_element.send_keys(Keys.END)
        owner.wait(lambda d: owner.find('[role="tab"][aria-selected="true"]').get_attribute("data-tab") == "notifications")
        assert [t.get_attribute("tabindex") for t in owner.find_all('[role="tab"]')] == ["-1", "-1", "-1", "0"]
        owner.find('.admin-tabs [data-tab="site"]').click()
        owner.wait(lambda d: owner.find("#site-open").is_selected() or owner.find("#site-closed").is_selected())
        owner.find("#site-closed").click()
        message = owner.find("#site-message")
        message.send_keys(Keys.CONTROL, "a")
        message.send_keys(CLOSED_MESSAGE)
        owner.find("#save-site-status").click()
        owner.text_in("#admin-notice", "closed")
        owner.screenshot("admin-site-status")

        shop.wait_for(lambda: site_status(shop) == "closed", message="the rebuilt site to say closed")
        browser.open("/products/hass/")
        banner = browser.visible("#shop-closed")
        assert CLOSED_MESSAGE in banner.text
        browser.wait(lambda d: not browser.find("form[data-add-form] button.add-to-cart").is_enabled())
        browser.screenshot("closed-product")
        browser.open("/checkout/")
        browser.visible("#shop-closed")
        browser.wait(lambda d: not browser.find("#place-order").is_enabled())
        status, answer = shop.api("POST", "/order", {
            "items": [{"sku": "AVO-HASS-1KG", "quantity": 1}],
            "customer": {"name": "王小明", "email": "shopper@example.tw", "phone": "0912345678"},
            "shipping": {"postalCode": "745", "city": "台南市", "address": "頭社里 1 號"},
            "paymentMethod": "cash_on_delivery"})
        assert status == 503, answer
        assert answer["error"]["code"] == "shop_closed"

        owner.find("#site-open").click()
        owner.find("#save-site-status").click()
        owner.text_in("#admin-notice", "open")
        shop.wait_for(lambda: site_status(shop) == "open", message="the rebuilt site to say open")
        browser.open("/products/hass/")
        button = browser.clickable("form[data-add-form] button.add-to-cart")
        assert not browser.find("#shop-closed").is_displayed()
        button.click()
        browser.wait(lambda d: browser.cart_count() == 1)
        assert browser.csp_violations() == [] and owner.csp_violations() == []
    finally:
        owner.driver.quit()


def test_a_price_change_in_the_admin_page_is_rebuilt_and_charged(shop, browser):
    """Scenario 8: the owner changes a price; after the rebuild the product page and catalog.json
    show it, and a new order is charged it."""
    old_price = shop.catalog_price("AVO-HASS-1KG")
    new_price = old_price + 45
    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-owner")
    try:
        owner.admin_sign_in()
        owner.find('.admin-tabs [data-tab="products"]').click()
        row = owner.visible('#products-body tr[data-sku="AVO-HASS-1KG"]')
        price = row.find_element(By.CSS_SELECTOR, 'input[name="price"]')
        assert price.get_attribute("value") == str(old_price)
        price.send_keys(Keys.CONTROL, "a")
        price.send_keys(str(new_price))
        row.find_element(By.CSS_SELECTOR, "button.save").click()
        owner.text_in("#admin-notice", "Saved AVO-HASS-1KG")
        owner.screenshot("admin-products")
    finally:
        owner.driver.quit()

    content = (shop.root / "content/products/hass.md").read_text()
    assert f"price: {new_price}, stock: 120}}" in content, "the 1 kg variant's price, on its own line"
    shop.wait_for(lambda: shop.catalog_price("AVO-HASS-1KG") == new_price, message="catalog.json to carry the new price")
    browser.open("/products/hass/")
    assert f"NT${new_price}" in browser.find("main").text
    browser.add_product("hass")
    browser.fill_checkout("cash_on_delivery")
    browser.place_order()
    order_id = browser.wait_for_order_page()
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert answer["order"]["lines"][0]["unitPriceMinor"] == new_price


def test_edits_rebuild_and_reload_open_pages_and_errors_show_over_the_last_good_build(shop, browser):
    """`storefront serve` watches the sources: an edit reloads open pages with the new content; a
    content error shows as an overlay naming the file and line while the last good build stays
    served; fixing it reloads the page and removes the overlay."""
    product = shop.root / "content/products/houlu-2kg.md"
    original = product.read_text()
    browser.open("/products/houlu-2kg/")
    browser.visible("h1")
    browser.driver.execute_script("window.__beforeReload = true")
    product.write_text(original.replace('title: "厚綠酪梨 2 公斤"', 'title: "厚綠酪梨 2 公斤（新採收）"'))
    browser.wait(lambda d: d.execute_script("return window.__beforeReload === undefined"), timeout=30)
    browser.text_in("h1", "新採收")

    product.write_text(original.replace("price: 560", "price: -5"))
    overlay = browser.visible("#storefront-build-error", timeout=30)
    price_line = original.splitlines().index("price: 560") + 1
    assert f"content/products/houlu-2kg.md:{price_line}: price" in overlay.text
    browser.screenshot("build-error-overlay")
    assert "新採收" in shop.get("/products/houlu-2kg/"), "the last good build is still served"

    product.write_text(original)
    browser.wait(lambda d: not d.find_elements("css selector", "#storefront-build-error"), timeout=30)
    browser.text_in("h1", "厚綠酪梨 2 公斤")
    assert "新採收" not in browser.find("h1").text


def test_a_page_left_behind_gives_back_its_live_reload_stream(shop, browser):
    """Each page `storefront serve` shows holds one live-reload stream. A page that is left (and kept
    in the back/forward cache) closes its stream, and the page brought back opens a new one. Else six
    pages in a row hold all six of Chromium's connections to the host, and the next page's fetches
    wait until the cache lets a page go (this hung the search test on a loaded machine)."""
    browser.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const Native = window.EventSource;
        window.__streams = [];
        window.EventSource = class extends Native { constructor(...a) { super(...a); window.__streams.push(this); } };"""})
    browser.open("/products/farm-tote/")
    browser.wait(lambda d: d.execute_script("return window.__streams.length === 1 && window.__streams[0].readyState === 1"))
    browser.driver.execute_script("window.__leftAt = 1")
    browser.open("/products/sticker-set/")
    browser.visible("h1")
    browser.driver.back()
    browser.wait(lambda d: d.current_url.endswith("/products/farm-tote/"))
    # The same document came back from the cache (its state is kept): its old stream was closed on
    # leaving, and a new one is open.
    assert browser.driver.execute_script("return window.__leftAt") == 1
    assert browser.driver.execute_script("return window.__streams[0].readyState") == 2
    browser.wait(lambda d: d.execute_script("return window.__streams.length === 2 && window.__streams[1].readyState === 1"))
    # And it reloads on an edit.
    product = shop.root / "content/products/farm-tote.md"
    product.write_text(product.read_text().replace('title: "', 'title: "新款 ', 1))
    browser.wait(lambda d: d.execute_script("return window.__leftAt === undefined"), timeout=30)
    browser.text_in("h1", "新款")
