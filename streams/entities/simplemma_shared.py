"""One simplemma lemmatiser per process, with a dictionary cache sized for a multilingual stream."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from streams.entities import gazetteer_cache

log = logging.getLogger(__name__)

# simplemma's module-level functions keep 8 dictionaries. A news stream in ~50 languages evicted
# and reloaded them all the time (de 1.8 s, ru 2.2 s, fi 4.5 s each): `newsflow bench` measured
# 233 ms of lemma CPU per article and 3.7 articles/s. Streamed (low-memory) dictionaries, every
# language kept: ~10 ms per article for all stages and 1.2 GB peak RSS for 75 languages.
CACHED_DICTIONARIES = 128
INDEX_FORMAT = 1

# A streamed dictionary starts with one pass over all of its records in Python, to note where
# each block of 32 starts (0.1-1.5 s per language: 23 of the 47 CPU seconds of 3,000 articles in
# 75 languages went there). That index is kept on disk beside the gazetteers (the directory
# gazetteer_cache.configure sets), so a worker pays the pass once per machine, not once per
# language per start.


@cache
def _tools() -> tuple[Any, Any]:  # simplemma ships no type hints
    import simplemma
    from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy

    factory = _indexed_factory()(cache_max_size=CACHED_DICTIONARIES)
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


@cache
def _indexed_factory() -> type:
    """simplemma's streamed dictionary factory, its block index read from disk when kept there.

    This reaches into simplemma's stream format (`StreamMap`'s fields, `frontcode`), written
    against simplemma 2.0; should a later 2.x change them, the map falls back to simplemma's own
    (slower to start, same answers). tests/unit/test_simplemma_index.py compares the answers."""
    from simplemma.strategies.dictionaries import frontcode
    from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed
    from simplemma.strategies.dictionaries.stream_dictionary_factory import (
        StreamDictionaryFactory,
        StreamMap,
    )

    class IndexedStreamMap(StreamMap):
        __slots__ = ()

        def __init__(self, lang: str) -> None:
            path = index_path(lang)
            if path is not None and path.is_file():
                data = _read_decompressed(lang)
                reverse, count, start = frontcode._read_header(data)
                index = _read_index(path, len(data), count)
                if index is not None:
                    self._data, self._rev, self._count, self._pos = data, reverse, count, start
                    self._firsts, self._blocks = index
                    return
            super().__init__(lang)  # the pass over every record
            if path is not None:
                _write_index(path, len(self._data), self._count, self._firsts, self._blocks)

    class IndexedStreamFactory(StreamDictionaryFactory):
        __slots__ = ()

        def _get_dictionary_uncached(self, lang: str) -> Any:
            try:
                return IndexedStreamMap(lang)
            except (AttributeError, TypeError) as exc:  # another simplemma inside: its own map
                log.warning("simplemma's stream format changed (%r); indexing %s in memory", exc, lang)
                return StreamMap(lang)

    return IndexedStreamFactory


def index_all(progress: Callable[[int, int, str], None] | None = None) -> int:
    """Build the missing on-disk indexes of every dictionary a worker may lemmatise with (all but
    Polish, which goes through Morfeusz); one dictionary in memory at a time. Returns how many
    were built."""
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    if gazetteer_cache.directory() is None:
        return 0
    factory = _indexed_factory()()
    langs = sorted(SUPPORTED_LANGUAGES - {"pl"})
    built = 0
    for done, lang in enumerate(langs, 1):
        path = index_path(lang)
        if path is not None and not path.is_file():
            factory._get_dictionary_uncached(lang)  # not kept: built, written, dropped
            built += 1
        if progress is not None:
            progress(done, len(langs), lang)
    return built


def index_path(lang: str) -> Path | None:
    directory = gazetteer_cache.directory()
    if directory is None:
        return None
    return directory / f"simplemma-{_version()}-{INDEX_FORMAT}-{lang}.index.json"


@cache
def _version() -> str:
    try:
        return metadata.version("simplemma")
    except metadata.PackageNotFoundError:
        return "unknown"


_Index = tuple[list[bytes], list[tuple[int, bytes, bytes]]]


def _read_index(path: Path, length: int, count: int) -> _Index | None:
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
        if data["length"] != length or data["count"] != count:
            raise ValueError(f"made for {data['length']} bytes and {data['count']} records")
        firsts = [s.encode("latin-1") for s in data["firsts"]]
        blocks = [(int(o), k.encode("latin-1"), v.encode("latin-1")) for o, k, v in data["blocks"]]
        if len(firsts) != len(blocks) or not firsts:
            raise ValueError("firsts and blocks differ in length")
        return firsts, blocks
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring dictionary index %s (%r); rebuilding it", path, exc)
        return None


def _write_index(
    path: Path, length: int, count: int, firsts: list[bytes], blocks: list[tuple[int, bytes, bytes]]
) -> None:
    import orjson

    body = orjson.dumps(
        {
            "length": length,
            "count": count,
            # Latin-1 maps every byte to one character and back: raw bytes in JSON strings.
            "firsts": [f.decode("latin-1") for f in firsts],
            "blocks": [(o, k.decode("latin-1"), v.decode("latin-1")) for o, k, v in blocks],
        }
    )
    # Another simplemma version's or index format's file for the language is replaced.
    stale = path.parent.glob(f"simplemma-*-{path.name.rsplit('-', 1)[1]}")
    try:
        gazetteer_cache.write_replacing(path, body, stale)
    except OSError as exc:  # a read-only or full disk costs the pass next time, nothing more
        log.warning("could not keep the dictionary index in %s: %r", path, exc)
