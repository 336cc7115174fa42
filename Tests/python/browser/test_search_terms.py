"""The script splits a query into the index's terms: `search.js`'s `tokenize`, run in Chromium, held
equal to what `SearchTokenizer` (Swift) wrote into the index for the same text. Titles cover NFKC
(full-width letters, half-width Kana, ligatures, decomposed accents), case (German sharp s, Greek,
dotted capital I), Han and Kana runs, mixed scripts, emoji and a word longer than 40 letters."""
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from browser_support import make_browser
from support import REPO

TITLES = [
    "ＡＢＣ１２３ café",
    "cafe\u0301 crème brûlée",
    "哈斯Hass酪梨（3公斤）",
    "カレーライス ｶﾞｲﾄﾞ",
    "Straße İstanbul ǅemal",
    "naïve coöperate ﬁne ①②",
    "emoji 🥑 avocado",
    "Σίσυφος ΟΔΟΣ",
    "中文,English;混合-text 井有機愛",
    "x" * 50 + " tail",
    "梨",
]


def varints(data, position):
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, position


def index_terms(site: Path):
    """{document: {term: field mask}} from every term shard, read as the format describes."""
    documents = {}
    for shard in (site / "search" / "x").glob("t-*.bin"):
        data = gzip.decompress(shard.read_bytes())
        assert data[:4] == b"SFT1"
        count, p = varints(data, 4)
        for _ in range(count):
            length, p = varints(data, p)
            term = data[p:p + length].decode()
            p += length
            postings, p = varints(data, p)
            document = 0
            for _ in range(postings):
                gap, p = varints(data, p)
                document += gap
                documents.setdefault(document, {})[term] = data[p]
                p += 1
        assert p == len(data)
    return documents


@pytest.fixture
def built(tmp_path, bin_dir):
    content = tmp_path / "content"
    (content / "products").mkdir(parents=True)
    shutil.copy(REPO / "content" / "store.json", content / "store.json")
    for i, title in enumerate(TITLES):
        (content / "products" / f"p{i}.md").write_text(
            f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsku: T-{i}\nprice: 100\n---\n\n.\n", encoding="utf-8")
    site = tmp_path / "site"
    subprocess.run([str(bin_dir / "storefront"), "build", "--content", str(content), "--out", str(site),
                    "--site-status", str(REPO / "site-status.json")], check=True, capture_output=True, timeout=120)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_script_splits_text_as_the_index_does(built):
    site, url = built
    documents = index_terms(site)
    rows = [row for shard in sorted((site / "search" / "x").glob("d-*.json")) for row in json.loads(shard.read_text())]
    manifest = json.loads((site / "search" / "manifest.json").read_text())
    order = [row for name in manifest["documentShards"] for row in json.loads((site / "search" / "x" / name).read_text())]
    assert len(rows) == len(order) == len(TITLES)
    driver = make_browser()
    try:
        driver.get(url + "/search/")
        driver.set_script_timeout(30)
        driver.execute_async_script("const done = arguments[0]; const w = () => window.storefrontSearch ? done() : setTimeout(w, 20); w();")
        for number, row in enumerate(order):
            title = row[0]
            query = driver.execute_script("return storefrontSearch.tokenize(arguments[0]).map(w => w.term)", title)
            in_title = {term for term, mask in documents[number].items() if mask & 1}
            # The index also holds each Han or Kana character of a longer run; a query of such a run
            # asks for its pairs only (a one-character run is that character in both).
            singles = {term for term in in_title if len(term) == 1 and not term.isascii() and term not in query
                       and any(term in pair and len(pair) == 2 for pair in in_title)}
            assert set(query) == in_title - singles, title
    finally:
        driver.quit()
