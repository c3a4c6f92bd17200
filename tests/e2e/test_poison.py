"""Poison input on the real stack: nothing lost, nothing crashes, the stream keeps moving."""

from __future__ import annotations

import json

from tests.conftest import wait_for
from tests.helpers import all_docs, dead_letters, distinct_articles, send

# JSON that parses but holds lone surrogates, in every place a crawler can put one.
POISON = [
    b'{"url": "https://poison.example/title", "text": "River council budget.", "title": "\\udfff"}',
    b'{"url": "https://poison.example/text", "text": "Glacier \\ud800 pipeline mayor stadium."}',
    b'{"url": "https://poison.example/meta", "text": "Harbour winter.", "meta": {"k": "\\udc00"}}',
    b'{"url": "https://poison.example/key", "text": "Energy market.", "extra\\udfff": 1}',
    b'{"url": "https://poison.example/hint", "text": "Railway school.", "language": "e\\ud800n"}',
    b'{"url": "https://poison.example/authors", "text": "Museum court.", "authors": ["\\udbff"]}',
    b'{"url": "https://poison.example/all\\udfff", "text": "\\udfff", "title": "\\udfff"}',
]
BAD_URLS = [
    b'{"url": "http://[::1/x", "text": "Tekst."}',
    b'{"url": "https://x.example:99999/a", "text": "T."}',
]


def test_poison_messages_are_repaired_or_dead_lettered_and_the_worker_never_restarts(names, worker_factory):
    worker = worker_factory().start()
    valid = distinct_articles(20, seed=11, host="valid.example")
    mixed: list[bytes] = []
    for i, item in enumerate(valid):
        mixed.append(item)
        if i < len(POISON):
            mixed.append(POISON[i])
    send(names.settings, mixed + BAD_URLS)

    expected = len(valid) + len(POISON)
    wait_for(lambda: len(all_docs(names.settings)) >= expected, 120, f"{expected} documents")
    docs = all_docs(names.settings)
    assert len(docs) == expected
    repaired = [d for d in docs.values() if d["url"].startswith("https://poison.example/")]
    assert len(repaired) == len(POISON)
    assert all("\ufffd" in json.dumps(d, ensure_ascii=False) for d in repaired)

    letters = wait_for(
        lambda: len(dead_letters(names.settings)) >= 2 and dead_letters(names.settings), 60, "2 dlq"
    )
    assert (
        sorted((lt["error"]["code"], lt["error"]["path"]) for lt in letters)
        == [("schema_violation", "$.url")] * 2
    )
    log = worker.log.read_text(errors="replace")
    assert "surrogates not allowed" not in log and "crashed" not in log.lower()
    assert worker.proc is not None and worker.proc.poll() is None
