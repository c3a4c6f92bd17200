"""`make demo`: a worker on the local stack, the demo corpus fed through it, and what an analyst sees."""

from __future__ import annotations

import collections
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsflow_tools.stack.launcher import Stack
from streams import documents, search
from streams.articles import canonical_url, document_id
from streams.dlq import letters
from streams.feed import feed
from streams.settings import Settings
from streams.sinks.elasticsearch import search as run_search
from streams.sinks.elasticsearch import sync_client

CORPUS = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "articles.jsonl"
EXPECTED = CORPUS.with_name("expected.json")


def _corpus_ids() -> set[str]:
    ids = set()
    for line in CORPUS.read_bytes().splitlines():
        try:
            url = json.loads(line).get("url")
        except (ValueError, AttributeError):
            continue
        if isinstance(url, str) and url.startswith("http"):
            ids.add(document_id(canonical_url(url)))
    return ids


def _indexed(settings: Settings, ids: set[str]) -> list[dict]:
    es = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        if not es.indices.exists(index=alias):
            return []
        es.indices.refresh(index=alias)
        hits = es.search(index=alias, query={"ids": {"values": sorted(ids)}}, size=len(ids) or 1)
        return [h["_source"] for h in hits["hits"]["hits"]]
    finally:
        es.close()


def _start_worker(settings: Settings) -> tuple[subprocess.Popen[bytes], Path]:
    log = settings.home.resolve() / "logs" / "demo-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    offset = log.stat().st_size if log.exists() else 0
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the worker exited ({proc.returncode}); see {log}")
        if "Worker]: Ready" in log.read_bytes()[offset:].decode("utf-8", "replace"):
            return proc, log
        time.sleep(0.3)
    raise SystemExit(f"the worker did not become ready in 120 s; see {log}")


def main() -> int:
    settings = Settings.from_env()
    if not all(s.state == "up" for s in Stack(settings).status()):
        print("Kafka or Elasticsearch is not running: `newsflow stack up` first (make demo does).")
        return 1
    ids = _corpus_ids()
    dlq_before = sum(1 for _ in letters(settings))
    print(f"starting a worker (log: {settings.home / 'logs' / 'demo-worker.log'}) ...", flush=True)
    worker, _ = _start_worker(settings)
    t0 = time.monotonic()
    try:
        result = feed(settings, str(CORPUS))
        shown = CORPUS.relative_to(Path.cwd()) if CORPUS.is_relative_to(Path.cwd()) else CORPUS
        print(f"fed {result.sent} lines from {shown}")
        # Settled when the index and the dead-letter topic stop changing for a few seconds, after
        # every malformed line came back: on a re-run the documents exist already, and only the
        # dead letters show that the worker has read this feed.
        malformed = len(json.loads(EXPECTED.read_text(encoding="utf-8"))["malformed"])
        last, stable_since = (-1, -1), time.monotonic()
        while time.monotonic() - t0 < 180:
            now = (len(_indexed(settings, ids)), sum(1 for _ in letters(settings)) - dlq_before)
            if now != last:
                last, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since > 6 and now[0] > 0 and now[1] >= malformed:
                break
            time.sleep(1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    docs = _indexed(settings, ids)
    new_letters = list(letters(settings))[dlq_before:]
    print(f"\nprocessed in {time.monotonic() - t0:.1f}s")
    canon = [d for d in docs if not d["dedup"]["is_duplicate"]]
    near = [d for d in docs if d["dedup"]["is_duplicate"]]
    folded = sum(d["dedup"]["syndication_count"] for d in canon)
    print(f"indexed documents: {len(docs)} ({len(canon)} canonical, {len(near)} marked near-duplicate)")
    print(f"copies counted on canonical stories (exact + near): {folded}")
    langs = collections.Counter(d["language"] for d in docs)
    print("languages: " + ", ".join(f"{k} {v}" for k, v in langs.most_common()))
    codes = collections.Counter(lt["error"]["code"] for lt in new_letters)
    by_code = ", ".join(f"{k} {v}" for k, v in sorted(codes.items()))
    print(f"dead-lettered: {len(new_letters)} ({by_code})")
    for query in (search.Query("Rosja", limit=3), search.Query("", entity="Władimir Putin", limit=3)):
        label = f"entity {query.entity!r}" if query.entity else f"{query.text!r}"
        print(f"\n$ newsflow search {label}")
        print(search.render(run_search(settings, search.build(query))))
    print("\nThe stack keeps running: try `.venv/bin/newsflow search ...`, `.venv/bin/newsflow dlq`;")
    print("run `.venv/bin/newsflow worker` to keep ingesting; `.venv/bin/newsflow stack down` to stop.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
