"""Article -> the Elasticsearch document and the bulk operations that write it idempotently (pure)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from streams import spikes
from streams.articles import iso_utc
from streams.records import Article
from streams.version import PIPELINE_VERSION

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "schemas" / "index-template.articles.json"
INDEX_VERSION = 1
LABEL_FIELDS = {"PER": "persons", "ORG": "organizations", "LOC": "locations"}


@cache
def template(prefix: str = "") -> dict[str, Any]:
    """The index template with the index prefix applied. It carries no alias: the alias points
    at one index at a time (the first one, or the one `newsflow reindex` swapped in), so a
    rebuild in progress is neither searched nor written by the live pipeline."""
    raw = TEMPLATE_PATH.read_text(encoding="utf-8").replace("{prefix}", prefix)
    body: dict[str, Any] = json.loads(raw)
    body.pop("_comment", None)
    return body


def refresh_interval(prefix: str = "") -> str:
    """How often the template makes new documents searchable (workers slow it down in a backlog)."""
    return str(template(prefix)["template"]["settings"].get("refresh_interval", "1s"))


def alias_name(prefix: str = "") -> str:
    """The read and write alias: searches read it, live workers write through it."""
    return f"{prefix}articles"


def index_name(prefix: str = "", version: int = INDEX_VERSION) -> str:
    return f"{prefix}articles-v{version}"


def index_version(index: str, prefix: str = "") -> int | None:
    """N for `{prefix}articles-vN`, None for any other name."""
    head = f"{prefix}articles-v"
    tail = index[len(head) :] if index.startswith(head) else ""
    return int(tail) if tail.isdigit() else None


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def syndication_fields(syndication: dict[str, Any]) -> dict[str, Any]:
    """dedup.* fields describing a canonical's copies (dedup.Syndication.to_dict() in)."""
    copies = syndication.get("copies") or []
    return {
        "syndication_count": int(syndication.get("count") or 0),
        "syndicated_by": sorted({c["source"] for c in copies if c.get("source")}),
        "syndicated_ids": [c["doc_id"] for c in copies],
    }


def build(article: Article) -> dict[str, Any]:
    """The full document. Every top-level field is always present (None when unknown), so a
    partial update of an existing document replaces stale values instead of keeping them."""
    grouped: dict[str, list[str]] = {name: [] for name in LABEL_FIELDS.values()}
    for entity in article.entities:
        field = LABEL_FIELDS.get(entity["label"])
        if field and entity["name"] not in grouped[field]:
            grouped[field].append(entity["name"])
    decision = article.dedup or {}
    kind = decision.get("kind") or "unique"
    canonical = kind == "unique"
    return {
        "id": article.id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "domain": article.domain,
        "source": article.source,
        "crawler_id": article.crawler_id,
        "title": article.title,
        "text": article.text,
        "text_length": len(article.text),
        "authors": article.authors,
        "language": article.language,
        "language_probability": article.language_probability,
        "language_declared": article.language_declared,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "ingested_at": article.ingested_at,
        "first_seen_at": article.ingested_at,
        # The time keyword spikes count the article at (spike_scan): published_at when plausible.
        "counted_at": iso_utc(spikes.event_time(article.published_at, _epoch(article.ingested_at))),
        "watchlist": sorted(article.watchlist or []),
        "lemmas": {"title": article.lemmas_title, "text": article.lemmas_text},
        "entities": grouped,
        "entity_details": [
            {"label": e["label"], "name": e["name"], "surface_forms": e["surface_forms"], "count": e["count"]}
            for e in article.entities
        ],
        "dedup": {
            "content_hash": (article.fingerprint or {}).get("content_hash"),
            "is_duplicate": not canonical,
            "duplicate_of": decision.get("duplicate_of"),
            "duplicate_kind": None if canonical else kind,
            "similarity": decision.get("jaccard"),
            **syndication_fields(decision.get("syndication") or {} if canonical else {}),
        },
        "pipeline_version": PIPELINE_VERSION,
        "meta": article.meta,
    }


# Fields an update must not overwrite on an existing document.
KEEP_ON_UPDATE = ("first_seen_at", "counted_at")


def create_ops(article: Article, index: str) -> list[dict[str, Any]]:
    """Bulk lines that create the document. An id seen for the first time costs Elasticsearch
    one write and no read; for a known id (a replay, an edited re-send) the sink gets 409 back
    and sends update_after_conflict() instead, which keeps first_seen_at."""
    return [{"create": {"_index": index, "_id": article.id}}, build(article)]


def update_after_conflict(action: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """The update that replaces a `create` refused with 409 because the id exists: every field
    but the kept ones. The full document is the upsert, should the original be deleted meanwhile."""
    meta = action["create"]
    partial = {k: v for k, v in document.items() if k not in KEEP_ON_UPDATE}
    return [
        {"update": {"_index": meta["_index"], "_id": meta["_id"], "retry_on_conflict": 3}},
        {"doc": partial, "upsert": document},
    ]


def syndication_ops(canonical_id: str, syndication: dict[str, Any], index: str) -> list[dict[str, Any]]:
    """Bulk lines that refresh a canonical document's syndication count and sources."""
    return [
        {"update": {"_index": index, "_id": canonical_id, "retry_on_conflict": 3}},
        {"doc": {"dedup": syndication_fields(syndication)}},
    ]


def raw_payload(article: Article) -> dict[str, Any]:
    """The article in the raw contract's shape, for a dead letter that can be replayed."""
    return {
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "source": article.source,
        "authors": article.authors,
        "language": article.language_declared,
        "id": article.crawler_id,
        "meta": article.meta,
    }
