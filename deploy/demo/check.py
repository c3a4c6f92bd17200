"""Check articles.jsonl against expected.json: `.venv/bin/python deploy/demo/check.py`.

Stdlib checks always run; when the `streams` package is importable the lines also go through
streams.articles.parse() and streams.dedup.decide() in file order.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
WORD = re.compile(r"\w+")


def canonical(url: str) -> str:
    parts = urlsplit(url)
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")
    )
    return urlunsplit(
        (parts.scheme.lower(), (parts.hostname or "").lower(), parts.path, urlencode(query), "")
    )


def stdlib_code(raw: str) -> str | None:
    """The error code a line should get, or None when it is a valid article."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return "invalid_json"
    if not isinstance(data, dict):
        return "not_an_object"
    url = data.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/?#]+", url, re.I):
        return "schema_violation"
    stamp = data.get("published_at")
    if stamp is not None and not RFC3339.match(stamp):
        return "schema_violation"
    if not (data.get("text") or "").strip() and not data.get("html"):
        return "empty_text"
    return None


def shingles(text: str) -> set[str]:
    toks = WORD.findall(text.lower())
    return {" ".join(toks[i : i + 4]) for i in range(len(toks) - 3)}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def main() -> int:
    raw = (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    exp = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    errors: list[str] = []
    if len(raw) != exp["lines"]:
        errors.append(f"{len(raw)} lines, expected {exp['lines']}")
    bad = {m["line"]: m["code"] for m in exp["malformed"]}
    copies = {d["line"] for key in ("exact_duplicates", "near_duplicates", "same_document") for d in exp[key]}
    records: dict[int, dict] = {}
    for n, line in enumerate(raw, start=1):
        code = stdlib_code(line)
        if code != bad.get(n):
            errors.append(f"line {n}: got {code}, expected {bad.get(n)}")
        if code is None:
            rec = records[n] = json.loads(line)
            when = datetime.fromisoformat(rec["published_at"])
            if not ("2026-11-20" <= when.date().isoformat() <= "2026-11-27"):
                errors.append(f"line {n}: published_at {rec['published_at']} outside 2026-11-20..27")
            if "text" in rec and n not in copies:
                words, paras = len(WORD.findall(rec["text"])), rec["text"].split("\n\n")
                if not (80 <= words <= 250 and 2 <= len(paras) <= 4):
                    errors.append(f"line {n}: {words} words, {len(paras)} paragraphs")
    urls = list(dict.fromkeys(canonical(r["url"]) for r in records.values()))
    if urls != exp["distinct_urls"]:
        errors.append("canonical URLs differ from distinct_urls")
    print(
        f"{len(raw)} lines, {len(records)} valid, {len(bad)} malformed, {len(urls)} distinct canonical URLs"
    )

    for key in ("exact_duplicates", "near_duplicates"):
        for d in exp[key]:
            a, b = records[d["line"]], records[d["of_line"]]
            j = jaccard(a["text"], b["text"])
            print(
                f"  {key[:5]} line {d['line']:2d} of line {d['of_line']:2d}: 4-word-shingle Jaccard {j:.3f}"
            )
            if key == "exact_duplicates" and a["text"] != b["text"]:
                errors.append(f"line {d['line']}: text differs from line {d['of_line']}")
            if key == "near_duplicates" and not 0.7 <= j <= 0.95:
                errors.append(f"line {d['line']}: Jaccard {j:.3f} outside 0.7..0.95")
    for a, b in exp["not_duplicates"]:
        j = jaccard(records[a].get("text", ""), records[b].get("text", ""))
        print(f"  not-duplicate lines {a} and {b}: Jaccard {j:.3f}")
        if j > 0.3:
            errors.append(f"lines {a}/{b} too similar ({j:.3f})")

    try:
        sys.path.insert(0, str(HERE.parent.parent))
        from streams import articles, dedup
    except ImportError:
        print("streams not importable: pipeline checks skipped")
    else:
        state: dict = {}
        first_line: dict[str, int] = {}
        kinds = {d["line"]: ("exact", d["of_line"]) for d in exp["exact_duplicates"]}
        kinds |= {d["line"]: ("near", d["of_line"]) for d in exp["near_duplicates"]}
        for n, line in enumerate(raw, start=1):
            parsed = articles.parse(line.encode("utf-8"))
            if isinstance(parsed, articles.Rejection):
                if parsed.code != bad.get(n):
                    errors.append(f"line {n}: parse() says {parsed.code}, expected {bad.get(n)}")
                continue
            doc = articles.document_id(parsed.canonical_url)
            first_line.setdefault(doc, n)
            decision = dedup.decide(doc, dedup.fingerprint(parsed.text, "xx"), 1.8e9 + n, state)
            want = kinds.get(n, ("unique", None))
            got = (decision.kind, first_line.get(decision.duplicate_of or ""))
            if got != want:
                errors.append(f"line {n}: dedup says {got}, expected {want}")
        print("pipeline: parse() codes and dedup decisions checked")

    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
