"""When the index should refresh less often: while a worker drains a backlog (pure).

Each refresh turns the documents written since the last one into a new segment, and small
segments are merged again later: at one refresh a second, a worker draining a backlog at a few
hundred articles a second spends about as much of Elasticsearch's CPU on refreshes and merges as
on indexing (`newsflow bench`, `es_work`). Nobody waits for a document that is already seconds
late to become searchable a second sooner, so while the articles a worker indexes are older than
`behind_s` (their Kafka timestamps), the index refreshes every `backlog_interval` instead; once
the worker is caught up (under half of `behind_s`), or has nothing to index for `idle_s`, the
template's interval is back and the index is refreshed at once, so the backlog's last documents
are searchable as soon as they are written.

The slow interval bounds the harm of a worker that dies while it is set: documents are then
searchable within `backlog_interval`, and the next worker to start puts the template's back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RefreshPolicy:
    normal_interval: str = "1s"
    backlog_interval: str = "30s"
    behind_s: float = 5.0
    idle_s: float = 0.5  # a backlog's batches come every NEWSFLOW_BULK_SECONDS (0.25)
    reassert_s: float = 60.0  # while behind, set again (another worker may have restored it)
    slow: bool = False
    busy: bool = False  # a batch is being indexed: a slow bulk request is no silence
    last_batch_at: float = 0.0
    last_set_at: float = float("-inf")

    def begin(self) -> None:
        """A batch is taken: until on_batch(), the worker is not idle, however long it takes."""
        self.busy = True

    def on_batch(self, now: float, oldest_event_at: float) -> str | None:
        """A batch whose oldest article was written to Kafka at `oldest_event_at`: the interval
        to set now, or None to leave it as it is. Slowed down past `behind_s`, back under half
        of it, so a worker hovering around the threshold does not switch at every batch."""
        self.last_batch_at = now
        self.busy = False
        lag = now - oldest_event_at
        if lag > self.behind_s and (not self.slow or now - self.last_set_at >= self.reassert_s):
            return self._set(True, now)
        if lag < self.behind_s / 2 and self.slow:
            return self._set(False, now)
        return None

    def on_tick(self, now: float) -> str | None:
        """Called a few times a second: caught up by silence (the backlog ended with its last
        batch, whose articles were late too)."""
        if self.slow and not self.busy and now - self.last_batch_at >= self.idle_s:
            return self._set(False, now)
        return None

    def failed(self) -> None:
        """The last interval returned could not be set: the next batch or tick tries again."""
        self.slow = not self.slow

    def _set(self, slow: bool, now: float) -> str:
        self.slow = slow
        self.last_set_at = now
        return self.backlog_interval if slow else self.normal_interval
