"""simplemma's dictionaries as memory-mapped tries kept on disk: same answers, built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from simplemma.strategies.dictionaries import trie_dictionary_factory
from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

from streams.morphology import disk_cache, simplemma_tries

# Hits, misses before the first and after the last key, capitalised and non-ASCII words.
WORDS = {
    "de": ["Häuser", "ging", "Bundestag", "aaaa", "zzzzzz", "Straßen", "schönsten", "xq"],
    "en": ["went", "children", "better", "aardvarks", "zzzz", "naïve", "Returning", "qqq"],
}


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    disk_cache.configure(tmp_path)
    try:
        yield tmp_path
    finally:
        disk_cache.configure(None)


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_trie_answers_as_simplemmas_dictionary_when_built_and_when_mapped(
    cache_dir: Path, lang: str
) -> None:
    plain = DefaultDictionaryFactory().get_dictionary(lang)
    factory = simplemma_tries._mapped_factory()()
    built = factory._get_dictionary_uncached(lang)
    path = simplemma_tries.trie_path(lang)
    assert path.is_file() and path.is_relative_to(cache_dir)
    mapped = factory._get_dictionary_uncached(lang)
    sample = WORDS[lang] + [key for _, key in zip(range(500), plain, strict=False)]
    for word in sample:
        assert built.get(word) == plain.get(word) == mapped.get(word), word
    assert len(mapped) == len(plain)


def test_a_kept_trie_is_mapped_not_built_again(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = simplemma_tries._mapped_factory()()
    factory._get_dictionary_uncached("en")

    def no_build(self: object, lang: str) -> None:
        raise AssertionError("the trie was built again")

    monkeypatch.setattr(trie_dictionary_factory.TrieDictionaryFactory, "_build_trie", no_build)
    assert factory._get_dictionary_uncached("en").get("went") == "go"


@pytest.mark.parametrize("body", [b"", b"not a trie at all", b"\x00" * 64])
def test_a_damaged_trie_is_rebuilt(cache_dir: Path, body: bytes) -> None:
    path = simplemma_tries.trie_path("en")
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    assert simplemma_tries._mapped_factory()()._get_dictionary_uncached("en").get("went") == "go"
    assert path.read_bytes() != body  # written afresh
    assert not list(path.parent.glob("*.part"))  # no temporary file left beside it


def test_building_a_trie_removes_other_versions_of_that_language_only(cache_dir: Path) -> None:
    stale = cache_dir / "simplemma-0.9.0-tries-1" / "en.marisa"
    other_language = cache_dir / "simplemma-0.9.0-tries-1" / "de.marisa"
    replaced = cache_dir / "simplemma-2.0.0-1-en.index.json"  # what the streamed dictionaries kept
    for path in (stale, other_language, replaced):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"old")
    simplemma_tries._mapped_factory()()._get_dictionary_uncached("en")
    assert not stale.exists() and not replaced.exists() and other_language.exists()


def test_a_language_simplemma_lacks_is_named() -> None:
    with pytest.raises(ValueError, match="'xx'"):
        simplemma_tries._mapped_factory()()._get_dictionary_uncached("xx")


def test_build_all_builds_what_is_missing_and_nothing_twice(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simplemma.strategies.dictionaries import dictionary_factory

    monkeypatch.setattr(dictionary_factory, "SUPPORTED_LANGUAGES", frozenset({"en", "fr", "pl"}))
    seen: list[tuple[int, int, str]] = []
    assert simplemma_tries.build_all(lambda *step: seen.append(step), processes=2) == 2
    assert sorted(seen) == [(1, 2, "en"), (2, 2, "fr")] or sorted(seen) == [(1, 2, "fr"), (2, 2, "en")]
    assert simplemma_tries.trie_path("fr").is_file()
    assert not simplemma_tries.trie_path("pl").exists()  # Polish goes through Morfeusz: no trie
    assert simplemma_tries.build_all() == 0
