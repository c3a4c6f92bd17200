"""The agents under Faust's test_context: memory store, the memory sink instead of Elasticsearch,
and topic sends captured in memory. No broker, no Elasticsearch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams import deadletter, dedup, documents
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
    sent: dict[str, list[Any]] = {"dlq": [], "keyed": [], "enriched": []}
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


async def test_dedupe_marks_an_exact_repost_so_only_the_canonical_counts_for_keywords(topo) -> None:
    t, sent = topo
    dedupe_agent = t.agents[1]  # type: ignore[attr-defined]
    first, repost = article("https://a.example/1", TEXT_A), article("https://b.example/1", TEXT_A)
    async with dedupe_agent.test_context() as agent:
        await agent.put(first, key=b"en")
        await agent.put(repost, key=b"en")
    decided = [v for _, v in sent["enriched"]]
    assert [d.dedup["kind"] for d in decided] == ["unique", "exact"]
    assert decided[1].dedup["duplicate_of"] == first.id
    assert all(key == first.id.encode() for key, _ in sent["enriched"])
    # Spike scans count documents with dedup.is_duplicate false: the repost never counts.
    assert [documents.build(d)["dedup"]["is_duplicate"] for d in decided] == [False, True]


async def test_index_writes_bulk_and_dead_letters_documents_elasticsearch_refuses(topo) -> None:
    t, sent = topo
    good, bad = article("https://a.example/1", TEXT_A), article("https://a.example/2", TEXT_A + " More.")
    for a in (good, bad):
        a.dedup = dedup.Decision("unique", a.id, None, None, dedup.Syndication(a.id, 0, ())).to_dict()
    t.sink = MemorySink(reject_ids=frozenset({bad.id}))
    index_agent = t.agents[2]  # type: ignore[attr-defined]
    async with index_agent.test_context() as agent:
        await agent.put(good, key=good.id.encode())
        await agent.put(bad, key=bad.id.encode())
    assert list(t.sink.docs) == [good.id]
    letters = [json.loads(v) for _, v in sent["dlq"]]
    assert [(lt["error"]["code"], lt["stage"], lt["url"]) for lt in letters] == [
        ("index_rejected", "index", bad.url)
    ]
    assert json.loads(letters[0]["payload"])["url"] == bad.url
