#!/usr/bin/env python3
"""Page weights: builds the example shop and reports, for each page type, the HTML and the CSS and
JavaScript it loads, uncompressed and gzip-compressed (level 6, what a typical server sends), and
checks that no page has a render-blocking script and that a product page stays within 40 KB.

Usage: page_weights.py [--storefront BIN] [--limit-kb 40]
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

PAGES = [
    ("product", "products/hass/index.html"),
    ("home (list)", "index.html"),
    ("category (list)", None),
    ("plain page", "pages/shipping/index.html"),
    ("cart", "cart/index.html"),
    ("checkout", "checkout/index.html"),
    ("order status", "order/index.html"),
    ("404", "404.html"),
]


def gz(data):
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--storefront", default=os.path.join(REPO, ".build", "release", "storefront"))
    parser.add_argument("--limit-kb", type=float, default=40)
    args = parser.parse_args()
    out = os.path.join(tempfile.mkdtemp(prefix="page-weights-"), "public")
    theme = os.path.join(REPO, "themes", "default")
    cmd = [args.storefront, "build", "--content", os.path.join(REPO, "content"), "--out", out, "--theme", theme,
           "--default-theme", theme, "--site-status", os.path.join(REPO, "site-status.json")]
    subprocess.run(cmd, check=True, capture_output=True)
    print("# Page weights\ncommand: " + " ".join(cmd))
    categories = os.path.join(out, "categories")
    first_category = sorted(os.listdir(categories))[0]
    failures = []
    print("\n| page | HTML | + CSS + JS | gzip HTML | gzip total | render-blocking scripts |\n|---|---|---|---|---|---|")
    for label, path in PAGES:
        path = path or f"categories/{first_category}/index.html"
        with open(os.path.join(out, path), "rb") as f:
            html = f.read()
        text = html.decode()
        assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text) + re.findall(r'<script src="([^"]+)"', text)
        blocking = [tag for tag in re.findall(r"<script\b[^>]*>", text)
                    if "src=" in tag and not re.search(r"\b(defer|async)\b", tag) and 'type="module"' not in tag]
        blocking += [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag and "application/ld+json" not in tag]
        total = len(html)
        total_gz = gz(html)
        for asset in assets:
            with open(os.path.join(out, asset.lstrip("/")), "rb") as f:
                data = f.read()
            total += len(data)
            total_gz += gz(data)
        print(f"| {label} (`/{path}`) | {len(html) / 1024:.1f} KB | {total / 1024:.1f} KB | {gz(html) / 1024:.1f} KB | {total_gz / 1024:.1f} KB | {len(blocking)} |")
        if blocking:
            failures.append(f"{path}: render-blocking script {blocking}")
        if label == "product" and total > args.limit_kb * 1024:
            failures.append(f"{path}: {total / 1024:.1f} KB of HTML, CSS and JS is over {args.limit_kb} KB")
    print(f"\nproduct page budget: {args.limit_kb:.0f} KB uncompressed for HTML + CSS + JS")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
