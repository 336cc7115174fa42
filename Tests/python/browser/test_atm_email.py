"""The ATM payment-info e-mail end to end: in `storefront serve`, a shopper orders with ATM, the
sandbox's ATM page issues a virtual account, the order page shows it, and the `order-payment-info`
e-mail that the API sent through the sandbox's SMTP server (read in `/sandbox/mail/`) shows the
same account number."""
import time

from selenium.webdriver.common.by import By


def payment_info_mail(browser, order_id, timeout=30):
    """Opens `/sandbox/mail/`, reloading until a message for `order_id` has the header
    `X-Storefront-Event: order.payment_info`; leaves the browser on that message's page."""
    deadline = time.monotonic() + timeout
    while True:
        browser.open("/sandbox/mail/")
        links = [(a.text, a.get_attribute("href")) for a in browser.find_all("table a") if order_id in a.text]
        for subject, href in links:
            browser.driver.get(href)
            headers = {row.find_element(By.CSS_SELECTOR, "th").text: row.find_element(By.CSS_SELECTOR, "td").text
                       for row in browser.find_all("table tr") if row.find_elements(By.CSS_SELECTOR, "th")}
            if headers.get("X-Storefront-Event") == "order.payment_info":
                return subject, headers
        if time.monotonic() > deadline:
            raise AssertionError(f"no order-payment-info e-mail for {order_id} in /sandbox/mail/ (saw {links})")
        time.sleep(0.3)


def test_atm_payment_info_email_shows_the_account_of_the_order_page(shop, browser):
    browser.add_product("gift-classic")
    browser.fill_checkout("atm", email="atm-mail@example.tw")
    browser.place_order()
    browser.visible("#simulate-transfer", timeout=30)
    account = browser.find("#v-account").text.strip()
    bank_code = browser.find("#bank-code").text.strip()
    assert account and bank_code
    browser.clickable("#back-to-shop").click()
    order_id = browser.wait_for_order_page()
    browser.visible("#order-atm")
    shown_account = browser.find('#order-atm [data-o="vAccount"]').text.strip()
    assert shown_account == account
    assert browser.order_status() == "created"
    browser.screenshot("order-atm")

    subject, headers = payment_info_mail(browser, order_id)
    assert order_id in subject and "ATM" in subject
    assert headers.get("To", "").endswith("<atm-mail@example.tw>") or "atm-mail@example.tw" in headers.get("To", "")
    text = browser.find("pre").text
    assert shown_account in text, text
    assert bank_code in text
    html = browser.find("iframe").get_attribute("srcdoc")
    assert shown_account in html
    browser.screenshot("payment-info-mail")
