"""Delivery guarantees on the real stack: a crash or an Elasticsearch outage loses and duplicates nothing."""

from __future__ import annotations

import random
import threading
import time

from streams.stack import process
from tests.conftest import wait_for
from tests.helpers import all_docs, article, dead_letters, doc_count, send

WORDS = (
    "river council budget harbour winter energy market railway school museum election court "
    "farmers bridge storm vaccine airport festival orchestra factory export ministry coastline "
    "volcano satellite reservoir tariff lawmakers stadium hospital bakery glacier pipeline mayor"
).split()


def corpus(n: int, seed: int, host: str) -> list[bytes]:
    """n articles with unrelated texts (random word order), so none is a duplicate of another."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(6)]
        out.append(article(f"https://{host}/story/{i}", " ".join(sentences), title=f"Story {i}"))
    return out


def test_sigkill_mid_feed_then_restart_indexes_every_article_exactly_once(names, worker_factory):
    items = corpus(2000, seed=7, host="crash.example")
    worker = worker_factory().start()
    feeder = threading.Thread(target=send, args=(names.settings, items))
    feeder.start()
    wait_for(lambda: doc_count(names.settings) >= 300, 120, "the first 300 documents")
    worker.kill()
    feeder.join()
    assert doc_count(names.settings) < 2000, "the crash came too late to test anything"

    worker.start()
    wait_for(lambda: doc_count(names.settings) >= 2000, 300, "all 2000 documents after restart")
    time.sleep(3)  # anything duplicated would arrive now
    docs = all_docs(names.settings)
    assert len(docs) == 2000
    assert sorted(d["url"] for d in docs.values()) == sorted(
        f"https://crash.example/story/{i}" for i in range(2000)
    )
    assert dead_letters(names.settings) == []


def test_elasticsearch_down_for_30s_loses_nothing_and_resumes(services, names, worker_factory):
    stack = services.stack()
    assert process.read_pid(stack.es_pidfile), "this test stops the Elasticsearch the launcher started"
    worker_factory().start()
    first = corpus(200, seed=1, host="outage.example")
    send(names.settings, first)
    wait_for(lambda: doc_count(names.settings) == 200, 120, "the first 200 documents")

    process.stop(stack.es_pidfile)
    try:
        second = corpus(200, seed=2, host="outage2.example")
        send(names.settings, second)
        time.sleep(30)
    finally:
        stack.up(echo=False, timeout=240)
    wait_for(lambda: doc_count(names.settings) == 400, 180, "all 400 documents after Elasticsearch returned")
    assert dead_letters(names.settings) == []
