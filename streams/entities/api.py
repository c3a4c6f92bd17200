"""extract() and warm_up(): the entry points the pipeline calls."""

from __future__ import annotations

from collections.abc import Iterable

from streams.entities.backend import EntityBackend, get_backend
from streams.entities.linking import link
from streams.entities.model import LABELS, Entity
from streams.morphology import normalise_lang


def extract(text: str, lang: str, *, backend: EntityBackend | None = None) -> list[Entity]:
    """Named entities (PER, ORG, LOC) of one article, in order of first mention.

    Pure: the same text and language give the same entities. Dictionaries load on the first
    call for a language (see `warm_up`) and stay cached for the process.
    """
    if not text:
        return []
    code = normalise_lang(lang)
    mentions = (backend or get_backend()).mentions(text, code)
    return link([m for m in mentions if m.label in LABELS], text, code)


def warm_up(langs: Iterable[str], *, backend: EntityBackend | None = None) -> None:
    """Load the dictionaries of `langs` now (at worker start rather than on a first article)."""
    chosen = backend or get_backend()
    for lang in dict.fromkeys(normalise_lang(lang) for lang in langs):
        chosen.warm_up(lang)
