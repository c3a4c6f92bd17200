"""`python -m tests.faults` (`make faults`): the fault suite's four scenarios on the running stack
(started here, and stopped after, when it is not up), printed as the README's Guarantees table."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from newsflow_tools.stack.launcher import Stack
from streams.settings import Settings
from tests.conftest import Names, Worker, cleanup, new_names
from tests.faults import scenarios

SCENARIOS = ("fuzz", "kills", "broker", "elasticsearch")


def _run(name: str, names: Names, make: Callable[[str], Worker], stack: Stack) -> scenarios.Row:
    if name == "fuzz":
        return scenarios.fuzz(names, make)
    if name == "kills":
        return scenarios.worker_kills(names, make)
    if name == "broker":
        return scenarios.broker_kill(names, make, stack)
    return scenarios.elasticsearch_kill(names, make, stack)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__)
    parser.add_argument("scenario", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all four)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.scenario) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    stack = Stack(Settings.from_env())
    started = not all(s.state == "up" for s in stack.status())
    if started:
        stack.up(timeout=240, echo=True)
    rows: list[scenarios.Row] = []
    logs = Path(tempfile.mkdtemp(prefix="newsflow-faults-"))
    try:
        for name in args.scenario or SCENARIOS:
            print(f"[faults] {name} ...", file=sys.stderr, flush=True)
            names = new_names()
            workers: list[Worker] = []

            def make(
                worker: str, names: Names = names, workers: list[Worker] = workers, tag: str = name
            ) -> Worker:
                w = Worker(names, logs / f"{tag}-{worker}.log", worker)
                workers.append(w)
                return w

            try:
                rows.append(_run(name, names, make, stack))
            finally:
                for w in workers:
                    w.stop()
                cleanup(names)
            print(
                f"[faults] {name}: {rows[-1].figures} {rows[-1].problems or ''}", file=sys.stderr, flush=True
            )
    finally:
        if started:
            stack.down()
    print(scenarios.table(rows))
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    print(f"worker logs: {logs}", file=sys.stderr)
    held = all(not r.problems and r.lost == r.duplicated == r.crashes == r.worker_restarts == 0 for r in rows)
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
