"""`newsflow bench`: throughput, latency, CPU per stage and memory of the pipeline, on the stack."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from newsflow_tools.bench import es_work, live, proc, report
from newsflow_tools.bench.corpus import (
    MAIN_LANGS,
    MAIN_SHARE,
    ROOT,
    Corpus,
    Sentences,
    generate,
    load_sentences,
)
from newsflow_tools.bench.reference import CHUNK, final_documents, run_es_only
from newsflow_tools.bench.stages import StageCosts
from newsflow_tools.bench.stats import summary
from streams.kafka_io import TopicSpec, ensure_topics, producer
from streams.settings import Settings
from streams.warmup import cache_dir


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m newsflow_tools.bench",
        description="Benchmark the pipeline on the running Kafka + Elasticsearch with real worker processes.",
        epilog="Exit status 0, or 3 when the pipeline stalled before all fed articles were searchable.",
    )
    p.add_argument("--articles", type=int, default=5000, help="articles generated for the throughput phase")
    p.add_argument("--workers", type=int, default=1, help="worker processes")
    p.add_argument("--rate-fraction", type=float, default=0.5, help="latency phase rate, share of the max")
    p.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    p.add_argument("--partitions", type=int, default=4, help="partitions of the run's topics")
    p.add_argument("--seed", type=int, default=1, help="generator seed (same seed, same articles)")
    p.add_argument(
        "--max-seconds", type=float, default=120.0, help="time box for feeding the throughput phase"
    )
    p.add_argument(
        "--backlog-seconds", type=float, default=30.0, help="work kept in flight in the throughput phase"
    )
    p.add_argument("--latency-seconds", type=float, default=45.0, help="length of the fixed-rate phase")
    p.add_argument(
        "--soak-seconds",
        type=float,
        default=0.0,
        help="then feed at the latency rate this long, worker RSS read every 10 s (600: the 10-min check)",
    )
    p.add_argument(
        "--warm-articles",
        type=int,
        default=0,
        help="regular articles fed before the timed phases: caches as after a while in production",
    )
    p.add_argument("--stage-sample", type=int, default=200, help="articles timed stage by stage in-process")
    p.add_argument("--naive-limit", type=int, default=1000, help="articles the naive baseline may process")
    p.add_argument("--naive-seconds", type=float, default=60.0, help="time box of the naive baseline")
    p.add_argument("--skip", action="append", default=[], choices=["stages", "naive", "es-only", "latency"])
    p.add_argument(
        "--profile", type=Path, help="write pyinstrument profiles here (stages: text; workers: .pyisession)"
    )
    p.add_argument("--keep", action="store_true", help="keep topics, indices and logs (named in the output)")
    return p


def _write_lines(path: Path, values: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(values) + b"\n")
    return path


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _run_info(args: argparse.Namespace, tag: str, corpus: Corpus, warm: Corpus, langs: int) -> dict[str, Any]:
    return {
        "tag": tag,
        "workers": args.workers,
        "partitions": args.partitions,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "articles_generated": len(corpus.articles),
        "mean_kb": corpus.mean_bytes / 1000,
        "languages": langs,
        "main_languages": list(MAIN_LANGS),
        "main_share": MAIN_SHARE,
        "exact": corpus.count("exact"),
        "near": corpus.count("near"),
        "refetch": corpus.count("refetch"),
        "expected_documents": corpus.expected_documents,
        "sentences": corpus.sentences_origin,
        "seed": args.seed,
        "rate_fraction": args.rate_fraction,
        "warmup_articles": len(warm.articles),
    }


def _warm_corpus(sentences: Sentences, langs: list[str], copies: int, seed: int, batch: str) -> Corpus:
    """Short articles, each language `copies` times in a row (one dictionary load per language)."""
    return generate(
        len(langs) * copies,
        sentences,
        seed=seed,
        batch=batch,
        languages=[lang for lang in langs for _ in range(copies)],
        text_bytes=400,
        duplicate_share=0,
        refetch_share=0,
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Settings.from_env()
    tag = f"bench{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix=f"newsflow-{tag}-"))
    names = live.Names(tag, tmp / "home", args.partitions)
    live.share_model_cache(names.home, cache_dir(base))
    settings = names.settings()
    sentences = load_sentences()
    langs = sorted(sentences.by_lang)
    _say(f"run {tag}: generating {args.articles} articles ({len(langs)} languages) in {tmp}")
    # Every language on every partition, so that each worker meets each language whatever
    # partitions it owns; one worker owns them all and needs each language once.
    copies = args.partitions if args.workers > 1 else 1
    warm = _warm_corpus(sentences, langs, copies, args.seed, "warm")
    warm_once = _warm_corpus(sentences, langs, 1, args.seed, "warm1")
    corpus = generate(args.articles, sentences, seed=args.seed, batch="main")
    figures: dict[str, Any] = {"run": _run_info(args, tag, corpus, warm, len(langs)), "notes": []}
    warm_file = _write_lines(tmp / "warm.jsonl", warm_once.values())
    sample_file = _write_lines(tmp / "sample.jsonl", corpus.values()[: args.stage_sample])
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    env = {**os.environ, **names.env}
    stage_child = naive_child = None
    workers: list[live.Worker] = []
    kafka = es = None
    naive_topic = settings.topic("naive.raw")
    naive_index = f"{tag}-naive"
    try:
        # Warm-ups of the helper processes overlap the workers' warm-up; their measurements
        # run later, one at a time, when nothing else is busy.
        if "stages" not in args.skip:
            argv = [sys.executable, "-m", "newsflow_tools.bench.stages", "--warm", str(warm_file)]
            argv += ["--sample", str(sample_file), "--standby"]
            if args.profile:
                argv += ["--profile", str(args.profile / "stages.txt")]
            stage_child = proc.Child(argv, tmp / "stages.log", ROOT, env).start()
        if "naive" not in args.skip:
            argv = [sys.executable, "-m", "tests.perf.naive", "--warm", str(warm_file), "--standby"]
            argv += [
                "--bootstrap",
                settings.kafka_bootstrap,
                "--topic",
                naive_topic,
                "--es-url",
                settings.es_url,
            ]
            argv += ["--index", naive_index, "--group", f"{tag}-naive", "--limit", str(args.naive_limit)]
            argv += ["--time-box", str(args.naive_seconds)]
            naive_child = proc.Child(argv, tmp / "naive.log", ROOT, env).start()

        wrapper: list[str] = []
        for i in range(args.workers):
            if args.profile:
                wrapper = [
                    "-m",
                    "pyinstrument",
                    "-r",
                    "pyisession",  # re-render: python -m pyinstrument --load FILE [--show-all]
                    "-o",
                    str(args.profile / f"worker-w{i + 1}.pyisession"),
                ]
            workers.append(live.Worker(names, f"w{i + 1}", tmp / f"worker-w{i + 1}.log", wrapper).start())
        for w in workers:
            live.wait_for(w.ready, 900, f"worker {w.name} (log {w.log})", 0.3)
        _say(f"{len(workers)} worker(s) ready; warming them up")

        kafka = producer(settings)
        es = live.es_client(settings)
        alias = live.alias_of(settings)
        raw = settings.topic("articles.raw")
        started = time.time()
        live.feed(kafka, raw, list(warm.articles), partitions=args.partitions)
        warm_docs = warm.expected_documents
        live.wait_for(lambda: live.doc_count(es, alias) >= warm_docs, 900, "warm-up documents")
        if args.warm_articles > 0:
            steady = generate(args.warm_articles, sentences, seed=args.seed, batch="steady")
            _say(f"warming caches with {args.warm_articles} regular articles")
            live.feed(kafka, raw, list(steady.articles))
            warm_docs += steady.expected_documents
            live.wait_for(lambda: live.doc_count(es, alias) >= warm_docs, 3600, "warm-up documents")
        figures["run"]["warmup_seconds"] = time.time() - started
        figures["run"]["warm_articles"] = args.warm_articles
        if naive_child:
            ensure_topics(settings, [TopicSpec(naive_topic, args.partitions)])
            live.feed(kafka, naive_topic, list(corpus.articles[: args.naive_limit]))
        for child in (stage_child, naive_child):
            if child:
                child.wait_ready(900)

        services = live.service_pids(base)
        # A worker's tree: its prepare processes (NEWSFLOW_PREPARE_PROCESSES) work for it.
        groups = {"workers": [p for w in workers for p in proc.descendants(w.pid)], **services}
        meter = live.CpuMeter(groups)
        es_before = es_work.snapshot(es, f"{tag}*")
        _say(f"throughput phase: up to {args.articles} articles, fed for at most {args.max_seconds:.0f} s")
        tp = live.run_throughput(
            kafka, raw, corpus, es, alias, warm_docs, meter,
            max_seconds=args.max_seconds, backlog_s=args.backlog_seconds,
        )  # fmt: skip
        figures["throughput"] = _throughput(tp, args.workers)
        figures["es_work"] = {"throughput": es_work.diff(es_before, es_work.snapshot(es, f"{tag}*"), tp.fed)}
        _say(f"throughput: {tp.rate:.2f} articles/s ({tp.fed} articles in {tp.seconds:.1f} s)")

        if "latency" not in args.skip and tp.rate > 0:
            offered = tp.rate * args.rate_fraction
            n = max(20, round(offered * args.latency_seconds))
            lat_corpus = generate(n, sentences, seed=args.seed, batch="lat")
            _say(f"latency phase: {n} articles at {offered:.2f}/s")
            base_docs = live.doc_count(es, alias)
            lat = live.run_latency(kafka, raw, lat_corpus, es, alias, offered)
            stats = summary(lat.latencies_s)
            figures["latency"] = {
                "offered_rate": offered,
                "sent": lat.sent,
                "send_seconds": lat.send_seconds,
                "n": stats["n"],
                "missing": lat.missing,
                **{f"{k}_ms": (v * 1000 if v is not None else None) for k, v in stats.items() if k != "n"},
                "resolution_ms": lat.poll_cycle_s * 1000,
                "docs_before": base_docs,
                "method": "send time (time.time() before producer.send) to the end of the first `ids` "
                "search that returns the document; searches every 0.2 s",
            }

        if args.soak_seconds > 0 and tp.rate > 0:
            offered = tp.rate * args.rate_fraction
            n = max(20, round(offered * args.soak_seconds))
            soak_corpus = generate(n, sentences, seed=args.seed, batch="soak")
            _say(f"soak: {n} articles at {offered:.2f}/s for {args.soak_seconds:.0f} s, RSS every 10 s")
            base_docs = live.doc_count(es, alias)
            soak = live.run_soak(kafka, raw, soak_corpus, offered, workers, progress=_say)
            expected = base_docs + soak_corpus.expected_documents
            live.wait_for(lambda: live.doc_count(es, alias) >= expected, 300, "soak documents")
            figures["soak"] = report.soak(
                soak, live.doc_count(es, alias) - base_docs, soak_corpus.expected_documents
            )

        figures["memory"] = {
            "worker_peak_rss_mb": live.worker_memory(workers),
            "worker_tree_pss_mb": live.worker_tree_pss(workers),
            "prepare_processes": settings.prepare_processes,
        }
        for w in workers:
            w.stop()

        if stage_child:
            _say(f"timing stages in-process on {args.stage_sample} of the same articles")
            stage_child.go()
            costs = StageCosts.from_dict(stage_child.result(3600))
            stage_child.stop()
            _add_stage_costs(figures, costs, args.stage_sample)

        if "es-only" not in args.skip:
            docs = final_documents(es, alias)
            _say(f"Elasticsearch only: {len(docs)} final documents")
            es_meter = live.CpuMeter({"elasticsearch": services.get("elasticsearch", [])})
            es_meter.start()
            ref = run_es_only(es, f"{tag}-esonly-", docs, chunk=CHUNK)
            es_cpu = es_meter.stop()[0]["elasticsearch"]
            es_after = es_work.snapshot(es, f"{tag}-esonly-*")
            figures.setdefault("es_work", {})["es_only"] = es_work.diff({}, es_after, ref.docs)
            figures["es_only"] = {
                "docs": ref.docs,
                "megabytes": ref.megabytes,
                "bulk_seconds": ref.bulk_seconds,
                "seconds": ref.seconds,
                "docs_per_s": ref.rate,
                "errors": ref.errors,
                "chunk": CHUNK,
                # Until every document is searchable, as in the pipeline's phase (0 when the
                # node is not this stack's: its process is not visible here).
                "elasticsearch_cpu_ms_per_doc": 1000 * es_cpu / max(1, ref.docs),
            }

        if naive_child:
            _say(f"naive baseline: up to {args.naive_limit} articles or {args.naive_seconds:.0f} s")
            naive_child.go()
            result = naive_child.result(args.naive_seconds + 900)
            naive_child.stop()
            figures["naive"] = _naive(es, naive_index, result, len(corpus.articles))
        figures["limiting"] = report.limiting_stage(figures)
        figures["ratios"] = report.ratios(
            (figures.get("throughput") or {}).get("articles_per_s"),
            (figures.get("naive") or {}).get("articles_per_s"),
            (figures.get("throughput") or {}).get("docs_per_s"),
            (figures.get("es_only") or {}).get("docs_per_s"),
            ((figures.get("throughput") or {}).get("cpu_ms_per_article") or {}).get("elasticsearch"),
            (figures.get("es_only") or {}).get("elasticsearch_cpu_ms_per_doc"),
        )
    finally:
        for w in workers:
            w.stop()
        for child in (stage_child, naive_child):
            if child:
                child.stop()
        if kafka is not None:
            kafka.close()
        if es is not None:
            es.close()
        if args.keep:
            figures["notes"].append(f"kept: topics {tag}.*, indices {tag}-*, logs in {tmp}")
        else:
            figures["notes"] += live.cleanup(settings, names, [tag, f"{tag}-naive"])
            for log in tmp.glob("*.log"):
                log.unlink()
            for data in tmp.glob("*.jsonl"):
                data.unlink()
            if not any(tmp.iterdir()):
                tmp.rmdir()
    return figures


def _throughput(tp: live.Throughput, workers: int) -> dict[str, Any]:
    fed = max(1, tp.fed)
    machine_share = tp.machine_busy_s / tp.machine_total_s if tp.machine_total_s else None
    return {
        "articles_fed": tp.fed,
        "seconds": tp.seconds,
        "articles_per_s": tp.rate,
        "docs": tp.docs,
        "expected_docs": tp.expected_docs,
        "docs_per_s": tp.docs_rate,
        "complete": tp.complete,
        "time_boxed": tp.time_boxed,
        "cpu_s": tp.cpu_s,
        "cpu_ms_per_article": {k: 1000 * v / fed for k, v in tp.cpu_s.items()},
        "others_ms_per_article": 1000 * (tp.machine_busy_s - sum(tp.cpu_s.values())) / fed,
        "worker_core_share": tp.cpu_s.get("workers", 0.0) / (tp.seconds * workers) if tp.seconds else None,
        "machine_busy_share": machine_share,
        "bench_es_requests": tp.polls,
    }


def _add_stage_costs(figures: dict[str, Any], costs: StageCosts, sample: int) -> None:
    tp = figures.get("throughput") or {}
    per = tp.get("cpu_ms_per_article") or {}
    worker = per.get("workers")
    figures["cpu_ms_per_article"] = {
        "stages": costs.cpu_ms,
        "stages_p95": costs.p95_ms,
        "stages_max": costs.max_ms,
        "sample_note": f" (stages: {costs.articles} articles timed in-process; totals: throughput phase)",
        "worker_total": worker,
        "framework": worker - costs.total_ms if worker is not None else None,
        "kafka": per.get("kafka"),
        "elasticsearch": per.get("elasticsearch"),
        "bench": per.get("bench"),
        "others": tp.get("others_ms_per_article"),
        "machine_busy_share": tp.get("machine_busy_share"),
        "prepare_ms_by_language": costs.prepare_ms_by_language,
        "articles_by_language": costs.articles_by_language,
        "dedup_decisions": costs.decisions,
    }
    figures.setdefault("memory", {})["stage_process_peak_rss_mb"] = costs.peak_rss_mb


def _naive(es: Any, index: str, result: dict[str, Any], generated: int) -> dict[str, Any]:
    """The naive run's rate from its first message to its last document searchable."""
    count = 0
    deadline = time.time() + 60
    while time.time() < deadline:
        count = live.doc_count(es, index)
        if count >= result["articles"]:
            break
        time.sleep(0.05)
    end = max(time.time(), result["last_at"])
    seconds = end - result["first_at"] if result["first_at"] else 0.0
    rate = result["articles"] / seconds if seconds else 0.0
    return {
        "articles": result["articles"],
        "seconds": seconds,
        "articles_per_s": rate,
        "timed_out": result["timed_out"],
        "searchable": count,
        "cpu_ms_per_article": 1000 * result["cpu_s"] / max(1, result["articles"]),
        "extrapolated_seconds": generated / rate if rate else None,
        "languages": result["languages"],
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.workers < 1 or args.articles < 1 or not 0 < args.rate_fraction <= 1:
        print(
            "newsflow bench: --workers and --articles must be >= 1, --rate-fraction in (0, 1]",
            file=sys.stderr,
        )
        return 2
    try:
        figures = run(args)
    except KeyboardInterrupt:
        return 130
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
    else:
        print(report.table(figures))
    # 3: figures printed, but the pipeline stalled before every fed article was searchable.
    return 0 if (figures.get("throughput") or {}).get("complete") else 3
