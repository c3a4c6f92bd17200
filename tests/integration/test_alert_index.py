"""The alerts index on a real Elasticsearch: an alert is stored once, a repeat is answered at once."""

from __future__ import annotations

import asyncio
import time

from streams import alerts, spikes
from streams.sinks.elasticsearch import AlertIndex, async_client, sync_client


def _alert(window: int) -> dict:
    config = spikes.SpikeConfig(window_s=900.0)
    spike = spikes.Spike(window_index=window, count=9, baseline=1.0, sigma=0.5, score=16.0, threshold=5)
    samples = [{"id": "a1", "title": "Burza nad Władywostokiem", "url": "https://x.example/1"}]
    return alerts.record(
        alerts.Hit("Władywostok", "entity", "LOC"),
        spike,
        {"samples": samples, "first_seen": time.time()},
        config,
    )


def test_a_scan_that_meets_a_raised_alert_is_told_so_and_goes_on(names) -> None:
    # Scans repeat every NEWSFLOW_SPIKE_SCAN_SECONDS and find the same spike while its window is
    # recent: the second create() must say "exists", not wait on Elasticsearch's 409 for ever.
    prefix = names.settings.index_prefix
    alert = _alert(window=int(time.time() // 900))

    async def create_twice() -> tuple[bool, bool]:
        index = AlertIndex(async_client(names.settings), prefix)
        try:
            first = await asyncio.wait_for(index.create(alert), 30)
            again = await asyncio.wait_for(
                index.create(dict(alert, raised_at=alerts.iso(time.time() + 30))), 30
            )
            return first, again
        finally:
            await index.client.close()

    assert asyncio.run(create_twice()) == (True, False)
    es = sync_client(names.settings)
    try:
        stored = es.get(index=f"{prefix}alerts", id=alert["id"])["_source"]
        assert stored["raised_at"] == alert["raised_at"]  # the first one stands
    finally:
        es.close()
