"""Dead letters match their schema and give back the original bytes for replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from streams import deadletter

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "deadletter.schema.json").read_text())


@pytest.mark.parametrize("payload", [b'{"url": 1}', b"\xff\xfe binary", "zażółć".encode()])
def test_record_matches_schema_and_round_trips_payload(payload: bytes) -> None:
    letter = deadletter.record(
        code="schema_violation",
        message="m",
        stage="validate",
        payload=payload,
        origin=deadletter.Origin("articles.raw", 2, 41, b"k"),
    )
    Draft202012Validator(SCHEMA).validate(letter)
    assert deadletter.payload_bytes(json.loads(deadletter.encode(letter))) == payload
    assert letter["source"] == {"topic": "articles.raw", "partition": 2, "offset": 41}


def test_non_utf8_payload_is_base64() -> None:
    letter = deadletter.record(
        code="not_utf8", message="m", stage="validate", payload=b"\xff", origin=deadletter.Origin("t", 0, 0)
    )
    assert letter["payload_encoding"] == "base64"
