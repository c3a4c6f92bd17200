"""The on-disk block index of simplemma's streamed dictionaries: same answers, built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from simplemma.strategies.dictionaries import stream_dictionary_factory
from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

from streams.entities import gazetteer_cache, simplemma_shared

# Hits in both orders of the stream (German keys are stored reversed), misses between keys,
# before the first and after the last block, and non-ASCII words.
WORDS = {
    "de": ["Häuser", "ging", "Bundestag", "aaaa", "zzzzzz", "Straßen", "schönsten", "xq"],
    "en": ["went", "children", "better", "aardvarks", "zzzz", "naïve", "Returning", "qqq"],
}


@pytest.fixture
def index_dir(tmp_path: Path) -> Iterator[Path]:
    gazetteer_cache.configure(tmp_path)
    try:
        yield tmp_path
    finally:
        gazetteer_cache.configure(None)


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_indexed_map_answers_as_simplemma_does_when_built_and_when_read(index_dir: Path, lang: str) -> None:
    factory = simplemma_shared._indexed_factory()()
    stock = StreamMap(lang)
    built = factory._get_dictionary_uncached(lang)
    path = simplemma_shared.index_path(lang)
    assert path is not None and path.is_file() and path.parent == index_dir
    read = factory._get_dictionary_uncached(lang)
    sample = WORDS[lang] + [key for _, key in zip(range(300), stock, strict=False)]
    for word in sample:
        assert built.get(word) == stock.get(word) == read.get(word), word
    assert len(read) == len(stock)


def test_a_kept_index_spares_the_pass_over_every_record(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = simplemma_shared._indexed_factory()()
    factory._get_dictionary_uncached("en")

    def no_pass(self: StreamMap, lang: str) -> None:
        raise AssertionError("the block index was rebuilt")

    monkeypatch.setattr(stream_dictionary_factory.StreamMap, "__init__", no_pass)
    assert factory._get_dictionary_uncached("en").get("went") == "go"


def test_a_damaged_or_foreign_index_is_rebuilt(index_dir: Path) -> None:
    factory = simplemma_shared._indexed_factory()()
    path = simplemma_shared.index_path("en")
    assert path is not None
    for body in (b"{not json", b'{"length": 1, "count": 1, "firsts": ["a"], "blocks": [[0, "", ""]]}'):
        path.write_bytes(body)
        assert factory._get_dictionary_uncached("en").get("went") == "go"
        assert path.read_bytes() != body  # written afresh


def test_without_a_directory_no_index_is_kept_and_lookups_still_work() -> None:
    gazetteer_cache.configure(None)
    assert simplemma_shared.index_path("en") is None
    assert simplemma_shared._indexed_factory()()._get_dictionary_uncached("en").get("went") == "go"


def test_writing_an_index_removes_other_versions_of_that_language_only(index_dir: Path) -> None:
    stale = index_dir / "simplemma-0.9.0-1-en.index.json"
    other_language = index_dir / "simplemma-0.9.0-1-de.index.json"
    for path in (stale, other_language):
        path.write_bytes(b"{}")
    simplemma_shared._indexed_factory()()._get_dictionary_uncached("en")
    assert not stale.exists() and other_language.exists()
