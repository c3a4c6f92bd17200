"""One simplemma lemmatiser per process, its dictionaries compiled tries mapped from disk.

History, measured with `newsflow bench` and the stage profile on the 75-language corpus:
- simplemma's module-level functions keep 8 dictionaries; a stream in ~50 languages evicted and
  reloaded them all the time (233 ms of lemma CPU per article, 3.7 articles/s).
- Streamed front-coded dictionaries (every language kept): each first-seen word cost 22-75 µs of
  pure-Python block decoding; lemmas 1.14-1.27 ms and entities 1.69-1.84 ms per article, 820 MB.
- Now: simplemma's own MARISA-trie backend (`marisa-trie`, a C++ library, the `marisa-trie`
  extra of simplemma). One lookup is a walk in compiled code; the same runs gave lemmas
  0.76-0.81 ms, entities 1.19-1.25 ms and 598 MB peak, and a cold start in 3 s instead of 7 s.

A trie is built once per machine from simplemma's shipped dictionary (English 0.3 s, German
2.3 s, Finnish 7 s; `newsflow warm` builds all of them) and memory-mapped afterwards: the pages
are the kernel's page cache, shared by every worker process on the machine and read on demand.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from streams.morphology import disk_cache

log = logging.getLogger(__name__)

CACHED_DICTIONARIES = 128  # every language simplemma has (53): a mapped trie costs no heap
TRIE_FORMAT = 1


@cache
def _tools() -> tuple[Any, Any]:  # simplemma ships no type hints
    import simplemma
    from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy

    factory = _mapped_factory()(cache_max_size=CACHED_DICTIONARIES)
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
def _mapped_factory() -> type:
    """simplemma's trie factory, its tries written atomically to our cache and mapped, not read.

    simplemma's own `TrieDictionaryFactory` reads each trie into the heap and saves it in place,
    so two workers starting together could read a half-written file. `_build_trie` and
    `TrieWrapDict` are that module's; tests/unit/test_simplemma_tries.py compares the answers
    with simplemma's plain dictionaries."""
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES
    from simplemma.strategies.dictionaries.trie_dictionary_factory import (
        TrieDictionaryFactory,
        TrieWrapDict,
    )

    class MappedTrieFactory(TrieDictionaryFactory):
        __slots__ = ()

        def __init__(self, cache_max_size: int = CACHED_DICTIONARIES) -> None:
            super().__init__(cache_max_size=cache_max_size, use_disk_cache=False)

        def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
            if lang not in SUPPORTED_LANGUAGES:
                raise ValueError(f"simplemma has no dictionary for {lang!r}")
            path = trie_path(lang)
            trie = _map(path)
            if trie is None:
                trie = self._build_trie(lang)
                if _save(trie, path):
                    trie = _map(path) or trie  # the mapped copy: the built one is dropped
            return TrieWrapDict(trie)

    return MappedTrieFactory


def build_all(progress: Callable[[int, int, str], None] | None = None, processes: int | None = None) -> int:
    """Build the missing tries of every dictionary a worker may lemmatise with (all but Polish,
    which goes through Morfeusz), one language per process at a time, largest first: 80 s of CPU
    for the 53 languages (Finnish alone 10 s, ~730 MB while it builds). Returns how many were built."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    langs = sorted(SUPPORTED_LANGUAGES - {"pl"})
    missing = sorted(
        (lang for lang in langs if not trie_path(lang).is_file()), key=_shipped_size, reverse=True
    )
    done = len(langs) - len(missing)
    if progress is not None and done:
        progress(done, len(langs), "kept")
    if not missing:
        return 0
    workers = max(1, min(processes or os.cpu_count() or 1, len(missing)))
    # spawn: a child re-imports this module only, not the parent's threads and loaded models.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_build_one, lang, disk_cache.directory()): lang for lang in missing}
        for future in as_completed(futures):
            future.result()
            done += 1
            if progress is not None:
                progress(done, len(langs), futures[future])
    return len(missing)


def _build_one(lang: str, directory: Path | None) -> None:
    disk_cache.configure(directory)
    _mapped_factory()(cache_max_size=1)._get_dictionary_uncached(lang)  # built, written, dropped


def _shipped_size(lang: str) -> int:
    from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER

    path = Path(DATA_FOLDER) / f"{lang}.plzma"
    return path.stat().st_size if path.is_file() else 0


def trie_path(lang: str) -> Path:
    """NEWSFLOW_HOME/cache (disk_cache.configure) when set, else the user's cache directory:
    an unconfigured process (a test, a notebook) still builds each language once per machine."""
    directory = disk_cache.directory()
    if directory is None:
        from platformdirs import user_cache_dir

        directory = Path(user_cache_dir("newsflow"))
    return directory / f"simplemma-{_version()}-tries-{TRIE_FORMAT}" / f"{lang}.marisa"


@cache
def _version() -> str:
    try:
        return metadata.version("simplemma")
    except metadata.PackageNotFoundError:
        return "unknown"


def _map(path: Path) -> Any | None:
    from marisa_trie import BytesTrie

    if not path.is_file():
        return None
    try:
        return BytesTrie().mmap(str(path))
    except Exception as exc:  # marisa raises its own errors for a truncated or foreign file
        log.warning("ignoring dictionary trie %s (%r); rebuilding it", path, exc)
        return None


def _save(trie: Any, path: Path) -> bool:
    """Write the trie beside its final name, then rename: a reader never maps half a file.
    Tries of other simplemma versions or formats go; they are never read again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(handle)
        try:
            trie.save(temporary)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as exc:  # a read-only or full disk costs the build next time, nothing more
        log.warning("could not keep the dictionary trie in %s: %r", path, exc)
        return False
    lang = path.stem
    for old in path.parent.parent.glob(f"simplemma-*-tries-*/{path.name}"):
        if old.parent != path.parent:
            old.unlink(missing_ok=True)
    # The block indexes of the streamed dictionaries that the tries replaced (up to 0.x.y).
    for old in path.parent.parent.glob(f"simplemma-*-1-{lang}.index.json"):
        old.unlink(missing_ok=True)
    return True
