"""/metrics of a real worker on the real stack: the counters move by what was fed, per code and
kind, the stage and bulk histograms count what happened, and lag drains to 0."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import wait_for
from tests.helpers import dead_letters, doc_count, free_ports, send
from tests.helpers import distinct_articles as corpus


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_what_was_fed(names, worker_factory):
    (port,) = free_ports(1)
    worker = worker_factory(NEWSFLOW_WEB_PORT=str(port)).start()
    originals = corpus(20, seed=21, host="metrics.example")
    bad = [b"{not json", b"[1, 2", json.dumps({"url": "https://metrics.example/no-text"}).encode()]
    reposts = [  # the same story under another address: exact copies
        json.dumps({**json.loads(raw), "url": f"https://reposts.example/{i}"}).encode()
        for i, raw in enumerate(originals[:3])
    ]
    send(names.settings, [*originals, *reposts, *bad])
    fed = len(originals) + 3 + len(bad)
    wait_for(lambda: value(scrape(port), "newsflow_articles_indexed_total") >= 20, 120, "20 indexed")
    wait_for(lambda: len(dead_letters(names.settings)) == len(bad), 60, "3 dead letters")

    def settled() -> dict:
        samples = scrape(port)
        return samples if value(samples, "newsflow_stage_seconds_count", stage="dedupe") == 23 else {}

    first = wait_for(settled, 60, "23 dedup decisions")
    assert isinstance(first, dict)
    assert value(first, "newsflow_articles_in_total") == fed
    assert value(first, "newsflow_articles_prepared_total") == 23
    assert value(first, "newsflow_dedup_decisions_total", kind="unique") == 20
    assert value(first, "newsflow_dedup_decisions_total", kind="exact") == 3
    assert value(first, "newsflow_stage_seconds_count", stage="prepare") == fed
    letters = Counter((d["error"]["code"], d["stage"]) for d in dead_letters(names.settings))
    assert letters[("invalid_json", "validate")] == 2 and sum(letters.values()) == 3, letters
    for (code, stage), n in letters.items():
        assert value(first, "newsflow_dead_letters_total", code=code, stage=stage) == n, (code, stage)
    wait_for(
        lambda: value(scrape(port), "newsflow_articles_indexed_total") == doc_count(names.settings),
        30,
        "indexed == documents",
    )
    samples = scrape(port)
    assert value(samples, "newsflow_bulk_request_seconds_count") >= 1
    assert value(samples, "newsflow_bulk_request_operations_sum") >= 20

    # Lag per partition of the raw topic, drained to 0 once the worker has committed.
    def raw_lag() -> dict[str, float]:
        return {
            dict(labels)["partition"]: v
            for (name, labels), v in scrape(port).items()
            if name == "newsflow_consumer_lag" and dict(labels)["topic"] == names.raw
        }

    def drained() -> dict[str, float] | None:
        lag = raw_lag()
        return lag if lag and all(v == 0 for v in lag.values()) else None

    lags = wait_for(drained, 60, "lag 0")
    assert set(lags) == {"0", "1"}  # NEWSFLOW_TOPIC_PARTITIONS=2 in tests

    # A second batch moves the counters by exactly its size.
    send(names.settings, corpus(10, seed=22, host="metrics2.example"))
    wait_for(lambda: doc_count(names.settings) == 30, 120, "30 documents")
    wait_for(lambda: value(scrape(port), "newsflow_articles_indexed_total") == 30, 30, "30 indexed")
    after = scrape(port)
    assert value(after, "newsflow_articles_in_total") - value(first, "newsflow_articles_in_total") == 10
    assert value(after, "newsflow_dedup_decisions_total", kind="unique") == 30
    assert worker.proc is not None and worker.proc.poll() is None
