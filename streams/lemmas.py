"""Lemmas of a text for search: Polish through Morfeusz 2, other languages through simplemma."""

from __future__ import annotations

import re
from functools import lru_cache

from streams import morphology
from streams.morphology import Reading, analyse_word, normalise_lang, place_names

# Words as Elasticsearch's standard analyzer (UAX #29) sees them, nearly: letters and digits,
# an inner apostrophe kept ("don't"), hyphens and other punctuation splitting.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# For several readings of a Polish word and no frequencies to go by, the first part of speech
# in this order wins: nouns before adjectives before verb forms, so that "działanie" stays a
# noun rather than the gerund of "działać". Anything not listed comes after.
_POS_ORDER_TEXT = (
    "subst depr adj adja adjp adjc fin praet inf impt imps bedzie pcon pant ger pact ppas"
    " adv qub conj comp prep pred num numcol ppron12 ppron3 siebie interj"
)
_POS_ORDER = {pos: rank for rank, pos in enumerate(_POS_ORDER_TEXT.split())}
# Proper-name qualifiers, best first: a capitalised "Polska" is the country, not the adjective;
# a word of a multi-word place name ("Stanów" -> "Stany") before a village of that spelling.
_NAME_ORDER = (
    "człon_nazwy_geograficznej",
    "nazwa_geograficzna",
    "nazwa_organizacji",
    "nazwa_firmy",
    "imię",
    "nazwisko",
)


def lemmatize(text: str, lang: str) -> list[str]:
    """Lower-case lemmas of the words of `text`, in order (punctuation dropped).

    Polish ("pl") goes through Morfeusz 2 with the most plausible reading chosen the same way
    every time; languages simplemma knows go through it (never Polish: its Polish dictionary
    takes ~430 MB); any other language gets its words lower-cased.
    """
    code = normalise_lang(lang)
    words = _WORD.findall(text)
    if code == "pl":
        return [_polish(word) for word in words]
    if _has_simplemma(code):
        return [_simplemma(word, code) for word in words]
    return [word.lower() for word in words]


def lemma_text(text: str, lang: str) -> str:
    """`lemmatize` joined by spaces: the value of a lemma field searched with the standard
    analyzer. Lemmatise queries with it too, so that "Rosja" finds a text saying "Rosji"."""
    return " ".join(lemmatize(text, lang))


def _has_simplemma(code: str) -> bool:
    # Never Polish: simplemma's Polish dictionary takes ~430 MB and Morfeusz does better.
    return code != "pl" and morphology.supported(code)


@lru_cache(maxsize=200_000)
def _simplemma(word: str, code: str) -> str:
    return morphology.lemmatize(word, code).lower()


def _rank(reading: Reading, capitalised: bool) -> tuple[int, int, int, int, int, str]:
    names = reading.names
    name_rank = next((i for i, n in enumerate(_NAME_ORDER) if n in names), len(_NAME_ORDER))
    return (
        1 if reading.rare else 0,
        # A capital letter asks for a proper-name reading, a small one for an ordinary one.
        (0 if reading.proper else 1) if capitalised else (1 if reading.proper else 0),
        name_rank,
        0 if reading.lemma in place_names("pl") else 1,  # "Niemcy" the country, not "Niemce"
        _POS_ORDER.get(reading.pos, len(_POS_ORDER)),
        reading.lemma,  # the last tie-breaker, so that the choice never depends on order
    )


@lru_cache(maxsize=200_000)
def _polish(word: str) -> str:
    readings = [r for r in analyse_word(word) if r.pos != "ign"]
    if not readings:
        return word.lower()
    capitalised = word[:1].isupper()
    best = min(readings, key=lambda r: _rank(r, capitalised))
    return best.lemma.lower()
