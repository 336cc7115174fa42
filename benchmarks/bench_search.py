#!/usr/bin/env python3
"""Search against Pagefind on one built site, in headless Chromium, with the bytes and requests
counted by the server that serves it (Pagefind fetches its index from a worker, out of the page's
DevTools view).

    python3 ../shared/bench/make-catalog.py OUT 10000 --rich      # then store.json and pages beside
    .build/release/storefront build --content OUT --out SITE
    python3 benchmarks/bench_search.py --site SITE --content OUT [--pagefind]

The site is served from loopback by a small server that gzips text (HTML, CSS, JS, JSON), as a CDN
does, and counts the bodies it sends; binary files (our `.bin` term shards, Pagefind's
pre-compressed files and its WebAssembly) go as they are.

Queries are made from the catalog with a fixed seed: English words, brands with one typo (a swap,
a deletion, an insertion or a substitution, never on the first letter; first-letter typos are
counted apart), Chinese substrings that cross word boundaries inside a title, and searches with a
category, a price range or a sort. For each engine it reports:
- a cold first query (empty cache, the search script included): bytes and requests;
- each further query: bytes;
- a warm query (everything it needs already loaded): time, p50 and p95;
- the share of typo queries and of Chinese substring queries whose product is in the top 5.
Pagefind (`--pagefind`, `pip install 'pagefind[extended]==1.5.2'`) indexes the product pages
(`--glob 'products/**/*.html'`) into SITE/pagefind; its time is reported too.
"""
import argparse
import gzip
import http.server
import json
import os
import random
import re
import socketserver
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

TEXT = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".mjs": "text/javascript"}
ENGLISH = ["avocado", "mango", "oolong", "honey", "granola", "teapot", "jasmine", "sesame", "roasted", "organic",
           "smoky", "camellia", "vinegar", "kettle", "lychee"]


class Served:
    """The requests the server answered: (path, bytes of the body sent)."""

    def __init__(self):
        self.log, self.lock, self.seen = [], threading.Lock(), 0

    def since(self, keep, kinds=None):
        """(bytes, requests) since the last call, for the paths `keep` accepts; `kinds` (a dict)
        adds up the bytes by kind of file (the script, the manifest, t-, d-, c- and v- shards)."""
        with self.lock:
            new, self.seen = self.log[self.seen:], len(self.log)
        kept = [(path, size) for path, size in new if keep(path)]
        for path, size in kept if kinds is not None else []:
            name = path.rsplit("/", 1)[-1]
            kind = "script" if name.endswith(".js") else "manifest" if name == "manifest.json" else name.split("-")[0] + " shards"
            kinds[kind] = kinds.get(kind, 0) + size
        return sum(size for _, size in kept), len(kept)


def serve(root):
    """A loopback server that counts what it sends (the byte-counting proxy of the issue): text
    gzip-compressed as a CDN sends it, the rest as it is; content-hashed folders cached for good."""
    cache, served = {}, Served()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            full = Path(root) / path.lstrip("/")
            if full.is_dir():
                full = full / "index.html"
            if not full.is_file():
                self.send_error(404)
                return
            ext = full.suffix
            body = full.read_bytes()
            zipped = ext in TEXT and "gzip" in self.headers.get("Accept-Encoding", "")
            if zipped:
                if full not in cache:
                    cache[full] = gzip.compress(body, 6, mtime=0)
                body = cache[full]
            self.send_response(200)
            self.send_header("Content-Type", TEXT.get(ext, "application/wasm" if ext == ".wasm" else "application/octet-stream"))
            if zipped:
                self.send_header("Content-Encoding", "gzip")
            immutable = "/search/x/" in path or ("/pagefind/" in path and not path.endswith(".js") and "entry" not in path)
            self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with served.lock:
                served.log.append((path, len(body)))

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    server.served = served
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browser():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_script_timeout(120)
    return driver


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def typo(rng, word):
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "delete", "insert", "substitute"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    return word[:i] + rng.choice([c for c in letters if c != word[i]]) + word[i + 1:]


def queries(content, count, seed):
    rng = random.Random(seed)
    files = sorted((Path(content) / "products").glob("*.md"))
    english, chinese = [], []
    for path in rng.sample(files, min(len(files), 4000)):
        text = path.read_text()
        fields = dict(re.findall(r'^(title|brand|categories): "?(.*?)"?$', text, re.M))
        if "draft: true" in text:
            continue
        (chinese if re.search(r"[\u4e00-\u9fff]", fields["title"]) else english).append(fields)
    typos, first_letter, substrings = [], [], []
    for fields in english[:count]:
        brand, title = fields["brand"].lower(), fields["title"]
        noun = title.split(",")[0].split()[-1].lower()
        typos.append((typo(rng, brand) + " " + noun, title))
        first_letter.append((rng.choice([c for c in "bcdfgklmnprstvz" if c != brand[0]]) + brand[1:] + " " + noun, title))
    for fields in chinese[:count]:
        title = fields["title"]
        han = title.split(" ")[0]
        start = rng.randrange(1, max(2, len(han) - 4))
        substrings.append((han[start:start + rng.randint(3, 5)], title))
    # How many published titles contain each substring: where more than five do, any five of them
    # are as right an answer as the title it was cut from.
    titles = [m.group(1) for path in files if "draft: true" not in (text := path.read_text())
              for m in [re.search(r'^title: "?(.*?)"?$', text, re.M)] if m]
    substrings = [(q, title, sum(q in t for t in titles)) for q, title in substrings]
    categories = sorted({c.strip() for f in english + chinese for c in f["categories"].strip("[]").split(",")})
    filtered = [
        {"q": ENGLISH[i % len(ENGLISH)], "category": categories[i % len(categories)]} for i in range(4)
    ] + [{"q": ENGLISH[i], "min": "300", "max": "900"} for i in range(4, 7)] + [{"q": ENGLISH[i], "sort": "price-asc"} for i in range(7, 10)]
    return typos, first_letter, substrings, filtered


def tied(q, title, answer):
    """The product is in the top 5, or every one of the top 5 has the query in its title (more
    than five titles contain it, and any of them is as right as the one the query was cut from)."""
    titles = answer.get("titles", [])
    return title in titles or (len(titles) == 5 and all(q in t for t in titles))


def our_state(q, extra=None):
    state = {"q": q, "category": "", "tag": "", "brand": "", "stock": False, "min": None, "max": None, "sort": "relevance", "page": 1}
    state.update(extra or {})
    return state


def run_ours(base, served, sets, repeats):
    typos, first_letter, substrings, filtered = sets
    keep = lambda url: "/search/x/" in url or "/search/manifest.json" in url or "/assets/search." in url
    cold, kinds = [], {"cold": {}, "further": {}}
    for q in [t[0] for t in typos[:repeats // 2]] + [s[0] for s in substrings[:repeats - repeats // 2]]:
        d = browser()
        served.since(keep)
        # A fresh browser whose first page is the query: the search script and the index, cold
        # (the page, its CSS and site.js are not the search's and are not counted).
        d.get(base + "/search/?q=" + quote(q))
        d.execute_async_script("const done = arguments[0]; const wait = () => document.querySelector('[data-search-status]')?.textContent ? done() : setTimeout(wait, 20); wait();")
        cold.append(served.since(keep, kinds["cold"]))
        d.quit()
    d = browser()
    d.get(base + "/search/")
    d.execute_async_script("const done = arguments[0]; const wait = () => window.storefrontSearch ? done() : setTimeout(wait, 20); wait();")
    served.since(keep)
    further, warm, hits = [], [], {"typos": 0, "first": 0, "chinese": 0, "chinese_any": 0, "chinese_few": 0}
    search = """const [state, done] = arguments; const t0 = performance.now();
        storefrontSearch.search(state).then(r => done({ms: performance.now() - t0, titles: r.hits.slice(0, 5).map(h => h.row[0]), total: r.total}))
        .catch(e => done({error: String(e)}));"""
    groups = [("typos", typos), ("first", first_letter), ("chinese", substrings)]
    for name, group in groups:
        for q, title, *contained in group:
            first = d.execute_async_script(search, our_state(q))
            further.append(served.since(keep, kinds["further"])[0])
            again = d.execute_async_script(search, our_state(q))
            warm.append(again["ms"])
            hits[name] += title in first.get("titles", [])
            if name == "chinese":
                hits["chinese_any"] += tied(q, title, first)
                hits["chinese_few"] += contained[0] <= 5 and title in first.get("titles", [])
    for extra in filtered:
        minor = {k: int(v) for k, v in extra.items() if k in ("min", "max")}
        state = our_state(extra["q"], {**extra, **minor})
        d.execute_async_script(search, state)
        further.append(served.since(keep, kinds["further"])[0])
        warm.append(d.execute_async_script(search, state)["ms"])
    d.quit()
    for phase, tally in kinds.items():
        print(f"{phase} bytes by kind: " + ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(tally.items(), key=lambda x: -x[1])))
    return cold, further, warm, shares(hits, groups)


PF_HARNESS = """<!doctype html><meta charset="utf-8"><title>pagefind bench</title>
<script type="module">
import * as pagefind from "/pagefind/pagefind.js";
await pagefind.options({});
await pagefind.init();
window.pfSearch = async (q, filters, sort) => {
  const t0 = performance.now();
  const r = await pagefind.search(q, {filters: filters || {}, sort: sort || {}});
  const data = await Promise.all(r.results.slice(0, 24).map(x => x.data()));
  return {ms: performance.now() - t0, titles: data.slice(0, 5).map(x => x.meta.title), total: r.results.length};
};
window.pfReady = true;
</script>"""


def run_pagefind(base, served, site, sets, repeats):
    typos, first_letter, substrings, filtered = sets
    (Path(site) / "pf-bench.html").write_text(PF_HARNESS)
    keep = lambda url: "/pagefind/" in url
    call = "const [q, done] = arguments; pfSearch(q).then(done).catch(e => done({error: String(e)}));"
    wait = "const done = arguments[0]; const w = () => window.pfReady ? done() : setTimeout(w, 20); w();"
    cold = []
    for q in [t[0] for t in typos[:repeats // 2]] + [s[0] for s in substrings[:repeats - repeats // 2]]:
        d = browser()
        served.since(keep)
        d.get(base + "/pf-bench.html")
        d.execute_async_script(wait)
        d.execute_async_script(call, q)
        cold.append(served.since(keep))
        d.quit()
    d = browser()
    d.get(base + "/pf-bench.html")
    d.execute_async_script(wait)
    served.since(keep)
    further, warm, hits = [], [], {"typos": 0, "first": 0, "chinese": 0, "chinese_any": 0, "chinese_few": 0}
    groups = [("typos", typos), ("first", first_letter), ("chinese", substrings)]
    for name, group in groups:
        for q, title, *contained in group:
            first = d.execute_async_script(call, q)
            if name == "chinese":
                hits["chinese_any"] += tied(q, title, first)
                hits["chinese_few"] += contained[0] <= 5 and title in first.get("titles", [])
            further.append(served.since(keep)[0])
            warm.append(d.execute_async_script(call, q)["ms"])
            hits[name] += title in first.get("titles", [])
    for extra in filtered:
        d.execute_async_script(call, extra["q"])
        further.append(served.since(keep)[0])
        warm.append(d.execute_async_script(call, extra["q"])["ms"])
    d.quit()
    return cold, further, warm, shares(hits, groups)


def shares(hits, groups):
    """Each count as a share of its group; `chinese_few` of the substrings that at most five titles contain."""
    group = dict(groups)
    few = sum(1 for q in group["chinese"] if q[2] <= 5)
    return {k: hits[k] / max(1, few if k == "chinese_few" else len(group[k.split("_")[0]])) for k in hits} | {"few": few}


def files_and_bytes(folder):
    files = [p for p in Path(folder).rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def report(name, result):
    cold, further, warm, hits = result
    print(f"## {name}")
    print(f"cold first query: bytes max {max(b for b, _ in cold) / 1024:.1f} KB, median {statistics.median(b for b, _ in cold) / 1024:.1f} KB; "
          f"requests max {max(r for _, r in cold)}, median {statistics.median(r for _, r in cold)}  (n={len(cold)})")
    print(f"further queries: bytes median {statistics.median(further) / 1024:.1f} KB, p95 {percentile(further, 95) / 1024:.1f} KB, max {max(further) / 1024:.1f} KB  (n={len(further)})")
    print(f"warm query: p50 {percentile(warm, 50):.1f} ms, p95 {percentile(warm, 95):.1f} ms  (n={len(warm)})")
    print(f"top 5: one typo (not the first letter) {hits['typos']:.0%}, first-letter typo {hits['first']:.0%}, "
          f"Chinese substring {hits['chinese']:.0%} (its product), {hits['chinese_any']:.0%} (its product, or five titles that contain it), "
          f"{hits['chinese_few']:.0%} (its product, of the {hits['few']} substrings at most five titles contain)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", required=True)
    parser.add_argument("--content", required=True)
    parser.add_argument("--queries", type=int, default=50, help="typo and Chinese queries each")
    parser.add_argument("--cold", type=int, default=10, help="cold first queries (a fresh browser each)")
    parser.add_argument("--pagefind", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-ours", action="store_true", help="measure only Pagefind (its index already in SITE/pagefind)")
    args = parser.parse_args()
    sets = queries(args.content, args.queries, args.seed)
    print("example queries:", [t[0] for t in sets[0][:3]], [t[0] for t in sets[1][:2]], [s[0] for s in sets[2][:3]])
    count, size = files_and_bytes(Path(args.site) / "search")
    print(f"storefront index: {count} files, {size / 1e6:.1f} MB")
    server, base = serve(args.site)
    if not args.skip_ours:
        report("storefront", run_ours(base, server.served, sets, args.cold))
    if args.pagefind and args.skip_ours and (Path(args.site) / "pagefind").is_dir():
        report("pagefind 1.5.2", run_pagefind(base, server.served, args.site, sets, args.cold))
    elif args.pagefind:
        started = time.time()
        subprocess.run([sys.executable, "-m", "pagefind", "--site", args.site, "--glob", "products/**/*.html"], check=True,
                       stdout=subprocess.DEVNULL)
        elapsed = time.time() - started
        count, size = files_and_bytes(Path(args.site) / "pagefind")
        print(f"pagefind index: {count} files, {size / 1e6:.1f} MB, made in {elapsed:.1f} s")
        report("pagefind 1.5.2", run_pagefind(base, server.served, args.site, sets, args.cold))
    server.shutdown()


if __name__ == "__main__":
    main()
