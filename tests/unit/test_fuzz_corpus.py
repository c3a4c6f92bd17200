"""The fault suite's malformed messages: each is refused by the prepare agent's body with the code
its kind promises, and the dead letter carries the original bytes."""

from __future__ import annotations

import base64
from collections import Counter

from streams.deadletter import Origin
from streams.prepare import Options, prepare
from streams.records import Article
from tests.faults.fuzz import KINDS, malformed


def test_every_malformed_message_becomes_a_dead_letter_with_its_kinds_code() -> None:
    messages = malformed(3_000, seed=7)
    wrong: Counter[tuple[str, str, str]] = Counter()
    for offset, m in enumerate(messages):
        letter = prepare(m.value, Origin("raw", 0, offset, None), Options())
        assert not isinstance(letter, Article), f"{m.kind} was accepted: {m.value[:200]!r}"
        if letter["error"]["code"] != m.code:
            wrong[(m.kind, m.code, letter["error"]["code"])] += 1
        raw = (
            letter["payload"].encode()
            if letter["payload_encoding"] == "utf-8"
            else base64.b64decode(letter["payload"])
        )
        assert letter["payload_truncated"] or raw == m.value
    assert wrong == Counter()


def test_the_corpus_holds_every_kind_and_is_the_same_for_a_seed() -> None:
    messages = malformed(2_000, seed=3)
    kinds = {m.kind.split(":")[0].split(" (")[0] for m in messages}
    assert len(kinds) >= len(KINDS) + 1  # every generator, and the oversized ones
    assert [m.value for m in messages] == [m.value for m in malformed(2_000, seed=3)]
