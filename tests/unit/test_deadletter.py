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


def test_the_encoder_writes_any_letter_even_one_holding_lone_surrogates() -> None:
    letter = deadletter.record(
        code="internal_error",
        message="boom \udfff",
        stage="encode",
        payload='{"title": "\ud800"}',
        origin=deadletter.Origin("articles.raw", 0, 3, b"\xff"),
        url="https://x.pl/\udc00",
    )
    Draft202012Validator(SCHEMA).validate(letter)
    back = json.loads(deadletter.encode(letter).decode("utf-8"))
    assert back["error"]["message"] == "boom \udfff" and back["url"] == "https://x.pl/\udc00"
    assert back["payload_encoding"] == "base64"  # the payload had no UTF-8 form either


def test_an_unforeseen_failure_names_its_stage_and_exception() -> None:
    letter = deadletter.from_exception(
        TypeError("str is not valid UTF-8"),
        stage="encode",
        payload=b"{}",
        origin=deadletter.Origin("t", 0, 1),
    )
    Draft202012Validator(SCHEMA).validate(letter)
    assert letter["error"]["code"] == "internal_error" and letter["stage"] == "encode"
    assert letter["error"]["message"].startswith("encoding the article for the next topic failed: TypeError")
