"""The image step, end to end through `storefront build` and libvips: a 3,000-pixel phone photo
with an EXIF rotation and a GPS position, a transparent PNG, an SVG, and files that must be
refused (truncated, empty, lying about their format, a decompression bomb). Checks the copies,
their sizes and orientation, that no metadata survives, the markup pages get, that a rebuild
encodes nothing, and that editing one image changes only that image's files."""
import hashlib
import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from support import REPO

WIDTHS = [320, 640, 960, 1280, 1600]


def photo(top=(200, 30, 30), bottom=(30, 30, 200)) -> bytes:
    """A 3000 x 2000 JPEG as a phone stores it: sideways, with EXIF orientation 6 (turn 90 degrees
    clockwise to show), a camera model and a GPS position. Upright, it is 2000 x 3000 with `top`
    over `bottom`: stored sideways, `top` is the left half."""
    image = Image.new("RGB", (3000, 2000), bottom)
    image.paste(Image.new("RGB", (1500, 2000), top), (0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x0110] = "Test Phone 12"  # Model
    gps = {1: "N", 2: (25.0, 2.0, 3.0), 3: "E", 4: (121.0, 33.0, 44.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def cutout() -> bytes:
    """An 800 x 600 PNG: an opaque green square on a transparent background."""
    image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (400, 300), (20, 160, 60, 255)), (200, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A PNG whose header claims 30,000 x 30,000 pixels (900 megapixels): refused from its header,
    before a pixel is decoded."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       '<rect width="200" height="100" fill="#3a7"/><circle cx="100" cy="50" r="40" fill="#fd3"/></svg>\n')


def product(slug, sku, images):
    return (f'---\ntitle: "{slug.title()}"\nsku: {sku}\nprice: 100\nstock: 5\ncategories: [Test]\n'
            f'images: [{", ".join(images)}]\n---\n\nA product.\n')


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    content = root / "content"
    (content / "products").mkdir(parents=True)
    images = content / "images"
    images.mkdir()
    store = json.loads((REPO / "content" / "store.json").read_text())
    store["logo"] = "/images/logo.svg"
    (content / "store.json").write_text(json.dumps(store, ensure_ascii=False))
    (images / "photo.jpg").write_bytes(photo())
    (images / "cutout.png").write_bytes(cutout())
    (images / "logo.svg").write_text(SVG)
    (images / "broken.jpg").write_bytes(photo()[:6000])
    (images / "empty.png").write_bytes(b"")
    (images / "liar.jpg").write_bytes(cutout())
    (images / "bomb.png").write_bytes(bomb())
    (images / "notes.txt").write_text("not an image: published as it is\n")
    (content / "products" / "phone.md").write_text(product("phone", "P-1", ["/images/photo.jpg", "/images/broken.jpg"]))
    (content / "products" / "cut.md").write_text(product("cut", "P-2", ["/images/cutout.png"]))
    (content / "products" / "drawn.md").write_text(product("drawn", "P-3", ["/images/logo.svg"]))
    (content / "pages").mkdir()
    (content / "pages" / "farm.md").write_text('---\ntitle: "Our farm"\n---\n\nThe orchard:\n\n![The orchard in May](/images/photo.jpg "May")\n')
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    return root


def build(root, bin_dir):
    result = subprocess.run([str(bin_dir / "storefront"), "build", "--out", str(root / "public")], cwd=root,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def files(site: Path) -> dict:
    """Every published file under images/, by path, with the hash of its bytes."""
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((site / "images").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(shop, bin_dir):
    return build(shop, bin_dir)


def test_each_bad_file_is_named_and_left_out(shop, first):
    warnings = first.stderr
    images = "content/images"
    assert f"{images}/broken.jpg: cannot be read:" in warnings
    assert f"{images}/empty.png: is empty (0 bytes); not published" in warnings
    assert f"{images}/liar.jpg: is named .jpg but holds a PNG image; not published" in warnings
    assert f"{images}/bomb.png: has 30000 × 30000 pixels, more than the limit of 50 megapixels; not published" in warnings
    site = shop / "public"
    for name in ("broken", "empty", "liar", "bomb"):
        assert not list((site / "images").rglob(f"{name}*")), name
    page = (site / "products" / "phone" / "index.html").read_text()
    assert "broken" not in page, "a product page leaves a refused image out instead of showing it broken"
    assert (site / "images" / "notes.txt").read_text() == "not an image: published as it is\n"


def test_the_photo_is_turned_upright_in_every_width_and_format(shop, first):
    site = shop / "public"
    for width in WIDTHS:
        for ext in ("webp", "jpg"):
            with Image.open(site / "images" / "_v" / f"photo-{width}.{ext}") as image:
                assert image.size == (width, width * 3 // 2), (width, ext)
                rgb = image.convert("RGB")
                top, bottom = rgb.getpixel((width // 2, 5)), rgb.getpixel((width // 2, width * 3 // 2 - 5))
                assert top[0] > 150 and top[2] < 80, f"{width}.{ext}: the upright top is red, {top}"
                assert bottom[2] > 150 and bottom[0] < 80, f"{width}.{ext}: the upright bottom is blue, {bottom}"
    with Image.open(site / "images" / "photo.jpg") as original:
        assert original.size == (1600, 2400), "the original's path serves the widest copy, not the 3000 px file"
    assert not (site / "images" / "_v" / "photo-2000.jpg").exists()


def test_no_metadata_survives(shop, first):
    source = (shop / "content" / "images" / "photo.jpg").read_bytes()
    assert b"Test Phone 12" in source and b"Exif" in source
    for path in (shop / "public" / "images").rglob("*"):
        if path.suffix not in (".jpg", ".webp", ".png"):
            continue
        data = path.read_bytes()
        assert b"Test Phone 12" not in data and b"Exif" not in data, path
        with Image.open(path) as image:
            exif = image.getexif()
            assert 0x8825 not in exif and not exif.get_ifd(0x8825), f"{path}: GPS left"
            assert 0x0112 not in exif, f"{path}: an orientation tag would turn it again"


def test_a_transparent_png_keeps_its_transparency(shop, first):
    copies = shop / "public" / "images" / "_v"
    assert sorted(p.name for p in copies.glob("cutout-*")) == sorted(
        f"cutout-{w}.{e}" for w in (320, 640, 800) for e in ("png", "webp"))
    for ext in ("png", "webp"):
        with Image.open(copies / f"cutout-800.{ext}") as image:
            assert image.mode == "RGBA"
            assert image.getpixel((5, 5))[3] == 0 and image.getpixel((400, 300))[3] == 255, ext
    assert not list(copies.glob("cutout-*.jpg")), "no JPEG fallback for an image with transparency"


def test_an_svg_is_published_as_it_is_and_drawn_once_for_sharing(shop, first):
    site = shop / "public"
    assert (site / "images" / "logo.svg").read_text() == SVG
    assert (site / "images" / "logo.svg").stat().st_ino != (shop / "content" / "images" / "logo.svg").stat().st_ino, \
        "a copy, not a link to the owner's file: an edit reaches the site only through a build"
    with Image.open(site / "images" / "_v" / "logo-1200.png") as drawn:
        assert drawn.size == (1200, 600)
    page = (site / "products" / "drawn" / "index.html").read_text()
    assert '<meta property="og:image" content="https://shop.example.tw/images/_v/logo-1200.png">' in page
    assert re.search(r'<img src="/images/logo.svg" width="200" height="100" alt="Drawn" fetchpriority="high"', page)
    home = (site / "index.html").read_text()
    assert '"logo":"https://shop.example.tw/images/_v/logo-1200.png"' in home


def photo_picture(sizes, attributes):
    """The markup of the photo in every width: WebP sources, then the JPEG fallback."""
    webp = ", ".join(f"/images/_v/photo-{w}.webp {w}w" for w in WIDTHS)
    jpeg = ", ".join(f"/images/_v/photo-{w}.jpg {w}w" for w in WIDTHS)
    return (f'<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}"><img src="/images/_v/photo-640.jpg" '
            f'srcset="{jpeg}" sizes="{sizes}" width="1600" height="2400" {attributes} decoding="async"></picture>')


def test_pages_offer_every_width_with_its_size(shop, first):
    page = (shop / "public" / "products" / "phone" / "index.html").read_text()
    # Upright, the photo is 2:3: the square gallery draws it at 2/3 of the column's width.
    sizes = "(min-width: 56rem) calc(min(35.5rem, 52vw) * 0.67), calc((100vw - 2rem) * 0.67)"
    assert photo_picture(sizes, 'alt="Phone" fetchpriority="high"') in page
    assert '<meta property="og:image" content="https://shop.example.tw/images/_v/photo-1280.jpg">' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(\{"@context":"https://schema.org","@type":"Product".*?)</script>', page).group(1))
    assert ld["image"] == ["https://shop.example.tw/images/_v/photo-1280.jpg"]
    listing = (shop / "public" / "categories" / "test" / "index.html").read_text()
    assert 'srcset="/images/_v/photo-320.webp 320w' in listing and 'loading="lazy"' in listing
    assert "fetchpriority" not in listing, "cards are never the page's first image"


def test_an_image_in_a_pages_text_is_offered_in_every_width(shop, first):
    page = (shop / "public" / "pages" / "farm" / "index.html").read_text()
    sizes = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
    assert photo_picture(sizes, 'alt="The orchard in May" title="May" loading="lazy"') in page


def test_a_rebuild_encodes_nothing_and_an_edit_changes_only_that_image(shop, first, bin_dir):
    site = shop / "public"
    before = files(site)
    page = (site / "products" / "phone" / "index.html").read_bytes()
    # A content edit, so that the build runs its steps rather than finding everything current.
    product_file = shop / "content" / "products" / "cut.md"
    product_file.write_text(product_file.read_text().replace("price: 100", "price: 110"))
    again = build(shop, bin_dir)
    assert ", 0 images encoded," in again.stdout, again.stdout
    assert files(site) == before

    (shop / "content" / "images" / "photo.jpg").write_bytes(photo(top=(30, 160, 30)))
    edited = build(shop, bin_dir)
    assert ", 1 images encoded," in edited.stdout, edited.stdout
    after = files(site)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {"images/photo.jpg"} | {f"images/_v/photo-{w}.{e}" for w in WIDTHS for e in ("webp", "jpg")}
    assert set(after) == set(before)
    assert (site / "products" / "phone" / "index.html").read_bytes() == page, "same shape, same markup: the page is not rewritten"
    with Image.open(site / "images" / "_v" / "photo-640.jpg") as image:
        assert image.convert("RGB").getpixel((320, 5))[1] > 120, "the new photo's green top"


def test_avif_copies_are_made_when_the_shop_asks(tmp_path, bin_dir):
    root = tmp_path / "avif"
    content = root / "content"
    (content / "products").mkdir(parents=True)
    (content / "images").mkdir()
    store = json.loads((REPO / "content" / "store.json").read_text())
    store["images"] = {"avif": True}
    (content / "store.json").write_text(json.dumps(store, ensure_ascii=False))
    (content / "images" / "cutout.png").write_bytes(cutout())
    (content / "products" / "cut.md").write_text(product("cut", "P-2", ["/images/cutout.png"]))
    shutil.copy(REPO / "site-status.json", root / "site-status.json")
    build(root, bin_dir)
    copies = root / "public" / "images" / "_v"
    for width in (320, 640, 800):
        data = (copies / f"cutout-{width}.avif").read_bytes()
        assert data[4:12] == b"ftypavif", width
    page = (root / "public" / "products" / "cut" / "index.html").read_text()
    avif = ", ".join(f"/images/_v/cutout-{w}.avif {w}w" for w in (320, 640, 800))
    assert f'<picture><source type="image/avif" srcset="{avif}"' in page, "AVIF first, then WebP"
    assert '<source type="image/webp"' in page
    assert '"image":["https://shop.example.tw/images/_v/cutout-800.png"]' in page, "never AVIF for sharing"
