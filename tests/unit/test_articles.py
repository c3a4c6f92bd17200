"""Validation and normalisation of raw articles: what a crawler operator sees for each input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams.articles import (
    MAX_DEPTH,
    Rejection,
    ValidArticle,
    canonical_url,
    document_id,
    html_to_text,
    parse,
)
from streams.deadletter import Origin
from streams.prepare import Options, prepare
from streams.records import Article


def ok(**fields: object) -> ValidArticle:
    result = parse(json.dumps(fields).encode())
    assert isinstance(result, ValidArticle), result
    return result


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.COM/a/b", "https://www.example.com/a/b"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
        ("https://example.com/a?id=7&fbclid=XYZ&gclid=1", "https://example.com/a?id=7"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_tracking_variants_of_one_url_get_one_document_id() -> None:
    a = document_id(canonical_url("https://news.example/x?utm_source=twitter#top"))
    b = document_id(canonical_url("https://NEWS.example/x"))
    assert a == b
    assert a != document_id(canonical_url("https://news.example/y"))


@pytest.mark.parametrize(
    ("value", "code", "in_message"),
    [
        (b"", "invalid_json", "empty"),
        (b'{"url": "https://x.pl/a", "text": ', "invalid_json", "line 1"),
        (b"\xff\xfe{}", "not_utf8", "0xff"),
        (b"[1, 2]", "not_an_object", "list"),
        (b'"just a string"', "not_an_object", "str"),
        (b'{"text": "body"}', "schema_violation", "'url' is a required property"),
        (b'{"url": "ftp://x.pl/a", "text": "body"}', "schema_violation", "http(s)"),
        (b'{"url": "https://x.pl/a"}', "schema_violation", "`text` or `html`"),
        (
            b'{"url": "https://x.pl/a", "text": "b", "published_at": "yesterday"}',
            "schema_violation",
            "RFC 3339",
        ),
        (b'{"url": "https://x.pl/a", "text": "b", "authors": "Jan"}', "schema_violation", "$.authors"),
        (b'{"url": "https://x.pl/a", "text": "   \\n  "}', "empty_text", "no text"),
        (
            b'{"url": "https://x.pl/a", "html": "<script>x()</script><nav>Menu</nav>"}',
            "empty_text",
            "no text",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_stable_code(value: bytes, code: str, in_message: str) -> None:
    result = parse(value)
    assert isinstance(result, Rejection)
    assert result.code == code
    assert in_message in result.message


def test_oversized_message_is_rejected_before_parsing() -> None:
    from streams.articles import Limits

    big = json.dumps({"url": "https://x.pl/a", "text": "słowo " * 5000}).encode()
    result = parse(big, Limits(max_message_bytes=10_000))
    assert isinstance(result, Rejection) and result.code == "too_large"
    assert "10000-byte limit" in result.message


def test_text_is_normalised() -> None:
    a = ok(
        url="https://x.pl/a",
        text="  Zaz\u0307o\u0301\u0142c\u0301  ge\u0328s\u0301la\u0328\u00a0jaz\u0301n\u0301 \u200b\r\n\r\n\n\nDrugi   akapit ",
    )
    assert a.text == "Zażółć gęślą jaźń\n\nDrugi akapit"


def test_html_is_turned_into_text_with_title_and_language() -> None:
    page = html_to_text(
        "<html lang='pl'><head><title>Burza nad Gdańskiem</title><script>track()</script></head>"
        "<body><nav>Start | Kraj</nav><article><p>Pierwszy akapit.</p><p>Drugi <b>akapit</b>.</p></article>"
        "<footer>© Gazeta</footer></body></html>"
    )
    assert page.text == "Pierwszy akapit.\nDrugi akapit."
    assert page.title == "Burza nad Gdańskiem"
    assert page.language == "pl"


def test_html_article_takes_title_and_declared_language_from_the_page() -> None:
    a = ok(
        url="https://x.pl/a",
        html="<html lang='de'><title>Sturm</title><body><p>Ein Sturm zog auf.</p></body></html>",
    )
    assert (a.title, a.declared_language, a.text) == ("Sturm", "de", "Ein Sturm zog auf.")


def test_unknown_fields_are_kept_under_meta_and_times_become_utc() -> None:
    a = ok(
        url="https://x.pl/a",
        text="t",
        section="kraj",
        meta={"crawl": 3},
        published_at="2026-11-28T10:30:00+01:00",
        id=42,
    )
    assert a.meta == {"crawl": 3, "extra.section": "kraj"}
    assert a.published_at == "2026-11-28T09:30:00Z"
    assert a.crawler_id == "42"
    assert a.source == "x.pl"


def test_numbers_no_later_hop_could_encode_are_kept_in_a_form_every_hop_can() -> None:
    # Unknown fields ride along to Kafka (orjson: 64-bit integers) and into the index.
    raw = (
        b'{"url": "https://x.pl/a", "text": "Tekst o Warszawie i Krakowie.", "views": 123456789012345678901234567890,'
        b' "score": NaN, "peak": -Infinity, "shares": 9223372036854775807, "meta": {"crawl": 3}}'
    )
    a = parse(raw)
    assert isinstance(a, ValidArticle)
    assert a.meta == {
        "crawl": 3,
        "extra.views": "123456789012345678901234567890",
        "extra.score": None,
        "extra.peak": None,
        "extra.shares": 9223372036854775807,
    }
    article = prepare(raw, Origin("articles.raw", 0, 7, None), Options())
    assert isinstance(article, Article)
    assert Article.loads(article.dumps()).meta == article.meta


def test_fields_nested_too_deep_for_the_pipeline_are_a_schema_violation() -> None:
    nested: Any = "leaf"
    for _ in range(MAX_DEPTH + 1):
        nested = {"k": nested}
    result = parse(json.dumps({"url": "https://x.pl/a", "text": "t", "tree": nested}).encode())
    assert isinstance(result, Rejection)
    assert result.code == "schema_violation"
    assert result.path is not None and result.path.startswith("$.tree.k.k")
    assert f"more than {MAX_DEPTH} levels" in result.message
    assert isinstance(
        parse(json.dumps({"url": "https://x.pl/b", "text": "t", "tree": {"k": [1]}}).encode()), ValidArticle
    )
    # Deeper than Python's parser can go: the same answer, not a crash of the parser.
    abyss = b'{"url": "https://x.pl/c", "text": "t", "tree": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    result = parse(abyss)
    assert isinstance(result, Rejection) and result.code == "schema_violation"


def test_internationalised_host_is_punycoded_so_both_spellings_match() -> None:
    puny = canonical_url("https://zażółć.pl/x")
    assert puny.startswith("https://xn--") and puny.endswith(".pl/x")
    host = puny[len("https://") : -len("/x")]
    assert canonical_url(f"https://{host.upper()}/x") == puny


SURROGATE_PLACES = {
    "title": b'{"url": "https://x.pl/s1", "text": "Tekst o Warszawie.", "title": "\\udfff"}',
    "text": b'{"url": "https://x.pl/s2", "text": "Tekst o Warszawie \\ud800 i Krakowie."}',
    "meta": b'{"url": "https://x.pl/s3", "text": "Tekst.", "meta": {"k\\udc00": ["\\udbff"]}}',
    "unknown key": b'{"url": "https://x.pl/s4", "text": "Tekst.", "extra\\udfff": "\\udfff"}',
    "language hint": b'{"url": "https://x.pl/s5", "text": "Tekst.", "language": "p\\ud800l"}',
    "authors": b'{"url": "https://x.pl/s6", "text": "Tekst.", "authors": ["Jan \\udfff"]}',
}


@pytest.mark.parametrize("raw", SURROGATE_PLACES.values(), ids=SURROGATE_PLACES.keys())
def test_lone_surrogates_anywhere_are_replaced_once_so_every_later_hop_can_encode(raw: bytes) -> None:
    article = prepare(raw, Origin("articles.raw", 0, 7, None), Options())
    assert isinstance(article, Article), article
    encoded = article.dumps()  # the next hop: this raised "surrogates not allowed" before
    assert "\ufffd" in encoded.decode("utf-8")
    assert "lone UTF-16 surrogate" in article.meta["newsflow.repaired"]


def test_a_valid_surrogate_pair_escape_is_the_character_it_spells() -> None:
    a = parse(b'{"url": "https://x.pl/e", "text": "Tekst \\ud83d\\ude00."}')
    assert isinstance(a, ValidArticle)
    assert a.text == "Tekst \U0001f600." and "newsflow.repaired" not in a.meta


@pytest.mark.parametrize(
    ("url", "in_message"),
    [("http://[::1/x", "Invalid IPv6 URL"), ("https://x.pl:99999/a", "Port out of range")],
)
def test_urls_urllib_cannot_split_are_a_schema_violation_naming_the_url(url: str, in_message: str) -> None:
    result = parse(json.dumps({"url": url, "text": "Tekst."}).encode())
    assert isinstance(result, Rejection), result
    assert (result.code, result.path) == ("schema_violation", "$.url")
    assert in_message in result.message and url in result.message


@pytest.mark.parametrize("opening", ["<div>", "<span>", "<b>", "<table><tr><td>"])
def test_an_html_bomb_is_refused_before_the_parser_sees_it(opening: str) -> None:
    # 150,000 unclosed elements kept the HTML parser busy for about a minute: a stalled worker.
    value = json.dumps(
        {"url": "https://bomb.example/a", "html": opening * (150_000 // len(opening) * 5)}
    ).encode()
    result = parse(value)
    assert isinstance(result, Rejection)
    assert (result.code, result.path) == ("schema_violation", "$.html")
    assert "levels deep (limit 2000)" in result.message


@pytest.mark.parametrize(
    "page",
    [
        "<ul>" + "<li>item" * 20_000 + "</ul>",  # elements the parser closes by itself
        "<article>" + "<p>Para. <br><img src=x.png>" * 20_000 + "</article>",
        "<div>" + "<div><span>x</span></div>" * 20_000 + "</div>",
    ],
)
def test_a_long_but_flat_page_is_still_read(page: str) -> None:
    a = ok(url="https://flat.example/a", html=page)
    assert a.text
