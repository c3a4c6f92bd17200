"""The document writes on a real Elasticsearch: an index created by an earlier release (fewer
fields, dynamic strict) takes today's documents; a replayed or edited article is rewritten in place."""

from __future__ import annotations

import asyncio
import copy
import json

from streams import deadletter, documents
from streams.articles import parse
from streams.prepare import enrich
from streams.sinks.elasticsearch import ElasticsearchSink, async_client, sync_client

NEW_FIELDS = ("counted_at", "watchlist")  # added after articles-v1 was first released


def test_documents_with_new_fields_reach_an_index_made_without_them(names) -> None:
    prefix = names.settings.index_prefix
    old = copy.deepcopy(documents.template(prefix))
    for field in NEW_FIELDS:
        old["template"]["mappings"]["properties"].pop(field)
    es = sync_client(names.settings)
    try:
        es.indices.put_index_template(name=documents.alias_name(prefix), **old)
        es.indices.create(index=documents.index_name(prefix))
        raw = {
            "url": "https://upgrade.example/1",
            "title": "Port",
            "text": "The port of Gdańsk reopened today.",
        }
        article = enrich(parse(json.dumps(raw).encode()), deadletter.Origin("t", 0, 0))  # type: ignore[arg-type]

        async def write() -> list:
            sink = ElasticsearchSink(async_client(names.settings), prefix)
            try:
                return await sink.write(documents.create_ops(article, documents.index_name(prefix)))
            finally:
                await sink.close()

        assert asyncio.run(write()) == []
        es.indices.refresh(index=documents.index_name(prefix))
        source = es.get(index=documents.index_name(prefix), id=article.id)["_source"]
        assert source["counted_at"] and source["watchlist"] == []
    finally:
        es.close()


def test_a_replayed_or_edited_article_replaces_its_document_and_keeps_first_seen_at(names) -> None:
    # Documents are written with `create` (no read); an id Elasticsearch already holds comes
    # back 409 and the sink sends the update instead, in the same call.
    prefix = names.settings.index_prefix
    index = documents.index_name(prefix)

    def make(url: str, text: str, ingested_at: str):
        raw = {"url": url, "title": "Port", "text": text}
        article = enrich(parse(json.dumps(raw).encode()), deadletter.Origin("t", 0, 0))  # type: ignore[arg-type]
        article.ingested_at = ingested_at
        return article

    first = make("https://replay.example/1", "The port of Gdańsk reopened today.", "2026-01-01T00:00:00.000Z")
    other = make("https://replay.example/2", "Trams return to Kraków.", "2026-01-01T00:00:01.000Z")
    edited = make(
        "https://replay.example/1", "The port of Gdańsk reopened at noon.", "2026-01-02T00:00:00.000Z"
    )

    async def write() -> tuple[list, list]:
        sink = ElasticsearchSink(async_client(names.settings), prefix)
        try:
            before = await sink.write(documents.create_ops(first, index))
            # A replay of the canonical, then a copy's syndication update of it, in one request:
            # the 409 sends the replay again, and the update must still land after it.
            syndication = {"count": 1, "copies": [{"doc_id": "copy-1", "source": "Outlet 1"}]}
            again = await sink.write(
                documents.create_ops(first, index)
                + documents.create_ops(edited, index)
                + documents.create_ops(other, index)
                + documents.syndication_ops(first.id, syndication, index)
            )
            return before, again
        finally:
            await sink.close()

    assert asyncio.run(write()) == ([], [])
    es = sync_client(names.settings)
    try:
        es.indices.refresh(index=index)
        assert es.count(index=index)["count"] == 2
        source = es.get(index=index, id=first.id)["_source"]
        assert source["text"] == edited.text and source["ingested_at"] == edited.ingested_at
        assert source["first_seen_at"] == first.ingested_at
        assert source["dedup"]["syndication_count"] == 1
        assert source["dedup"]["syndicated_by"] == ["Outlet 1"]
        assert es.get(index=index, id=other.id)["_source"]["first_seen_at"] == other.ingested_at
    finally:
        es.close()
