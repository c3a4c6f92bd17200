"""Behaviour of streams.spikes: which traffic alerts, how often, and that its state and ids hold."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from streams.spikes import (
    Spike,
    SpikeConfig,
    alert_id,
    close_window,
    event_time,
    poisson_bar,
    window_bounds,
    window_of,
)

CFG = SpikeConfig()
DAY = 96  # windows of 15 minutes
T0 = 1_714_521_600.0  # 2024-05-01T00:00Z
W0 = int(T0 // 900)  # its window index


def run(
    counts: Sequence[int],
    config: SpikeConfig = CFG,
    state: Mapping[str, Any] | None = None,
    start: int = 0,
    history_from: int | None = None,
    report_zeros: bool = False,
) -> tuple[dict[str, Any] | None, list[Spike]]:
    """Feed one keyword's counts window by window, as the stream does: windows without hits are
    not reported (the table has no row for them) unless `report_zeros`."""
    current = dict(state) if state is not None else None
    spikes: list[Spike] = []
    for offset, count in enumerate(counts):
        if count == 0 and not report_zeros:
            continue
        current, spike = close_window(current, start + offset, count, config, history_from=history_from)
        if spike is not None:
            spikes.append(spike)
    return current, spikes


def poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def established(level: Sequence[int], windows: int = 2 * DAY) -> dict[str, Any]:
    """The state of a keyword that has had the repeating `level` counts for `windows` windows."""
    state, spikes = run([level[i % len(level)] for i in range(windows)], history_from=0)
    assert state is not None and not spikes
    return state


# --- what alerts -------------------------------------------------------------------------------

_rng = random.Random(7)
FLAT = [_rng.choice((1, 2, 3)) for _ in range(100)]
RARE = [0, 0, 1, 0, 3, 0, 0, 0, 2, 0, 1, 0, 0, 4, 0, 0, 1, 3, 0, 0] * 20
STEP = [2] * 100 + [20] * 50
GROWTH = [2] * 200 + [round(2 * 1.02**i) for i in range(1, 250)]  # 2 -> 280 a window
BURST = [0] * 50 + [20] + [0] * 50


@pytest.mark.parametrize(
    ("name", "counts", "alerts"),
    [
        ("flat 2±1 per window", FLAT, []),
        ("rare word, tiny counts", RARE, []),
        # The step alerts once; the level is absorbed (see the module comment) before the
        # cool-down ends, so it does not alert again after it.
        ("step 2 -> 20, held", STEP, [100]),
        # EWMA lags exponential growth by a constant factor and its variance grows with it: the
        # count stays within ~2.5 sigma of the mean.
        ("steady growth +2% a window", GROWTH, []),
        ("brand-new keyword, 20 at once", BURST, [50]),
        ("brand-new keyword, 3 at once", [0] * 50 + [3], []),
        ("brand-new keyword, 5 at once (min_count)", [0] * 50 + [5], [50]),
        ("brand-new keyword, 4 at once", [0] * 50 + [4], []),
    ],
)
def test_traffic_patterns(name: str, counts: list[int], alerts: list[int]) -> None:
    _, spikes = run(counts)
    assert [s.window_index for s in spikes] == alerts, name


@pytest.mark.parametrize("mean", [0.3, 1.0, 2.0, 5.0, 20.0])
def test_random_steady_traffic_rarely_alerts(mean: float) -> None:
    # 8 keywords x 10 days of Poisson traffic (the noise of real counts): the normal 4-sigma
    # bar alone alerted ~0.2 times a day per keyword at mean 1; the Poisson bar keeps it rare.
    rng = random.Random(int(mean * 1000))
    total = 0
    for _ in range(8):
        _, spikes = run([poisson(rng, mean) for _ in range(10 * DAY)], history_from=0)
        total += len(spikes)
    assert total <= 1


@pytest.mark.parametrize(("night", "day"), [(1.0, 6.0), (0.3, 3.0), (5.0, 20.0)])
def test_daily_rhythm_does_not_alert(night: float, day: float) -> None:
    # Quiet nights (8 h), busy days, from the deployment on: the memory of the EWMA spans the
    # night, and the first day is warm-up, so mornings are no spikes.
    rng = random.Random(int(night * 100 + day))
    counts = [poisson(rng, night if i % DAY < 32 else day) for i in range(7 * DAY)]
    _, spikes = run(counts, history_from=0)
    assert spikes == []


@pytest.mark.parametrize(
    ("gap", "fires"),
    [
        (3, False),  # within the cool-down
        (CFG.cooldown_windows, False),  # its last window
        (CFG.cooldown_windows + 1, True),  # the first window after it
        (5 * CFG.cooldown_windows, True),
    ],
)
def test_cooldown_suppresses_repeats(gap: int, fires: bool) -> None:
    state = established([2, 1, 3, 2])
    start = int(state["last"]) + 1
    counts = [30] + [2] * (gap - 1) + [30]
    _, spikes = run(counts, state=state, start=start)
    expected = [start, start + gap] if fires else [start]
    assert [s.window_index for s in spikes] == expected


def test_spike_reports_the_baseline_it_beat_and_the_bar() -> None:
    state = established([2, 1, 3, 2])
    before_mean, before_sigma = state["mean"], math.sqrt(state["var"])
    window = int(state["last"]) + 1
    _, spike = close_window(state, window, 25, CFG)
    assert spike is not None
    assert spike.window_index == window and spike.count == 25
    # Judged against the baseline before this window, not one that includes it.
    assert spike.baseline == pytest.approx(before_mean)
    assert spike.sigma == pytest.approx(before_sigma)
    assert spike.score == pytest.approx((25 - before_mean) / max(before_sigma, CFG.sigma_floor))
    # The threshold is exactly the smallest count that alerts.
    assert close_window(state, window, spike.threshold, CFG)[1] is not None
    assert close_window(state, window, spike.threshold - 1, CFG)[1] is None


def test_one_burst_is_not_absorbed_into_the_baseline() -> None:
    state = established([2, 1, 3, 2])
    window = int(state["last"]) + 1
    after, spike = close_window(state, window, 500, CFG)
    assert spike is not None
    # Learnt as the bar, not as 500: the mean moves by alpha * (bar - mean) at most.
    assert after["mean"] <= state["mean"] + CFG.alpha * (spike.threshold - state["mean"]) + 1e-9
    # A second burst of the same size after the cool-down still alerts.
    _, again = run([2] * CFG.cooldown_windows + [500], state=after, start=window + 1)
    assert [s.count for s in again] == [500]


@pytest.mark.parametrize("gap", [1, 5, 40, 1000])
@pytest.mark.parametrize("warm", [False, True])
def test_missing_windows_are_zeros(gap: int, warm: bool) -> None:
    # A keyword's silent windows are never reported; folding them in at the next hit must equal
    # reporting each of them as a zero.
    state = established([3, 1, 2]) if warm else close_window(None, 0, 3, CFG, history_from=0)[0]
    start = int(state["last"]) + 1
    counts = [0] * gap + [4]
    skipped, _ = run(counts, state=state, start=start)
    reported, _ = run(counts, state=state, start=start, report_zeros=True)
    assert skipped is not None and reported is not None
    assert skipped["n"] == reported["n"] and skipped["last"] == reported["last"]
    assert skipped["mean"] == pytest.approx(reported["mean"], rel=1e-9, abs=1e-12)
    assert skipped["var"] == pytest.approx(reported["var"], rel=1e-9, abs=1e-12)


def test_silence_lowers_the_bar() -> None:
    # A keyword busy last week and silent since is back to "rare": a burst alerts again.
    state = established([20, 25, 30])
    start = int(state["last"]) + 1
    assert close_window(state, start, 40, CFG)[1] is None
    assert close_window(state, start + 7 * DAY, 40, CFG)[1] is not None


def test_state_round_trips_through_json() -> None:
    rng = random.Random(3)
    counts = [poisson(rng, 2.0) for _ in range(300)] + [40] + [2] * 30 + [0] * 20 + [60]
    plain: dict[str, Any] | None = None
    stored: str | None = None
    for window, count in enumerate(counts):
        if count == 0:
            continue
        plain, spike_plain = close_window(plain, window, count, CFG)
        restored = json.loads(stored) if stored is not None else None
        new_state, spike_stored = close_window(restored, window, count, CFG)
        stored = json.dumps(new_state)
        assert spike_stored == spike_plain
    assert stored is not None and json.loads(stored) == plain


def test_replayed_window_changes_nothing() -> None:
    state = established([2, 1, 3, 2])
    window = int(state["last"]) + 1
    after, spike = close_window(state, window, 30, CFG)
    assert spike is not None
    again, replayed = close_window(after, window, 30, CFG)
    assert replayed is None and again == after
    older, late = close_window(after, window - 5, 30, CFG)
    assert late is None and older == after


def test_state_is_not_mutated() -> None:
    state = established([2, 1, 3, 2])
    snapshot = json.dumps(state)
    close_window(state, int(state["last"]) + 3, 30, CFG)
    assert json.dumps(state) == snapshot


# --- unknown history -----------------------------------------------------------------------------


def test_busy_keywords_do_not_fire_after_a_deployment() -> None:
    # Counting starts at window 0: a keyword steady at 30 is not a spike, only not seen before.
    rng = random.Random(5)
    counts = [poisson(rng, 30.0) for _ in range(3 * DAY)]
    assert run(counts, history_from=0)[1] == []
    # Without history_from every missing history is zeros, and it fires once at the start.
    assert [s.window_index for s in run(counts)[1]] == [0]


@pytest.mark.parametrize(
    ("first_seen", "fires"),
    [
        (10, False),  # 10 windows after counting began: history unknown, warming up
        (CFG.min_history - 1, False),
        (CFG.min_history, True),  # a day of known zeros: a true newcomer
        (30 * DAY, True),
    ],
)
def test_new_keyword_after_deployment(first_seen: int, fires: bool) -> None:
    _, spike = close_window(None, first_seen, 50, CFG, history_from=0)
    assert (spike is not None) == fires


def test_warm_up_learns_the_level_then_alerts_on_a_surge() -> None:
    rng = random.Random(11)
    counts = [poisson(rng, 4.0) for _ in range(CFG.min_history + 20)] + [40]
    _, spikes = run(counts, history_from=0)
    assert [s.window_index for s in spikes] == [len(counts) - 1]
    assert spikes[0].baseline == pytest.approx(4.0, abs=1.0)


def test_new_window_size_restarts_learning() -> None:
    state = established([2, 1, 3, 2])
    hourly = replace(CFG, window_s=3600.0)
    fresh, spike = close_window(state, 10**6, 50, hourly)
    assert spike is None
    assert fresh["w"] == 3600.0 and fresh["n"] == 1


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "count", "fires"),
    [
        ({}, 3, False),
        ({"min_count": 3, "k": 3.0}, 3, True),  # a watched term that matters even when rare
        ({"min_count": 3, "k": None}, 3, False),  # k 4: a one-hit sigma floor still needs 4
        ({"min_count": 3, "k": None}, 4, True),
        ({"min_count": 10}, 8, False),
    ],
)
def test_per_term_thresholds(overrides: dict[str, Any], count: int, fires: bool) -> None:
    config = SpikeConfig.from_mapping(overrides, base=CFG)
    _, spike = close_window(None, 100, count, config)
    assert (spike is not None) == fires


def test_from_mapping_keeps_base_and_types() -> None:
    base = replace(CFG, cooldown_windows=4)
    config = SpikeConfig.from_mapping({"min_count": 3.0, "k": 3, "alpha": None}, base=base)
    assert config == replace(base, min_count=3, k=3.0)
    assert isinstance(config.min_count, int) and isinstance(config.k, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"min-count": 3}, "unknown field 'min-count'"),
        ({"min_count": "3"}, "min_count must be a number"),
        ({"k": True}, "k must be a number"),
        ({"min_count": 2.5}, "min_count must be a whole number"),
        ({"min_count": 0}, "min_count must be >= 1"),
        ({"alpha": 0}, "alpha must be in (0, 1]"),
        ({"window_s": -900}, "window_s must be > 0"),
    ],
)
def test_bad_config_is_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SpikeConfig.from_mapping(data)


@pytest.mark.parametrize(
    ("mean", "bar"),
    [(0.0, 1), (0.02, 3), (1.0, 8), (2.0, 11), (10.0, 26), (1000.0, 1129)],
)
def test_poisson_bar(mean: float, bar: int) -> None:
    assert poisson_bar(mean, 4.0) == bar


# --- windows, event time, ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ts", "index"),
    [(T0, W0), (T0 + 899.999, W0), (T0 + 900, W0 + 1), (T0 - 0.001, W0 - 1), (0.0, 0), (-1.0, -1)],
)
def test_window_of(ts: float, index: int) -> None:
    assert window_of(ts, 900) == index
    start, end = window_bounds(index, 900)
    assert start <= ts < end and end - start == 900


INGESTED = T0 + 3600  # 01:00Z


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2024-05-01T00:30:00Z", T0 + 1800),  # 30 min before ingestion: trusted
        ("2024-05-01T02:30:00+02:00", T0 + 1800),  # the same instant in CEST
        ("2024-05-01T00:30:00", T0 + 1800),  # no offset: UTC
        ("2024-05-01T00:00:00Z", T0),  # exactly max_lateness old: still trusted
        ("2024-04-30T23:59:59Z", INGESTED),  # older (a re-crawl): ingestion time
        ("2024-05-01T01:04:00Z", INGESTED + 240),  # 4 min ahead of our clock: clock skew
        ("2024-05-01T03:00:00Z", INGESTED),  # 2 h ahead (local time labelled UTC): ingestion
        ("yesterday", INGESTED),
        ("", INGESTED),
        (None, INGESTED),
    ],
)
def test_event_time(published: str | None, expected: float) -> None:
    assert event_time(published, INGESTED, max_lateness_s=3600, max_future_s=300) == expected


def test_alert_ids_are_stable_and_distinct() -> None:
    # A literal: ids must not change between releases, or a replay after an upgrade re-alerts.
    assert alert_id("Władywostok", "spike", 1_900_000, 900) == "2f764cbc8857638c105ac0ca72214d95"
    assert alert_id("Władywostok", "spike", 1_900_000, 900.0) == alert_id(
        "Władywostok", "spike", 1_900_000, 900
    )
    # The same word composed and decomposed (NFC vs NFD) is the same keyword.
    assert alert_id("Kraków", "spike", 1, 900) == alert_id("Krako\u0301w", "spike", 1, 900)
    variants = {
        alert_id("Władywostok", "spike", 1_900_000, 900),
        alert_id("Władywostok", "spike", 1_900_001, 900),
        alert_id("Władywostok", "watch", 1_900_000, 900),
        alert_id("Władywostok", "spike", 1_900_000, 3600),
        alert_id("Wladywostok", "spike", 1_900_000, 900),
    }
    assert len(variants) == 5


def test_a_month_of_folded_zeros_judges_a_burst_like_no_history() -> None:
    state, _ = close_window(None, 1000, 2, CFG)
    later = 1000 + 30 * DAY
    _, spike_kept = close_window(state, later, 6, CFG)
    _, spike_fresh = close_window(None, later, 6, CFG)
    assert spike_kept is not None and spike_fresh is not None
    assert spike_kept.threshold == spike_fresh.threshold
