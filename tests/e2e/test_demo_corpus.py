"""The demo corpus through `newsflow feed` and a running worker: what lands in the index, the DLQ and search."""

from __future__ import annotations

import json

from streams.articles import canonical_url, document_id
from tests.conftest import ROOT, wait_for
from tests.helpers import all_docs, dead_letters, newsflow

DEMO = ROOT / "deploy" / "demo"
EXPECTED = json.loads((DEMO / "expected.json").read_text())
LINES = (DEMO / "articles.jsonl").read_text(encoding="utf-8").splitlines()


def doc_id_of(line: int) -> str:
    return document_id(canonical_url(json.loads(LINES[line - 1])["url"]))


def test_demo_corpus_lands_in_index_and_dead_letter_topic(names, worker_factory):
    worker_factory().start()
    fed = newsflow(names.env, "feed", "--quiet", str(DEMO / "articles.jsonl"))
    assert fed.returncode == 0, fed.stderr
    assert f"sent {EXPECTED['lines']}, failed 0" in fed.stdout

    expected_docs = EXPECTED["index_documents"]["near_duplicates=mark"]
    wait_for(lambda: len(all_docs(names.settings)) >= expected_docs, 180, f"{expected_docs} documents")
    wait_for(lambda: len(dead_letters(names.settings)) >= len(EXPECTED["malformed"]), 60, "the dead letters")
    docs = all_docs(names.settings)

    # Exactly the valid, unique-by-URL articles, minus exact reposts (one of each pair, either way).
    assert len(docs) == expected_docs
    reposts = {(doc_id_of(e["line"]), doc_id_of(e["of_line"])) for e in EXPECTED["exact_duplicates"]}
    for a, b in reposts:
        assert (a in docs) != (b in docs), "an exact repost and its original are both indexed"
        kept = docs[a] if a in docs else docs[b]
        assert kept["dedup"]["syndication_count"] >= 1
    folded = {x for pair in reposts for x in pair}
    all_ids = {document_id(u) for u in EXPECTED["distinct_urls"]}
    assert set(docs) == all_ids - {x for x in folded if x not in docs}
    # The same URL with a tracking parameter is the same document.
    same = EXPECTED["same_document"][0]
    assert doc_id_of(same["line"]) == doc_id_of(same["of_line"])

    # Near-duplicate groups: one canonical, the others point at it.
    groups: dict[int, set[int]] = {}
    for e in EXPECTED["near_duplicates"]:
        groups.setdefault(e["of_line"], {e["of_line"]}).add(e["line"])
    for members in groups.values():
        ids = {doc_id_of(n) for n in members}
        canonical = [i for i in ids if not docs[i]["dedup"]["is_duplicate"]]
        assert len(canonical) == 1, (members, [docs[i]["dedup"] for i in ids])
        for i in ids - set(canonical):
            assert docs[i]["dedup"]["duplicate_of"] == canonical[0]
        assert docs[canonical[0]]["dedup"]["syndication_count"] >= len(ids) - 1
    for a, b in EXPECTED["not_duplicates"]:
        assert docs[doc_id_of(a)]["dedup"]["duplicate_of"] != doc_id_of(b)
        assert docs[doc_id_of(b)]["dedup"]["duplicate_of"] != doc_id_of(a)

    # Languages.
    for lang, lines in EXPECTED["languages"].items():
        for n in lines:
            if doc_id_of(n) in docs:
                assert docs[doc_id_of(n)]["language"] == lang, (n, lang)

    # Every malformed line is dead-lettered with its code, payload and origin.
    letters = dead_letters(names.settings)
    assert sorted(lt["error"]["code"] for lt in letters) == sorted(m["code"] for m in EXPECTED["malformed"])
    payloads = {lt["payload"] for lt in letters}
    for m in EXPECTED["malformed"]:
        assert LINES[m["line"] - 1] in payloads
    assert all(lt["source"]["topic"] == names.raw for lt in letters)

    # Search finds articles by words of their text, and by lemma ("Rosja" finds "Rosji").
    for example in EXPECTED["search_examples"][:3]:
        out = newsflow(
            names.env, "search", example["query"], "--lang", example["lang"], "--json", "--limit", "50"
        )
        assert out.returncode == 0, out.stderr
        found = {hit["_id"] for hit in json.loads(out.stdout)}
        canonical_expected = {doc_id_of(n) for n in example["expect_lines"]}
        assert canonical_expected <= found | {
            i for i in canonical_expected if docs[i]["dedup"]["is_duplicate"]
        }, example

    listed = newsflow(names.env, "dlq", "--limit", "0")
    assert listed.returncode == 0
    assert "invalid_json" in listed.stdout and f"{len(letters)} dead letter(s)" in listed.stdout
