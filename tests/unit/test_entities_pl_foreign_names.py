"""Foreign people's names in Polish news, declined as Polish declines them (issue 16's classes):
the apostrophe before a case ending, and k/g softened before it. Fresh articles written here."""

from __future__ import annotations

import pytest

from streams.entities import extract

APOSTROPHE_ARTICLES = [
    (
        "Doradca do spraw bezpieczeństwa narodowego Jake Sullivan przyleciał w środę do Rzeszowa. "
        "Słowa Jake'a Sullivana o dostawach amunicji komentowali w czwartek posłowie.",
        {"Jake Sullivan"},
    ),
    (
        "Lider republikanów Mike Johnson zapowiedział głosowanie nad pakietem pomocy. "
        "Wniosek Mike'a Johnsona poparło ponad dwustu kongresmenów.",
        {"Mike Johnson"},
    ),
    (
        "Były prezydent Joe Biden odwiedził w sobotę Gdańsk. Wizyta Joe'go Bidena była "
        "zapowiadana od tygodni, a spotkanie z Joe'm Bidenem trwało godzinę.",
        {"Joe Biden"},
    ),
    (
        "Aktor Steve Carell przyjechał na festiwal do Gdyni. Ze Steve'em Carellem rozmawiali "
        "dziennikarze, a Steve'owi Carellowi wręczono nagrodę publiczności.",
        {"Steve Carell"},
    ),
]

SOFTENED_ARTICLES = [
    (
        "Premier Indii spotkał się w Pekinie z Xi Jinpingiem. Rozmowy z Xi Jinpingiem dotyczyły "
        "handlu i granicy w Himalajach.",
        {"Xi Jinping"},
    ),
    (
        "Burmistrz Londynu rozmawiał z Michaelem Bloombergiem o finansowaniu transportu. "
        "Z Bloombergiem spotkał się też minister infrastruktury.",
        {"Michael Bloomberg"},
    ),
]


def _people(text: str) -> set[str]:
    return {e.name for e in extract(text, "pl") if e.label == "PER"}


@pytest.mark.parametrize(("text", "expected"), APOSTROPHE_ARTICLES + SOFTENED_ARTICLES)
def test_each_person_is_found_once_in_the_nominative(text: str, expected: set[str]) -> None:
    people = _people(text)
    assert expected <= people
    # No second entity from an inflected form ("Jake'a Sullivana", "Mike' Johnson", "Jinpingi").
    assert not {p for p in people - expected if any(w in p for name in expected for w in name.split())}


def test_every_inflected_form_is_a_surface_of_the_one_entity() -> None:
    text = APOSTROPHE_ARTICLES[2][0]
    (biden,) = [e for e in extract(text, "pl") if e.name == "Joe Biden"]
    assert {"Joe Biden", "Joe'go Bidena", "Joe'm Bidenem"} <= set(biden.surface_forms)
    assert biden.count == 3
