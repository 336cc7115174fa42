"""A shop started the way a new user starts one: `storefront new`, then `storefront serve` in that
folder, with no copy of this repository's themes anywhere near it."""
import subprocess



def test_a_new_shop_serves_at_once_and_takes_a_cart(new_shop, new_shop_browser):
    browser = new_shop_browser
    assert sorted(p.name for p in new_shop.root.iterdir() if not p.name.startswith(".")) == ["README.md", "content", "site-status.json"]
    browser.open("/")
    browser.visible("article.card")
    assert "Canvas Tote Bag" in browser.find("main").text and "Enamel Camp Mug" in browser.find("main").text
    browser.screenshot("home")

    browser.open("/products/enamel-mug/")
    assert browser.find("h1").text == "Enamel Camp Mug"
    assert browser.shown_price() == "US$12.99"
    browser.add_product("enamel-mug", 2)
    browser.open("/cart/")
    browser.visible("#cart-lines tr")
    assert "Enamel Camp Mug" in browser.find("#cart-lines").text
    browser.text_in('[data-total="subtotal"]', "US$25.98")
    browser.screenshot("cart")
    assert browser.csp_violations() == []


def test_new_refuses_a_folder_that_is_not_empty(tmp_path, bin_dir):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    result = subprocess.run([str(bin_dir / "storefront"), "new", str(folder)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_check_and_build_need_no_theme_folder(tmp_path, bin_dir):
    root = tmp_path / "shop"
    storefront = str(bin_dir / "storefront")
    subprocess.run([storefront, "new", str(root)], check=True, capture_output=True, timeout=60)
    for command in (["check"], ["build", "--out", "public"]):
        result = subprocess.run([storefront, *command], cwd=root, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert "US$24.00" in (root / "public/products/canvas-tote/index.html").read_text()
