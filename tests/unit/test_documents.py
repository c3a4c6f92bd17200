"""Index documents fit the index template, and bulk operations are idempotent and keep first_seen_at."""

from __future__ import annotations

from typing import Any

from streams import deadletter, documents
from streams.articles import parse
from streams.prepare import enrich
from streams.records import Article

ORIGIN = deadletter.Origin("articles.raw", 0, 5)


def sample(**over: Any) -> Article:
    raw = {
        "url": "https://gazeta.example/swiat/1?utm_source=rss",
        "title": "Władimir Putin w Moskwie",
        "text": "Władimir Putin spotkał się w Moskwie z ministrami. Rosja zapowiedziała nowe ćwiczenia wojskowe.",
        "published_at": "2026-11-27T10:00:00+01:00",
        "authors": ["Anna Nowak"],
        "section": "świat",
        **over,
    }
    import json

    parsed = parse(json.dumps(raw).encode())
    assert not hasattr(parsed, "code"), parsed
    return enrich(parsed, ORIGIN)  # type: ignore[arg-type]


def mapped_paths(properties: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for name, spec in properties.items():
        out.add(prefix + name)
        if "properties" in spec:
            out |= mapped_paths(spec["properties"], f"{prefix}{name}.")
    return out


def doc_paths(doc: dict[str, Any], prefix: str = "", skip: tuple[str, ...] = ("meta",)) -> set[str]:
    out = set()
    for key, value in doc.items():
        path = prefix + key
        out.add(path)
        if path in skip:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                out |= doc_paths(item, f"{path}.")
    return out


def test_every_built_document_field_is_in_the_strict_mapping() -> None:
    mappings = documents.template()["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    doc = documents.build(sample())
    assert doc_paths(doc) <= mapped_paths(mappings["properties"])


def test_document_carries_language_entities_and_lemmas() -> None:
    doc = documents.build(sample())
    assert doc["language"] == "pl"
    assert doc["canonical_url"] == "https://gazeta.example/swiat/1"
    assert "Władimir Putin" in doc["entities"]["persons"]
    assert "Rosja" in doc["entities"]["locations"]
    assert "rosja" in doc["lemmas"]["text"].split()
    assert doc["meta"] == {"extra.section": "świat"}


def test_a_create_refused_as_existing_becomes_an_update_that_keeps_first_seen_at() -> None:
    action, document = documents.create_ops(sample(), "articles-v1")
    assert action == {"create": {"_index": "articles-v1", "_id": sample().id}}
    update, body = documents.update_after_conflict(action, document)
    assert update["update"]["_id"] == sample().id and update["update"]["_index"] == "articles-v1"
    assert body["upsert"] == document
    assert "first_seen_at" not in body["doc"] and "counted_at" not in body["doc"]
    assert body["doc"]["title"] == document["title"]


def test_template_applies_prefix_to_pattern_and_attaches_no_alias() -> None:
    # An alias from the template would join a rebuild in progress to the live one.
    t = documents.template("t1-")
    assert t["index_patterns"] == ["t1-articles-v*"]
    assert "aliases" not in t["template"]


def test_index_versions_are_read_back_from_names() -> None:
    assert documents.index_name("t1-", 3) == "t1-articles-v3"
    assert documents.index_version("t1-articles-v12", "t1-") == 12
    assert documents.index_version("articles-v2") == 2
    assert documents.index_version("t1-articles-v2") is None  # another prefix
    assert documents.index_version("articles-vx") is None


def test_records_and_bulk_bodies_carry_polish_text_as_utf8_not_escapes() -> None:
    # Escaped, every "ą" costs six bytes on three Kafka hops and in each bulk request.
    from streams.settings import Settings
    from streams.sinks.elasticsearch import client_options

    article = sample()
    record = article.dumps()
    assert "Władimir Putin".encode() in record and b"\\u0142" not in record
    assert Article.loads(record).title == article.title

    lines = client_options(Settings())["serializers"]["application/x-ndjson"]
    body = lines.dumps(documents.create_ops(article, "articles-v1"))
    assert "Władimir Putin".encode() in body and b"\\u0142" not in body
    assert body.count(b"\n") == 2
