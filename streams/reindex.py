"""`newsflow reindex`: rebuild the articles index from the raw topic, then swap the alias.

    live workers ----------------------------> alias `articles` -> articles-vN (write index)
    raw topic --> replay worker (own group) --> articles-v(N+1), by name, with today's template
                                                and today's enrichment

1. Plan: the index behind the alias is the source; the target is the next version. The target
   records the replay's app id in its mapping's `_meta`, so a run that was interrupted resumes
   where its consumer group stopped; deleting the unfinished target starts over.
2. Replay: a worker process in replay mode (topology.Replay) reads the raw topic from the start
   (or from `--since`), through its own internal topics, consumer group and table.
3. Swap, when the replay's lag is small: one atomic alias update moves reads and the live
   workers' writes to the target. Live workers write through the alias, so no restart.
4. Drain, twice: an article Kafka had before the swap may have been written by a live worker to
   the source only, so the replay runs until its committed offsets pass the raw topic's end at
   the swap, then its internal topics' ends. The second pass, from the end at the first pass's
   finish, covers a copy indexed by a live worker while its original was still only in the
   replay: the replay updates the original's syndication record in order.
5. Stop the replay worker, delete its internal topics, group and local table; with
   `--delete-old`, delete the source index.

Needs the raw topic to hold everything since the start (or `--since`): its retention decides
how far back a rebuild reaches (the local stack and compose keep 168 h).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streams import documents, lifetime
from streams.settings import Settings

META_KEY = "newsflow_reindex"  # in the target's mapping _meta while the rebuild is unfinished
DONE_KEY = "newsflow_reindexed"  # replaces it once the alias has moved and the drain is done
REPLAY_REFRESH = "30s"  # the target refreshes seldom while it fills; the template's value at the swap
WORKER_NAME = "reindex"


class ReindexError(RuntimeError):
    """A rebuild that cannot start or go on; the message names the cause and the fix."""


@dataclass(frozen=True)
class Plan:
    alias: str
    source: str  # the index behind the alias when the rebuild started
    target: str
    app_id: str  # the replay worker's app id: its consumer group and table changelog
    suffix: str  # appended to its internal topics' names
    resumed: bool = False
    swapped: bool = False  # resumed after the alias had moved: only the drain is left

    @property
    def meta(self) -> dict[str, Any]:
        return {"app_id": self.app_id, "suffix": self.suffix, "source": self.source}


def _index_meta(es: Any, pattern: str) -> dict[str, dict[str, Any]]:
    """Index name -> its mapping's _meta, for the indices matching the pattern."""
    found = es.indices.get_mapping(index=pattern, allow_no_indices=True, ignore_unavailable=True)
    return {name: dict(info.get("mappings", {}).get("_meta") or {}) for name, info in found.items()}


def make_plan(es: Any, settings: Settings) -> Plan:
    """What this run rebuilds: the unfinished rebuild if there is one, else the next version."""
    prefix = settings.index_prefix
    alias = documents.alias_name(prefix)
    if not es.indices.exists_alias(name=alias):
        raise ReindexError(
            f"no index behind the alias {alias} yet, so nothing to rebuild: start a worker "
            "(`newsflow worker`) and it creates articles-v1 with the first article"
        )
    behind = sorted(es.indices.get_alias(name=alias))
    if len(behind) != 1:
        raise ReindexError(
            f"the alias {alias} points at {len(behind)} indices ({', '.join(behind)}); point it at "
            "one (POST _aliases) and run again"
        )
    current = behind[0]
    metas = _index_meta(es, f"{prefix}articles-v*")
    unfinished = metas.get(current, {}).get(META_KEY)
    if unfinished:  # interrupted after the swap: drain and clean up
        source, app_id, suffix = unfinished["source"], unfinished["app_id"], unfinished["suffix"]
        return Plan(alias, source, current, app_id, suffix, resumed=True, swapped=True)
    version = documents.index_version(current, prefix)
    if version is None:
        raise ReindexError(
            f"the alias {alias} points at {current}, which is not named {prefix}articles-vN; "
            "newsflow rebuilds only the indices it made"
        )
    versions = {v: name for name in metas if (v := documents.index_version(name, prefix)) is not None}
    for v in sorted(versions, reverse=True):
        info = metas[versions[v]].get(META_KEY)
        if v > version and info and info.get("source") == current:
            return Plan(alias, current, versions[v], info["app_id"], info["suffix"], resumed=True)
    target_version = max([version, *versions]) + 1
    suffix = f"reindex-v{target_version}-{secrets.token_hex(3)}"
    return Plan(
        alias, current, documents.index_name(prefix, target_version), f"{settings.app_id}-{suffix}", suffix
    )


def create_target(es: Any, settings: Settings, plan: Plan) -> None:
    """Today's template, then the target with the plan in its _meta (which makes it resumable)."""
    es.indices.put_index_template(name=plan.alias, **documents.template(settings.index_prefix))
    meta = {META_KEY: {**plan.meta, "started_at": _now()}}
    es.indices.create(
        index=plan.target, mappings={"_meta": meta}, settings={"refresh_interval": REPLAY_REFRESH}
    )


def swap(es: Any, settings: Settings, plan: Plan) -> None:
    """Reads and live writes move to the target in one cluster-state change."""
    refresh = documents.refresh_interval(settings.index_prefix)
    es.indices.put_settings(index=plan.target, settings={"index": {"refresh_interval": refresh}})
    es.indices.refresh(index=plan.target)
    es.indices.update_aliases(
        actions=[
            {"add": {"index": plan.target, "alias": plan.alias, "is_write_index": True}},
            {"remove": {"index": plan.source, "alias": plan.alias}},
        ]
    )


def mark_done(es: Any, plan: Plan) -> None:
    meta = {DONE_KEY: {"source": plan.source, "finished_at": _now()}}
    es.indices.put_mapping(index=plan.target, meta=meta)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Kafka: the replay group's position against the topics' ends.


@dataclass
class Offsets:
    """Per topic partition: the replay group's committed offset and the partition's end."""

    committed: dict[tuple[str, int], int] = field(default_factory=dict)
    ends: dict[tuple[str, int], int] = field(default_factory=dict)

    def lag(self, topic: str | None = None) -> int:
        return sum(
            max(0, end - self.committed.get(tp, 0)) for tp, end in self.ends.items() if topic in (None, tp[0])
        )

    def reached(self, marks: dict[tuple[str, int], int]) -> bool:
        return all(self.committed.get(tp, 0) >= mark for tp, mark in marks.items())

    def of(self, topic: str) -> dict[tuple[str, int], int]:
        return {tp: end for tp, end in self.ends.items() if tp[0] == topic}


class KafkaView:
    """Reads the replay group's offsets with kafka-python's admin client (no group membership)."""

    def __init__(self, settings: Settings, group: str) -> None:
        from kafka import KafkaConsumer
        from kafka.admin import KafkaAdminClient

        options = {
            "bootstrap_servers": settings.kafka_bootstrap.split(","),
            **settings.kafka_client_options(),
        }
        self.group = group
        self.admin = KafkaAdminClient(request_timeout_ms=10000, **options)
        self.consumer = KafkaConsumer(enable_auto_commit=False, request_timeout_ms=10000, **options)
        self.options = options

    def close(self) -> None:
        self.consumer.close()
        self.admin.close()

    def _partitions(self, topic: str) -> list[Any]:
        from kafka import TopicPartition

        return [TopicPartition(topic, p) for p in sorted(self.consumer.partitions_for_topic(topic) or set())]

    def offsets(self, topics: list[str]) -> Offsets:
        from streams.status import _group

        _state, _members, committed = _group(self.admin, self.group)
        out = Offsets()
        tps = [tp for topic in topics for tp in self._partitions(topic)]
        if not tps:
            return out
        starts = self.consumer.beginning_offsets(tps)
        for tp, end in self.consumer.end_offsets(tps).items():
            key = (tp.topic, tp.partition)
            out.ends[key] = int(end)
            done = committed.get(tp)
            offset = int(done.offset) if done is not None else -1
            # No commit yet: the group starts at the log's start (what retention kept).
            out.committed[key] = offset if offset >= 0 else int(starts[tp])
        return out

    def seed(self, topic: str, since_ms: int) -> int:
        """Commit, for the new group, each partition's first offset at or after `since_ms`:
        the replay starts there. Returns how many messages that skips."""
        from kafka import KafkaConsumer
        from kafka.structs import OffsetAndMetadata

        tps = self._partitions(topic)
        if not tps:
            return 0
        found = self.consumer.offsets_for_times({tp: since_ms for tp in tps})
        ends = self.consumer.end_offsets(tps)
        starts = self.consumer.beginning_offsets(tps)
        marks = {tp: (found[tp].offset if found.get(tp) is not None else ends[tp]) for tp in tps}
        fields = len(OffsetAndMetadata._fields)  # (offset, metadata[, leader_epoch]) by version
        member = KafkaConsumer(group_id=self.group, enable_auto_commit=False, **self.options)
        try:
            member.assign(tps)
            extra = (-1,) * (fields - 2)
            member.commit({tp: OffsetAndMetadata(mark, "", *extra) for tp, mark in marks.items()})
        finally:
            member.close()
        return sum(marks[tp] - starts[tp] for tp in tps)

    def delete(self, topics: list[str]) -> None:
        """Delete these (existing) topics and the replay's consumer group."""
        if topics:
            self.admin.delete_topics(topics, timeout_ms=30000)
        # kafka-python 3 names it delete_groups; the group is empty once its worker has left,
        # and would expire on its own after offsets.retention.minutes anyway.
        delete_groups = getattr(self.admin, "delete_groups", None) or self.admin.delete_consumer_groups
        for _ in range(10):
            try:
                delete_groups([self.group])
                break
            except Exception:
                time.sleep(1.0)

    def topics(self) -> list[str]:
        return sorted(self.admin.list_topics())


# The replay worker: `newsflow worker` in replay mode, in a child process of ours.


class ReplayWorker:
    def __init__(self, settings: Settings, plan: Plan, log_path: Path) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "streams.cli", "worker", "--name", WORKER_NAME,
            "--app-id", plan.app_id, "--replay-target", plan.target, "--replay-suffix", plan.suffix,
        ]  # fmt: skip
        env = {**os.environ, "NEWSFLOW_WEB_PORT": "0"}
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=lifetime.die_with_parent
            )

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            raise ReindexError(
                f"the replay worker (pid {self.process.pid}) exited with {code}; its log "
                f"{self.log_path} ends with:\n  " + "\n  ".join(tail)
            )

    def stop(self, timeout_s: float = 60.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Result:
    plan: Plan
    replayed: int = 0  # raw messages the replay group read
    skipped: int = 0  # raw messages before --since
    source_documents: int = 0
    target_documents: int = 0
    dead_letters: int = 0
    dead_letter_topic: str = ""
    deleted_old: bool = False
    seconds: float = 0.0
    swap_at: str = ""

    def to_json(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if k != "plan"}
        return json.dumps({**data, **self.plan.__dict__}, indent=2)


Progress = Callable[[int, int, int], None]  # (replayed, to replay, lag) after each poll


def run(
    settings: Settings,
    *,
    since: float | None = None,
    delete_old: bool = False,
    catch_up: int = 500,
    poll_s: float = 1.0,
    progress: Progress | None = None,
    say: Callable[[str], None] = print,
) -> Result:
    from streams.sinks.elasticsearch import sync_client

    started = time.monotonic()
    es = sync_client(settings)
    plan = make_plan(es, settings)
    result = Result(plan)
    raw = settings.topic("articles.raw")
    internal = [f"{settings.topic('articles.keyed')}.{plan.suffix}"]
    kafka = KafkaView(settings, plan.app_id)
    worker: ReplayWorker | None = None
    try:
        if plan.resumed:
            say(f"resuming the rebuild of {plan.source} into {plan.target} (group {plan.app_id})")
        else:
            create_target(es, settings, plan)
            say(f"rebuilding {plan.source} into {plan.target} from {raw} (group {plan.app_id})")
            if since is not None:
                result.skipped = kafka.seed(raw, int(since * 1000))
        first = kafka.offsets([raw])
        start = dict(first.committed)
        log_path = settings.home / "reindex" / f"{plan.suffix}.log"
        worker = ReplayWorker(settings, plan, log_path)
        say(f"replay worker pid {worker.process.pid}, log {log_path}")

        def wait(done: Callable[[Offsets], bool]) -> Offsets:
            while True:
                assert worker is not None
                worker.check()
                now = kafka.offsets([raw, *internal])
                if progress is not None:
                    replayed = sum(now.committed.get(tp, 0) - start.get(tp, 0) for tp in now.of(raw))
                    total = sum(end - start.get(tp, 0) for tp, end in now.of(raw).items())
                    progress(replayed, total, now.lag())
                if done(now):
                    return now
                time.sleep(poll_s)

        if not plan.swapped:
            # Caught up: little left on the raw topic and the worker's own topics exist (so
            # their lag counts too). What remains is replayed by the drain after the swap.
            wait(
                lambda o: (
                    all(o.of(t) for t in internal)
                    and o.lag(raw) <= catch_up
                    and o.lag() - o.lag(raw) <= catch_up
                )
            )
            swap(es, settings, plan)
            result.swap_at = _now()
            say(f"alias {plan.alias} now on {plan.target}; replaying what arrived meanwhile")
        for _ in range(2):  # see the module's docstring: the drain
            for topic in (raw, *internal):
                wait(_reaching(kafka.offsets([topic]).of(topic)))
        mark_done(es, plan)
        final = kafka.offsets([raw])
        result.replayed = sum(final.committed.get(tp, 0) - start.get(tp, 0) for tp in final.of(raw))
    finally:
        if worker is not None:
            worker.stop()
    dlq = f"{settings.topic('articles.dlq')}.{plan.suffix}"
    result.dead_letter_topic = dlq
    existing = kafka.topics()
    result.dead_letters = kafka.offsets([dlq]).lag() if dlq in existing else 0
    # Its internal topics and table changelog go; its dead letters stay for `newsflow dlq --topic`.
    kafka.delete(
        [
            t
            for t in existing
            if t.startswith(f"{plan.app_id}-") or (t.endswith(f".{plan.suffix}") and t != dlq)
        ]
    )
    kafka.close()
    shutil.rmtree(settings.workers_home / f"{plan.app_id}-{WORKER_NAME}", ignore_errors=True)
    es.indices.refresh(index=plan.target)
    result.target_documents = int(es.count(index=plan.target)["count"])
    if es.indices.exists(index=plan.source):
        es.indices.refresh(index=plan.source)
        result.source_documents = int(es.count(index=plan.source)["count"])
        if delete_old:
            es.indices.delete(index=plan.source)
            result.deleted_old = True
    es.close()
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _reaching(marks: dict[tuple[str, int], int]) -> Callable[[Offsets], bool]:
    return lambda offsets: offsets.reached(marks)


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    """A tqdm bar over the raw messages to replay: count, rate and ETA; the lag in the postfix."""
    from tqdm import tqdm

    bar = tqdm(desc="replaying", unit=" msg", disable=not enabled, file=sys.stderr, dynamic_ncols=True)

    def update(replayed: int, total: int, lag: int) -> None:
        bar.total = max(total, replayed)
        bar.n = replayed
        bar.set_postfix(lag=lag, refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
