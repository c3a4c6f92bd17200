"""Country and region names of one locale from CLDR (via babel), loaded once per locale."""

from __future__ import annotations

from functools import lru_cache

# Supranational bodies that CLDR lists among territories but news treats as organisations.
ORGANISATION_CODES = frozenset({"EU", "UN"})


@lru_cache(maxsize=64)
def territory_names(locale: str) -> dict[str, str]:
    """Code -> name ("US" -> "Stany Zjednoczone" for "pl"); empty for a locale CLDR lacks."""
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(locale).territories)
    except (UnknownLocaleError, ValueError):
        return {}


@lru_cache(maxsize=64)
def place_names(locale: str) -> frozenset[str]:
    return frozenset(name for code, name in territory_names(locale).items() if code not in ORGANISATION_CODES)


@lru_cache(maxsize=64)
def organisation_names(locale: str) -> frozenset[str]:
    return frozenset(name for code, name in territory_names(locale).items() if code in ORGANISATION_CODES)
