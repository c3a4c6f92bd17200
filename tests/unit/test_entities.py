"""Entity extraction: labels, canonical (nominative) names, spans, counts and linking."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsflow_tools.quality import ner
from streams.entities import Entity, EntityBackend, Mention, extract, set_backend, warm_up


def _found(text: str, lang: str) -> set[tuple[str, str]]:
    return {(e.label, e.name) for e in extract(text, lang)}


def _entity(text: str, lang: str, name: str) -> Entity:
    matches = [e for e in extract(text, lang) if e.name == name]
    assert len(matches) == 1, (name, extract(text, lang))
    return matches[0]


POLISH_CASES = [
    # Inflected forms resolve to the nominative, with the right label.
    ("Rozmowy z Rosją trwają od tygodnia.", "LOC", "Rosja", "Rosją"),
    ("Sankcje wobec Rosji przedłużono.", "LOC", "Rosja", "Rosji"),
    ("Spotkanie Władimira Putina z dziennikarzami odwołano.", "PER", "Władimir Putin", "Władimira Putina"),
    ("Ambasador Stanów Zjednoczonych przyjechał.", "LOC", "Stany Zjednoczone", "Stanów Zjednoczonych"),
    ("Trwają wybory w Stanach Zjednoczonych.", "LOC", "Stany Zjednoczone", "Stanach Zjednoczonych"),
    ("W Stanach Zjednoczonych trwają wybory.", "LOC", "Stany Zjednoczone", "Stanach Zjednoczonych"),
    ("Władze Korei Północnej milczą.", "LOC", "Korea Północna", "Korei Północnej"),
    ("Mieszkańcy Krakowa protestowali.", "LOC", "Kraków", "Krakowa"),
    # A foreign first name SGJP lacks, after a body's acronym ("NATO Mark Rutte" was one ORG).
    ("Szef NATO Mark Rutte przyleciał do Warszawy.", "PER", "Mark Rutte", "Mark Rutte"),
    (
        "Ćwiczenia Floty Oceanu Spokojnego trwają.",
        "ORG",
        "Flota Oceanu Spokojnego",
        "Floty Oceanu Spokojnego",
    ),
    # "Krakowie" is also the locative of the legendary Krak, a first name to SGJP.
    ("Schrony powstaną w Warszawie, Krakowie i Gdańsku.", "LOC", "Kraków", "Krakowie"),
    ("Wizyta w Niemczech była udana.", "LOC", "Niemcy", "Niemczech"),
    ("Rozmawiano o Wielkiej Brytanii.", "LOC", "Wielka Brytania", "Wielkiej Brytanii"),
    (
        "Decyzję Komisji Europejskiej skrytykował minister.",
        "ORG",
        "Komisja Europejska",
        "Komisji Europejskiej",
    ),
    (
        "Premier spotkał się z przedstawicielami Unii Europejskiej.",
        "ORG",
        "Unia Europejska",
        "Unii Europejskiej",
    ),
    (
        "Decyzja Ministerstwa Spraw Zagranicznych zaskoczyła posłów.",
        "ORG",
        "Ministerstwo Spraw Zagranicznych",
        "Ministerstwa Spraw Zagranicznych",
    ),
    ("Rozmawiał z prezesem Orlenu i z Microsoftem.", "ORG", "Microsoft", "Microsoftem"),
    ("Wywiad z Anną Kowalską ukazał się wczoraj.", "PER", "Anna Kowalska", "Anną Kowalską"),
    ("Nagrodę odebrał Lech Kaczyński.", "PER", "Lech Kaczyński", "Lech Kaczyński"),
    ("Poparcie dla Lecha Kaczyńskiego spadło.", "PER", "Lech Kaczyński", "Lecha Kaczyńskiego"),
    (
        "Głos zabrał przedstawiciel Białoruskiego Frontu Narodowego.",
        "ORG",
        "Białoruski Front Narodowy",
        "Białoruskiego Frontu Narodowego",
    ),
    ("Woda zalała ul. Opatowicką.", "LOC", "Opatowicka", "Opatowicką"),
    # A body's name goes on past a word that can be an office ("Polityki": politicians).
    (
        "Członkowie Rady Polityki Pieniężnej zdecydowali.",
        "ORG",
        "Rada Polityki Pieniężnej",
        "Rady Polityki Pieniężnej",
    ),
    # The council's own noun, not the surname or first name spelled the same ("Rado").
    ("W komunikacie Rada wskazała, że inflacja spada.", "ORG", "Rada", "Rada"),
    # A nationality word before a name is no part of it.
    ("Trzeci był Austriak Lukas Pichler.", "PER", "Lukas Pichler", "Lukas Pichler"),
]


@pytest.mark.parametrize(("text", "label", "name", "surface"), POLISH_CASES)
def test_polish_names_are_nominative(text: str, label: str, name: str, surface: str) -> None:
    entity = _entity(text, "pl", name)
    assert entity.label == label
    assert entity.surface_forms == (surface,)
    ((start, end),) = entity.spans
    assert text[start:end] == surface


ENGLISH_CASES = [
    (
        "Apple Inc. hired John Smith in London.",
        {("ORG", "Apple Inc"), ("PER", "John Smith"), ("LOC", "London")},
    ),
    (
        "He studied at the University of Oxford before joining the Bank of England.",
        {("ORG", "University of Oxford"), ("ORG", "Bank of England")},
    ),
    (
        "President Joe Biden met Chancellor Olaf Scholz in Berlin on Tuesday.",
        {("PER", "Joe Biden"), ("PER", "Olaf Scholz"), ("LOC", "Berlin")},
    ),
    (
        "Mr. Smith said the band Radiohead will play in New York.",
        {("PER", "Smith"), ("ORG", "Radiohead"), ("LOC", "New York")},
    ),
    (
        "Angela Merkel visited Paris and Warsaw.",
        {("PER", "Angela Merkel"), ("LOC", "Paris"), ("LOC", "Warsaw")},
    ),
    (
        "The European Union and the United Nations criticised Russia.",
        {("ORG", "European Union"), ("ORG", "United Nations"), ("LOC", "Russia")},
    ),
    ("The village lies in Fairfax County, Virginia.", {("LOC", "Fairfax County"), ("LOC", "Virginia")}),
    # Companies news names by a bare word; with no cue they were guessed to be people.
    ("Samsung and Safeway reported higher profits.", {("ORG", "Samsung"), ("ORG", "Safeway")}),
    # A military unit's number is part of its name.
    (
        "The 65th Air Division and the 101st Airborne Division moved north.",
        {("ORG", "65th Air Division"), ("ORG", "101st Airborne Division")},
    ),
    # A profession before a name marks a person, even when the first name is an ordinary word.
    ("He was influenced by pianist Eddy Duchin.", {("PER", "Eddy Duchin")}),
    # A body's acronym does not swallow the full name after it; "AC Milan" stays one name.
    ("NATO Mark Rutte visited Warsaw.", {("ORG", "NATO"), ("PER", "Mark Rutte"), ("LOC", "Warsaw")}),
    ("Fans of AC Milan sang.", {("ORG", "AC Milan")}),
    ("Waves crossed the Atlantic.", {("LOC", "Atlantic")}),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_CASES)
def test_english_people_organisations_places(text: str, expected: set[tuple[str, str]]) -> None:
    assert _found(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "lang", "absent"),
    [
        # Sentence-initial ordinary words, titles, months and nationality words are no names.
        ("Według CBOS poparcie spadło.", "pl", "Według"),
        ("Premier podkreślił, że rozmowy trwają.", "pl", "Premier"),
        ("W sobotę 29 Września zaczną się rozgrywki.", "pl", "Września"),
        ("Polaków przybywa.", "pl", "Polaków"),
        # An ordinary word spelled like a big city's inflected form stays ordinary ("Tych": Tychy).
        ("Tych ludzi nie było na sali.", "pl", "Tych"),
        ("The band returned to Japanese stages.", "en", "Japanese"),
        ("Returning starters include six players.", "en", "Returning"),
        ("He joined the company as President in March.", "en", "President"),
        ("Strikes are planned before Christmas in Rotterdam.", "en", "Christmas"),
        # An editor's or photographer's credit: the credit word is no name, the person is.
        ("Rozmowy trwają. Oprac. Magdalena Sowa", "pl", "Oprac"),
        ("Sklepy będą zamknięte w Boże Narodzenie.", "pl", "Boże Narodzenie"),
        # German capitalises every noun, and a sentence-opening preposition looks like a name.
        ("Die Flut kam schnell. In Hamburg stieg das Wasser.", "de", "In Hamburg"),
        ("Sie fuhren los. An Bord waren zwölf Fahrgäste.", "de", "An Bord"),
        ("Der Bundestag hat den Haushalt beschlossen.", "de", "Der Bundestag"),
        # Storms are events, not people, whether the storm word is capitalised or not.
        ("Storm Hollis brought flooding to Wales.", "en", "Hollis"),
        ("Forecasters said hurricane Katrina would strengthen.", "en", "Katrina"),
        ("Nad Polską przechodzi orkan Ksawery.", "pl", "Ksawery"),
        ("Data came from the James Webb Space Telescope.", "en", "James Webb Space Telescope"),
        # Compounds ending in a lower-case part and abbreviations of ordinary words.
        ("Hands-on with the new folding phones", "en", "Hands-on"),
        ("Labels for AI-generated images were agreed.", "en", "AI-generated"),
        ("He won eight fights by KO.", "en", "KO"),
        ("Japan condemned the North Korean missile launch.", "en", "North Korean"),
    ],
)
def test_non_names_are_not_entities(text: str, lang: str, absent: str) -> None:
    assert all(absent not in e.surface_forms for e in extract(text, lang))


LINKING_CASES = [
    (
        "pl",
        "Prezydent Rosji Władimir Putin spotkał się z przywódcą Korei Północnej Kim Dzong Unem. "
        "Rzecznik Kremla Dmitrij Pieskow powiedział, że Putin i Kim rozmawiali długo. "
        "Pieskowa pytano też o sankcje. Putina nie było na konferencji.",
        {
            "Władimir Putin": ("Władimir Putin", "Putin", "Putina"),
            "Kim Dzong Un": ("Kim Dzong Unem", "Kim"),
            "Dmitrij Pieskow": ("Dmitrij Pieskow", "Pieskowa"),
        },
    ),
    (
        "en",
        "Russian President Vladimir Putin met North Korean leader Kim Jong Un in Moscow. "
        "Kremlin spokesman Dmitry Peskov said Putin and Kim talked for hours. "
        "Peskov declined to give details.",
        {
            "Vladimir Putin": ("Vladimir Putin", "Putin"),
            "Kim Jong Un": ("Kim Jong Un", "Kim"),
            "Dmitry Peskov": ("Dmitry Peskov", "Peskov"),
        },
    ),
]


@pytest.mark.parametrize(("lang", "text", "people"), LINKING_CASES)
def test_short_mentions_link_to_the_full_name(
    lang: str, text: str, people: dict[str, tuple[str, ...]]
) -> None:
    entities = {e.name: e for e in extract(text, lang)}
    for name, surfaces in people.items():
        entity = entities[name]
        assert entity.label == "PER"
        assert entity.surface_forms == surfaces
        assert entity.count == len(entity.spans) >= len(surfaces)
    # No short mention is left as an entity of its own.
    assert not {"Putin", "Kim", "Peskov", "Pieskow", "Pieskowa"} & set(entities)


@pytest.mark.parametrize(
    ("lang", "text", "body", "surfaces"),
    [
        (
            "en",
            "The European Commission opened an inquiry. The Commission said it would report.",
            "European Commission",
            ("European Commission", "Commission"),
        ),
        (
            "pl",
            "Rada Polityki Pieniężnej obniżyła stopy. Posiedzenie Rady trwało dwa dni.",
            "Rada Polityki Pieniężnej",
            ("Rada Polityki Pieniężnej", "Rady"),
        ),
        # The head noun first, the full name later: a headline, then the text.
        (
            "pl",
            "Jest zgoda Komisji. Komisja Europejska zatwierdziła wypłatę.",
            "Komisja Europejska",
            ("Komisji", "Komisja Europejska"),
        ),
    ],
)
def test_a_body_named_again_by_its_head_noun_is_the_same_body(
    lang: str, text: str, body: str, surfaces: tuple[str, ...]
) -> None:
    entities = {e.name: e for e in extract(text, lang)}
    assert set(entities) == {body}
    assert entities[body].surface_forms == surfaces
    assert entities[body].count == 2


def test_a_head_noun_shared_by_two_bodies_links_to_neither() -> None:
    text = "The European Commission and the Electoral Commission met. The Commission said no."
    assert _found(text, "en") == {
        ("ORG", "European Commission"),
        ("ORG", "Electoral Commission"),
        ("ORG", "Commission"),
    }


def test_german_nouns_before_names_and_after_articles_are_no_names() -> None:
    # German capitalises every noun: a noun nothing is known of ("Schlussläuferin") is no part
    # of the name after it, and a census first name after an article is a noun ("im Sommer").
    text = (
        "Schlussläuferin Lena Hofbauer setzte sich gegen die Französin Camille Roux durch. "
        "Bundestrainer Markus Seidl sagte, die Mannschaft habe im Sommer hart gearbeitet und "
        "stehe nun auf Platz zwei."
    )
    assert _found(text, "de") == {("PER", "Lena Hofbauer"), ("PER", "Camille Roux"), ("PER", "Markus Seidl")}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # A saint's name opens a place name, even before a first name ("Marco").
        ("it", "In piazza San Marco il livello è rimasto basso.", {("LOC", "San Marco")}),
        (
            "en",
            "He flew from San Francisco to Santa Cruz.",
            {("LOC", "San Francisco"), ("LOC", "Santa Cruz")},
        ),
        # A capital or country stays a place where the language has a word spelled the same
        # ("roma"), and everyday English names of countries CLDR spells otherwise.
        ("it", "Il vertice si è tenuto a Roma.", {("LOC", "Roma")}),
        (
            "en",
            "Turkey and Britain signed a deal on the West Bank.",
            {("LOC", "Turkey"), ("LOC", "Britain"), ("LOC", "West Bank")},
        ),
        # An article before a first name alone: a system, a ship, a work, not a person.
        ("it", "Le paratoie del Mose sono state sollevate a Venezia.", {("LOC", "Venezia")}),
        # Italian and Spanish titles before a name.
        ("it", "Il premier Giorgia Meloni ha parlato a Roma.", {("PER", "Giorgia Meloni"), ("LOC", "Roma")}),
        (
            "es",
            "Madrid y Barcelona firmaron con el presidente Pedro Sánchez.",
            {("LOC", "Madrid"), ("LOC", "Barcelona"), ("PER", "Pedro Sánchez")},
        ),
    ],
)
def test_italian_spanish_and_saints(lang: str, text: str, expected: set[tuple[str, str]]) -> None:
    assert _found(text, lang) == expected


def test_a_company_named_again_by_its_first_word_is_the_same_company() -> None:
    text = (
        "Veridian Semiconductors will build a chip plant near Dresden. "
        "Veridian said production would start in 2028, and Veridian expects 900 jobs."
    )
    entities = {e.name: e for e in extract(text, "en")}
    assert "Veridian" not in entities
    company = entities["Veridian Semiconductors"]
    assert (company.label, company.count) == ("ORG", 3)
    assert company.surface_forms == ("Veridian Semiconductors", "Veridian")


def test_spans_counts_and_order() -> None:
    text = "Rosja grozi. Sankcje wobec Rosji trwają, a z Rosją nikt nie handluje. Mołdawia czeka."
    entities = extract(text, "pl")
    assert [e.name for e in entities] == ["Rosja", "Mołdawia"]  # in order of first mention
    russia = entities[0]
    assert russia.count == 3
    assert russia.surface_forms == ("Rosja", "Rosji", "Rosją")
    assert [text[a:b] for a, b in russia.spans] == ["Rosja", "Rosji", "Rosją"]
    assert list(russia.spans) == sorted(russia.spans)


@pytest.mark.parametrize("lang", ["pl", "en", "de", "fr", "xx"])
def test_every_span_points_at_its_surface(lang: str) -> None:
    text = (
        "Jose Manuel Barroso, szef Komisji Europejskiej, spotkał się w Brukseli z Anną Fotygą. "
        "Angela Merkel visited Paris; Mr. O'Neil's company, Acme Corp., stayed in New York. "
        "Emmanuel Macron a rencontré Olaf Scholz à Berlin."
    )
    for entity in extract(text, lang):
        assert entity.count == len(entity.spans)
        for start, end in entity.spans:
            assert text[start:end] in entity.surface_forms


def test_entities_are_frozen_and_extract_is_pure() -> None:
    text = "Premier Donald Tusk rozmawiał z Olafem Scholzem w Berlinie."
    first = extract(text, "pl")
    assert first == extract(text, "pl-PL")
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].name = "x"  # type: ignore[misc]
    assert extract("", "pl") == []


def test_a_plugged_backend_is_used_and_linked() -> None:
    class Fixed:
        def mentions(self, text: str, lang: str) -> list[Mention]:
            return [
                Mention(0, 9, "PER", "Ada Lovelace"),
                Mention(14, 22, "PER", "Lovelace"),
                Mention(23, 27, "MISC", "Note"),  # type: ignore[arg-type]
            ]

        def warm_up(self, lang: str) -> None:
            pass

    backend = Fixed()
    assert isinstance(backend, EntityBackend)
    text = "Ada Lovelace met Lovelace Note"
    for entities in (extract(text, "en", backend=backend), _with_default(backend, text)):
        assert [(e.name, e.count) for e in entities] == [("Ada Lovelace", 2)]


def _with_default(backend: EntityBackend, text: str) -> list[Entity]:
    set_backend(backend)
    try:
        return extract(text, "en")
    finally:
        set_backend(None)


def test_warm_up_accepts_several_languages() -> None:
    warm_up(["pl", "en", "pl-PL"])


@pytest.mark.parametrize(("lang", "floor"), [("pl", 0.80), ("en", 0.70)])
def test_gold_data_f1_floor(lang: str, floor: float) -> None:
    path = ner.data_path(lang)
    if not path.is_file():
        pytest.skip(f"NER gold data not found at {path}")
    sentences = ner.load(Path(path))
    predictions = [{(a, b, e.label) for e in extract(s.text, lang) for a, b in e.spans} for s in sentences]
    _labels, micro, _predicted, _ignored = ner.score(sentences, predictions)
    assert micro.f1 >= floor, micro
