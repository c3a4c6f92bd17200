"""Helpers for tests on the real stack: feed, count, fetch, read dead letters."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from streams import documents
from streams.kafka_io import producer, read_topic
from streams.settings import Settings
from streams.sinks.elasticsearch import sync_client


def send(settings: Settings, values: list[bytes], topic: str | None = None) -> None:
    kafka = producer(settings)
    try:
        for value in values:
            kafka.send(topic or settings.topic("articles.raw"), value=value)
        kafka.flush()
    finally:
        kafka.close()


def article(url: str, text: str, **fields: Any) -> bytes:
    return json.dumps({"url": url, "text": text, **fields}, ensure_ascii=False).encode("utf-8")


def all_docs(settings: Settings) -> dict[str, dict[str, Any]]:
    es = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        if not es.indices.exists(index=alias):
            return {}
        es.indices.refresh(index=alias)
        hits = es.search(index=alias, query={"match_all": {}}, size=10000)["hits"]["hits"]
        return {h["_id"]: h["_source"] for h in hits}
    finally:
        es.close()


def doc_count(settings: Settings) -> int:
    es = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        if not es.indices.exists(index=alias):
            return 0
        es.indices.refresh(index=alias)
        return int(es.count(index=alias)["count"])
    finally:
        es.close()


def dead_letters(settings: Settings) -> list[dict[str, Any]]:
    return [json.loads(r.value or b"{}") for r in read_topic(settings, settings.topic("articles.dlq"), 3.0)]


def newsflow(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the `newsflow` command as a user would, with a test's names in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env={**os.environ, **env},
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_ports(n: int) -> list[int]:
    """n loopback ports nothing listens on, for a private stack beside the session's."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


WORDS = (
    "river council budget harbour winter energy market railway school museum election court "
    "farmers bridge storm vaccine airport festival orchestra factory export ministry coastline "
    "volcano satellite reservoir tariff lawmakers stadium hospital bakery glacier pipeline mayor"
).split()


def distinct_articles(n: int, seed: int, host: str) -> list[bytes]:
    """n articles with unrelated texts (random word order), so none is a duplicate of another."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(6)]
        out.append(article(f"https://{host}/story/{i}", " ".join(sentences), title=f"Story {i}"))
    return out
