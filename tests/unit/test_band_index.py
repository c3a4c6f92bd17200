"""The dedup band index a worker keeps beside its table: rebuilt from the canonical records
whenever its partitions change, and a rebalance during a rebuild starts it again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from streams import band_index, dedup
from streams.band_index import BandIndex, RocksBuckets

TEXT = " ".join(f"word{i} of the story about the river council budget number {i}" for i in range(30))


def _state_with_canonicals(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    state: dict[str, Any] = {}
    live: dict[str, Any] = {}
    for i in range(n):
        text = TEXT.replace("river", f"river{i}x").replace("council", f"council{i}y")
        fp = dedup.fingerprint(text + f" unique tail {i} " * 3, "en")
        dedup.decide(
            f"https://a.example/{i}",
            fp,
            1000.0 + i,
            dedup.ScopedState(state, "en"),
            index=dedup.ScopedState(live, "en"),
        )
    return state, live


def test_ensure_rebuilds_once_per_change_of_partitions() -> None:
    state, live = _state_with_canonicals(5)
    assert len({ref for refs in live.values() for ref in refs}) == 5  # five canonicals, 16 bands each
    index = BandIndex(dict)
    reads = []

    def records():
        reads.append(1)
        return list(state.items())

    asyncio.run(index.ensure(records))
    assert dict(index.buckets) == live
    asyncio.run(index.ensure(records))
    assert len(reads) == 1 and index.rebuilds == 1  # still current: nothing read again
    index.buckets.clear()
    index.invalidate()
    asyncio.run(index.ensure(records))
    assert len(reads) == 2 and dict(index.buckets) == live


def test_a_rebalance_during_a_rebuild_starts_it_again(monkeypatch) -> None:
    monkeypatch.setattr(band_index, "REBUILD_CHUNK", 2)
    state, live = _state_with_canonicals(6)
    index = BandIndex(dict)
    passes = []

    def records():
        passes.append(1)
        for n, item in enumerate(state.items()):
            if len(passes) == 1 and n == 3:
                index.invalidate()  # what the partitions_assigned signal does meanwhile
            yield item

    asyncio.run(index.ensure(records))
    assert len(passes) == 2 and index.ready and dict(index.buckets) == live


def test_rocksdb_buckets_round_trip_and_start_empty(tmp_path: Path) -> None:
    path = tmp_path / "bands"
    buckets = RocksBuckets(path)
    buckets["en|b1:0a0b0c"] = ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]
    assert buckets["en|b1:0a0b0c"] == ["AAAAAAAAAAAA", "BBBBBBBBBBBB"]
    assert buckets.get("en|b2:000000") is None and len(buckets) == 1
    del buckets["en|b1:0a0b0c"]
    assert "en|b1:0a0b0c" not in buckets
    buckets["x"] = ["C"]
    buckets.clear()
    assert len(buckets) == 0
    buckets["y"] = ["D"]
    buckets._db.close()
    again = RocksBuckets(path)  # a new process never trusts what an old one left
    assert len(again) == 0
    again.close()
    assert not path.exists()


def test_the_worker_keeps_its_buckets_in_rocksdb_when_its_tables_are(tmp_path: Path) -> None:
    on_disk = band_index.for_store("rocksdb://", tmp_path)
    assert isinstance(on_disk.buckets, RocksBuckets) and on_disk.buckets.path.parent == tmp_path
    on_disk.close()
    assert isinstance(band_index.for_store("memory://", tmp_path).buckets, dict)
