"""A decided article -> its bulk writes; a batch's syndication updates coalesced per canonical."""

from __future__ import annotations

import json

from streams import deadletter, dedup, writes
from streams.articles import parse
from streams.prepare import enrich
from streams.records import Article

TEXT = "The regional council of Pomerania approved a new budget for the railway network on Monday."


def decided(url: str, kind: str = "unique", canonical: str | None = None, count: int = 0) -> Article:
    parsed = parse(json.dumps({"url": url, "text": TEXT, "title": "T"}).encode())
    article = enrich(parsed, deadletter.Origin("articles.raw", 0, 1))  # type: ignore[arg-type]
    owner = canonical or article.id
    copies = tuple(dedup.SyndicatedCopy(f"copy-{i}", "src", "exact", 0) for i in range(count))
    article.dedup = dedup.Decision(
        kind,  # type: ignore[arg-type]
        article.id,
        canonical,
        1.0 if canonical else None,
        dedup.Syndication(owner, count, copies),
    ).to_dict()
    return article


def test_a_canonical_is_created_and_a_copy_only_updates_its_canonical() -> None:
    canonical = decided("https://a.example/1")
    (own,) = writes.for_article(canonical, "articles-v1", "mark")
    assert own.ops[0] == {"create": {"_index": "articles-v1", "_id": canonical.id}}
    assert own.ops[1]["first_seen_at"] == canonical.ingested_at

    copy = decided("https://b.example/1", "exact", canonical.id, 1)
    (update,) = writes.for_article(copy, "articles-v1", "mark")
    assert update.article is None and update.doc_id == canonical.id
    assert update.ops[1] == {
        "doc": {"dedup": {"syndication_count": 1, "syndicated_by": ["src"], "syndicated_ids": ["copy-0"]}}
    }


def test_near_copies_get_their_own_document_only_when_marked() -> None:
    canonical = decided("https://a.example/1")
    near = decided("https://b.example/1", "near", canonical.id, 1)
    assert [w.is_article for w in writes.for_article(near, "i", "mark")] == [True, False]
    assert [w.is_article for w in writes.for_article(near, "i", "drop")] == [False]


def test_a_batch_sends_one_syndication_update_per_canonical_the_last() -> None:
    a, b = decided("https://a.example/1"), decided("https://a.example/2")
    batch = [
        *writes.for_article(a, "i", "mark"),
        *writes.for_article(decided("https://c.example/1", "exact", a.id, 1), "i", "mark"),
        *writes.for_article(decided("https://c.example/2", "exact", b.id, 1), "i", "mark"),
        *writes.for_article(decided("https://d.example/1", "exact", a.id, 2), "i", "mark"),
        *writes.for_article(decided("https://e.example/1", "exact", a.id, 3), "i", "mark"),
    ]
    kept = writes.coalesce(batch)
    assert [(w.doc_id, w.is_article) for w in kept] == [(a.id, True), (b.id, False), (a.id, False)]
    assert kept[-1].ops[1]["doc"]["dedup"]["syndication_count"] == 3
