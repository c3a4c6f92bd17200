"""Every topic, table and agent of the pipeline, in flow order.

    crawlers --(kafka-python)--> articles.raw            key: anything, value: raw article JSON bytes
      -> prepare   (stateless, CPU: validate, HTML->text, language, entities, lemmas, fingerprint)
           invalid ----------------------------------> articles.dlq   (reason, stage, payload, origin)
      -> articles.keyed                                 key: language (dedup state is co-partitioned)
      -> dedupe_index (take() batches; per article, in partition order: the table dedup_state
                    decides exact by content hash, near by MinHash LSH, 7-day window; the LSH
                    band buckets are derived from its records and kept in a local store
                    (streams.band_index), rebuilt whenever the partitions change; then one
                    bulk request: `create` per document, one syndication update per canonical;
                    offsets advance only after it is acked)
           refused by Elasticsearch -------------------> articles.dlq
           -> Elasticsearch alias `articles` (its write index: articles-v1, or the index
              `newsflow reindex` swapped in)
      scan_spikes (timer on the leader, every NEWSFLOW_SPIKE_SCAN_SECONDS): keyword counts per
           window read back from the index (canonical documents only) -> spike rule
      -> Elasticsearch index `alerts` (create: one alert per keyword and window, whoever scans)
      -> alerts                                         key: alert id, value: alert JSON (+ webhook POST)

Agents are thin: read -> one pure call -> send. Business rules live in articles, prepare, dedup
and documents; Elasticsearch is reached only through streams.sinks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust
from faust.streams import _current_event  # the context variable behind faust.current_event()

from streams import articles, deadletter, dedup, documents, lemmas, records, spike_scan, spikes, writes
from streams.app import create_app
from streams.articles import ErrorCode
from streams.band_index import BandIndex
from streams.band_index import for_store as band_index_for
from streams.metrics import Metrics
from streams.prepare import Options
from streams.prepare_pool import Job, Outcome, Prepared, PreparePool, Rejected, run_one
from streams.records import Article
from streams.refresh import RefreshPolicy
from streams.settings import Settings
from streams.sinks.base import DocumentSink, ItemFailure
from streams.watchlist import WatchTerm, load_watchlist, terms_in
from streams.writes import Write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replay:
    """A worker that rebuilds an index (`newsflow reindex`): it reads the live raw topic under its
    own app id (consumer group, table), sends through its own internal topics (named with
    `suffix`), writes to `target` by name, counts each article as ingested when Kafka got it,
    and raises no alerts (the live pipeline does)."""

    target: str
    suffix: str


@dataclass
class Topology:
    settings: Settings
    app: faust.App
    raw: faust.TopicT
    dlq: faust.TopicT
    keyed: faust.TopicT
    dedup_state: Any
    alerts: faust.TopicT
    sink: DocumentSink | None = None
    replay: Replay | None = None
    alert_sink: Any = None
    article_search: Any = None
    webhook: Any = None
    counters: dict[str, int] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    prepare_pool: PreparePool | None = None  # NEWSFLOW_PREPARE_PROCESSES > 0
    bands: BandIndex | None = None  # the dedup table's LSH buckets, derived, kept locally

    def document_sink(self) -> DocumentSink:
        if self.sink is None:
            from streams.sinks.elasticsearch import ElasticsearchSink

            target = self.replay.target if self.replay else None
            self.sink = ElasticsearchSink.from_settings(self.settings, self.metrics.retried, target)
        return self.sink

    def alert_index(self) -> Any:
        if self.alert_sink is None:
            from streams.sinks.elasticsearch import AlertIndex, async_client

            self.alert_sink = AlertIndex(async_client(self.settings), self.settings.index_prefix)
        return self.alert_sink

    def searcher(self) -> Any:
        if self.article_search is None:
            from streams.sinks.elasticsearch import ArticleSearch, async_client

            self.article_search = ArticleSearch(async_client(self.settings), self.settings.index_prefix)
        return self.article_search

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


# With prepare processes: up to this many raw messages per process in a batch, gathered for at
# most this long (a quiet stream's article waits no longer than that before it is prepared).
PREPARE_BATCH = 32
PREPARE_SECONDS = 0.05

# RocksDB per table partition. Faust's defaults (64 MB x 3 write buffers, a 2 GB block cache per
# partition) let a worker's resident memory climb for hours; these bound a table partition at
# ~40 MB. Reads hit recent keys (a 7-day window) and the OS page cache serves the rest.
STORE_OPTIONS: dict[str, Any] = {
    "write_buffer_size": 8 * 1024 * 1024,
    "max_write_buffer_number": 2,
    "block_cache_size": 16 * 1024 * 1024,
}


@contextmanager
def current(event: faust.EventT) -> Iterator[None]:
    """Make `event` Faust's current event while the block runs. A table write goes to the
    changelog partition of the current event, and in a take() batch Faust leaves none set for
    the agent (its buffer is filled by another task)."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


def _origin(event: faust.EventT) -> deadletter.Origin:
    message = event.message
    return deadletter.Origin(message.topic, message.partition, message.offset, message.key)


def _where(origin: deadletter.Origin) -> str:
    return f"{origin.topic}[{origin.partition}]@{origin.offset}"


def _replay_payload(article: Article) -> str:
    """The article in the raw contract's shape, which `newsflow dlq replay` can send again."""
    return json.dumps(documents.raw_payload(article), ensure_ascii=False)


def create(settings: Settings, *, sink: DocumentSink | None = None, replay: Replay | None = None) -> Topology:
    app = create_app(settings)
    partitions = settings.topic_partitions

    def topic(name: str, count: int = partitions, shared: bool = False) -> faust.TopicT:
        # Keys and values are bytes: the agents decode and encode them (streams.records) inside
        # their own per-message boundary, so a value no hop can read or write becomes a dead
        # letter instead of an exception in Faust's consumer, which would stop the agent.
        full = settings.topic(name) if shared or replay is None else f"{settings.topic(name)}.{replay.suffix}"
        return app.topic(
            full,
            key_type=bytes,
            key_serializer="raw",
            value_type=bytes,
            value_serializer="raw",
            partitions=count,
            internal=True,  # declared (created) by the worker
        )

    def table(name: str, purpose: str) -> Any:
        # No default: dedup.decide() relies on KeyError/None for missing keys.
        # Faust gives tables a compacted changelog, so recovery never meets deleted segments.
        return app.Table(name, partitions=partitions, key_type=str, help=purpose, options=dict(STORE_OPTIONS))

    raw = topic("articles.raw", shared=True)  # key: anything; value: raw JSON, decoded by prepare()
    dlq = topic("articles.dlq", 1)  # value: dead letter JSON (schemas/deadletter.schema.json)
    keyed = topic("articles.keyed")  # key: language code; value: records.Article JSON
    dedup_state = table("dedup_state", "exact and near-duplicate fingerprints of canonical articles")
    alerts_topic = topic("alerts", 1)  # key: alert id; value: alert JSON (schemas/alert.schema.json)
    topo = Topology(settings, app, raw, dlq, keyed, dedup_state, alerts_topic, sink, replay)
    topo.bands = bands = band_index_for(settings.store, Path(app.conf.tabledir))

    @app.on_partitions_assigned.connect
    async def partitions_assigned(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        bands.invalidate()  # the table's partitions changed: rebuild before the next decision

    @app.on_partitions_revoked.connect
    async def partitions_revoked(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        bands.invalidate()

    topo.metrics = metrics = Metrics(lambda: (app.monitor.tp_end_offsets, app.monitor.tp_committed_offsets))

    prepare_time, dedupe_time, index_time = (
        metrics.stage_seconds.labels(s) for s in ("prepare", "dedupe", "index")
    )

    @app.page("/metrics")
    async def metrics_page(view: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return view.bytes(metrics.exposition(), content_type="text/plain")

    watchlist: list[WatchTerm] = load_watchlist(settings.watchlist) if settings.watchlist else []
    spike_config = spikes.SpikeConfig(
        window_s=settings.spike_window_seconds,
        min_count=settings.spike_min_count,
        k=settings.spike_k,
        cooldown_windows=settings.spike_cooldown_windows,
        min_history=settings.spike_min_history_windows,
    )
    term_config = {
        t.term: spikes.SpikeConfig.from_mapping({"min_count": t.min_count, "k": t.k}, spike_config)
        for t in watchlist
    }
    options = Options(settings.max_message_bytes, settings.language_chars)
    window_s = settings.dedup_window_days * 86400
    # The live index refreshes seldom while a backlog drains (a rebuild has its own interval).
    refresh = (
        RefreshPolicy(
            normal_interval=documents.refresh_interval(settings.index_prefix),
            backlog_interval=settings.backlog_refresh_interval,
            behind_s=settings.backlog_seconds,
        )
        if replay is None and settings.backlog_seconds > 0
        else None
    )

    async def dead_letter(letter: dict[str, Any]) -> None:
        topo.count(f"dlq.{letter['error']['code']}")
        metrics.dead_letters.labels(letter["error"]["code"], letter["stage"]).inc()
        key = letter.get("url") or ""
        await dlq.send(key=key.encode("utf-8", "replace") or None, value=deadletter.encode(letter))

    async def park(
        event: faust.EventT, stage: str, exc: BaseException, article: Article | None = None
    ) -> None:
        """The one boundary of every agent: a failure no rule foresaw parks this message, and
        the stream goes on with the next one."""
        payload = event.value if article is None else _replay_payload(article)
        await park_at(_origin(event), stage, exc, payload, article)

    async def park_at(
        origin: deadletter.Origin, stage: str, exc: BaseException, payload: Any, article: Article | None
    ) -> None:
        log.error("%s failed at %s: %r", stage, _where(origin), exc, exc_info=exc)
        topo.count(f"failed.{stage}")
        url = article.url if article is not None else None
        await dead_letter(
            deadletter.from_exception(exc, stage=stage, payload=payload, origin=origin, url=url)
        )

    pool = topo.prepare_pool = (
        PreparePool(settings.prepare_processes, options) if settings.prepare_processes else None
    )

    def job(event: faust.EventT) -> Job:
        # A rebuild counts an article as ingested when Kafka first got it, not today.
        ingested_at = articles.iso_utc(event.message.timestamp) if replay else None
        return Job(event.value, _origin(event), ingested_at)

    async def emit(event: faust.EventT, outcome: Outcome) -> None:
        if isinstance(outcome, Prepared):
            prepare_time.observe(outcome.seconds)
            topo.count("prepared")
            metrics.prepared.inc()
            # A live keyed message keeps its raw message's time, so the indexing agent sees how
            # far behind the crawlers it is (a rebuild's raw messages are days old: now, there).
            stamp = event.message.timestamp if replay is None else None
            await keyed.send(key=outcome.language.encode(), value=outcome.value, timestamp=stamp)
        elif isinstance(outcome, Rejected):
            prepare_time.observe(outcome.seconds)
            await dead_letter(outcome.letter)
        else:
            await park(event, "encode", outcome.error)

    @app.agent(raw, name="prepare")
    async def prepare_agent(stream: faust.StreamT) -> None:
        if pool is None:
            async for event in stream.events():
                metrics.articles_in.inc()
                await emit(event, run_one(job(event), options))
                # prepare() is CPU work that never awaits: hand the loop to the consumer's
                # heartbeat, the producer and the other agents between two articles.
                await asyncio.sleep(0)
            return
        # A batch at a time to the prepare processes; the loop serves Kafka, the dedupe_index
        # agent and Elasticsearch meanwhile. The batch's offsets are committed once it is sent.
        batches = stream.take_events(PREPARE_BATCH * pool.processes, within=PREPARE_SECONDS)  # type: ignore[attr-defined]
        async for events in batches:
            metrics.articles_in.inc(len(events))
            for event, outcome in zip(events, await pool.run([job(e) for e in events]), strict=True):
                await emit(event, outcome)

    def decide(event: faust.EventT) -> Article:
        """The article of a keyed event with its dedup decision (and watchlist terms) set."""
        article = records.decode(event.value)
        decision = dedup.decide(
            article.id,
            dedup.Fingerprint.from_dict(article.fingerprint),
            dedup.window_time(article.published_at, article.ingested_at, time.time()),
            dedup.ScopedState(dedup_state, article.language),
            window_s=window_s,
            threshold=settings.dedup_threshold,
            source=article.source,
            index=dedup.ScopedState(bands.buckets, article.language),
        )
        article.dedup = decision.to_dict()
        if watchlist:  # counted by scan_spikes from the index (canonical documents only)
            article.watchlist = terms_in(
                watchlist, article.lemmas_title, article.lemmas_text, article.language, lemmas.lemma_text
            )
        topo.count(f"dedup.{decision.kind}")
        metrics.decisions.labels(decision.kind).inc()
        return article

    @app.agent(keyed, name="dedupe_index")
    async def dedupe_index_agent(stream: faust.StreamT) -> None:
        # Deciding and indexing where the dedup state lives: a story's original and its copies
        # share a language, so they meet in one partition, in order, whichever worker has it.
        # take() acks the batch's events (their offsets may be committed) only after the bulk
        # request returned; a crash before replays them, and decide() answers a replay with
        # the record it holds.
        target = replay.target if replay else documents.alias_name(settings.index_prefix)
        batches = stream.take_events(settings.bulk_size, within=settings.bulk_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            if refresh is not None:
                refresh.begin()
            await bands.ensure(dedup_state.items)  # after a start or a rebalance: from the table
            batch: list[Write] = []
            for event in events:
                article: Article | None = None
                started = time.perf_counter()
                try:
                    with current(event):  # the changelog partition of the table writes
                        article = decide(event)
                    batch.extend(writes.for_article(article, target, settings.near_duplicates))
                except Exception as exc:
                    await park(event, "dedupe", exc, article)
                    continue
                dedupe_time.observe(time.perf_counter() - started)
            if batch:
                with index_time.time():
                    await write_batch(writes.coalesce(batch))
            if events:
                await note_backlog(min(e.message.timestamp for e in events))

    async def note_backlog(oldest_raw_at: float) -> None:
        # A keyed message carries its raw message's time: how far behind the crawlers the
        # worker is, whichever of its two agents the backlog waits for.
        if refresh is not None:
            await set_refresh(refresh.on_batch(time.time(), oldest_raw_at))

    async def set_refresh(interval: str | None) -> None:
        if interval is None or refresh is None:
            return
        try:
            # Back from a backlog: its last documents are searchable now, not a refresh later.
            await topo.document_sink().set_refresh_interval(interval, refresh_now=not refresh.slow)
        except Exception as exc:
            refresh.failed()
            log.warning("index refresh interval not set to %s (%r); trying again later", interval, exc)
            return
        state = "draining a backlog" if refresh.slow else "caught up"
        log.info("index refresh interval %s: %s", interval, state)

    async def write_batch(batch: list[Write]) -> None:
        sink = topo.document_sink()
        operations = [line for w in batch for line in w.ops]
        try:
            metrics.bulk_size.observe(len(operations) // 2)
            with metrics.bulk_seconds.time():
                failures = await sink.write(operations)
        except Exception as exc:
            # Not an outage (those are retried inside the sink) but a request Elasticsearch or
            # the client refused as a whole: find the writes that cause it, one at a time.
            log.warning("bulk request of %d writes failed (%r); writing them one by one", len(batch), exc)
            for w in batch:
                try:
                    refused = await sink.write(w.ops)
                except Exception as one:
                    if w.article is not None:  # where the article came from, for a replay
                        origin = deadletter.Origin(**w.article.origin)
                        await park_at(origin, "index", one, _replay_payload(w.article), w.article)
                    continue
                await report([w], refused)
            return
        await report(batch, failures)

    async def report(batch: list[Write], failures: list[ItemFailure]) -> None:
        for failure in failures:
            w = batch[failure.position]
            if w.article is None:
                # A syndication update whose canonical is not in the index (it was refused):
                # nothing to repair here, the copy itself was handled on its own.
                log.warning("syndication update of %s refused: %s", failure.doc_id, failure.reason)
                continue
            await dead_letter(
                deadletter.record(
                    code=ErrorCode.INDEX_REJECTED,
                    message=f"Elasticsearch refused the document ({failure.status} "
                    f"{failure.error_type}): {failure.reason}",
                    stage="index",
                    payload=_replay_payload(w.article),
                    origin=deadletter.Origin(**w.article.origin),
                    url=w.article.url,
                )
            )
        indexed = sum(w.is_article for w in batch) - sum(batch[f.position].is_article for f in failures)
        topo.count("indexed", indexed)
        metrics.indexed.inc(indexed)

    async def scan_spikes() -> None:
        # Reads counts from the index, so one worker (the leader) scans for all; a scan that
        # repeats another (after a rebalance) creates nothing twice: alert ids are per window.
        try:
            found = await spike_scan.scan(topo.searcher(), time.time(), spike_config, term_config)
        except Exception as exc:  # Elasticsearch away: the next scan sees the same windows
            log.warning("spike scan failed, retrying in %.0f s: %r", settings.spike_scan_seconds, exc)
            return
        for alert in found:
            if not await topo.alert_index().create(alert):
                continue  # raised by an earlier scan
            topo.count("alerts")
            metrics.alerts.inc()
            await alerts_topic.send(key=alert["id"].encode(), value=json.dumps(alert).encode())
            if settings.alert_webhook_url:
                from streams.sinks.webhook import Webhook

                topo.webhook = topo.webhook or Webhook(settings.alert_webhook_url)
                await topo.webhook.post(alert)

    if replay is None:  # a rebuild raises no alerts: the live pipeline does
        scan_spikes = app.timer(settings.spike_scan_seconds, on_leader=True)(scan_spikes)

    if refresh is not None:

        @app.timer(0.25)
        async def refresh_tick() -> None:
            await set_refresh(refresh.on_tick(time.time()))

    @app.timer(30.0)
    async def report_counters() -> None:
        # Per-stage progress for operators tailing the log (Faust's web endpoint has lag).
        if topo.counters:
            log.info("newsflow counters: %s", json.dumps(dict(sorted(topo.counters.items()))))

    topo.agents = (prepare_agent, dedupe_index_agent)  # type: ignore[attr-defined]
    topo.scan_spikes = scan_spikes  # type: ignore[attr-defined]
    return topo
