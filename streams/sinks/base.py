"""What a document sink promises the index agent, so a topology test can swap in the memory twin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ItemFailure:
    """One bulk operation Elasticsearch refused for good (never retried)."""

    position: int  # index of the operation (action + body pair) in the written batch
    doc_id: str
    status: int
    error_type: str
    reason: str


class DocumentSink(Protocol):
    async def ensure_index(self) -> None: ...

    async def write(self, operations: list[dict[str, Any]]) -> list[ItemFailure]:
        """Write bulk lines (action, body, action, body, ...). Transient failures are retried
        inside until they succeed; returns the operations refused permanently."""
        ...

    async def set_refresh_interval(self, interval: str, refresh_now: bool = False) -> None:
        """How often written documents become searchable (streams.refresh decides when to change
        it); `refresh_now`: and make those written so far searchable at once."""
        ...

    async def close(self) -> None: ...
