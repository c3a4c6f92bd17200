"""Cutting a capitalised run into names: titles and sentence-initial ordinary words drop out,
and a new name starts where a first name or a person's name follows a place or body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streams.entities.features import TokenInfo
from streams.entities.lexicon import Lexicon
from streams.entities.runs import SAINTS, is_acronym
from streams.entities.tokens import Token


@dataclass(slots=True)
class Segment:
    """Positions in the run of one name (particles included); whether a title preceded it."""

    positions: list[int]
    after_title: bool = False


_UNKNOWN = TokenInfo()


def _is_head(info: TokenInfo | None) -> bool:
    return info is not None and (info.org_head or info.loc_head or info.event_head)


def _starts_person(info: TokenInfo, current: Sequence[TokenInfo | None], nouns_capitalised: bool) -> bool:
    """A first name after words that are no name parts: "Białorusi | Aleksander Łukaszenko",
    "County Coroner | William McLaughlin". Not inside a body's name ("Fundacja Jana Pawła"),
    nor after a surname in surname-first order ("Kowalski Jan"). Where every noun is
    capitalised, words nothing is known of are nouns ("Schlussläuferin | Lena Hofbauer")."""
    if not info.first_name or not current:
        return False
    previous = current[-1]
    if previous is None or previous.first_name:
        return False
    if any(_is_head(i) for i in current):
        return False
    if nouns_capitalised and all(i is not None and i == _UNKNOWN for i in current):
        return True
    return not all(i is not None and i.person_like and not i.place for i in current)


def _leaves_place(info: TokenInfo, current: Sequence[TokenInfo | None]) -> bool:
    """A name after a place or body and its adjectives: "Korei Północnej | Kim Dzong Un"."""
    words = [i for i in current if i is not None]
    if not words or info.adjective or info.place or info.org or _is_head(info):
        return False
    if not (words[0].place or words[0].org) or words[0].first_name or words[0].surname:
        return False
    return all(i.place or i.org or i.adjective for i in words)


def _ordinary_opening(info: TokenInfo, following: TokenInfo | None, word: str, cues: Lexicon) -> bool:
    """Whether a capitalised word opening a sentence is just an ordinary word there. A word
    with an ordinary reading counts as a name only if it is a country or body ("Polska",
    "Niemcy", "CBOS"), a first name before a surname, or a modifier or head of a longer name
    ("Łódzki Związek ...", "Komisja Europejska"); SGJP's surname readings of nearly every
    noun ("Termin", "Wójt") do not count."""
    if not info.common:
        return False
    if info.major_place or info.org:
        return False
    if following is None:
        return True
    if info.first_name and (following.surname or following.person_like):
        return False
    if _is_head(info) or (info.adjective and following.place):
        return False
    if _is_head(following) and not cues.capitals_mark_names:
        # "Twin Lake", "Sandy Creek"; Polish names start with an agreeing adjective (above).
        return word.lower() in cues.determiners
    return not (info.place and (following.place or following.adjective) and not following.common)


def segments(
    run: Sequence[Token],
    infos: Sequence[TokenInfo | None],
    cues: Lexicon,
    *,
    genitive_names: bool = False,
    glued: frozenset[int] = frozenset(),
) -> list[Segment]:
    """Split one run (`infos[i]` is None for a particle). `genitive_names`: the language puts
    a place or body in the genitive right before a person's name (Polish "Prezydent Białorusi
    Aleksander Łukaszenko"), so a name may start after one. `glued`: positions that continue
    a known multi-word name ("Francisco" in "San Francisco") and never start a new one."""
    out: list[Segment] = []
    current: list[int] = []
    after_title = False

    def flush() -> None:
        nonlocal after_title
        while current and infos[current[-1]] is None:  # no trailing particle
            current.pop()
        if current:
            out.append(Segment(list(current), after_title))
            after_title = False
        current.clear()

    for pos, info in enumerate(infos):
        if info is None:  # a particle
            if current:
                current.append(pos)
            continue
        following = next((i for i in infos[pos + 1 :] if i is not None), None)
        is_title = info.title and following is not None and not _is_head(following)
        if (
            current
            and is_title
            and not any(i is not None and i.first_name for i in (infos[p] for p in current))
            # A Polish body's name goes on after its head: "Rada Polityki Pieniężnej" ("polityk"
            # is an office), "Kancelaria Prezydenta".
            and not (genitive_names and _is_head(infos[current[0]]))
        ):
            flush()  # "Russian President Vladimir Putin", "Bank of America CEO Brian Moynihan"
        if not current:
            if is_title:
                after_title = True
                continue
            if (
                run[pos].initial
                and pos + 1 not in glued  # it opens a known name: "Stany Zjednoczone nałożyły"
                and _ordinary_opening(info, following, run[pos].text, cues)
            ):
                continue  # "Według CBOS", "The band": an ordinary word opening a sentence
        elif pos not in glued:
            current_infos = [infos[p] for p in current]
            joined_by_ampersand = "&" in run[pos].gap and info.first_name
            # "szef NATO Mark Rutte", "CNN's Jake Tapper": a full name after a body's acronym;
            # a single word after one stays in the name ("AC Milan").
            after_acronym = (
                info.first_name
                and is_acronym(run[current[-1]].text)
                and following is not None
                and following.person_like
                and not following.place
            )
            after_saint = run[current[-1]].text in SAINTS
            if not after_saint and (
                joined_by_ampersand
                or after_acronym
                or _starts_person(info, current_infos, cues.capitalises_nouns)
                or (genitive_names and _leaves_place(info, current_infos))
            ):
                keep_title = after_title and not any(
                    i is not None and (i.first_name or i.surname) for i in current_infos
                )
                flush()
                # "Prezydent Białorusi Aleksander Łukaszenko": the title is the person's.
                after_title = keep_title
        current.append(pos)
    flush()
    return out
