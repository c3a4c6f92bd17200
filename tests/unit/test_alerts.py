"""What an article counts toward (its document's keyword fields) and the alert records built from a spike."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from jsonschema import Draft202012Validator

from streams import alerts, deadletter, documents, spikes
from streams.articles import parse
from streams.prepare import enrich

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "alert.schema.json").read_text())


def polish_article():
    raw = {
        "url": "https://a.pl/1",
        "title": "Sztorm we Władywostoku",
        "text": "Sztorm uderzył we Władywostoku. Władze Władywostoku zamknęły port. Elektrownia jądrowa działa.",
    }
    return enrich(parse(json.dumps(raw).encode()), deadletter.Origin("t", 0, 0))  # type: ignore[arg-type]


def test_entity_counts_once_per_article_under_its_canonical_name() -> None:
    doc = documents.build(polish_article())
    assert doc["entities"]["locations"].count("Władywostok") == 1


def test_document_counts_at_its_publication_time_when_plausible() -> None:
    article = polish_article()
    ingested = datetime.fromisoformat(article.ingested_at.replace("Z", "+00:00"))
    article.published_at = (ingested - timedelta(minutes=10)).isoformat()  # within the lateness bound
    assert documents.build(article)["counted_at"][:19] == article.published_at[:19]
    stale = polish_article()
    stale.published_at = "2001-01-01T00:00:00Z"  # a backfill: counted when ingested
    assert documents.build(stale)["counted_at"][:19] == stale.ingested_at[:19]


def test_alert_record_matches_schema_and_has_a_stable_id() -> None:
    config = spikes.SpikeConfig(window_s=900)
    samples = [{"id": f"id{i}", "title": f"title {i}", "url": f"https://a.pl/{i}"} for i in range(5)]
    window = {"samples": samples, "first_seen": 90_000.0}
    _, spike = spikes.close_window(None, 100, 7, config)
    assert spike is not None
    hit = alerts.Hit("Władywostok", "entity", "LOC")
    record = alerts.record(hit, spike, window, config)
    Draft202012Validator(SCHEMA).validate(record)
    assert len(record["samples"]) == alerts.MAX_SAMPLES
    assert record["id"] == alerts.record(hit, spike, window, config)["id"]
    assert record["window_start"] == "1970-01-02T01:00:00Z"
