"""Prometheus metrics of one worker, served at /metrics on its web port (NEWSFLOW_WEB_PORT).

Names are stable (`newsflow_*`, whatever the app id), so one dashboard serves every deployment;
deploy/grafana/newsflow.json reads them. Each worker has its own registry: two apps in one
process (tests) never share a counter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Per-article stages take milliseconds; a bulk request tens to hundreds of them.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
BULK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BULK_SIZES = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)

# topic/partition -> offset, as Faust's monitor keeps them (TP tuples with .topic/.partition).
Offsets = Callable[[], tuple[Mapping[Any, int], Mapping[Any, int]]]


class _Lag(Collector):
    """Consumer lag per topic partition at scrape time: the broker's end offset the worker last
    saw minus the offset it committed (what a restart would re-read)."""

    def __init__(self, offsets: Offsets) -> None:
        self.offsets = offsets

    def collect(self) -> Iterable[Metric]:
        lag = GaugeMetricFamily(
            "newsflow_consumer_lag",
            "Messages not yet committed per topic partition (end offset - committed offset)",
            labels=["topic", "partition"],
        )
        end, committed = self.offsets()
        for tp, high in sorted(end.items(), key=lambda item: (item[0].topic, item[0].partition)):
            done = committed.get(tp)
            # Committed offsets are the next offset to read, as end offsets are.
            behind = max(0, int(high) - int(done)) if done is not None else int(high)
            lag.add_metric([tp.topic, str(tp.partition)], behind)
        yield lag


class Metrics:
    def __init__(self, offsets: Offsets | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.articles_in = Counter("newsflow_articles_in", "Raw messages read from articles.raw", registry=r)
        self.prepared = Counter("newsflow_articles_prepared", "Articles that passed prepare", registry=r)
        self.decisions = Counter(
            "newsflow_dedup_decisions", "Dedup decisions by kind (unique, exact, near)", ["kind"], registry=r
        )
        self.indexed = Counter(
            "newsflow_articles_indexed", "Article documents Elasticsearch acknowledged", registry=r
        )
        self.dead_letters = Counter(
            "newsflow_dead_letters",
            "Dead letters sent, by error code and stage",
            ["code", "stage"],
            registry=r,
        )
        self.stage_seconds = Histogram(
            "newsflow_stage_seconds",
            "Processing time per message and stage (prepare, dedupe) or per batch (index)",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.bulk_seconds = Histogram(
            "newsflow_bulk_request_seconds",
            "Time of one bulk write to Elasticsearch, retries included",
            buckets=BULK_BUCKETS,
            registry=r,
        )
        self.bulk_size = Histogram(
            "newsflow_bulk_request_operations", "Operations per bulk write", buckets=BULK_SIZES, registry=r
        )
        self.es_retries = Counter(
            "newsflow_elasticsearch_retries",
            "Elasticsearch requests retried after an outage, overload or refused login (the agent "
            "waits meanwhile)",
            ["reason"],
            registry=r,
        )
        self.alerts = Counter("newsflow_alerts_raised", "Keyword spike alerts raised", registry=r)
        if offsets is not None:
            r.register(_Lag(offsets))

    def retried(self, exc: BaseException) -> None:
        status = getattr(getattr(exc, "meta", None), "status", None)
        self.es_retries.labels(str(status) if status else type(exc).__name__).inc()

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
