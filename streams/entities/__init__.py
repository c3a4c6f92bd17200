"""Named entities (people, organisations, places) of news articles, with canonical names."""

from streams.entities.api import extract, warm_up
from streams.entities.backend import EntityBackend, get_backend, set_backend
from streams.entities.model import LABELS, Entity, Label, Mention
from streams.entities.rules import RuleBackend

__all__ = [
    "LABELS",
    "Entity",
    "EntityBackend",
    "Label",
    "Mention",
    "RuleBackend",
    "extract",
    "get_backend",
    "set_backend",
    "warm_up",
]
