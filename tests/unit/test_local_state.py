"""Which table stores a worker must rebuild before it joins: those ahead of their changelog."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams import local_state


@pytest.mark.parametrize(
    ("persisted", "end", "stale"),
    [
        (145, 0, True),  # changelog recreated empty: the crash of the issue (145 > -1)
        (145, 145, True),  # holds offset 145, changelog's last is 144: another cluster
        (144, 145, False),  # in step
        (10, 145, False),  # behind: Faust catches up from the changelog itself
        (None, 0, False),  # a store that never recorded an offset
    ],
)
def test_a_store_is_stale_when_it_holds_an_offset_the_changelog_does_not_have(
    tmp_path: Path, persisted: int | None, end: int, stale: bool
) -> None:
    (tmp_path / "dedup_state-1.db").mkdir()
    (tmp_path / "dedup_state-backups").mkdir()  # not a partition store
    (tmp_path / "other_table-1.db").mkdir()  # another table's store, its own changelog
    asked: list[tuple[str, list[int]]] = []

    def ends(topic: str, partitions: list[int]) -> dict[int, int]:
        asked.append((topic, partitions))
        return dict.fromkeys(partitions, end)

    found = local_state.stale_stores(
        tmp_path, {"dedup_state": "app-dedup_state-changelog"}, ends, lambda _path: persisted
    )
    assert asked == [("app-dedup_state-changelog", [1])]
    assert [(s.table, s.partition, s.path.name) for s in found] == (
        [("dedup_state", 1, "dedup_state-1.db")] if stale else []
    )
    if found:
        assert "table dedup_state partition 1" in found[0].describe()
        local_state.remove(found)
        assert not (tmp_path / "dedup_state-1.db").exists()
        assert (tmp_path / "other_table-1.db").exists()
