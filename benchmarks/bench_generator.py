#!/usr/bin/env python3
"""Generator benchmark: storefront against Hugo on the same synthetic catalogs, in the same run.

Usage: bench_generator.py [--sizes 10000,100000] [--runs 3] [--work DIR] [--storefront BIN]
                          [--baseline BIN] [--hugo-runs N] [--json OUT]

For each size N it
  1. writes N products with ../shared/bench/make-catalog.py plus the example shop's store.json
     and pages/ (storefront), and the same products into a copy of ../shared/bench/hugo-site (Hugo);
  2. alternates full builds from an empty output: storefront, Hugo, storefront, Hugo, ...
     (each under /usr/bin/time -v: wall, user+system CPU, peak resident memory);
  3. checks that the output tree is byte-identical to the one the baseline binary (the main
     branch's storefront) builds from the same content, when --baseline is given: a benchmark
     must never change what is built;
  4. times rebuilds with nothing changed, and rebuilds after editing one product's price,
     reporting how many files each rewrote.
Prints the machine, every command, and the median (min-max) of each figure.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(REPO, "..", "shared", "bench")
sys.path.insert(0, HERE)
from treehash import tree_hash  # noqa: E402


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "load": os.getloadavg()}


def timed(cmd, cwd=None, env=None):
    """Runs cmd under /usr/bin/time -v; returns wall s, cpu s, peak RSS MB and the output."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    fields = {}
    for line in proc.stderr.splitlines():
        if ":" in line:
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    rss = int(fields["Maximum resident set size (kbytes)"]) / 1024
    return {"wall": wall, "cpu": cpu, "rss_mb": rss, "stdout": proc.stdout}


def summary(values, unit="", digits=2):
    if not values:
        return "-"
    med = statistics.median(values)
    return f"{med:.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def count_pages(out):
    pages = 0
    size = 0
    for directory, _, files in os.walk(out):
        for name in files:
            size += os.path.getsize(os.path.join(directory, name))
            if name.endswith(".html"):
                pages += 1
    return pages, size


def storefront_cmd(binary, content, out):
    theme = os.path.join(REPO, "themes", "default")
    return [binary, "build", "--content", content, "--out", out, "--theme", theme, "--default-theme", theme,
            "--site-status", os.path.join(REPO, "site-status.json")]


def manifest_of(out):
    return os.path.join(os.path.dirname(out), ".storefront-cache", os.path.basename(out) + ".manifest")


TRASH = None  # set by main(): where old outputs go until the end of the run


def discard(path):
    """Moves an old output tree out of the way without deleting it.

    Deleting a big tree and then creating as many files makes ext4 skip every inode freed in the last
    30 seconds (`recently_deleted` in its inode allocator, `vm.dirty_expire_centisecs`), which turned
    a 2 s build into 4 to 10 s of mostly system time, for storefront and Hugo alike, depending on
    what the run before had deleted. Old trees are renamed into a trash folder and deleted only after
    the timed runs (and then waited out before the next benchmark)."""
    if os.path.exists(path):
        os.rename(path, os.path.join(TRASH, f"{len(os.listdir(TRASH))}-{os.path.basename(path)}"))


def empty_trash(work):
    """Deletes what earlier runs discarded; returns whether anything was deleted."""
    global TRASH
    TRASH = os.path.join(work, ".trash")
    had = os.path.isdir(TRASH) and bool(os.listdir(TRASH))
    shutil.rmtree(TRASH, ignore_errors=True)
    os.makedirs(TRASH)
    return had


def clear(out):
    """A cold start: no output, no manifest, no parsed-content cache (only this output's)."""
    discard(out)
    manifest = manifest_of(out)
    for path in (manifest, manifest[: -len(".manifest")] + ".content"):
        if os.path.exists(path):
            os.remove(path)
    subprocess.run(["sync"])


def prepare(work, n):
    content = os.path.join(work, f"sf-{n}", "content")
    hugo = os.path.join(work, f"hugo-{n}")
    if not os.path.exists(os.path.join(content, "products")):
        shutil.rmtree(os.path.join(work, f"sf-{n}"), ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "make-catalog.py"), content, str(n)], check=True)
        shutil.copy(os.path.join(REPO, "content", "store.json"), content)
        shutil.copytree(os.path.join(REPO, "content", "pages"), os.path.join(content, "pages"))
    if not os.path.exists(os.path.join(hugo, "content", "products")):
        shutil.rmtree(hugo, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "make-catalog.py"), os.path.join(hugo, "content"), str(n)], check=True)
        for entry in os.listdir(os.path.join(SHARED, "hugo-site")):
            source = os.path.join(SHARED, "hugo-site", entry)
            target = os.path.join(hugo, entry)
            if os.path.isdir(source):
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy(source, target)
    return content, hugo


def edit_price(content, price):
    path = os.path.join(content, "products", "product-000042.md")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(re.sub(r"^price: .*$", f"price: {price}", text, count=1, flags=re.M))


def written_count(stdout):
    match = re.search(r"(\d+) files written", stdout)
    return int(match.group(1)) if match else -1


def bench_size(args, n, report):
    content, hugo_dir = prepare(args.work, n)
    out = os.path.join(args.work, f"sf-{n}", "public")
    hugo_out = os.path.join(args.work, f"hugo-{n}-public")
    sf_cmd = storefront_cmd(args.storefront, content, out)
    hugo_cmd = ["hugo", "--quiet", "-d", hugo_out]
    print(f"\n## {n:,} products", flush=True)
    print("storefront: " + " ".join(sf_cmd))
    print(f"hugo:       (cd {hugo_dir} && {' '.join(hugo_cmd)})", flush=True)
    result = {"products": n, "storefront": [], "hugo": []}
    hugo_runs = args.runs if args.hugo_runs is None else args.hugo_runs
    for run in range(max(args.runs, hugo_runs)):
        if run < args.runs:
            clear(out)
            r = timed(sf_cmd)
            r.pop("stdout")
            result["storefront"].append(r)
            print(f"  storefront run {run + 1}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, {r['rss_mb']:.0f} MB", flush=True)
        if run < hugo_runs:
            discard(hugo_out)
            discard(os.path.join(hugo_dir, "resources"))
            subprocess.run(["sync"])
            r = timed(hugo_cmd, cwd=hugo_dir)
            r.pop("stdout")
            result["hugo"].append(r)
            print(f"  hugo run {run + 1}:       {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, {r['rss_mb']:.0f} MB", flush=True)
    pages, size = count_pages(out)
    digest, files = tree_hash(out)
    result.update(pages=pages, output_bytes=size, tree_hash=digest, files=files)
    if hugo_runs:
        result["hugo_pages"], result["hugo_output_bytes"] = count_pages(hugo_out)
    if args.baseline:
        base_out = os.path.join(args.work, f"sf-{n}", "public-baseline")
        clear(base_out)
        subprocess.run(storefront_cmd(args.baseline, content, base_out), check=True, capture_output=True)
        base_digest, _ = tree_hash(base_out)
        result["baseline_tree_hash"] = base_digest
        result["identical_to_baseline"] = base_digest == digest
        clear(base_out)
        print(f"  output tree {digest[:16]}, baseline {base_digest[:16]}: {'identical' if base_digest == digest else 'DIFFERENT'}", flush=True)
        if base_digest != digest:
            sys.exit("the optimised build's output differs from the baseline build's output")
    # Incremental rebuilds on the tree the last full build left.
    result["nochange"] = []
    for run in range(args.runs):
        r = timed(sf_cmd)
        r["written"] = written_count(r.pop("stdout"))
        result["nochange"].append(r)
        print(f"  no-change rebuild {run + 1}: {r['wall']:.2f} s wall, {r['written']} files written", flush=True)
    result["price_edit"] = []
    for run in range(args.runs):
        edit_price(content, 1234 + run)
        r = timed(sf_cmd)
        r["written"] = written_count(r.pop("stdout"))
        result["price_edit"].append(r)
        print(f"  price-edit rebuild {run + 1}: {r['wall']:.2f} s wall, {r['written']} files written", flush=True)
    edit_price(content, 250)
    timed(sf_cmd)
    report["sizes"].append(result)
    print_summary(result)


def print_summary(result):
    sf, hugo = result["storefront"], result["hugo"]
    wall = [r["wall"] for r in sf]
    print(f"\n| {result['products']:,} products | median (min-max) |\n|---|---|")
    print(f"| storefront full build wall | {summary(wall, ' s')} |")
    print(f"| storefront CPU (user+sys) | {summary([r['cpu'] for r in sf], ' s')} |")
    print(f"| storefront peak RSS | {summary([r['rss_mb'] for r in sf], ' MB', 0)} |")
    print(f"| storefront pages/s | {summary([result['pages'] / w for w in wall], '', 0)} ({result['pages']:,} pages, {result['files']:,} files, {result['output_bytes'] / 1e6:.0f} MB) |")
    if hugo:
        hwall = [r["wall"] for r in hugo]
        print(f"| Hugo wall | {summary(hwall, ' s')} |")
        print(f"| Hugo CPU (user+sys) | {summary([r['cpu'] for r in hugo], ' s')} |")
        print(f"| Hugo peak RSS | {summary([r['rss_mb'] for r in hugo], ' MB', 0)} |")
        print(f"| Hugo pages/s | {summary([result['hugo_pages'] / w for w in hwall], '', 0)} ({result['hugo_pages']:,} pages, {result['hugo_output_bytes'] / 1e6:.0f} MB) |")
        print(f"| storefront / Hugo wall (medians) | {statistics.median(wall) / statistics.median(hwall):.3f} |")
    for key, label in (("nochange", "no-change rebuild"), ("price_edit", "one price edit rebuild")):
        runs = result[key]
        print(f"| {label} wall | {summary([r['wall'] for r in runs], ' s')}, files written: {sorted(set(r['written'] for r in runs))} |")
    if "identical_to_baseline" in result:
        print(f"| output identical to baseline | {result['identical_to_baseline']} ({result['tree_hash'][:16]}) |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hugo-runs", type=int, default=None, help="Hugo runs per size (default: --runs)")
    parser.add_argument("--work", default="/tmp/storefront-bench")
    parser.add_argument("--storefront", default=os.path.join(REPO, ".build", "release", "storefront"))
    parser.add_argument("--baseline", default=os.environ.get("BASELINE_STOREFRONT"))
    parser.add_argument("--json")
    parser.add_argument("--prepare-only", action="store_true", help="only write the content trees")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if args.prepare_only:
        for n in [int(x) for x in args.sizes.split(",")]:
            print(prepare(args.work, n)[0])
        return
    if empty_trash(args.work):
        print("waiting 35 s after deleting the previous run's outputs (ext4 skips recently freed inodes)", flush=True)
        subprocess.run(["sync"])
        time.sleep(35)
    info = machine()
    print(f"# Generator benchmark\nmachine: {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
          f"Linux {info['kernel']}, load average {info['load'][0]:.2f}")
    print(f"storefront: {args.storefront}\nbaseline:   {args.baseline or '(none: output not compared)'}")
    print("hugo:       " + subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip())
    report = {"machine": info, "sizes": []}
    for n in [int(x) for x in args.sizes.split(",")]:
        bench_size(args, n, report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print(f"old output trees are in {TRASH}; the next run deletes them and waits before timing anything")


if __name__ == "__main__":
    main()
