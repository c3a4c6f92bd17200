"""Identify the language of an article (ISO 639-1) with langdetect, deterministically, at bounded cost."""

import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress
from operator import add, and_, itemgetter
from pathlib import Path

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

UND = "und"

# Every language langdetect 1.0.9 has a profile for, as ISO 639-1 (its zh-cn and zh-tw are both
# "zh"). A unit test holds this literal to the profiles shipped in the installed wheel.
SUPPORTED: frozenset[str] = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml mr "
    "ne nl no pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh".split()
)

# Declared-language tags that name a supported language under another code: Norwegian written
# forms, and the pre-1989 codes that Java and Android locales still emit.
_HINT_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id"}

_SEED = 0
# Trials are run in stages and stop at the first stage whose best language reaches the caller's
# threshold. Three unanimous trials settle clear text at under half of langdetect's default cost
# (7 trials); disputed text continues to 7, then to 21 so that probabilities near the threshold
# are estimated from enough trials to be stable.
_TRIAL_STAGES = (3, 7, 21)
# A language whose share of a trial falls below this is dropped from the rest of the trial.
# Trials stop when the leader holds 1 - 1e-5 of the mass, so a language four orders of magnitude
# under that margin cannot change the outcome except through runs of n-grams that leave the text
# ambiguous anyway; dropping them makes each update touch a handful of languages, not 55.
_PRUNE_BELOW = 1e-9
# langdetect's own reporting floor: a language under this share is not a candidate.
_CANDIDATE_FLOOR = Detector.PROB_THRESHOLD
# Latin-script letters: ASCII, Latin-1 and Latin Extended A/B, IPA (Azerbaijani ə), combining
# accents, Latin Extended Additional (Vietnamese), C, D and the fullwidth forms.
_LATIN = (
    "A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0300-\u036f\u1e00-\u1eff"
    "\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff3a\uff41-\uff5a"
)
_LATIN_LETTER = re.compile(f"[{_LATIN}]")
_LATIN_RUNS = re.compile(f"[{_LATIN}]+")
# In a text whose letters are at least this share non-Latin, the Latin runs are navigation, HTTP
# headers, names and brand names around the real text (measured: 30-45% in the Urdu and Hindi
# web pages langdetect called English; at most 18% in any Latin-script language's paragraphs).
# langdetect drops ASCII letters only when they are under a third of the text.
_NON_LATIN_SHARE = 0.25

# What langdetect's Detector.append and cleaning_text do to a text, as whole-string operations.
_SPACE_RUNS = re.compile(" {2,}")
_FROM_U0300 = re.compile("[\u0300-\U0010ffff]+")
_A_TO_Z = re.compile("[A-z]")  # langdetect's own range, [\]^_` included
_NOT_A_TO_Z = bytes(b for b in range(128) if not ord("A") <= b <= ord("z"))


@dataclass(frozen=True, slots=True)
class Detection:
    """A language decision: an ISO 639-1 code or "und", and the model's probability for it."""

    lang: str
    probability: float


def detect(
    text: str,
    hint: str | None = None,
    *,
    title: str = "",
    max_chars: int = 500,
    min_chars: int = 20,
    threshold: float = 0.80,
) -> Detection:
    """Return the language of ``title`` and ``text``, or "und" when it cannot be told.

    Only the first ``max_chars`` characters of the title, a newline and the text are read, so
    the cost does not grow with the article. The answer is the same on every call and in every
    process.

    "und" is returned with probability 0.0 when that prefix has fewer than ``min_chars``
    letters, and with the best probability when no language reaches ``threshold``.

    Beyond langdetect's n-gram model, two rules settle what the model is known to get wrong:
    - mixed scripts: when at least a quarter of the letters are non-Latin, the Latin runs are
      left out (langdetect's own cut-off is two thirds), so an Urdu page is not called English
      because of its English menu;
    - close pairs (ca/es, uk/ru, bg/mk, cs/sk, hr/sl, da/no, zh/ko): when the model picks one of
      a pair, letters and function words found in only one of the two languages can overturn
      it; the answer then carries the pair's combined probability.

    ``hint`` is a declared language such as "pl", "en-GB" or "PL"; unknown tags are ignored. A
    valid hint breaks ties and never outvotes the text: it is the answer, with probability 0.0,
    when the text is too short to detect, and the answer, with the model's probability for it,
    when no language reaches ``threshold`` but the model lists the hint as a candidate.
    (Preferring a candidate hint over a confident answer was measured and rejected: wrong
    hints, such as "en" on Urdu pages with English menus, cost far more than right ones gained.)
    """
    declared = _hint_code(hint)
    fallback = Detection(declared or UND, 0.0)
    prefix = f"{title}\n{text}"[:max_chars] if title else text[:max_chars]
    non_latin, latin = divmod(sum(map(_LETTERS.__getitem__, prefix)), _NON_LATIN_UNIT)
    if latin + non_latin < min_chars:
        return fallback
    body = _without_minority_latin(prefix, latin, non_latin, min_chars)
    rows = list(filter(None, map(_model().word_probs.get, _windows(body))))
    if not rows:
        return fallback
    ranked = _posterior(rows, threshold)
    lang, probability = _settle_pair(ranked, body)
    if probability >= threshold:
        return Detection(lang, probability)
    if declared is not None:
        for code, share in ranked:
            if code == declared and share >= _CANDIDATE_FLOOR:
                return Detection(declared, share)
    return Detection(UND, probability)


def _hint_code(hint: str | None) -> str | None:
    """The supported ISO 639-1 code a declared language tag names, or None."""
    if not hint:
        return None
    primary = hint.strip().replace("_", "-").split("-", 1)[0].lower()
    primary = _HINT_ALIASES.get(primary, primary)
    return primary if primary in SUPPORTED else None


class _LetterTable(dict[str, int]):
    """Per character: 0, 1 for a Latin letter, _NON_LATIN_UNIT for any other letter; a mark
    written as part of a letter (Indic vowel signs, which Unicode does not call letters) counts
    as one. Summing over a text counts both kinds in one pass; fills itself on first sight."""

    def __missing__(self, char: str) -> int:
        value = 0
        if char.isalpha() or unicodedata.category(char).startswith("M"):
            value = 1 if _LATIN_LETTER.match(char) else _NON_LATIN_UNIT
        self[char] = value
        return value


_NON_LATIN_UNIT = 1 << 32  # above any count of Latin letters in a bounded prefix
_LETTERS = _LetterTable()


def _without_minority_latin(prefix: str, latin: int, non_latin: int, min_chars: int) -> str:
    """The prefix without its Latin runs when non-Latin letters carry the text."""
    if not latin or non_latin < min_chars or non_latin < _NON_LATIN_SHARE * (latin + non_latin):
        return prefix
    return _LATIN_RUNS.sub(" ", prefix)


# --- langdetect's model ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Model:
    codes: tuple[str, ...]  # ISO 639-1 code of each profile column
    word_probs: dict[str, list[float]]  # n-gram -> P(n-gram | language), one column a profile


@cache
def _model() -> _Model:
    factory = DetectorFactory()
    # Sorted, so that the column order, and with it every tie, is the same on every filesystem.
    profiles = sorted(p for p in Path(PROFILES_DIRECTORY).iterdir() if p.is_file())
    factory.load_json_profile([p.read_text(encoding="utf-8") for p in profiles])
    codes = tuple(name.split("-", 1)[0] for name in factory.langlist)
    return _Model(codes, factory.word_lang_prob_map)


class _CharNormaliser(dict[int, str]):
    """A str.translate table that fills itself from langdetect's per-character normaliser."""

    def __missing__(self, codepoint: int) -> str:
        normalised: str = NGram.normalize(chr(codepoint))
        self[codepoint] = normalised
        return normalised


_NORMALISE = _CharNormaliser()


def _windows(text: str) -> Iterator[str]:
    """Every 1-, 2- and 3-character window langdetect would look up in its profiles for ``text``.

    This restates Detector.append, cleaning_text and _extract_ngrams of langdetect 1.0.9 as
    whole-string operations (a unit test holds the known windows to langdetect's own n-grams):
    its per-character loop costs more than the detection. Windows come unigrams first, then
    bigrams, then trigrams, where langdetect interleaves them; trials draw at random, so the
    order does not matter.
    """
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", NGram.normalize_vi(text))
    # langdetect drops ASCII letters when other characters outnumber them two to one; it counts
    # every character from U+0300 up (its exemption for Latin Extended Additional never matches).
    above = sum(map(len, _FROM_U0300.findall(text)))
    if above and 2 * len(text.encode("ascii", "ignore").translate(None, _NOT_A_TO_Z)) < above:
        text = _A_TO_Z.sub("", text)

    # langdetect reads each word padded with the space before it and, unless the text ends
    # there, the space after it: one space-separated string with a leading space has the same
    # windows, plus trigrams spanning two words, which have a space in the middle and are in no
    # profile.
    words = text.translate(_NORMALISE).split(" ")
    joined = " " + " ".join(filter(None, words))
    if not words[-1] and len(joined) > 1:
        joined += " "
    firsts, seconds, thirds = joined[1:], joined, joined[2:]
    pairs = list(map(add, seconds, firsts))  # pairs[i] ends at joined[i + 1]
    unigrams: Iterable[str] = firsts
    bigrams: Iterable[str] = pairs
    triples: Iterable[str] = map(add, pairs, thirds)  # triples[i] ends at joined[i + 2]
    # langdetect takes nothing at a position inside a run of capitals (acronyms, shouting).
    upper = list(map(str.isupper, joined))
    in_run = list(map(and_, upper, upper[1:]))  # in_run[i] is about joined[i + 1]
    if True in in_run:
        keep = [not flag for flag in in_run]
        unigrams, bigrams = compress(firsts, keep), compress(pairs, keep)
        triples = compress(triples, keep[1:])
    return chain(unigrams, bigrams, triples)


def _posterior(rows: Sequence[list[float]], threshold: float) -> list[tuple[str, float]]:
    """Languages by probability from langdetect's randomised trials, best first.

    ``rows`` are the profile rows (P(n-gram | language) per column) of the text's n-grams.
    """
    codes = _model().codes
    rng = random.Random(_SEED)
    totals = [0.0] * len(codes)
    done = 0
    ranked: list[tuple[str, float]] = []
    for stage in _TRIAL_STAGES:
        for _ in range(stage - done):
            for column, share in _trial(rows, len(codes), rng):
                totals[column] += share
        done = stage
        by_code: dict[str, float] = {}
        for code, total in zip(codes, totals, strict=True):
            if total:
                by_code[code] = by_code.get(code, 0.0) + total / done
        ranked = sorted(by_code.items(), key=lambda item: item[1], reverse=True)
        if ranked[0][1] >= threshold:
            break
    return ranked


def _trial(rows: Sequence[list[float]], width: int, rng: random.Random) -> list[tuple[int, float]]:
    """One of langdetect's trials: Bayesian updates on randomly drawn n-grams, under a randomly
    jittered smoothing, until one language holds all but 1e-5 of the mass or the iteration limit
    is reached. Returns (profile column, probability) for the languages still in the running.

    langdetect normalises and tests for convergence every fifth update; here the five updates
    between two tests are one multiplication per language, which is what makes a long duel
    between two close languages affordable.
    """
    alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
    w = alpha / Detector.BASE_FREQ
    draw = rng.choices
    columns = list(range(width))
    gather: Callable[[list[float]], Sequence[float]] | None = None
    prob = [1.0 / width] * width
    for _ in range(Detector.ITERATION_LIMIT // 5):
        drawn = draw(rows, k=5)
        a, b, c, d, e = drawn if gather is None else map(gather, drawn)
        prob = [
            p * (w + pa) * (w + pb) * (w + pc) * (w + pd) * (w + pe)
            for p, pa, pb, pc, pd, pe in zip(prob, a, b, c, d, e, strict=True)
        ]
        total = sum(prob)
        prob = [p / total for p in prob]
        if max(prob) > Detector.CONV_THRESHOLD:
            break
        keep = [i for i, p in enumerate(prob) if p >= _PRUNE_BELOW]
        # Unconverged, so at least two languages are left and itemgetter returns tuples.
        if len(keep) < len(prob):
            columns = [columns[i] for i in keep]
            prob = [prob[i] for i in keep]
            gather = itemgetter(*columns)
    return list(zip(columns, prob, strict=True))


# --- close pairs ----------------------------------------------------------------------------

# For each pair the model is known to confuse: letters or words each language uses and the other
# does not (alphabets, orthography, the most frequent function words).
_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    (
        "ca",
        r"[àèòïç]|l·l|\b(?:i|amb|els|dels|als|pel|pels|aquest|aquesta|també|però|més|és)\b"
        r"|\b[dlsmn]['’]\w|ció\b|cions\b",
        "es",
        r"[ñ¿¡]|\b(?:y|los|las|con|muy|pero|como|también|está|más|qué)\b|ción\b|ciones\b",
    ),
    ("uk", "[іїєґ]", "ru", "[ыэёъ]"),
    ("bg", "[щъюяйь]", "mk", "[ѓѕјљњќџ]"),
    ("cs", "[řůě]", "sk", "[äľĺŕô]"),
    ("hr", r"[ćđ]|\b(?:i|što|kako)\b", "sl", r"\b(?:in|kaj|tudi|zelo|bo|so)\b"),
    (
        "da",
        r"\b(?:af|hvad|nogle|nogen|efter|meget|ud|op|mig|dig|sig)\b",
        "no",
        r"\b(?:av|hva|noen|etter|mye|ut|opp|meg|deg|seg)\b",
    ),
    # Korean is written in Hangul; Chinese has none.
    ("zh", "[\u4e00-\u9fff]", "ko", "[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
)


@cache
def _partners() -> dict[str, tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]]:
    """For each language in a pair: (other language, own markers, other's markers)."""
    table: dict[str, list[tuple[str, re.Pattern[str], re.Pattern[str]]]] = {}
    for a, a_markers, b, b_markers in _PAIRS:
        pa, pb = re.compile(a_markers), re.compile(b_markers)
        table.setdefault(a, []).append((b, pa, pb))
        table.setdefault(b, []).append((a, pb, pa))
    return {lang: tuple(entries) for lang, entries in table.items()}


def _settle_pair(ranked: list[tuple[str, float]], text: str) -> tuple[str, float]:
    """The model's best language, or its close partner when the text's markers say so.

    The evidence asked of the markers grows with the model's certainty: when the partner is
    among the model's candidates a simple majority of markers decides; when it is not, the
    partner's markers must be at least twice the model's pick's plus two. Markers that side with
    one language of the pair make the model's share for the other evidence for it too, so the
    answer carries the pair's combined probability.
    """
    best, share = ranked[0]
    shares = dict(ranked)
    confirmed = share
    for other, own_markers, other_markers in _partners().get(best, ()):
        own = len(own_markers.findall(text))
        theirs = len(other_markers.findall(text))
        doubted = shares.get(other, 0.0) >= _CANDIDATE_FLOOR
        if theirs > own if doubted else theirs >= 2 * own + 2:
            return other, share + shares.get(other, 0.0)
        if own > theirs:
            confirmed += shares.get(other, 0.0)
    return best, confirmed
