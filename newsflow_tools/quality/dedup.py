"""`python -m newsflow_tools.quality.dedup`: recall, precision, cost and state size of streams.dedup."""

# The synthetic syndication set (newsflow_tools.quality.syndication) is replayed through fingerprint()
# and decide() in time order with a plain dict as the state, as the Faust agent would.
# An article is a positive when an earlier article of its story exists; a flag (exact/near) is
# a true positive only when `duplicate_of` belongs to the same story, so a copy attached to the
# wrong story counts against both recall and precision. The state is measured as the bytes of
# compact JSON of every key and value (what a JSON-serialising Faust table writes to its
# changelog, without Kafka's per-record overhead) and scaled linearly to 100,000 articles: all
# articles of the set fall inside one window, so nothing expires during the run. Cost is the CPU
# time of this process per article (one core), so other load on a shared machine does not count.

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newsflow_tools.quality.syndication import (
    COPY_KINDS,
    DataMissingError,
    SyndicationSet,
    build_set,
    load_pools,
)
from streams.dedup import (
    DEFAULT_CONTAINMENT,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_S,
    decide,
    fingerprint,
)

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.98
DEFAULT_ARTICLES = 20_000
DEFAULT_SEED = 20240501


@dataclass(frozen=True)
class KindFigures:
    """Per article kind: for copies `rate` is recall, for the rest the false-positive rate."""

    kind: str
    articles: int
    flagged: int
    correct: int
    rate: float


@dataclass(frozen=True)
class Figures:
    """Result of one evaluation run; times in milliseconds, state in bytes of compact JSON."""

    articles: int
    positives: int
    flagged: int
    true_positives: int
    recall: float
    precision: float
    exact: int
    near: int
    by_kind: tuple[KindFigures, ...]
    ms_p50: float
    ms_p95: float
    ms_p50_3kb: float  # articles of 2.5-3.5 KB only
    mean_article_bytes: float
    state_keys: int
    state_bytes: int
    state_bytes_per_100k: int  # extrapolated linearly from this run
    threshold: float
    containment: float | None
    seed: int

    @property
    def target_met(self) -> bool:
        return self.recall >= TARGET_RECALL and self.precision >= TARGET_PRECISION

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["target_met"] = self.target_met
        return out


def state_bytes(state: Mapping[str, Any]) -> int:
    """Bytes of compact UTF-8 JSON of every key and value."""
    total = 0
    for key, value in state.items():
        total += len(json.dumps(key, ensure_ascii=False).encode())
        total += len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    return total


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def evaluate(
    dataset: SyndicationSet,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    containment: float | None = DEFAULT_CONTAINMENT,
    window_s: float = DEFAULT_WINDOW_S,
    seed: int = DEFAULT_SEED,
) -> Figures:
    """Replay the set through fingerprint() + decide() in stream order and score the decisions."""
    state: dict[str, Any] = {}
    story_of: dict[str, str] = {}
    seen_stories: set[str] = set()
    per_kind: dict[str, list[int]] = {}  # kind -> [articles, flagged, correct]
    positives = flagged = true_pos = exact = near = 0
    ms: list[float] = []
    ms_3kb: list[float] = []
    total_bytes = 0
    fingerprint("warm-up: builds the separator regexes once per process", "en")
    for art in dataset.articles:
        size = len(art.text.encode())
        total_bytes += size
        t0 = time.process_time_ns()
        fp = fingerprint(art.text, art.lang)
        decision = decide(
            art.doc_id,
            fp,
            art.ts,
            state,
            window_s=window_s,
            threshold=threshold,
            containment=containment,
            source=art.source,
        )
        elapsed = (time.process_time_ns() - t0) / 1e6
        ms.append(elapsed)
        if 2500 <= size <= 3500:
            ms_3kb.append(elapsed)

        story_of[art.doc_id] = art.story
        positive = art.story in seen_stories
        seen_stories.add(art.story)
        positives += positive
        row = per_kind.setdefault(art.kind, [0, 0, 0])
        row[0] += 1
        if decision.is_duplicate:
            flagged += 1
            exact += decision.kind == "exact"
            near += decision.kind == "near"
            ok = decision.duplicate_of is not None and story_of[decision.duplicate_of] == art.story
            true_pos += ok
            row[1] += 1
            row[2] += ok

    by_kind = tuple(
        KindFigures(
            kind=kind,
            articles=n,
            flagged=f,
            correct=c,
            rate=(c / n if kind in COPY_KINDS else f / n) if n else 0.0,
        )
        for kind, (n, f, c) in sorted(per_kind.items(), key=lambda kv: _kind_order(kv[0]))
    )
    n_articles = len(dataset.articles)
    sbytes = state_bytes(state)
    return Figures(
        articles=n_articles,
        positives=positives,
        flagged=flagged,
        true_positives=true_pos,
        recall=true_pos / positives if positives else 1.0,
        precision=true_pos / flagged if flagged else 1.0,
        exact=exact,
        near=near,
        by_kind=by_kind,
        ms_p50=_percentile(ms, 0.50),
        ms_p95=_percentile(ms, 0.95),
        ms_p50_3kb=_percentile(ms_3kb, 0.50),
        mean_article_bytes=total_bytes / n_articles if n_articles else 0.0,
        state_keys=len(state),
        state_bytes=sbytes,
        state_bytes_per_100k=round(sbytes * 100_000 / n_articles) if n_articles else 0,
        threshold=threshold,
        containment=containment,
        seed=seed,
    )


def _kind_order(kind: str) -> tuple[int, str]:
    if kind in COPY_KINDS:
        return (1, f"{COPY_KINDS.index(kind):02d}")
    return (0 if not kind.startswith("neg_") else 2, kind)


def run(
    *,
    n_articles: int = DEFAULT_ARTICLES,
    seed: int = DEFAULT_SEED,
    data_dir: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    containment: float | None = DEFAULT_CONTAINMENT,
) -> Figures:
    """Build the set from the shared data and evaluate it; raises DataMissingError."""
    dataset = build_set(load_pools(data_dir), n_articles=n_articles, seed=seed)
    return evaluate(dataset, threshold=threshold, containment=containment, seed=seed)


def format_report(fig: Figures) -> str:
    lines = [
        f"articles {fig.articles} (seed {fig.seed}), duplicates in stream {fig.positives}, "
        f"flagged {fig.flagged} ({fig.exact} exact, {fig.near} near)",
        f"recall    {fig.recall:.4f}  (target >= {TARGET_RECALL})",
        f"precision {fig.precision:.4f}  (target >= {TARGET_PRECISION})"
        f"  -> target {'met' if fig.target_met else 'NOT met'}",
        f"threshold J >= {fig.threshold}, containment >= {fig.containment}",
        "",
        f"{'kind':<16}{'articles':>9}{'flagged':>9}{'correct':>9}  rate",
    ]
    for k in fig.by_kind:
        what = "recall" if k.kind in COPY_KINDS else "false-positive rate"
        lines.append(f"{k.kind:<16}{k.articles:>9}{k.flagged:>9}{k.correct:>9}  {k.rate:.4f} {what}")
    lines += [
        "",
        f"cost fingerprint+decide per article: p50 {fig.ms_p50:.3f} ms, p95 {fig.ms_p95:.3f} ms, "
        f"p50 of 2.5-3.5 KB articles {fig.ms_p50_3kb:.3f} ms "
        f"(CPU time, one core, dict state; mean article {fig.mean_article_bytes:.0f} bytes)",
        f"state after the run: {fig.state_keys} keys, {fig.state_bytes / 1e6:.2f} MB JSON; "
        f"extrapolated linearly: {fig.state_bytes_per_100k / 1e6:.1f} MB per 100,000 articles "
        f"in the window",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow_tools.quality.dedup",
        description="Measure duplicate detection on the synthetic syndication set.",
    )
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=None, help="shared data directory")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--containment", type=float, default=DEFAULT_CONTAINMENT, help="negative disables")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    try:
        fig = run(
            n_articles=args.articles,
            seed=args.seed,
            data_dir=args.data,
            threshold=args.threshold,
            containment=args.containment if args.containment >= 0 else None,
        )
    except DataMissingError as exc:
        print(
            f"{exc}\nThe dedup benchmark needs the shared reference data (langid/sentences.jsonl "
            f"and ner/*.jsonl); pass --data DIR if it lives elsewhere.",
            file=sys.stderr,
        )
        return 2
    if args.json:
        print(json.dumps(fig.to_dict(), indent=2))
    else:
        print(format_report(fig))
    return 1 if args.check and not fig.target_met else 0


if __name__ == "__main__":
    raise SystemExit(main())
