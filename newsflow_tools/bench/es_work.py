"""What Elasticsearch did during a phase, from its own counters: writes, refreshes, merges, reads.

The CPU meter says how much Elasticsearch cost; these counters say what it was busy with, so a
gap between the pipeline's phase and the Elasticsearch-only bulk can be traced to its cause
(many small bulks, refreshes, merges of small segments, searches, realtime gets of updates).
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

# (section, counter) pairs of the index stats API, summed over every shard copy.
COUNTERS: tuple[tuple[str, str], ...] = (
    ("indexing", "index_total"),
    ("indexing", "index_time_in_millis"),
    ("get", "total"),
    ("get", "time_in_millis"),
    ("search", "query_total"),
    ("search", "query_time_in_millis"),
    ("search", "fetch_total"),
    ("refresh", "total"),
    ("refresh", "total_time_in_millis"),
    ("merges", "total"),
    ("merges", "total_time_in_millis"),
    ("merges", "total_docs"),
    ("flush", "total"),
    ("bulk", "total_operations"),  # shard-level bulk requests
    ("bulk", "total_time_in_millis"),
)


def _key(section: str, counter: str) -> str:
    return f"{section}.{counter}"


def snapshot(es: Elasticsearch, pattern: str) -> dict[str, float]:
    """The counters of the indices matching `pattern` (this run's only, primaries and replicas)."""
    out: dict[str, float] = {}
    stats = es.indices.stats(index=pattern, metric="indexing,get,search,refresh,merge,flush,bulk")
    totals = stats.get("_all", {}).get("total", {})
    for section, counter in COUNTERS:
        out[_key(section, counter)] = float(totals.get(section, {}).get(counter, 0) or 0)
    return out


def diff(before: dict[str, float], after: dict[str, float], per: int) -> dict[str, Any]:
    """Counter growth over a phase, in total and per article (or per document) of the phase."""
    grown = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    n = max(1, per)
    out: dict[str, Any] = {"totals": grown}
    out["per_item"] = {k: v / n for k, v in grown.items()}
    bulks = grown.get("bulk.total_operations", 0.0)
    out["writes_per_bulk"] = grown.get("indexing.index_total", 0.0) / bulks if bulks else None
    return out
