"""prepare() in forked processes: the same outcomes as in the worker, in order, and a dead
process costs nothing but time."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator

import pytest

from streams import records
from streams.deadletter import Origin
from streams.prepare import Options
from streams.prepare_pool import Job, Prepared, PreparePool, Rejected, run_many

TEXTS = {
    "en": "The regional council approved a new budget for the railway network on Monday after a long debate.",
    "pl": "Rada miasta przyjęła w poniedziałek nowy budżet na sieć kolejową po długiej debacie radnych.",
    "de": "Der Stadtrat hat am Montag nach langer Debatte einen neuen Haushalt für das Schienennetz beschlossen.",
}
INGESTED = "2026-12-01T10:00:00Z"  # fixed, so that outcomes compare byte for byte


def jobs(n: int) -> list[Job]:
    out = []
    for i in range(n):
        lang = sorted(TEXTS)[i % len(TEXTS)]
        if i % 5 == 4:
            value = b"{not json"
        else:
            value = json.dumps(
                {"url": f"https://news.example/{i}", "title": f"T {i}", "text": TEXTS[lang]}
            ).encode()
        out.append(Job(value, Origin("articles.raw", i % 2, i), INGESTED))
    return out


@pytest.fixture
def pool() -> Iterator[PreparePool]:
    p = PreparePool(2, Options()).start()
    try:
        yield p
    finally:
        p.close()


def comparable(outcomes: list) -> list:
    return [
        (o.language, o.value) if isinstance(o, Prepared) else o.letter["error"]["code"]  # type: ignore[union-attr]
        for o in outcomes
    ]


async def test_outcomes_come_back_in_order_and_equal_to_preparing_in_the_worker(pool: PreparePool) -> None:
    batch = jobs(23)
    outcomes = await pool.run(batch)
    assert comparable(outcomes) == comparable(run_many(batch, Options()))
    urls = [records.decode(o.value).url for o in outcomes if isinstance(o, Prepared)]
    assert urls == [json.loads(j.value)["url"] for j in batch if j.value != b"{not json"]  # type: ignore[arg-type]
    assert [type(o) for o in outcomes].count(Rejected) == 4
    assert all(o.seconds > 0 for o in outcomes)


async def test_the_work_is_done_in_the_children(pool: PreparePool) -> None:
    children = pool.pids()
    assert len(children) == 2 and os.getpid() not in children
    cpu_before = time.process_time()
    await pool.run(jobs(12))
    # The worker only pickles: a fraction of what preparing 12 articles costs (~5 ms each).
    assert time.process_time() - cpu_before < sum(o.seconds for o in run_many(jobs(12), Options()))


async def test_a_killed_process_costs_the_batch_nothing_and_the_next_batch_gets_a_new_pool(
    pool: PreparePool,
) -> None:
    first = pool.pids()
    os.kill(first[0], signal.SIGKILL)
    await asyncio.sleep(0.2)
    batch = jobs(10)
    assert comparable(await pool.run(batch)) == comparable(run_many(batch, Options()))
    assert comparable(await pool.run(batch)) == comparable(run_many(batch, Options()))
    assert pool.pids() and not set(pool.pids()) & set(first)


def test_a_pool_without_processes_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 process"):
        PreparePool(0, Options())
