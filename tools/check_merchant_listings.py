#!/usr/bin/env python3
"""Checks a built shop's product pages against Google's merchant-listing requirements, offline.

    python3 tools/check_merchant_listings.py SITE [--limit N]

The structured data is extracted with extruct. Every `{"@id": …}` reference is replaced by the
node it names, from the product page or the home page (where the shop-wide shipping and return
policies are defined). Each sold product node, a Product with offers or each variant of a
ProductGroup, is then held against `merchant-listing-profile.json`: its `required` part gives
errors, its `recommended` part warnings. Prints one line per problem, `page: product: what`, and
a count; exits 1 when there is any error or warning.
"""
import argparse
import json
import sys
from pathlib import Path

import extruct
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

PROFILE = Path(__file__).with_name("merchant-listing-profile.json")


def json_ld(path):
    """The page's JSON-LD nodes, with `@graph`s flattened."""
    data = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=False)["json-ld"]
    nodes = []
    for item in data:
        nodes.extend(item.get("@graph", [item]) if isinstance(item, dict) else [])
    return nodes


def resolve(value, by_id, seen=()):
    """`value` with each node that is only `{"@id": X}` replaced by the node X names."""
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in by_id and value["@id"] not in seen:
            return resolve(by_id[value["@id"]], by_id, seen + (value["@id"],))
        return {k: resolve(v, by_id, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, by_id, seen) for v in value]
    return value


def explain(error):
    """The error that says what is wrong: for "any of" the closest alternative's, and for a
    choice of required properties ("gtin or mpn") the choice."""
    if error.validator == "anyOf" and error.context:
        if all(e.validator == "required" for e in error.context):
            names = [str(e.validator_value[0]) if len(e.validator_value) == 1 else str(e.validator_value) for e in error.context]
            return error, "one of " + " or ".join(names) + " is required"
        # The alternative of the instance's own type says what is wrong with it.
        relevant = [e for e in error.context if e.validator != "type"] or error.context
        return explain(best_match(relevant))
    if isinstance(error.schema, dict) and error.schema.get("description"):
        return error, f"{error.instance!r} {error.schema['description']}"
    return error, error.message


def problems(schema, node, profile):
    validator = Draft202012Validator({**schema, "$defs": profile["$defs"]})
    for error in sorted(validator.iter_errors(node), key=lambda e: list(e.absolute_path)):
        cause, message = explain(error)
        where = "/".join(str(p) for p in cause.absolute_path) or "(product)"
        yield f"{where}: {message}"


def check_page(page, shared, profile):
    """(errors, warnings) of one page, each `product name: where: what`."""
    nodes = json_ld(page)
    by_id = dict(shared)
    by_id.update({n["@id"]: n for n in nodes if isinstance(n, dict) and "@id" in n})
    errors, warnings = [], []
    sold = []
    for node in nodes:
        kind = node.get("@type")
        if kind == "ProductGroup":
            errors += [f"{node.get('name')}: {p}" for p in problems(profile["productGroup"], node, profile)]
            for variant in node.get("hasVariant", []):
                # A variant inherits what the group says for all of them (Google reads it so).
                inherited = {k: node[k] for k in ("description", "brand", "image") if k in node and k not in variant}
                sold.append({**inherited, **variant})
        elif kind == "Product":
            sold.append(node)
    for product in sold:
        product = resolve(product, by_id)
        name = product.get("name", "?")
        dangling = [ref for ref in _references(product)]
        errors += [f"{name}: {ref} names no node on this page or the home page" for ref in dangling]
        errors += [f"{name}: {p}" for p in problems(profile["required"], product, profile)]
        warnings += [f"{name}: {p}" for p in problems(profile["recommended"], product, profile)]
    return errors, warnings, len(sold)


def _references(value):
    if isinstance(value, dict):
        if set(value) == {"@id"}:
            yield value["@id"]
        for v in value.values():
            yield from _references(v)
    elif isinstance(value, list):
        for v in value:
            yield from _references(v)


def check_site(site, limit=None):
    """(lines, errors, warnings, pages, products) for every product page under `site`."""
    profile = json.loads(PROFILE.read_text())
    home = Path(site) / "index.html"
    shared = {n["@id"]: n for n in json_ld(home) if isinstance(n, dict) and "@id" in n} if home.exists() else {}
    pages = sorted((Path(site) / "products").glob("*/index.html"))[:limit]
    lines, error_count, warning_count, products = [], 0, 0, 0
    for page in pages:
        errors, warnings, sold = check_page(page, shared, profile)
        products += sold
        if not sold:
            errors.append("no Product or ProductGroup structured data")
        rel = page.relative_to(site)
        lines += [f"{rel}: error: {e}" for e in errors] + [f"{rel}: warning: missing recommended {w}" for w in warnings]
        error_count += len(errors)
        warning_count += len(warnings)
    return lines, error_count, warning_count, len(pages), products


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    lines, errors, warnings, pages, products = check_site(args.site, args.limit)
    for line in lines[:200]:
        print(line)
    print(f"{pages} product pages, {products} products: {errors} errors, {warnings} warnings")
    sys.exit(1 if errors or warnings else 0)


if __name__ == "__main__":
    main()
