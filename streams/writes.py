"""A decided article -> the bulk writes it causes, and one batch's writes made minimal (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from streams import documents
from streams.records import Article


@dataclass(frozen=True, slots=True)
class Write:
    """Two bulk lines for one document: an article's own, or a syndication update of a canonical.

    `article` is the article the lines write (None for a syndication update), kept so that a
    document Elasticsearch refuses becomes a replayable dead letter.
    """

    doc_id: str
    ops: list[dict[str, Any]]
    article: Article | None = None

    @property
    def is_article(self) -> bool:
        return self.article is not None


def for_article(article: Article, index: str, near_policy: str) -> list[Write]:
    """What indexing a decided article writes: its document (a canonical, or a near copy under
    NEWSFLOW_NEAR_DUPLICATES=mark) and the syndication record of each canonical it changed."""
    decision = article.dedup or {}
    kind = decision.get("kind", "unique")
    out: list[Write] = []
    if kind == "unique" or (kind == "near" and near_policy == "mark"):
        out.append(Write(article.id, documents.create_ops(article, index), article))
    canonical = decision.get("duplicate_of")
    if kind != "unique" and canonical:
        out.append(Write(canonical, documents.syndication_ops(canonical, decision["syndication"], index)))
    released = decision.get("released")
    if released:
        out.append(
            Write(released["canonical"], documents.syndication_ops(released["canonical"], released, index))
        )
    return out


def coalesce(writes: Iterable[Write]) -> list[Write]:
    """One syndication update per canonical: the last of the batch, which carries the record after
    every copy before it. Order is kept, so a canonical created in the batch is written first."""
    batch = list(writes)
    last = {w.doc_id: i for i, w in enumerate(batch) if not w.is_article}
    return [w for i, w in enumerate(batch) if w.is_article or last[w.doc_id] == i]
