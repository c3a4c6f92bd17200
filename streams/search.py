"""`newsflow search`: the query an analyst means, built for Elasticsearch, and its hits rendered (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from streams import language, lemmas

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Languages whose lemmas a query is also tried in when its own language is unknown: short
# queries ("Rosja", "Putin") are too short to detect.
FALLBACK_LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Query:
    text: str
    lang: str | None = None
    source: str | None = None
    since: str | None = None
    entity: str | None = None
    limit: int = 10
    include_duplicates: bool = False


def parse_duration(value: str) -> int:
    """'7d' -> seconds; errors name the value and the accepted form."""
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"--since {value!r}: use a number and a unit s/m/h/d/w, e.g. 24h or 7d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def query_lemmas(text: str, lang: str | None) -> list[str]:
    """The query's lemma text in each language it may be in."""
    if lang:
        return [lemmas.lemma_text(text, lang)]
    detected = language.detect(text).lang
    langs = [detected] if detected != language.UND else list(FALLBACK_LANGUAGES)
    return sorted({lemmas.lemma_text(text, code) for code in langs})


def build(query: Query) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    if query.text.strip():
        should.append(
            {
                "simple_query_string": {
                    "query": query.text,
                    "fields": ["title^2", "text"],
                    "default_operator": "and",
                }
            }
        )
        for lemma_query in query_lemmas(query.text, query.lang):
            if lemma_query:
                should.append(
                    {
                        "simple_query_string": {
                            "query": lemma_query,
                            "fields": ["lemmas.title^2", "lemmas.text"],
                            "default_operator": "and",
                        }
                    }
                )
    filters: list[dict[str, Any]] = []
    if query.lang:
        filters.append({"term": {"language": query.lang}})
    if query.source:
        filters.append(
            {"bool": {"should": [{"term": {"source": query.source}}, {"term": {"domain": query.source}}]}}
        )
    if query.since:
        seconds = parse_duration(query.since)
        filters.append({"range": {"first_seen_at": {"gte": f"now-{seconds}s"}}})
    if query.entity:
        filters.append(
            {
                "multi_match": {
                    "query": query.entity,
                    "fields": ["entities.persons", "entities.organizations", "entities.locations"],
                }
            }
        )
    must_not = [] if query.include_duplicates else [{"term": {"dedup.is_duplicate": True}}]
    bool_query: dict[str, Any] = {"filter": filters, "must_not": must_not}
    if should:
        bool_query["should"] = should
        bool_query["minimum_should_match"] = 1
    return {
        "query": {"bool": bool_query},
        "size": query.limit,
        "sort": [
            {"published_at": {"order": "desc", "missing": "_last"}},
            {"first_seen_at": {"order": "desc"}},
        ],
        "highlight": {
            # Without a literal match (found through lemmas only) show the opening of the text.
            "fields": {"text": {"no_match_size": 160}, "title": {}},
            "fragment_size": 160,
            "number_of_fragments": 1,
            "pre_tags": ["«"],
            "post_tags": ["»"],
        },
        "_source": {"excludes": ["text", "lemmas", "entity_details"]},
        "track_total_hits": True,
    }


def render(response: dict[str, Any]) -> str:
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    lines = [f"{total} match{'es' if total != 1 else ''}, showing {len(hits)}"]
    for hit in hits:
        doc = hit["_source"]
        date = (doc.get("published_at") or doc.get("first_seen_at") or "")[:16].replace("T", " ")
        synd = doc.get("dedup", {}).get("syndication_count") or 0
        also = f"  (+{synd} syndicated)" if synd else ""
        lines.append(
            f"\n{date}  [{doc.get('language')}] {doc.get('source')}  {doc.get('title') or '(untitled)'}{also}"
        )
        lines.append(f"  {doc.get('url')}")
        highlight = hit.get("highlight", {})
        snippet = (highlight.get("text") or highlight.get("title") or [""])[0]
        if snippet:
            lines.append(f"  …{snippet.strip()}…")
        people = doc.get("entities", {}).get("persons") or []
        places = doc.get("entities", {}).get("locations") or []
        if people or places:
            lines.append(f"  people: {', '.join(people[:5]) or '-'}; places: {', '.join(places[:5]) or '-'}")
    return "\n".join(lines)
