"""Newspapers, broadcasters and agencies named in quotes: „Gazety Wyborczej”, "New York Times".

A quoted capitalised title right after a media cue word ("dziennik", "the newspaper") is one
organisation, whatever its words would be read as alone: "New York Times" is neither the city
nor a person called Times. The same title quoted again later, declined or not ("New York
Timesa"), is the same organisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from streams.entities.classify import Decision, record
from streams.entities.features import Analyser
from streams.entities.model import Mention
from streams.entities.tokens import previous_word

# A quoted stretch of up to six words starting with a capital, closed on the same line.
_QUOTED = re.compile(r"[\"„“«]([^\W\d_][^\"„“”«»\n]{0,78}?)[\"”»]")
_MAX_WORDS = 6


def quoted_titles(text: str, analyser: Analyser, canonical: Callable[[Sequence[str]], str]) -> list[Mention]:
    """ORG mentions of the media titles quoted in `text`; `canonical(words)` gives a title's
    name (its nominative, where the language declines names)."""
    cues = analyser.cues.media_cues
    if not cues:
        return []
    quoted = []
    for match in _QUOTED.finditer(text):
        words = match.group(1).split()
        if not words[0][:1].isupper() or len(words) > _MAX_WORDS:
            continue
        before = previous_word(text, match.start())
        cued = (
            before is not None
            and not before[1].strip(' "„“«')
            and bool(analyser.context_lemmas(before[0]) & cues)
        )
        quoted.append((match.start(1), match.end(1), words, cued))
    names = {" ".join(w): canonical(w) for _, _, w, cued in quoted if cued}
    if not names:
        return []
    out = []
    for start, end, words, cued in quoted:
        name = (
            names.get(" ".join(words))
            if cued
            else _declined(words, names, canonical, analyser.cues.foreign_title_endings)
        )
        if name is not None:
            out.append(Mention(start, end, "ORG", name, weak=False))
            rule = "quoted title after a media cue" if cued else "quoted title seen after a cue"
            record(words, Decision("ORG", rule=rule))
    return out


def _declined(
    words: Sequence[str],
    names: dict[str, str],
    canonical: Callable[[Sequence[str]], str],
    endings: tuple[str, ...],
) -> str | None:
    """The name of a cued title these words repeat, as written or with a case ending added."""
    written = " ".join(words)
    if written in names:
        return names[written]
    for ending in endings:  # a foreign title declined on its last word ("Timesa", "Postem")
        if written.endswith(ending) and written[: -len(ending)] in names:
            return names[written[: -len(ending)]]
    # A title declined as the language declines its words ("Gazety Wyborczej" after „Gazeta
    # Wyborcza”).
    name = canonical(words)
    return name if name in names.values() else None
