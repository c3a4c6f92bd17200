"""CPU time per pipeline stage, measured in-process on the benchmark's articles with time.process_time."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch.serializer import NdjsonSerializer

from newsflow_tools.bench.proc import status_mb
from streams import articles, dedup, documents, lemmas, writes
from streams.deadletter import Origin
from streams.prepare import enrich
from streams.records import Article
from streams.settings import Settings
from streams.watchlist import WatchTerm, load_watchlist, terms_in

STAGES = (
    "parse",
    "language",
    "entities",
    "lemmas",
    "fingerprint",
    "assemble",
    "dedupe",
    "hits",
    "serde",
    "index",
)
STAGE_LABELS = {
    "parse": "parse/validate (JSON, schema, HTML->text, URL)",
    "language": "language (langdetect, 500 chars)",
    "entities": "entities (streams.entities.extract)",
    "lemmas": "lemmas (title + text)",
    "fingerprint": "fingerprint (hash + MinHash)",
    "assemble": "assemble Article record",
    "dedupe": "dedupe (decide on a dict state)",
    "hits": "watchlist match (lemmas)",
    "serde": "serde (the keyed hop: dumps + loads)",
    "index": "index (bulk ops + NDJSON)",
}
PREPARE_STAGES = ("parse", "language", "entities", "lemmas", "fingerprint", "assemble")


@dataclass
class StageCosts:
    """Mean CPU milliseconds per article for each stage, over `articles` valid articles."""

    articles: int = 0
    rejected: int = 0
    cpu_ms: dict[str, float] = field(default_factory=dict)
    p95_ms: dict[str, float] = field(default_factory=dict)
    max_ms: dict[str, float] = field(default_factory=dict)
    prepare_ms_by_language: dict[str, float] = field(default_factory=dict)
    articles_by_language: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: float | None = None

    @property
    def total_ms(self) -> float:
        return sum(self.cpu_ms.values())

    @property
    def limiting(self) -> str:
        return max(self.cpu_ms, key=lambda k: self.cpu_ms[k]) if self.cpu_ms else ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_ms": self.total_ms, "limiting": self.limiting}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageCosts:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


def staged_enrich(
    item: articles.ValidArticle,
    origin: Origin,
    language_chars: int,
    spent: dict[str, float],
    clock: Callable[[], float] = time.process_time,
) -> Article:
    """streams.prepare.enrich itself, with a clock reading after each of its stages."""
    last = clock()

    def lap(stage: str) -> None:
        nonlocal last
        now = clock()
        spent[stage] = now - last
        last = now

    return enrich(item, origin, language_chars, lap=lap)


class StagePipeline:
    """The three agents' bodies run back to back in one process, each part timed."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.process_time) -> None:
        self.settings = settings
        self.clock = clock
        self.limits = articles.Limits(max_message_bytes=settings.max_message_bytes)
        self.state: dict[str, Any] = {}
        self.index = documents.index_name(settings.index_prefix)
        self.ndjson = NdjsonSerializer()
        self.window_s = settings.dedup_window_days * 86400
        self.watchlist: list[WatchTerm] = load_watchlist(settings.watchlist) if settings.watchlist else []

    def _watchlist(self, article: Article) -> None:
        """The dedupe agent's watchlist match (spikes are counted by the index, off this path)."""
        if self.watchlist:
            article.watchlist = terms_in(
                self.watchlist, article.lemmas_title, article.lemmas_text, article.language, lemmas.lemma_text
            )

    def run_one(self, value: bytes, offset: int) -> tuple[dict[str, float], Article | None]:
        clock = self.clock
        spent: dict[str, float] = {}
        t0 = clock()
        parsed = articles.parse(value, self.limits)
        spent["parse"] = clock() - t0
        if isinstance(parsed, articles.Rejection):
            return spent, None
        origin = Origin("bench.raw", 0, offset, None)
        article = staged_enrich(parsed, origin, self.settings.language_chars, spent, clock)
        t0 = clock()
        article = Article.loads(article.dumps())  # prepare -> articles.keyed
        serde = clock() - t0
        t0 = clock()
        decision = dedup.decide(
            article.id,
            dedup.Fingerprint.from_dict(article.fingerprint),
            dedup.window_time(article.published_at, article.ingested_at, time.time()),
            dedup.ScopedState(self.state, article.language),
            window_s=self.window_s,
            threshold=self.settings.dedup_threshold,
            source=article.source,
        )
        article.dedup = decision.to_dict()
        spent["dedupe"] = clock() - t0
        t0 = clock()
        self._watchlist(article)
        spent["hits"] = clock() - t0
        spent["serde"] = serde
        t0 = clock()
        lines = [
            line
            for w in writes.for_article(article, self.index, self.settings.near_duplicates)
            for line in w.ops
        ]
        if lines:
            self.ndjson.dumps(lines)
        spent["index"] = clock() - t0
        return spent, article


def measure(pipeline: StagePipeline, values: Sequence[bytes]) -> StageCosts:
    """Mean, p95 and max CPU ms per stage over the valid articles among `values`."""
    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    by_lang: Counter[str] = Counter()
    lang_ms: dict[str, float] = {}
    decisions: Counter[str] = Counter()
    rejected = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for offset, value in enumerate(values):
        spent, article = pipeline.run_one(value, offset)
        if article is None:
            rejected += 1
            continue
        for stage in STAGES:
            per_stage[stage].append(spent.get(stage, 0.0) * 1000)
        by_lang[article.language] += 1
        lang_ms[article.language] = lang_ms.get(article.language, 0.0) + 1000 * sum(
            spent.get(s, 0.0) for s in PREPARE_STAGES
        )
        decisions[(article.dedup or {}).get("kind", "unique")] += 1
    n = sum(by_lang.values())
    costs = StageCosts(articles=n, rejected=rejected, decisions=dict(decisions))
    costs.cpu_s = time.process_time() - cpu0
    costs.wall_s = time.perf_counter() - wall0
    if n:
        costs.cpu_ms = {s: sum(v) / n for s, v in per_stage.items()}
        costs.p95_ms = {s: sorted(v)[int(0.95 * (n - 1))] for s, v in per_stage.items()}
        costs.max_ms = {s: max(v) for s, v in per_stage.items()}
        costs.articles_by_language = dict(by_lang.most_common())
        costs.prepare_ms_by_language = {lang: lang_ms[lang] / by_lang[lang] for lang in by_lang}
    return costs


def _read_values(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\n") if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """Warm up on one file, time the stages on another; --standby waits for "go" on stdin first."""
    parser = argparse.ArgumentParser(prog="python -m newsflow_tools.bench.stages", description=main.__doc__)
    parser.add_argument("--warm", type=Path, help="JSON lines processed untimed first (loads dictionaries)")
    parser.add_argument("--sample", type=Path, required=True, help="JSON lines to time")
    parser.add_argument("--standby", action="store_true", help="print READY after warm-up, wait for a line")
    parser.add_argument(
        "--profile", type=Path, help="write a pyinstrument text profile of the timed pass here"
    )
    args = parser.parse_args(argv)

    pipeline = StagePipeline(Settings.from_env())
    if args.warm:
        measure(pipeline, _read_values(args.warm))
    # The sample starts from empty dedup and spike state, as the workers did.
    pipeline.state.clear()
    sample = _read_values(args.sample)
    if args.standby:
        print("READY", flush=True)
        if not sys.stdin.readline():
            return 1
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
        costs = measure(pipeline, sample)
        profiler.stop()
        args.profile.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    else:
        costs = measure(pipeline, sample)
    costs.peak_rss_mb = status_mb(os.getpid(), "VmHWM")
    print(json.dumps(costs.to_dict()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
