"""Accuracy and speed of `streams.language.detect` on the shared language-identification sentences.

Run `python -m newsflow_tools.quality.langid [--data PATH] [--paragraph-size 3] [--json]`. Data:
`../shared/data/langid/sentences.jsonl` relative to the project root, one `{"lang", "text"}` a
line (see the README there).

Accuracy is scored on single sentences and on paragraphs of `paragraph_size` consecutive
sentences of one language joined with a space (sentences 1-3, 4-6, ...; a short tail is
dropped). An answer of "und" counts as a miss. Means are over the languages langdetect has a
profile for (`streams.language.SUPPORTED`); the others are listed with what detect() calls them.

Timing: each language's sentences are joined, in file order, into articles of ~3,000
characters. After one call that loads the profiles, every article is timed on its first pass in
file order (detect() keeps the profile rows of words it has seen, so this is a stream meeting
new text), then `repeats` times more (a worker that has seen the vocabulary: after warm-up).
Times are CPU time of this process (one core), so other load on a shared machine does not
count. The same articles through plain langdetect (seeded, first 500 characters) are timed as
a reference for what this machine does at the moment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from streams.language import SUPPORTED, UND, detect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_PATH = PROJECT_ROOT.parent / "shared" / "data" / "langid" / "sentences.jsonl"
ARTICLE_CHARS = 3000
BASELINE_CHARS = 500

TARGET_MEAN_PARAGRAPH = 0.997
TARGET_MIN_PARAGRAPH = 0.97
TARGET_MS = 1.5


class DataMissingError(FileNotFoundError):
    """The sentences file is not there."""


@dataclass(frozen=True, slots=True)
class LanguageScore:
    lang: str
    supported: bool
    sentences: int
    sentence_accuracy: float
    sentence_und: float  # share of sentences answered "und"
    paragraphs: int
    paragraph_accuracy: float
    paragraph_answer: str  # the most frequent answer on paragraphs


@dataclass(frozen=True, slots=True)
class Confusion:
    true: str
    predicted: str
    count: int


@dataclass(frozen=True, slots=True)
class Accuracy:
    paragraph_size: int
    languages: tuple[LanguageScore, ...]
    mean_sentence_accuracy: float  # over supported languages
    mean_sentence_und: float
    mean_paragraph_accuracy: float
    min_paragraph_accuracy: float
    paragraph_confusions: tuple[Confusion, ...]  # supported languages, most frequent first
    sentence_confusions: tuple[Confusion, ...]

    def worst(self, n: int = 5) -> list[LanguageScore]:
        supported = [s for s in self.languages if s.supported]
        return sorted(supported, key=lambda s: (s.paragraph_accuracy, s.sentence_accuracy, s.lang))[:n]


@dataclass(frozen=True, slots=True)
class Timing:
    articles: int
    mean_chars: int
    repeats: int
    first_p50_ms: float  # each article's first pass, in file order, like a stream
    first_p95_ms: float
    p50_ms: float  # the next `repeats` passes: a worker that has seen the words before
    p95_ms: float
    baseline_p50_ms: float  # plain langdetect, same articles, same moment
    baseline_p95_ms: float


@dataclass(frozen=True, slots=True)
class Figures:
    path: str
    accuracy: Accuracy
    timing: Timing

    @property
    def targets_met(self) -> dict[str, bool]:
        return {
            "mean_paragraph_accuracy": self.accuracy.mean_paragraph_accuracy >= TARGET_MEAN_PARAGRAPH,
            "min_paragraph_accuracy": self.accuracy.min_paragraph_accuracy >= TARGET_MIN_PARAGRAPH,
            "p50_p95_ms_after_warm_up": max(self.timing.p50_ms, self.timing.p95_ms) <= TARGET_MS,
        }

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["worst"] = [s.lang for s in self.accuracy.worst()]
        out["targets_met"] = self.targets_met
        return out


def load(path: Path = DATA_PATH) -> dict[str, list[str]]:
    """Sentences by language, in file order."""
    if not path.is_file():
        raise DataMissingError(path)
    data: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                data.setdefault(record["lang"], []).append(record["text"])
    return data


def paragraphs(sentences: Sequence[str], size: int) -> list[str]:
    """Consecutive, non-overlapping groups of ``size`` sentences joined with a space."""
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences) - size + 1, size)]


def articles(sentences: Sequence[str], chars: int = ARTICLE_CHARS) -> list[str]:
    """Whole sentences joined, in order, into articles of at least ``chars`` characters."""
    out: list[str] = []
    current: list[str] = []
    length = 0
    for sentence in sentences:
        current.append(sentence)
        length += len(sentence) + 1
        if length >= chars:
            out.append(" ".join(current))
            current, length = [], 0
    return out


def score(
    data: Mapping[str, Sequence[str]],
    *,
    paragraph_size: int = 3,
    languages: Iterable[str] | None = None,
    by_sentence: bool = True,
    by_paragraph: bool = True,
) -> Accuracy:
    """Accuracy per language. ``languages`` limits the run; ``by_sentence`` and ``by_paragraph``
    switch either unit off (the unit tests do, to stay fast)."""
    chosen = sorted(data) if languages is None else sorted(set(languages) & set(data))
    scores: list[LanguageScore] = []
    paragraph_confusions: Counter[tuple[str, str]] = Counter()
    sentence_confusions: Counter[tuple[str, str]] = Counter()
    for lang in chosen:
        supported = lang in SUPPORTED
        sentence_answers = [detect(s).lang for s in data[lang]] if by_sentence else []
        paragraph_answers = (
            [detect(p).lang for p in paragraphs(data[lang], paragraph_size)] if by_paragraph else []
        )
        if supported:
            paragraph_confusions.update((lang, a) for a in paragraph_answers if a != lang)
            sentence_confusions.update((lang, a) for a in sentence_answers if a != lang)
        scores.append(
            LanguageScore(
                lang=lang,
                supported=supported,
                sentences=len(sentence_answers),
                sentence_accuracy=_share(sentence_answers, lang),
                sentence_und=_share(sentence_answers, UND),
                paragraphs=len(paragraph_answers),
                paragraph_accuracy=_share(paragraph_answers, lang),
                paragraph_answer=Counter(paragraph_answers).most_common(1)[0][0] if paragraph_answers else "",
            )
        )
    measured = [s for s in scores if s.supported]
    return Accuracy(
        paragraph_size=paragraph_size,
        languages=tuple(scores),
        mean_sentence_accuracy=_mean(s.sentence_accuracy for s in measured if s.sentences),
        mean_sentence_und=_mean(s.sentence_und for s in measured if s.sentences),
        mean_paragraph_accuracy=_mean(s.paragraph_accuracy for s in measured if s.paragraphs),
        min_paragraph_accuracy=min(
            (s.paragraph_accuracy for s in measured if s.paragraphs), default=float("nan")
        ),
        paragraph_confusions=_confusions(paragraph_confusions),
        sentence_confusions=_confusions(sentence_confusions),
    )


def measure_speed(data: Mapping[str, Sequence[str]], repeats: int = 3) -> Timing:
    """CPU time of detect() and of plain langdetect on ~3,000-character articles of every
    supported language: each article's first pass in file order, then ``repeats`` more."""
    texts = [a for lang in sorted(data) if lang in SUPPORTED for a in articles(data[lang])]
    baseline = _plain_langdetect()
    detect("Warm-up: profiles and tables are loaded on the first call.")
    baseline("Warm-up: profiles and tables are loaded on the first call.")
    first = [_cpu_ms(partial(detect, t)) for t in texts]
    ours = [_cpu_ms(partial(detect, t)) for _ in range(repeats) for t in texts]
    theirs = [_cpu_ms(partial(baseline, t)) for _ in range(repeats) for t in texts]
    return Timing(
        articles=len(texts),
        mean_chars=round(statistics.mean(len(t) for t in texts)) if texts else 0,
        repeats=repeats,
        first_p50_ms=round(_percentile(first, 0.50), 3),
        first_p95_ms=round(_percentile(first, 0.95), 3),
        p50_ms=round(_percentile(ours, 0.50), 3),
        p95_ms=round(_percentile(ours, 0.95), 3),
        baseline_p50_ms=round(_percentile(theirs, 0.50), 3),
        baseline_p95_ms=round(_percentile(theirs, 0.95), 3),
    )


def evaluate(path: Path = DATA_PATH, *, paragraph_size: int = 3, repeats: int = 3) -> Figures:
    """Every figure the command prints; raises DataMissingError when the data file is absent."""
    data = load(path)
    # Speed first, so that the first pass meets words detect() has not seen.
    timing = measure_speed(data, repeats)
    return Figures(str(path), score(data, paragraph_size=paragraph_size), timing)


def format_report(figures: Figures, *, confusions: int = 15) -> str:
    acc, t = figures.accuracy, figures.timing
    size = acc.paragraph_size
    supported = [s for s in acc.languages if s.supported]
    lines = [
        f"{figures.path}: {len(acc.languages)} languages, {len(supported)} supported by langdetect; "
        f"paragraphs of {size} sentences",
        f"  {'lang':<5} {'sentences':>9} {'und':>6} {f'{size}-sent.':>9}",
    ]
    for s in supported:
        lines.append(
            f"  {s.lang:<5} {s.sentence_accuracy:>9.2%} {s.sentence_und:>6.1%} {s.paragraph_accuracy:>9.2%}"
        )
    lines += [
        f"mean over {len(supported)} supported languages: sentences {acc.mean_sentence_accuracy:.2%} "
        f"(of which und {acc.mean_sentence_und:.2%}), paragraphs {acc.mean_paragraph_accuracy:.2%}",
        "worst (paragraphs, then sentences): "
        + ", ".join(f"{s.lang} {s.paragraph_accuracy:.2%}/{s.sentence_accuracy:.2%}" for s in acc.worst()),
        "paragraph confusions (true->predicted count): " + _format_confusions(acc.paragraph_confusions),
        "sentence confusions with another language: "
        + _format_confusions([c for c in acc.sentence_confusions if c.predicted != UND][:confusions]),
        "unsupported languages, most frequent answer on paragraphs: "
        + ", ".join(
            f"{s.lang}->{s.paragraph_answer}" for s in acc.languages if not s.supported and s.paragraphs
        ),
        f"detect() on {t.articles} articles of ~{t.mean_chars} chars, CPU time: first pass p50 "
        f"{t.first_p50_ms:.3f} ms, p95 {t.first_p95_ms:.3f} ms; after warm-up (x{t.repeats}) p50 "
        f"{t.p50_ms:.3f} ms, p95 {t.p95_ms:.3f} ms; plain langdetect (first {BASELINE_CHARS} "
        f"chars) p50 {t.baseline_p50_ms:.3f} ms, p95 {t.baseline_p95_ms:.3f} ms",
        "targets: "
        + ", ".join(f"{name} {'met' if met else 'NOT met'}" for name, met in figures.targets_met.items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsflow_tools.quality.langid", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data", type=Path, default=DATA_PATH, help=f"default: {DATA_PATH}")
    parser.add_argument("--paragraph-size", type=int, default=3, help="sentences a paragraph (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the articles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.paragraph_size < 1:
        parser.error("--paragraph-size must be at least 1")
    try:
        figures = evaluate(args.data, paragraph_size=args.paragraph_size, repeats=args.repeats)
    except DataMissingError:
        print(
            f"language-identification data not found: {args.data} (expected one JSON "
            f'{{"lang", "text"}} object a line, see the README in {args.data.parent})',
            file=sys.stderr,
        )
        return 2
    if args.json:
        print(json.dumps(figures.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(figures))
    return 0


def _plain_langdetect() -> Callable[[str], object]:
    factory = DetectorFactory()
    names = sorted(os.listdir(PROFILES_DIRECTORY))
    factory.load_json_profile([(Path(PROFILES_DIRECTORY) / n).read_text(encoding="utf-8") for n in names])
    factory.set_seed(0)

    def plain(text: str) -> object:
        detector = factory.create()
        detector.set_max_text_length(BASELINE_CHARS)
        detector.append(text[:BASELINE_CHARS])
        return detector.get_probabilities()

    return plain


def _cpu_ms(run: Callable[[], object]) -> float:
    # CPU time of this process, not wall time: on a shared machine the wall clock also counts
    # the time other processes held the core.
    start = time.process_time()
    run()
    return (time.process_time() - start) * 1000


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _share(answers: Sequence[str], value: str) -> float:
    return sum(a == value for a in answers) / len(answers) if answers else float("nan")


def _mean(values: Iterable[float]) -> float:
    collected = list(values)
    return statistics.mean(collected) if collected else float("nan")


def _confusions(counts: Counter[tuple[str, str]]) -> tuple[Confusion, ...]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Confusion(true, predicted, n) for (true, predicted), n in ordered)


def _format_confusions(confusions: Sequence[Confusion]) -> str:
    return ", ".join(f"{c.true}->{c.predicted} {c.count}" for c in confusions) or "none"


if __name__ == "__main__":
    sys.exit(main())
