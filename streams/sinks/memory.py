"""An in-memory twin of the Elasticsearch sink for topology tests: same bulk semantics, no network."""

from __future__ import annotations

import copy
from typing import Any

from streams import documents
from streams.sinks.base import ItemFailure


class MemorySink:
    def __init__(
        self, reject_ids: frozenset[str] = frozenset(), poison_ids: frozenset[str] = frozenset()
    ) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.requests = 0
        self.reject_ids = reject_ids  # refused item by item, like a mapping error
        self.poison_ids = poison_ids  # fail the whole request they are in, like a body the server cannot read
        self.refresh_intervals: list[str] = []  # every interval set, in order

    async def ensure_index(self) -> None:
        return None

    async def write(self, operations: list[dict[str, Any]]) -> list[ItemFailure]:
        self.requests += 1
        ids = {next(iter(action.values()))["_id"] for action in operations[::2]}
        if ids & self.poison_ids:
            raise ValueError(f"request refused as a whole: it holds {sorted(ids & self.poison_ids)}")
        failures = []
        for pos in range(0, len(operations), 2):
            action, body = operations[pos], operations[pos + 1]
            ((op, meta),) = action.items()
            doc_id = meta["_id"]
            if doc_id in self.reject_ids:
                failures.append(ItemFailure(pos // 2, doc_id, 400, "mapper_parsing_exception", "rejected"))
                continue
            if op == "create" and doc_id in self.docs:
                # What ElasticsearchSink does with the 409: the update that keeps first_seen_at.
                action, body = documents.update_after_conflict(action, body)
                op = "update"
            if op == "update":
                if doc_id in self.docs:
                    _merge(self.docs[doc_id], body["doc"])
                elif "upsert" in body:
                    self.docs[doc_id] = copy.deepcopy(body["upsert"])
                else:
                    failures.append(ItemFailure(pos // 2, doc_id, 404, "document_missing_exception", ""))
            else:
                self.docs[doc_id] = copy.deepcopy(body)
        return failures

    async def set_refresh_interval(self, interval: str, refresh_now: bool = False) -> None:
        self.refresh_intervals.append(interval + (" +refresh" if refresh_now else ""))

    async def close(self) -> None:
        return None


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    # Elasticsearch's partial update: objects merge key by key, everything else is replaced.
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
