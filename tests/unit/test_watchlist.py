"""Behaviour of streams.watchlist: loading the editors' file, its error messages, lemma matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.lemmas import lemma_text
from streams.watchlist import Matcher, WatchlistError, WatchTerm, load_watchlist, match, parse_watchlist

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "watchlist.example.yaml"


def write(tmp_path: Path, text: str, name: str = "watchlist.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- loading -----------------------------------------------------------------------------------


def test_example_file_loads() -> None:
    terms = load_watchlist(EXAMPLE)
    assert WatchTerm("Władywostok") in terms
    assert WatchTerm("Korea Północna", language="pl") in terms
    assert WatchTerm("elektrownia jądrowa", language="pl", min_count=3, k=3.0) in terms
    assert len({t.term for t in terms}) == len(terms)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "yaml",
            "terms:\n  - Rosja\n  - term: '  North   Korea '\n"
            "    language: EN-gb\n    min_count: 3\n    k: 2\n",
            [WatchTerm("Rosja"), WatchTerm("North Korea", language="en", min_count=3, k=2.0)],
        ),
        ("yaml, bare list", "- Rosja\n- term: Ukraina\n", [WatchTerm("Rosja"), WatchTerm("Ukraina")]),
        ("yaml, quoted 'no'", "terms:\n  - term: Oslo\n    language: 'no'\n", [WatchTerm("Oslo", "no")]),
        ("yaml, empty file", "", []),
        ("yaml, comments only", "# nothing watched yet\n", []),
        ("yaml, empty list", "terms: []\n", []),
        ("yaml, no entries", "terms:\n", []),
    ],
)
def test_valid_files(tmp_path: Path, name: str, text: str, expected: list[WatchTerm]) -> None:
    assert load_watchlist(write(tmp_path, text)) == expected, name


def test_json_file(tmp_path: Path) -> None:
    document = {"terms": ["Rosja", {"term": "Korea Północna", "language": "pl", "min_count": 4}]}
    path = write(tmp_path, json.dumps(document, ensure_ascii=False), "watchlist.json")
    assert load_watchlist(path) == [WatchTerm("Rosja"), WatchTerm("Korea Północna", "pl", 4)]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # Each message names the entry and what to write instead.
        ("terms:\n  - Rosja\n  - language: pl\n", ["entry 2", "add `term: <keyword>`"]),
        ("terms:\n  - Rosja\n  - 2024\n", ["entry 2", "got 2024", "quote it"]),
        ("terms:\n  - no\n", ["entry 1", "got False", "quote it"]),
        ("terms:\n  - term: Oslo\n    language: no\n", ["entry 1 ('Oslo')", "got False", "quote it"]),
        ("terms:\n  - term: Rosja\n    language: polish\n", ["entry 1 ('Rosja')", "such as pl"]),
        ("terms:\n  - term: Rosja\n    min_count: 0\n", ["entry 1", "min_count must be a whole number >= 1"]),
        ("terms:\n  - term: Rosja\n    min_count: '5'\n", ["entry 1", "got '5'", "min_count: 3"]),
        ("terms:\n  - term: Rosja\n    min_count: 2.5\n", ["got 2.5"]),
        ("terms:\n  - term: Rosja\n    k: -1\n", ["k must be a number > 0", "k: 3.5"]),
        ("terms:\n  - term: Rosja\n    k: high\n", ["got 'high'"]),
        (
            "terms:\n  - term: Rosja\n    min-count: 3\n",
            ["unknown key(s) min-count", "term, language, min_count, k"],
        ),
        ("terms:\n  - '—'\n", ["no letters or digits"]),
        (
            "terms:\n  - Rosja\n  - Ukraina\n  - term: ROSJA\n    language: pl\n",
            ["entry 3", "repeats entry 1"],
        ),
        ("watch:\n  - Rosja\n", ["unknown top-level key(s) watch", "under `terms:`"]),
        ("terms: Rosja\n", ["expected a list of terms", "- term:"]),
        ("terms:\n  - term: [Rosja\n", ["not valid YAML", "line"]),
    ],
)
def test_bad_entries_explain_the_fix(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(WatchlistError, match="cannot read"):
        load_watchlist(missing)
    broken = write(tmp_path, '{"terms": ["Rosja",]}', "watchlist.json")
    with pytest.raises(WatchlistError, match=r"not valid JSON \(line 1\)"):
        load_watchlist(broken)


def test_parse_names_its_source() -> None:
    with pytest.raises(WatchlistError, match=r"^settings: entry 1: "):
        parse_watchlist([{"term": None}], "settings")


# --- matching ----------------------------------------------------------------------------------

TERMS = [
    WatchTerm("Władywostok"),
    WatchTerm("Korea Północna", language="pl"),
    WatchTerm("Stany Zjednoczone", language="pl"),
    WatchTerm("Rosja", language="pl"),
    WatchTerm("elektrownia jądrowa", language="pl"),
    WatchTerm("North Korea", language="en"),
    WatchTerm("house prices", language="en"),
]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Władze Korei Północnej milczą.", "pl", {"Korea Północna"}),
        ("Sankcje wobec Rosji przedłużono.", "pl", {"Rosja"}),
        ("Spotkanie we Władywostoku z udziałem Rosji.", "pl", {"Władywostok", "Rosja"}),
        ("Ambasador Stanów Zjednoczonych przyjechał.", "pl", {"Stany Zjednoczone"}),
        ("Budowa elektrowni jądrowej opóźniona.", "pl", {"elektrownia jądrowa"}),
        ("Elektrownia jądrowa powstanie nad morzem.", "pl", {"elektrownia jądrowa"}),
        ("Korea Południowa i Północna rozmawiają.", "pl", set()),  # not the phrase, in order
        ("Rosyjskie wojska.", "pl", set()),  # another lemma ("rosyjski")
        ("Władze Korei Północnej milczą.", "pl-PL", {"Korea Północna"}),
        ("North Korean officials in Vladivostok.", "en", set()),  # "korean" is not "korea"
        ("North Korea fired a missile; Władywostok on alert.", "en", {"North Korea", "Władywostok"}),
        ("Rising house prices.", "en", {"house prices"}),
        ("Korea Północna", "en", set()),  # a Polish-only term in an English article
        ("North Korea", "pl", set()),  # and the other way round
    ],
)
def test_match_on_lemmas(text: str, lang: str, expected: set[str]) -> None:
    assert match(TERMS, lemma_text(text, lang), lang, lemma_text) == expected


def test_terms_are_lemmatised_once_per_language() -> None:
    calls: list[tuple[str, str]] = []

    def lemmatise(text: str, lang: str) -> str:
        calls.append((text, lang))
        return text.lower()

    terms = [WatchTerm(f"term{i} x", language="en" if i % 2 else None) for i in range(300)]
    matcher = Matcher(terms, lemmatise)
    article = " ".join(f"w{i}" for i in range(2000)) + " term7 x term8 x term9"
    for _ in range(50):
        assert matcher.match(article, "en") == {"term7 x", "term8 x"}
        assert matcher.match(article, "pl") == {"term8 x"}  # term7 is English-only
    assert len(calls) == 300 + 150  # every term for English, the unrestricted half for Polish


def test_empty_watchlist_and_texts() -> None:
    assert match([], "rosja", "pl", lemma_text) == set()
    assert match(TERMS, "", "pl", lemma_text) == set()
