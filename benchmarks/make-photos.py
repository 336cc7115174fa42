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

How: a few large "scenes" are rendered once per run (one per 50 photos, at most 6): a
smooth colour structure from a fractal surface and Perlin fields in CIELAB, with
region boundaries, plus a mid-frequency Perlin or Worley texture whose strength varies
across the scene, plus fine grain. Each scene is kept in 3 tone variants (brightness,
contrast, gamma, colour tint). A photo is a crop of one variant at a random offset and
size, written by a single vips process (cut-outs take four), which keeps 2000 photos
to a few minutes on 2 cores. JPEGs are 4:2:0 at quality 88-92 (about 0.2-0.3 bytes
a pixel, like a camera's); PNGs use zlib level 3.

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
LOW = SCENE // 4        # resolution of the smooth colour structure
MAX_SCENES = 6
PER_SCENE = 50          # fewer scenes for small runs: one per 50 photos, up to MAX_SCENES
TONES = 3               # tone-curve variants of each scene
MASKS = 4               # cut-out shapes for the PNGs with alpha
MASK_SIZE = 1024
GRAIN = 4.5             # SD of the grain, in levels

ENV = dict(os.environ)


def vips(op, *args, **options):
    """Runs one vips operation; returns its stdout. Options are keyword arguments
    (cell_size=64 is --cell-size 64); they go before a "--" so that negative numbers
    among the arguments are not taken for options."""
    cmd = ["vips", op]
    for key, value in options.items():
        cmd += ["--" + key.replace("_", "-"), str(value)]
    cmd += ["--"] + [str(a) for a in args]
    r = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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

def tone_lut(rng):
    """A 256-entry RGB tone curve (P6 PPM bytes): gamma, contrast, brightness, tint."""
    gamma = rng.uniform(0.8, 1.25)
    contrast = rng.uniform(0.85, 1.2)
    bright = rng.uniform(0.85, 1.15)
    tint = [rng.uniform(0.9, 1.1) for _ in range(3)]
    lut = bytearray(b"P6\n256 1\n255\n")
    for i in range(256):
        base = ((i / 255) ** gamma - 0.5) * contrast + 0.5
        for c in range(3):
            lut.append(max(0, min(255, round(base * bright * tint[c] * 255))))
    return bytes(lut)


def render_grain(tmp, seed):
    """Fine grain shared by all scenes: gaussian noise of SD GRAIN levels, as signed char."""
    vips("gaussnoise", os.path.join(tmp, "grain-f.v"), SCENE, SCENE, mean=0, sigma=GRAIN,
         seed=random.Random(f"grain:{seed}").randrange(1 << 30))
    out = os.path.join(tmp, "grain.v")
    vips("cast", os.path.join(tmp, "grain-f.v"), out, "char")
    os.remove(os.path.join(tmp, "grain-f.v"))
    return out


def render_scene(tmp, index, seed, grain):
    """Renders one SCENE x SCENE sRGB scene in TONES tone variants; returns their .v paths.

    Low resolution: a fractal surface (1/f spectrum, like natural images), Perlin fields
    and a thresholded Perlin region mask (object / background) are mixed in CIELAB into
    the smooth colour structure, plus a field that sets how strong the texture is.
    Half resolution: a Perlin or Worley texture scaled by that field is added (grey, in
    sRGB levels). Full resolution: upscaled, plus the grain, then the tone curves."""
    rng = random.Random(f"scene:{seed}:{index}")
    d = os.path.join(tmp, f"scene{index}")
    os.makedirs(d)
    p = lambda name: os.path.join(d, name)
    s = lambda: rng.randrange(1 << 30)

    vips("gaussnoise", p("n.v"), LOW, LOW, mean=0, sigma=1, seed=s())
    vips("mask_fractal", p("mf.v"), LOW, LOW, rng.uniform(2.2, 2.7))
    vips("freqmult", p("n.v"), p("mf.v"), p("f1.v"))
    vips("perlin", p("f2.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 4)), seed=s())
    vips("perlin", p("f3.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 4)), seed=s())
    vips("perlin", p("f4.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(1.5, 3.5)), seed=s())
    vips("relational_const", p("f4.v"), p("m.v"), "more", rng.uniform(-0.1, 0.1))
    vips("perlin", p("f5.v"), LOW, LOW, cell_size=int(LOW / rng.uniform(2, 6)), seed=s())
    norm = [stats(p(name)) for name in ("f1.v", "f2.v", "f3.v", "f5.v")]
    vips("bandjoin", " ".join(p(n) for n in ("f1.v", "f2.v", "f3.v", "m.v", "f5.v")), p("j.v"))
    vips("bandjoin_const", p("j.v"), p("j1.v"), 1)

    # Rows give L, a, b and texture strength from the bands (f1, f2, f3, mask, f5, 1);
    # a coefficient is per standard deviation of its field, or for mask = 1.
    hue, chroma = rng.uniform(0, 2 * math.pi), rng.uniform(5, 30)
    a0, b0 = chroma * math.cos(hue), chroma * math.sin(hue)
    hue2, chroma2 = rng.uniform(0, 2 * math.pi), rng.uniform(10, 45)
    a1, b1 = chroma2 * math.cos(hue2), chroma2 * math.sin(hue2)
    coef = [
        [rng.uniform(8, 16), rng.uniform(-4, 4), 0.0, rng.uniform(-25, 25), 0.0, rng.uniform(35, 65)],
        [rng.uniform(-4, 4), rng.uniform(6, 18), rng.uniform(-5, 5), a1 - a0, 0.0, a0],
        [rng.uniform(-4, 4), rng.uniform(-5, 5), rng.uniform(6, 18), b1 - b0, 0.0, b0],
        [0.0, 0.0, 0.0, rng.uniform(-0.6, 0.6), rng.uniform(0.2, 0.5), rng.uniform(0.6, 1.0)],
    ]
    fields = [0, 1, 2, None, 3]   # the entry of norm for each band
    rows = []
    for row in coef:
        out, const = [], row[5]
        for band, k in enumerate(fields):
            if k is None:
                out.append(row[band] / 255.0)
            else:
                mean, dev = norm[k]
                out.append(row[band] / dev)
                const -= row[band] * mean / dev
        rows.append(out + [const])
    write_matrix(p("mix.mat"), rows)
    vips("recomb", p("j1.v"), p("lab4.v"), p("mix.mat"))
    vips("extract_band", p("lab4.v"), p("lab.v"), 0, n=3)
    vips("colourspace", p("lab.v"), p("rgb_lo.v"), "srgb", source_space="lab")
    vips("extract_band", p("lab4.v"), p("amp_lo.v"), 3)

    half = SCENE // 2
    texture = rng.uniform(8, 20)   # texture SD in levels where the strength is 1
    if rng.random() < 0.35:
        cell = rng.randint(8, 30)
        vips("worley", p("t.v"), half, half, cell_size=cell, seed=s())
        vips("linear", p("t.v"), p("t0.v"), 1, -0.23 * cell)   # Worley's mean and SD
        os.replace(p("t0.v"), p("t.v"))
        dev = 0.124 * cell
    else:
        vips("perlin", p("t.v"), half, half, cell_size=rng.randint(4, 30), seed=s())
        dev = 0.21
    vips("linear", p("amp_lo.v"), p("amp_lo2.v"), texture / dev, 0)
    vips("resize", p("amp_lo2.v"), p("amp.v"), half / LOW, kernel="linear")
    vips("multiply", p("t.v"), p("amp.v"), p("ta.v"))
    vips("resize", p("rgb_lo.v"), p("rgb.v"), half / LOW, kernel="cubic")
    vips("add", p("rgb.v"), p("ta.v"), p("c.v"))
    vips("cast", p("c.v"), p("cs.v"), "uchar")

    vips("resize", p("cs.v"), p("up.v"), SCENE / half, kernel="linear")
    vips("add", p("up.v"), grain.result(), p("noisy.v"))
    vips("cast", p("noisy.v"), p("scene.v"), "uchar")
    outs = []
    for v in range(TONES):
        with open(p("lut.ppm"), "wb") as f:
            f.write(tone_lut(rng))
        outs.append(os.path.join(tmp, f"scene{index}-{v}.v"))
        vips("maplut", p("scene.v"), outs[-1], p("lut.ppm"))
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))
    os.rmdir(d)
    return outs


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
    return {
        "index": index, "name": name, "fmt": fmt, "alpha": alpha, "w": w, "h": h,
        "scene": rng.randrange(scenes), "tone": rng.randrange(TONES),
        "x": rng.randint(0, SCENE - w), "y": rng.randint(0, SCENE - h),
        "quality": rng.randint(88, 92), "mask": rng.randrange(MASKS),
    }


def make_photo(job, tmp, out_dir, scenes, masks):
    dest = os.path.join(out_dir, job["name"])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if job["fmt"] == "jpeg":     # 4:2:0 like most cameras and phones
        target = f"{dest}[Q={job['quality']},subsample-mode=on,strip]"
    elif job["fmt"] == "webp":
        target = f"{dest}[Q={job['quality'] - 6},strip]"
    else:                        # zlib level 3: about the size of level 6, a third of the time
        target = f"{dest}[compression=3,strip]"
    src = scenes[job["scene"]][job["tone"]]
    w, h = job["w"], job["h"]
    if not job["alpha"]:
        vips("extract_area", src, target, job["x"], job["y"], w, h)
        return os.path.getsize(dest)
    p = lambda name: os.path.join(tmp, f"p{job['index']}-{name}")
    vips("extract_area", src, p("crop.v"), job["x"], job["y"], w, h)
    vips("thumbnail", masks[job["mask"]], p("mask.v"), w, height=h, size="force")
    vips("bandjoin", f"{p('crop.v')} {p('mask.v')}", p("rgba.v"))
    vips("premultiply", p("rgba.v"), target)   # transparent pixels become black
    for name in ("crop.v", "mask.v", "rgba.v"):
        os.remove(p(name))
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
    nscenes = min(MAX_SCENES, math.ceil(len(items) / PER_SCENE))
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
        # The grain is submitted first: the scenes wait for it at their end.
        grain = pool.submit(render_grain, tmp, args.seed) if plans else None
        scene_futures = [pool.submit(render_scene, tmp, k, args.seed, grain) for k in range(nscenes)]
        mask_futures = [pool.submit(render_mask, tmp, k, args.seed)
                        for k in range(MASKS if any(j["alpha"] for j in plans) else 0)]
        scene_paths = [f.result() for f in scene_futures]
        mask_paths = [f.result() for f in mask_futures]
        if grain:
            os.remove(grain.result())
            print(f"rendered {nscenes} scenes in {time.monotonic() - start:.1f} s", flush=True)
        futures = [pool.submit(make_photo, job, tmp, args.out, scene_paths, mask_paths) for job in plans]
        for f in concurrent.futures.as_completed(futures):
            try:
                total += f.result()
            except BaseException:
                for g in futures:
                    g.cancel()
                raise
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
    except (RuntimeError, OSError) as e:
        sys.exit(f"make-photos: {e}")
