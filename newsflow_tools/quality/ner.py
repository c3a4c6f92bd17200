"""Accuracy and speed of `streams.entities.extract` on the gold NER sentences in shared data.

Run `python -m newsflow_tools.quality.ner [--lang pl|en|all] [--json]`. Data: `../shared/data/ner/
{pl,en}.jsonl` relative to the project root (see the README there for the format).

Scoring is exact span match: a prediction counts only if its start, end and label equal a gold
entity's. Only PER, ORG and LOC are scored. MISC is ignored on both sides: gold MISC entities
are removed, and a predicted span lying inside a gold MISC span ("MTV Australia" within the
award name) is dropped, neither true nor false, since our label set has no MISC and the gold
says that text names something of another kind. Any other prediction (also one that only
overlaps a MISC span) counts normally.

Timing: the language's sentences are joined, in file order, into articles of ~3 KB; after
`warm_up`, each article is timed once on first sight (caches empty of its words: "cold") and
then `repeats` times more ("warm", the steady state of a worker that has seen the names
before). Times are CPU time of this process (one core), so that other load on a shared
machine does not count. Load time and RSS are those of `warm_up([lang])` in this process, so a resource two
languages share is counted for the first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from streams.entities import LABELS, extract, warm_up
from streams.entities.classify import explaining

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "ner"
ARTICLE_CHARS = 3000
LANGUAGES = ("pl", "en")

Span = tuple[int, int, str]


class DataMissingError(FileNotFoundError):
    """The gold file for a language is not there."""


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    doc: str
    text: str
    gold: frozenset[Span]  # PER/ORG/LOC only
    misc: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class Timing:
    articles: int
    mean_chars: int
    cold_p50_ms: float
    cold_p95_ms: float
    warm_p50_ms: float
    warm_p95_ms: float


@dataclass(frozen=True, slots=True)
class LanguageReport:
    lang: str
    path: str
    unit: str  # "sentence" or "document": what one extract() call saw
    sentences: int
    gold_entities: int
    predicted_entities: int
    ignored_in_misc: int
    labels: tuple[LabelScore, ...]
    micro: LabelScore
    timing: Timing
    load_seconds: float
    rss_added_mb: float


def data_path(lang: str, data_dir: Path | None = None) -> Path:
    return (data_dir or DATA_DIR) / f"{lang}.jsonl"


def load(path: Path) -> list[Sentence]:
    if not path.is_file():
        raise DataMissingError(path)
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            entities = row["entities"]
            out.append(
                Sentence(
                    id=row["id"],
                    doc=row.get("doc", row["id"]),
                    text=row["text"],
                    gold=frozenset(
                        (e["start"], e["end"], e["label"]) for e in entities if e["label"] in LABELS
                    ),
                    misc=tuple((e["start"], e["end"]) for e in entities if e["label"] == "MISC"),
                )
            )
    return out


def _score(label: str, tp: int, fp: int, fn: int) -> LabelScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(label, tp, fp, fn, round(precision, 4), round(recall, 4), round(f1, 4))


def _predict_sentences(sentences: Sequence[Sentence], lang: str, unit: str) -> list[set[Span]]:
    if unit == "sentence":
        return [_spans(s.text, lang) for s in sentences]
    # Document mode: a document's sentences in one text, so that short mentions can link.
    out: list[set[Span]] = [set() for _ in sentences]
    by_doc: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_doc.setdefault(s.doc, []).append(i)
    for indexes in by_doc.values():
        offsets, parts, at = [], [], 0
        for i in indexes:
            offsets.append(at)
            parts.append(sentences[i].text)
            at += len(sentences[i].text) + 1
        for start, end, label in _spans("\n".join(parts), lang):
            for i, offset in zip(indexes, offsets, strict=True):
                if offset <= start and end <= offset + len(sentences[i].text):
                    out[i].add((start - offset, end - offset, label))
    return out


def _spans(text: str, lang: str) -> set[Span]:
    return {(a, b, e.label) for e in extract(text, lang) for a, b in e.spans}


def score(
    sentences: Sequence[Sentence], predictions: Sequence[AbstractSet[Span]]
) -> tuple[tuple[LabelScore, ...], LabelScore, int, int]:
    """Per-label and micro scores, predictions counted, predictions ignored inside MISC."""
    counts: dict[str, list[int]] = {label: [0, 0, 0] for label in LABELS}
    ignored = predicted = 0
    for sentence, spans in zip(sentences, predictions, strict=True):
        kept = set()
        for start, end, label in spans:
            if any(a <= start and end <= b for a, b in sentence.misc):
                ignored += 1
            else:
                kept.add((start, end, label))
        predicted += len(kept)
        for start, end, label in kept:
            counts[label][0 if (start, end, label) in sentence.gold else 1] += 1
        for span in sentence.gold - kept:
            counts[span[2]][2] += 1
    per_label = tuple(_score(label, *counts[label]) for label in LABELS)
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return per_label, _score("micro", *total), predicted, ignored


def articles(sentences: Sequence[Sentence], size: int = ARTICLE_CHARS) -> list[str]:
    out, current = [], ""
    for s in sentences:
        current = f"{current} {s.text}" if current else s.text
        if len(current) >= size:
            out.append(current)
            current = ""
    return out or ([current] if current else [])


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError):  # not Linux: the peak is the best there is
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(run: Callable[[], object]) -> float:
    # CPU time of this process, not wall time: on a shared machine the wall clock also counts
    # the time other processes held the core, which says nothing about extract().
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000


def measure_speed(texts: Sequence[str], lang: str, repeats: int) -> Timing:
    cold = [_time(partial(extract, t, lang)) for t in texts]
    warm = [_time(partial(extract, t, lang)) for _ in range(repeats) for t in texts]
    return Timing(
        articles=len(texts),
        mean_chars=round(statistics.mean(len(t) for t in texts)) if texts else 0,
        cold_p50_ms=round(_percentile(cold, 0.5), 3),
        cold_p95_ms=round(_percentile(cold, 0.95), 3),
        warm_p50_ms=round(_percentile(warm, 0.5), 3),
        warm_p95_ms=round(_percentile(warm, 0.95), 3),
    )


def evaluate(
    lang: str, data_dir: Path | None = None, *, unit: str = "sentence", repeats: int = 20
) -> LanguageReport:
    """All figures for one language; raises DataMissingError if its gold file is absent."""
    path = data_path(lang, data_dir)
    sentences = load(path)
    rss_before, start = _rss_mb(), time.perf_counter()
    warm_up([lang])
    load_seconds = time.perf_counter() - start
    rss_added = _rss_mb() - rss_before
    # Speed first, while the caches have not yet seen these texts.
    timing = measure_speed(articles(sentences), lang, repeats)
    per_label, micro, predicted, ignored = score(sentences, _predict_sentences(sentences, lang, unit))
    return LanguageReport(
        lang=lang,
        path=str(path),
        unit=unit,
        sentences=len(sentences),
        gold_entities=sum(len(s.gold) for s in sentences),
        predicted_entities=predicted,
        ignored_in_misc=ignored,
        labels=per_label,
        micro=micro,
        timing=timing,
        load_seconds=round(load_seconds, 3),
        rss_added_mb=round(rss_added, 1),
    )


def format_report(report: LanguageReport) -> str:
    t = report.timing
    lines = [
        f"[{report.lang}] {report.path}: {report.sentences} sentences, "
        f"{report.gold_entities} gold PER/ORG/LOC, {report.predicted_entities} predicted "
        f"({report.ignored_in_misc} more inside gold MISC, ignored); unit: {report.unit}",
        f"  {'label':<6} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}",
    ]
    for s in (*report.labels, report.micro):
        lines.append(
            f"  {s.label:<6} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.tp:>5} {s.fp:>5} {s.fn:>5}"
        )
    lines.append(
        f"  extract() on {t.articles} articles of ~{t.mean_chars} chars: "
        f"warm p50 {t.warm_p50_ms:.2f} ms, p95 {t.warm_p95_ms:.2f} ms; "
        f"first sight p50 {t.cold_p50_ms:.2f} ms, p95 {t.cold_p95_ms:.2f} ms"
    )
    lines.append(f"  load (warm_up): {report.load_seconds:.2f} s, RSS +{report.rss_added_mb:.0f} MB")
    return "\n".join(lines)


def explain(text: str, lang: str) -> str:
    """Each candidate name the rules looked at, the label it got and the rule that gave it (a
    weak label is a default guess that linking may overrule), then what extract() returns."""
    with explaining() as trace:
        found = extract(text, lang)
    lines = [f"candidates ({len(trace)}):"]
    for words, decision in trace:
        label = decision.label or "-"
        weak = " (weak)" if decision.weak else ""
        lines.append(f"  {' '.join(words)!r:40} {label:4}{weak:8} rule: {decision.rule}")
    lines.append(f"entities ({len(found)}):")
    lines += [f"  {e.label:4} {e.name!r} from {sorted(set(e.surface_forms))}" for e in found]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow_tools.quality.ner", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--lang", choices=(*LANGUAGES, "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--unit",
        choices=("sentence", "document"),
        default="sentence",
        help="extract per gold sentence (default) or per source document",
    )
    parser.add_argument("--repeats", type=int, default=20, help="warm timing passes")
    parser.add_argument("--data-dir", type=Path, default=None, help=f"default: {DATA_DIR}")
    parser.add_argument(
        "--explain",
        metavar="TEXT",
        help="print which rule decided each candidate name in TEXT (with --lang pl or en), then the entities",
    )
    args = parser.parse_args(argv)
    if args.explain is not None:
        if args.lang == "all":
            parser.error("--explain needs one language: --lang pl or --lang en")
        print(explain(args.explain, args.lang))
        return 0
    langs = LANGUAGES if args.lang == "all" else (args.lang,)
    missing = [data_path(lang, args.data_dir) for lang in langs]
    missing = [p for p in missing if not p.is_file()]
    if missing:
        for path in missing:
            print(
                f"NER gold data not found: {path} (expected one JSON sentence a line, see the "
                f"README in {path.parent})",
                file=sys.stderr,
            )
        return 2
    reports = [evaluate(lang, args.data_dir, unit=args.unit, repeats=args.repeats) for lang in langs]
    if args.json:
        print(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(format_report(r) for r in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
