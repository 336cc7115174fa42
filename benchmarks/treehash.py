#!/usr/bin/env python3
"""Print one SHA-256 over a directory tree: every file's relative path and bytes, in sorted order.

Usage: treehash.py DIR [--list]

Two builds of the same content are identical exactly when their tree hashes are equal; with
--list, every file's own hash is printed too (for finding which files differ).
"""
import hashlib
import os
import sys


def tree_hash(root, listing=None):
    total = hashlib.sha256()
    paths = []
    for directory, _, files in os.walk(root):
        for name in files:
            full = os.path.join(directory, name)
            paths.append(os.path.relpath(full, root))
    for path in sorted(paths):
        with open(os.path.join(root, path), "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        total.update(path.encode() + b"\0" + digest.encode() + b"\n")
        if listing is not None:
            listing.append((path, digest))
    return total.hexdigest(), len(paths)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    listing = [] if "--list" in sys.argv else None
    digest, count = tree_hash(sys.argv[1], listing)
    for path, file_digest in listing or []:
        print(f"{file_digest}  {path}")
    print(f"{digest} {count} files")


if __name__ == "__main__":
    main()
