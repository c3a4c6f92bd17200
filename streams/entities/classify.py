"""Choosing PER, ORG, LOC or nothing for one candidate name from its words and context.

The decision is an ordered list of named rules: FIRST for every candidate, then SINGLE (one
capitalised word) or MULTI (several); the first rule whose condition holds decides, and the last
of each list always holds. Each decision carries the rule's name, which
`python -m newsflow_tools.quality.ner --lang pl --explain TEXT` prints. A new rule goes where its
cases are not yet decided by an earlier one, with a sentence of its own in
tests/unit/test_classify_rules.py (a test fails for a rule without one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from streams.entities.features import Analyser, TokenInfo
from streams.entities.model import Label
from streams.entities.runs import SAINTS, is_acronym, is_roman


@dataclass(frozen=True, slots=True)
class Decision:
    label: Label | None
    weak: bool = False  # a default guess that linking may overrule
    skip_first: int = 0  # leading words that are not part of the name ("Japanese" in ...)
    rule: str = ""  # the name of the rule that decided (RULES), for --explain


def _head_label(infos: Sequence[TokenInfo | None], words: Sequence[str], head_first: bool) -> str:
    """The kind of the head noun among cue words: Polish heads come first ("Komisja
    Europejska"), English ones last, or last before "of" ("University of Halle")."""
    kinds: list[str] = []
    for word, info in zip(words, infos, strict=True):
        if info is None:
            if word in ("of", "for") and kinds and not head_first:
                break
            continue
        if info.event_head:
            kinds.append("event")
        elif info.org_head:
            kinds.append("ORG")
        elif info.loc_head:
            kinds.append("LOC")
    if not kinds:
        return ""
    return kinds[0] if head_first else kinds[-1]


class Candidate:
    """What every rule sees: one candidate name (its words and their evidence) and its context."""

    __slots__ = (
        "_phrase",
        "analyser",
        "before",
        "cues",
        "first",
        "head",
        "infos",
        "last",
        "names",
        "person_cue",
        "words",
    )

    def __init__(
        self,
        words: Sequence[str],
        infos: Sequence[TokenInfo | None],
        names: Sequence[TokenInfo],
        analyser: Analyser,
        before: frozenset[str],
        after_title: bool,
        head: str,
    ) -> None:
        self.words = words
        self.infos = infos
        self.names = names  # the evidence of the words that have some
        self.first = names[0] if names else TokenInfo()
        self.last = names[-1] if names else TokenInfo()
        self.analyser = analyser
        self.cues = analyser.cues
        self.before = before  # lemmas of the word right before the name
        self.person_cue = after_title or bool(before & self.cues.titles)
        self.head = head  # "ORG", "LOC", "event" or "": the head noun's kind (_head_label)
        self._phrase: Label | bool | None = False

    @property
    def phrase(self) -> Label | None:
        """The label of the whole phrase when it is a known name (gazetteers, companies)."""
        if self._phrase is False:
            self._phrase = self.analyser.phrase_label(self.words)
        return self._phrase  # type: ignore[return-value]

    def cued(self, cue_words: frozenset[str]) -> bool:
        return bool(self.before & cue_words)


@dataclass(frozen=True, slots=True)
class Rule:
    """When `when` holds, the candidate is `label` (None: no entity); `weak` marks a default guess.
    `label` may be read from the candidate (the known phrase's label, the head noun's kind)."""

    name: str
    when: Callable[[Candidate], bool]
    label: Label | Callable[[Candidate], Label | None] | None
    weak: bool = False

    def decide(self, c: Candidate) -> Label | None:
        return self.label(c) if callable(self.label) else self.label


_PER: Label = "PER"
_ORG: Label = "ORG"
_LOC: Label = "LOC"

# Tried first, whatever the number of words.
FIRST: tuple[Rule, ...] = (
    # "orkan Ksawery", "hurricane Katrina": storms are events
    Rule("event cue", lambda c: c.cued(c.cues.event_cues), None),
    Rule("hyphenated ordinary word", lambda c: len(c.words) == 1 and _hyphenated_ordinary(c), None),
    Rule("street cue", lambda c: c.cued(c.cues.street_cues), _LOC),  # "ul. Opatowicka"
    Rule("known name", lambda c: c.phrase is not None, lambda c: c.phrase),
    Rule("event head", lambda c: c.head == "event", None),  # "Festival", "Mistrzostwa"
    # "North Korean", "South African": nationality words
    Rule("nationality adjective", lambda c: _modified_demonym(c), None),
    Rule("head noun alone", lambda c: c.head == "LOC" and len(c.names) == 1 and not c.first.proper, None),
    Rule("head noun", lambda c: c.head in ("ORG", "LOC"), lambda c: c.head),  # type: ignore[arg-type,return-value]
)

# One capitalised word.
SINGLE: tuple[Rule, ...] = (
    Rule("nationality", lambda c: c.first.demonym and not c.first.major_place, None),
    Rule("known organisation", lambda c: c.first.org, _ORG),
    # "A", "II", or an office alone: "joined BCIT as President"
    Rule(
        "letter, numeral or office",
        lambda c: len(c.words[0]) < 2 or is_roman(c.words[0]) or c.first.title,
        None,
    ),
    # "im Sommer", "der Sommer": a noun, though a census has the name
    Rule(
        "noun after a determiner",
        lambda c: (
            c.cues.capitalises_nouns and c.cued(c.cues.determiners) and not (c.first.place or c.first.org)
        ),
        None,
    ),
    Rule("acronym of a place", lambda c: is_acronym(c.words[0]) and c.first.place, _LOC),
    Rule("acronym that is a word", lambda c: is_acronym(c.words[0]) and c.first.common, None),
    Rule("acronym", lambda c: is_acronym(c.words[0]), _ORG),
    Rule("person cue", lambda c: c.person_cue and c.first.person_like, _PER),
    Rule("organisation cue", lambda c: c.cued(c.cues.org_cues), _ORG),
    Rule("place cue", lambda c: c.cued(c.cues.loc_cues), _LOC),
    # "il Mose", "the Bill": an article before a first name alone
    Rule(
        "article before a first name",
        lambda c: (
            c.first.first_name and c.cued(c.cues.org_articles) and not (c.first.place or c.first.surname)
        ),
        None,
    ),
    # "Jan", "Adam": first names before villages of the same name
    Rule("first name", lambda c: c.first.first_name and not c.first.major_place, _PER),
    # "Kim", "Washington": places and surnames alike, linking may make it a person.
    Rule(
        "place or name", lambda c: c.first.place and (c.first.first_name or c.first.surname), _LOC, weak=True
    ),
    Rule("place", lambda c: c.first.place, _LOC),
    Rule("surname", lambda c: c.first.surname and (c.cues.capitals_mark_names or not c.first.common), _PER),
    # a capitalised ordinary word or adjective names nothing
    Rule("ordinary word", lambda c: c.first.common or c.first.adjective or not c.analyser.guesses, None),
    Rule(
        "place preposition or suffix",
        lambda c: c.cued(c.cues.loc_prepositions) or c.words[0].endswith(c.cues.place_suffixes),
        _LOC,
        weak=True,
    ),
    # "the Pirates", "the Nazarenes": people's names take no article
    Rule("article: a body", lambda c: c.cued(c.cues.org_articles), _ORG, weak=True),
    # An unknown capitalised word inside a sentence: most often a surname in news.
    Rule("unknown word", lambda c: True, _PER, weak=True),
)

# Two or more capitalised words.
MULTI: tuple[Rule, ...] = (
    Rule("acronym first", lambda c: is_acronym(c.words[0]) and not c.first.place, _ORG),  # "FC Basel"
    Rule("syllabic name", lambda c: _syllabic_name(c.words, c.names), _PER),  # "Kim Dzong Un"
    Rule("has an organisation", lambda c: any(i.org for i in c.names), _ORG),
    # "Burmistrz Nowego Jorku": adjectives before a word naming only a place
    Rule(
        "adjectives before a place",
        lambda c: (
            c.last.place
            and not c.last.person_like
            and all(i.adjective and not i.first_name for i in c.names[:-1])
        ),
        _LOC,
    ),
    Rule("person cue, several words", lambda c: c.person_cue and any(i.person_like for i in c.names), _PER),
    Rule(
        "first name and more",
        lambda c: c.first.first_name and (c.last.surname or not all(i.place for i in c.names)),
        _PER,
    ),
    Rule(
        "places and adjectives",
        lambda c: (c.first.place or c.first.adjective) and all(i.place or i.adjective for i in c.names),
        _LOC,
    ),
    # "West Africa", "Greater Poland", "Old Goa"
    Rule(
        "place modifier",
        lambda c: c.words[0].lower() in c.cues.place_modifiers and (c.last.place or c.last.demonym),
        _LOC,
    ),
    # "Minister Spraw Zagranicznych", "Former Members"
    Rule("ordinary words", lambda c: all(i.common and not i.proper for i in c.names), None),
    Rule(
        "nationality phrase", lambda c: c.last.demonym and all(i.common or i.demonym for i in c.names), None
    ),
    Rule("organisation cue, several words", lambda c: c.cued(c.cues.org_cues), _ORG),
    Rule("place cue, several words", lambda c: c.cued(c.cues.loc_cues), _LOC),
    Rule("saint", lambda c: c.words[0] in SAINTS, _LOC, weak=True),  # "San Marco", "Santa Cruz"
    Rule("no guessing", lambda c: not c.analyser.guesses, None),
    Rule("surname last", lambda c: c.last.surname or all(i.person_like for i in c.names), _PER, weak=True),
    Rule("unknown words: a body", lambda c: True, _ORG, weak=True),
)

RULES: dict[str, tuple[Rule, ...]] = {"first": FIRST, "single": SINGLE, "multi": MULTI}
_ONE_WORD, _MORE_WORDS = FIRST + SINGLE, FIRST + MULTI

# Set by explaining(): every classify() call appends (words, decision) to it.
_TRACE: ContextVar[list[tuple[tuple[str, ...], Decision]] | None] = ContextVar("classify_trace", default=None)


@contextmanager
def explaining() -> Iterator[list[tuple[tuple[str, ...], Decision]]]:
    """Record the decisions classify() takes inside the block: (the candidate's words, decision)."""
    trace: list[tuple[tuple[str, ...], Decision]] = []
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)


def explaining_now() -> bool:
    """Inside explaining(): caches of earlier decisions are to be bypassed."""
    return _TRACE.get() is not None


def classify(
    words: Sequence[str],
    infos: Sequence[TokenInfo | None],
    analyser: Analyser,
    before: frozenset[str],
    after_title: bool,
) -> Decision:
    """Decide the label of one segment. `before`: lemmas of the word right before it."""
    names = [i for i in infos if i is not None]
    head = _head_label(infos, words, analyser.cues.heads_first)
    skip = 0
    if not head:
        # "Japanese Punk Techno band", "Austriak Lukas Pichler": a leading nationality word is
        # no part of the name.
        while skip < len(names) - 1 and names[skip].demonym:
            skip += 1
        if skip:
            words, infos, names = words[skip:], infos[skip:], names[skip:]
    c = Candidate(words, infos, names, analyser, before, after_title, head)
    for rule in _ONE_WORD if len(names) == 1 else _MORE_WORDS:
        if rule.when(c):
            break
    decision = Decision(rule.decide(c), rule.weak, skip, rule.name)  # the last rule always holds
    record(words, decision)
    return decision


def record(words: Sequence[str], decision: Decision) -> None:
    """Add a decision to the trace of explaining(), if one is being taken."""
    trace = _TRACE.get()
    if trace is not None:
        trace.append((tuple(words), decision))


def _modified_demonym(c: Candidate) -> bool:
    return (
        len(c.names) > 1 and c.last.demonym and all(w.lower() in c.cues.place_modifiers for w in c.words[:-1])
    )


def _syllabic_name(words: Sequence[str], names: Sequence[TokenInfo]) -> bool:
    """ "Kim Dzong Un", "Mun Dze In": an East Asian name transcribed syllable by syllable, three
    or more short words of which none but the first is an ordinary word, an adjective, a place
    or a European name, unless it has 3 letters or fewer (the family name often spells one: "Kim"
    is also "kto"; so do short syllables: "In" is a river, "Un" an acronym)."""
    if len(words) < 3 or len(names) != len(words) or any(len(w) > 5 or is_acronym(w) for w in words):
        return False
    return not any(
        len(w) > 3 and (i.common or i.adjective or i.place or i.first_name or i.surname)
        for w, i in zip(words[1:], names[1:], strict=True)
    )


def _hyphenated_ordinary(c: Candidate) -> bool:
    """ "Hands-on", "AI-generated", "US-led": a compound whose last part is in lower case is an
    ordinary word. Not where a hyphen joins a case ending to a name (Polish "PiS-u")."""
    word = c.words[0]
    if c.cues.hyphen_case_endings or "-" not in word:
        return False
    last = word.rsplit("-", 1)[1]
    return last[:1].islower()
