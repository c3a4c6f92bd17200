"""Spike detection for per-window keyword counts: an EWMA baseline kept as plain JSON state."""

# Design in brief (rates from seeded simulations like those in tests/unit/test_spikes.py):
#
# * Per keyword, the caller keeps one small dict (layout below) and hands it back with the count
#   of each window that closes (streams.spike_scan replays the windows a keyword occurred in).
#   Windows without the keyword need not be reported: when window W closes and the state last
#   closed window L, the W - L - 1 windows in between are folded in as zeros, in closed form.
# * The closing window is judged against the baseline as it was BEFORE that window: a spike must
#   not raise its own bar. The bar is the largest of min_count, mean + k * max(sigma, floor),
#   ratio * mean, and the Poisson bar (`poisson_bar`). The last one matters for a few hits per
#   window, where counts are skewed: with the normal bar alone, steady Poisson(1) traffic alerted
#   0.2 times a day per keyword; with it, under 0.005.
# * A count above the bar updates the baseline as if it had been exactly the bar (clipped, not
#   ignored). A one-off burst hardly moves the mean, and a level that stays up is still absorbed:
#   each clipped window inflates the variance by about (1 - a)(1 + a k²) = 1.29, so the bar
#   reaches a sustained 10x level within ~8-20 windows (a 250x one within ~40), mostly inside
#   one cool-down: one alert per step change, not one per cool-down.
# * Unknown history: a keyword with no state has not occurred since the caller began counting,
#   so its history is zeros, and a brand-new "Władywostok" with 20 hits fires (its bar is
#   min_count) while one with 3 does not. Right after a deployment or a table reset, though, "no
#   state" only means "not seen yet", and every busy entity would fire at once; and the first
#   morning would be a spike against a baseline that has only seen the night. Callers therefore
#   pass `history_from` (the first window they counted): only windows since then count as known
#   zeros, and no keyword alerts before `min_history` windows of history (a day); meanwhile the
#   baseline is learnt as a plain running mean.
#
# State (JSON primitives only; a new dict is returned every time, never mutated):
#   {"v": 1, "w": window_s, "mean": float, "var": float, "n": windows of history (int),
#    "last": last window index closed (int), "alert": window index of the last alert or None}

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

STATE_VERSION = 1

DEFAULT_WINDOW_S = 900.0
# Publication times are trusted up to this far before ingestion: feeds are polled every few
# minutes to an hour, and anything older would land in a window that has already been judged.
DEFAULT_MAX_LATENESS_S = 3600.0
# ... and up to this far after it: clock skew between publisher and us, not wrong time zones
# (those are off by whole hours and fall back to the ingestion time).
DEFAULT_MAX_FUTURE_S = 300.0

# Exact Poisson tails up to this mean (at most ~260 terms); beyond it the normal approximation
# with a skew correction is within one count.
_POISSON_EXACT_MAX = 200.0
# Guard for ceil() of a bar that is an integer up to rounding (6.000000000000001 -> 6, not 7).
_CEIL_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class SpikeConfig:
    """Thresholds of the spike rule; one config per keyword class, overridable per watched term."""

    # 15 minutes: short enough that editors hear of a story within the quarter hour, long enough
    # that a keyword mentioned twice a day still has whole counts to compare.
    window_s: float = DEFAULT_WINDOW_S
    # EWMA weight of the newest window: half-life ln 2 / a ~ 34 windows (8.6 h), memory ~50
    # windows. Longer than a night, so that the morning rise is not a spike against a night-time
    # baseline; short enough to follow a topic growing 2% a window (x7 a day): the EWMA lags the
    # count by a constant factor and its variance grows with it, so the count stays within ~2.5
    # sigma of the mean (5% a window: ~3.8), below k.
    alpha: float = 0.02
    # Sigmas above the mean. 4 rather than 3: with ~10^3 keywords and 96 windows a day there are
    # ~10^5 tests a day; a normal 3-sigma tail (1.3e-3) would let ~100 random alerts through,
    # 4 sigma (3.2e-5) a few.
    k: float = 4.0
    # Fewest hits that may alert at all, whatever the baseline. 20 an hour (the "Władywostok"
    # story) is 5 per window; 3-4 mentions of a rare name within 15 minutes happen by chance.
    min_count: int = 5
    # Least sigma used in the rule: a keyword that has always had exactly 2 hits has sigma 0,
    # and 3 hits must not be "infinitely many sigmas". 1 hit is the granularity of a count.
    sigma_floor: float = 1.0
    # The count must also be this multiple of the mean: a +40% day of a keyword with a very
    # regular high volume can be 4 sigma, yet is no surge to an editor. 1.0 switches it off.
    ratio: float = 2.0
    # Windows after an alert in which the keyword may not alert again (4 h): one story, one alert.
    cooldown_windows: int = 16
    # Windows of history a keyword needs before it may alert when its history is unknown (see
    # `close_window`'s `history_from`): one day, so the baseline has seen a night and a day.
    min_history: int = 96

    def __post_init__(self) -> None:
        checks = (
            (self.window_s > 0, "window_s must be > 0"),
            (0 < self.alpha <= 1, "alpha must be in (0, 1]"),
            (self.k > 0, "k must be > 0"),
            (self.min_count >= 1, "min_count must be >= 1"),
            (self.sigma_floor > 0, "sigma_floor must be > 0"),
            (self.ratio >= 0, "ratio must be >= 0"),
            (self.cooldown_windows >= 0, "cooldown_windows must be >= 0"),
            (self.min_history >= 0, "min_history must be >= 0"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(f"SpikeConfig: {message}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: SpikeConfig | None = None) -> SpikeConfig:
        """`base` (default: the defaults) with the fields named in `data` replaced.

        None values inherit from `base`, so a watched term's optional thresholds can be passed
        as they are: ``SpikeConfig.from_mapping({"min_count": t.min_count, "k": t.k}, base)``.
        Unknown names and values of the wrong type raise ValueError.
        """
        base = base if base is not None else cls()
        names = [f.name for f in fields(cls)]
        changes: dict[str, Any] = {}
        for name, value in data.items():
            if name not in names:
                raise ValueError(f"SpikeConfig: unknown field {name!r}; known: {', '.join(names)}")
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"SpikeConfig: {name} must be a number, got {value!r}")
            if isinstance(getattr(base, name), int):
                if value != int(value):
                    raise ValueError(f"SpikeConfig: {name} must be a whole number, got {value!r}")
                value = int(value)
            else:
                value = float(value)
            changes[name] = value
        return replace(base, **changes)


@dataclass(frozen=True, slots=True)
class Spike:
    """A window whose count broke the keyword's baseline."""

    window_index: int
    count: int
    baseline: float  # EWMA mean of the counts before this window
    sigma: float  # EWMA standard deviation before this window (the floor not applied)
    score: float  # (count - baseline) / max(sigma, sigma_floor)
    threshold: int  # the smallest count that would have alerted in this window


def window_of(ts: float, window_s: float) -> int:
    """Index of the window holding epoch time `ts`: windows are [i * window_s, (i + 1) * window_s)."""
    return math.floor(ts / window_s)


def window_bounds(index: int, window_s: float) -> tuple[float, float]:
    """Start (inclusive) and end (exclusive) epoch times of window `index`."""
    return index * window_s, (index + 1) * window_s


def event_time(
    published_at_iso: str | None,
    ingested_ts: float,
    max_lateness_s: float = DEFAULT_MAX_LATENESS_S,
    max_future_s: float = DEFAULT_MAX_FUTURE_S,
) -> float:
    """Epoch time an article counts at: its publication time when plausible, else ingestion time.

    The publication time is used when it parses as ISO 8601 and lies within
    [ingested_ts - max_lateness_s, ingested_ts + max_future_s]. Outside that range it is
    either stale (a re-crawl or a backfill, whose window has already been judged) or wrong (a
    local time labelled UTC), and the ingestion time is the better estimate. A time without an
    offset is taken as UTC.
    """
    if not published_at_iso:
        return ingested_ts
    try:
        # fromisoformat accepts "Z" and most ISO 8601 forms since Python 3.11.
        published = datetime.fromisoformat(published_at_iso.strip())
    except ValueError:
        return ingested_ts
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    ts = published.timestamp()
    if ingested_ts - max_lateness_s <= ts <= ingested_ts + max_future_s:
        return ts
    return ingested_ts


def alert_id(keyword: str, kind: str, window_index: int, window_s: float) -> str:
    """Deterministic id of an alert: the same keyword, kind and window always give the same id,
    so a replayed window overwrites its alert instead of sending a second one.

    The keyword is NFC-normalised (the same word from two feeds may arrive composed or not);
    `window_s` is part of the id because window indices of different sizes are different times.
    """
    key = "\x1f".join(
        (
            "spike-alert/1",
            kind,
            unicodedata.normalize("NFC", keyword),
            str(window_index),
            repr(float(window_s)),
        )
    )
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def _new_state(window_s: float, last: int, n: int) -> dict[str, Any]:
    return {
        "v": STATE_VERSION,
        "w": float(window_s),
        "mean": 0.0,
        "var": 0.0,
        "n": n,
        "last": last,
        "alert": None,
    }


def _alpha(n: int, config: SpikeConfig) -> float:
    # While history is short, a plain running mean (1 / (n + 1)) learns faster than the EWMA and
    # with these weights the update below is exactly Welford's running (population) variance.
    return max(config.alpha, 1.0 / (n + 1)) if n < config.min_history else config.alpha


def _update(mean: float, var: float, x: float, a: float) -> tuple[float, float]:
    # Incremental exponentially weighted mean and variance (West 1979 / Finch 2009).
    diff = x - mean
    incr = a * diff
    return mean + incr, (1.0 - a) * (var + diff * incr)


def _fold_zeros(state: dict[str, Any], windows: int, config: SpikeConfig) -> dict[str, Any]:
    """`state` after `windows` windows with no hits."""
    mean, var, n = float(state["mean"]), float(state["var"]), int(state["n"])
    # Warm-up windows have their own weights: step through them (at most min_history).
    while windows > 0 and n < config.min_history:
        mean, var = _update(mean, var, 0.0, _alpha(n, config))
        n += 1
        windows -= 1
    if windows > 0:
        # g zero updates with r = 1 - a in closed form (so a week of silence costs one step):
        #   mean_g = r^g mean,   var_g = r^g (var + mean² (1 - r^g)).
        decay = (1.0 - config.alpha) ** windows
        mean, var = decay * mean, decay * (var + mean * mean * (1.0 - decay))
        n += windows
    return {**state, "mean": mean, "var": var, "n": n}


def poisson_bar(mean: float, k: float) -> int:
    """Smallest count a Poisson variable with this mean reaches no more often than a normal one
    exceeds k sigma (P = 3.2e-5 for k = 4).

    Counts of a few per window are skewed: with mean 1 the normal bar 1 + 4 * 1 = 5 is reached
    in 0.37% of windows (one false alert every 3 days per keyword), the Poisson bar 8 in 0.001%.
    """
    tail = 0.5 * math.erfc(k / math.sqrt(2.0))
    if mean <= 0:
        return 1
    if mean > _POISSON_EXACT_MAX:
        # Cornish-Fisher: the normal quantile plus the first skewness correction.
        return math.ceil(mean + k * math.sqrt(mean) + (k * k - 1.0) / 6.0)
    pmf = math.exp(-mean)
    below = pmf  # P(X <= t - 1)
    t = 1
    while 1.0 - below > tail:
        pmf *= mean / t
        below += pmf
        t += 1
    return t


def _limit(mean: float, sigma: float, config: SpikeConfig) -> float:
    return max(
        float(config.min_count),
        mean + config.k * max(sigma, config.sigma_floor),
        config.ratio * mean,
        float(poisson_bar(mean, config.k)),
    )


def close_window(
    state: Mapping[str, Any] | None,
    window_index: int,
    count: int,
    config: SpikeConfig,
    *,
    history_from: int | None = None,
) -> tuple[dict[str, Any], Spike | None]:
    """Judge the window that just closed against the keyword's baseline, then learn from it.

    `state` is what the previous call returned for this keyword (None for a keyword without
    one); `count` is the keyword's hits in `window_index`. Returns the new state to store and a
    Spike when the window alerts:

        count >= min_count  and  count >= mean + k * max(sigma, sigma_floor)
        and  count >= ratio * mean  and  count >= poisson_bar(mean, k)
        and  the last alert is more than cooldown_windows windows ago
        and  the baseline has at least min_history windows of history,

    mean and sigma being the baseline before this window, with any windows skipped since the
    last call folded in as zeros.

    A keyword without state has had no hits since counting began, so its history is zeros.
    `history_from`, the first window the caller counted (e.g. the first window after the
    table was created), bounds that: only the windows since then are known zeros, and a keyword
    first seen within `min_history` windows of it must warm up before it can alert. Without it
    all missing history counts as zeros, which makes every busy keyword fire once right after
    a deployment.

    A window at or before the state's last closed window (a replay) returns the state unchanged
    and no spike. A state written with another window size is discarded and re-learnt with
    unknown history.
    """
    if count < 0:
        raise ValueError(f"close_window: count must be >= 0, got {count}")
    if state is None:
        known = config.min_history if history_from is None else max(0, window_index - history_from)
        current = _new_state(config.window_s, window_index - 1, known)
    elif float(state["w"]) != float(config.window_s):
        current = _new_state(config.window_s, window_index - 1, 0)
    else:
        current = dict(state)
    last = int(current["last"])
    if window_index <= last:
        return current, None
    current = _fold_zeros(current, window_index - last - 1, config)

    mean, var, n = float(current["mean"]), float(current["var"]), int(current["n"])
    sigma = math.sqrt(max(var, 0.0))
    limit = _limit(mean, sigma, config)
    threshold = math.ceil(limit - _CEIL_SLACK)
    last_alert = current["alert"]
    cooling = last_alert is not None and window_index - int(last_alert) <= config.cooldown_windows
    spike: Spike | None = None
    if count >= threshold and n >= config.min_history and not cooling:
        spike = Spike(
            window_index=window_index,
            count=count,
            baseline=mean,
            sigma=sigma,
            score=(count - mean) / max(sigma, config.sigma_floor),
            threshold=threshold,
        )

    # Warm-up learns the raw counts (they are the level, not a surge); afterwards a count above
    # the bar is learnt as the bar (see the module comment).
    x = float(count) if n < config.min_history else min(float(count), limit)
    mean, var = _update(mean, var, x, _alpha(n, config))
    new_state = {
        **current,
        "mean": mean,
        "var": var,
        "n": n + 1,
        "last": window_index,
        "alert": window_index if spike is not None else last_alert,
    }
    return new_state, spike
