"""Lemmas for search: inflected forms meet their query, output is plain lower-case words."""

from __future__ import annotations

import pytest

from streams.lemmas import lemma_text, lemmatize


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Rosja", "pl", ["rosja"]),
        ("Rosji", "pl", ["rosja"]),
        ("Rosją", "pl", ["rosja"]),
        ("Polsce", "pl", ["polska"]),  # SGJP's "Polska:Sf~i" without its homonym mark
        ("Niemczech", "pl", ["niemcy"]),
        ("Stanów Zjednoczonych", "pl", ["stany", "zjednoczyć"]),
        ("Władimira Putina", "pl", ["władimir", "putin"]),
        ("zrobiłem", "pl", ["zrobić"]),  # an agglutinated "-em" is no word of its own
        ("koty poszły", "pl", ["kot", "pójść"]),
        ("polska delegacja", "pl", ["polski", "delegacja"]),  # lower case: the adjective
        ("Xyzzyqwe", "pl", ["xyzzyqwe"]),  # unknown to the dictionary: lower-cased
        ("houses went", "en", ["house", "go"]),
        ("Die Häuser", "de", ["der", "haus"]),
        ("Ватикан и Рим", "xx", ["ватикан", "и", "рим"]),  # no lemma list: lower case only
    ],
)
def test_lemmatize(text: str, lang: str, expected: list[str]) -> None:
    assert lemmatize(text, lang) == expected


@pytest.mark.parametrize(
    ("query", "document", "lang"),
    [
        ("Rosja", "Sankcje wobec Rosji przedłużono, a z Rosją nikt nie handluje.", "pl"),
        ("Stany Zjednoczone", "Ambasador Stanów Zjednoczonych przyjechał.", "pl"),
        ("Korea Północna", "Władze Korei Północnej milczą.", "pl"),
        ("Władimir Putin", "Spotkanie Władimira Putina odwołano.", "pl"),
        ("house", "The houses were sold.", "en"),
    ],
)
def test_a_query_matches_inflected_forms(query: str, document: str, lang: str) -> None:
    assert set(lemma_text(query, lang).split()) <= set(lemma_text(document, lang).split())


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Premier podkreślił: „Polska chce pokoju”, a 2006-01-13 minęło.", "pl"),
        ("Mr. O'Neil's dogs, 3 of them, ran!", "en"),
    ],
)
def test_output_is_lower_case_words_only(text: str, lang: str) -> None:
    lemmas = lemmatize(text, lang)
    assert lemmas
    for lemma in lemmas:
        assert lemma == lemma.lower()
        assert ":" not in lemma and " " not in lemma and lemma.strip()
    assert lemma_text(text, lang) == " ".join(lemmas)


def test_deterministic_and_language_codes_normalised() -> None:
    text = "Mam nadzieję, że Polska i Niemcy podpiszą umowę."
    assert lemmatize(text, "pl") == lemmatize(text, "PL") == lemmatize(text, "pl-PL")
    assert lemma_text("", "pl") == ""


def test_polish_never_asks_simplemma(monkeypatch: pytest.MonkeyPatch) -> None:
    import simplemma

    def refuse(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("simplemma must not be used for Polish (~430 MB dictionary)")

    monkeypatch.setattr(simplemma, "lemmatize", refuse)
    assert lemmatize("Nieznanesłowo w Rosji", "pl")[-1] == "rosja"
