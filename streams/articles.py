"""Raw article bytes -> a validated, normalised article, or a Rejection naming what is wrong (pure)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jsonschema import Draft202012Validator, FormatChecker
from selectolax.lexbor import LexborHTMLParser

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "article.raw.schema.json"
KNOWN_FIELDS = frozenset(
    [
        "url",
        "text",
        "html",
        "title",
        "published_at",
        "fetched_at",
        "source",
        "authors",
        "language",
        "id",
        "meta",
    ]
)

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "ito",
        "at_medium",
        "at_campaign",
        "ref_src",
        "spm",
        "__twitter_impression",
    ]
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Elements whose text is never part of the article body.
NOISE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "footer",
    "aside",
    "form",
    "iframe",
    "button",
    "header",
)
BLOCK_TAGS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "section",
    "article",
    "pre",
)

# A page that nests elements this deep is an HTML bomb, not an article: the HTML parser's work
# grows with the square of the depth (150,000 unclosed <div> took 55 s of CPU, 20,000 took 0.4 s),
# and one such message would stall the worker past its session timeout. Real pages nest a few
# dozen levels. Depth is only estimated (one regex pass) for pages with many tags.
MAX_HTML_DEPTH = 2000
_DEPTH_CHECK_TAGS = 10_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
# Elements that never hold others (void) or that the parser closes by itself when a sibling
# starts: a page of 100,000 unclosed <p> or <li> is flat, not deep.
_FLAT_TAGS = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th option"
    " optgroup rp rt tbody thead tfoot colgroup caption".split()
)

_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


class ErrorCode:
    """Stable, machine-readable reasons; the dead-letter schema lists the same values."""

    INVALID_JSON = "invalid_json"
    NOT_UTF8 = "not_utf8"
    NOT_AN_OBJECT = "not_an_object"
    SCHEMA_VIOLATION = "schema_violation"
    TOO_LARGE = "too_large"
    EMPTY_TEXT = "empty_text"
    INDEX_REJECTED = "index_rejected"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ValidArticle:
    """A raw article that passed the contract, with text extracted and normalised."""

    url: str
    canonical_url: str
    domain: str
    text: str
    title: str
    source: str
    published_at: str | None
    fetched_at: str | None
    authors: tuple[str, ...]
    declared_language: str | None
    crawler_id: str | None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 1_048_576
    min_text_chars: int = 1


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


# What every later hop can encode: records and table values go through orjson (64-bit integers,
# at most 254 levels of nesting) and Elasticsearch longs are 64-bit. Crawler fields we do not
# know are kept under `meta`, so they are held to this at the door instead of failing a send.
MAX_DEPTH = 64
_INT64 = range(-(2**63), 2**63)


# A lone surrogate (half of a UTF-16 pair) parses from a JSON escape but no UTF-8 encoder, and so
# no later hop, can write it. It is replaced with U+FFFD once, here, and the record says so.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
REPAIRED_META_KEY = "newsflow.repaired"


def _without_lone_surrogates(value: Any) -> tuple[Any, int]:
    """`value` with every lone surrogate in its strings and keys replaced, and how many there were."""
    if isinstance(value, str):
        return _LONE_SURROGATE.subn(REPLACEMENT, value)
    if isinstance(value, list):
        total = 0
        items = []
        for item in value:
            fixed, n = _without_lone_surrogates(item)
            items.append(fixed)
            total += n
        return items, total
    if isinstance(value, dict):
        total = 0
        fixed_dict = {}
        for key, item in value.items():
            fixed_key, n_key = _without_lone_surrogates(key)
            fixed_item, n_item = _without_lone_surrogates(item)
            fixed_dict[fixed_key] = fixed_item
            total += n_key + n_item
        return fixed_dict, total
    return value, 0


def _int_or_digits(digits: str) -> int | str:
    """JSON integers beyond 64 bits stay as their digits (a string), not a number no hop can send."""
    if len(digits) <= 20:
        number = int(digits)
        if number in _INT64:
            return number
    return digits


def _not_a_number(_constant: str) -> None:
    """NaN and Infinity are no JSON; Python's parser accepts them, so they become null."""
    return None


def _too_deep(value: Any, limit: int, path: str = "$") -> str | None:
    """The path of the first value nested more than `limit` levels deep, or None."""
    if not isinstance(value, dict | list):
        return None
    if limit == 0:
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        if isinstance(child, dict | list):
            where = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
            found = _too_deep(child, limit - 1, where)
            if found is not None:
                return found
    return None


def parse(value: bytes | None, limits: Limits = Limits()) -> ValidArticle | Rejection:
    """Decode, check against the raw-article schema, extract and normalise text."""
    if value is None or len(value) == 0:
        return Rejection(ErrorCode.INVALID_JSON, "empty message value; send one JSON object per message")
    if len(value) > limits.max_message_bytes:
        return Rejection(
            ErrorCode.TOO_LARGE,
            f"message is {len(value)} bytes, over the {limits.max_message_bytes}-byte limit "
            "(NEWSFLOW_MAX_MESSAGE_BYTES); send the article text without page chrome",
        )
    try:
        decoded = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(
            ErrorCode.NOT_UTF8,
            f"message is not UTF-8 (byte 0x{value[exc.start]:02x} at offset {exc.start}); "
            "re-encode the crawler output as UTF-8",
        )
    try:
        data = json.loads(decoded, parse_int=_int_or_digits, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        return Rejection(
            ErrorCode.INVALID_JSON, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        )
    except RecursionError:  # deeper than the parser goes; far deeper than MAX_DEPTH anyway
        return Rejection(
            ErrorCode.SCHEMA_VIOLATION,
            f"the message nests objects and arrays more than {MAX_DEPTH} levels deep; "
            "flatten the crawler's extra fields",
            path="$",
        )
    if not isinstance(data, dict):
        return Rejection(
            ErrorCode.NOT_AN_OBJECT, f"expected a JSON object per message, got {type(data).__name__}"
        )
    # Only a \\uD800-\\uDFFF escape can put a lone surrogate in the parsed value (the bytes were
    # strict UTF-8): look for one in the text before walking the whole object.
    repaired = 0
    if _SURROGATE_ESCAPE.search(decoded):
        data, repaired = _without_lone_surrogates(data)
    deep = _too_deep(data, MAX_DEPTH)
    if deep is not None:
        return Rejection(
            ErrorCode.SCHEMA_VIOLATION,
            f"{deep} nests objects and arrays more than {MAX_DEPTH} levels deep; "
            "flatten the crawler's extra fields",
            path=deep,
            url=data.get("url") if isinstance(data.get("url"), str) else None,
        )
    url = data.get("url") if isinstance(data.get("url"), str) else None
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        err = errors[0]
        path = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        message = _schema_message(err.message, err.validator, path)
        return Rejection(ErrorCode.SCHEMA_VIOLATION, message, path=path, url=url)
    assert url is not None
    try:
        canonical = canonical_url(url)
    except ValueError as exc:  # urllib cannot split it: an unclosed IPv6 bracket, a port > 65535
        return Rejection(
            ErrorCode.SCHEMA_VIOLATION,
            f"$.url cannot be parsed ({exc}): {url[:200]!r}; send an absolute http(s) URL with a "
            "valid host and a port between 1 and 65535",
            path="$.url",
            url=url,
        )
    text_source = data.get("text")
    title = normalise_text(data.get("title") or "", keep_lines=False)
    declared = data.get("language") or None
    if isinstance(text_source, str) and text_source.strip():
        text = normalise_text(text_source)
    elif not isinstance(data.get("html"), str):
        text = ""
    elif (depth := html_depth(data["html"])) > MAX_HTML_DEPTH:
        return Rejection(
            ErrorCode.SCHEMA_VIOLATION,
            f"$.html nests elements about {depth} levels deep (limit {MAX_HTML_DEPTH}), which no "
            "article page does; send the article's own markup, or its text in `text`",
            path="$.html",
            url=url,
        )
    else:
        page = html_to_text(data["html"])
        text = page.text
        title = title or page.title
        declared = declared or page.language
    if len(text) < limits.min_text_chars:
        return Rejection(
            ErrorCode.EMPTY_TEXT,
            "article has no text after HTML extraction and whitespace normalisation; "
            "send the body in `text` or the page in `html`",
            path="$.text",
            url=url,
        )
    domain = urlsplit(canonical).hostname or ""
    meta = dict(data.get("meta") or {})
    for key in sorted(set(data) - KNOWN_FIELDS):
        meta[f"extra.{key}"] = data[key]
    if repaired:
        meta[REPAIRED_META_KEY] = f"{repaired} lone UTF-16 surrogate(s) replaced with U+FFFD"
    crawler_id = data.get("id")
    return ValidArticle(
        url=url,
        canonical_url=canonical,
        domain=domain,
        text=text,
        title=title,
        source=(data.get("source") or domain).strip(),
        published_at=_rfc3339(data.get("published_at")),
        fetched_at=_rfc3339(data.get("fetched_at")),
        authors=tuple(a.strip() for a in data.get("authors") or () if a.strip()),
        declared_language=declared.strip() if isinstance(declared, str) and declared.strip() else None,
        crawler_id=str(crawler_id) if crawler_id is not None else None,
        meta=meta,
    )


def _schema_message(raw: str, validator: str, path: str) -> str:
    if validator == "anyOf" and path == "$":
        return "article needs a non-empty `text` or `html` field"
    if validator == "required":
        return f"{raw} (at {path})"
    if validator == "format":
        return f"{path}: {raw}; use RFC 3339, e.g. 2026-11-28T09:30:00+01:00"
    if validator == "pattern" and path == "$.url":
        return f"$.url must be an absolute http(s) URL, got {raw.split(' does not match')[0][:200]}"
    if validator == "maxLength":
        return f"{path} is too long: {raw[:120]}"
    return f"{path}: {raw[:300]}"


def _rfc3339(value: Any) -> str | None:
    """Timestamps as UTC ISO strings (the schema already checked the format)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        # Valid RFC 3339 that Python cannot parse (e.g. nanoseconds): keep the crawler's text.
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def canonical_url(url: str) -> str:
    """One spelling per article: lowercased scheme and host, no default port, no fragment,
    no tracking parameters, remaining query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query), doseq=True), ""))


def document_id(canonical: str) -> str:
    """Deterministic id: the same canonical URL is always the same Elasticsearch document."""
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()


def normalise_text(text: str, *, keep_lines: bool = True) -> str:
    """NFC, no control or zero-width characters, single spaces, at most one blank line."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ")
    if not keep_lines:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Page:
    text: str
    title: str
    language: str | None


def html_depth(html: str) -> int:
    """How deep the page nests elements, estimated from its tags (0 for pages with few tags:
    under _DEPTH_CHECK_TAGS even a page of nothing but nested elements parses in about 60 ms)."""
    if html.count("<") <= _DEPTH_CHECK_TAGS:
        return 0
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _FLAT_TAGS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_to_text(html: str) -> Page:
    """Body text of a page with block structure kept as lines; title and <html lang> too."""
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("meta[property='og:title']")
    title = (title_node.attributes.get("content") or "") if title_node else ""
    if not title:
        t = tree.css_first("title")
        title = t.text() if t else ""
    root = tree.css_first("html")
    lang = root.attributes.get("lang") if root is not None else None
    tree.strip_tags(list(NOISE_TAGS))
    body = tree.css_first("article") or tree.body or tree.root
    if body is None:
        return Page("", normalise_text(title, keep_lines=False), lang)
    for tag in BLOCK_TAGS:
        for node in body.css(tag):
            node.insert_after("\n")
    return Page(normalise_text(body.text(separator="")), normalise_text(title, keep_lines=False), lang)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_utc(ts: float) -> str:
    """Epoch seconds as ISO 8601 UTC with milliseconds, the form of every *_at field."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
