"""The benchmark's figures as one JSON-friendly dict, and that dict as a printed table."""

from __future__ import annotations

from typing import Any

from newsflow_tools.bench.stages import STAGE_LABELS, STAGES


def _f(value: float | None, digits: int = 1, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.{digits}f}{unit}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def limiting_stage(figures: dict[str, Any]) -> str:
    """Which resource bounds the rate, from CPU accounting: the workers, the machine or neither."""
    tp = figures.get("throughput") or {}
    cpu = figures.get("cpu_ms_per_article") or {}
    stages: dict[str, float] = cpu.get("stages") or {}
    run = figures["run"]
    parts: list[str] = []
    busy = tp.get("worker_core_share")
    if stages:
        top = max(stages, key=lambda k: stages[k])
        share = stages[top] / max(1e-9, sum(stages.values()))
        parts.append(f"largest stage: {top} ({share:.0%} of the stage CPU, {stages[top]:.1f} ms/article)")
    if busy is not None:
        if busy >= 0.8:
            parts.insert(0, f"workers are CPU-bound ({busy:.0%} of a core each)")
        else:
            parts.insert(
                0,
                f"workers are not CPU-bound ({busy:.0%} of a core each): they wait for input, "
                "for Kafka or Elasticsearch, or for a core",
            )
    machine = tp.get("machine_busy_share")
    if machine is not None and machine >= 0.9:
        parts.append(f"the machine's {run['cores']} cores are {machine:.0%} busy")
    return "; ".join(parts)


def table(figures: dict[str, Any]) -> str:
    run = figures["run"]
    tp = figures.get("throughput") or {}
    lat = figures.get("latency") or {}
    cpu = figures.get("cpu_ms_per_article") or {}
    naive = figures.get("naive") or {}
    es_only = figures.get("es_only") or {}
    ratios = figures.get("ratios") or {}
    lines = [
        f"newsflow bench: {run['workers']} worker(s), {run['partitions']} partitions, run {run['tag']}",
        f"corpus: {run['articles_generated']} articles generated, {_f(run['mean_kb'], 2)} KB mean, "
        f"{run['languages']} languages ({run['main_share']:.0%} {'/'.join(run['main_languages'])}); "
        f"{run['exact']} exact reposts, {run['near']} near copies, {run['refetch']} re-fetches; "
        f"sentences from {run['sentences']}",
        f"warm-up: {run['warmup_articles']} short articles (every language, on every partition when "
        f"there are several workers)"
        + (f" + {run['warm_articles']} regular articles" if run.get("warm_articles") else "")
        + f" in {_f(run.get('warmup_seconds'))} s",
        "",
        "throughput, first fed -> last searchable",
    ]
    if tp:
        boxed = " (time box reached: the rest was not fed)" if tp.get("time_boxed") else ""
        unfinished = "" if tp.get("complete") else "  INCOMPLETE: rate pro rata to documents found"
        lines += [
            f"  pipeline            {_f(tp['articles_per_s'], 2):>9} articles/s  {tp['articles_fed']} of "
            f"{run['articles_generated']} articles{boxed} in {_f(tp['seconds'])} s; "
            f"{tp['docs']}/{tp['expected_docs']} documents, {_f(tp['docs_per_s'], 2)} docs/s{unfinished}",
        ]
    if naive:
        lines.append(
            f"  naive baseline      {_f(naive.get('articles_per_s'), 2):>9} articles/s  "
            f"{naive.get('articles')} articles in {_f(naive.get('seconds'))} s"
            + (" (time box)" if naive.get("timed_out") else "")
            + f"; {run['articles_generated']} would take ~{_f(naive.get('extrapolated_seconds'), 0)} s"
        )
    if es_only:
        lines.append(
            f"  Elasticsearch only  {_f(es_only.get('docs_per_s'), 1):>9} docs/s      {es_only.get('docs')} "
            f"final documents ({_f(es_only.get('megabytes'))} MB) in {_f(es_only.get('seconds'), 2)} s, "
            f"bulk of {es_only.get('chunk')}, Elasticsearch CPU "
            f"{_f(es_only.get('elasticsearch_cpu_ms_per_doc'), 2)} ms/doc"
        )
    lines.append(
        f"  ratios              pipeline/naive {_f(ratios.get('pipeline_vs_naive'), 2)}x, "
        f"pipeline/ES-only {_f(ratios.get('pipeline_vs_es_only'), 3)}x (docs/s), Elasticsearch CPU "
        f"per pipeline article / per ES-only doc {_f(ratios.get('es_cpu_pipeline_vs_es_only'), 2)}x"
    )
    for phase, work in (figures.get("es_work") or {}).items():
        lines.append(f"  Elasticsearch work  {phase}: {es_work_line(work)}")
    if lat:
        lines += [
            "",
            f"latency, fed -> searchable, at {_f(lat['offered_rate'], 2)} articles/s offered "
            f"({run['rate_fraction']:.0%} of max), {lat['n']} documents, {lat['missing']} not found",
            f"  p50 {_f(lat['p50_ms'], 0)} ms   p95 {_f(lat['p95_ms'], 0)} ms   p99 {_f(lat['p99_ms'], 0)} ms"
            f"   max {_f(lat['max_ms'], 0)} ms   (upper bounds, resolution {_f(lat['resolution_ms'], 0)} ms)",
        ]
    stages: dict[str, float] = cpu.get("stages") or {}
    if stages or cpu.get("worker_total") is not None:
        lines += ["", f"CPU ms per article{cpu.get('sample_note', '')}"]
        p95 = cpu.get("stages_p95") or {}
        total = sum(stages.values()) or 1.0
        if stages:
            lines.append(f"  {'stage':<48}{'mean':>9}{'p95':>9}{'share':>7}")
        for stage in STAGES:
            if stage in stages:
                lines.append(
                    f"  {STAGE_LABELS[stage]:<48}{_f(stages[stage], 2):>9}{_f(p95.get(stage), 2):>9}"
                    f"{stages[stage] / total:>7.0%}"
                )
        if stages:
            lines.append(f"  {'sum of stages (in-process)':<48}{_f(sum(stages.values()), 2):>9}")
        for key, label in (
            ("worker_total", "worker processes, total (/proc, throughput phase)"),
            # Can come out negative: the stage sample is smaller than the phase and the costs
            # are heavy-tailed (dictionary reloads), so this difference carries sampling noise.
            ("framework", "  minus sum of stages (Faust, clients; +-noise)"),
            ("kafka", "Kafka broker JVM"),
            ("elasticsearch", "Elasticsearch JVM"),
            ("bench", "this benchmark process (feed, polls)"),
            ("others", "other processes on the machine"),
        ):
            if cpu.get(key) is not None:
                lines.append(f"  {label:<48}{_f(cpu[key], 2):>9}")
        if cpu.get("machine_busy_share") is not None:
            lines.append(
                f"  machine busy during the phase: {cpu['machine_busy_share']:.0%} of {run['cores']} cores; "
                f"workers used {_f(100 * (tp.get('worker_core_share') or 0), 0)}% of a core each"
            )
    soak = figures.get("soak") or {}
    if soak:
        lines += [
            "",
            f"soak: {soak['sent']} articles at {_f(soak['offered_rate'], 2)}/s for "
            f"{_f(soak['seconds'], 0)} s, {soak['docs']}/{soak['expected_docs']} documents",
        ]
        for name, w in soak["workers"].items():
            lines.append(
                f"  {name}: RSS {_f(w['first_mb'], 0)} MB at {_f(w['first_s'], 0)} s -> "
                f"{_f(w['last_mb'], 0)} MB at the end (max {_f(w['max_mb'], 0)} MB): {w['growth_pct']:+.1f}% "
                f"({'flat' if abs(w['growth_pct']) <= 10 else 'NOT flat'}: target within 10%)"
            )
    mem = figures.get("memory") or {}
    if mem:
        rss = ", ".join(f"{k} {_f(v, 0)} MB" for k, v in (mem.get("worker_peak_rss_mb") or {}).items())
        pss = ", ".join(f"{k} {_f(v, 0)} MB" for k, v in (mem.get("worker_tree_pss_mb") or {}).items())
        lines += ["", f"memory: worker peak RSS (VmHWM) {rss}"]
        if mem.get("stage_process_peak_rss_mb") is not None:
            lines[-1] += f"; stage-timing process {_f(mem['stage_process_peak_rss_mb'], 0)} MB"
        if mem.get("prepare_processes"):
            n = mem["prepare_processes"]
            lines += [f"memory: worker + {n} prepare process(es), PSS at the end {pss}"]
    lines += ["", f"limiting: {figures.get('limiting') or '-'}"]
    for note in figures.get("notes") or []:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def es_work_line(work: dict[str, Any]) -> str:
    """What Elasticsearch did in a phase (newsflow_tools.bench.es_work.diff), per 1,000 items."""
    per = {k: 1000 * v for k, v in (work.get("per_item") or {}).items()}

    def n(key: str, digits: int = 0) -> str:
        return _f(per.get(key), digits)

    return (
        f"per 1,000: {n('indexing.index_total')} writes, {n('get.total')} gets, "
        f"{n('refresh.total', 1)} refreshes ({n('refresh.total_time_in_millis')} ms), "
        f"{n('merges.total_docs')} docs merged ({n('merges.total_time_in_millis')} ms), "
        f"{n('search.query_total', 1)} searches; {_f(work.get('writes_per_bulk'), 0)} writes per bulk"
    )


def ratios(
    pipeline_rate: float | None,
    naive_rate: float | None,
    docs_rate: float | None,
    es_rate: float | None,
    es_cpu_per_article: float | None = None,
    es_cpu_per_reference_doc: float | None = None,
) -> dict[str, float | None]:
    return {
        "pipeline_vs_naive": _ratio(pipeline_rate, naive_rate),
        "pipeline_vs_es_only": _ratio(docs_rate, es_rate),
        # Elasticsearch's CPU per pipeline article over its CPU per document in the ES-only bulk.
        "es_cpu_pipeline_vs_es_only": _ratio(es_cpu_per_article, es_cpu_per_reference_doc),
    }


def soak(run: Any, docs: int, expected_docs: int, settle_s: float = 60.0) -> dict[str, Any]:
    """RSS per worker over a soak (newsflow_tools.bench.live.Soak): the first sample after `settle_s`
    (caches filling up after warm-up are not a leak), the last, the largest, and the growth."""
    workers: dict[str, dict[str, float]] = {}
    names = {name for _, sample in run.samples for name in sample}
    for name in sorted(names):
        series = [(t, sample[name]) for t, sample in run.samples if sample.get(name) is not None]
        if not series:
            continue
        settled = [p for p in series if p[0] >= settle_s] or series
        (t0, first), (_, last) = settled[0], series[-1]
        workers[name] = {
            "first_s": t0,
            "first_mb": first,
            "last_mb": last,
            "max_mb": max(v for _, v in series),
            "growth_pct": 100.0 * (last - first) / first if first else 0.0,
        }
    return {
        "offered_rate": run.offered_rate,
        "sent": run.sent,
        "seconds": run.seconds,
        "docs": docs,
        "expected_docs": expected_docs,
        "samples": [[t, sample] for t, sample in run.samples],
        "workers": workers,
    }
