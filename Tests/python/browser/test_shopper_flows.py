"""Shopper flows in a real headless Chromium against `storefront serve`."""
import threading

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_support import Browser, make_browser

SHIPPING_FEE = 150          # content/store.json: flat fee below the free-shipping threshold
FREE_SHIPPING_FROM = 2000


def expected_total(lines):
    subtotal = sum(price * quantity for price, quantity in lines)
    return subtotal + (0 if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE)


def test_cash_on_delivery_order_is_shipped_from_the_admin_page(shop, browser):
    """Scenario 3: a cash-on-delivery order is `created`; the owner ships it with a tracking
    number in the admin page; the shopper's order page shows `shipped` and the number."""
    browser.add_product("hass", 2)
    browser.screenshot("product")
    browser.open("/cart/")
    browser.visible("#cart-lines tr")
    browser.screenshot("cart")
    browser.fill_checkout("cash_on_delivery")
    browser.screenshot("checkout")
    browser.place_order()
    order_id = browser.wait_for_order_page()
    assert browser.order_status() == "created"
    price = shop.catalog_price("AVO-HASS-1KG")
    status, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert status == 200 and answer["order"]["totalMinor"] == expected_total([(price, 2)])
    browser.screenshot("order-created")

    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-owner")
    try:
        owner.admin_sign_in()
        row = owner.visible(f'#orders-body tr[data-id="{order_id}"]')
        assert row.find_element(By.CSS_SELECTOR, "[data-order-status]").text == "created"
        row.click()
        owner.text_in("#detail-id", order_id)
        owner.visible("#tracking-number").send_keys("TCAT-5566-7788")
        owner.screenshot("admin-order")
        owner.clickable('#status-actions button[data-status="shipped"]').click()
        owner.text_in("#detail-status", "shipped")
        assert "TCAT-5566-7788" in owner.find("#detail-facts").text
        assert any("shipped" in item.text for item in owner.find_all("#detail-events li"))
        assert owner.csp_violations() == []
    finally:
        owner.driver.quit()

    browser.driver.refresh()
    browser.visible("#order-result")
    browser.wait(lambda d: browser.order_status() == "shipped")
    browser.visible("#order-tracking")
    assert browser.find('#order-tracking [data-o="trackingNumber"]').text == "TCAT-5566-7788"
    browser.screenshot("order-shipped")
    assert browser.csp_violations() == []


def test_two_products_and_a_quantity_change_are_charged_at_catalog_prices(shop, browser):
    """Adding two different products, changing a quantity in the cart, and checking out charges
    the catalog prices for the final quantities."""
    browser.open("/")
    browser.screenshot("home")
    browser.add_product("hass")
    browser.add_product("avocado-chips-60g")
    browser.open("/cart/")
    quantity = browser.visible('#cart-lines input.qty[data-sku="SNACK-CHIPS-60"]')
    quantity.send_keys(Keys.CONTROL, "a")
    quantity.send_keys("3", Keys.TAB)   # leaving the field fires `change`, which saves the cart
    browser.wait(lambda d: browser.cart_count() == 4)
    browser.fill_checkout("cash_on_delivery")
    browser.place_order()
    order_id = browser.wait_for_order_page()
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    lines = {line["sku"]: line["quantity"] for line in answer["order"]["lines"]}
    assert lines == {"AVO-HASS-1KG": 1, "SNACK-CHIPS-60": 3}
    expected = expected_total([(shop.catalog_price("AVO-HASS-1KG"), 1), (shop.catalog_price("SNACK-CHIPS-60"), 3)])
    assert answer["order"]["totalMinor"] == expected


def test_a_tampered_cart_price_is_not_what_is_charged(shop, browser):
    """Scenario 5: lowering the price in the cart's localStorage changes nothing: the order is
    charged the catalog price."""
    browser.add_product("gift-deluxe")
    browser.driver.execute_script("""
        const cart = JSON.parse(localStorage.getItem('storefront.cart'));
        cart.forEach(line => { line.priceMinor = 1; });
        localStorage.setItem('storefront.cart', JSON.stringify(cart));""")
    browser.fill_checkout("cash_on_delivery")
    browser.place_order()
    order_id = browser.wait_for_order_page()
    price = shop.catalog_price("GIFT-DELUXE-OIL")
    assert price > 1
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert answer["order"]["lines"][0]["unitPriceMinor"] == price
    assert answer["order"]["totalMinor"] == expected_total([(price, 1)])
    shown_total = browser.find('#order-result .grand [data-o="total"]').text
    assert str(1) != shown_total and f"{answer['order']['totalMinor']:,}" in shown_total


def test_two_shoppers_race_for_the_last_unit(shop, browser):
    """Scenario 6: with one unit left, two shoppers check out at once; one gets it and the other
    is told clearly that it sold out."""
    status, _ = shop.api("PATCH", "/admin/products/GOODS-TOTE", {"stock": 1}, admin=True)
    assert status == 200
    second = Browser(make_browser(), shop, browser.shots, browser.name + "-second")
    try:
        shoppers = [browser, second]
        for index, shopper in enumerate(shoppers):
            shopper.add_product("farm-tote")
            shopper.fill_checkout("cash_on_delivery", email=f"racer{index}@example.tw")
        barrier = threading.Barrier(2)

        def go(shopper):
            barrier.wait()
            shopper.place_order()
        threads = [threading.Thread(target=go, args=(shopper,)) for shopper in shoppers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        outcomes = {}
        for shopper in shoppers:
            shopper.wait(lambda d: "/order/?id=" in d.current_url or not shopper.find("#error-summary").get_attribute("hidden"))
            outcomes[shopper.name] = "won" if "/order/?id=" in shopper.driver.current_url else shopper.find("#error-summary").text
        winners = [name for name, outcome in outcomes.items() if outcome == "won"]
        assert len(winners) == 1, outcomes
        loser_message = next(outcome for outcome in outcomes.values() if outcome != "won")
        assert "已售完" in loser_message, loser_message   # "sold out", naming the product
        loser = next(s for s in shoppers if s.name not in winners)
        loser.screenshot("sold-out")
        _, products = shop.api("GET", "/admin/products?q=GOODS-TOTE", admin=True)
        stock = products["products"][0]["stock"]
        assert (stock["available"], stock["reserved"] + stock["sold"]) == (0, 1)
    finally:
        second.driver.quit()


def test_a_product_page_without_javascript_shows_the_essentials(shop, shots):
    """Scenario 7: with JavaScript off, a product page still shows its name, price, description
    and availability."""
    browser = Browser(make_browser(javascript=False), shop, shots, "no-javascript")
    try:
        browser.open("/products/hass/")
        body = browser.find("main").text
        assert "哈斯酪梨" in browser.find("h1").text
        assert "1 公斤" in body and "3 公斤" in body, "the variant list"
        assert "NT$380" in body
        assert "大內山坡地的冬季哈斯酪梨" in body
        assert "有現貨" in body or "現貨" in body
        browser.open("/products/early-3kg/")
        assert "已售完" in browser.find("main").text
        browser.screenshot("product")
    finally:
        browser.driver.quit()
