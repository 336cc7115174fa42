"""The owner's notifications tab in `storefront serve`: a webhook endpoint added through the page
(its secret shown once, a refused URL explained next to the field), the delivery log with the
e-mails of a real order, and an e-mail preview."""
from selenium.webdriver.support.ui import Select

from browser_support import Browser, make_browser


def test_the_owner_adds_an_endpoint_sees_the_log_and_previews_an_email(shop, browser):
    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-notifications")
    try:
        status, answer = shop.api("POST", "/order", {
            "items": [{"sku": "AVO-HASS-1KG", "quantity": 1}],
            "customer": {"name": "王小明", "email": "shopper@example.tw", "phone": "0912345678"},
            "shipping": {"postalCode": "745", "city": "台南市", "address": "頭社里 1 號"},
            "paymentMethod": "cash_on_delivery"})
        assert status == 201, answer
        order_id = answer["order"]["id"]

        owner.admin_sign_in()
        owner.find('.admin-tabs [data-tab="notifications"]').click()

        url = owner.visible("#webhook-url")
        url.send_keys("ftp://example.com/hook")
        owner.find("#webhook-form button[type=submit]").click()
        owner.wait(lambda d: owner.find("#webhook-url-error").text.strip() != "")
        assert "url" in owner.find("#webhook-url-error").text.lower() or "http" in owner.find("#webhook-url-error").text.lower()

        url.clear()
        url.send_keys(shop.url + "/hooks/test")  # loopback: the local shop allows private addresses
        owner.find("#webhook-form button[type=submit]").click()
        secret = owner.visible("#webhook-secret-value")
        owner.wait(lambda d: secret.text.startswith("whsec_"))
        owner.screenshot("webhook-secret")
        owner.find("#webhook-secret-done").click()
        owner.wait(lambda d: shop.url + "/hooks/test" in owner.find("#webhooks-body").text)

        # The order's e-mails, to the shopper and the owner, go out through the sandbox's SMTP server.
        shop.wait_for(lambda: len([d for d in shop.api("GET", "/admin/deliveries?status=sent", admin=True)[1]["deliveries"]
                                   if d["orderId"] == order_id]) >= 2, message="the order's e-mails to be sent")
        owner.find("#delivery-filter button[type=submit]").click()
        owner.wait(lambda d: "shopper@example.tw" in owner.find("#deliveries-body").text)
        assert "order.created" in owner.find("#deliveries-body").text

        Select(owner.find("#email-template")).select_by_value("order-shipped")
        owner.wait(lambda d: owner.find("#email-subject").text.strip() != "")
        assert owner.find("#email-text").text.strip() != ""
        frame = owner.visible("#email-html")
        assert frame.get_attribute("sandbox") == ""
        owner.screenshot("email-preview")
        assert owner.csp_violations() == []
    finally:
        owner.driver.quit()
