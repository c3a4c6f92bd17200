"""The default backend: capitalised runs, dictionary and gazetteer evidence, cue words."""

from __future__ import annotations

import bisect
import re
import sys
import threading
from collections.abc import Sequence

from streams.entities.classify import classify, explaining_now
from streams.entities.features import Analyser, TokenInfo
from streams.entities.latin import GazetteerAnalyser, strip_possessive
from streams.entities.linking import short_forms
from streams.entities.model import Label, Mention
from streams.entities.polish import PolishAnalyser
from streams.entities.runs import capitalised_runs
from streams.entities.segment import segments
from streams.entities.titles import quoted_titles
from streams.entities.tokens import Token, capitalised_tokens, previous_word
from streams.morphology import normalise_lang


class RuleBackend:
    """Rule- and dictionary-based mentions; analysers are built per language on first use."""

    name = "rules"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._analysers: dict[str, Analyser] = {}
        self._runs: dict[tuple[str, object], tuple[_RunResult, ...]] = {}

    def analyser(self, lang: str) -> Analyser:
        lang = normalise_lang(lang)
        found = self._analysers.get(lang)
        if found is None:
            with self._lock:
                found = self._analysers.get(lang)
                if found is None:
                    found = PolishAnalyser() if lang == "pl" else GazetteerAnalyser(lang)
                    self._analysers[lang] = found
        return found

    def warm_up(self, lang: str) -> None:
        self.analyser(lang).warm_up()

    def mentions(self, text: str, lang: str) -> list[Mention]:
        analyser = self.analyser(lang)
        cache = self._runs
        if len(cache) > RUN_CACHE_SIZE:  # bound the memory of a long-running worker
            cache.clear()
        tokens = capitalised_tokens(text)
        out = quoted_titles(text, analyser, lambda words: analyser.canonical(words, "ORG"))
        titled = sorted((m.start, m.end) for m in out)
        for run in capitalised_runs(tokens, text, analyser.cues.connectors):
            first = run[0]
            if titled and _inside(titled, first.start):
                continue  # inside a quoted media title, which is one name
            lookback = _lookback(text, first)
            key = (analyser.lang, (tuple((t.text, t.initial, t.gap) for t in run), first.before, lookback))
            found = None if explaining_now() else cache.get(key)  # --explain sees every decision
            if found is None:
                found = cache[key] = tuple(_run_mentions(run, lookback, analyser))
            base = first.start
            out.extend(
                Mention(base + start, base + end, label, name, weak)
                for start, end, label, name, weak in found
            )
        out.sort(key=lambda m: m.start)
        return _places_before_places(text, out) + _short_mentions(tokens, out, analyser)


# Results per distinct capitalised run and its context (and language): news repeats its names,
# within an article and across articles, and a cached run costs one dict lookup. One bound for
# all languages: per-language bounds let a multilingual worker grow by ~2 MB a minute for hours
# (`newsflow bench --soak-seconds 600`); 50,000 runs take ~40 MB.
RUN_CACHE_SIZE = 50_000

_RunResult = tuple[int, int, Label, str, bool]


def _run_mentions(run: list[Token], lookback: str, analyser: Analyser) -> list[_RunResult]:
    """Mentions of one run, with offsets relative to its first word."""
    base = run[0].start
    infos = [analyser.info(t.text) if t.text[0].isupper() or t.text[0].isdigit() else None for t in run]
    out: list[_RunResult] = []
    titled_before = False
    glued = _known_phrases(run, infos, analyser)
    for seg in segments(run, infos, analyser.cues, genitive_names=analyser.cues.genitive_names, glued=glued):
        words = [run[p].text for p in seg.positions]
        head = run[seg.positions[0]]
        before = _word_before(head, lookback if head is run[0] else "", analyser)
        after_title = seg.after_title or titled_before
        decision = classify(words, [infos[p] for p in seg.positions], analyser, before, after_title)
        # "przywódcą Korei Północnej Kim Dzong Unem": a title before a place or body
        # belongs to the name that follows them.
        titled = after_title or bool(before & analyser.cues.titles)
        titled_before = titled and decision.label in ("LOC", "ORG")
        if decision.label is None:
            continue
        kept = [run[p] for p in seg.positions[decision.skip_first :]]
        start, end = kept[0].start, kept[-1].end
        number = _unit_number(kept[0], words, decision.label)
        if number:
            start -= len(number) + 1  # "65th Air Division": the number is part of the name
        name_words = [t.text for t in kept]
        if name_words[-1].endswith(("'s", "’s")):
            end -= 2
        name = analyser.canonical(name_words, decision.label)
        if number:
            name = f"{number} {name}"
        out.append((start - base, end - base, decision.label, name, decision.weak))
    return out


# A military unit's number, written before its name: "65th Air Division", "4 Air Defense Wing".
_UNIT_NUMBER = re.compile(r"\d{1,3}(?:st|nd|rd|th)?")
MILITARY_UNITS = frozenset(
    "division brigade regiment battalion wing squadron fleet corps army force group flotilla".split()
)


def _unit_number(first: Token, words: Sequence[str], label: Label | None) -> str:
    """The number right before a military unit's name ("65th", "4"), or ""."""
    if label != "ORG" or first.gap != " " or _UNIT_NUMBER.fullmatch(first.before) is None:
        return ""
    return first.before if any(w.lower() in MILITARY_UNITS for w in words) else ""


def _lookback(text: str, token: Token) -> str:
    """The word before "of" in "the village of Cosham", "President of France"."""
    if token.before != "of" or token.gap != " ":
        return ""
    found = previous_word(text, token.start - 3)
    return found[0] if found is not None and found[1] == " " else ""


def _word_before(token: Token, lookback: str, analyser: Analyser) -> frozenset[str]:
    """Lemmas of the word right before a name, if only a space or an abbreviation's period
    separates them ("premiera Donalda Tuska", "ul. Bazarowej", "the band Gigi"); for "of",
    also of the word before it ("the village of Cosham")."""
    word, gap = token.before, token.gap
    if not word or len(gap) > 3 or gap.strip() not in ("", ".") or "\n" in gap:
        return frozenset()
    if word[0].isupper() and not token.initial:
        return frozenset()  # the end of another name
    lemmas = analyser.context_lemmas(word)
    return lemmas | analyser.context_lemmas(lookback) if lookback else lemmas


def _known_phrases(
    run: Sequence[Token], infos: Sequence[TokenInfo | None], analyser: Analyser
) -> frozenset[int]:
    """Positions inside known multi-word names of the run (after their first word)."""
    if len(run) < 2:
        return frozenset()
    glued: set[int] = set()
    words = [t.text for t in run]
    for start in range(len(run) - 1):
        if infos[start] is None:
            continue
        for end in range(min(len(run), start + 4), start + 1, -1):
            if infos[end - 1] is not None and analyser.phrase_label(words[start:end]):
                glued.update(range(start + 1, end))
                break
    return frozenset(glued)


def _places_before_places(text: str, found: list[Mention]) -> list[Mention]:
    """A guessed name followed by ", <place>" is a place within it: "Gilchrist, Oregon",
    "Charlottesville, Virginia"."""
    out = list(found)
    for i in range(len(out) - 1):
        here, after = out[i], out[i + 1]
        if (
            here.weak
            and here.label != "LOC"
            and after.label == "LOC"
            and not after.weak
            and text[here.end : after.start] == ", "
        ):
            out[i] = Mention(here.start, here.end, "LOC", here.name, weak=True)
    return out


def _short_mentions(tokens: Sequence[Token], found: Sequence[Mention], analyser: Analyser) -> list[Mention]:
    """Capitalised words the rules left out that repeat part of a person's full name found in
    the same text: "Putin i Kim rozmawiali" after "Kim Dzong Un", "Pieskowa" (an adjective to
    the dictionary) after "Dmitrij Pieskow"; even at a sentence start."""
    person_words = {w for m in found if m.label == "PER" and " " in m.name for w in m.name.split()}
    if not person_words:
        return []
    covered = sorted((m.start, m.end) for m in found)
    extra: list[Mention] = []
    for token in tokens:
        if _inside(covered, token.start):
            continue
        word = strip_possessive(token.text)
        match = next((f for f in short_forms(word, analyser.cues.name_endings) if f in person_words), None)
        if match is not None:
            extra.append(Mention(token.start, token.start + len(word), "PER", match, weak=True))
    return extra


def _inside(spans: Sequence[tuple[int, int]], position: int) -> bool:
    at = bisect.bisect_right(spans, (position, sys.maxsize)) - 1
    return at >= 0 and spans[at][0] <= position < spans[at][1]
