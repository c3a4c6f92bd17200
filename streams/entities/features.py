"""What one language's analyser tells the shared rules about a word, and the analyser contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from streams.entities.lexicon import Lexicon
from streams.entities.model import Label


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Evidence about a single capitalised word (all False: an unknown word)."""

    first_name: bool = False
    surname: bool = False
    place: bool = False
    major_place: bool = False  # a country, region or big city: wins over other readings
    org: bool = False  # a known organisation or company name ("Microsoft", "CBOS")
    common: bool = False  # also an ordinary word ("The", "Władze", "Reading")
    adjective: bool = False  # can agree with a noun: "Europejskiej", "Zjednoczonych"
    demonym: bool = False  # "Japanese", "Polaków": a nationality, not an entity
    title: bool = False  # "Prezydent", "Mr", "premiera": a person's name tends to follow
    org_head: bool = False  # "University", "Komisji": the phrase names an organisation
    loc_head: bool = False  # "River", "ulica": the phrase names a place
    event_head: bool = False  # "Festival", "Mistrzostwa": an event or work, none of our labels

    @property
    def proper(self) -> bool:
        return self.first_name or self.surname or self.place or self.org

    @property
    def person_like(self) -> bool:
        """Could be part of a person's name: a name part, or no ordinary word, place or body."""
        return (
            self.first_name or self.surname or not (self.common or self.adjective or self.place or self.org)
        )


class Analyser(Protocol):
    """Language-specific knowledge used by the rule backend."""

    lang: str
    cues: Lexicon
    # Whether a capitalised word without any evidence may be guessed to be a name: not where
    # every noun is capitalised (German), nor without a dictionary to tell ordinary words.
    guesses: bool

    def info(self, word: str) -> TokenInfo: ...

    def context_lemmas(self, word: str) -> frozenset[str]:
        """Lower-case lemmas of a word before a name, to look up among the cue words."""
        ...

    def phrase_label(self, words: Sequence[str]) -> Label | None:
        """The label of a whole known multi-word name ("Stany Zjednoczone", "New York")."""
        ...

    def canonical(self, words: Sequence[str], label: Label) -> str:
        """The name in its dictionary form: nominative for Polish, as written otherwise."""
        ...

    def warm_up(self) -> None:
        """Load the dictionaries now."""
        ...
