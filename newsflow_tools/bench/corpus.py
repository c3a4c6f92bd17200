"""Benchmark articles: multilingual, about 3 KB, with known exact reposts, near copies and re-fetches."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from streams.articles import canonical_url, document_id

ROOT = Path(__file__).resolve().parent.parent.parent
SENTENCES_PATH = ROOT.parent / "shared" / "data" / "langid" / "sentences.jsonl"
DEMO_PATH = ROOT / "deploy" / "demo" / "articles.jsonl"

# The languages this pipeline mostly sees; they take MAIN_SHARE of the originals, the other
# languages of the sentence file share the rest evenly.
MAIN_LANGS = ("pl", "en", "de", "fr", "es", "it", "uk", "ru")
MAIN_SHARE = 0.8
# Share of messages that are copies of an earlier original (half exact reposts under another URL,
# half edited copies), and of re-fetches of an original's URL with tracking parameters added.
DUPLICATE_SHARE = 0.10
REFETCH_SHARE = 0.02
# Share of messages that carry a whole page in `html` instead of extracted `text`.
HTML_SHARE = 0.15
DECLARED_SHARE = 0.6
# Text size in UTF-8 bytes: mean and spread of a normal draw, clamped; the message adds ~0.4 KB.
TEXT_BYTES_MEAN = 2500
TEXT_BYTES_SD = 700
TEXT_BYTES_MIN = 1000
TEXT_BYTES_MAX = 5500
# A copy appears within this many messages after its original (syndication lags a little).
COPY_LAG = 400

Kind = Literal["original", "exact", "near", "refetch"]

SECTIONS = ("world", "politics", "business", "sport", "culture", "science", "region", "opinion")
AUTHORS = (
    "Anna Nowak",
    "Jan Kowalski",
    "Maria Schmidt",
    "Pierre Martin",
    "Lucía García",
    "Marco Rossi",
    "Olena Shevchenko",
    "Ivan Petrov",
    "Emma Jones",
    "Ahmed Hassan",
)
FOOTERS = ("(PAP)", "(dpa)", "(AFP)", "(Reuters)", "(ANSA)", "(EFE)", "(Ukrinform)")


@dataclass(frozen=True)
class Sentences:
    """Real sentences by language, and where they came from."""

    by_lang: dict[str, tuple[str, ...]]
    origin: str


@dataclass(frozen=True)
class BenchArticle:
    """One message to feed, with what the generator knows about it."""

    seq: int
    kind: Kind
    url: str
    doc_id: str
    lang: str
    value: bytes
    of: int | None = None  # seq of the original a copy or re-fetch is made from


@dataclass(frozen=True)
class Corpus:
    articles: tuple[BenchArticle, ...]
    sentences_origin: str

    @property
    def expected_documents(self) -> int:
        return expected_documents(self.articles)

    def values(self) -> list[bytes]:
        return [a.value for a in self.articles]

    def count(self, kind: Kind) -> int:
        return sum(1 for a in self.articles if a.kind == kind)

    @property
    def mean_bytes(self) -> float:
        return sum(len(a.value) for a in self.articles) / max(1, len(self.articles))


def expected_documents(items: Iterable[BenchArticle]) -> int:
    """Documents the index ends with: distinct document ids (canonical URLs) minus exact reposts.

    Each exact repost shares its content with exactly one original, so one of the two ids gets
    no document whichever arrives first; a near copy is indexed (NEWSFLOW_NEAR_DUPLICATES=mark)
    and a re-fetch updates its original's document. The generator never copies a copy and gives
    an original at most one copy, which is what makes this count independent of arrival order.
    """
    items = list(items)
    ids = {a.doc_id for a in items}
    return len(ids) - sum(1 for a in items if a.kind == "exact")


def load_sentences(path: Path = SENTENCES_PATH, fallback: Path = DEMO_PATH) -> Sentences:
    """Sentences from the shared language-identification file, else split from the demo corpus."""
    by_lang: dict[str, list[str]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_lang.setdefault(row["lang"], []).append(row["text"].strip())
        origin = str(path)
    else:
        for line in fallback.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue  # the demo corpus has malformed lines on purpose
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                continue
            lang = row.get("language") or "und"
            for sentence in re.split(r"(?<=[.!?])\s+", row["text"]):
                if len(sentence) > 20:
                    by_lang.setdefault(lang, []).append(sentence.strip())
        origin = str(fallback)
    return Sentences({k: tuple(v) for k, v in sorted(by_lang.items()) if v}, origin)


def language_weights(langs: Sequence[str]) -> dict[str, float]:
    main = [lang for lang in MAIN_LANGS if lang in langs]
    rest = [lang for lang in langs if lang not in main]
    if not main or not rest:
        return {lang: 1 / len(langs) for lang in langs}
    weights = {lang: MAIN_SHARE / len(main) for lang in main}
    weights.update({lang: (1 - MAIN_SHARE) / len(rest) for lang in rest})
    return weights


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _compose(rng: random.Random, pool: Sequence[str], target: int) -> list[list[str]]:
    """Paragraphs of 2-4 sentences drawn without repetition until the text reaches `target` bytes."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    paragraphs: list[list[str]] = []
    size = 0
    i = 0
    while size < target:
        if i == len(order):  # a small pool (demo fallback): go round again in a new order
            rng.shuffle(order)
            i = 0
        take = [pool[j] for j in order[i : i + rng.randint(2, 4)]]
        i += len(take)
        paragraphs.append(take)
        size += sum(_utf8_len(s) + 1 for s in take) + 2
    return paragraphs


def _text(paragraphs: Sequence[Sequence[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


def _title(rng: random.Random, pool: Sequence[str]) -> str:
    words = rng.choice(pool).rstrip(".!?。").split()
    return " ".join(words[: rng.randint(6, 12)]) if len(words) > 3 else " ".join(words)


def _html(title: str, paragraphs: Sequence[Sequence[str]], lang: str, site: str) -> str:
    """A news page as crawlers fetch it: chrome, scripts and the article body."""
    body = "".join(f"<p>{' '.join(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | {site}</title>'
        f'<meta property="og:title" content="{title}"><script>window.dataLayer=[];</script>'
        "<style>body{font-family:serif}</style></head><body>"
        f'<header><nav><a href="/">{site}</a> <a href="/world">World</a> '
        '<a href="/sport">Sport</a></nav></header>'
        f"<article><h1>{title}</h1>{body}</article>"
        '<aside><a href="/most-read">Most read</a></aside>'
        f"<footer>© {site}. All rights reserved.</footer></body></html>"
    )


def _edit(rng: random.Random, paragraphs: list[list[str]]) -> list[list[str]]:
    """A syndicated edit: a few words replaced, and a paragraph dropped or an agency line added."""
    edited = [list(p) for p in paragraphs]
    for _ in range(3):
        p = rng.randrange(len(edited))
        s = rng.randrange(len(edited[p]))
        words = edited[p][s].split()
        if len(words) > 2:
            k = rng.randrange(len(words))
            words[k] = words[rng.randrange(len(words))] if rng.random() < 0.5 else words[k].upper()
            edited[p][s] = " ".join(words)
    if len(edited) >= 4 and rng.random() < 0.5:
        del edited[-1]
    else:
        edited.append([rng.choice(FOOTERS)])
    # Some edit must change the normalised text, or the copy would be exact.
    if _text(edited).casefold() == _text(paragraphs).casefold():
        edited.append([rng.choice(FOOTERS) + " " + str(rng.randrange(10**6))])
    return edited


@dataclass
class _Story:
    seq: int
    lang: str
    site: str
    source: str
    section: str
    slug: str
    title: str
    paragraphs: list[list[str]]
    published: datetime
    as_html: bool
    declared: bool
    authors: list[str]


def _message(
    story: _Story,
    url: str,
    seq: int,
    batch: str,
    *,
    paragraphs: list[list[str]] | None = None,
    title: str | None = None,
    source: str | None = None,
    published: datetime | None = None,
) -> bytes:
    paras = story.paragraphs if paragraphs is None else paragraphs
    head = story.title if title is None else title
    data: dict[str, object] = {"url": url}
    if story.as_html:
        data["html"] = _html(head, paras, story.lang, story.site)
    else:
        data["title"] = head
        data["text"] = _text(paras)
    when = story.published if published is None else published
    data["published_at"] = when.isoformat().replace("+00:00", "Z")
    data["source"] = story.source if source is None else source
    data["authors"] = story.authors
    if story.declared:
        data["language"] = story.lang
    data["meta"] = {"section": story.section, "crawler": f"bench-{story.lang}", "bench": f"{batch}:{seq}"}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _url(site: str, section: str, batch: str, when: datetime, slug: str) -> str:
    return f"https://{site}/{section}/{batch}/{when:%Y/%m/%d}/{slug}"


def generate(
    n: int,
    sentences: Sentences,
    *,
    seed: int = 1,
    batch: str = "b",
    base_time: datetime | None = None,
    duplicate_share: float = DUPLICATE_SHARE,
    refetch_share: float = REFETCH_SHARE,
    languages: Sequence[str] | None = None,
    text_bytes: int | None = None,
) -> Corpus:
    """Exactly `n` messages; the same arguments always give the same bytes.

    `batch` goes into every URL, so batches of one run (warm-up, throughput, latency) never share
    a document id. Copies follow their original within COPY_LAG messages. `languages`, when
    given, is cycled through in order instead of drawing languages by weight (warm-up batches),
    and `text_bytes` fixes the text size.
    """
    rng = random.Random(f"{seed}:{batch}")
    base = base_time or datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    langs = sorted(sentences.by_lang)
    weights = language_weights(langs)
    lang_list = list(weights)
    weight_list = [weights[lang] for lang in lang_list]

    copies = round(n * duplicate_share)
    refetches = round(n * refetch_share)
    originals = max(1, n - copies - refetches) if n else 0
    copies = min(copies, originals, n - originals)
    refetches = n - originals - copies
    n_exact = (copies + 1) // 2

    stories: list[_Story] = []
    for i in range(originals):
        lang = languages[i % len(languages)] if languages else rng.choices(lang_list, weight_list)[0]
        pool = sentences.by_lang[lang]
        outlet = rng.randrange(5)
        drawn = rng.gauss(TEXT_BYTES_MEAN, TEXT_BYTES_SD)
        target = text_bytes or int(min(TEXT_BYTES_MAX, max(TEXT_BYTES_MIN, drawn)))
        stories.append(
            _Story(
                seq=i,
                lang=lang,
                site=f"{lang}-news{outlet}.example",
                source=f"News {lang.upper()} {outlet}",
                section=rng.choice(SECTIONS),
                slug=f"story-{i}-{rng.randrange(16**6):06x}",
                title=_title(rng, pool),
                paragraphs=_compose(rng, pool, target),
                published=base - timedelta(seconds=rng.randrange(36 * 3600)),
                as_html=rng.random() < HTML_SHARE,
                declared=rng.random() < DECLARED_SHARE,
                authors=rng.sample(AUTHORS, rng.randint(0, 2)),
            )
        )

    # (position key, article): originals at their index, copies a little after their original.
    placed: list[tuple[float, BenchArticle]] = []
    for s in stories:
        url = _url(s.site, s.section, batch, s.published, s.slug)
        placed.append(
            (float(s.seq), _article(s.seq, "original", url, s.lang, _message(s, url, s.seq, batch)))
        )
    copied = rng.sample(range(originals), copies)
    for j, index in enumerate(copied):
        s = stories[index]
        seq = originals + j
        kind: Kind = "exact" if j < n_exact else "near"
        site = f"{s.lang}-syndicate{rng.randrange(3)}.example"
        later = s.published + timedelta(minutes=rng.randint(5, 360))
        url = _url(site, s.section, batch, later, f"{s.slug}-copy{seq}")
        if kind == "exact":
            value = _message(s, url, seq, batch, source=f"Syndicate {site}", published=later)
        else:
            value = _message(
                s,
                url,
                seq,
                batch,
                paragraphs=_edit(rng, s.paragraphs),
                source=f"Syndicate {site}",
                published=later,
            )
        placed.append((s.seq + rng.uniform(1, COPY_LAG), _article(seq, kind, url, s.lang, value, s.seq)))
    for j in range(refetches):
        s = stories[rng.randrange(originals)]
        seq = originals + copies + j
        url = _url(s.site, s.section, batch, s.published, s.slug) + f"?utm_source=rss&utm_medium=feed{j}"
        value = _message(s, url, seq, batch)
        placed.append((s.seq + rng.uniform(1, COPY_LAG), _article(seq, "refetch", url, s.lang, value, s.seq)))
    placed.sort(key=lambda item: (item[0], item[1].seq))
    return Corpus(tuple(a for _, a in placed), sentences.origin)


def _article(seq: int, kind: Kind, url: str, lang: str, value: bytes, of: int | None = None) -> BenchArticle:
    return BenchArticle(seq, kind, url, document_id(canonical_url(url)), lang, value, of)
