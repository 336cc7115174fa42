#!/usr/bin/env python3
"""Benchmark of the image step (README "Images"; results in benchmarks/RESULTS.md, "Issue 20").

For each catalog size (the plain benchmark catalog of ../shared/bench/make-catalog.py):
  1. a copy of the content with no images, and one whose first PHOTOS products have a photo each
     (benchmarks/make-photos.py: JPEG and PNG, 2,000 to 4,000 px, some with transparency);
  2. times the first build of each (the photos encoded with an empty image cache), then price-edit
     rebuilds of each (no image changed: what the step costs when it has nothing to do), then a
     build after editing one photo;
  3. counts the bytes: the sources, everything the step published, and what a 390 px phone at 2x
     downloads for a product page's main image (the copy `srcset` and `sizes` choose: the
     narrowest WebP at least 716 px wide, else the widest), against the 150 KB budget.

Usage: python3 benchmarks/bench_images.py --bin .build/release/storefront [--work /tmp/bench-images]
       [--sizes 10000,100000] [--photos 2000] [--runs 3]
"""
import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from PIL import Image  # noqa: E402  (Tests/python/requirements.txt)
from bench_generator import REPO, SHARED, edit_price, empty_trash, storefront_cmd, timed  # noqa: E402

PHONE_SLOT = (390 - 32) * 2  # the main image's slot on a 390 px phone, in device pixels


def prepare(work, n, photos, seed):
    base = os.path.join(work, f"c{n}")
    plain, with_photos = os.path.join(base, "plain"), os.path.join(base, "photos")
    if not os.path.exists(os.path.join(plain, "products")):
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "make-catalog.py"), plain, str(n)], check=True)
        shutil.copy(os.path.join(REPO, "content", "store.json"), plain)
        shutil.copytree(os.path.join(REPO, "content", "pages"), os.path.join(plain, "pages"))
    if not os.path.exists(os.path.join(with_photos, "images")):
        shutil.rmtree(with_photos, ignore_errors=True)
        shutil.copytree(plain, with_photos)
        # make-catalog.py names every image .jpg; one product in seven gets a PNG instead (the
        # photo writer gives half of those transparency), as a shop's cut-outs would be.
        products = os.path.join(with_photos, "products")
        for index, name in enumerate(sorted(os.listdir(products))[:photos]):
            if index % 7 == 3:
                path = os.path.join(products, name)
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(re.sub(r"^(images: \[/images/[^\]]*)\.jpg\]", r"\1.png]", text, count=1, flags=re.M))
        subprocess.run([sys.executable, os.path.join(HERE, "make-photos.py"), "--out", os.path.join(with_photos, "images"),
                        "--count", str(photos), "--names-from", with_photos, "--seed", str(seed), "--jobs", str(os.cpu_count())],
                       check=True)
    return plain, with_photos


def build(binary, content, out):
    r = timed(storefront_cmd(binary, content, out))
    match = re.search(r"(\d+) images encoded", r["stdout"])
    r["encoded"] = int(match.group(1)) if match else 0
    return r


def cold(out):
    """No output and no caches of this output (the image cache too)."""
    shutil.rmtree(out, ignore_errors=True)
    cache = os.path.join(os.path.dirname(out), ".storefront-cache")
    for suffix in (".manifest", ".content", ".images"):
        path = os.path.join(cache, os.path.basename(out) + suffix)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def size_of(path):
    """The bytes of the files under `path`, each file once (a copy and the original's path are
    hard links to one file in the image cache)."""
    seen = {}
    for directory, _, files in os.walk(path):
        for name in files:
            info = os.stat(os.path.join(directory, name))
            seen[(info.st_dev, info.st_ino)] = info.st_size
    return sum(seen.values())


def phone_bytes(site, content):
    """For each photo, the bytes of the copy a 390 px phone at 2x loads as the main image."""
    copies = os.path.join(site, "images", "_v")
    out = []
    for name in sorted(os.listdir(os.path.join(content, "images"))):
        stem = os.path.splitext(name)[0]
        widths = sorted(int(m.group(1)) for f in os.listdir(copies) if (m := re.fullmatch(re.escape(stem) + r"-(\d+)\.webp", f)))
        if widths:
            # The square gallery draws a portrait photo narrower than the slot (`sizes` says so).
            with Image.open(os.path.join(copies, f"{stem}-{widths[-1]}.webp")) as widest:
                slot = math.ceil(PHONE_SLOT * min(1, widest.width / widest.height))
            chosen = next((w for w in widths if w >= slot), widths[-1])
            out.append(os.path.getsize(os.path.join(copies, f"{stem}-{chosen}.webp")))
    return out


def report_bytes(photos, out_photos):
    sources = size_of(os.path.join(photos, "images"))
    published = size_of(os.path.join(out_photos, "images"))
    phone = sorted(phone_bytes(out_photos, photos))
    over = sum(1 for b in phone if b > 150_000)
    print(f"bytes: sources {sources / 1e6:.0f} MB; published copies {published / 1e6:.0f} MB "
          f"(every width and format; the original's path is the widest copy)")
    print(f"phone main image (390 px at 2x): median {statistics.median(phone) / 1e3:.0f} KB, "
          f"p95 {phone[int(len(phone) * 0.95)] / 1e3:.0f} KB, max {phone[-1] / 1e3:.0f} KB; {over} of {len(phone)} above 150 KB; "
          f"sources average {sources / max(len(phone), 1) / 1e3:.0f} KB")


def edit_photo(content):
    """Rewrites one photo with other pixels (the same size), as an owner replacing a picture."""
    images = os.path.join(content, "images")
    name = sorted(n for n in os.listdir(images) if n.endswith(".jpg"))[0]
    path = os.path.join(images, name)
    subprocess.run(["vips", "invert", path, path + ".new.jpg"], check=True)
    os.replace(path + ".new.jpg", path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin")
    parser.add_argument("--work", default="/tmp/bench-images")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--image-cache-from", help="an image cache folder (.storefront-cache/<out>.images) to start from: "
                        "the first build then finds every photo encoded, as a build after a theme change does")
    parser.add_argument("--bytes-only", action="store_true", help="only count the bytes of the last run's output")
    parser.add_argument("--prepare-only", action="store_true", help="only write the content trees and photos")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin or "")
    os.makedirs(args.work, exist_ok=True)
    empty_trash(args.work)
    for n in [int(x) for x in args.sizes.split(",")]:
        plain, photos = prepare(args.work, n, args.photos, args.seed)
        if args.prepare_only:
            continue
        out_plain, out_photos = os.path.join(args.work, f"c{n}", "out-plain"), os.path.join(args.work, f"c{n}", "out-photos")
        if args.bytes_only:
            report_bytes(photos, out_photos)
            continue
        cold(out_plain)
        cold(out_photos)
        if args.image_cache_from:
            target = os.path.join(os.path.dirname(out_photos), ".storefront-cache", "out-photos.images")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            subprocess.run(["cp", "-al", args.image_cache_from, target], check=True)
        print(f"\n## {n} products, {args.photos} photos{' (image cache from ' + args.image_cache_from + ')' if args.image_cache_from else ''}",
              flush=True)
        first_plain = build(binary, plain, out_plain)
        first_photos = build(binary, photos, out_photos)
        print(f"first build: no images {first_plain['wall']:.2f} s; with photos {first_photos['wall']:.2f} s wall, "
              f"{first_photos['cpu']:.1f} s CPU, {first_photos['rss_mb']:.0f} MB, {first_photos['encoded']} images encoded", flush=True)
        edits = {"plain": [], "photos": []}
        for run in range(args.runs):
            for key, content, out in (("plain", plain, out_plain), ("photos", photos, out_photos)):
                edit_price(content, 1234 + run)
                r = build(binary, content, out)
                assert r["encoded"] == 0, r["stdout"]
                edits[key].append(r["wall"])
        for key in edits:
            print(f"price-edit rebuild, {key}: median {statistics.median(edits[key]):.2f} s ({', '.join(f'{x:.2f}' for x in edits[key])})", flush=True)
        print(f"image step when no image changed: {statistics.median(edits['photos']) - statistics.median(edits['plain']):+.2f} s (median difference)")
        edit_photo(photos)
        one = build(binary, photos, out_photos)
        print(f"one photo edited: {one['wall']:.2f} s, {one['encoded']} image encoded")
        report_bytes(photos, out_photos)

if __name__ == "__main__":
    main()
