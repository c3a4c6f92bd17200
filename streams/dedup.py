"""Exact and near-duplicate detection for syndicated news over a caller-owned key/value state."""

# Design in brief (figures from `python -m newsflow_tools.quality.dedup`, see that module):
#
# * fingerprint(): NFKC + casefold + punctuation/symbols dropped + whitespace collapsed. A blake2b
#   hash of that string catches exact copies (re-sent under another URL, re-typeset quotes, NBSP).
#   MinHash (rensa.RMinHash, 256 permutations) over shingles of SHINGLE_TOKENS=4 words catches
#   edited copies. 4 rather than 5 words: every substituted word breaks k shingles; on 10,000
#   synthetic articles 5-word shingles lost 1.4 points of recall (8 on word substitutions, 3 on
#   mixed edits) while the hard negatives stayed below the thresholds with either (max J 0.49
#   vs 0.42, max containment 0.69 vs 0.65).
#   Lines shorter than MIN_LINE_TOKENS (titles, bylines, "Read also", agency footers) are left
#   out of the shingles, not out of the exact hash.
# * Only the low 8 bits of each min-hash are kept ("b-bit MinHash"): a 256-byte signature, and
#   256 8-bit values estimate Jaccard more tightly (sd 0.025 at J=0.8) than 128 full 32-bit
#   values (sd 0.035) in four times the room. The 1/256 chance that two different minima agree
#   in their low byte is subtracted in _jaccard().
# * LSH: BANDS=16 bands of ROWS=3 signature bytes (the first 48 of 256). A pair with Jaccard J
#   becomes a candidate with probability 1 - (1 - J**3)**16 (lsh_candidate_probability):
#       J:  0.2    0.3    0.5    0.6    0.7     0.8       0.9
#       P:  0.121  0.355  0.882  0.980  0.9988  0.99999   >0.999999
#   A curve centred on 0.8 (e.g. 16 x 4: P(0.7) = 0.988, P(0.6) = 0.89, P(0.5) = 0.64) would do
#   for the Jaccard test alone, but the containment test below accepts truncated or cut copies
#   with J of 0.5-0.8, so the curve is shifted down; a false candidate only costs one state read.
#   16 x 3 found as many duplicates as 32 x 4 with half the bucket keys. 3 bytes per band make
#   24-bit buckets: unrelated canonicals share one by chance 16 * 2**-24 = 1e-6 times per pair,
#   about one wasted read per article at a million canonicals in one scope.
# * Verification: estimated Jaccard >= threshold (0.8), or the smaller text is >= `containment`
#   (0.8) contained in the larger one, estimated from J and the two shingle-set sizes, provided
#   J >= CONTAINMENT_MIN_JACCARD. Truncation, a dropped or an added paragraph keep containment
#   near 1 while J falls to 0.6-0.8.
#
# State layout (all keys str, all values JSON lists/str; values are always re-assigned, never
# mutated in place, because a Faust table only writes its changelog on assignment):
#   r:<ref>           canonical:  ["c", ts, content_hash, shingles, signature, doc_id]
#                     duplicate:  ["d", ts, content_hash, canonical_ref, "e"|"n", jaccard]
#   h:<content_hash>  ref of the canonical with that exact content
#   b<band>:<hex>     refs of canonicals in that LSH bucket (newest last, at most BUCKET_CAP)
#   y:<ref>           syndication of a canonical: [count, [[doc_id, source, kind, ts], ...]]
# <ref> is a 72-bit blake2b of the doc id (12 base64url chars): doc ids are URLs of ~100 bytes and
# a canonical is referenced from BANDS buckets. Band keys are derived from the stored signature, so a
# record can be removed precisely (expiry, edited re-send) without an index of its keys.
#
# Scope: one state mapping is one dedup scope. Keys do not embed the language; texts in different
# languages practically never share shingles, so a shared state is safe, but a partitioned
# deployment keys the stream by language and then should give each language its own scope (a
# table per language, or ScopedState(table, lang)) so that the same key written from two
# partitions cannot collide. The mapping must raise KeyError for missing keys (a Faust table
# without `default=`). A unique article writes BANDS + 2 keys, a duplicate 2 (pointer, syndication).

from __future__ import annotations

import array
import base64
import functools
import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import rensa

FINGERPRINT_VERSION = 1
SHINGLE_TOKENS = 4
NUM_PERM = 256
BANDS = 16
ROWS = 3
# Fixed seed: signatures are persisted, so every process must draw the same permutations.
MINHASH_SEED = 0x5EED
# Below this many shingles (13 words) only exact matching applies: the Jaccard estimate of
# tiny sets is coarse and headlines or captions legitimately share most of their words.
MIN_SHINGLES = 10
# Lines with fewer tokens are not shingled (see _content_tokens).
MIN_LINE_TOKENS = 10
# Containment needs J >= 0.5, i.e. the smaller text is at least about half the larger one, so a
# one-paragraph brief is not folded into every long story that quotes it.
CONTAINMENT_MIN_JACCARD = 0.5
# A bucket only holds canonicals (duplicates are never inserted), so a big bucket means many
# distinct-but-similar stories (templates); keep the newest ones to bound state and cost.
BUCKET_CAP = 32
SYNDICATION_CAP = 50

DEFAULT_WINDOW_S = 7 * 86400
DEFAULT_THRESHOLD = 0.8
DEFAULT_CONTAINMENT = 0.8

Kind = Literal["unique", "exact", "near"]

_CONTENT_HASH_BYTES = 10
_REF_BYTES = 9
_CHANCE = 1 / 256  # two different minima agree in their low byte by chance


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Content hash and MinHash signature of one article; plain str/int fields, JSON-friendly."""

    lang: str
    content_hash: str  # hex blake2b of the normalised text
    signature: str  # base64 of NUM_PERM bytes (low byte of each min-hash); "" if too short
    shingles: int  # size of the shingle set the signature was computed over
    version: int = FINGERPRINT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "content_hash": self.content_hash,
            "signature": self.signature,
            "shingles": self.shingles,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        return cls(
            lang=str(data["lang"]),
            content_hash=str(data["content_hash"]),
            signature=str(data["signature"]),
            shingles=int(data["shingles"]),
            version=int(data.get("version", FINGERPRINT_VERSION)),
        )


@dataclass(frozen=True, slots=True)
class SyndicatedCopy:
    """One duplicate recorded against a canonical."""

    doc_id: str
    source: str | None
    kind: Kind
    ts: int


@dataclass(frozen=True, slots=True)
class Syndication:
    """Syndication record of a canonical: how many duplicates, and the first SYNDICATION_CAP."""

    canonical: str
    count: int
    copies: tuple[SyndicatedCopy, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "canonical": self.canonical,
            "count": self.count,
            "copies": [
                {"doc_id": c.doc_id, "source": c.source, "kind": c.kind, "ts": c.ts} for c in self.copies
            ],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome of decide() for one article.

    `syndication` is the canonical's record after this decision (the article's own record when it
    is unique), ready to be written to the canonical's index document. `released` is set when a
    re-sent duplicate moved away from an earlier canonical: that canonical's record after the
    duplicate was taken off it. `replay` is True when the same doc id was decided before with the
    same content: the recorded answer is returned and the state is not changed.
    """

    kind: Kind
    doc_id: str
    duplicate_of: str | None
    jaccard: float | None
    syndication: Syndication
    replay: bool = False
    released: Syndication | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.kind != "unique"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "doc_id": self.doc_id,
            "duplicate_of": self.duplicate_of,
            "jaccard": self.jaccard,
            "syndication": self.syndication.to_dict(),
            "replay": self.replay,
            "released": None if self.released is None else self.released.to_dict(),
        }


class ScopedState(MutableMapping[str, Any]):
    """Key-prefixing view of a mapping, to keep independent dedup scopes (e.g. languages) in one."""

    def __init__(self, state: MutableMapping[str, Any], scope: str) -> None:
        if "|" in scope:
            raise ValueError("scope must not contain '|'")
        self._state = state
        self._prefix = scope + "|"

    def __getitem__(self, key: str) -> Any:
        return self._state[self._prefix + key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._state[self._prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[self._prefix + key]

    def __iter__(self) -> Iterator[str]:
        n = len(self._prefix)
        # Materialised first so callers may delete while iterating (expire() does).
        return iter([k[n:] for k in list(self._state) if k.startswith(self._prefix)])

    def __len__(self) -> int:
        return sum(1 for k in self._state if k.startswith(self._prefix))


class _Prefixed(ScopedState):
    """ScopedState with the prefix given whole (rebuild_index's keys carry it already)."""

    def __init__(self, state: MutableMapping[str, Any], prefix: str) -> None:
        self._state = state
        self._prefix = prefix


class _ReadOnce(MutableMapping[str, Any]):
    """One decision's view of the state: each key is read from it at most once.

    decide() reads a canonical's 16 band buckets to look for a match and again to insert the
    article; on a Faust table every read decodes a stored value. Writes and deletes go through
    at once (a table writes its changelog on assignment) and update what was read.
    """

    _MISSING = object()

    def __init__(self, state: MutableMapping[str, Any]) -> None:
        self._state = state
        self._seen: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._seen.get(key, self)
        if value is self:
            try:
                value = self._state[key]
            except KeyError:
                value = self._MISSING
            self._seen[key] = value
        if value is self._MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._state[key] = value
        self._seen[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]
        self._seen[key] = self._MISSING

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)


# --------------------------------------------------------------------------- fingerprint


# Invisible format characters deleted before folding (a soft hyphen inside a word must not split
# it); the rarer format characters become spaces with the punctuation.
_INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ufe0f")
# Line breaks (what str.splitlines() splits on) are kept: fingerprint() looks at lines.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _class(codepoints: list[int]) -> str:
    """A regex character class (without brackets) of the given sorted code points, as ranges."""
    parts: list[str] = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        lo, hi = codepoints[i], codepoints[j]
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
        i = j + 1
    return "".join(parts)


def _is_separator(category: str) -> bool:
    # Unassigned, private-use and surrogate code points are left alone (treated as letters).
    return category[0] in "PSZ" or category in ("Cc", "Cf")


@functools.cache
def _separators() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes for punctuation, symbols, spaces and controls: (BMP part, astral part).

    Built once from the Unicode database (about 0.1 s). Split in two because CPython's regex
    engine tests a BMP-only class with a bitmap but scans an astral range list char by char
    (10x slower), and astral characters (emoji) are rare: that part runs only when present.
    Combining marks are not separators: Indic vowel signs are part of the word.
    """
    cps = [
        cp
        for cp in range(0x20000)
        if chr(cp) not in _LINE_BREAKS and _is_separator(unicodedata.category(chr(cp)))
    ]
    bmp = [cp for cp in cps if cp < 0x10000]
    astral = [cp for cp in cps if cp >= 0x10000]
    return re.compile(f"[{_class(bmp)}]+"), re.compile(f"[{_class(astral)}]+")


# Scripts written without spaces between words: every character is a token, so shingles become
# character n-grams there (SHINGLE_TOKENS CJK characters are about two words).
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
)
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")
_TOKEN = re.compile(f"[{_UNSPACED}\\U00020000-\\U0003134f]|[^\\s{_UNSPACED}\\U00020000-\\U0003134f]+")


def _fold(text: str) -> str:
    """NFKC, casefold, invisible characters dropped, separators to spaces; line breaks kept."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    for ch in _INVISIBLE:
        if ch in text:
            text = text.replace(ch, "")
    bmp, astral = _separators()
    text = bmp.sub(" ", text)
    # Astral characters make UTF-16 longer than 2 bytes a character (a C-speed test).
    if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        text = astral.sub(" ", text)
    return text


def normalise(text: str) -> str:
    """NFKC, casefold, punctuation and symbols removed, whitespace collapsed to single spaces."""
    return " ".join(_fold(text).split())


def tokens(normalised: str) -> list[str]:
    """Words; single characters in scripts without word spaces (CJK, Thai, Lao, Khmer, Burmese)."""
    if _HAS_UNSPACED.search(normalised) is None:
        return normalised.split()
    return _TOKEN.findall(normalised)


def shingles(toks: list[str], k: int = SHINGLE_TOKENS) -> set[str]:
    """Set of k-token shingles; a text shorter than k tokens is one shingle."""
    if len(toks) < k:
        return {" ".join(toks)} if toks else set()
    return set(map(" ".join, zip(*(toks[i:] for i in range(k)), strict=False)))


def _content_tokens(folded: str, norm: str) -> list[str]:
    """Tokens to shingle: lines shorter than MIN_LINE_TOKENS are left out when text has lines.

    Titles, bylines, "Read also: ..." and agency footers are short lines; syndicated copies
    change exactly those, and unrelated articles of one outlet share them. Short lines are kept
    when dropping them would lose half the text (a caption, or one-line-per-sentence layout).
    """
    raw_lines = folded.splitlines() if MIN_LINE_TOKENS else []
    if len(raw_lines) < 2:
        return tokens(norm)
    lines = [tokens(line) for line in raw_lines]
    kept = [t for line in lines if len(line) >= MIN_LINE_TOKENS for t in line]
    if 2 * len(kept) >= sum(len(line) for line in lines):
        return kept
    return [t for line in lines for t in line]


def _low_bytes(digest: list[int]) -> bytes:
    """The low byte of each u32 min-hash (b-bit MinHash with b = 8)."""
    if sys.byteorder == "little":
        return array.array("I", digest).tobytes()[::4]  # 5x faster than a generator
    return bytes(v & 0xFF for v in digest)


def fingerprint(text: str, lang: str) -> Fingerprint:
    """Fingerprint of an article text (pass title and body as the index will show them).

    `lang` is recorded, not used for hashing: tokenisation follows the script, so a language
    detector that wavers between close languages (bs/hr, nb/da) does not change the fingerprint.
    """
    folded = _fold(text)
    norm = " ".join(folded.split())
    content_hash = hashlib.blake2b(norm.encode(), digest_size=_CONTENT_HASH_BYTES).hexdigest()
    sh = shingles(_content_tokens(folded, norm))
    if not sh:
        return Fingerprint(lang=lang, content_hash=content_hash, signature="", shingles=0)
    mh = rensa.RMinHash(NUM_PERM, MINHASH_SEED)
    mh.update(list(sh))
    sig = _low_bytes(mh.digest())
    return Fingerprint(
        lang=lang,
        content_hash=content_hash,
        signature=base64.b64encode(sig).decode("ascii"),
        shingles=len(sh),
    )


def _jaccard(a: bytes, b: bytes) -> float:
    """Jaccard estimate from two b-bit (8-bit) signatures, corrected for chance byte matches."""
    diff = (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")
    agree = diff.count(0) / len(a)
    return max(0.0, (agree - _CHANCE) / (1 - _CHANCE))


def similarity(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment of the smaller text in the larger) of two texts."""
    if not a.signature or not b.signature:
        same = 1.0 if a.content_hash == b.content_hash else 0.0
        return same, same
    j = _jaccard(base64.b64decode(a.signature), base64.b64decode(b.signature))
    return j, _containment(j, a.shingles, b.shingles)


def _containment(j: float, n1: int, n2: int) -> float:
    # |A & B| = J / (1 + J) * (|A| + |B|), from J = |A & B| / (|A| + |B| - |A & B|).
    inter = j / (1 + j) * (n1 + n2)
    return min(1.0, inter / max(1, min(n1, n2)))


def lsh_candidate_probability(j: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Probability that a pair with Jaccard j shares at least one LSH bucket (the S-curve)."""
    return 1 - (1 - j**rows) ** bands


# --------------------------------------------------------------------------- state helpers


def _ref(doc_id: str) -> str:
    digest = hashlib.blake2b(doc_id.encode(), digest_size=_REF_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _band_keys(signature: str) -> list[str]:
    sig = base64.b64decode(signature)
    return [f"b{i:x}:{sig[i * ROWS : (i + 1) * ROWS].hex()}" for i in range(BANDS)]


def _expired(rec: list[Any], ts: float, window_s: float) -> bool:
    return ts - rec[1] > window_s


def _syndication(state: MutableMapping[str, Any], ref: str, doc_id: str) -> Syndication:
    raw = state.get("y:" + ref)
    if raw is None:
        return Syndication(canonical=doc_id, count=0, copies=())
    copies = tuple(SyndicatedCopy(doc_id=c[0], source=c[1], kind=c[2], ts=c[3]) for c in raw[1])
    return Syndication(canonical=doc_id, count=raw[0], copies=copies)


def _live_canonical(
    state: MutableMapping[str, Any], ref: str, ts: float, window_s: float, index: MutableMapping[str, Any]
) -> list[Any] | None:
    """The canonical record of ref, or None; an expired one is dropped on the way (lazy expiry)."""
    rec = state.get("r:" + ref)
    if rec is None or rec[0] != "c":
        return None
    if _expired(rec, ts, window_s):
        _drop_canonical(state, ref, rec, index)
        return None
    return rec


def _drop_canonical(
    state: MutableMapping[str, Any], ref: str, rec: list[Any], index: MutableMapping[str, Any]
) -> None:
    """Remove a canonical and every key that points at it (its duplicates' pointers age out)."""
    state.pop("r:" + ref, None)
    state.pop("y:" + ref, None)
    hkey = "h:" + rec[2]
    if state.get(hkey) == ref:
        del state[hkey]
    if rec[4] and rec[3] >= MIN_SHINGLES:
        for key in _band_keys(rec[4]):
            bucket = index.get(key)
            if bucket is not None and ref in bucket:
                rest = [r for r in bucket if r != ref]
                if rest:
                    index[key] = rest
                else:
                    del index[key]


def _insert_canonical(
    state: MutableMapping[str, Any],
    ref: str,
    doc_id: str,
    fp: Fingerprint,
    ts: int,
    index: MutableMapping[str, Any],
) -> None:
    state["r:" + ref] = ["c", ts, fp.content_hash, fp.shingles, fp.signature, doc_id]
    hkey = "h:" + fp.content_hash
    if hkey not in state:
        state[hkey] = ref
    if fp.signature and fp.shingles >= MIN_SHINGLES:
        _index_bands(index, ref, fp.signature)


def _index_bands(index: MutableMapping[str, Any], ref: str, signature: str) -> None:
    for key in _band_keys(signature):
        bucket = index.get(key) or []
        if ref not in bucket:
            index[key] = [*bucket[-(BUCKET_CAP - 1) :], ref]


@dataclass(frozen=True, slots=True)
class _Match:
    ref: str
    record: list[Any]
    kind: Kind
    jaccard: float


def _find_match(
    state: MutableMapping[str, Any],
    ref: str,
    fp: Fingerprint,
    ts: float,
    window_s: float,
    threshold: float,
    containment: float | None,
    index: MutableMapping[str, Any],
) -> _Match | None:
    hkey = "h:" + fp.content_hash
    cref = state.get(hkey)
    if cref is not None and cref != ref:
        rec = _live_canonical(state, cref, ts, window_s, index)
        if rec is not None and rec[2] == fp.content_hash:
            return _Match(cref, rec, "exact", 1.0)
        if state.get(hkey) == cref:
            del state[hkey]  # stale: canonical expired or was re-sent with other text

    if not fp.signature or fp.shingles < MIN_SHINGLES:
        return None
    sig = base64.b64decode(fp.signature)
    best: _Match | None = None
    seen = {ref}
    for key in _band_keys(fp.signature):
        bucket = index.get(key)
        if not bucket:
            continue
        stale = []
        for cref in bucket:
            if cref in seen:
                continue
            seen.add(cref)
            rec = _live_canonical(state, cref, ts, window_s, index)
            if rec is None:
                stale.append(cref)
                continue
            j = _jaccard(sig, base64.b64decode(rec[4]))
            ok = j >= threshold or (
                containment is not None
                and j >= CONTAINMENT_MIN_JACCARD
                and _containment(j, fp.shingles, rec[3]) >= containment
            )
            # Highest Jaccard wins; on a tie the older canonical, so the choice is stable.
            if ok and (best is None or j > best.jaccard or (j == best.jaccard and rec[1] < best.record[1])):
                best = _Match(cref, rec, "near", j)
        if stale:
            current = index.get(key)
            if current is not None:
                rest = [r for r in current if r not in stale]
                if rest:
                    index[key] = rest
                else:
                    del index[key]
    return best


def _add_copy(
    state: MutableMapping[str, Any],
    cref: str,
    canonical_id: str,
    doc_id: str,
    source: str | None,
    kind: Kind,
    ts: int,
) -> Syndication:
    raw = state.get("y:" + cref)
    count, copies = (raw[0], raw[1]) if raw is not None else (0, [])
    if len(copies) < SYNDICATION_CAP:
        copies = [*copies, [doc_id, source, kind, ts]]
    state["y:" + cref] = [count + 1, copies]
    return _syndication(state, cref, canonical_id)


def _release_copy(state: MutableMapping[str, Any], cref: str, doc_id: str) -> Syndication | None:
    """Take a re-sent duplicate off its earlier canonical; that canonical's record, if it lives."""
    rec = state.get("r:" + cref)
    raw = state.get("y:" + cref)
    if rec is None or rec[0] != "c" or raw is None:
        return None
    copies = [c for c in raw[1] if c[0] != doc_id]
    state["y:" + cref] = [max(0, raw[0] - 1), copies]
    return _syndication(state, cref, rec[5])


# --------------------------------------------------------------------------- decide / expire


# A publication time further ahead of the clock than this is a wrong time zone, not news.
MAX_FUTURE_S = 86400.0


def window_time(published_at: str | None, ingested_at: str | None, now: float) -> float:
    """The time an article occupies in the dedup window: its publication time when given and
    not implausibly in the future, else its ingestion time, else `now`. A time without an
    offset is UTC. Old publication times are kept: a backfill of last year's syndicated copies
    dedupes within last year's window, not against today's news."""
    for stamp in (published_at, ingested_at):
        if not stamp:
            continue
        try:
            parsed = datetime.fromisoformat(stamp.strip())
        except ValueError:
            continue
        ts = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
        if ts <= now + MAX_FUTURE_S:
            return ts
    return now


def decide(
    doc_id: str,
    fp: Fingerprint,
    ts: float,
    state: MutableMapping[str, Any],
    *,
    window_s: float = DEFAULT_WINDOW_S,
    threshold: float = DEFAULT_THRESHOLD,
    containment: float | None = DEFAULT_CONTAINMENT,
    source: str | None = None,
    index: MutableMapping[str, Any] | None = None,
) -> Decision:
    """Classify an article against the canonicals of the last `window_s` seconds and record it.

    unique: no canonical matches; the article becomes a canonical (recorded in the state).
    exact:  a canonical has the same normalised content under another doc id (jaccard 1.0).
    near:   a canonical's estimated Jaccard >= threshold, or the smaller of the two texts is
            >= `containment` contained in the other (None disables that rule).
    A duplicate is recorded as a pointer and counted once on its canonical's syndication record
    (with `source`, e.g. the outlet). Re-deciding a known doc id never matches the doc with
    itself: same content -> the recorded answer (replay=True, no state change); edited content ->
    a duplicate is decided again and moved without double counting (`released`), a canonical
    without duplicates is decided again, a canonical with duplicates keeps its role and takes
    the new fingerprint. `ts` is in seconds; a canonical stays matchable for `window_s` from the
    time it was first recorded.

    `index` holds the LSH band buckets (keys "b<band>:<hex>", lists of refs). They are derived
    from the canonical records (see rebuild_index), so a worker may keep them out of its
    changelogged table; by default they live in `state` with everything else. A bucket may name
    refs that are gone (each candidate is checked against its record) but must not miss one.
    """
    if fp.version != FINGERPRINT_VERSION:
        raise ValueError(f"fingerprint version {fp.version}, expected {FINGERPRINT_VERSION}")
    state = _ReadOnce(state)
    index = state if index is None else _ReadOnce(index)
    t = int(ts)
    ref = _ref(doc_id)
    released: Syndication | None = None

    own = state.get("r:" + ref)
    if own is not None and _expired(own, ts, window_s):
        if own[0] == "c":
            _drop_canonical(state, ref, own, index)
        else:
            del state["r:" + ref]
        own = None
    if own is not None and own[0] == "c":
        if own[2] == fp.content_hash:
            return Decision("unique", doc_id, None, None, _syndication(state, ref, doc_id), True)
        syn = _syndication(state, ref, doc_id)
        _drop_canonical(state, ref, own, index)
        if syn.count > 0:
            # Its duplicates point here: stay canonical, keep first-seen time and syndication.
            _insert_canonical(state, ref, doc_id, fp, own[1], index)
            copies = [[c.doc_id, c.source, c.kind, c.ts] for c in syn.copies]
            state["y:" + ref] = [syn.count, copies]
            return Decision("unique", doc_id, None, None, syn)
    elif own is not None:
        crec = _live_canonical(state, own[3], ts, window_s, index)
        if crec is None:
            del state["r:" + ref]  # its canonical is gone: decide afresh
        elif own[2] == fp.content_hash:
            kind: Kind = "exact" if own[4] == "e" else "near"
            syn = _syndication(state, own[3], crec[5])
            return Decision(kind, doc_id, crec[5], own[5], syn, True)
        else:
            released = _release_copy(state, own[3], doc_id)
            del state["r:" + ref]

    match = _find_match(state, ref, fp, ts, window_s, threshold, containment, index)
    if match is None:
        _insert_canonical(state, ref, doc_id, fp, t, index)
        syn = _syndication(state, ref, doc_id)
        return Decision("unique", doc_id, None, None, syn, released=released)

    jac = round(match.jaccard, 3)
    code = "e" if match.kind == "exact" else "n"
    state["r:" + ref] = ["d", t, fp.content_hash, match.ref, code, jac]
    syn = _add_copy(state, match.ref, match.record[5], doc_id, source, match.kind, t)
    if released is not None and released.canonical == syn.canonical:
        released = None  # moved back onto the same canonical: nothing else to update
    return Decision(match.kind, doc_id, match.record[5], jac, syn, released=released)


def expire(
    state: MutableMapping[str, Any],
    now: float,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    index: MutableMapping[str, Any] | None = None,
) -> int:
    """Periodic sweep: remove everything older than the window and anything left pointing at it.

    Returns the number of keys removed (from the state and a separate band index). decide()
    already prunes what it touches; the sweep bounds the state for keys nobody touches again. It
    reads every key, so run it rarely (e.g. hourly).
    """
    index = state if index is None else index
    before = len(state) + (len(index) if index is not state else 0)
    live: set[str] = set()
    for key in list(state):
        if not key.startswith("r:"):
            continue
        rec = state.get(key)
        if rec is None:
            continue
        if _expired(rec, now, window_s):
            if rec[0] == "c":
                _drop_canonical(state, key[2:], rec, index)
            else:
                del state[key]
        elif rec[0] == "c":
            live.add(key[2:])
    for key in list(state):
        value = state.get(key)
        if value is None:
            continue
        if key.startswith("h:") or key.startswith("y:"):
            ref = value if key.startswith("h:") else key[2:]
            if ref not in live:
                del state[key]
        elif key.startswith("b"):
            _sweep_bucket(state, key, value, live)
        elif key.startswith("r:") and value[0] == "d" and value[3] not in live:
            del state[key]  # its canonical is gone; a replay would be decided afresh anyway
    if index is not state:
        for key in list(index):
            value = index.get(key)
            if value is not None:
                _sweep_bucket(index, key, value, live)
    return before - len(state) - (len(index) if index is not state else 0)


def _sweep_bucket(index: MutableMapping[str, Any], key: str, refs: list[str], live: set[str]) -> None:
    rest = [r for r in refs if r in live]
    if not rest:
        del index[key]
    elif len(rest) != len(refs):
        index[key] = rest


def rebuild_index(records: Iterable[tuple[str, Any]], index: MutableMapping[str, Any]) -> int:
    """Fill a band index from the canonical records among (key, value) pairs of a state, oldest
    first so a full bucket keeps the newest, as decide() would have. Keys may carry a scope
    prefix ("pl|r:..."); their buckets get the same prefix. Returns the canonicals indexed."""
    found = []
    for key, rec in records:
        scope, bar, bare = key.rpartition("|")
        if not bare.startswith("r:") or not rec or rec[0] != "c" or not rec[4] or rec[3] < MIN_SHINGLES:
            continue
        found.append((rec[1], scope + bar, bare[2:], rec[4]))
    found.sort()
    for _ts, prefix, ref, signature in found:
        _index_bands(_Prefixed(index, prefix) if prefix else index, ref, signature)
    return len(found)


def record_key(doc_id: str) -> str:
    """The state key holding doc_id's record (for debugging and tests)."""
    return "r:" + _ref(doc_id)


__all__ = [
    "BANDS",
    "DEFAULT_CONTAINMENT",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW_S",
    "NUM_PERM",
    "ROWS",
    "SHINGLE_TOKENS",
    "Decision",
    "Fingerprint",
    "ScopedState",
    "SyndicatedCopy",
    "Syndication",
    "decide",
    "expire",
    "fingerprint",
    "lsh_candidate_probability",
    "normalise",
    "rebuild_index",
    "record_key",
    "similarity",
    "tokens",
]
