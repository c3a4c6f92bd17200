"""Each named rule of the entity decision chain (streams.entities.classify.RULES) on a sentence of
its own: the candidate, the label and the rule that decided it, as `--explain` reports them."""

from __future__ import annotations

import pytest

from newsflow_tools.quality import ner
from streams.entities import extract
from streams.entities.classify import RULES, explaining

# (language, sentence, candidate words, label, rule): the first candidate with those words.
CASES: list[tuple[str, str, str, str | None, str]] = [
    ("en", "The storm, hurricane Marta, hit the coast.", "Marta", None, "event cue"),
    (
        "en",
        "Doctors said the AI-generated report was wrong.",
        "AI-generated",
        None,
        "hyphenated ordinary word",
    ),
    ("pl", "Remont objął ul. Kwiatową w centrum.", "Kwiatową", "LOC", "street cue"),
    ("pl", "Posłowie rozmawiali o Unii Europejskiej w piątek.", "Unii Europejskiej", "ORG", "known name"),
    ("en", "Crowds gathered for the Harvest Festival in the town.", "Harvest Festival", None, "event head"),
    ("en", "He met South Korean officials in the capital.", "South Korean", None, "nationality adjective"),
    ("en", "They walked along the River to the old mill.", "River", None, "head noun alone"),
    ("en", "He studied at the University of Leeds for years.", "University of Leeds", "ORG", "head noun"),
    ("pl", "Na stadionie kibicowali Portugalczycy z całego kraju.", "Portugalczycy", None, "nationality"),
    ("pl", "Sondaż przygotował CBOS w lutym.", "CBOS", "ORG", "known organisation"),
    ("en", "Then the session opened at II and closed at noon.", "II", None, "letter, numeral or office"),
    ("de", "Wir fahren im Sommer nach Hause.", "Sommer", None, "noun after a determiner"),
    ("en", "Flights from the UK were cancelled.", "UK", "LOC", "acronym of a place"),
    ("pl", "Odpowiedź brzmiała TAK i nic więcej.", "TAK", None, "acronym that is a word"),
    ("en", "The deal was signed by XQZV last week.", "XQZV", "ORG", "acronym"),
    ("pl", "Minister Nowak odpowiedział na pytania.", "Nowak", "PER", "person cue"),
    ("pl", "Wyniki podała firma Grzmotex.", "Grzmotex", "ORG", "organisation cue"),
    ("pl", "Mieszkańcy miasta Grzmotowo protestowali.", "Grzmotowo", "LOC", "place cue"),
    ("en", "The bill, the Bill of rights, passed.", "Bill", None, "article before a first name"),
    ("pl", "Wczoraj rano Andrzej przyszedł późno.", "Andrzej", "PER", "first name"),
    ("pl", "Rano w Waszyngtonie padało.", "Waszyngtonie", "LOC", "place or name"),
    ("pl", "Ludzie przyjechali z Rosji wczoraj.", "Rosji", "LOC", "place"),
    ("pl", "Wczoraj Kowalski przyszedł późno.", "Kowalski", "PER", "surname"),
    ("pl", "Potem Harmonogram został zmieniony.", "Harmonogram", None, "ordinary word"),
    (
        "en",
        "The fair took place in Quarringville last year.",
        "Quarringville",
        "LOC",
        "place preposition or suffix",
    ),
    ("en", "Fans of the Wombleys cheered loudly.", "Wombleys", "ORG", "article: a body"),
    ("pl", "Wczoraj Zgrzybyłłowski przyszedł późno.", "Zgrzybyłłowski", "PER", "unknown word"),
    ("pl", "Mecz wygrał MKS Wisła Puławy wczoraj.", "MKS Wisła Puławy", "ORG", "acronym first"),
    ("pl", "Rozmowę z Mun Dze Inem opisano.", "Mun Dze Inem", "PER", "syllabic name"),
    (
        "en",
        "Yesterday Google Cloud Europe opened an office.",
        "Google Cloud Europe",
        "ORG",
        "has an organisation",
    ),
    ("pl", "Mieszkańcy Nowego Jorku protestowali.", "Nowego Jorku", "LOC", "adjectives before a place"),
    ("pl", "Prezydent Adam Nowak przemawiał.", "Adam Nowak", "PER", "person cue, several words"),
    ("pl", "Wczoraj Adam Nowak przemawiał.", "Adam Nowak", "PER", "first name and more"),
    ("en", "They travelled to East Germany in 1980.", "East Germany", "LOC", "places and adjectives"),
    ("en", "The tribes of West Africa met.", "West Africa", "LOC", "place modifier"),
    ("pl", "Posiedzenie Spraw Zagranicznych przełożono.", "Spraw Zagranicznych", None, "ordinary words"),
    ("en", "Yesterday the Veldt Korean people protested.", "Veldt Korean", None, "nationality phrase"),
    (
        "pl",
        "Zarząd firmy Grzmotex Plus podał wyniki.",
        "Grzmotex Plus",
        "ORG",
        "organisation cue, several words",
    ),
    (
        "pl",
        "Mieszkańcy miasta Grzmotowo Dolne protestowali.",
        "Grzmotowo Dolne",
        "LOC",
        "place cue, several words",
    ),
    ("en", "The team from San Marco won.", "San Marco", "LOC", "saint"),
    ("de", "Gestern sprach Quorx Blenheim lange.", "Quorx Blenheim", None, "no guessing"),
    ("en", "Yesterday Zorblax Quentin spoke.", "Zorblax Quentin", "PER", "surname last"),
    (
        "en",
        "Yesterday Zorblax Quantum Dynamics launched.",
        "Zorblax Quantum Dynamics",
        "ORG",
        "unknown words: a body",
    ),
    (
        "pl",
        "Redakcja dziennika „Gazeta Poranna” podała dane.",
        "Gazeta Poranna",
        "ORG",
        "quoted title after a media cue",
    ),
    (
        "pl",
        "Redakcja dziennika „Gazeta Poranna” podała, że „Gazety Porannej” nikt nie czyta.",
        "Gazety Porannej",
        "ORG",
        "quoted title seen after a cue",
    ),
]


def decisions(text: str, lang: str) -> dict[str, tuple[str | None, str]]:
    with explaining() as trace:
        extract(text, lang)
    out: dict[str, tuple[str | None, str]] = {}
    for words, decision in trace:
        out.setdefault(" ".join(words), (decision.label, decision.rule))
    return out


@pytest.mark.parametrize(("lang", "text", "candidate", "label", "rule"), CASES, ids=[c[4] for c in CASES])
def test_each_rule_decides_its_own_case(
    lang: str, text: str, candidate: str, label: str | None, rule: str
) -> None:
    found = decisions(text, lang)
    assert found.get(candidate) == (label, rule), found


def test_every_rule_has_a_case_and_a_name_of_its_own() -> None:
    names = [rule.name for group in RULES.values() for rule in group]
    assert len(names) == len(set(names))
    covered = {c[4] for c in CASES}
    assert set(names) - covered == set()


def test_the_last_rule_of_each_chain_always_holds() -> None:
    # classify() takes the last rule when no other holds: it must be a catch-all.
    for group in ("single", "multi"):
        assert RULES[group][-1].when(None) is True  # type: ignore[arg-type]


def test_explain_prints_each_candidate_with_its_rule_then_the_entities() -> None:
    out = ner.explain("Wczoraj Adam Nowak przyjechał z Rosji.", "pl")
    assert "'Adam Nowak'" in out and "rule: first name and more" in out
    assert "rule: place" in out
    assert "PER  'Adam Nowak'" in out and "LOC  'Rosja'" in out


def test_explain_sees_decisions_that_earlier_calls_cached() -> None:
    text = "Wczoraj Kowalski przyszedł późno do pracy."
    extract(text, "pl")
    assert decisions(text, "pl")["Kowalski"] == ("PER", "surname")


def test_polish_street_abbreviations_cue_no_street_in_spanish() -> None:
    # "al" is Polish "aleja" and Spanish "a el": only the Polish profile has street cues.
    assert decisions("Wypadek na al. Grzmotowskiej wczoraj.", "pl")["Grzmotowskiej"][1] == "street cue"
    assert decisions("Ayer el público aplaudió al Quintanilla.", "es")["Quintanilla"][1] != "street cue"
