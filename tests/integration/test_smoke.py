"""Round trip on the real services: kafka-python produces, a Faust agent consumes, Elasticsearch finds it."""

from __future__ import annotations

from streams import documents
from streams.articles import canonical_url, document_id
from streams.sinks.elasticsearch import sync_client
from tests.conftest import wait_for
from tests.helpers import article, doc_count, send


def test_article_produced_with_kafka_python_is_found_by_search(names, worker_factory):
    worker_factory().start()
    url = "https://smoke.example/news/1"
    send(names.settings, [article(url, "The harbour of Gdańsk reopened after the storm, officials said.")])

    wait_for(lambda: doc_count(names.settings) == 1, 60, "the article to be indexed")
    es = sync_client(names.settings)
    try:
        hits = es.search(
            index=documents.alias_name(names.settings.index_prefix),
            query={"match": {"text": "harbour reopened"}},
        )["hits"]["hits"]
    finally:
        es.close()
    assert [h["_id"] for h in hits] == [document_id(canonical_url(url))]
    assert hits[0]["_source"]["url"] == url
    assert hits[0]["_source"]["language"] == "en"
