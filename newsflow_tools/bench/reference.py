"""Elasticsearch alone: bulk-index the pipeline's own final documents, no Kafka and no NLP."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, helpers

from streams import documents

CHUNK = 500


@dataclass
class EsOnly:
    docs: int = 0
    megabytes: float = 0.0
    bulk_seconds: float = 0.0
    seconds: float = 0.0  # first bulk sent -> last document searchable
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def final_documents(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    """The documents the pipeline wrote, read back from its index (syndication counts included),
    in id order: the same bytes Elasticsearch-only indexes, without running any NLP again."""
    es.indices.refresh(index=alias)
    hits = helpers.scan(es, index=alias, query={"query": {"match_all": {}}}, size=1000, preserve_order=False)
    return sorted((hit["_source"] for hit in hits), key=lambda doc: doc["id"])


def run_es_only(es: Elasticsearch, prefix: str, docs: list[dict[str, Any]], *, chunk: int = CHUNK) -> EsOnly:
    """Index `docs` with the pipeline's template in bulk requests of `chunk`, one request at a time."""
    alias, index = documents.alias_name(prefix), documents.index_name(prefix)
    es.indices.put_index_template(name=alias, **documents.template(prefix))
    es.indices.create(index=index, aliases={alias: {"is_write_index": True}})  # as a worker makes it
    out = EsOnly(docs=len(docs))
    out.megabytes = sum(len(json.dumps(d, ensure_ascii=False).encode()) for d in docs) / 2**20
    start = time.time()
    for i in range(0, len(docs), chunk):
        body: list[dict[str, Any]] = []
        for doc in docs[i : i + chunk]:
            body.append({"index": {"_index": index, "_id": doc["id"]}})
            body.append(doc)
        response = es.bulk(operations=body)
        if response.get("errors"):
            out.errors += sum(1 for item in response["items"] if item["index"].get("status", 200) >= 300)
    out.bulk_seconds = time.time() - start
    deadline = time.time() + 120
    while time.time() < deadline:
        if int(es.count(index=alias)["count"]) >= len(docs) - out.errors:
            break
        time.sleep(0.05)
    out.seconds = time.time() - start
    return out
