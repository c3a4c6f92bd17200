"""Keyword spikes read from the index: query bodies, their answers, and the rule applied to them (pure).

Counting happens where the articles already are. Every canonical document carries its keywords
(entity names by label, matched watchlist terms) and `counted_at` (publication time within the
lateness bound, else ingestion time: `spikes.event_time`). A scan asks Elasticsearch:

1. which keywords reach min_count in the open window or the one before it (a terms aggregation
   per keyword field; copies are left out, so syndication never makes a spike);
2. for those few, their count in every window of the lookback (a date histogram per keyword);

then replays `spikes.close_window` over that history and judges the last two windows. History
comes from the index, so a restarted or newly added worker knows each keyword's baseline and
cool-down at once; on a new index only the windows since its first document count as known
zeros (`history_from`), so a first deployment does not alert on every busy name.

Earlier versions counted in the stream (one Kafka message and one table write per keyword per
article: ~24 messages an article, 40% of a worker's CPU in `newsflow bench`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from streams import alerts, spikes

# Index field -> (kind, label) of the keywords it holds.
KEYWORD_FIELDS: dict[str, tuple[str, str | None]] = {
    "entities.persons": ("entity", "PER"),
    "entities.organizations": ("entity", "ORG"),
    "entities.locations": ("entity", "LOC"),
    "watchlist": ("watchlist", None),
}
# Windows of history replayed per keyword: the EWMA (alpha 0.02) forgets 98% of a window
# after ~190 windows, so two days of 15-minute windows carry all it remembers.
LOOKBACK_WINDOWS = 192
# Candidates per field and scan: keywords at min_count or more in the last two windows.
MAX_CANDIDATES = 500
# Keywords per history request: each brings up to LOOKBACK_WINDOWS + 1 buckets, and
# Elasticsearch refuses a search of more than search.max_buckets (65,536 by default).
HISTORY_CHUNK = 100
CANONICAL_ONLY: dict[str, Any] = {"term": {"dedup.is_duplicate": False}}


@dataclass(frozen=True, slots=True)
class Keyword:
    field: str
    keyword: str

    @property
    def kind(self) -> str:
        return KEYWORD_FIELDS[self.field][0]

    @property
    def label(self) -> str | None:
        return KEYWORD_FIELDS[self.field][1]


def _range(start_s: float, end_s: float) -> dict[str, Any]:
    return {
        "range": {
            "counted_at": {"gte": int(start_s * 1000), "lt": int(end_s * 1000), "format": "epoch_millis"}
        }
    }


def candidates_query(open_window: int, window_s: float, min_count: int) -> dict[str, Any]:
    """Keywords with at least `min_count` canonical articles in the open window or the one before
    (a window's late documents may become searchable after it has ended), and the index's first
    `counted_at` (the start of known history)."""
    start, _ = spikes.window_bounds(open_window - 1, window_s)
    _, end = spikes.window_bounds(open_window, window_s)
    recent = {
        field.replace(".", "_"): {
            "terms": {"field": field, "size": MAX_CANDIDATES, "min_doc_count": min_count},
            "aggs": {"windows": _histogram(window_s, open_window - 1, open_window)},
        }
        for field in KEYWORD_FIELDS
    }
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"match_all": {}},
        "aggs": {
            "first": {"min": {"field": "counted_at"}},
            "recent": {"filter": {"bool": {"filter": [CANONICAL_ONLY, _range(start, end)]}}, "aggs": recent},
        },
    }


def _histogram(window_s: float, first: int, last: int) -> dict[str, Any]:
    start, _ = spikes.window_bounds(first, window_s)
    _, end = spikes.window_bounds(last, window_s)
    return {
        "date_histogram": {
            "field": "counted_at",
            "fixed_interval": f"{int(window_s * 1000)}ms",
            "min_doc_count": 0,
            # Windows are aligned to the epoch, as spikes.window_of aligns them.
            "extended_bounds": {"min": int(start * 1000), "max": int(end * 1000) - 1},
        }
    }


def _buckets_by_window(histogram: Mapping[str, Any], window_s: float) -> dict[int, int]:
    return {
        spikes.window_of(bucket["key"] / 1000, window_s): int(bucket["doc_count"])
        for bucket in histogram.get("buckets", ())
    }


def parse_candidates(
    response: Mapping[str, Any], window_s: float
) -> tuple[float | None, dict[Keyword, dict[int, int]]]:
    """(first counted_at in epoch seconds or None, {keyword: {window: count}}) of a candidates answer."""
    aggs = response.get("aggregations", {})
    first = aggs.get("first", {}).get("value")
    found: dict[Keyword, dict[int, int]] = {}
    for field in KEYWORD_FIELDS:
        agg = aggs.get("recent", {}).get(field.replace(".", "_"), {})
        for bucket in agg.get("buckets", ()):
            found[Keyword(field, str(bucket["key"]))] = _buckets_by_window(bucket["windows"], window_s)
    return (None if first is None else float(first) / 1000), found


def history_query(keywords: Sequence[Keyword], first: int, last: int, window_s: float) -> dict[str, Any]:
    """Counts per window from `first` to `last` (inclusive) of each keyword: one filters bucket each."""
    start, _ = spikes.window_bounds(first, window_s)
    _, end = spikes.window_bounds(last, window_s)
    filters = {str(i): {"term": {k.field: k.keyword}} for i, k in enumerate(keywords)}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"filter": [CANONICAL_ONLY, _range(start, end)]}},
        "aggs": {
            "keywords": {
                "filters": {"filters": filters},
                "aggs": {"windows": _histogram(window_s, first, last)},
            }
        },
    }


def parse_history(
    response: Mapping[str, Any], keywords: Sequence[Keyword], window_s: float
) -> dict[Keyword, dict[int, int]]:
    buckets = response.get("aggregations", {}).get("keywords", {}).get("buckets", {})
    return {
        k: _buckets_by_window(buckets.get(str(i), {}).get("windows", {}), window_s)
        for i, k in enumerate(keywords)
    }


def samples_query(keyword: Keyword, window: int, window_s: float, size: int) -> dict[str, Any]:
    """The newest canonical articles of `keyword` in `window`, and its first mention there."""
    start, end = spikes.window_bounds(window, window_s)
    return {
        "size": size,
        "track_total_hits": False,
        "_source": ["id", "title", "url"],
        "sort": [{"counted_at": "desc"}, {"id": "asc"}],
        "query": {
            "bool": {
                "filter": [CANONICAL_ONLY, _range(start, end), {"term": {keyword.field: keyword.keyword}}]
            }
        },
        "aggs": {"first": {"min": {"field": "counted_at"}}},
    }


def parse_samples(response: Mapping[str, Any]) -> tuple[list[dict[str, str]], float | None]:
    hits = response.get("hits", {}).get("hits", ())
    samples = [
        {"id": h["_source"]["id"], "title": h["_source"]["title"], "url": h["_source"]["url"]} for h in hits
    ]
    first = response.get("aggregations", {}).get("first", {}).get("value")
    return samples, (None if first is None else float(first) / 1000)


def lookback_start(open_window: int, first_counted: float | None, window_s: float) -> int:
    """First window to replay: the index's first window, at most LOOKBACK_WINDOWS back."""
    earliest = open_window - LOOKBACK_WINDOWS
    if first_counted is None:
        return open_window
    return max(earliest, spikes.window_of(first_counted, window_s))


def judge(
    counts: Mapping[int, int], first: int, open_window: int, config: spikes.SpikeConfig
) -> spikes.Spike | None:
    """Replay the windows from `first` to `open_window` through `spikes.close_window` (history known
    from `first` on) and return the spike of the open window or of the one before it, if either alerts.

    Only windows with hits are handed over, plus the last two; the rule folds the others in as
    zeros. Earlier windows that would have alerted set the cool-down, as the scans that saw them did.
    """
    windows = {w for w, c in counts.items() if c > 0 and first <= w < open_window - 1}
    state: dict[str, Any] | None = None
    found: spikes.Spike | None = None
    for window in sorted(windows | {open_window - 1, open_window}):
        state, spike = spikes.close_window(state, window, counts.get(window, 0), config, history_from=first)
        if spike is not None and window >= open_window - 1:
            found = spike
    return found


Search = Callable[[dict[str, Any]], Awaitable[Mapping[str, Any]]]


async def scan(
    search: Search,
    now: float,
    config: spikes.SpikeConfig,
    term_config: Mapping[str, spikes.SpikeConfig] | None = None,
) -> list[dict[str, Any]]:
    """Alert records (schemas/alert.schema.json) for every keyword spiking at `now`.

    `search(body)` runs a search on the articles alias. The same index content always gives the
    same alerts with the same ids, so scans may repeat and overlap (every worker, any interval).
    """
    term_config = term_config or {}
    window_s = config.window_s
    open_window = spikes.window_of(now, window_s)
    least = min([config.min_count, *(c.min_count for c in term_config.values())])
    first_counted, recent = parse_candidates(
        await search(candidates_query(open_window, window_s, least)), window_s
    )

    def config_of(k: Keyword) -> spikes.SpikeConfig:
        return term_config.get(k.keyword, config) if k.kind == "watchlist" else config

    candidates = [
        k
        for k, counts in sorted(recent.items(), key=lambda kv: (kv[0].field, kv[0].keyword))
        if max(counts.values(), default=0) >= config_of(k).min_count
    ]
    if not candidates:
        return []
    first = lookback_start(open_window, first_counted, window_s)
    history: dict[Keyword, dict[int, int]] = {}
    for i in range(0, len(candidates), HISTORY_CHUNK):
        chunk = candidates[i : i + HISTORY_CHUNK]
        answer = await search(history_query(chunk, first, open_window, window_s))
        history.update(parse_history(answer, chunk, window_s))
    out: list[dict[str, Any]] = []
    for keyword in candidates:
        spike = judge(history.get(keyword, {}), first, open_window, config_of(keyword))
        if spike is None:
            continue
        samples, first_seen = parse_samples(
            await search(samples_query(keyword, spike.window_index, window_s, alerts.MAX_SAMPLES))
        )
        window = {"samples": samples, "first_seen": first_seen if first_seen is not None else now}
        hit = alerts.Hit(keyword.keyword, keyword.kind, keyword.label)
        out.append(alerts.record(hit, spike, window, config_of(keyword)))
    return out
