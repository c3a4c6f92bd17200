"""One simplemma lemmatiser per process, with a dictionary cache sized for a multilingual stream."""

from __future__ import annotations

from functools import cache
from typing import Any

# simplemma's module-level functions keep 8 dictionaries. A news stream in ~50 languages evicted
# and reloaded them all the time (de 1.8 s, ru 2.2 s, fi 4.5 s each): `newsflow bench` measured
# 233 ms of lemma CPU per article and 3.7 articles/s. Streamed (low-memory) dictionaries, every
# language kept: ~10 ms per article for all stages and 1.2 GB peak RSS for 75 languages.
CACHED_DICTIONARIES = 128


@cache
def _tools() -> tuple[Any, Any]:  # simplemma ships no type hints
    import simplemma
    from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
    from simplemma.strategies.dictionaries import StreamDictionaryFactory

    factory = StreamDictionaryFactory(cache_max_size=CACHED_DICTIONARIES)
    lemmatizer = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))
    return lemmatizer, DictionaryLookupStrategy(dictionary_factory=factory)


def supported(lang: str) -> bool:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return lang in SUPPORTED_LANGUAGES


def lemmatize(word: str, lang: str) -> str:
    lemmatizer, _ = _tools()
    return str(lemmatizer.lemmatize(word, lang))


def is_known(word: str, lang: str) -> bool:
    from simplemma.utils import normalize_token

    _, lookup = _tools()
    return lookup.get_lemma(normalize_token(word), lang) is not None
