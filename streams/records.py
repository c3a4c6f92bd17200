"""Message types on the internal topics: plain JSON (no Faust metadata) so any consumer can read them."""

from __future__ import annotations

from typing import Any

import faust


class Article(faust.Record, serializer="json", include_metadata=False):
    """A validated, enriched article between the prepare and dedupe_index agents."""

    id: str
    url: str
    canonical_url: str
    domain: str
    source: str
    title: str
    text: str
    authors: list[str]
    published_at: str | None
    fetched_at: str | None
    ingested_at: str
    language: str
    language_probability: float
    language_declared: str | None
    crawler_id: str | None
    entities: list[dict[str, Any]]
    lemmas_title: str
    lemmas_text: str
    fingerprint: dict[str, Any]
    meta: dict[str, Any]
    origin: dict[str, Any]
    # Set by the dedupe agent: dedup.Decision.to_dict().
    dedup: dict[str, Any] | None = None
    # Set by the dedupe agent: watchlist terms found in the lemmas (NEWSFLOW_WATCHLIST).
    watchlist: list[str] | None = None


def encode(article: Article) -> bytes:
    """The JSON an internal topic carries; raises (TypeError, ValueError) when a field cannot be
    written, which the sending agent turns into a dead letter."""
    return article.dumps()


def decode(value: bytes | None) -> Article:
    """An Article from an internal topic's value; raises ValueError naming what is wrong."""
    if not value:
        raise ValueError("empty value where an article record was expected")
    try:
        return Article.loads(value)
    except Exception as exc:
        raise ValueError(
            f"not an article record of this pipeline version: {type(exc).__name__}: {exc}"
        ) from exc
