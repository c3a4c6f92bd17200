"""`newsflow status`: one screen for an operator. Services, the consumer group's lag per topic
and its members, documents in the index, dead letters by code in the last hour and day, the
last alert. Each part is read on its own: a server that is down blanks its parts and says why,
the others still show."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from streams.settings import Settings

HOUR = 3600
DAY = 86400
PIPELINE_TOPICS = ("articles.raw", "articles.keyed")


@dataclass
class Status:
    kafka: str = "down"  # "up" | "down"
    elasticsearch: str = "down"
    group: str = ""
    group_state: str | None = None
    workers: int | None = None
    lag: dict[str, dict[int, int]] = field(default_factory=dict)  # topic -> partition -> messages
    documents: int | None = None
    dead_letters_hour: dict[str, int] = field(default_factory=dict)
    dead_letters_day: dict[str, int] = field(default_factory=dict)
    last_alert: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    def total_lag(self, topic: str) -> int:
        return sum(self.lag.get(topic, {}).values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def _problem(exc: BaseException, settings: Settings) -> str:
    from streams.cli_errors import explain

    found = explain(exc, settings)
    return found.message if found is not None else f"{type(exc).__name__}: {exc}"


def _kafka(status: Status, settings: Settings, now: float) -> None:
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient

    options = {"bootstrap_servers": settings.kafka_bootstrap.split(","), **settings.kafka_client_options()}
    admin = KafkaAdminClient(request_timeout_ms=5000, **options)
    consumer = KafkaConsumer(enable_auto_commit=False, request_timeout_ms=5000, **options)
    try:
        status.kafka = "up"
        status.group_state, status.workers, committed = _group(admin, status.group)
        for name in PIPELINE_TOPICS:
            topic = settings.topic(name)
            partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in sorted(partitions)]
            if not tps:
                continue
            ends = consumer.end_offsets(tps)
            status.lag[topic] = {
                tp.partition: max(0, ends[tp] - (committed[tp].offset if tp in committed else 0))
                for tp in tps
            }
        status.dead_letters_hour, status.dead_letters_day = _dead_letters(consumer, settings, now)
    finally:
        consumer.close()
        admin.close()


def _group(admin: Any, group: str) -> tuple[str | None, int, dict[Any, Any]]:
    """The group's state, member count and committed offsets (kafka-python 3 and 2 name the
    admin calls differently)."""
    if hasattr(admin, "describe_groups"):  # kafka-python 3
        info = admin.describe_groups([group]).get(group) or {}
        committed = admin.list_group_offsets({group: None}).get(group) or {}
        return info.get("group_state") or None, len(info.get("members") or []), committed
    described = admin.describe_consumer_groups([group])
    first = described[0] if described else None
    state = str(getattr(first, "state", "") or "") or None
    return state, len(getattr(first, "members", None) or []), admin.list_consumer_group_offsets(group)


def _dead_letters(consumer: Any, settings: Settings, now: float) -> tuple[dict[str, int], dict[str, int]]:
    """Codes of the dead letters written in the last hour and day (read from a day ago on)."""
    from kafka import TopicPartition

    topic = settings.topic("articles.dlq")
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or set())]
    hour: Counter[str] = Counter()
    day: Counter[str] = Counter()
    if not tps:
        return {}, {}
    consumer.assign(tps)
    starts = consumer.offsets_for_times({tp: int((now - DAY) * 1000) for tp in tps})
    ends = consumer.end_offsets(tps)
    remaining = set()
    for tp in tps:
        start = starts.get(tp)
        if start is None:
            continue  # nothing written in the last day
        consumer.seek(tp, start.offset)
        if start.offset < ends[tp]:
            remaining.add(tp)
    while remaining:
        batch = consumer.poll(timeout_ms=3000)
        if not batch:
            break
        for tp, records in batch.items():
            for record in records:
                if record.offset >= ends[tp]:
                    continue
                try:
                    code = str(json.loads(record.value or b"{}")["error"]["code"])
                except (ValueError, KeyError, TypeError):
                    code = "unreadable"
                day[code] += 1
                if record.timestamp >= (now - HOUR) * 1000:
                    hour[code] += 1
            if consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
    return dict(hour.most_common()), dict(day.most_common())


def _elasticsearch(status: Status, settings: Settings) -> None:
    from streams import documents
    from streams.sinks.elasticsearch import list_alerts, sync_client

    client = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        status.documents = (
            int(client.count(index=alias)["count"]) if client.indices.exists(index=alias) else 0
        )
        status.elasticsearch = "up"
    finally:
        client.close()
    found = list_alerts(settings, 30 * DAY, 1)
    status.last_alert = found[0] if found else None


def gather(settings: Settings, now: float | None = None) -> Status:
    now = time.time() if now is None else now
    status = Status(group=settings.app_id)
    for part in (lambda: _kafka(status, settings, now), lambda: _elasticsearch(status, settings)):
        try:
            part()
        except Exception as exc:
            status.problems.append(_problem(exc, settings))
    return status


def render(status: Status) -> str:
    def show(value: object) -> str:
        return "-" if value is None else str(value)

    lines = [
        f"kafka           {status.kafka}",
        f"elasticsearch   {status.elasticsearch}",
        f"consumer group  {status.group}: {show(status.workers)} worker(s), state {show(status.group_state)}",
    ]
    for topic, partitions in status.lag.items():
        per = " ".join(f"p{p}={n}" for p, n in sorted(partitions.items()))
        lines.append(f"lag             {topic}: {status.total_lag(topic)} ({per})")
    if status.kafka == "up" and not status.lag:
        lines.append("lag             - (no pipeline topics yet: start a worker)")
    lines.append(f"documents       {show(status.documents)}")
    for label, counts in (("last hour", status.dead_letters_hour), ("last day", status.dead_letters_day)):
        text = ", ".join(f"{code} {n}" for code, n in counts.items()) if counts else "none"
        lines.append(f"dead letters    {label}: {text if status.kafka == 'up' else '-'}")
    alert = status.last_alert
    lines.append(
        "last alert      "
        + (f"{alert['window_start'][:16]} {alert['keyword']} ({alert['count']} articles)" if alert else "-")
    )
    lines += [f"problem         {p}" for p in status.problems]
    return "\n".join(lines)
