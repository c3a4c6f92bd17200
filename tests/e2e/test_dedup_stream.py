"""Near-duplicate detection in the running pipeline: across a crash-restart and across two workers."""

from __future__ import annotations

import json
import threading

from streams.articles import canonical_url, document_id
from tests.conftest import ROOT, wait_for
from tests.helpers import all_docs, send


def _stories() -> list[dict]:
    """The demo's distinct stories: its reposts and syndicated copies left out."""
    demo = ROOT / "deploy" / "demo"
    expected = json.loads((demo / "expected.json").read_text())
    copies = {
        e["line"] for key in ("exact_duplicates", "near_duplicates", "same_document") for e in expected[key]
    }
    bad = {m["line"] for m in expected["malformed"]}
    lines = (demo / "articles.jsonl").read_text(encoding="utf-8").split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if number in copies or number in bad or not line.strip():
            continue
        item = json.loads(line)
        if len(item.get("text", "").split()) > 80:
            out.append(item)
    return out


STORIES = _stories()[:24]
BOILERPLATE = {
    "pl": "Czytaj także: najważniejsze wiadomości dnia w jednym miejscu.",
    "en": "Read also: the day's top stories.",
}


def original(i: int, story: dict) -> dict:
    return {**story, "url": f"https://origin.example/{i}", "source": "Origin"}


def copy(i: int, story: dict, outlet: int = 1) -> dict:
    """A syndicated copy: new headline and outlet, one word changed, a boilerplate line added."""
    words = story["text"].split(" ")
    words[len(words) // 2] = "wczoraj" if story.get("language") == "pl" else "yesterday"
    text = " ".join(words) + "\n\n" + BOILERPLATE.get(story.get("language") or "en", BOILERPLATE["en"])
    return {
        **story,
        "url": f"https://outlet{outlet}.example/{i}",
        "title": f"PILNE: {story.get('title', '')}",
        "text": text,
        "source": f"Outlet {outlet}",
    }


def encode(items: list[dict]) -> list[bytes]:
    return [json.dumps(x, ensure_ascii=False).encode() for x in items]


def doc_id(url: str) -> str:
    return document_id(canonical_url(url))


def test_near_duplicate_is_caught_after_the_worker_was_killed_and_restarted(names, worker_factory):
    story = STORIES[0]
    worker = worker_factory().start()
    send(names.settings, encode([original(0, story)]))
    a = doc_id("https://origin.example/0")
    wait_for(lambda: a in all_docs(names.settings), 60, "article A to be indexed")

    worker.kill()
    worker.start()
    send(names.settings, encode([copy(0, story)]))
    b = doc_id("https://outlet1.example/0")
    wait_for(lambda: b in all_docs(names.settings), 90, "the copy of A to be indexed")
    docs = all_docs(names.settings)
    assert docs[b]["dedup"]["duplicate_of"] == a
    assert docs[b]["dedup"]["duplicate_kind"] == "near"
    wait_for(
        lambda: all_docs(names.settings)[a]["dedup"]["syndication_count"] == 1, 30, "A's syndication count"
    )
    assert all_docs(names.settings)[a]["dedup"]["syndicated_by"] == ["Outlet 1"]


def test_two_workers_four_partitions_catch_copies_fed_concurrently(names, worker_factory):
    env = {"NEWSFLOW_TOPIC_PARTITIONS": "4"}
    names.env.update(env)
    first = worker_factory("w1").start()
    second = worker_factory("w2").start()
    originals = encode([original(i, s) for i, s in enumerate(STORIES)])
    copies = encode([copy(i, s, outlet) for i, s in enumerate(STORIES) for outlet in (1, 2)])
    send(names.settings, originals)
    wait_for(lambda: len(all_docs(names.settings)) >= len(STORIES), 120, "the originals")
    # Both workers own partitions of the keyed stream (the group really is shared).
    for w in (first, second):
        assert "articles.keyed" in w.tail(400)
    feeders = [threading.Thread(target=send, args=(names.settings, copies[k::2])) for k in range(2)]
    for t in feeders:
        t.start()
    for t in feeders:
        t.join()
    total = len(STORIES) * 3
    wait_for(lambda: len(all_docs(names.settings)) >= total, 180, f"{total} documents")
    docs = all_docs(names.settings)
    for i in range(len(STORIES)):
        a = doc_id(f"https://origin.example/{i}")
        assert not docs[a]["dedup"]["is_duplicate"], i
        for outlet in (1, 2):
            assert docs[doc_id(f"https://outlet{outlet}.example/{i}")]["dedup"]["duplicate_of"] == a, (
                i,
                outlet,
            )
    wait_for(
        lambda: all(
            all_docs(names.settings)[doc_id(f"https://origin.example/{i}")]["dedup"]["syndication_count"] == 2
            for i in range(len(STORIES))
        ),
        60,
        "syndication counts of 2",
    )


def test_a_worker_taking_over_a_killed_ones_partitions_finds_its_originals(names, worker_factory):
    # The near-duplicate buckets are not in the changelogged table: the worker that takes the
    # partitions over recovers the table and rebuilds them from its canonical records.
    names.env.update({"NEWSFLOW_TOPIC_PARTITIONS": "4"})
    first = worker_factory("w1").start()
    send(names.settings, encode([original(i, s) for i, s in enumerate(STORIES)]))
    wait_for(lambda: len(all_docs(names.settings)) >= len(STORIES), 120, "the originals")
    second = worker_factory("w2").start()
    first.kill()
    send(names.settings, encode([copy(i, s) for i, s in enumerate(STORIES)]))
    total = len(STORIES) * 2
    wait_for(lambda: len(all_docs(names.settings)) >= total, 180, f"{total} documents")
    docs = all_docs(names.settings)
    for i in range(len(STORIES)):
        found = docs[doc_id(f"https://outlet1.example/{i}")]["dedup"]
        assert found["duplicate_of"] == doc_id(f"https://origin.example/{i}"), (i, found)
        assert found["duplicate_kind"] == "near", (i, found)
    rebuilt = [line for line in second.log.read_text().splitlines() if "band index rebuilt" in line]
    assert rebuilt, second.tail(80)
