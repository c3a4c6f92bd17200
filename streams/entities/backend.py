"""The backend contract (so a statistical model can replace the rules) and the default one."""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from streams.entities.model import Mention


@runtime_checkable
class EntityBackend(Protocol):
    """Finds mentions in one text. A spaCy or transformer model fits behind this: return its
    PER/ORG/LOC spans as Mentions (name = the span text or a lemmatised form) and let
    `extract` link them into entities."""

    def mentions(self, text: str, lang: str) -> list[Mention]: ...

    def warm_up(self, lang: str) -> None:
        """Load whatever `lang` needs now, so the first article does not pay for it."""
        ...


_lock = threading.Lock()
_default: EntityBackend | None = None


def get_backend() -> EntityBackend:
    """The process-wide default backend (the rule backend unless replaced)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from streams.entities.rules import RuleBackend

                _default = RuleBackend()
    return _default


def set_backend(backend: EntityBackend | None) -> None:
    """Replace the default backend; None restores the rule backend on next use."""
    global _default
    with _lock:
        _default = backend
