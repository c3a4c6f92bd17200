"""Keyword hits of a canonical article, open-window bookkeeping, and alert records (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from streams import spikes
from streams.records import Article
from streams.version import PIPELINE_VERSION
from streams.watchlist import WatchTerm, match

MAX_SAMPLES = 5


@dataclass(frozen=True)
class Hit:
    keyword: str
    kind: str  # "entity" | "watchlist"
    label: str | None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.keyword}"


def hits(article: Article, watchlist: Sequence[WatchTerm], lemmatise: Callable[[str, str], str]) -> list[Hit]:
    """What one canonical article counts toward: its entities' canonical names, once each, and
    the watchlist terms found in its lemmas (so inflected forms count)."""
    found: dict[str, Hit] = {}
    for entity in article.entities:
        hit = Hit(entity["name"], "entity", entity["label"])
        found.setdefault(hit.key, hit)
    if watchlist:
        lemma_text = f"{article.lemmas_title} {article.lemmas_text}"
        for term in sorted(match(watchlist, lemma_text, article.language, lemmatise)):
            hit = Hit(term, "watchlist", None)
            found.setdefault(hit.key, hit)
    return list(found.values())


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def open_window(window: int, ts: float) -> dict[str, Any]:
    return {"w": window, "count": 0, "samples": [], "first_seen": ts, "alerted": False}


def add_hit(current: dict[str, Any], article_id: str, title: str, url: str) -> dict[str, Any]:
    """A new open-window record with one more hit (records are replaced, never mutated)."""
    samples = list(current["samples"])
    if len(samples) < MAX_SAMPLES and all(s["id"] != article_id for s in samples):
        samples.append({"id": article_id, "title": title, "url": url})
    return {**current, "count": current["count"] + 1, "samples": samples}


def record(
    hit: Hit, spike: spikes.Spike, window: dict[str, Any], config: spikes.SpikeConfig
) -> dict[str, Any]:
    """An alert matching schemas/alert.schema.json."""
    start, end = spikes.window_bounds(spike.window_index, config.window_s)
    return {
        "id": spikes.alert_id(hit.keyword, hit.kind, spike.window_index, config.window_s),
        "keyword": hit.keyword,
        "kind": hit.kind,
        "label": hit.label,
        "window_start": iso(start),
        "window_end": iso(end),
        "count": spike.count,
        "baseline": round(spike.baseline, 4),
        "sigma": round(spike.sigma, 4),
        "score": round(spike.score, 3),
        "threshold": spike.threshold,
        "samples": window["samples"],
        "first_seen": iso(window["first_seen"]),
        "raised_at": iso(datetime.now(UTC).timestamp()),
        "pipeline_version": PIPELINE_VERSION,
    }
