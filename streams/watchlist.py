"""Editors' watchlist of keywords: loading and validating the file, matching terms on lemmas."""

# File format (YAML or JSON; see deploy/watchlist.example.yaml):
#
#   terms:
#     - Władywostok                  # a bare string: any language, default thresholds
#     - term: Korea Północna
#       language: pl                 # only matched in articles detected as Polish
#       min_count: 3                 # per-term overrides of SpikeConfig.min_count / k
#       k: 3.5
#
# A bare list of entries is accepted as well. Matching compares lemmas, not spellings: a term is
# lemmatised with the same function as the article (for the article's language), so "Korea
# Północna" (-> "korea północny") is found in "Władze Korei Północnej milczą". The term's
# lemmas are looked up as a phrase: an index from each term's first lemma to the rest of its
# phrase, so an article costs one dict lookup per word whatever the number of terms.

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

Lemmatise = Callable[[str, str], str]

_KEYS = ("term", "language", "min_count", "k")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# YAML 1.1 (PyYAML) reads these unquoted words as booleans or null, e.g. Norwegian "no".
_YAML_HINT = "quote it: unquoted yes/no/on/off/true/false/null and numbers are not text in YAML"


class WatchlistError(ValueError):
    """A watchlist file that cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True, slots=True)
class WatchTerm:
    """One watched keyword; None thresholds fall back to the spike defaults."""

    term: str  # as written in the file (NFC, whitespace collapsed): the alert's keyword
    language: str | None = None  # primary language subtag ("pl"); None matches every language
    min_count: int | None = None
    k: float | None = None


def normalise_language(lang: str) -> str:
    """ "pl-PL", "PL", "pl_PL" -> "pl": articles and terms are compared on the primary subtag."""
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]


def load_watchlist(path: str | os.PathLike[str]) -> list[WatchTerm]:
    """The terms of a watchlist file: JSON when it ends in .json, YAML otherwise.

    Raises WatchlistError, naming the file, the entry (1-based) and how to fix it, for an
    unreadable file, a syntax error, or an entry that is not a valid term.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{source}: cannot read the watchlist: {exc}") from exc
    try:
        if source.lower().endswith(".json"):
            data = json.loads(text) if text.strip() else None
        else:
            data = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise WatchlistError(f"{source}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    except yaml.YAMLError as exc:
        raise WatchlistError(f"{source}: not valid YAML: {exc}") from exc
    return parse_watchlist(data, source)


def parse_watchlist(data: Any, source: str = "<watchlist>") -> list[WatchTerm]:
    """Validated terms from an already-parsed document (`source` names it in errors).

    An empty document or an empty list is an empty watchlist. Terms must be unique (compared
    case-insensitively), because the term is the alert's keyword.
    """
    if data is None:
        return []
    if isinstance(data, Mapping):
        extra = sorted(str(key) for key in data if key != "terms")
        if extra:
            raise WatchlistError(
                f"{source}: unknown top-level key(s) {', '.join(extra)}; "
                "fix: put every entry in the list under `terms:`"
            )
        entries = data.get("terms")
        if entries is None:
            return []
    else:
        entries = data
    if not isinstance(entries, list):
        raise WatchlistError(
            f"{source}: expected a list of terms, got {type(entries).__name__}; "
            "fix: write `terms:` followed by lines `- term: ...` (see deploy/watchlist.example.yaml)"
        )
    terms: list[WatchTerm] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        term = _entry(entry, number, source)
        key = term.term.casefold()
        if key in seen:
            raise WatchlistError(
                f"{source}: entry {number} ({term.term!r}) repeats entry {seen[key]}; "
                "fix: keep one of them (leave out `language` to match every language)"
            )
        seen[key] = number
        terms.append(term)
    return terms


def _entry(entry: Any, number: int, source: str) -> WatchTerm:
    where = f"{source}: entry {number}"
    if not isinstance(entry, Mapping):
        entry = {"term": entry}
    unknown = sorted(str(key) for key in entry if key not in _KEYS)
    if unknown:
        raise WatchlistError(
            f"{where}: unknown key(s) {', '.join(unknown)}; fix: use only {', '.join(_KEYS)}"
        )

    raw = entry.get("term")
    if not isinstance(raw, str):
        hint = "add `term: <keyword>`" if raw is None else _YAML_HINT
        raise WatchlistError(f"{where}: the term must be text, got {raw!r}; fix: {hint}")
    # NFC, so that the term (the alert's keyword) is one string however the file was typed.
    term = " ".join(unicodedata.normalize("NFC", raw).split())
    if not any(ch.isalnum() for ch in term):
        raise WatchlistError(f"{where}: the term {raw!r} has no letters or digits; fix: write a word")
    where = f"{where} ({term!r})"

    language = entry.get("language")
    if language is not None:
        code = normalise_language(language) if isinstance(language, str) else ""
        if not _LANGUAGE.fullmatch(code):
            hint = _YAML_HINT if not isinstance(language, str) else "use a code such as pl or en"
            raise WatchlistError(
                f"{where}: language must be a language code, got {language!r}; "
                f"fix: {hint}, or leave it out to match every language"
            )
        language = code

    min_count = entry.get("min_count")
    if min_count is not None and (
        isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1
    ):
        raise WatchlistError(
            f"{where}: min_count must be a whole number >= 1, got {min_count!r}; "
            "fix: e.g. `min_count: 3`, or leave it out for the default"
        )

    k = entry.get("k")
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, int | float) or not 0 < k < float("inf"):
            raise WatchlistError(
                f"{where}: k must be a number > 0, got {k!r}; "
                "fix: e.g. `k: 3.5`, or leave it out for the default"
            )
        k = float(k)

    return WatchTerm(term=term, language=language, min_count=min_count, k=k)


class Matcher:
    """Finds watched terms in articles' lemma texts; build once, call per article.

    `lemmatise(text, lang)` must be the function that made the articles' lemma texts
    (space-joined lower-case lemmas, e.g. `streams.lemmas.lemma_text`), so that a term and its
    inflected forms meet. Terms are lemmatised lazily, once per article language.
    """

    def __init__(self, terms: Iterable[WatchTerm], lemmatise: Lemmatise) -> None:
        self._terms = tuple(terms)
        self._lemmatise = lemmatise
        # language -> first lemma -> [(remaining lemmas, term)]
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}

    def _index_for(self, lang: str) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        index = self._index.get(lang)
        if index is None:
            index = {}
            for term in self._terms:
                if term.language is not None and term.language != lang:
                    continue
                lemmas = self._lemmatise(term.term, lang).lower().split()
                if lemmas:
                    index.setdefault(lemmas[0], []).append((tuple(lemmas[1:]), term.term))
            # Built completely before it is published, so a concurrent caller sees all or nothing.
            self._index[lang] = index
        return index

    def match(self, lemma_text: str, lang: str) -> set[str]:
        """Terms (as written in the watchlist) whose lemma phrase occurs in `lemma_text`, an
        article in language `lang`; terms restricted to another language are skipped."""
        index = self._index_for(normalise_language(lang))
        if not index:
            return set()
        words = lemma_text.lower().split()
        found: set[str] = set()
        for i, word in enumerate(words):
            for rest, term in index.get(word, ()):
                if not rest or tuple(words[i + 1 : i + 1 + len(rest)]) == rest:
                    found.add(term)
        return found


@lru_cache(maxsize=8)
def _matcher(terms: tuple[WatchTerm, ...], lemmatise: Lemmatise) -> Matcher:
    return Matcher(terms, lemmatise)


def match(terms: Sequence[WatchTerm], lemma_text: str, lang: str, lemmatise: Lemmatise) -> set[str]:
    """`Matcher(terms, lemmatise).match(lemma_text, lang)`, with the matcher (and so the terms'
    lemmas) cached for the same terms and function."""
    return _matcher(tuple(terms), lemmatise).match(lemma_text, lang)


def terms_in(
    terms: Sequence[WatchTerm], title_lemmas: str, text_lemmas: str, lang: str, lemmatise: Lemmatise
) -> list[str]:
    """The watched terms an article's lemma fields (title and text, read as one text) contain, sorted:
    the value of its `watchlist` field, which the spike scan counts."""
    return sorted(match(terms, f"{title_lemmas} {text_lemmas}", lang, lemmatise))
