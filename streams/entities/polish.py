"""Polish analysis for the rule backend: word evidence and canonical names from SGJP."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from streams.entities.companies import COMPANIES
from streams.entities.features import TokenInfo
from streams.entities.gazetteer import first_names_latin, major_places_latin
from streams.entities.inflect_pl import (
    ADJECTIVES,
    ORG_NAMES,
    PERSON_NAMES,
    PLACE_NAMES,
    canonical_name,
    readings,
)
from streams.entities.lexicon import POLISH, Lexicon
from streams.entities.model import Label
from streams.morphology.morfeusz import analyse_word
from streams.morphology.territories import organisation_names, place_names

_FIRST_NAMES = frozenset({"imię"})
_SURNAMES = PERSON_NAMES - _FIRST_NAMES


class PolishAnalyser:
    """Evidence from Morfeusz 2 readings: SGJP marks first names, surnames, places, companies."""

    lang = "pl"
    cues: Lexicon = POLISH
    guesses = True

    def info(self, word: str) -> TokenInfo:
        return _info(word)

    def context_lemmas(self, word: str) -> frozenset[str]:
        return _context_lemmas(word)

    def phrase_label(self, words: Sequence[str]) -> Label | None:
        if len(words) < 2 or not _may_open_known_phrase(words[0]):
            return None
        for label in ("ORG", "LOC"):
            name = canonical_name(tuple(words), label)
            if name in organisation_names("pl") or name in organisation_names("en"):
                return "ORG"
            if name in place_names("pl"):
                return "LOC"
        return None

    def canonical(self, words: Sequence[str], label: Label) -> str:
        return canonical_name(tuple(words), label)

    def warm_up(self) -> None:
        _info("Warszawa")
        canonical_name(("Stanów", "Zjednoczonych"), "LOC")
        self.phrase_label(["Unii", "Europejskiej"])


@lru_cache(maxsize=1)
def _months() -> frozenset[str]:
    """Month names, capitalised now and then ("29 Września") but naming no entity."""
    from babel import Locale

    months = Locale.parse("pl").months
    # Full names only: the narrow ones are single letters ("w" for "wrzesień").
    return frozenset(name.lower() for context in months.values() for name in context["wide"].values())


@lru_cache(maxsize=1)
def _known_phrase_openings() -> frozenset[str]:
    """First four letters of the first words of multi-word country and body names."""
    names = place_names("pl") | organisation_names("pl") | organisation_names("en")
    return frozenset(n.split()[0][:4].lower() for n in names if " " in n)


@lru_cache(maxsize=100_000)
def _may_open_known_phrase(word: str) -> bool:
    """A cheap filter before inflecting a phrase to look it up: does any lemma of its first
    word start as a known multi-word name does ("Wielkiej" -> "wielki" ~ "Wielka Brytania")?"""
    openings = _known_phrase_openings()
    return any(r.lemma[:4].lower() in openings for r in analyse_word(word)) or (word[:4].lower() in openings)


@lru_cache(maxsize=100_000)
def _context_lemmas(word: str) -> frozenset[str]:
    return frozenset(r.lemma.lower() for r in analyse_word(word)) | {word.lower()}


@lru_cache(maxsize=200_000)
def _info(word: str) -> TokenInfo:
    rs = readings(word)
    known = any(r.pos != "ign" for r in rs)
    names: set[str] = set()
    common = adjective = False
    lemmas: set[str] = set()
    for r in rs:
        if r.pos == "ign":
            continue
        names |= r.names
        if not r.proper:
            lemmas.add(r.lemma)
            # A capitalised demonym ("Polaków") is an ordinary noun to SGJP, but capitalised.
            common = common or (r.lemma[:1].islower())
        adjective = adjective or r.pos in ADJECTIVES
    # A capitalised ordinary noun is a demonym ("Polaków", "Irlandczycy"), unless the word is
    # also a country: "Niemcy" is Germany far more often than Germans.
    countries = place_names("pl")
    cities = major_places_latin()
    demonym = any(r.proper and "nazwa_pospolita" in r.names for r in rs) and not any(
        r.lemma in countries for r in rs
    )
    cues = POLISH
    return TokenInfo(
        # A foreign first name SGJP does not know ("Mark Rutte", "Jake Sullivan").
        first_name="imię" in names or (not known and word in first_names_latin()),
        surname=bool(names & _SURNAMES),
        place=bool(names & PLACE_NAMES),
        # "Krakowie" is Kraków far more often than the legendary Krak: a country, or a region or
        # a city of 100k people or more read as a place name when no ordinary word is spelled so
        # ("Tych", "Łódź"), wins over a first-name reading.
        major_place=any(r.lemma in countries for r in rs)
        or (not common and any(r.lemma in cities and r.names & PLACE_NAMES for r in rs)),
        org=bool(names & ORG_NAMES) or word in COMPANIES,
        common=common,
        adjective=adjective,
        demonym=demonym and not (names & (PERSON_NAMES | ORG_NAMES)),
        # Also abbreviations the dictionary does not know: "Oprac.", "Fot." before a credit
        # (not in capitals: "KS Warta" is a sports club, not "ks.", a priest).
        title=bool(lemmas & cues.titles) or (word.lower() in cues.titles and not word.isupper()),
        org_head=bool(lemmas & cues.org_heads),
        loc_head=bool(lemmas & cues.loc_heads),
        event_head=bool(lemmas & (cues.event_heads | _months())),
    )
