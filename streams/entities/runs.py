"""Candidate names: maximal runs of capitalised words, joined by spaces and name particles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from streams.entities.tokens import Token, is_abbreviation

# Roman numerals below 40 ("II Liga", "XV Forum"); larger ones look like acronyms ("CC").
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
# Articles join a name only after another particle: "Bank of the West", not "Poland the ...".
_NOT_FIRST = frozenset({"the", "der", "die", "das", "la", "le", "les"})


# Saints' names open many place names ("San Marco", "Santa Cruz", "São Paulo", "St. Louis"):
# a first name after one continues the name, and the name is a place unless known otherwise.
SAINTS = frozenset({"San", "Santa", "Santo", "Sant", "Santi", "São", "Saint", "Sainte", "Sankt", "St"})


def is_roman(word: str) -> bool:
    return _ROMAN.fullmatch(word) is not None


@lru_cache(maxsize=50_000)
def is_acronym(word: str) -> bool:
    """Capitals (one lower-case letter allowed), not a Roman numeral: "CBOS", "MSWiA", and
    capitals with digits: "U2", "TVP1", "6PR"."""
    if len(word) < 2 or is_roman(word):
        return False
    upper = lower = digits = 0
    for ch in word:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
        elif ch.isdigit():
            digits += 1
    return lower <= 1 and (upper >= 2 or (upper == 1 and digits > 0))


@lru_cache(maxsize=64)
def _particles(connectors: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(sorted((re.escape(w) for w in connectors), key=len, reverse=True))
    return re.compile(rf"[ \t]+((?:{words}))(?:[ \t]+((?:{words})))?[ \t]+")


def _plain_gap(gap: str, left: Token, right: Token) -> bool:
    """Only spaces between two words, or the period of an initial or abbreviation ("James W.
    Hoyt", "Mr. Smith"), or an ampersand; a possessive ends a name ("Putin's spokesman")."""
    if len(gap) > 3 or "\n" in gap or left.text.endswith(("'s", "’s")):
        return False
    stripped = gap.strip()
    if not stripped:
        return bool(gap)
    if stripped == "." and is_abbreviation(left.text):
        return True
    return stripped == "&" and not right.text.isupper()


def capitalised_runs(tokens: Sequence[Token], text: str, connectors: frozenset[str]) -> list[list[Token]]:
    """Maximal runs of capitalised words; a run may hold lower-case name particles between
    them ("University of Halle", "Ursula von der Leyen"), never at its ends."""
    particles = _particles(connectors) if connectors else None
    runs: list[list[Token]] = []
    run: list[Token] = []
    for token in tokens:
        if run:
            left = run[-1]
            gap = text[left.end : token.start]
            if _plain_gap(gap, left, token):
                run.append(token)
                continue
            if particles is not None and not left.text.endswith(("'s", "’s")):
                match = particles.fullmatch(gap)
                # Not into an acronym: "Swiss Super League for FC Basel" is two names.
                if match is not None and match.group(1) not in _NOT_FIRST and not is_acronym(token.text):
                    for group in (1, 2):
                        if match.group(group):
                            start = left.end + match.start(group)
                            run.append(
                                Token(
                                    match.group(group),
                                    start,
                                    start + len(match.group(group)),
                                    False,
                                )
                            )
                    run.append(token)
                    continue
            runs.append(run)
        run = [token]
    if run:
        runs.append(run)
    return runs
