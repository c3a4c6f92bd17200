"""`newsflow feed`: JSON lines or a JSON array from a file or stdin, sent to articles.raw as they are."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tqdm import tqdm

from streams.kafka_io import producer
from streams.settings import Settings


@dataclass
class FeedResult:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def messages(stream: IO[bytes]) -> Iterator[bytes]:
    """Message values from JSON lines or one JSON array. Lines are passed on byte for byte,
    malformed ones included: the pipeline explains them in the dead-letter topic."""
    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    if head == b"[":
        items = json.loads(head + stream.read())
        for item in items:
            yield json.dumps(item, ensure_ascii=False).encode("utf-8")
        return
    first = True
    for line in stream:
        if first:
            line, first = head + line, False
        if line.strip():
            yield line.rstrip(b"\r\n")
    if first and head.strip():
        yield head


def key_of(value: bytes) -> bytes | None:
    """The article URL as the message key, so re-sends of one URL stay in order on one partition."""
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url.encode("utf-8") if isinstance(url, str) else None


def feed(settings: Settings, source: str, topic: str | None = None, progress: bool = True) -> FeedResult:
    target = topic or settings.topic("articles.raw")
    result = FeedResult()
    handle: IO[bytes] = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
    kafka = producer(settings)
    bar = tqdm(desc=f"feeding {target}", unit=" msg", disable=not progress, file=sys.stderr)

    def failed(exc: BaseException) -> None:
        result.failed += 1
        if len(result.errors) < 5:
            result.errors.append(f"{type(exc).__name__}: {exc}")

    try:
        with handle:
            for value in messages(handle):
                future = kafka.send(target, key=key_of(value), value=value)
                future.add_callback(lambda _md: bar.update(1))
                future.add_errback(failed)
                result.sent += 1
        kafka.flush()
    finally:
        kafka.close()
        bar.close()
    result.sent -= result.failed
    return result
