"""The reindex's bookkeeping (pure): lag and drain marks over committed offsets, --since parsing."""

from __future__ import annotations

import time

import pytest

from streams.cli import _since
from streams.reindex import Offsets


def offsets() -> Offsets:
    return Offsets(
        committed={("raw", 0): 10, ("raw", 1): 4, ("keyed", 0): 3},
        ends={("raw", 0): 12, ("raw", 1): 4, ("keyed", 0): 5, ("keyed", 1): 2},
    )


def test_lag_counts_per_topic_and_a_partition_never_committed_from_zero() -> None:
    o = offsets()
    assert o.lag("raw") == 2
    assert o.lag("keyed") == 2 + 2  # partition 1 has no commit: all of it is still to read
    assert o.lag() == 6


def test_a_drain_mark_is_reached_only_when_every_partition_passed_it() -> None:
    o = offsets()
    assert o.reached({("raw", 0): 10, ("raw", 1): 4})
    assert not o.reached({("raw", 0): 11, ("raw", 1): 4})
    assert not o.reached(o.of("keyed"))
    assert o.of("raw") == {("raw", 0): 12, ("raw", 1): 4}


def test_since_takes_a_period_or_an_iso_date_and_names_the_forms_otherwise() -> None:
    assert abs(_since("2h") - (time.time() - 7200)) < 5
    assert _since("2026-12-01") == 1796083200.0  # a bare date is UTC midnight
    assert _since("2026-12-01T01:00:00+01:00") == 1796083200.0
    with pytest.raises(ValueError, match="7d, 24h"):
        _since("last week")
