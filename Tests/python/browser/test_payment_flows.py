"""Online payments end to end: the checkout page posts to the payment sandbox that
`storefront serve` mounts, which speaks ECPay's and Stripe's protocols back to the order API."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

SHIPPING_FEE, FREE_SHIPPING_FROM = 150, 2000


def total_for(lines):
    subtotal = sum(price * quantity for price, quantity in lines)
    return subtotal + (0 if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE)


def wait_for_status(browser, status, timeout=30):
    """The order page shows `status`, refreshing it the way a shopper would."""
    def shown(driver):
        if browser.order_status() == status:
            return True
        browser.find("#order-refresh").click()
        return False
    browser.wait(shown, timeout)


def test_credit_card_checkout_paid_in_the_sandbox(shop, browser):
    """Scenario 1: from the home page, open a product, add two different products, change a
    quantity, check out with a credit card and pay in the sandbox; the order page shows `paid`
    with the right total."""
    browser.open("/")
    browser.clickable('main a.card-media[href="/products/hass/"], main a[href="/products/hass/"]').click()
    browser.wait(lambda d: d.current_url.endswith("/products/hass/"))
    browser.add_product("hass", variant="AVO-HASS-3KG")
    browser.add_product("avocado-oil-250ml")
    browser.open("/cart/")
    quantity = browser.visible('#cart-lines input.qty[data-sku="OIL-EV-250"]')
    quantity.send_keys(Keys.CONTROL, "a")
    quantity.send_keys("2", Keys.TAB)
    browser.wait(lambda d: browser.cart_count() == 3)
    browser.fill_checkout("credit_card")
    browser.place_order()

    pay = browser.clickable("#pay", timeout=30)
    assert "/sandbox/" in browser.driver.current_url
    browser.screenshot("sandbox-credit")
    pay.click()
    order_id = browser.wait_for_order_page()
    wait_for_status(browser, "paid")
    expected = total_for([(shop.catalog_price("AVO-HASS-3KG"), 1), (shop.catalog_price("OIL-EV-250"), 2)])
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert answer["order"]["status"] == "paid" and answer["order"]["totalMinor"] == expected
    assert f"{expected:,}" in browser.find('#order-result .grand [data-o="total"]').text
    browser.screenshot("order-paid")
    assert browser.csp_violations() == []


def test_atm_transfer_shows_the_account_and_is_paid_after_the_transfer(shop, browser):
    """Scenario 2: an ATM order's page shows the bank code, virtual account and deadline; after
    "Simulate transfer" in the sandbox, reloading the order page shows `paid`."""
    browser.add_product("gift-classic")
    browser.fill_checkout("atm")
    browser.place_order()
    browser.visible("#simulate-transfer", timeout=30)
    atm_page = browser.driver.current_url
    bank_code = browser.find("#bank-code").text
    account = browser.find("#v-account").text
    assert bank_code and account
    browser.screenshot("sandbox-atm")
    browser.clickable("#back-to-shop").click()
    order_id = browser.wait_for_order_page()
    browser.visible("#order-atm")
    assert browser.find('#order-atm [data-o="bankCode"]').text == bank_code
    assert browser.find('#order-atm [data-o="vAccount"]').text == account
    assert browser.find('#order-atm [data-o="expireDate"]').text.strip()
    assert browser.order_status() == "created"
    browser.screenshot("order-atm")
    order_page = browser.driver.current_url

    browser.driver.get(atm_page)
    browser.clickable("#simulate-transfer").click()
    browser.wait(lambda d: "paid" in d.find_element(By.CSS_SELECTOR, "#state").text)
    browser.driver.get(order_page)
    browser.visible("#order-result")
    wait_for_status(browser, "paid")
    assert not browser.find("#order-atm").is_displayed()
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert answer["order"]["totalMinor"] == total_for([(shop.catalog_price("GIFT-CLASSIC-6"), 1)])


def test_stripe_checkout_paid_in_the_sandbox(shop, browser):
    """Stripe Checkout: the API creates a session in the sandbox, the shopper pays on its hosted
    page, the signed webhook marks the order paid and the shopper returns to the order page."""
    browser.add_product("sticker-set", 2)
    browser.fill_checkout("stripe")
    browser.place_order()
    browser.clickable("#pay", timeout=30).click()
    order_id = browser.wait_for_order_page()
    wait_for_status(browser, "paid")
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    assert answer["order"]["totalMinor"] == total_for([(shop.catalog_price("GOODS-STICKER-6"), 2)])
