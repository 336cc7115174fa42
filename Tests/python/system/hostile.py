"""A seeded generator of hostile requests for the order API: what a schema-driven fuzzer cannot
express (broken JSON, wrong types, absurd sizes, control characters, header-level abuse)."""
from __future__ import annotations

import json
import random
import re
import urllib.parse

SQL = ["' OR 1=1 --", "'; DROP TABLE orders; --", "\" OR \"\"=\"", "1; SELECT * FROM stock", "%' --", "admin'--", "1 UNION SELECT sql FROM sqlite_master"]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${7*7}", "</textarea><svg onload=alert(1)>", "&lt;&#x3C;"]
SCRIPTS = ["\u202eevil\u202c", "مرحبا بالعالم", "שלום", "😀👍🏽👨‍👩‍👧", "\u200b\u200d\ufeff", "e" + "\u0301" * 200, "王小明", "𠜎𠜱𠝹"]
CONTROL = ["\u0000", "a\u0000b", "\u0001\u0007\u001b[31m", "\r\n", "line\nbreak", "\t", "\u007f", "\u2028\u2029"]
LONG = ["x" * 10_000, "長" * 10_000, "a" * 300, "😀" * 3000]
NUMBERS = [0, -1, -99, 1, 99, 100, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -2**63, 10**30, 1.5, -0.0, 1e308, 0.1]
OTHER = [None, True, False, [], {}, [1, 2], {"$ne": 1}, "", " ", "1", "-1", "null", "NaN"]
RAW_NUMBERS = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5", "+1", "1e2", "99999999999999999999999999999"]
STRINGS = SQL + HTML + SCRIPTS + CONTROL + LONG


def hostile_value(rng: random.Random):
    pool = rng.choice([STRINGS, STRINGS, NUMBERS, OTHER])
    return rng.choice(pool)


def base_order(rng: random.Random, skus: list[str]) -> dict:
    return {
        "items": [{"sku": rng.choice(skus), "quantity": rng.randint(1, 3)} for _ in range(rng.randint(1, 3))],
        "customer": {"name": "Fuzz Buyer", "email": f"fuzz{rng.randrange(10**6)}@example.com", "phone": "0912345678"},
        "shipping": {"postalCode": "742", "city": "Tainan", "address": "88 Toushe"},
        "paymentMethod": rng.choice(["cash_on_delivery", "credit_card", "atm"]),
        "note": "",
    }


def paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, prefix + (index,))


def replaced(document, path, value):
    if not path:
        return value
    document = json.loads(json.dumps(document))
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


def mutate_json(rng: random.Random, document) -> bytes:
    """One hostile body derived from a valid document."""
    kind = rng.randrange(14)
    text = json.dumps(document, ensure_ascii=rng.random() < 0.5)
    if kind <= 4:  # one value replaced by a hostile one
        path = rng.choice(list(paths(document)))
        return json.dumps(replaced(document, path, hostile_value(rng)), ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if kind == 5:  # truncated
        return text.encode()[: rng.randrange(len(text))]
    if kind == 6:  # deep nesting
        depth = rng.choice([100, 1000, 10_000, 100_000])
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
        inner = opener * depth + "1" + closer * (depth if rng.random() < 0.7 else depth // 2)
        return (inner if rng.random() < 0.5 else text[:-1] + ', "items": ' + inner + "}").encode()
    if kind == 7:  # raw numbers that json.dumps cannot write
        raw = rng.choice(RAW_NUMBERS)
        if isinstance(document, dict) and document.get("items"):
            return re.sub(r'"quantity": \d+', '"quantity": ' + raw, text, count=1).encode()
        return raw.encode()
    if kind == 8:  # byte-level damage
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 9:  # lone surrogates, invalid UTF-8, BOM, comments, trailing garbage
        return rng.choice([
            text.replace('"Fuzz Buyer"', '"\\ud800\\udfff\\ud800"').encode(),
            text.encode().replace(b"Fuzz", b"\xff\xfe\xc0\xaf"),
            b"\xef\xbb\xbf" + text.encode(),
            text.replace("{", "{ /* c */ ", 1).encode(),
            text.encode() + b" trailing",
            text.replace('"', "'").encode(),
            b"",
            b"{}",
            b"[]",
            text.encode() * 2,
        ])
    if kind == 10:  # duplicate keys: last one wins or refused, never both
        return text[:-1].encode() + b', "items": [{"sku": "X", "quantity": -5}]}'
    if kind == 11:  # many lines or large strings
        many = dict(document) if isinstance(document, dict) else {}
        many["items"] = [{"sku": f"S{i}", "quantity": 1} for i in range(rng.choice([51, 500, 3000]))]
        return json.dumps(many).encode()
    if kind == 12:  # just over and far over the size limits
        size = rng.choice([32 * 1024 + 1, 300 * 1024, (1 << 20) + 10])
        return json.dumps({**(document if isinstance(document, dict) else {}), "note": "n" * size}).encode()
    return json.dumps(hostile_value(rng)).encode("utf-8", "surrogatepass")


def query(rng: random.Random, names: list[str]) -> str:
    """A hostile query string over `names`."""
    parts = []
    for name in names:
        if rng.random() < 0.15:
            continue
        value = hostile_value(rng)
        text = value if isinstance(value, str) else json.dumps(value)
        encoded = urllib.parse.quote(text, safe="") if rng.random() < 0.8 else rng.choice(["%00", "%ZZ", "%", "%c0%af", "%ff%fe", "&&&", "=="])
        parts.append(f"{name}={encoded}")
        if rng.random() < 0.1:
            parts.append(f"{name}=again")
    return "&".join(parts)


def form(rng: random.Random, fields: dict[str, str]) -> bytes:
    """A hostile application/x-www-form-urlencoded body (payment notifications)."""
    items = []
    for key, value in fields.items():
        if rng.random() < 0.3:
            value = hostile_value(rng)
            value = value if isinstance(value, str) else json.dumps(value)
        items.append((key, value))
    if rng.random() < 0.2:
        return rng.choice([b"%", b"a=%zz&b", b"=" * 100, b"CheckMacValue=" + b"F" * 10_000, b"\x00\x01\x02"])
    return urllib.parse.urlencode(items).encode("utf-8", "surrogatepass")


def raw_requests(port: int) -> list[tuple[str, bytes]]:
    """Header-level abuse that only a raw socket can send."""
    host = f"Host: 127.0.0.1:{port}\r\n".encode()
    body = b'{"items":[{"sku":"AVO-A","quantity":1}]}'
    cl = f"Content-Length: {len(body)}\r\n".encode()
    cases = [
        ("oversized header value", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n"),
        ("thousands of headers", b"GET /healthz HTTP/1.1\r\n" + host + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n"),
        ("oversized request line", b"GET /order?id=" + b"A" * 100_000 + b" HTTP/1.1\r\n" + host + b"\r\n"),
        ("bare CR in a header value", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Request-Id: abc\rSet-Cookie: x=1\r\n\r\n"),
        ("bare LF in a header value", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Request-Id: abc\nSet-Cookie: x=1\r\n\r\n"),
        ("CRLF smuggled into X-Request-Id", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Request-Id: abc%0d%0aSet-Cookie:%20x\r\n\r\n"),
        ("NUL in a header value", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Request-Id: a\x00b\r\n\r\n"),
        ("control characters in a header", b"GET /healthz HTTP/1.1\r\n" + host + b"User-Agent: \x01\x02\x1b[31m\x7f\r\n\r\n"),
        ("non-ASCII header bytes", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Name: \xe7\x8e\x8b\xff\xfe\r\n\r\n"),
        ("space in a header name", b"GET /healthz HTTP/1.1\r\n" + host + b"Bad Name: v\r\n\r\n"),
        ("obsolete line folding", b"GET /healthz HTTP/1.1\r\n" + host + b"X-A: one\r\n two\r\n\r\n"),
        ("NUL in the path", b"GET /order\x00?id=1 HTTP/1.1\r\n" + host + b"\r\n"),
        ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        ("unknown method", b"BREW /order HTTP/1.1\r\n" + host + b"\r\n"),
        ("absolute URI to another host", b"GET http://evil.example/admin/orders HTTP/1.1\r\n" + host + b"\r\n"),
        ("negative Content-Length", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: -5\r\n\r\n" + body),
        ("huge Content-Length", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n" + body),
        ("two different Content-Lengths", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 5\r\n" + cl + b"\r\n" + body),
        ("Content-Length and chunked", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\n" + cl + b"Transfer-Encoding: chunked\r\n\r\n" + body),
        ("bad chunk size", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n" + body + b"\r\n0\r\n\r\n"),
        ("huge chunk size", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n" + body + b"\r\n0\r\n\r\n"),
        ("2 MB chunked body", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(b"8000\r\n" + b"[" * 0x8000 + b"\r\n" for _ in range(64)) + b"0\r\n\r\n"),
        ("truncated body then close", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + body),
        ("Idempotency-Key with control characters", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nIdempotency-Key: k\x01\x02\r\n" + cl + b"\r\n" + body),
        ("Idempotency-Key of 10,000 bytes", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nIdempotency-Key: " + b"k" * 10_000 + b"\r\n" + cl + b"\r\n" + body),
        ("Idempotency-Key in UTF-8", b"POST /order HTTP/1.1\r\n" + host + b"Content-Type: application/json\r\nIdempotency-Key: \xe9\x8d\xb5\r\n" + cl + b"\r\n" + body),
        ("Authorization with NUL", b"GET /admin/orders HTTP/1.1\r\n" + host + b"Authorization: Bearer a\x00b\r\n\r\n"),
        ("Authorization of 100 KB", b"GET /admin/orders HTTP/1.1\r\n" + host + b"Authorization: Bearer " + b"t" * 100_000 + b"\r\n\r\n"),
        ("Origin with CRLF-looking text", b"OPTIONS /order HTTP/1.1\r\n" + host + b"Origin: https://shop.test.example%0d%0aX: y\r\nAccess-Control-Request-Method: POST\r\n\r\n"),
        ("X-Forwarded-For flood", b"GET /healthz HTTP/1.1\r\n" + host + b"X-Forwarded-For: " + b"1.1.1.1, " * 5000 + b"\r\n\r\n"),
        ("HTTP/1.0 without Host", b"GET /healthz HTTP/1.0\r\n\r\n"),
        ("pipelined garbage after a good request", b"GET /healthz HTTP/1.1\r\n" + host + b"\r\n" + b"\x00\xff" * 100),
    ]
    return cases
