"""Spike scans over index counts: the rule replayed over history, and the scan's answers turned
into alerts (Elasticsearch answers are built here in the shape it returns them)."""

from __future__ import annotations

import json
from typing import Any

from streams import spike_scan, spikes
from streams.spike_scan import Keyword

W = 60.0
CONFIG = spikes.SpikeConfig(window_s=W, min_count=5, min_history=4)
PLACE = Keyword("entities.locations", "Władywostok")


def test_a_burst_after_quiet_history_alerts_in_the_open_window() -> None:
    spike = spike_scan.judge({100: 1, 104: 2, 110: 9}, first=100, open_window=110, config=CONFIG)
    assert spike is not None and spike.window_index == 110 and spike.count == 9


def test_a_burst_in_the_window_just_closed_still_alerts() -> None:
    spike = spike_scan.judge({109: 9}, first=100, open_window=110, config=CONFIG)
    assert spike is not None and spike.window_index == 109


def test_a_keyword_that_is_always_this_busy_does_not_alert() -> None:
    counts = {w: 9 for w in range(100, 111)}
    assert spike_scan.judge(counts, first=100, open_window=110, config=CONFIG) is None


def test_no_alert_before_the_index_has_min_history_windows() -> None:
    # A new deployment: the index starts at window 108, so the busy name is not news yet.
    assert spike_scan.judge({108: 9, 109: 9, 110: 9}, first=108, open_window=110, config=CONFIG) is None


def test_an_older_burst_keeps_the_keyword_cooling_down() -> None:
    counts = {105: 9, 110: 12}
    assert spike_scan.judge(counts, first=90, open_window=110, config=CONFIG) is None
    cooled = spikes.SpikeConfig(window_s=W, min_count=5, min_history=4, cooldown_windows=2)
    assert spike_scan.judge(counts, first=90, open_window=110, config=cooled) is not None


def _histogram(counts: dict[int, int]) -> dict[str, Any]:
    return {"buckets": [{"key": int(w * W * 1000), "doc_count": c} for w, c in sorted(counts.items())]}


class FakeIndex:
    """Answers the scan's three queries from per-keyword window counts, as Elasticsearch would."""

    def __init__(self, counts: dict[Keyword, dict[int, int]], first_window: int) -> None:
        self.counts = counts
        self.first_window = first_window
        self.bodies: list[dict[str, Any]] = []

    async def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        aggs = body.get("aggs", {})
        if "recent" in aggs:
            least = aggs["recent"]["aggs"]["entities_locations"]["terms"]["min_doc_count"]
            recent: dict[str, Any] = {f.replace(".", "_"): {"buckets": []} for f in spike_scan.KEYWORD_FIELDS}
            for k, counts in self.counts.items():
                last_two = {w: c for w, c in counts.items() if w >= max(counts) - 1}
                if sum(last_two.values()) >= least:
                    recent[k.field.replace(".", "_")]["buckets"].append(
                        {
                            "key": k.keyword,
                            "doc_count": sum(last_two.values()),
                            "windows": _histogram(last_two),
                        }
                    )
            return {"aggregations": {"first": {"value": self.first_window * W * 1000}, "recent": recent}}
        if "keywords" in aggs:
            filters = aggs["keywords"]["filters"]["filters"]
            buckets = {}
            for name, term in filters.items():
                ((field, keyword),) = term["term"].items()
                buckets[name] = {"windows": _histogram(self.counts.get(Keyword(field, keyword), {}))}
            return {"aggregations": {"keywords": {"buckets": buckets}}}
        hits = [
            {"_source": {"id": f"a{i}", "title": f"Sztorm {i}", "url": f"https://x/{i}"}} for i in range(7)
        ]
        return {"hits": {"hits": hits[: body["size"]]}, "aggregations": {"first": {"value": 110 * W * 1000}}}


async def test_scan_turns_index_counts_into_one_alert_per_spiking_keyword() -> None:
    quiet = Keyword("entities.persons", "Jan Kowalski")
    index = FakeIndex({PLACE: {100: 1, 110: 9}, quiet: {w: 6 for w in range(100, 111)}}, first_window=100)
    found = await spike_scan.scan(index, now=110 * W + 5, config=CONFIG)
    assert [(a["keyword"], a["kind"], a["label"], a["count"]) for a in found] == [
        ("Władywostok", "entity", "LOC", 9)
    ]
    assert len(found[0]["samples"]) == 5 and found[0]["samples"][0]["title"] == "Sztorm 0"
    assert found[0]["id"] == spikes.alert_id("Władywostok", "entity", 110, W)
    # Copies never count: every query filters on canonical documents.
    canonical = json.dumps(spike_scan.CANONICAL_ONLY)
    assert len(index.bodies) == 3 and all(canonical in json.dumps(b) for b in index.bodies)


async def test_watchlist_terms_use_their_own_thresholds() -> None:
    term = Keyword("watchlist", "elektrownia jądrowa")
    index = FakeIndex({term: {110: 4}}, first_window=100)
    assert await spike_scan.scan(index, now=110 * W, config=CONFIG) == []
    lenient = {"elektrownia jądrowa": spikes.SpikeConfig(window_s=W, min_count=4, min_history=4)}
    found = await spike_scan.scan(index, now=110 * W, config=CONFIG, term_config=lenient)
    assert [(a["keyword"], a["kind"], a["label"]) for a in found] == [
        ("elektrownia jądrowa", "watchlist", None)
    ]


async def test_an_empty_index_raises_nothing() -> None:
    async def empty(body: dict[str, Any]) -> dict[str, Any]:
        return {}

    assert await spike_scan.scan(empty, now=1000.0, config=CONFIG) == []


async def test_many_candidates_are_asked_for_in_chunks_under_the_bucket_limit() -> None:
    busy = {Keyword("entities.persons", f"Person {i}"): {110: 9} for i in range(250)}
    index = FakeIndex(busy, first_window=100)
    found = await spike_scan.scan(index, now=110 * W, config=CONFIG)
    assert len(found) == 250
    history = [b for b in index.bodies if "keywords" in b.get("aggs", {})]
    assert [len(b["aggs"]["keywords"]["filters"]["filters"]) for b in history] == [100, 100, 50]
    assert spike_scan.HISTORY_CHUNK * (spike_scan.LOOKBACK_WINDOWS + 1) <= 65_536  # search.max_buckets
