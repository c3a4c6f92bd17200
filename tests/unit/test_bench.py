"""The benchmark's pure parts: generator, duplicate bookkeeping, expected counts, percentiles, tables."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from newsflow_tools.bench import live, report
from newsflow_tools.bench.corpus import (
    MAIN_SHARE,
    SENTENCES_PATH,
    BenchArticle,
    Sentences,
    expected_documents,
    generate,
    language_weights,
    load_sentences,
)
from newsflow_tools.bench.live import prefix_expectations
from newsflow_tools.bench.stages import StageCosts, StagePipeline, measure, staged_enrich
from newsflow_tools.bench.stats import percentile, summary
from streams import articles, deadletter, prepare
from streams.settings import Settings

WORDS = (
    "government minister city council river bridge market school hospital election party court "
    "police weather storm harvest train station factory workers strike museum festival bank "
    "inflation budget treaty summit border army navy airport company report budget mayor"
).split()


def synthetic_sentences(langs: tuple[str, ...] = ("en", "pl", "de", "xx"), per_lang: int = 80) -> Sentences:
    rng = random.Random(5)
    by_lang = {
        lang: tuple(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18))).capitalize() + "."
            for _ in range(per_lang)
        )
        for lang in langs
    }
    return Sentences(by_lang, "synthetic")


def body(item: BenchArticle) -> dict[str, object]:
    return json.loads(item.value)


def test_same_arguments_same_bytes() -> None:
    s = synthetic_sentences()
    one = generate(150, s, seed=3)
    two = generate(150, s, seed=3)
    assert one.values() == two.values()
    assert generate(150, s, seed=4).values() != one.values()
    assert generate(150, s, seed=3, batch="lat").values() != one.values()


def test_batches_never_share_a_document_id() -> None:
    s = synthetic_sentences()
    a = {x.doc_id for x in generate(100, s, batch="main").articles}
    b = {x.doc_id for x in generate(100, s, batch="lat").articles}
    assert not a & b


def test_duplicate_shares_and_copy_rules() -> None:
    s = synthetic_sentences()
    corpus = generate(1000, s, seed=2)
    assert len(corpus.articles) == 1000
    assert corpus.count("exact") == 50
    assert corpus.count("near") == 50
    assert corpus.count("refetch") == 20
    position = {a.seq: i for i, a in enumerate(corpus.articles)}
    by_seq = {a.seq: a for a in corpus.articles}
    copied = [a.of for a in corpus.articles if a.kind in ("exact", "near")]
    assert len(copied) == len(set(copied)), "an original is copied at most once"
    for item in corpus.articles:
        if item.kind == "original":
            continue
        original = by_seq[item.of]  # type: ignore[index]
        assert original.kind == "original", "copies are never made of copies"
        assert position[item.seq] > position[original.seq], "a copy follows its original"
        if item.kind == "exact":
            assert item.doc_id != original.doc_id
            assert body(item).get("text") == body(original).get("text")
            assert body(item).get("html") == body(original).get("html")
        elif item.kind == "near":
            assert item.doc_id != original.doc_id
            assert (body(item).get("text") or body(item).get("html")) != (
                body(original).get("text") or body(original).get("html")
            )
        else:
            assert item.doc_id == original.doc_id
            assert item.url != original.url


def test_every_message_meets_the_raw_contract_and_is_about_3_kb() -> None:
    corpus = generate(300, synthetic_sentences(), seed=1)
    for item in corpus.articles:
        parsed = articles.parse(item.value)
        assert isinstance(parsed, articles.ValidArticle), parsed
        assert articles.document_id(parsed.canonical_url) == item.doc_id
    assert 2000 < corpus.mean_bytes < 4500
    assert any("html" in body(a) for a in corpus.articles)


def test_language_weights_favour_the_main_languages() -> None:
    weights = language_weights(["de", "en", "fr", "pl", "sw", "zu"])
    assert sum(weights.values()) == pytest.approx(1.0)
    assert sum(weights[x] for x in ("de", "en", "fr", "pl")) == pytest.approx(MAIN_SHARE)
    assert weights["sw"] == weights["zu"] < weights["pl"]


def test_languages_cycle_when_given() -> None:
    corpus = generate(8, synthetic_sentences(), languages=["en", "en", "pl", "pl"], duplicate_share=0,
                      refetch_share=0, text_bytes=300)  # fmt: skip
    assert [a.lang for a in corpus.articles] == ["en", "en", "pl", "pl"] * 2
    assert all(len(body(a).get("text") or body(a)["html"]) < 1500 for a in corpus.articles)  # type: ignore[arg-type]


def _item(seq: int, kind: str, doc_id: str, of: int | None = None) -> BenchArticle:
    return BenchArticle(seq, kind, f"https://x.example/{seq}", doc_id, "en", b"{}", of)  # type: ignore[arg-type]


def test_expected_documents_counts_ids_minus_exact_reposts() -> None:
    items = [
        _item(0, "original", "a"),
        _item(1, "original", "b"),
        _item(2, "exact", "c", 0),  # a or c gets a document, not both
        _item(3, "near", "d", 1),  # indexed, marked as a duplicate
        _item(4, "refetch", "a", 0),  # updates a's document
    ]
    assert expected_documents(items) == 3
    assert prefix_expectations(tuple(items)) == [0, 1, 2, 2, 3, 3]


def test_expected_documents_of_a_generated_corpus() -> None:
    corpus = generate(500, synthetic_sentences(), seed=9)
    assert corpus.expected_documents == corpus.count("original") + corpus.count("near")
    prefixes = prefix_expectations(corpus.articles)
    assert prefixes[-1] == corpus.expected_documents
    assert prefixes[200] == expected_documents(corpus.articles[:200])


def test_expected_documents_is_what_dedup_decides() -> None:
    """Run the agents' bodies in-process: distinct ids written as documents == the expectation."""
    s = synthetic_sentences(("en",), 120)
    corpus = generate(60, s, seed=4, duplicate_share=0.3, refetch_share=0.1)
    pipeline = StagePipeline(Settings())
    indexed: set[str] = set()
    for offset, value in enumerate(corpus.values()):
        _, article = pipeline.run_one(value, offset)
        assert article is not None
        kind = (article.dedup or {}).get("kind")
        if kind == "unique" or (kind == "near" and pipeline.settings.near_duplicates == "mark"):
            indexed.add(article.id)
    assert len(indexed) == corpus.expected_documents


def test_staged_enrich_is_prepare_enrich() -> None:
    raw = {
        "url": "https://news.example/world/1",
        "title": "Ministers meet in Brussels",
        "text": "Foreign ministers from NATO met in Brussels on Tuesday. Mark Rutte said more air "
        "defence systems would reach Ukraine before the winter.",
        "language": "en",
    }
    parsed = articles.parse(json.dumps(raw).encode())
    assert isinstance(parsed, articles.ValidArticle)
    origin = deadletter.Origin("articles.raw", 0, 1)
    spent: dict[str, float] = {}
    ours = staged_enrich(parsed, origin, 500, spent).asdict()
    theirs = prepare.enrich(parsed, origin, 500).asdict()
    ours.pop("ingested_at")
    theirs.pop("ingested_at")
    assert ours == theirs
    assert set(spent) == {"language", "entities", "lemmas", "fingerprint", "assemble"}


def test_measure_reports_every_stage_and_counts_rejections() -> None:
    values = [*generate(5, synthetic_sentences(("en",)), duplicate_share=0, refetch_share=0).values(), b"{"]
    costs = measure(StagePipeline(Settings()), values)
    assert costs.articles == 5 and costs.rejected == 1
    assert set(costs.cpu_ms) == {"parse", "language", "entities", "lemmas", "fingerprint", "assemble",
                                 "dedupe", "hits", "serde", "index"}  # fmt: skip
    assert StageCosts.from_dict(costs.to_dict()) == costs


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([4.0, 1.0, 3.0, 2.0], 25, 1.75),
        ([float(i) for i in range(101)], 95, 95.0),
        ([float(i) for i in range(101)], 99, 99.0),
        ([7.0], 99, 7.0),
    ],
)
def test_percentile(values: list[float], p: float, expected: float) -> None:
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_rejects_empty_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary() -> None:
    assert summary([])["p99"] is None
    s = summary([0.1, 0.2, 0.3])
    assert s["n"] == 3 and s["p50"] == pytest.approx(0.2) and s["max"] == 0.3


def test_load_sentences_falls_back_to_the_demo_corpus(tmp_path: Path) -> None:
    s = load_sentences(tmp_path / "missing.jsonl")
    assert "demo" in s.origin
    assert {"pl", "en"} <= set(s.by_lang)
    assert generate(20, s).count("original") > 0


@pytest.mark.skipif(not SENTENCES_PATH.is_file(), reason="shared language-identification sentences absent")
def test_load_sentences_reads_the_shared_file() -> None:
    s = load_sentences()
    assert len(s.by_lang) == 75
    assert all(len(v) == 200 for v in s.by_lang.values())


def _figures() -> dict:
    return {
        "run": {
            "tag": "benchx", "workers": 1, "partitions": 4, "cores": 2, "articles_generated": 10,
            "mean_kb": 3.0, "languages": 3, "main_languages": ["pl", "en"], "main_share": 0.8,
            "exact": 1, "near": 1, "refetch": 0, "sentences": "synthetic", "rate_fraction": 0.5,
            "warmup_articles": 12, "warmup_seconds": 3.0,
        },
        "throughput": {
            "articles_fed": 10, "seconds": 2.0, "articles_per_s": 5.0, "docs": 9, "expected_docs": 9,
            "docs_per_s": 4.5, "complete": True, "time_boxed": False, "worker_core_share": 0.95,
        },
        "cpu_ms_per_article": {"stages": {"parse": 1.0, "lemmas": 9.0}, "worker_total": 12.0},
        "notes": [],
    }  # fmt: skip


def test_table_renders_partial_figures() -> None:
    figures = _figures()
    figures["limiting"] = report.limiting_stage(figures)
    text = report.table(figures)
    assert "5.00 articles/s" in text
    assert "lemmas" in figures["limiting"] and "CPU-bound" in figures["limiting"]


def test_soak_growth_is_measured_from_the_first_settled_sample() -> None:
    from newsflow_tools.bench.live import Soak

    run = Soak(offered_rate=10.0, sent=6000, seconds=600.0)
    run.samples = [
        (0.0, {"w1": 500.0}),
        (60.0, {"w1": 1000.0}),
        (300.0, {"w1": 1080.0}),
        (600.0, {"w1": 1050.0}),
    ]
    figures = report.soak(run, docs=5600, expected_docs=5600)
    w1 = figures["workers"]["w1"]
    assert (w1["first_mb"], w1["last_mb"], w1["max_mb"]) == (1000.0, 1050.0, 1080.0)
    assert round(w1["growth_pct"], 1) == 5.0
    assert "+5.0% (flat" in report.table({**_figures(), "soak": figures})


def test_a_run_shares_the_model_cache_and_cleaning_its_home_keeps_it(tmp_path: Path) -> None:
    cache = tmp_path / "user-home" / "cache"
    home = tmp_path / "run" / "home"
    live.share_model_cache(home, cache)
    (home / "cache" / "gazetteer-en-x.json").write_text("{}", encoding="utf-8")
    assert (cache / "gazetteer-en-x.json").is_file()
    live.share_model_cache(home, cache)  # a second call leaves the link as it is
    shutil.rmtree(home)
    assert (cache / "gazetteer-en-x.json").is_file()


def test_elasticsearch_cpu_is_compared_with_the_es_only_bulk() -> None:
    figures = _figures()
    figures["es_only"] = {"docs": 9, "megabytes": 0.1, "seconds": 0.5, "docs_per_s": 18.0, "chunk": 500,
                          "elasticsearch_cpu_ms_per_doc": 0.8}  # fmt: skip
    figures["ratios"] = report.ratios(5.0, None, 4.5, 18.0, 2.0, 0.8)
    assert figures["ratios"]["pipeline_vs_es_only"] == 0.25
    assert figures["ratios"]["es_cpu_pipeline_vs_es_only"] == 2.5
    text = report.table(figures)
    assert "Elasticsearch CPU 0.80 ms/doc" in text and "per ES-only doc 2.50x" in text
    # Without the node's process (another machine's cluster) there is nothing to compare.
    assert report.ratios(5.0, None, 4.5, 18.0, 2.0, 0.0)["es_cpu_pipeline_vs_es_only"] is None


def test_es_work_reports_the_growth_of_each_counter_per_article_and_writes_per_bulk() -> None:
    from newsflow_tools.bench import es_work

    before = {"indexing.index_total": 100.0, "refresh.total": 10.0, "bulk.total_operations": 4.0}
    after = {"indexing.index_total": 700.0, "refresh.total": 16.0, "bulk.total_operations": 7.0}
    out = es_work.diff(before, after, per=600)
    assert out["totals"] == {
        "indexing.index_total": 600.0,
        "refresh.total": 6.0,
        "bulk.total_operations": 3.0,
    }
    assert out["per_item"]["refresh.total"] == 0.01
    assert out["writes_per_bulk"] == 200.0
