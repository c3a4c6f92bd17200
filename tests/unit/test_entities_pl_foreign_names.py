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


SYLLABIC_ARTICLES = [
    (
        "W czwartek przywódca Korei Północnej Kim Dzong Un spotkał się z delegacją z Pekinu. "
        "Rozmowy z Kim Dzong Unem trwały dwie godziny.",
        "Kim Dzong Un",
    ),
    (
        "Były prezydent Mun Dze In odwiedził w piątek Seul. W przemówieniu Mun Dze In mówił o zjednoczeniu.",
        "Mun Dze In",
    ),
    ("Prezydent Jun Suk Jeol przyleciał do Tokio na rozmowy o handlu.", "Jun Suk Jeol"),
]


@pytest.mark.parametrize(("text", "expected"), SYLLABIC_ARTICLES)
def test_an_east_asian_name_in_polish_transcription_is_one_person(text: str, expected: str) -> None:
    found = extract(text, "pl")
    people = [e for e in found if e.label == "PER"]
    assert [e.name for e in people] == [expected]
    # No fragment of it under another label ("Kto Dzong Un": "Kim" is also a form of "kto").
    assert not [e for e in found if e.label != "PER" and set(e.name.split()) & set(expected.split())]


PLACE_AFTER_TITLE_ARTICLES = [
    ("Burmistrz Nowego Jorku ogłosił w poniedziałek plan walki ze smogiem.", "Nowy Jork"),
    ("Gubernator Nowego Meksyku podpisał ustawę o wodzie.", "Nowy Meksyk"),
    ("Wiceburmistrz Starego Sącza otworzył nowy most na Popradzie.", "Stary Sącz"),
]


@pytest.mark.parametrize(("text", "place"), PLACE_AFTER_TITLE_ARTICLES)
def test_an_office_before_a_place_makes_no_person_of_the_place(text: str, place: str) -> None:
    found = {(e.label, e.name) for e in extract(text, "pl")}
    assert ("LOC", place) in found
    assert not {name for label, name in found if label == "PER"}


STATE_ARTICLES = [
    (
        "Premier spotkał się z władzami Republiki Czeskiej w Pradze. Republika Czeska zwiększa "
        "wydatki na obronność.",
        "Republika Czeska",
    ),
    ("Delegacja Królestwa Niderlandów przyjechała w środę do Krakowa.", "Królestwo Niderlandów"),
]


@pytest.mark.parametrize(("text", "state"), STATE_ARTICLES)
def test_a_state_named_by_its_form_of_government_is_a_place(text: str, state: str) -> None:
    found = extract(text, "pl")
    assert [e.name for e in found if e.label == "LOC" and e.name == state] == [state]
    assert not [e for e in found if e.label == "PER"]  # not "Czeska", a surname too


MEDIA_ARTICLES = [
    (
        "pl",
        "Dziennik „New York Times” opisał w niedzielę kulisy negocjacji. Według „New York Timesa” "
        "porozumienie jest bliskie, a Biały Dom nie skomentował doniesień.",
        "New York Times",
        {"Nowy Jork", "Times", "Timesa", "Newy York"},
    ),
    (
        "pl",
        "Redakcja „Gazety Wyborczej” opublikowała w poniedziałek list otwarty. Autorzy listu "
        "przypomnieli, że „Gazeta Wyborcza” wychodzi od 1989 roku.",
        "Gazeta Wyborcza",
        {"Gazety Wyborczej"},
    ),
    (
        "en",
        'The newspaper "Berliner Zeitung" reported the talks on Sunday, and "Berliner Zeitung" '
        "later published the full letter.",
        "Berliner Zeitung",
        set(),
    ),
]


@pytest.mark.parametrize(("lang", "text", "title", "fragments"), MEDIA_ARTICLES)
def test_a_quoted_media_title_is_one_organisation(
    lang: str, text: str, title: str, fragments: set[str]
) -> None:
    found = extract(text, lang)
    (media,) = [e for e in found if e.name == title]
    assert media.label == "ORG" and media.count == 2
    assert not {e.name for e in found} & fragments  # no city, no person "Times"


def test_a_known_name_opening_a_sentence_keeps_its_first_word() -> None:
    text = "Stany Zjednoczone nałożyły w piątek cła na stal. Zjednoczone Emiraty Arabskie kupiły samoloty."
    places = {e.name for e in extract(text, "pl") if e.label == "LOC"}
    assert places == {"Stany Zjednoczone", "Zjednoczone Emiraty Arabskie"}  # not "Emiraty Arabskie"


def test_a_place_named_again_by_its_head_word_is_the_same_place() -> None:
    text = (
        "Korea Północna wystrzeliła w nocy rakietę balistyczną. Według ekspertów Korea od "
        "miesięcy przygotowywała ten test."
    )
    (korea,) = [e for e in extract(text, "pl") if "Korea" in e.name]
    assert korea.name == "Korea Północna" and korea.count == 2


def test_a_head_word_two_places_share_stays_on_its_own() -> None:
    text = "Korea Północna i Korea Południowa wznowiły rozmowy. Korea była podzielona od 1948 roku."
    names = sorted(e.name for e in extract(text, "pl") if e.label == "LOC")
    assert names == ["Korea", "Korea Południowa", "Korea Północna"]
