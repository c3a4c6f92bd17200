"""prepare() on the other cores: processes forked from the warmed-up worker, which share its
loaded models copy-on-write (and its memory-mapped lemma tries through the page cache).

One worker process runs Faust, the Kafka client, the dedup table and the bulk requests; with
NEWSFLOW_PREPARE_PROCESSES > 0 the CPU-bound part (validation, language, entities, lemmas,
fingerprint, encoding: ~85% of the worker's CPU) runs in that many children instead, on a batch
of raw messages at a time, while the worker's event loop goes on with Kafka and Elasticsearch.
Results come back in message order, so the keyed topic sees each partition's articles in the order
they arrived. A child that dies breaks the pool: the batch is prepared in the worker instead and a
new pool is forked for the next one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

from streams import deadletter, lifetime, records
from streams.prepare import Options, prepare
from streams.records import Article
from streams.warmup import NewModelFreezer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One raw message, as much of it as prepare() reads (the Faust event stays in the worker)."""

    value: bytes | None
    origin: deadletter.Origin
    ingested_at: str | None = None


@dataclass(frozen=True)
class Prepared:
    """An article ready for the keyed topic: its key (the language) and encoded value."""

    language: str
    value: bytes
    seconds: float  # CPU time prepare() and the encoding took


@dataclass(frozen=True)
class Rejected:
    letter: dict[str, object]  # the dead letter prepare() made
    seconds: float


@dataclass(frozen=True)
class Unencodable:
    error: Exception  # the article was prepared but could not be written as a record
    seconds: float


Outcome = Prepared | Rejected | Unencodable


# One per process: a forked child starts with its parent's and goes its own way.
FREEZER = NewModelFreezer()


def run_one(job: Job, options: Options) -> Outcome:
    """prepare() and the keyed topic's encoding of one message; never raises."""
    started = time.process_time()
    result = prepare(job.value, job.origin, options, job.ingested_at)
    if not isinstance(result, Article):
        return Rejected(result, time.process_time() - started)
    FREEZER.saw(result.language)  # its models are loaded now: out of the collector's way
    try:
        value = records.encode(result)
    except Exception as exc:
        return Unencodable(exc, time.process_time() - started)
    return Prepared(result.language, value, time.process_time() - started)


def run_many(jobs: Sequence[Job], options: Options) -> list[Outcome]:
    return [run_one(job, options) for job in jobs]


def _child_started() -> None:
    lifetime.die_with_parent()
    # Ctrl-C in a terminal reaches the whole process group: the worker stops its children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PreparePool:
    """`processes` children doing run_many on slices of a batch."""

    def __init__(self, processes: int, options: Options) -> None:
        if processes < 1:
            raise ValueError(f"a prepare pool needs at least 1 process, not {processes}")
        self.processes = processes
        self.options = options
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> PreparePool:
        """Fork the children now. Call it before the event loop and its threads start (after the
        models are loaded): a fork copies only the calling thread, and with the fork method
        every child is made at the first submit."""
        if self._pool is None:
            pool = ProcessPoolExecutor(
                self.processes, mp_context=get_context("fork"), initializer=_child_started
            )
            pool.submit(os.getpid).result()
            self._pool = pool
        return self

    def pids(self) -> list[int]:
        pool = self._pool
        return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []

    async def run(self, jobs: Sequence[Job]) -> list[Outcome]:
        """The outcomes of `jobs`, in order; the event loop runs while the children work."""
        if not jobs:
            return []
        pool = self.start()._pool
        assert pool is not None
        loop = asyncio.get_running_loop()
        size = -(-len(jobs) // self.processes)  # ceil: one slice per child
        slices = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
        try:
            parts = await asyncio.gather(
                *(loop.run_in_executor(pool, run_many, part, self.options) for part in slices)
            )
        except BrokenProcessPool as exc:
            log.error("a prepare process died (%r); preparing %d articles in the worker", exc, len(jobs))
            self.close()
            return run_many(jobs, self.options)
        return [outcome for part in parts for outcome in part]

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
