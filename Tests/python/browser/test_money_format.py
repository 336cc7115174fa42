"""One money format: the cart and the checkout (written by site.js in the browser) and the order
page show a price exactly as the product page (written by the generator's MoneyFormatter) does."""


def amounts_shown_for_one_unit(browser, slug):
    """The product page's price, then every place the cart, the checkout and the order page show
    that one unit."""
    browser.open(f"/products/{slug}/")
    page_price = browser.shown_price()
    browser.add_product(slug, 1)
    browser.open("/cart/")
    row = browser.visible("#cart-lines tr")
    cells = row.find_elements("css selector", "td")
    browser.text_in('[data-total="subtotal"]', page_price)
    cart = {"unit price": cells[1].text, "line total": cells[3].text, "subtotal": browser.find('[data-total="subtotal"]').text}
    browser.screenshot("cart")
    browser.open("/checkout/")
    browser.wait(lambda d: len(browser.find_all("#summary-lines li span")) == 2)
    browser.text_in('[data-total="subtotal"]', page_price)
    checkout = {"summary line": browser.find_all("#summary-lines li span")[1].text,
                "checkout subtotal": browser.find('[data-total="subtotal"]').text}
    browser.screenshot("checkout")
    browser.fill_checkout("cash_on_delivery")
    browser.place_order()
    browser.wait_for_order_page()
    browser.wait(lambda d: len(browser.find_all("#order-lines tr td")) > 1)
    order = {"order unit price": browser.find_all("#order-lines tr td")[1].text,
             "order subtotal": browser.find('#order-result [data-o="subtotal"]').text}
    browser.screenshot("order")
    assert browser.csp_violations() == []
    return page_price, {**cart, **checkout, **order}


def test_a_whole_dollar_price_reads_the_same_in_the_cart(shop, browser):
    page_price, shown = amounts_shown_for_one_unit(browser, "hass")
    assert page_price == "NT$380"
    assert shown == dict.fromkeys(shown, "NT$380")


def test_a_two_decimal_price_reads_the_same_in_the_cart(new_shop, new_shop_browser):
    page_price, shown = amounts_shown_for_one_unit(new_shop_browser, "enamel-mug")
    assert page_price == "US$12.99"
    assert shown == dict.fromkeys(shown, "US$12.99")
