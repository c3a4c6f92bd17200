"""An index created by an earlier release (fewer fields, dynamic strict) takes today's documents."""

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
                return await sink.write(documents.upsert_ops(article, documents.index_name(prefix)))
            finally:
                await sink.close()

        assert asyncio.run(write()) == []
        es.indices.refresh(index=documents.index_name(prefix))
        source = es.get(index=documents.index_name(prefix), id=article.id)["_source"]
        assert source["counted_at"] and source["watchlist"] == []
    finally:
        es.close()
