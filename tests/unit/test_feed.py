"""`newsflow feed` input handling: JSON lines passed on byte for byte, JSON arrays split, keys by URL."""

from __future__ import annotations

import io
import json

from streams.feed import key_of, messages


def test_json_lines_are_sent_as_they_are_including_malformed_ones() -> None:
    data = b'{"url": "https://a.pl/1", "text": "x"}\n\n{"url": "broken\n[1,2]\r\n'
    assert list(messages(io.BytesIO(data))) == [
        b'{"url": "https://a.pl/1", "text": "x"}',
        b'{"url": "broken',
        b"[1,2]",
    ]


def test_json_array_is_split_into_messages() -> None:
    data = json.dumps(
        [{"url": "https://a.pl/1", "text": "zażółć"}, {"url": "https://a.pl/2", "text": "y"}]
    ).encode()
    out = [json.loads(m) for m in messages(io.BytesIO(b"  \n" + data))]
    assert [m["url"] for m in out] == ["https://a.pl/1", "https://a.pl/2"]
    assert out[0]["text"] == "zażółć"


def test_single_line_without_newline() -> None:
    assert list(messages(io.BytesIO(b'{"url": "https://a.pl/1"}'))) == [b'{"url": "https://a.pl/1"}']


def test_key_is_the_url_when_there_is_one() -> None:
    assert key_of(b'{"url": "https://a.pl/1"}') == b"https://a.pl/1"
    assert key_of(b"not json") is None
    assert key_of(b"[1]") is None
