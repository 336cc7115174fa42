#!/usr/bin/env python3
"""Write a folder of varied, photo-like test images for the image-pipeline benchmark.

Usage: make-photos.py --out DIR --count N [--seed S] [--names-from CONTENT_DIR] [--jobs J]

The storefront build turns every product image into resized, re-encoded copies, and
caches them between builds. To measure that step (first build, rebuild with a warm
cache, bytes saved against the originals) it needs inputs that behave like the photos a
shop owner uploads: 2000 to 4000 px on the long side, landscape, portrait and square,
mostly camera JPEGs at quality 88-92, some PNGs (half of them product cut-outs with an
alpha channel), and content that compresses like a photo rather than like flat colour
or pure noise. This script writes such a set with the `vips` command-line tool
(Debian's libvips-tools) and nothing else.

How: a few large "scenes" are rendered once per run (a smooth colour structure from a
fractal surface and Perlin fields in CIELAB, with hard-ish region boundaries, plus a
mid-frequency Perlin or Worley texture whose strength varies across the scene, plus
fine grain). Each photo is a crop of one scene at a random offset and size, passed
through its own tone curve (brightness, contrast, gamma, colour tint) and saved.

Files are named photo-000001.jpg, ... by default. With --names-from CONTENT_DIR (a
content folder, e.g. one written by ../shared/bench/make-catalog.py) the first N product
files under CONTENT_DIR/products/ (sorted by name, .md and .json) are read and each
one's first image, /images/<name>, is written as DIR/<name>; the file's extension then
decides the format (.jpg/.jpeg: JPEG, .png: PNG, .webp: WebP). Products without a local
image, and images with another extension (.svg, ...), are skipped.

Deterministic for a given --seed (and the same list of names).
"""
import argparse
import concurrent.futures
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time

SCENE = 5000            # scene side in pixels (the largest photo is 4000 px)
LOW = SCENE // 4        # resolution of the smooth structure, upscaled 4x
MAX_SCENES = 6
MASKS = 4               # cut-out shapes for the PNGs with alpha
MASK_SIZE = 1024

ENV = dict(os.environ)


def vips(op, *args, **options):
    """Runs one vips operation; returns its stdout. Options are keyword arguments
    (cell_size=64 is --cell-size 64); they go before a "--" so that negative numbers
    among the arguments are not taken for options."""
    cmd = ["vips", op]
    for key, value in options.items():
        cmd += ["--" + key.replace("_", "-"), str(value)]
    cmd += ["--"] + [str(a) for a in args]
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if os.environ.get("PROFILE"): print(f"{time.monotonic()-t0:6.2f} {op} {args[-1] if args else ''}", file=sys.stderr)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def stats(path):
    return float(vips("avg", path)), float(vips("deviate", path))


def vec(values):
    return " ".join(f"{v:.6g}" for v in values)


def write_matrix(path, rows):
    with open(path, "w") as f:
        f.write(f"{len(rows[0])} {len(rows)} 1 0\n")
        for row in rows:
            f.write(vec(row) + "\n")


# ---------------------------------------------------------------------------- scenes

def render_scene(tmp, index, seed):
    """Renders one SCENE x SCENE sRGB uchar scene; returns its .v path."""
    rng = random.Random(f"scene:{seed}:{index}")
    d = os.path.join(tmp, f"scene{index}")
    os.makedirs(d)
    p = lambda name: os.path.join(d, name)
    s = lambda: rng.randrange(1 << 30)

    # Low resolution fields: a fractal surface (1/f spectrum, like natural images),
    # Perlin fields for the colour, a region mask (object / background) and a field
    # that modulates how strong the texture is.
    vips("gaussnoise", p("n.v"), LOW, LOW, mean=0, sigma=1, seed=s())
    vips("mask_fractal", p("mf.v"), LOW, LOW, rng.uniform(2.2, 2.7))
    vips("freqmult", p("n.v"), p("mf.v"), p("f1.v"))
    vips("perlin", p("f2.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 4)), seed=s())
    vips("perlin", p("f3.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 4)), seed=s())
    vips("perlin", p("f4.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 3.5)), seed=s())
    vips("relational_const", p("f4.v"), p("m.v"), "more", rng.uniform(-0.1, 0.1))
    vips("perlin", p("f5.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(2, 6)), seed=s())
    norm = []
    for name in ("f1.v", "f2.v", "f3.v", "f5.v"):
        mean, dev = stats(p(name))
        norm.append((mean, dev or 1.0))
    vips("bandjoin", " ".join(p(n) for n in ("f1.v", "f2.v", "f3.v", "m.v", "f5.v")), p("j.v"))
    vips("bandjoin_const", p("j.v"), p("j1.v"), 1)

    # Rows give L, a, b and texture strength from (f1, f2, f3, mask, f5, 1); each
    # coefficient is per standard deviation of its field (the mask is 0 or 255).
    hue = rng.uniform(0, 2 * math.pi)
    chroma = rng.uniform(5, 30)
    a0, b0 = chroma * math.cos(hue), chroma * math.sin(hue)
    hue2 = rng.uniform(0, 2 * math.pi)
    chroma2 = rng.uniform(10, 45)
    da, db = chroma2 * math.cos(hue2), chroma2 * math.sin(hue2)
    l0 = rng.uniform(35, 65)
    dl = rng.uniform(-25, 25)
    coef = [
        # f1 (fractal)          f2 (perlin)            f3 (perlin)            mask /255      f5
        [rng.uniform(8, 16), rng.uniform(-4, 4), 0.0, dl, 0.0, l0],
        [rng.uniform(-4, 4), rng.uniform(6, 18), rng.uniform(-5, 5), da - a0, 0.0, a0],
        [rng.uniform(-4, 4), rng.uniform(-5, 5), rng.uniform(6, 18), db - b0, 0.0, b0],
        [0.0, 0.0, 0.0, rng.uniform(-0.6, 0.6), rng.uniform(0.2, 0.5), rng.uniform(0.6, 1.0)],
    ]
    fields = [0, 1, 2, None, 3]  # index into norm for each input band
    rows = []
    for row in coef:
        out, const = [], row[5]
        for band, idx in enumerate(fields):
            c = row[band]
            if idx is None:
                out.append(c / 255.0)
            else:
                mean, dev = norm[idx]
                out.append(c / dev)
                const -= c * mean / dev
        rows.append(out + [const])
    write_matrix(p("mix.mat"), rows)
    vips("recomb", p("j1.v"), p("lab4.v"), p("mix.mat"))
    vips("extract_band", p("lab4.v"), p("lab.v"), 0, n=3)
    vips("colourspace", p("lab.v"), p("rgb_lo.v"), "srgb", source_space="lab")
    vips("extract_band", p("lab4.v"), p("amp_lo.v"), 3)

    # Full resolution: upscale the structure, add a modulated mid-frequency texture
    # (grey, in sRGB levels) and fine grain.
    vips("resize", p("rgb_lo.v"), p("rgb.v"), SCENE / LOW, kernel="cubic")
    texture = rng.uniform(5, 14)   # texture standard deviation in levels, where amp = 1
    if rng.random() < 0.35:
        cell = rng.randint(24, 72)
        vips("worley", p("t.v"), SCENE, SCENE, cell_size=cell, seed=s())
        mean, dev = 0.23 * cell, 0.124 * cell
    else:
        vips("perlin", p("t.v"), SCENE, SCENE, cell_size=rng.randint(12, 80), seed=s())
        mean, dev = 0.0, 0.21
    vips("linear", p("amp_lo.v"), p("amp_lo2.v"), texture / dev, 0)
    vips("resize", p("amp_lo2.v"), p("amp.v"), SCENE / LOW, kernel="linear")
    if mean:
        vips("linear", p("t.v"), p("t0.v"), 1, -mean)
        os.replace(p("t0.v"), p("t.v"))
    vips("multiply", p("t.v"), p("amp.v"), p("ta.v"))
    vips("gaussnoise", p("g.v"), SCENE, SCENE, mean=0, sigma=rng.uniform(1.5, 3.5), seed=s())
    vips("sum", f"{p('rgb.v')} {p('ta.v')} {p('g.v')}", p("sum.v"))
    out = os.path.join(tmp, f"scene{index}.v")
    vips("cast", p("sum.v"), out, "uchar")
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))
    os.rmdir(d)
    return out


def render_mask(tmp, index, seed):
    """A cut-out shape: an opaque superellipse with a wobbly, anti-aliased edge."""
    rng = random.Random(f"mask:{seed}:{index}")
    d = os.path.join(tmp, f"mask{index}")
    os.makedirs(d)
    p = lambda name: os.path.join(d, name)
    n = MASK_SIZE
    cx, cy = n * rng.uniform(0.45, 0.55), n * rng.uniform(0.45, 0.55)
    rx, ry = n * rng.uniform(0.28, 0.44), n * rng.uniform(0.28, 0.44)
    vips("xyz", p("xy.v"), n, n)
    vips("linear", p("xy.v"), p("d.v"), vec([1 / rx, 1 / ry]), vec([-cx / rx, -cy / ry]))
    vips("abs", p("d.v"), p("ad.v"))
    vips("math2_const", p("ad.v"), p("pw.v"), "pow", rng.choice([2, 2, 3, 5, 8]))
    vips("perlin", p("w.v"), n, n, cell_size=rng.randint(128, 384), seed=rng.randrange(1 << 30))
    vips("bandjoin", f"{p('pw.v')} {p('w.v')}", p("j.v"))
    write_matrix(p("m.mat"), [[1, 1, rng.uniform(0.5, 1.5)]])
    vips("recomb", p("j.v"), p("r.v"), p("m.mat"))
    vips("relational_const", p("r.v"), p("in.v"), "less", 1)
    out = os.path.join(tmp, f"mask{index}.v")
    vips("gaussblur", p("in.v"), out, 0.8)
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))
    os.rmdir(d)
    return out


# ---------------------------------------------------------------------------- photos

def plan(index, name, fmt, seed, scenes):
    """Chooses everything about one photo from its own seeded generator."""
    rng = random.Random(f"photo:{seed}:{index}")
    shape = rng.choices(["landscape", "portrait", "square"], weights=[60, 30, 10])[0]
    ratio = rng.choices([3 / 2, 4 / 3, 16 / 9], weights=[50, 30, 20])[0]
    long_side = rng.randint(2000, 4000)
    short_side = round(long_side / ratio)
    w, h = {"landscape": (long_side, short_side), "portrait": (short_side, long_side),
            "square": (long_side, long_side)}[shape]
    kind = rng.random()
    if fmt is None:
        fmt = "jpeg" if kind < 0.85 else "png"
    alpha = fmt == "png" and rng.random() < 0.5
    gamma = rng.uniform(0.8, 1.25)
    contrast = rng.uniform(0.85, 1.2)
    bright = rng.uniform(0.85, 1.15)
    tint = [rng.uniform(0.9, 1.1) for _ in range(3)]
    lut = bytearray()
    for i in range(256):
        base = ((i / 255) ** gamma - 0.5) * contrast + 0.5
        for c in range(3):
            lut.append(max(0, min(255, round(base * bright * tint[c] * 255))))
    return {
        "index": index, "name": name, "fmt": fmt, "alpha": alpha, "w": w, "h": h,
        "scene": rng.randrange(scenes), "x": rng.randint(0, SCENE - w), "y": rng.randint(0, SCENE - h),
        "quality": rng.randint(88, 92), "mask": rng.randrange(MASKS), "lut": bytes(lut),
    }


def make_photo(job, tmp, out_dir, scene_paths, mask_paths):
    p = lambda name: os.path.join(tmp, f"p{job['index']}-{name}")
    lut = p("lut.ppm")
    with open(lut, "wb") as f:
        f.write(b"P6\n256 1\n255\n" + job["lut"])
    dest = os.path.join(out_dir, job["name"])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if job["fmt"] == "jpeg":
        target = f"{dest}[Q={job['quality']},subsample-mode=on,strip]"
    elif job["fmt"] == "webp":
        target = f"{dest}[Q={job['quality'] - 6},strip]"
    else:
        target = f"{dest}[compression=3,strip]"
    w, h = job["w"], job["h"]
    temps = [lut, p("crop.v")]
    vips("extract_area", scene_paths[job["scene"]], p("crop.v"), job["x"], job["y"], w, h)
    if job["alpha"]:
        temps += [p("tone.v"), p("mask.v"), p("rgba.v")]
        vips("maplut", p("crop.v"), p("tone.v"), lut)
        vips("thumbnail", mask_paths[job["mask"]], p("mask.v"), w, height=h, size="force")
        vips("bandjoin", f"{p('tone.v')} {p('mask.v')}", p("rgba.v"))
        vips("premultiply", p("rgba.v"), target)   # transparent pixels become black
    else:
        vips("maplut", p("crop.v"), target, lut)
    for t in temps:
        os.remove(t)
    return os.path.getsize(dest)


# ---------------------------------------------------------------------------- names

def first_image(path):
    """The first entry of a product file's `images`, or None."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        try:
            images = json.loads(text).get("images")
        except (ValueError, AttributeError):
            return None
        if isinstance(images, str):
            return images
        return images[0] if isinstance(images, list) and images and isinstance(images[0], str) else None
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return None
        m = re.match(r"images:\s*(.*?)\s*$", line)
        if not m:
            continue
        value = m.group(1)
        if value.startswith("["):
            first = value.strip("[]").split(",")[0]
        elif value and not value.startswith("#"):
            first = value
        else:   # a block list on the following lines
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            m2 = re.match(r"\s*-\s*(.+?)\s*$", nxt)
            if not m2:
                return None
            first = m2.group(1)
        first = first.strip().strip("'\"")
        return first or None
    return None


FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}


def names_from(content_dir, count):
    pdir = os.path.join(content_dir, "products")
    files = sorted(n for n in os.listdir(pdir)
                   if not n.startswith(".") and (n.endswith(".md") or n.endswith(".json")))[:count]
    items, seen, skipped = [], set(), 0
    for n in files:
        image = first_image(os.path.join(pdir, n))
        if not image or not image.startswith("/images/"):
            skipped += 1
            continue
        name = os.path.normpath(image[len("/images/"):])
        fmt = FORMATS.get(os.path.splitext(name)[1].lower())
        if fmt is None or name.startswith("..") or os.path.isabs(name):
            skipped += 1
            continue
        if name not in seen:
            seen.add(name)
            items.append((name, fmt))
    return items, skipped


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="folder to write the images into")
    ap.add_argument("--count", type=int, required=True, help="number of images (or of product files read)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--names-from", metavar="CONTENT_DIR",
                    help="name the images after the first image of each product in CONTENT_DIR/products")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="vips processes run at once")
    args = ap.parse_args()
    jobs = max(1, args.jobs)
    ENV["VIPS_CONCURRENCY"] = str(max(1, (os.cpu_count() or 1) // jobs))

    skipped = 0
    if args.names_from:
        items, skipped = names_from(args.names_from, args.count)
    else:
        items = [(f"photo-{i + 1:06d}", None) for i in range(args.count)]
    nscenes = max(1, min(MAX_SCENES, len(items)))
    plans = []
    for i, (name, fmt) in enumerate(items):
        job = plan(i, name, fmt, args.seed, nscenes)
        if fmt is None:
            job["name"] = name + (".jpg" if job["fmt"] == "jpeg" else ".png")
        plans.append(job)
    os.makedirs(args.out, exist_ok=True)

    start = time.monotonic()
    total = done = 0
    with tempfile.TemporaryDirectory(prefix="make-photos-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        scene_futures = [pool.submit(render_scene, tmp, k, args.seed) for k in range(nscenes)]
        mask_futures = [pool.submit(render_mask, tmp, k, args.seed)
                        for k in range(MASKS if any(j["alpha"] for j in plans) else 0)]
        scene_paths = [f.result() for f in scene_futures]
        mask_paths = [f.result() for f in mask_futures]
        print(f"rendered {nscenes} scenes in {time.monotonic() - start:.1f} s", flush=True)
        futures = [pool.submit(make_photo, job, tmp, args.out, scene_paths, mask_paths) for job in plans]
        for f in concurrent.futures.as_completed(futures):
            total += f.result()
            done += 1
            if done % 200 == 0:
                print(f"{done}/{len(plans)} images, {total / 1e6:.0f} MB, "
                      f"{time.monotonic() - start:.1f} s", flush=True)

    jpeg = sum(j["fmt"] == "jpeg" for j in plans)
    png = sum(j["fmt"] == "png" for j in plans)
    alpha = sum(j["alpha"] for j in plans)
    other = len(plans) - jpeg - png
    print(f"wrote {len(plans)} images to {args.out}: {total} bytes ({total / 1e6:.1f} MB), "
          f"{jpeg} JPEG, {png} PNG ({alpha} with alpha)"
          + (f", {other} WebP" if other else "")
          + (f", {skipped} products skipped (no .jpg/.png/.webp image)" if skipped else "")
          + f", {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        sys.exit(f"make-photos: {e}")
