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
    raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else (payload or b"")
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


def from_exception(
    exc: BaseException,
    *,
    stage: str,
    payload: bytes | str | None,
    origin: Origin,
    url: str | None = None,
    code: str = "internal_error",
) -> dict[str, Any]:
    """A dead letter for a failure nobody foresaw: the stage, the exception and the message."""
    what = STAGE_ACTIONS.get(stage, stage)
    return record(
        code=code,
        message=f"{what} failed: {type(exc).__name__}: {str(exc)[:500]}",
        stage=stage,
        payload=payload,
        origin=origin,
        url=url,
    )


# What each stage was doing, for the message of an unexpected failure.
STAGE_ACTIONS = {
    "validate": "validation",
    "enrich": "enrichment",
    "encode": "encoding the article for the next topic",
    "dedupe": "deduplication",
    "index": "indexing",
}


def payload_bytes(letter: dict[str, Any]) -> bytes:
    """The original message value of a dead letter, for replay."""
    text = letter.get("payload") or ""
    if letter.get("payload_encoding") == "base64":
        return base64.b64decode(text)
    return str(text).encode("utf-8")


def encode(letter: dict[str, Any]) -> bytes:
    """Dead letter JSON as UTF-8; never raises, whatever the letter holds.

    A lone surrogate (in a message, a URL, a key) has no UTF-8 form: it is written as its JSON
    escape instead, which any JSON reader decodes back. Values JSON has no type for become text.
    """
    try:
        text = json.dumps(letter, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):  # keys JSON cannot hold, a cycle: keep what is sure to encode
        letter = {k: v if isinstance(v, str | int | None) else repr(v) for k, v in letter.items()}
        text = json.dumps(letter, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(letter, ensure_ascii=True, default=repr).encode("ascii")
