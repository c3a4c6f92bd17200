"""Identify the language of an article (ISO 639-1) with langdetect, deterministically, at bounded cost."""

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import add, itemgetter
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
# threshold: two trials that agree settle clear text at under a third of langdetect's default
# cost (7 trials); disputed text continues to 7, then to 21, so that probabilities near the
# threshold rest on enough trials. Measured against stages of (3, 7, 21) and (3, 7): as
# accurate as the first, more than the second, and a quarter faster.
_TRIAL_STAGES = (2, 7, 21)
_BATCH = 10  # updates between two convergence tests; _trial spells the ten factors out
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

    "und" comes with probability 0.0 when that prefix has fewer than ``min_chars`` letters, or
    when a third of its letters or more are in a script langdetect has no profile for; and with
    the best probability when no language reaches ``threshold``.

    Beyond langdetect's n-gram model, two rules settle what the model is known to get wrong:
    - mixed scripts: when at least a quarter of the letters are non-Latin, the Latin runs are
      left out (langdetect's own cut-off is two thirds), so an Urdu page is not called English
      because of its English menu;
    - close pairs (ca/es, bg/mk, bg/ru, cs/sk, hr/sl, da/no, zh/ko): when the model picks one
      of a pair, letters and function words found in only one of the two can overturn it.

    ``hint`` is a declared language such as "pl", "en-GB" or "PL"; unknown tags are ignored. A
    valid hint breaks ties and never outvotes the text. It is the answer, with probability 0.0,
    when the text cannot be detected (too short, or in a script without a profile), and the
    answer, with the model's probability for it, when no language reaches ``threshold`` but the
    model lists the hint as a candidate. (Preferring a candidate hint over a confident answer
    was measured and rejected: wrong hints, such as "en" on Urdu pages with English menus, cost
    far more than right ones gained.)
    """
    declared = _hint_code(hint)
    fallback = Detection(declared or UND, 0.0)
    # Slice before joining, so that a long title or body is never copied whole.
    prefix = f"{title[:max_chars]}\n{text[:max_chars]}"[:max_chars] if title else text[:max_chars]
    classes = prefix.translate(_LETTER_CLASSES)
    latin, non_latin, unknown = classes.count("L"), classes.count("N"), classes.count("U")
    # A script no profile covers (Armenian, Georgian) would otherwise be read through the few of
    # its letters that slipped into some profile, and called Estonian with confidence.
    if latin + non_latin < min_chars or 2 * unknown >= latin + non_latin:
        return fallback
    body = _without_minority_latin(prefix, latin, non_latin, min_chars)
    rows = _rows(body)
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


class _LetterClasses(dict[int, str]):
    """A str.translate table: "L" for a Latin letter, "N" for another letter langdetect's
    profiles know, "U" for a letter they do not, "" for anything else. A mark written as part of
    a letter (Indic vowel signs, which Unicode does not call letters) is a letter here."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        kind = ""
        if char.isalpha() or unicodedata.category(char).startswith("M"):
            if _LATIN_LETTER.match(char):
                kind = "L"
            elif NGram.normalize(char) in _model().word_probs:
                kind = "N"
            else:
                kind = "U"
        self[codepoint] = kind
        return kind


_LETTER_CLASSES = _LetterClasses()


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


def _words(text: str) -> list[str]:
    """The normalised words langdetect reads in ``text``: Detector.append and cleaning_text of
    langdetect 1.0.9 restated as whole-string operations (its per-character loop costs more than
    the detection). Every word but the last was followed by a space."""
    # Both patterns are slow to fail; their fixed parts are quick to look for.
    if "http" in text:
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", NGram.normalize_vi(text))
    # langdetect drops ASCII letters when other characters outnumber them two to one; it counts
    # every character from U+0300 up (its exemption for Latin Extended Additional never matches).
    above = sum(map(len, _FROM_U0300.findall(text)))
    if above and 2 * len(text.encode("ascii", "ignore").translate(None, _NOT_A_TO_Z)) < above:
        text = _A_TO_Z.sub("", text)
    return text.translate(_NORMALISE).split(" ")


class _UpperFlags(dict[int, str]):
    """A str.translate table: "1" for an uppercase character, "0" for any other."""

    def __missing__(self, codepoint: int) -> str:
        flag = "1" if chr(codepoint).isupper() else "0"
        self[codepoint] = flag
        return flag


_UPPER_FLAGS = _UpperFlags()
_CAPITAL_RUN = re.compile("1{2,}")


def _rows_by_word(words: Sequence[str], *, last_spaced: bool = True) -> list[tuple[list[float], ...]]:
    """For each non-empty word, the profile rows (P(n-gram | language), a column a language)
    of the n-grams langdetect takes from it: unigrams, then bigrams, then trigrams (langdetect
    interleaves them by position; trials draw at random, so the order does not matter)."""
    get = _model().word_probs.get
    # langdetect reads each word padded with the space before it and, unless the text ends
    # there, the space after it. One string of single-space-separated words has the same
    # windows, plus trigrams spanning two words; those have a space in the middle, and no
    # profile has such a trigram (nor the lone space), so the lookup drops them.
    joined = " " + " ".join(words) + (" " if last_spaced else "")
    # Index i of each list is about the window ending at joined[i + 1].
    unigrams = joined[1:]
    bigrams = list(map(add, joined, unigrams))
    rows = [
        list(map(get, unigrams)),
        list(map(get, bigrams)),
        [None, *map(get, map(add, bigrams, joined[2:]))],
    ]
    flags = joined.translate(_UPPER_FLAGS)
    if "11" in flags:
        # langdetect takes nothing at a position inside a run of capitals (acronyms, shouting).
        for run in _CAPITAL_RUN.finditer(flags):
            inside = slice(run.start(), run.end() - 1)
            for kind in rows:
                kind[inside] = [None] * (inside.stop - inside.start)
    one, two, three = rows
    out = []
    start = 0
    for word in words:
        end = start + len(word) + 1  # through the space after the word
        out.append(tuple(filter(None, one[start:end] + two[start:end] + three[start:end])))
        start = end
    return out


# News repeats its words, so each word's profile rows are looked up once and kept (a word's rows
# do not depend on its neighbours). Rows are the profiles' own lists: a full cache is ~10 MB.
_WORD_ROWS_LIMIT = 1 << 15
_word_rows: dict[str, tuple[list[float], ...]] = {}


def _rows(text: str) -> list[list[float]]:
    """The profile rows of ``text``'s n-grams, as langdetect would take them."""
    global _word_rows
    cache = _word_rows
    *spaced, last = _words(text)
    spaced = [w for w in spaced if w]
    missing = [w for w in dict.fromkeys(spaced) if w not in cache]
    if missing:
        if len(cache) + len(missing) > _WORD_ROWS_LIMIT:
            # A fresh table rather than clear(): a thread still reading the old one is unharmed.
            cache = _word_rows = {}
            missing = list(dict.fromkeys(spaced))
        cache.update(zip(missing, _rows_by_word(missing), strict=True))
    rows = list(chain.from_iterable(map(cache.__getitem__, spaced)))
    if last:
        rows.extend(_rows_by_word([last], last_spaced=False)[0])
    return rows


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

    langdetect normalises and tests for convergence after every fifth update; here after every
    tenth, and the ten updates in between are one product per language. Running a few updates
    past convergence changes nothing but the last digits; the saving is what makes a long duel
    between two close languages (da/no, es/ca) affordable.
    """
    alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
    w = alpha / Detector.BASE_FREQ
    draw = rng.choices
    columns = list(range(width))
    gather: Callable[[list[float]], Sequence[float]] | None = None
    prob = [1.0 / width] * width
    for _ in range(Detector.ITERATION_LIMIT // _BATCH):
        drawn = draw(rows, k=_BATCH)
        r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 = drawn if gather is None else map(gather, drawn)
        prob = [
            p
            * ((w + x0) * (w + x1) * (w + x2) * (w + x3) * (w + x4))
            * ((w + x5) * (w + x6) * (w + x7) * (w + x8) * (w + x9))
            # strict=True costs more than the arithmetic on a short row.
            for p, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 in zip(
                prob, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, strict=False
            )
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
    ("bg", "[щъюяйь]", "mk", "[ѓѕјљњќџ]"),
    # Bulgarian writes ъ as a vowel; Russian only as a separator before е, ё, ю, я.
    ("bg", "ъ(?![еёюя])", "ru", "[ыэё]"),
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

    Overturning the model takes a clear majority of markers, at least twice the other side's
    count plus two, so that a stray name or loanword cannot (a plain majority overturned right
    answers in the measurements). Markers that side with a language of the pair make the
    model's share for the other one evidence for it too, so the answer carries the pair's
    combined probability; confirming the model's own pick only takes a plain majority.
    """
    best, share = ranked[0]
    shares = dict(ranked)
    confirmed = share
    for other, own_markers, other_markers in _partners().get(best, ()):
        own = len(own_markers.findall(text))
        theirs = len(other_markers.findall(text))
        if theirs >= 2 * own + 2:
            return other, min(1.0, share + shares.get(other, 0.0))
        if own > theirs:
            confirmed += shares.get(other, 0.0)
    return best, min(1.0, confirmed)  # shares sum to 1 only up to rounding
