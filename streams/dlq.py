"""`newsflow dlq`: read dead letters with their reasons, and replay them after a fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from streams import deadletter
from streams.kafka_io import producer, read_topic
from streams.settings import Settings


def letters(settings: Settings, topic: str | None = None) -> Iterator[dict[str, Any]]:
    for record in read_topic(settings, topic or settings.topic("articles.dlq")):
        try:
            letter = json.loads(record.value or b"")
        except ValueError:
            continue
        letter["dlq_offset"] = record.offset
        yield letter


def render(letter: dict[str, Any]) -> str:
    src = letter.get("source", {})
    where = f"{src.get('topic')}[{src.get('partition')}]@{src.get('offset')}"
    error = letter.get("error", {})
    payload = letter.get("payload", "")
    preview = payload[:100].replace("\n", " ") + ("…" if len(payload) > 100 else "")
    return (
        f"{letter.get('failed_at', '')[:19]}  {error.get('code'):<17} {letter.get('stage'):<8} {where}\n"
        f"  {error.get('message')}\n"
        f"  url: {letter.get('url') or '-'}\n"
        f"  payload ({letter.get('payload_encoding')}): {preview}"
    )


def replay(settings: Settings, code: str | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Send dead letters' payloads back to the topic they came from. Returns (selected, sent).
    Safe to repeat: documents are keyed by canonical URL, so a replayed article that was indexed
    in the meantime is updated, not duplicated."""
    selected = [lt for lt in letters(settings) if code is None or lt.get("error", {}).get("code") == code]
    if dry_run or not selected:
        return len(selected), 0
    kafka = producer(settings)
    try:
        for letter in selected:
            key = letter.get("key")
            kafka.send(
                letter["source"]["topic"],
                key=key.encode("utf-8") if key else None,
                value=deadletter.payload_bytes(letter),
            )
        kafka.flush()
    finally:
        kafka.close()
    return len(selected), len(selected)
