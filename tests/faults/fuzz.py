"""Malformed messages of many kinds, each with the dead-letter code the pipeline must give it.

Every message here must be refused: none may become a document. Input the pipeline repairs
(lone surrogates in an otherwise valid article, NaN in an optional field) is tested in
tests/e2e/test_poison.py; here surrogates, NaN and huge numbers sit where they make the
message invalid. The same seed always gives the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

NOT_UTF8 = "not_utf8"
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
SCHEMA = "schema_violation"
TOO_LARGE = "too_large"
EMPTY = "empty_text"


@dataclass(frozen=True)
class Malformed:
    kind: str
    value: bytes
    code: str  # the error.code its dead letter must carry


def _valid(rng: random.Random, i: int) -> dict[str, object]:
    words = ["rada", "budżet", "port", "zima", "energia", "rynek", "kolej", "szkoła", "muzeum"]
    return {
        "url": f"https://fuzz.example/{i}",
        "title": f"Tytuł {i}",
        "text": " ".join(rng.choice(words) for _ in range(30)) + ".",
        "source": "Fuzz",
        "language": "pl",
    }


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def random_bytes(rng: random.Random, i: int) -> Malformed:
    body = bytearray(rng.randbytes(rng.randint(1, 400)))
    body.insert(rng.randrange(len(body) + 1), 0xFF)  # never part of UTF-8
    return Malformed("random bytes", bytes(body), NOT_UTF8)


def invalid_utf8(rng: random.Random, i: int) -> Malformed:
    value = _dumps(_valid(rng, i))
    at = value.index(b'"text": "') + 9
    bad = rng.choice([b"\xc3\x28", b"\xe2\x28\xa1", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"])
    return Malformed("invalid UTF-8", value[:at] + bad + value[at:], NOT_UTF8)


def truncated(rng: random.Random, i: int) -> Malformed:
    value = json.dumps(_valid(rng, i)).encode("ascii")  # ASCII: a cut never splits a character
    return Malformed("truncated JSON", value[: rng.randint(1, len(value) - 1)], INVALID_JSON)


def empty(rng: random.Random, i: int) -> Malformed:
    return Malformed("empty or blank", rng.choice([b"", b" ", b"\n", b"\t\r\n "]), INVALID_JSON)


def not_an_object(rng: random.Random, i: int) -> Malformed:
    top = rng.choice(
        ["[]", "[1, 2]", "42", "-0.5", '"text"', "null", "true", '[{"url": "https://x.example"}]']
    )
    return Malformed("not an object", top.encode(), NOT_AN_OBJECT)


# A wrong-typed value for every field of the raw-article contract.
WRONG_TYPES: dict[str, list[object]] = {
    "url": [123, None, [], {"href": "https://x.example"}, True, "ftp://x.example/a", "relative/path"],
    "text": [5, [], {"body": "x"}, False],
    "html": [5, ["<p>x</p>"], {"p": 1}],
    "title": [7, ["t"], {"t": 1}, True],
    "published_at": [20261207, ["2026-12-07"], {"y": 2026}, True],
    "fetched_at": [1.5, ["x"], {}],
    "source": [3, ["s"], {"s": 1}],
    "authors": ["Anna Nowak", [1], [None], [["nested"]], {"a": 1}, 5],
    "language": [48, ["pl"], {"code": "pl"}],
    "id": [1.5, ["x"], {"id": 1}, True],
    "meta": ["text", [1, 2], 5, True],
}


def wrong_type(rng: random.Random, i: int) -> Malformed:
    field = rng.choice(sorted(WRONG_TYPES))
    data = _valid(rng, i)
    if field == "html":
        del data["text"]
    data[field] = rng.choice(WRONG_TYPES[field])
    return Malformed(f"wrong type: {field}", _dumps(data), SCHEMA)


def deep_nesting(rng: random.Random, i: int) -> Malformed:
    depth = rng.choice([65, 100, 1000, 5000, 20_000])  # the last two are past the JSON parser's own limit
    opening, closing = rng.choice([("[", "]"), ('{"a":', "}")])
    head = json.dumps(_valid(rng, i))[:-1]
    return Malformed(
        "deep nesting", f'{head}, "meta": {{"x": {opening * depth}1{closing * depth}}}}}'.encode(), SCHEMA
    )


def nul_bytes(rng: random.Random, i: int) -> Malformed:
    url = f"https://fuzz.example/nul/{i}"
    if rng.random() < 0.5:  # raw NUL bytes inside a JSON string: no JSON at all
        value = b'{"url": "' + url.encode() + b'", "text": "abc\x00def"}'
        return Malformed("NUL bytes (raw)", value, INVALID_JSON)
    # Escaped NULs are JSON, but control characters are no text: nothing is left to index.
    return Malformed(
        "NUL bytes (escaped)", _dumps({"url": url, "text": "\u0000" * rng.randint(1, 50)}), EMPTY
    )


def lone_surrogates(rng: random.Random, i: int) -> Malformed:
    s = rng.choice(["\\ud800", "\\udfff", "\\udbff\\udbff", "\\udc00x"])
    if rng.random() < 0.5:  # a URL of nothing but a surrogate
        value = f'{{"url": "{s}", "text": "{s}", "title": "{s}", "meta": {{"{s}": "{s}"}}, "{s}": 1}}'
        return Malformed("lone surrogates (URL)", value.encode(), SCHEMA)
    value = f'{{"url": "https://fuzz.example/s/{i}", "text": "  ", "title": "{s}", "language": "{s}", "authors": ["{s}"]}}'
    return Malformed("lone surrogates (no text)", value.encode(), EMPTY)


def too_large(rng: random.Random, i: int) -> Malformed:
    data = _valid(rng, i)
    data["text"] = "słowo " * rng.randint(180_000, 200_000)  # > 1 MiB in UTF-8
    return Malformed("over 1 MiB", _dumps(data), TOO_LARGE)


def not_a_number(rng: random.Random, i: int) -> Malformed:
    value = rng.choice(
        [
            '{"url": NaN, "text": "Rada miasta."}',
            f'{{"url": "https://fuzz.example/nan/{i}", "text": NaN}}',
            f'{{"url": "https://fuzz.example/inf/{i}", "text": "Tekst.", "authors": [Infinity]}}',
            '{"url": -Infinity, "text": "Tekst."}',
        ]
    )
    return Malformed("NaN / Infinity", value.encode(), SCHEMA)


def huge_number(rng: random.Random, i: int) -> Malformed:
    # Integers past 64 bits are kept as their digits (a string), so they are refused only where a
    # string is refused too; floats past the double range parse as infinity.
    digits = "9" * rng.randint(25, 5000)
    value = rng.choice(
        [
            f'{{"url": {digits}, "text": "Tekst."}}',
            '{"url": 1e999, "text": "Tekst."}',
            f'{{"url": "https://fuzz.example/n/{i}", "text": "Tekst.", "authors": [1e999]}}',
            f'{{"url": "https://fuzz.example/n/{i}", "text": "Tekst.", "published_at": -1e400}}',
        ]
    )
    return Malformed("huge numbers", value.encode(), SCHEMA)


def duplicate_keys(rng: random.Random, i: int) -> Malformed:
    # The last of a repeated key wins, as in every JSON parser that does not refuse them.
    value = rng.choice(
        [
            f'{{"url": "https://fuzz.example/d/{i}", "text": "Tekst.", "url": 5}}',
            f'{{"url": "https://fuzz.example/d/{i}", "text": "Tekst.", "text": ["a"]}}',
            f'{{"url": "https://fuzz.example/d/{i}", "text": "Tekst.", "authors": ["A"], "authors": "A"}}',
        ]
    )
    return Malformed("duplicate keys", value.encode(), SCHEMA)


def html_bomb(rng: random.Random, i: int) -> Malformed:
    url = f"https://fuzz.example/bomb/{i}"
    if rng.random() < 0.5:  # unclosed elements, deeper than any page
        tag = rng.choice(["<div>", "<span>", "<b>", "<section>"])
        return Malformed(
            "HTML bomb (depth)",
            _dumps({"url": url, "html": tag * rng.randint(20_000, 1_000_000 // len(tag))}),
            SCHEMA,
        )
    # A page of nothing but markup, scripts and noise: no text to index.
    noise = rng.choice(["<script>var a=1;</script>", "<p></p>", "<br>", "<style>p{}</style>", "<!-- x -->"])
    return Malformed(
        "HTML bomb (no text)", _dumps({"url": url, "html": noise * rng.randint(1_000, 30_000)}), EMPTY
    )


KINDS: tuple[Callable[[random.Random, int], Malformed], ...] = (
    random_bytes,
    invalid_utf8,
    truncated,
    empty,
    not_an_object,
    wrong_type,
    deep_nesting,
    nul_bytes,
    lone_surrogates,
    not_a_number,
    huge_number,
    duplicate_keys,
    html_bomb,
)
# Messages of a MiB and pages of a hundred thousand tags cost the feed and the broker the most:
# a few of each are enough to show they are refused.
RARE = {too_large: 10, html_bomb: 40}


def malformed(n: int, seed: int = 1) -> list[Malformed]:
    """n malformed messages: the kinds in turn, with the rare ones at their fixed counts."""
    rng = random.Random(f"fuzz:{seed}")
    out: list[Malformed] = []
    for make, count in RARE.items():
        out.extend(make(rng, len(out)) for _ in range(min(count, n // 20)))
    common = [k for k in KINDS if k not in RARE]
    while len(out) < n:
        out.append(common[len(out) % len(common)](rng, len(out)))
    rng.shuffle(out)
    return out
