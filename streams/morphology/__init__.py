"""Word-level language knowledge shared by entities, lemmas and the watchlist: Polish morphology
(Morfeusz 2, `morfeusz`), simplemma's dictionaries as memory-mapped tries (`simplemma_tries`),
word classes of the dictionary languages (`wordclass`), CLDR territory names (`territories`),
and the disk cache they and the gazetteers keep in NEWSFLOW_HOME/cache (`disk_cache`, the only
I/O of this package and of streams.entities)."""

from __future__ import annotations

from streams.morphology.disk_cache import configure as configure_cache
from streams.morphology.morfeusz import Reading, analyse_word, forms
from streams.morphology.simplemma_tries import build_all as build_tries
from streams.morphology.simplemma_tries import is_known, lemmatize, supported
from streams.morphology.territories import organisation_names, place_names, territory_names
from streams.morphology.wordclass import WordClasses, word_classes


def normalise_lang(lang: str) -> str:
    """ "pl-PL", "PL", "pl_PL" -> "pl"."""
    return lang.strip().lower().replace("_", "-").split("-", 1)[0] or "en"


__all__ = [
    "Reading",
    "WordClasses",
    "analyse_word",
    "build_tries",
    "configure_cache",
    "forms",
    "is_known",
    "lemmatize",
    "normalise_lang",
    "organisation_names",
    "place_names",
    "supported",
    "territory_names",
    "word_classes",
]
