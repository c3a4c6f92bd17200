"""Capitalised words with character offsets, and whether each opens a sentence, line or quote.

Only capitalised words are ever candidates, so only they become objects: a 3 KB article has
~450 words but ~80 capitalised ones, and per-word Python work is what costs time here.
"""

from __future__ import annotations

import re
from typing import NamedTuple


def _upper_class() -> str:
    """A regex character class of the upper- and title-case letters of the alphabetic scripts
    up to U+2BFF (Latin, Greek, Cyrillic, Armenian, Georgian, ...): `re` has no \\p{Lu}."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x2C00):
        ch = chr(code)
        if ch.isupper() or ch.istitle():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


_UPPER = _upper_class()
# A word (letters and digits joined by inner hyphens or apostrophes: "Šibenik-Knin", "O'Neil")
# that starts with a capital, or with digits followed by one ("6PR", "883JIA").
CAPITALISED = re.compile(rf"(?<![^\W_])(?:[{_UPPER}]|\d+(?=[^\W_]*[{_UPPER}]))[^\W_]*(?:['’\-][^\W_]+)*")
_LOOK_BACK = 60  # characters searched for the word before; longer gaps separate anyway
_SENTENCE_END = frozenset(".!?:;…")
_OPENING = frozenset("\"'„“”«»‘’([{")

# A period after these does not end a sentence: it closes an abbreviation inside a phrase
# ("ul. Opatowicka", "Mr. Smith", "St. Louis"), or an initial ("James W. Hoyt").
_ABBREVIATIONS = """
    ul al pl os ks św gen płk kpt mjr dr prof mgr inż p im np tzw ok godz nr tj m in ws wg ds red
    mr mrs ms messrs st mt ft jr sr sen rep gov col lt sgt capt cpt adm rev fr no vs inc ltd co
    corp bros dept univ
"""
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())


class Token(NamedTuple):
    """A word of the text. `initial`: capitalisation there says nothing about being a name.
    `before`: the word right before it ("" if none near) and `gap` what lies between."""

    text: str
    start: int
    end: int
    initial: bool
    before: str = ""
    gap: str = ""


def is_abbreviation(word: str) -> bool:
    """True for a word that a following period only abbreviates (an initial, "ul", "Mr")."""
    return (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS


def previous_word(text: str, start: int) -> tuple[str, str] | None:
    """The word before position `start` and the characters between them; None if there is no
    word within a short distance (then the word at `start` opens the text or a block)."""
    gap_start = start
    limit = max(0, start - _LOOK_BACK)
    while gap_start > limit and not text[gap_start - 1].isalnum():
        gap_start -= 1
    if gap_start == limit:
        return None
    word_start = gap_start
    while word_start > 0 and (
        text[word_start - 1].isalnum()
        or (text[word_start - 1] in "-'’" and word_start > 1 and text[word_start - 2].isalnum())
    ):
        word_start -= 1
    return text[word_start:gap_start], text[gap_start:start]


def starts_afresh(gap: str, previous: str | None) -> bool:
    """Whether the text between two words puts the second at a sentence, line or quote start."""
    if previous is None or "\n" in gap:
        return True
    stripped = gap.strip()
    if not stripped:
        return False
    if stripped[-1] in _OPENING:
        return True
    if stripped == "." and is_abbreviation(previous):
        return False
    return any(ch in _SENTENCE_END for ch in stripped)


def capitalised_tokens(text: str) -> list[Token]:
    """The capitalised words of `text`. Only a word that does not continue a name (one not
    joined to the previous capitalised word by a lone space) gets its context looked up:
    `initial`, `before` and `gap`; a continuing word gets the joining gap only."""
    out: list[Token] = []
    last_end = -10
    for match in CAPITALISED.finditer(text):
        start = match.start()
        if start - last_end == 1 and text[last_end] == " ":
            out.append(Token(match.group(), start, match.end(), False, out[-1].text, " "))
        else:
            before = previous_word(text, start)
            if before is None:
                out.append(Token(match.group(), start, match.end(), True))
            else:
                word, gap = before
                initial = starts_afresh(gap, word)
                out.append(Token(match.group(), start, match.end(), initial, word, gap))
        last_end = match.end()
    return out
