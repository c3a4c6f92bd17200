"""Value types of entity extraction: labels, raw mentions from a backend, and linked entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Label = Literal["PER", "ORG", "LOC"]
LABELS: tuple[Label, ...] = ("PER", "ORG", "LOC")


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence found by a backend, before mentions are linked into entities.

    `name` is the backend's canonical form of this occurrence alone (for Polish: nominative);
    `weak` marks a label that is a guess from defaults rather than dictionary or cue evidence,
    so that linking may overrule it (a bare "Kim" after "Kim Dzong Un" is that person).
    """

    start: int
    end: int
    label: Label
    name: str
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity of one article: every mention of it, under one canonical name."""

    label: Label
    name: str
    surface_forms: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    count: int
