"""Keyword hits of a canonical article and the alert records built from a spike."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from streams import alerts, deadletter, spikes
from streams.articles import parse
from streams.lemmas import lemma_text
from streams.prepare import enrich
from streams.watchlist import WatchTerm

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "alert.schema.json").read_text())


def polish_article():
    raw = {
        "url": "https://a.pl/1",
        "title": "Sztorm we Władywostoku",
        "text": "Sztorm uderzył we Władywostoku. Władze Władywostoku zamknęły port. Elektrownia jądrowa działa.",
    }
    return enrich(parse(json.dumps(raw).encode()), deadletter.Origin("t", 0, 0))  # type: ignore[arg-type]


def test_entity_counts_once_per_article_under_its_canonical_name() -> None:
    hits = alerts.hits(polish_article(), [], lemma_text)
    keys = [h.key for h in hits]
    assert keys.count("entity:Władywostok") == 1


def test_watchlist_terms_match_inflected_forms() -> None:
    hits = alerts.hits(polish_article(), [WatchTerm("elektrownia jądrowa", "pl")], lemma_text)
    assert "watchlist:elektrownia jądrowa" in {h.key for h in hits}


def test_alert_record_matches_schema_and_has_a_stable_id() -> None:
    config = spikes.SpikeConfig(window_s=900)
    window = alerts.open_window(100, 90_000.0)
    for i in range(7):
        window = alerts.add_hit(window, f"id{i}", f"title {i}", f"https://a.pl/{i}")
    _, spike = spikes.close_window(None, 100, window["count"], config)
    assert spike is not None
    hit = alerts.Hit("Władywostok", "entity", "LOC")
    record = alerts.record(hit, spike, window, config)
    Draft202012Validator(SCHEMA).validate(record)
    assert len(record["samples"]) == alerts.MAX_SAMPLES
    assert record["id"] == alerts.record(hit, spike, window, config)["id"]
    assert record["window_start"] == "1970-01-02T01:00:00Z"
