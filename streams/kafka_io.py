"""kafka-python on the crawler side: a producer for feeds and replays, and a reader of whole topics."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from streams.settings import Settings


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "acks": "all",
        "linger_ms": 20,
        "batch_size": 512 * 1024,
        # Bigger than the pipeline's own limit on purpose: an oversized article should reach the
        # worker and come back as a `too_large` dead letter, not vanish in the producer.
        "max_request_size": 8 * 1024 * 1024,
        "retries": 10,
        **settings.kafka_client_options(),
    }
    options.update(overrides)
    return KafkaProducer(**options)


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


def _reader(settings: Settings, **overrides: Any) -> KafkaConsumer:
    """A consumer outside any group, for reading offsets and records."""
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        enable_auto_commit=False,
        **settings.kafka_client_options(),
        **overrides,
    )


def read_topic(settings: Settings, topic: str, timeout_s: float = 10.0) -> Iterator[Record]:
    """Every record currently in the topic, partition by partition, without joining a group."""
    consumer = _reader(settings, consumer_timeout_ms=int(timeout_s * 1000))
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        remaining = {tp for tp in tps if end[tp] > consumer.position(tp)}
        while remaining:
            batch = consumer.poll(timeout_ms=int(timeout_s * 1000))
            if not batch:
                break
            for tp, messages in batch.items():
                for m in messages:
                    if m.offset < end[tp]:
                        yield Record(m.partition, m.offset, m.timestamp, m.key, m.value)
                if consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
    finally:
        consumer.close()


def end_offsets(settings: Settings, topic: str, partitions: list[int]) -> dict[int, int]:
    """Each partition's next offset; 0 for partitions (or a topic) the broker does not have."""
    consumer = _reader(settings)
    try:
        present = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions if p in present]
        ends = consumer.end_offsets(tps) if tps else {}
        return {p: int(ends.get(TopicPartition(topic, p), 0)) for p in partitions}
    finally:
        consumer.close()


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    # Topics whose partition count other state depends on (co-partitioned tables) must match
    # exactly; others only need at least one partition.
    exact: bool = False


class TopicMismatch(RuntimeError):
    """An existing topic has a partition count the pipeline cannot work with."""


def ensure_topics(settings: Settings, specs: list[TopicSpec], timeout_s: float = 30.0) -> None:
    """Create missing topics and wait until the broker's metadata lists them all.

    Faust only assigns partitions of topics that exist when the group forms, so the worker
    creates its topics first instead of racing the metadata of a fresh broker.
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap.split(","), **settings.kafka_client_options()
    )
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        for spec in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, settings.topic_replication)],
                    timeout_ms=int(timeout_s * 1000),
                )
        admin.wait_for_topics([s.name for s in specs], timeout_ms=int(timeout_s * 1000))
        for desc in admin.describe_topics([s.name for s in specs]):
            spec = next(s for s in specs if s.name == desc.get("name", desc.get("topic")))
            count = len(desc.get("partitions") or [])
            if spec.exact and count != spec.partitions:
                raise TopicMismatch(
                    f"topic {spec.name} has {count} partitions but NEWSFLOW_TOPIC_PARTITIONS is "
                    f"{spec.partitions}; its table state is co-partitioned with it. Set "
                    f"NEWSFLOW_TOPIC_PARTITIONS={count}, or use a new NEWSFLOW_TOPIC_PREFIX/APP_ID"
                )
    finally:
        admin.close()
