"""The agents under Faust's test_context: memory store, the memory sink instead of Elasticsearch,
and topic sends captured in memory. No broker, no Elasticsearch."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from streams import deadletter, dedup, records
from streams.articles import parse
from streams.prepare import enrich
from streams.records import Article
from streams.settings import Settings
from streams.sinks.memory import MemorySink
from streams.topology import Topology, create


def article(url: str, text: str) -> Article:
    parsed = parse(json.dumps({"url": url, "text": text, "title": "T"}).encode())
    return enrich(parsed, deadletter.Origin("articles.raw", 0, 1))  # type: ignore[arg-type]


def make_topology(
    monkeypatch: pytest.MonkeyPatch, tmp_path, **env: str
) -> tuple[Topology, dict[str, list[Any]]]:
    settings = Settings.from_env(
        {"NEWSFLOW_STORE": "memory://", "NEWSFLOW_HOME": str(tmp_path), "NEWSFLOW_WEB_PORT": "0", **env}
    )
    t = create(settings, sink=MemorySink())
    sent: dict[str, list[Any]] = {"dlq": [], "keyed": [], "keyed_timestamps": []}
    for name in ("dlq", "keyed"):

        async def capture(
            *, key: Any = None, value: Any = None, timestamp: float | None = None, _name: str = name, **_: Any
        ) -> None:
            sent[_name].append((key, value))
            sent[f"{_name}_timestamps"] = [*sent.get(f"{_name}_timestamps", []), timestamp]

        monkeypatch.setattr(getattr(t, name), "send", capture)
    return t, sent


async def until(condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the agent did not get there in 10 s")


@pytest.fixture
def topo(monkeypatch: pytest.MonkeyPatch, tmp_path) -> tuple[Topology, dict[str, list[Any]]]:
    return make_topology(monkeypatch, tmp_path, NEWSFLOW_PREPARE_PROCESSES="0")  # in the worker


TEXT_A = (
    "The regional council of Pomerania approved a new budget for the railway network on Monday, "
    "after a long debate about the costs of electrification and the future of local stations. "
    "Officials said the first works would begin in spring and last for about two years."
)


async def test_prepare_sends_valid_articles_keyed_by_language_and_dead_letters_the_rest(topo) -> None:
    t, sent = topo
    prepare_agent = t.agents[0]  # type: ignore[attr-defined]
    async with prepare_agent.test_context() as agent:
        await agent.put(json.dumps({"url": "https://a.example/1", "text": TEXT_A}).encode())
        await agent.put(b"{not json")
    assert [key for key, _ in sent["keyed"]] == [b"en"]
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [lt["error"]["code"] for lt in letters] == ["invalid_json"]
    assert letters[0]["payload"] == "{not json"


async def test_a_keyed_message_keeps_the_time_its_raw_message_was_written(topo) -> None:
    t, sent = topo
    crawled = time.time() - 3600
    async with t.agents[0].test_context() as agent:  # type: ignore[attr-defined]
        await agent.put(
            json.dumps({"url": "https://a.example/1", "text": TEXT_A}).encode(), timestamp=crawled
        )
    assert sent["keyed_timestamps"] == [pytest.approx(crawled)]


async def test_the_index_refreshes_seldom_while_late_articles_drain_and_every_second_after(topo) -> None:
    t, _ = topo
    dedupe_index = t.agents[1]  # type: ignore[attr-defined]
    now = time.time()
    late = [
        article(f"https://a.example/{i}", f"{TEXT_A} Story number {i} of the backfill.") for i in range(3)
    ]
    fresh = article("https://a.example/fresh", TEXT_A.replace("railway", "tram"))
    async with dedupe_index.test_context() as agent:
        for a in late:  # written to Kafka a minute ago: a backlog
            await agent.put(records.encode(a), key=b"en", timestamp=now - 60)
        await until(lambda: len(t.sink.docs) == 3)  # a batch closes after NEWSFLOW_BULK_SECONDS
        slowed = list(t.sink.refresh_intervals)
        await agent.put(records.encode(fresh), key=b"en", timestamp=time.time())
        await until(lambda: len(t.sink.docs) == 4)
    assert slowed == ["30s"]
    assert t.sink.refresh_intervals == ["30s", "1s +refresh"]
    assert len(t.sink.docs) == 4


async def test_articles_on_time_leave_the_refresh_interval_alone(topo) -> None:
    t, _ = topo
    async with t.agents[1].test_context() as agent:  # type: ignore[attr-defined]
        for i in range(3):
            a = article(f"https://a.example/{i}", f"{TEXT_A} Story number {i} of the day.")
            await agent.put(records.encode(a), key=b"en", timestamp=time.time())
    assert t.sink.refresh_intervals == []
    assert len(t.sink.docs) == 3


async def test_prepare_processes_send_the_same_records_in_arrival_order(monkeypatch, tmp_path) -> None:
    t, sent = make_topology(monkeypatch, tmp_path, NEWSFLOW_PREPARE_PROCESSES="2")
    assert t.prepare_pool is not None
    values = [
        json.dumps({"url": f"https://a.example/{i}", "text": f"{TEXT_A} Story {i}."}).encode()
        for i in range(7)
    ]
    try:
        async with t.agents[0].test_context() as agent:  # type: ignore[attr-defined]
            for value in [*values[:3], b"{not json", *values[3:]]:
                await agent.put(value)
            for _ in range(200):  # a batch closes after PREPARE_SECONDS
                if len(sent["keyed"]) == len(values):
                    break
                await asyncio.sleep(0.05)
        children = t.prepare_pool.pids()
    finally:
        t.prepare_pool.close()
    assert len(children) == 2
    assert [records.decode(v).url for _, v in sent["keyed"]] == [f"https://a.example/{i}" for i in range(7)]
    assert {k for k, _ in sent["keyed"]} == {b"en"}
    assert [json.loads(v)["error"]["code"] for _, v in sent["dlq"]] == ["invalid_json"]


async def test_an_exact_repost_is_counted_on_its_canonical_and_gets_no_document(topo) -> None:
    t, sent = topo
    dedupe_index = t.agents[1]  # type: ignore[attr-defined]
    first, repost = article("https://a.example/1", TEXT_A), article("https://b.example/1", TEXT_A)
    async with dedupe_index.test_context() as agent:
        await agent.put(records.encode(first), key=b"en")
        await agent.put(records.encode(repost), key=b"en")
    # Spike scans count documents with dedup.is_duplicate false: the repost has no document.
    assert list(t.sink.docs) == [first.id]
    doc = t.sink.docs[first.id]
    assert doc["dedup"]["is_duplicate"] is False
    assert (doc["dedup"]["syndication_count"], doc["dedup"]["syndicated_ids"]) == (1, [repost.id])
    assert t.counters["dedup.unique"] == 1 and t.counters["dedup.exact"] == 1
    assert sent["dlq"] == []


async def test_a_near_copy_is_indexed_pointing_at_its_original(topo) -> None:
    t, _ = topo
    dedupe_index = t.agents[1]  # type: ignore[attr-defined]
    first = article("https://a.example/1", TEXT_A)
    near = article("https://b.example/1", TEXT_A.replace("Monday", "Tuesday"))
    async with dedupe_index.test_context() as agent:
        await agent.put(records.encode(first), key=b"en")
        await agent.put(records.encode(near), key=b"en")
    assert t.sink.docs[near.id]["dedup"]["duplicate_of"] == first.id
    assert t.sink.docs[near.id]["dedup"]["duplicate_kind"] == "near"
    assert t.sink.docs[first.id]["dedup"]["syndicated_ids"] == [near.id]


async def test_index_writes_bulk_and_dead_letters_documents_elasticsearch_refuses(topo) -> None:
    t, sent = topo
    good, bad = article("https://a.example/1", TEXT_A), article("https://a.example/2", TEXT_A + " More.")
    for a in (good, bad):
        a.dedup = dedup.Decision("unique", a.id, None, None, dedup.Syndication(a.id, 0, ())).to_dict()
    t.sink = MemorySink(reject_ids=frozenset({bad.id}))
    index_agent = t.agents[1]  # type: ignore[attr-defined]
    async with index_agent.test_context() as agent:
        await agent.put(records.encode(good), key=b"en")
        await agent.put(records.encode(bad), key=b"en")
    assert list(t.sink.docs) == [good.id]
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["error"]["code"], lt["stage"], lt["url"]) for lt in letters] == [
        ("index_rejected", "index", bad.url)
    ]
    assert json.loads(letters[0]["payload"])["url"] == bad.url


async def test_prepare_repairs_lone_surrogates_and_parks_what_still_cannot_be_encoded(
    topo, monkeypatch
) -> None:
    t, sent = topo
    prepare_agent = t.agents[0]  # type: ignore[attr-defined]
    unsendable = "https://a.example/unsendable"
    real_encode = records.encode

    def encode(article: Article) -> bytes:
        if article.url == unsendable:
            raise TypeError("str is not valid UTF-8: surrogates not allowed")
        return real_encode(article)

    monkeypatch.setattr(records, "encode", encode)
    async with prepare_agent.test_context() as agent:
        await agent.put(
            json.dumps({"url": "https://a.example/s", "text": TEXT_A, "title": "\udfff"}).encode()
        )
        await agent.put(json.dumps({"url": unsendable, "text": TEXT_A}).encode())
        await agent.put(json.dumps({"url": "https://a.example/after", "text": TEXT_A}).encode())
    urls = [records.decode(v).url for _, v in sent["keyed"]]
    assert urls == ["https://a.example/s", "https://a.example/after"]
    assert records.decode(sent["keyed"][0][1]).title == "\ufffd"
    (letter,) = [json.loads(v) for _, v in sent["dlq"]]
    assert (letter["error"]["code"], letter["stage"]) == ("internal_error", "encode")
    assert json.loads(letter["payload"])["url"] == unsendable  # the original bytes, replayable


async def test_dedupe_parks_a_value_it_cannot_read_and_decides_the_next(topo) -> None:
    t, sent = topo
    dedupe_index = t.agents[1]  # type: ignore[attr-defined]
    good = article("https://a.example/1", TEXT_A)
    async with dedupe_index.test_context() as agent:
        await agent.put(b'{"id": "not an article"}', key=b"en")
        await agent.put(b"\xff\xfe", key=b"en")
        await agent.put(records.encode(good), key=b"en")
    assert [d["url"] for d in t.sink.docs.values()] == [good.url]
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["error"]["code"], lt["stage"]) for lt in letters] == [("internal_error", "dedupe")] * 2
    assert [lt["payload_encoding"] for lt in letters] == ["utf-8", "base64"]


async def test_index_parks_unreadable_values_and_a_document_that_fails_its_whole_bulk_request(topo) -> None:
    t, sent = topo
    docs = [article(f"https://a.example/{i}", f"{TEXT_A} Story {i}.") for i in range(3)]
    for a in docs:
        a.dedup = dedup.Decision("unique", a.id, None, None, dedup.Syndication(a.id, 0, ())).to_dict()
    t.sink = MemorySink(poison_ids=frozenset({docs[1].id}))
    index_agent = t.agents[1]  # type: ignore[attr-defined]
    async with index_agent.test_context() as agent:
        await agent.put(b"[1, 2", key=b"en")
        for a in docs:
            await agent.put(records.encode(a), key=b"en")
    assert sorted(t.sink.docs) == sorted([docs[0].id, docs[2].id])
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["stage"], lt["url"]) for lt in letters] == [("dedupe", None), ("index", docs[1].url)]


async def test_index_writes_a_story_and_its_copies_as_one_document_in_one_request(topo) -> None:
    t, _ = topo
    first = article("https://a.example/1", TEXT_A)
    copies = [article(f"https://{host}.example/1", TEXT_A) for host in ("b", "c", "d")]
    replay = Article.loads(first.dumps())  # re-sent: dedup answers with the record it holds
    replay.ingested_at = "2099-01-01T00:00:00.000Z"
    dedupe_index = t.agents[1]  # type: ignore[attr-defined]
    async with dedupe_index.test_context() as agent:
        for a in (first, *copies, replay):
            await agent.put(records.encode(a), key=b"en")
    assert list(t.sink.docs) == [first.id]
    doc = t.sink.docs[first.id]
    assert doc["first_seen_at"] == first.ingested_at and doc["ingested_at"] == replay.ingested_at
    assert doc["dedup"]["syndication_count"] == 3
    assert doc["dedup"]["syndicated_ids"] == [c.id for c in copies]
    assert t.sink.requests == 1
