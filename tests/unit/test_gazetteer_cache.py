"""Built gazetteers on disk: the same lists come back, a stale or broken file is rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from streams.entities import gazetteer as gz
from streams.morphology import disk_cache, simplemma_tries


@pytest.fixture
def cache_dir(tmp_path: Path):
    disk_cache.configure(tmp_path)
    yield tmp_path
    disk_cache.configure(None)


def test_a_stored_gazetteer_comes_back_identical(cache_dir: Path) -> None:
    built = gz.gazetteer("en")
    gz.store_cached("en", built)
    (stored,) = cache_dir.glob("gazetteer-en-*.json")
    assert disk_cache.key("en") in stored.name
    assert gz.load_cached("en") == built
    assert "Warsaw" in built.places and "John" in built.first_names


def test_a_broken_file_is_ignored_not_trusted(cache_dir: Path) -> None:
    path = cache_dir / f"gazetteer-en-{disk_cache.key('en')}.json"
    path.write_text('{"places": ["Warsaw"]}', encoding="utf-8")  # other lists missing
    assert gz.load_cached("en") is None


def test_storing_removes_the_lists_of_other_versions_of_that_language_only(cache_dir: Path) -> None:
    stale = cache_dir / f"gazetteer-en-{'0' * 32}.json"
    other_language = cache_dir / f"gazetteer-fr-{'0' * 32}.json"
    longer_code = cache_dir / f"gazetteer-en-gb-{'0' * 32}.json"
    for path in (stale, other_language, longer_code):
        path.write_text("{}", encoding="utf-8")
    gz.store_cached("en", gz.gazetteer("en"))
    assert not stale.exists() and other_language.exists() and longer_code.exists()
    assert gz.load_cached("en") is not None


def test_names_two_languages_share_are_one_string_in_memory(cache_dir: Path) -> None:
    for lang in ("en", "fr"):
        gz.store_cached(lang, gz.gazetteer(lang))
    en, fr = gz.load_cached("en"), gz.load_cached("fr")
    assert en is not None and fr is not None
    shared = en.places & fr.places
    assert "Warsaw" in shared or "Warszawa" in shared
    by_value = {name: name for name in en.places}
    assert all(by_value[name] is name for name in fr.places if name in by_value)


def test_the_key_changes_with_the_language() -> None:
    assert disk_cache.key("en") != disk_cache.key("fr")


def test_without_a_directory_nothing_is_written(tmp_path: Path) -> None:
    disk_cache.configure(None)
    gz.store_cached("en", gz.gazetteer("en"))
    assert gz.load_cached("en") is None and not any(tmp_path.iterdir())


def _newsflow(home: Path, *args: str, warm: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSFLOW_HOME": str(home)}
    if warm is not None:
        env["NEWSFLOW_WARM_LANGUAGES"] = warm
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_newsflow_warm_leaves_the_built_gazetteers_for_the_first_worker(tmp_path: Path) -> None:
    # The lemma tries `make install` built (46 s for all 53) are lent to this home, not built
    # again; building them is test_simplemma_tries's, and a fresh machine builds them here.
    tries = simplemma_tries.trie_path("en").parent
    kept = Path(__file__).resolve().parents[2] / ".newsflow" / "cache" / tries.name
    if kept.is_dir():
        (tmp_path / "cache").mkdir()
        (tmp_path / "cache" / tries.name).symlink_to(kept, target_is_directory=True)
    done = _newsflow(tmp_path, "warm", "--languages", "en,fr")
    assert done.returncode == 0, done.stderr
    assert "models for 2 language(s)" in done.stdout
    cached = {p.name.split("-")[1] for p in (tmp_path / "cache").glob("gazetteer-*.json")}
    assert cached == {"en", "fr"}
    # Every lemma dictionary a worker may meet has its trie ready, Polish aside.
    built = {p.stem for p in (tmp_path / "cache").glob("simplemma-*-tries-*/*.marisa")}
    assert {"en", "fr", "de", "ru", "uk", "fi"} <= built and "pl" not in built
    assert "lemma dictionary tries built for" in done.stdout


def test_newsflow_warm_without_languages_says_what_to_set(tmp_path: Path) -> None:
    done = _newsflow(tmp_path, "warm", warm="")
    assert done.returncode == 2
    assert "NEWSFLOW_WARM_LANGUAGES" in done.stderr
    assert not (tmp_path / "cache").exists()


def test_newsflow_warm_names_a_language_code_it_cannot_take(tmp_path: Path) -> None:
    done = _newsflow(tmp_path, "warm", "--languages", "en,x-1")
    assert done.returncode == 2
    assert "--languages has 'x-1'" in done.stderr
