"""The `newsflow` command: stack, worker, feed, search, dlq and friends."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from streams.settings import Settings, SettingsError
from streams.settings import languages as languages_setting

if TYPE_CHECKING:
    from streams.diagnose import Seen

Handler = Callable[[argparse.Namespace, Settings], int]


TOOLS_MISSING = (
    "newsflow {command}: the development tools (package newsflow_tools) are not installed here; "
    "run it from a checkout after `make install` (pip install -e '.[dev]'). Worker images ship "
    "without them."
)


def _tools_installed(command: str) -> bool:
    import importlib.util

    if importlib.util.find_spec("newsflow_tools") is None:
        print(TOOLS_MISSING.format(command=command), file=sys.stderr)
        return False
    return True


def _stack(args: argparse.Namespace, settings: Settings) -> int:
    if not _tools_installed("stack"):
        return 2
    from newsflow_tools.stack.launcher import Stack, StackError, status_json

    stack = Stack(settings)
    try:
        if args.action == "up":
            stack.up(timeout=args.timeout, secure=args.secure)
        elif args.action == "down":
            stack.down(purge=args.purge)
        else:
            statuses = stack.status()
            if args.json:
                print(status_json(statuses, stack))
            else:
                for st in statuses:
                    pid = st.pid if st.pid else "-"
                    print(f"{st.name:<14} {st.state:<9} pid {pid!s:<8} {st.address:<24} {st.version or ''}")
                if stack.secured:
                    login = "an API key" if stack.secure_state.load().es_api_key else "a user and password"
                    print(
                        f"security: on (TLS with the stack's CA, SASL/PLAIN on Kafka, {login} on "
                        f"Elasticsearch); client settings in {stack.secure_state.env_file}"
                    )
                else:
                    print("security: off (`newsflow stack up --secure` on a stopped stack turns it on)")
            return 0 if all(st.state == "up" for st in statuses) else 3
    except StackError as exc:
        print(f"newsflow stack {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from streams.diagnose import watching
    from streams.runner import get_ready, start
    from streams.topology import Replay, create

    if args.name:
        settings = dataclasses.replace(settings, worker_name=args.name)
    if args.app_id:
        settings = dataclasses.replace(settings, app_id=args.app_id)
    replay = Replay(args.replay_target, args.replay_suffix) if args.replay_target else None
    topo = create(settings, replay=replay)
    # Before the group is joined, a server that refuses us is a configuration error: say which
    # and exit. Once running, the worker waits out outages (and refused logins) on its own.
    with watching() as seen:
        try:
            get_ready(topo)
        except Exception as exc:
            return _report(exc, args, settings, seen)
    start(topo, loglevel=args.loglevel or settings.log_level)
    return 0


def _warm(args: argparse.Namespace, settings: Settings) -> int:
    from streams import morphology
    from streams.warmup import cache_dir, load_models

    try:
        languages = (
            languages_setting(args.languages, "--languages") if args.languages else settings.warm_languages
        )
    except SettingsError as exc:
        print(f"newsflow warm: {exc}", file=sys.stderr)
        return 2
    done = load_models(settings, languages)
    if done is None:
        print("newsflow warm: no languages given (NEWSFLOW_WARM_LANGUAGES is empty)", file=sys.stderr)
        return 2
    print(
        f"newsflow warm: models for {len(done.languages)} language(s) ready in {done.seconds:.1f} s; "
        f"cached in {cache_dir(settings)}"
    )
    started = time.perf_counter()

    def counter(done: int, total: int, lang: str) -> None:
        end = "\n" if done == total else ""
        print(f"\rnewsflow warm: lemma dictionary tries {done}/{total} ({lang})", end=end, file=sys.stderr)

    built = morphology.build_tries(counter if sys.stderr.isatty() else None)
    print(
        f"newsflow warm: lemma dictionary tries built for {built} language(s) in "
        f"{time.perf_counter() - started:.1f} s (the others were there)"
    )
    return 0


def _feed(args: argparse.Namespace, settings: Settings) -> int:
    from streams.feed import feed

    try:
        result = feed(settings, args.path, topic=args.topic, progress=not args.quiet)
    except FileNotFoundError:
        print(
            f"newsflow feed: {args.path} does not exist; pass a JSON-lines file, a JSON array or -",
            file=sys.stderr,
        )
        return 2
    except ValueError as exc:
        print(f"newsflow feed: {args.path} is neither JSON lines nor a JSON array: {exc}", file=sys.stderr)
        return 2
    print(f"sent {result.sent}, failed {result.failed}")
    for error in result.errors:
        print(f"  {error}", file=sys.stderr)
    return 0 if result.sent > 0 and result.failed == 0 else (1 if result.sent == 0 else 3)


def _search(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from streams import search
    from streams.sinks.elasticsearch import search as run_search

    try:
        body = search.build(
            search.Query(
                text=" ".join(args.query),
                lang=args.lang,
                source=args.source,
                since=args.since,
                entity=args.entity,
                limit=args.limit,
                include_duplicates=args.all,
            )
        )
    except ValueError as exc:
        print(f"newsflow search: {exc}", file=sys.stderr)
        return 2
    response = run_search(settings, body)
    if args.json:
        print(
            json.dumps(
                [
                    h["_source"] | {"_id": h["_id"], "highlight": h.get("highlight", {})}
                    for h in response["hits"]["hits"]
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(search.render(response))
    return 0


def _dlq(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from streams import dlq

    if args.action == "replay":
        selected, sent = dlq.replay(settings, code=args.code, dry_run=args.dry_run)
        verb = "would replay" if args.dry_run else "replayed"
        print(f"{verb} {selected if args.dry_run else sent} dead letter(s)")
        return 0
    topic = args.topic or settings.topic("articles.dlq")
    letters = [lt for lt in dlq.letters(settings, topic) if args.code in (None, lt["error"]["code"])]
    shown = letters[-args.limit :] if args.limit else letters
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        for letter in shown:
            print(dlq.render(letter))
        print(f"{len(letters)} dead letter(s) in {topic}, showing {len(shown)}")
    return 0


def _since(text: str) -> float:
    """--since as epoch seconds: a period back from now (7d, 24h) or an ISO 8601 time (UTC if bare)."""
    from datetime import UTC, datetime

    from streams.search import parse_duration

    try:
        return time.time() - parse_duration(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r}: give a period (7d, 24h) or an ISO date (2026-12-01)") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from streams import reindex

    try:
        since = _since(args.since) if args.since else None
    except ValueError as exc:
        print(f"newsflow reindex: {exc}", file=sys.stderr)
        return 2
    say = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else print
    # SIGTERM unwinds like Ctrl-C: the replay worker is stopped and a rerun resumes.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with reindex.progress_bar(not args.quiet and sys.stderr.isatty()) as bar:
            result = reindex.run(
                settings,
                since=since,
                delete_old=args.delete_old,
                catch_up=args.catch_up,
                progress=bar,
                say=say,
            )
    except reindex.ReindexError as exc:
        print(f"newsflow reindex: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "newsflow reindex: interrupted; the replay worker is stopped, run it again to resume",
            file=sys.stderr,
        )
        return 130
    if args.json:
        print(result.to_json())
        return 0
    plan = result.plan
    kept = f"kept ({result.source_documents} documents; --delete-old drops it)"
    old = "deleted" if result.deleted_old else kept
    print(
        f"rebuilt {plan.target} from {result.replayed} raw messages in {result.seconds:.0f} s "
        f"({result.skipped} before --since skipped): {result.target_documents} documents; alias "
        f"{plan.alias} on {plan.target}; old index {plan.source} {old}"
    )
    if result.dead_letters:
        print(
            f"{result.dead_letters} dead letter(s) from the rebuild in {result.dead_letter_topic} "
            f"(newsflow dlq --topic {result.dead_letter_topic})"
        )
    return 0


def _alerts(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from streams.search import parse_duration
    from streams.sinks.elasticsearch import list_alerts

    try:
        since = parse_duration(args.since)
    except ValueError as exc:
        print(f"newsflow alerts: {exc}", file=sys.stderr)
        return 2
    found = list_alerts(settings, since, args.limit)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    for alert in found:
        print(
            f"{alert['window_start'][:16].replace('T', ' ')}  {alert['kind']:<9} {alert['keyword']}: "
            f"{alert['count']} articles (baseline {alert['baseline']:.1f}, threshold {alert['threshold']}, "
            f"score {alert['score']:.1f})"
        )
        for sample in alert["samples"]:
            print(f"    {sample['title']}  {sample.get('url', '')}")
    print(f"{len(found)} alert(s) in the last {args.since}")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from streams.status import gather, render

    found = gather(settings)
    print(found.to_json() if args.json else render(found))
    return 0 if found.kafka == found.elasticsearch == "up" else 3


def _kibana(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from streams.kibana import KibanaError, import_objects

    try:
        answer = import_objects(settings, args.url, Path(args.file) if args.file else None)
    except KibanaError as exc:
        print(f"newsflow kibana import: {exc}", file=sys.stderr)
        return 1
    print(f"imported {answer.get('successCount', 0)} saved object(s) into Kibana at {args.url}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the traceback when a command fails")
    sub = parser.add_subparsers(dest="command", required=True)

    stack = sub.add_parser("stack", help="the local Kafka + Elasticsearch (downloaded with mvn)")
    stack.add_argument("action", choices=["up", "down", "status"])
    stack.add_argument("--json", action="store_true", help="status as JSON")
    stack.add_argument("--purge", action="store_true", help="down: also delete data and logs")
    stack.add_argument("--timeout", type=float, default=180.0, help="up: seconds to wait (180)")
    stack.add_argument(
        "--secure",
        action="store_true",
        help="up: TLS and logins on both servers (a local CA, generated passwords, an API key); "
        "the client settings land in $NEWSFLOW_HOME/secure.env. Kept until `down --purge`",
    )
    stack.set_defaults(handler=_stack)

    worker = sub.add_parser("worker", help="run a pipeline worker (Faust); run several for more throughput")
    worker.add_argument("--name", help="worker name; its local table store lives under it (default w1)")
    worker.add_argument("--loglevel", choices=["debug", "info", "warning", "error"])
    # Set by `newsflow reindex` for its replay worker (streams.reindex).
    worker.add_argument("--app-id", help=argparse.SUPPRESS)
    worker.add_argument("--replay-target", help=argparse.SUPPRESS)
    worker.add_argument("--replay-suffix", help=argparse.SUPPRESS)
    worker.set_defaults(handler=_worker)

    warm = sub.add_parser(
        "warm",
        help="build the language models' caches (NEWSFLOW_HOME/cache) and exit: run it when "
        "installing or building an image, and a worker's first start is as quick as a restart",
    )
    warm.add_argument("--languages", help="comma-separated codes or all (default: NEWSFLOW_WARM_LANGUAGES)")
    warm.set_defaults(handler=_warm)

    feed = sub.add_parser("feed", help="send raw articles (JSON lines or a JSON array) to Kafka")
    feed.add_argument("path", help="file, or - for standard input")
    feed.add_argument("--topic", help="target topic (default: articles.raw)")
    feed.add_argument("--quiet", action="store_true", help="no progress bar")
    feed.set_defaults(handler=_feed)

    search = sub.add_parser("search", help="full-text search over indexed articles, newest first")
    search.add_argument("query", nargs="*", help='words; simple_query_string syntax ("phrase", -not, a|b)')
    search.add_argument("--lang", help="only this language (ISO 639-1); also lemmatises the query in it")
    search.add_argument("--source", help="only this outlet or domain")
    search.add_argument("--since", help="only articles first seen within this period, e.g. 24h, 7d")
    search.add_argument("--entity", help='only articles naming this entity, e.g. "Władimir Putin"')
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--all", action="store_true", help="include near-duplicate copies")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=_search)

    alerts = sub.add_parser("alerts", help="keyword spike alerts, newest first")
    alerts.add_argument("--since", default="24h", help="window start within this period (24h)")
    alerts.add_argument("--limit", type=int, default=50)
    alerts.add_argument("--json", action="store_true")
    alerts.set_defaults(handler=_alerts)

    sub.add_parser("bench", help="end-to-end throughput and latency benchmark on the real stack (--help)")

    status = sub.add_parser(
        "status",
        help="for operators: services, consumer lag per topic, workers, documents, dead letters "
        "by code (last hour/day), last alert; exit 3 when a service is down",
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    reindex = sub.add_parser(
        "reindex",
        help="rebuild the index as articles-v(N+1) from the raw topic with today's template and "
        "enrichment, then swap the alias `articles` to it; live workers keep running",
    )
    reindex.add_argument("--since", help="replay only what Kafka got since then: 7d, 24h or an ISO date")
    reindex.add_argument("--delete-old", action="store_true", help="delete the old index after the swap")
    reindex.add_argument(
        "--catch-up",
        type=int,
        default=500,
        help="swap when the replay is this many messages behind (500); the rest is replayed after",
    )
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    reindex.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    reindex.set_defaults(handler=_reindex)

    kibana = sub.add_parser("kibana", help="import the data views, searches and dashboard into Kibana")
    kibana.add_argument("action", choices=["import"])
    kibana.add_argument("--url", required=True, help="Kibana's base URL, e.g. http://127.0.0.1:5601")
    kibana.add_argument("--file", help="a saved-objects export (default: deploy/kibana/newsflow.ndjson)")
    kibana.set_defaults(handler=_kibana)

    dlq = sub.add_parser("dlq", help="dead letters: list them with reasons, or replay them")
    dlq.add_argument("action", nargs="?", choices=["list", "replay"], default="list")
    dlq.add_argument("--code", help="only this error code (e.g. schema_violation)")
    dlq.add_argument("--limit", type=int, default=20, help="list: newest N (0 = all)")
    dlq.add_argument("--json", action="store_true")
    dlq.add_argument("--dry-run", action="store_true", help="replay: count only")
    dlq.add_argument("--topic", help="list: another dead-letter topic (a rebuild's, from newsflow reindex)")
    dlq.set_defaults(handler=_dlq)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["bench"]:
        # The benchmark has its own option parser; hand it everything after `bench`.
        if not _tools_installed("bench"):
            return 2
        from newsflow_tools.bench.cli import main as bench_main

        return bench_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    if args.debug or args.command == "worker":  # a worker retries and logs on its own
        return handler(args, settings)
    from streams.diagnose import watching

    with watching() as seen:
        try:
            return handler(args, settings)
        except KeyboardInterrupt:
            return 130
        except Exception as exc:
            return _report(exc, args, settings, seen)


def _report(
    exc: BaseException, args: argparse.Namespace, settings: Settings, seen: Seen | None = None
) -> int:
    """One or two lines naming the server, the setting and the fix; JSON for --json commands."""
    import json

    from streams.cli_errors import Problem, explain
    from streams.diagnose import problem as diagnosed

    command = args.command + (f" {args.action}" if getattr(args, "action", None) else "")
    problem = (
        diagnosed(exc, settings, seen)
        or explain(exc, settings)
        or Problem(
            "newsflow",
            "",
            f"unexpected {type(exc).__name__}: {str(exc)[:300]}",
            None,
            "rerun with --debug for the traceback, and report it if the cause is not yours",
        )
    )
    if getattr(args, "json", False):
        print(json.dumps(problem.to_json(), ensure_ascii=False))
    print(problem.lines(command), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
