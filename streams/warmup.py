"""Load a worker's models before it joins the consumer group, then keep them out of the collector.

Dictionaries load lazily on a language's first article otherwise: simplemma's German dictionary
takes ~4 s, a gazetteer up to 4 s, and a burst of new languages held the event loop for longer
than the Kafka session timeout (the worker was thrown out of its group mid-benchmark). Loading
the languages a deployment expects at start-up moves that cost where no partition waits on it.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from streams import dedup, language, lemmas, morphology
from streams.entities import warm_up as warm_entities
from streams.settings import Settings

log = logging.getLogger(__name__)

# A few words in the shape of a news sentence: enough to touch every lookup path once.
_PROBE = "Minister Anna Nowak met officials in Warsaw on Monday to discuss the budget."


@dataclass(frozen=True)
class WarmUp:
    languages: tuple[str, ...]
    seconds: float


def expand(codes: Iterable[str]) -> tuple[str, ...]:
    """Requested codes as the detector spells them; "all" is every language it knows."""
    out: dict[str, None] = {}
    for code in codes:
        if code == "all":
            out.update(dict.fromkeys(sorted(language.SUPPORTED)))
        else:
            out[code] = None
    return tuple(out)


def warm_up(
    codes: Iterable[str],
    progress: Callable[[str, float], None] | None = None,
    cache_dir: Path | None = None,
) -> WarmUp:
    """Load language detection, entity analysers and lemmatisers for `codes`, then freeze the heap.

    gc.freeze() moves everything loaded so far (millions of dictionary entries) into a permanent
    generation, so later full collections stop walking it: a worker's pauses then scale with the
    articles in flight, not with its dictionaries.
    """
    started = time.perf_counter()
    if cache_dir is not None:
        morphology.configure_cache(cache_dir)  # built name lists and dictionary tries survive restarts
    langs = expand(codes)
    language.detect(_PROBE)  # the detector's profiles (all languages at once)
    dedup.fingerprint(_PROBE, "en")
    for code in langs:
        t0 = time.perf_counter()
        warm_entities([code])
        lemmas.lemmatize(_PROBE, code)
        if progress is not None:
            progress(code, time.perf_counter() - t0)
    gc.collect()
    gc.freeze()
    return WarmUp(langs, time.perf_counter() - started)


class NewModelFreezer:
    """Freeze the heap again after the first article of a language this process had not seen.

    warm_up() freezes what it loaded, but the other languages' dictionaries and gazetteers load
    later, on their first article, in whichever process prepares it: they stayed in the
    collector, whose full collections walked them again and again. On the bench's 75-language
    corpus that was 0.32 ms of a 2.7 ms article in full collections, 0.04 ms once frozen
    (python -m newsflow_tools.bench shows the worker's CPU per article). A collection runs
    first, so only live objects are frozen; they are still freed by reference counting.
    """

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.freezes = 0

    def saw(self, lang: str) -> None:
        if lang in self.known:
            return
        self.known.add(lang)
        gc.collect()
        gc.freeze()
        self.freezes += 1


def cache_dir(settings: Settings) -> Path:
    """Where built name lists are kept between starts: NEWSFLOW_HOME/cache."""
    return (settings.home / "cache").resolve()


def load_models(settings: Settings, languages: tuple[str, ...] | None = None) -> WarmUp | None:
    """Load (and cache under NEWSFLOW_HOME/cache) the models for NEWSFLOW_WARM_LANGUAGES."""
    languages = settings.warm_languages if languages is None else languages
    if not languages:
        return None
    return warm_up(
        languages,
        lambda code, s: log.debug("warmed %s in %.2f s", code, s),
        cache_dir=cache_dir(settings),
    )
