"""When the index refreshes seldom: only while the articles indexed are late (streams.refresh)."""

from __future__ import annotations

from streams.refresh import RefreshPolicy


def policy() -> RefreshPolicy:
    return RefreshPolicy(normal_interval="1s", backlog_interval="30s", behind_s=5, idle_s=2, reassert_s=60)


def test_articles_indexed_on_time_never_change_the_interval() -> None:
    p = policy()
    assert [p.on_batch(100.0 + i, 99.5 + i) for i in range(10)] == [None] * 10
    assert p.on_tick(200.0) is None


def test_a_backlog_slows_the_refresh_once_and_catching_up_restores_it() -> None:
    p = policy()
    assert p.on_batch(100.0, 80.0) == "30s"  # 20 s behind
    assert p.on_batch(101.0, 85.0) is None  # still behind: already set
    assert p.on_batch(102.0, 98.0) is None  # 4 s behind: under the threshold, above half of it
    assert p.on_batch(103.0, 101.0) == "1s"  # 2 s behind: caught up
    assert p.on_batch(104.0, 103.5) is None


def test_a_backlog_that_ends_with_its_last_batch_is_restored_by_the_tick() -> None:
    p = policy()
    assert p.on_batch(100.0, 60.0) == "30s"
    assert p.on_tick(101.0) is None  # 1 s of silence: maybe a pause between two batches
    assert p.on_tick(102.5) == "1s"
    assert p.on_tick(103.5) is None


def test_a_long_backlog_sets_the_slow_interval_again_in_case_another_worker_restored_it() -> None:
    p = policy()
    assert p.on_batch(100.0, 0.0) == "30s"
    assert p.on_batch(130.0, 30.0) is None
    assert p.on_batch(160.0, 60.0) == "30s"


def test_an_interval_that_could_not_be_set_is_tried_again() -> None:
    p = policy()
    assert p.on_batch(100.0, 0.0) == "30s"
    p.failed()
    assert p.on_batch(100.5, 1.0) == "30s"
    assert p.on_batch(101.0, 100.9) == "1s"
    p.failed()
    assert p.on_tick(104.0) == "1s"


def test_a_slow_bulk_request_is_no_silence() -> None:
    p = policy()
    assert p.on_batch(100.0, 0.0) == "30s"
    p.begin()  # the next batch is being indexed, slowly
    assert p.on_tick(110.0) is None
    assert p.on_batch(110.5, 20.0) is None
    assert p.on_tick(113.0) == "1s"
