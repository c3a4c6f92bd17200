"""Build dead-letter records: the reason, the stage, the original payload and where it came from (pure)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from streams.articles import now_utc
from streams.version import PIPELINE_VERSION

# Dead letters must stay well below the broker's message size even for oversized inputs.
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Origin:
    topic: str
    partition: int
    offset: int
    key: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}


def record(
    *,
    code: str,
    message: str,
    stage: str,
    payload: bytes | str | None,
    origin: Origin,
    path: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """A dead letter matching schemas/deadletter.schema.json."""
    raw = payload.encode("utf-8") if isinstance(payload, str) else (payload or b"")
    truncated = len(raw) > MAX_PAYLOAD_BYTES
    raw = raw[:MAX_PAYLOAD_BYTES]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    key = None
    if origin.key is not None:
        key = origin.key.decode("utf-8", errors="replace")
    return {
        "error": {"code": code, "message": message, "path": path},
        "stage": stage,
        "payload": text,
        "payload_encoding": encoding,
        "payload_truncated": truncated,
        "key": key,
        "url": url,
        "source": origin.to_dict(),
        "failed_at": now_utc(),
        "pipeline_version": PIPELINE_VERSION,
    }


def payload_bytes(letter: dict[str, Any]) -> bytes:
    """The original message value of a dead letter, for replay."""
    text = letter.get("payload") or ""
    if letter.get("payload_encoding") == "base64":
        return base64.b64decode(text)
    return str(text).encode("utf-8")


def encode(letter: dict[str, Any]) -> bytes:
    return json.dumps(letter, ensure_ascii=False).encode("utf-8")
