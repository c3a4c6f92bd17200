"""Grouping one article's mentions into entities: same canonical name, a later surname or
first name alone ("Putin", "Kim"), a body's first word alone when it was only a guess
("Veridian" after "Veridian Semiconductors"), a body's head noun alone when exactly one body
of the article has it ("the Commission" and "European Commission", "Rady" and "Rada Polityki
Pieniężnej"), or an acronym given in brackets after the full name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from streams.entities.lexicon import lexicon
from streams.entities.model import Entity, Label, Mention
from streams.entities.runs import is_acronym

# Case endings a Polish surname unknown to the dictionary takes in a short mention
# ("Pieskowa", "Pieskowowi"): stripped to find the name's earlier full mention.


@dataclass(slots=True)
class _Group:
    label: Label
    name: str
    words: tuple[str, ...] = ()
    spans: list[tuple[int, int]] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.words = tuple(self.name.split())

    def add(self, mention: Mention, text: str) -> None:
        self.spans.append((mention.start, mention.end))
        surface = text[mention.start : mention.end]
        if surface not in self.surfaces:
            self.surfaces.append(surface)

    def entity(self) -> Entity:
        return Entity(self.label, self.name, tuple(self.surfaces), tuple(self.spans), len(self.spans))


def short_forms(name: str, endings: tuple[str, ...]) -> list[str]:
    """A short mention and its stems without one of the language's case endings ("Pieskowa")."""
    return [name, *(name[: -len(e)] for e in endings if name.endswith(e) and len(name) > len(e) + 2)]


def _person_with(word: str, people: dict[str, _Group], lang: str) -> _Group | None:
    """The most recent multi-word person whose name contains `word` (or its stem)."""
    for form in short_forms(word, lexicon(lang).name_endings):
        found = people.get(form)
        if found is not None:
            return found
    return None


def _initials(name: str) -> str:
    return "".join(sorted(w[0].upper() for w in name.split() if w[:1].isupper()))


def link(mentions: Sequence[Mention], text: str, lang: str) -> list[Entity]:
    groups: list[_Group] = []
    by_key: dict[tuple[str, str], _Group] = {}
    aliases: dict[str, _Group] = {}
    people: dict[str, _Group] = {}  # word of a multi-word person's name -> latest such person
    bodies: dict[str, _Group] = {}  # first word of a multi-word organisation -> latest such
    previous: Mention | None = None
    previous_group: _Group | None = None
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        target: _Group | None = aliases.get(m.name)
        single = " " not in m.name
        if target is None and single and (m.label == "PER" or m.weak):
            target = _person_with(m.name, people, lang)
        if target is None and single and m.weak:
            target = bodies.get(m.name)  # "Veridian Semiconductors", later "Veridian"
        if (
            target is None
            and is_acronym(m.name)
            and previous is not None
            and previous_group is not None
            and previous_group.label == "ORG"
            and text[previous.end : m.start].strip() == "("
            and _initials(previous_group.name) == "".join(sorted(m.name.upper()))
        ):
            target = aliases[m.name] = previous_group  # "Białoruski Front Narodowy (BNF)"
        if target is None and m.weak:
            target = next((g for g in reversed(groups) if g.name == m.name), None)
        if target is None:
            target = by_key.get((m.label, m.name))
        if target is None:
            target = by_key[(m.label, m.name)] = _Group(m.label, m.name)
            groups.append(target)
            if target.label == "PER" and len(target.words) > 1:
                people.update(dict.fromkeys(target.words, target))
            elif target.label == "ORG" and len(target.words) > 1:
                bodies[target.words[0]] = target
        target.add(m, text)
        previous, previous_group = m, target
    return [g.entity() for g in _link_forward(groups, lang)]


def _link_forward(groups: list[_Group], lang: str) -> list[_Group]:
    """A surname alone before the full name (a headline "Putin", then "Władimir Putin"), a
    body's head noun alone, before or after its full name ("zgoda Komisji" and "Komisja
    Europejska"), when only one body of the article has that head, and a place's likewise."""
    people = [g for g in groups if g.label == "PER" and len(g.words) > 1]
    bodies = [g for g in groups if g.label == "ORG" and len(g.words) > 1]
    cues = lexicon(lang)
    # Where heads come first ("Korea Północna"); where they come last the word alone is as often
    # another place ("Japan" beside "Sea of Japan", "Manchester" beside "Greater Manchester").
    places = [g for g in groups if g.label == "LOC" and len(g.words) > 1] if cues.heads_first else []
    org_heads = cues.org_heads
    kept: list[_Group] = []
    for group in groups:
        if group.label == "ORG" and len(group.words) == 1 and group.name.lower() in org_heads:
            matches = [b for b in bodies if group.name in b.words]
            if len(matches) == 1:
                _merge_into(matches[0], group)
                continue
        if places and group.label == "LOC" and len(group.words) == 1:
            # "Korea Północna ... Korea", "Stany Zjednoczone ... Stany": a place's head alone,
            # when only one place of the article has that head.
            matches = [p for p in places if p.words[0] == group.name]
            if len(matches) == 1:
                _merge_into(matches[0], group)
                continue
        if people and group.label == "PER" and len(group.words) == 1:
            forms = short_forms(group.name, cues.name_endings)
            matches = [p for p in people if any(f in p.words for f in forms)]
            if len(matches) == 1:
                _merge_into(matches[0], group)
                continue
        kept.append(group)
    return sorted(kept, key=lambda g: g.spans[0])


def _merge_into(full: _Group, short: _Group) -> None:
    """Surface forms stay in the order they first appear in the text."""
    first, second = (short, full) if short.spans[0] < full.spans[0] else (full, short)
    full.surfaces = list(dict.fromkeys(first.surfaces + second.surfaces))
    full.spans = sorted(full.spans + short.spans)
