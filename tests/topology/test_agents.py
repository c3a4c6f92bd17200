"""The agents under Faust's test_context: memory store, the memory sink instead of Elasticsearch,
and topic sends captured in memory. No broker, no Elasticsearch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams import deadletter, records
from streams.articles import parse
from streams.prepare import enrich
from streams.records import Article
from streams.settings import Settings
from streams.sinks.memory import MemorySink
from streams.topology import Topology, create


def article(url: str, text: str) -> Article:
    parsed = parse(json.dumps({"url": url, "text": text, "title": "T"}).encode())
    return enrich(parsed, deadletter.Origin("articles.raw", 0, 1))  # type: ignore[arg-type]


@pytest.fixture
def topo(monkeypatch: pytest.MonkeyPatch, tmp_path) -> tuple[Topology, dict[str, list[Any]]]:
    settings = Settings.from_env(
        {"NEWSFLOW_STORE": "memory://", "NEWSFLOW_HOME": str(tmp_path), "NEWSFLOW_WEB_PORT": "0"}
    )
    t = create(settings, sink=MemorySink())
    sent: dict[str, list[Any]] = {"dlq": [], "keyed": []}
    for name in sent:

        async def capture(*, key: Any = None, value: Any = None, _name: str = name, **_: Any) -> None:
            sent[_name].append((key, value))

        monkeypatch.setattr(getattr(t, name), "send", capture)
    return t, sent


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


async def test_dedupe_indexes_the_canonical_once_and_counts_its_reposts_on_it(topo) -> None:
    t, _ = topo
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    first = article("https://a.example/1", TEXT_A)
    reposts = [article(f"https://{host}.example/1", TEXT_A) for host in ("b", "c", "d")]
    async with dedupe_agent.test_context() as agent:
        for a in (first, *reposts):
            await agent.put(records.encode(a), key=b"en")
    # Exact reposts are not documents of their own: they are counted on the canonical, which is
    # the only one spike scans count (dedup.is_duplicate false).
    assert list(t.sink.docs) == [first.id]
    syndication = t.sink.docs[first.id]["dedup"]
    assert syndication["is_duplicate"] is False
    assert syndication["syndication_count"] == 3
    assert syndication["syndicated_ids"] == [r.id for r in reposts]
    assert t.counters["dedup.exact"] == 3 and t.counters["indexed"] == 1


async def test_dedupe_writes_bulk_and_dead_letters_documents_elasticsearch_refuses(topo) -> None:
    t, sent = topo
    good, bad = (
        article("https://a.example/1", TEXT_A),
        article("https://a.example/2", "Other. " + TEXT_A[::-1]),
    )
    t.sink = MemorySink(reject_ids=frozenset({bad.id}))
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    async with dedupe_agent.test_context() as agent:
        await agent.put(records.encode(good), key=b"en")
        await agent.put(records.encode(bad), key=b"en")
    assert list(t.sink.docs) == [good.id]
    assert t.sink.requests == 1  # one bulk request for the batch
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["error"]["code"], lt["stage"], lt["url"]) for lt in letters] == [
        ("index_rejected", "index", bad.url)
    ]
    assert json.loads(letters[0]["payload"])["url"] == bad.url
    assert letters[0]["source"]["topic"] == "articles.raw"  # where a replay finds the original


async def test_a_replayed_article_updates_its_document_and_keeps_first_seen_at(topo) -> None:
    t, _ = topo
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    original = article("https://a.example/1", TEXT_A)
    edited = article("https://a.example/1", TEXT_A + " Updated at noon.")
    edited.ingested_at = "2099-01-01T00:00:00.000Z"
    async with dedupe_agent.test_context() as agent:
        await agent.put(records.encode(original), key=b"en")
        await agent.put(records.encode(original), key=b"en")
        await agent.put(records.encode(edited), key=b"en")
    (doc,) = t.sink.docs.values()
    assert doc["text"].endswith("Updated at noon.")
    assert doc["ingested_at"] == edited.ingested_at
    assert doc["first_seen_at"] == original.ingested_at


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


async def test_dedupe_parks_a_value_it_cannot_read_and_indexes_the_next(topo) -> None:
    t, sent = topo
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    good = article("https://a.example/1", TEXT_A)
    async with dedupe_agent.test_context() as agent:
        await agent.put(b'{"id": "not an article"}', key=b"en")
        await agent.put(b"\xff\xfe", key=b"en")
        await agent.put(records.encode(good), key=b"en")
    assert list(t.sink.docs) == [good.id]
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["error"]["code"], lt["stage"]) for lt in letters] == [("internal_error", "dedupe")] * 2
    assert [lt["payload_encoding"] for lt in letters] == ["utf-8", "base64"]


async def test_a_document_that_fails_its_whole_bulk_request_is_parked_alone(topo) -> None:
    t, sent = topo
    texts = [TEXT_A, "Kraków city hall opened a new tram line. " * 5, "Ships left the port of Gdynia. " * 5]
    docs = [article(f"https://a.example/{i}", text) for i, text in enumerate(texts)]
    t.sink = MemorySink(poison_ids=frozenset({docs[1].id}))
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    async with dedupe_agent.test_context() as agent:
        for a in docs:
            await agent.put(records.encode(a), key=a.language.encode())
    assert sorted(t.sink.docs) == sorted([docs[0].id, docs[2].id])
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["stage"], lt["url"]) for lt in letters] == [("index", docs[1].url)]
