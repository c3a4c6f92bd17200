"""The first script a team writes: consume, langdetect the whole text, extract entities, index one by one."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

from streams.entities import extract

_TAG = re.compile(r"<[^>]+>")
DetectorFactory.seed = 0  # the one line of langdetect's README everybody copies


@dataclass
class NaiveResult:
    articles: int = 0
    first_at: float = 0.0  # wall clock when the first message arrived
    last_at: float = 0.0  # wall clock when the last index request returned
    cpu_s: float = 0.0
    timed_out: bool = False
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        elapsed = self.last_at - self.first_at
        return self.articles / elapsed if elapsed > 0 else 0.0


def handle(value: bytes, es: Elasticsearch | None, index: str) -> str:
    """One message: parse, detect the language of the whole text, extract entities, index."""
    data = json.loads(value)
    text = data.get("text") or _TAG.sub(" ", data.get("html") or "")
    try:
        lang = detect(text)
    except LangDetectException:
        lang = "und"
    entities = extract(text, lang) if lang != "und" else []
    if es is not None:
        es.index(
            index=index,
            document={
                "url": data.get("url"),
                "title": data.get("title"),
                "text": text,
                "language": lang,
                "published_at": data.get("published_at"),
                "source": data.get("source"),
                "entities": [{"label": e.label, "name": e.name} for e in entities],
            },
        )
    return lang


def warm(path: Path) -> None:
    """Process the warm-up articles without indexing, so timing starts with dictionaries loaded."""
    for line in path.read_bytes().splitlines():
        if line.strip():
            handle(line, None, "")


def run(
    bootstrap: str,
    topic: str,
    es_url: str,
    index: str,
    *,
    limit: int = 1000,
    time_box_s: float = 60.0,
    group_id: str = "naive",
    idle_s: float = 15.0,
) -> NaiveResult:
    """Consume `topic` from the start until `limit` articles, `time_box_s` after the first, or idle."""
    es = Elasticsearch(es_url)
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap.split(","),
        group_id=group_id,
        auto_offset_reset="earliest",
        consumer_timeout_ms=int(idle_s * 1000),
    )
    result = NaiveResult()
    cpu0 = time.process_time()
    try:
        for message in consumer:
            now = time.time()
            if not result.first_at:
                result.first_at = now
            elif now - result.first_at > time_box_s:
                result.timed_out = True
                break
            lang = handle(message.value, es, index)
            result.last_at = time.time()
            result.articles += 1
            result.languages[lang] = result.languages.get(lang, 0) + 1
            if result.articles >= limit:
                break
    finally:
        consumer.close()
        es.close()
    result.cpu_s = time.process_time() - cpu0
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.naive", description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    parser.add_argument("--index", required=True)
    parser.add_argument("--group", default="naive")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--time-box", type=float, default=60.0, help="seconds after the first message")
    parser.add_argument("--warm", type=Path, help="JSON lines to process untimed, without indexing, first")
    parser.add_argument("--standby", action="store_true", help="print READY after warm-up, wait for a line")
    args = parser.parse_args(argv)
    if args.warm:
        warm(args.warm)
    if args.standby:
        print("READY", flush=True)
        if not sys.stdin.readline():
            return 1
    result = run(
        args.bootstrap,
        args.topic,
        args.es_url,
        args.index,
        limit=args.limit,
        time_box_s=args.time_box,
        group_id=args.group,
    )
    out: dict[str, Any] = {**asdict(result), "rate": result.rate}
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
