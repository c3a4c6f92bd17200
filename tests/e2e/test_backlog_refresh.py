"""A worker draining a backlog slows the index's refresh down, and puts it back when caught up,
on the real stack; the refresh a killed worker left slow is restored by the next one."""

from __future__ import annotations

import time

from streams import documents
from streams.kafka_io import producer
from streams.settings import Settings
from streams.sinks.elasticsearch import sync_client
from tests.conftest import wait_for
from tests.helpers import article, doc_count

TEXT = (
    "The city council voted on Tuesday to extend the tram line to the new hospital, a project "
    "delayed for years by disputes over land. Works start in autumn and should end in 2028. "
)


def send_at(settings: Settings, values: list[bytes], written_at: float) -> None:
    """Raw messages as a crawler wrote them at `written_at` (their Kafka timestamp)."""
    kafka = producer(settings)
    try:
        for value in values:
            kafka.send(settings.topic("articles.raw"), value=value, timestamp_ms=int(written_at * 1000))
        kafka.flush()
    finally:
        kafka.close()


def refresh_interval(settings: Settings) -> str | None:
    es = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        if not es.indices.exists(index=alias):
            return None
        ((_, body),) = es.indices.get_settings(index=alias).body.items()
        return body["settings"]["index"].get("refresh_interval")
    finally:
        es.close()


def batch(tag: str, n: int) -> list[bytes]:
    return [article(f"https://tram.example/{tag}/{i}", f"{TEXT} Report {tag} number {i}.") for i in range(n)]


def test_late_articles_slow_the_refresh_and_catching_up_restores_it(names, worker_factory) -> None:
    s = names.settings
    worker = worker_factory().start()
    send_at(s, batch("late", 6), time.time() - 300)  # five minutes behind the crawler
    wait_for(lambda: doc_count(s) == 6, 60, "6 late documents")
    # Set and restored within a second once the backlog is drained (0.5 s without a batch):
    # the worker's log holds both steps, Elasticsearch the end state.
    wait_for(lambda: "index refresh interval 1s: caught up" in worker.log.read_text(), 30, "caught up")
    log = worker.log.read_text()
    assert log.index("index refresh interval 30s: draining a backlog") < log.index("interval 1s: caught up")
    assert refresh_interval(s) == "1s"

    send_at(s, batch("fresh", 2), time.time())
    wait_for(lambda: doc_count(s) == 8, 60, "8 documents")
    assert worker.log.read_text().count("index refresh interval 30s") == 1  # on time: left alone

    # A worker killed in a backlog leaves the interval slow: the next one to start writing puts
    # the template's back, although it is never behind itself.
    worker.kill()
    es = sync_client(s)
    try:
        es.indices.put_settings(
            index=documents.alias_name(s.index_prefix), settings={"refresh_interval": "30s"}
        )
    finally:
        es.close()
    worker_factory("w2").start()
    send_at(s, batch("after", 1), time.time())
    wait_for(lambda: refresh_interval(s) == "1s", 60, "the next worker to restore the interval")
    assert doc_count(s) == 9
