"""Products with variants in a real headless Chromium against `storefront serve`: the example
shop's leaf tea in 30 g (TEA-LEAF-30G) and 75 g (TEA-LEAF-75G)."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser_support import Browser, make_browser

PAGE = "/products/leaf-tea/"


def choose(browser, weight):
    Select(browser.visible("#option-1")).select_by_value(weight)


def test_a_chosen_variant_sets_price_url_and_cart_line_and_is_ordered_at_its_price(shop, browser):
    browser.open(PAGE)
    browser.visible("[data-variant-picker]")
    assert browser.shown_price() == "NT$280"
    choose(browser, "75 公克")
    browser.wait(lambda d: browser.shown_price() == "NT$620")
    assert browser.driver.current_url.endswith(f"{PAGE}?variant=TEA-LEAF-75G")
    assert browser.find("[data-variant-sku]").text == "TEA-LEAF-75G"
    assert browser.find(".product-info .price .price-was").text.endswith("NT$700")
    assert browser.find('[data-variant-list] tr[aria-current]').get_attribute("data-sku") == "TEA-LEAF-75G"
    browser.screenshot("picked-75g")
    count = browser.cart_count()
    browser.clickable("form[data-add-form] button.add-to-cart").click()
    browser.wait(lambda d: browser.cart_count() == count + 1)
    choose(browser, "30 公克")
    browser.wait(lambda d: browser.shown_price() == "NT$280")
    browser.clickable("form[data-add-form] button.add-to-cart").click()
    browser.wait(lambda d: browser.cart_count() == count + 2)

    # A deep link chooses its variant.
    browser.open(f"{PAGE}?variant=TEA-LEAF-75G")
    browser.wait(lambda d: browser.shown_price() == "NT$620")
    assert Select(browser.find("#option-1")).first_selected_option.get_attribute("value") == "75 公克"

    browser.open("/cart/")
    browser.wait(lambda d: len(browser.find_all("#cart-lines tr")) == 2)
    rows = browser.find_all("#cart-lines tr")
    assert [row.find_element(By.CSS_SELECTOR, ".line-options").text for row in rows] == ["75 公克", "30 公克"]
    browser.screenshot("cart")
    browser.fill_checkout("cash_on_delivery")
    assert any("(75 公克)" in item.text for item in browser.find_all("#summary-lines li"))
    browser.place_order()
    order_id = browser.wait_for_order_page()
    browser.wait(lambda d: len(browser.find_all("#order-lines tr")) == 2)
    assert [row.find_element(By.CSS_SELECTOR, ".line-options").text for row in browser.find_all("#order-lines tr")] == ["75 公克", "30 公克"]
    browser.screenshot("order")
    _, answer = shop.api("GET", f"/order?id={order_id}&contact=shopper@example.tw")
    lines = [(line["sku"], line["unitPriceMinor"], line["options"]) for line in answer["order"]["lines"]]
    assert lines == [
        ("TEA-LEAF-75G", shop.catalog_price("TEA-LEAF-75G"), [{"name": "重量", "value": "75 公克"}]),
        ("TEA-LEAF-30G", shop.catalog_price("TEA-LEAF-30G"), [{"name": "重量", "value": "30 公克"}]),
    ]
    assert browser.csp_violations() == []

    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-owner")
    try:
        owner.admin_sign_in()
        owner.visible(f'#orders-body tr[data-id="{order_id}"]').click()
        owner.text_in("#detail-id", order_id)
        owner.wait(lambda d: "重量: 75 公克" in owner.find("#detail-lines").text)
        assert owner.csp_violations() == []
    finally:
        owner.driver.quit()


def test_without_javascript_every_variant_is_listed_with_its_price_and_availability(shop):
    plain = Browser(make_browser(javascript=False), shop, None, "variants-no-js")
    try:
        plain.open(PAGE)
        rows = plain.find_all("[data-variant-list] tbody tr")
        cells = [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in rows]
        assert cells[0] == ["30 公克", "NT$280", "現貨供應"], cells
        assert cells[1][0] == "75 公克" and cells[1][1].startswith("NT$620") and "NT$700" in cells[1][1] and cells[1][2] == "現貨供應", cells
        assert len(cells) == 2
        assert not plain.find("[data-variant-picker]").is_displayed(), "the picker needs JavaScript and stays hidden"
    finally:
        plain.driver.quit()


def test_the_admin_page_edits_one_variants_price(shop, browser):
    product = shop.root / "content/products/leaf-tea.md"
    before = product.read_text()
    owner = Browser(make_browser(), shop, browser.shots, browser.name + "-owner")
    try:
        owner.admin_sign_in()
        owner.find('.admin-tabs [data-tab="products"]').click()
        row = owner.visible('#products-body tr[data-sku="TEA-LEAF-75G"]')
        assert "重量: 75 公克" in row.text
        price = row.find_element(By.CSS_SELECTOR, 'input[name="price"]')
        price.send_keys(Keys.CONTROL, "a")
        price.send_keys("660")
        row.find_element(By.CSS_SELECTOR, "button.save").click()
        owner.text_in("#admin-notice", "Saved TEA-LEAF-75G")
    finally:
        owner.driver.quit()
    assert product.read_text() == before.replace("price: 620", "price: 660"), "only that variant's price changed in the file"
    shop.wait_for(lambda: shop.catalog_price("TEA-LEAF-75G") == 660, message="catalog.json to carry the new price")
    assert shop.catalog_price("TEA-LEAF-30G") == 280
    browser.open(f"{PAGE}?variant=TEA-LEAF-75G")
    browser.wait(lambda d: browser.shown_price() == "NT$660")
    rows = {row.get_attribute("data-sku"): row.text for row in browser.find_all("[data-variant-list] tbody tr")}
    assert "NT$660" in rows["TEA-LEAF-75G"] and "NT$280" in rows["TEA-LEAF-30G"]
