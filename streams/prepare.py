"""One raw message -> an enriched Article, or a dead letter saying why (pure; the prepare agent body)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams import articles, deadletter, dedup, language, lemmas
from streams.entities import extract
from streams.records import Article

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    max_message_bytes: int = 1_048_576
    language_chars: int = 500


def prepare(
    value: bytes | None, origin: deadletter.Origin, options: Options, ingested_at: str | None = None
) -> Article | dict[str, Any]:
    """Never raises: bad input and unexpected failures both come back as a dead letter.
    `ingested_at` (ISO 8601) replaces now as the ingestion time (a rebuild replays old input)."""
    try:
        parsed = articles.parse(value, articles.Limits(max_message_bytes=options.max_message_bytes))
        if isinstance(parsed, articles.Rejection):
            return deadletter.record(
                code=parsed.code,
                message=parsed.message,
                stage="validate",
                payload=value,
                origin=origin,
                path=parsed.path,
                url=parsed.url,
            )
        return enrich(parsed, origin, options.language_chars, ingested_at=ingested_at)
    except Exception as exc:
        # A bug must not stop the agent or lose the message: it is parked with its traceback.
        log.exception("prepare failed at %s[%d]@%d", origin.topic, origin.partition, origin.offset)
        where = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return deadletter.record(
            code=articles.ErrorCode.INTERNAL_ERROR,
            message=f"enrichment failed: {where}",
            stage="enrich",
            payload=value,
            origin=origin,
        )


def enrich(
    item: articles.ValidArticle,
    origin: deadletter.Origin,
    language_chars: int = 500,
    lap: Callable[[str], None] | None = None,
    ingested_at: str | None = None,
) -> Article:
    """`lap(stage)` is called after each stage when given: the benchmark times stages with it."""
    mark = lap or _no_lap
    detection = language.detect(item.text, item.declared_language, title=item.title, max_chars=language_chars)
    lang = detection.lang
    mark("language")
    # Entities are read from title and body together; the title names the story's subject.
    body = f"{item.title}\n\n{item.text}" if item.title else item.text
    found = extract(body, lang) if lang != language.UND else []
    entities = [
        {"label": e.label, "name": e.name, "surface_forms": list(e.surface_forms), "count": e.count}
        for e in found
    ]
    mark("entities")
    lemmas_title, lemmas_text = lemmas.lemma_text(item.title, lang), lemmas.lemma_text(item.text, lang)
    mark("lemmas")
    fingerprint = dedup.fingerprint(item.text, lang).to_dict()
    mark("fingerprint")
    article = Article(
        id=articles.document_id(item.canonical_url),
        url=item.url,
        canonical_url=item.canonical_url,
        domain=item.domain,
        source=item.source,
        title=item.title,
        text=item.text,
        authors=list(item.authors),
        published_at=item.published_at,
        fetched_at=item.fetched_at,
        ingested_at=ingested_at or articles.now_utc(),
        language=lang,
        language_probability=round(detection.probability, 4),
        language_declared=item.declared_language,
        crawler_id=item.crawler_id,
        entities=entities,
        lemmas_title=lemmas_title,
        lemmas_text=lemmas_text,
        fingerprint=fingerprint,
        meta=item.meta,
        origin={**origin.to_dict()},
    )
    mark("assemble")
    return article


def _no_lap(_stage: str) -> None:
    return None
