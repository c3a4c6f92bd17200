"""The benchmark on the real stack: names, worker processes, paced feeding and Elasticsearch polling."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from kafka import KafkaProducer

from newsflow_tools.bench import proc
from newsflow_tools.bench.corpus import ROOT, BenchArticle, Corpus
from streams import documents
from streams.settings import Settings
from streams.sinks.elasticsearch import sync_client


@dataclass(frozen=True)
class Names:
    """One run's private topics, indices, consumer group and worker state directory."""

    tag: str
    home: Path
    partitions: int

    @property
    def env(self) -> dict[str, str]:
        return {
            "NEWSFLOW_TOPIC_PREFIX": f"{self.tag}.",
            "NEWSFLOW_INDEX_PREFIX": f"{self.tag}-",
            "NEWSFLOW_APP_ID": self.tag,
            "NEWSFLOW_WEB_PORT": "0",
            "NEWSFLOW_TOPIC_PARTITIONS": str(self.partitions),
            "NEWSFLOW_HOME": str(self.home),
            # Every language's models load before a worker joins its group, as a deployment
            # expecting a multilingual stream would configure it.
            "NEWSFLOW_WARM_LANGUAGES": os.environ.get("NEWSFLOW_WARM_LANGUAGES", "all"),
        }

    def settings(self) -> Settings:
        return Settings.from_env({**os.environ, **self.env})


def share_model_cache(home: Path, cache: Path) -> None:
    """Give a run's private home the user's model cache. Its files are keyed by code and wheel
    versions, so sharing is safe; a fresh one would rebuild every language's name list and
    dictionary tries in each worker before every run (~45 s)."""
    home.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    link = home / "cache"
    if not link.exists():
        link.symlink_to(cache.resolve(), target_is_directory=True)


class Worker:
    """A `python -m streams.cli worker` subprocess, stopped by its pid."""

    def __init__(self, names: Names, name: str, log: Path, wrapper: list[str] | None = None) -> None:
        self.names = names
        self.name = name
        self.log = log
        self.wrapper = wrapper or []
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> Worker:
        env = {**os.environ, **self.names.env}
        command = [*self.wrapper, "-m", "streams.cli", "worker", "--name", self.name]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, *command], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
        return self

    def ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker {self.name} exited with {self.proc.returncode}:\n{self.tail()}")
        return "Worker]: Ready" in self.log.read_text(errors="replace")

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def stop(self, timeout: float = 60) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def service_pids(settings: Settings) -> dict[str, list[int]]:
    """Process trees of the local Kafka broker and Elasticsearch node, when this stack runs them."""
    from newsflow_tools.stack.launcher import Stack

    home = settings.home if settings.home.is_absolute() else ROOT / settings.home
    out: dict[str, list[int]] = {}
    with contextlib.suppress(Exception):
        for status in Stack(dataclasses.replace(settings, home=home)).status():
            if status.pid:
                out[status.name] = proc.descendants(status.pid)
    return out


def doc_count(es: Elasticsearch, index: str) -> int:
    """Documents a search sees now (no refresh forced: searchable is what is measured)."""
    try:
        return int(es.count(index=index)["count"])
    except NotFoundError:
        return 0
    except (ApiError, TransportError):
        # A shard that is still starting answers 503; the next poll asks again.
        return -1


def feed(
    producer: KafkaProducer, topic: str, items: list[BenchArticle], partitions: int | None = None
) -> None:
    """Send and flush; keyed by URL like `newsflow feed`, or spread over partitions round-robin."""
    for i, item in enumerate(items):
        partition = i % partitions if partitions else None
        producer.send(topic, key=item.url.encode(), value=item.value, partition=partition)
    producer.flush()


@dataclass
class Throughput:
    fed: int = 0
    generated: int = 0
    expected_docs: int = 0
    docs: int = 0
    seconds: float = 0.0
    complete: bool = False
    time_boxed: bool = False
    polls: int = 0  # count requests the bench itself sent to Elasticsearch
    cpu_s: dict[str, float] = field(default_factory=dict)  # per process group, over the phase
    machine_busy_s: float = 0.0
    machine_total_s: float = 0.0

    @property
    def rate(self) -> float:
        """Articles per second from first fed to last searchable; pro rata if it did not finish."""
        if not self.seconds or not self.expected_docs:
            return 0.0
        done = self.fed * min(1.0, self.docs / self.expected_docs)
        return done / self.seconds

    @property
    def docs_rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def prefix_expectations(items: tuple[BenchArticle, ...]) -> list[int]:
    """expected_documents(items[:i]) for every i; valid for prefixes since copies follow originals."""
    out = [0]
    ids: set[str] = set()
    exact = 0
    for item in items:
        ids.add(item.doc_id)
        exact += item.kind == "exact"
        out.append(len(ids) - exact)
    return out


class CpuMeter:
    """CPU seconds of named process groups and of the whole machine between start() and stop()."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self._start: dict[str, float] = {}
        self._machine = (0.0, 0.0)

    def _read(self) -> dict[str, float]:
        values = {name: proc.tree_cpu_seconds(pids) for name, pids in self.groups.items()}
        values["bench"] = proc.self_cpu_seconds()
        return values

    def start(self) -> None:
        self._start = self._read()
        self._machine = proc.machine_cpu()

    def stop(self) -> tuple[dict[str, float], float, float]:
        end = self._read()
        busy, total = proc.machine_cpu()
        spent = {k: end[k] - self._start.get(k, 0.0) for k in end}
        return spent, busy - self._machine[0], total - self._machine[1]


def run_throughput(
    producer: KafkaProducer,
    topic: str,
    corpus: Corpus,
    es: Elasticsearch,
    alias: str,
    base_docs: int,
    meter: CpuMeter,
    *,
    max_seconds: float,
    backlog_s: float = 30.0,
    min_backlog: int = 1000,
    chunk: int = 25,
    poll_s: float = 0.25,
    stall_s: float = 120.0,
) -> Throughput:
    """Keep about `backlog_s` seconds of work in flight until all is fed or `max_seconds` pass.

    Flow control keeps the pipeline saturated (never fewer than `min_backlog` documents waiting,
    also in the first seconds, before a rate is known) without queueing the whole corpus, so a
    time box leaves only a short drain and no backlog for the latency phase. The phase ends when
    the count of searchable documents reaches what the fed prefix should produce. The bench's own
    load on Elasticsearch is one `count` per poll (`poll_s`), never one per fed chunk.
    """
    items = corpus.articles
    expected = prefix_expectations(items)
    result = Throughput(generated=len(items))
    meter.start()
    t_first = time.time()
    deadline = t_first + max_seconds
    last_progress, last_docs, docs = t_first, -1, 0
    while True:
        now = time.time()
        count = doc_count(es, alias)
        result.polls += 1
        if count < 0:
            time.sleep(poll_s)
            continue
        docs = count - base_docs
        if docs != last_docs:
            last_progress, last_docs = now, docs
        feeding = result.fed < len(items) and now < deadline
        # The documents rate so far sets the backlog once a few seconds have passed.
        rate = docs / (now - t_first) if now - t_first > 5 else 0.0
        backlog = max(min_backlog, rate * backlog_s)
        while feeding and result.fed < len(items) and expected[result.fed] - docs < backlog:
            batch = list(items[result.fed : result.fed + chunk])
            feed(producer, topic, batch)
            result.fed += len(batch)
        if not feeding and docs >= expected[result.fed]:
            result.complete = True
            break
        if now - last_progress > stall_s:
            break
        time.sleep(poll_s)
    result.seconds = time.time() - t_first
    result.docs = max(0, docs)
    result.expected_docs = expected[result.fed]
    result.time_boxed = result.fed < len(items)
    result.cpu_s, result.machine_busy_s, result.machine_total_s = meter.stop()
    return result


@dataclass
class Latency:
    offered_rate: float = 0.0
    sent: int = 0
    send_seconds: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    missing: int = 0
    polls: int = 0
    poll_cycle_s: float = 0.0


def paced(items: Sequence[BenchArticle], rate: float, start: float) -> Iterator[BenchArticle]:
    """`items` one by one, the i-th not before `start + i / rate` (a fixed offered rate)."""
    for i, item in enumerate(items):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        yield item


def run_latency(
    producer: KafkaProducer,
    topic: str,
    corpus: Corpus,
    es: Elasticsearch,
    alias: str,
    rate: float,
    *,
    poll_s: float = 0.2,
    settle_s: float = 60.0,
) -> Latency:
    """Send at a fixed rate from a thread; poll `ids` queries for the sent documents meanwhile.

    A document's latency is the end of the poll that first found it minus its send time
    (time.time() just before producer.send), so each figure is an upper bound, late by at most one
    poll cycle (reported). An exact repost shares a group with its original: whichever of the two
    gets the document is timed from its own send.
    """
    items = corpus.articles
    by_seq = {a.seq: a for a in items}
    group: dict[str, str] = {}
    for a in items:
        group[a.doc_id] = by_seq[a.of].doc_id if a.kind == "exact" and a.of is not None else a.doc_id
    pending = {group[a.doc_id] for a in items if a.kind != "exact"}
    sent_at: dict[str, float] = {}
    out = Latency(offered_rate=rate)
    done = threading.Event()

    def sender() -> None:
        start = time.time()
        for item in paced(items, rate, start):
            sent_at.setdefault(item.doc_id, time.time())
            producer.send(topic, key=item.url.encode(), value=item.value)
            out.sent += 1
        producer.flush()
        out.send_seconds = time.time() - start
        done.set()

    thread = threading.Thread(target=sender, name="bench-latency-sender", daemon=True)
    thread.start()
    cycle_total = 0.0
    settle_deadline: float | None = None
    while pending:
        begin = time.time()
        waiting = [d for d in list(sent_at) if group[d] in pending]
        for i in range(0, len(waiting), 1000):
            chunk = waiting[i : i + 1000]
            try:
                hits = es.search(index=alias, query={"ids": {"values": chunk}}, size=len(chunk), source=False)
            except (ApiError, TransportError):
                continue  # not created yet, or a transient error: the next poll asks again
            seen = time.time()
            for hit in hits["hits"]["hits"]:
                key = group[hit["_id"]]
                if key in pending:
                    pending.discard(key)
                    out.latencies_s.append(seen - sent_at[hit["_id"]])
        out.polls += 1
        cycle_total += time.time() - begin
        if done.is_set():
            settle_deadline = settle_deadline or time.time() + settle_s
            if time.time() > settle_deadline:
                break
        time.sleep(max(0.0, poll_s - (time.time() - begin)))
    thread.join(timeout=5)
    out.missing = len(pending)
    out.poll_cycle_s = cycle_total / max(1, out.polls) + poll_s
    return out


def worker_memory(workers: list[Worker]) -> dict[str, float | None]:
    return {w.name: proc.status_mb(w.pid, "VmHWM") for w in workers}


def worker_tree_pss(workers: list[Worker]) -> dict[str, float | None]:
    """Each worker with its prepare processes, shared pages counted once (now, not the peak)."""
    return {w.name: proc.pss_mb(proc.descendants(w.pid)) for w in workers}


def cleanup(settings: Settings, names: Names, groups: list[str]) -> list[str]:
    """Delete the run's topics, consumer groups, indices and templates, and its worker state."""
    from kafka.admin import KafkaAdminClient

    notes: list[str] = []
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap.split(","), **settings.kafka_client_options()
        )
        try:
            doomed = [t for t in admin.list_topics() if t.startswith(names.tag)]
            if doomed:
                admin.delete_topics(doomed)
            with contextlib.suppress(Exception):
                admin.delete_groups(groups)
        finally:
            admin.close()
    except Exception as exc:  # cleanup reports, never hides the benchmark's own result
        notes.append(f"topics of {names.tag} not deleted: {exc!r}")
    es = sync_client(settings)
    try:
        es.indices.delete(index=f"{names.tag}*", ignore_unavailable=True, allow_no_indices=True)
        with contextlib.suppress(NotFoundError):
            es.indices.delete_index_template(name=f"{names.tag}*")
    except Exception as exc:
        notes.append(f"indices of {names.tag} not deleted: {exc!r}")
    finally:
        es.close()
    shutil.rmtree(names.home, ignore_errors=True)
    return notes


def alias_of(settings: Settings) -> str:
    return documents.alias_name(settings.index_prefix)


def es_client(settings: Settings) -> Elasticsearch:
    return sync_client(settings)


@dataclass
class Soak:
    """Worker resident memory sampled while articles arrive at a fixed rate."""

    offered_rate: float
    sent: int = 0
    seconds: float = 0.0
    # (seconds since the start, {worker name: VmRSS MiB})
    samples: list[tuple[float, dict[str, float | None]]] = field(default_factory=list)


def run_soak(
    producer: KafkaProducer,
    topic: str,
    corpus: Corpus,
    rate: float,
    workers: list[Worker],
    *,
    sample_s: float = 10.0,
    progress: Callable[[str], None] | None = None,
) -> Soak:
    """Send `corpus` at `rate` articles/s and read each worker's VmRSS every `sample_s` seconds."""
    out = Soak(offered_rate=rate)
    start = time.time()
    next_sample = start
    for item in paced(corpus.articles, rate, start):
        now = time.time()
        if now >= next_sample:
            out.samples.append((now - start, {w.name: proc.status_mb(w.pid, "VmRSS") for w in workers}))
            next_sample += sample_s
            if progress is not None and len(out.samples) % 6 == 1:
                progress(f"soak: {now - start:.0f} s, {out.sent} sent, RSS {out.samples[-1][1]}")
        producer.send(topic, key=item.url.encode(), value=item.value)
        out.sent += 1
    producer.flush()
    out.seconds = time.time() - start
    out.samples.append((out.seconds, {w.name: proc.status_mb(w.pid, "VmRSS") for w in workers}))
    return out
