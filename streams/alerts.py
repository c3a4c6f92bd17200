"""Alert records built from a spike (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from streams import spikes
from streams.version import PIPELINE_VERSION

MAX_SAMPLES = 5


@dataclass(frozen=True)
class Hit:
    keyword: str
    kind: str  # "entity" | "watchlist"
    label: str | None


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def record(
    hit: Hit, spike: spikes.Spike, window: dict[str, Any], config: spikes.SpikeConfig
) -> dict[str, Any]:
    """An alert matching schemas/alert.schema.json; `window` gives its samples (id, title, url of
    up to MAX_SAMPLES articles) and first_seen (epoch seconds)."""
    start, end = spikes.window_bounds(spike.window_index, config.window_s)
    return {
        "id": spikes.alert_id(hit.keyword, hit.kind, spike.window_index, config.window_s),
        "keyword": hit.keyword,
        "kind": hit.kind,
        "label": hit.label,
        "window_start": iso(start),
        "window_end": iso(end),
        "count": spike.count,
        "baseline": round(spike.baseline, 4),
        "sigma": round(spike.sigma, 4),
        "score": round(spike.score, 3),
        "threshold": spike.threshold,
        "samples": window["samples"],
        "first_seen": iso(window["first_seen"]),
        "raised_at": iso(datetime.now(UTC).timestamp()),
        "pipeline_version": PIPELINE_VERSION,
    }
