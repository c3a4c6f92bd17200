"""A worker's local table stores, checked against their changelogs before the worker joins its group.

Faust keeps each table partition in a RocksDB store under the worker's directory, with the last
changelog offset it holds. When the changelog is younger than the store (topics recreated,
`stack down --purge`, another cluster behind the same address), Faust refuses to start
(ConsistencyError: persisted offset higher than the highwater). The store then describes data
that no longer exists, so it is removed and Faust rebuilds it from the changelog, which is what
the cluster says is true.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Where Faust's RocksDB store writes the last changelog offset a partition holds.
OFFSET_KEY = b"__faust\0offset__"


@dataclass(frozen=True)
class StaleStore:
    table: str
    partition: int
    path: Path
    persisted: int  # offset of the last changelog record the store holds
    end: int  # the changelog partition's next offset (0: empty or absent)

    def describe(self) -> str:
        changelog = f"ends at offset {self.end - 1}" if self.end else "is empty"
        return (
            f"table {self.table} partition {self.partition}: the local store holds changelog offset "
            f"{self.persisted} but the changelog {changelog} (topics recreated, purged, or another "
            f"cluster); rebuilding the store from the changelog ({self.path})"
        )


def partition_stores(tabledir: Path, table: str) -> dict[int, Path]:
    """The partition stores of one table found on disk: partition -> path."""
    pattern = re.compile(rf"^{re.escape(table)}-(\d+)\.db$")
    found = {}
    if tabledir.is_dir():
        for path in tabledir.iterdir():
            match = pattern.match(path.name)
            if match and path.is_dir():
                found[int(match.group(1))] = path
    return found


def persisted_offset(store: Path) -> int | None:
    """The changelog offset a store says it holds, read without taking the store's lock."""
    from rocksdict import AccessType, Options, Rdict

    db = Rdict(str(store), options=Options(raw_mode=True), access_type=AccessType.read_only())
    try:
        raw = db.get(OFFSET_KEY)
    finally:
        db.close()
    return int(raw) if raw is not None else None


def stale_stores(
    tabledir: Path,
    changelogs: Mapping[str, str],
    end_offsets: Callable[[str, list[int]], dict[int, int]],
    read_offset: Callable[[Path], int | None] = persisted_offset,
) -> list[StaleStore]:
    """Stores ahead of their changelog. `changelogs` maps table -> changelog topic;
    `end_offsets(topic, partitions)` gives each partition's next offset (0 when absent)."""
    stale = []
    for table, topic in changelogs.items():
        stores = partition_stores(tabledir, table)
        if not stores:
            continue
        ends = end_offsets(topic, sorted(stores))
        for partition, path in sorted(stores.items()):
            persisted = read_offset(path)
            end = ends.get(partition, 0)
            if persisted is not None and persisted >= end:
                stale.append(StaleStore(table, partition, path, persisted, end))
    return stale


def remove(stale: list[StaleStore]) -> None:
    # Printed like the worker's other start-up lines: Faust's logging is not set up yet.
    for store in stale:
        print(f"newsflow: warning: {store.describe()}", flush=True)
        shutil.rmtree(store.path, ignore_errors=True)
