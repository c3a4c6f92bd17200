"""`newsflow reindex` on the real stack, with a live worker writing all along: articles fed
before, during and after the rebuild are all in the new index behind the alias, once each; a
copy's syndication record survives the rebuild; `--since` and `--delete-old` do what they say,
and the rebuild leaves no topic or consumer group of its own behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

from streams import documents
from streams.reindex import make_plan
from streams.sinks.elasticsearch import sync_client
from tests.conftest import ROOT, wait_for
from tests.helpers import all_docs, article, distinct_articles, doc_count, send


def reindex(names, *args: str) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "reindex", "--json", "--catch-up", "5", *args],
        env={**os.environ, **names.env},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"reindex exited {proc.returncode}:\n{err[-3000:]}"
    return json.loads(out)


def send_keyed(names, key: bytes, values: list[bytes]) -> None:
    from streams.kafka_io import producer

    kafka = producer(names.settings)
    try:
        for value in values:
            kafka.send(names.raw, key=key, value=value)
        kafka.flush()
    finally:
        kafka.close()


def groups(names) -> list[str]:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=names.settings.kafka_bootstrap)
    try:
        if hasattr(admin, "list_groups"):  # kafka-python 3
            return sorted(g["group_id"] for g in admin.list_groups())
        return sorted(g[0] for g in admin.list_consumer_groups())
    finally:
        admin.close()


def behind_alias(names) -> list[str]:
    es = sync_client(names.settings)
    try:
        return sorted(es.indices.get_alias(name=documents.alias_name(names.settings.index_prefix)))
    finally:
        es.close()


def urls(names) -> list[str]:
    return sorted(doc["url"] for doc in all_docs(names.settings).values())


def topics(names) -> list[str]:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=names.settings.kafka_bootstrap)
    try:
        return sorted(admin.list_topics())
    finally:
        admin.close()


def test_reindex_rebuilds_into_v2_and_swaps_with_nothing_lost(names, worker_factory) -> None:
    prefix = names.settings.index_prefix
    worker_factory().start()
    before = distinct_articles(40, seed=51, host="before.example")
    original = json.loads(before[0])
    copy = article("https://copy.example/1", original["text"], title=original["title"])
    # The copy updates the first article's syndication record. One partition for both, so a
    # replay meets them in the order the live worker did.
    send_keyed(names, b"story-0", [before[0], copy])
    send(names.settings, before[1:])
    wait_for(lambda: doc_count(names.settings) == 40, 120, "40 documents before the rebuild")
    assert behind_alias(names) == [f"{prefix}articles-v1"]

    during = distinct_articles(30, seed=52, host="during.example")
    proc = reindex(names)

    def trickle() -> None:  # live traffic all through the rebuild, swap included
        for i in range(0, len(during), 3):
            send(names.settings, during[i : i + 3])
            time.sleep(1.0)

    feeder = threading.Thread(target=trickle)
    feeder.start()
    result = finish(proc)
    feeder.join()
    after = distinct_articles(20, seed=53, host="after.example")
    send(names.settings, after)

    assert result["target"] == f"{prefix}articles-v2" and result["source"] == f"{prefix}articles-v1"
    assert behind_alias(names) == [f"{prefix}articles-v2"]
    expected = sorted(json.loads(v)["url"] for v in [*before, *during, *after])
    wait_for(lambda: doc_count(names.settings) >= 90, 120, "90 documents behind the alias")
    time.sleep(2)  # anything extra would be a duplicate: give it time to show
    assert urls(names) == expected, "every article fed before, during and after, once"

    docs = all_docs(names.settings)
    first = next(d for d in docs.values() if d["url"] == original["url"])
    assert first["dedup"]["syndication_count"] == 1 and first["dedup"]["syndicated_by"] == ["copy.example"]
    es = sync_client(names.settings)
    try:
        # The old index is kept (no --delete-old) and still holds what was there before.
        es.indices.refresh(index=f"{prefix}articles-v1")
        assert int(es.count(index=f"{prefix}articles-v1")["count"]) >= 40
        meta = es.indices.get_mapping(index=f"{prefix}articles-v2")[f"{prefix}articles-v2"]["mappings"]
        assert "newsflow_reindex" not in meta.get("_meta", {})  # finished: a new run plans v3
        refresh = es.indices.get_settings(index=f"{prefix}articles-v2", name="index.refresh_interval")
        assert refresh[f"{prefix}articles-v2"]["settings"]["index"]["refresh_interval"] == "1s"
    finally:
        es.close()
    # Its own topics went (its dead-letter topic may stay); the live ones are untouched.
    left = [t for t in topics(names) if result["suffix"] in t or t.startswith(result["app_id"])]
    assert left in ([], [result["dead_letter_topic"]]), left
    assert names.raw in topics(names)
    assert result["app_id"] not in groups(names) and names.settings.app_id in groups(names)
    # A finished rebuild is not resumed: the next run plans v3 from v2.
    es = sync_client(names.settings)
    try:
        plan = make_plan(es, names.settings)
    finally:
        es.close()
    assert (plan.source, plan.target, plan.resumed) == (f"{prefix}articles-v2", f"{prefix}articles-v3", False)


def test_an_interrupted_reindex_resumes_with_its_own_group(names, worker_factory) -> None:
    prefix = names.settings.index_prefix
    worker_factory().start()
    fed = distinct_articles(200, seed=71, host="resume.example")
    send(names.settings, fed)
    wait_for(lambda: doc_count(names.settings) == 200, 120, "200 documents")

    first = reindex(names)
    assert first.stderr is not None
    line = first.stderr.readline()
    while "replay worker pid" not in line:
        assert line, "the reindex ended before it started its replay worker"
        line = first.stderr.readline()
    first.send_signal(signal.SIGTERM)  # as an operator's Ctrl-C or a stopped container would
    first.communicate(timeout=120)
    assert first.returncode == 130
    assert behind_alias(names) == [f"{prefix}articles-v1"], "no swap before the replay caught up"

    result = finish(reindex(names))
    assert result["resumed"] is True and result["target"] == f"{prefix}articles-v2"
    assert behind_alias(names) == [f"{prefix}articles-v2"]
    assert urls(names) == sorted(json.loads(v)["url"] for v in fed)


def test_reindex_since_replays_only_the_recent_part_and_delete_old_drops_the_source(
    names, worker_factory
) -> None:
    prefix = names.settings.index_prefix
    worker_factory().start()
    old = distinct_articles(15, seed=61, host="old.example")
    send(names.settings, old)
    wait_for(lambda: doc_count(names.settings) == 15, 120, "15 old documents")
    time.sleep(1.5)
    cut = time.time()
    time.sleep(1.5)
    recent = distinct_articles(10, seed=62, host="recent.example")
    send(names.settings, recent)
    wait_for(lambda: doc_count(names.settings) == 25, 120, "25 documents")

    from datetime import UTC, datetime

    since = datetime.fromtimestamp(cut, UTC).isoformat()
    result = finish(reindex(names, "--since", since, "--delete-old"))

    assert result["skipped"] == 15 and result["deleted_old"] is True
    assert behind_alias(names) == [f"{prefix}articles-v2"]
    assert urls(names) == sorted(json.loads(v)["url"] for v in recent)
    es = sync_client(names.settings)
    try:
        assert not es.indices.exists(index=f"{prefix}articles-v1")
    finally:
        es.close()
    # The live worker writes through the alias: new articles land in the rebuilt index.
    send(names.settings, distinct_articles(3, seed=63, host="later.example"))
    wait_for(lambda: doc_count(names.settings) == 13, 60, "3 more documents in v2")


def test_reindex_without_an_index_says_what_to_do(names) -> None:
    from tests.helpers import newsflow

    done = newsflow(names.env, "reindex")
    assert done.returncode == 1
    assert "no index behind the alias" in done.stderr and "newsflow worker" in done.stderr
