"""Deterministic synthetic syndication test set: edited copies and hard negatives from real text."""

# No redistributable labelled near-duplicate news set with full texts was found (see the shared
# data README), so copies are made synthetically from real sentences:
#   * ../shared/data/langid/sentences.jsonl: 75 languages x 200 web sentences in random order.
#     "Articles" join consecutive sentences of one language; later epochs walk a seeded shuffle
#     of the same sentences so that larger sets do not run out of text.
#   * ../shared/data/ner/{pl,en}.jsonl: 300 sentences each in document order (Polish press,
#     English Wikipedia), so neighbouring sentences share a topic: the source of same-topic
#     hard negatives.
# Every story takes a range of sentences and leaves the next range of the same size unused; an
# overlap negative starts inside the story's range and runs into that reserve, so it shares a
# small, controlled part with exactly one story. Stories of different epochs share sentences
# by chance (a 20-sentence story about 2 with each other story of its language; more where a
# 1-3 KB article is only 4-6 long sentences, e.g. Thai), a mild source of unlabelled overlap.
# Loading does I/O; everything after load_pools() is a pure function of (pools, seed, sizes).

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from streams.dedup import normalise, tokens

# Project root is two levels above this package; the shared data sits next to the project.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
LANGID_FILE = Path("langid") / "sentences.jsonl"
DOCUMENT_FILES = {"pl": Path("ner") / "pl.jsonl", "en": Path("ner") / "en.jsonl"}

COPY_KINDS = (
    "exact",
    "retitle",
    "para_removed",
    "para_added",
    "boilerplate",
    "attribution",
    "truncation",
    "word_subs",
    "mixed",
)
NEGATIVE_KINDS = ("neg_overlap", "neg_topic", "neg_boilerplate")
ORIGINAL_KINDS = ("original", "brief")
# Largest share of tokens a copy may change and still be labelled a duplicate.
MAX_EDIT = 0.30

# Languages written without spaces between words: edits work on characters there.
_UNSPACED_LANGS = frozenset({"zh", "ja", "th"})
_NO_SENTENCE_SPACE = frozenset({"zh", "ja"})

_AGENCIES = (
    "PAP",
    "Reuters",
    "AFP",
    "AP",
    "dpa",
    "ANSA",
    "EFE",
    "IAR",
    "TASR",
    "ČTK",
    "Ukrinform",
    "Belga",
    "ANP",
    "Lusa",
    "Kyodo",
    "Yonhap",
)
_OUTLETS = tuple(f"outlet{i:02d}" for i in range(40))
_BYLINES = (
    "Anna Nowicka",
    "Jan Wierzba",
    "Maria Lund",
    "Piotr Sosna",
    "Elena Varga",
    "Tomas Berger",
    "Lucia Marin",
    "Olga Dahl",
)
_READ_ALSO = {
    "en": "Read also: {}",
    "pl": "Czytaj także: {}",
    "de": "Lesen Sie auch: {}",
    "fr": "À lire aussi : {}",
    "es": "Lea también: {}",
    "it": "Leggi anche: {}",
    "pt": "Leia também: {}",
    "nl": "Lees ook: {}",
    "cs": "Čtěte také: {}",
    "ru": "Читайте также: {}",
    "uk": "Читайте також: {}",
}
_SOURCE = {
    "en": "Source: {}",
    "pl": "Źródło: {}",
    "de": "Quelle: {}",
    "fr": "Source : {}",
    "es": "Fuente: {}",
    "it": "Fonte: {}",
    "ru": "Источник: {}",
    "uk": "Джерело: {}",
    "cs": "Zdroj: {}",
}
_FOOTERS = (
    "Subscribe to our newsletter and get the most important news every morning.",
    "© 2024 {agency}. All rights reserved. Republication without permission is prohibited.",
    "Follow us on Facebook, X and Instagram.",
    "Photo: {agency} / archive",
    "The article was updated at {hh}:{mm}.",
    "Do you have information on this topic? Write to us.",
)


class DataMissingError(FileNotFoundError):
    """The shared reference data is not where it is expected."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"reference data not found: {path}")
        self.path = path


@dataclass(frozen=True)
class SentencePools:
    """Real sentences by language: the langid pool (random order) and documents (in order).

    `documents` holds the NER files' sentences in document order: Polish press (KPWr wikinews,
    dap, kap) and English Wikipedia (wikigold), so neighbouring sentences share a topic.
    """

    langid: dict[str, tuple[str, ...]]
    documents: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Article:
    """One article of the stream with its ground truth.

    Articles with the same `story` are duplicates of one another; any two with different stories
    are not. `kind` is "original"/"brief" for a story's first version, a COPY_KINDS member for an
    edited copy, a NEGATIVE_KINDS member for a hard negative (its own story, made to resemble
    `derived_from`). `edit_frac` is the share of tokens that differ from `derived_from`.
    """

    doc_id: str
    lang: str
    text: str
    ts: float
    story: str
    kind: str
    source: str
    derived_from: str | None = None
    edit_frac: float = 0.0
    edits: tuple[str, ...] = ()  # the edits applied (several for "mixed")


@dataclass(frozen=True)
class LabelledPair:
    a: str
    b: str
    duplicate: bool
    kind: str


@dataclass(frozen=True)
class SyndicationSet:
    """Articles in stream (time) order and the labelled pairs they were built as."""

    articles: tuple[Article, ...]
    pairs: tuple[LabelledPair, ...]

    def kinds(self) -> Counter[str]:
        return Counter(a.kind for a in self.articles)


def load_pools(data_dir: Path | None = None) -> SentencePools:
    """Read the shared sentence files; raises DataMissingError naming the first missing path."""
    root = DEFAULT_DATA_DIR if data_dir is None else data_dir
    langid_path = root / LANGID_FILE
    if not langid_path.is_file():
        raise DataMissingError(langid_path)
    langid: dict[str, list[str]] = {}
    with langid_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                langid.setdefault(row["lang"], []).append(row["text"].strip())
    documents: dict[str, tuple[str, ...]] = {}
    for lang, rel in DOCUMENT_FILES.items():
        path = root / rel
        if not path.is_file():
            raise DataMissingError(path)
        with path.open(encoding="utf-8") as fh:
            documents[lang] = tuple(json.loads(line)["text"].strip() for line in fh if line.strip())
    return SentencePools(langid={k: tuple(v) for k, v in langid.items()}, documents=documents)


# --------------------------------------------------------------------------- article drafts


@dataclass(frozen=True)
class _Draft:
    lang: str
    title: str
    lead: str  # dateline/byline put before the first paragraph, "" for none
    paras: tuple[tuple[str, ...], ...]
    footer: tuple[str, ...]
    inserts: tuple[tuple[int, str], ...] = ()  # (paragraph index, line) shown before that para

    def render(self) -> str:
        sep = "" if self.lang in _NO_SENTENCE_SPACE else " "
        blocks: list[str] = [self.title]
        for i, para in enumerate(self.paras):
            blocks.extend(line for at, line in self.inserts if at == i)
            body = sep.join(para)
            blocks.append(f"{self.lead} {body}" if i == 0 and self.lead else body)
        blocks.extend(line for at, line in self.inserts if at >= len(self.paras))
        if self.footer:
            blocks.append("\n".join(self.footer))
        return "\n\n".join(blocks)

    def sentences(self) -> list[str]:
        return [s for p in self.paras for s in p]


@dataclass(frozen=True)
class _Ctx:
    """What edits may draw on: the language's sentence pool and the story's agency."""

    lang: str
    pool: tuple[str, ...]
    agency: str


def _units(text: str, lang: str) -> list[str]:
    return list(text) if lang in _UNSPACED_LANGS else text.split()


def _join_units(units: Sequence[str], lang: str) -> str:
    return "".join(units) if lang in _UNSPACED_LANGS else " ".join(units)


def _size(draft: _Draft) -> int:
    return sum(len(s) for s in draft.sentences())


def _headline(sentence: str, lang: str, rng: random.Random) -> str:
    """A headline-like fragment: the first words of a sentence, without final punctuation."""
    units = _units(sentence, lang)
    n = rng.randint(12, 22) if lang in _UNSPACED_LANGS else rng.randint(6, 12)
    return _join_units(units[:n], lang).rstrip(" .,;:!?。、！？")


def _paragraphs(sentences: Sequence[str], rng: random.Random) -> tuple[tuple[str, ...], ...]:
    paras: list[tuple[str, ...]] = []
    i = 0
    while i < len(sentences):
        n = rng.randint(2, 4)
        paras.append(tuple(sentences[i : i + n]))
        i += n
    return tuple(paras)


def _localised(table: dict[str, str], lang: str) -> str:
    return table.get(lang, table["en"])


def _footer_line(template: str, agency: str, rng: random.Random) -> str:
    return template.format(agency=agency, hh=f"{rng.randint(6, 23):02d}", mm=f"{rng.randint(0, 59):02d}")


def _make_draft(
    sentences: Sequence[str], lang: str, agency: str, rng: random.Random, *, heavy_footer: bool
) -> _Draft:
    title_src = sentences[rng.randrange(len(sentences))]
    lead = rng.choice(("", f"({agency})", f"{agency} –", f"{rng.choice(_BYLINES)} / {agency}:"))
    footer = [_localised(_SOURCE, lang).format(agency)]
    if heavy_footer:
        footer += [_footer_line(t, agency, rng) for t in rng.sample(_FOOTERS, 3)]
    elif rng.random() < 0.4:
        footer.append(_footer_line(rng.choice(_FOOTERS), agency, rng))
    return _Draft(
        lang=lang,
        title=_headline(title_src, lang, rng),
        lead=lead,
        paras=_paragraphs(sentences, rng),
        footer=tuple(footer),
    )


# --------------------------------------------------------------------------- edits


def _cosmetic(text: str, rng: random.Random) -> str:
    """Typesetting-only changes a normalised hash must see through."""
    out = text.replace('"', "”").replace(" - ", " – ").replace("'", "’")
    if rng.random() < 0.5:
        out = out.replace("\n\n", "\n")
    if rng.random() < 0.5:
        out = out.replace(" ", "\u00a0", 3)
    if rng.random() < 0.3:
        first, _, rest = out.partition("\n")
        out = first.upper() + "\n" + rest
    return out


def _retitle(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    options = [s for s in d.sentences() if not d.title or not s.startswith(d.title[:10])]
    src = rng.choice(options or list(ctx.pool))
    return replace(d, title=_headline(src, d.lang, rng))


def _para_removed(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    target = rng.uniform(0.08, 0.30) * scale
    total = _size(d)
    paras = list(d.paras)
    removed = 0
    while len(paras) > 1 and removed < target * total:
        i = rng.randrange(1, len(paras))
        if removed + sum(len(s) for s in paras[i]) > 0.32 * total:
            # Too big a paragraph for the edit budget: drop its last sentence instead.
            if len(paras[i]) <= 1:
                break
            removed += len(paras[i][-1])
            paras[i] = paras[i][:-1]
            continue
        removed += sum(len(s) for s in paras.pop(i))
    return replace(d, paras=tuple(paras), inserts=())


def _fresh_sentences(d: _Draft, ctx: _Ctx, rng: random.Random, chars: float) -> list[str]:
    used = set(d.sentences())
    options = [s for s in ctx.pool if s not in used]
    rng.shuffle(options)
    out: list[str] = []
    size = 0
    for s in options:
        if size >= chars:
            break
        out.append(s)
        size += len(s)
    return out


def _para_added(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    new = _fresh_sentences(d, ctx, rng, rng.uniform(0.08, 0.30) * scale * _size(d))
    paras = list(d.paras)
    paras.insert(rng.randint(1, len(paras)), tuple(new))
    return replace(d, paras=tuple(paras), inserts=())


def _boilerplate(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    inserts = list(d.inserts)
    footer = list(d.footer)
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.45:
            headline = _headline(rng.choice(ctx.pool), d.lang, rng)
            line = _localised(_READ_ALSO, d.lang).format(headline)
            inserts.append((rng.randint(1, len(d.paras)), line))
        elif choice < 0.75:
            footer.append(_footer_line(rng.choice(_FOOTERS), rng.choice(_AGENCIES), rng))
        else:
            footer.insert(0, _localised(_SOURCE, d.lang).format(rng.choice(_AGENCIES)))
    return replace(d, inserts=tuple(inserts), footer=tuple(footer))


def _attribution(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    other = rng.choice([a for a in _AGENCIES if a != ctx.agency])
    lead = rng.choice(("", f"({other})", f"{other}/{ctx.agency} –", f"{rng.choice(_BYLINES)}:"))
    source = _localised(_SOURCE, d.lang)
    footer = [source.format(f"{other}, {ctx.agency}") if i == 0 else line for i, line in enumerate(d.footer)]
    return replace(d, lead=lead, footer=tuple(footer))


def _truncation(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    keep = 1 - rng.uniform(0.08, 0.30) * scale
    budget = keep * _size(d)
    paras: list[tuple[str, ...]] = []
    size = 0
    for para in d.paras:
        kept: list[str] = []
        for s in para:
            if size + len(s) > budget:
                break
            kept.append(s)
            size += len(s)
        if kept:
            paras.append(tuple(kept))
        if len(kept) < len(para):
            break
    if not paras:
        paras = [d.paras[0][:1]]
    more = rng.choice(("(...)", "[...]", "Read more on our website.", "…"))
    # Truncated feeds drop the footer except the source line and point to the full text.
    return replace(d, paras=tuple(paras), footer=(more, *d.footer[:1]), inserts=())


def _word_subs(d: _Draft, ctx: _Ctx, rng: random.Random, scale: float) -> _Draft:
    donors = [u for s in rng.sample(ctx.pool, min(10, len(ctx.pool))) for u in _units(s, d.lang)]
    flat = [(i, j) for i, p in enumerate(d.paras) for j in range(len(p))]
    units = {pos: _units(d.paras[pos[0]][pos[1]], d.lang) for pos in flat}
    # "A few" substitutions: 3-8 words (2-character spans where words are not spaced), spread
    # over the text, the worst case for shingles (each one breaks SHINGLE_TOKENS of them).
    span = 2 if d.lang in _UNSPACED_LANGS else 1
    n = max(1, round(rng.randint(3, 8) * scale))
    for _ in range(n):
        pos = rng.choice(flat)
        words = units[pos]
        if len(words) <= span:
            continue
        k = rng.randrange(len(words) - span + 1)
        words[k : k + span] = rng.sample(donors, span)
    paras = tuple(
        tuple(_join_units(units[(i, j)], d.lang) for j in range(len(p))) for i, p in enumerate(d.paras)
    )
    return replace(d, paras=paras)


_Edit = Callable[[_Draft, _Ctx, random.Random, float], _Draft]
_EDITS: dict[str, _Edit] = {
    "retitle": _retitle,
    "para_removed": _para_removed,
    "para_added": _para_added,
    "boilerplate": _boilerplate,
    "attribution": _attribution,
    "truncation": _truncation,
    "word_subs": _word_subs,
}


def edit_fraction(a: str, b: str) -> float:
    """Share of tokens not shared (as a multiset) relative to the longer of the two texts."""
    ta = Counter(tokens(normalise(a)))
    tb = Counter(tokens(normalise(b)))
    longer = max(ta.total(), tb.total(), 1)
    return 1 - (ta & tb).total() / longer


def make_copy(
    draft: _Draft, kind: str, ctx: _Ctx, rng: random.Random
) -> tuple[str, float, tuple[str, ...]] | None:
    """Text of an edited copy of `draft`, its edit fraction and the edits applied."""
    original = draft.render()
    if kind == "exact":
        return _cosmetic(original, rng), 0.0, ("exact",)
    # Re-drawn until the copy differs by at most MAX_EDIT (on a short brief one dropped
    # paragraph can be half the text); None if 20 draws fail.
    for _ in range(20):
        names = tuple(rng.sample(sorted(_EDITS), rng.randint(2, 3))) if kind == "mixed" else (kind,)
        d = draft
        for name in names:
            # A mixed copy applies two or three edits at reduced strength.
            d = _EDITS[name](d, ctx, rng, 0.6 if kind == "mixed" else 1.0)
        text = d.render()
        frac = edit_fraction(original, text)
        if frac <= MAX_EDIT:
            return text, frac, names
    return None


# --------------------------------------------------------------------------- the stream


@dataclass(frozen=True)
class _Slot:
    """A story's sentence range and the unused range after it (room for an overlap negative)."""

    lang: str
    pool_name: str
    story: tuple[str, ...]
    reserve: tuple[str, ...]


def _take(order: Sequence[str], start: int, size_bytes: int) -> tuple[str, ...]:
    """Consecutive sentences from `start` until they reach size_bytes of UTF-8."""
    out: list[str] = []
    size = 0
    for s in order[start:]:
        if size >= size_bytes:
            break
        out.append(s)
        size += len(s.encode())
    return tuple(out)


def _slots(pools: SentencePools, seed: int, brief_rate: float) -> Iterator[tuple[_Slot, bool]]:
    """Story slots, languages interleaved; epoch 0 in file order, later epochs seeded shuffles."""
    langs = sorted(pools.langid)
    epoch = 0
    while True:
        per_lang: list[list[tuple[_Slot, bool]]] = []
        sources: list[tuple[str, str, tuple[str, ...]]] = [
            (lang, f"langid-{lang}", pools.langid[lang]) for lang in langs
        ]
        if epoch == 0:
            sources += [(lang, f"doc-{lang}", pools.documents[lang]) for lang in sorted(pools.documents)]
        for lang, name, sentences in sources:
            rng = random.Random(f"{seed}/{name}/{epoch}")
            order = list(sentences)
            if epoch > 0:
                rng.shuffle(order)
            slots: list[tuple[_Slot, bool]] = []
            pos = 0
            while pos < len(order):
                brief = rng.random() < brief_rate
                size = rng.randint(250, 700) if brief else rng.randint(1000, 3000)
                story = _take(order, pos, size)
                reserve = _take(order, pos + len(story), size)
                if len(story) < 2 or len(reserve) < 2:
                    break
                slots.append((_Slot(lang, name, story, reserve), brief))
                pos += len(story) + len(reserve)
            per_lang.append(slots)
        for i in range(max(len(s) for s in per_lang)):
            for slots in per_lang:
                if i < len(slots):
                    yield slots[i]
        epoch += 1


_COPY_WEIGHTS = (12, 10, 10, 10, 12, 10, 10, 10, 16)  # order of COPY_KINDS
_N_COPIES = ((0, 28), (1, 25), (2, 18), (3, 12), (4, 8), (5, 5), (6, 2), (8, 2))


def build_set(
    pools: SentencePools,
    *,
    n_articles: int = 2000,
    seed: int = 20240501,
    start_ts: float = 1_714_521_600.0,  # 2024-05-01T00:00Z
    span_s: float = 5 * 86400,
    negative_rate: float = 0.15,
    brief_rate: float = 0.08,
) -> SyndicationSet:
    """A stream of about n_articles labelled articles, sorted by time; same seed, same set.

    Each story has an original and 0-8 copies (COPY_KINDS, arriving minutes to two days later).
    With probability `negative_rate` a story also gets an overlap negative: a new story whose
    sentence range starts inside the original's (10-35% shared); from the NER documents this is a
    same-topic negative. A brief (250-700 bytes, heavy footer) always gets a sibling brief with
    the same lead and footer but no shared sentence: the boilerplate-only negative.
    """
    rng = random.Random(seed)
    articles: list[Article] = []
    pairs: list[LabelledPair] = []
    n_story = 0

    def emit(art: Article) -> bool:
        if len(articles) >= n_articles:
            return False
        articles.append(art)
        return True

    def add_story(draft: _Draft, ctx: _Ctx, kind: str, ts: float, like: str | None) -> str | None:
        nonlocal n_story
        story = f"s{n_story:06d}"
        n_story += 1
        text = draft.render()
        outlet = rng.choice(_OUTLETS)
        doc_id = f"https://{outlet}.example/{ctx.lang}/2024/05/{story}-0"
        if not emit(Article(doc_id, ctx.lang, text, ts, story, kind, outlet, like)):
            return None
        if like is not None:
            pairs.append(LabelledPair(doc_id, like, False, kind))
        n_copies = rng.choices([n for n, _ in _N_COPIES], [w for _, w in _N_COPIES])[0]
        for c in range(1, n_copies + 1):
            ckind = rng.choices(COPY_KINDS, _COPY_WEIGHTS)[0]
            made = make_copy(draft, ckind, ctx, rng)
            if made is None:
                continue
            ctext, frac, edits = made
            cts = ts + min(rng.expovariate(1 / 10800), 2 * 86400)
            coutlet = rng.choice(_OUTLETS)
            cid = f"https://{coutlet}.example/{ctx.lang}/2024/05/{story}-{c}"
            copy = Article(cid, ctx.lang, ctext, cts, story, ckind, coutlet, doc_id, frac, edits)
            if not emit(copy):
                break
            pairs.append(LabelledPair(cid, doc_id, True, ckind))
        return doc_id

    for slot, brief in _slots(pools, seed, brief_rate):
        if len(articles) >= n_articles:
            break
        srng = random.Random(f"{seed}/slot/{n_story}")
        pool = pools.langid.get(slot.lang, ()) + pools.documents.get(slot.lang, ())
        agency = srng.choice(_AGENCIES)
        ctx = _Ctx(slot.lang, pool, agency)
        ts = start_ts + rng.uniform(0, span_s)
        draft = _make_draft(slot.story, slot.lang, agency, srng, heavy_footer=brief)
        first = add_story(draft, ctx, "brief" if brief else "original", ts, None)
        if first is None:
            break
        if brief:
            # Same outlet template (lead, footer), different text: shares boilerplate only.
            sibling = replace(
                _make_draft(slot.reserve, slot.lang, agency, srng, heavy_footer=True),
                lead=draft.lead,
                footer=draft.footer,
            )
            add_story(sibling, ctx, "neg_boilerplate", ts + srng.uniform(-6, 6) * 3600, first)
        elif slot.pool_name.startswith("doc-") or srng.random() < negative_rate:
            # Every document slot gets one: their 600 sentences allow only about ten such pairs.
            n = len(slot.story)
            overlap = max(1, int(n * srng.uniform(0.10, 0.35)))
            # Two-sentence stories would share half; at the end of a pool the reserve is short.
            if n >= 3 and len(slot.reserve) >= n - overlap:
                sentences = (*slot.story[n - overlap :], *slot.reserve[: n - overlap])
                neg = _make_draft(sentences, slot.lang, agency, srng, heavy_footer=False)
                kind = "neg_topic" if slot.pool_name.startswith("doc-") else "neg_overlap"
                add_story(neg, ctx, kind, ts + srng.uniform(-6, 6) * 3600, first)

    articles.sort(key=lambda a: (a.ts, a.doc_id))
    return SyndicationSet(articles=tuple(articles), pairs=tuple(pairs))
