"""What `newsflow search` asks Elasticsearch for: lemmas, filters, duplicates hidden, newest first."""

from __future__ import annotations

import json

import pytest

from streams.search import Query, build, parse_duration, query_lemmas


def test_query_is_lemmatised_so_inflected_forms_match() -> None:
    assert query_lemmas("Rosji", "pl") == ["rosja"]
    body = json.dumps(build(Query("Rosji", lang="pl")), ensure_ascii=False)
    assert '"query": "rosja"' in body and "lemmas.text" in body


def test_short_query_without_language_is_tried_in_polish_and_english() -> None:
    assert "rosja" in " ".join(query_lemmas("Rosją", None))


def test_filters_and_duplicates() -> None:
    body = build(Query("sztorm", lang="pl", source="gazeta.pl", since="7d", entity="Władimir Putin", limit=5))
    filters = json.dumps(body["query"]["bool"]["filter"], ensure_ascii=False)
    assert '"language": "pl"' in filters and "gazeta.pl" in filters and "now-604800s" in filters
    assert "Władimir Putin" in filters
    assert body["query"]["bool"]["must_not"] == [{"term": {"dedup.is_duplicate": True}}]
    assert body["size"] == 5
    assert list(body["sort"][0]) == ["published_at"]
    assert build(Query("x", include_duplicates=True))["query"]["bool"]["must_not"] == []


@pytest.mark.parametrize(
    ("value", "seconds"), [("30s", 30), ("15m", 900), ("24h", 86400), ("7d", 604800), ("2w", 1209600)]
)
def test_durations(value: str, seconds: int) -> None:
    assert parse_duration(value) == seconds


def test_bad_duration_says_the_accepted_form() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 24h or 7d"):
        parse_duration("yesterday")
