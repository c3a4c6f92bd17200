"""Choosing PER, ORG, LOC or nothing for one candidate name from its words and context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streams.entities.features import Analyser, TokenInfo
from streams.entities.model import Label
from streams.entities.runs import SAINTS, is_acronym, is_roman

# Words that, right before a name, say it is a street or square (KPWr and NKJP count these
# as places): "ul. Opatowicka", "przy alei Róż".
_STREET_CUES = frozenset({"ul", "ulica", "al", "aleja", "pl", "plac", "os", "osiedle", "rondo"})


@dataclass(frozen=True, slots=True)
class Decision:
    label: Label | None
    weak: bool = False  # a default guess that linking may overrule
    skip_first: int = 0  # leading words that are not part of the name ("Japanese" in ...)


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
    label = _decide(words, infos, names, analyser, before, after_title, head)
    return Decision(label[0], label[1], skip)


def _decide(
    words: Sequence[str],
    infos: Sequence[TokenInfo | None],
    names: Sequence[TokenInfo],
    analyser: Analyser,
    before: frozenset[str],
    after_title: bool,
    head: str,
) -> tuple[Label | None, bool]:
    cues = analyser.cues
    person_cue = after_title or bool(before & cues.titles)
    if before & cues.event_cues:
        return None, False  # "orkan Ksawery", "hurricane Katrina": storms are events
    if len(words) == 1 and _hyphenated_ordinary(words[0], analyser.lang):
        return None, False
    if before & _STREET_CUES:
        return "LOC", False
    whole = analyser.phrase_label(words)
    if whole is not None:
        return whole, False
    if head == "event":
        return None, False
    if len(names) > 1 and names[-1].demonym and all(w.lower() in cues.place_modifiers for w in words[:-1]):
        return None, False  # "North Korean", "South African": nationality words
    if head == "LOC" and len(names) == 1 and not names[0].proper:
        return None, False  # "River", "Platz" alone name no place
    if head in ("ORG", "LOC"):
        return head, False  # type: ignore[return-value]
    first = names[0]
    if len(names) == 1:
        return _single(words[0], first, cues_before=before, analyser=analyser, person_cue=person_cue)
    if is_acronym(words[0]) and not first.place:
        return "ORG", False  # "MKS Bzura Ozorków", "FC Basel"
    if _syllabic_name(words, names):
        return "PER", False
    if any(i.org for i in names):
        return "ORG", False
    if (
        names[-1].place
        and not names[-1].person_like
        and all(i.adjective and not i.first_name for i in names[:-1])
    ):
        return "LOC", False  # "Burmistrz Nowego Jorku": adjectives before a word naming only a place
    if person_cue and any(i.person_like for i in names):
        return "PER", False
    if first.first_name and (names[-1].surname or not all(i.place for i in names)):
        return "PER", False
    if (first.place or first.adjective) and all(i.place or i.adjective for i in names):
        return "LOC", False
    if words[0].lower() in cues.place_modifiers and (names[-1].place or names[-1].demonym):
        return "LOC", False  # "West Africa", "Greater Poland", "Old Goa"
    if all(i.common and not i.proper for i in names):
        return None, False  # "Minister Spraw Zagranicznych", "Former Members"
    if names[-1].demonym and all(i.common or i.demonym for i in names):
        return None, False  # "North Korean"
    if before & cues.org_cues:
        return "ORG", False
    if before & cues.loc_cues:
        return "LOC", False
    if words[0] in SAINTS:
        return "LOC", True  # "San Marco", "Santa Cruz"
    if not analyser.guesses:
        return None, False
    if names[-1].surname or all(i.person_like for i in names):
        return "PER", True
    return "ORG", True


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


def _hyphenated_ordinary(word: str, lang: str) -> bool:
    """ "Hands-on", "AI-generated", "US-led": a compound whose last part is in lower case is an
    ordinary word. Not in Polish, where a hyphen joins a case ending to an acronym ("PiS-u")."""
    if lang == "pl" or "-" not in word:
        return False
    last = word.rsplit("-", 1)[1]
    return last[:1].islower()


def _single(
    word: str,
    info: TokenInfo,
    *,
    cues_before: frozenset[str],
    analyser: Analyser,
    person_cue: bool,
) -> tuple[Label | None, bool]:
    cues = analyser.cues
    if info.demonym and not info.major_place:
        return None, False
    if info.org:
        return "ORG", False
    if len(word) < 2 or is_roman(word) or info.title:
        return None, False  # "A", "II", or an office alone: "joined BCIT as President"
    if cues.capitalises_nouns and cues_before & cues.determiners and not (info.place or info.org):
        return None, False  # "im Sommer", "der Sommer": a noun, though a census has the name
    if is_acronym(word):
        if info.place:
            return "LOC", False
        return (None, False) if info.common else ("ORG", False)
    if person_cue and info.person_like:
        return "PER", False
    if cues_before & cues.org_cues:
        return "ORG", False
    if cues_before & cues.loc_cues:
        return "LOC", False
    if info.first_name and cues_before & cues.org_articles and not (info.place or info.surname):
        return None, False  # "il Mose", "the Bill": an article before a first name alone
    if info.first_name and not info.major_place:
        return "PER", False  # "Jan", "Adam": first names before villages of the same name
    if info.place:
        # "Kim", "Washington": places and surnames alike, linking may make it a person.
        return "LOC", info.first_name or info.surname
    if info.first_name or (info.surname and (cues.capitals_mark_names or not info.common)):
        return "PER", False
    if info.common or info.adjective or not analyser.guesses:
        return None, False  # a capitalised ordinary word or adjective names nothing
    if cues_before & cues.loc_prepositions or word.endswith(cues.place_suffixes):
        return "LOC", True
    if cues_before & cues.org_articles:
        return "ORG", True  # "the Pirates", "the Nazarenes": people's names take no article
    # An unknown capitalised word inside a sentence: most often a surname in news.
    return "PER", True
