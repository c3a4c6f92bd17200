"""Nominative forms of inflected Polish names: "Stanów Zjednoczonych" -> "Stany Zjednoczone"."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from streams.entities.lexicon import POLISH
from streams.entities.model import Label
from streams.morphology.morfeusz import Reading, analyse_word, forms
from streams.morphology.territories import place_names

CASES = ("nom", "gen", "acc", "dat", "inst", "loc", "voc")
NOUNS = frozenset({"subst", "depr"})
ADJECTIVES = frozenset({"adj", "ppas", "pact"})
PERSON_NAMES = frozenset(
    {
        "imię",
        "nazwisko",
        "nazwisko_(odmężowskie)",
        "nazwisko_(odojcowskie)",
        "nazwa_własna_osoby",
        "pseudonim",
        "przydomek",
        "patronimicum",
    }
)
PLACE_NAMES = frozenset({"nazwa_geograficzna", "człon_nazwy_geograficznej", "nazwa_własna_budowli"})
ORG_NAMES = frozenset(
    {
        "nazwa_organizacji",
        "nazwa_firmy",
        "nazwa_instytucji",
        "człon_nazwy_organizacji",
        "człon_nazwy_firmy",
        "człon_nazwy_instytucji",
    }
)
_LABEL_NAMES: dict[Label, frozenset[str]] = {
    "PER": PERSON_NAMES,
    "LOC": PLACE_NAMES,
    "ORG": ORG_NAMES,
}

# Endings a declined surname unknown to the dictionary takes, by case and gender of the
# first name next to it ("Dmitrija Pieskowa" -> "Pieskow"); only the unambiguous ones.
_MASCULINE_ENDINGS = {"gen": ("a",), "acc": ("a",), "dat": ("owi",), "inst": ("em",)}
_FEMININE_ENDINGS = {"gen": ("y", "i"), "dat": ("ie",), "inst": ("ą",)}


def readings(word: str) -> tuple[Reading, ...]:
    """Readings a news text plausibly means: no archaic, dialectal or slang ones."""
    return tuple(r for r in analyse_word(word) if not r.rare)


def match_case(form: str, surface: str) -> str:
    """Give a generated form the capitalisation of the word it replaces."""
    if len(surface) > 1 and surface.isupper():
        return form.upper()
    if surface[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


@lru_cache(maxsize=50_000)
def canonical_name(words: tuple[str, ...], label: Label) -> str:
    """The nominative of a Polish name; words it cannot analyse stay as written."""
    if label == "PER":
        return " ".join(_person(words))
    return " ".join(_phrase(words, label))


# Polish declines a foreign name whose written end is not pronounced as spelled with the ending
# after an apostrophe ("Jake'a", "Mike'owi", "Joe'go", "Harry'ego", "Steve'em"). The ending names
# the case, and the case of the whole name: "Jake'a Sullivana" is a genitive, "Sullivan" its
# nominative. Endings shared by several cases give the one whose surname ending we strip.
_APOSTROPHE_CASES = {
    "a": "gen",
    "go": "gen",
    "ego": "gen",
    "owi": "dat",
    "mu": "dat",
    "emu": "dat",
    "em": "inst",
    "m": "inst",
}
_APOSTROPHES = "'’"


def _apostrophe_case(word: str) -> tuple[str, str | None]:
    """("Jake", "gen") for "Jake'a"; the word and None when no case ending follows an apostrophe."""
    for mark in _APOSTROPHES:
        stem, sep, ending = word.rpartition(mark)
        if sep and len(stem) >= 2 and ending.lower() in _APOSTROPHE_CASES:
            return stem, _APOSTROPHE_CASES[ending.lower()]
    return word, None


def _person(words: Sequence[str]) -> list[str]:
    marked = [_apostrophe_case(w) for w in words]
    hinted = next((case for _, case in marked if case is not None), None)
    if hinted is not None:
        # Dictionary words in that case; the others lose its masculine ending (an apostrophe
        # ending is what men's names take in practice).
        stems = [stem for stem, _ in marked]
        return _person_words(stems, [_person_readings(w) for w in stems], hinted, masculine=True)
    options = [_person_readings(w) for w in words]
    known = [opts for opts in options if opts]
    case = next(
        (c for c in CASES if known and all(any(c in r.field(2) for r in opts) for opts in known)),
        None,
    )
    return _person_words(words, options, case)


def _person_words(
    words: Sequence[str], options: Sequence[Sequence[Reading]], case: str | None, masculine: bool = False
) -> list[str]:
    gender: frozenset[str] = frozenset({"m1"}) if masculine else frozenset()
    out: list[str] = []
    for word, opts in zip(words, options, strict=True):
        fitting = [r for r in opts if case is None or case in r.field(2)]
        if fitting:
            best = min(fitting, key=lambda r: (not (r.names & PERSON_NAMES), "pl" in r.field(1)))
            gender = gender or best.field(3)
            out.append(match_case(best.lemma, word))
        elif case is not None and case != "nom":
            out.append(_strip_case_ending(word, case, gender))
        else:
            out.append(_strip_foreign_ending(word) if word[:1].isupper() else word)
    return out


def _strip_foreign_ending(word: str) -> str:
    """A foreign name declined as Polish masculine nouns are: instrumental "Bidenem", dative
    "Trumpowi" (nominatives practically never end so); other cases are too ambiguous."""
    for ending in ("owi", "em"):
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return _unsoften(word[: -len(ending)], ending)
    return word


def _unsoften(stem: str, ending: str) -> str:
    """Polish spells k and g before e as ki, gi: "Jinpingiem", "Dickiem" are "Jinping", "Dick"."""
    if ending.startswith("e") and stem.endswith(("ki", "gi")) and len(stem) >= 4:
        return stem[:-1]
    return stem


def _person_readings(word: str) -> list[Reading]:
    rs = [r for r in readings(word) if r.pos in NOUNS or r.pos == "adj"]
    named = [r for r in rs if r.names & PERSON_NAMES]
    if named:
        return named
    # A surname the dictionary knows only as an ordinary noun ("Kret", "Sęk"); not a pronoun
    # ("Kim" is also "kto").
    return [r for r in rs if r.pos in NOUNS and "nazwa_pospolita" in r.names]


def _strip_case_ending(word: str, case: str, gender: frozenset[str]) -> str:
    feminine = "f" in gender
    for ending in (_FEMININE_ENDINGS if feminine else _MASCULINE_ENDINGS).get(case, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            return stem + "a" if feminine else _unsoften(stem, ending)
    return word


def _agrees(r: Reading, case: str, number: str, gender: str) -> bool:
    return r.pos in ADJECTIVES and case in r.field(2) and number in r.field(1) and gender in r.field(3)


def _adjectives_only(words: Sequence[str], options: Sequence[tuple[Reading, ...]]) -> list[str]:
    """A name that is an adjective agreeing with an unspoken noun: a street ("ul.
    Opatowicką" -> "Opatowicka", after "ulica"), a district, a county."""
    for r in options[0]:
        if r.pos not in ADJECTIVES:
            continue
        for number in sorted(r.field(1)):
            # Feminine first: "ulica", "aleja", "gmina" are the usual unspoken nouns.
            for gender in sorted(r.field(3), key=lambda g: (g != "f", g)):
                for case in sorted(r.field(2), key=lambda c: CASES.index(c) if c in CASES else 9):
                    if all(any(_agrees(o, case, number, gender) for o in opts) for opts in options):
                        if case == "nom":
                            return list(words)
                        return [
                            _adjective_form(w, opts, case, number, gender)
                            for w, opts in zip(words, options, strict=True)
                        ]
    return list(words)


# Feminine adjective endings of oblique cases and their nominative, for adjectival names the
# dictionary lacks (streets: "ul. Opatowickiej" -> "Opatowicka").
_FEMININE_ADJECTIVE_ENDINGS = (
    ("skiej", "ska"),
    ("ckiej", "cka"),
    ("dzkiej", "dzka"),
    ("owej", "owa"),
    ("nej", "na"),
    ("ską", "ska"),
    ("cką", "cka"),
    ("dzką", "dzka"),
    ("ową", "owa"),
    ("ną", "na"),
)


def _unknown_adjective(word: str) -> str:
    for ending, nominative in _FEMININE_ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + nominative
    return word


def _phrase(words: Sequence[str], label: Label) -> list[str]:
    options = [readings(w) for w in words]
    if all(r.pos == "ign" for opts in options for r in opts):
        return [_unknown_adjective(w) for w in words] if label == "LOC" else list(words)
    if label == "ORG" and any(all(r.pos == "ign" for r in opts) for opts in options):
        # A foreign body's name ("New York Times", "Deutsche Bank"): declining its Polish-looking
        # words would make "Newy York"; it stays as written.
        return list(words)
    if all(options) and not any(r.pos in NOUNS for opts in options for r in opts):
        return _adjectives_only(words, options)
    wanted = _LABEL_NAMES[label]
    # The ordinary noun heading a body's or a place's name ("Rada", "Morze"), not a surname or
    # first name spelled the same ("Rada" would otherwise come back as "Rado").
    heads = POLISH.org_heads if label == "ORG" else POLISH.loc_heads if label == "LOC" else frozenset()
    countries = place_names("pl")
    best: tuple[tuple[int, ...], int, Reading, str] | None = None
    # The head is the first noun not better read as an adjective agreeing with a later noun:
    # "Białoruskiego" in "Białoruskiego Frontu Narodowego" is also a surname, but "Frontu"
    # with both neighbours agreeing is the better head.
    for head, head_options in enumerate(options):
        if head and not any(r.pos in ADJECTIVES for r in options[head - 1]):
            break
        for r in head_options:
            if r.pos not in NOUNS:
                continue
            number = "pl" if "pl" in r.field(1) and "sg" not in r.field(1) else "sg"
            for gender in r.field(3) or frozenset({""}):
                for case in r.field(2):
                    agreeing = _agreeing_span(options, head, case, number, gender)
                    if agreeing is None:
                        continue
                    score = (
                        0 if r.names & wanted else 1,
                        0 if r.lemma in heads else 1,
                        -agreeing,
                        1 if number == "pl" and "pt" not in r.tag else 0,
                        0 if r.proper == words[head][:1].isupper() else 1,
                        0 if r.lemma in countries else 1,
                        CASES.index(case) if case in CASES else len(CASES),
                    )
                    if best is None or score < best[0]:
                        best = (score, head, r, f"{case}:{number}:{gender}")
    if best is None:
        return list(words)
    _score, head, head_reading, agreement = best
    case, number, gender = agreement.split(":")
    if case == "nom":
        return list(words)
    out = list(words)
    for i in range(head):
        out[i] = _adjective_form(words[i], options[i], case, number, gender)
    out[head] = match_case(_noun_form(head_reading, number, gender), words[head])
    for i in range(head + 1, len(words)):
        if not any(_agrees(r, case, number, gender) for r in options[i]):
            break
        out[i] = _adjective_form(words[i], options[i], case, number, gender)
    return out


def _agreeing_span(
    options: Sequence[tuple[Reading, ...]], head: int, case: str, number: str, gender: str
) -> int | None:
    """How many words agree with the head read so; None if a word before it does not."""
    if not all(any(_agrees(r, case, number, gender) for r in opts) for opts in options[:head]):
        return None
    count = head
    for opts in options[head + 1 :]:
        if not any(_agrees(r, case, number, gender) for r in opts):
            break
        count += 1
    return count


def _noun_form(r: Reading, number: str, gender: str) -> str:
    if number == "sg" or "pt" in r.tag:
        return r.lemma
    for form, tag in forms(r.raw_lemma):
        parts = tag.split(":")
        if (
            parts[0] in NOUNS
            and len(parts) > 3
            and "pl" in parts[1].split(".")
            and "nom" in parts[2].split(".")
        ):
            return form
    return r.lemma


def _adjective_form(word: str, opts: Sequence[Reading], case: str, number: str, gender: str) -> str:
    for r in opts:
        if not _agrees(r, case, number, gender):
            continue
        for form, tag in forms(r.raw_lemma):
            parts = tag.split(":")
            if (
                parts[0] == r.pos
                and len(parts) > 3
                and number in parts[1].split(".")
                and "nom" in parts[2].split(".")
                and gender in parts[3].split(".")
                and "neg" not in parts
                and parts[-1] not in ("com", "sup")
            ):
                return match_case(form, word)
    return word
