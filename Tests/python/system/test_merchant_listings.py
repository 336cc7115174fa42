"""Google's merchant-listing requirements, checked offline (`tools/check_merchant_listings.py`,
extruct and a JSON Schema profile) over the example shop as `storefront build` writes it; a page
that loses its shipping details, or a home page that loses the policies the offers refer to, fails
with a message naming the page, the product and the property; and the example shop's shipping and
terms pages say what its structured data says."""
import html
import json
import re
import shutil
import sys

import pytest

from support import REPO, build_example_shop

sys.path.insert(0, str(REPO / "tools"))
from check_merchant_listings import check_site, json_ld  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory, bin_dir):
    return build_example_shop(tmp_path_factory.mktemp("merchant"), bin_dir)


def test_every_product_page_of_the_example_shop_passes(site):
    lines, errors, warnings, pages, products = check_site(site)
    assert (errors, warnings) == (0, 0), "\n".join(lines)
    assert pages == 14
    assert products == 18, "each variant of a product with options is checked on its own"


def edited_copy(site, tmp_path, product, old, new):
    """A copy of the site in which one product page has `old` (which it must have) replaced by `new`."""
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    page = broken / "products" / product / "index.html"
    text = page.read_text()
    assert old in text
    page.write_text(text.replace(old, new))
    return broken


def test_a_page_without_its_shipping_details_fails_by_name(site, tmp_path):
    broken = edited_copy(site, tmp_path, "gift-deluxe", '"shippingDetails":[{"@id":"https://shop.example.tw/#shipping-TW"}],', "")
    lines, errors, warnings, _, _ = check_site(broken)
    assert (errors, warnings) == (0, 1)
    assert lines == ["products/gift-deluxe/index.html: warning: missing recommended 酪梨好油禮盒: offers: 'shippingDetails' is a required property"]

    # The home page without its policies: every offer's references lead nowhere.
    home = broken / "index.html"
    home.write_text(re.sub(r'<script type="application/ld\+json">\{"@context":"https://schema.org","@graph".*?</script>', "", home.read_text()))
    lines, errors, _, _, _ = check_site(broken)
    assert errors >= 18
    assert "products/hass/index.html: error: 哈斯酪梨 (1 公斤): https://shop.example.tw/#shipping-TW names no node on this page or the home page" in lines


def test_a_price_of_zero_or_a_finite_window_without_days_is_an_error(site, tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    page = broken / "products" / "farm-tote" / "index.html"
    page.write_text(page.read_text().replace('"price":"390"', '"price":"0.00"', 1))
    home = broken / "index.html"
    home.write_text(home.read_text().replace('"merchantReturnDays":7,', ""))
    lines, _, _, _, _ = check_site(broken)
    assert "products/farm-tote/index.html: error: 果園帆布托特包: offers/price: '0.00' must be a price above 0" in lines
    assert "products/farm-tote/index.html: error: 果園帆布托特包: offers/hasMerchantReturnPolicy: 'merchantReturnDays' is a required property" in lines


def _text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_the_shipping_and_terms_pages_say_what_the_structured_data_says(site):
    nodes = {n["@id"]: n for n in json_ld(site / "index.html") if "@id" in n}
    service = nodes["https://shop.example.tw/#shipping-service-TW"]
    handling = service["handlingTime"]["duration"]
    charged, free = service["shippingConditions"]
    transit = charged["transitTime"]["duration"]
    shipping = _text(site / "pages" / "shipping" / "index.html")
    assert f"運費 {charged['shippingRate']['value']} 元" in shipping
    assert f"滿 {int(free['orderValue']['minValue']):,} 元免運" in shipping
    assert free["shippingRate"]["value"] == "0"
    assert f"{handling['minValue']}–{handling['maxValue']} 個工作天內出貨" in shipping
    assert f"出貨後 {transit['minValue']}–{transit['maxValue']} 天送達" in shipping
    assert "只配送台灣本島" in shipping and charged["shippingDestination"]["addressCountry"] == "TW"

    returns = nodes["https://shop.example.tw/#returns"]
    terms = _text(site / "pages" / "terms" / "index.html")
    assert returns["merchantReturnDays"] == 7 and "七天內" in terms
    assert returns["returnFees"] == "https://schema.org/FreeReturn" and "寄回運費由本店負擔" in terms
    # Perishables are outside the cooling-off period, in the terms and in each one's offer.
    assert "不適用七天解除權" in terms
    for slug in ("hass", "houlu-2kg", "gift-classic", "seasonal-subscription", "avocado-spread-200g"):
        offers = [n for n in json_ld(site / "products" / slug / "index.html") if n.get("@type") in ("Product", "ProductGroup")][0]
        for offer in [v["offers"] for v in offers.get("hasVariant", [offers])]:
            assert offer["hasMerchantReturnPolicy"] == {"@id": "https://shop.example.tw/#returns-none"}, slug
    assert nodes["https://shop.example.tw/#returns-none"]["returnPolicyCategory"] == "https://schema.org/MerchantReturnNotPermitted"


def test_the_shop_storefront_new_writes_passes_too(tmp_path, bin_dir):
    """Its products have pictures (SVG, drawn as PNG for the listing), a brand and an MPN."""
    import subprocess
    root = tmp_path / "new"
    subprocess.run([str(bin_dir / "storefront"), "new", str(root)], check=True, capture_output=True, text=True, timeout=60)
    subprocess.run([str(bin_dir / "storefront"), "build", "--out", str(root / "public")], cwd=root, check=True,
                   capture_output=True, text=True, timeout=120)
    lines, errors, warnings, pages, products = check_site(root / "public")
    assert (errors, warnings, products) == (0, 0, 2), "\n".join(lines)
    page = (root / "public" / "products" / "canvas-tote" / "index.html").read_text()
    assert '"image":["https://shop.example.com/images/_v/canvas-tote-1200.png"]' in page


def test_an_svg_product_image_is_an_error(site, tmp_path):
    """Google takes no SVG: the example shop's SVG pictures reach the structured data as their PNG
    drawings, and a page that names the SVG itself fails."""
    broken = edited_copy(site, tmp_path, "farm-tote", '"image":["https://shop.example.tw/images/_v/farm-tote-1200.png"]',
                         '"image":["https://shop.example.tw/images/farm-tote.svg"]')
    lines, errors, _, _, _ = check_site(broken)
    assert errors == 1, "\n".join(lines)
    assert lines == ["products/farm-tote/index.html: error: 果園帆布托特包: image: ['https://shop.example.tw/images/farm-tote.svg'] "
                     "is SVG or AVIF, which Google does not take as a product image (JPEG, PNG, WebP or GIF)"]
